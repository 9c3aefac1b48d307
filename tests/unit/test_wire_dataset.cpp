// GET /datasets/{id} (docs/service.md, "The dataset") and the schema it carries:
// V4 and V3 shapes, schema parsing in both places it appears, and the
// schema's own serialisation.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/wire/dataset.hpp>

using namespace upstate;

namespace {

struct Malformed {
  const char* what;
  std::string body;
  std::string path;
  std::string message;
};

}  // namespace

TEST_CASE("dataset: a V4 dataset parses field by field", "[wire][dataset]") {
  auto r = parse_dataset(R"({
    "id": "ds-1", "name": "Reviews", "created_at": "2026-11-28T12:00:00Z", "created_by": "u-9",
    "total_datapoint_count": 1200, "schema_version": 4,
    "schema": {"strict": true, "fields": {"prompt": {"type": "text", "label": "Prompt"},
                                          "category": {"type": "metadata"}}},
    "imports": [{"import_id": "imp-1", "status": "complete", "accepted_count": 1200},
                {"import_id": "imp-2", "status": "partial", "accepted_count": 8, "rejected_count": 2},
                {"import_id": "imp-3", "status": "something_new"}]})");
  REQUIRE(r.ok());
  CHECK(r->id == "ds-1");
  CHECK(r->name == "Reviews");
  CHECK(r->created_at == "2026-11-28T12:00:00Z");
  CHECK(r->created_by == "u-9");
  CHECK(r->total_datapoint_count == std::optional<std::uint64_t>(1200));
  CHECK(r->schema_version == std::optional<int>(4));
  REQUIRE(r->schema);
  CHECK(r->schema->strict);
  REQUIRE(r->schema->fields.size() == 2);
  CHECK(r->schema->fields[0].name == "prompt");  // document order, not sorted
  CHECK(r->schema->fields[0].type == "text");
  CHECK(r->schema->fields[0].label == "Prompt");
  CHECK(r->schema->fields[1].name == "category");
  CHECK(r->schema->fields[1].type == "metadata");
  CHECK(r->schema->fields[1].label == "");
  REQUIRE(r->imports.size() == 3);
  CHECK(r->imports[0].import_id == "imp-1");
  CHECK(r->imports[0].status == "complete");
  CHECK(r->imports[0].accepted_count == std::optional<std::uint64_t>(1200));
  CHECK_FALSE(r->imports[0].rejected_count);
  CHECK(r->imports[1].rejected_count == std::optional<std::uint64_t>(2));
  CHECK(r->imports[2].status == "something_new");  // the listing is informational: kept verbatim
  CHECK_FALSE(r->status);
  CHECK_FALSE(r->filename);
}

TEST_CASE("dataset: a V3 dataset, and null as absent", "[wire][dataset]") {
  SECTION("V3 shape") {
    auto r = parse_dataset(R"({"id":"ds-3","schema_version":3,"status":"READY","filename":"data.csv"})");
    REQUIRE(r.ok());
    CHECK(r->schema_version == std::optional<int>(3));
    CHECK(r->status == std::optional<std::string>("READY"));
    CHECK(r->filename == std::optional<std::string>("data.csv"));
    CHECK_FALSE(r->schema);
    CHECK(r->imports.empty());
  }
  SECTION("every optional field null") {
    auto r = parse_dataset(
        R"({"id":"d","name":null,"created_at":null,"created_by":null,"total_datapoint_count":null,)"
        R"("schema_version":null,"schema":null,"imports":null,"status":null,"filename":null})");
    REQUIRE(r.ok());
    CHECK(r->name == "");
    CHECK_FALSE(r->total_datapoint_count);
    CHECK_FALSE(r->schema_version);
    CHECK_FALSE(r->schema);
    CHECK(r->imports.empty());
    CHECK_FALSE(r->status);
  }
  SECTION("only the id") {
    auto r = parse_dataset(R"({"id":"d"})");
    REQUIRE(r.ok());
    CHECK(r->id == "d");
    CHECK_FALSE(r->schema_version);
  }
}

TEST_CASE("dataset: imports past max_dataset_imports_kept are checked and counted, not kept",
          "[wire][dataset][limits]") {
  const std::string three = R"({"id":"d","total_datapoint_count":9,"imports":[)"
                            R"({"import_id":"a","status":"complete"},{"import_id":"b","status":"partial"},)"
                            R"({"import_id":"c","status":"failed"}]})";
  SECTION("unlimited by default") {
    auto r = parse_dataset(three);
    REQUIRE(r.ok());
    CHECK(r->imports.size() == 3);
    CHECK(r->imports_dropped == 0);
  }
  SECTION("the first ones are kept") {
    ParseLimits limits;
    limits.max_dataset_imports_kept = 1;
    auto r = parse_dataset(three, limits);
    REQUIRE(r.ok());
    REQUIRE(r->imports.size() == 1);
    CHECK(r->imports[0].import_id == "a");
    CHECK(r->imports_dropped == 2);
    CHECK(r->total_datapoint_count == std::optional<std::uint64_t>(9));
  }
  SECTION("none kept: a bad import past the cap is still refused, by path") {
    ParseLimits limits;
    limits.max_dataset_imports_kept = 0;
    auto ok = parse_dataset(three, limits);
    REQUIRE(ok.ok());
    CHECK(ok->imports.empty());
    CHECK(ok->imports_dropped == 3);
    auto bad = parse_dataset(R"({"id":"d","imports":[{"import_id":"a","status":"x"},{"import_id":"b"}]})", limits);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().path == "$.imports[1].status");
    CHECK(bad.error().message == "missing required field");
  }
}

TEST_CASE("dataset: each malformed class names its path", "[wire][dataset][malformed]") {
  auto c = GENERATE(values<Malformed>({
      {"not JSON", "{id: 1}", "$", "not JSON: Missing a name for object member. at offset 1"},
      {"not an object", "42", "$", "expected object, got number"},
      {"trailing garbage", R"({"id":"d"},)", "$",
       "not JSON: The document root must not be followed by other values. at offset 10"},
      {"missing required field", R"({"name":"x"})", "$.id", "missing required field"},
      {"id null", R"({"id":null})", "$.id", "expected string, got null"},
      {"id wrong type", R"({"id":12})", "$.id", "expected string, got number"},
      {"name wrong type", R"({"id":"d","name":1})", "$.name", "expected string, got number"},
      {"negative count", R"({"id":"d","total_datapoint_count":-5})", "$.total_datapoint_count",
       "expected non-negative integer, got negative number"},
      {"non-integer count", R"({"id":"d","total_datapoint_count":0.5})", "$.total_datapoint_count",
       "expected non-negative integer, got fractional number"},
      {"schema_version as decimal", R"({"id":"d","schema_version":4.0})", "$.schema_version",
       "expected integer, got non-integer number"},
      {"schema_version out of int range", R"({"id":"d","schema_version":4294967296})", "$.schema_version",
       "expected integer, got number out of range"},
      {"schema_version as string", R"({"id":"d","schema_version":"4"})", "$.schema_version",
       "expected integer, got string"},
      {"schema wrong type", R"({"id":"d","schema":"text"})", "$.schema", "expected object, got string"},
      {"schema.strict wrong type", R"({"id":"d","schema":{"strict":"yes"}})", "$.schema.strict",
       "expected boolean, got string"},
      {"schema.fields wrong type", R"({"id":"d","schema":{"fields":[]}})", "$.schema.fields",
       "expected object, got array"},
      {"schema field not an object", R"({"id":"d","schema":{"fields":{"prompt":"text"}}})",
       "$.schema.fields.prompt", "expected object, got string"},
      {"schema field missing type", R"({"id":"d","schema":{"fields":{"prompt":{"label":"P"}}}})",
       "$.schema.fields.prompt.type", "missing required field"},
      {"schema field type wrong type", R"({"id":"d","schema":{"fields":{"prompt":{"type":1}}}})",
       "$.schema.fields.prompt.type", "expected string, got number"},
      {"schema field label wrong type",
       R"({"id":"d","schema":{"fields":{"prompt":{"type":"text","label":false}}}})",
       "$.schema.fields.prompt.label", "expected string, got boolean"},
      {"odd field name is quoted in the path", R"({"id":"d","schema":{"fields":{"my \"field\".x":{}}}})",
       R"($.schema.fields["my \"field\".x"].type)", "missing required field"},
      {"imports not an array", R"({"id":"d","imports":{}})", "$.imports", "expected array, got object"},
      {"imports item not an object", R"({"id":"d","imports":[null]})", "$.imports[0]",
       "expected object, got null"},
      {"imports item missing import_id", R"({"id":"d","imports":[{"import_id":"a","status":"x"},{"status":"x"}]})",
       "$.imports[1].import_id", "missing required field"},
      {"imports item missing status", R"({"id":"d","imports":[{"import_id":"a"}]})", "$.imports[0].status",
       "missing required field"},
      {"imports item negative count", R"({"id":"d","imports":[{"import_id":"a","status":"x","rejected_count":-1}]})",
       "$.imports[0].rejected_count", "expected non-negative integer, got negative number"},
      {"V3 status wrong type", R"({"id":"d","status":0})", "$.status", "expected string, got number"},
      {"V3 filename wrong type", R"({"id":"d","filename":[]})", "$.filename", "expected string, got array"},
  }));
  CAPTURE(c.what);
  auto r = parse_dataset(c.body);
  REQUIRE_FALSE(r.ok());
  CHECK(to_string(r.error().code) == "malformed_answer");
  CHECK(r.error().path == c.path);
  CHECK(r.error().message == c.message);
}

TEST_CASE("dataset: caps and nesting", "[wire][dataset][limits]") {
  SECTION("a 100 MB name is refused by the default cap") {
    auto r = parse_dataset(R"({"id":"d","name":")" + std::string(100u << 20, 'n') + "\"}");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "answer of 104857620 bytes exceeds the 16777216-byte cap");
  }
  SECTION("100000 nested '[' as the schema: refused by depth before any parse") {
    auto r = parse_dataset(R"({"id":"d","schema":)" + std::string(100000, '[') + std::string(100000, ']') + "}");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "JSON nested deeper than 64 levels");
  }
  SECTION("with the depth limit lifted: parsed without recursion, then refused by type") {
    ParseLimits limits;
    limits.max_json_depth = 200000;
    auto r = parse_dataset(R"({"id":"d","schema":)" + std::string(100000, '[') + std::string(100000, ']') + "}",
                           limits);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$.schema");
    CHECK(r.error().message == "expected object, got array");
  }
  SECTION("a long field name is cut in the path") {
    std::string name(1000, 'k');
    name[0] = ' ';  // not a plain key: quoted
    auto r = parse_dataset(R"({"id":"d","schema":{"fields":{")" + name + R"(":1}}})");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$.schema.fields[\" " + std::string(63, 'k') + "...\"]");
  }
}

TEST_CASE("schema: parsed alone with the same rules", "[wire][schema]") {
  SECTION("strict defaults to false") {
    auto r = parse_schema(R"({"fields":{"a":{"type":"image_url"}}})");
    REQUIRE(r.ok());
    CHECK_FALSE(r->strict);
    REQUIRE(r->fields.size() == 1);
    CHECK(r->fields[0].name == "a");
    CHECK(r->fields[0].type == "image_url");
  }
  SECTION("fields absent or null mean no fields") {
    auto absent = parse_schema(R"({"strict":true})");
    REQUIRE(absent.ok());
    CHECK(absent->strict);
    CHECK(absent->fields.empty());
    auto null = parse_schema(R"({"strict":null,"fields":null})");
    REQUIRE(null.ok());
    CHECK_FALSE(null->strict);
    CHECK(null->fields.empty());
  }
  SECTION("unknown field types are kept verbatim") {
    auto r = parse_schema(R"({"fields":{"x":{"type":"hologram_url"}}})");
    REQUIRE(r.ok());
    CHECK(r->fields[0].type == "hologram_url");
  }
  SECTION("errors are rooted at $") {
    auto r = parse_schema(R"({"fields":{"prompt":{"type":null}}})");
    REQUIRE_FALSE(r.ok());
    CHECK(to_string(r.error().code) == "malformed_answer");
    CHECK(r.error().path == "$.fields.prompt.type");
    CHECK(r.error().message == "expected string, got null");
  }
  SECTION("not JSON and the cap") {
    auto bad = parse_schema("{\"fields\":");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().path == "$");
    ParseLimits limits;
    limits.max_body_bytes = 2;
    auto big = parse_schema("{ }", limits);
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().message == "answer of 3 bytes exceeds the 2-byte cap");
  }
}

TEST_CASE("schema: serialised as the API writes it, and read back", "[wire][schema]") {
  Schema schema;
  schema.strict = true;
  schema.fields = {{"prompt", "text", "Prompt"}, {"category", "metadata", ""}, {"q\"\n\\", "text", "L\x01"}};
  std::string json = schema_to_json(schema);
  CHECK(json ==
        R"({"strict":true,"fields":{"prompt":{"type":"text","label":"Prompt"},"category":{"type":"metadata"},)"
        R"("q\"\n\\":{"type":"text","label":"L\u0001"}}})");
  auto back = parse_schema(json);
  REQUIRE(back.ok());
  CHECK(back->strict);
  REQUIRE(back->fields.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(back->fields[i].name == schema.fields[i].name);
    CHECK(back->fields[i].type == schema.fields[i].type);
    CHECK(back->fields[i].label == schema.fields[i].label);
  }
  CHECK(schema_to_json(Schema{}) == R"({"strict":false,"fields":{}})");
}

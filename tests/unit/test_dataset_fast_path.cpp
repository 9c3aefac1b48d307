// parse_dataset's fast path (wire/dataset_sax.hpp) against the DOM parser it
// stands in for: on every body, the same Dataset field by field or the same
// Error; and the fast path really taken for the plain answers it exists for
// (a batch's last GET /datasets/{id}, listing every import).
#include <catch2/catch.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <upstate/wire/dataset.hpp>

using namespace upstate;

namespace {

// Field by field, so a difference names the field.
void check_same_dataset(const Dataset& got, const Dataset& want) {
  CHECK(got.id == want.id);
  CHECK(got.name == want.name);
  CHECK(got.created_at == want.created_at);
  CHECK(got.created_by == want.created_by);
  CHECK(got.total_datapoint_count == want.total_datapoint_count);
  CHECK(got.schema_version == want.schema_version);
  CHECK(got.status == want.status);
  CHECK(got.filename == want.filename);
  REQUIRE(got.schema.has_value() == want.schema.has_value());
  if (want.schema) {
    CHECK(got.schema->strict == want.schema->strict);
    REQUIRE(got.schema->fields.size() == want.schema->fields.size());
    for (std::size_t i = 0; i < want.schema->fields.size(); ++i) {
      CAPTURE(i);
      CHECK(got.schema->fields[i].name == want.schema->fields[i].name);
      CHECK(got.schema->fields[i].type == want.schema->fields[i].type);
      CHECK(got.schema->fields[i].label == want.schema->fields[i].label);
    }
  }
  CHECK(got.imports_dropped == want.imports_dropped);
  REQUIRE(got.imports.size() == want.imports.size());
  for (std::size_t i = 0; i < want.imports.size(); ++i) {
    CAPTURE(i);
    CHECK(got.imports[i].import_id == want.imports[i].import_id);
    CHECK(got.imports[i].status == want.imports[i].status);
    CHECK(got.imports[i].accepted_count == want.imports[i].accepted_count);
    CHECK(got.imports[i].rejected_count == want.imports[i].rejected_count);
    CHECK(got.imports[i].duplicate_count == want.imports[i].duplicate_count);
  }
}

void check_same(const Result<Dataset>& got, const Result<Dataset>& want) {
  REQUIRE(got.ok() == want.ok());
  if (want.ok()) {
    check_same_dataset(got.value(), want.value());
    return;
  }
  CHECK(got.error().code == want.error().code);
  CHECK(got.error().path == want.error().path);
  CHECK(got.error().message == want.error().message);
}

enum class Path { fast, dom };

// parse_dataset and the fast path alone against the DOM parser; returns
// which path parse_dataset took.
Path check_against_dom(const std::string& body, const ParseLimits& limits = {}) {
  const std::string shown = body.size() < 400 ? body : body.substr(0, 400) + "...";
  CAPTURE(shown);
  const Result<Dataset> dom = detail::parse_dataset_dom(body, limits);
  check_same(parse_dataset(body, limits), dom);
  const std::optional<Dataset> fast = detail::try_parse_dataset_fast(body, limits);
  if (!fast) return Path::dom;
  REQUIRE(dom.ok());  // the fast path never claims a body the DOM parser refuses
  check_same_dataset(*fast, dom.value());
  return Path::fast;
}

std::string dataset_with(const std::string& extra) {
  return R"({"id":"ds-1")" + (extra.empty() ? "" : "," + extra) + "}";
}
std::string schema_with(const std::string& schema) { return dataset_with(R"("schema":)" + schema); }
std::string imports_with(const std::string& items) { return dataset_with(R"("imports":[)" + items + "]"); }

struct Row {
  const char* what;
  std::string body;
  Path expected;
};

std::vector<Row> corpus() {
  return {
      // ---- read by the fast path ----
      {"a V4 dataset, compact",
       R"({"id":"ds-1","name":"Reviews","workspace_id":"w","created_at":"2026-11-28T12:00:00Z","created_by":"u-9",)"
       R"("total_datapoint_count":1200,"schema_version":4,"schema":{"strict":true,"fields":{)"
       R"("prompt":{"type":"text","label":"Prompt"},"category":{"type":"metadata"}}},"imports":[)"
       R"({"import_id":"imp-1","status":"complete","accepted_count":1200,"duplicate_count":0},)"
       R"({"import_id":"imp-2","status":"partial","accepted_count":8,"rejected_count":2},)"
       R"({"import_id":"imp-3","status":"something_new"}]})",
       Path::fast},
      {"pretty-printed",
       "{\n  \"id\" : \"d\",\n  \"schema\": { \"fields\" : { \"a\" : { \"type\" : \"text\" } } },\r\n"
       "  \"imports\" : [ { \"status\" : \"queued\" , \"import_id\" : \"i\" } ]\n}\n\t",
       Path::fast},
      {"a V3 dataset", R"({"id":"ds-3","schema_version":3,"status":"READY","filename":"data.csv"})", Path::fast},
      {"only the id", R"({"id":"d"})", Path::fast},
      {"every optional field null",
       dataset_with(R"("name":null,"created_at":null,"created_by":null,"total_datapoint_count":null,)"
                    R"("schema_version":null,"schema":null,"imports":null,"status":null,"filename":null)"),
       Path::fast},
      {"empty strings", dataset_with(R"("name":"","status":"","filename":"")"), Path::fast},
      {"counts and versions at the edges",
       dataset_with(R"("total_datapoint_count":18446744073709551615,"schema_version":2147483647)"), Path::fast},
      {"the smallest schema_version", dataset_with(R"("schema_version":-2147483648)"), Path::fast},
      {"a negative schema_version", dataset_with(R"("schema_version":-1)"), Path::fast},
      {"an empty schema", schema_with("{}"), Path::fast},
      {"schema strict and fields null", schema_with(R"({"strict":null,"fields":null})"), Path::fast},
      {"schema strict false, empty fields", schema_with(R"({"strict":false,"fields":{}})"), Path::fast},
      {"a field's label null", schema_with(R"({"fields":{"a":{"type":"text","label":null}}})"), Path::fast},
      {"a repeated field name is kept twice",
       schema_with(R"({"fields":{"a":{"type":"text"},"a":{"type":"metadata","label":"L"}}})"), Path::fast},
      {"odd field names", schema_with("{\"fields\":{\"my field.x\":{\"type\":\"t\"},\"\":{\"type\":\"u\"}}}"),
       Path::fast},
      {"unknown members of a schema and of a field",
       schema_with(R"({"version":2,"fields":{"a":{"x":[1,{"y":null}],"type":"text","z":-3}},"extra":{"fields":1}})"),
       Path::fast},
      {"empty imports", imports_with(""), Path::fast},
      {"import counts null", imports_with(R"({"import_id":"i","status":"s","accepted_count":null,)"
                                          R"("rejected_count":null,"duplicate_count":null})"),
       Path::fast},
      {"unknown members of an import", imports_with(R"({"import_id":"i","n":-1,"x":{"status":1},"status":"s"})"),
       Path::fast},
      {"unknown root members of any shape",
       dataset_with(R"("links":{"id":1,"imports":{}},"tags":["a",-2,true,null,[[]]],"flag":false,"n":-7)"),
       Path::fast},
      {"unknown root keys may repeat", dataset_with(R"("x":1,"x":"2")"), Path::fast},
      {"non-ASCII UTF-8 as it is", "{\"id\":\"d\",\"name\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}", Path::fast},
      {"invalid UTF-8 passes through as bytes", "{\"id\":\"\xFF\xFE\",\"name\":\"\xC3\"}", Path::fast},
      {"nesting in an unknown member up to the depth the fast path takes",
       dataset_with(R"("x":)" + std::string(60, '[') + std::string(60, ']')), Path::fast},

      // ---- handed to the DOM parser ----
      {"an escape in a string", dataset_with(R"("name":"say \"hi\"")"), Path::dom},
      {"a unicode escape in an import id", imports_with(R"({"import_id":"\u0069","status":"s"})"), Path::dom},
      {"an escape in a key", R"({"i\u0064":"d"})", Path::dom},
      {"an escape in a field name", schema_with(R"({"fields":{"a\/b":{"type":"t"}}})"), Path::dom},
      {"a fraction in an unknown member", dataset_with(R"("x":1.5)"), Path::dom},
      {"-0 as a schema_version", dataset_with(R"("schema_version":-0)"), Path::dom},
      {"a byte order mark", "\xEF\xBB\xBF" + dataset_with(""), Path::dom},
      {"a NUL byte after the root", dataset_with("") + std::string(1, '\0') + "junk", Path::dom},
      {"id missing", R"({"name":"x"})", Path::dom},
      {"id null", R"({"id":null})", Path::dom},
      {"id a number", R"({"id":12})", Path::dom},
      {"a duplicate id", R"({"id":"a","id":"b"})", Path::dom},
      {"a duplicate optional field", dataset_with(R"("name":"a","name":null)"), Path::dom},
      {"name a number", dataset_with(R"("name":1)"), Path::dom},
      {"created_by an object", dataset_with(R"("created_by":{})"), Path::dom},
      {"a negative count", dataset_with(R"("total_datapoint_count":-5)"), Path::dom},
      {"a fractional count", dataset_with(R"("total_datapoint_count":0.5)"), Path::dom},
      {"a count past uint64", dataset_with(R"("total_datapoint_count":18446744073709551616)"), Path::dom},
      {"a count as a string", dataset_with(R"("total_datapoint_count":"5")"), Path::dom},
      {"schema_version past int", dataset_with(R"("schema_version":2147483648)"), Path::dom},
      {"schema_version below int", dataset_with(R"("schema_version":-2147483649)"), Path::dom},
      {"schema_version decimal", dataset_with(R"("schema_version":4.0)"), Path::dom},
      {"schema_version a boolean", dataset_with(R"("schema_version":true)"), Path::dom},
      {"schema a string", schema_with(R"("text")"), Path::dom},
      {"schema an array", schema_with("[]"), Path::dom},
      {"strict a string", schema_with(R"({"strict":"yes"})"), Path::dom},
      {"strict an object", schema_with(R"({"strict":{}})"), Path::dom},
      {"fields an array", schema_with(R"({"fields":[]})"), Path::dom},
      {"fields a boolean", schema_with(R"({"fields":true})"), Path::dom},
      {"a duplicate strict", schema_with(R"({"strict":true,"strict":false})"), Path::dom},
      {"a duplicate fields", schema_with(R"({"fields":{},"fields":{"a":{"type":"t"}}})"), Path::dom},
      {"a field not an object", schema_with(R"({"fields":{"prompt":"text"}})"), Path::dom},
      {"a field null", schema_with(R"({"fields":{"prompt":null}})"), Path::dom},
      {"a field without type", schema_with(R"({"fields":{"prompt":{"label":"P"}}})"), Path::dom},
      {"a field's type null", schema_with(R"({"fields":{"prompt":{"type":null}}})"), Path::dom},
      {"a field's type a number", schema_with(R"({"fields":{"prompt":{"type":1}}})"), Path::dom},
      {"a field's type an object", schema_with(R"({"fields":{"prompt":{"type":{}}}})"), Path::dom},
      {"a field's label a boolean", schema_with(R"({"fields":{"p":{"type":"t","label":false}}})"), Path::dom},
      {"a duplicate type", schema_with(R"({"fields":{"p":{"type":"t","type":"u"}}})"), Path::dom},
      {"imports an object", dataset_with(R"("imports":{})"), Path::dom},
      {"imports a string", dataset_with(R"("imports":"")"), Path::dom},
      {"an import null", imports_with("null"), Path::dom},
      {"an import an array", imports_with("[]"), Path::dom},
      {"an import without import_id", imports_with(R"({"import_id":"a","status":"x"},{"status":"x"})"), Path::dom},
      {"an import without status", imports_with(R"({"import_id":"a"})"), Path::dom},
      {"an import's status null", imports_with(R"({"import_id":"a","status":null})"), Path::dom},
      {"an import's import_id a number", imports_with(R"({"import_id":1,"status":"s"})"), Path::dom},
      {"an import's count negative", imports_with(R"({"import_id":"a","status":"x","rejected_count":-1})"),
       Path::dom},
      {"an import's count a string", imports_with(R"({"import_id":"a","status":"x","accepted_count":"1"})"),
       Path::dom},
      {"an import's count an array", imports_with(R"({"import_id":"a","status":"x","duplicate_count":[]})"),
       Path::dom},
      {"a duplicate import_id", imports_with(R"({"import_id":"a","import_id":"b","status":"x"})"), Path::dom},
      {"a duplicate count", imports_with(R"({"import_id":"a","status":"x","accepted_count":1,"accepted_count":2})"),
       Path::dom},
      {"V3 status a number", dataset_with(R"("status":0)"), Path::dom},
      {"V3 filename an array", dataset_with(R"("filename":[])"), Path::dom},
      {"deep nesting past the fast path's depth",
       dataset_with(R"("x":)" + std::string(70, '[') + std::string(70, ']')), Path::dom},
      {"deep nesting, unclosed", dataset_with(R"("x":)" + std::string(100000, '[')), Path::dom},
      {"not JSON", "Service Unavailable", Path::dom},
      {"empty body", "", Path::dom},
      {"a root array", R"(["ds-1"])", Path::dom},
      {"a root string", R"("ds-1")", Path::dom},
      {"trailing garbage", dataset_with("") + ",", Path::dom},
      {"a second root value", dataset_with("") + dataset_with(""), Path::dom},
      {"a trailing comma", R"({"id":"d",})", Path::dom},
      {"a trailing comma in an import", imports_with(R"({"import_id":"a","status":"x",})"), Path::dom},
      {"cut short", imports_with(R"({"import_id":"a","status":"x"},{"impo)"), Path::dom},
      {"a leading zero", dataset_with(R"("total_datapoint_count":01)"), Path::dom},
      {"a raw control character in a string", dataset_with("\"name\":\"a\tb\""), Path::dom},
      {"single quotes", R"({'id':'d'})", Path::dom},
      {"a comment", R"({"id":"d"/*c*/})", Path::dom},
  };
}

// The answer a batch of n files ends with, as upstate-fake-server writes it.
std::string dataset_answer(std::size_t imports) {
  std::string body = R"({"id":"ds","name":"ds","workspace_id":"ws-1","created_at":"2026-12-06T12:00:00Z",)"
                     R"("created_by":"fake-user","total_datapoint_count":)" +
                     std::to_string(imports * 7) +
                     R"(,"schema_version":4,"schema":{"strict":true,"fields":{"prompt":{"type":"text"},)"
                     R"("response":{"type":"text"},"category":{"type":"metadata","label":"Category"}}},"imports":[)";
  for (std::size_t i = 0; i < imports; ++i) {
    if (i) body += ',';
    body += R"({"import_id":"imp-)" + std::to_string(100000 + i) +
            R"(","status":"complete","accepted_count":7,"duplicate_count":0})";
  }
  return body + "]}";
}

}  // namespace

TEST_CASE("dataset fast path: every corpus answer comes out as the DOM parser's", "[wire][dataset][fast_path]") {
  for (const Row& row : corpus()) {
    CAPTURE(row.what);
    CHECK(check_against_dom(row.body) == row.expected);
  }
}

TEST_CASE("dataset fast path: the same under every max_dataset_imports_kept", "[wire][dataset][fast_path][limits]") {
  ParseLimits limits;
  limits.max_dataset_imports_kept = GENERATE(as<std::size_t>{}, 0, 1, 2);
  CAPTURE(limits.max_dataset_imports_kept);
  for (const Row& row : corpus()) {
    CAPTURE(row.what);
    CHECK(check_against_dom(row.body, limits) == row.expected);
  }
  const auto three = parse_dataset(dataset_answer(3), limits);
  REQUIRE(three.ok());
  CHECK(three->imports.size() == limits.max_dataset_imports_kept);
  CHECK(three->imports_dropped == 3 - limits.max_dataset_imports_kept);
  CHECK(three->total_datapoint_count == std::optional<std::uint64_t>(21));
}

TEST_CASE("dataset fast path: the JSON limits are the DOM parser's", "[wire][dataset][fast_path][limits]") {
  ParseLimits limits;
  SECTION("depth") {
    limits.max_json_depth = 3;
    CHECK(check_against_dom(schema_with(R"({"fields":{"a":{"type":"t"}}})"), limits) == Path::dom);
    CHECK(check_against_dom(schema_with(R"({"fields":{}})"), limits) == Path::fast);
  }
  SECTION("values") {
    limits.max_json_values = 6;  // 1 + brackets + commas: one import takes 6, two take 9
    CHECK(check_against_dom(imports_with(R"({"import_id":"a","status":"x"},{"import_id":"b","status":"y"})"),
                            limits) == Path::dom);
    CHECK(check_against_dom(imports_with(R"({"import_id":"a","status":"x"})"), limits) == Path::fast);
  }
  SECTION("size") {
    limits.max_body_bytes = 20;
    CHECK(check_against_dom(dataset_with(R"("name":"0123456789")"), limits) == Path::dom);
    CHECK(check_against_dom(dataset_with(""), limits) == Path::fast);
  }
}

TEST_CASE("dataset fast path: a batch's last answer (10,000 imports) is read by it", "[wire][dataset][fast_path]") {
  const std::string body = dataset_answer(10000);
  REQUIRE(check_against_dom(body) == Path::fast);
  auto r = parse_dataset(body);
  REQUIRE(r.ok());
  CHECK(r->total_datapoint_count == std::optional<std::uint64_t>(70000));
  REQUIRE(r->imports.size() == 10000);
  CHECK(r->imports[9999].import_id == "imp-109999");
  CHECK(r->imports[9999].accepted_count == std::optional<std::uint64_t>(7));
  REQUIRE(r->schema);
  CHECK(r->schema->fields.size() == 3);
}

// Seeded random datasets built from the pieces above (known and unknown
// keys, every JSON type, escapes, whitespace, numbers, nesting), some then
// cut or changed a byte: both paths must agree on every one, and both must
// have been taken often enough for the comparison to mean something.
TEST_CASE("dataset fast path: seeded random datasets agree with the DOM parser",
          "[wire][dataset][fast_path][property]") {
  std::mt19937_64 rng(20261206);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto chance = [&](unsigned percent) { return pick(100) < percent; };
  static const char* const kScalars[] = {
      "0", "7", "18446744073709551615", "18446744073709551616", "-1", "-0", "1.5", "2.0", "1e3", "2147483648",
      "-2147483648", "-2147483649", "null", "true", "false", R"("")", R"("plain")", R"("caf\u00e9")", R"("a\"b")",
      "\"\xC3\xA9\"", "\"\xFF\"", R"("x\/y")", "[]", "{}", R"([1,[2,{"k":null}]])", R"({"type":"t"})"};
  static const char* const kRootKeys[] = {"name", "created_at", "created_by", "total_datapoint_count",
                                          "schema_version", "status", "filename", "links", "id", "schema",
                                          "imports"};
  static const char* const kSchemaKeys[] = {"strict", "fields", "version", "strict"};
  static const char* const kFieldKeys[] = {"label", "hint", "type"};
  static const char* const kItemKeys[] = {"import_id", "status", "accepted_count", "rejected_count",
                                          "duplicate_count", "updated_at", "import_id"};
  static const std::string kDamage("{}[],:\"\\-0e \x01\x80\0", 15);  // NUL included
  auto ws = [&] { return chance(10) ? std::string(" \n\t\r").substr(pick(4), 1 + pick(2)) : std::string(); };
  auto scalar = [&] { return std::string(kScalars[pick(std::size(kScalars))]); };
  auto is_count = [](const std::string& key) { return key.find("count") != std::string::npos; };
  auto plain_text = [&] {
    std::string text(1 + pick(12), static_cast<char>('a' + pick(26)));
    if (chance(30)) text[pick(text.size())] = ' ';
    return "\"" + text + "\"";
  };
  // Members of one object: in a plain object each of keys[0..n_keys-2]
  // at most once, with a value of its type; otherwise any of keys[], any
  // value (the last key repeats one written before: a duplicate).
  auto members = [&](const char* const* keys, std::size_t n_keys, bool plain, auto&& plain_value) {
    std::string out;
    const std::size_t first = pick(n_keys);
    for (std::size_t m = plain ? pick(n_keys) : pick(n_keys + 1); m > 0; --m) {
      const std::string key = plain ? keys[(first + m) % (n_keys - 1)] : keys[pick(n_keys)];
      if (!out.empty()) out += "," + ws();
      out += "\"" + key + "\":" + ws() + (plain ? plain_value(key) : scalar()) + ws();
    }
    return out;
  };
  auto field_value = [&](const std::string& key) { return key == "hint" ? std::string("[1,{}]") : plain_text(); };
  auto item_value = [&](const std::string& key) {
    return is_count(key) ? std::to_string(rng() % 100000) : plain_text();
  };
  auto schema_value = [&](bool plain) {
    std::string fields = "{";
    for (std::size_t f = pick(4); f > 0; --f) {
      fields += "\"f" + std::to_string(pick(3)) + "\":" + ws() + "{\"type\":\"text\"";
      const std::string more = members(kFieldKeys, std::size(kFieldKeys), plain, field_value);  // not type, if plain
      fields += (more.empty() ? "" : "," + more) + "}";
      if (f > 1) fields += ",";
    }
    fields += "}";
    if (plain) return "{" + ws() + "\"strict\":" + (chance(50) ? "true" : "null") + ",\"fields\":" + fields + "}";
    std::string out = "{" + members(kSchemaKeys, std::size(kSchemaKeys), false, field_value);
    return out + (out.size() > 1 ? "," : "") + "\"fields\":" + (chance(80) ? fields : scalar()) + "}";
  };
  auto imports_value = [&](bool plain) {
    std::string out = "[";
    for (std::size_t i = pick(5); i > 0; --i) {
      if (!plain && chance(10)) out += scalar();
      else {
        const std::string more = members(kItemKeys + 2, std::size(kItemKeys) - 2, plain, item_value);
        out += "{\"import_id\":\"imp-" + std::to_string(i) + "\",\"status\":\"complete\"" +
               (more.empty() ? "" : "," + more) + "}";
      }
      if (i > 1) out += "," + ws();
    }
    return out + "]";
  };
  auto root_value = [&](const std::string& key, bool plain) {
    if (key == "schema") return plain || chance(70) ? schema_value(plain) : scalar();
    if (key == "imports") return plain || chance(70) ? imports_value(plain) : scalar();
    if (!plain) return scalar();
    if (is_count(key)) return std::to_string(rng());
    if (key == "schema_version") return std::string(chance(50) ? "4" : "3");
    if (key == "links") return std::string(R"({"self":"x","n":[1,-2,null]})");
    return plain_text();
  };

  int fast = 0, dom = 0;
  constexpr int kAnswers = 3000;
  for (int n = 0; n < kAnswers; ++n) {
    const bool plain = chance(50);
    std::string body = "{" + ws() + R"("id":"ds-)" + std::to_string(n) + "\"";
    const std::size_t first = pick(std::size(kRootKeys));
    for (std::size_t k = pick(6); k > 0; --k) {
      // A plain answer has each known key once (the id is already there).
      const std::string key =
          plain ? kRootKeys[(first + k) % (std::size(kRootKeys) - 3)] : kRootKeys[pick(std::size(kRootKeys))];
      body += "," + ws() + "\"" + key + "\":" + ws() + root_value(key, plain);
    }
    if (plain || chance(50)) body += R"(,"schema":)" + schema_value(plain);
    if (plain || chance(50)) body += R"(,"imports":)" + imports_value(plain);
    body += ws() + "}";
    if (!plain && chance(30)) {  // damage it
      const std::size_t at = pick(body.size());
      switch (pick(3)) {
        case 0: body.resize(at); break;
        case 1: body.insert(at, 1, kDamage[pick(kDamage.size())]); break;
        default: body.erase(at, 1); break;
      }
    }
    ParseLimits limits;
    if (chance(30)) limits.max_dataset_imports_kept = pick(3);
    CAPTURE(n, limits.max_dataset_imports_kept);
    (check_against_dom(body, limits) == Path::fast ? fast : dom) += 1;
  }
  CAPTURE(fast, dom);
  CHECK(fast > kAnswers / 4);
  CHECK(dom > kAnswers / 4);
}

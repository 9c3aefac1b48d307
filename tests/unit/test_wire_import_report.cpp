// Step 3's answer (docs/service.md): statuses, counts, record errors under their
// several UNCONFIRMED spellings, and every malformed class with its path.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/wire/import_report.hpp>

using namespace upstate;

namespace {

struct Malformed {
  const char* what;
  std::string body;
  std::string path;
  std::string message;
};

// A valid report with `extra` members appended, so each row below differs
// from a good answer by exactly one field.
std::string report_with(const std::string& extra) {
  return R"({"import_id":"imp-1","status":"partial")" + (extra.empty() ? "" : "," + extra) + "}";
}

}  // namespace

TEST_CASE("import report: a partial report parses field by field", "[wire][import_report]") {
  auto r = parse_import_report(R"({
    "dataset_id": "ds-1", "import_id": "imp-1", "type": "file_upload", "status": "partial",
    "created_at": "2026-11-28T12:00:00Z", "updated_at": "2026-11-28T12:01:00Z",
    "accepted_count": 98, "rejected_count": 2, "duplicate_count": 0, "reason": "2 records rejected",
    "errors": [
      {"record_index": 4, "field": "prompt", "reason": "missing value"},
      {"record_index": 17, "field": "", "reason": "invalid JSON", "extra": [1, 2.5, null, true]}
    ]})");
  REQUIRE(r.ok());
  CHECK(r->import_id == "imp-1");
  CHECK(r->dataset_id == "ds-1");
  CHECK(r->type == "file_upload");
  CHECK(r->status == ImportStatus::partial);
  CHECK(r->created_at == "2026-11-28T12:00:00Z");
  CHECK(r->updated_at == "2026-11-28T12:01:00Z");
  CHECK(r->accepted_count == std::optional<std::uint64_t>(98));
  CHECK(r->rejected_count == std::optional<std::uint64_t>(2));
  CHECK(r->duplicate_count == std::optional<std::uint64_t>(0));
  CHECK(r->reason == std::optional<std::string>("2 records rejected"));
  CHECK(r->errors_dropped == 0);
  REQUIRE(r->errors.size() == 2);
  CHECK(r->errors[0].record_index == std::optional<std::uint64_t>(4));
  CHECK(r->errors[0].field == "prompt");
  CHECK(r->errors[0].reason == "missing value");
  CHECK(r->errors[0].raw == R"({"record_index":4,"field":"prompt","reason":"missing value"})");
  CHECK(r->errors[1].record_index == std::optional<std::uint64_t>(17));
  CHECK(r->errors[1].field == "");
  CHECK(r->errors[1].raw ==
        R"({"record_index":17,"field":"","reason":"invalid JSON","extra":[1,2.5,null,true]})");
}

TEST_CASE("import report: every documented status maps to its enum", "[wire][import_report]") {
  ImportStatus status = GENERATE(from_range(std::begin(kAllImportStatuses), std::end(kAllImportStatuses)));
  auto r = parse_import_report(R"({"import_id":"i","status":")" + std::string(to_string(status)) + "\"}");
  REQUIRE(r.ok());
  CHECK(r->status == status);
}

TEST_CASE("import report: unknown status is its own error code", "[wire][import_report][malformed]") {
  SECTION("an unknown word") {
    auto r = parse_import_report(R"({"import_id":"i","status":"done"})");
    REQUIRE_FALSE(r.ok());
    CHECK(to_string(r.error().code) == "unknown_status");
    CHECK(r.error().path == "$.status");
    CHECK(r.error().message == R"(unknown import status "done")");
  }
  SECTION("spelling is exact: upper case and V3 spellings are unknown") {
    auto text = GENERATE(as<std::string>{}, "COMPLETE", "Complete", "READY", " complete", "");
    auto r = parse_import_report(R"({"import_id":"i","status":")" + text + "\"}");
    REQUIRE_FALSE(r.ok());
    CHECK(to_string(r.error().code) == "unknown_status");
    CHECK(r.error().path == "$.status");
  }
  SECTION("the quoted text is cut to 64 bytes and control characters are escaped") {
    auto r = parse_import_report(R"({"import_id":"i","status":"a\nb\"c)" + std::string(100, 'x') + "\"}");
    REQUIRE_FALSE(r.ok());
    CHECK(to_string(r.error().code) == "unknown_status");
    CHECK(r.error().message == "unknown import status \"a\\x0ab\\\"c" + std::string(59, 'x') + "...\"");
  }
}

TEST_CASE("import report: record errors under their alternative spellings", "[wire][import_report]") {
  struct Row {
    const char* item;
    std::optional<std::uint64_t> index;
    const char* field;
    const char* reason;
  };
  auto row = GENERATE(values<Row>({
      {R"({"record_index":1,"field":"f","reason":"r"})", 1, "f", "r"},
      {R"({"row":2,"message":"m"})", 2, "", "m"},
      {R"({"line":3,"detail":"d"})", 3, "", "d"},
      {R"({"index":4})", 4, "", ""},
      {R"({"record_index":5,"row":6,"line":7,"index":8})", 5, "", ""},  // first spelling wins
      {R"({"record_index":null,"row":6})", 6, "", ""},                    // null is absent
      {R"({"reason":"r","message":"m","detail":"d"})", std::nullopt, "", "r"},
      {R"({"reason":null,"message":"m"})", std::nullopt, "", "m"},
      {R"({"field":null})", std::nullopt, "", ""},
      {R"({})", std::nullopt, "", ""},
      {R"({"record_index":0})", 0, "", ""},
      {R"({"record_index":18446744073709551615})", UINT64_MAX, "", ""},
  }));
  CAPTURE(row.item);
  auto r = parse_import_report(report_with(std::string(R"("errors":[)") + row.item + "]"));
  REQUIRE(r.ok());
  REQUIRE(r->errors.size() == 1);
  CHECK(r->errors[0].record_index == row.index);
  CHECK(r->errors[0].field == row.field);
  CHECK(r->errors[0].reason == row.reason);
  CHECK(r->errors[0].raw == row.item);
}

TEST_CASE("import report: null is absent, absence is allowed", "[wire][import_report]") {
  SECTION("all optional fields null") {
    auto r = parse_import_report(report_with(
        R"("dataset_id":null,"type":null,"created_at":null,"updated_at":null,"accepted_count":null,)"
        R"("rejected_count":null,"duplicate_count":null,"errors":null,"reason":null)"));
    REQUIRE(r.ok());
    CHECK(r->dataset_id == "");
    CHECK(r->type == "");
    CHECK(r->created_at == "");
    CHECK_FALSE(r->accepted_count);
    CHECK_FALSE(r->rejected_count);
    CHECK_FALSE(r->duplicate_count);
    CHECK(r->errors.empty());
    CHECK_FALSE(r->reason);
  }
  SECTION("only the required fields") {
    auto r = parse_import_report(R"({"import_id":"i","status":"queued"})");
    REQUIRE(r.ok());
    CHECK(r->import_id == "i");
    CHECK(r->status == ImportStatus::queued);
    CHECK_FALSE(r->accepted_count);
    CHECK(r->errors.empty());
  }
  SECTION("an empty errors array") {
    auto r = parse_import_report(report_with(R"("errors":[])"));
    REQUIRE(r.ok());
    CHECK(r->errors.empty());
    CHECK(r->errors_dropped == 0);
  }
  SECTION("-0 is the integer zero") {
    auto r = parse_import_report(report_with(R"("accepted_count":-0)"));
    REQUIRE(r.ok());
    CHECK(r->accepted_count == std::optional<std::uint64_t>(0));
  }
}

TEST_CASE("import report: each malformed class names its path", "[wire][import_report][malformed]") {
  auto c = GENERATE(values<Malformed>({
      {"not JSON", "Service Unavailable", "$", "not JSON: Invalid value. at offset 0"},
      {"not an object", R"(["imp-1"])", "$", "expected object, got array"},
      {"trailing garbage", report_with("") + "]", "$",
       "not JSON: The document root must not be followed by other values. at offset 40"},
      {"missing import_id", R"({"status":"complete"})", "$.import_id", "missing required field"},
      {"missing status", R"({"import_id":"i"})", "$.status", "missing required field"},
      {"status null", R"({"import_id":"i","status":null})", "$.status", "expected string, got null"},
      {"status wrong type", R"({"import_id":"i","status":3})", "$.status", "expected string, got number"},
      {"import_id wrong type", R"({"import_id":1,"status":"complete"})", "$.import_id",
       "expected string, got number"},
      {"dataset_id wrong type", report_with(R"("dataset_id":{})"), "$.dataset_id", "expected string, got object"},
      {"type wrong type", report_with(R"("type":false)"), "$.type", "expected string, got boolean"},
      {"updated_at wrong type", report_with(R"("updated_at":0)"), "$.updated_at", "expected string, got number"},
      {"reason wrong type", report_with(R"("reason":["x"])"), "$.reason", "expected string, got array"},
      {"negative count", report_with(R"("accepted_count":-1)"), "$.accepted_count",
       "expected non-negative integer, got negative number"},
      {"negative fractional count", report_with(R"("rejected_count":-0.5)"), "$.rejected_count",
       "expected non-negative integer, got negative number"},
      {"non-integer count", report_with(R"("accepted_count":3.5)"), "$.accepted_count",
       "expected non-negative integer, got fractional number"},
      {"integer written as decimal", report_with(R"("duplicate_count":3.0)"), "$.duplicate_count",
       "expected non-negative integer, got decimal-form or out-of-range number"},
      {"integer written with exponent", report_with(R"("accepted_count":1e3)"), "$.accepted_count",
       "expected non-negative integer, got decimal-form or out-of-range number"},
      {"count beyond uint64", report_with(R"("accepted_count":18446744073709551616)"), "$.accepted_count",
       "expected non-negative integer, got decimal-form or out-of-range number"},
      {"count as string", report_with(R"("accepted_count":"3")"), "$.accepted_count",
       "expected non-negative integer, got string"},
      {"count as boolean", report_with(R"("rejected_count":true)"), "$.rejected_count",
       "expected non-negative integer, got boolean"},
      {"errors not an array: object", report_with(R"("errors":{"0":{}})"), "$.errors", "expected array, got object"},
      {"errors not an array: string", report_with(R"("errors":"2 rejected")"), "$.errors",
       "expected array, got string"},
      {"errors item not an object", report_with(R"("errors":[{},"bad row"])"), "$.errors[1]",
       "expected object, got string"},
      {"negative record_index", report_with(R"("errors":[{},{},{},{"record_index":-1}])"),
       "$.errors[3].record_index", "expected non-negative integer, got negative number"},
      {"fractional row", report_with(R"("errors":[{"row":1.5}])"), "$.errors[0].row",
       "expected non-negative integer, got fractional number"},
      {"record_index as string", report_with(R"("errors":[{"record_index":"4"}])"), "$.errors[0].record_index",
       "expected non-negative integer, got string"},
      {"first present spelling must be valid", report_with(R"("errors":[{"record_index":"4","row":4}])"),
       "$.errors[0].record_index", "expected non-negative integer, got string"},
      {"field wrong type", report_with(R"("errors":[{"field":3}])"), "$.errors[0].field",
       "expected string, got number"},
      {"reason wrong type", report_with(R"("errors":[{"reason":{}}])"), "$.errors[0].reason",
       "expected string, got object"},
      {"message wrong type when reason absent", report_with(R"("errors":[{"message":[]}])"),
       "$.errors[0].message", "expected string, got array"},
  }));
  CAPTURE(c.what);
  auto r = parse_import_report(c.body);
  REQUIRE_FALSE(r.ok());
  CHECK(to_string(r.error().code) == "malformed_answer");
  CHECK(r.error().path == c.path);
  CHECK(r.error().message == c.message);
}

TEST_CASE("import report: caps on what a report may cost", "[wire][import_report][limits]") {
  SECTION("body over the cap") {
    ParseLimits limits;
    limits.max_body_bytes = 10;
    auto r = parse_import_report(report_with(""), limits);
    REQUIRE_FALSE(r.ok());
    CHECK(to_string(r.error().code) == "malformed_answer");
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "answer of 40 bytes exceeds the 10-byte cap");
  }
  SECTION("a 100 MB reason is refused by the default cap") {
    auto r = parse_import_report(report_with(R"("reason":")" + std::string(100u << 20, 'r') + "\""));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "answer of 104857652 bytes exceeds the 16777216-byte cap");
  }
  SECTION("items past max_record_errors are counted, not stored") {
    ParseLimits limits;
    limits.max_record_errors = 2;
    auto r = parse_import_report(
        report_with(R"("errors":[{"row":0},{"row":1},{"row":2},{"row":3},{"row":4}])"), limits);
    REQUIRE(r.ok());
    REQUIRE(r->errors.size() == 2);
    CHECK(r->errors[0].record_index == std::optional<std::uint64_t>(0));
    CHECK(r->errors[1].record_index == std::optional<std::uint64_t>(1));
    CHECK(r->errors_dropped == 3);
  }
  SECTION("items past max_record_errors are still validated") {
    ParseLimits limits;
    limits.max_record_errors = 1;
    auto r = parse_import_report(report_with(R"("errors":[{"row":0},{"row":-1}])"), limits);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$.errors[1].row");
  }
  SECTION("max_record_errors = 0 stores nothing") {
    ParseLimits limits;
    limits.max_record_errors = 0;
    auto r = parse_import_report(report_with(R"("errors":[{},{}])"), limits);
    REQUIRE(r.ok());
    CHECK(r->errors.empty());
    CHECK(r->errors_dropped == 2);
  }
  SECTION("raw is cut at max_raw_item_bytes") {
    ParseLimits limits;
    limits.max_raw_item_bytes = 12;
    auto r = parse_import_report(report_with(R"("errors":[{"reason":"a long reason"}])"), limits);
    REQUIRE(r.ok());
    CHECK(r->errors[0].reason == "a long reason");
    CHECK(r->errors[0].raw == R"({"reason":"a)");
  }
  SECTION("raw never splits a UTF-8 character") {
    ParseLimits limits;
    limits.max_raw_item_bytes = 9;  // {"r":"\xC3 would be 9 bytes
    auto r = parse_import_report(report_with("\"errors\":[{\"r\":\"\xC3\xA9\xC3\xA9\"}]"), limits);
    REQUIRE(r.ok());
    CHECK(r->errors[0].raw == "{\"r\":\"\xC3\xA9");
  }
  SECTION("raw of a huge string costs only the cap") {
    ParseLimits limits;
    limits.max_raw_item_bytes = 16;
    auto r = parse_import_report(report_with(R"("errors":[{"reason":")" + std::string(1u << 20, 'z') + "\"}]"),
                                 limits);
    REQUIRE(r.ok());
    CHECK(r->errors[0].reason.size() == (1u << 20));
    CHECK(r->errors[0].raw == R"({"reason":"zzzzz)");
  }
  SECTION("raw of an item nested 100000 deep is cut, without recursion") {
    constexpr std::size_t kDepth = 100000;
    auto r = parse_import_report(report_with(R"("errors":[{"row":1,"context":)" + std::string(kDepth, '[') +
                                             std::string(kDepth, ']') + "}]"));
    REQUIRE(r.ok());
    REQUIRE(r->errors.size() == 1);
    CHECK(r->errors[0].record_index == std::optional<std::uint64_t>(1));
    CHECK(r->errors[0].raw == R"({"row":1,"context":)" + std::string(4096 - 19, '['));
  }
  SECTION("deep nesting anywhere else is ignored or refused, never a crash") {
    auto r = parse_import_report(report_with(R"("x":)" + std::string(100000, '[')));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$");
  }
}

TEST_CASE("import report: server-side progress, read leniently", "[wire][import_report][progress]") {
  SECTION("every field") {
    auto r = parse_import_report(report_with(
        R"("filename":"reviews.jsonl","processing_started_at":"2026-11-28T12:00:01Z","processed_offset":4096,)"
        R"("written_count":40,"duplicate_seen_count":2,"rejected_seen_count":1)"));
    REQUIRE(r.ok());
    CHECK(r->filename == "reviews.jsonl");
    CHECK(r->processing_started_at == "2026-11-28T12:00:01Z");
    CHECK(r->processed_offset == std::optional<std::uint64_t>(4096));
    CHECK(r->written_count == std::optional<std::uint64_t>(40));
    CHECK(r->duplicate_seen_count == std::optional<std::uint64_t>(2));
    CHECK(r->rejected_seen_count == std::optional<std::uint64_t>(1));
  }
  SECTION("absent") {
    auto r = parse_import_report(report_with(""));
    REQUIRE(r.ok());
    CHECK(r->filename.empty());
    CHECK_FALSE(r->processed_offset);
    CHECK_FALSE(r->written_count);
  }
  SECTION("another type is ignored, not a malformed answer: the fields only inform") {
    auto r = parse_import_report(
        report_with(R"("filename":7,"processed_offset":"4096","written_count":-1,"rejected_seen_count":1.5)"));
    REQUIRE(r.ok());
    CHECK(r->filename.empty());
    CHECK_FALSE(r->processed_offset);
    CHECK_FALSE(r->written_count);
    CHECK_FALSE(r->rejected_seen_count);
  }
}

TEST_CASE("import report: new records are accepted minus duplicates", "[wire][import_report][duplicates]") {
  ImportReport r;
  CHECK_FALSE(r.new_count());
  r.accepted_count = 16;
  CHECK(r.new_count() == std::optional<std::uint64_t>(16));
  r.duplicate_count = 4;
  CHECK(r.new_count() == std::optional<std::uint64_t>(12));
  r.duplicate_count = 16;
  CHECK(r.new_count() == std::optional<std::uint64_t>(0));
  r.duplicate_count = 99;  // more duplicates than accepted: no negative count
  CHECK(r.new_count() == std::optional<std::uint64_t>(0));
}

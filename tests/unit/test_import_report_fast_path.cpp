// parse_import_report's fast path (wire/import_report_sax.hpp) against the
// DOM parser it stands in for: on every body, the same report field by field
// (raw byte for byte) or the same Error; and the fast path really taken for
// the plain answers it exists for.
#include <catch2/catch.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <upstate/wire/import_report.hpp>

using namespace upstate;

namespace {

// Field by field, so a difference names the field.
void check_same_report(const ImportReport& got, const ImportReport& want) {
  CHECK(got.import_id == want.import_id);
  CHECK(got.dataset_id == want.dataset_id);
  CHECK(got.type == want.type);
  CHECK(got.status == want.status);
  CHECK(got.created_at == want.created_at);
  CHECK(got.updated_at == want.updated_at);
  CHECK(got.accepted_count == want.accepted_count);
  CHECK(got.rejected_count == want.rejected_count);
  CHECK(got.duplicate_count == want.duplicate_count);
  CHECK(got.filename == want.filename);
  CHECK(got.processing_started_at == want.processing_started_at);
  CHECK(got.processed_offset == want.processed_offset);
  CHECK(got.written_count == want.written_count);
  CHECK(got.duplicate_seen_count == want.duplicate_seen_count);
  CHECK(got.rejected_seen_count == want.rejected_seen_count);
  CHECK(got.reason == want.reason);
  CHECK(got.errors_dropped == want.errors_dropped);
  REQUIRE(got.errors.size() == want.errors.size());
  for (std::size_t i = 0; i < want.errors.size(); ++i) {
    CAPTURE(i);
    CHECK(got.errors[i].record_index == want.errors[i].record_index);
    CHECK(got.errors[i].field == want.errors[i].field);
    CHECK(got.errors[i].reason == want.errors[i].reason);
    CHECK(got.errors[i].raw == want.errors[i].raw);
  }
}

void check_same_error(const Error& got, const Error& want) {
  CHECK(got.code == want.code);
  CHECK(got.path == want.path);
  CHECK(got.message == want.message);
  CHECK(got.http_status == want.http_status);
  CHECK(got.server_code == want.server_code);
}

void check_same(const Result<ImportReport>& got, const Result<ImportReport>& want) {
  REQUIRE(got.ok() == want.ok());
  if (want.ok()) check_same_report(got.value(), want.value());
  else check_same_error(got.error(), want.error());
}

enum class Path { fast, dom };

// parse_import_report and the fast path alone against the DOM parser;
// returns which path parse_import_report took.
Path check_against_dom(const std::string& body, const ParseLimits& limits = {}) {
  const std::string shown = body.size() < 400 ? body : body.substr(0, 400) + "...";
  CAPTURE(shown);
  const Result<ImportReport> dom = detail::parse_import_report_dom(body, limits);
  check_same(parse_import_report(body, limits), dom);
  const std::optional<ImportReport> fast = detail::try_parse_import_report_fast(body, limits);
  if (!fast) return Path::dom;
  REQUIRE(dom.ok());  // the fast path never claims a body the DOM parser refuses
  check_same_report(*fast, dom.value());
  return Path::fast;
}

std::string report_with(const std::string& extra) {
  return R"({"import_id":"imp-1","status":"partial")" + (extra.empty() ? "" : "," + extra) + "}";
}

std::string errors_with(const std::string& items) { return report_with(R"("errors":[)" + items + "]"); }

struct Row {
  const char* what;
  std::string body;
  Path expected;
};

// Bodies the fast path reads itself, and bodies it must hand to the DOM
// parser; either way the outcome must be the DOM parser's.
std::vector<Row> corpus() {
  return {
      // ---- read by the fast path ----
      {"the docs/service.md example, compact",
       R"({"dataset_id":"ds-1","import_id":"imp-1","type":"file_upload","status":"partial",)"
       R"("created_at":"2026-11-28T12:00:00Z","updated_at":"2026-11-28T12:01:00Z","accepted_count":98,)"
       R"("rejected_count":2,"duplicate_count":0,"reason":"2 records rejected","errors":[)"
       R"({"record_index":4,"field":"prompt","reason":"missing value"},)"
       R"({"record_index":17,"field":"","reason":"invalid JSON","extra":[1,-2,null,true,false,{"a":[]}]}]})",
       Path::fast},
      {"pretty-printed: items re-written without their whitespace",
       "{\n  \"import_id\": \"imp-1\",\n  \"status\": \"partial\",\n  \"errors\": [\n    { \"row\" : 3 ,\t\"message\": "
       "\"m\", \"x\": [ 1 , { } ] }\r\n  ]\n}\n",
       Path::fast},
      {"spaces inside strings survive the whitespace dropped around them",
       errors_with(R"({ "reason" : "two  spaces" , "field":" x ", "k y" : [ " " , "a b" ] })"), Path::fast},
      {"only the required fields", R"({"import_id":"i","status":"queued"})", Path::fast},
      {"every status", R"({"status":"pending_schema","import_id":"i"})", Path::fast},
      {"every optional field null",
       report_with(R"("dataset_id":null,"type":null,"created_at":null,"updated_at":null,"accepted_count":null,)"
                   R"("rejected_count":null,"duplicate_count":null,"errors":null,"reason":null)"),
       Path::fast},
      {"empty errors", errors_with(""), Path::fast},
      {"empty item", errors_with("{}"), Path::fast},
      {"alternative spellings", errors_with(R"({"row":2,"message":"m"},{"line":3,"detail":"d"},{"index":4})"),
       Path::fast},
      {"the first present spelling wins",
       errors_with(R"({"index":8,"line":7,"row":6,"record_index":5,"detail":"d","message":"m","reason":"r"})"),
       Path::fast},
      {"null spellings are absent",
       errors_with(R"({"record_index":null,"row":6,"reason":null,"message":"m","field":null})"), Path::fast},
      {"counts at the edges",
       report_with(R"("accepted_count":0,"rejected_count":18446744073709551615,"duplicate_count":4294967296)"),
       Path::fast},
      {"record_index at the edges", errors_with(R"({"record_index":0},{"record_index":18446744073709551615})"),
       Path::fast},
      {"negative and huge integers in an item's other members",
       errors_with(R"({"a":-1,"b":-9223372036854775808,"c":18446744073709551615,"d":-2147483649})"),
       Path::fast},
      {"unknown members of any shape are skipped",
       report_with(R"("links":{"self":"x","n":[1,2,{"deep":[[[]]]}]},"flag":true,"score":-3,"note":null)"),
       Path::fast},
      {"non-ASCII UTF-8 as it is",
       errors_with("{\"reason\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\",\"field\":\"\xE6\x97\xA5\"}"), Path::fast},
      {"invalid UTF-8 passes through as bytes", errors_with("{\"reason\":\"\xFF\xFE\x80\",\"f\":\"\xC3\"}"),
       Path::fast},
      {"DEL and other bytes at or above 0x20 are plain", errors_with("{\"reason\":\"a\x7F b/c\"}"), Path::fast},
      {"keys the report does not read may repeat", errors_with(R"({"x":1,"x":2,"row":1})"), Path::fast},
      {"nesting inside an item up to the depth the fast path takes",
       errors_with(R"({"row":1,"context":)" + std::string(60, '[') + std::string(60, ']') + "}"), Path::fast},
      {"trailing whitespace", report_with("") + " \n\t\r", Path::fast},
      {"server-side progress",
       report_with(R"("filename":"a.jsonl","processing_started_at":"2026-11-28T12:00:01Z","processed_offset":4096,)"
                   R"("written_count":40,"duplicate_seen_count":2,"rejected_seen_count":1)"),
       Path::fast},
      {"server-side progress null", report_with(R"("filename":null,"processed_offset":null,"written_count":null)"),
       Path::fast},

      // ---- handed to the DOM parser ----
      {"an escape in a string", errors_with(R"({"reason":"say \"hi\""})"), Path::dom},
      {"a unicode escape", errors_with(R"({"reason":"caf\u00e9 \ud83d\ude00"})"), Path::dom},
      {"an escaped slash", report_with(R"("reason":"a\/b")"), Path::dom},
      {"an escape in a key", report_with(R"("dataset\u005fid":"d")"), Path::dom},
      {"a fraction in an item", errors_with(R"({"row":1,"score":2.50})"), Path::dom},
      {"an exponent in an item", errors_with(R"({"row":1,"score":1E3})"), Path::dom},
      {"-0 in an item", errors_with(R"({"row":1,"x":-0})"), Path::dom},
      {"-0 as a count", report_with(R"("accepted_count":-0)"), Path::dom},
      {"an integer past 64 bits in an item", errors_with(R"({"x":18446744073709551616})"), Path::dom},
      {"below -2^63 in an item", errors_with(R"({"x":-9223372036854775809})"), Path::dom},
      {"a byte order mark", "\xEF\xBB\xBF" + report_with(""), Path::dom},
      {"deep nesting inside an item",
       errors_with(R"({"row":1,"context":)" + std::string(100000, '[') + std::string(100000, ']') + "}"), Path::dom},
      {"deep nesting elsewhere, unclosed", report_with(R"("x":)" + std::string(100000, '[')), Path::dom},
      {"a duplicate root field", R"({"import_id":"a","import_id":"b","status":"queued"})", Path::dom},
      {"a duplicate status, the first unknown", R"({"import_id":"a","status":"done","status":"queued"})", Path::dom},
      {"a duplicate item spelling", errors_with(R"({"row":null,"row":5})"), Path::dom},
      {"a wrong type where a preferred spelling wins", errors_with(R"({"record_index":1,"row":"x"})"), Path::dom},
      {"a negative count", report_with(R"("accepted_count":-1)"), Path::dom},
      {"a fractional count", report_with(R"("rejected_count":3.5)"), Path::dom},
      {"a decimal-form count", report_with(R"("duplicate_count":3.0)"), Path::dom},
      {"a count past uint64", report_with(R"("accepted_count":18446744073709551616)"), Path::dom},
      {"a count as a string", report_with(R"("accepted_count":"3")"), Path::dom},
      {"a count as a boolean", report_with(R"("rejected_count":true)"), Path::dom},
      {"a progress count of another type: ignored", report_with(R"("processed_offset":"4096","written_count":-1)"),
       Path::dom},
      {"a progress string of another type: ignored", report_with(R"("filename":7,"processing_started_at":{})"),
       Path::dom},
      {"a duplicate progress field", report_with(R"("written_count":1,"written_count":2)"), Path::dom},
      {"errors as an object", report_with(R"("errors":{"0":{}})"), Path::dom},
      {"an item not an object", errors_with(R"({},"bad row")"), Path::dom},
      {"an item as an array", errors_with(R"([])"), Path::dom},
      {"a negative record_index", errors_with(R"({},{"record_index":-1})"), Path::dom},
      {"a fractional row", errors_with(R"({"row":1.5})"), Path::dom},
      {"field as a number", errors_with(R"({"field":3})"), Path::dom},
      {"reason as an object", errors_with(R"({"reason":{}})"), Path::dom},
      {"message as an array", errors_with(R"({"message":[]})"), Path::dom},
      {"import_id null", R"({"import_id":null,"status":"queued"})", Path::dom},
      {"import_id missing", R"({"status":"queued"})", Path::dom},
      {"status missing", R"({"import_id":"i"})", Path::dom},
      {"status unknown", R"({"import_id":"i","status":"COMPLETE"})", Path::dom},
      {"status as a number", R"({"import_id":"i","status":3})", Path::dom},
      {"not JSON", "Service Unavailable", Path::dom},
      {"empty body", "", Path::dom},
      {"a root array", R"(["imp-1"])", Path::dom},
      {"trailing garbage", report_with("") + "]", Path::dom},
      {"a second root value", report_with("") + report_with(""), Path::dom},
      {"a trailing comma", R"({"import_id":"i","status":"queued",})", Path::dom},
      {"a trailing comma in an item", errors_with(R"({"row":1,})"), Path::dom},
      {"cut short", report_with(R"("errors":[{"row":1},{"ro)"), Path::dom},
      {"a leading zero", errors_with(R"({"x":01})"), Path::dom},
      {"a raw control character in a string", errors_with("{\"reason\":\"a\tb\"}"), Path::dom},
      {"a raw tab inside a string of a pretty-printed item", errors_with("{ \"reason\" : \"a\tb\" }"), Path::dom},
      {"a NUL byte after the root", report_with("") + std::string(1, '\0') + "junk", Path::dom},
      {"single quotes", R"({'import_id':'i','status':'queued'})", Path::dom},
      {"a comment", R"({"import_id":"i",/*c*/"status":"queued"})", Path::dom},
      {"NaN", errors_with(R"({"x":NaN})"), Path::dom},
      {"a bare word", errors_with(R"({"x":nul})"), Path::dom},
  };
}

// A partial answer like bench/micro/bench_import_status.cpp's.
std::string partial_answer(std::size_t items) {
  static const char* const kFields[] = {"response", "prompt", "rating", "category", ""};
  static const char* const kReasons[] = {"missing required field", "must be a non-empty string",
                                         "field not in schema", "expected a number between 1 and 5",
                                         "not a JSON object"};
  std::string body = R"({"dataset_id":"0192a3b5","import_id":"01935c2d","type":"file_upload","status":"partial",)"
                     R"("created_at":"2026-11-28T12:00:01Z","updated_at":"2026-11-28T12:03:17Z","accepted_count":)" +
                     std::to_string(items * 2) + R"(,"rejected_count":)" + std::to_string(items) + R"(,"errors":[)";
  for (std::size_t i = 0; i < items; ++i) {
    if (i) body += ',';
    body += R"({"record_index":)" + std::to_string(i * 3 + 1) + R"(,"field":")" + kFields[i % 5] +
            R"(","reason":")" + kReasons[(i / 5) % 5] + R"("})";
  }
  return body + "]}";
}

}  // namespace

TEST_CASE("import report fast path: every corpus answer comes out as the DOM parser's",
          "[wire][import_report][fast_path]") {
  for (const Row& row : corpus()) {
    CAPTURE(row.what);
    CHECK(check_against_dom(row.body) == row.expected);
  }
}

TEST_CASE("import report fast path: the same under every cap", "[wire][import_report][fast_path][limits]") {
  ParseLimits limits;
  limits.max_record_errors = GENERATE(as<std::size_t>{}, 0, 1, 2, 100000);
  limits.max_raw_item_bytes = GENERATE(as<std::size_t>{}, 0, 1, 7, 9, 12, 30, 4096);
  CAPTURE(limits.max_record_errors, limits.max_raw_item_bytes);
  SECTION("the corpus") {
    for (const Row& row : corpus()) {
      CAPTURE(row.what);
      CHECK(check_against_dom(row.body, limits) == row.expected);
    }
  }
  SECTION("raw cut inside a multi-byte character, compact and not") {
    const std::string item = "{\"r\":\"\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80\xC3\xA9\"}";
    CHECK(check_against_dom(errors_with(item + "," + item), limits) == Path::fast);
    CHECK(check_against_dom(errors_with("{ \"r\" : \"\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80\" , \"n\":[1, 2.5]}"),
                            limits) == Path::dom);  // 2.5: handed over
    CHECK(check_against_dom(errors_with("{ \"r\" : \"\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80\" , \"n\":[1, -2]}"),
                            limits) == Path::fast);  // whitespace: raw re-written
  }
  SECTION("a huge string in an item") {
    CHECK(check_against_dom(errors_with(R"({"reason":")" + std::string(1u << 16, 'z') + "\"}"), limits) ==
          Path::fast);
    CHECK(check_against_dom(errors_with(R"({ "reason":")" + std::string(1u << 16, 'z') + "\"}"), limits) ==
          Path::fast);
  }
}

TEST_CASE("import report fast path: the answer issue 6 measures is read by it", "[wire][import_report][fast_path]") {
  const std::string body = partial_answer(10000);
  REQUIRE(check_against_dom(body) == Path::fast);
  auto r = parse_import_report(body);
  REQUIRE(r.ok());
  CHECK(r->errors.size() == 10000);
  CHECK(r->errors[9999].raw == R"({"record_index":29998,"field":"","reason":"not a JSON object"})");
  SECTION("past max_record_errors the rest are counted") {
    ParseLimits limits;
    limits.max_record_errors = 100;
    REQUIRE(check_against_dom(body, limits) == Path::fast);
    CHECK(parse_import_report(body, limits)->errors_dropped == 9900);
  }
}

// Seeded random answers built from the pieces above (spellings, types,
// escapes, whitespace, numbers, nesting), then some cut or changed a byte:
// both paths must agree on every one, and both paths must have been taken
// often enough for the comparison to mean something.
TEST_CASE("import report fast path: seeded random answers agree with the DOM parser",
          "[wire][import_report][fast_path][property]") {
  std::mt19937_64 rng(20261128);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto chance = [&](unsigned percent) { return pick(100) < percent; };
  static const char* const kScalars[] = {
      "0", "7", "18446744073709551615", "18446744073709551616", "-1", "-0", "1.5", "2.0", "1e3", "-9223372036854775808",
      "null", "true", "false", R"("")", R"("plain")", R"("caf\u00e9")", R"("a\"b")", R"("a\nb")", "\"\xC3\xA9\"",
      "\"\xFF\"", R"("\ud83d\ude00")", R"("x\/y")", "[]", "{}", R"([1,[2,{"k":null}]])", R"({"a":{"b":[]}})"};
  static const char* const kItemKeys[] = {"record_index", "row", "line", "index", "field", "reason",
                                          "message",      "detail", "extra", "ctx", "reason"};
  static const char* const kRootKeys[] = {"dataset_id", "type", "created_at", "updated_at", "accepted_count",
                                          "rejected_count", "duplicate_count", "reason", "links", "import_id",
                                          "filename", "processed_offset", "written_count",
                                          "duplicate_seen_count"};
  static const std::string kDamage("{}[],:\"\\-0e \x01\x80\0", 15);  // NUL included
  static const char* const kStatuses[] = {"\"partial\"", "\"complete\"", "\"failed\"", "\"done\"", "null", "3"};
  auto ws = [&] { return chance(10) ? std::string(" \n\t\r").substr(pick(4), 1 + pick(2)) : std::string(); };
  auto scalar = [&] { return std::string(kScalars[pick(std::size(kScalars))]); };
  auto plain_value = [&](bool number) {
    if (number) return std::to_string(rng() % 1000000);
    std::string text(1 + pick(20), static_cast<char>('a' + pick(26)));
    if (chance(30)) text[pick(text.size())] = ' ';
    return "\"" + text + "\"";
  };

  int fast = 0, dom = 0;
  constexpr int kAnswers = 3000;
  for (int n = 0; n < kAnswers; ++n) {
    const bool plain = chance(50);  // mostly what a real service sends
    std::string body = "{" + ws() + R"("import_id":"imp-)" + std::to_string(n) + "\"," + ws() + "\"status\":" + ws() +
                       (plain ? "\"partial\"" : kStatuses[pick(std::size(kStatuses))]);
    for (std::size_t k = pick(4); k > 0; --k) {
      const char* key = kRootKeys[pick(std::size(kRootKeys))];
      const bool count = std::string(key).find("count") != std::string::npos;
      body += "," + ws() + "\"" + key + "\":" + ws() + (plain ? plain_value(count) : scalar());
    }
    body += ",\"errors\":" + ws() + "[";
    for (std::size_t i = pick(6); i > 0; --i) {
      body += "{";
      const std::size_t first_key = pick(8);  // a plain item has each key once
      for (std::size_t m = pick(5); m > 0; --m) {
        const std::size_t key = plain ? (first_key + m) % 8 : pick(std::size(kItemKeys));
        const bool index = key < 4;
        body += std::string("\"") + kItemKeys[key] + "\":" + ws() + (plain ? plain_value(index) : scalar()) + ws();
        if (m > 1) body += ",";
      }
      body += "}";
      if (i > 1) body += "," + ws();
    }
    body += "]" + ws() + "}";
    if (!plain && chance(30)) {  // damage it
      const std::size_t at = pick(body.size());
      switch (pick(3)) {
        case 0: body.resize(at); break;
        case 1: body.insert(at, 1, kDamage[pick(kDamage.size())]); break;
        default: body.erase(at, 1); break;
      }
    }
    ParseLimits limits;
    limits.max_record_errors = pick(4);
    limits.max_raw_item_bytes = chance(50) ? 4096 : pick(40);
    CAPTURE(n, limits.max_record_errors, limits.max_raw_item_bytes);
    (check_against_dom(body, limits) == Path::fast ? fast : dom) += 1;
  }
  CAPTURE(fast, dom);
  CHECK(fast > kAnswers / 4);
  CHECK(dom > kAnswers / 4);
}

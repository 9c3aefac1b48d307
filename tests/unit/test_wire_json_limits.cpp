// The JSON shape limits (issue 12 item 9): nesting depth and value count,
// checked in one pass before any parser builds a DOM, so a hostile answer
// within the body cap costs bounded memory. Strings are skipped exactly
// (escaped quotes included), so brackets and commas inside them never count.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/wire/dataset.hpp>
#include <upstate/wire/import_report.hpp>
#include <upstate/wire/upload_url.hpp>

using namespace upstate;

namespace {

std::string nested(std::size_t levels) {
  return "{\"upload_url\":\"https://s3.example/x\",\"import_id\":\"i\",\"extra\":" + std::string(levels, '[') +
         std::string(levels, ']') + "}";
}

std::string many_values(std::size_t n) {
  std::string s = "{\"id\":\"ds\",\"extra\":[";
  for (std::size_t i = 0; i < n; ++i) s += i ? ",0" : "0";
  return s + "]}";
}

}  // namespace

TEST_CASE("JSON shape limits: nesting deeper than max_json_depth is malformed before any parse") {
  ParseLimits limits;
  CHECK(parse_upload_url_answer(nested(limits.max_json_depth - 1), limits));  // the root object counts as one
  auto deep = parse_upload_url_answer(nested(limits.max_json_depth + 1), limits);
  REQUIRE_FALSE(deep);
  CHECK(deep.error().code == ErrorCode::malformed_answer);
  CHECK_THAT(deep.error().message, Catch::Contains("nested deeper than 64"));
  // A body of nothing but "[" (16 MiB of it cost ~445 MiB of RSS in a DOM).
  auto brackets = parse_dataset(std::string(1u << 20, '['), limits);
  REQUIRE_FALSE(brackets);
  CHECK_THAT(brackets.error().message, Catch::Contains("nested deeper"));
  // The import report's fast path and DOM path agree.
  auto report = parse_import_report("{\"import_id\":\"i\",\"status\":\"complete\",\"x\":" + std::string(100, '[') +
                                    std::string(100, ']') + "}");
  REQUIRE_FALSE(report);
  CHECK_THAT(report.error().message, Catch::Contains("nested deeper"));
}

TEST_CASE("JSON shape limits: more than max_json_values values is malformed before any parse") {
  ParseLimits limits;
  limits.max_json_values = 1000;
  CHECK(parse_dataset(many_values(990), limits));
  auto flat = parse_dataset(many_values(1001), limits);
  REQUIRE_FALSE(flat);
  CHECK(flat.error().code == ErrorCode::malformed_answer);
  CHECK_THAT(flat.error().message, Catch::Contains("more than 1000 values"));
  // The default takes a 10,000-error poll answer with room to spare.
  std::string errors;
  for (int i = 0; i < 10000; ++i)
    errors += (i ? "," : "") + std::string("{\"record_index\":") + std::to_string(i) +
              ",\"field\":\"prompt\",\"reason\":\"missing\"}";
  auto report = parse_import_report("{\"import_id\":\"i\",\"status\":\"partial\",\"accepted_count\":0,"
                                    "\"rejected_count\":10000,\"errors\":[" + errors + "]}");
  REQUIRE(report);
  CHECK(report.value().errors.size() == 10000u);
}

TEST_CASE("JSON shape limits: brackets and commas inside strings do not count, escaped quotes included") {
  ParseLimits limits;
  limits.max_json_values = 10;
  limits.max_json_depth = 4;
  const std::string noise = std::string(100, '[') + std::string(100, ',') + std::string(100, '{');
  CHECK(parse_dataset("{\"id\":\"ds\",\"name\":\"" + noise + "\"}", limits));
  CHECK(parse_dataset("{\"id\":\"ds\",\"name\":\"a\\\"" + noise + "\\\\\"}", limits));
  // After an escaped backslash the quote does end the string: what follows counts.
  auto past = parse_dataset("{\"id\":\"ds\\\\\",\"name\":[[[[[[1]]]]]]}", limits);
  REQUIRE_FALSE(past);
  CHECK_THAT(past.error().message, Catch::Contains("nested deeper than 4"));
}

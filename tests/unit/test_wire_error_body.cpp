// The API's error body (docs/service.md, "Errors"): documented status and error_code,
// and the best human text from the UNCONFIRMED places it may sit.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/wire/error_body.hpp>

using namespace upstate;

TEST_CASE("error body: the documented fields", "[wire][error_body]") {
  auto r = parse_error_body(
      R"({"error":{"status":404,"error_code":140100,"title":"Not found","detail":"No dataset"}})");
  REQUIRE(r.ok());
  CHECK(r->status == std::optional<int>(404));
  CHECK(r->error_code == std::optional<long long>(140100));
  CHECK(r->message == "Not found");
}

TEST_CASE("error body: where the human text is looked for, in order", "[wire][error_body]") {
  struct Row {
    const char* body;
    const char* message;
  };
  auto row = GENERATE(values<Row>({
      {R"({"error":{"title":"t","detail":"d","message":"m","description":"x"},"detail":"top"})", "t"},
      {R"({"error":{"detail":"d","message":"m","description":"x"},"detail":"top"})", "d"},
      {R"({"error":{"message":"m","description":"x"},"detail":"top"})", "m"},
      {R"({"error":{"description":"x"},"detail":"top"})", "x"},
      {R"({"error":{},"detail":"top","message":"top message"})", "top"},
      {R"({"error":{},"message":"top message"})", "top message"},
      {R"({"error":{"title":"","detail":"d"}})", "d"},        // empty text is skipped
      {R"({"error":{"title":42,"detail":["x"],"message":"m"}})", "m"},  // non-strings are skipped
      {R"({"error":{"status":400}})", ""},
      {R"({"error":{"title":null},"detail":null})", ""},
  }));
  CAPTURE(row.body);
  auto r = parse_error_body(row.body);
  REQUIRE(r.ok());
  CHECK(r->message == row.message);
}

TEST_CASE("error body: status and error_code", "[wire][error_body]") {
  SECTION("absent") {
    auto r = parse_error_body(R"({"error":{}})");
    REQUIRE(r.ok());
    CHECK_FALSE(r->status);
    CHECK_FALSE(r->error_code);
  }
  SECTION("a large or negative error_code fits long long") {
    auto r = parse_error_body(R"({"error":{"error_code":-9223372036854775808}})");
    REQUIRE(r.ok());
    CHECK(r->error_code == std::optional<long long>(INT64_MIN));
  }
  SECTION("not integers: ignored, so the message survives") {
    auto r = parse_error_body(R"({"error":{"status":"404","error_code":1.5,"title":"Not found"}})");
    REQUIRE(r.ok());
    CHECK_FALSE(r->status);
    CHECK_FALSE(r->error_code);
    CHECK(r->message == "Not found");
  }
  SECTION("out of range: ignored") {
    auto r = parse_error_body(R"({"error":{"status":4294967296,"error_code":18446744073709551615}})");
    REQUIRE(r.ok());
    CHECK_FALSE(r->status);
    CHECK_FALSE(r->error_code);
  }
}

TEST_CASE("error body: the message is cut to 512 bytes on a character boundary", "[wire][error_body]") {
  SECTION("ASCII") {
    auto r = parse_error_body(R"({"error":{"detail":")" + std::string(2000, 'd') + "\"}}");
    REQUIRE(r.ok());
    CHECK(r->message == std::string(512, 'd'));
  }
  SECTION("a two-byte character straddling byte 512 is left out whole") {
    std::string text = std::string(511, 'a') + "\xC3\xA9" + "tail";
    auto r = parse_error_body(R"({"error":{"detail":")" + text + "\"}}");
    REQUIRE(r.ok());
    CHECK(r->message == std::string(511, 'a'));
  }
}

TEST_CASE("error body: malformed classes", "[wire][error_body][malformed]") {
  struct Row {
    const char* what;
    std::string body;
    const char* path;
    const char* message;
  };
  auto row = GENERATE(values<Row>({
      {"not JSON (an HTML error page)", "<html>502</html>", "$", "not JSON: Invalid value. at offset 0"},
      {"trailing garbage", R"({"error":{}} trailing)", "$",
       "not JSON: The document root must not be followed by other values. at offset 13"},
      {"not an object", R"("error")", "$", "expected object, got string"},
      {"no error object (a DRF-style body)", R"({"detail":"Invalid token."})", "$.error", "missing required field"},
      {"error is a string", R"({"error":"Not found"})", "$.error", "expected object, got string"},
      {"error is null", R"({"error":null})", "$.error", "expected object, got null"},
  }));
  CAPTURE(row.what);
  auto r = parse_error_body(row.body);
  REQUIRE_FALSE(r.ok());
  CHECK(to_string(r.error().code) == "malformed_answer");
  CHECK(r.error().path == row.path);
  CHECK(r.error().message == row.message);
}

TEST_CASE("error body: caps and nesting", "[wire][error_body][limits]") {
  SECTION("a 100 MB detail is refused by the default cap") {
    auto r = parse_error_body(R"({"error":{"detail":")" + std::string(100u << 20, 'x') + "\"}}");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "answer of 104857623 bytes exceeds the 16777216-byte cap");
  }
  SECTION("deep nesting") {
    auto r = parse_error_body(std::string(100000, '{'));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "not JSON: Missing a name for object member. at offset 1");
  }
}

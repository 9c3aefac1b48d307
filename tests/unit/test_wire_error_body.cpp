// The API's error body (docs/service.md, "Errors"): documented status and error_code,
// and the best human text from the UNCONFIRMED places it may sit.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/wire/error_body.hpp>

using namespace upstate;

TEST_CASE("error body: the documented fields", "[wire][error_body]") {
  auto r = parse_error_body(
      R"({"error":{"status":400,"error_code":140400,"title":"Bad Request","detail":"Unsupported file type"}})");
  REQUIRE(r.ok());
  CHECK(r->status == std::optional<int>(400));
  CHECK(r->error_code == std::optional<long long>(140400));
  CHECK(r->title == "Bad Request");
  CHECK(r->detail == "Unsupported file type");
  // The explanation first; the generic title never alone.
  CHECK(r->summary() == "Unsupported file type (error_code 140400; Bad Request)");
}

TEST_CASE("error body: each shape and what summary() shows", "[wire][error_body]") {
  struct Row {
    const char* what;
    const char* body;
    const char* summary;
  };
  auto row = GENERATE(values<Row>({
      {"detail an object of field messages",
       R"({"error":{"status":400,"error_code":7,"title":"Bad Request","detail":{"name":["This field is required."],"schema":{"fields":["unknown type \"x\""]}}}})",
       "name: This field is required.; schema.fields: unknown type \"x\" (error_code 7; Bad Request)"},
      {"detail an array", R"({"error":{"title":"Bad Request","detail":["first","second"]}})",
       "first; second (Bad Request)"},
      {"detail with numbers, booleans and nulls", R"({"error":{"detail":{"max":1000,"ok":false,"none":null,"ratio":0.5}}})",
       "max: 1000; ok: false; ratio: 0.5"},
      {"additional_information", R"({"error":{"error_code":3,"title":"Conflict","detail":"An import is in progress","additional_information":{"import_id":"abc"}}})",
       "An import is in progress (error_code 3; Conflict; import_id: abc)"},
      {"the flat shape", R"({"message":"Validation failed","detail":{"name":["required"]}})",
       "Validation failed: name: required"},
      {"the flat shape, detail only (a DRF-style body)", R"({"detail":"Invalid token."})", "Invalid token."},
      {"the flat shape, message only", R"({"message":"Not found."})", "Not found."},
      {"error as a string", R"({"error":"Not found"})", "Not found"},
      {"message inside the error object", R"({"error":{"message":"m","title":"t"}})", "m (t)"},
      {"description as the last resort", R"({"error":{"description":"x"}})", "x"},
      {"the title alone", R"({"error":{"title":"Bad Request"}})", "Bad Request"},
      {"top-level detail when the error object has none", R"({"error":{"title":"t"},"detail":"top"})", "top (t)"},
      {"the title equal to the detail is not repeated", R"({"error":{"title":"Not found","detail":"Not found"}})",
       "Not found"},
      {"no text at all", R"({"error":{"status":400}})", ""},
      {"only an error code", R"({"error":{"error_code":5}})", "error_code 5"},
      {"nulls", R"({"error":{"title":null},"detail":null})", ""},
  }));
  CAPTURE(row.what);
  auto r = parse_error_body(row.body);
  REQUIRE(r.ok());
  CHECK(r->summary() == row.summary);
}

TEST_CASE("error body: a hostile detail stays bounded", "[wire][error_body][limits]") {
  SECTION("10,000 field messages: the rendering stops at the cap") {
    std::string body = R"({"error":{"detail":{)";
    for (int i = 0; i < 10000; ++i) body += (i ? "," : "") + std::string("\"f") + std::to_string(i) + "\":[\"bad\"]";
    body += "}}}";
    auto r = parse_error_body(body);
    REQUIRE(r.ok());
    CHECK(r->detail.size() <= 512);
    CHECK(r->detail.rfind("f0: bad; f1: bad", 0) == 0);
    CHECK(r->summary().size() <= 512 + 2 * 512 + 64 + 16);
  }
  SECTION("deep nesting is rendered to a depth, then \"...\"") {
    std::string body = R"({"error":{"detail":)" + std::string(20, '[') + "\"x\"" + std::string(20, ']') + "}}";
    auto r = parse_error_body(body);
    REQUIRE(r.ok());
    CHECK(r->detail == "...");
  }
  SECTION("a long key is cut") {
    auto r = parse_error_body(R"({"detail":{")" + std::string(1000, 'k') + R"(":"v"}})");
    REQUIRE(r.ok());
    CHECK(r->detail == std::string(128, 'k') + ": v");
  }
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
    CHECK(r->title == "Not found");
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
    CHECK(r->detail == std::string(512, 'd'));
  }
  SECTION("a two-byte character straddling byte 512 is left out whole") {
    std::string text = std::string(511, 'a') + "\xC3\xA9" + "tail";
    auto r = parse_error_body(R"({"error":{"detail":")" + text + "\"}}");
    REQUIRE(r.ok());
    CHECK(r->detail == std::string(511, 'a'));
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
      {"no error object, message or detail", R"({"status":400})", "$",
       "neither an \"error\" object nor a top-level \"message\" or \"detail\""},
      {"error is null", R"({"error":null})", "$",
       "neither an \"error\" object nor a top-level \"message\" or \"detail\""},
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

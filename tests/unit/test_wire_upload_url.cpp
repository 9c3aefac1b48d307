// Step 1's answer (docs/service.md): typed value or a malformed_answer with the path
// of the offending field. Also the generic JSON defences every parser shares
// (size cap, iterative parsing, trailing bytes), tested here once in full.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/wire/upload_url.hpp>

using namespace upstate;

namespace {

struct Malformed {
  const char* what;
  std::string body;
  std::string path;
  std::string message;
};

}  // namespace

TEST_CASE("upload-url answer: the documented example parses field by field", "[wire][upload_url]") {
  auto r = parse_upload_url_answer(
      R"({"upload_url": "https://s3.amazonaws.com/raw-datasets/0192a3b5/01935c2d/reviews.jsonl?X-Amz-Signature=ab%2Fcd",
          "http_method": "PUT", "import_id": "01935c2d-1a2b-3c4d-5e6f-7a8b9c0d1e2f",
          "content_type": "application/x-ndjson", "dataset_id": "0192a3b5", "expires_at": "2026-11-28T12:00:00Z"})");
  REQUIRE(r.ok());
  CHECK(r->upload_url ==
        "https://s3.amazonaws.com/raw-datasets/0192a3b5/01935c2d/reviews.jsonl?X-Amz-Signature=ab%2Fcd");
  CHECK(r->http_method == "PUT");
  CHECK(r->import_id == std::optional<std::string>("01935c2d-1a2b-3c4d-5e6f-7a8b9c0d1e2f"));
  CHECK(r->content_type == std::optional<std::string>("application/x-ndjson"));
  CHECK(r->dataset_id == std::optional<std::string>("0192a3b5"));
  CHECK(r->expires_at == std::optional<std::string>("2026-11-28T12:00:00Z"));
}

TEST_CASE("upload-url answer: optional fields absent, null, or unknown extras", "[wire][upload_url]") {
  SECTION("only upload_url: defaults, and no import_id means a V3 dataset") {
    auto r = parse_upload_url_answer(R"({"upload_url":"https://h/k"})");
    REQUIRE(r.ok());
    CHECK(r->http_method == "PUT");
    CHECK_FALSE(r->import_id);
    CHECK_FALSE(r->content_type);
    CHECK_FALSE(r->dataset_id);
    CHECK_FALSE(r->expires_at);
  }
  SECTION("null is the same as absent for optional fields") {
    auto r = parse_upload_url_answer(
        R"({"upload_url":"https://h/k","http_method":null,"import_id":null,"content_type":null,)"
        R"("dataset_id":null,"expires_at":null})");
    REQUIRE(r.ok());
    CHECK(r->http_method == "PUT");
    CHECK_FALSE(r->import_id);
    CHECK_FALSE(r->content_type);
    CHECK_FALSE(r->dataset_id);
    CHECK_FALSE(r->expires_at);
  }
  SECTION("unknown fields of any type are ignored") {
    auto r = parse_upload_url_answer(R"({"upload_url":"https://h/k","new":{"x":[1,2]},"n":-1.5})");
    REQUIRE(r.ok());
    CHECK(r->upload_url == "https://h/k");
  }
  SECTION("http_method is kept verbatim for the machine to judge") {
    auto r = parse_upload_url_answer(R"({"upload_url":"https://h/k","http_method":"post"})");
    REQUIRE(r.ok());
    CHECK(r->http_method == "post");
  }
  SECTION("JSON escapes are decoded: \\/ and \\u00e9") {
    auto r = parse_upload_url_answer(R"({"upload_url":"https:\/\/h\/caf\u00e9"})");
    REQUIRE(r.ok());
    CHECK(r->upload_url == "https://h/caf\xC3\xA9");
  }
  SECTION("whitespace around the document is allowed") {
    CHECK(parse_upload_url_answer(" \r\n\t{\"upload_url\":\"u\"}\n ").ok());
  }
}

TEST_CASE("upload-url answer: each malformed class names its path", "[wire][upload_url][malformed]") {
  auto c = GENERATE(values<Malformed>({
      {"not JSON", "<html>Bad Gateway</html>", "$", "not JSON: Invalid value. at offset 0"},
      {"empty body", "", "$", "not JSON: The document is empty. at offset 0"},
      {"truncated", R"({"upload_url":"ht)", "$",
       "not JSON: Missing a closing quotation mark in string. at offset 17"},
      {"trailing garbage", R"({"upload_url":"u"} x)", "$",
       "not JSON: The document root must not be followed by other values. at offset 19"},
      {"second document", R"({"upload_url":"u"}{})", "$",
       "not JSON: The document root must not be followed by other values. at offset 18"},
      {"trailing NUL and garbage", std::string(R"({"upload_url":"u"})") + '\0' + "junk", "$",
       "not JSON: NUL byte at offset 18"},
      {"not an object: array", "[]", "$", "expected object, got array"},
      {"not an object: string", R"("https://h/k")", "$", "expected object, got string"},
      {"not an object: null", "null", "$", "expected object, got null"},
      {"missing required field", R"({"http_method":"PUT"})", "$.upload_url", "missing required field"},
      {"required field null", R"({"upload_url":null})", "$.upload_url", "expected string, got null"},
      {"wrong type: number", R"({"upload_url":42})", "$.upload_url", "expected string, got number"},
      {"wrong type: array", R"({"upload_url":["u"]})", "$.upload_url", "expected string, got array"},
      {"empty upload_url", R"({"upload_url":""})", "$.upload_url", "expected non-empty string, got empty string"},
      {"http_method wrong type", R"({"upload_url":"u","http_method":true})", "$.http_method",
       "expected string, got boolean"},
      {"import_id wrong type", R"({"upload_url":"u","import_id":7})", "$.import_id", "expected string, got number"},
      {"content_type wrong type", R"({"upload_url":"u","content_type":{}})", "$.content_type",
       "expected string, got object"},
      {"dataset_id wrong type", R"({"upload_url":"u","dataset_id":[]})", "$.dataset_id",
       "expected string, got array"},
      {"expires_at wrong type", R"({"upload_url":"u","expires_at":1764331200})", "$.expires_at",
       "expected string, got number"},
  }));
  CAPTURE(c.what);
  auto r = parse_upload_url_answer(c.body);
  REQUIRE_FALSE(r.ok());
  CHECK(to_string(r.error().code) == "malformed_answer");
  CHECK(r.error().path == c.path);
  CHECK(r.error().message == c.message);
  CHECK(r.error().http_status == 0);
}

TEST_CASE("upload-url answer: the size cap is checked before parsing", "[wire][upload_url][limits]") {
  SECTION("one byte over the cap is refused with both sizes in the message") {
    ParseLimits limits;
    limits.max_body_bytes = 18;
    std::string body = R"({"upload_url":"uv"})";  // 19 bytes
    auto r = parse_upload_url_answer(body, limits);
    REQUIRE_FALSE(r.ok());
    CHECK(to_string(r.error().code) == "malformed_answer");
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "answer of 19 bytes exceeds the 18-byte cap");
  }
  SECTION("exactly the cap is parsed") {
    ParseLimits limits;
    limits.max_body_bytes = 19;
    CHECK(parse_upload_url_answer(R"({"upload_url":"uv"})", limits).ok());
  }
  SECTION("a 100 MB string is refused by the default cap without being parsed") {
    // Costs the caller's 100 MB once; the parser neither copies nor scans it.
    std::string body = R"({"upload_url":")" + std::string(100u << 20, 'a') + "\"}";
    auto r = parse_upload_url_answer(body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "answer of 104857617 bytes exceeds the 16777216-byte cap");
  }
}

TEST_CASE("upload-url answer: deep nesting neither recurses nor crashes", "[wire][upload_url][limits]") {
  constexpr std::size_t kDepth = 100000;
  SECTION("100000 unclosed '[' is not JSON") {
    auto r = parse_upload_url_answer(std::string(kDepth, '['));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "not JSON: Invalid value. at offset 100000");
  }
  SECTION("100000 balanced '[' ']' is JSON, but not an object") {
    auto r = parse_upload_url_answer(std::string(kDepth, '[') + std::string(kDepth, ']'));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == "$");
    CHECK(r.error().message == "expected object, got array");
  }
  SECTION("a deep unknown field is ignored") {
    auto r = parse_upload_url_answer(R"({"upload_url":"u","x":)" + std::string(kDepth, '[') +
                                     std::string(kDepth, ']') + "}");
    REQUIRE(r.ok());
    CHECK(r->upload_url == "u");
  }
}

TEST_CASE("upload-url answer: odd keys and duplicate keys", "[wire][upload_url]") {
  SECTION("the first of duplicate keys wins") {
    auto r = parse_upload_url_answer(R"({"upload_url":"first","upload_url":"second"})");
    REQUIRE(r.ok());
    CHECK(r->upload_url == "first");
  }
  SECTION("an escaped NUL inside a string is kept, not treated as the end") {
    auto r = parse_upload_url_answer(R"({"upload_url":"a\u0000b"})");
    REQUIRE(r.ok());
    CHECK(r->upload_url == std::string("a\0b", 3));
  }
}

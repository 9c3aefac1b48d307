// What a presigned URL tells before a byte is sent (docs/service.md, step 2): its
// expiry and the headers it signed, for SigV4 and the old SigV2.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/detail/presigned_url.hpp>

using namespace upstate;

namespace {

constexpr UnixSeconds k20261128T120000Z = 1795867200;

PresignedUrlInfo inspect(const std::string& query) {
  auto url = parse_url("https://bucket.s3.amazonaws.com/raw/k.jsonl?" + query);
  REQUIRE(url);
  return inspect_presigned_url(*url);
}

std::string sigv4_with(const std::string& expires) {
  return "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261128%2Fus-east-1%2Fs3%2Faws4_request"
         "&X-Amz-Date=20261128T120000Z&X-Amz-Expires=" +
         expires + "&X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Signature=0a1b";
}

}  // namespace

TEST_CASE("presigned URL: SigV4 expiry and signed headers", "[presigned_url]") {
  auto info = inspect(sigv4_with("3600"));
  CHECK(info.scheme == PresignedUrlInfo::Scheme::sigv4);
  CHECK(info.signed_at == std::optional<UnixSeconds>(k20261128T120000Z));
  CHECK(info.expires_at == std::optional<UnixSeconds>(k20261128T120000Z + 3600));
  CHECK(info.signed_headers == std::vector<std::string>{"content-type", "host"});
  CHECK(info.signs("content-type"));
  CHECK(info.signs("Content-Type"));
  CHECK(info.signs("HOST"));
  CHECK_FALSE(info.signs("content-md5"));
  CHECK_FALSE(info.signs("content-typ"));
  CHECK_FALSE(info.signs(""));
}

TEST_CASE("presigned URL: X-Amz-Expires must be an integer in 1..604800", "[presigned_url]") {
  struct Row {
    const char* expires;
    std::optional<UnixSeconds> lifetime;
  };
  auto row = GENERATE(values<Row>({
      {"1", 1},
      {"604800", 604800},
      {"0003600", 3600},
      {"0", std::nullopt},
      {"604801", std::nullopt},
      {"-1", std::nullopt},
      {"%2B60", std::nullopt},  // "+60"
      {"60%20", std::nullopt},  // "60 "
      {"1e3", std::nullopt},
      {"3600.0", std::nullopt},
      {"", std::nullopt},
      {"99999999999999999999999", std::nullopt},
  }));
  CAPTURE(row.expires);
  auto info = inspect(sigv4_with(row.expires));
  CHECK(info.scheme == PresignedUrlInfo::Scheme::sigv4);
  CHECK(info.signed_at == std::optional<UnixSeconds>(k20261128T120000Z));  // known whatever Expires says
  if (row.lifetime) {
    CHECK(info.expires_at == std::optional<UnixSeconds>(k20261128T120000Z + *row.lifetime));
  } else {
    CHECK_FALSE(info.expires_at);
  }
}

TEST_CASE("presigned URL: SigV4 with parameters missing or malformed", "[presigned_url]") {
  SECTION("no X-Amz-Expires: signed_at known, expiry unknown") {
    auto info = inspect("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261128T120000Z&X-Amz-Signature=s");
    CHECK(info.scheme == PresignedUrlInfo::Scheme::sigv4);
    CHECK(info.signed_at == std::optional<UnixSeconds>(k20261128T120000Z));
    CHECK_FALSE(info.expires_at);
    CHECK(info.signed_headers.empty());
  }
  SECTION("a malformed or impossible X-Amz-Date") {
    auto date = GENERATE(as<std::string>{}, "2026-11-28T12:00:00Z", "20261128T120000", "20261128T250000Z",
                         "20260230T120000Z", "%zz", "");
    CAPTURE(date);
    auto info = inspect("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=" + date + "&X-Amz-Expires=60");
    CHECK(info.scheme == PresignedUrlInfo::Scheme::sigv4);
    CHECK_FALSE(info.signed_at);
    CHECK_FALSE(info.expires_at);
  }
  SECTION("X-Amz-Signature alone marks SigV4") {
    CHECK(inspect("X-Amz-Signature=s").scheme == PresignedUrlInfo::Scheme::sigv4);
  }
  SECTION("the first of duplicate parameters wins") {
    auto info = inspect("X-Amz-Algorithm=A&X-Amz-Date=20261128T120000Z&X-Amz-Date=20301128T120000Z&X-Amz-Expires=1");
    CHECK(info.signed_at == std::optional<UnixSeconds>(k20261128T120000Z));
  }
}

TEST_CASE("presigned URL: X-Amz-SignedHeaders is split on ';' and lower-cased", "[presigned_url]") {
  struct Row {
    const char* value;
    std::vector<std::string> headers;
  };
  auto row = GENERATE(values<Row>({
      {"host", {"host"}},
      {"Content-Type%3BHost%3Bx-amz-meta-Owner", {"content-type", "host", "x-amz-meta-owner"}},
      {"content-length;content-md5;host", {"content-length", "content-md5", "host"}},  // raw ';' decodes too
      {"%3B%3Bhost%3B", {"host"}},
      {"", {}},
  }));
  CAPTURE(row.value);
  auto info = inspect(std::string("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-SignedHeaders=") + row.value);
  CHECK(info.signed_headers == row.headers);
}

TEST_CASE("presigned URL: SigV2 signs the Content-Type", "[presigned_url]") {
  SECTION("well-formed") {
    auto info = inspect("AWSAccessKeyId=AKIAEXAMPLE&Expires=1795867200&Signature=vjbyPxybd%2BZ%2F%3D");
    CHECK(info.scheme == PresignedUrlInfo::Scheme::sigv2);
    CHECK(info.expires_at == std::optional<UnixSeconds>(1795867200));
    CHECK_FALSE(info.signed_at);
    CHECK(info.signed_headers == std::vector<std::string>{"content-type"});
    CHECK(info.signs("Content-Type"));
    CHECK_FALSE(info.signs("host"));
  }
  SECTION("a malformed Expires leaves the expiry unknown") {
    auto expires = GENERATE(as<std::string>{}, "-1", "soon", "", "1.5", "99999999999999999999");
    CAPTURE(expires);
    auto info = inspect("AWSAccessKeyId=A&Expires=" + expires + "&Signature=s");
    CHECK(info.scheme == PresignedUrlInfo::Scheme::sigv2);
    CHECK_FALSE(info.expires_at);
    CHECK(info.signed_headers == std::vector<std::string>{"content-type"});
  }
}

TEST_CASE("presigned URL: anything else is unknown", "[presigned_url]") {
  auto query = GENERATE(as<std::string>{}, "", "a=1", "Expires=1795867200", "AWSAccessKeyId=A&Expires=1",
                        "x-amz-algorithm=AWS4-HMAC-SHA256&x-amz-signature=s",  // names are case-sensitive
                        "X-Amz-Algorithm%zz=1");
  CAPTURE(query);
  auto info = inspect(query);
  CHECK(info.scheme == PresignedUrlInfo::Scheme::unknown);
  CHECK_FALSE(info.expires_at);
  CHECK_FALSE(info.signed_at);
  CHECK(info.signed_headers.empty());
  CHECK_FALSE(info.signs("content-type"));
}

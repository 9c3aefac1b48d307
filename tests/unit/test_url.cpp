// URLs (url.hpp): path segments we build must name exactly one resource,
// URLs the server hands us are split without re-encoding, and only real
// loopback hosts may use plain http.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/detail/url.hpp>

using namespace upstate;

TEST_CASE("percent_encode_segment: everything but unreserved characters is escaped", "[url]") {
  struct Row {
    std::string in;
    std::string out;
  };
  auto row = GENERATE(values<Row>({
      {"reviews.jsonl", "reviews.jsonl"},
      {"AZaz09-._~", "AZaz09-._~"},
      {"a/b", "a%2Fb"},
      {"..", ".."},  // unchanged: is_safe_segment is what refuses it
      {"100%", "100%25"},
      {"what?.csv", "what%3F.csv"},
      {"#1.csv", "%231.csv"},
      {"my file.csv", "my%20file.csv"},
      {"a+b", "a%2Bb"},
      {"caf\xC3\xA9", "caf%C3%A9"},
      {std::string("a\0b", 3), "a%00b"},
      {"\x7F\xFF", "%7F%FF"},
      {"", ""},
  }));
  CAPTURE(row.in);
  CHECK(percent_encode_segment(row.in) == row.out);
}

TEST_CASE("percent_encode_segment then percent_decode gives back every byte", "[url]") {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string encoded = percent_encode_segment(all);
  CHECK(encoded.find('/') == std::string::npos);
  CHECK(percent_decode(encoded) == std::optional<std::string>(all));
}

TEST_CASE("percent_decode is strict", "[url]") {
  CHECK(percent_decode("%41%62") == std::optional<std::string>("Ab"));
  CHECK(percent_decode("%2f%2F") == std::optional<std::string>("//"));
  CHECK(percent_decode("%00") == std::optional<std::string>(std::string(1, '\0')));
  CHECK(percent_decode("") == std::optional<std::string>(""));
  SECTION("'+' is a space only in query mode") {
    CHECK(percent_decode("a+b") == std::optional<std::string>("a+b"));
    CHECK(percent_decode("a+b", true) == std::optional<std::string>("a b"));
    CHECK(percent_decode("a%2Bb", true) == std::optional<std::string>("a+b"));
  }
  SECTION("a '%' without two hex digits is an error, not passed through") {
    auto bad = GENERATE(as<std::string>{}, "%", "%4", "a%", "%zz", "%4g", "%g4", "%%41", "% 41", "%-1");
    CAPTURE(bad);
    CHECK_FALSE(percent_decode(bad));
  }
}

TEST_CASE("is_safe_segment", "[url]") {
  CHECK(is_safe_segment("reviews.jsonl"));
  CHECK(is_safe_segment("..."));
  CHECK(is_safe_segment(".hidden"));
  CHECK(is_safe_segment("a/b"));  // encoded to a%2Fb, so it stays one segment
  CHECK_FALSE(is_safe_segment(""));
  CHECK_FALSE(is_safe_segment("."));
  CHECK_FALSE(is_safe_segment(".."));
  CHECK_FALSE(is_safe_segment(std::string("a\0b", 3)));
}

TEST_CASE("parse_url: well-formed absolute URLs", "[url]") {
  SECTION("https with the default port") {
    auto u = parse_url("https://api.prolific.com/api/v1/data-collection/datasets/d/upload-url/f.csv");
    REQUIRE(u);
    CHECK(u->scheme == "https");
    CHECK(u->is_https());
    CHECK(u->host == "api.prolific.com");
    CHECK(u->port == 443);
    CHECK(u->path == "/api/v1/data-collection/datasets/d/upload-url/f.csv");
    CHECK(u->query == "");
    CHECK(u->target == u->path);
    CHECK(u->authority() == "api.prolific.com");
  }
  SECTION("http, explicit port, upper-case scheme") {
    auto u = parse_url("HTTP://127.0.0.1:8080/x");
    REQUIRE(u);
    CHECK(u->scheme == "http");
    CHECK_FALSE(u->is_https());
    CHECK(u->port == 8080);
    CHECK(u->authority() == "127.0.0.1:8080");
  }
  SECTION("an explicit default port disappears from the authority") {
    auto u = parse_url("https://h:443/");
    REQUIRE(u);
    CHECK(u->authority() == "h");
  }
  SECTION("the query is kept verbatim, never re-encoded") {
    auto u = parse_url("https://s3.amazonaws.com/b/k%20x.jsonl?X-Amz-Credential=A%2F2026&X-Amz-Signature=ab+cd");
    REQUIRE(u);
    CHECK(u->path == "/b/k%20x.jsonl");
    CHECK(u->query == "X-Amz-Credential=A%2F2026&X-Amz-Signature=ab+cd");
    CHECK(u->target == "/b/k%20x.jsonl?X-Amz-Credential=A%2F2026&X-Amz-Signature=ab+cd");
  }
  SECTION("no path") {
    auto bare = parse_url("https://h");
    REQUIRE(bare);
    CHECK(bare->path == "/");
    CHECK(bare->target == "/");
    auto query_only = parse_url("https://h?x=1");
    REQUIRE(query_only);
    CHECK(query_only->path == "/");
    CHECK(query_only->target == "/?x=1");
  }
  SECTION("an empty query keeps its '?'") {
    auto u = parse_url("https://h/p?");
    REQUIRE(u);
    CHECK(u->query == "");
    CHECK(u->target == "/p?");
  }
  SECTION("IPv6") {
    auto u = parse_url("http://[::1]:9000/p");
    REQUIRE(u);
    CHECK(u->host == "::1");
    CHECK(u->port == 9000);
    CHECK(u->authority() == "[::1]:9000");
    auto v = parse_url("https://[2001:db8::7]/p");
    REQUIRE(v);
    CHECK(v->host == "2001:db8::7");
    CHECK(v->port == 443);
    CHECK(v->authority() == "[2001:db8::7]");
  }
  SECTION("port bounds") {
    REQUIRE(parse_url("http://h:1/"));
    CHECK(parse_url("http://h:1/")->port == 1);
    REQUIRE(parse_url("http://h:65535/"));
    CHECK(parse_url("http://h:65535/")->port == 65535);
  }
  SECTION("'@' after the authority is part of the path") {
    auto u = parse_url("https://h/a@b");
    REQUIRE(u);
    CHECK(u->host == "h");
    CHECK(u->path == "/a@b");
  }
  SECTION("non-ASCII bytes are not control characters") {
    auto u = parse_url("https://h/caf\xC3\xA9");
    REQUIRE(u);
    CHECK(u->path == "/caf\xC3\xA9");
  }
}

TEST_CASE("parse_url: refused", "[url]") {
  auto bad = GENERATE(as<std::string>{},
                      "",                                 // empty
                      "api.prolific.com/x",               // no scheme
                      "ftp://h/x",                        // not http(s)
                      "file:///etc/passwd",               // not http(s)
                      "https://",                         // no host
                      "https:///p",                       // no host
                      "https://:443/p",                   // no host
                      "https://user:pw@h/p",              // userinfo
                      "https://user@h/p",                 // userinfo
                      "https://h/p#frag",                 // fragment
                      "https://h#frag",                   // fragment
                      "https://h/a b",                    // space
                      "https://h/a\tb",                   // control character
                      "https://h/a\x7F",                  // DEL
                      std::string("https://h/a\0b", 13),  // NUL
                      "https://h:/p",                     // empty port
                      "https://h:0/p",                    // port 0
                      "https://h:65536/p",                // port too large
                      "https://h:123456/p",               // port too long
                      "https://h:8o/p",                   // port not digits
                      "https://h:-1/p",                   // port not digits
                      "https://a:b:80/p",                 // ':' in an unbracketed host
                      "https://[]/p",                     // empty IPv6
                      "https://[::1/p",                   // unclosed bracket
                      "https://[::1]x/p",                 // junk after bracket
                      "https://[::1]:/p");                // empty port after bracket
  CAPTURE(bad);
  CHECK_FALSE(parse_url(bad));
}

TEST_CASE("parse_query: decoded pairs in order", "[url]") {
  SECTION("plain pairs") {
    auto q = parse_query("a=1&b=2&a=3");
    REQUIRE(q.size() == 3);
    CHECK(q[0].name == "a");
    CHECK(q[0].value == "1");
    CHECK(q[1].name == "b");
    CHECK(q[2].value == "3");
  }
  SECTION("decoding: %XX and '+'") {
    auto q = parse_query("X-Amz-Credential=AKIA%2F20261128%2Fus-east-1&n+m=a+b%2Bc");
    REQUIRE(q.size() == 2);
    CHECK(q[0].value == "AKIA/20261128/us-east-1");
    CHECK(q[1].name == "n m");
    CHECK(q[1].value == "a b+c");
  }
  SECTION("edge shapes") {
    auto q = parse_query("&&flag&=v&k=a=b&");
    REQUIRE(q.size() == 3);
    CHECK(q[0].name == "flag");
    CHECK(q[0].value == "");
    CHECK(q[1].name == "");
    CHECK(q[1].value == "v");
    CHECK(q[2].name == "k");
    CHECK(q[2].value == "a=b");
  }
  SECTION("a pair that does not decode is left out") {
    auto q = parse_query("a=%zz&b=1&%=2");
    REQUIRE(q.size() == 1);
    CHECK(q[0].name == "b");
  }
  CHECK(parse_query("").empty());
}

TEST_CASE("is_loopback_host: real loopback names and addresses", "[url]") {
  auto host = GENERATE(as<std::string>{}, "localhost", "::1", "127.0.0.1", "127.1.2.3", "127.255.255.255");
  CAPTURE(host);
  CHECK(is_loopback_host(host));
}

TEST_CASE("is_loopback_host: look-alikes are not loopback", "[url]") {
  auto host = GENERATE(as<std::string>{}, "", "127.attacker.example", "127.0.0.1.nip.io", "127.0.0", "127.0.0.1.",
                       "127..0.1", "127.0.0.256", "127.0.0.0001", "128.0.0.1", "localhost.example", "LOCALHOST",
                       "0:0:0:0:0:0:0:1", "127.0.0.-1", "127");
  CAPTURE(host);
  CHECK_FALSE(is_loopback_host(host));
}

// Writing HTTP/1.1 (http1/http1.hpp): exact bytes on the wire, and every
// refusal happens before a byte exists and never quotes a header's value.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/http1/http1.hpp>

#include "http1_feed.hpp"

using namespace upstate;
using http1::HeadOptions;

namespace {

Url url_of(const std::string& s) {
  auto u = parse_url(s);
  REQUIRE(u);
  return *u;
}

Request get(Headers headers = {}) {
  Request r;
  r.purpose = Purpose::poll;
  r.method = "GET";
  r.url = "https://api.example.com/v1/imports/imp_1";
  r.headers = std::move(headers);
  return r;
}

}  // namespace

TEST_CASE("request head: a GET, byte for byte", "[http1][serialize]") {
  auto head = http1::serialize_request_head(get({{"Authorization", "Bearer tok"}, {"Accept", "application/json"}}),
                                            url_of("https://api.example.com/v1/imports/imp_1?fields=a,b"), {});
  REQUIRE(head.ok());
  CHECK(head.value() ==
        "GET /v1/imports/imp_1?fields=a,b HTTP/1.1\r\n"
        "Host: api.example.com\r\n"
        "Authorization: Bearer tok\r\n"
        "Accept: application/json\r\n"
        "\r\n");
}

TEST_CASE("request head: the PUT with Content-Length, Expect and Connection: close", "[http1][serialize]") {
  Request put;
  put.purpose = Purpose::upload;
  put.method = "PUT";
  put.headers = {{"Content-Type", "application/jsonl"}};
  put.file = FileBody{1234};
  HeadOptions o;
  o.content_length = 1234;
  o.expect_continue = true;
  o.keep_alive = false;
  auto head = http1::serialize_request_head(put, url_of("http://127.0.0.1:9000/b/k"), o);
  REQUIRE(head.ok());
  CHECK(head.value() ==
        "PUT /b/k HTTP/1.1\r\n"
        "Host: 127.0.0.1:9000\r\n"
        "Content-Type: application/jsonl\r\n"
        "Content-Length: 1234\r\n"
        "Expect: 100-continue\r\n"
        "Connection: close\r\n"
        "\r\n");
  SECTION("zero-length and huge bodies") {
    o.expect_continue = false;
    o.keep_alive = true;
    o.content_length = 0;
    CHECK(http1::serialize_request_head(put, url_of("http://h/k"), o).value().find("\r\nContent-Length: 0\r\n") !=
          std::string::npos);
    o.content_length = 5ull << 30;
    CHECK(http1::serialize_request_head(put, url_of("http://h/k"), o).value().find("\r\nContent-Length: 5368709120\r\n") !=
          std::string::npos);
  }
}

TEST_CASE("request head: Host and target", "[http1][serialize]") {
  SECTION("a presigned URL's target goes out byte for byte") {
    const std::string target =
        "/bucket/a%2Fb%20c.jsonl?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20240101%2Fus-east-1"
        "%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&"
        "X-Amz-Signature=0123abcd&empty=&flag";
    auto head = http1::serialize_request_head(get(), url_of("https://bucket.s3.amazonaws.com" + target), {});
    REQUIRE(head.ok());
    CHECK(head.value().rfind("GET " + target + " HTTP/1.1\r\nHost: bucket.s3.amazonaws.com\r\n", 0) == 0);
  }
  SECTION("default ports are left out, others kept, IPv6 bracketed") {
    auto host_of = [](const std::string& u) {
      std::string h = http1::serialize_request_head(get(), url_of(u), {}).value();
      auto b = h.find("Host: ") + 6;
      return h.substr(b, h.find("\r\n", b) - b);
    };
    CHECK(host_of("http://example.com:80/") == "example.com");
    CHECK(host_of("https://example.com:443/") == "example.com");
    CHECK(host_of("http://example.com:443/") == "example.com:443");
    CHECK(host_of("http://[::1]:8080/") == "[::1]:8080");
  }
  SECTION("no path: '/'") {
    CHECK(http1::serialize_request_head(get(), url_of("http://h"), {}).value().rfind("GET / HTTP/1.1\r\n", 0) == 0);
  }
  SECTION("a hand-built Url with a space or CR in the target is refused without quoting it") {
    Url u = url_of("http://h/x");
    u.target = "/x?sig=SECRET HTTP/1.1\r\nX: y";
    auto head = http1::serialize_request_head(get(), u, {});
    REQUIRE_FALSE(head.ok());
    CHECK(head.error().code == ErrorCode::invalid_argument);
    CHECK(head.error().message.find("SECRET") == std::string::npos);
    u.target = "";
    CHECK_FALSE(http1::serialize_request_head(get(), u, {}).ok());
    u = url_of("http://h/x");
    u.host = "h\r\nX: y";
    CHECK_FALSE(http1::serialize_request_head(get(), u, {}).ok());
  }
}

TEST_CASE("request head: the method must be a token", "[http1][serialize]") {
  auto method = GENERATE(as<std::string>{}, "", "GE T", "GET\r\n", "GET\n", std::string("G\0T", 3), "G(T", "GÉT");
  CAPTURE(method);
  Request r = get();
  r.method = method;
  auto head = http1::serialize_request_head(r, url_of("http://h/"), {});
  REQUIRE_FALSE(head.ok());
  CHECK(head.error().code == ErrorCode::invalid_argument);
  CHECK(head.error().http_status == 0);
  CHECK(head.error().message == "request method is not an RFC 9110 token");
}

TEST_CASE("request head: other tokens are fine as methods and names", "[http1][serialize]") {
  Request r = get({{"X-Custom_!#$%&'*+.^`|~09", "v"}});
  r.method = "M-SEARCH";
  auto head = http1::serialize_request_head(r, url_of("http://h/"), {});
  REQUIRE(head.ok());
  CHECK(head.value() == "M-SEARCH / HTTP/1.1\r\nHost: h\r\nX-Custom_!#$%&'*+.^`|~09: v\r\n\r\n");
}

TEST_CASE("request head: a header value with CR, LF or NUL is refused, never quoted", "[http1][serialize]") {
  const std::string secret = "Bearer s3cr3t-token";
  auto value = GENERATE_COPY(as<std::string>{}, secret + "\r\nHost: evil", secret + "\n", "\r" + secret,
                             secret + std::string(1, '\0') + "x");
  CAPTURE(http1_test::escaped(value));
  auto head = http1::serialize_request_head(get({{"Accept", "*/*"}, {"Authorization", value}}), url_of("http://h/"), {});
  REQUIRE_FALSE(head.ok());
  CHECK(head.error().code == ErrorCode::invalid_argument);
  CHECK(head.error().message == "request header 'Authorization' has a value holding CR, LF or NUL");
  CHECK(head.error().message.find("s3cr3t") == std::string::npos);
  CHECK(to_string(head.error()).find("s3cr3t") == std::string::npos);
}

TEST_CASE("request head: a header name that is not a token is refused by position", "[http1][serialize]") {
  auto name = GENERATE(as<std::string>{}, "", "Bad Name", "Authorization: Bearer s3cr3t", "X\r\nY", "X:");
  CAPTURE(http1_test::escaped(name));
  auto head = http1::serialize_request_head(get({{"Accept", "*/*"}, {name, "v"}}), url_of("http://h/"), {});
  REQUIRE_FALSE(head.ok());
  CHECK(head.error().code == ErrorCode::invalid_argument);
  CHECK(head.error().message == "request header #2's name is not an RFC 9110 token");
}

TEST_CASE("request head: headers the serializer owns are refused", "[http1][serialize]") {
  auto name = GENERATE(as<std::string>{}, "Host", "host", "Content-Length", "CONTENT-LENGTH", "Transfer-Encoding",
                       "transfer-encoding", "Connection", "connection", "Expect", "eXpEcT");
  CAPTURE(name);
  auto head = http1::serialize_request_head(get({{name, "x"}}), url_of("http://h/"), {});
  REQUIRE_FALSE(head.ok());
  CHECK(head.error().code == ErrorCode::invalid_argument);
  CHECK(head.error().message == "request header '" + name + "' is set by the serializer, not the caller");
}

TEST_CASE("request head: Expect: 100-continue needs a body length", "[http1][serialize]") {
  HeadOptions o;
  o.expect_continue = true;
  auto head = http1::serialize_request_head(get(), url_of("http://h/"), o);
  REQUIRE_FALSE(head.ok());
  CHECK(head.error().code == ErrorCode::invalid_argument);
  CHECK(head.error().message == "Expect: 100-continue needs a Content-Length");
}

TEST_CASE("request head: what the serializer writes, the request parser reads back", "[http1][serialize]") {
  Request put;
  put.method = "PUT";
  put.headers = {{"Content-Type", "text/csv"}, {"x-amz-meta-a", "1"}};
  HeadOptions o;
  o.content_length = 5;
  o.expect_continue = true;
  auto head = http1::serialize_request_head(put, url_of("http://127.0.0.1:1/b/k%20?a=b"), o);
  REQUIRE(head.ok());
  auto r = http1_test::request(head.value() + "a,b\n\n");
  const auto& q = r.parser.request();
  CHECK(r.parser.state() == http1::ParseState::complete);
  CHECK(q.method == "PUT");
  CHECK(q.target == "/b/k%20?a=b");
  CHECK(q.body == "a,b\n\n");
  CHECK(q.expect_continue);
  CHECK(q.keep_alive);
  REQUIRE(q.headers.size() == 5);  // Host, the two given, Content-Length, Expect
  CHECK(*find_header(q.headers, "host") == "127.0.0.1:1");
  CHECK(*find_header(q.headers, "x-amz-meta-a") == "1");
}

TEST_CASE("response: status line, headers, Content-Length, body", "[http1][serialize]") {
  Response r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/json"}, {"Date", "Mon, 01 Jan 2024 00:00:00 GMT"}};
  r.body = "{\"a\":1}";
  CHECK(http1::serialize_response(r, true) ==
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
        "Content-Length: 7\r\n\r\n{\"a\":1}");
  CHECK(http1::serialize_response(r, false) ==
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
        "Content-Length: 7\r\nConnection: close\r\n\r\n{\"a\":1}");
}

TEST_CASE("response: the serializer's own framing wins over given headers", "[http1][serialize]") {
  Response r;
  r.status = 503;
  r.headers = {{"content-length", "999"}, {"Connection", "keep-alive"}, {"Transfer-Encoding", "chunked"},
               {"Retry-After", "3"}};
  r.body = "busy";
  CHECK(http1::serialize_response(r, false) ==
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 3\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy");
}

TEST_CASE("response: reason phrases, and statuses without a body", "[http1][serialize]") {
  struct Row {
    int status;
    std::string line;
  };
  auto row = GENERATE(values<Row>({
      {201, "HTTP/1.1 201 Created\r\n"},
      {400, "HTTP/1.1 400 Bad Request\r\n"},
      {403, "HTTP/1.1 403 Forbidden\r\n"},
      {404, "HTTP/1.1 404 Not Found\r\n"},
      {413, "HTTP/1.1 413 Content Too Large\r\n"},
      {429, "HTTP/1.1 429 Too Many Requests\r\n"},
      {500, "HTTP/1.1 500 Internal Server Error\r\n"},
      {599, "HTTP/1.1 599 Unknown\r\n"},
      {299, "HTTP/1.1 299 Unknown\r\n"},
      {0, "HTTP/1.1 500 Internal Server Error\r\n"},
      {1000, "HTTP/1.1 500 Internal Server Error\r\n"},
  }));
  Response r;
  r.status = row.status;
  r.body = "x";
  CAPTURE(row.status);
  CHECK(http1::serialize_response(r, true) == row.line + "Content-Length: 1\r\n\r\nx");
  SECTION("204 and 304 carry neither body nor Content-Length") {
    r.status = 204;
    CHECK(http1::serialize_response(r, true) == "HTTP/1.1 204 No Content\r\n\r\n");
    r.status = 304;
    CHECK(http1::serialize_response(r, false) == "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n");
  }
}

TEST_CASE("response: values are stripped of CR, LF and NUL; bad names dropped", "[http1][serialize]") {
  Response r;
  r.status = 200;
  r.headers = {{"X-A", "one\r\nInjected: yes"}, {"Bad Name", "v"}, {"", "v"}, {"X-B", std::string("a\0b", 3)}};
  CHECK(http1::serialize_response(r, true) ==
        "HTTP/1.1 200 OK\r\nX-A: oneInjected: yes\r\nX-B: ab\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("response: what the serializer writes, the response parser reads back", "[http1][serialize]") {
  Response r;
  r.status = 202;
  r.headers = {{"Content-Type", "application/json"}, {"ETag", "\"x\""}};
  r.body = std::string(300, 'j');
  auto back = http1_test::answer(http1::serialize_response(r, false));
  CHECK(back.parser.state() == http1::ParseState::complete);
  CHECK(back.parser.status() == 202);
  CHECK(back.parser.response().body == r.body);
  CHECK_FALSE(back.parser.keep_alive());
  CHECK(*find_header(back.parser.response().headers, "etag") == "\"x\"");
}

TEST_CASE("continue_line", "[http1][serialize]") {
  CHECK(http1::continue_line() == "HTTP/1.1 100 Continue\r\n\r\n");
  auto r = http1_test::answer(std::string(http1::continue_line()));
  CHECK(r.parser.saw_continue());
  CHECK(r.parser.state() == http1::ParseState::head);
}

// The HTTP/1.1 parsers (http1/http1.hpp): every framing the client meets,
// the caps, and errors as state. Each input is fed whole, byte by byte and
// cut at every position, and must end the same way (http1_feed.hpp).
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include <upstate/http1/http1.hpp>

#include "http1_feed.hpp"

using namespace upstate;
using http1::ParseState;
using http1_test::answer;
using http1_test::Feed;
using http1_test::request;
using Kind = TransportError::Kind;

namespace {

const std::string kTwoAnswers =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

}  // namespace

TEST_CASE("response: Content-Length body", "[http1][parser]") {
  const std::string in =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
      "X-Empty:\r\nX-Padded: \t a b \t\r\n\r\n{\"ok\": true }";
  auto r = answer(in);
  const auto& p = r.parser;
  CHECK(r.used == in.size());
  CHECK(p.state() == ParseState::complete);
  CHECK(p.head_complete());
  CHECK_FALSE(p.saw_continue());
  CHECK(p.status() == 200);
  CHECK(p.keep_alive());
  REQUIRE(p.response().headers.size() == 4);
  CHECK(p.response().headers[0].name == "Content-Type");
  CHECK(p.response().headers[0].value == "application/json");
  CHECK(p.response().headers[2].name == "X-Empty");
  CHECK(p.response().headers[2].value.empty());
  CHECK(p.response().headers[3].value == "a b");  // optional whitespace trimmed, inner kept
  CHECK(p.response().status == 200);
  CHECK(p.response().body == "{\"ok\": true }");
}

TEST_CASE("response: chunked body with extensions and trailers", "[http1][parser]") {
  const std::string in =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "6;a;b=\"quoted\"\r\n world\r\n"
      "A\r\n0123456789\r\n"
      "0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";
  auto r = answer(in);
  const auto& p = r.parser;
  CHECK(r.used == in.size());
  CHECK(p.state() == ParseState::complete);
  CHECK(p.response().body == "hello world0123456789");
  CHECK(p.keep_alive());
  // Trailers are read and dropped: the head is what the head said.
  REQUIRE(p.response().headers.size() == 1);
  CHECK(p.response().headers[0].name == "Transfer-Encoding");
}

TEST_CASE("response: a close-delimited body ends with finish()", "[http1][parser]") {
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this until EOF";
  SECTION("before EOF the body is still open") {
    auto r = answer(in);
    CHECK(r.used == in.size());
    CHECK(r.parser.state() == ParseState::body);
    CHECK(r.parser.head_complete());
    CHECK_FALSE(r.parser.keep_alive());
    CHECK(r.parser.response().body == "all of this until EOF");
  }
  SECTION("EOF completes it, and the connection is done") {
    Feed f;
    f.finish = true;
    auto r = answer(in, f);
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.response().body == "all of this until EOF");
    CHECK_FALSE(r.parser.keep_alive());
  }
  SECTION("an empty close-delimited body") {
    Feed f;
    f.finish = true;
    auto r = answer("HTTP/1.1 500 Internal Server Error\r\n\r\n", f);
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.status() == 500);
    CHECK(r.parser.response().body.empty());
  }
}

TEST_CASE("response: 100 Continue is noted, then the final answer is parsed", "[http1][parser]") {
  SECTION("100 alone: still waiting for the final head") {
    const std::string in = "HTTP/1.1 100 Continue\r\n\r\n";
    auto r = answer(in);
    CHECK(r.used == in.size());
    CHECK(r.parser.state() == ParseState::head);
    CHECK(r.parser.saw_continue());
    CHECK_FALSE(r.parser.head_complete());
    CHECK(r.parser.status() == 0);
    CHECK_FALSE(r.parser.keep_alive());
  }
  SECTION("100 then the final answer in one stream") {
    const std::string in =
        "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
        "HTTP/1.1 200 OK\r\nETag: \"abc\"\r\nContent-Length: 0\r\n\r\n";
    auto r = answer(in);
    CHECK(r.used == in.size());
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.saw_continue());
    CHECK(r.parser.status() == 200);
    // Only the final answer's headers.
    REQUIRE(r.parser.response().headers.size() == 2);
    CHECK(r.parser.response().headers[0].name == "ETag");
  }
  SECTION("an early refusal without 100") {
    auto r = answer("HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\nConnection: close\r\n\r\ndenied");
    CHECK(r.parser.state() == ParseState::complete);
    CHECK_FALSE(r.parser.saw_continue());
    CHECK(r.parser.status() == 403);
    CHECK_FALSE(r.parser.keep_alive());
  }
  SECTION("other 1xx (103 Early Hints) are skipped without counting as continue") {
    auto r = answer(
        "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    CHECK(r.parser.state() == ParseState::complete);
    CHECK_FALSE(r.parser.saw_continue());
    CHECK(r.parser.response().body == "ok");
    REQUIRE(r.parser.response().headers.size() == 1);
  }
  SECTION("an HTTP/1.0-style 100 does not end the connection's parsing") {
    auto r = answer("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.saw_continue());
    CHECK(r.parser.response().body == "ok");
  }
  SECTION("101 Switching Protocols is refused: what follows is not HTTP/1.1") {
    auto r = answer("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n");
    CHECK(r.parser.state() == ParseState::failed);
    CHECK(http1_test::render_error(r.parser.error()) == "protocol:unexpected 101 Switching Protocols");
  }
}

TEST_CASE("response: 204, 304 and answers to HEAD have no body", "[http1][parser]") {
  SECTION("204 stops at the end of its head") {
    const std::string head = "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n";
    auto r = answer(head + "HTTP/1.1 200 OK\r\n");
    CHECK(r.used == head.size());
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.status() == 204);
    CHECK(r.parser.response().body.empty());
    CHECK(r.parser.keep_alive());
  }
  SECTION("204 with a (wrong) Content-Length still has no body") {
    const std::string head = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n";
    auto r = answer(head + "hello");
    CHECK(r.used == head.size());
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.response().body.empty());
  }
  SECTION("304") {
    const std::string head = "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n";
    auto r = answer(head);
    CHECK(r.used == head.size());
    CHECK(r.parser.state() == ParseState::complete);
  }
  SECTION("HEAD: Content-Length describes the GET's body, none follows") {
    Feed f;
    f.head_request = true;
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
    auto r = answer(head + "HTTP/1.1 200 OK\r\n", f);
    CHECK(r.used == head.size());
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.response().body.empty());
    CHECK(r.parser.keep_alive());
  }
  SECTION("HEAD with Transfer-Encoding: chunked") {
    Feed f;
    f.head_request = true;
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    auto r = answer(head + "0\r\n\r\n", f);
    CHECK(r.used == head.size());
    CHECK(r.parser.state() == ParseState::complete);
  }
  SECTION("HEAD over the body cap is fine: no body comes") {
    Feed f;
    f.head_request = true;
    f.limits.max_body_bytes = 10;
    auto r = answer("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", f);
    CHECK(r.parser.state() == ParseState::complete);
  }
  SECTION("the same bytes without the HEAD flag wait for the body") {
    auto r = answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    CHECK(r.parser.state() == ParseState::body);
  }
}

TEST_CASE("response: keep-alive follows the version and Connection", "[http1][parser]") {
  struct Row {
    std::string in;
    bool keep_alive;
  };
  auto row = GENERATE(values<Row>({
      {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true},
      {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true},
      {"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false},
      {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", true},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n", false},
      {"HTTP/1.1 204 No Content\r\n\r\n", true},
  }));
  CAPTURE(row.in);
  auto r = answer(row.in);
  CHECK(r.parser.state() == ParseState::complete);
  CHECK(r.parser.keep_alive() == row.keep_alive);
}

TEST_CASE("response: keep_alive() is false until the answer is complete", "[http1][parser]") {
  http1::ResponseParser p;
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
  CHECK(p.feed(head.data(), head.size()) == head.size());
  CHECK(p.state() == ParseState::body);
  CHECK_FALSE(p.keep_alive());
  CHECK(p.feed("ok", 2) == 2);
  CHECK(p.keep_alive());
}

TEST_CASE("response: two answers in one buffer: feed stops at the end of the first", "[http1][parser]") {
  auto r = answer(kTwoAnswers);
  auto& p = r.parser;
  const std::size_t first = std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").size();
  REQUIRE(r.used == first);
  CHECK(p.state() == ParseState::complete);
  CHECK(p.response().body == "hello");
  // Complete: nothing more is taken until reset().
  CHECK(p.feed(kTwoAnswers.data() + first, kTwoAnswers.size() - first) == 0);
  CHECK(p.response().body == "hello");
  p.reset();
  CHECK(p.state() == ParseState::head);
  CHECK(p.status() == 0);
  CHECK(p.response().headers.empty());
  CHECK(p.feed(kTwoAnswers.data() + first, kTwoAnswers.size() - first) == kTwoAnswers.size() - first);
  CHECK(p.state() == ParseState::complete);
  CHECK(p.status() == 404);
  CHECK(p.response().body.empty());
}

TEST_CASE("response: a chunked answer followed by another stops after the last chunk", "[http1][parser]") {
  const std::string first = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  auto r = answer(first + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK(r.used == first.size());
  CHECK(r.parser.response().body == "abc");
}

TEST_CASE("response: the header cap counts the whole head, at the limit or over", "[http1][parser]") {
  const std::string head = "HTTP/1.1 200 OK\r\nX-Filler: 0123456789\r\nContent-Length: 2\r\n\r\n";
  const std::string in = head + "ok";
  Feed f;
  SECTION("a head of exactly max_header_bytes passes") {
    f.limits.max_header_bytes = head.size();
    auto r = answer(in, f);
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.response().body == "ok");
  }
  SECTION("one byte more fails") {
    f.limits.max_header_bytes = head.size() - 1;
    auto r = answer(in, f);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK_FALSE(r.parser.head_complete());
    CHECK(http1_test::render_error(r.parser.error()) ==
          "protocol:header section over " + std::to_string(head.size() - 1) + " bytes");
  }
  SECTION("1xx heads count toward the same cap") {
    const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
    f.limits.max_header_bytes = cont.size() + head.size();
    CHECK(answer(cont + in, f).parser.state() == ParseState::complete);
    f.limits.max_header_bytes = cont.size() + head.size() - 1;
    CHECK(answer(cont + in, f).parser.state() == ParseState::failed);
  }
  SECTION("the body does not count") {
    const std::string long_head = "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n";
    f.limits.max_header_bytes = long_head.size();
    auto r = answer(long_head + std::string(200, 'b'), f);
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.response().body.size() == 200);
  }
}

TEST_CASE("response: an endless head is cut off one byte past the cap", "[http1][parser]") {
  http1::Limits limits;
  limits.max_header_bytes = 1024;
  http1::ResponseParser p(limits);
  std::string in = "HTTP/1.1 200 OK\r\n";
  while (in.size() < 1 << 20) in += "X-Filler: 0123456789abcdef\r\n";
  std::size_t used = p.feed(in.data(), in.size());
  CHECK(used == in.size());  // a failed parse takes the whole buffer
  CHECK(p.state() == ParseState::failed);
  CHECK(p.error().message == "header section over 1024 bytes");
  CHECK(p.response().headers.empty());
}

TEST_CASE("response: trailers count toward the header cap", "[http1][parser]") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string in = head + "0\r\nX-T: abc\r\n\r\n";
  Feed f;
  f.limits.max_header_bytes = head.size() + 6;  // + "X-T" + "abc"
  CHECK(answer(in, f).parser.state() == ParseState::complete);
  f.limits.max_header_bytes = head.size() + 5;
  auto r = answer(in, f);
  CHECK(r.parser.state() == ParseState::failed);
  CHECK(r.parser.error().message == "header section over " + std::to_string(head.size() + 5) + " bytes");
}

TEST_CASE("response: the body cap", "[http1][parser]") {
  Feed f;
  f.limits.max_body_bytes = 10;
  SECTION("Content-Length exactly at the cap") {
    auto r = answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", f);
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.response().body == "0123456789");
  }
  SECTION("a declared Content-Length over the cap fails at the head, before any body byte") {
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n";
    auto r = answer(head + "01234567890", f);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK_FALSE(r.parser.head_complete());
    CHECK(r.parser.response().body.empty());
    CHECK(http1_test::render_error(r.parser.error()) == "protocol:body over 10 bytes");
  }
  SECTION("a chunked body grows past the cap") {
    auto r = answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n", f);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK(r.parser.response().body.empty());
    CHECK(http1_test::render_error(r.parser.error()) == "protocol:body over 10 bytes");
  }
  SECTION("chunked exactly at the cap") {
    auto r = answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n0123\r\n6\r\n456789\r\n0\r\n\r\n", f);
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.response().body == "0123456789");
  }
  SECTION("a close-delimited body past the cap") {
    f.finish = true;
    auto r = answer("HTTP/1.1 200 OK\r\n\r\n0123456789X", f);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK(r.parser.response().body.empty());
    CHECK(r.parser.error().message == "body over 10 bytes");
  }
}

TEST_CASE("response: malformed answers fail with kind protocol", "[http1][parser]") {
  struct Row {
    std::string in;
    std::string message;
  };
  auto row = GENERATE(values<Row>({
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       "malformed HTTP/1.1 answer: Invalid character in chunk size (HPE_INVALID_CHUNK_SIZE)"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
       "malformed HTTP/1.1 answer: Invalid character in chunk size (HPE_INVALID_CHUNK_SIZE)"},
      {"HTTP/1.1 2x0 OK\r\n\r\n", "malformed HTTP/1.1 answer: Invalid response status (HPE_INVALID_STATUS)"},
      {"HTTP/1.1 20 OK\r\n\r\n", "malformed HTTP/1.1 answer: status code is not three digits"},
      {"HTTP/1.1 099 OK\r\n\r\n", "malformed HTTP/1.1 answer: status code is not three digits"},
      {"HTTP/1.1 2000 OK\r\n\r\n", "malformed HTTP/1.1 answer: Response overflow (HPE_INVALID_STATUS)"},
      {"HTTX/1.1 200 OK\r\n\r\n", "malformed HTTP/1.1 answer: Expected HTTP/ (HPE_INVALID_CONSTANT)"},
      {"hello world\r\n\r\n", "malformed HTTP/1.1 answer: Expected HTTP/ (HPE_INVALID_CONSTANT)"},
      {"HTTP/2.0 200 OK\r\n\r\n", "unsupported HTTP version in the answer's head"},
      {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "malformed HTTP/1.1 answer: header name is not a token"},
      {"HTTP/1.1 200 OK\r\nX-Name : 0\r\n\r\n", "malformed HTTP/1.1 answer: header name is not a token"},
      {"HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
       "malformed HTTP/1.1 answer: Invalid header field char (HPE_INVALID_HEADER_TOKEN)"},
      {"HTTP/1.1 200 OK\r\nBad\x01Name: x\r\n\r\n",
       "malformed HTTP/1.1 answer: Invalid header token (HPE_INVALID_HEADER_TOKEN)"},
      {"HTTP/1.1 200 OK\r\nName: a\x01z\r\n\r\n",
       "malformed HTTP/1.1 answer: Invalid header value char (HPE_INVALID_HEADER_TOKEN)"},
      {"HTTP/1.1 200 OK\r\nName: a\rX: b\r\n\r\n",
       "malformed HTTP/1.1 answer: Missing expected LF after header value (HPE_LF_EXPECTED)"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
       "malformed HTTP/1.1 answer: Duplicate Content-Length (HPE_UNEXPECTED_CONTENT_LENGTH)"},
      {"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
       "malformed HTTP/1.1 answer: Invalid character in Content-Length (HPE_INVALID_CONTENT_LENGTH)"},
      // Both framings at once is the request-smuggling shape: refused.
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
       "malformed HTTP/1.1 answer: Content-Length can't be present with Transfer-Encoding "
       "(HPE_UNEXPECTED_CONTENT_LENGTH)"},
  }));
  CAPTURE(row.in);
  auto r = answer(row.in);
  CHECK(r.parser.state() == ParseState::failed);
  CHECK(r.parser.error().kind == Kind::protocol);
  CHECK(r.parser.error().message == row.message);
  CHECK_FALSE(r.parser.keep_alive());
}

TEST_CASE("response: EOF before a whole answer fails with kind closed", "[http1][parser]") {
  Feed f;
  f.finish = true;
  SECTION("Content-Length longer than the data") {
    auto r = answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", f);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK(http1_test::render_error(r.parser.error()) == "closed:connection closed in the answer's body");
    // A failed answer is emptied: the partial body is not mistaken for one.
    CHECK(r.parser.response().body.empty());
    CHECK(r.parser.status() == 0);
  }
  SECTION("in the middle of a chunk") {
    auto r = answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", f);
    CHECK(http1_test::render_error(r.parser.error()) == "closed:connection closed in the answer's body");
  }
  SECTION("in the head") {
    auto r = answer("HTTP/1.1 200 OK\r\nContent-Le", f);
    CHECK(http1_test::render_error(r.parser.error()) == "closed:connection closed in the answer's head");
  }
  SECTION("after 100 Continue only") {
    auto r = answer("HTTP/1.1 100 Continue\r\n\r\n", f);
    CHECK(r.parser.saw_continue());
    CHECK(http1_test::render_error(r.parser.error()) == "closed:connection closed in the answer's head");
  }
  SECTION("before any byte") {
    http1::ResponseParser p;
    p.finish();
    CHECK(p.state() == ParseState::failed);
    CHECK(http1_test::render_error(p.error()) == "closed:connection closed before an answer");
  }
  SECTION("finish() after a complete answer changes nothing") {
    auto r = answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", f);
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.keep_alive());
  }
}

TEST_CASE("response: errors are sticky until reset()", "[http1][parser]") {
  http1::ResponseParser p;
  std::string bad = "HTTP/1.1 2x0 OK\r\n\r\n";
  p.feed(bad.data(), bad.size());
  REQUIRE(p.state() == ParseState::failed);
  const std::string message = p.error().message;
  std::string good = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  CHECK(p.feed(good.data(), good.size()) == 0);
  p.finish();
  CHECK(p.state() == ParseState::failed);
  CHECK(p.error().message == message);
  p.reset();
  CHECK(p.state() == ParseState::head);
  CHECK(p.error().message.empty());
  CHECK(p.feed(good.data(), good.size()) == good.size());
  CHECK(p.state() == ParseState::complete);
}

TEST_CASE("response: a parser moved mid-answer carries on", "[http1][parser]") {
  http1::ResponseParser a;
  std::string in = "HTTP/1.1 200 OK\r\nX-Long-Header: abcdefgh\r\nContent-Length: 4\r\n\r\nbody";
  const std::size_t cut = 25;  // inside the header value: llhttp holds a span
  CHECK(a.feed(in.data(), cut) == cut);
  http1::ResponseParser b(std::move(a));
  CHECK(b.feed(in.data() + cut, 30) == 30);
  http1::ResponseParser c;
  c = std::move(b);
  CHECK(c.feed(in.data() + cut + 30, in.size() - cut - 30) == in.size() - cut - 30);
  CHECK(c.state() == ParseState::complete);
  REQUIRE(c.response().headers.size() == 2);
  CHECK(c.response().headers[0].value == "abcdefgh");
  CHECK(c.response().body == "body");
  SECTION("a moved-from parser is safe to query, and reset() revives it") {
    CHECK(a.state() == ParseState::failed);
    CHECK(a.feed(in.data(), in.size()) == 0);
    CHECK(a.error().kind == Kind::other);
    CHECK(a.response().body.empty());
    a.reset();
    CHECK(a.feed(in.data(), in.size()) == in.size());
    CHECK(a.state() == ParseState::complete);
  }
}

TEST_CASE("response: take_response moves the answer out; keep_alive still answers", "[http1][parser]") {
  http1::ResponseParser p;
  std::string in = "HTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Length: 3\r\n\r\nabc";
  p.feed(in.data(), in.size());
  Response r = p.take_response();
  CHECK(r.status == 201);
  CHECK(r.body == "abc");
  REQUIRE(r.headers.size() == 2);
  CHECK(p.state() == ParseState::complete);
  CHECK(p.keep_alive());
  CHECK(p.response().body.empty());
}

// --- RequestParser: the fake server's side --------------------------------

TEST_CASE("request: GET without a body", "[http1][parser][request]") {
  const std::string in =
      "GET /v1/datasets/ds_1/imports/imp_2?x=%2F&y HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
      "Authorization: Bearer secret\r\n\r\n";
  auto r = request(in + "GET /next HTTP/1.1\r\n");
  const auto& q = r.parser.request();
  CHECK(r.used == in.size());
  CHECK(r.parser.state() == ParseState::complete);
  CHECK(q.method == "GET");
  CHECK(q.target == "/v1/datasets/ds_1/imports/imp_2?x=%2F&y");
  REQUIRE(q.headers.size() == 2);
  CHECK(q.headers[0].name == "Host");
  CHECK(q.headers[1].value == "Bearer secret");
  CHECK(q.body.empty());
  CHECK_FALSE(q.expect_continue);
  CHECK(q.keep_alive);
}

TEST_CASE("request: PUT with a Content-Length body", "[http1][parser][request]") {
  const std::string in =
      "PUT /bucket/key?X-Amz-Signature=abc HTTP/1.1\r\nHost: s3\r\nContent-Type: application/jsonl\r\n"
      "Content-Length: 11\r\nConnection: close\r\n\r\n{\"a\":1}\n{}\n";
  auto r = request(in);
  const auto& q = r.parser.request();
  CHECK(r.used == in.size());
  CHECK(r.parser.state() == ParseState::complete);
  CHECK(q.method == "PUT");
  CHECK(q.body == "{\"a\":1}\n{}\n");
  CHECK_FALSE(q.keep_alive);
}

TEST_CASE("request: Expect: 100-continue: the head is complete before the body", "[http1][parser][request]") {
  const std::string head = "PUT /up HTTP/1.1\r\nHost: s3\r\nContent-Length: 4\r\nExpect: 100-Continue\r\n\r\n";
  http1::RequestParser p;
  CHECK(p.feed(head.data(), head.size()) == head.size());
  CHECK(p.head_complete());
  CHECK(p.state() == ParseState::body);
  CHECK(p.request().expect_continue);
  CHECK(p.request().method == "PUT");
  CHECK(p.request().body.empty());
  // The server answers "100 Continue" here; the body follows.
  CHECK(p.feed("da", 2) == 2);
  CHECK(p.state() == ParseState::body);
  CHECK(p.feed("ta", 2) == 2);
  CHECK(p.state() == ParseState::complete);
  http1::ParsedRequest q = p.take_request();
  CHECK(q.body == "data");
  CHECK(q.expect_continue);
  SECTION("all ways of cutting agree") {
    auto r = request(head + "data");
    CHECK(r.parser.state() == ParseState::complete);
    CHECK(r.parser.request().body == "data");
  }
}

TEST_CASE("request: chunked body and keep-alive by version", "[http1][parser][request]") {
  auto r = request("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: 1\r\n\r\n");
  CHECK(r.parser.state() == ParseState::complete);
  CHECK(r.parser.request().body == "abc");
  CHECK(r.parser.request().headers.size() == 1);
  CHECK(request("GET / HTTP/1.0\r\n\r\n").parser.request().keep_alive == false);
  CHECK(request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").parser.request().keep_alive == true);
}

TEST_CASE("request: pipelined requests are taken one at a time", "[http1][parser][request]") {
  const std::string a = "PUT /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nA";
  const std::string b = "GET /b HTTP/1.1\r\n\r\n";
  const std::string in = a + b;
  http1::RequestParser p;
  CHECK(p.feed(in.data(), in.size()) == a.size());
  CHECK(p.request().target == "/a");
  CHECK(p.request().body == "A");
  p.reset();
  CHECK(p.feed(in.data() + a.size(), b.size()) == b.size());
  CHECK(p.request().target == "/b");
  CHECK(p.request().body.empty());
}

TEST_CASE("request: caps", "[http1][parser][request]") {
  const std::string head = "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n\r\n";
  Feed f;
  SECTION("header cap at and over the limit") {
    f.limits.max_header_bytes = head.size();
    CHECK(request(head + "12345678", f).parser.state() == ParseState::complete);
    f.limits.max_header_bytes = head.size() - 1;
    auto r = request(head + "12345678", f);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK_FALSE(r.parser.head_complete());
    CHECK(http1_test::render_error(r.parser.error()) ==
          "protocol:header section over " + std::to_string(head.size() - 1) + " bytes");
  }
  SECTION("a long target counts toward the header cap") {
    f.limits.max_header_bytes = 64;
    auto r = request("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", f);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK(r.parser.request().target.empty());
  }
  SECTION("body cap by Content-Length fails at the head") {
    f.limits.max_body_bytes = 7;
    auto r = request(head + "12345678", f);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK(r.parser.request().body.empty());
    CHECK(r.parser.error().message == "body over 7 bytes");
    f.limits.max_body_bytes = 8;
    CHECK(request(head + "12345678", f).parser.state() == ParseState::complete);
  }
  SECTION("chunked body over the cap") {
    f.limits.max_body_bytes = 4;
    auto r = request("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", f);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK(r.parser.request().body.empty());
    CHECK(r.parser.error().message == "body over 4 bytes");
  }
}

TEST_CASE("request: malformed requests and EOF", "[http1][parser][request]") {
  SECTION("bad request lines") {
    auto bad = GENERATE(as<std::string>{}, "GET\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n",
                        "GET / HTTP/3.0\r\n\r\n", "PUT / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                        "PUT / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello",
                        "PUT / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    CAPTURE(bad);
    auto r = request(bad);
    CHECK(r.parser.state() == ParseState::failed);
    CHECK(r.parser.error().kind == Kind::protocol);
  }
  SECTION("EOF on an idle connection") {
    http1::RequestParser p;
    p.finish();
    CHECK(http1_test::render_error(p.error()) == "closed:connection closed before a request");
  }
  SECTION("EOF in the body") {
    Feed f;
    f.finish = true;
    auto r = request("PUT / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", f);
    CHECK(http1_test::render_error(r.parser.error()) == "closed:connection closed in the request's body");
  }
}

TEST_CASE("request: an Upgrade offer is parsed as a plain request (the server may ignore it)", "[http1][parser][request]") {
  const std::string a = "GET /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n";
  auto r = request(a + "GET /next HTTP/1.1\r\n\r\n");
  CHECK(r.used == a.size());
  CHECK(r.parser.state() == ParseState::complete);
  CHECK(r.parser.request().target == "/x");
  CHECK(r.parser.request().keep_alive);
}

TEST_CASE("http1 parser: a body over the cap fails, but keeps the head for classifying by status") {
  http1::Limits limits;
  limits.max_body_bytes = 16;
  SECTION("declared by Content-Length") {
    http1::ResponseParser p(limits);
    const std::string bytes = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: 100\r\n\r\n";
    p.feed(bytes.data(), bytes.size());
    REQUIRE(p.state() == http1::ParseState::failed);
    CHECK(p.error().kind == TransportError::Kind::protocol);
    REQUIRE(p.oversized_answer());
    CHECK(p.oversized_answer()->status == 403);
    CHECK(p.oversized_answer()->body.empty());
    CHECK(find_header(p.oversized_answer()->headers, "Content-Type") != nullptr);
    p.reset();
    CHECK_FALSE(p.oversized_answer());
  }
  SECTION("chunked, found out while reading") {
    http1::ResponseParser p(limits);
    const std::string bytes = "HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + std::string(32, 'x');
    p.feed(bytes.data(), bytes.size());
    REQUIRE(p.state() == http1::ParseState::failed);
    REQUIRE(p.oversized_answer());
    CHECK(p.oversized_answer()->status == 403);
  }
  SECTION("any other failure keeps nothing") {
    http1::ResponseParser p(limits);
    const std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n";
    p.feed(bytes.data(), bytes.size());
    REQUIRE(p.state() == http1::ParseState::failed);
    CHECK_FALSE(p.oversized_answer());
  }
}

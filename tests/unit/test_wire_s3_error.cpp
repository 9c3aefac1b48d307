// S3's XML error bodies (docs/service.md, step 2): the shapes S3 sends, entity
// decoding, and the bounded reader's behaviour on everything else.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/wire/s3_error.hpp>

using namespace upstate;

TEST_CASE("S3 error: an expired URL", "[wire][s3_error]") {
  auto r = parse_s3_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Error><Code>AccessDenied</Code><Message>Request has expired</Message>"
      "<X-Amz-Expires>3600</X-Amz-Expires><Expires>2026-11-28T13:00:00Z</Expires>"
      "<ServerTime>2026-11-28T13:05:00Z</ServerTime><RequestId>4442587FB7D0A2F9</RequestId>"
      "<HostId>abc/def=</HostId></Error>");
  REQUIRE(r.ok());
  CHECK(r->code == "AccessDenied");
  CHECK(r->message == "Request has expired");
  REQUIRE(r->fields.size() == 5);
  CHECK(r->fields[0] == std::make_pair(std::string("X-Amz-Expires"), std::string("3600")));
  CHECK(r->fields[4].first == "HostId");
  REQUIRE(r->field("Expires"));
  CHECK(*r->field("Expires") == "2026-11-28T13:00:00Z");
  REQUIRE(r->field("ServerTime"));
  CHECK(*r->field("ServerTime") == "2026-11-28T13:05:00Z");
  CHECK(r->field("Code") == nullptr);  // code and message are not repeated in fields
  CHECK(r->field("Missing") == nullptr);
}

TEST_CASE("S3 error: a signature mismatch keeps the canonical request, decoded", "[wire][s3_error]") {
  auto r = parse_s3_error(
      "<Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not match the signature you provided.</Message>"
      "<StringToSign>AWS4-HMAC-SHA256\n20261128T120000Z</StringToSign>"
      "<CanonicalRequest>PUT\n/k\nX-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Date=20261128T120000Z\n"
      "content-type:text/csv\n</CanonicalRequest></Error>");
  REQUIRE(r.ok());
  CHECK(r->code == "SignatureDoesNotMatch");
  REQUIRE(r->field("CanonicalRequest"));
  CHECK(*r->field("CanonicalRequest") ==
        "PUT\n/k\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261128T120000Z\ncontent-type:text/csv\n");
  REQUIRE(r->field("StringToSign"));
  CHECK(*r->field("StringToSign") == "AWS4-HMAC-SHA256\n20261128T120000Z");
}

TEST_CASE("S3 error: entities", "[wire][s3_error]") {
  struct Row {
    const char* raw;
    std::string decoded;
  };
  auto row = GENERATE(values<Row>({
      {"&amp;&lt;&gt;&quot;&apos;", "&<>\"'"},
      {"&#65;&#x41;&#X41;", "AA&#X41;"},  // XML's hex marker is lower-case 'x' only
      {"caf&#xe9;", "caf\xC3\xA9"},
      {"&#x20AC;", "\xE2\x82\xAC"},
      {"&#x1F600;", "\xF0\x9F\x98\x80"},
      {"&#x10FFFF;", "\xF4\x8F\xBF\xBF"},
      {"&#127;", "\x7F"},
      {"a & b", "a & b"},                       // a bare '&' is kept
      {"&amp", "&amp"},                         // no ';'
      {"&nbsp;", "&nbsp;"},                     // not predefined
      {"&#0;", "&#0;"},                         // NUL is not a character XML allows
      {"&#xD800;", "&#xD800;"},                 // surrogate
      {"&#x110000;", "&#x110000;"},             // past Unicode
      {"&#99999999999999999999;", "&#99999999999999999999;"},  // too long to be a reference
      {"&#4294967361;", "&#4294967361;"},       // would wrap a 32-bit value to 'A'
      {"&#;&#x;&#-1;", "&#;&#x;&#-1;"},
      {"&amp;amp;", "&amp;"},                   // decoded once
  }));
  CAPTURE(row.raw);
  auto r = parse_s3_error(std::string("<Error><Code>C</Code><Message>") + row.raw + "</Message></Error>");
  REQUIRE(r.ok());
  CHECK(r->message == row.decoded);
}

TEST_CASE("S3 error: layout variations S3-compatible servers produce", "[wire][s3_error]") {
  SECTION("no XML declaration") {
    auto r = parse_s3_error("<Error><Code>SlowDown</Code></Error>");
    REQUIRE(r.ok());
    CHECK(r->code == "SlowDown");
    CHECK(r->message == "");
    CHECK(r->fields.empty());
  }
  SECTION("byte-order mark, declaration, pretty-printing and comments") {
    auto r = parse_s3_error(
        "\xEF\xBB\xBF<?xml version=\"1.0\"?>\r\n<!-- generated -->\n<Error xmlns=\"http://s3.amazonaws.com/doc/\">\n"
        "  <Code>NoSuchUpload</Code>\n  <!-- between -->\n  <Message>gone</Message>\n</Error>\n");
    REQUIRE(r.ok());
    CHECK(r->code == "NoSuchUpload");
    CHECK(r->message == "gone");
  }
  SECTION("an empty element and one with attributes") {
    auto r = parse_s3_error(
        R"(<Error><Code>NotImplemented</Code><Resource/><Header a="1">Transfer-Encoding</Header></Error>)");
    REQUIRE(r.ok());
    REQUIRE(r->fields.size() == 2);
    CHECK(r->fields[0] == std::make_pair(std::string("Resource"), std::string("")));
    CHECK(r->fields[1] == std::make_pair(std::string("Header"), std::string("Transfer-Encoding")));
  }
  SECTION("a child holding elements is skipped; its siblings are still read") {
    auto r = parse_s3_error("<Error><Details><A>1</A></Details><Code>X</Code><Message>m</Message></Error>");
    REQUIRE(r.ok());
    CHECK(r->code == "X");
    CHECK(r->message == "m");
    CHECK(r->fields.empty());
  }
  SECTION("a repeated Code or Message goes to fields") {
    auto r = parse_s3_error("<Error><Code>A</Code><Code>B</Code><Message>m1</Message><Message>m2</Message></Error>");
    REQUIRE(r.ok());
    CHECK(r->code == "A");
    CHECK(r->message == "m1");
    REQUIRE(r->fields.size() == 2);
    CHECK(r->fields[0] == std::make_pair(std::string("Code"), std::string("B")));
    CHECK(r->fields[1] == std::make_pair(std::string("Message"), std::string("m2")));
  }
  SECTION("text is kept verbatim, spaces included") {
    auto r = parse_s3_error("<Error><Code>X</Code><Message> two  spaces </Message></Error>");
    REQUIRE(r.ok());
    CHECK(r->message == " two  spaces ");
  }
}

TEST_CASE("S3 error: a body cut short keeps what was read", "[wire][s3_error]") {
  SECTION("cut inside the message") {
    auto r = parse_s3_error("<Error><Code>SignatureDoesNotMatch</Code><Message>The request sig");
    REQUIRE(r.ok());
    CHECK(r->code == "SignatureDoesNotMatch");
    CHECK(r->message == "");
  }
  SECTION("cut inside a tag name") {
    auto r = parse_s3_error("<Error><Code>SlowDown</Code><Mess");
    REQUIRE(r.ok());
    CHECK(r->code == "SlowDown");
  }
  SECTION("reading stops at an over-long element name") {
    std::string name(65, 'N');
    auto r = parse_s3_error("<Error><Code>X</Code><" + name + ">v</" + name + "><Message>m</Message></Error>");
    REQUIRE(r.ok());
    CHECK(r->code == "X");
    CHECK(r->message == "");
    CHECK(r->fields.empty());
  }
}

TEST_CASE("S3 error: bodies without an Error and a Code are malformed", "[wire][s3_error][malformed]") {
  struct Row {
    const char* what;
    std::string body;
    const char* message;
  };
  auto row = GENERATE(values<Row>({
      {"empty", "", "S3 error body: no <Error> element"},
      {"plain text", "Service Unavailable", "S3 error body: no <Error> element"},
      {"JSON", R"({"Code":"AccessDenied"})", "S3 error body: no <Error> element"},
      {"another root element", "<ErrorResponse><Code>X</Code></ErrorResponse>", "S3 error body: no <Error> element"},
      {"self-closing Error", "<Error/>", "S3 error body: no <Error> element"},
      {"unterminated Error tag", "<Error", "S3 error body: no <Error> element"},
      {"unterminated declaration", "<?xml version=\"1.0\"", "S3 error body: unterminated XML declaration"},
      {"unterminated comment", "<!-- <Error><Code>X</Code></Error>", "S3 error body: no <Error> element"},
      {"empty Error", "<Error></Error>", "S3 error body: no <Code> in <Error>"},
      {"no Code", "<Error><Message>Access Denied</Message></Error>", "S3 error body: no <Code> in <Error>"},
      {"empty Code", "<Error><Code></Code><Message>m</Message></Error>", "S3 error body: no <Code> in <Error>"},
      {"Code cut short", "<Error><Code>AccessDen", "S3 error body: no <Code> in <Error>"},
      {"Code after Error closed", "<Error></Error><Code>X</Code>", "S3 error body: no <Code> in <Error>"},
      {"NUL bytes", std::string("\0\0\0", 3), "S3 error body: no <Error> element"},
  }));
  CAPTURE(row.what);
  auto r = parse_s3_error(row.body);
  REQUIRE_FALSE(r.ok());
  CHECK(to_string(r.error().code) == "malformed_answer");
  CHECK(r.error().path == "");
  CHECK(r.error().message == row.message);
}

TEST_CASE("S3 error: bounded work on hostile bodies", "[wire][s3_error][limits]") {
  SECTION("over the cap") {
    ParseLimits limits;
    limits.max_body_bytes = 64 * 1024;
    auto r = parse_s3_error("<Error><Code>X</Code><Message>" + std::string(64 * 1024, 'm') + "</Message></Error>",
                            limits);
    REQUIRE_FALSE(r.ok());
    CHECK(to_string(r.error().code) == "malformed_answer");
    CHECK(r.error().message == "answer of 65584 bytes exceeds the 65536-byte cap");
  }
  SECTION("a 100 MB body is refused by the default cap") {
    auto r = parse_s3_error("<Error><Code>X</Code><Message>" + std::string(100u << 20, 'm') + "</Message></Error>");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "answer of 104857648 bytes exceeds the 16777216-byte cap");
  }
  SECTION("100000 nested elements: skipped without recursion") {
    std::string open, close;
    for (int i = 0; i < 100000; ++i) open += "<A>", close += "</A>";
    auto r = parse_s3_error("<Error><Code>X</Code>" + open + close + "</Error>");
    REQUIRE(r.ok());
    CHECK(r->code == "X");
    CHECK(r->fields.empty());
  }
  SECTION("many unclosed tags stop at the first") {
    std::string tags;
    for (int i = 0; i < 100000; ++i) tags += "<A>";
    auto r = parse_s3_error("<Error><Code>X</Code>" + tags);
    REQUIRE(r.ok());
    CHECK(r->code == "X");
  }
  SECTION("many small children are all kept") {
    std::string children;
    for (int i = 0; i < 1000; ++i) {
      std::string n = std::to_string(i);
      children += "<F" + n + ">" + n + "</F" + n + ">";
    }
    auto r = parse_s3_error("<Error>" + children + "<Code>X</Code></Error>");
    REQUIRE(r.ok());
    REQUIRE(r->fields.size() == 1000);
    CHECK(r->fields[999] == std::make_pair(std::string("F999"), std::string("999")));
  }
}

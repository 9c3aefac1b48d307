// Issue 12 items 1-3, 13, 14 in the library: server text that reaches
// people (control bytes escaped, valid UTF-8), the token taken out of
// everything a machine hands back (redacted before any cut), plain-http
// upload URLs and host-name syntax refused before any lookup, and retries
// announced only when they will happen.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/machine/dataset_fetch.hpp>
#include <upstate/detail/host_name.hpp>
#include <upstate/detail/terminal_text.hpp>
#include <upstate/detail/excerpt.hpp>
#include <upstate/machine/upload.hpp>

#include "support/answers.hpp"
#include "support/upload_config.hpp"

using namespace upstate;
using test::at;

namespace {

UploadConfig config() { return test::upload_config(); }

Outcome done(const Action& a) {
  REQUIRE(std::holds_alternative<Done>(a));
  return std::get<Done>(a).outcome;
}

// No byte below 0x20, no DEL, no C1 control, nothing but valid UTF-8.
bool terminal_clean(const std::string& s) {
  if (valid_utf8(s) != s) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return false;
  }
  return true;
}

// Not the token, nor the first 8 bytes of it (what a cut would leave).
bool token_free(const std::string& s) { return s.find(test::kToken.substr(0, 8)) == std::string::npos; }

}  // namespace

TEST_CASE("terminal text: control bytes, C1 controls and non-UTF-8 bytes are escaped, text is kept") {
  CHECK(terminal_safe("id\x1b]0;PWNED\x07\x1b[2J") == "id\\x1b]0;PWNED\\x07\\x1b[2J");
  CHECK(terminal_safe("a\nfile: complete") == "a\\x0afile: complete");
  CHECK(terminal_safe("del\x7f") == "del\\x7f");
  CHECK(terminal_safe("csi\xc2\x9b" "2J") == "csi\\xc2\\x9b2J");  // U+009B, the 8-bit CSI
  CHECK(terminal_safe("raw\x9b" "2J") == "raw\\x9b2J");
  CHECK(terminal_safe("\xff\xfe") == "\\xff\\xfe");
  CHECK(terminal_safe("caf\xc3\xa9 \xe2\x9c\x93 \"q\" \\") == "caf\xc3\xa9 \xe2\x9c\x93 \"q\" \\");
  CHECK(printable_excerpt("\"\x1b\xff") == "\\\"\\x1b\\xff");
  CHECK(terminal_clean(printable_excerpt(std::string("\xc2\x85\xe0\x80\xaf\xed\xa0\x80\x1b", 9))));
}

TEST_CASE("valid_utf8: each byte that is not part of valid UTF-8 becomes U+FFFD, valid text is kept") {
  CHECK(valid_utf8("ok \xc3\xa9") == "ok \xc3\xa9");
  CHECK(valid_utf8("\xff\xfe") == "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(valid_utf8("latin1 caf\xe9") == "latin1 caf\xef\xbf\xbd");
  CHECK(valid_utf8("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");          // overlong
  CHECK(valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
  CHECK(valid_utf8("cut \xe2\x9c") == "cut \xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("redact: a token cut by a cap or an excerpt is redacted too") {
  const std::string t = test::kToken;
  CHECK(redact("x " + t + " y", t) == "x [redacted] y");
  CHECK(redact("cut " + t.substr(0, 10), t) == "cut [redacted]");
  CHECK(redact("'" + t.substr(0, 9) + "...'", t) == "'[redacted]...'");
  CHECK(redact(t.substr(0, 7) + "...", t) == t.substr(0, 7) + "...");  // 7 bytes: not enough to tell
  CHECK(redact("secret-tokens are fine", t) == "secret-tokens are fine");
  // Redact first, then cut: the excerpt of a long text around the token.
  const std::string text = std::string(190, 'm') + t + " tail";
  CHECK(token_free(printable_excerpt(redact(text, t), 200)));
  CHECK(token_free(redact(printable_excerpt(text, 200), t)));
}

TEST_CASE("an import_id holding a control byte is refused at step 1: malformed_answer at $.import_id") {
  for (const std::string id : {"id\\u001b]0;PWNED\\u0007", "a\\nfile: complete", "x\\u007f"}) {
    CAPTURE(id);
    Upload up{config(), {"reviews.jsonl", 10}};
    up.start(at(0));
    Outcome o = done(up.on_response(test::url_answer(id), at(1)));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::malformed_answer);
    CHECK(o.error()->path == "$.import_id");
    CHECK(terminal_clean(to_string(*o.error())));
  }
  // --resume and state files are held to the same rule.
  Upload resumed = Upload::resume_import(config(), "id\x1b[2J");
  Outcome o = done(resumed.start(at(0)));
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::invalid_argument);
}

TEST_CASE("the token is redacted before the cut: import-id mismatch (80), S3 Message (200), Content-Type (100)") {
  const std::string t = test::kToken;
  SECTION("a poll answer about another import, whose id holds the token at the cut") {
    Upload up{config(), {"reviews.jsonl", 10}};
    up.start(at(0));
    up.on_response(test::url_answer(), at(1));
    up.on_response(test::answer(200), at(2));
    Outcome o = done(up.on_response(test::import_answer("processing", "", std::string(72, 'a') + t), at(3)));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::malformed_answer);
    CHECK(token_free(o.error()->message));
    CHECK(token_free(to_string(*o.error())));
  }
  SECTION("an S3 error whose Message holds the token at byte 195") {
    Upload up{config(), {"reviews.jsonl", 10}};
    up.start(at(0));
    up.on_response(test::url_answer(), at(1));
    Outcome o = done(up.on_response(test::s3_error(403, "AccessDenied", std::string(195, 'm') + t), at(2)));
    REQUIRE(o.error());
    CHECK(token_free(o.error()->message));
  }
  SECTION("a SignatureDoesNotMatch quoting a Content-Type that holds the token at byte 95, and a Code echoing it") {
    Upload up{config(), {"reviews.jsonl", 10}};
    up.start(at(0));
    up.on_response(test::url_answer(test::kImport, test::kUploadUrl,
                                    R"(,"content_type":")" + std::string(95, 'c') + t + R"(")"),
                   at(1));
    Outcome o = done(up.on_response(test::s3_error(403, "SignatureDoesNotMatch", "no"), at(2)));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::signature_mismatch);
    CHECK(token_free(o.error()->message));
  }
  SECTION("an S3 Code that echoes the token (server_code, to_string)") {
    Upload up{config(), {"reviews.jsonl", 10}};
    up.start(at(0));
    up.on_response(test::url_answer(), at(1));
    Outcome o = done(up.on_response(test::s3_error(400, "X" + t, "m"), at(2)));
    REQUIRE(o.error());
    CHECK(token_free(o.error()->server_code));
    CHECK(token_free(to_string(*o.error())));
  }
}

TEST_CASE("report fields never hold the token: failed reason, errors[].field/reason, V3 ERROR reason") {
  const std::string t = test::kToken;
  SECTION("V4 report") {
    Upload up{config(), {"reviews.jsonl", 10}};
    up.start(at(0));
    up.on_response(test::url_answer(), at(1));
    up.on_response(test::answer(200), at(2));
    Outcome o = done(up.on_response(
        test::import_answer("partial", R"(,"reason":"echo )" + t + R"(","accepted_count":1,"rejected_count":1,)"
                                           R"("errors":[{"record_index":0,"field":")" + t + R"(","reason":"bad )" + t +
                                           R"("}])"),
        at(3)));
    REQUIRE(o.report());
    REQUIRE(o.report()->reason);
    CHECK(token_free(*o.report()->reason));
    CHECK(*o.report()->reason == "echo [redacted]");
    REQUIRE(o.report()->errors.size() == 1);
    CHECK(o.report()->errors[0].field == "[redacted]");
    CHECK(o.report()->errors[0].reason == "bad [redacted]");
    CHECK(token_free(std::string(o.report()->errors[0].raw)));
  }
  SECTION("a reason past the cut of the raw item text (max_raw_item_bytes)") {
    UploadConfig c = config();
    c.limits.max_raw_item_bytes = 16;
    Upload up{c, {"reviews.jsonl", 10}};
    up.start(at(0));
    up.on_response(test::url_answer(), at(1));
    up.on_response(test::answer(200), at(2));
    Outcome o = done(up.on_response(
        test::import_answer("partial", R"(,"rejected_count":1,"errors":[{"record_index":0,"field":"a","reason":")" +
                                           std::string(40, 'r') + t + R"("}])"),
        at(3)));
    REQUIRE(o.report());
    REQUIRE(o.report()->errors.size() == 1);
    CHECK(o.report()->errors[0].raw.size() <= 16);
    CHECK(token_free(std::string(o.report()->errors[0].reason)));
  }
  SECTION("V3 ERROR reason") {
    Upload up{config(), {"answers.csv", 10}};
    up.start(at(0));
    up.on_response(test::answer(200,
                                R"({"upload_url":")" + test::kUploadUrl + R"(","http_method":"PUT"})",
                                {{"Date", test::kDate}}),
                   at(1));
    up.on_response(test::answer(200), at(2));
    // At 30 s: past PollPolicy::legacy_settle, so an ERROR unchanged since the PUT counts (legacy_freshness.hpp).
    Outcome o = done(up.on_response(test::answer(200, R"({"status":"ERROR","reason":"token )" + t + R"("})"), at(30)));
    REQUIRE(o.report());
    REQUIRE(o.report()->reason);
    CHECK(*o.report()->reason == "token [redacted]");
  }
}

TEST_CASE("dataset fetch: name, schema and imports of the answer never hold the token") {
  const std::string t = test::kToken;
  DatasetFetch fetch{config()};
  fetch.start(at(0));
  auto a = fetch.on_response(
      test::answer(200, R"({"id":"ds1","name":"n )" + t + R"(","schema_version":4,"schema":{"fields":{")" + t +
                            R"(":{"type":"text","label":")" + t + R"("}}},"imports":[{"import_id":"i","status":")" +
                            t + R"("}]})"),
      at(1));
  REQUIRE(std::holds_alternative<DatasetFetched>(a));
  Result<Dataset> d = std::get<DatasetFetched>(a).result;
  REQUIRE(d.ok());
  CHECK(d->name == "n [redacted]");
  REQUIRE(d->schema);
  REQUIRE(d->schema->fields.size() == 1);
  CHECK(d->schema->fields[0].name == "[redacted]");
  CHECK(d->schema->fields[0].label == "[redacted]");
  REQUIRE(d->imports.size() == 1);
  CHECK(d->imports[0].status == "[redacted]");
}

TEST_CASE("host syntax: server URLs with a host that is not a name or an address are refused before any lookup") {
  for (const char* good : {"s3.example.test", "localhost", "127.0.0.1", "::1", "a-b_c.example.", "10.0.0.255"}) {
    CAPTURE(good);
    CHECK(is_valid_host(good));
  }
  for (const char* bad : {"", "ex%41mple.test", "0x7f.1", "127.1", "2130706433", "010.0.0.1", "256.1.1.1",
                          "-lead.example", "trail-.example", "a..b", "fe80::1%eth0", "exa\xc3\xa9mple.test",
                          "semi;colon.test"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_host(bad));
  }
  CHECK_FALSE(is_valid_host(std::string(64, 'a') + ".test"));
  Upload up{config(), {"reviews.jsonl", 10}};
  up.start(at(0));
  Action a = up.on_response(test::url_answer(test::kImport, "https://0x7f.1/k?X-Amz-Signature=1"), at(1));
  Outcome o = done(a);  // no PUT: nothing was looked up
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::malformed_answer);
  CHECK(o.error()->path == "$.upload_url");
}

TEST_CASE("mixed schemes: an http upload URL from an https API is refused (insecure_upload_url)") {
  const std::string http_url = "http://s3.example.test/k?X-Amz-Signature=1";
  SECTION("https API: refused before the PUT") {
    Upload up{config(), {"reviews.jsonl", 10}};
    up.start(at(0));
    Outcome o = done(up.on_response(test::url_answer(test::kImport, http_url), at(1)));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::insecure_upload_url);
    CHECK(o.error()->path == "$.upload_url");
    CHECK(to_string(ErrorCode::insecure_upload_url) == "insecure_upload_url");
  }
  SECTION("https loopback API: refused too") {
    UploadConfig c = config();
    c.api_base = "https://127.0.0.1:8443/api";
    Upload up{c, {"reviews.jsonl", 10}};
    up.start(at(0));
    Outcome o = done(up.on_response(test::url_answer(test::kImport, "http://127.0.0.1:9000/k"), at(1)));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::insecure_upload_url);
  }
  SECTION("plain-http loopback API: a plain-http upload URL is used") {
    UploadConfig c = config();
    c.api_base = "http://127.0.0.1:8080/api";
    Upload up{c, {"reviews.jsonl", 10}};
    up.start(at(0));
    Action a = up.on_response(test::url_answer(test::kImport, "http://127.0.0.1:9000/k"), at(1));
    REQUIRE(std::holds_alternative<Send>(a));
    CHECK(std::get<Send>(a).request.purpose == Purpose::upload);
  }
}

TEST_CASE("retries are announced only when they will happen, not just before a deadline_exceeded end") {
  auto retrying_notes = [](const std::vector<Note>& notes) {
    int n = 0;
    for (const Note& note : notes) n += note.text.find("retrying") != std::string::npos;
    return n;
  };
  SECTION("the backoff reaches the deadline") {
    UploadConfig c = config();
    c.deadline = std::chrono::seconds(1);
    c.retry.base = c.retry.cap = std::chrono::hours(1);
    Upload up{c, {"reviews.jsonl", 10}};
    up.start(at(0));
    Action a = up.on_response(test::answer(503), at(0.5));
    CHECK(retrying_notes(up.notes()) == 0);
    REQUIRE(std::holds_alternative<Sleep>(a));
    Outcome o = done(up.on_wake(std::get<Sleep>(a).until));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::deadline_exceeded);
    CHECK(retrying_notes(o.notes) == 0);
  }
  SECTION("Retry-After past the deadline") {
    UploadConfig c = config();
    c.deadline = std::chrono::seconds(10);
    Upload up{c, {"reviews.jsonl", 10}};
    up.start(at(0));
    Outcome o = done(up.on_response(test::answer(503, "", {{"Retry-After", "60"}}), at(1)));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::deadline_exceeded);
    CHECK(retrying_notes(o.notes) == 0);
  }
  SECTION("a retry well inside the deadline is announced") {
    Upload up{config(), {"reviews.jsonl", 10}};
    up.start(at(0));
    up.on_response(test::answer(503), at(1));
    CHECK(retrying_notes(up.notes()) == 1);
  }
  SECTION("dataset fetch: the same rule") {
    UploadConfig c = config();
    c.deadline = std::chrono::seconds(1);
    c.retry.base = c.retry.cap = std::chrono::hours(1);
    DatasetFetch fetch{c};
    fetch.start(at(0));
    fetch.on_response(test::answer(503), at(0.5));
    CHECK(retrying_notes(fetch.notes()) == 0);
  }
}

// The machine against details of docs/service.md: step 1's 201 and its
// expires_at (preferred to the URL's X-Amz arithmetic), and the service's
// progress figures while it processes the file.
#include <catch2/catch.hpp>

#include <upstate/detail/http_date.hpp>
#include <upstate/vocabulary/server_progress.hpp>
#include <upstate/machine/upload.hpp>
#include <upstate/detail/url_expiry.hpp>

#include "support/answers.hpp"
#include "support/upload_config.hpp"

using namespace upstate;
using test::at;

namespace {

UploadConfig config() { return test::upload_config(); }

const Request& sent(const Action& a) {
  REQUIRE(std::holds_alternative<Send>(a));
  return std::get<Send>(a).request;
}
Outcome done(const Action& a) {
  REQUIRE(std::holds_alternative<Done>(a));
  return std::get<Done>(a).outcome;
}

// Step 1 answered with `status` and `extra` fields (Date 12:00:00, the URL
// signed at 12:00:00 for 900 s), at 1 s; the PUT follows.
Upload after_step1(int status, const std::string& extra) {
  Upload up{config(), {"reviews.jsonl", 1234}};
  up.start(at(0));
  Response r = test::url_answer(test::kImport, test::kUploadUrl, extra);
  r.status = status;
  CHECK(sent(up.on_response(r, at(1))).purpose == Purpose::upload);
  return up;
}

}  // namespace

TEST_CASE("step 1: 201 Created (what the service sends) and any other 2xx are success") {
  const int status = GENERATE(200, 201, 202);
  CAPTURE(status);
  after_step1(status, "");
}

TEST_CASE("step 1: expires_at is preferred to X-Amz-Date + X-Amz-Expires") {
  SECTION("an earlier expires_at: a bare 403 after it is an expiry, so a new URL") {
    Upload up = after_step1(201, R"(,"expires_at":"2026-11-28T12:01:00Z","file_key":"raw/ds1/reviews.jsonl")");
    CHECK(sent(up.on_response(test::answer(403), at(62))).purpose == Purpose::upload_url);
  }
  SECTION("with an offset and fractional seconds") {
    Upload up = after_step1(201, R"(,"expires_at":"2026-11-28T13:01:00.250+01:00")");
    CHECK(sent(up.on_response(test::answer(403), at(62))).purpose == Purpose::upload_url);
  }
  SECTION("before it, a bare 403 is a refusal") {
    Upload up = after_step1(201, R"(,"expires_at":"2026-11-28T12:01:00Z")");
    CHECK(done(up.on_response(test::answer(403), at(50))).error()->code == ErrorCode::upload_rejected);
  }
  SECTION("unreadable: the URL's own 900 s count") {
    Upload up = after_step1(201, R"(,"expires_at":"tomorrow")");
    CHECK(done(up.on_response(test::answer(403), at(62))).error()->code == ErrorCode::upload_rejected);
  }
  SECTION("absent: the URL's own 900 s count") {
    Upload up = after_step1(201, "");
    CHECK(done(up.on_response(test::answer(403), at(62))).error()->code == ErrorCode::upload_rejected);
  }
}

TEST_CASE("parse_iso8601: the API's timestamps") {
  CHECK(parse_iso8601("2026-11-28T12:00:00Z") == std::optional<UnixSeconds>(1795867200));
  CHECK(parse_iso8601("2026-11-28T12:00:00.123456Z") == std::optional<UnixSeconds>(1795867200));
  CHECK(parse_iso8601("2026-11-28T13:30:00+01:30") == std::optional<UnixSeconds>(1795867200));
  CHECK(parse_iso8601("2026-11-28T10:00:00-02:00") == std::optional<UnixSeconds>(1795867200));
  CHECK(parse_iso8601("2026-11-28 12:00:00z") == std::optional<UnixSeconds>(1795867200));
  for (const char* bad : {"", "2026-11-28T12:00:00", "2026-11-28T12:00:00.Z", "2026-02-30T12:00:00Z",
                          "2026-11-28T12:00:00+1:00", "2026-11-28T25:00:00Z", "2026-11-28T12:00:00Zjunk", "tomorrow"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_iso8601(bad));
  }
}

TEST_CASE("the service's progress figures while processing, on the machine") {
  Upload up{config(), {"reviews.jsonl", 1000}};
  up.start(at(0));
  up.on_response(test::url_answer(), at(1));
  up.on_response(test::answer(200), at(2));
  CHECK_FALSE(up.server_progress());
  Action a = up.on_response(
      test::import_answer("processing", R"(,"filename":"reviews.jsonl","processing_started_at":"2026-11-28T12:00:02Z",)"
                                        R"("processed_offset":400,"written_count":3,"duplicate_seen_count":1,)"
                                        R"("rejected_seen_count":0)"),
      at(3));
  REQUIRE(up.server_progress());
  const ServerProgress& p = *up.server_progress();
  CHECK(p.filename == "reviews.jsonl");
  CHECK(p.processed_offset == std::optional<std::uint64_t>(400));
  CHECK(p.records_seen() == std::optional<std::uint64_t>(4));
  CHECK(p.fraction_of(1000) == Approx(0.4));
  a = up.on_wake(std::get<Sleep>(a).until);
  up.on_response(test::import_answer("processing"), at(6));  // figures gone: none shown
  CHECK_FALSE(up.server_progress());
}

TEST_CASE("ServerProgress: the offset is a bar when it reads as bytes of the file") {
  ServerProgress p;
  CHECK_FALSE(p.fraction_of(100));  // no offset
  p.processed_offset = 50;
  CHECK(p.fraction_of(100) == Approx(0.5));
  CHECK_FALSE(p.fraction_of(0));
  CHECK_FALSE(p.fraction_of(40));  // past the file's end: not bytes of it
  p.written_count = 40;
  p.rejected_seen_count = 10;      // 50 records seen, offset 50: a record count
  CHECK_FALSE(p.fraction_of(100));
  p.processed_offset = 80;         // more than the records: bytes
  CHECK(p.fraction_of(100) == Approx(0.8));
  p.processed_offset = 0;          // nothing yet
  CHECK(p.fraction_of(100) == Approx(0.0));
}

TEST_CASE("url_wall_expiry: expires_at first, unless it is no later than the signing time") {
  PresignedUrlInfo info;
  info.signed_at = 1000;
  info.expires_at = 1900;
  CHECK(url_wall_expiry(std::string("1970-01-01T00:20:00Z"), info) == std::optional<UnixSeconds>(1200));
  CHECK(url_wall_expiry(std::string("1970-01-01T00:16:40Z"), info) == std::optional<UnixSeconds>(1900));  // = signed_at
  CHECK(url_wall_expiry(std::string("soon"), info) == std::optional<UnixSeconds>(1900));
  CHECK(url_wall_expiry(std::nullopt, info) == std::optional<UnixSeconds>(1900));
  info = {};
  CHECK(url_wall_expiry(std::string("1970-01-01T00:20:00Z"), info) == std::optional<UnixSeconds>(1200));
}

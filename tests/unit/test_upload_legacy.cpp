// V3 (legacy) datasets through the machine, fed by hand: step 1 answers
// without import_id, the file must be .csv or .zip, and step 3 polls
// GET /datasets/{id}/status until READY or ERROR (docs/service.md, "V3").
#include <catch2/catch.hpp>

#include <upstate/machine/drive.hpp>
#include <upstate/testing/fake_transport.hpp>
#include <upstate/testing/manual_clock.hpp>
#include <upstate/machine/upload.hpp>

#include "support/answers.hpp"
#include "support/upload_config.hpp"

using namespace upstate;
using test::at;

namespace {

UploadConfig config() {
  UploadConfig c = test::upload_config();
  // Most cases here feed READY/ERROR right after the PUT to test something
  // else: the freshness gate is off for them and has its own cases below.
  c.poll.legacy_settle = Duration{0};
  return c;
}

const std::string kLegacyUrl =
    "https://s3.example.test/legacy/ds1/answers.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261128T120000Z"
    "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc";

Response legacy_url_answer(const std::string& extra = {}) {
  return test::answer(200, R"({"upload_url":")" + kLegacyUrl + R"(","http_method":"PUT")" + extra + "}",
                      {{"Date", test::kDate}, {"Content-Type", "application/json"}});
}

Response status_answer(const std::string& status, const std::string& extra = {}) {
  return test::answer(200, R"({"status":")" + status + R"(")" + extra + "}");
}

const Request& sent(const Action& a) {
  REQUIRE(std::holds_alternative<Send>(a));
  return std::get<Send>(a).request;
}
Instant slept(const Action& a) {
  REQUIRE(std::holds_alternative<Sleep>(a));
  return std::get<Sleep>(a).until;
}
Outcome done(const Action& a) {
  REQUIRE(std::holds_alternative<Done>(a));
  return std::get<Done>(a).outcome;
}

// A V3 upload of `name` driven to its first status request.
Action to_first_status(Upload& up) {
  up.start(at(0));
  up.on_response(legacy_url_answer(), at(1));
  return up.on_response(test::answer(200), at(2));
}

}  // namespace

SCENARIO("a V3 dataset: the PUT, then the dataset's status until READY") {
  Upload up{config(), {"answers.csv", 321}};
  Action a = up.start(at(0));
  CHECK(sent(a).purpose == Purpose::upload_url);

  a = up.on_response(legacy_url_answer(), at(1));
  const Request& put = sent(a);
  CHECK(put.purpose == Purpose::upload);
  CHECK(put.url == kLegacyUrl);
  CHECK(find_header(put.headers, "Authorization") == nullptr);
  REQUIRE(find_header(put.headers, "Content-Type"));
  CHECK(*find_header(put.headers, "Content-Type") == "text/csv");  // derived: the answer gave none
  REQUIRE(put.file);
  CHECK(put.file->size == 321);
  CHECK(up.legacy());
  CHECK(up.import_id().empty());

  a = up.on_response(test::answer(200), at(2));
  const Request& status = sent(a);
  CHECK(status.purpose == Purpose::dataset_status);
  CHECK(status.method == "GET");
  CHECK(status.url == test::kApi + "/datasets/ds1/status");
  REQUIRE(find_header(status.headers, "Authorization"));
  CHECK(*find_header(status.headers, "Authorization") == "Token " + test::kToken);
  CHECK(up.state() == State::confirming_status);
  CHECK(up.phase() == Phase::processing);

  // Statuses are compared without regard to case.
  a = up.on_response(status_answer("processing"), at(3));
  Instant wake = slept(a);
  CHECK(wake >= at(3) + std::chrono::milliseconds(1800));
  CHECK(wake <= at(5));
  CHECK(up.state() == State::status_wait);
  CHECK(up.last_status() == ImportStatus::processing);
  CHECK(up.last_dataset_status() == DatasetStatus::processing);

  a = up.on_wake(wake);
  CHECK(sent(a).purpose == Purpose::dataset_status);
  a = up.on_response(status_answer("Ready"), wake + std::chrono::seconds(1));
  const Outcome o = done(a);
  REQUIRE(o.report());
  CHECK(o.complete());
  CHECK(o.report()->type == "legacy_dataset");
  CHECK(o.report()->dataset_id == "ds1");
  CHECK(o.report()->import_id.empty());
  CHECK_FALSE(o.report()->reason);
  CHECK(o.import_id.empty());
  CHECK(o.abandoned_import_ids.empty());
  CHECK(o.requests_sent == 4);
  CHECK(up.last_dataset_status() == DatasetStatus::ready);
}

TEST_CASE("a V3 ERROR is a failed report with the service's reason") {
  Upload up{config(), {"answers.csv", 10}};
  to_first_status(up);
  SECTION("with a reason") {
    const Outcome o = done(up.on_response(status_answer("ERROR", R"(,"reason":"file is not valid UTF-8")"), at(3)));
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::failed);
    CHECK(o.report()->reason == std::optional<std::string>("file is not valid UTF-8"));
  }
  SECTION("the reason spelled `message`") {
    const Outcome o = done(up.on_response(status_answer("error", R"(,"message":"bad rows")"), at(3)));
    REQUIRE(o.report());
    CHECK(o.report()->reason == std::optional<std::string>("bad rows"));
  }
  SECTION("without one") {
    const Outcome o = done(up.on_response(status_answer("ERROR"), at(3)));
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::failed);
    REQUIRE(o.report()->reason);
    CHECK_THAT(*o.report()->reason, Catch::Contains("no reason"));
  }
}

TEST_CASE("V3 status answers the machine cannot use are typed errors with a JSON path") {
  using Row = std::tuple<std::string, ErrorCode, std::string>;
  auto row = GENERATE(table<std::string, ErrorCode, std::string>({
      Row{R"({"status":"EXPLODED"})", ErrorCode::unknown_status, "$.status"},
      Row{R"({"status":"complete"})", ErrorCode::unknown_status, "$.status"},  // a V4 word is no V3 status
      Row{R"({"status":""})", ErrorCode::unknown_status, "$.status"},
      Row{R"({"status":3})", ErrorCode::malformed_answer, "$.status"},
      Row{R"({"state":"READY"})", ErrorCode::malformed_answer, "$.status"},
      Row{R"({"status":"ERROR","reason":{"x":1}})", ErrorCode::malformed_answer, "$.reason"},
      Row{R"(["READY"])", ErrorCode::malformed_answer, "$"},
      Row{"READY", ErrorCode::malformed_answer, "$"},
      Row{"", ErrorCode::malformed_answer, "$"},
  }));
  CAPTURE(std::get<0>(row));
  Upload up{config(), {"answers.csv", 10}};
  to_first_status(up);
  const Outcome o = done(up.on_response(test::answer(200, std::get<0>(row)), at(3)));
  REQUIRE(o.error());
  CHECK(o.error()->code == std::get<1>(row));
  CHECK(o.error()->path == std::get<2>(row));
  CHECK(o.error()->http_status == 200);
}

TEST_CASE("a V3 dataset takes .csv and .zip only, refused before any byte is sent") {
  SECTION(".jsonl") {
    Upload up{config(), {"reviews.jsonl", 10}};
    up.start(at(0));
    const Outcome o = done(up.on_response(legacy_url_answer(), at(1)));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::legacy_dataset);
    CHECK_THAT(o.error()->message, Catch::Contains("reviews.jsonl"));
    CHECK(o.requests_sent == 1);  // no PUT
  }
  SECTION(".zip, with the type derived from the extension") {
    Upload up{config(), {"images.ZIP", 10}};
    up.start(at(0));
    const Action a = up.on_response(legacy_url_answer(), at(1));
    CHECK(*find_header(sent(a).headers, "Content-Type") == "application/zip");
  }
  SECTION("the answer's content_type wins") {
    Upload up{config(), {"rows.csv", 10}};
    up.start(at(0));
    const Action a = up.on_response(legacy_url_answer(R"(,"content_type":"text/csv; charset=utf-8")"), at(1));
    CHECK(*find_header(sent(a).headers, "Content-Type") == "text/csv; charset=utf-8");
  }
}

TEST_CASE("V3 status requests: final answers stop, transient ones are retried") {
  Upload up{config(), {"answers.csv", 10}};
  to_first_status(up);
  SECTION("404") {
    const Outcome o = done(up.on_response(test::api_error(404), at(3)));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::not_found);
    CHECK_THAT(o.error()->message, Catch::Contains("dataset_status"));
  }
  SECTION("503, then READY") {
    Action a = up.on_response(test::answer(503), at(3));
    CHECK(up.state() == State::confirm_wait);
    REQUIRE(up.notes().size() == 1);
    CHECK_THAT(up.notes()[0].text, Catch::Contains("dataset_status answered HTTP 503"));
    a = up.on_wake(slept(a));
    CHECK(sent(a).purpose == Purpose::dataset_status);
    CHECK(done(up.on_response(status_answer("READY"), at(10))).complete());
  }
  SECTION("a transport error, then READY") {
    Action a = up.on_transport_error({TransportError::Kind::reset, "reset"}, at(3));
    a = up.on_wake(slept(a));
    CHECK(done(up.on_response(status_answer("READY"), at(10))).complete());
  }
}

TEST_CASE("a V3 status still UNINITIALISED long after the PUT is reported stuck") {
  UploadConfig c = config();
  c.poll.stuck_after = std::chrono::seconds(60);
  Upload up{c, {"answers.csv", 10}};
  to_first_status(up);
  Action a = up.on_response(status_answer("UNINITIALISED"), at(30));
  CHECK(sent(up.on_wake(slept(a))).purpose == Purpose::dataset_status);
  const Outcome o = done(up.on_response(status_answer("UNINITIALISED"), at(63)));
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::import_stuck);
  CHECK_THAT(o.error()->message, Catch::Contains("UNINITIALISED"));
}

TEST_CASE("an expired V3 URL is renewed without inventing import ids") {
  Upload up{config(), {"answers.csv", 10}};
  up.start(at(0));
  up.on_response(legacy_url_answer(), at(1));
  Action a = up.on_response(test::s3_error(403, "AccessDenied", "Request has expired"), at(2));
  CHECK(sent(a).purpose == Purpose::upload_url);
  a = up.on_response(legacy_url_answer(), at(3));
  CHECK(sent(a).purpose == Purpose::upload);
  a = up.on_response(test::answer(200), at(4));
  const Outcome o = done(up.on_response(status_answer("READY"), at(5)));
  CHECK(o.complete());
  CHECK(o.abandoned_import_ids.empty());
}

TEST_CASE("a renewal answered by V3 after a V4 answer abandons the V4 import") {
  Upload up{config(), {"answers.csv", 10}};
  up.start(at(0));
  up.on_response(test::url_answer(), at(1));
  up.on_response(test::s3_error(403, "AccessDenied", "Request has expired"), at(2));
  up.on_response(legacy_url_answer(), at(3));
  CHECK(up.legacy());
  up.on_response(test::answer(200), at(4));
  const Outcome o = done(up.on_response(status_answer("READY"), at(5)));
  CHECK(o.complete());
  CHECK(o.import_id.empty());
  CHECK(o.abandoned_import_ids == std::vector<std::string>{test::kImport});
}

TEST_CASE("a V3 READY left from an earlier file is not this file's outcome") {
  UploadConfig c = config();
  c.poll.legacy_settle = std::chrono::seconds(15);
  Upload up{c, {"answers.csv", 10}};
  to_first_status(up);  // the PUT accepted at 2 s
  // The status has not moved since the PUT: maybe the previous file's.
  Action a = up.on_response(status_answer("READY"), at(3));
  REQUIRE(std::holds_alternative<Sleep>(a));
  REQUIRE(up.notes().size() == 1);
  CHECK_THAT(up.notes()[0].text, Catch::Contains("may be the previous file's"));
  SECTION("then PROCESSING, then READY: ours") {
    a = up.on_wake(slept(a));
    a = up.on_response(status_answer("PROCESSING"), at(6));
    a = up.on_wake(slept(a));
    CHECK(done(up.on_response(status_answer("READY"), at(9))).complete());
  }
  SECTION("then ERROR: the status moved, so the ERROR is ours") {
    a = up.on_wake(slept(a));
    const Outcome o = done(up.on_response(status_answer("ERROR", R"(,"reason":"bad rows")"), at(6)));
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::failed);
  }
  SECTION("READY that never moves is taken once the settle time has passed since the PUT") {
    a = up.on_wake(slept(a));
    a = up.on_response(status_answer("READY"), at(16.9));  // 14.9 s after the PUT
    REQUIRE(std::holds_alternative<Sleep>(a));
    const Instant wake = slept(a);
    REQUIRE(wake >= at(17));
    a = up.on_wake(wake);
    CHECK(done(up.on_response(status_answer("READY"), wake)).complete());
    CHECK(up.notes().size() == 1);  // noted once
  }
}

TEST_CASE("fake V3 with a delayed status change: the second file's own outcome is reported", "[fake]") {
  // The fake keeps showing the previous file's status for 5 s after a PUT.
  testing::FakeOptions o;
  o.legacy_status_lag = std::chrono::seconds(5);
  testing::FakeService fake(o);
  fake.add_dataset({"v3", "Legacy", std::nullopt, true});
  testing::ManualClock clock;
  UploadConfig c;
  c.api_base = fake.options().api_base;
  c.token = fake.options().token;
  c.dataset_id = "v3";
  const std::string good = "prompt,category\np,c\n";
  const std::string bad = "prompt,category\n\xff,c\n";  // not UTF-8: ERROR
  {
    testing::FakeTransport t(fake, clock, good);
    Upload up{c, {"first.csv", good.size()}};
    CHECK(drive(up, t, clock).complete());
  }
  testing::FakeTransport t(fake, clock, bad);
  Upload up{c, {"second.csv", bad.size()}};
  const Outcome out = drive(up, t, clock);
  REQUIRE(out.report());
  CHECK(out.report()->status == ImportStatus::failed);  // not the first file's READY
  CHECK_THAT(out.report()->reason.value_or(""), Catch::Contains("UTF-8"));
}

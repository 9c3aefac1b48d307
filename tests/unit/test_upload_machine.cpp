// The upload machine fed by hand: every step, status and failure class of
// docs/service.md, one scenario each, with the exact requests it asks for.
#include <catch2/catch.hpp>

#include <algorithm>

#include <upstate/machine/upload.hpp>

#include "support/answers.hpp"
#include "support/upload_config.hpp"

using namespace upstate;
using test::at;

namespace {

UploadConfig config() { return test::upload_config(); }

Upload upload(UploadConfig c = config(), FileInfo f = {"reviews.jsonl", 1234}) { return Upload{std::move(c), std::move(f)}; }

const Request& sent(const Action& a) {
  REQUIRE(std::holds_alternative<Send>(a));
  return std::get<Send>(a).request;
}
Instant slept(const Action& a) {
  REQUIRE(std::holds_alternative<Sleep>(a));
  return std::get<Sleep>(a).until;
}
// By value: callers often pass the temporary an event returned.
Outcome done(const Action& a) {
  REQUIRE(std::holds_alternative<Done>(a));
  return std::get<Done>(a).outcome;
}
ErrorCode error_code(const Action& a) {
  const Outcome o = done(a);
  REQUIRE(o.error() != nullptr);
  return o.error()->code;
}

// Drives a fresh upload through step 1 and the PUT to the first poll.
Action to_first_poll(Upload& up) {
  up.start(at(0));
  up.on_response(test::url_answer(), at(1));
  return up.on_response(test::answer(200), at(2));
}

}  // namespace

SCENARIO("a file goes through the three steps to complete") {
  Upload up = upload();
  Action a = up.start(at(0));
  const Request& step1 = sent(a);
  CHECK(step1.purpose == Purpose::upload_url);
  CHECK(step1.method == "GET");
  CHECK(step1.url == test::kApi + "/datasets/ds1/upload-url/reviews.jsonl");
  REQUIRE(find_header(step1.headers, "Authorization"));
  CHECK(*find_header(step1.headers, "authorization") == "Token " + test::kToken);
  CHECK_FALSE(step1.file);

  a = up.on_response(test::url_answer(), at(1));
  const Request& put = sent(a);
  CHECK(put.purpose == Purpose::upload);
  CHECK(put.method == "PUT");
  CHECK(put.url == test::kUploadUrl);  // byte for byte
  CHECK(find_header(put.headers, "Authorization") == nullptr);
  REQUIRE(find_header(put.headers, "Content-Type"));
  CHECK(*find_header(put.headers, "Content-Type") == "application/x-ndjson");
  REQUIRE(put.file);
  CHECK(put.file->size == 1234);
  CHECK(up.phase() == Phase::uploading);

  a = up.on_response(test::answer(200, "", {{"ETag", "\"x\""}}), at(2));
  const Request& poll = sent(a);
  CHECK(poll.purpose == Purpose::poll);
  CHECK(poll.url == test::kApi + "/datasets/ds1/imports/" + test::kImport);
  CHECK(*find_header(poll.headers, "Authorization") == "Token " + test::kToken);

  a = up.on_response(test::import_answer("processing"), at(3));
  Instant wake = slept(a);
  // PollPolicy: 2 s, shortened by jitter of at most 10 %.
  CHECK(wake >= at(3) + std::chrono::milliseconds(1800));
  CHECK(wake <= at(5));
  CHECK(up.phase() == Phase::processing);

  a = up.on_wake(wake);
  CHECK(sent(a).purpose == Purpose::poll);
  a = up.on_response(test::import_answer("complete", R"(,"accepted_count":10)"), wake + std::chrono::seconds(1));
  const Outcome o = done(a);
  REQUIRE(o.report());
  CHECK(o.complete());
  CHECK(o.report()->accepted_count == 10u);
  CHECK(o.import_id == test::kImport);
  CHECK(o.abandoned_import_ids.empty());
  CHECK(o.requests_sent == 4);
  CHECK(up.state() == State::done);
}

TEST_CASE("every terminal status ends the run with the server's report") {
  SECTION("partial keeps errors and counts") {
    Upload up = upload();
    to_first_poll(up);
    Action a = up.on_response(
        test::import_answer("partial", R"(,"accepted_count":8,"rejected_count":2,"errors":[)"
                                       R"({"record_index":3,"field":"prompt","reason":"missing required field"},)"
                                       R"({"record_index":7,"field":"","reason":"not a JSON object"}])"),
        at(3));
    const Outcome& o = done(a);
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::partial);
    CHECK(o.report()->accepted_count == 8u);
    CHECK(o.report()->rejected_count == 2u);
    REQUIRE(o.report()->errors.size() == 2);
    CHECK(o.report()->errors[0].record_index == 3u);
    CHECK(o.report()->errors[0].field == "prompt");
    CHECK(o.report()->errors[1].reason == "not a JSON object");
    CHECK_FALSE(o.complete());
  }
  SECTION("failed keeps the reason") {
    Upload up = upload();
    to_first_poll(up);
    const Outcome& o = done(up.on_response(test::import_answer("failed", R"(,"reason":"bad file")"), at(3)));
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::failed);
    CHECK(o.report()->reason == std::string("bad file"));
  }
  SECTION("pending_schema") {
    Upload up = upload();
    to_first_poll(up);
    const Outcome& o = done(up.on_response(test::import_answer("pending_schema"), at(3)));
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::pending_schema);
  }
}

TEST_CASE("final API answers are distinct errors, at step 1 and at step 3") {
  auto [status, code] = GENERATE(table<int, ErrorCode>({
      {400, ErrorCode::bad_request},
      {401, ErrorCode::unauthorized},
      {403, ErrorCode::forbidden},
      {404, ErrorCode::not_found},
      {405, ErrorCode::api_error},
      {422, ErrorCode::unprocessable},
      {301, ErrorCode::unexpected_status},
      {101, ErrorCode::unexpected_status},
  }));
  CAPTURE(status);
  SECTION("step 1") {
    Upload up = upload();
    up.start(at(0));
    Action a = up.on_response(test::api_error(status, "dataset says no"), at(1));
    CHECK(error_code(a) == code);
    CHECK(done(a).error()->http_status == status);
    if (status >= 400) {
      CHECK(done(a).error()->server_code == "140100");
      CHECK_THAT(done(a).error()->message, Catch::Contains("dataset says no"));
    }
  }
  SECTION("step 3") {
    Upload up = upload();
    to_first_poll(up);
    Action a = up.on_response(test::api_error(status), at(3));
    CHECK(error_code(a) == code);
  }
}

TEST_CASE("transient API answers are retried with backoff") {
  Upload up = upload();
  up.start(at(0));
  Action a = up.on_response(test::answer(503), at(1));
  Instant wake = slept(a);
  CHECK(wake >= at(1));
  CHECK(wake <= at(1.5));  // full jitter on the first retry: at most `base` (500 ms)
  CHECK(up.state() == State::url_backoff);
  a = up.on_wake(wake);
  CHECK(sent(a).purpose == Purpose::upload_url);
  a = up.on_response(test::url_answer(), wake);
  CHECK(sent(a).purpose == Purpose::upload);
  REQUIRE(up.trace().size() >= 3);
}

TEST_CASE("Retry-After is a floor on the wait") {
  SECTION("delta seconds") {
    Upload up = upload();
    up.start(at(0));
    Instant wake = slept(up.on_response(test::answer(429, "", {{"Retry-After", "7"}}), at(1)));
    CHECK(wake >= at(8));
    CHECK(wake <= at(8.5));
  }
  SECTION("an HTTP-date, measured against the answer's own Date") {
    Upload up = upload();
    up.start(at(0));
    Instant wake = slept(up.on_response(
        test::answer(503, "", {{"Date", "Sat, 28 Nov 2026 12:00:00 GMT"}, {"Retry-After", "Sat, 28 Nov 2026 12:00:30 GMT"}}),
        at(1)));
    CHECK(wake >= at(31));
  }
  SECTION("garbage is ignored and the backoff used") {
    Upload up = upload();
    up.start(at(0));
    Instant wake = slept(up.on_response(test::answer(503, "", {{"Retry-After", "soon-ish"}}), at(1)));
    CHECK(wake <= at(1.5));
  }
  SECTION("a floor past the deadline ends the run now") {
    UploadConfig c = config();
    c.deadline = std::chrono::seconds(60);
    Upload up = upload(c);
    up.start(at(0));
    Action a = up.on_response(test::answer(429, "", {{"Retry-After", "3600"}}), at(1));
    CHECK(error_code(a) == ErrorCode::deadline_exceeded);
  }
}

TEST_CASE("retries stop after RetryPolicy::max_attempts in a row") {
  UploadConfig c = config();
  c.retry.max_attempts = 3;
  Upload up = upload(c);
  Action a = up.start(at(0));
  Instant now = at(0);
  int requests = 0;
  while (std::holds_alternative<Send>(a) || std::holds_alternative<Sleep>(a)) {
    if (std::holds_alternative<Send>(a)) {
      ++requests;
      a = up.on_response(test::answer(502), now);
    } else {
      now = std::get<Sleep>(a).until;
      a = up.on_wake(now);
    }
  }
  CHECK(requests == 3);
  CHECK(error_code(a) == ErrorCode::retries_exhausted);
  CHECK(done(a).error()->http_status == 502);
  CHECK_THAT(done(a).error()->message, Catch::Contains("3 attempts"));
}

TEST_CASE("transport errors: retried, except TLS verification") {
  SECTION("a reset mid-PUT sends the same PUT again") {
    Upload up = upload();
    up.start(at(0));
    up.on_response(test::url_answer(), at(1));
    Action a = up.on_transport_error({TransportError::Kind::reset, "connection reset by peer"}, at(2));
    CHECK(up.state() == State::upload_backoff);
    a = up.on_wake(slept(a));
    CHECK(sent(a).purpose == Purpose::upload);
    CHECK(sent(a).url == test::kUploadUrl);
  }
  SECTION("TLS is final") {
    Upload up = upload();
    up.start(at(0));
    Action a = up.on_transport_error({TransportError::Kind::tls, "certificate verify failed"}, at(1));
    CHECK(error_code(a) == ErrorCode::tls);
    CHECK_THAT(done(a).error()->message, Catch::Contains("certificate verify failed"));
  }
}

TEST_CASE("an expired presigned URL is renewed, bounded, and the old import kept") {
  SECTION("S3 says 'Request has expired'") {
    Upload up = upload();
    up.start(at(0));
    up.on_response(test::url_answer("import-1"), at(1));
    Action a = up.on_response(test::s3_error(403, "AccessDenied", "Request has expired"), at(2));
    CHECK(sent(a).purpose == Purpose::upload_url);
    a = up.on_response(test::url_answer("import-2"), at(3));
    CHECK(sent(a).purpose == Purpose::upload);
    a = up.on_response(test::answer(200), at(4));
    a = up.on_response(test::import_answer("complete", "", "import-2"), at(5));
    const Outcome& o = done(a);
    CHECK(o.complete());
    CHECK(o.import_id == "import-2");
    CHECK(o.abandoned_import_ids == std::vector<std::string>{"import-1"});
  }
  SECTION("ExpiredToken (a 400) also wants a new URL") {
    Upload up = upload();
    up.start(at(0));
    up.on_response(test::url_answer(), at(1));
    CHECK(sent(up.on_response(test::s3_error(400, "ExpiredToken", "The provided token has expired."), at(2))).purpose ==
          Purpose::upload_url);
  }
  SECTION("renewals are bounded") {
    UploadConfig c = config();
    c.retry.max_url_renewals = 2;
    Upload up = upload(c);
    up.start(at(0));
    Action a;
    for (int i = 0; i < 3; ++i) {
      a = up.on_response(test::url_answer("import-" + std::to_string(i)), at(i * 10 + 1));
      a = up.on_response(test::s3_error(403, "AccessDenied", "Request has expired"), at(i * 10 + 2));
    }
    CHECK(error_code(a) == ErrorCode::upload_url_expired);
    CHECK(done(a).abandoned_import_ids == std::vector<std::string>{"import-0", "import-1"});
    CHECK(done(a).import_id == "import-2");
  }
  SECTION("a URL that expires during a PUT backoff is renewed before sending") {
    Upload up = upload();
    up.start(at(0));
    up.on_response(test::url_answer(), at(1));  // 900 s left, by Date vs X-Amz-Date
    Action a = up.on_response(test::s3_error(503, "SlowDown", "Reduce your request rate"), at(2));
    REQUIRE(std::holds_alternative<Sleep>(a));
    a = up.on_wake(at(1000));
    CHECK(sent(a).purpose == Purpose::upload_url);
  }
  SECTION("a bare 403 after the URL's own expiry is an expiry") {
    Upload up = upload();
    up.start(at(0));
    up.on_response(test::url_answer(), at(1));
    CHECK(sent(up.on_response(test::answer(403), at(902))).purpose == Purpose::upload_url);
  }
}

TEST_CASE("S3 answers are classified by their XML Code") {
  auto [status, code, verdict_code] = GENERATE(table<int, std::string, ErrorCode>({
      {403, "SignatureDoesNotMatch", ErrorCode::signature_mismatch},
      {403, "AccessDenied", ErrorCode::upload_rejected},
      {400, "EntityTooLarge", ErrorCode::file_too_large},
      {411, "MissingContentLength", ErrorCode::upload_rejected},
      {501, "NotImplemented", ErrorCode::upload_rejected},
      {400, "InvalidArgument", ErrorCode::upload_rejected},
  }));
  CAPTURE(status, code);
  Upload up = upload();
  up.start(at(0));
  up.on_response(test::url_answer(), at(1));
  Action a = up.on_response(test::s3_error(status, code, "message from S3"), at(2));
  CHECK(error_code(a) == verdict_code);
  CHECK(done(a).error()->server_code == code);
  CHECK_THAT(done(a).error()->message, Catch::Contains("message from S3"));
}

TEST_CASE("retryable S3 answers repeat the same PUT") {
  auto [status, code] = GENERATE(table<int, std::string>({
      {400, "RequestTimeout"},
      {400, "IncompleteBody"},
      {503, "SlowDown"},
      {500, "InternalError"},
      {503, "ServiceUnavailable"},
  }));
  CAPTURE(code);
  Upload up = upload();
  up.start(at(0));
  up.on_response(test::url_answer(), at(1));
  Action a = up.on_response(test::s3_error(status, code, "try again"), at(2));
  CHECK(up.state() == State::upload_backoff);
  CHECK(sent(up.on_wake(slept(a))).purpose == Purpose::upload);
}

TEST_CASE("step 1 answers the machine cannot use") {
  Upload up = upload();
  up.start(at(0));
  SECTION("no import_id: a V3 dataset, which does not take .jsonl (test_upload_legacy.cpp has the rest)") {
    Action a = up.on_response(
        test::answer(200, R"({"upload_url":"https://s3.example.test/x.csv","http_method":"PUT"})"), at(1));
    CHECK(error_code(a) == ErrorCode::legacy_dataset);
    CHECK(done(a).requests_sent == 1);
  }
  SECTION("a method other than PUT") {
    Action a = up.on_response(
        test::answer(200, R"({"upload_url":"https://s3.example.test/x","http_method":"POST","import_id":"i1"})"), at(1));
    CHECK(error_code(a) == ErrorCode::unsupported_upload_method);
    CHECK(done(a).error()->path == "$.http_method");
  }
  SECTION("a URL signing a header we cannot reproduce") {
    Action a = up.on_response(
        test::url_answer("i1", "https://s3.example.test/x?X-Amz-Date=20261128T120000Z&X-Amz-Expires=60"
                               "&X-Amz-SignedHeaders=host%3Bx-amz-meta-owner&X-Amz-Signature=1"),
        at(1));
    CHECK(error_code(a) == ErrorCode::unsigned_header_required);
    CHECK_THAT(done(a).error()->message, Catch::Contains("x-amz-meta-owner"));
  }
  SECTION("a relative upload_url") {
    Action a = up.on_response(test::url_answer("i1", "/relative/path"), at(1));
    CHECK(error_code(a) == ErrorCode::malformed_answer);
    CHECK(done(a).error()->path == "$.upload_url");
  }
  SECTION("a content_type with a line break") {
    Action a = up.on_response(
        test::answer(200, R"({"upload_url":"https://s3.example.test/x","import_id":"i1","content_type":"text/csv\r\nX-Evil: 1"})"),
        at(1));
    CHECK(error_code(a) == ErrorCode::malformed_answer);
    CHECK(done(a).error()->path == "$.content_type");
  }
  SECTION("an import_id that would change the poll path") {
    Action a = up.on_response(test::url_answer(".."), at(1));
    CHECK(error_code(a) == ErrorCode::malformed_answer);
    CHECK(done(a).error()->path == "$.import_id");
  }
  SECTION("not JSON") {
    Action a = up.on_response(test::answer(200, "<html>gateway</html>"), at(1));
    CHECK(error_code(a) == ErrorCode::malformed_answer);
    CHECK(done(a).error()->http_status == 200);
  }
}

TEST_CASE("without content_type the PUT's type comes from the extension") {
  Upload up = upload(config(), {"rows.CSV", 10});
  up.start(at(0));
  Action a = up.on_response(test::answer(200, R"({"upload_url":"https://s3.example.test/x","import_id":"i1"})"), at(1));
  CHECK(*find_header(sent(a).headers, "Content-Type") == "text/csv");
}

TEST_CASE("malformed poll answers are typed errors with a JSON path") {
  auto [body, code, path] = GENERATE(table<std::string, ErrorCode, std::string>({
      {"not json", ErrorCode::malformed_answer, "$"},
      {R"({"import_id":")" + test::kImport + R"(","status":"exploded"})", ErrorCode::unknown_status, "$.status"},
      {R"({"import_id":")" + test::kImport + R"(","status":"complete","accepted_count":-1})", ErrorCode::malformed_answer,
       "$.accepted_count"},
      {R"({"import_id":")" + test::kImport + R"(","status":"partial","errors":{}})", ErrorCode::malformed_answer,
       "$.errors"},
      {R"({"import_id":")" + test::kImport + R"("})", ErrorCode::malformed_answer, "$.status"},
      {R"({"import_id":"someone-else","status":"complete"})", ErrorCode::malformed_answer, "$.import_id"},
  }));
  CAPTURE(body);
  Upload up = upload();
  to_first_poll(up);
  Action a = up.on_response(test::answer(200, body), at(3));
  CHECK(error_code(a) == code);
  CHECK(done(a).error()->path == path);
}

TEST_CASE("the deadline ends the run at the deadline, and no wait passes it") {
  UploadConfig c = config();
  c.deadline = std::chrono::seconds(30);
  Upload up = upload(c);
  Action a = to_first_poll(up);
  Instant now = at(2);
  int polls = 0;
  while (!std::holds_alternative<Done>(a)) {
    if (std::holds_alternative<Send>(a)) {
      ++polls;
      a = up.on_response(test::import_answer("processing"), now);
    } else {
      Instant until = std::get<Sleep>(a).until;
      REQUIRE(until >= now);
      REQUIRE(until <= up.deadline());
      now = until;
      a = up.on_wake(now);
    }
  }
  CHECK(error_code(a) == ErrorCode::deadline_exceeded);
  CHECK(now == at(30));
  CHECK(polls > 3);
}

TEST_CASE("cancel ends the run from every state that is not done") {
  auto reach = GENERATE(as<std::string>{}, "idle", "requesting_url", "uploading", "polling", "poll_wait");
  CAPTURE(reach);
  Upload up = upload();
  if (reach != "idle") up.start(at(0));
  if (reach == "uploading" || reach == "polling" || reach == "poll_wait") up.on_response(test::url_answer(), at(1));
  if (reach == "polling" || reach == "poll_wait") up.on_response(test::answer(200), at(2));
  if (reach == "poll_wait") up.on_response(test::import_answer("queued"), at(3));
  CHECK(to_string(up.state()) == reach);
  Action a = up.cancel(at(4));
  CHECK(error_code(a) == ErrorCode::cancelled);
  // Sticky: a late answer to the request in flight changes nothing.
  Action late = up.on_response(test::import_answer("complete"), at(5));
  CHECK(error_code(late) == ErrorCode::cancelled);
}

TEST_CASE("events a state cannot take are usage errors, never UB") {
  SECTION("on_wake while a request is in flight") {
    Upload up = upload();
    up.start(at(0));
    Action a = up.on_wake(at(1));
    CHECK(error_code(a) == ErrorCode::usage);
    CHECK_THAT(done(a).error()->message, Catch::Contains("on_wake") && Catch::Contains("requesting_url"));
  }
  SECTION("on_response before start") {
    Upload up = upload();
    CHECK(error_code(up.on_response(test::answer(200), at(0))) == ErrorCode::usage);
  }
  SECTION("start twice") {
    Upload up = upload();
    up.start(at(0));
    CHECK(error_code(up.start(at(1))) == ErrorCode::usage);
  }
  SECTION("on_response while sleeping") {
    Upload up = upload();
    up.start(at(0));
    up.on_response(test::answer(503), at(1));
    CHECK(error_code(up.on_response(test::answer(200), at(1))) == ErrorCode::usage);
  }
}

TEST_CASE("an early on_wake is harmless") {
  Upload up = upload();
  to_first_poll(up);
  Instant wake = slept(up.on_response(test::import_answer("queued"), at(3)));
  CHECK(slept(up.on_wake(at(3))) == wake);
  CHECK(up.state() == State::poll_wait);
  CHECK(sent(up.on_wake(wake)).purpose == Purpose::poll);
}

TEST_CASE("an import still uninitialised long after the PUT is reported stuck") {
  UploadConfig c = config();
  c.poll.stuck_after = std::chrono::seconds(60);
  Upload up = upload(c);
  Action a = to_first_poll(up);
  Instant now = at(2);
  while (!std::holds_alternative<Done>(a)) {
    if (std::holds_alternative<Send>(a))
      a = up.on_response(test::import_answer("uninitialised"), now);
    else
      a = up.on_wake(now = std::get<Sleep>(a).until);
  }
  CHECK(error_code(a) == ErrorCode::import_stuck);
  CHECK(now >= at(62));
  CHECK(now < at(62 + 16));
}

TEST_CASE("a status going backwards is noted, not fatal") {
  Upload up = upload();
  to_first_poll(up);
  Instant w = slept(up.on_response(test::import_answer("processing"), at(3)));
  up.on_wake(w);
  w = slept(up.on_response(test::import_answer("queued"), w));
  up.on_wake(w);
  const Outcome& o = done(up.on_response(test::import_answer("complete"), w));
  CHECK(o.complete());
  bool noted = false;
  for (const auto& n : o.notes) noted = noted || n.text.find("processing -> queued") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("inputs that can never work are refused before any request") {
  auto [what, code] = GENERATE(table<std::string, ErrorCode>({
      {"dataset ..", ErrorCode::invalid_argument},
      {"empty dataset", ErrorCode::invalid_argument},
      {"file name with NUL", ErrorCode::invalid_argument},
      {"6 GiB", ErrorCode::file_too_large},
      {"no token", ErrorCode::invalid_argument},
      {"token with CRLF", ErrorCode::invalid_argument},
      {"plain http to a remote host", ErrorCode::invalid_argument},
      {"relative base", ErrorCode::invalid_argument},
  }));
  CAPTURE(what);
  UploadConfig c = config();
  FileInfo f{"reviews.jsonl", 10};
  if (what == "dataset ..") c.dataset_id = "..";
  if (what == "empty dataset") c.dataset_id = "";
  if (what == "file name with NUL") f.name = std::string("a\0b.csv", 7);
  if (what == "6 GiB") f.size = 6ULL << 30;
  if (what == "no token") c.token = "";
  if (what == "token with CRLF") c.token = "abc\r\nX: y";
  if (what == "plain http to a remote host") c.api_base = "http://api.example.test/api";
  if (what == "relative base") c.api_base = "api/v1";
  Upload up{c, f};
  Action a = up.start(at(0));
  CHECK(error_code(a) == code);
  CHECK(done(a).requests_sent == 0);
}

TEST_CASE("plain http is fine for a loopback API") {
  UploadConfig c = config();
  c.api_base = "http://127.0.0.1:8080/api/v1/data-collection/";
  Upload up{c, {"a.jsonl", 1}};
  CHECK(sent(up.start(at(0))).url == "http://127.0.0.1:8080/api/v1/data-collection/datasets/ds1/upload-url/a.jsonl");
}

TEST_CASE("names are percent-encoded so they can never name another path") {
  UploadConfig c = config();
  c.dataset_id = "team/a b";
  Upload up{c, {"../q?x=1#frag %.jsonl", 1}};
  CHECK(sent(up.start(at(0))).url ==
        test::kApi + "/datasets/team%2Fa%20b/upload-url/..%2Fq%3Fx%3D1%23frag%20%25.jsonl");
}

TEST_CASE("the token never reaches a message, even when the server echoes it") {
  Upload up = upload();
  up.start(at(0));
  Action a = up.on_response(test::api_error(401, "token " + test::kToken + " is not valid"), at(1));
  const Outcome o = done(a);
  const Error* e = o.error();
  REQUIRE(e);
  CHECK(e->message.find(test::kToken) == std::string::npos);
  CHECK_THAT(e->message, Catch::Contains("[redacted]"));
  CHECK(to_string(*e).find(test::kToken) == std::string::npos);
}

TEST_CASE("a clock that jumps back is treated as standing still") {
  Upload up = upload();
  to_first_poll(up);
  Instant wake = slept(up.on_response(test::import_answer("queued"), at(100)));
  // The caller's clock jumps back to 50 s: the wait is not over.
  CHECK(slept(up.on_wake(at(50))) == wake);
  CHECK(wake > at(100));
}

TEST_CASE("after Done every event returns the same outcome") {
  Upload up = upload();
  to_first_poll(up);
  const Outcome first = done(up.on_response(test::import_answer("complete"), at(3)));
  CHECK(done(up.on_wake(at(4))).complete());
  CHECK(done(up.cancel(at(5))).complete());
  CHECK(done(up.on_transport_error({TransportError::Kind::reset, ""}, at(6))).complete());
  CHECK(up.outcome() != nullptr);
  CHECK(up.outcome()->import_id == first.import_id);
}

TEST_CASE("hostile names: every byte that could change the path is encoded, or the name is refused") {
  auto [name, encoded] = GENERATE(table<std::string, std::string>({
      {"a/b", "a%2Fb"},
      {"../../admin", "..%2F..%2Fadmin"},
      {"100%", "100%25"},
      {"what?x=1", "what%3Fx%3D1"},
      {"frag#ment", "frag%23ment"},
      {"with space", "with%20space"},
      {"caf\xc3\xa9", "caf%C3%A9"},
      {"line\r\nX-Evil: 1", "line%0D%0AX-Evil%3A%201"},
      {"..", ""},  // "" = refused
      {".", ""},
      {std::string("nul\0byte", 8), ""},
      {"", ""},
  }));
  CAPTURE(name);
  for (bool as_dataset : {true, false}) {
    UploadConfig c = config();
    FileInfo f{"ok.csv", 1};
    (as_dataset ? c.dataset_id : f.name) = name;
    Upload up{c, f};
    Action a = up.start(at(0));
    if (encoded.empty()) {
      CHECK(error_code(a) == ErrorCode::invalid_argument);
      continue;
    }
    const Request& r = sent(a);
    const std::string expected = as_dataset ? test::kApi + "/datasets/" + encoded + "/upload-url/ok.csv"
                                            : test::kApi + "/datasets/ds1/upload-url/" + encoded;
    CHECK(r.url == expected);
    // Still exactly the segments we meant: no new '/', no query, no fragment.
    auto url = parse_url(r.url);
    REQUIRE(url);
    CHECK(url->query.empty());
    CHECK(std::count(url->path.begin(), url->path.end(), '/') ==
          std::count(test::kApi.begin(), test::kApi.end(), '/') - 2 + 4);  // + /datasets/X/upload-url/Y
    CHECK(is_safe_header_value(r.url));
  }
}

TEST_CASE("a local file that changed during the PUT ends the upload at once, never retried") {
  // issue 12 item 5: a file that shrank was sent six times; the same bytes
  // are gone, so a retry cannot help.
  Upload up = upload();
  up.start(at(0));
  up.on_response(test::url_answer(), at(1));
  Action a = up.on_transport_error({TransportError::Kind::local_file, "the file shrank while it was being sent"}, at(2));
  CHECK(error_code(a) == ErrorCode::file_changed);
  CHECK_THAT(done(a).error()->message, Catch::Contains("shrank"));
  CHECK(to_string(ErrorCode::file_changed) == "file_changed");
  CHECK(to_string(TransportError::Kind::local_file) == "local_file");
}

TEST_CASE("UploadConfig::not_after caps the deadline of a machine started late") {
  // issue 12 item 8: one deadline for a whole command, whichever machine
  // starts when.
  UploadConfig c = config();
  c.deadline = std::chrono::seconds(3600);
  c.not_after = at(4);
  Upload up = upload(c);
  up.start(at(1));
  CHECK(up.deadline() == at(4));
  Upload early = upload(config());
  early.start(at(1));
  CHECK(early.deadline() == at(1) + std::chrono::seconds(3600));
}

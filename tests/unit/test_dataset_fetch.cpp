// DatasetFetch fed by hand (the request it builds, retries, every final
// answer, misuse) and driven against the FakeService after a real upload.
#include <catch2/catch.hpp>

#include <string>

#include <upstate/machine/dataset_fetch.hpp>
#include <upstate/machine/drive.hpp>
#include <upstate/testing/fake_service.hpp>
#include <upstate/testing/fake_transport.hpp>
#include <upstate/testing/manual_clock.hpp>

#include "support/answers.hpp"
#include "support/upload_config.hpp"

using namespace upstate;
using test::at;

namespace {

UploadConfig config() {
  UploadConfig c = test::upload_config(/*seed=*/11);
  c.api_base += "/";  // a trailing '/' never doubles in the URL
  c.dataset_id = "ds 1";
  return c;
}

const std::string kDatasetJson =
    R"({"id":"ds 1","name":"Reviews","total_datapoint_count":42,"schema_version":4,"imports":[]})";

const Request& sent(const DatasetFetchAction& a) {
  REQUIRE(std::holds_alternative<Send>(a));
  return std::get<Send>(a).request;
}
Instant slept(const DatasetFetchAction& a) {
  REQUIRE(std::holds_alternative<Sleep>(a));
  return std::get<Sleep>(a).until;
}
Result<Dataset> fetched(const DatasetFetchAction& a) {
  REQUIRE(std::holds_alternative<DatasetFetched>(a));
  return std::get<DatasetFetched>(a).result;
}
Error failed(const DatasetFetchAction& a) {
  Result<Dataset> r = fetched(a);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("dataset fetch: one GET with the API headers, parsed into the Dataset") {
  DatasetFetch fetch{config()};
  DatasetFetchAction a = fetch.start(at(0));
  const Request& r = sent(a);
  CHECK(r.purpose == Purpose::dataset);
  CHECK(r.method == "GET");
  CHECK(r.url == test::kApi + "/datasets/ds%201");
  REQUIRE(find_header(r.headers, "Authorization"));
  CHECK(*find_header(r.headers, "Authorization") == "Token " + test::kToken);
  CHECK(*find_header(r.headers, "Accept") == "application/json");
  CHECK_FALSE(r.file);
  CHECK(r.headers.size() == api_headers_for(config()).size());

  Result<Dataset> d = fetched(fetch.on_response(test::answer(200, kDatasetJson), at(1)));
  REQUIRE(d.ok());
  CHECK(d->total_datapoint_count == 42u);
  CHECK(d->name == "Reviews");
  CHECK(fetch.state() == DatasetFetch::State::done);
  CHECK(fetch.requests_sent() == 1);
  // Done is sticky: a later event returns the same result.
  Result<Dataset> again = fetched(fetch.on_wake(at(9)));
  REQUIRE(again.ok());
  CHECK(again->total_datapoint_count == 42u);
}

TEST_CASE("dataset fetch: transient failures are retried with backoff, Retry-After a floor") {
  DatasetFetch fetch{config()};
  fetch.start(at(0));
  Instant wake = slept(fetch.on_response(test::answer(503), at(1)));
  // RetryPolicy: full jitter under base (500 ms) for the first retry.
  CHECK(wake >= at(1));
  CHECK(wake <= at(1.5));
  CHECK(fetch.state() == DatasetFetch::State::backoff);
  // Early wake: the same Sleep, nothing sent.
  CHECK(slept(fetch.on_wake(wake - Duration{1})) == wake);
  sent(fetch.on_wake(wake));

  wake = slept(fetch.on_response(test::answer(429, "", {{"Retry-After", "7"}}), at(2)));
  CHECK(wake >= at(9));
  sent(fetch.on_wake(wake));

  wake = slept(fetch.on_transport_error(TransportError{TransportError::Kind::reset, "peer reset"}, at(10)));
  sent(fetch.on_wake(wake));
  Result<Dataset> d = fetched(fetch.on_response(test::answer(200, kDatasetJson), wake));
  REQUIRE(d.ok());
  CHECK(fetch.requests_sent() == 4);
  REQUIRE(fetch.notes().size() == 3);
  CHECK(fetch.notes()[0].text.find("HTTP 503") != std::string::npos);
}

TEST_CASE("dataset fetch: a steady outage ends with retries_exhausted after max_attempts") {
  UploadConfig c = config();
  c.retry.max_attempts = 3;
  DatasetFetch fetch{c};
  DatasetFetchAction a = fetch.start(at(0));
  int sends = 0;
  Instant now = at(0);
  while (std::holds_alternative<Send>(a)) {
    ++sends;
    a = fetch.on_response(test::answer(502), now);
    if (std::holds_alternative<Sleep>(a)) {
      now = std::get<Sleep>(a).until;
      a = fetch.on_wake(now);
    }
  }
  CHECK(sends == 3);
  Error e = failed(a);
  CHECK(e.code == ErrorCode::retries_exhausted);
  CHECK(e.http_status == 502);
  CHECK(e.message.find("3 attempts failed") != std::string::npos);
}

TEST_CASE("dataset fetch: final answers are typed errors") {
  using Row = std::tuple<int, ErrorCode>;
  auto [status, code] = GENERATE(table<int, ErrorCode>({Row{400, ErrorCode::bad_request}, Row{401, ErrorCode::unauthorized},
                                                        Row{403, ErrorCode::forbidden}, Row{404, ErrorCode::not_found},
                                                        Row{422, ErrorCode::unprocessable}, Row{405, ErrorCode::api_error},
                                                        Row{302, ErrorCode::unexpected_status}}));
  CAPTURE(status);
  DatasetFetch fetch{config()};
  fetch.start(at(0));
  Error e = failed(fetch.on_response(test::api_error(status, "no such dataset"), at(1)));
  CHECK(e.code == code);
  CHECK(e.http_status == status);
  CHECK(fetch.requests_sent() == 1);
}

TEST_CASE("dataset fetch: malformed answers carry a JSON path, and the token never reaches a message") {
  DatasetFetch fetch{config()};
  fetch.start(at(0));
  SECTION("not JSON") {
    Error e = failed(fetch.on_response(test::answer(200, "<html>"), at(1)));
    CHECK(e.code == ErrorCode::malformed_answer);
    CHECK(e.http_status == 200);
  }
  SECTION("a count of the wrong type") {
    Error e = failed(fetch.on_response(test::answer(200, R"({"id":"ds 1","total_datapoint_count":"many"})"), at(1)));
    CHECK(e.code == ErrorCode::malformed_answer);
    CHECK(e.path == "$.total_datapoint_count");
  }
  SECTION("an answer about another dataset") {
    Error e = failed(fetch.on_response(test::answer(200, R"({"id":"other"})"), at(1)));
    CHECK(e.code == ErrorCode::malformed_answer);
    CHECK(e.path == "$.id");
  }
  SECTION("an error body echoing the token") {
    Error e = failed(fetch.on_response(test::api_error(403, "token " + test::kToken + " may not"), at(1)));
    CHECK(e.code == ErrorCode::forbidden);
    CHECK(e.message.find(test::kToken) == std::string::npos);
    CHECK(e.message.find("[redacted]") != std::string::npos);
  }
  SECTION("a TLS failure is never retried, and a driver's message is redacted too") {
    Error e = failed(
        fetch.on_transport_error(TransportError{TransportError::Kind::tls, "bad certificate " + test::kToken}, at(1)));
    CHECK(e.code == ErrorCode::tls);
    CHECK(e.message.find(test::kToken) == std::string::npos);
  }
}

TEST_CASE("dataset fetch: unusable inputs are refused before any request") {
  UploadConfig c = config();
  SECTION("no token") { c.token.clear(); }
  SECTION("plain http off loopback") { c.api_base = "http://api.example.test/v1"; }
  SECTION("an empty dataset id") { c.dataset_id.clear(); }
  DatasetFetch fetch{c};
  Error e = failed(fetch.start(at(0)));
  CHECK(e.code == ErrorCode::invalid_argument);
  CHECK(fetch.requests_sent() == 0);
}

TEST_CASE("dataset fetch: events the state cannot take are a sticky usage error") {
  DatasetFetch fetch{config()};
  SECTION("an answer before start") {
    Error e = failed(fetch.on_response(test::answer(200, kDatasetJson), at(0)));
    CHECK(e.code == ErrorCode::usage);
    CHECK(failed(fetch.start(at(1))).code == ErrorCode::usage);
  }
  SECTION("a wake while the request is out") {
    fetch.start(at(0));
    CHECK(failed(fetch.on_wake(at(1))).code == ErrorCode::usage);
    CHECK(failed(fetch.on_response(test::answer(200, kDatasetJson), at(2))).code == ErrorCode::usage);
  }
  SECTION("start twice") {
    fetch.start(at(0));
    CHECK(failed(fetch.start(at(1))).code == ErrorCode::usage);
  }
}

TEST_CASE("dataset fetch: deadline and cancel") {
  UploadConfig c = config();
  c.deadline = std::chrono::seconds(10);
  DatasetFetch fetch{c};
  fetch.start(at(0));
  SECTION("Retry-After past the deadline ends it at once") {
    Error e = failed(fetch.on_response(test::answer(503, "", {{"Retry-After", "60"}}), at(1)));
    CHECK(e.code == ErrorCode::deadline_exceeded);
  }
  SECTION("a backoff never sleeps past the deadline") {
    Instant wake = slept(fetch.on_response(test::answer(503), at(9.9)));
    CHECK(wake <= at(10));
    CHECK(failed(fetch.on_wake(at(10))).code == ErrorCode::deadline_exceeded);
  }
  SECTION("cancel") {
    CHECK(failed(fetch.cancel(at(1))).code == ErrorCode::cancelled);
    CHECK(fetch.state() == DatasetFetch::State::done);
  }
}

TEST_CASE("dataset fetch: driven against the fake service, the count follows completed imports") {
  using namespace upstate::testing;
  FakeService fake;
  fake.add_dataset({"ds1", "Reviews", Schema{true, {{"prompt", "text", "Prompt"}}}});
  ManualClock clock;
  UploadConfig c;
  c.api_base = fake.options().api_base;
  c.token = fake.options().token;
  c.dataset_id = "ds1";

  FakeTransport transport(fake, clock, R"({"prompt":"a"})" "\n" R"({"prompt":"b"})" "\n");
  fake.inject(Fault::status(Purpose::dataset, 503));
  DatasetFetch before{c};
  Result<Dataset> d0 = drive_dataset_fetch(before, transport, clock);
  REQUIRE(d0.ok());
  CHECK(d0->total_datapoint_count == 0u);
  CHECK(before.requests_sent() == 2);

  Upload up{c, {"a.jsonl", 30}};
  REQUIRE(drive(up, transport, clock).complete());
  DatasetFetch after{c};
  Result<Dataset> d1 = drive_dataset_fetch(after, transport, clock);
  REQUIRE(d1.ok());
  CHECK(d1->total_datapoint_count == 2u);
  REQUIRE(d1->imports.size() == 1);
  CHECK(d1->imports[0].status == "complete");
}

TEST_CASE("DatasetFetch: UploadConfig::not_after caps its deadline (one deadline per command)") {
  UploadConfig c = config();
  c.deadline = std::chrono::seconds(15);
  c.not_after = at(3);
  DatasetFetch fetch(c);
  fetch.start(at(1));
  CHECK(fetch.deadline() == at(3));
}

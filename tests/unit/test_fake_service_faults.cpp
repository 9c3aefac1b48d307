// Scripted faults: each kind hits exactly `times` requests of its purpose,
// in FIFO order, and a faulted request changes no state.
#include "test_fake_service_util.hpp"

using namespace fake_test;

namespace {

const std::string kBody = "{\"prompt\":\"x\"}\n";

FakeReply raw_step1(FakeService& fake, Instant now) {
  return fake.handle(api_request(fake, Purpose::upload_url, "GET", "/datasets/ds1/upload-url/a.jsonl"), {}, now);
}

FakeReply raw_put(FakeService& fake, const Step1& s, Instant now) {
  return fake.handle(put_request(s.upload_url, s.content_type, kBody.size()), kBody, now);
}

}  // namespace

TEST_CASE("fake faults: a status fault hits `times` requests, then the service answers", "[fake]") {
  FakeService fake = service_with_dataset();
  fake.inject(Fault::status(Purpose::upload_url, 503, "{\"error\":{\"status\":503}}", {{"X-Test", "1"}}, 2));
  for (int i = 0; i < 2; ++i) {
    Response r = response_of(raw_step1(fake, at(1s)));
    CHECK(r.status == 503);
    CHECK(r.body == "{\"error\":{\"status\":503}}");
    CHECK(header(r, "X-Test") == "1");
    CHECK(header(r, "Date") == "Wed, 18 Nov 2026 11:06:41 GMT");
    CHECK(header(r, "Content-Type") == "application/json");
    CHECK(fake.requests().back().faulted);
  }
  CHECK(fake.import_ids("ds1").empty());  // no import created by a faulted step 1
  Response ok = response_of(raw_step1(fake, at(1s)));
  CHECK(ok.status == 201);
  CHECK_FALSE(fake.requests().back().faulted);
  CHECK(fake.import_ids("ds1").size() == 1);

  // An empty body gets no Content-Type; a given Date is kept.
  fake.inject(Fault::status(Purpose::dataset, 502, {}, {{"Date", "Thu, 01 Jan 1970 00:00:00 GMT"}}));
  Response bare = api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", at(0ms));
  CHECK(bare.status == 502);
  CHECK(header(bare, "Content-Type") == "<absent>");
  CHECK(header(bare, "Date") == "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST_CASE("fake faults: faults hit their own purpose only, routed by URL", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  fake.inject(Fault::status(Purpose::poll, 500));
  CHECK(api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", at(0ms)).status == 200);
  CHECK(put(fake, s, kBody, at(0ms)).status == 200);
  CHECK(step1(fake, "ds1", "b.jsonl", at(0ms)).import_id.size() == 36);
  // The request says "dataset" but its URL is a poll: the fake's routing counts.
  Request mislabelled = api_request(fake, Purpose::dataset, "GET", "/datasets/ds1/imports/" + s.import_id);
  CHECK(response_of(fake.handle(mislabelled, {}, at(0ms))).status == 500);
  CHECK(poll(fake, "ds1", s.import_id, at(0ms)).status == 200);
}

TEST_CASE("fake faults: retry_after writes the host's own error body", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  fake.inject(Fault::retry_after(Purpose::poll, 429, "7"));
  fake.inject(Fault::retry_after(Purpose::upload, 503, "Wed, 18 Nov 2026 11:07:00 GMT"));

  Response api = poll(fake, "ds1", s.import_id, at(0ms));
  CHECK(api.status == 429);
  CHECK(header(api, "Retry-After") == "7");
  CHECK(header(api, "Content-Type") == "application/json");
  CHECK(api_error_status(api) == 429);

  Response s3 = put(fake, s, kBody, at(0ms));
  CHECK(s3.status == 503);
  CHECK(header(s3, "Retry-After") == "Wed, 18 Nov 2026 11:07:00 GMT");
  CHECK(header(s3, "Content-Type") == "application/xml");
  CHECK(s3_code(s3) == "SlowDown");
  CHECK(status_at(fake, "ds1", s.import_id, at(0ms)) == "uninitialised");  // the PUT did not land

  CHECK(put(fake, s, kBody, at(0ms)).status == 200);
}

TEST_CASE("fake faults: malformed answers a 200 with the given body", "[fake]") {
  FakeService fake = service_with_dataset();
  fake.inject(Fault::malformed(Purpose::upload_url, "{\"upload_url\": 5", 3));
  for (int i = 0; i < 3; ++i) {
    Response r = response_of(raw_step1(fake, at(0ms)));
    CHECK(r.status == 200);
    CHECK(r.body == "{\"upload_url\": 5");
    CHECK(header(r, "Content-Type") == "application/json");
  }
  CHECK(fake.import_ids("ds1").empty());
  CHECK(response_of(raw_step1(fake, at(0ms))).body.find("upload_url\":\"https://") != std::string::npos);
}

TEST_CASE("fake faults: reset is a transport error and changes nothing", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  fake.inject(Fault::reset(Purpose::upload, 3));
  for (int i = 0; i < 3; ++i) {
    FakeReply r = raw_put(fake, s, at(1s));
    REQUIRE(r.transport_error() != nullptr);
    CHECK(r.transport_error()->kind == TransportError::Kind::reset);
    CHECK(r.delay == Duration{0});
  }
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "uninitialised");
  CHECK(response_of(raw_put(fake, s, at(1s))).status == 200);
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "processing");
}

TEST_CASE("fake faults: delay answers normally, later", "[fake]") {
  FakeService fake = service_with_dataset();
  fake.inject(Fault::delay(Purpose::upload_url, Duration{2500}, 2));
  for (int i = 0; i < 2; ++i) {
    FakeReply r = raw_step1(fake, at(0ms));
    CHECK(r.delay == Duration{2500});
    CHECK(response_of(r).status == 201);
  }
  // A delayed answer is a normal one: both imports exist.
  CHECK(fake.import_ids("ds1").size() == 2);
  CHECK(raw_step1(fake, at(0ms)).delay == Duration{0});
}

TEST_CASE("fake faults: s3_expired and s3_error", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  fake.inject(Fault::s3_expired());
  fake.inject(Fault::s3_error(400, "RequestTimeout", "Your socket connection timed out & closed", 2));

  Response expired = put(fake, s, kBody, at(1s));
  CHECK(expired.status == 403);
  CHECK(s3_code(expired) == "AccessDenied");
  CHECK(xml_field(expired, "Message") == "Request has expired");
  for (int i = 0; i < 2; ++i) {
    Response r = put(fake, s, kBody, at(1s));
    CHECK(r.status == 400);
    CHECK(s3_code(r) == "RequestTimeout");
    CHECK(xml_field(r, "Message") == "Your socket connection timed out &amp; closed");
    CHECK(header(r, "Content-Type") == "application/xml");
  }
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "uninitialised");
  CHECK(put(fake, s, kBody, at(1s)).status == 200);
}

TEST_CASE("fake faults: FIFO per purpose; times <= 0 is ignored", "[fake]") {
  FakeService fake = service_with_dataset();
  fake.inject(Fault::status(Purpose::dataset, 500, {}, {}, 0));
  fake.inject(Fault::reset(Purpose::dataset, -1));
  fake.inject(Fault::status(Purpose::dataset, 503));
  fake.inject(Fault::reset(Purpose::dataset, 2));
  fake.inject(Fault::status(Purpose::dataset, 504));
  auto next = [&] { return fake.handle(api_request(fake, Purpose::dataset, "GET", "/datasets/ds1"), {}, at(0ms)); };
  CHECK(response_of(next()).status == 503);
  CHECK(next().transport_error() != nullptr);
  CHECK(next().transport_error() != nullptr);
  CHECK(response_of(next()).status == 504);
  CHECK(response_of(next()).status == 200);
  CHECK(response_of(next()).status == 200);
}

TEST_CASE("fake faults: every request is recorded, faulted or not", "[fake]") {
  FakeService fake = service_with_dataset();
  fake.inject(Fault::reset(Purpose::upload_url));
  raw_step1(fake, at(1s));
  raw_step1(fake, at(2s));
  REQUIRE(fake.requests().size() == 2);
  CHECK(fake.requests()[0].faulted);
  CHECK(fake.requests()[0].at == at(1s));
  CHECK_FALSE(fake.requests()[1].faulted);
  CHECK(fake.requests()[1].request.url ==
        "https://api.fake.test/api/v1/data-collection/datasets/ds1/upload-url/a.jsonl");
}

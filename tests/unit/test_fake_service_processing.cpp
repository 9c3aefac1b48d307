// FakeService's import processing: one at a time per dataset, driven by
// `now`, and each terminal outcome as step 3 reports it.
#include "test_fake_service_util.hpp"

using namespace fake_test;

namespace {

// n records, each unique to its `batch` (identical records would be duplicates).
std::string records(int n, int batch = 0) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "{\"prompt\":\"p" + std::to_string(batch) + "-" + std::to_string(i) + "\"}\n";
  return s;
}

rapidjson::Document import_json(FakeService& fake, std::string_view ds, std::string_view id, Instant now) {
  Response r = poll(fake, ds, id, now);
  REQUIRE(r.status == 200);
  return json_of(r.body);
}

}  // namespace

TEST_CASE("fake processing: imports of a dataset run one at a time, in PUT order", "[fake]") {
  FakeService fake = service_with_dataset();  // 3000 ms + 1 ms per record
  Step1 a = step1(fake, "ds1", "a.jsonl", at(0ms));
  Step1 b = step1(fake, "ds1", "b.jsonl", at(0ms));
  REQUIRE(put(fake, a, records(2), at(10s)).status == 200);
  REQUIRE(put(fake, b, records(3, 1), at(11s)).status == 200);

  CHECK(status_at(fake, "ds1", a.import_id, at(9999ms)) == "uninitialised");
  CHECK(status_at(fake, "ds1", a.import_id, at(10s)) == "processing");
  CHECK(status_at(fake, "ds1", b.import_id, at(10999ms)) == "uninitialised");
  CHECK(status_at(fake, "ds1", b.import_id, at(11s)) == "queued");  // a is processing
  CHECK(status_at(fake, "ds1", a.import_id, at(13001ms)) == "processing");
  CHECK(status_at(fake, "ds1", b.import_id, at(13001ms)) == "queued");
  CHECK(status_at(fake, "ds1", a.import_id, at(13002ms)) == "complete");
  CHECK(status_at(fake, "ds1", b.import_id, at(13002ms)) == "processing");
  CHECK(status_at(fake, "ds1", b.import_id, at(16004ms)) == "processing");
  CHECK(status_at(fake, "ds1", b.import_id, at(16005ms)) == "complete");

  // updated_at follows the last change; created_at is the step-1 time.
  auto queued = import_json(fake, "ds1", b.import_id, at(12s));
  CHECK(str(queued, "created_at") == "2026-11-18T11:06:40Z");
  CHECK(str(queued, "updated_at") == "2026-11-18T11:06:51Z");
  CHECK(str(import_json(fake, "ds1", b.import_id, at(14s)), "updated_at") == "2026-11-18T11:06:53Z");
  CHECK(str(import_json(fake, "ds1", b.import_id, at(99s)), "updated_at") == "2026-11-18T11:06:56Z");

  CHECK(fake.total_datapoint_count("ds1", at(13001ms)) == 0);
  CHECK(fake.total_datapoint_count("ds1", at(13002ms)) == 2);
  CHECK(fake.total_datapoint_count("ds1", at(16005ms)) == 5);
  CHECK(fake.total_datapoint_count("nope", at(16005ms)) == 0);

  auto ds = json_of(api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", at(14s)).body);
  CHECK(num(ds, "total_datapoint_count") == 2);
  REQUIRE(ds["imports"].Size() == 2);  // most recent first
  CHECK(str(ds["imports"][1], "import_id") == a.import_id);
  CHECK(str(ds["imports"][1], "status") == "complete");
  CHECK(num(ds["imports"][1], "accepted_count") == 2);
  CHECK(str(ds["imports"][0], "status") == "processing");
  CHECK_FALSE(has(ds["imports"][0], "accepted_count"));
}

TEST_CASE("fake processing: arrival order, not creation order, and datasets run in parallel", "[fake]") {
  FakeService fake = service_with_dataset();
  fake.add_dataset({"ds2", "Other", prompt_schema()});
  Step1 first = step1(fake, "ds1", "a.jsonl", at(0ms));
  Step1 second = step1(fake, "ds1", "b.jsonl", at(0ms));
  Step1 elsewhere = step1(fake, "ds2", "c.jsonl", at(0ms));
  REQUIRE(put(fake, second, records(1), at(1s)).status == 200);
  REQUIRE(put(fake, first, records(1), at(2s)).status == 200);
  REQUIRE(put(fake, elsewhere, records(1), at(2s)).status == 200);
  CHECK(status_at(fake, "ds1", second.import_id, at(2s)) == "processing");
  CHECK(status_at(fake, "ds1", first.import_id, at(2s)) == "queued");
  CHECK(status_at(fake, "ds2", elsewhere.import_id, at(2s)) == "processing");
  CHECK(status_at(fake, "ds1", first.import_id, at(4001ms)) == "processing");  // after 1s + 3001 ms
  CHECK(status_at(fake, "ds1", first.import_id, at(7002ms)) == "complete");
  // An idle dataset starts at once.
  Step1 later = step1(fake, "ds1", "d.jsonl", at(0ms));
  REQUIRE(put(fake, later, records(1), at(60s)).status == 200);
  CHECK(status_at(fake, "ds1", later.import_id, at(60s)) == "processing");
}

TEST_CASE("fake processing: complete", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  put(fake, s, records(4), at(1s));
  auto doc = import_json(fake, "ds1", s.import_id, at(10s));
  CHECK(str(doc, "dataset_id") == "ds1");
  CHECK(str(doc, "import_id") == s.import_id);
  CHECK(str(doc, "type") == "file_upload");
  CHECK(str(doc, "status") == "complete");
  CHECK(num(doc, "accepted_count") == 4);
  CHECK_FALSE(has(doc, "rejected_count"));
  CHECK_FALSE(has(doc, "errors"));
  CHECK_FALSE(has(doc, "reason"));

  auto report = fake.import_report(s.import_id, at(10s));
  REQUIRE(report);
  CHECK(report->status == ImportStatus::complete);
  CHECK(report->accepted_count == 4u);
  CHECK_FALSE(report->rejected_count);
  CHECK(report->type == "file_upload");
  CHECK(report->dataset_id == "ds1");
  CHECK(report->created_at == "2026-11-18T11:06:40Z");
  CHECK(report->updated_at == "2026-11-18T11:06:44Z");  // 1 s + 3004 ms
  CHECK_FALSE(fake.import_report("nope", at(10s)));
}

TEST_CASE("fake processing: partial", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  put(fake, s, "{\"prompt\":\"ok\"}\n{\"prompt\":\"\",\"extra\":1}\n{\"prompt\":\"ok\",\"category\":[1]}\n", at(1s));
  CHECK(status_at(fake, "ds1", s.import_id, at(4002ms)) == "processing");
  auto doc = import_json(fake, "ds1", s.import_id, at(4003ms));
  CHECK(str(doc, "status") == "partial");
  CHECK(num(doc, "accepted_count") == 2);
  CHECK(num(doc, "rejected_count") == 1);
  CHECK(str(doc, "reason") == "1 of 3 records were rejected");  // a reason on partial, as documented
  REQUIRE(doc["errors"].Size() == 2);  // one record, two offending fields
  CHECK(num(doc["errors"][0], "record_index") == 1);
  CHECK(str(doc["errors"][0], "field") == "prompt");
  CHECK(str(doc["errors"][0], "reason") == "must be a non-empty string");
  CHECK(num(doc["errors"][1], "record_index") == 1);
  CHECK(str(doc["errors"][1], "field") == "extra");
  CHECK(str(doc["errors"][1], "reason") == "field not in schema");

  auto report = fake.import_report(s.import_id, at(5s));
  REQUIRE(report);
  CHECK(report->status == ImportStatus::partial);
  CHECK(report->accepted_count == 2u);
  CHECK(report->rejected_count == 1u);
  REQUIRE(report->errors.size() == 2);
  CHECK(report->errors[1].record_index == 1u);
  CHECK(report->errors[1].field == "extra");
  CHECK(report->errors[1].reason == "field not in schema");
  CHECK(report->errors[1].raw == R"({"record_index":1,"field":"extra","reason":"field not in schema"})");
  CHECK(fake.total_datapoint_count("ds1", at(5s)) == 2);
}

TEST_CASE("fake processing: failed, every record rejected", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  put(fake, s, "[1]\n{\"other\":\"x\"}\n", at(0ms));
  auto doc = import_json(fake, "ds1", s.import_id, at(10s));
  CHECK(str(doc, "status") == "failed");
  CHECK(str(doc, "reason") == "all 2 records were rejected");
  CHECK(num(doc, "rejected_count") == 2);
  CHECK_FALSE(has(doc, "accepted_count"));
  REQUIRE(doc["errors"].Size() == 3);
  CHECK(str(doc["errors"][0], "field") == "");
  CHECK(str(doc["errors"][0], "reason") == "not a JSON object");
  CHECK(str(doc["errors"][1], "field") == "prompt");
  CHECK(str(doc["errors"][1], "reason") == "missing required field");
  CHECK(str(doc["errors"][2], "field") == "other");
  CHECK(fake.total_datapoint_count("ds1", at(10s)) == 0);
  auto report = fake.import_report(s.import_id, at(10s));
  CHECK(report->reason == std::optional<std::string>("all 2 records were rejected"));
  CHECK(report->rejected_count == 2u);
}

TEST_CASE("fake processing: failed at file level has a reason and no counts", "[fake]") {
  FakeService fake = service_with_dataset();
  struct Case {
    std::string file, body, reason;
  };
  for (const Case& c : std::vector<Case>{
           {"a.jsonl", "{\"prompt\":\"caf\xE9\"}\n", "file is not valid UTF-8"},
           {"a.jsonl", "", "the file holds no records"},
           {"a.jsonl", " \n\r\n\t\n", "the file holds no records"},
           {"a.csv", "prompt,category\r\n", "the file holds no records"},
           {"a.csv", "prompt\n\"open\n", "malformed CSV: unterminated quoted field"},
       }) {
    INFO(c.reason);
    Step1 s = step1(fake, "ds1", c.file, at(0ms));
    REQUIRE(put(fake, s, c.body, at(0ms)).status == 200);
    CHECK(status_at(fake, "ds1", s.import_id, at(2999ms)) != "failed");
    auto doc = import_json(fake, "ds1", s.import_id, at(1000s));
    CHECK(str(doc, "status") == "failed");
    CHECK(str(doc, "reason") == c.reason);
    CHECK_FALSE(has(doc, "accepted_count"));
    CHECK_FALSE(has(doc, "rejected_count"));
    CHECK_FALSE(has(doc, "errors"));
  }
}

TEST_CASE("fake processing: pending_schema, then a schema and a new upload", "[fake]") {
  FakeService fake = service_with_dataset({}, std::nullopt);
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  put(fake, s, records(2), at(0ms));
  CHECK(status_at(fake, "ds1", s.import_id, at(2999ms)) == "processing");
  auto doc = import_json(fake, "ds1", s.import_id, at(3s));
  CHECK(str(doc, "status") == "pending_schema");
  CHECK_FALSE(has(doc, "accepted_count"));
  CHECK_FALSE(has(doc, "reason"));
  CHECK(fake.total_datapoint_count("ds1", at(3s)) == 0);

  // Setting a schema does not revive the old import; a new upload succeeds.
  REQUIRE(fake.set_schema("ds1", prompt_schema()));
  CHECK_FALSE(fake.set_schema("nope", prompt_schema()));
  CHECK(status_at(fake, "ds1", s.import_id, at(4s)) == "pending_schema");
  Step1 t = step1(fake, "ds1", "a.jsonl", at(4s));
  put(fake, t, records(2), at(4s));
  CHECK(status_at(fake, "ds1", t.import_id, at(8s)) == "complete");
  CHECK(fake.total_datapoint_count("ds1", at(8s)) == 2);
}

// pending_schema is a pause (docs/service.md, Step 3): a PATCH that sets a
// schema resumes the paused import (set_schema, a setup call, does not).
TEST_CASE("fake processing: a PATCH that sets a schema resumes a paused import once (or it stays paused)", "[fake]") {
  const std::string patch = R"({"schema": {"fields": {"prompt": {"type": "text"}}}})";
  SECTION("resumes (the default)") {
    FakeService fake = service_with_dataset({}, std::nullopt);
    Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
    put(fake, s, records(2), at(0ms));
    CHECK(status_at(fake, "ds1", s.import_id, at(5s)) == "pending_schema");
    REQUIRE(api_call(fake, Purpose::dataset, "PATCH", "/datasets/ds1", at(10s), patch).status == 200);
    CHECK(status_at(fake, "ds1", s.import_id, at(10s)) == "processing");
    CHECK(status_at(fake, "ds1", s.import_id, at(13001ms)) == "processing");
    auto done = import_json(fake, "ds1", s.import_id, at(13002ms));
    CHECK(str(done, "status") == "complete");
    CHECK(num(done, "accepted_count") == 2);
    CHECK(fake.total_datapoint_count("ds1", at(13002ms)) == 2);
    // A second PATCH does not process it again: the records are written once.
    REQUIRE(api_call(fake, Purpose::dataset, "PATCH", "/datasets/ds1", at(20s), patch).status == 200);
    CHECK(status_at(fake, "ds1", s.import_id, at(20s)) == "complete");
    CHECK(fake.total_datapoint_count("ds1", at(30s)) == 2);
  }
  SECTION("stays paused (pending_schema_stays)") {
    FakeOptions o;
    o.pending_schema_stays = true;
    FakeService fake = service_with_dataset(o, std::nullopt);
    Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
    put(fake, s, records(2), at(0ms));
    REQUIRE(api_call(fake, Purpose::dataset, "PATCH", "/datasets/ds1", at(10s), patch).status == 200);
    CHECK(status_at(fake, "ds1", s.import_id, at(60s)) == "pending_schema");
    CHECK(fake.total_datapoint_count("ds1", at(60s)) == 0);
  }
}

TEST_CASE("fake processing: errors are cut at max_reported_errors, rejected_count stays exact", "[fake]") {
  FakeOptions o;
  o.max_reported_errors = 5;
  FakeService fake = service_with_dataset(o);
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  std::string body = records(3);
  for (int i = 0; i < 120; ++i) body += "{\"prompt\":7,\"x\":1}\n";  // two errors each
  put(fake, s, body, at(0ms));
  auto doc = import_json(fake, "ds1", s.import_id, at(10s));
  CHECK(str(doc, "status") == "partial");
  CHECK(num(doc, "accepted_count") == 3);
  CHECK(num(doc, "rejected_count") == 120);
  REQUIRE(doc["errors"].Size() == 5);
  CHECK(num(doc["errors"][0], "record_index") == 3);
  CHECK(num(doc["errors"][4], "record_index") == 5);
  // The processing time counts every record: 3000 + 123 ms.
  CHECK(status_at(fake, "ds1", s.import_id, at(3122ms)) == "processing");
  CHECK(status_at(fake, "ds1", s.import_id, at(3123ms)) == "partial");

  FakeOptions none;
  none.max_reported_errors = 0;
  FakeService quiet = service_with_dataset(none);
  Step1 q = step1(quiet, "ds1", "a.jsonl", at(0ms));
  put(quiet, q, "{}\n", at(0ms));
  auto qdoc = import_json(quiet, "ds1", q.import_id, at(10s));
  CHECK(str(qdoc, "status") == "failed");
  CHECK(num(qdoc, "rejected_count") == 1);
  CHECK(qdoc["errors"].Size() == 0);
}

TEST_CASE("fake processing: the default options cut errors at 50", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.csv", at(0ms));
  std::string body = "prompt\nok\n";
  for (int i = 0; i < 200; ++i) body += "\"\"\n";
  put(fake, s, body, at(0ms));
  auto report = fake.import_report(s.import_id, at(1000s));
  REQUIRE(report);
  CHECK(report->status == ImportStatus::partial);
  CHECK(report->accepted_count == 1u);
  CHECK(report->rejected_count == 200u);
  CHECK(report->errors.size() == 50);
}

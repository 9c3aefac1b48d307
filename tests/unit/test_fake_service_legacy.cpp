// FakeService's V3 (legacy) datasets: step 1 without import_id, the PUT,
// and GET /datasets/{id}/status going UNINITIALISED -> PROCESSING -> READY
// or ERROR on the V4 imports' time model (rules in fake_legacy.hpp).
#include <upstate/machine/drive.hpp>
#include <upstate/testing/fake_transport.hpp>

#include "test_fake_service_util.hpp"

using namespace fake_test;

namespace {

FakeService legacy_service(FakeOptions options = {}) {
  FakeService fake(std::move(options));
  fake.add_dataset({"v3", "Legacy", std::nullopt, true});
  return fake;
}

// Step 1 on a V3 dataset: the same answer as V4's, without import_id.
Step1 legacy_step1(FakeService& fake, std::string_view filename, Instant now) {
  Response r = api_call(fake, Purpose::upload_url, "GET", "/datasets/v3/upload-url/" + percent_encode_segment(filename), now);
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto doc = json_of(r.body);
  CHECK_FALSE(has(doc, "import_id"));
  CHECK(str(doc, "http_method") == "PUT");
  CHECK(str(doc, "dataset_id") == "v3");
  return Step1{str(doc, "upload_url"), "", str(doc, "content_type")};
}

Response status_call(FakeService& fake, std::string_view dataset, Instant now) {
  return api_call(fake, Purpose::dataset_status, "GET", "/datasets/" + std::string(dataset) + "/status", now);
}

std::string status_of(FakeService& fake, Instant now) {
  Response r = status_call(fake, "v3", now);
  REQUIRE(r.status == 200);
  return str(json_of(r.body), "status");
}

std::string rows(int n) {
  std::string s = "prompt,category\n";
  for (int i = 0; i < n; ++i) s += "p" + std::to_string(i) + ",c\n";
  return s;
}

}  // namespace

TEST_CASE("fake V3: step 1 answers without import_id, with the file type's content type", "[fake]") {
  FakeService fake = legacy_service();
  CHECK(legacy_step1(fake, "a.csv", at(0ms)).content_type == "text/csv");
  CHECK(legacy_step1(fake, "b.zip", at(0ms)).content_type == "application/zip");
  // Any other name still gets a URL (its file ends ERROR): a client has to check the type itself.
  CHECK(legacy_step1(fake, "c.jsonl", at(0ms)).content_type == "application/octet-stream");
  CHECK(fake.import_ids("v3").empty());  // a V3 upload is no import
  CHECK(api_call(fake, Purpose::upload_url, "GET", "/datasets/v3/upload-url/..", at(0ms)).status == 400);
}

TEST_CASE("fake V3: the status goes UNINITIALISED, PROCESSING, READY on the imports' time model", "[fake]") {
  FakeService fake = legacy_service();  // 3000 ms + 1 ms per record
  CHECK(status_of(fake, at(0ms)) == "UNINITIALISED");
  Step1 s = legacy_step1(fake, "answers.csv", at(0ms));
  CHECK(status_of(fake, at(5s)) == "UNINITIALISED");
  REQUIRE(put(fake, s, rows(4), at(10s)).status == 200);
  CHECK(status_of(fake, at(10s)) == "PROCESSING");
  CHECK(status_of(fake, at(13003ms)) == "PROCESSING");
  CHECK(status_of(fake, at(13004ms)) == "READY");
  CHECK(fake.dataset_status("v3", at(13004ms)) == DatasetStatus::ready);
  CHECK(fake.total_datapoint_count("v3", at(13004ms)) == 4);

  Response r = api_call(fake, Purpose::dataset, "GET", "/datasets/v3", at(13004ms));
  REQUIRE(r.status == 200);
  auto doc = json_of(r.body);
  CHECK(doc["schema_version"].GetInt() == 3);
  CHECK(str(doc, "status") == "READY");
  CHECK(str(doc, "filename") == "answers.csv");
  CHECK(num(doc, "total_datapoint_count") == 4);
  CHECK_FALSE(has(doc, "schema"));
  CHECK_FALSE(has(doc, "imports"));
}

TEST_CASE("fake V3: a file the dataset cannot take ends ERROR with a reason", "[fake]") {
  using Row = std::tuple<std::string, std::string, std::string>;
  auto row = GENERATE(table<std::string, std::string, std::string>({
      Row{"a.csv", "prompt\n\xff\xfe\n", "file is not valid UTF-8"},
      Row{"a.csv", "", "the file is empty"},
      Row{"a.csv", "prompt,category\n", "the file holds no records"},
      Row{"a.csv", "prompt\n\"open\n", "malformed CSV: unterminated quoted field"},
      Row{"a.zip", "", "the file is empty"},
      Row{"a.zip", "prompt\nx\n", "not a ZIP archive"},
      Row{"a.jsonl", "{\"prompt\":\"x\"}\n", "unsupported file type: a V3 dataset takes .csv and .zip files"},
  }));
  CAPTURE(std::get<0>(row), std::get<1>(row));
  FakeService fake = legacy_service();
  Step1 s = legacy_step1(fake, std::get<0>(row), at(0ms));
  REQUIRE(put(fake, s, std::get<1>(row), at(1s)).status == 200);
  Response r = status_call(fake, "v3", at(10s));
  REQUIRE(r.status == 200);
  auto doc = json_of(r.body);
  CHECK(str(doc, "status") == "ERROR");
  CHECK(str(doc, "reason") == std::get<2>(row));
  CHECK(fake.total_datapoint_count("v3", at(10s)) == 0);
}

TEST_CASE("fake V3: a ZIP archive is READY without being opened", "[fake]") {
  FakeService fake = legacy_service();
  Step1 s = legacy_step1(fake, "images.zip", at(0ms));
  REQUIRE(put(fake, s, std::string("PK\x03\x04junk", 8), at(0ms)).status == 200);
  CHECK(status_of(fake, at(3s)) == "READY");
}

TEST_CASE("fake V3: uploads queue one at a time; the status is the last file's", "[fake]") {
  FakeService fake = legacy_service();
  Step1 a = legacy_step1(fake, "a.csv", at(0ms));
  Step1 b = legacy_step1(fake, "b.csv", at(0ms));
  REQUIRE(put(fake, a, rows(1), at(0ms)).status == 200);
  REQUIRE(put(fake, b, "", at(1s)).status == 200);  // queued behind a, then ERROR
  CHECK(status_of(fake, at(3001ms)) == "PROCESSING");  // a is done, b waits its turn: V3 has no `queued`
  CHECK(status_of(fake, at(6000ms)) == "PROCESSING");
  CHECK(status_of(fake, at(6001ms)) == "ERROR");
  CHECK(str(json_of(api_call(fake, Purpose::dataset, "GET", "/datasets/v3", at(7s)).body), "filename") == "b.csv");
}

TEST_CASE("fake V3: /status exists for V3 datasets only, behind the token, GET only", "[fake]") {
  FakeService fake = legacy_service();
  fake.add_dataset({"v4", "Modern", prompt_schema()});
  CHECK(status_call(fake, "v4", at(0ms)).status == 404);
  CHECK(status_call(fake, "nope", at(0ms)).status == 404);
  Response anonymous = response_of(
      fake.handle(api_request(fake, Purpose::dataset_status, "GET", "/datasets/v3/status", false), {}, at(0ms)));
  CHECK(anonymous.status == 401);
  Response post = api_call(fake, Purpose::dataset_status, "POST", "/datasets/v3/status", at(0ms));
  CHECK(post.status == 405);
  CHECK(header(post, "Allow") == "GET");
  CHECK(fake.purpose_of(api_request(fake, Purpose::dataset, "GET", "/datasets/v3/status")) == Purpose::dataset_status);
  CHECK(fake.requests().back().purpose == Purpose::dataset_status);
}

TEST_CASE("fake V3: faults for dataset_status hit the status requests only", "[fake]") {
  FakeService fake = legacy_service();
  fake.inject(Fault::status(Purpose::dataset_status, 503, "", {}, 2));
  CHECK(api_call(fake, Purpose::dataset, "GET", "/datasets/v3", at(0ms)).status == 200);
  CHECK(status_call(fake, "v3", at(0ms)).status == 503);
  CHECK(status_call(fake, "v3", at(0ms)).status == 503);
  CHECK(status_call(fake, "v3", at(0ms)).status == 200);
}

TEST_CASE("fake V3: no schema, and V4 import ids are not disturbed", "[fake]") {
  FakeService fake = legacy_service();
  fake.add_dataset({"v4", "Modern", prompt_schema()});
  CHECK_FALSE(fake.set_schema("v3", prompt_schema()));
  Response patch = api_call(fake, Purpose::dataset, "PATCH", "/datasets/v3", at(0ms),
                            R"({"schema":{"fields":{"prompt":{"type":"text"}}}})");
  CHECK(patch.status == 400);
  legacy_step1(fake, "a.csv", at(0ms));
  Step1 modern = step1(fake, "v4", "a.jsonl", at(0ms));
  CHECK(modern.import_id == "00000000-0000-4000-8000-000000000001");
  CHECK_FALSE(fake.dataset_status("v4", at(0ms)));
  // A V3 upload's S3 key names an id the API does not show.
  CHECK(poll(fake, "v3", "00000000-0000-4000-c000-000000000001", at(0ms)).status == 404);
}

TEST_CASE("fake V3: the machine uploads to a V3 dataset end to end", "[fake]") {
  FakeService fake = legacy_service();
  ManualClock clock;
  const std::string file = rows(3);
  FakeTransport transport(fake, clock, file);
  UploadConfig config;
  config.api_base = fake.options().api_base;
  config.token = fake.options().token;
  config.dataset_id = "v3";
  Upload up{config, {"answers.csv", file.size()}};
  Outcome o = drive(up, transport, clock);
  REQUIRE(o.report());
  CHECK(o.complete());
  CHECK(o.report()->type == "legacy_dataset");
  for (const auto& seen : fake.requests())
    if (seen.purpose == Purpose::upload) CHECK(find_header(seen.request.headers, "Authorization") == nullptr);
  CHECK(fake.requests().back().purpose == Purpose::dataset_status);
}

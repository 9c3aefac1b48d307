// FakeService as docs/service.md describes the real one: duplicates are
// accepted but not written twice, processing shows its progress, a
// dataset's imports are listed most recent first, file names in any case.
#include <upstate/wire/dataset.hpp>
#include <upstate/wire/import_report.hpp>

#include "test_fake_service_util.hpp"

using namespace fake_test;

namespace {

std::string records(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += "{\"prompt\":\"p" + std::to_string(i) + "\"}\n";
  return s;
}

// Uploads `body` as a new import at `now`; returns its id.
std::string upload(FakeService& fake, std::string_view name, const std::string& body, Instant now) {
  Step1 s = step1(fake, "ds1", name, now);
  REQUIRE(put(fake, s, body, now).status == 200);
  return s.import_id;
}

ImportReport report(FakeService& fake, const std::string& id, Instant now) {
  Response r = poll(fake, "ds1", id, now);
  REQUIRE(r.status == 200);
  auto parsed = parse_import_report(r.body);
  INFO(r.body);
  REQUIRE(parsed.ok());
  return parsed.value();
}

}  // namespace

TEST_CASE("fake duplicates: an identical record is accepted, not written twice", "[fake][duplicates]") {
  FakeService fake = service_with_dataset();
  const std::string first = upload(fake, "a.jsonl", records(0, 10), at(0ms));
  // The same 10 records again (one with trailing blanks), 2 new ones, and a
  // record repeated inside the file.
  std::string again = records(0, 10) + records(10, 12) + records(11, 12);
  again.insert(again.find('\n'), "  \r");
  const std::string second = upload(fake, "b.jsonl", again, at(1s));
  const Instant later = at(60s);

  ImportReport a = report(fake, first, later), b = report(fake, second, later);
  CHECK(a.accepted_count == std::optional<std::uint64_t>(10));
  CHECK(a.duplicate_count == std::optional<std::uint64_t>(0));
  CHECK(b.status == ImportStatus::complete);
  CHECK(b.accepted_count == std::optional<std::uint64_t>(13));
  CHECK(b.duplicate_count == std::optional<std::uint64_t>(11));
  CHECK(b.new_count() == std::optional<std::uint64_t>(2));
  // total_datapoint_count counts written records: 10 + 2.
  CHECK(fake.total_datapoint_count("ds1", later) == 12);
  auto dataset = parse_dataset(api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", later).body);
  REQUIRE(dataset.ok());
  CHECK(dataset->total_datapoint_count == std::optional<std::uint64_t>(12));

  SECTION("CSV rows are the same record only under the same header") {
    FakeOptions o;
    FakeService csv = service_with_dataset(o, prompt_schema(false));
    Step1 s1 = step1(csv, "ds1", "a.csv", at(0ms));
    REQUIRE(put(csv, s1, "prompt,category\nx,y\n", at(0ms)).status == 200);
    Step1 s2 = step1(csv, "ds1", "b.csv", at(0ms));
    REQUIRE(put(csv, s2, "category,prompt\nx,y\nz,w\n", at(0ms)).status == 200);
    Step1 s3 = step1(csv, "ds1", "c.csv", at(0ms));
    REQUIRE(put(csv, s3, "prompt,category\nx,y\n", at(0ms)).status == 200);
    CHECK(csv.total_datapoint_count("ds1", at(60s)) == 3);
    CHECK(csv.import_report(s3.import_id, at(60s))->duplicate_count == std::optional<std::uint64_t>(1));
  }
}

TEST_CASE("fake progress: processing shows its offset and running counts", "[fake][progress]") {
  FakeOptions o;
  o.processing_base = Duration{1000};
  o.processing_per_record = Duration{100};
  FakeService fake = service_with_dataset(o);
  upload(fake, "first.jsonl", records(0, 4), at(0ms));  // 1.4 s of processing
  // 6 records, 2 already present, 1 rejected; processing takes 1.6 s from 1.4 s.
  const std::string body = records(0, 2) + records(20, 23) + "{\"prompt\":\"\"}\n";
  const std::string id = upload(fake, "second.jsonl", body, at(100ms));

  ImportReport queued = report(fake, id, at(1s));
  CHECK(queued.status == ImportStatus::queued);
  CHECK(queued.filename == "second.jsonl");
  CHECK(queued.processing_started_at.empty());
  CHECK_FALSE(queued.processed_offset);

  ImportReport half = report(fake, id, at(2200ms));  // half way through
  CHECK(half.status == ImportStatus::processing);
  CHECK(half.processing_started_at == "2026-11-18T11:06:41Z");  // 1.4 s after 11:06:40, whole seconds
  CHECK(half.processed_offset == std::optional<std::uint64_t>(body.size() / 2));
  CHECK(half.written_count == std::optional<std::uint64_t>(1));         // of 3
  CHECK(half.duplicate_seen_count == std::optional<std::uint64_t>(1));  // of 2
  CHECK(half.rejected_seen_count == std::optional<std::uint64_t>(0));   // of 1

  // The C++ view agrees with the wire.
  ImportReport direct = *fake.import_report(id, at(2200ms));
  CHECK(direct.processed_offset == half.processed_offset);
  CHECK(direct.written_count == half.written_count);

  ImportReport done = report(fake, id, at(5s));
  CHECK(done.status == ImportStatus::partial);
  CHECK_FALSE(done.processed_offset);  // running figures only while processing
  CHECK(done.accepted_count == std::optional<std::uint64_t>(5));
  CHECK(done.duplicate_count == std::optional<std::uint64_t>(2));
  CHECK(done.processing_started_at == "2026-11-18T11:06:41Z");
}

TEST_CASE("fake dataset: imports most recent first", "[fake]") {
  FakeService fake = service_with_dataset();
  const std::string a = upload(fake, "a.jsonl", records(0, 1), at(0ms));
  const std::string b = upload(fake, "b.jsonl", records(1, 2), at(1s));
  const std::string c = step1(fake, "ds1", "c.jsonl", at(2s)).import_id;
  auto dataset = parse_dataset(api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", at(60s)).body);
  REQUIRE(dataset.ok());
  REQUIRE(dataset->imports.size() == 3);
  CHECK(dataset->imports[0].import_id == c);
  CHECK(dataset->imports[1].import_id == b);
  CHECK(dataset->imports[2].import_id == a);
  CHECK(fake.import_ids("ds1") == std::vector<std::string>{a, b, c});  // the test API keeps creation order
}

TEST_CASE("fake step 1: an upper-case extension is the same file type", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "DATA.JSONL", at(0ms));
  CHECK(s.content_type == "application/x-ndjson");
  REQUIRE(put(fake, s, records(0, 2), at(0ms)).status == 200);
  CHECK(status_at(fake, "ds1", s.import_id, at(60s)) == "complete");
}

// Batch made of caller-made machines (the journal's resume): restored
// uploads poll an accepted PUT or probe one whose answer was lost, and no
// file is ever PUT twice. And adaptive concurrency: a 429 lowers how many
// files the batch lets run. Offline (FakeService, ManualClock).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <upstate/machine/batch.hpp>
#include <upstate/machine/batch_drive.hpp>
#include <upstate/testing/fake_service.hpp>
#include <upstate/testing/manual_clock.hpp>

#include "support/answers.hpp"

using namespace upstate;
using namespace upstate::testing;

namespace {

std::string records(int n, const std::string& tag) {
  std::string s;
  for (int i = 0; i < n; ++i) s += R"({"prompt":")" + tag + std::to_string(i) + R"(","response":"r"})" "\n";
  return s;
}

struct World {
  FakeService fake;
  ManualClock clock;
  BatchConfig config;

  World() {
    fake.add_dataset({"ds1", "Reviews", Schema{true, {{"prompt", "text", "Prompt"}, {"response", "text", ""}}}});
    config.upload.api_base = fake.options().api_base;
    config.upload.token = fake.options().token;
    config.upload.dataset_id = "ds1";
    config.upload.seed = 3;
  }

  FakeReply handle(const Request& r, const std::string& content) {
    std::string_view body;
    if (r.file) body = std::string_view(content).substr(0, r.file->size);
    return fake.handle(r, body, clock.now());
  }

  // Runs one Upload until its PUT was sent; `deliver` says whether its answer
  // reaches the machine (false: the process died with the PUT in flight).
  Upload until_put(const std::string& name, const std::string& content, bool deliver) {
    UploadConfig c = config.upload;
    Upload up{c, FileInfo{name, content.size()}};
    Action a = up.start(clock.now());
    for (;;) {
      auto* send = std::get_if<Send>(&a);
      REQUIRE(send);
      const bool is_put = send->request.purpose == Purpose::upload;
      FakeReply reply = handle(send->request, content);
      if (is_put && !deliver) return up;
      a = up.on_response(std::get<Response>(reply.result), clock.now());
      if (is_put) return up;
    }
  }

  std::size_t puts() const {
    std::size_t n = 0;
    for (const auto& seen : fake.requests()) n += seen.purpose == Purpose::upload;
    return n;
  }

  BatchOutcome run(Batch& batch, const std::vector<std::string>& contents) {
    struct Transport {
      World& w;
      const std::vector<std::string>& contents;
      Exchange exchange(const Request& r, std::size_t file) {
        FakeReply reply = w.handle(r, file < contents.size() ? contents[file] : std::string());
        w.clock.advance(reply.delay);
        return std::move(reply.result);
      }
    } transport{*this, contents};
    return drive_batch(batch, transport, clock);
  }
};

}  // namespace

TEST_CASE("batch resume: a restored upload whose PUT was accepted is polled, not sent again") {
  World w;
  const std::string a = records(3, "a"), b = records(2, "b");
  Upload first = w.until_put("a.jsonl", a, /*deliver=*/true);
  REQUIRE(first.phase() == Phase::processing);
  const std::string snapshot = first.snapshot();
  REQUIRE(w.puts() == 1);

  auto restored = Upload::restore(w.config.upload, snapshot);
  REQUIRE(restored);
  std::vector<Upload> uploads{std::move(restored).value(), Upload{w.config.upload, FileInfo{"b.jsonl", b.size()}}};
  Batch batch = Batch::of_uploads(w.config, std::move(uploads));
  BatchOutcome o = w.run(batch, {a, b});
  CHECK(o.all_complete());
  CHECK(w.puts() == 2);  // a's once (before the "crash"), b's once
  REQUIRE(o.total_datapoint_count);
  CHECK(*o.total_datapoint_count == 5);
}

TEST_CASE("batch resume: a PUT whose answer was lost is probed, and the import not ingested twice") {
  World w;
  const std::string a = records(4, "a"), b = records(1, "b");
  Upload first = w.until_put("a.jsonl", a, /*deliver=*/false);
  REQUIRE(first.phase() == Phase::uploading);
  auto restored = Upload::restore(w.config.upload, first.snapshot());
  REQUIRE(restored);
  std::vector<Upload> uploads{std::move(restored).value(), Upload{w.config.upload, FileInfo{"b.jsonl", b.size()}}};
  Batch batch = Batch::of_uploads(w.config, std::move(uploads));
  BatchOutcome o = w.run(batch, {a, b});
  CHECK(o.all_complete());
  CHECK(w.puts() == 2);
  REQUIRE(o.total_datapoint_count);
  CHECK(*o.total_datapoint_count == 5);
  CHECK(o.files[0].import_id == first.import_id());
}

TEST_CASE("batch resume: an import that never got its file is abandoned and the file sent once") {
  World w;
  const std::string a = records(2, "a");
  // Step 1 answered, the process died before the PUT went out.
  UploadConfig c = w.config.upload;
  Upload first{c, FileInfo{"a.jsonl", a.size()}};
  Action act = first.start(w.clock.now());
  act = first.on_response(std::get<Response>(w.handle(std::get<Send>(act).request, a).result), w.clock.now());
  REQUIRE(std::get<Send>(act).request.purpose == Purpose::upload);
  auto restored = Upload::restore(c, first.snapshot());
  REQUIRE(restored);
  std::vector<Upload> uploads{std::move(restored).value()};
  Batch batch = Batch::of_uploads(w.config, std::move(uploads));
  BatchOutcome o = w.run(batch, {a});
  CHECK(o.all_complete());
  CHECK(w.puts() == 1);
  CHECK(*o.total_datapoint_count == 2);
  REQUIRE(o.files[0].abandoned_import_ids.size() == 1);
  CHECK(o.files[0].abandoned_import_ids[0] == first.import_id());
}

TEST_CASE("batch: adaptive concurrency lets fewer files run after a 429, more after successes") {
  BatchConfig c;
  c.upload.api_base = test::kApi;
  c.upload.token = test::kToken;
  c.upload.dataset_id = "ds1";
  c.max_in_flight = 8;
  c.adaptive_concurrency = true;
  c.concurrency_increase_after = 2;
  std::vector<FileInfo> files;
  for (int i = 0; i < 20; ++i) files.push_back({"f" + std::to_string(i) + ".jsonl", 10});
  Batch b(c, files);
  b.start(test::at(0));
  std::vector<BatchSend> out;
  while (auto s = b.next_send()) out.push_back(std::move(*s));
  REQUIRE(out.size() == 8);
  b.on_response(out[0].ticket, test::answer(429), test::at(1));
  CHECK(b.concurrency_limit() == 4);
  // Files 1..7 end at step 1 (404): only as many start as the limit allows.
  for (std::size_t i = 1; i < 8; ++i) b.on_response(out[i].ticket, test::api_error(404), test::at(1));
  CHECK(b.active_files() == 4);  // file 0 (backing off) and three new ones
  CHECK(b.started_files() == 11);
  // Requests, too: at most the limit out at once; the rest wait for answers.
  std::vector<BatchSend> more;
  while (auto s = b.next_send()) more.push_back(std::move(*s));
  CHECK(more.size() == 3);
  SECTION("without adaptive concurrency the same answers keep all 8 running") {
    c.adaptive_concurrency = false;
    Batch fixed(c, files);
    fixed.start(test::at(0));
    std::vector<BatchSend> o2;
    while (auto s = fixed.next_send()) o2.push_back(std::move(*s));
    fixed.on_response(o2[0].ticket, test::answer(429), test::at(1));
    for (std::size_t i = 1; i < 8; ++i) fixed.on_response(o2[i].ticket, test::api_error(404), test::at(1));
    CHECK(fixed.active_files() == 8);
    CHECK(fixed.concurrency_limit() == 8);
  }
}

TEST_CASE("batch: adaptive concurrency holds requests while the limit is out") {
  BatchConfig c;
  c.upload.api_base = test::kApi;
  c.upload.token = test::kToken;
  c.upload.dataset_id = "ds1";
  c.max_in_flight = 4;
  c.adaptive_concurrency = true;
  std::vector<FileInfo> files;
  for (int i = 0; i < 4; ++i) files.push_back({"f" + std::to_string(i) + ".jsonl", 10});
  Batch b(c, files);
  b.start(test::at(0));
  std::vector<BatchSend> out;
  while (auto s = b.next_send()) out.push_back(std::move(*s));
  REQUIRE(out.size() == 4);
  b.on_response(out[3].ticket, test::answer(429), test::at(1));
  REQUIRE(b.concurrency_limit() == 2);
  // File 0 gets its URL: its PUT is due, but files 1 and 2 still have 2 requests out.
  b.on_response(out[0].ticket,
                test::url_answer("imp-0", "https://s3.example.test/raw/imp-0/f0.jsonl?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                                          "&X-Amz-Date=20261128T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
                                          "&X-Amz-Signature=abc"),
                test::at(1));
  CHECK_FALSE(b.next_send());
  b.on_response(out[1].ticket, test::api_error(404), test::at(1));
  auto put = b.next_send();
  REQUIRE(put);
  CHECK(put->file == 0);
  CHECK(put->request.purpose == Purpose::upload);
  CHECK_FALSE(b.next_send());
}

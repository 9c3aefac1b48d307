// upstate::Batch with BatchConfig::stream_outcomes (and Batch::of_maker):
// the memory of a batch of many files stays flat. A file's machine exists
// only from its start until its outcome was pulled with next_finished(),
// and BatchOutcome::files stays empty while the counts and the dataset's
// total are as without streaming. Offline against the FakeService; time is
// a ManualClock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <upstate/machine/batch.hpp>
#include <upstate/machine/batch_drive.hpp>
#include <upstate/detail/rng.hpp>
#include <upstate/testing/fake_service.hpp>
#include <upstate/testing/fake_transport.hpp>
#include <upstate/testing/manual_clock.hpp>

using namespace upstate;
using namespace upstate::testing;

namespace {

std::string records(int first, int good, int bad) {
  std::string s;
  for (int i = 0; i < good; ++i)
    s += R"({"prompt":"p)" + std::to_string(first + i) + R"(","response":"r","category":"c"})" "\n";
  for (int i = 0; i < bad; ++i) s += R"({"prompt":""})" "\n";
  return s;
}

struct StreamRun {
  FakeService fake;
  ManualClock clock;
  BatchConfig config;
  std::vector<FileInfo> files;
  std::vector<std::string> contents;
  std::size_t most_machines = 0;  // the most Uploads the batch held at once
  std::set<std::size_t> readable_at_pull;  // files whose upload(i) could be read as they streamed out

  StreamRun() {
    fake.add_dataset({"ds1", "Reviews", Schema{true, {{"prompt", "text", "Prompt"}, {"response", "text", ""}, {"category", "metadata", ""}}}});
    config.upload.api_base = fake.options().api_base;
    config.upload.token = fake.options().token;
    config.upload.dataset_id = "ds1";
    config.upload.seed = 9;
    config.max_in_flight = 2;
  }

  void add(std::string name, std::string content) {
    files.push_back({std::move(name), content.size()});
    contents.push_back(std::move(content));
  }

  // Runs `b` by hand, pulling the finished files after every event; the
  // outcomes streamed, in the order they came.
  std::vector<FinishedFile> run(Batch& b) {
    std::vector<FinishedFile> out;
    auto pull = [&] {
      most_machines = std::max(most_machines, b.live_uploads());
      while (auto f = b.next_finished()) {
        if (b.has_upload(f->file)) readable_at_pull.insert(f->file);  // until the next pull, if it ran
        out.push_back(std::move(*f));
      }
    };
    b.start(clock.now());
    for (int guard = 0; guard < 100000; ++guard) {
      pull();
      if (b.done()) break;
      if (auto s = b.next_send()) {
        std::string_view body;
        if (s->request.file) body = std::string_view(contents.at(s->file)).substr(0, s->request.file->size);
        FakeReply reply = fake.handle(s->request, body, clock.now());
        clock.advance(reply.delay);
        if (auto* r = std::get_if<Response>(&reply.result))
          b.on_response(s->ticket, *r, clock.now());
        else
          b.on_transport_error(s->ticket, std::get<TransportError>(reply.result), clock.now());
        continue;
      }
      while (b.next_abandoned()) {
      }
      auto wake = b.next_wake();
      REQUIRE(wake);
      clock.set(*wake);
      b.on_wake(clock.now());
    }
    REQUIRE(b.done());
    CHECK_FALSE(b.next_finished());  // frees the last one's machine
    return out;
  }
};

}  // namespace

TEST_CASE("batch stream_outcomes: each outcome streams out once, the batch keeps none and frees each machine") {
  StreamRun s;
  s.config.stream_outcomes = true;
  for (int i = 0; i < 7; ++i) s.add("f" + std::to_string(i) + ".jsonl", records(i * 10, 3, i == 4 ? 2 : 0));
  Batch b(s.config, s.files);
  // Nothing is made before its start: a waiting file has its FileInfo only.
  CHECK(b.live_uploads() == 0);
  CHECK(b.file(3).name == "f3.jsonl");
  CHECK_FALSE(b.has_upload(0));
  CHECK_THROWS_AS(b.upload(0), std::logic_error);

  std::vector<FinishedFile> got = s.run(b);
  REQUIRE(got.size() == 7);
  std::set<std::size_t> seen;
  for (const FinishedFile& f : got) {
    CHECK(seen.insert(f.file).second);
    REQUIRE(f.outcome.report());
    CHECK(f.outcome.report()->status == (f.file == 4 ? ImportStatus::partial : ImportStatus::complete));
  }
  // Running files plus the one pulled last: never every file's machine.
  CHECK(s.most_machines <= s.config.max_in_flight + 1);
  CHECK(s.readable_at_pull.size() == 7);
  CHECK(b.live_uploads() == 0);
  const BatchOutcome& o = *b.outcome();
  CHECK(o.files.empty());
  CHECK(o.counts.complete == 6);
  CHECK(o.counts.partial == 1);
  CHECK(o.counts.total() == 7);
  CHECK_FALSE(o.all_complete());
  CHECK(o.total_datapoint_count == 21u);
  CHECK(b.file_outcome(0) == nullptr);
}

TEST_CASE("batch stream_outcomes: a refused file streams out first, fail-fast cancels the rest, all once") {
  StreamRun s;
  s.config.stream_outcomes = true;
  s.config.fail_fast = true;
  s.config.max_in_flight = 1;
  s.add("a.jsonl", records(0, 2, 0));
  s.add("b.jsonl", records(10, 1, 1));  // partial: fail-fast stops the batch
  s.add("c.jsonl", records(20, 2, 0));
  s.add("d.jsonl", records(30, 2, 0));
  Batch b(s.config, s.files);
  b.refuse_file(3, Error::of(ErrorCode::invalid_argument, "unreadable"));
  std::vector<FinishedFile> got = s.run(b);
  REQUIRE(got.size() == 4);
  CHECK(got[0].file == 3);
  CHECK(got[0].outcome.error()->code == ErrorCode::invalid_argument);
  CHECK(got[1].file == 0);
  CHECK(got[2].file == 1);
  CHECK(got[2].outcome.report()->status == ImportStatus::partial);
  CHECK(got[3].file == 2);
  REQUIRE(got[3].outcome.error());
  CHECK(got[3].outcome.error()->code == ErrorCode::cancelled);
  CHECK(b.outcome()->counts.total() == 4);
  CHECK(b.outcome()->counts.error == 2);
  // Never started (refused; cancelled while waiting): no machine was made.
  CHECK(s.readable_at_pull == std::set<std::size_t>{0, 1});
}

TEST_CASE("batch of_maker: each machine is made at its file's start, with the seed the files' constructor gives") {
  StreamRun s;
  s.config.stream_outcomes = GENERATE(false, true);
  CAPTURE(s.config.stream_outcomes);
  for (int i = 0; i < 5; ++i) s.add("m" + std::to_string(i) + ".jsonl", records(i * 10, 2, 0));
  // The files' constructor gives file i the i-th draw of Rng(upload.seed).
  std::vector<std::uint64_t> seeds;
  Rng draws(s.config.upload.seed);
  for (std::size_t i = 0; i < s.files.size(); ++i) seeds.push_back(draws.next());
  std::vector<std::size_t> made;
  Batch b = Batch::of_maker(s.config, s.files, [&](std::size_t i, UploadConfig c) {
    made.push_back(i);
    CHECK(c.dataset_id == "ds1");
    CHECK(c.seed == seeds.at(i));
    return Upload{std::move(c), s.files.at(i)};
  });
  CHECK(made.empty());
  CHECK_FALSE(b.has_upload(0));
  std::vector<FinishedFile> got = s.run(b);
  CHECK(made == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK(b.outcome()->counts.complete == 5);
  CHECK(b.outcome()->all_complete());
  if (s.config.stream_outcomes) {
    CHECK(got.size() == 5);
    CHECK(b.outcome()->files.empty());
  } else {
    CHECK(got.empty());  // nothing streams without the switch
    REQUIRE(b.outcome()->files.size() == 5);
    CHECK(b.outcome()->files[4].complete());
  }
}

TEST_CASE("batch drive_batch: streamed outcomes are pulled as files end and handed to on_finished") {
  StreamRun s;
  s.config.stream_outcomes = true;
  for (int i = 0; i < 6; ++i) s.add("d" + std::to_string(i) + ".jsonl", records(i * 10, 2, i == 3 ? 1 : 0));
  Batch b{s.config, s.files};
  FakeBatchTransport transport(s.fake, s.clock, s.contents);
  std::vector<std::size_t> order;
  std::size_t most_machines = 0;
  BatchOutcome o = drive_batch(
      b, transport, s.clock, [&](const Batch& batch, const BatchSend&) {
        // Pulled after every event: never more machines than files in flight (+1 just pulled).
        most_machines = std::max(most_machines, batch.live_uploads());
      },
      [&](const Batch& batch, const FinishedFile& f) {
        CHECK(batch.has_upload(f.file));  // readable during the call
        CHECK(batch.upload(f.file).state() == State::done);
        CHECK(f.outcome.report() != nullptr);
        order.push_back(f.file);
      });
  std::vector<std::size_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});  // each once
  CHECK(o.files.empty());
  CHECK(o.counts.complete == 5);
  CHECK(o.counts.partial == 1);
  CHECK(most_machines <= s.config.max_in_flight + 1);
  CHECK(b.live_uploads() <= 1);  // only the last one pulled, freed at the next pull
}

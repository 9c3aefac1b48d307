// upstate::Batch: several files into one dataset. Offline against the
// FakeService (the issue's three-file case, fail-fast, a failed file among
// good ones, the dataset fetch failing), and fed by hand with scripted
// answers in random order to check the PUT order and the in-flight bound at
// every step. Time is a ManualClock or plain Instants: nothing sleeps.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <upstate/machine/batch.hpp>
#include <upstate/machine/batch_drive.hpp>
#include <upstate/testing/fake_service.hpp>
#include <upstate/testing/fake_transport.hpp>
#include <upstate/testing/manual_clock.hpp>

#include "support/answers.hpp"

using namespace upstate;
using namespace upstate::testing;
using test::at;

namespace {

Schema schema() {
  return Schema{true, {{"prompt", "text", "Prompt"}, {"response", "text", ""}, {"category", "metadata", ""}}};
}

// Each call's good records are new ones: identical records would be
// duplicates, accepted but not written twice (docs/service.md, Step 3).
std::string records(int good, int bad) {
  static int call = 0;
  const std::string tag = std::to_string(++call) + "-";
  std::string s;
  for (int i = 0; i < good; ++i)
    s += R"({"prompt":"p)" + tag + std::to_string(i) + R"(","response":"r","category":"c"})" "\n";
  for (int i = 0; i < bad; ++i) s += R"({"prompt":""})" "\n";
  return s;
}

// One dataset "ds1" with a schema; files added by name and content.
struct Offline {
  FakeService fake;
  ManualClock clock;
  BatchConfig config;
  std::vector<FileInfo> files;
  std::vector<std::string> contents;

  Offline() {
    fake.add_dataset({"ds1", "Reviews", schema()});
    config.upload.api_base = fake.options().api_base;
    config.upload.token = fake.options().token;
    config.upload.dataset_id = "ds1";
    config.upload.seed = 5;
  }

  void add(std::string name, std::string content) {
    files.push_back({std::move(name), content.size()});
    contents.push_back(std::move(content));
  }

  BatchOutcome run() {
    Batch batch{config, files};
    FakeBatchTransport transport(fake, clock, contents);
    return drive_batch(batch, transport, clock, [&](const Batch& b, const BatchSend& s) {
      // The bound holds whenever a request goes out.
      CHECK(b.active_files() <= config.max_in_flight);
      if (s.file != BatchSend::npos) CHECK(b.upload(s.file).state() != State::done);
    });
  }

  // The file index of each PUT the fake saw (scripted faults included), by
  // the import id in its URL.
  std::vector<std::size_t> put_order(const BatchOutcome& o) const {
    std::vector<std::size_t> order;
    for (const auto& seen : fake.requests()) {
      if (seen.purpose != Purpose::upload) continue;
      for (std::size_t i = 0; i < o.files.size(); ++i)
        if (!o.files[i].import_id.empty() && seen.request.url.find(o.files[i].import_id) != std::string::npos)
          order.push_back(i);
    }
    return order;
  }
};

const ImportReport& report(const Outcome& o) {
  REQUIRE(o.report() != nullptr);
  return *o.report();
}

const Error& error(const Outcome& o) {
  REQUIRE(o.error() != nullptr);
  return *o.error();
}

}  // namespace

TEST_CASE("batch: three files, the second partial: the others complete and the count is right") {
  Offline run;
  run.config.max_in_flight = GENERATE(as<std::size_t>{}, 1, 2, 3, 8);
  CAPTURE(run.config.max_in_flight);
  run.add("a.jsonl", records(5, 0));
  run.add("b.jsonl", records(3, 2));
  run.add("c.jsonl", records(4, 0));
  BatchOutcome o = run.run();

  REQUIRE(o.files.size() == 3);
  CHECK(report(o.files[0]).status == ImportStatus::complete);
  CHECK(report(o.files[0]).accepted_count == 5u);
  CHECK(report(o.files[1]).status == ImportStatus::partial);
  CHECK(report(o.files[1]).accepted_count == 3u);
  CHECK(report(o.files[1]).rejected_count == 2u);
  CHECK(report(o.files[2]).status == ImportStatus::complete);
  CHECK(report(o.files[2]).accepted_count == 4u);
  CHECK(o.total_datapoint_count == 12u);
  CHECK(o.total_datapoint_count == run.fake.total_datapoint_count("ds1", run.clock.now()));
  CHECK_FALSE(o.dataset_error);
  CHECK_FALSE(o.error);
  REQUIRE(o.dataset);
  CHECK(o.dataset->imports.size() == 3);
  CHECK(o.counts.complete == 2);
  CHECK(o.counts.partial == 1);
  CHECK(o.counts.error == 0);
  CHECK_FALSE(o.all_complete());
  // The service got the files in the order given, and the dataset last.
  CHECK(run.put_order(o) == std::vector<std::size_t>{0, 1, 2});
  CHECK(run.fake.requests().back().purpose == Purpose::dataset);
  CHECK(o.files[0].import_id != o.files[1].import_id);
}

TEST_CASE("batch: a failed file does not stop the others") {
  Offline run;
  run.add("a.jsonl", records(2, 0));
  run.add("notes.txt", "not a dataset file");  // the service refuses the type at step 1
  run.add("b.jsonl", records(0, 3));           // every record rejected: failed
  run.add("c.jsonl", records(3, 0));
  run.add("", "");  // refused locally, before any request
  BatchOutcome o = run.run();
  CHECK(o.files[0].complete());
  CHECK(error(o.files[1]).code == ErrorCode::bad_request);
  CHECK(report(o.files[2]).status == ImportStatus::failed);
  CHECK(o.files[3].complete());
  CHECK(error(o.files[4]).code == ErrorCode::invalid_argument);
  CHECK(o.total_datapoint_count == 5u);
  CHECK(o.counts.complete == 2);
  CHECK(o.counts.failed == 1);
  CHECK(o.counts.error == 2);
}

TEST_CASE("batch: fail-fast stops the rest after the first file that is not complete") {
  Offline run;
  run.config.fail_fast = true;
  run.config.max_in_flight = GENERATE(as<std::size_t>{}, 1, 3);
  CAPTURE(run.config.max_in_flight);
  run.add("a.jsonl", records(5, 0));
  run.add("b.jsonl", records(3, 2));
  run.add("c.jsonl", records(4, 0));
  run.add("d.jsonl", records(4, 0));
  BatchOutcome o = run.run();
  CHECK(o.files[0].complete());
  CHECK(report(o.files[1]).status == ImportStatus::partial);
  for (std::size_t i : {2u, 3u}) {
    CAPTURE(i);
    const Error& e = error(o.files[i]);
    CHECK(e.code == ErrorCode::cancelled);
    CHECK(e.message.find("fail-fast") != std::string::npos);
    CHECK(e.message.find("b.jsonl") != std::string::npos);
  }
  if (run.config.max_in_flight == 1) {
    // One at a time: d.jsonl was never started, so no step 1 for it.
    CHECK(error(o.files[3]).message.find("never started") != std::string::npos);
    for (const auto& seen : run.fake.requests()) CHECK(seen.request.url.find("d.jsonl") == std::string::npos);
  }
  // The dataset is still read: what did arrive counts.
  CHECK(o.total_datapoint_count == 8u);
  CHECK(o.counts.error == 2);
}

TEST_CASE("batch: without fail-fast the same files all run") {
  Offline run;
  run.add("a.jsonl", records(5, 0));
  run.add("b.jsonl", records(3, 2));
  run.add("c.jsonl", records(4, 0));
  BatchOutcome o = run.run();
  CHECK(o.counts.complete == 2);
  CHECK(o.counts.partial == 1);
}

TEST_CASE("batch: the dataset fetch retries, then fails, and the outcome still has every file") {
  Offline run;
  run.config.upload.retry.max_attempts = 3;
  run.add("a.jsonl", records(2, 0));
  run.add("b.jsonl", records(3, 0));
  run.fake.inject(Fault::status(Purpose::dataset, 503, "", {}, 10));
  BatchOutcome o = run.run();
  CHECK(o.files[0].complete());
  CHECK(o.files[1].complete());
  CHECK_FALSE(o.total_datapoint_count);
  REQUIRE(o.dataset_error);
  CHECK(o.dataset_error->code == ErrorCode::retries_exhausted);
  CHECK(o.dataset_error->http_status == 503);
  std::size_t dataset_requests = 0;
  for (const auto& seen : run.fake.requests()) dataset_requests += seen.purpose == Purpose::dataset;
  CHECK(dataset_requests == 3);
  CHECK(o.counts.complete == 2);
}

TEST_CASE("batch: fetch_dataset off sends no dataset request") {
  Offline run;
  run.config.fetch_dataset = false;
  run.add("a.jsonl", records(2, 0));
  BatchOutcome o = run.run();
  CHECK(o.files[0].complete());
  CHECK_FALSE(o.total_datapoint_count);
  CHECK_FALSE(o.dataset_error);
  CHECK(run.fake.requests().back().purpose == Purpose::poll);
}

TEST_CASE("batch: the same seed gives the same run") {
  auto requests = [](std::uint64_t seed) {
    Offline run;
    run.config.upload.seed = seed;
    run.add("a.jsonl", records(2, 0));
    run.add("b.jsonl", records(2, 0));
    run.fake.inject(Fault::status(Purpose::poll, 503, "", {}, 3));
    run.run();
    std::vector<std::pair<std::string, Instant>> out;
    for (const auto& seen : run.fake.requests()) out.emplace_back(seen.request.url, seen.at);
    return out;
  };
  CHECK(requests(9) == requests(9));
  CHECK(requests(9) != requests(10));
}

// ---- fed by hand ------------------------------------------------------------------

namespace {

std::string import_of(std::size_t i) { return "imp-" + std::to_string(i); }
std::string name_of(std::size_t i) { return "f" + std::to_string(i) + ".jsonl"; }

// Step 1's answer for file i: its own import and presigned URL (900 s left).
Response url_answer_for(std::size_t i) {
  return test::url_answer(import_of(i), "https://s3.example.test/raw/" + import_of(i) + "/" + name_of(i) +
                                            "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261128T120000Z"
                                            "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc");
}

Response complete_answer_for(std::size_t i) {
  return test::import_answer("complete", R"(,"accepted_count":)" + std::to_string(i + 1), import_of(i));
}

Response dataset_answer(std::uint64_t total) {
  return test::answer(200, R"({"id":"ds1","total_datapoint_count":)" + std::to_string(total) + "}");
}

// The right answer to any request of the scripted run.
Response success_for(const BatchSend& s, std::uint64_t total) {
  switch (s.request.purpose) {
    case Purpose::upload_url: return url_answer_for(s.file);
    case Purpose::upload: return test::answer(200);
    case Purpose::poll: return complete_answer_for(s.file);
    case Purpose::dataset: return dataset_answer(total);
    default: return test::answer(500);  // nothing else is asked in these runs
  }
}

BatchConfig hand_config(std::size_t k) {
  BatchConfig c;
  c.upload.api_base = test::kApi;
  c.upload.token = test::kToken;
  c.upload.dataset_id = "ds1";
  c.upload.seed = 1;
  c.max_in_flight = k;
  return c;
}

std::vector<FileInfo> hand_files(std::size_t n) {
  std::vector<FileInfo> files;
  for (std::size_t i = 0; i < n; ++i) files.push_back({name_of(i), 100 + i});
  return files;
}

std::vector<BatchSend> pull(Batch& b) {
  std::vector<BatchSend> out;
  while (auto s = b.next_send()) out.push_back(std::move(*s));
  return out;
}

std::size_t running(const Batch& b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < b.file_count(); ++i) {
    State s = b.upload(i).state();
    n += s != State::idle && s != State::done;
  }
  return n;
}

}  // namespace

TEST_CASE("batch: PUTs go out in the order given even when step 1 answers arrive out of order") {
  Batch b{hand_config(3), hand_files(3)};
  b.start(at(0));
  std::vector<BatchSend> step1 = pull(b);
  REQUIRE(step1.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(step1[i].file == i);
    CHECK(step1[i].request.purpose == Purpose::upload_url);
  }
  CHECK(step1[0].ticket != step1[1].ticket);

  b.on_response(step1[2].ticket, url_answer_for(2), at(1));
  b.on_response(step1[1].ticket, url_answer_for(1), at(2));
  CHECK(pull(b).empty());  // both PUTs wait for file 0's
  CHECK(b.put_held(1));
  CHECK(b.put_held(2));

  b.on_response(step1[0].ticket, url_answer_for(0), at(3));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 1);
  CHECK(s[0].file == 0);
  CHECK(s[0].request.purpose == Purpose::upload);
  REQUIRE(s[0].request.file);
  CHECK(s[0].request.file->size == 100);

  // File 0's PUT accepted: its poll, and file 1's PUT.
  b.on_response(s[0].ticket, test::answer(200), at(4));
  s = pull(b);
  REQUIRE(s.size() == 2);
  CHECK(s[0].file == 0);
  CHECK(s[0].request.purpose == Purpose::poll);
  CHECK(s[1].file == 1);
  CHECK(s[1].request.purpose == Purpose::upload);
  CHECK(b.put_held(2));

  // A retried PUT of file 1 still holds file 2 back.
  b.on_response(s[1].ticket, test::answer(503), at(5));
  CHECK(pull(b).empty());
  REQUIRE(b.next_wake());
  Instant wake = *b.next_wake();
  b.on_wake(wake);
  std::vector<BatchSend> retry = pull(b);
  REQUIRE(retry.size() == 1);
  CHECK(retry[0].file == 1);
  CHECK(retry[0].request.purpose == Purpose::upload);
  CHECK(b.put_held(2));

  b.on_response(retry[0].ticket, test::answer(200), wake);
  std::vector<BatchSend> next = pull(b);
  REQUIRE(next.size() == 2);
  CHECK(next[1].file == 2);
  CHECK(next[1].request.purpose == Purpose::upload);
  CHECK_FALSE(b.put_held(2));
}

TEST_CASE("batch: when file i ends without a PUT, file i+1's PUT goes") {
  Batch b{hand_config(2), hand_files(2)};
  b.start(at(0));
  std::vector<BatchSend> step1 = pull(b);
  REQUIRE(step1.size() == 2);
  b.on_response(step1[1].ticket, url_answer_for(1), at(1));
  CHECK(pull(b).empty());
  b.on_response(step1[0].ticket, test::api_error(404), at(2));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 1);
  CHECK(s[0].file == 1);
  CHECK(s[0].request.purpose == Purpose::upload);
  REQUIRE(b.file_outcome(0));
  CHECK(error(*b.file_outcome(0)).code == ErrorCode::not_found);
  CHECK_FALSE(b.file_outcome(1));
}

TEST_CASE("batch: never more than max_in_flight files between start and done") {
  Batch b{hand_config(2), hand_files(5)};
  b.start(at(0));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 2);
  CHECK(b.active_files() == 2);
  for (std::size_t i = 2; i < 5; ++i) CHECK(b.upload(i).state() == State::idle);
  // File 1 fails at step 1: file 2 starts in its place.
  b.on_response(s[1].ticket, test::api_error(403), at(1));
  std::vector<BatchSend> more = pull(b);
  REQUIRE(more.size() == 1);
  CHECK(more[0].file == 2);
  CHECK(more[0].request.purpose == Purpose::upload_url);
  CHECK(b.active_files() == 2);
  CHECK(b.upload(3).state() == State::idle);
}

TEST_CASE("batch: answers in any order keep the PUT order and the bound at every step") {
  const std::size_t k = GENERATE(as<std::size_t>{}, 1, 2, 3, 5);
  const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 9));
  const bool one_fails = GENERATE(false, true);
  CAPTURE(k, seed, one_fails);
  const std::size_t n = 6;
  BatchConfig config = hand_config(k);
  config.upload.retry.max_attempts = 30;  // 503s below are scattered, never a steady outage
  Batch b{config, hand_files(n)};
  Rng rng(seed);

  std::uint64_t total = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (!(one_fails && i == 2)) total += i + 1;

  std::vector<BatchSend> out;  // sent, not answered yet
  std::vector<bool> accepted(n, false);
  std::vector<std::size_t> puts;
  Instant now = at(0);
  auto collect = [&] {
    for (BatchSend& s : pull(b)) {
      if (s.request.purpose == Purpose::upload) {
        for (std::size_t j = 0; j < s.file; ++j) CHECK((accepted[j] || b.file_outcome(j) != nullptr));
        for (const BatchSend& other : out) CHECK(other.request.purpose != Purpose::upload);
        puts.push_back(s.file);
      }
      out.push_back(std::move(s));
    }
    while (b.next_abandoned()) FAIL("nothing is abandoned in a run without cancel");
    CHECK(b.active_files() <= k);
    CHECK(running(b) <= k);
  };

  b.start(now);
  collect();
  for (int steps = 0; !b.done(); ++steps) {
    REQUIRE(steps < 10000);
    if (out.empty()) {
      auto wake = b.next_wake();
      REQUIRE(wake);
      now = std::max(now, *wake);
      b.on_wake(now);
    } else {
      std::size_t pick = static_cast<std::size_t>(rng.uniform(out.size() - 1));
      BatchSend s = out[pick];
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(pick));
      now += std::chrono::milliseconds(rng.between(1, 2000));
      if (one_fails && s.file == 2 && s.request.purpose == Purpose::upload_url) {
        b.on_response(s.ticket, test::api_error(404), now);
      } else if (rng.chance(1, 6)) {
        if (rng.chance(1, 2))
          b.on_response(s.ticket, test::answer(503), now);
        else
          b.on_transport_error(s.ticket, TransportError{TransportError::Kind::reset, "reset"}, now);
      } else {
        if (s.request.purpose == Purpose::upload) accepted[s.file] = true;
        b.on_response(s.ticket, success_for(s, total), now);
      }
    }
    collect();
  }

  const BatchOutcome* o = b.outcome();
  REQUIRE(o);
  CHECK(std::is_sorted(puts.begin(), puts.end()));
  for (std::size_t i = 0; i < n; ++i) {
    CAPTURE(i);
    if (one_fails && i == 2)
      CHECK(error(o->files[i]).code == ErrorCode::not_found);
    else
      CHECK(report(o->files[i]).accepted_count == i + 1);
  }
  CHECK(o->total_datapoint_count == total);
  CHECK(o->counts.complete == (one_fails ? n - 1 : n));
}

TEST_CASE("batch: cancel ends every file, abandons the requests out, and fetches nothing") {
  Batch b{hand_config(2), hand_files(3)};
  b.start(at(0));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 2);
  b.on_response(s[0].ticket, url_answer_for(0), at(1));
  std::vector<BatchSend> put = pull(b);
  REQUIRE(put.size() == 1);

  b.cancel(at(2));
  REQUIRE(b.done());
  std::vector<Ticket> abandoned;
  while (auto t = b.next_abandoned()) abandoned.push_back(*t);
  std::sort(abandoned.begin(), abandoned.end());
  CHECK(abandoned == std::vector<Ticket>{s[1].ticket, put[0].ticket});
  CHECK(pull(b).empty());
  CHECK_FALSE(b.next_wake());

  const BatchOutcome o = *b.outcome();
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(error(o.files[i]).code == ErrorCode::cancelled);
    CHECK(b.upload(i).state() == (i < 2 ? State::done : State::idle));
  }
  CHECK(o.files[0].import_id == import_of(0));
  CHECK(error(o.files[2]).message.find("never started") != std::string::npos);
  REQUIRE(o.dataset_error);
  CHECK(o.dataset_error->code == ErrorCode::cancelled);
  CHECK_FALSE(o.error);

  // A late answer to an abandoned request changes nothing.
  b.on_response(put[0].ticket, test::answer(200), at(3));
  b.on_wake(at(4));
  CHECK(b.outcome()->counts.error == 3);
  CHECK(pull(b).empty());
}

TEST_CASE("batch: fail-fast abandons the requests of the running files and ignores their late answers") {
  BatchConfig config = hand_config(2);
  config.fail_fast = true;
  Batch b{config, hand_files(3)};
  b.start(at(0));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 2);
  b.on_response(s[0].ticket, test::api_error(404), at(1));  // file 0 ends: not complete
  REQUIRE_FALSE(b.done());
  auto abandoned = b.next_abandoned();
  REQUIRE(abandoned);
  CHECK(*abandoned == s[1].ticket);
  CHECK_FALSE(b.next_abandoned());
  CHECK(b.upload(1).state() == State::done);
  CHECK(b.upload(2).state() == State::idle);

  // Only the dataset request is left; file 1's answer still arrives.
  std::vector<BatchSend> fetch = pull(b);
  REQUIRE(fetch.size() == 1);
  CHECK(fetch[0].request.purpose == Purpose::dataset);
  b.on_response(s[1].ticket, url_answer_for(1), at(2));
  CHECK_FALSE(b.done());
  CHECK(pull(b).empty());
  b.on_response(fetch[0].ticket, dataset_answer(0), at(3));
  REQUIRE(b.done());
  const BatchOutcome& o = *b.outcome();
  CHECK_FALSE(o.error);
  CHECK(error(o.files[0]).code == ErrorCode::not_found);
  CHECK(error(o.files[1]).code == ErrorCode::cancelled);
  CHECK(error(o.files[2]).code == ErrorCode::cancelled);
  CHECK(error(o.files[1]).message.find("fail-fast: f0.jsonl ended with not_found") != std::string::npos);
  CHECK(o.total_datapoint_count == 0u);
}

TEST_CASE("batch: a stale or unknown ticket is a usage error that stops the batch") {
  Batch b{hand_config(2), hand_files(2)};
  b.start(at(0));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 2);
  b.on_response(s[0].ticket, url_answer_for(0), at(1));
  std::vector<BatchSend> put = pull(b);
  REQUIRE(put.size() == 1);

  SECTION("the same ticket answered twice") {
    b.on_response(s[0].ticket, url_answer_for(0), at(2));
    REQUIRE(b.done());
    REQUIRE(b.outcome()->error);
    CHECK(b.outcome()->error->message.find("already answered") != std::string::npos);
  }
  SECTION("a ticket never issued") {
    b.on_transport_error(Ticket{999}, TransportError{}, at(2));
    REQUIRE(b.done());
    REQUIRE(b.outcome()->error);
    CHECK(b.outcome()->error->message.find("never issued") != std::string::npos);
  }
  const BatchOutcome& o = *b.outcome();
  CHECK(o.error->code == ErrorCode::usage);
  for (const Outcome& f : o.files) CHECK(error(f).code == ErrorCode::usage);
  REQUIRE(o.dataset_error);
  CHECK(o.dataset_error->code == ErrorCode::usage);
  // The requests out are abandoned; later events are ignored.
  std::size_t abandoned = 0;
  while (b.next_abandoned()) ++abandoned;
  CHECK(abandoned == 2);
  b.on_response(put[0].ticket, test::answer(200), at(3));
  b.start(at(4));
  CHECK(b.outcome()->error->code == ErrorCode::usage);
}

TEST_CASE("batch: refuse_file ends one file before start, and after start it is misuse") {
  Batch b{hand_config(2), hand_files(3)};
  b.refuse_file(1, Error::invalid_argument("cannot read f1.jsonl"));
  REQUIRE(b.file_outcome(1));
  b.start(at(0));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 2);
  CHECK(s[0].file == 0);
  CHECK(s[1].file == 2);
  CHECK(b.upload(1).state() == State::idle);

  b.refuse_file(0, Error{});
  REQUIRE(b.done());
  CHECK(b.outcome()->error->code == ErrorCode::usage);
  CHECK(error(b.outcome()->files[1]).code == ErrorCode::invalid_argument);
}

TEST_CASE("batch: a wake before start, or before anything is due, does nothing") {
  Batch b{hand_config(2), hand_files(2)};
  b.on_wake(at(0));
  CHECK(pull(b).empty());
  CHECK(b.upload(0).state() == State::idle);
  CHECK_FALSE(b.done());
  b.start(at(1));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 2);
  b.on_response(s[0].ticket, test::answer(503), at(2));
  REQUIRE(b.next_wake());
  const Instant wake = *b.next_wake();
  b.on_wake(wake - Duration{1});
  CHECK(pull(b).empty());
  CHECK(b.next_wake() == wake);
  b.on_wake(wake);
  std::vector<BatchSend> again = pull(b);
  REQUIRE(again.size() == 1);
  CHECK(again[0].file == 0);
  CHECK(again[0].request.purpose == Purpose::upload_url);
  CHECK_FALSE(b.next_wake());
}

TEST_CASE("batch: an empty batch only reads the dataset") {
  Batch b{hand_config(4), {}};
  b.start(at(0));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 1);
  CHECK(s[0].file == BatchSend::npos);
  CHECK(s[0].request.purpose == Purpose::dataset);
  CHECK(s[0].request.url == test::kApi + "/datasets/ds1");
  b.on_response(s[0].ticket, dataset_answer(7), at(1));
  REQUIRE(b.done());
  CHECK(b.outcome()->total_datapoint_count == 7u);
  CHECK(b.outcome()->all_complete());
}

TEST_CASE("batch: a dataset answer without total_datapoint_count is reported, not guessed") {
  Batch b{hand_config(1), {}};
  b.start(at(0));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 1);
  b.on_response(s[0].ticket, test::answer(200, R"({"id":"ds1"})"), at(1));
  REQUIRE(b.done());
  CHECK_FALSE(b.outcome()->total_datapoint_count);
  REQUIRE(b.outcome()->dataset_error);
  CHECK(b.outcome()->dataset_error->path == "$.total_datapoint_count");
  CHECK(b.outcome()->dataset);
}

// Property test of Batch's tables (machine/batch_transitions.hpp): seeded
// random batches against the in-process FakeService, several requests out
// at once and answered in random order. Random files (good, partial, bad
// names, refused before start), faults on every step (429/503 that drive
// the adaptive ConcurrencyLimit, resets, final 4xx, expired URLs, delays),
// fail-fast, short deadlines, cancels, caller mistakes, late answers to
// abandoned requests, and files restored from snapshots (Batch::of_uploads).
//
// Each run must end; every file ends exactly once; a PUT goes out only when
// every earlier file ended or its PUT was accepted; at most max_in_flight
// files run and, with adaptive concurrency, at most concurrency_limit()
// requests are out; nothing is sent once done; the token is in no outcome
// and never reaches the upload host; every move is a row of the tables;
// and over all runs every row (the wildcard rows expanded) is taken.
//
// A failing seed is printed; rerun one with UPSTATE_BATCH_PROPERTY_SEED=<n>.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <upstate/machine/batch.hpp>
#include <upstate/testing/fake_service.hpp>
#include <upstate/testing/manual_clock.hpp>
#include <upstate/machine/upload_restore.hpp>

#include "support/seeded_runs.hpp"

using namespace upstate;
using namespace upstate::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr int kScenarios = 1500;
constexpr int kMaxEvents = 3000;

std::string make_file(Rng& rng, std::uint64_t tag) {
  std::string out;
  const int records = static_cast<int>(rng.between(0, 5));
  for (int i = 0; i < records; ++i) {
    if (rng.chance(1, 6))
      out += R"({"prompt":""})" "\n";  // rejected: the import ends partial or failed
    else
      out += R"({"prompt":"p)" + std::to_string(tag) + "-" + std::to_string(i) + R"(","response":"r"})" "\n";
  }
  return out;
}

Fault random_fault(Rng& rng) {
  static const Purpose kPurposes[] = {Purpose::upload_url, Purpose::upload, Purpose::poll, Purpose::dataset};
  const Purpose p = kPurposes[rng.between(0, 3)];
  const int times = static_cast<int>(rng.between(1, 3));
  switch (rng.between(0, 8)) {
    case 0: return Fault::status(p, 503, "", {}, times);
    case 1: return Fault::retry_after(p, 429, std::to_string(rng.between(0, 20)), times);
    case 2: return Fault::reset(p, times);
    case 3: return Fault::delay(p, milliseconds(rng.between(0, 200000)), times);
    case 4: return Fault::status(p, 404, R"({"error":{"status":404,"error_code":1}})", {}, 1);
    case 5: return Fault::s3_expired(times);
    case 6: return Fault::s3_error(503, "SlowDown", "Please reduce your request rate.", times);
    case 7: return Fault::malformed(p, "not json", 1);
    default: return Fault::status(p, 500, "", {}, times);
  }
}

// Hits per row, over all runs.
using BatchRows = std::map<std::pair<BatchState, BatchTrigger>, int>;
using FileRows = std::map<std::pair<FileStage, FileTrigger>, int>;

struct Coverage {
  BatchRows batch;
  FileRows file;
};

// A file's Upload run alone for a few requests (the earlier process of a
// journal resume), the last answer delivered or lost, then restored.
Upload restored_upload(FakeService& fake, ManualClock& clock, const UploadConfig& config, const FileInfo& info,
                       const std::string& content, Rng& rng) {
  Upload up{config, info};
  Action a = up.start(clock.now());
  const int sends = static_cast<int>(rng.between(1, 3));
  for (int k = 0; k < sends; ++k) {
    auto* send = std::get_if<Send>(&a);
    if (!send) break;
    std::string_view body =
        send->request.file ? std::string_view(content).substr(0, send->request.file->size) : std::string_view{};
    FakeReply reply = fake.handle(send->request, body, clock.now());
    if (k + 1 == sends && rng.chance(1, 2)) break;  // the process died: the answer is lost
    if (auto* r = std::get_if<Response>(&reply.result))
      a = up.on_response(*r, clock.now());
    else
      a = up.on_transport_error(std::get<TransportError>(reply.result), clock.now());
  }
  auto restored = Upload::restore(config, up.snapshot());
  if (!restored) return Upload{config, info};
  return std::move(restored).value();
}

std::string run_scenario(std::uint64_t seed, Coverage& covered) {
  Rng rng(seed);
  FakeOptions options;
  options.url_lifetime = seconds(rng.chance(1, 6) ? rng.between(0, 5) : 900);
  options.processing_base = milliseconds(rng.between(0, 60000));
  FakeService fake(options);
  if (!rng.chance(1, 15))
    fake.add_dataset({"ds1", "Reviews", Schema{true, {{"prompt", "text", "Prompt"}, {"response", "text", ""}}}});
  for (int i = static_cast<int>(rng.between(0, 4)); i > 0; --i) fake.inject(random_fault(rng));
  ManualClock clock(Instant{} + seconds(rng.between(0, 1000)));

  BatchConfig config;
  config.upload.api_base = options.api_base;
  config.upload.token = options.token;
  config.upload.dataset_id = "ds1";
  config.upload.seed = seed;
  config.upload.deadline = seconds(rng.chance(1, 6) ? rng.between(1, 40) : rng.between(300, 7200));
  config.upload.retry.max_attempts = static_cast<int>(rng.between(1, 5));
  config.upload.retry.max_url_renewals = static_cast<int>(rng.between(0, 2));
  config.max_in_flight = static_cast<std::size_t>(rng.between(1, 4));
  config.fail_fast = rng.chance(1, 4);
  config.fetch_dataset = !rng.chance(1, 6);
  config.adaptive_concurrency = rng.chance(1, 3);
  config.concurrency_increase_after = static_cast<std::size_t>(rng.between(1, 4));

  const std::size_t n = static_cast<std::size_t>(rng.between(0, 6));
  std::vector<FileInfo> infos;
  std::vector<std::string> contents;
  for (std::size_t i = 0; i < n; ++i) {
    contents.push_back(make_file(rng, seed * 10 + i));
    std::string name = "f" + std::to_string(i) + ".jsonl";
    if (rng.chance(1, 25)) name = "notes.txt";  // the service refuses the type at step 1
    if (rng.chance(1, 40)) name.clear();        // refused locally by start()
    infos.push_back({name, contents.back().size()});
  }

  const bool restored_files = n > 0 && rng.chance(1, 4);
  std::optional<Batch> made;
  if (restored_files) {
    std::vector<Upload> uploads;
    Rng seeds(seed + 7);
    for (std::size_t i = 0; i < n; ++i) {
      UploadConfig c = config.upload;
      c.seed = seeds.next();
      if (rng.chance(1, 2))
        uploads.push_back(restored_upload(fake, clock, c, infos[i], contents[i], rng));
      else
        uploads.emplace_back(c, infos[i]);
    }
    made.emplace(Batch::of_uploads(config, std::move(uploads)));
  } else {
    made.emplace(config, infos);
  }
  Batch& b = *made;
  const std::string& token = config.upload.token;

  // Before start: refusals, a wake, caller mistakes.
  for (std::size_t i = 0; i < n; ++i)
    if (rng.chance(1, 10)) b.refuse_file(i, Error::invalid_argument("cannot read " + token + " f" + std::to_string(i)));
  if (rng.chance(1, 15)) b.on_wake(clock.now());
  if (rng.chance(1, 40)) b.refuse_file(n + 3, Error{});                        // misuse in idle
  if (rng.chance(1, 40)) b.on_response(Ticket{77}, Response{200, {}, ""}, clock.now());  // misuse in idle
  if (rng.chance(1, 40)) b.cancel(clock.now());
  b.start(clock.now());

  std::vector<BatchSend> out;            // pulled, not answered
  std::vector<Ticket> late;              // abandoned: answered late, or never
  std::vector<bool> put_accepted(n, false);
  std::vector<bool> restored(n, false);
  for (std::size_t i = 0; i < n; ++i) restored[i] = b.upload(i).state() != State::idle;
  std::string failure;
  auto fail = [&](std::string why) {
    if (failure.empty()) failure = std::move(why);
  };

  auto pull = [&] {
    // The abandoned first: they are no longer out when the next request is counted.
    while (auto t = b.next_abandoned()) {
      for (auto it = out.begin(); it != out.end(); ++it)
        if (it->ticket == *t) {
          out.erase(it);
          break;
        }
      late.push_back(*t);
    }
    while (true) {
      const std::size_t before = out.size();
      auto s = b.next_send();
      if (!s) break;
      if (b.done()) fail("a request after done");
      if (config.adaptive_concurrency && before >= b.concurrency_limit()) fail("more requests out than the limit");
      if (s->request.purpose == Purpose::upload) {
        // (A restored file is let pass while it probes; if its import never
        // got the file it PUTs again after later files: the one exception.)
        for (std::size_t j = 0; j < s->file; ++j)
          if (!restored[j] && !b.file_outcome(j) && !put_accepted[j])
            fail("file " + std::to_string(s->file) + "'s PUT before file " + std::to_string(j) + "'s");
        if (!restored_files)
          for (const BatchSend& other : out)
            if (other.request.purpose == Purpose::upload) fail("two PUTs out at once");
        if (find_header(s->request.headers, "Authorization")) fail("Authorization sent to the upload host");
      }
      if (s->request.url.find(token) != std::string::npos) fail("token in a URL");
      out.push_back(std::move(*s));
    }
    if (b.active_files() > config.max_in_flight) fail("more files running than max_in_flight");
  };

  pull();
  int events = 0;
  for (; events < kMaxEvents && !b.done() && failure.empty(); ++events) {
    const bool fetching = b.state() == BatchState::fetching;
    if (rng.chance(1, fetching ? 12 : 200)) {
      b.cancel(clock.now());
    } else if (rng.chance(1, fetching ? 12 : 300)) {
      switch (rng.between(0, 2)) {  // caller bugs
        case 0: b.start(clock.now()); break;
        case 1: b.refuse_file(0, Error{}); break;
        default: b.on_transport_error(Ticket{1000000}, TransportError{}, clock.now()); break;
      }
    } else if (!late.empty() && rng.chance(1, 3)) {
      const Ticket t = late.back();
      late.pop_back();
      b.on_response(t, Response{200, {}, ""}, clock.now());  // ignored
    } else if (!out.empty() && (!b.next_wake() || rng.chance(3, 4))) {
      const std::size_t pick = static_cast<std::size_t>(rng.uniform(out.size() - 1));
      BatchSend s = std::move(out[pick]);
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(pick));
      if (rng.chance(1, 40)) {
        b.on_transport_error(s.ticket, TransportError{TransportError::Kind::reset, "reset"}, clock.now());
      } else {
        std::string_view body;
        if (s.request.file && s.file < contents.size())
          body = std::string_view(contents[s.file]).substr(0, s.request.file->size);
        FakeReply reply = fake.handle(s.request, body, clock.now());
        clock.advance(reply.delay / 4);  // several answers overlap
        if (auto* r = std::get_if<Response>(&reply.result)) {
          if (s.request.purpose == Purpose::upload && r->status / 100 == 2) put_accepted[s.file] = true;
          b.on_response(s.ticket, *r, clock.now());
        } else {
          b.on_transport_error(s.ticket, std::get<TransportError>(reply.result), clock.now());
        }
      }
    } else if (auto wake = b.next_wake()) {
      if (clock.now() < *wake && rng.chance(1, 10)) b.on_wake(clock.now());  // early: nothing happens
      clock.sleep_until(*wake + milliseconds(rng.between(0, 1500)));
      if (rng.chance(1, 30)) clock.advance(seconds(rng.between(0, 3600)));  // the process was suspended
      b.on_wake(clock.now());
    } else if (out.empty()) {
      fail("stuck: nothing out, nothing asleep, not done");
    }
    pull();
  }
  if (!failure.empty()) return failure;
  if (!b.done()) return "no end within " + std::to_string(kMaxEvents) + " events";

  // Answers after done change nothing and send nothing.
  for (const BatchSend& s : out) b.on_response(s.ticket, Response{200, {}, ""}, clock.now());
  b.on_wake(clock.now() + seconds(3600));
  b.cancel(clock.now());
  if (b.next_send()) return "a request after done";

  const BatchOutcome& o = *b.outcome();
  if (o.files.size() != n) return "outcome has the wrong number of files";
  std::size_t counted = o.counts.complete + o.counts.partial + o.counts.failed + o.counts.pending_schema + o.counts.error;
  if (counted != n) return "counts do not add up to the files";
  // Every file ended exactly once (by the trace) and has an outcome.
  if (b.file_trace().size() >= Batch::kMaxTrace || b.trace().size() >= Batch::kMaxTrace) return "trace overflow";
  std::vector<int> ends(n, 0);
  for (const BatchFileStep& s : b.file_trace()) {
    if (s.to == FileStage::ended) ++ends[s.file];
    if (next_state(s.from, s.trigger) != s.to)
      return "file move " + std::string(to_string(s.from)) + " --" + std::string(to_string(s.trigger)) + "--> " +
             std::string(to_string(s.to)) + " is not in the table";
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (ends[i] != 1) return "file " + std::to_string(i) + " ended " + std::to_string(ends[i]) + " times";
    if (!b.file_outcome(i)) return "file " + std::to_string(i) + " has no outcome";
    if (b.file_stage(i) != FileStage::ended) return "file " + std::to_string(i) + " not ended";
  }
  for (const BatchStep& s : b.trace())
    if (next_state(s.from, s.trigger) != s.to)
      return "batch move " + std::string(to_string(s.from)) + " --" + std::string(to_string(s.trigger)) + "--> " +
             std::string(to_string(s.to)) + " is not in the table";
  if (o.error && o.error->code != ErrorCode::usage) return "the batch stopped with " + std::string(to_string(o.error->code));
  // The token is in no outcome text.
  auto has_token = [&](const Error& e) { return to_string(e).find(token) != std::string::npos; };
  for (const Outcome& f : o.files) {
    if (f.error() && has_token(*f.error())) return "token in a file's error";
    for (const Note& note : f.notes)
      if (note.text.find(token) != std::string::npos) return "token in a note";
  }
  if (o.dataset_error && has_token(*o.dataset_error)) return "token in the dataset error";
  if (o.error && has_token(*o.error)) return "token in the batch error";
  // ... nor reaches the upload host.
  const std::string upload_host = parse_url(options.upload_base)->host;
  for (const auto& seen : fake.requests()) {
    if (seen.host != upload_host) continue;
    if (find_header(seen.request.headers, "Authorization")) return "Authorization sent to the upload host";
    for (const auto& h : seen.request.headers)
      if (h.value.find(token) != std::string::npos) return "token in an upload header";
  }

  for (const BatchStep& s : b.trace()) ++covered.batch[{s.from, s.trigger}];
  for (const BatchFileStep& s : b.file_trace()) ++covered.file[{s.from, s.trigger}];
  return {};
}

}  // namespace

TEST_CASE("Batch: 1,500 random batches end safely, by its tables, and take every row") {
  Coverage covered;
  if (!test::run_seeded("UPSTATE_BATCH_PROPERTY_SEED", kScenarios,
                        [&](std::uint64_t seed) { return run_scenario(seed, covered); }))
    return;
  // UPSTATE_BATCH_PROPERTY_HITS=1 prints the hits of every row.
  const bool show = std::getenv("UPSTATE_BATCH_PROPERTY_HITS") != nullptr;
  std::vector<std::string> missing;
  auto row = [&](const char* table, auto from, auto trigger, int hits) {
    const std::string text = std::string(table) + " " + std::string(to_string(from)) + " --" +
                             std::string(to_string(trigger)) + "--> " + std::to_string(hits);
    if (show) std::printf("%s\n", text.c_str());
    if (hits == 0) missing.push_back(text);
  };
  for (const auto& t : kAllBatchTransitions) {
    auto hit = covered.batch.find({t.from, t.trigger});
    row("batch", t.from, t.trigger, hit == covered.batch.end() ? 0 : hit->second);
  }
  for (const auto& t : kAllBatchFileTransitions) {
    auto hit = covered.file.find({t.from, t.trigger});
    row("file", t.from, t.trigger, hit == covered.file.end() ? 0 : hit->second);
  }
  INFO("rows never taken: " << missing.size());
  for (const auto& m : missing) UNSCOPED_INFO(m);
  CHECK(missing.empty());
}

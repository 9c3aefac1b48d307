// Events per second through upstate::Upload, the sans-I/O machine: every
// answer is built once, outside the timed loop, and time is a plain Instant
// advanced by hand, so what is measured is the machine alone (classifying
// answers, parsing their JSON, building the next request, the table).
// Target (issue 6): at least 1 M events/s.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <utility>
#include <variant>

#include <upstate/machine/upload.hpp>

namespace {

using namespace upstate;

const std::string kImport = "01935c2d-1a2b-3c4d-5e6f-7a8b9c0d1e2f";

UploadConfig config() {
  UploadConfig c;
  c.api_base = "https://api.example.test/api/v1/data-collection";
  c.token = "bench-token-0123456789abcdef";
  c.dataset_id = "0192a3b5-7c8d-4e9f-a0b1-c2d3e4f5a6b7";
  c.seed = 7;
  return c;
}

const FileInfo kFile{"reviews.jsonl", 1u << 20};

// Step 1's answer as the service sends it: a SigV4 URL with 900 s to live,
// and the Date header the machine measures that against.
Response url_answer() {
  const std::string url =
      "https://s3.amazonaws.com/raw-datasets/0192a3b5/01935c2d/reviews.jsonl?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=AKIAEXAMPLE%2F20261128%2Feu-west-2%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z"
      "&X-Amz-Expires=900&X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Signature=0123456789abcdef";
  return Response{200,
                  {{"Date", "Sat, 28 Nov 2026 12:00:00 GMT"}, {"Content-Type", "application/json"}},
                  R"({"upload_url":")" + url + R"(","http_method":"PUT","import_id":")" + kImport +
                      R"(","content_type":"application/x-ndjson"})"};
}

Response put_answer() { return Response{200, {{"ETag", "\"9b2cf535f27731c974343645a3985328\""}}, ""}; }

Response import_answer(const std::string& status, const std::string& extra = {}) {
  return Response{200,
                  {{"Date", "Sat, 28 Nov 2026 12:00:05 GMT"}, {"Content-Type", "application/json"}},
                  R"({"dataset_id":"0192a3b5-7c8d-4e9f-a0b1-c2d3e4f5a6b7","import_id":")" + kImport +
                      R"(","type":"file_upload","status":")" + status +
                      R"(","created_at":"2026-11-28T12:00:01Z","updated_at":"2026-11-28T12:00:04Z")" + extra + "}"};
}

// Whole uploads: start -> URL answer -> PUT 200 -> `polls` x (poll answer
// "processing" -> Sleep -> wake) -> "complete". 4 + 2 * polls events each.
// The Upload is constructed inside the loop (a run is one object), so its
// construction is part of the cost per upload.
void BM_Machine_WholeUpload(benchmark::State& state) {
  const auto polls = static_cast<int>(state.range(0));
  const UploadConfig cfg = config();
  const Response url = url_answer(), put = put_answer();
  const Response processing = import_answer("processing");
  const Response complete = import_answer("complete", R"(,"accepted_count":1000)");
  std::int64_t events = 0;
  for (auto _ : state) {
    Upload up{cfg, kFile};
    Instant now{};
    Action a = up.start(now);
    now += std::chrono::milliseconds(300);
    a = up.on_response(url, now);
    now += std::chrono::seconds(2);
    a = up.on_response(put, now);
    for (int i = 0; i < polls; ++i) {
      now += std::chrono::milliseconds(50);
      a = up.on_response(processing, now);
      now = std::get<Sleep>(a).until;  // throws (ends the run) if the machine did not ask to sleep
      a = up.on_wake(now);
    }
    a = up.on_response(complete, now + std::chrono::milliseconds(50));
    benchmark::DoNotOptimize(a);
    events += 4 + 2 * polls;
    const Outcome* o = up.outcome();
    if (!o || !o->complete()) {
      state.SkipWithError("the upload did not end complete");
      break;
    }
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Machine_WholeUpload)->Arg(1)->Arg(20)->ArgName("polls");

// The steady state of a long import: one poll answer "processing" (parse,
// classify, pick the next delay) -> Sleep -> wake (build the next poll
// request). Two events per iteration on one Upload whose deadline is far
// enough away for any iteration count (the trace and notes are capped, so
// the object does not grow).
void BM_Machine_PollCycle(benchmark::State& state) {
  UploadConfig cfg = config();
  cfg.deadline = std::chrono::hours(24 * 365 * 100);
  Upload up{cfg, kFile};
  const Response processing = import_answer("processing");
  Instant now{};
  up.start(now);
  up.on_response(url_answer(), now += std::chrono::milliseconds(300));
  Action a = up.on_response(put_answer(), now += std::chrono::seconds(2));
  if (!std::holds_alternative<Send>(a)) {
    state.SkipWithError("the machine did not reach polling");
    return;
  }
  std::int64_t events = 0;
  for (auto _ : state) {
    a = up.on_response(processing, now += std::chrono::milliseconds(50));
    now = std::get<Sleep>(a).until;
    a = up.on_wake(now);
    benchmark::DoNotOptimize(a);
    events += 2;
  }
  if (!std::holds_alternative<Send>(a)) state.SkipWithError("the machine stopped polling");
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Machine_PollCycle);

}  // namespace

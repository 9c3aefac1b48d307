// Bytes per second through upstate::parse_import_report: a `partial` answer
// with 10,000 errors[] items (the worst answer a real import sends us, about
// 1 MB), and the small `processing` answer every poll gets while it waits.
// Target (issue 6): at least 300 MB/s on the 10,000-error answer.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>

#include <upstate/wire/import_report.hpp>

namespace {

using upstate::ImportStatus;
using upstate::parse_import_report;

const char* const kHead =
    R"({"dataset_id":"0192a3b5-7c8d-4e9f-a0b1-c2d3e4f5a6b7","import_id":"01935c2d-1a2b-3c4d-5e6f-7a8b9c0d1e2f",)"
    R"("type":"file_upload",)";

// What the service's validator writes for a rejected JSONL record (docs/service.md:
// record_index, field, reason), with a few fields and reasons so the items
// are not all alike. Every third record of a big file is rejected.
std::string partial_answer(std::size_t items) {
  static const char* const kFields[] = {"response", "prompt", "rating", "category", ""};
  static const char* const kReasons[] = {"missing required field", "must be a non-empty string",
                                         "field not in schema", "expected a number between 1 and 5",
                                         "not a JSON object"};
  std::string body = kHead;
  body += R"("status":"partial","created_at":"2026-11-28T12:00:01Z","updated_at":"2026-11-28T12:03:17Z",)";
  body += R"("accepted_count":)" + std::to_string(items * 2) + R"(,"rejected_count":)" + std::to_string(items) +
          R"(,"errors":[)";
  for (std::size_t i = 0; i < items; ++i) {
    if (i) body += ',';
    body += R"({"record_index":)" + std::to_string(i * 3 + 1) + R"(,"field":")" + kFields[i % 5] +
            R"(","reason":")" + kReasons[(i / 5) % 5] + R"("})";
  }
  body += "]}";
  return body;
}

std::string processing_answer() {
  return std::string(kHead) +
         R"("status":"processing","created_at":"2026-11-28T12:00:01Z","updated_at":"2026-11-28T12:00:04Z"})";
}

void run(benchmark::State& state, const std::string& body, ImportStatus status, std::size_t errors) {
  {  // the answer parses to what it says, or the figure would be meaningless
    auto check = parse_import_report(body);
    if (!check || check->status != status || check->errors.size() != errors) {
      state.SkipWithError("the benchmark's answer does not parse as intended");
      return;
    }
  }
  for (auto _ : state) {
    auto report = parse_import_report(body);
    benchmark::DoNotOptimize(report);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
  state.counters["answer_bytes"] = static_cast<double>(body.size());
}

void BM_ImportReport_Partial10000(benchmark::State& state) {
  static const std::string body = partial_answer(10000);
  run(state, body, ImportStatus::partial, 10000);
}
BENCHMARK(BM_ImportReport_Partial10000);

void BM_ImportReport_Processing(benchmark::State& state) {
  static const std::string body = processing_answer();
  run(state, body, ImportStatus::processing, 0);
}
BENCHMARK(BM_ImportReport_Processing);

}  // namespace

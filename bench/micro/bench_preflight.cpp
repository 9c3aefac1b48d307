// Bytes per second through the streaming record checks (issue 7): Preflight
// over a 64 MiB JSONL file (flat records, and records with a nested value)
// and a 64 MiB CSV file, each against a strict schema, fed in the
// uploader's 256 KiB chunks; RejectedRecords copying
// every 100th record out of the JSONL file; and the UTF-8 check and the
// record splitter alone, to see where the time goes.
// Target (issue 7): Preflight at least 300 MB/s, so it keeps up with the
// upload.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <upstate/records/preflight.hpp>
#include <upstate/records/rejected_records.hpp>

namespace {

using namespace upstate;

constexpr std::size_t kFileBytes = 64u << 20;
constexpr std::size_t kChunk = 256u << 10;

// Dataset-like records: a prompt and a response of varied length (a few
// with non-ASCII text, escapes, a comma or a line break), a category.
const char* const kPrompts[] = {
    "Summarise this review in one sentence.",
    "Is this review positive or negative?",
    "Translate the review into French: \\\"Great battery, weak speaker.\\\"",
    "List the product's defects, most serious first, and say which of them a repair would fix.",
    "Quelle est la couleur du bo\xC3\xAEtier ? R\xC3\xA9ponds en un mot.",
};
const char* const kResponses[] = {
    "Great battery, weak speaker.",
    "Positive.",
    "Excellente batterie, haut-parleur faible.",
    "The hinge cracked after a week; the charger runs hot; the manual is missing a page.",
    "Bleu \xE2\x80\x94 un bleu nuit tr\xC3\xA8s sombre.",
    "4",
};
const char* const kCategories[] = {"electronics", "books", "garden", "clothing"};

Schema schema() {
  Schema s;
  s.strict = true;
  s.fields = {{"prompt", "text", "Prompt"}, {"response", "text", "Response"}, {"category", "metadata", ""}};
  return s;
}

// `nested`: the category is an object {"name": ...} (the fast path,
// json_fast_path.hpp, walks nested values too).
std::string make_jsonl(bool nested) {
  std::string f;
  f.reserve(kFileBytes + 512);
  for (std::size_t i = 0; f.size() < kFileBytes; ++i) {
    f += R"({"prompt": ")";
    f += kPrompts[i % 5];
    f += " (#" + std::to_string(i) + R"x()", "response": ")x";
    f += kResponses[i % 6];
    f += nested ? R"(", "category": {"name": ")" : R"(", "category": ")";
    f += kCategories[i % 4];
    f += nested ? "\"}}\n" : "\"}\n";
  }
  return f;
}

const std::string& jsonl_file() {
  static const std::string file = make_jsonl(false);
  return file;
}

const std::string& nested_jsonl_file() {
  static const std::string file = make_jsonl(true);
  return file;
}

// CSV quoting: values with a comma, quote or line break are quoted.
std::string quote_csv(std::string_view v) {
  if (v.find_first_of(",\"\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

const std::string& csv_file() {
  static const std::string file = [] {
    std::string f = "prompt,response,category\r\n";
    f.reserve(kFileBytes + 512);
    for (std::size_t i = 0; f.size() < kFileBytes; ++i) {
      std::string prompt = std::string(kPrompts[i % 5]) + " (#" + std::to_string(i) + ")";
      if (i % 7 == 0) prompt += "\nSecond line.";
      f += quote_csv(prompt) + "," + quote_csv(kResponses[i % 6]) + "," + kCategories[i % 4] + "\r\n";
    }
    return f;
  }();
  return file;
}

void preflight(benchmark::State& state, FileKind kind, const std::string& file) {
  for (auto _ : state) {
    Preflight check(PreflightConfig{kind, schema()});
    for (std::size_t i = 0; i < file.size(); i += kChunk) check.feed(std::string_view(file).substr(i, kChunk));
    const PreflightReport& r = check.finish();
    if (!r.clean()) state.SkipWithError("the benchmark file should be clean");
    benchmark::DoNotOptimize(r.records);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
}

void BM_Preflight_Jsonl64MiB(benchmark::State& state) { preflight(state, FileKind::jsonl, jsonl_file()); }
BENCHMARK(BM_Preflight_Jsonl64MiB)->Unit(benchmark::kMillisecond);

void BM_Preflight_NestedJsonl64MiB(benchmark::State& state) { preflight(state, FileKind::jsonl, nested_jsonl_file()); }
BENCHMARK(BM_Preflight_NestedJsonl64MiB)->Unit(benchmark::kMillisecond);

void BM_Preflight_Csv64MiB(benchmark::State& state) { preflight(state, FileKind::csv, csv_file()); }
BENCHMARK(BM_Preflight_Csv64MiB)->Unit(benchmark::kMillisecond);

// A partial import that rejected every 100th record (about 1 % of 64 MiB,
// ~3,900 records), all named in errors[].
void BM_RejectedRecords_Jsonl64MiB(benchmark::State& state) {
  const std::string& file = jsonl_file();
  ImportReport report;
  report.import_id = "01935c2d-1a2b-3c4d-5e6f-7a8b9c0d1e2f";
  report.status = ImportStatus::partial;
  for (std::uint64_t i = 0; i < 390000; i += 100) {
    RecordError e;
    e.record_index = i;
    e.field = "response";
    e.reason = "must be a non-empty string";
    report.errors.push_back(e);
  }
  std::uint64_t written = 0;
  for (auto _ : state) {
    RejectedRecords rejected(report, FileKind::jsonl);
    std::size_t out = 0;
    auto sink = [&](std::string_view piece) { out += piece.size(); };
    for (std::size_t i = 0; i < file.size(); i += kChunk) rejected.feed(std::string_view(file).substr(i, kChunk), sink);
    rejected.finish(sink);
    written = rejected.written();
    benchmark::DoNotOptimize(out);
  }
  state.counters["records_written"] = static_cast<double>(written);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
}
BENCHMARK(BM_RejectedRecords_Jsonl64MiB)->Unit(benchmark::kMillisecond);

void BM_Utf8Check_Jsonl64MiB(benchmark::State& state) {
  const std::string& file = jsonl_file();
  for (auto _ : state) {
    Utf8Check check;
    for (std::size_t i = 0; i < file.size(); i += kChunk) check.feed(std::string_view(file).substr(i, kChunk));
    benchmark::DoNotOptimize(check.finish());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
}
BENCHMARK(BM_Utf8Check_Jsonl64MiB)->Unit(benchmark::kMillisecond);

struct CountRecords {
  std::uint64_t n = 0;
  void record_begin(const RecordSpan&) noexcept {}
  void record_bytes(std::string_view) noexcept {}
  void record_end(const RecordSpan&, std::string_view) noexcept { ++n; }
};

void splitter(benchmark::State& state, FileKind kind, const std::string& file) {
  for (auto _ : state) {
    RecordSplitter s(kind);
    CountRecords count;
    for (std::size_t i = 0; i < file.size(); i += kChunk) s.feed(std::string_view(file).substr(i, kChunk), count);
    s.finish(count);
    benchmark::DoNotOptimize(count.n);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
}

void BM_RecordSplitter_Jsonl64MiB(benchmark::State& state) { splitter(state, FileKind::jsonl, jsonl_file()); }
BENCHMARK(BM_RecordSplitter_Jsonl64MiB)->Unit(benchmark::kMillisecond);

void BM_RecordSplitter_Csv64MiB(benchmark::State& state) { splitter(state, FileKind::csv, csv_file()); }
BENCHMARK(BM_RecordSplitter_Csv64MiB)->Unit(benchmark::kMillisecond);

}  // namespace

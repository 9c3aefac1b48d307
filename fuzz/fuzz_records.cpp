// libFuzzer: the streaming record checks on arbitrary files. Each runs whole
// and split at fuzzer-chosen points, and both must agree: Preflight's
// report, RejectedRecords' output and reasons. Beyond that: Preflight agrees
// with the fake service's verdict, the JSON fast path reads what
// RapidJSON reads, a rejected-records file reads back as exactly the
// selected records, and the caps hold.
//
// Input: [flags] [ncuts] [cuts...] [file...]; flags bit 0: CSV, bits 1-2:
// the schema (none, strict prompt/response, URL fields), bit 3: a 64-byte
// record limit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <upstate/records/preflight.hpp>
#include <upstate/records/rejected_records.hpp>
#include <upstate/testing/fake_validation.hpp>
#include <vector>

#include "check.hpp"

namespace {

using namespace upstate;

std::optional<Schema> schema_for(int choice) {
  Schema s;
  s.strict = choice != 3;
  switch (choice) {
    case 0: return std::nullopt;
    case 1: s.fields = {{"prompt", "text", ""}, {"response", "text", ""}, {"category", "metadata", ""}}; break;
    case 2: s.fields = {{"img", "image_url", ""}, {"prompt", "text", ""}, {"prompt", "audio_url", ""}}; break;
    default: s.fields = {{"prompt", "text", ""}};
  }
  return s;
}

// Feeds `file` whole (no cuts) or in pieces of 1..64 bytes.
template <class Feed>
void in_pieces(std::string_view file, const std::uint8_t* cuts, std::size_t ncuts, Feed&& feed) {
  for (std::size_t pos = 0, c = 0; pos < file.size();) {
    std::size_t step = ncuts ? 1 + cuts[c++ % ncuts] % 64 : file.size() - pos;
    if (step > file.size() - pos) step = file.size() - pos;
    feed(file.substr(pos, step));
    pos += step;
  }
}

std::string render(const PreflightReport& r) {
  std::string out = std::to_string(r.bytes) + " " + std::to_string(r.records) + " " +
                    std::to_string(r.rejected_records) + " " + std::to_string(r.unchecked_records) + " " +
                    std::to_string(r.problems_dropped) + " " + (r.would_fail ? "F " + r.fail_reason : "ok") + "\n";
  for (const auto& p : r.problems) out += std::string(to_string(p.kind)) + " " + to_string(p) + "\n";
  return out;
}

struct Records {
  std::vector<std::string> texts;  // CSV: the header first
  bool unterminated = false;
};

Records records_of(FileKind kind, std::string_view file) {
  Records out;
  RecordSplitter s(kind);
  RecordGatherer g(RecordSplitter::kNoLimit);
  auto next = [&](const RecordSpan& span, std::string_view text) {
    if (span.ending != RecordEnding::unterminated_quote) out.texts.emplace_back(text);
  };
  auto h = g.to(next);
  s.feed(file, h);
  s.finish(h);
  out.unterminated = s.unterminated_quote();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  const std::size_t ncuts = data[1] % 16;
  if (2 + ncuts > size) return 0;
  const std::uint8_t* cuts = data + 2;
  const std::string_view file(reinterpret_cast<const char*>(data + 2 + ncuts), size - 2 - ncuts);
  const FileKind kind = flags & 1 ? FileKind::csv : FileKind::jsonl;
  const std::optional<Schema> schema = schema_for((flags >> 1) & 3);
  const bool small = flags & 8;

  // Preflight: whole == split, and the caps.
  PreflightConfig config{kind, schema, small ? 64u : 1u << 20, 8};
  Preflight whole(config), split(config);
  whole.feed(file);
  in_pieces(file, cuts, ncuts, [&](std::string_view piece) { split.feed(piece); });
  const PreflightReport& a = whole.finish();
  check(render(a) == render(split.finish()));
  check(a.bytes == file.size());
  check(a.rejected_records + a.unchecked_records <= a.records);
  check(a.problems.size() <= config.max_problems + 4);
  check(a.would_fail == !a.fail_reason.empty());
  check(whole.buffer_capacity() <= config.max_record_bytes);
  for (const auto& p : a.problems) {
    check(p.message.size() < 4096 && p.field.size() <= 256);
    if (p.record_index) check(*p.record_index < a.records);
  }

  // The fake service's verdict, when it judges records.
  if (schema && !small) {
    testing::Validation v = testing::validate_upload(kind, file, schema, 1000);
    if (v.counted) {
      check(a.records == v.records);
      check(a.rejected_records == v.rejected);
      check(a.would_fail == (v.status == ImportStatus::failed));
    } else {
      check(a.would_fail && a.fail_reason == v.reason);
    }
  }

  const Records all = records_of(kind, file);
  // The JSONL fast path against RapidJSON, record by record.
  if (kind == FileKind::jsonl) {
    JsonFields fast, slow;
    for (const std::string& text : all.texts) {
      const bool ok = fast.parse(text, true);
      check(ok == slow.parse_with_rapidjson(text, true));
      if (!ok) continue;
      check(fast.fields().size() == slow.fields().size());
      for (std::size_t i = 0; i < fast.fields().size(); ++i) {
        check(fast.fields()[i].name == slow.fields()[i].name);
        check(fast.fields()[i].value == slow.fields()[i].value);
        check(fast.fields()[i].url == slow.fields()[i].url);
      }
    }
  }

  // RejectedRecords: the records the cut bytes pick (a bit mask), whole ==
  // split; the new file holds exactly those records.
  std::uint64_t mask = 0;
  for (std::size_t i = 0; i < ncuts && i < 8; ++i) mask |= std::uint64_t{cuts[i]} << (8 * i);
  ImportReport report;
  report.status = ImportStatus::partial;
  report.rejected_count = 70;
  for (std::uint64_t i = 0; i < 64; ++i)
    if (mask >> i & 1) {
      RecordError e;
      e.record_index = i;
      e.reason = "picked";
      report.errors.push_back(e);
    }
  std::string out_whole, out_split;
  RejectedRecords r1(report, kind), r2(report, kind);
  r1.feed(file, [&](std::string_view s) { out_whole += s; });
  r1.finish([&](std::string_view s) { out_whole += s; });
  in_pieces(file, cuts, ncuts,
            [&](std::string_view piece) { r2.feed(piece, [&](std::string_view s) { out_split += s; }); });
  r2.finish([&](std::string_view s) { out_split += s; });
  check(out_whole == out_split);
  check(r1.reasons() == r2.reasons());
  check(r1.written() <= r1.selected().size());
  if (!all.unterminated) {
    const std::size_t header = kind == FileKind::csv && !all.texts.empty() ? 1 : 0;
    std::vector<std::string> expected;
    if (header && !r1.selected().empty()) expected.push_back(all.texts[0]);
    for (std::uint64_t i : r1.selected())
      if (header + i < all.texts.size()) expected.push_back(all.texts[header + i]);
    check(records_of(kind, out_whole).texts == expected);
  }
  return 0;
}

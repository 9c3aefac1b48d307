#pragma once
// Preflight: the service's checks of an upload (UTF-8, record format, the
// dataset's schema; rules in record_check.hpp), made on the client before a
// byte is sent, so a file that would fail is caught at home and the report
// names the line and field of each fault. Sans-I/O: the caller reads the
// file and feeds it in chunks of any size; the verdict does not depend on
// where the chunks end. Memory is bounded by max_record_bytes (a longer
// record is reported as not checked) and max_problems, never by the file.
//
//   upstate::Preflight preflight({upstate::FileKind::jsonl, schema});
//   while (read chunk) preflight.feed(chunk);
//   const upstate::PreflightReport& r = preflight.finish();
//   if (r.would_fail) ... r.fail_reason, r.problems
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../detail/excerpt.hpp"
#include "../wire/dataset.hpp"
#include "file_kind.hpp"
#include "record_check.hpp"
#include "record_problem.hpp"
#include "record_splitter.hpp"
#include "utf8_check.hpp"
#include "whole_records.hpp"

namespace upstate {

struct PreflightConfig {
  FileKind kind = FileKind::jsonl;
  std::optional<Schema> schema;             // the dataset's, when fetched: field checks
  std::size_t max_record_bytes = 4u << 20;  // a longer record is not checked (memory bound)
  std::size_t max_problems = 100;           // record problems kept; file-level ones always are
};

struct PreflightProblem {
  ProblemKind kind = ProblemKind::not_utf8;
  std::uint64_t line = 0;                     // 1-based; 0: the file as a whole
  std::optional<std::uint64_t> record_index;  // the service's 0-based record_index
  std::string field;                          // "" when not about one field
  std::string message;                        // for a person: what is wrong, what to do
};

struct PreflightReport {
  std::uint64_t bytes = 0;                 // fed in all
  std::uint64_t records = 0;               // as the service counts them (CSV: data rows)
  std::uint64_t rejected_records = 0;      // records the service would reject
  std::uint64_t unchecked_records = 0;     // longer than max_record_bytes
  std::uint64_t warned_records = 0;        // taken by the checks, with a warning (ProblemKind::media_extension)
  std::vector<PreflightProblem> problems;  // file-level first, then by position in the file
  std::uint64_t problems_dropped = 0;      // record problems past max_problems
  bool would_fail = false;                 // the service would fail the whole import
  std::string fail_reason;                 // ... with this reason (its wording)

  // Nothing the service would refuse, and everything was checked.
  bool clean() const noexcept { return !would_fail && rejected_records == 0 && unchecked_records == 0; }
};

// "line 5, record 3, field "prompt": message"
inline std::string to_string(const PreflightProblem& p) {
  std::string out;
  if (p.line > 0) out += "line " + std::to_string(p.line);
  if (p.record_index) out += (out.empty() ? "" : ", ") + std::string("record ") + std::to_string(*p.record_index);
  if (!p.field.empty()) out += (out.empty() ? "" : ", ") + std::string("field ") + quoted_name(p.field);
  return out.empty() ? p.message : out + ": " + p.message;
}

class Preflight {
 public:
  explicit Preflight(PreflightConfig config)
      : config_(std::move(config)),
        splitter_(config_.kind, config_.max_record_bytes),
        gatherer_(config_.max_record_bytes),
        checker_(config_.kind, config_.schema) {}

  // false (and nothing done) after finish().
  bool feed(std::string_view chunk) {
    if (finished_) return false;
    if (utf8_.ok() && !utf8_.feed(chunk)) utf8_fault(chunk);
    report_.bytes += chunk.size();
    OnRecord on_record{*this};
    auto h = gatherer_.to(on_record);
    splitter_.feed(chunk, h);
    return true;
  }

  // The end of the file; the same report on every later call.
  const PreflightReport& finish() {
    if (finished_) return report_;
    finished_ = true;
    if (utf8_.ok() && !utf8_.finish()) utf8_fault({});
    OnRecord on_record{*this};
    auto h = gatherer_.to(on_record);
    splitter_.finish(h);
    file_faults();
    return report_;
  }

  const PreflightConfig& config() const noexcept { return config_; }
  // Bytes held for a record that spans chunks (at most max_record_bytes).
  std::size_t buffer_capacity() const noexcept { return gatherer_.capacity(); }

 private:
  struct OnRecord {
    Preflight& p;
    void operator()(const RecordSpan& span, std::string_view text) { p.record(span, text); }
  };

  void record(const RecordSpan& span, std::string_view text) {
    if (span.ending == RecordEnding::unterminated_quote) return;  // a file fault (finish)
    if (span.header) {
      if (span.too_long) {
        add(span, ProblemKind::too_long, {},
            "the header row is longer than " + std::to_string(config_.max_record_bytes) +
                " bytes, so no row was checked against it");
      } else {
        checker_.set_header(text);
      }
      return;
    }
    ++report_.records;
    if (span.too_long || (config_.kind == FileKind::csv && !checker_.header_known())) {
      ++report_.unchecked_records;
      if (span.too_long)
        add(span, ProblemKind::too_long, {},
            "the record is " + std::to_string(span.size()) + " bytes long, over the " +
                std::to_string(config_.max_record_bytes) + "-byte limit of this check: it was not checked");
      return;
    }
    bool rejected = false, warned = false;
    checker_.check_record(span, text, [&](const RecordFault& f) {
      (rejects_record(f.kind) ? rejected : warned) = true;
      add(span, f.kind, f.field, fault_message(f));
    });
    if (rejected) ++report_.rejected_records;
    if (warned) ++report_.warned_records;
  }

  void add(const RecordSpan& span, ProblemKind kind, std::string_view field, std::string message) {
    if (report_.problems.size() >= config_.max_problems) {
      ++report_.problems_dropped;
      return;
    }
    PreflightProblem p;
    p.kind = kind;
    p.line = span.line;
    if (!span.header) p.record_index = span.index;
    p.field = std::string(utf8_prefix(field, 256));
    p.message = std::move(message);
    report_.problems.push_back(std::move(p));
  }

  void utf8_fault(std::string_view chunk) {
    const std::uint64_t offset = *utf8_.error_offset();
    // The line: the splitter's count at this chunk's start, plus the line
    // breaks before the bad byte in this chunk (none when a sequence cut by
    // the previous chunk's end is the bad one: its bytes are not ASCII).
    std::uint64_t line = splitter_.line();
    if (offset >= report_.bytes) {
      const auto before = static_cast<std::size_t>(offset - report_.bytes);
      line += static_cast<std::uint64_t>(std::count(chunk.begin(), chunk.begin() + before, '\n'));
    }
    static constexpr char kHex[] = "0123456789ABCDEF";
    const unsigned char b = utf8_.error_byte();
    std::string byte = std::string("0x") + kHex[b >> 4] + kHex[b & 15];
    PreflightProblem p;
    p.kind = ProblemKind::not_utf8;
    p.line = line;
    p.message = "byte " + byte + " at offset " + std::to_string(offset) +
                " is not valid UTF-8, so the service refuses the whole file: save it as UTF-8";
    file_problems_.push_back(std::move(p));
  }

  void file_fault(ProblemKind kind, std::uint64_t line, std::string reason, std::string message) {
    if (!report_.would_fail) report_.fail_reason = std::move(reason);  // the first, in the service's order
    report_.would_fail = true;
    PreflightProblem p;
    p.kind = kind;
    p.line = line;
    p.message = std::move(message);
    file_problems_.push_back(std::move(p));
  }

  void file_faults() {
    if (!utf8_.ok()) {
      report_.would_fail = true;
      report_.fail_reason = "file is not valid UTF-8";
    }
    if (splitter_.unterminated_quote())
      file_fault(ProblemKind::unterminated_quote, splitter_.quote_line(), "malformed CSV: unterminated quoted field",
                 "a quoted field opened on this line is never closed, so the service refuses the whole file: "
                 "close it, and write a quote inside a quoted value as two (\"\")");
    if (report_.records == 0)
      file_fault(ProblemKind::no_records, 0, "the file holds no records",
                 config_.kind == FileKind::csv && splitter_.header_seen()
                     ? "the file holds a header row and no records, so the service refuses it"
                     : "the file holds no records, so the service refuses it");
    else if (report_.rejected_records == report_.records)
      file_fault(ProblemKind::all_rejected, 0, "all " + std::to_string(report_.records) + " records were rejected",
                 "every one of the " + std::to_string(report_.records) +
                     " records would be rejected, so the service fails the whole import");
    report_.problems.insert(report_.problems.begin(), std::make_move_iterator(file_problems_.begin()),
                            std::make_move_iterator(file_problems_.end()));
    file_problems_.clear();
  }

  PreflightConfig config_;
  Utf8Check utf8_;
  RecordSplitter splitter_;
  RecordGatherer gatherer_;
  RecordChecker checker_;
  PreflightReport report_;
  std::vector<PreflightProblem> file_problems_;
  bool finished_ = false;
};

}  // namespace upstate

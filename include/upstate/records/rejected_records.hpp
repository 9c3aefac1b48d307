#pragma once
// The rejected-records loop: after a `partial` import, copy the records the
// service rejected out of the original file into a new file, ready to fix
// and upload again (they are appended to the dataset), with a reasons text
// that says what was wrong with each.
//
// The records are those the report's errors[] name by record_index (sorted,
// once each); errors without an index are listed in the reasons but select
// nothing. One streaming pass over the original file, fed in chunks of any
// size: the selected records are written byte for byte, with their own line
// breaks, in file order, to `sink(std::string_view)` as they pass (a record
// is never held whole, so memory does not depend on the file). CSV: the
// header row comes first. A byte-order mark opening the file is kept (a
// spreadsheet needs it to read the file back as UTF-8). A JSONL line's
// leading blanks are not copied (JSON ignores them); a last record without
// a line break gets one. Read back, the new file holds exactly the selected
// records, byte for byte (the fuzz target checks this).
//
//   upstate::RejectedRecords rejected(report, upstate::FileKind::jsonl);
//   while (read chunk) rejected.feed(chunk, write_to_new_file);
//   rejected.finish(write_to_new_file);
//   write_reasons(rejected.reasons());
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../detail/excerpt.hpp"
#include "../wire/import_report.hpp"
#include "file_kind.hpp"
#include "record_splitter.hpp"

namespace upstate {

class RejectedRecords {
 public:
  RejectedRecords(const ImportReport& report, FileKind kind)
      : splitter_(kind), rejected_count_(report.rejected_count), errors_dropped_(report.errors_dropped) {
    errors_.reserve(report.errors.size());
    for (const RecordErrorView e : report.errors) {
      // Server text, bounded and made printable before it reaches a file a
      // person reads.
      errors_.push_back({e.record_index, printable_excerpt(e.field, 200), printable_excerpt(e.reason, 500)});
      if (e.record_index) selected_.push_back(*e.record_index);
    }
    std::sort(selected_.begin(), selected_.end());
    selected_.erase(std::unique(selected_.begin(), selected_.end()), selected_.end());
    new_line_.assign(selected_.size(), 0);
  }

  template <class Sink>
  void feed(std::string_view chunk, Sink&& sink) {
    Copier<Sink> copier{*this, sink};
    splitter_.feed(chunk, copier);
  }

  template <class Sink>
  void finish(Sink&& sink) {
    Copier<Sink> copier{*this, sink};
    splitter_.finish(copier);
  }

  // The record indices errors[] names, sorted, once each.
  const std::vector<std::uint64_t>& selected() const noexcept { return selected_; }
  // Of those, the records found in the file and written.
  std::uint64_t written() const noexcept { return written_; }
  // Rejected records errors[] does not name (rejected_count minus selected):
  // they cannot be identified from the report.
  std::uint64_t unidentified() const noexcept {
    const std::uint64_t named = selected_.size();
    return rejected_count_ && *rejected_count_ > named ? *rejected_count_ - named : 0;
  }
  // After finish: selected indices the file does not hold.
  std::vector<std::uint64_t> missing() const {
    std::vector<std::uint64_t> out;
    for (std::size_t k = 0; k < selected_.size(); ++k)
      if (new_line_[k] == 0) out.push_back(selected_[k]);
    return out;
  }
  // After finish: the line a selected record starts on in the new file (0: not found).
  std::uint64_t new_line_of(std::uint64_t record_index) const noexcept {
    auto it = std::lower_bound(selected_.begin(), selected_.end(), record_index);
    return it != selected_.end() && *it == record_index ? new_line_[static_cast<std::size_t>(it - selected_.begin())]
                                                        : 0;
  }

  // After finish: the reasons file. Lines starting with '#' say what
  // happened and what to do, the first about records that cannot be
  // identified when there are any; then one line per error, in the report's
  // order: record_index, its line in the new file, field, reason.
  std::string reasons() const {
    std::string out;
    const std::uint64_t unknown = unidentified();
    if (unknown > 0)
      out += "# The service rejected " + std::to_string(*rejected_count_) + " records, but its errors name only " +
             std::to_string(selected_.size()) + " of them: the other " + std::to_string(unknown) +
             " cannot be identified from this report and are not in this file. Find them in the original file with a "
             "strict preflight check (it applies the service's rules), or by comparing the dataset with your source.\n";
    if (errors_dropped_ > 0)
      out += "# " + std::to_string(errors_dropped_) +
             " more errors were in the service's answer than this client keeps (ParseLimits::max_record_errors); "
             "their records are not in this file.\n";
    out += "# " + std::to_string(written_) + (written_ == 1 ? " rejected record is" : " rejected records are") +
           " in the rejected-records file: fix each as its line below says, then upload that file to the same dataset "
           "as a new file (the accepted records are already in).\n";
    const auto gone = missing();
    if (!gone.empty())
      out += "# " + std::to_string(gone.size()) + " record(s) the errors name are not in the file read (it holds " +
             std::to_string(splitter_.records()) + " records), starting with record " + std::to_string(gone.front()) +
             ": is it the file that was uploaded?\n";
    if (cut_short_)
      out += "# The file read ends inside a quoted field: record " + std::to_string(*cut_short_) +
             " is incomplete in the rejected-records file.\n";
    for (const Error& e : errors_) {
      if (!e.index) {
        out += "record not identified";
      } else if (std::uint64_t line = new_line_of(*e.index)) {
        out += "record " + std::to_string(*e.index) + " (line " + std::to_string(line) + ")";
      } else {
        out += "record " + std::to_string(*e.index) + " (not in the file read)";
      }
      if (!e.field.empty()) out += ", field \"" + e.field + "\"";
      out += ": " + (e.reason.empty() ? std::string("no reason given") : e.reason) + "\n";
    }
    return out;
  }

 private:
  struct Error {
    std::optional<std::uint64_t> index;
    std::string field, reason;
  };

  // The splitter's handler: copies the selected records to the sink.
  template <class Sink>
  struct Copier {
    RejectedRecords& r;
    Sink& sink;

    void record_begin(const RecordSpan& span) {
      if (span.header) {
        r.copying_ = !r.selected_.empty();
      } else {
        while (r.next_ < r.selected_.size() && r.selected_[r.next_] < span.index) ++r.next_;
        r.copying_ = r.next_ < r.selected_.size() && r.selected_[r.next_] == span.index;
      }
      if (!r.copying_) return;
      r.record_line_ = r.out_line_;
      r.breaks_in_record_ = 0;
      r.last_byte_ = 0;
    }
    void record_bytes(std::string_view piece) {
      if (r.copying_) copy(piece);
    }
    void record_end(const RecordSpan& span, std::string_view last) {
      if (!r.copying_) return;
      copy(last);
      std::string_view line_break = line_break_of(span.ending);
      // No line break in the file (its last record): add one. After a CR
      // that ends a CSV row's data, a lone LF would turn it into a CRLF.
      if (line_break.empty()) line_break = r.last_byte_ == '\r' && r.splitter_.kind() == FileKind::csv ? "\r\n" : "\n";
      sink(line_break);
      r.out_line_ += 1 + r.breaks_in_record_;
      r.copying_ = false;
      if (span.ending == RecordEnding::unterminated_quote) r.cut_short_ = span.index;
      if (span.header) return;
      r.new_line_[r.next_] = r.record_line_;
      ++r.written_;
    }
    void copy(std::string_view piece) {
      if (piece.empty()) return;
      if (!r.wrote_any_) {
        // The source's mark is kept; and a first record that itself starts
        // with the mark's first byte gets one in front, so that its own bytes
        // are not taken for a mark (and dropped) when the new file is read.
        if (r.splitter_.bom() || piece[0] == '\xEF') sink(std::string_view("\xEF\xBB\xBF"));
        r.wrote_any_ = true;
      }
      sink(piece);
      // Quoted CSV fields may hold line breaks: the next record's line moves.
      if (r.splitter_.kind() == FileKind::csv)
        r.breaks_in_record_ += static_cast<std::uint64_t>(std::count(piece.begin(), piece.end(), '\n'));
      r.last_byte_ = piece.back();
    }
  };

  RecordSplitter splitter_;
  std::optional<std::uint64_t> rejected_count_;
  std::uint64_t errors_dropped_ = 0;
  std::vector<Error> errors_;
  std::vector<std::uint64_t> selected_;  // sorted, unique
  std::vector<std::uint64_t> new_line_;  // per selected_: its line in the new file, 0 = not seen
  std::size_t next_ = 0;                 // selected_[next_]: the next index to look for
  std::uint64_t written_ = 0;
  std::uint64_t out_line_ = 1;  // the line the next copied record starts on
  std::uint64_t record_line_ = 0, breaks_in_record_ = 0;
  std::optional<std::uint64_t> cut_short_;
  char last_byte_ = 0;
  bool copying_ = false, wrote_any_ = false;
};

}  // namespace upstate

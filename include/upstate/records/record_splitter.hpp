#pragma once
// Where each record of a JSONL or CSV file begins and ends, from the file's
// bytes fed in chunks of any size, counted the way the fake service counts
// them (testing/fake_validation.hpp, our best knowledge of the service):
//
//   - a UTF-8 byte-order mark opening the file is skipped;
//   - JSONL: every line holding something other than space, tab or CR is a
//     record. Its bytes run from its first such byte to the '\n' (a CR before
//     it stays in the record: JSON ignores it). The blanks before it are left
//     out so that no byte of an unbounded blank prefix has to be kept;
//   - CSV (RFC 4180, leniently): the first row is the header, the rows after
//     it are records. A row ends at LF or CRLF outside quotes; a quote opens a
//     quoted field only as a field's first byte, and "" inside one is a quote.
//     Empty lines between rows are skipped. A quoted field still open at the
//     end of the file ends the row as `unterminated_quote` (not a record: the
//     service fails such a file).
//
// Nothing is buffered here: a record's bytes are handed on as they pass, so
// memory does not depend on the input. The handler (duck-typed) sees
//
//   record_begin(const RecordSpan&)                  the record starts
//   record_bytes(std::string_view)                   more of it, up to the chunk's end
//   record_end(const RecordSpan&, std::string_view)  the rest of it, and its end
//
// The views live until the call returns. A record inside one chunk arrives
// whole in record_end (no copy needed); whole_records.hpp gathers the others.
// Scanning is memchr over the chunk: the bytes between two newlines (JSONL),
// or between quotes and newlines (CSV), are never looked at one by one.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include "file_kind.hpp"

namespace upstate {

enum class RecordEnding : unsigned char {
  open,                // not ended yet (record_begin)
  lf,                  // "\n"
  crlf,                // "\r\n"
  end_of_file,         // no line break after it
  unterminated_quote,  // CSV: the file ended inside a quoted field
};

// The bytes that ended the record in the file ("" at the end of the file).
constexpr std::string_view line_break_of(RecordEnding e) noexcept {
  return e == RecordEnding::lf ? "\n" : e == RecordEnding::crlf ? "\r\n" : "";
}

struct RecordSpan {
  bool header = false;       // CSV: the header row (it has no record_index)
  std::uint64_t index = 0;   // record_index, 0-based (data records only)
  std::uint64_t line = 0;    // 1-based line the record starts on
  std::uint64_t begin = 0;   // offset of its first byte in the file
  std::uint64_t end = 0;     // one past its last byte, line break excluded (set at record_end)
  std::uint64_t indent = 0;  // JSONL: blank bytes before it on its line (not part of it)
  RecordEnding ending = RecordEnding::open;
  bool too_long = false;  // at record_end: size() > the splitter's max_record_bytes

  std::uint64_t size() const noexcept { return end - begin; }
};

class RecordSplitter {
 public:
  static constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();

  explicit RecordSplitter(FileKind kind, std::uint64_t max_record_bytes = kNoLimit) noexcept
      : kind_(kind),
        max_record_bytes_(max_record_bytes),
        state_(kind == FileKind::jsonl ? State::blank : State::row_start) {}

  // After finish(), feed and finish do nothing.
  template <class Handler>
  void feed(std::string_view chunk, Handler& h) {
    if (finished_ || chunk.empty()) return;
    if (!bom_decided_) chunk = take_bom(chunk, h);
    if (!chunk.empty()) scan(chunk, h);
  }

  // The end of the file: ends the last record, if any.
  template <class Handler>
  void finish(Handler& h) {
    if (finished_) return;
    if (!bom_decided_) {
      // Fewer than three bytes, all a prefix of the mark: they are data.
      bom_decided_ = true;
      if (bom_held_ > 0) scan(kBom.substr(0, bom_held_), h);
    }
    finished_ = true;
    switch (state_) {
      case State::record: end_record(offset_, RecordEnding::end_of_file, {}, h); break;
      case State::row_start_cr:
        // A lone CR at the end of the file is a row holding just that CR.
        begin_record(offset_ - 1, h);
        end_record(offset_, RecordEnding::end_of_file, "\r", h);
        break;
      case State::field_start:
      case State::unquoted:
      case State::quoted_quote:
        end_record(offset_, RecordEnding::end_of_file, pending_cr_ ? std::string_view("\r") : std::string_view{}, h);
        break;
      case State::quoted:
        unterminated_ = true;
        end_record(offset_, RecordEnding::unterminated_quote, {}, h);
        break;
      case State::blank:
      case State::row_start: break;
    }
    pending_cr_ = false;
  }

  FileKind kind() const noexcept { return kind_; }
  std::uint64_t max_record_bytes() const noexcept { return max_record_bytes_; }
  std::uint64_t records() const noexcept { return records_; }  // data records ended so far
  std::uint64_t line() const noexcept { return line_; }        // 1 + line breaks seen so far
  bool header_seen() const noexcept { return rows_begun_ > 0; }
  bool bom() const noexcept { return bom_; }  // the file opened with a byte-order mark
  bool finished() const noexcept { return finished_; }
  // After finish: the file ended inside a quoted field opened on quote_line().
  bool unterminated_quote() const noexcept { return unterminated_; }
  std::uint64_t quote_line() const noexcept { return quote_line_; }

 private:
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";

  enum class State : unsigned char {
    blank,         // JSONL: at a line's start, or only blanks so far on it
    record,        // JSONL: inside a record
    row_start,     // CSV: between rows
    row_start_cr,  // CSV: a CR at a row start ended the last chunk (CRLF: an empty line; else a row)
    field_start,   // CSV: at a field's first byte
    unquoted,      // CSV: inside a row, outside quotes, not at a field's start
    quoted,        // CSV: inside a quoted field
    quoted_quote,  // CSV: a quote inside a quoted field ended the last chunk ("" or the closing one)
  };

  // The next occurrence of one byte at or after a position, memchr'd once
  // and remembered until the scan passes it.
  class NextByte {
   public:
    NextByte(const char* d, std::size_t n, char c) noexcept : d_(d), n_(n), c_(c) {}
    std::size_t at_or_after(std::size_t i) noexcept {
      if (!known_ || pos_ < i) {
        const void* p = i < n_ ? std::memchr(d_ + i, c_, n_ - i) : nullptr;
        pos_ = p ? static_cast<std::size_t>(static_cast<const char*>(p) - d_) : n_;
        known_ = true;
      }
      return pos_;
    }

   private:
    const char* d_;
    std::size_t n_;
    char c_;
    std::size_t pos_ = 0;
    bool known_ = false;
  };

  // Holds back the first bytes while they may be a byte-order mark; returns
  // the part of `chunk` left to scan.
  template <class Handler>
  std::string_view take_bom(std::string_view chunk, Handler& h) {
    while (bom_held_ < kBom.size() && !chunk.empty()) {
      if (chunk[0] != kBom[bom_held_]) {
        bom_decided_ = true;
        if (bom_held_ > 0) scan(kBom.substr(0, bom_held_), h);  // not a mark: those bytes were data
        return chunk;
      }
      ++bom_held_;
      chunk.remove_prefix(1);
    }
    if (bom_held_ == kBom.size()) {
      bom_decided_ = bom_ = true;
      offset_ = kBom.size();
    }
    return chunk;
  }

  template <class Handler>
  void begin_record(std::uint64_t begin, Handler& h, std::uint64_t indent = 0) {
    span_ = RecordSpan{};
    span_.header = kind_ == FileKind::csv && rows_begun_ == 0;
    span_.index = records_;
    span_.line = line_;
    span_.begin = span_.end = begin;
    span_.indent = indent;
    if (kind_ == FileKind::csv) ++rows_begun_;
    h.record_begin(static_cast<const RecordSpan&>(span_));
  }

  template <class Handler>
  void end_record(std::uint64_t end, RecordEnding ending, std::string_view last, Handler& h) {
    span_.end = end;
    span_.ending = ending;
    span_.too_long = span_.size() > max_record_bytes_;
    if (!span_.header && ending != RecordEnding::unterminated_quote) ++records_;
    h.record_end(static_cast<const RecordSpan&>(span_), last);
  }

  template <class Handler>
  void scan(std::string_view chunk, Handler& h) {
    if (kind_ == FileKind::jsonl)
      scan_jsonl(chunk.data(), chunk.size(), h);
    else
      scan_csv(chunk.data(), chunk.size(), h);
    offset_ += chunk.size();
  }

  static constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

  template <class Handler>
  void scan_jsonl(const char* d, std::size_t n, Handler& h) {
    const std::uint64_t base = offset_;
    std::size_t i = 0, from = 0;  // from: where the open record's bytes start in this chunk
    while (i < n) {
      if (state_ == State::blank) {
        const std::size_t blanks_from = i;
        while (i < n && is_blank(d[i])) ++i;
        indent_ += i - blanks_from;
        if (i == n) break;
        if (d[i] == '\n') {
          ++line_;
          ++i;
          indent_ = 0;
          continue;
        }
        begin_record(base + i, h, indent_);
        indent_ = 0;
        from = i;
        state_ = State::record;
      }
      const void* nl = std::memchr(d + i, '\n', n - i);
      if (!nl) {
        i = n;
        break;
      }
      const auto p = static_cast<std::size_t>(static_cast<const char*>(nl) - d);
      end_record(base + p, RecordEnding::lf, std::string_view(d + from, p - from), h);
      ++line_;
      i = p + 1;
      state_ = State::blank;
    }
    if (state_ == State::record && from < n) h.record_bytes(std::string_view(d + from, n - from));
  }

  template <class Handler>
  void scan_csv(const char* d, std::size_t n, Handler& h) {
    const std::uint64_t base = offset_;
    NextByte quote(d, n, '"'), newline(d, n, '\n');
    std::size_t i = 0, from = 0;  // from: where the open row's bytes start in this chunk
    // A CR held back at the last chunk's end is row data unless a LF follows.
    if (pending_cr_ && d[0] != '\n') {
      h.record_bytes("\r");
      pending_cr_ = false;
    }
    while (i < n) {
      switch (state_) {
        case State::row_start:
          if (d[i] == '\n') {
            ++line_;
            ++i;
          } else if (d[i] == '\r' && i + 1 == n) {
            state_ = State::row_start_cr;
            ++i;
          } else if (d[i] == '\r' && d[i + 1] == '\n') {
            ++line_;
            i += 2;
          } else {
            begin_record(base + i, h);
            from = i;
            state_ = State::field_start;
          }
          break;
        case State::row_start_cr:  // i == 0
          if (d[i] == '\n') {
            ++line_;
            ++i;
            state_ = State::row_start;
          } else {
            begin_record(base - 1, h);
            h.record_bytes("\r");
            from = i;
            state_ = State::unquoted;  // the row's first field began with that CR
          }
          break;
        case State::field_start:
          if (d[i] == '"') {
            quote_line_ = line_;
            ++i;
            state_ = State::quoted;
          } else {
            state_ = State::unquoted;
          }
          break;
        case State::unquoted: {
          // Unquoted text runs to the line break; a quote on the way opens a
          // quoted field only right after a comma.
          const std::size_t nl = newline.at_or_after(i), q = quote.at_or_after(i);
          if (nl < q) {
            const bool cr = nl > i ? d[nl - 1] == '\r' : pending_cr_;
            const std::size_t stop = cr && nl > i ? nl - 1 : nl;
            end_record(base + nl - (cr ? 1 : 0), cr ? RecordEnding::crlf : RecordEnding::lf,
                       std::string_view(d + from, stop - from), h);
            pending_cr_ = false;
            ++line_;
            i = nl + 1;
            state_ = State::row_start;
          } else if (q == n) {
            i = n;
          } else {
            if (q > i && d[q - 1] == ',') {
              quote_line_ = line_;
              state_ = State::quoted;
            }
            i = q + 1;
          }
          break;
        }
        case State::quoted: {
          const std::size_t q = quote.at_or_after(i);
          for (std::size_t p = newline.at_or_after(i); p < q; p = newline.at_or_after(p + 1)) ++line_;
          if (q + 1 >= n) {
            if (q + 1 == n) state_ = State::quoted_quote;
            i = n;
          } else if (d[q + 1] == '"') {
            i = q + 2;
          } else {
            i = q + 1;
            state_ = State::unquoted;
          }
          break;
        }
        case State::quoted_quote:  // i == 0
          if (d[i] == '"') {
            ++i;
            state_ = State::quoted;
          } else {
            state_ = State::unquoted;
          }
          break;
        case State::blank:
        case State::record: return;  // JSONL states: never here
      }
    }
    if (state_ == State::row_start || state_ == State::row_start_cr) return;
    std::size_t stop = n;
    if (state_ == State::unquoted && d[n - 1] == '\r') {
      // Maybe the first half of a CRLF: held back until the next byte.
      pending_cr_ = true;
      stop = n - 1;
    } else if (state_ == State::unquoted && d[n - 1] == ',') {
      state_ = State::field_start;
    }
    if (stop > from) h.record_bytes(std::string_view(d + from, stop - from));
  }

  FileKind kind_;
  std::uint64_t max_record_bytes_;
  State state_;
  RecordSpan span_;           // the open record
  std::uint64_t offset_ = 0;  // bytes of the file scanned so far
  std::uint64_t line_ = 1;
  std::uint64_t records_ = 0;
  std::uint64_t rows_begun_ = 0;  // CSV: header included
  std::uint64_t indent_ = 0;      // JSONL: blanks so far on the current line
  std::uint64_t quote_line_ = 0;
  std::size_t bom_held_ = 0;
  bool bom_decided_ = false, bom_ = false;
  bool pending_cr_ = false;  // CSV: the last chunk ended in a CR of unquoted row data, not yet handed on
  bool unterminated_ = false;
  bool finished_ = false;
};

}  // namespace upstate

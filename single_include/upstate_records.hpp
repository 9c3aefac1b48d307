// upstate 0.1.0 -- single-header record checkers: Preflight, RejectedRecords (needs upstate.hpp)
//
// Copyright (c) 2026 the upstate authors. MIT License: see LICENSE
// (SPDX-License-Identifier: MIT); the licence text is reproduced at the
// end of this file.
//
// GENERATED FILE -- do not edit. Made by tools/amalgamate from include/upstate/records.hpp
// and the project headers it includes (12 files, each once, in the order
// the preprocessor reaches them). Edit include/upstate/ and rerun
// tools/amalgamate; `tools/amalgamate --check` (CTest amalgamation.fresh)
// fails when this file is stale.
//
// Header-only by default. Separate compilation (README, "Compile time"):
// -DUPSTATE_SEPARATE_COMPILATION everywhere, and in one .cpp
// `#define UPSTATE_IMPLEMENTATION` before `#include "upstate.hpp"`.
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_RECORDS_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_RECORDS_HPP

// What this file builds on, from the files next to it.
#include "upstate.hpp"

// ---- begin include/upstate/records.hpp ----
// The record checkers, apart from the core (<upstate/upstate.hpp>) because
// they cost every translation unit compile time that most do not need:
// Preflight (the service's validation rules before an upload) and
// RejectedRecords (the rejected source records byte for byte).

// ---- begin include/upstate/records/preflight.hpp ----
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

// ---- begin include/upstate/records/file_kind.hpp ----
// The two record formats a V4 dataset takes (docs/service.md), told apart by the
// file name's extension.

namespace upstate {

enum class FileKind { jsonl, csv };

// Case-insensitive, like content_type_for() (config.hpp): the uploader
// sends "DATA.CSV" as text/csv, so it is checked as CSV too. (The fake
// service's own lookup, testing::file_kind_of, is case-sensitive on purpose:
// it plays an S3 key.)
constexpr std::optional<FileKind> file_kind_from_name(std::string_view filename) noexcept {
  if (iends_with(filename, ".jsonl")) return FileKind::jsonl;
  if (iends_with(filename, ".csv")) return FileKind::csv;
  return std::nullopt;
}

constexpr std::string_view to_string(FileKind kind) noexcept { return kind == FileKind::jsonl ? "jsonl" : "csv"; }

}  // namespace upstate
// ---- end include/upstate/records/file_kind.hpp ----

// ---- begin include/upstate/records/record_check.hpp ----
// The checks the (fake) service makes of each record, once the splitter has
// found it (rules: testing/fake_validation.hpp):
//   - JSONL: the line is one JSON object; CSV: the row has the header's
//     column count (and nothing else is checked in a row that has not);
//   - with a schema, one fault per offending field, schema fields first (in
//     schema order), then unknown fields (in record order):
//       text, image_url, audio_url, video_url, task_group_id: required, a
//       non-empty string; the *_url types start with http:// or https://
//       (any case); metadata and unknown types: optional, anything goes;
//       strict schema: a field the schema does not name is a fault.
//     audio_url, video_url: a URL whose extension is outside the official
//       client's lists (media_url.hpp) is a warning, ProblemKind::
//       media_extension, after the record's faults: not a fault, so
//       callers that judge records skip it (!rejects_record(kind)).
//     A JSON object's repeated key: the first counts for the schema checks,
//     each is checked for strictness. A CSV header's repeated name likewise.
//     Every CSV value is a string.
// Shared by Preflight and the fake service, so the two cannot drift apart.

// ---- begin include/upstate/records/csv_cells.hpp ----
// The cells of one CSV row (its bytes without the line break, as
// RecordSplitter hands them over), read the way the fake service reads them:
// a cell that starts with a quote is quoted up to the closing quote ("" is a
// quote inside it), and any text after the closing quote, quotes included,
// is kept as literal text up to the next comma. Cells are views of the row;
// a value is unquoted only when asked for.

namespace upstate {

struct CsvCell {
  std::string_view raw;  // as in the file, quotes included
  bool quoted = false;
};

// Calls on_cell(std::size_t column, const CsvCell&) for each cell in order;
// returns how many there were (at least 1: an empty row is one empty cell).
template <class OnCell>
std::size_t for_each_csv_cell(std::string_view row, OnCell&& on_cell) {
  const char* d = row.data();
  const std::size_t n = row.size();
  std::size_t pos = 0, column = 0;
  for (;;) {
    const std::size_t start = pos;
    const bool quoted = pos < n && d[pos] == '"';
    if (quoted) {
      ++pos;
      for (;;) {
        const void* q = pos < n ? std::memchr(d + pos, '"', n - pos) : nullptr;
        if (!q) {  // not from the splitter: a quote left open runs to the end
          pos = n;
          break;
        }
        pos = static_cast<std::size_t>(static_cast<const char*>(q) - d) + 1;
        if (pos < n && d[pos] == '"') {
          ++pos;
          continue;
        }
        break;
      }
    }
    const void* comma = pos < n ? std::memchr(d + pos, ',', n - pos) : nullptr;
    pos = comma ? static_cast<std::size_t>(static_cast<const char*>(comma) - d) : n;
    on_cell(column++, CsvCell{std::string_view(d + start, pos - start), quoted});
    if (pos == n) return column;
    ++pos;  // the comma: another cell follows, maybe empty
  }
}

// Calls out(char) for each byte of the cell's value, in order, while it
// returns true.
template <class Out>
void for_each_csv_value_byte(const CsvCell& cell, Out&& out) {
  std::string_view s = cell.raw;
  std::size_t i = 0;
  if (cell.quoted) {
    for (i = 1; i < s.size(); ++i) {
      if (s[i] == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          ++i;  // "" is one quote
        } else {
          ++i;  // the closing quote
          break;
        }
      }
      if (!out(s[i])) return;
    }
  }
  for (; i < s.size(); ++i)
    if (!out(s[i])) return;
}

// The cell's value: quotes removed, "" as one quote.
inline std::string csv_value(const CsvCell& cell) {
  if (!cell.quoted) return std::string(cell.raw);
  std::string out;
  out.reserve(cell.raw.size());
  for_each_csv_value_byte(cell, [&](char c) {
    out += c;
    return true;
  });
  return out;
}

}  // namespace upstate
// ---- end include/upstate/records/csv_cells.hpp ----

// ---- begin include/upstate/records/json_fields.hpp ----
// One JSONL record's top-level fields: their names, in order, and the kind
// of each value. The verdict is RapidJSON's, with the flags the fake
// service's DOM parse uses, so a line is "one JSON object" here exactly when
// it is there: its SAX reader builds no document and only walks nested
// values (the iterative parser keeps even a line of a million '[' off the
// stack). json_fast_path.hpp reads the common records first, several times
// faster, and defers to RapidJSON every line it is not sure of.
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <memory>

// ---- begin include/upstate/records/json_fast_path.hpp ----
// The fast path of the JSONL record check: dataset records are one object
// of strings, plain numbers, true, false, null and the odd nested metadata
// value, and reading those needs no general JSON parser.
// read_json_object_fast() either reads such a line completely, or says it
// cannot decide (returns false) and leaves the line to RapidJSON. It never
// rejects a line: everything it accepts is a strict subset of what RapidJSON
// accepts, so the verdict stays RapidJSON's (and so the fake service's).
// Deferred: \u escapes, an escape in a top-level name or within a string
// value's first 8 bytes, numbers with an exponent or more than 18 digits
// before or after the point, nesting deeper than 32, byte-order-mark bytes
// at the start, anything after the closing brace, and every syntax error.
// Strings are scanned 8 bytes at a time for '"', '\' and control bytes.

// ---- begin include/upstate/records/media_url.hpp ----
// Media URL fields (docs/service.md, "Media fields"): audio_url and
// video_url values whose path ends in an extension outside the official
// client's lists. The client refuses them before uploading; whether the
// service does is UNCONFIRMED, so upstate's pre-flight only warns.

namespace upstate {

// Bits: which list a URL's extension is on.
inline constexpr unsigned char kMediaNone = 0, kMediaAudio = 1, kMediaVideo = 2;

inline constexpr std::string_view kAudioUrlExtensions[] = {".aac", ".m4a", ".mp3", ".wav"};
inline constexpr std::string_view kVideoUrlExtensions[] = {".mp4", ".webm", ".mov"};

// The media kind wanted by a schema field type (kMediaNone for the others:
// image_url's extensions are not checked by anyone).
constexpr unsigned char media_kind_of_type(std::string_view type) noexcept {
  return type == "audio_url" ? kMediaAudio : type == "video_url" ? kMediaVideo : kMediaNone;
}

// The extension of the URL's path ("" when none): after the path's last '/'
// and last '.', before any '?' or '#'. At most 8 bytes are looked at.
constexpr std::string_view url_path_extension(std::string_view url) noexcept {
  std::size_t end = url.find_first_of("?#");
  if (end == std::string_view::npos) end = url.size();
  const std::string_view path = url.substr(0, end);
  const std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return {};
  const std::string_view ext = path.substr(dot);
  return ext.size() <= 8 ? ext : std::string_view{};
}

// The lists a URL's extension is on, any case (".MP3" too, as the official
// client lower-cases it).
constexpr unsigned char media_kind_of_url(std::string_view url) noexcept {
  const std::string_view ext = url_path_extension(url);
  unsigned char kind = kMediaNone;
  for (std::string_view e : kAudioUrlExtensions)
    if (iequals(ext, e)) kind = static_cast<unsigned char>(kind | kMediaAudio);
  for (std::string_view e : kVideoUrlExtensions)
    if (iequals(ext, e)) kind = static_cast<unsigned char>(kind | kMediaVideo);
  return kind;
}

}  // namespace upstate
// ---- end include/upstate/records/media_url.hpp ----

// ---- begin include/upstate/records/record_problem.hpp ----
// What can be wrong with an upload's records, as typed values, and two ways
// to say it: the short reason the (fake) service puts in `errors[].reason`,
// and a sentence that tells a person what to fix.

namespace upstate {

enum class ProblemKind : unsigned char {
  // The service fails the whole import (PreflightReport::would_fail).
  not_utf8,
  unterminated_quote,
  no_records,
  all_rejected,
  // The service rejects the record.
  not_json_object,
  column_count,
  missing_field,
  not_nonempty_string,
  not_http_url,
  unknown_field,
  // Not checked here, to keep memory bounded; the service may take it.
  too_long,
  // A warning: the record is not refused for it (docs/service.md, "Media
  // fields": an audio_url/video_url extension outside the official client's
  // lists; whether the service refuses it is UNCONFIRMED).
  media_extension,
};

constexpr bool fails_file(ProblemKind k) noexcept { return k <= ProblemKind::all_rejected; }
constexpr bool rejects_record(ProblemKind k) noexcept {
  return k >= ProblemKind::not_json_object && k <= ProblemKind::unknown_field;
}

constexpr std::string_view to_string(ProblemKind k) noexcept {
  switch (k) {
    case ProblemKind::not_utf8: return "not_utf8";
    case ProblemKind::unterminated_quote: return "unterminated_quote";
    case ProblemKind::no_records: return "no_records";
    case ProblemKind::all_rejected: return "all_rejected";
    case ProblemKind::not_json_object: return "not_json_object";
    case ProblemKind::column_count: return "column_count";
    case ProblemKind::missing_field: return "missing_field";
    case ProblemKind::not_nonempty_string: return "not_nonempty_string";
    case ProblemKind::not_http_url: return "not_http_url";
    case ProblemKind::unknown_field: return "unknown_field";
    case ProblemKind::too_long: return "too_long";
    case ProblemKind::media_extension: return "media_extension";
  }
  return "unknown";
}

// A JSON value's kind as the field checks see it.
enum class ValueKind : unsigned char { absent, empty_string, string, null, boolean, number, array, object };

constexpr std::string_view phrase_of(ValueKind v) noexcept {
  switch (v) {
    case ValueKind::absent: return "nothing";
    case ValueKind::empty_string: return "an empty string";
    case ValueKind::string: return "a string";
    case ValueKind::null: return "null";
    case ValueKind::boolean: return "a boolean";
    case ValueKind::number: return "a number";
    case ValueKind::array: return "an array";
    case ValueKind::object: return "an object";
  }
  return "a value";
}

// One fault of one record, as the checks find it. The views live as long as
// the call that hands the fault over.
struct RecordFault {
  ProblemKind kind = ProblemKind::not_json_object;
  std::string_view field;                // the field's name ("" for the whole record)
  std::string_view field_type;           // its schema type (schema faults)
  ValueKind found = ValueKind::absent;   // not_nonempty_string: what the field held
  std::uint64_t columns_expected = 0;    // column_count: the header's
  std::uint64_t columns_found = 0;       // column_count: the row's
  std::string_view parse_error;          // not_json_object: RapidJSON's message ("" = valid JSON, not an object)
  std::uint64_t parse_error_offset = 0;  // ... and where in the record
  ValueKind root = ValueKind::absent;    // not_json_object, valid JSON: what the line held instead
};

// errors[].reason as the fake service writes it (fake_validation.hpp).
inline std::string service_reason(const RecordFault& f) {
  switch (f.kind) {
    case ProblemKind::not_json_object: return "not a JSON object";
    case ProblemKind::column_count:
      return "expected " + std::to_string(f.columns_expected) + " columns, found " + std::to_string(f.columns_found);
    case ProblemKind::missing_field: return "missing required field";
    case ProblemKind::not_nonempty_string: return "must be a non-empty string";
    case ProblemKind::not_http_url: return "not an http(s) URL";
    case ProblemKind::unknown_field: return "field not in schema";
    default: return std::string(to_string(f.kind));
  }
}

// A field name quoted for a message: bounded, control characters escaped.
inline std::string quoted_name(std::string_view name) { return "\"" + printable_excerpt(name, 80) + "\""; }

// For a person: what is wrong with the record, or with the field it names
// (RecordFault::field, shown next to this text), and what to do about it.
inline std::string fault_message(const RecordFault& f) {
  const std::string type = f.field_type.empty() ? std::string() : " (type " + printable_excerpt(f.field_type, 40) + ")";
  switch (f.kind) {
    case ProblemKind::not_json_object: {
      if (f.root != ValueKind::absent && f.root != ValueKind::object)
        return "holds " + std::string(phrase_of(f.root)) +
               ", not a JSON object: each line must be one object such as {\"field\": \"value\"}";
      std::string what(f.parse_error);  // RapidJSON's sentence, made to fit in ours
      if (!what.empty() && what.back() == '.') what.pop_back();
      if (!what.empty()) what[0] = ascii_lower(what[0]);
      return "not valid JSON: " + what + " (at byte " + std::to_string(f.parse_error_offset + 1) +
             " of the record); each line must be one JSON object such as {\"field\": \"value\"}";
    }
    case ProblemKind::column_count:
      return "has " + std::to_string(f.columns_found) + " columns where the header has " +
             std::to_string(f.columns_expected) +
             (f.columns_found > f.columns_expected ? ": put a value holding a comma in double quotes (\"a, b\")"
                                                   : ": every row needs a value (maybe empty) for each header column");
    case ProblemKind::missing_field: return "missing: the schema requires this field" + type + ", a non-empty string";
    case ProblemKind::not_nonempty_string:
      return "holds " + std::string(phrase_of(f.found)) + ": it must be a non-empty string" + type;
    case ProblemKind::not_http_url: return "must be a URL starting with http:// or https://" + type;
    case ProblemKind::unknown_field:
      return "not in the dataset's schema, which is strict: remove this field, or add it to the schema";
    case ProblemKind::media_extension:
      return std::string("warning: the URL does not end in ") +
             (f.field_type == "audio_url" ? ".aac, .m4a, .mp3 or .wav" : ".mp4, .webm or .mov") +
             ", the extensions the official client takes" + type + "; the service may refuse it";
    default: return std::string(to_string(f.kind));
  }
}

}  // namespace upstate
// ---- end include/upstate/records/record_problem.hpp ----

namespace upstate {

// One top-level field of a JSONL record.
struct JsonField {
  std::string_view name;  // into the line, or the reader's own buffer (escaped names)
  ValueKind value;
  bool url;  // a string starting with http:// or https://, any case
  unsigned char media = kMediaNone;  // url: the media lists its extension is on (media_url.hpp)
};

// Whether a string value starts with http:// or https://, any case.
constexpr bool is_http_url(std::string_view s) noexcept {
  return s.size() >= 7 && (s[0] == 'h' || s[0] == 'H') && (istarts_with(s, "http://") || istarts_with(s, "https://"));
}

namespace detail {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// Whether any of the 8 bytes is '"', '\' or below 0x20 (no false negative;
// a true one makes the caller look byte by byte).
constexpr bool has_string_special(std::uint64_t w) noexcept {
  const std::uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  const std::uint64_t zero_quote = (quote - kOnes) & ~quote;
  const std::uint64_t zero_backslash = (backslash - kOnes) & ~backslash;
  const std::uint64_t control = (w - kOnes * 0x20) & ~w;
  return ((zero_quote | zero_backslash | control) & kHighs) != 0;
}

class FastJsonReader {
 public:
  FastJsonReader(std::string_view line, std::vector<JsonField>& fields) noexcept
      : p_(line.data()), end_(line.data() + line.size()), fields_(fields) {}

  bool read() {
    skip_ws();
    if (p_ == end_ || *p_ != '{') return false;
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == '}') return close();
    for (;;) {
      std::string_view key;
      bool escaped = false;
      if (!string(key, escaped) || escaped) return false;  // names are compared raw: no escapes
      skip_ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      if (!value(key)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == '}') return close();
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

 private:
  bool close() {
    ++p_;
    skip_ws();
    return p_ == end_;  // anything after the object (even a NUL): RapidJSON's call
  }

  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  // A string token at p_; `text` is its raw content. Escapes other than the
  // one-character ones (\" \\ \/ \b \f \n \r \t) are deferred.
  bool string(std::string_view& text, bool& escaped) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* begin = ++p_;
    for (;;) {
      while (end_ - p_ >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p_, 8);
        if (has_string_special(w)) break;
        p_ += 8;
      }
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (end_ - p_ < 2) return false;
        const char e = p_[1];
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') return false;
        escaped = true;
        p_ += 2;
        continue;
      }
      ++p_;
    }
    text = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
    ++p_;
    return true;
  }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0)
      return false;
    p_ += word.size();
    return true;
  }

  std::ptrdiff_t digits() noexcept {
    const char* from = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ - from;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?, at most 18 digits on either side of the
  // point, no exponent: always a double RapidJSON can store.
  bool number() noexcept {
    if (p_ != end_ && *p_ == '-') ++p_;
    const char* first = p_;
    const auto n = digits();
    if (n == 0 || n > 18 || (n > 1 && *first == '0')) return false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      const auto f = digits();
      if (f == 0 || f > 18) return false;
    }
    return p_ == end_ || (*p_ != 'e' && *p_ != 'E');
  }

  // Any value inside a top-level one: only checked, not recorded.
  bool nested_value(int depth) {
    if (p_ == end_ || depth > 32) return false;
    std::string_view text;
    bool escaped = false;
    switch (*p_) {
      case '"': return string(text, escaped);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      case '{': return container(depth, '}');
      case '[': return container(depth, ']');
      default: return number();
    }
  }

  // An object or array at p_, up to its closing byte.
  bool container(int depth, char close) {
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == close) {
      ++p_;
      return true;
    }
    for (;;) {
      if (close == '}') {
        std::string_view key;
        bool escaped = false;
        if (!string(key, escaped)) return false;
        skip_ws();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        skip_ws();
      }
      if (!nested_value(depth + 1)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == close) {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

  bool value(std::string_view key) {
    JsonField f{key, ValueKind::absent, false};
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': {
        std::string_view text;
        bool escaped = false;
        if (!string(text, escaped)) return false;
        const std::string_view head = text.substr(0, 8);
        if (escaped && head.find('\\') != std::string_view::npos) return false;  // the scheme needs unescaping
        f.value = text.empty() ? ValueKind::empty_string : ValueKind::string;
        f.url = is_http_url(head);
        if (f.url) f.media = media_kind_of_url(text);
        break;
      }
      case 't':
        if (!literal("true")) return false;
        f.value = ValueKind::boolean;
        break;
      case 'f':
        if (!literal("false")) return false;
        f.value = ValueKind::boolean;
        break;
      case 'n':
        if (!literal("null")) return false;
        f.value = ValueKind::null;
        break;
      case '{':
        if (!container(1, '}')) return false;
        f.value = ValueKind::object;
        break;
      case '[':
        if (!container(1, ']')) return false;
        f.value = ValueKind::array;
        break;
      default:
        if (!number()) return false;
        f.value = ValueKind::number;
    }
    fields_.push_back(f);
    return true;
  }

  const char* p_;
  const char* end_;
  std::vector<JsonField>& fields_;
};

}  // namespace detail

// true: `line` is an object this reader takes, its fields appended to
// `fields` (names are views of `line`); false: undecided (`fields` may hold
// a partial read: the caller clears it).
inline bool read_json_object_fast(std::string_view line, std::vector<JsonField>& fields) {
  return detail::FastJsonReader(line, fields).read();
}

}  // namespace upstate
// ---- end include/upstate/records/json_fast_path.hpp ----

namespace upstate {

class JsonFields {
 public:
  using Field = JsonField;

  // false when `line` is not one JSON object (see error_text() and root()).
  // `at_line_start`: the record's first byte opens its line. Only then does
  // RapidJSON's stream skip byte-order-mark bytes there, as it does for the
  // fake's whole-line parse; the splitter leaves leading blanks out, and
  // after blanks those bytes are a syntax error.
  bool parse(std::string_view line, bool at_line_start) {
    names_.clear();
    fields_.clear();
    // (A line opening with byte-order-mark bytes does not open with '{': the
    // fast path defers it, and RapidJSON skips them or not, as below.)
    if (read_json_object_fast(line, fields_)) {
      handler_.reset(this);
      handler_.root = ValueKind::object;
      result_ = rapidjson::ParseResult();
      return true;
    }
    return parse_with_rapidjson(line, at_line_start);
  }

  // The same, always through RapidJSON (the reference the fast path is
  // tested against).
  bool parse_with_rapidjson(std::string_view line, bool at_line_start) {
    names_.clear();
    name_spans_.clear();
    fields_.clear();
    handler_.reset(this);
    rapidjson::MemoryStream in(line.data(), line.size());
    if (at_line_start)
      for (int b : {0xEF, 0xBB, 0xBF})
        if (static_cast<unsigned char>(in.Peek()) == b) in.Take();
    result_ = reader_->Parse<rapidjson::kParseIterativeFlag>(in, handler_);
    // The names were copied out of RapidJSON's buffer: point at the copies
    // now that names_ has stopped growing.
    for (std::size_t i = 0; i < fields_.size(); ++i)
      fields_[i].name = std::string_view(names_).substr(name_spans_[i].first, name_spans_[i].second);
    return !result_.IsError() && handler_.root == ValueKind::object;
  }

  // Valid until the next parse, and as long as the line is (fast path).
  const std::vector<Field>& fields() const noexcept { return fields_; }

  // After a failed parse: RapidJSON's message ("" when the line is valid
  // JSON of another kind, root() says which) and its offset in the line.
  std::string_view error_text() const noexcept {
    return handler_.root != ValueKind::object && handler_.root != ValueKind::absent
               ? std::string_view{}
               : std::string_view(rapidjson::GetParseError_En(result_.Code()));
  }
  std::uint64_t error_offset() const noexcept { return result_.Offset(); }
  ValueKind root() const noexcept { return handler_.root; }

 private:
  // SAX events: depth 0 is the line's value, depth 1 its fields' values.
  struct Handler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
    JsonFields* owner = nullptr;
    int depth = 0;
    ValueKind root = ValueKind::absent;

    void reset(JsonFields* o) noexcept {
      owner = o;
      depth = 0;
      root = ValueKind::absent;
    }
    // A scalar: the field's value at depth 1; at depth 0 the line is not an
    // object, so parsing stops there.
    bool scalar(ValueKind kind, bool url = false, unsigned char media = kMediaNone) {
      if (depth == 0) {
        root = kind;
        return false;
      }
      if (depth == 1 && !owner->fields_.empty()) {
        owner->fields_.back().value = kind;
        owner->fields_.back().url = url;
        owner->fields_.back().media = media;
      }
      return true;
    }
    bool open(ValueKind kind) {
      if (depth == 0) {
        root = kind;
        if (kind != ValueKind::object) return false;
      } else if (depth == 1 && !owner->fields_.empty()) {
        owner->fields_.back().value = kind;
      }
      ++depth;
      return true;
    }
    bool Null() { return scalar(ValueKind::null); }
    bool Bool(bool) { return scalar(ValueKind::boolean); }
    bool Int(int) { return scalar(ValueKind::number); }
    bool Uint(unsigned) { return scalar(ValueKind::number); }
    bool Int64(std::int64_t) { return scalar(ValueKind::number); }
    bool Uint64(std::uint64_t) { return scalar(ValueKind::number); }
    bool Double(double) { return scalar(ValueKind::number); }
    bool RawNumber(const char*, rapidjson::SizeType, bool) { return scalar(ValueKind::number); }
    bool String(const char* s, rapidjson::SizeType n, bool) {
      std::string_view v(s, n);
      const bool url = is_http_url(v);
      return scalar(v.empty() ? ValueKind::empty_string : ValueKind::string, url,
                    url ? media_kind_of_url(v) : kMediaNone);
    }
    bool StartObject() { return open(ValueKind::object); }
    bool Key(const char* s, rapidjson::SizeType n, bool) {
      if (depth == 1) {
        owner->name_spans_.emplace_back(owner->names_.size(), n);
        owner->fields_.push_back({std::string_view{}, ValueKind::absent, false});  // name set after the parse
        owner->names_.append(s, n);
      }
      return true;
    }
    bool EndObject(rapidjson::SizeType) {
      --depth;
      return true;
    }
    bool StartArray() { return open(ValueKind::array); }
    bool EndArray(rapidjson::SizeType) {
      --depth;
      return true;
    }
  };

  // Kept from line to line (its stack is reused), behind a pointer because
  // RapidJSON's reader cannot be moved and this class should be.
  std::unique_ptr<rapidjson::Reader> reader_ = std::make_unique<rapidjson::Reader>();
  rapidjson::ParseResult result_;
  Handler handler_;
  std::string names_;  // RapidJSON path: every top-level name, back to back...
  std::vector<std::pair<std::size_t, std::size_t>> name_spans_;  // ... as (begin, size)
  std::vector<Field> fields_;
};

}  // namespace upstate
// ---- end include/upstate/records/json_fields.hpp ----

// ---- begin include/upstate/records/record_splitter.hpp ----
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
#include <limits>

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
// ---- end include/upstate/records/record_splitter.hpp ----

namespace upstate {

constexpr bool is_required_field_type(std::string_view type) noexcept {
  return type == "text" || type == "image_url" || type == "audio_url" || type == "video_url" || type == "task_group_id";
}

constexpr bool is_url_field_type(std::string_view type) noexcept {
  return type == "image_url" || type == "audio_url" || type == "video_url";
}

class RecordChecker {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Without a schema only the format is checked (JSON object, column count).
  RecordChecker(FileKind kind, std::optional<Schema> schema) : kind_(kind), schema_(std::move(schema)) {
    if (!schema_) return;
    // Number the distinct names in schema order (a name given twice is one
    // name); one sort, so even a hostile schema of a million fields is cheap.
    const auto& fields = schema_->fields;
    std::vector<std::size_t> order(fields.size()), id_of(fields.size(), npos);
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return fields[a].name < fields[b].name; });
    std::vector<std::size_t> first_of(fields.size());  // the first field with the same name
    for (std::size_t k = 0; k < order.size(); ++k)
      first_of[order[k]] =
          k > 0 && fields[order[k]].name == fields[order[k - 1]].name ? first_of[order[k - 1]] : order[k];
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (first_of[i] == i) {
        id_of[i] = names_.size();
        names_.push_back(i);
      } else {
        id_of[i] = id_of[first_of[i]];
      }
      if (is_required_field_type(fields[i].type))
        required_.push_back(
            {i, id_of[i], is_url_field_type(fields[i].type), media_kind_of_type(fields[i].type), npos});
    }
    for (std::size_t k = 0; k < order.size(); ++k)
      if (first_of[order[k]] == order[k]) by_name_.push_back(id_of[order[k]]);
  }

  FileKind kind() const noexcept { return kind_; }
  const std::optional<Schema>& schema() const noexcept { return schema_; }
  // CSV: whether set_header() was called (rows are not checked before).
  bool header_known() const noexcept { return header_known_; }

  // CSV: the header row; its names are the fields of every row after it.
  void set_header(std::string_view row) {
    header_known_ = true;
    unknown_names_.clear();
    unknown_.clear();
    for (auto& r : required_) r.column = npos;
    columns_ = for_each_csv_cell(row, [&](std::size_t column, const CsvCell& cell) {
      const std::string name = csv_value(cell);
      const std::size_t id = schema_ ? name_id(name) : npos;
      for (auto& r : required_)
        if (r.column == npos && r.name == id) r.column = column;
      if (strict() && id == npos) {
        unknown_.emplace_back(unknown_names_.size(), name.size());
        unknown_names_ += name;
      }
    });
    by_column_.clear();
    for (std::size_t k = 0; k < required_.size(); ++k)
      if (required_[k].column != npos) by_column_.push_back(k);
    std::sort(by_column_.begin(), by_column_.end(),
              [&](std::size_t a, std::size_t b) { return required_[a].column < required_[b].column; });
  }

  // Calls fault(const RecordFault&) for each fault of one record (the
  // header excluded), in the order the fake service lists them. CSV rows are
  // not checked before set_header().
  template <class OnFault>
  void check_record(const RecordSpan& span, std::string_view text, OnFault&& fault) {
    if (kind_ == FileKind::jsonl)
      check_jsonl(span, text, fault);
    else if (header_known_)
      check_csv(text, fault);
  }

 private:
  struct Required {
    std::size_t field;   // in schema_->fields
    std::size_t name;    // in names_
    bool url;            // an *_url type
    unsigned char media;  // audio_url / video_url: the extension list wanted (media_url.hpp)
    std::size_t column;  // CSV: the first header column of that name, or npos
  };
  // What a field held in the record being checked (absent: not seen yet).
  struct Seen {
    ValueKind value = ValueKind::absent;
    bool url = false;
    unsigned char media = kMediaNone;
  };

  bool strict() const noexcept { return schema_ && schema_->strict; }
  std::string_view name_of(std::size_t id) const noexcept { return schema_->fields[names_[id]].name; }

  // The schema's distinct field names are numbered in schema order; a
  // record's field names are looked up once each: a few length-checked
  // compares for the schemas people write, a binary search for big ones.
  std::size_t name_id(std::string_view name) const noexcept {
    if (names_.size() <= 16) {
      for (std::size_t id = 0; id < names_.size(); ++id) {
        const std::string& n = schema_->fields[names_[id]].name;
        if (n.size() == name.size() && std::memcmp(n.data(), name.data(), name.size()) == 0) return id;
      }
      return npos;
    }
    auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                               [&](std::size_t id, std::string_view n) { return name_of(id) < n; });
    return it != by_name_.end() && name_of(*it) == name ? *it : npos;
  }

  template <class OnFault>
  void required_faults(OnFault& fault) {
    for (const Required& r : required_) {
      const Seen s = seen_[r.name];
      RecordFault f;
      f.field = schema_->fields[r.field].name;
      f.field_type = schema_->fields[r.field].type;
      if (s.value == ValueKind::absent) {
        f.kind = ProblemKind::missing_field;
      } else if (s.value != ValueKind::string) {
        f.kind = ProblemKind::not_nonempty_string;
        f.found = s.value;
      } else if (r.url && !s.url) {
        f.kind = ProblemKind::not_http_url;
      } else {
        continue;
      }
      fault(static_cast<const RecordFault&>(f));
    }
  }

  // After the faults: warnings of media URLs whose extension is off the lists.
  template <class OnFault>
  void media_warnings(OnFault& fault) {
    for (const Required& r : required_) {
      const Seen s = seen_[r.name];
      if (!r.media || s.value != ValueKind::string || !s.url || (s.media & r.media)) continue;
      RecordFault f;
      f.kind = ProblemKind::media_extension;
      f.field = schema_->fields[r.field].name;
      f.field_type = schema_->fields[r.field].type;
      fault(static_cast<const RecordFault&>(f));
    }
  }

  template <class OnFault>
  void check_jsonl(const RecordSpan& span, std::string_view text, OnFault& fault) {
    if (!json_.parse(text, span.indent == 0)) {
      RecordFault f;
      f.kind = ProblemKind::not_json_object;
      f.parse_error = json_.error_text();
      f.parse_error_offset = json_.error_offset();
      f.root = json_.root();
      fault(static_cast<const RecordFault&>(f));
      return;
    }
    if (!schema_) return;
    const auto& fields = json_.fields();
    seen_.assign(names_.size(), Seen{});
    unknown_fields_.clear();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::size_t id = name_id(fields[i].name);
      if (id == npos) {
        unknown_fields_.push_back(i);
      } else if (seen_[id].value == ValueKind::absent) {  // a repeated key: the first counts
        seen_[id] = {fields[i].value, fields[i].url, fields[i].media};
      }
    }
    required_faults(fault);
    if (strict())
      for (std::size_t i : unknown_fields_) {
        RecordFault f;
        f.kind = ProblemKind::unknown_field;
        f.field = fields[i].name;
        fault(static_cast<const RecordFault&>(f));
      }
    media_warnings(fault);
  }

  template <class OnFault>
  void check_csv(std::string_view row, OnFault& fault) {
    seen_.assign(names_.size(), Seen{});
    std::size_t next = 0;  // in by_column_
    const std::size_t columns = for_each_csv_cell(row, [&](std::size_t column, const CsvCell& cell) {
      for (; next < by_column_.size() && required_[by_column_[next]].column == column; ++next)
        seen_[required_[by_column_[next]].name] = classify(cell, required_[by_column_[next]].media != kMediaNone);
    });
    if (columns != columns_) {
      RecordFault f;
      f.kind = ProblemKind::column_count;
      f.columns_expected = columns_;
      f.columns_found = columns;
      fault(static_cast<const RecordFault&>(f));
      return;
    }
    if (!schema_) return;
    required_faults(fault);
    for (const auto& [begin, size] : unknown_) {
      RecordFault f;
      f.kind = ProblemKind::unknown_field;
      f.field = std::string_view(unknown_names_).substr(begin, size);
      fault(static_cast<const RecordFault&>(f));
    }
    media_warnings(fault);
  }

  // Only the value's first bytes matter (empty or not, and its scheme),
  // unless `media`: then its extension too, read from its last bytes before
  // any '?' or '#' (the value is read whole, in order).
  static Seen classify(const CsvCell& cell, bool media) {
    char head[8];
    std::size_t size = 0;
    char tail[16];
    std::size_t tail_size = 0;  // bytes of the current path tail, capped at 16 (a longer one has no listed extension)
    bool in_path = true, tail_overflow = false;
    for_each_csv_value_byte(cell, [&](char c) {
      if (size < sizeof head) head[size++] = c;
      if (!media) return size < sizeof head;
      if (c == '?' || c == '#') in_path = false;
      if (in_path) {
        if (c == '/' || c == '.') tail_size = 0, tail_overflow = false;
        if (tail_size < sizeof tail) tail[tail_size++] = c; else tail_overflow = true;
      }
      return true;
    });
    Seen s{size == 0 ? ValueKind::empty_string : ValueKind::string, is_http_url(std::string_view(head, size))};
    if (media && s.url && !tail_overflow) s.media = media_kind_of_url(std::string_view(tail, tail_size));
    return s;
  }

  FileKind kind_;
  std::optional<Schema> schema_;
  std::vector<std::size_t> names_;           // distinct schema names: id -> the first field of that name
  std::vector<std::size_t> by_name_;         // ids sorted by name
  std::vector<Required> required_;           // schema order
  std::vector<Seen> seen_;                   // per name id, for the record being checked
  std::vector<std::size_t> unknown_fields_;  // JSONL: fields of the record the schema lacks
  JsonFields json_;
  // CSV header
  bool header_known_ = false;
  std::size_t columns_ = 0;
  std::vector<std::size_t> by_column_;                        // required_ indices with a column, by column
  std::string unknown_names_;                                 // strict: header names the schema lacks, back to back...
  std::vector<std::pair<std::size_t, std::size_t>> unknown_;  // ... as (begin, size), header order
};

}  // namespace upstate
// ---- end include/upstate/records/record_check.hpp ----

// ---- begin include/upstate/records/whole_records.hpp ----
// RecordSplitter's pieces put back together: `next(span, text)` sees each
// record whole. A record that lies inside one chunk is passed as a view of
// that chunk (no copy); one that spans chunks is gathered in a buffer that
// never grows past the splitter's max_record_bytes: a longer record arrives
// with span.too_long set and an empty text, so memory stays bounded whatever
// the input.

namespace upstate {

class RecordGatherer {
 public:
  explicit RecordGatherer(std::uint64_t max_record_bytes) noexcept : max_(max_record_bytes) {}

  // A splitter handler that hands whole records to `next(const RecordSpan&, std::string_view)`.
  template <class Next>
  class Handler {
   public:
    Handler(RecordGatherer& g, Next& next) noexcept : g_(g), next_(next) {}
    void record_begin(const RecordSpan&) noexcept {
      g_.buffer_.clear();
      g_.spans_chunks_ = false;
      g_.over_ = false;
    }
    void record_bytes(std::string_view piece) {
      g_.spans_chunks_ = true;
      g_.append(piece);
    }
    void record_end(const RecordSpan& span, std::string_view last) {
      if (span.too_long) {
        g_.buffer_.clear();
        next_(span, std::string_view{});
      } else if (!g_.spans_chunks_) {
        next_(span, last);
      } else {
        g_.append(last);
        next_(span, std::string_view(g_.buffer_.data(), g_.buffer_.size()));
      }
    }

   private:
    RecordGatherer& g_;
    Next& next_;
  };

  template <class Next>
  Handler<Next> to(Next& next) noexcept {
    return Handler<Next>(*this, next);
  }

  // Bytes held for the record being gathered (for tests of the bound).
  std::size_t buffered() const noexcept { return buffer_.size(); }
  std::size_t capacity() const noexcept { return buffer_.capacity(); }

 private:
  void append(std::string_view piece) {
    if (over_) return;
    if (piece.size() > max_ - buffer_.size()) {
      over_ = true;  // too long: the splitter flags it at its end
      buffer_.clear();
      return;
    }
    // Grown by hand, never past the limit (a string's own growth may double
    // past it); libstdc++'s and libc++'s vector::reserve allocate exactly
    // what they are asked for.
    const std::uint64_t need = buffer_.size() + piece.size();
    if (need > buffer_.capacity()) {
      const std::uint64_t doubled = std::max<std::uint64_t>(need, 2 * buffer_.capacity());
      buffer_.reserve(static_cast<std::size_t>(std::min(max_, doubled)));
    }
    buffer_.insert(buffer_.end(), piece.begin(), piece.end());
  }

  std::uint64_t max_;
  std::vector<char> buffer_;
  bool spans_chunks_ = false, over_ = false;
};

}  // namespace upstate
// ---- end include/upstate/records/whole_records.hpp ----

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
// ---- end include/upstate/records/preflight.hpp ----

// ---- begin include/upstate/records/rejected_records.hpp ----
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
// ---- end include/upstate/records/rejected_records.hpp ----
// ---- end include/upstate/records.hpp ----

#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_RECORDS_HPP

// MIT License
//
// Copyright (c) 2026 the upstate authors
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

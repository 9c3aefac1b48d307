#pragma once
// What the fake service decides about an uploaded file. The real service's
// rules are not public; these are the fake's, fixed here because the demo
// and the tests rely on them:
//
// File level (the import is `failed`, nothing ingested, `reason` set):
//   - a dataset without a schema when the bytes arrive -> `pending_schema`
//     (nothing else is checked);
//   - bytes that are not valid UTF-8 (RFC 3629: no overlongs, surrogates or
//     code points past U+10FFFF) -> "file is not valid UTF-8". A leading
//     UTF-8 byte-order mark is skipped;
//   - no record at all -> "the file holds no records" (an empty CSV, or a CSV
//     with a header row only, included);
//   - a CSV quoted field still open at the end -> "malformed CSV: unterminated
//     quoted field".
// Records:
//   - JSONL (.jsonl): every line holding something other than space, tab or
//     CR is a record; record_index counts those lines from 0. A record must
//     be one JSON object, else error {field "", reason "not a JSON object"}.
//   - CSV (.csv): RFC 4180 (fields in double quotes may hold commas, doubled
//     quotes and line breaks; rows end in LF or CRLF). Empty lines are
//     skipped. The first row is the header; record_index counts the data
//     rows from 0. A row whose column count differs from the header's ->
//     error {field "", reason "expected N columns, found M"} (and no other
//     check of that row). Leniently, a quote inside an unquoted field and
//     text after a closing quote are kept as literal text. Every CSV value is
//     a string.
// Against the schema, per record, one error per offending field, schema
// fields first (schema order), then unknown fields (record order):
//   - text, image_url, audio_url, video_url, task_group_id: required
//     ("missing required field"), a non-empty string ("must be a non-empty
//     string": null, numbers, objects and "" included);
//   - image_url, audio_url, video_url: start with http:// or https://, any
//     case ("not an http(s) URL");
//   - metadata (and any type this fake does not know): optional, any value;
//   - strict schema: a field the schema does not name -> "field not in
//     schema". For a JSON object with a repeated key the first one counts
//     for the schema checks; each occurrence is checked for strictness.
// Outcome: no record rejected -> `complete`; some -> `partial`; all N ->
// `failed` with reason "all N records were rejected" (counts and errors kept).
// rejected_count counts records, not errors; at most `max_errors` errors
// are kept (the rest are counted only), so memory stays bounded.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../import_status.hpp"
#include "../wire/dataset.hpp"
#include "fake_text.hpp"

namespace upstate::testing {

enum class FileKind { jsonl, csv };

// The file types a V4 dataset takes, by extension (case-sensitive, as the
// fake's S3 keys are).
inline std::optional<FileKind> file_kind_of(std::string_view filename) noexcept {
  if (ends_with(filename, ".jsonl")) return FileKind::jsonl;
  if (ends_with(filename, ".csv")) return FileKind::csv;
  return std::nullopt;
}

constexpr std::string_view content_type_of(FileKind kind) noexcept {
  return kind == FileKind::jsonl ? "application/x-ndjson" : "text/csv";
}

struct FakeRecordError {
  std::uint64_t record_index = 0;
  std::string field;
  std::string reason;
};

struct Validation {
  ImportStatus status = ImportStatus::failed;  // complete, partial, failed or pending_schema
  std::uint64_t records = 0;                   // records seen (sets the processing time)
  std::uint64_t accepted = 0, rejected = 0;
  std::vector<FakeRecordError> errors;  // at most max_errors
  std::string reason;                   // when failed
  bool counted = false;                 // whether accepted/rejected are reported (records were judged)
};

namespace detail {

// Collects record errors: rejected records are counted exactly, errors are
// kept up to the cap.
class ErrorSink {
 public:
  explicit ErrorSink(std::size_t max_errors) : max_(max_errors) {}
  void begin(std::uint64_t index) {
    index_ = index;
    bad_ = false;
  }
  void add(std::string_view field, std::string reason) {
    bad_ = true;
    if (errors_.size() < max_) errors_.push_back({index_, sanitize_utf8(field), std::move(reason)});
  }
  void end() {
    ++records_;
    if (bad_) ++rejected_;
  }
  std::uint64_t records() const { return records_; }
  std::uint64_t rejected() const { return rejected_; }
  std::vector<FakeRecordError> take_errors() { return std::move(errors_); }

 private:
  std::size_t max_;
  std::vector<FakeRecordError> errors_;
  std::uint64_t index_ = 0, records_ = 0, rejected_ = 0;
  bool bad_ = false;
};

// One field's value as the schema checks see it.
struct FieldValue {
  enum class Kind { absent, string, other };
  Kind kind = Kind::absent;
  std::string_view text;
};

inline bool is_required_type(std::string_view type) noexcept {
  return type == "text" || type == "image_url" || type == "audio_url" || type == "video_url" || type == "task_group_id";
}

inline bool is_url_type(std::string_view type) noexcept {
  return type == "image_url" || type == "audio_url" || type == "video_url";
}

inline bool schema_names(const Schema& schema, std::string_view name) noexcept {
  for (const auto& f : schema.fields)
    if (f.name == name) return true;
  return false;
}

// The schema checks of one record. `lookup(name)` gives a field's value;
// `fields` lists the record's own field names, in order.
template <class Lookup, class FieldNames>
void check_record(const Schema& schema, const Lookup& lookup, const FieldNames& fields, ErrorSink& sink) {
  for (const auto& f : schema.fields) {
    if (!is_required_type(f.type)) continue;
    FieldValue v = lookup(std::string_view(f.name));
    if (v.kind == FieldValue::Kind::absent) {
      sink.add(f.name, "missing required field");
    } else if (v.kind != FieldValue::Kind::string || v.text.empty()) {
      sink.add(f.name, "must be a non-empty string");
    } else if (is_url_type(f.type) && !istarts_with(v.text, "http://") && !istarts_with(v.text, "https://")) {
      sink.add(f.name, "not an http(s) URL");
    }
  }
  if (schema.strict)
    for (const auto& name : fields)
      if (!schema_names(schema, name)) sink.add(name, "field not in schema");
}

inline bool is_blank_line(std::string_view line) noexcept {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

inline void validate_jsonl(std::string_view bytes, const Schema& schema, ErrorSink& sink) {
  std::uint64_t index = 0;
  std::vector<std::string_view> names;
  while (!bytes.empty()) {
    std::size_t nl = bytes.find('\n');
    std::string_view line = bytes.substr(0, nl);
    bytes = nl == std::string_view::npos ? std::string_view{} : bytes.substr(nl + 1);
    if (is_blank_line(line)) continue;
    sink.begin(index++);
    rapidjson::Document doc;
    // Iterative parsing: a line of a million '[' costs heap, never the stack.
    doc.Parse<rapidjson::kParseIterativeFlag>(line.data(), line.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      sink.add("", "not a JSON object");
      sink.end();
      continue;
    }
    names.clear();
    for (const auto& m : doc.GetObject()) names.emplace_back(m.name.GetString(), m.name.GetStringLength());
    auto lookup = [&](std::string_view name) {
      for (const auto& m : doc.GetObject()) {
        if (std::string_view(m.name.GetString(), m.name.GetStringLength()) != name) continue;
        if (!m.value.IsString()) return FieldValue{FieldValue::Kind::other, {}};
        return FieldValue{FieldValue::Kind::string, {m.value.GetString(), m.value.GetStringLength()}};
      }
      return FieldValue{};
    };
    check_record(schema, lookup, names, sink);
    sink.end();
  }
}

// RFC 4180 reader: one row per call, cells unquoted into `cells`.
class CsvReader {
 public:
  explicit CsvReader(std::string_view data) : s_(data) {}

  enum class Next { row, end, unterminated };

  Next next(std::vector<std::string>& cells) {
    cells.clear();
    // Empty lines separate nothing in the files people write: skip them.
    for (;;) {
      if (pos_ < s_.size() && s_[pos_] == '\n') {
        ++pos_;
      } else if (pos_ + 1 < s_.size() && s_[pos_] == '\r' && s_[pos_ + 1] == '\n') {
        pos_ += 2;
      } else {
        break;
      }
    }
    if (pos_ >= s_.size()) return Next::end;
    std::string cell;
    for (;;) {
      if (pos_ < s_.size() && s_[pos_] == '"') {
        ++pos_;
        for (;;) {
          if (pos_ >= s_.size()) return Next::unterminated;
          char c = s_[pos_++];
          if (c != '"') {
            cell += c;
          } else if (pos_ < s_.size() && s_[pos_] == '"') {
            cell += '"';
            ++pos_;
          } else {
            break;
          }
        }
      }
      // Unquoted text (or, leniently, text after a closing quote).
      while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '\n' && !at_crlf()) cell += s_[pos_++];
      cells.push_back(std::move(cell));
      cell.clear();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (at_crlf()) {
        pos_ += 2;
      } else if (pos_ < s_.size()) {
        ++pos_;  // '\n'
      }
      return Next::row;
    }
  }

 private:
  bool at_crlf() const noexcept { return pos_ + 1 < s_.size() && s_[pos_] == '\r' && s_[pos_ + 1] == '\n'; }
  std::string_view s_;
  std::size_t pos_ = 0;
};

// false when the CSV is malformed (the file fails as a whole).
inline bool validate_csv(std::string_view bytes, const Schema& schema, ErrorSink& sink) {
  CsvReader reader(bytes);
  std::vector<std::string> header, row;
  auto first = reader.next(header);
  if (first == CsvReader::Next::unterminated) return false;
  if (first == CsvReader::Next::end) return true;  // no header, no records
  std::uint64_t index = 0;
  for (;;) {
    auto r = reader.next(row);
    if (r == CsvReader::Next::end) return true;
    if (r == CsvReader::Next::unterminated) return false;
    sink.begin(index++);
    if (row.size() != header.size()) {
      sink.add("", "expected " + std::to_string(header.size()) + " columns, found " + std::to_string(row.size()));
      sink.end();
      continue;
    }
    auto lookup = [&](std::string_view name) {
      for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return FieldValue{FieldValue::Kind::string, row[i]};
      return FieldValue{};
    };
    check_record(schema, lookup, header, sink);
    sink.end();
  }
}

}  // namespace detail

// The fake's verdict on an uploaded file (rules at the top of this file).
inline Validation validate_upload(FileKind kind, std::string_view bytes, const std::optional<Schema>& schema,
                                  std::size_t max_errors) {
  Validation v;
  if (!schema) {
    v.status = ImportStatus::pending_schema;
    return v;
  }
  if (!is_valid_utf8(bytes)) {
    v.reason = "file is not valid UTF-8";
    return v;
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  detail::ErrorSink sink(max_errors);
  if (kind == FileKind::jsonl) {
    detail::validate_jsonl(bytes, *schema, sink);
  } else if (!detail::validate_csv(bytes, *schema, sink)) {
    v.records = sink.records();
    v.reason = "malformed CSV: unterminated quoted field";
    return v;
  }
  v.records = sink.records();
  if (v.records == 0) {
    v.reason = "the file holds no records";
    return v;
  }
  v.counted = true;
  v.rejected = sink.rejected();
  v.accepted = v.records - v.rejected;
  v.errors = sink.take_errors();
  if (v.rejected == 0) {
    v.status = ImportStatus::complete;
  } else if (v.accepted > 0) {
    v.status = ImportStatus::partial;
  } else {
    v.status = ImportStatus::failed;
    v.reason = "all " + std::to_string(v.records) + " records were rejected";
  }
  return v;
}

}  // namespace upstate::testing

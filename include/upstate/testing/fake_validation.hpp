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
// Duplicates (decided by the service when the import is processed, see
// fake_service.hpp): an accepted record identical to one the dataset already
// holds (JSONL: the same line, trailing blanks aside; CSV: the same row under
// the same header) is counted in duplicate_count and not written again;
// `accepted_keys` lists the accepted records' identities for that.
// rejected_count counts records, not errors; at most `max_errors` errors
// are kept (the rest are counted only), so memory stays bounded.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../vocabulary/import_status.hpp"
#include "../records/file_kind.hpp"
#include "../records/record_check.hpp"
#include "../records/record_splitter.hpp"
#include "../records/whole_records.hpp"
#include "../wire/dataset.hpp"
#include "fake_bytes.hpp"

// The record rules above are not written out twice: the splitter and the
// record checks are the uploader's own (records/), so what its preflight
// predicts is what this fake decides. The file-level decisions, their order
// and the error list's cap stay here.
namespace upstate::testing {

using upstate::FileKind;

// The file types a V4 dataset takes, by extension, in any case ("DATA.JSONL"):
// the uploader's own rule (records/file_kind.hpp), and the official client's,
// which lower-cases the extension and sends the name unchanged
// (docs/service.md, Step 1).
inline std::optional<FileKind> file_kind_of(std::string_view filename) noexcept {
  return file_kind_from_name(filename);
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
  std::vector<std::uint64_t> accepted_keys;  // each accepted record's identity (a hash), file order
};

namespace detail {

// Judges each record the splitter finds: rejected records are counted
// exactly, errors are kept up to the cap.
class RecordJudge {
 public:
  RecordJudge(FileKind kind, const Schema& schema, std::size_t max_errors) : checker_(kind, schema), max_(max_errors) {}

  void operator()(const RecordSpan& span, std::string_view text) {
    if (span.ending == RecordEnding::unterminated_quote) return;  // the file fails (not a record)
    if (span.header) {
      checker_.set_header(text);
      header_key_ = fnv1a64(text);
      return;
    }
    ++records_;
    bool bad = false;
    checker_.check_record(span, text, [&](const RecordFault& f) {
      if (!rejects_record(f.kind)) return;  // a warning (media extensions): the fake takes the record
      bad = true;
      if (errors_.size() < max_) errors_.push_back({span.index, sanitize_utf8(f.field), service_reason(f)});
    });
    if (bad) {
      ++rejected_;
    } else {
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
      accepted_keys_.push_back(fnv1a64(text, header_key_));
    }
  }

  std::uint64_t records() const { return records_; }
  std::uint64_t rejected() const { return rejected_; }
  std::vector<FakeRecordError> take_errors() { return std::move(errors_); }
  std::vector<std::uint64_t> take_accepted_keys() { return std::move(accepted_keys_); }

 private:
  RecordChecker checker_;
  std::size_t max_;
  std::vector<FakeRecordError> errors_;
  std::uint64_t records_ = 0, rejected_ = 0;
  std::uint64_t header_key_ = kFnvOffset;      // CSV: rows are the same record only under the same header
  std::vector<std::uint64_t> accepted_keys_;  // 8 bytes per record
};

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
  detail::RecordJudge judge(kind, *schema, max_errors);
  // The whole file is in memory already: no record is too long to judge.
  RecordSplitter splitter(kind);
  RecordGatherer gatherer(RecordSplitter::kNoLimit);
  auto handler = gatherer.to(judge);
  splitter.feed(bytes, handler);
  splitter.finish(handler);
  v.records = judge.records();
  if (splitter.unterminated_quote()) {
    v.reason = "malformed CSV: unterminated quoted field";
    return v;
  }
  if (v.records == 0) {
    v.reason = "the file holds no records";
    return v;
  }
  v.counted = true;
  v.rejected = judge.rejected();
  v.accepted = v.records - v.rejected;
  v.errors = judge.take_errors();
  v.accepted_keys = judge.take_accepted_keys();
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

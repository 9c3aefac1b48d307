#pragma once
// Step 3's answer: GET /datasets/{id}/imports/{import_id} -> 200.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../detail/linkage.hpp"
#include "../vocabulary/import_status.hpp"
#include "../vocabulary/record_errors.hpp"
#include "../vocabulary/result.hpp"
#include "limits.hpp"

namespace upstate {

struct ImportReport {
  std::string import_id;   // required
  std::string dataset_id;  // optional echo ("" when absent)
  std::string type;        // "file_upload" so far
  ImportStatus status = ImportStatus::uninitialised;  // required; unknown -> Error{unknown_status}
  std::string created_at, updated_at;
  std::optional<std::uint64_t> accepted_count;   // non-negative integers only
  std::optional<std::uint64_t> rejected_count;
  std::optional<std::uint64_t> duplicate_count;  // accepted records already in the dataset (not written twice)
  RecordErrors errors;                           // may hold fewer entries than rejected_count
  std::uint64_t errors_dropped = 0;              // items past ParseLimits::max_record_errors
  std::optional<std::string> reason;             // on failed (and maybe partial)

  // Server-side progress (the official client's model; docs/service.md,
  // Step 3). Informational, so read leniently: a value of another type is
  // ignored rather than failing the poll.
  std::string filename;                                // the uploaded file's name, "" when absent
  std::string processing_started_at;                   // ISO-8601, "" when absent
  std::optional<std::uint64_t> processed_offset;       // how far processing got (bytes or records: UNCONFIRMED)
  std::optional<std::uint64_t> written_count;          // running counts while processing
  std::optional<std::uint64_t> duplicate_seen_count;
  std::optional<std::uint64_t> rejected_seen_count;

  // accepted_count − duplicate_count: the records this import wrote (nullopt
  // without accepted_count; a duplicate_count above accepted_count gives 0).
  std::optional<std::uint64_t> new_count() const noexcept {
    if (!accepted_count) return std::nullopt;
    std::uint64_t dup = duplicate_count.value_or(0);
    return dup >= *accepted_count ? 0 : *accepted_count - dup;
  }
};

// Errors: malformed_answer (not JSON / not an object / wrong type / missing
// import_id or status / negative or fractional count / errors not an array),
// unknown_status (path "$.status"); each with the JSON path.
// Fields are checked in document-table order and the first fault is
// reported; errors[] items past max_record_errors are validated, then
// counted in errors_dropped instead of stored.
// The common well-formed answer is read by a SAX fast path; anything else
// (every error included) by the DOM parser, so results and errors are the
// DOM parser's either way (import_report_sax.hpp states the contract).
UPSTATE_DECL Result<ImportReport> parse_import_report(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/wire_import_report.ipp>
#endif

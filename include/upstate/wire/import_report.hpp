#pragma once
// Step 3's answer: GET /datasets/{id}/imports/{import_id} -> 200.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../import_status.hpp"
#include "../result.hpp"
#include "json.hpp"
#include "limits.hpp"

namespace upstate {

// One rejected record. Field names are UNCONFIRMED (API.md): the index is
// read from `record_index`, else `row`, `line` or `index`; the reason from
// `reason`, else `message`, else `detail`. `raw` keeps the item's JSON
// (truncated at ParseLimits::max_raw_item_bytes) whatever it held.
struct RecordError {
  std::optional<std::uint64_t> record_index;  // 0-based
  std::string field;                          // may be empty
  std::string reason;
  std::string raw;
};

struct ImportReport {
  std::string import_id;   // required
  std::string dataset_id;  // optional echo ("" when absent)
  std::string type;        // "file_upload" so far
  ImportStatus status = ImportStatus::uninitialised;  // required; unknown -> Error{unknown_status}
  std::string created_at, updated_at;
  std::optional<std::uint64_t> accepted_count;   // non-negative integers only
  std::optional<std::uint64_t> rejected_count;
  std::optional<std::uint64_t> duplicate_count;  // UNCONFIRMED
  std::vector<RecordError> errors;               // may hold fewer entries than rejected_count
  std::uint64_t errors_dropped = 0;              // items past ParseLimits::max_record_errors
  std::optional<std::string> reason;             // on failed (and maybe partial)
};

namespace detail {

// One errors[] item. `keep_raw` is false for items past max_record_errors:
// they are still validated (whether an answer is well-formed must not depend
// on a local limit) but not re-serialised.
inline Result<RecordError> read_record_error(const JsonValue& item, const std::string& path,
                                             const ParseLimits& limits, bool keep_raw) {
  if (!item.IsObject()) return malformed(path, wrong_type("object", item));
  ObjectReader fields(item, path);
  RecordError error;
  // The first spelling present (not null) wins, and must then be valid.
  if (const char* key = fields.first_present({"record_index", "row", "line", "index"}))
    error.record_index = fields.optional_count(key);
  error.field = fields.optional_string("field").value_or("");
  if (const char* key = fields.first_present({"reason", "message", "detail"}))
    error.reason = fields.optional_string(key).value_or("");
  if (fields.failed()) return fields.take_error();
  if (keep_raw) error.raw = to_json_bounded(item, limits.max_raw_item_bytes);
  return error;
}

inline Error unknown_import_status(std::string_view text) {
  Error e;
  e.code = ErrorCode::unknown_status;
  e.message = "unknown import status \"" + printable_excerpt(text, 64) + "\"";
  e.path = "$.status";
  return e;
}

}  // namespace detail

// Errors: malformed_answer (not JSON / not an object / wrong type / missing
// import_id or status / negative or fractional count / errors not an array),
// unknown_status (path "$.status"); each with the JSON path.
// Fields are checked in document-table order and the first fault is
// reported; errors[] items past max_record_errors are validated, then
// counted in errors_dropped instead of stored.
inline Result<ImportReport> parse_import_report(std::string_view body, const ParseLimits& limits = {}) {
  rapidjson::Document doc;
  if (auto error = detail::parse_json_object(body, limits, doc)) return std::move(*error);
  detail::ObjectReader fields(doc, "$");
  ImportReport report;
  report.import_id = fields.required_string("import_id");
  report.dataset_id = fields.optional_string("dataset_id").value_or("");
  report.type = fields.optional_string("type").value_or("");
  std::string status = fields.required_string("status");
  if (fields.failed()) return fields.take_error();
  if (auto known = parse_import_status(status)) {
    report.status = *known;
  } else {
    return detail::unknown_import_status(status);
  }
  report.created_at = fields.optional_string("created_at").value_or("");
  report.updated_at = fields.optional_string("updated_at").value_or("");
  report.accepted_count = fields.optional_count("accepted_count");
  report.rejected_count = fields.optional_count("rejected_count");
  report.duplicate_count = fields.optional_count("duplicate_count");
  report.reason = fields.optional_string("reason");
  const detail::JsonValue* errors = fields.optional_array("errors");
  if (fields.failed()) return fields.take_error();
  if (errors) {
    const std::string errors_path = fields.path_of("errors");
    for (rapidjson::SizeType i = 0; i < errors->Size(); ++i) {
      bool keep = report.errors.size() < limits.max_record_errors;
      auto item = detail::read_record_error((*errors)[i], detail::element_path(errors_path, i), limits, keep);
      if (!item) return std::move(item).error();
      if (keep) {
        report.errors.push_back(std::move(item).value());
      } else {
        ++report.errors_dropped;
      }
    }
  }
  return report;
}

}  // namespace upstate

#pragma once
// The bodies of <upstate/wire/import_report.hpp> (see detail/linkage.hpp):
// the DOM parser, and the SAX fast path (import_report_sax.hpp, at the end).
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <upstate/wire/import_report.hpp>
#include <upstate/wire/json.hpp>

namespace upstate {

namespace detail {

// The spellings an errors[] item's fields may have (docs/service.md, UNCONFIRMED), in
// order of preference: the first present (not null) wins, and must then be
// valid.
inline constexpr std::string_view kRecordIndexKeys[] = {"record_index", "row", "line", "index"};
inline constexpr std::string_view kRecordReasonKeys[] = {"reason", "message", "detail"};

// The first member of each spelling, found in one pass over the item (as
// FindMember would, so the first of duplicate keys wins) rather than with
// one lookup per spelling and another per read: an answer holds thousands
// of items.
struct RecordErrorMembers {
  const JsonValue* index[std::size(kRecordIndexKeys)] = {};
  const JsonValue* field = nullptr;
  const JsonValue* reason[std::size(kRecordReasonKeys)] = {};

  explicit RecordErrorMembers(const JsonValue& item) {
    auto first = [](const JsonValue*& slot, const JsonValue& value) {
      if (!slot) slot = &value;
    };
    for (auto it = item.MemberBegin(); it != item.MemberEnd(); ++it) {
      const std::string_view name = string_view_of(it->name);
      for (std::size_t i = 0; i < std::size(kRecordIndexKeys); ++i)
        if (name == kRecordIndexKeys[i]) first(index[i], it->value);
      if (name == "field") first(field, it->value);
      for (std::size_t i = 0; i < std::size(kRecordReasonKeys); ++i)
        if (name == kRecordReasonKeys[i]) first(reason[i], it->value);
    }
  }
};

// The error of member `key`, with its path relative to the item.
inline Error at_member(std::string_view key, Error e) {
  e.path = member_path("", key);
  return e;
}

// A string member into `out`, reusing its capacity.
inline std::optional<Error> read_string_into(const JsonValue& v, std::string_view key, std::string& out) {
  if (!v.IsString()) return at_member(key, read_string(v, std::string()).error());
  out.assign(v.GetString(), v.GetStringLength());
  return std::nullopt;
}

// One errors[] item into `out` (all but `raw`, which the caller writes for
// the items it keeps). The error's path is relative to the item ("" or
// ".record_index"): the caller prefixes the item's own path, which is built
// only when there is an error to report.
inline std::optional<Error> read_record_error(const JsonValue& item, RecordError& out) {
  if (!item.IsObject()) return malformed("", wrong_type("object", item));
  const RecordErrorMembers members(item);
  auto present = [](const JsonValue* v) { return v && !v->IsNull(); };  // null counts as absent
  out.record_index.reset();
  for (std::size_t i = 0; i < std::size(kRecordIndexKeys); ++i) {
    if (!present(members.index[i])) continue;
    auto count = read_count(*members.index[i], std::string());
    if (!count) return at_member(kRecordIndexKeys[i], std::move(count).error());
    out.record_index = count.value();
    break;
  }
  out.field.clear();
  if (present(members.field))
    if (auto e = read_string_into(*members.field, "field", out.field)) return e;
  out.reason.clear();
  for (std::size_t i = 0; i < std::size(kRecordReasonKeys); ++i) {
    if (!present(members.reason[i])) continue;
    if (auto e = read_string_into(*members.reason[i], kRecordReasonKeys[i], out.reason)) return e;
    break;
  }
  return std::nullopt;
}

// The progress fields' lenient readers: present with the right type, or nothing.
inline std::optional<std::uint64_t> lenient_count(const JsonValue& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsUint64()) return std::nullopt;
  return it->value.GetUint64();
}
inline std::string lenient_string(const JsonValue& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return std::string(string_view_of(it->value));
}

inline Error unknown_import_status(std::string_view text) {
  Error e;
  e.code = ErrorCode::unknown_status;
  e.message = "unknown import status \"" + printable_excerpt(text, 64) + "\"";
  e.path = "$.status";
  return e;
}

// The reference parser, through a DOM: what parse_import_report returns
// whenever its fast path (import_report_sax.hpp) is not sure. Kept callable
// so tests and fuzz_wire can compare the two on the same bodies.
inline Result<ImportReport> parse_import_report_dom(std::string_view body, const ParseLimits& limits = {}) {
  // In situ: this answer can be megabytes of errors[] (json.hpp).
  detail::InSituJson json;
  if (auto error = json.parse_object(body, limits)) return std::move(*error);
  detail::ObjectReader fields(json.doc(), "$");
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
  report.filename = detail::lenient_string(json.doc(), "filename");
  report.processing_started_at = detail::lenient_string(json.doc(), "processing_started_at");
  report.processed_offset = detail::lenient_count(json.doc(), "processed_offset");
  report.written_count = detail::lenient_count(json.doc(), "written_count");
  report.duplicate_seen_count = detail::lenient_count(json.doc(), "duplicate_seen_count");
  report.rejected_seen_count = detail::lenient_count(json.doc(), "rejected_seen_count");
  if (errors) {
    // Bounded by the cap, not by what the answer claims: the array is
    // already parsed, and a valid answer may fill the cap.
    report.errors.reserve(std::min<std::size_t>(errors->Size(), limits.max_record_errors));
    detail::BoundedJsonWriter raw;  // one for all items: it keeps its buffers
    RecordError error;              // each item is read into this one (its strings keep their capacity)
    for (rapidjson::SizeType i = 0; i < errors->Size(); ++i) {
      const detail::JsonValue& item = (*errors)[i];
      if (auto problem = detail::read_record_error(item, error)) {
        problem->path = detail::element_path(fields.path_of("errors"), i) + problem->path;
        return std::move(*problem);
      }
      if (report.errors.size() < limits.max_record_errors) {
        report.errors.push_back(error.record_index, error.field, error.reason,
                                raw.write(item, limits.max_raw_item_bytes));
      } else {
        ++report.errors_dropped;
      }
    }
  }
  return report;
}

// Defined in import_report_sax.hpp, included at the end of this file: the
// SAX fast path needs the types above, and this file's parser needs it.
inline std::optional<ImportReport> try_parse_import_report_fast(std::string_view body, const ParseLimits& limits);

}  // namespace detail

// Errors: malformed_answer (not JSON / not an object / wrong type / missing
// import_id or status / negative or fractional count / errors not an array),
// unknown_status (path "$.status"); each with the JSON path.
// Fields are checked in document-table order and the first fault is
// reported; errors[] items past max_record_errors are validated, then
// counted in errors_dropped instead of stored.
// The common well-formed answer is read by a SAX fast path; anything else
// (every error included) by the DOM parser, so results and errors are the
// DOM parser's either way (import_report_sax.hpp states the contract).
UPSTATE_DECL Result<ImportReport> parse_import_report(std::string_view body, const ParseLimits& limits) {
  if (auto report = detail::try_parse_import_report_fast(body, limits)) return std::move(*report);
  return detail::parse_import_report_dom(body, limits);
}

}  // namespace upstate

// The fast path's definition (it includes import_report.hpp first, for the types).
#include <upstate/wire/import_report_sax.hpp>

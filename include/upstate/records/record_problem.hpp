#pragma once
// What can be wrong with an upload's records, as typed values, and two ways
// to say it: the short reason the (fake) service puts in `errors[].reason`,
// and a sentence that tells a person what to fix.
#include <cstdint>
#include <string>
#include <string_view>

#include "../detail/ascii.hpp"
#include "../detail/excerpt.hpp"

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

#pragma once
// The bodies of <upstate/machine/upload_snapshot.hpp> (see detail/linkage.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <upstate/detail/excerpt.hpp>
#include <upstate/machine/upload_snapshot.hpp>
#include <upstate/wire/json.hpp>

namespace upstate {

namespace detail {

inline void write_json_string(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

inline Error invalid_snapshot(std::string path, std::string message) {
  return Error::of(ErrorCode::invalid_snapshot, std::move(message)).at(std::move(path));
}

}  // namespace detail

// Compact JSON, fields in the order of the comment above; optional fields
// are left out when empty. Strings are written byte for byte (RapidJSON
// escapes control characters), so a name that is not UTF-8 still round-trips.
UPSTATE_DECL std::string to_json(const UploadSnapshot& s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("format");
  detail::write_json_string(w, UploadSnapshot::kFormat);
  w.Key("version");
  w.Int(UploadSnapshot::kVersion);
  w.Key("api_base");
  detail::write_json_string(w, s.api_base);
  w.Key("dataset_id");
  detail::write_json_string(w, s.dataset_id);
  w.Key("file");
  w.StartObject();
  w.Key("name");
  detail::write_json_string(w, s.file.name);
  w.Key("size");
  w.Uint64(s.file.size);
  w.EndObject();
  w.Key("phase");
  detail::write_json_string(w, to_string(s.phase));
  w.Key("legacy");
  w.Bool(s.legacy);
  if (!s.import_id.empty()) {
    w.Key("import_id");
    detail::write_json_string(w, s.import_id);
  }
  w.Key("abandoned_import_ids");
  w.StartArray();
  for (const std::string& id : s.abandoned_import_ids) detail::write_json_string(w, id);
  w.EndArray();
  if (s.legacy && s.last_dataset_status) {
    w.Key("last_status");
    detail::write_json_string(w, to_string(*s.last_dataset_status));
  } else if (!s.legacy && s.last_import_status) {
    w.Key("last_status");
    detail::write_json_string(w, to_string(*s.last_import_status));
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The document checked field by field: Error{invalid_snapshot, path} names
// the first field at fault ("$.file.size", "$.abandoned_import_ids[3]").
// Unknown fields are ignored (a later version may add some); a known field
// of the wrong type, an unknown phase or status, an import id that is no
// safe path segment, and fields that contradict the phase are errors.
// Whether it belongs to the caller's dataset and API is Upload::restore's
// check.
UPSTATE_DECL Result<UploadSnapshot> parse_upload_snapshot(std::string_view text) {
  auto as_snapshot_error = [](Error e) {
    e.code = ErrorCode::invalid_snapshot;
    if (e.path.empty()) e.path = "$";
    return e;
  };
  using detail::invalid_snapshot;
  ParseLimits limits;
  limits.max_body_bytes = UploadSnapshot::kMaxBytes;
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(text, limits)) return as_snapshot_error(std::move(*error));
  const rapidjson::Document& doc = json_body.doc();
  detail::ObjectReader fields(doc, "$");
  UploadSnapshot s;

  std::string format = fields.required_string("format");
  if (!fields.failed() && format != UploadSnapshot::kFormat)
    return invalid_snapshot("$.format", "not an upstate upload snapshot (format \"" + printable_excerpt(format, 64) + "\")");
  auto version = fields.optional_int("version");
  if (!fields.failed() && !version) return invalid_snapshot("$.version", "missing required field");
  if (!fields.failed() && *version != UploadSnapshot::kVersion)
    return invalid_snapshot("$.version", "version " + std::to_string(*version) + " is not one this build reads (" +
                                             std::to_string(UploadSnapshot::kVersion) + ")");
  s.api_base = fields.required_string("api_base");
  s.dataset_id = fields.required_string("dataset_id");
  const detail::JsonValue* file = fields.required_object("file");
  std::string phase = fields.required_string("phase");
  s.legacy = fields.optional_bool("legacy").value_or(false);
  std::optional<std::string> import_id = fields.optional_string("import_id");
  const detail::JsonValue* abandoned = fields.optional_array("abandoned_import_ids");
  std::optional<std::string> last_status = fields.optional_string("last_status");
  if (fields.failed()) return as_snapshot_error(fields.take_error());

  detail::ObjectReader file_fields(*file, "$.file");
  s.file.name = file_fields.required_string("name");
  auto size = file_fields.optional_count("size");
  if (!file_fields.failed() && !size) return invalid_snapshot("$.file.size", "missing required field");
  if (file_fields.failed()) return as_snapshot_error(file_fields.take_error());
  s.file.size = *size;

  bool known_phase = false;
  for (SnapshotPhase p : {SnapshotPhase::not_started, SnapshotPhase::requesting_url, SnapshotPhase::uploading,
                          SnapshotPhase::processing})
    if (to_string(p) == phase) {
      s.phase = p;
      known_phase = true;
    }
  if (!known_phase) return invalid_snapshot("$.phase", "unknown phase \"" + printable_excerpt(phase, 64) + "\"");

  // The file is needed unless the PUT is behind us.
  if (s.phase != SnapshotPhase::processing && !is_safe_segment(s.file.name))
    return invalid_snapshot("$.file.name", "the file name must be non-empty, not '.' or '..', and hold no NUL byte");

  const bool has_import = s.phase == SnapshotPhase::uploading || s.phase == SnapshotPhase::processing;
  if (import_id) {
    if (s.legacy) return invalid_snapshot("$.import_id", "a V3 (legacy) upload has no import id");
    if (!has_import) return invalid_snapshot("$.import_id", "phase " + phase + " has no import yet");
    if (!detail::usable_import_id(*import_id))
      return invalid_snapshot("$.import_id", "not a usable path segment of at most 256 bytes");
    s.import_id = std::move(*import_id);
  } else if (has_import && !s.legacy) {
    return invalid_snapshot("$.import_id", "phase " + phase + " needs the import id");
  }

  if (abandoned) {
    if (abandoned->Size() > UploadSnapshot::kMaxAbandoned)
      return invalid_snapshot("$.abandoned_import_ids",
                              "more than " + std::to_string(UploadSnapshot::kMaxAbandoned) + " ids");
    for (rapidjson::SizeType i = 0; i < abandoned->Size(); ++i) {
      std::string path = detail::element_path("$.abandoned_import_ids", i);
      auto id = detail::read_string((*abandoned)[i], path);
      if (!id) return as_snapshot_error(std::move(id).error());
      if (!detail::usable_import_id(id.value()))
        return invalid_snapshot(path, "not a usable path segment of at most 256 bytes");
      s.abandoned_import_ids.push_back(std::move(id).value());
    }
  }

  if (last_status) {
    if (s.phase != SnapshotPhase::processing)
      return invalid_snapshot("$.last_status", "phase " + phase + " has no status yet");
    if (s.legacy) {
      s.last_dataset_status = parse_dataset_status(*last_status);
    } else {
      s.last_import_status = parse_import_status(*last_status);
    }
    if (!s.last_dataset_status && !s.last_import_status)
      return invalid_snapshot("$.last_status", "unknown status \"" + printable_excerpt(*last_status, 64) + "\"");
  }
  return s;
}

}  // namespace upstate

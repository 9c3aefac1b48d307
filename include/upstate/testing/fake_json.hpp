#pragma once
// JSON the fake API writes and reads. Written with RapidJSON's Writer (never
// by string pasting), every string repaired to valid UTF-8 and bounded first,
// so whatever a request carried, the answer is well-formed JSON.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "../wire/dataset.hpp"
#include "fake_bytes.hpp"

namespace upstate::testing {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void write_string(JsonWriter& w, std::string_view s, std::size_t max_bytes = 4096) {
  std::string clean = sanitize_utf8(s, max_bytes);
  w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

inline void write_key(JsonWriter& w, std::string_view key) {
  std::string clean = sanitize_utf8(key, 4096);
  w.Key(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

inline std::string_view http_reason(int status) noexcept {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

// The API's numeric `error_code`s are not public; these are made up, one per
// status, so clients can be tested for reading (not interpreting) them.
constexpr long long fake_error_code(int status) noexcept { return 140000 + status; }

// {"error":{"status":..,"error_code":..,"title":"..","detail":".."}}
inline std::string api_error_json(int status, std::string_view detail) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("status");
  w.Int(status);
  w.Key("error_code");
  w.Int64(fake_error_code(status));
  w.Key("title");
  write_string(w, http_reason(status));
  w.Key("detail");
  write_string(w, detail, 1024);
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// {"error":{..,"title":"..","detail":{"<field>":["<message>"]}}}: a
// validation failure, detail as an object of field messages.
inline std::string api_field_error_json(int status, std::string_view field, std::string_view message) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("status");
  w.Int(status);
  w.Key("error_code");
  w.Int64(fake_error_code(status));
  w.Key("title");
  write_string(w, http_reason(status));
  w.Key("detail");
  w.StartObject();
  w.Key(field.data(), static_cast<rapidjson::SizeType>(field.size()));
  w.StartArray();
  write_string(w, message, 1024);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// {"message":"..","detail":".."}: the flatter shape some answers use (no
// "error" object, no error_code).
inline std::string api_flat_error_json(std::string_view message, std::string_view detail) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("message");
  write_string(w, message, 1024);
  w.Key("detail");
  write_string(w, detail, 1024);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

inline void write_schema(JsonWriter& w, const Schema& schema) {
  w.StartObject();
  w.Key("strict");
  w.Bool(schema.strict);
  w.Key("fields");
  w.StartObject();
  for (const auto& f : schema.fields) {
    write_key(w, f.name);
    w.StartObject();
    w.Key("type");
    write_string(w, f.type);
    if (!f.label.empty()) {
      w.Key("label");
      write_string(w, f.label);
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
}

inline constexpr std::size_t kMaxSchemaFields = 1000;

inline bool is_known_field_type(std::string_view t) noexcept {
  return t == "text" || t == "image_url" || t == "audio_url" || t == "video_url" || t == "metadata" ||
         t == "task_group_id";
}

// A refusal of a request body: the HTTP status (400 shape, 422 meaning) and
// the detail text.
struct BodyProblem {
  int status = 400;
  std::string detail;
};

// {"strict": bool?, "fields": {name: {"type": str, "label": str?}}} as the
// API takes it. Unknown keys are ignored; a wrong shape is a 400, a schema
// the service would refuse (unknown type, two task_group_id fields, too many
// fields) a 422.
inline std::variant<Schema, BodyProblem> read_schema(const rapidjson::Value& v) {
  if (!v.IsObject()) return BodyProblem{400, "schema: must be an object"};
  Schema s;
  if (auto it = v.FindMember("strict"); it != v.MemberEnd()) {
    if (!it->value.IsBool()) return BodyProblem{400, "schema.strict: must be a boolean"};
    s.strict = it->value.GetBool();
  }
  auto fields = v.FindMember("fields");
  if (fields == v.MemberEnd() || !fields->value.IsObject()) return BodyProblem{400, "schema.fields: must be an object"};
  if (fields->value.MemberCount() > kMaxSchemaFields)
    return BodyProblem{422, "schema.fields: more than " + std::to_string(kMaxSchemaFields) + " fields"};
  int task_groups = 0;
  for (const auto& m : fields->value.GetObject()) {
    SchemaField f;
    f.name.assign(m.name.GetString(), m.name.GetStringLength());
    std::string where = "schema.fields." + sanitize_utf8(f.name, 128);
    if (!m.value.IsObject()) return BodyProblem{400, where + ": must be an object"};
    auto type = m.value.FindMember("type");
    if (type == m.value.MemberEnd() || !type->value.IsString())
      return BodyProblem{400, where + ".type: must be a string"};
    f.type.assign(type->value.GetString(), type->value.GetStringLength());
    if (!is_known_field_type(f.type)) return BodyProblem{422, where + ".type: unknown field type"};
    if (f.type == "task_group_id" && ++task_groups > 1)
      return BodyProblem{422, "schema: at most one task_group_id field"};
    if (auto label = m.value.FindMember("label"); label != m.value.MemberEnd()) {
      if (!label->value.IsString()) return BodyProblem{400, where + ".label: must be a string"};
      f.label.assign(label->value.GetString(), label->value.GetStringLength());
    }
    for (const auto& known : s.fields)
      if (known.name == f.name) return BodyProblem{400, where + ": repeated field"};
    s.fields.push_back(std::move(f));
  }
  return s;
}

inline constexpr std::size_t kMaxJsonBodyBytes = 1u << 20;

// Parses a request body as a JSON object, bounded in size and (iterative
// parsing) in stack depth.
inline std::variant<rapidjson::Document, BodyProblem> read_json_object(std::string_view body) {
  if (body.size() > kMaxJsonBodyBytes) return BodyProblem{400, "request body too large"};
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) return BodyProblem{400, "request body is not valid JSON"};
  if (!doc.IsObject()) return BodyProblem{400, "request body must be a JSON object"};
  return doc;
}

}  // namespace upstate::testing

#pragma once
// The bodies of <upstate/wire/error_body.hpp> (see detail/linkage.hpp).
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include <upstate/wire/error_body.hpp>
#include <upstate/wire/json.hpp>

namespace upstate {

namespace detail {

inline constexpr std::size_t kApiErrorTextMax = 512;  // per kept piece
inline constexpr int kApiErrorRenderDepth = 8;       // nesting rendered in a detail object/array

// Appends `piece` to `out` (separated by "; "), never past `cap` bytes.
inline void append_bounded(std::string& out, std::string_view piece, std::size_t cap) {
  if (out.size() >= cap || piece.empty()) return;
  if (!out.empty()) {
    if (cap - out.size() <= 2) return;
    out += "; ";
  }
  out += utf8_prefix(piece, cap - out.size());
}

// A detail object/array as "name: required; schema.fields: unknown type
// \"x\"": strings under the path of keys that leads to them (an array adds
// no key), numbers and booleans as JSON writes them, null skipped.
inline void render_json_text(const JsonValue& v, const std::string& path, std::string& out, std::size_t cap,
                             int depth) {
  if (out.size() >= cap) return;
  auto with_path = [&](std::string_view text) {
    append_bounded(out, path.empty() ? std::string(text) : path + ": " + std::string(text), cap);
  };
  if (v.IsString()) {
    with_path(utf8_prefix(string_view_of(v), cap));
  } else if (v.IsBool()) {
    with_path(v.GetBool() ? "true" : "false");
  } else if (v.IsInt64()) {
    with_path(std::to_string(v.GetInt64()));
  } else if (v.IsUint64()) {
    with_path(std::to_string(v.GetUint64()));
  } else if (v.IsNumber()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v.GetDouble());
    with_path(buf);
  } else if (depth >= kApiErrorRenderDepth) {
    with_path("...");
  } else if (v.IsArray()) {
    for (const auto& item : v.GetArray()) render_json_text(item, path, out, cap, depth + 1);
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      std::string key(utf8_prefix(string_view_of(m.name), 128));
      render_json_text(m.value, path.empty() ? key : path + "." + key, out, cap, depth + 1);
    }
  }
}

// `key` of `object` rendered as text; "" when absent, null or empty.
inline std::string text_of(const JsonValue& object, const char* key) {
  std::string out;
  auto it = object.FindMember(key);
  if (it != object.MemberEnd()) render_json_text(it->value, "", out, kApiErrorTextMax, 0);
  return out;
}

}  // namespace detail

UPSTATE_DECL std::string ApiErrorBody::summary() const {
  std::string main = detail;
  if (!message.empty() && message != detail) main = detail.empty() ? message : message + ": " + detail;
  std::string notes;
  if (error_code) detail::append_bounded(notes, "error_code " + std::to_string(*error_code), 64);
  if (!title.empty() && title != main) detail::append_bounded(notes, title, detail::kApiErrorTextMax);
  if (!additional.empty()) detail::append_bounded(notes, additional, 2 * detail::kApiErrorTextMax);
  if (main.empty()) return notes;
  return notes.empty() ? main : main + " (" + notes + ")";
}

// Error{malformed_answer} when the body is not a JSON object, or holds
// neither an "error" object nor a top-level `message`/`detail`. Inside, nothing
// is refused: this body only decorates an HTTP status that already decides
// the outcome, so a `status` or `error_code` that is not an integer (the
// fields are barely documented) is ignored rather than allowed to throw the
// human text away.
UPSTATE_DECL Result<ApiErrorBody> parse_error_body(std::string_view body, const ParseLimits& limits) {
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(body, limits)) return std::move(*error);
  const rapidjson::Document& doc = json_body.doc();
  ApiErrorBody out;
  auto error = doc.FindMember("error");
  const bool nested = error != doc.MemberEnd() && error->value.IsObject();
  if (nested) {
    const detail::JsonValue& e = error->value;
    auto status = e.FindMember("status");
    if (status != e.MemberEnd() && status->value.IsInt()) out.status = status->value.GetInt();
    auto code = e.FindMember("error_code");
    if (code != e.MemberEnd() && code->value.IsInt64()) out.error_code = code->value.GetInt64();
    out.title = detail::text_of(e, "title");
    out.detail = detail::text_of(e, "detail");
    out.message = detail::text_of(e, "message");
    if (out.message.empty()) out.message = detail::text_of(e, "description");
    out.additional = detail::text_of(e, "additional_information");
  }
  // The flat shape, and the top level's text when the error object had none.
  if (out.detail.empty()) out.detail = detail::text_of(doc, "detail");
  if (out.message.empty()) out.message = detail::text_of(doc, "message");
  if (!nested && error != doc.MemberEnd() && error->value.IsString() && out.message.empty())
    out.message = detail::text_of(doc, "error");  // {"error": "Not found"}
  if (!nested && out.detail.empty() && out.message.empty() && !doc.HasMember("detail") && !doc.HasMember("message"))
    return detail::malformed("$", "neither an \"error\" object nor a top-level \"message\" or \"detail\"");
  return out;
}

}  // namespace upstate

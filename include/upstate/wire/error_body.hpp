#pragma once
// The API's error body: {"error": {"status": 404, "error_code": 140100, ...}}.
// Only status and error_code are documented; a human text is looked for in
// `title`, `detail`, `message` (inside "error" or at the top level).
#include <optional>
#include <string>
#include <string_view>

#include "../result.hpp"
#include "json.hpp"
#include "limits.hpp"

namespace upstate {

struct ApiErrorBody {
  std::optional<int> status;
  std::optional<long long> error_code;
  std::string message;  // best human text found, cut to 512 bytes; may be empty
};

namespace detail {

inline constexpr std::size_t kApiErrorMessageMax = 512;

// The first non-empty string among `keys` of `object` (anything else is
// skipped, not refused), or nullptr.
inline const JsonValue* first_text(const JsonValue& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = object.FindMember(key);
    if (it != object.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0) return &it->value;
  }
  return nullptr;
}

}  // namespace detail

// Error{malformed_answer} when the body is not JSON or has no "error" object.
// Inside it nothing is refused: this body only decorates an HTTP status that
// already decides the outcome, so a `status` or `error_code` that is not an
// integer (the fields are barely documented) is ignored rather than allowed
// to throw the human message away.
inline Result<ApiErrorBody> parse_error_body(std::string_view body, const ParseLimits& limits = {}) {
  rapidjson::Document doc;
  if (auto error = detail::parse_json_object(body, limits, doc)) return std::move(*error);
  detail::ObjectReader fields(doc, "$");
  const detail::JsonValue* error = fields.required_object("error");
  if (fields.failed()) return fields.take_error();
  ApiErrorBody out;
  auto status = error->FindMember("status");
  if (status != error->MemberEnd() && status->value.IsInt()) out.status = status->value.GetInt();
  auto code = error->FindMember("error_code");
  if (code != error->MemberEnd() && code->value.IsInt64()) out.error_code = code->value.GetInt64();
  const detail::JsonValue* text = detail::first_text(*error, {"title", "detail", "message", "description"});
  if (!text) text = detail::first_text(doc, {"detail", "message"});
  if (text) out.message = std::string(utf8_prefix(detail::string_view_of(*text), detail::kApiErrorMessageMax));
  return out;
}

}  // namespace upstate

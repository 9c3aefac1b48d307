#pragma once
// The bodies of <upstate/wire/dataset_status.hpp> (see detail/linkage.hpp).
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <upstate/detail/excerpt.hpp>
#include <upstate/wire/dataset_status.hpp>
#include <upstate/wire/json.hpp>

namespace upstate {

// Errors: malformed_answer (not JSON / not an object / status missing or
// not a string / reason not a string), unknown_status (path "$.status").
// Unknown fields are ignored.
UPSTATE_DECL Result<DatasetStatusAnswer> parse_dataset_status_answer(std::string_view body, const ParseLimits& limits) {
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(body, limits)) return std::move(*error);
  const rapidjson::Document& doc = json_body.doc();
  detail::ObjectReader fields(doc, "$");
  std::string status = fields.required_string("status");
  std::optional<std::string> reason;
  if (const char* key = fields.first_present({"reason", "message", "detail"})) reason = fields.optional_string(key);
  if (fields.failed()) return fields.take_error();
  auto known = parse_dataset_status(status);
  if (!known) {
    Error e;
    e.code = ErrorCode::unknown_status;
    e.message = "unknown dataset status \"" + printable_excerpt(status, 64) + "\"";
    e.path = "$.status";
    return e;
  }
  return DatasetStatusAnswer{*known, std::move(reason)};
}

}  // namespace upstate

#pragma once
// V3 step 3's answer: GET /datasets/{id}/status -> 200,
// {"status": "UNINITIALISED" | "PROCESSING" | "READY" | "ERROR"}.
#include <optional>
#include <string>
#include <string_view>

#include "../vocabulary/dataset_status.hpp"
#include "../vocabulary/result.hpp"
#include "json.hpp"
#include "limits.hpp"

namespace upstate {

struct DatasetStatusAnswer {
  DatasetStatus status = DatasetStatus::uninitialised;  // required; case-insensitive; unknown -> unknown_status
  // Why an ERROR: UNCONFIRMED (docs/service.md shows `status` alone), so read from
  // `reason`, else `message`, else `detail`, as record errors are.
  std::optional<std::string> reason;
};

// Errors: malformed_answer (not JSON / not an object / status missing or
// not a string / reason not a string), unknown_status (path "$.status").
// Unknown fields are ignored.
inline Result<DatasetStatusAnswer> parse_dataset_status_answer(std::string_view body, const ParseLimits& limits = {}) {
  rapidjson::Document doc;
  if (auto error = detail::parse_json_object(body, limits, doc)) return std::move(*error);
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

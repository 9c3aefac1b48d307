#pragma once
// The API's error body (docs/service.md, "Error body"), in either shape:
//   {"error": {"status", "error_code", "title", "detail", "additional_information"}}
//   {"message": ..., "detail": ...}
// `title` is generic ("Bad Request"); `detail` is the explanation a user
// needs, a string or an object/array of field messages (rendered here as
// "field: message; ..."). summary() puts the explanation first:
//   "Unsupported file type (error_code 140400; Bad Request)".
// Everything kept is cut to a bound on a character boundary; making it
// printable and redacting the token is the caller's job (it knows the token).
#include <optional>
#include <string>
#include <string_view>

#include "../detail/linkage.hpp"
#include "../vocabulary/result.hpp"
#include "limits.hpp"

namespace upstate {

struct ApiErrorBody {
  std::optional<int> status;
  std::optional<long long> error_code;
  std::string title;       // generic HTTP reason ("Bad Request"); may be empty
  std::string detail;      // the explanation; an object/array rendered "field: message; ..."; may be empty
  std::string message;     // a `message` (or `description`) beside or instead of detail; may be empty
  std::string additional;  // additional_information, rendered; may be empty

  // Explanation first, then the error code, the title and the additional
  // information in parentheses. Empty when the body held no text at all.
  UPSTATE_DECL std::string summary() const;
};

// Error{malformed_answer} when the body is not a JSON object, or holds
// neither an "error" object nor a top-level `message`/`detail`. Inside, nothing
// is refused: this body only decorates an HTTP status that already decides
// the outcome, so a `status` or `error_code` that is not an integer (the
// fields are barely documented) is ignored rather than allowed to throw the
// human text away.
UPSTATE_DECL Result<ApiErrorBody> parse_error_body(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/wire_error_body.ipp>
#endif

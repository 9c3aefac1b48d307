#pragma once
// V3 step 3's answer: GET /datasets/{id}/status -> 200,
// {"status": "UNINITIALISED" | "PROCESSING" | "READY" | "ERROR"}.
#include <optional>
#include <string>
#include <string_view>

#include "../vocabulary/dataset_status.hpp"
#include "../detail/linkage.hpp"
#include "../vocabulary/result.hpp"
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
UPSTATE_DECL Result<DatasetStatusAnswer> parse_dataset_status_answer(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/wire_dataset_status.ipp>
#endif

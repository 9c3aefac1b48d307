#pragma once
// The machine's one answer to every event: what the caller does next.
#include <variant>

#include "http.hpp"
#include "outcome.hpp"
#include "time.hpp"

namespace upstate {

// Perform this request, then feed the answer back with on_response (or the
// failure with on_transport_error). For the PUT, `request.file` says how
// many bytes of the caller's file to stream as the body.
struct Send {
  Request request;
};

// Wait until `until`, then call on_wake. `until` never lies past the
// upload's deadline; an early on_wake is harmless (returns this Sleep again).
struct Sleep {
  Instant until;
};

// Finished; every later event returns the same Done.
struct Done {
  Outcome outcome;
};

using Action = std::variant<Send, Sleep, Done>;

}  // namespace upstate

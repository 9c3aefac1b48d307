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
//
// The driver must bound each request it runs: the machine bounds only its
// own waits (Sleep), and while a Send is out it is waiting for an event that
// only the driver can produce. Give every exchange a timeout (at the latest
// the machine's deadline()) and report its expiry with on_transport_error
// (TransportError::Kind::timeout); examples/own_event_loop/ shows how
// (each exchange's timeout_at() bounds its poll(2)).
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

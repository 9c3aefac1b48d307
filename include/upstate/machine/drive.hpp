#pragma once
// The ~30-line driver h11's docs show, for blocking transports: run an
// Upload to the end. The transport and the clock are the caller's objects
// (duck-typed, so a Trompeloeil mock, the in-process fake or a real HTTP
// client all fit); the core itself still does no I/O. The loop itself is
// drive_loop.hpp's, shared with DatasetFetch and Batch.
//
//   transport.exchange(const Request&) -> Exchange   (Response or TransportError)
//   clock.now() -> Instant
//   clock.sleep_until(Instant)
#include <utility>
#include <variant>

#include "../vocabulary/action.hpp"
#include "drive_loop.hpp"
#include "upload.hpp"

namespace upstate {

// `observer(upload, action)` sees every action before it is carried out
// (progress lines, logging). Returns the final outcome.
template <class Transport, class ClockT, class Observer = NoObserver>
Outcome drive(Upload& upload, Transport& transport, ClockT& clock, Observer&& observer = {}) {
  return std::get<Done>(drive_machine(upload, transport, clock, std::forward<Observer>(observer))).outcome;
}

}  // namespace upstate

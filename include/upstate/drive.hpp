#pragma once
// The ~30-line driver h11's docs show, for blocking transports: run an
// Upload to the end. The transport and the clock are the caller's objects
// (duck-typed, so a Trompeloeil mock, the in-process fake or a real HTTP
// client all fit); the core itself still does no I/O.
//
//   transport.exchange(const Request&) -> Exchange   (Response or TransportError)
//   clock.now() -> Instant
//   clock.sleep_until(Instant)
#include <utility>
#include <variant>

#include "action.hpp"
#include "upload.hpp"

namespace upstate {

struct NoObserver {
  void operator()(const Upload&, const Action&) const noexcept {}
};

// `observer(upload, action)` sees every action before it is carried out
// (progress lines, logging). Returns the final outcome.
template <class Transport, class ClockT, class Observer = NoObserver>
Outcome drive(Upload& upload, Transport& transport, ClockT& clock, Observer&& observer = {}) {
  Action action = upload.start(clock.now());
  for (;;) {
    observer(static_cast<const Upload&>(upload), static_cast<const Action&>(action));
    if (auto* send = std::get_if<Send>(&action)) {
      Exchange result = transport.exchange(send->request);
      if (auto* response = std::get_if<Response>(&result))
        action = upload.on_response(*response, clock.now());
      else
        action = upload.on_transport_error(std::get<TransportError>(result), clock.now());
    } else if (auto* sleep = std::get_if<Sleep>(&action)) {
      clock.sleep_until(sleep->until);
      action = upload.on_wake(clock.now());
    } else {
      return std::get<Done>(std::move(action)).outcome;
    }
  }
}

}  // namespace upstate

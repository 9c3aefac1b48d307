#pragma once
// The one blocking loop every machine runs in (h11's ~30-line driver):
// Upload (drive.hpp), DatasetFetch (drive_dataset_fetch) and Batch
// (drive_batch, through an adapter that gives it the same face). A machine
// M has start(now), on_response(Response, now), on_transport_error(
// TransportError, now) and on_wake(now), each returning a variant whose
// alternatives are a request to perform, Sleep, and the end.
//
//   transport.exchange(const Request&) -> Exchange   (Response or TransportError)
//   clock.now() -> Instant
//   clock.sleep_until(Instant)
#include <utility>
#include <variant>

#include "../vocabulary/action.hpp"
#include "../vocabulary/http.hpp"

namespace upstate {

struct NoObserver {
  template <class Machine, class ActionT>
  void operator()(const Machine&, const ActionT&) const noexcept {}
};

// How a blocking transport performs one request; a machine whose sends
// carry more (Batch: the file the PUT streams) overloads it beside its own
// send type (found by argument-dependent lookup).
template <class Transport>
Exchange perform_exchange(Transport& transport, const Send& send) {
  return transport.exchange(send.request);
}

// Runs `machine` from start() to its end and returns the final action (the
// variant's last alternative). `observer(machine, action)` sees every
// action before it is carried out (progress lines, logging).
template <class Machine, class Transport, class ClockT, class Observer = NoObserver>
auto drive_machine(Machine& machine, Transport& transport, ClockT& clock, Observer&& observer = {}) {
  auto action = machine.start(clock.now());
  using ActionT = decltype(action);
  for (;;) {
    observer(static_cast<const Machine&>(machine), static_cast<const ActionT&>(action));
    if (auto* sleep = std::get_if<Sleep>(&action)) {
      clock.sleep_until(sleep->until);
      action = machine.on_wake(clock.now());
    } else if (action.index() == 0) {  // the request: the variant's first alternative
      Exchange result = perform_exchange(transport, std::get<0>(action));
      if (auto* response = std::get_if<Response>(&result))
        action = machine.on_response(*response, clock.now());
      else
        action = machine.on_transport_error(std::get<TransportError>(result), clock.now());
    } else {
      return action;
    }
  }
}

}  // namespace upstate

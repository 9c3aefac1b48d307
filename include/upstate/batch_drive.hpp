#pragma once
// drive_batch: drive.hpp's loop for a Batch, with a blocking transport —
// the requests are performed one at a time, in the order the batch gives
// them (so "in flight" means "queued" here; the order rules still hold).
//
//   transport.exchange(const Request&, std::size_t file) -> Exchange
//       `file` is BatchSend::file: the index of the file whose bytes the PUT
//       streams (request.file->size of them), npos for the dataset request
//   clock.now() -> Instant
//   clock.sleep_until(Instant)
#include <cstddef>
#include <utility>
#include <variant>

#include "batch.hpp"

namespace upstate {

struct NoBatchObserver {
  void operator()(const Batch&, const BatchSend&) const noexcept {}
};

// `observer(batch, send)` sees every request before it is performed
// (progress lines: batch.upload(send.file) tells the file's phase).
template <class Transport, class ClockT, class Observer = NoBatchObserver>
BatchOutcome drive_batch(Batch& batch, Transport& transport, ClockT& clock, Observer&& observer = {}) {
  batch.start(clock.now());
  while (!batch.done()) {
    if (auto send = batch.next_send()) {
      observer(static_cast<const Batch&>(batch), static_cast<const BatchSend&>(*send));
      Exchange result = transport.exchange(send->request, send->file);
      if (auto* response = std::get_if<Response>(&result))
        batch.on_response(send->ticket, *response, clock.now());
      else
        batch.on_transport_error(send->ticket, std::get<TransportError>(result), clock.now());
      continue;
    }
    while (batch.next_abandoned()) {
      // Nothing is in flight between two calls of a blocking loop.
    }
    if (auto wake = batch.next_wake()) {
      clock.sleep_until(*wake);
      batch.on_wake(clock.now());
      continue;
    }
    // Nothing to send, nothing asleep, not done: cannot happen by Batch's
    // rules; ending beats hanging.
    batch.cancel(clock.now());
  }
  return *batch.outcome();
}

}  // namespace upstate

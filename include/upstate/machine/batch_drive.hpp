#pragma once
// drive_batch: a Batch in drive_loop.hpp's one loop, with a blocking
// transport — the requests are performed one at a time, in the order the
// batch gives them (so "in flight" means "queued" here; the order rules
// still hold). BatchStepper gives Batch the face every machine has in that
// loop (start / on_response / on_transport_error / on_wake -> an action).
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
#include "drive_loop.hpp"

namespace upstate {

template <class Transport>
Exchange perform_exchange(Transport& transport, const BatchSend& send) {
  return transport.exchange(send.request, send.file);
}

// The batch has ended: its outcome is batch.outcome().
struct BatchEnded {};

// A Batch, one request at a time: every event returns the next request,
// wait, or the end.
class BatchStepper {
 public:
  using StepAction = std::variant<BatchSend, Sleep, BatchEnded>;

  explicit BatchStepper(Batch& batch) : batch_(&batch) {}

  StepAction start(Instant now) {
    batch_->start(now);
    return next(now);
  }
  StepAction on_response(const Response& response, Instant now) {
    batch_->on_response(in_flight_, response, now);
    return next(now);
  }
  StepAction on_transport_error(const TransportError& error, Instant now) {
    batch_->on_transport_error(in_flight_, error, now);
    return next(now);
  }
  StepAction on_wake(Instant now) {
    batch_->on_wake(now);
    return next(now);
  }

  const Batch& batch() const noexcept { return *batch_; }

 private:
  StepAction next(Instant now) {
    while (!batch_->done()) {
      if (auto send = batch_->next_send()) {
        in_flight_ = send->ticket;
        return std::move(*send);
      }
      while (batch_->next_abandoned()) {
        // Nothing is in flight between two calls of a blocking loop.
      }
      if (auto wake = batch_->next_wake()) return Sleep{*wake};
      // Nothing to send, nothing asleep, not done: cannot happen by Batch's
      // rules; ending beats hanging.
      batch_->cancel(now);
    }
    return BatchEnded{};
  }

  Batch* batch_;
  Ticket in_flight_{};
};

struct NoBatchObserver {
  void operator()(const Batch&, const BatchSend&) const noexcept {}
};

// `observer(batch, send)` sees every request before it is performed
// (progress lines: batch.upload(send.file) tells the file's phase).
template <class Transport, class ClockT, class Observer = NoBatchObserver>
BatchOutcome drive_batch(Batch& batch, Transport& transport, ClockT& clock, Observer&& observer = {}) {
  BatchStepper stepper(batch);
  drive_machine(stepper, transport, clock, [&observer](const BatchStepper& s, const BatchStepper::StepAction& a) {
    if (auto* send = std::get_if<BatchSend>(&a)) observer(s.batch(), *send);
  });
  return *batch.outcome();
}

}  // namespace upstate

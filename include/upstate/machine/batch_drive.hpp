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
#include "../detail/linkage.hpp"
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

  UPSTATE_DECL StepAction start(Instant now);
  UPSTATE_DECL StepAction on_response(const Response& response, Instant now);
  UPSTATE_DECL StepAction on_transport_error(const TransportError& error, Instant now);
  UPSTATE_DECL StepAction on_wake(Instant now);

  const Batch& batch() const noexcept { return *batch_; }

 private:
  UPSTATE_DECL StepAction next(Instant now);

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

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/batch_drive.ipp>
#endif

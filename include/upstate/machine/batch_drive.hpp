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
//
// With BatchConfig::stream_outcomes the stepper pulls every finished file
// (Batch::next_finished) after each event, so outcomes and machines do not
// pile up until the end, and hands each to `on_finished` if one was given.
#include <cstddef>
#include <utility>
#include <variant>

#include "batch.hpp"
#include "../detail/callback.hpp"
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
  // Sees each finished file once, in the order they ended;
  // batch.upload(finished.file) is readable during the call.
  using OnFinished = Callback<void(const Batch&, const FinishedFile&)>;  // was std::function (CHANGELOG)

  explicit BatchStepper(Batch& batch, OnFinished on_finished = {})
      : batch_(&batch), on_finished_(std::move(on_finished)) {}

  UPSTATE_DECL StepAction start(Instant now);
  UPSTATE_DECL StepAction on_response(const Response& response, Instant now);
  UPSTATE_DECL StepAction on_transport_error(const TransportError& error, Instant now);
  UPSTATE_DECL StepAction on_wake(Instant now);

  const Batch& batch() const noexcept { return *batch_; }

 private:
  UPSTATE_DECL StepAction next(Instant now);

  UPSTATE_DECL StepAction next_action(Instant now);

  Batch* batch_;
  OnFinished on_finished_;
  Ticket in_flight_{};
};

struct NoBatchObserver {
  void operator()(const Batch&, const BatchSend&) const noexcept {}
};

// `observer(batch, send)` sees every request before it is performed
// (progress lines: batch.upload(send.file) tells the file's phase).
// `on_finished(batch, finished)` sees each file's outcome as it ends
// (stream_outcomes: the only place they go; BatchOutcome::files is empty).
template <class Transport, class ClockT, class Observer = NoBatchObserver>
BatchOutcome drive_batch(Batch& batch, Transport& transport, ClockT& clock, Observer&& observer = {},
                         BatchStepper::OnFinished on_finished = {}) {
  BatchStepper stepper(batch, std::move(on_finished));
  drive_machine(stepper, transport, clock, [&observer](const BatchStepper& s, const BatchStepper::StepAction& a) {
    if (auto* send = std::get_if<BatchSend>(&a)) observer(s.batch(), *send);
  });
  return *batch.outcome();
}

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/batch_drive.ipp>
#endif

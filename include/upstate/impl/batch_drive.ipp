#pragma once
// The bodies of BatchStepper (<upstate/machine/batch_drive.hpp>; see
// detail/linkage.hpp): a Batch with the face drive_loop.hpp's loop drives.
#include <utility>
#include <variant>

#include <upstate/machine/batch_drive.hpp>

namespace upstate {

UPSTATE_DECL BatchStepper::StepAction BatchStepper::start(Instant now) {
  batch_->start(now);
  return next(now);
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::on_response(const Response& response, Instant now) {
  batch_->on_response(in_flight_, response, now);
  return next(now);
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::on_transport_error(const TransportError& error, Instant now) {
  batch_->on_transport_error(in_flight_, error, now);
  return next(now);
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::on_wake(Instant now) {
  batch_->on_wake(now);
  return next(now);
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::next(Instant now) {
  StepAction action = next_action(now);
  while (auto finished = batch_->next_finished())
    if (on_finished_) on_finished_(*batch_, *finished);
  return action;
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::next_action(Instant now) {
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

}  // namespace upstate

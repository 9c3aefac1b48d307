#pragma once
// The bodies of detail::BatchTickets (<upstate/machine/batch_tickets.hpp>;
// see detail/linkage.hpp).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>

#include <upstate/machine/batch_tickets.hpp>

namespace upstate {
namespace detail {

UPSTATE_DECL Ticket BatchTickets::issue(std::size_t owner, Request request) {
  Ticket t{next_++};
  owners_.set(t.value, owner);
  outbox_.push_back(BatchSend{t, owner, std::move(request)});
  return t;
}

UPSTATE_DECL std::optional<std::size_t> BatchTickets::claim(Ticket ticket) {
  const std::size_t* found = owners_.find(ticket.value);
  if (!found) return std::nullopt;
  const std::size_t owner = *found;
  owners_.erase(ticket.value);
  outbox_.erase(std::remove_if(outbox_.begin(), outbox_.end(),
                               [&](const BatchSend& s) { return s.ticket == ticket; }),
                outbox_.end());
  return owner;
}

UPSTATE_DECL bool BatchTickets::forget_abandoned(Ticket ticket) { return abandoned_.erase(ticket.value) != 0; }

UPSTATE_DECL void BatchTickets::abandon(Ticket ticket) {
  owners_.erase(ticket.value);
  auto queued = std::find_if(outbox_.begin(), outbox_.end(), [&](const BatchSend& s) { return s.ticket == ticket; });
  if (queued != outbox_.end()) {
    outbox_.erase(queued);
  } else {
    abandoned_.insert(ticket.value);
    abandoned_out_.push_back(ticket);
  }
}

UPSTATE_DECL std::optional<BatchSend> BatchTickets::next_send(std::optional<std::size_t> limit) {
  if (outbox_.empty()) return std::nullopt;
  if (limit && owners_.size() - outbox_.size() >= *limit) return std::nullopt;
  BatchSend s = std::move(outbox_.front());
  outbox_.pop_front();
  return s;
}

UPSTATE_DECL std::optional<Ticket> BatchTickets::next_abandoned() {
  if (abandoned_out_.empty()) return std::nullopt;
  Ticket t = abandoned_out_.front();
  abandoned_out_.pop_front();
  return t;
}

}  // namespace detail
}  // namespace upstate

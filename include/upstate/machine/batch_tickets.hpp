#pragma once
// A Batch's requests by ticket: the ones queued for next_send, the ones out
// (pulled, not answered), and the abandoned ones whose late answers are to
// be ignored. Bookkeeping only: what a ticket's answer means is Batch's
// business (batch.hpp, by its tables in batch_transitions.hpp).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "../detail/flat_set.hpp"
#include "../detail/linkage.hpp"
#include "../vocabulary/http.hpp"

namespace upstate {

// One outstanding request of a Batch.
struct Ticket {
  std::uint64_t value = 0;
  friend bool operator==(Ticket a, Ticket b) noexcept { return a.value == b.value; }
  friend bool operator!=(Ticket a, Ticket b) noexcept { return a.value != b.value; }
  friend bool operator<(Ticket a, Ticket b) noexcept { return a.value < b.value; }
};

struct BatchSend {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  Ticket ticket;
  std::size_t file = npos;  // index into the files given; npos for the dataset request
  Request request;          // for the PUT, stream request.file->size bytes of that file
};

namespace detail {

class BatchTickets {
 public:
  // A new ticket for `owner`'s request (a file index, or npos), queued.
  UPSTATE_DECL Ticket issue(std::size_t owner, Request request);

  // The owner of an answered ticket, now retired (and no longer queued, if
  // it was answered before it was pulled); nullopt when it is not out.
  UPSTATE_DECL std::optional<std::size_t> claim(Ticket ticket);

  // Whether `ticket` was abandoned (its answer is then ignored, once).
  UPSTATE_DECL bool forget_abandoned(Ticket ticket);
  // Whether `ticket` was ever issued (so an unknown one was already answered).
  bool issued(Ticket ticket) const noexcept { return ticket.value != 0 && ticket.value < next_; }

  // The request is no longer wanted: dropped if not pulled yet, else
  // reported by next_abandoned and its answer ignored.
  UPSTATE_DECL void abandon(Ticket ticket);

  // The next queued request, unless `limit` requests are out already.
  UPSTATE_DECL std::optional<BatchSend> next_send(std::optional<std::size_t> limit);

  UPSTATE_DECL std::optional<Ticket> next_abandoned();

 private:
  std::uint64_t next_ = 1;
  FlatMap<std::uint64_t, std::size_t> owners_;  // queued or out -> file (npos: the dataset)
  FlatSet<std::uint64_t> abandoned_;            // answers to ignore
  std::deque<BatchSend> outbox_;
  std::deque<Ticket> abandoned_out_;
};

}  // namespace detail
}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/batch_tickets.ipp>
#endif

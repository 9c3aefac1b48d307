#pragma once
// A Batch's requests by ticket: the ones queued for next_send, the ones out
// (pulled, not answered), and the abandoned ones whose late answers are to
// be ignored. Bookkeeping only: what a ticket's answer means is Batch's
// business (batch.hpp, by its tables in batch_transitions.hpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>

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
  Ticket issue(std::size_t owner, Request request) {
    Ticket t{next_++};
    owners_[t.value] = owner;
    outbox_.push_back(BatchSend{t, owner, std::move(request)});
    return t;
  }

  // The owner of an answered ticket, now retired (and no longer queued, if
  // it was answered before it was pulled); nullopt when it is not out.
  std::optional<std::size_t> claim(Ticket ticket) {
    auto it = owners_.find(ticket.value);
    if (it == owners_.end()) return std::nullopt;
    const std::size_t owner = it->second;
    owners_.erase(it);
    outbox_.erase(std::remove_if(outbox_.begin(), outbox_.end(),
                                 [&](const BatchSend& s) { return s.ticket == ticket; }),
                  outbox_.end());
    return owner;
  }

  // Whether `ticket` was abandoned (its answer is then ignored, once).
  bool forget_abandoned(Ticket ticket) { return abandoned_.erase(ticket.value) != 0; }
  // Whether `ticket` was ever issued (so an unknown one was already answered).
  bool issued(Ticket ticket) const noexcept { return ticket.value != 0 && ticket.value < next_; }

  // The request is no longer wanted: dropped if not pulled yet, else
  // reported by next_abandoned and its answer ignored.
  void abandon(Ticket ticket) {
    owners_.erase(ticket.value);
    auto queued = std::find_if(outbox_.begin(), outbox_.end(), [&](const BatchSend& s) { return s.ticket == ticket; });
    if (queued != outbox_.end()) {
      outbox_.erase(queued);
    } else {
      abandoned_.insert(ticket.value);
      abandoned_out_.push_back(ticket);
    }
  }

  // The next queued request, unless `limit` requests are out already.
  std::optional<BatchSend> next_send(std::optional<std::size_t> limit) {
    if (outbox_.empty()) return std::nullopt;
    if (limit && owners_.size() - outbox_.size() >= *limit) return std::nullopt;
    BatchSend s = std::move(outbox_.front());
    outbox_.pop_front();
    return s;
  }

  std::optional<Ticket> next_abandoned() {
    if (abandoned_out_.empty()) return std::nullopt;
    Ticket t = abandoned_out_.front();
    abandoned_out_.pop_front();
    return t;
  }

 private:
  std::uint64_t next_ = 1;
  std::map<std::uint64_t, std::size_t> owners_;  // queued or out -> file (npos: the dataset)
  std::set<std::uint64_t> abandoned_;            // answers to ignore
  std::deque<BatchSend> outbox_;
  std::deque<Ticket> abandoned_out_;
};

}  // namespace detail
}  // namespace upstate

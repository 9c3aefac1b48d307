#pragma once
// Time as a value. The core never reads a clock: every event carries `now`,
// and every delay it asks for is an absolute `Instant` the caller waits for.
// The types are the steady clock's so a real driver needs no conversion, but
// tests build instants from `Instant{} + seconds(n)` and never touch the OS.
#include <chrono>
#include <cstdint>

namespace upstate {

using Clock = std::chrono::steady_clock;
using Instant = Clock::time_point;
using Duration = std::chrono::milliseconds;

// Unix seconds, for the few wall-clock values the wire carries (HTTP-date,
// X-Amz-Date). They are only ever compared with other wire values (a
// response's own `Date` header), never with the local clock.
using UnixSeconds = std::int64_t;

// The caller's clock as the machines see it: one that jumps back is
// treated as standing still, so their own time never runs backwards.
class MonotonicTime {
 public:
  Instant observe(Instant now) noexcept {
    if (seen_ && now < last_) return last_;
    seen_ = true;
    last_ = now;
    return now;
  }
  Instant last() const noexcept { return last_; }

 private:
  Instant last_{};
  bool seen_ = false;
};

}  // namespace upstate

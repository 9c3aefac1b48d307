#pragma once
// A clock that moves only when told: tests (ours and users') never sleep.
#include "../vocabulary/time.hpp"

namespace upstate::testing {

class ManualClock {
 public:
  explicit ManualClock(Instant start = Instant{}) : now_(start) {}
  Instant now() const noexcept { return now_; }
  // "Sleeping" jumps straight to the wake-up time.
  void sleep_until(Instant t) noexcept {
    if (t > now_) now_ = t;
  }
  void advance(Duration d) noexcept { now_ += d; }
  // Tests of clock trouble may set any time, even an earlier one.
  void set(Instant t) noexcept { now_ = t; }

 private:
  Instant now_;
};

}  // namespace upstate::testing

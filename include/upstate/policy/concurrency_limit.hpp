#pragma once
// upstate::ConcurrencyLimit — how many files a Batch lets run at once,
// adapted to the service's answers (AIMD, as TCP does with its window): a
// 429 or 503 halves it (a rate limit is a signal, not a reason to retry
// harder), and every `increase_after` successful answers in a row raise it
// by one, up to the ceiling (BatchConfig::max_in_flight), never below one.
// A pure value: answers in, a number out.
#include <algorithm>
#include <cstddef>

namespace upstate {

struct ConcurrencyLimitConfig {
  std::size_t ceiling = 4;        // the most ever allowed (0 is taken as 1)
  std::size_t increase_after = 8;  // successful answers per +1 (0 is taken as 1)
};

class ConcurrencyLimit {
 public:
  explicit ConcurrencyLimit(ConcurrencyLimitConfig config = {}) noexcept
      : ceiling_(std::max<std::size_t>(config.ceiling, 1)),
        increase_after_(std::max<std::size_t>(config.increase_after, 1)),
        current_(ceiling_) {}

  std::size_t current() const noexcept { return current_; }
  std::size_t ceiling() const noexcept { return ceiling_; }
  // How many times an answer made it go down (for reports and tests).
  std::size_t decreases() const noexcept { return decreases_; }

  // The statuses that say "too much": a Batch's `overload` row (machine/batch_transitions.hpp).
  static constexpr bool is_overload(int status) noexcept { return status == 429 || status == 503; }

  // The HTTP status of any answer the batch got. Only the overload signals
  // (429, 503) and successes (2xx) count; other answers leave it alone.
  void on_status(int status) noexcept {
    if (is_overload(status)) return on_overload();
    if (status >= 200 && status < 300) on_success();
  }

  // Halves at most once per window: the answers to requests sent before
  // the last decrease (up to that many answers) say nothing new.
  void on_overload() noexcept {
    successes_ = 0;
    if (answers_since_decrease_ < window_) {
      ++answers_since_decrease_;
      return;
    }
    std::size_t halved = std::max<std::size_t>(current_ / 2, 1);
    if (halved < current_) ++decreases_;
    window_ = current_;
    answers_since_decrease_ = 0;
    current_ = halved;
  }

  void on_success() noexcept {
    ++answers_since_decrease_;
    if (current_ >= ceiling_) return;
    if (++successes_ < increase_after_) return;
    successes_ = 0;
    ++current_;
  }

 private:
  std::size_t ceiling_;
  std::size_t increase_after_;
  std::size_t current_;
  std::size_t successes_ = 0;
  std::size_t decreases_ = 0;
  std::size_t window_ = 0;  // the limit before the last decrease
  std::size_t answers_since_decrease_ = 0;
};

}  // namespace upstate

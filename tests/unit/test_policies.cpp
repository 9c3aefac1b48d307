// PollPolicy, RetryPolicy and Retry-After: the waits the machine asks for.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include <upstate/policy/poll_policy.hpp>
#include <upstate/policy/retry_policy.hpp>

using namespace upstate;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("PollPolicy grows by factor to the cap, and jitter only shortens") {
  PollPolicy p;  // 2 s, x1.5, 15 s, 10 %
  Rng rng(1);
  for (int round = 0; round < 200; ++round) {
    for (int n = 0; n < 12; ++n) {
      double nominal = std::min(2000.0 * std::pow(1.5, n), 15000.0);
      Duration d = p.delay(n, rng);
      CAPTURE(n, d.count());
      CHECK(d.count() <= static_cast<long long>(nominal));
      CHECK(d.count() >= static_cast<long long>(nominal * 0.9) - 1);
    }
  }
}

TEST_CASE("PollPolicy without jitter is exact") {
  PollPolicy p;
  p.jitter = 0;
  Rng rng(1);
  CHECK(p.delay(0, rng) == milliseconds(2000));
  CHECK(p.delay(1, rng) == milliseconds(3000));
  CHECK(p.delay(2, rng) == milliseconds(4500));
  CHECK(p.delay(50, rng) == milliseconds(15000));
}

TEST_CASE("RetryPolicy: full jitter under an exponential ceiling") {
  RetryPolicy r;  // base 500 ms, cap 30 s
  Rng rng(9);
  long long max_seen[8] = {};
  for (int round = 0; round < 2000; ++round)
    for (int f = 1; f < 8; ++f) {
      Duration d = r.backoff(f, rng);
      long long ceiling = std::min(500LL << (f - 1), 30000LL);
      REQUIRE(d.count() >= 0);
      REQUIRE(d.count() <= ceiling);
      max_seen[f] = std::max(max_seen[f], static_cast<long long>(d.count()));
    }
  // The whole range is used: over 2000 draws the largest is near the ceiling.
  CHECK(max_seen[1] > 450);
  CHECK(max_seen[7] > 27000);
}

TEST_CASE("the same seed gives the same waits") {
  RetryPolicy r;
  PollPolicy p;
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 1; i < 20; ++i) {
    Duration x = r.backoff(i % 6 + 1, a);
    CHECK(x == r.backoff(i % 6 + 1, b));
    differs = differs || x != r.backoff(i % 6 + 1, c);
    CHECK(p.delay(i, a) == p.delay(i, b));
    p.delay(i, c);
  }
  CHECK(differs);
}

TEST_CASE("Retry-After: delta seconds, HTTP-date against Date, garbage ignored") {
  const auto date = parse_http_date("Sat, 28 Nov 2026 12:00:00 GMT");
  REQUIRE(date);
  CHECK(parse_retry_after("120", std::nullopt) == milliseconds(120000));
  CHECK(parse_retry_after(" 0 ", std::nullopt) == milliseconds(0));
  CHECK(parse_retry_after("Sat, 28 Nov 2026 12:01:00 GMT", date) == milliseconds(60000));
  // A date in the past means "now", not a negative wait.
  CHECK(parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", date) == milliseconds(0));
  // Without the answer's Date a date cannot be measured: ignored.
  CHECK_FALSE(parse_retry_after("Sat, 28 Nov 2026 12:01:00 GMT", std::nullopt));
  CHECK_FALSE(parse_retry_after("-5", std::nullopt));
  CHECK_FALSE(parse_retry_after("1.5", std::nullopt));
  CHECK_FALSE(parse_retry_after("soon", date));
  CHECK_FALSE(parse_retry_after("", date));
  // Huge values are capped at a day instead of overflowing.
  CHECK(parse_retry_after("99999999999999999999999999", std::nullopt) == seconds(86400));
}

TEST_CASE("PollPolicy never yields a wait below its floor, whatever its fields") {
  // issue 12 item 7: initial 0 stayed 0 (0 x 1.5) and polled in a tight loop.
  Rng rng(7);
  PollPolicy zero;
  zero.initial = Duration{0};
  PollPolicy negative;
  negative.initial = Duration{-5000};
  negative.max = Duration{-1};
  PollPolicy shrinking;
  shrinking.initial = Duration{500};
  shrinking.factor = 0.1;
  PollPolicy nan_factor;
  nan_factor.factor = std::nan("");
  nan_factor.jitter = std::nan("");
  PollPolicy full_jitter;
  full_jitter.initial = Duration{100};
  full_jitter.jitter = 1.0;
  for (const PollPolicy* p : {&zero, &negative, &shrinking, &nan_factor, &full_jitter}) {
    for (int n = 0; n < 40; ++n) {
      Duration d = p->delay(n, rng);
      CAPTURE(n, d.count(), p->initial.count(), p->factor);
      CHECK(d >= PollPolicy::kMinDelay);
    }
  }
  // A factor below 1 never shrinks the first wait.
  shrinking.jitter = 0;
  CHECK(shrinking.delay(5, rng) == Duration{500});
}

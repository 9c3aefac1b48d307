#pragma once
// How to wait before repeating a request that failed transiently.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

#include "../vocabulary/http.hpp"
#include "../detail/http_date.hpp"
#include "../detail/rng.hpp"
#include "../vocabulary/time.hpp"

namespace upstate {

struct RetryPolicy {
  // Tries of one step in a row, the first included. The count restarts after
  // progress (a URL received, the PUT accepted, a poll answered), so a long
  // poll can survive many scattered blips but not a steady outage.
  int max_attempts = 6;
  Duration base{500};
  Duration cap{30000};
  // Step 1 creates an import job on every call; each renewal leaves one
  // behind (kept in the outcome), so renewals get their own small bound.
  int max_url_renewals = 3;

  // Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
  // uniform in [0, min(cap, base * 2^(failures-1))].
  Duration backoff(int failures, Rng& rng) const {
    std::int64_t ceiling = base.count();
    for (int i = 1; i < failures && ceiling < cap.count(); ++i) ceiling *= 2;
    ceiling = std::min<std::int64_t>(ceiling, cap.count());
    return Duration{rng.between(0, std::max<std::int64_t>(0, ceiling))};
  }
};

// Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. The date
// form is measured against the same answer's `Date` header, so no local wall
// clock is needed and clock skew between us and the server cancels out;
// without a `Date`, a date cannot be interpreted and is ignored. Garbage is
// ignored (nullopt). Values are capped at a day so arithmetic stays finite.
inline std::optional<Duration> parse_retry_after(std::string_view value, std::optional<UnixSeconds> response_date) {
  constexpr std::int64_t kMaxSeconds = 86400;
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > kMaxSeconds) return std::chrono::duration_cast<Duration>(std::chrono::seconds{kMaxSeconds});
    }
    return std::chrono::duration_cast<Duration>(std::chrono::seconds{seconds});
  }
  auto when = parse_http_date(value);
  if (!when || !response_date) return std::nullopt;
  std::int64_t delta = std::clamp<std::int64_t>(*when - *response_date, 0, kMaxSeconds);
  return std::chrono::duration_cast<Duration>(std::chrono::seconds{delta});
}

// A response's Retry-After as a wait (an HTTP-date measured against the
// response's own Date), or nullopt when it has none we can use.
inline std::optional<Duration> retry_after_of(const Response& response) {
  const std::string* value = find_header(response.headers, "Retry-After");
  if (!value) return std::nullopt;
  std::optional<UnixSeconds> date;
  if (const std::string* d = find_header(response.headers, "Date")) date = parse_http_date(*d);
  return parse_retry_after(*value, date);
}

}  // namespace upstate

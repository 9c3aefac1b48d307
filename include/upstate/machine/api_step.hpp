#pragma once
// The one request step every machine that talks to the service shares
// (Upload's steps 1, 2 and 3 and the V3 status, DatasetFetch): an answer or a
// transport failure is classified (go on and parse it / retry the same
// request / refuse with a typed error), and a retry is planned (full-jitter
// backoff, Retry-After as a floor, the deadline, the attempt budget) with a
// note a person reads. Messages are redacted of the token where they are
// made. Pure functions and one small value (RetryBudget): no clock, no I/O.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "../detail/classify.hpp"
#include "../vocabulary/config.hpp"
#include "../vocabulary/error.hpp"
#include "../vocabulary/http.hpp"
#include "../vocabulary/outcome.hpp"
#include "../policy/retry_policy.hpp"
#include "../detail/rng.hpp"
#include "../detail/excerpt.hpp"
#include "../vocabulary/time.hpp"
#include "../wire/error_body.hpp"

namespace upstate {

// "12.3 s", for messages.
template <class Rep, class Period>
std::string seconds_text(std::chrono::duration<Rep, Period> d) {
  auto ms = std::chrono::duration_cast<Duration>(d).count();
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

// A note for a person (a retry, a renewed URL, an odd status), redacted,
// kept while there is room and counted in `dropped` after.
inline void append_note(std::vector<Note>& notes, std::size_t& dropped, Instant at, std::string text,
                        std::string_view token) {
  if (notes.size() >= Outcome::kMaxNotes) {
    ++dropped;
    return;
  }
  notes.push_back(Note{at, redact(std::move(text), token)});
}

// What an answer means before its body is parsed.
struct ParseIt {};                     // 2xx: go on
struct RetryIt {                       // transient: the same request again
  Error cause;                         // retries_exhausted, with what happened, if the budget runs out
  std::optional<Duration> minimum;     // the answer's Retry-After: a floor for the wait
};
struct RefuseIt {                      // final
  Error error;
};
using AnswerMeaning = std::variant<ParseIt, RetryIt, RefuseIt>;

// An API answer (steps 1 and 3, the dataset and its status). `step` names
// the request in messages ("upload_url", "poll", "dataset", ...). A refusal
// carries the server's own message (redacted, excerpted) and error code.
inline AnswerMeaning classify_api_answer(const Response& response, std::string_view step, const UploadConfig& config) {
  const Classification c = classify_api_status(response.status);
  const std::string status = std::to_string(response.status);
  if (c.verdict == Verdict::success) return ParseIt{};
  if (c.verdict == Verdict::retry)
    return RetryIt{Error::answer(ErrorCode::retries_exhausted, response.status,
                                 std::string(step) + " answered HTTP " + status),
                   retry_after_of(response)};
  Error e = Error::answer(c.code, response.status, std::string(step) + " request answered HTTP " + status);
  if (auto body = parse_error_body(response.body, config.limits)) {
    if (body->error_code) e.server_code = std::to_string(*body->error_code);
    if (auto text = body->summary(); !text.empty()) e.message += ": " + printable_excerpt(redact(text, config.token), 600);
  }
  return RefuseIt{std::move(e)};
}

// A transport failure of any request: TLS verification is final (never
// retried), anything else is retried.
inline AnswerMeaning classify_transport_error(const TransportError& error, std::string_view step) {
  std::string what = std::string(step) + " request failed: " + std::string(to_string(error.kind)) +
                     (error.message.empty() ? "" : " (" + printable_excerpt(error.message, 200) + ")");
  if (error.kind == TransportError::Kind::tls) return RefuseIt{Error::of(ErrorCode::tls, std::move(what))};
  if (error.kind == TransportError::Kind::local_file)  // the same bytes are gone: a retry sends no better
    return RefuseIt{Error::of(ErrorCode::file_changed, std::move(what))};
  return RetryIt{Error::of(ErrorCode::retries_exhausted, std::move(what)), std::nullopt};
}

// Consecutive failures of the current request, and what the next retry
// does. A machine resets it when the request succeeds (progress).
class RetryBudget {
 public:
  // Where a retry leads: wait until `Instant`, or end with the Error
  // (retries_exhausted past the budget; deadline_exceeded when the
  // server's Retry-After lands past the deadline, never shortened).
  struct Wait {
    Instant until;
  };
  using Plan = std::variant<Wait, Error>;

  // `notes` / `dropped`: where the "retrying" note goes.
  Plan next(const RetryIt& failure, const RetryPolicy& policy, Rng& rng, Instant now, Instant deadline,
            std::vector<Note>& notes, std::size_t& dropped, std::string_view token) {
    ++failures_;
    if (failures_ >= policy.max_attempts) {
      Error e = failure.cause;
      e.message = std::to_string(failures_) + " attempts failed; last: " + e.message;
      return e;
    }
    Duration wait = policy.backoff(failures_, rng);
    if (failure.minimum) {
      wait = std::max(wait, *failure.minimum);
      // Retry-After is a floor we never shorten; when it lands past the
      // deadline, waiting for it is pointless.
      if (now + *failure.minimum > deadline)
        return Error::deadline("the server asked to wait " + seconds_text(*failure.minimum) + ", past the deadline")
            .with_status(failure.cause.http_status);
    }
    // Announced only when it will happen: a wait that reaches the deadline
    // ends in deadline_exceeded, not in another attempt.
    if (now + wait < deadline)
      append_note(notes, dropped, now,
                  failure.cause.message + "; retrying (attempt " + std::to_string(failures_ + 1) + ")", token);
    return Wait{std::min(now + wait, deadline)};
  }

  void succeeded() noexcept { failures_ = 0; }
  int failures() const noexcept { return failures_; }

 private:
  int failures_ = 0;
};

// The API base as requests use it: without trailing slashes.
inline std::string without_trailing_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace upstate

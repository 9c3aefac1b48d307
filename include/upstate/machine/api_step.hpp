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
#include <vector>

#include "../vocabulary/config.hpp"
#include "../vocabulary/error.hpp"
#include "../vocabulary/http.hpp"
#include "../detail/linkage.hpp"
#include "../vocabulary/outcome.hpp"
#include "../vocabulary/result.hpp"
#include "../policy/retry_policy.hpp"
#include "../detail/rng.hpp"
#include "../vocabulary/time.hpp"

namespace upstate {

// "12.3 s", for messages.
template <class Rep, class Period>
std::string seconds_text(std::chrono::duration<Rep, Period> d) {
  auto ms = std::chrono::duration_cast<Duration>(d).count();
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

// A note for a person (a retry, a renewed URL, an odd status), redacted,
// kept while there is room and counted in `dropped` after.
UPSTATE_DECL void append_note(std::vector<Note>& notes, std::size_t& dropped, Instant at, std::string text,
                              std::string_view token);

// What an answer means before its body is parsed. A struct with a verdict,
// not a std::variant of three: this header is compiled in every user's
// translation unit, and each variant type costs its visitation machinery
// there (bench/compile_time.sh).
struct AnswerMeaning {
  enum class Verdict {
    parse_it,   // 2xx: go on
    retry_it,   // transient: the same request again
    refuse_it,  // final
  };
  Verdict verdict = Verdict::parse_it;
  // retry_it: retries_exhausted, with what happened, if the budget runs out;
  // refuse_it: the final error.
  Error error;
  std::optional<Duration> minimum;  // retry_it: the answer's Retry-After, a floor for the wait

  static AnswerMeaning parse_it() { return AnswerMeaning{}; }
  static AnswerMeaning retry_it(Error cause, std::optional<Duration> minimum) {
    return AnswerMeaning{Verdict::retry_it, std::move(cause), minimum};
  }
  static AnswerMeaning refuse_it(Error error) { return AnswerMeaning{Verdict::refuse_it, std::move(error), {}}; }
  bool parseable() const noexcept { return verdict == Verdict::parse_it; }
};

// An API answer (steps 1 and 3, the dataset and its status). `step` names
// the request in messages ("upload_url", "poll", "dataset", ...). A refusal
// carries the server's own message (redacted, excerpted) and error code.
UPSTATE_DECL AnswerMeaning classify_api_answer(const Response& response, std::string_view step,
                                              const UploadConfig& config);

// A transport failure of any request: TLS verification is final (never
// retried), anything else is retried.
UPSTATE_DECL AnswerMeaning classify_transport_error(const TransportError& error, std::string_view step);

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
  using Plan = Result<Wait>;

  // `failure`: a retry_it meaning. `notes` / `dropped`: where the
  // "retrying" note goes.
  UPSTATE_DECL Plan next(const AnswerMeaning& failure, const RetryPolicy& policy, Rng& rng, Instant now, Instant deadline,
                         std::vector<Note>& notes, std::size_t& dropped, std::string_view token);

  void succeeded() noexcept { failures_ = 0; }
  int failures() const noexcept { return failures_; }

 private:
  int failures_ = 0;
};

// The API base as requests use it: without trailing slashes.
UPSTATE_DECL std::string without_trailing_slashes(std::string s);

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/api_step.ipp>
#endif

#pragma once
// upstate::DatasetFetch — GET {api}/datasets/{dataset_id}, retried per the
// RetryPolicy, as a pure step function like Upload: every event returns the
// next action (Send, Sleep, or DatasetFetched with the parsed Dataset or a
// typed Error). Its states and moves are data (dataset_fetch_transitions.hpp);
// the request step (classify, retry, refuse) is the one Upload uses
// (api_step.hpp). Batch runs one at the end for `total_datapoint_count`; a
// CLI's `--show-dataset` can run it alone (drive_dataset_fetch below).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "../vocabulary/action.hpp"
#include "../detail/api_access.hpp"
#include "api_step.hpp"
#include "../vocabulary/config.hpp"
#include "../detail/linkage.hpp"
#include "dataset_fetch_transitions.hpp"
#include "drive_loop.hpp"
#include "../vocabulary/http.hpp"
#include "../vocabulary/outcome.hpp"
#include "../detail/redaction.hpp"
#include "../vocabulary/result.hpp"
#include "../detail/rng.hpp"
#include "../detail/excerpt.hpp"
#include "../detail/url.hpp"
#include "../wire/dataset.hpp"

namespace upstate {

// The fetch ended: the dataset, or why not.
struct DatasetFetched {
  Result<Dataset> result;
};

using DatasetFetchAction = std::variant<Send, Sleep, DatasetFetched>;

// One move DatasetFetch made (its trace, for tests and debugging).
struct FetchStep {
  Instant at;
  FetchState from;
  FetchTrigger trigger;
  FetchState to;
};

class DatasetFetch {
 public:
  using State = FetchState;
  static constexpr std::size_t kMaxTrace = 256;

  // Uses the config's api_base, token, dataset_id, retry, deadline (from
  // start()), seed, limits and user_agent; the poll policy is not used.
  UPSTATE_DECL explicit DatasetFetch(UploadConfig config);

  // ---- events ------------------------------------------------------------
  // The same five as Upload's (drive_loop.hpp drives both), grouped here by
  // who calls them: the caller, the transport, the timer.

  // The caller: start() begins the deadline and sends GET datasets/{id};
  // cancel() ends it at once (DatasetFetched with a cancelled error).
  UPSTATE_DECL DatasetFetchAction start(Instant now);
  UPSTATE_DECL DatasetFetchAction cancel(Instant now);

  // The transport, with the answer to the Send: a 200 about this dataset
  // ends it (DatasetFetched); a retryable status or no answer at all sleeps
  // and asks again while the retry policy and the deadline allow; anything
  // else ends it with the typed error.
  UPSTATE_DECL DatasetFetchAction on_response(const Response& response, Instant now);
  UPSTATE_DECL DatasetFetchAction on_transport_error(const TransportError& error, Instant now);

  // The timer: the backoff is over; asks again, or ends (timeout) once past
  // the deadline.
  UPSTATE_DECL DatasetFetchAction on_wake(Instant now);

  // ---- observers -----------------------------------------------------------

  State state() const noexcept { return state_; }
  // Set once done.
  const Result<Dataset>* result() const noexcept { return result_ ? &*result_ : nullptr; }
  Instant deadline() const noexcept { return deadline_; }
  // Retries so far (at most RetryPolicy::max_attempts of them).
  const std::vector<Note>& notes() const noexcept { return notes_; }
  int requests_sent() const noexcept { return requests_sent_; }
  const std::vector<FetchStep>& trace() const noexcept { return trace_; }

  static constexpr std::string_view name(State s) noexcept { return to_string(s); }

 private:
  // Every move goes through here: look it up, record it, act on entering.
  UPSTATE_DECL DatasetFetchAction take(FetchTrigger trigger, Instant now);

  // Every event's prologue (as Upload's): a monotonic `now`; once done,
  // the result again; an event the state does not await, misuse.
  UPSTATE_DECL std::optional<DatasetFetchAction> admit(std::optional<Awaits> expected, const char* event, Instant& now);

  UPSTATE_DECL DatasetFetchAction act_on(AnswerMeaning meaning, Instant now);

  UPSTATE_DECL DatasetFetchAction send();

  UPSTATE_DECL DatasetFetchAction finish(FetchTrigger trigger, Error error, Instant now);

  // A caller bug: sticky, as Upload's misuse is.
  UPSTATE_DECL DatasetFetchAction misuse(const char* event, Instant now);

  UPSTATE_DECL DatasetFetchAction done_action() const;

  // The same refusals Upload makes before its first request, minus the file.
  UPSTATE_DECL std::optional<Error> check_inputs() const;

  UPSTATE_DECL Error deadline_error() const;

  Instant observe(Instant now) noexcept { return time_.observe(now); }

  UploadConfig config_;
  Rng rng_;
  State state_ = State::idle;
  Instant deadline_{};
  Instant wake_at_{};
  MonotonicTime time_;  // the caller's clock, never running backwards
  RetryBudget retry_;
  int requests_sent_ = 0;
  Error last_failure_;
  std::vector<Note> notes_;
  std::optional<Result<Dataset>> result_;
  std::vector<FetchStep> trace_;
};

// The blocking loop (drive.hpp's one loop): transport.exchange(const
// Request&) -> Exchange, clock.now(), clock.sleep_until(Instant).
template <class Transport, class ClockT>
Result<Dataset> drive_dataset_fetch(DatasetFetch& fetch, Transport& transport, ClockT& clock) {
  return std::get<DatasetFetched>(drive_machine(fetch, transport, clock, NoObserver{})).result;
}

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/dataset_fetch.ipp>
#endif

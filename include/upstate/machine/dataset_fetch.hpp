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
  explicit DatasetFetch(UploadConfig config) : config_(std::move(config)), rng_(config_.seed) {
    config_.api_base = without_trailing_slashes(std::move(config_.api_base));
  }

  // ---- events ------------------------------------------------------------

  DatasetFetchAction start(Instant now) {
    if (auto early = admit(fetch_state_info(State::idle).awaits, "start", now)) return std::move(*early);
    deadline_ = std::min(now + config_.deadline, config_.not_after);
    if (auto refusal = check_inputs()) return finish(FetchTrigger::refused_locally, std::move(*refusal), now);
    return take(FetchTrigger::start, now);
  }

  DatasetFetchAction on_response(const Response& response, Instant now) {
    if (auto early = admit(fetch_state_info(State::fetching).awaits, "on_response", now)) return std::move(*early);
    AnswerMeaning meaning = classify_api_answer(response, "dataset", config_);
    if (!std::holds_alternative<ParseIt>(meaning)) return act_on(std::move(meaning), now);
    auto parsed = parse_dataset(response.body, config_.limits);
    if (!parsed) return finish(FetchTrigger::fetched, std::move(parsed).error().with_status(response.status), now);
    if (parsed->id != config_.dataset_id)
      return finish(FetchTrigger::fetched,
                    Error::malformed("$.id", "the answer is about dataset '" +
                                                 printable_excerpt(redact(parsed->id, config_.token), 80) + "', not '" +
                                                 printable_excerpt(config_.dataset_id, 80) + "'")
                        .with_status(response.status),
                    now);
    result_ = std::move(parsed).value();
    redact_in(result_->value(), config_.token);  // --show-dataset prints its name and schema
    return take(FetchTrigger::fetched, now);
  }

  DatasetFetchAction on_transport_error(const TransportError& error, Instant now) {
    if (auto early = admit(fetch_state_info(State::fetching).awaits, "on_transport_error", now)) return std::move(*early);
    return act_on(classify_transport_error(error, "dataset"), now);
  }

  DatasetFetchAction on_wake(Instant now) {
    if (auto early = admit(fetch_state_info(State::backoff).awaits, "on_wake", now)) return std::move(*early);
    if (now < wake_at_) return Sleep{wake_at_};  // spurious: nothing changes
    if (now >= deadline_) return finish(FetchTrigger::deadline, deadline_error(), now);
    return take(FetchTrigger::wake, now);
  }

  DatasetFetchAction cancel(Instant now) {
    if (auto early = admit(std::nullopt, "cancel", now)) return std::move(*early);
    return finish(FetchTrigger::cancel, Error::cancelled(), now);
  }

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
  DatasetFetchAction take(FetchTrigger trigger, Instant now) {
    auto to = next_state(state_, trigger);
    if (!to) {
      // Our bug, not the caller's: a defined end all the same.
      result_ = Error::internal("no transition for " + std::string(to_string(trigger)) + " in state " +
                                std::string(to_string(state_)));
      to = State::done;
    }
    if (trace_.size() < kMaxTrace) trace_.push_back(FetchStep{now, state_, trigger, *to});
    state_ = *to;
    switch (state_) {
      case State::fetching: return send();
      case State::backoff: return Sleep{wake_at_};
      default: return done_action();
    }
  }

  // Every event's prologue (as Upload's): a monotonic `now`; once done,
  // the result again; an event the state does not await, misuse.
  std::optional<DatasetFetchAction> admit(std::optional<Awaits> expected, const char* event, Instant& now) {
    now = observe(now);
    if (state_ == State::done) return done_action();
    if (expected && fetch_state_info(state_).awaits != *expected) return misuse(event, now);
    return std::nullopt;
  }

  DatasetFetchAction act_on(AnswerMeaning meaning, Instant now) {
    if (auto* refused = std::get_if<RefuseIt>(&meaning))
      return finish(FetchTrigger::refused, std::move(refused->error), now);
    const RetryIt& failure = std::get<RetryIt>(meaning);
    last_failure_ = failure.cause;
    std::size_t dropped = 0;  // the notes are capped; a fetch never gets near the cap
    RetryBudget::Plan plan =
        retry_.next(failure, config_.retry, rng_, now, deadline_, notes_, dropped, config_.token);
    if (auto* end = std::get_if<Error>(&plan))
      return finish(end->code == ErrorCode::deadline_exceeded ? FetchTrigger::deadline
                                                              : FetchTrigger::retries_exhausted,
                    std::move(*end), now);
    wake_at_ = std::get<RetryBudget::Wait>(plan).until;
    return take(FetchTrigger::retry, now);
  }

  DatasetFetchAction send() {
    ++requests_sent_;
    return Send{Request{Purpose::dataset, "GET", dataset_url(config_), api_headers_for(config_), std::nullopt}};
  }

  DatasetFetchAction finish(FetchTrigger trigger, Error error, Instant now) {
    redact_in(error, config_.token);
    result_ = std::move(error);
    return take(trigger, now);
  }

  // A caller bug: sticky, as Upload's misuse is.
  DatasetFetchAction misuse(const char* event, Instant now) {
    return finish(FetchTrigger::misuse,
                  Error::usage(std::string("can't handle ") + event + " in state " + std::string(name(state_))), now);
  }

  DatasetFetchAction done_action() const { return DatasetFetched{*result_}; }

  // The same refusals Upload makes before its first request, minus the file.
  std::optional<Error> check_inputs() const {
    if (auto bad = check_dataset_id(config_)) return bad;
    return check_api_access(config_);
  }

  Error deadline_error() const {
    return Error::deadline("the deadline passed while fetching the dataset; last: " + last_failure_.message)
        .with_status(last_failure_.http_status);
  }

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

#pragma once
// upstate::DatasetFetch — GET {api}/datasets/{dataset_id}, retried per the
// RetryPolicy, as a pure step function like Upload: every event returns the
// next action (Send, Sleep, or DatasetFetched with the parsed Dataset or a
// typed Error). Batch runs one at the end for `total_datapoint_count`; a
// CLI's `--show-dataset` can run it alone (drive_dataset_fetch below).
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "action.hpp"
#include "api_access.hpp"
#include "classify.hpp"
#include "config.hpp"
#include "http.hpp"
#include "http_date.hpp"
#include "outcome.hpp"
#include "redaction.hpp"
#include "result.hpp"
#include "retry_policy.hpp"
#include "rng.hpp"
#include "text.hpp"
#include "url.hpp"
#include "wire/dataset.hpp"
#include "wire/error_body.hpp"

namespace upstate {

// The fetch ended: the dataset, or why not.
struct DatasetFetched {
  Result<Dataset> result;
};

using DatasetFetchAction = std::variant<Send, Sleep, DatasetFetched>;

class DatasetFetch {
 public:
  enum class State {
    idle,      // constructed, not started
    fetching,  // the GET is out, awaiting its answer
    backoff,   // waiting to repeat it
    done,      // terminal; every later event returns the same DatasetFetched
  };

  // Uses the config's api_base, token, dataset_id, retry, deadline (from
  // start()), seed, limits and user_agent; the poll policy is not used.
  explicit DatasetFetch(UploadConfig config) : config_(std::move(config)), rng_(config_.seed) {
    while (!config_.api_base.empty() && config_.api_base.back() == '/') config_.api_base.pop_back();
  }

  // ---- events ------------------------------------------------------------

  DatasetFetchAction start(Instant now) {
    now = observe(now);
    if (state_ != State::idle) return misuse("start");
    deadline_ = now + config_.deadline;
    if (auto refusal = check_inputs()) return finish(std::move(*refusal));
    return send();
  }

  DatasetFetchAction on_response(const Response& response, Instant now) {
    now = observe(now);
    if (state_ == State::done) return done_action();
    if (state_ != State::fetching) return misuse("on_response");
    Classification c = classify_api_status(response.status);
    if (c.verdict == Verdict::retry) {
      last_failure_ = Error{ErrorCode::retries_exhausted, response.status,
                            "dataset request answered HTTP " + std::to_string(response.status), "", ""};
      return retry(retry_after_of(response), now);
    }
    if (c.verdict != Verdict::success) return finish(api_error(c.code, response));
    auto parsed = parse_dataset(response.body, config_.limits);
    if (!parsed) {
      Error e = std::move(parsed).error();
      e.http_status = response.status;
      return finish(std::move(e));
    }
    if (parsed->id != config_.dataset_id)
      return finish(Error{ErrorCode::malformed_answer, response.status,
                          "the answer is about dataset '" + printable_excerpt(redact(parsed->id, config_.token), 80) + "', not '" +
                              printable_excerpt(config_.dataset_id, 80) + "'",
                          "$.id", ""});
    return finish(std::move(parsed).value());
  }

  DatasetFetchAction on_transport_error(const TransportError& error, Instant now) {
    now = observe(now);
    if (state_ == State::done) return done_action();
    if (state_ != State::fetching) return misuse("on_transport_error");
    std::string what = "dataset request failed: " + std::string(to_string(error.kind)) +
                       (error.message.empty() ? "" : " (" + printable_excerpt(error.message, 200) + ")");
    if (error.kind == TransportError::Kind::tls) return finish(Error{ErrorCode::tls, 0, std::move(what), "", ""});
    last_failure_ = Error{ErrorCode::retries_exhausted, 0, std::move(what), "", ""};
    return retry(std::nullopt, now);
  }

  DatasetFetchAction on_wake(Instant now) {
    now = observe(now);
    if (state_ == State::done) return done_action();
    if (state_ != State::backoff) return misuse("on_wake");
    if (now < wake_at_) return Sleep{wake_at_};  // spurious: nothing changes
    if (now >= deadline_) return finish(deadline_error());
    return send();
  }

  DatasetFetchAction cancel(Instant now) {
    observe(now);
    if (state_ == State::done) return done_action();
    return finish(Error{ErrorCode::cancelled, 0, "cancelled by the caller", "", ""});
  }

  // ---- observers -----------------------------------------------------------

  State state() const noexcept { return state_; }
  // Set once done.
  const Result<Dataset>* result() const noexcept { return result_ ? &*result_ : nullptr; }
  Instant deadline() const noexcept { return deadline_; }
  // Retries so far (at most RetryPolicy::max_attempts of them).
  const std::vector<Note>& notes() const noexcept { return notes_; }
  int requests_sent() const noexcept { return requests_sent_; }

  static constexpr std::string_view name(State s) noexcept {
    switch (s) {
      case State::idle: return "idle";
      case State::fetching: return "fetching";
      case State::backoff: return "backoff";
      case State::done: return "done";
    }
    return "?";
  }

 private:
  DatasetFetchAction send() {
    state_ = State::fetching;
    ++requests_sent_;
    return Send{Request{Purpose::dataset, "GET", config_.api_base + "/datasets/" + percent_encode_segment(config_.dataset_id),
                        api_headers_for(config_), std::nullopt}};
  }

  DatasetFetchAction retry(std::optional<Duration> minimum, Instant now) {
    ++failures_;
    if (failures_ >= config_.retry.max_attempts) {
      Error e = last_failure_;
      e.message = std::to_string(failures_) + " attempts failed; last: " + e.message;
      return finish(std::move(e));
    }
    Duration wait = config_.retry.backoff(failures_, rng_);
    if (minimum) {
      // Retry-After is a floor; past the deadline, waiting for it is pointless.
      if (now + *minimum > deadline_)
        return finish(Error{ErrorCode::deadline_exceeded, last_failure_.http_status,
                            "the server asked to wait past the deadline", "", ""});
      wait = std::max(wait, *minimum);
    }
    // Announced only when it will happen (not when the wait reaches the deadline).
    if (notes_.size() < Outcome::kMaxNotes && now + wait < deadline_)
      notes_.push_back(Note{now, redact(last_failure_.message + "; retrying (attempt " +
                                            std::to_string(failures_ + 1) + ")",
                                        config_.token)});
    wake_at_ = std::min(now + wait, deadline_);
    state_ = State::backoff;
    return Sleep{wake_at_};
  }

  DatasetFetchAction finish(Result<Dataset> result) {
    if (!result) {
      Error e = result.error();
      redact_in(e, config_.token);
      result = std::move(e);
    } else {
      redact_in(result.value(), config_.token);  // --show-dataset prints its name and schema
    }
    result_ = std::move(result);
    state_ = State::done;
    return done_action();
  }

  // A caller bug: sticky, as Upload's misuse is.
  DatasetFetchAction misuse(const char* event) {
    return finish(Error{ErrorCode::usage, 0,
                        std::string("can't handle ") + event + " in state " + std::string(name(state_)), "", ""});
  }

  DatasetFetchAction done_action() const { return DatasetFetched{*result_}; }

  // The same refusals Upload makes before its first request, minus the file.
  std::optional<Error> check_inputs() const {
    auto invalid = [](std::string message) { return Error{ErrorCode::invalid_argument, 0, std::move(message), "", ""}; };
    if (!is_safe_segment(config_.dataset_id))
      return invalid("dataset id must be non-empty, not '.' or '..', and hold no NUL byte");
    return check_api_access(config_);
  }

  Error api_error(ErrorCode code, const Response& response) const {
    Error e{code, response.status, "dataset request answered HTTP " + std::to_string(response.status), "", ""};
    if (auto body = parse_error_body(response.body, config_.limits)) {
      if (body->error_code) e.server_code = std::to_string(*body->error_code);
      if (auto text = body->summary(); !text.empty()) e.message += ": " + printable_excerpt(redact(text, config_.token), 600);
    }
    return e;
  }

  Error deadline_error() const {
    return Error{ErrorCode::deadline_exceeded, last_failure_.http_status,
                 "the deadline passed while fetching the dataset; last: " + last_failure_.message, "", ""};
  }

  Instant observe(Instant now) noexcept { return time_.observe(now); }

  UploadConfig config_;
  Rng rng_;
  State state_ = State::idle;
  Instant deadline_{};
  Instant wake_at_{};
  MonotonicTime time_;  // the caller's clock, never running backwards
  int failures_ = 0;
  int requests_sent_ = 0;
  Error last_failure_;
  std::vector<Note> notes_;
  std::optional<Result<Dataset>> result_;
};

constexpr std::string_view to_string(DatasetFetch::State s) noexcept { return DatasetFetch::name(s); }

// The blocking loop (drive.hpp's contract): transport.exchange(const
// Request&) -> Exchange, clock.now(), clock.sleep_until(Instant).
template <class Transport, class ClockT>
Result<Dataset> drive_dataset_fetch(DatasetFetch& fetch, Transport& transport, ClockT& clock) {
  DatasetFetchAction action = fetch.start(clock.now());
  for (;;) {
    if (auto* send = std::get_if<Send>(&action)) {
      Exchange result = transport.exchange(send->request);
      if (auto* response = std::get_if<Response>(&result))
        action = fetch.on_response(*response, clock.now());
      else
        action = fetch.on_transport_error(std::get<TransportError>(result), clock.now());
    } else if (auto* sleep = std::get_if<Sleep>(&action)) {
      clock.sleep_until(sleep->until);
      action = fetch.on_wake(clock.now());
    } else {
      return std::get<DatasetFetched>(std::move(action)).result;
    }
  }
}

}  // namespace upstate

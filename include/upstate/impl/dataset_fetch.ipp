#pragma once
// The bodies of DatasetFetch (<upstate/machine/dataset_fetch.hpp>; see
// detail/linkage.hpp): its events and the steps they take.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <upstate/machine/dataset_fetch.hpp>

namespace upstate {

UPSTATE_DECL DatasetFetch::DatasetFetch(UploadConfig config) : config_(std::move(config)), rng_(config_.seed) {
  config_.api_base = without_trailing_slashes(std::move(config_.api_base));
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::start(Instant now) {
  if (auto early = admit(fetch_state_info(State::idle).awaits, "start", now)) return std::move(*early);
  deadline_ = std::min(now + config_.deadline, config_.not_after);
  if (auto refusal = check_inputs()) return finish(FetchTrigger::refused_locally, std::move(*refusal), now);
  return take(FetchTrigger::start, now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::on_response(const Response& response, Instant now) {
  if (auto early = admit(fetch_state_info(State::fetching).awaits, "on_response", now)) return std::move(*early);
  AnswerMeaning meaning = classify_api_answer(response, "dataset", config_);
  if (!meaning.parseable()) return act_on(std::move(meaning), now);
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

UPSTATE_DECL DatasetFetchAction DatasetFetch::on_transport_error(const TransportError& error, Instant now) {
  if (auto early = admit(fetch_state_info(State::fetching).awaits, "on_transport_error", now)) return std::move(*early);
  return act_on(classify_transport_error(error, "dataset"), now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::on_wake(Instant now) {
  if (auto early = admit(fetch_state_info(State::backoff).awaits, "on_wake", now)) return std::move(*early);
  if (now < wake_at_) return Sleep{wake_at_};  // spurious: nothing changes
  if (now >= deadline_) return finish(FetchTrigger::deadline, deadline_error(), now);
  return take(FetchTrigger::wake, now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::cancel(Instant now) {
  if (auto early = admit(std::nullopt, "cancel", now)) return std::move(*early);
  return finish(FetchTrigger::cancel, Error::cancelled(), now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::take(FetchTrigger trigger, Instant now) {
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

UPSTATE_DECL std::optional<DatasetFetchAction> DatasetFetch::admit(std::optional<Awaits> expected, const char* event, Instant& now) {
  now = observe(now);
  if (state_ == State::done) return done_action();
  if (expected && fetch_state_info(state_).awaits != *expected) return misuse(event, now);
  return std::nullopt;
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::act_on(AnswerMeaning meaning, Instant now) {
  if (meaning.verdict == AnswerMeaning::Verdict::refuse_it)
    return finish(FetchTrigger::refused, std::move(meaning.error), now);
  const AnswerMeaning& failure = meaning;  // retry_it
  last_failure_ = failure.error;
  std::size_t dropped = 0;  // the notes are capped; a fetch never gets near the cap
  RetryBudget::Plan plan =
      retry_.next(failure, config_.retry, rng_, now, deadline_, notes_, dropped, config_.token);
  if (!plan.ok()) {
    Error end = std::move(plan).error();
    const FetchTrigger trigger =
        end.code == ErrorCode::deadline_exceeded ? FetchTrigger::deadline : FetchTrigger::retries_exhausted;
    return finish(trigger, std::move(end), now);
  }
  wake_at_ = plan.value().until;
  return take(FetchTrigger::retry, now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::done_action() const { return DatasetFetched{*result_}; }

UPSTATE_DECL DatasetFetchAction DatasetFetch::send() {
  ++requests_sent_;
  return Send{Request{Purpose::dataset, "GET", dataset_url(config_), api_headers_for(config_), std::nullopt}};
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::finish(FetchTrigger trigger, Error error, Instant now) {
  redact_in(error, config_.token);
  result_ = std::move(error);
  return take(trigger, now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::misuse(const char* event, Instant now) {
  return finish(FetchTrigger::misuse,
                Error::usage(std::string("can't handle ") + event + " in state " + std::string(name(state_))), now);
}

UPSTATE_DECL std::optional<Error> DatasetFetch::check_inputs() const {
  if (auto bad = check_dataset_id(config_)) return bad;
  return check_api_access(config_);
}

UPSTATE_DECL Error DatasetFetch::deadline_error() const {
  return Error::deadline("the deadline passed while fetching the dataset; last: " + last_failure_.message)
      .with_status(last_failure_.http_status);
}

}  // namespace upstate

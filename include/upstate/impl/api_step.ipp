#pragma once
// The bodies of the API request step (<upstate/machine/api_step.hpp>; see
// detail/linkage.hpp): classifying an answer or a transport failure, and
// planning a retry.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <upstate/detail/classify.hpp>
#include <upstate/detail/excerpt.hpp>
#include <upstate/detail/redaction.hpp>
#include <upstate/machine/api_step.hpp>
#include <upstate/wire/error_body.hpp>

namespace upstate {

UPSTATE_DECL void append_note(std::vector<Note>& notes, std::size_t& dropped, Instant at, std::string text,
                              std::string_view token) {
  if (notes.size() >= Outcome::kMaxNotes) {
    ++dropped;
    return;
  }
  notes.push_back(Note{at, redact(std::move(text), token)});
}

UPSTATE_DECL AnswerMeaning classify_api_answer(const Response& response, std::string_view step, const UploadConfig& config) {
  const Classification c = classify_api_status(response.status);
  const std::string status = std::to_string(response.status);
  if (c.verdict == Verdict::success) return AnswerMeaning::parse_it();
  if (c.verdict == Verdict::retry)
    return AnswerMeaning::retry_it(Error::answer(ErrorCode::retries_exhausted, response.status,
                                                 std::string(step) + " answered HTTP " + status),
                                   retry_after_of(response));
  Error e = Error::answer(c.code, response.status, std::string(step) + " request answered HTTP " + status);
  if (auto body = parse_error_body(response.body, config.limits)) {
    if (body->error_code) e.server_code = std::to_string(*body->error_code);
    if (auto text = body->summary(); !text.empty()) e.message += ": " + printable_excerpt(redact(text, config.token), 600);
  }
  return AnswerMeaning::refuse_it(std::move(e));
}

UPSTATE_DECL AnswerMeaning classify_transport_error(const TransportError& error, std::string_view step) {
  std::string what = std::string(step) + " request failed: " + std::string(to_string(error.kind)) +
                     (error.message.empty() ? "" : " (" + printable_excerpt(error.message, 200) + ")");
  if (error.kind == TransportError::Kind::tls) return AnswerMeaning::refuse_it(Error::of(ErrorCode::tls, std::move(what)));
  if (error.kind == TransportError::Kind::local_file)  // the same bytes are gone: a retry sends no better
    return AnswerMeaning::refuse_it(Error::of(ErrorCode::file_changed, std::move(what)));
  return AnswerMeaning::retry_it(Error::of(ErrorCode::retries_exhausted, std::move(what)), std::nullopt);
}

UPSTATE_DECL RetryBudget::Plan RetryBudget::next(const AnswerMeaning& failure, const RetryPolicy& policy, Rng& rng,
                                                 Instant now, Instant deadline, std::vector<Note>& notes,
                                                 std::size_t& dropped, std::string_view token) {
  ++failures_;
  if (failures_ >= policy.max_attempts) {
    Error e = failure.error;
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
          .with_status(failure.error.http_status);
  }
  // Announced only when it will happen: a wait that reaches the deadline
  // ends in deadline_exceeded, not in another attempt.
  if (now + wait < deadline)
    append_note(notes, dropped, now,
                failure.error.message + "; retrying (attempt " + std::to_string(failures_ + 1) + ")", token);
  return Wait{std::min(now + wait, deadline)};
}

UPSTATE_DECL std::string without_trailing_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace upstate

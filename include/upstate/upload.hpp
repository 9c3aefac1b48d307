#pragma once
// upstate::Upload — one file through the three-step flow, as a pure step
// function: every event (with the time it happened) returns the one action
// the caller performs next. No sockets, files, clocks or random devices:
// the caller moves bytes and reads its clock; the config seeds the jitter.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "action.hpp"
#include "classify.hpp"
#include "config.hpp"
#include "http.hpp"
#include "http_date.hpp"
#include "presigned_url.hpp"
#include "rng.hpp"
#include "text.hpp"
#include "transitions.hpp"
#include "url.hpp"
#include "wire/error_body.hpp"
#include "wire/import_report.hpp"
#include "wire/s3_error.hpp"
#include "wire/upload_url.hpp"

namespace upstate {

// One move the machine made, for tests and for people debugging a run.
struct Step {
  Instant at;
  State from;
  Trigger trigger;
  State to;
};

class Upload {
 public:
  static constexpr std::size_t kMaxTrace = 4096;

  Upload(UploadConfig config, FileInfo file)
      : config_(std::move(config)), file_(std::move(file)), rng_(config_.seed) {
    while (!config_.api_base.empty() && config_.api_base.back() == '/') config_.api_base.pop_back();
  }

  // ---- events ------------------------------------------------------------

  Action start(Instant now) {
    now = observe(now);
    if (state_ != State::idle) return misuse("start", now);
    deadline_ = now + config_.deadline;
    if (auto refusal = check_inputs()) return finish(Trigger::refused_locally, std::move(*refusal), now);
    return take(Trigger::start, now);
  }

  Action on_response(const Response& response, Instant now) {
    now = observe(now);
    if (state_ == State::done) return done_action();
    if (state_info(state_).awaits != Awaits::response) return misuse("on_response", now);
    switch (state_) {
      case State::requesting_url: return on_url_answer(response, now);
      case State::uploading: return on_upload_answer(response, now);
      default: return on_poll_answer(response, now);
    }
  }

  Action on_transport_error(const TransportError& error, Instant now) {
    now = observe(now);
    if (state_ == State::done) return done_action();
    if (state_info(state_).awaits != Awaits::response) return misuse("on_transport_error", now);
    std::string what = std::string(to_string(current_purpose())) + " request failed: " +
                       std::string(to_string(error.kind)) +
                       (error.message.empty() ? "" : " (" + printable_excerpt(error.message, 200) + ")");
    if (error.kind == TransportError::Kind::tls)
      return finish(refused_trigger(), Error{ErrorCode::tls, 0, what, "", ""}, now);
    last_failure_ = Error{ErrorCode::retries_exhausted, 0, what, "", ""};
    return retry(retry_trigger(), std::nullopt, now);
  }

  Action on_wake(Instant now) {
    now = observe(now);
    if (state_ == State::done) return done_action();
    if (state_info(state_).awaits != Awaits::wake) return misuse("on_wake", now);
    if (now < wake_at_) return Sleep{wake_at_};  // spurious: nothing changes
    if (state_ == State::upload_backoff && url_expired_at(now)) return renew_url(now);
    return take(Trigger::wake, now);
  }

  Action cancel(Instant now) {
    now = observe(now);
    if (state_ == State::done) return done_action();
    return finish(Trigger::cancel, Error{ErrorCode::cancelled, 0, "cancelled by the caller", "", ""}, now);
  }

  // ---- observers ---------------------------------------------------------

  State state() const noexcept { return state_; }
  Phase phase() const noexcept { return phase_of(state_); }
  const Outcome* outcome() const noexcept { return state_ == State::done ? &outcome_ : nullptr; }
  Instant deadline() const noexcept { return deadline_; }
  const std::string& import_id() const noexcept { return import_id_; }
  std::optional<ImportStatus> last_status() const noexcept { return last_status_; }
  const std::vector<Step>& trace() const noexcept { return trace_; }
  // Retries, renewals and odd statuses so far (the same list the outcome gets).
  const std::vector<Note>& notes() const noexcept { return outcome_.notes; }
  const FileInfo& file() const noexcept { return file_; }

 private:
  // ---- the table ---------------------------------------------------------

  // Every move goes through here: look the move up, record it, then act on
  // entering the new state.
  Action take(Trigger trigger, Instant now) {
    auto to = next_state(state_, trigger);
    if (!to) {
      // A move the table lacks is our own bug, not the caller's; still a
      // defined outcome rather than UB.
      outcome_.result = Error{ErrorCode::usage, 0,
                              "internal: no transition for " + std::string(to_string(trigger)) + " in state " +
                                  std::string(to_string(state_)),
                              "", ""};
      to = State::done;
    }
    if (trace_.size() < kMaxTrace) trace_.push_back(Step{now, state_, trigger, *to});
    state_ = *to;
    return enter(now);
  }

  Action enter(Instant now) {
    if (state_ == State::done) return done_action();
    // Nothing continues past the deadline; a wait is cut to it.
    if (now >= deadline_) return finish(Trigger::deadline, deadline_error(), now);
    switch (state_) {
      case State::requesting_url: return send(upload_url_request());
      case State::uploading:
        if (url_expired_at(now)) return renew_url(now);
        return send(upload_request());
      case State::polling: return send(poll_request());
      default: return Sleep{wake_at_};
    }
  }

  Action finish(Trigger trigger, Error error, Instant now) {
    error.message = redact(std::move(error.message), config_.token);
    outcome_.result = std::move(error);
    return take(trigger, now);
  }

  Action misuse(const char* event, Instant now) {
    return finish(Trigger::misuse,
                  Error{ErrorCode::usage, 0,
                        std::string("can't handle ") + event + " in state " + std::string(to_string(state_)), "", ""},
                  now);
  }

  Action done_action() {
    outcome_.import_id = import_id_;
    outcome_.abandoned_import_ids = abandoned_;
    return Done{outcome_};
  }

  // ---- step 1 ------------------------------------------------------------

  Action on_url_answer(const Response& response, Instant now) {
    Classification c = classify_api_status(response.status);
    if (c.verdict == Verdict::retry) return retry_after_answer(Trigger::url_retry, response, now);
    if (c.verdict != Verdict::success) return finish(Trigger::url_refused, api_error(c.code, response), now);

    auto parsed = parse_upload_url_answer(response.body, config_.limits);
    if (!parsed) return finish(Trigger::url_refused, with_status(parsed.error(), response.status), now);
    UploadUrlAnswer& answer = parsed.value();
    if (auto problem = check_url_answer(answer, response.status)) return finish(Trigger::url_refused, *problem, now);

    auto url = parse_url(answer.upload_url);
    PresignedUrlInfo info = inspect_presigned_url(*url);
    if (!import_id_.empty()) abandoned_.push_back(import_id_);
    import_id_ = *answer.import_id;
    upload_url_ = std::move(answer.upload_url);
    content_type_ = answer.content_type ? *answer.content_type : std::string(content_type_for(file_.name));
    url_expires_at_ = local_expiry(info, response, now);
    failures_ = 0;
    return take(Trigger::url_received, now);
  }

  std::optional<Error> check_url_answer(const UploadUrlAnswer& a, int status) const {
    auto bad = [&](ErrorCode code, std::string message, std::string path) {
      return Error{code, status, std::move(message), std::move(path), ""};
    };
    if (!a.import_id)
      return bad(ErrorCode::legacy_dataset,
                 "the answer has no import_id: a V3 (legacy) dataset, which this version does not drive", "$.import_id");
    if (!is_safe_segment(*a.import_id) || a.import_id->size() > 256)
      return bad(ErrorCode::malformed_answer, "import_id is not a usable path segment", "$.import_id");
    if (!iequals(a.http_method, "PUT"))
      return bad(ErrorCode::unsupported_upload_method,
                 "the service asks for an upload with " + printable_excerpt(a.http_method, 32) + "; only PUT is supported",
                 "$.http_method");
    auto url = parse_url(a.upload_url);
    if (!url) return bad(ErrorCode::malformed_answer, "upload_url is not an absolute http(s) URL", "$.upload_url");
    if (a.content_type && (a.content_type->empty() || !is_safe_header_value(*a.content_type) || a.content_type->size() > 256))
      return bad(ErrorCode::malformed_answer, "content_type is not a usable header value", "$.content_type");
    for (const auto& h : inspect_presigned_url(*url).signed_headers) {
      // We can reproduce these exactly; any other signed header (x-amz-*,
      // content-md5) has a value we were never told, so S3 would refuse.
      if (h != "host" && h != "content-type" && h != "content-length")
        return bad(ErrorCode::unsigned_header_required,
                   "the upload URL signs header '" + printable_excerpt(h, 64) + "' whose value the answer does not give",
                   "$.upload_url");
    }
    return std::nullopt;
  }

  // The URL's expiry in our own clock: its wall-clock expiry minus the
  // answer's `Date` (or the signing time) is how long it has left.
  std::optional<Instant> local_expiry(const PresignedUrlInfo& info, const Response& response, Instant now) const {
    if (!info.expires_at) return std::nullopt;
    std::optional<UnixSeconds> reference;
    if (const std::string* date = find_header(response.headers, "Date")) reference = parse_http_date(*date);
    if (!reference) reference = info.signed_at;
    if (!reference) return std::nullopt;
    std::int64_t left = std::clamp<std::int64_t>(*info.expires_at - *reference, 0, 7 * 86400);
    return now + std::chrono::seconds{left};
  }

  bool url_expired_at(Instant now) const { return url_expires_at_ && now >= *url_expires_at_; }

  Action renew_url(Instant now) {
    if (renewals_ >= config_.retry.max_url_renewals)
      return finish(Trigger::renewals_exhausted,
                    Error{ErrorCode::upload_url_expired, last_upload_status_,
                          "the upload URL expired " + std::to_string(renewals_ + 1) + " times; giving up", "", ""},
                    now);
    ++renewals_;
    note(now, "upload URL for import " + import_id_ + " expired; requesting a new one");
    return take(Trigger::url_expired, now);
  }

  // ---- step 2 ------------------------------------------------------------

  Action on_upload_answer(const Response& response, Instant now) {
    last_upload_status_ = response.status;
    std::optional<S3Error> xml;
    if (response.status < 200 || response.status > 299) {
      auto parsed = parse_s3_error(response.body, config_.limits);
      if (parsed) xml = std::move(parsed.value());
    }
    Classification c = classify_upload_answer(response.status, xml ? &*xml : nullptr, url_expired_at(now));
    switch (c.verdict) {
      case Verdict::success:
        upload_accepted_at_ = now;
        failures_ = 0;
        return take(Trigger::upload_accepted, now);
      case Verdict::retry:
        if (xml) last_failure_server_code_ = xml->code;
        return retry_after_answer(Trigger::upload_retry, response, now);
      case Verdict::renew_url:
        return renew_url(now);
      case Verdict::final:
        break;
    }
    Error e{c.code, response.status, "", "", xml ? xml->code : ""};
    if (xml) {
      e.message = "upload host refused the file: " + printable_excerpt(xml->code, 64) + ": " +
                  printable_excerpt(xml->message, 200);
      if (c.code == ErrorCode::signature_mismatch)
        e.message += "; we sent Content-Type '" + printable_excerpt(content_type_, 100) +
                     "' and no other signed header: the URL was altered or signed for other values";
    } else {
      e.message = "upload host answered HTTP " + std::to_string(response.status);
    }
    return finish(Trigger::upload_refused, std::move(e), now);
  }

  // ---- step 3 ------------------------------------------------------------

  Action on_poll_answer(const Response& response, Instant now) {
    Classification c = classify_api_status(response.status);
    if (c.verdict == Verdict::retry) return retry_after_answer(Trigger::poll_retry, response, now);
    if (c.verdict != Verdict::success) return finish(Trigger::poll_refused, api_error(c.code, response), now);

    auto parsed = parse_import_report(response.body, config_.limits);
    if (!parsed) return finish(Trigger::poll_refused, with_status(parsed.error(), response.status), now);
    ImportReport& report = parsed.value();
    if (report.import_id != import_id_)
      return finish(Trigger::poll_refused,
                    Error{ErrorCode::malformed_answer, response.status,
                          "the answer is about import '" + printable_excerpt(report.import_id, 80) + "', not '" +
                              import_id_ + "'",
                          "$.import_id", ""},
                    now);
    failures_ = 0;
    track_status(report.status, now);
    if (is_terminal(report.status)) {
      outcome_.result = std::move(report);
      return take(Trigger::import_terminal, now);
    }
    if (report.status == ImportStatus::uninitialised && now - upload_accepted_at_ >= config_.poll.stuck_after)
      return finish(Trigger::import_stuck,
                    Error{ErrorCode::import_stuck, response.status,
                          "the import is still uninitialised " + seconds_text(now - upload_accepted_at_) +
                              " after the upload host accepted the file",
                          "", ""},
                    now);
    Duration wait = config_.poll.delay(same_status_polls_, rng_);
    if (auto minimum = retry_after(response)) wait = std::max(wait, *minimum);
    return wait_then(Trigger::import_pending, wait, now);
  }

  void track_status(ImportStatus status, Instant now) {
    auto rank = [](ImportStatus s) { return static_cast<int>(s); };
    if (last_status_ && status != *last_status_) {
      if (!is_terminal(status) && rank(status) < rank(*last_status_))
        note(now, "status went backwards: " + std::string(to_string(*last_status_)) + " -> " +
                      std::string(to_string(status)));
      same_status_polls_ = 0;
      status_since_ = now;
      stuck_noted_ = false;
    } else if (last_status_) {
      ++same_status_polls_;
    } else {
      status_since_ = now;
    }
    last_status_ = status;
    if (!stuck_noted_ && !is_terminal(status) && now - status_since_ >= config_.poll.stuck_after) {
      stuck_noted_ = true;
      note(now, "status has been " + std::string(to_string(status)) + " for " + seconds_text(now - status_since_) +
                    " (stuck?)");
    }
  }

  // ---- retries and waits ---------------------------------------------------

  Action retry_after_answer(Trigger retry_trigger, const Response& response, Instant now) {
    std::string cause = std::string(to_string(current_purpose())) + " answered HTTP " + std::to_string(response.status);
    last_failure_ = Error{ErrorCode::retries_exhausted, response.status, cause, "", last_failure_server_code_};
    last_failure_server_code_.clear();
    return retry(retry_trigger, retry_after(response), now);
  }

  Action retry(Trigger retry_trigger, std::optional<Duration> minimum, Instant now) {
    ++failures_;
    if (failures_ >= config_.retry.max_attempts) {
      Error e = last_failure_;
      e.message = std::to_string(failures_) + " attempts failed; last: " + e.message;
      return finish(Trigger::retries_exhausted, std::move(e), now);
    }
    note(now, last_failure_.message + "; retrying (attempt " + std::to_string(failures_ + 1) + ")");
    Duration wait = config_.retry.backoff(failures_, rng_);
    if (minimum) {
      wait = std::max(wait, *minimum);
      // Retry-After is a floor we never shorten; when it lands past the
      // deadline, waiting for it is pointless.
      if (now + *minimum > deadline_)
        return finish(Trigger::deadline,
                      Error{ErrorCode::deadline_exceeded, last_failure_.http_status,
                            "the server asked to wait " + seconds_text(*minimum) + ", past the deadline", "", ""},
                      now);
    }
    return wait_then(retry_trigger, wait, now);
  }

  Action wait_then(Trigger trigger, Duration wait, Instant now) {
    wake_at_ = std::min(now + wait, deadline_);
    return take(trigger, now);
  }

  std::optional<Duration> retry_after(const Response& response) const {
    const std::string* value = find_header(response.headers, "Retry-After");
    if (!value) return std::nullopt;
    std::optional<UnixSeconds> date;
    if (const std::string* d = find_header(response.headers, "Date")) date = parse_http_date(*d);
    return parse_retry_after(*value, date);
  }

  // ---- requests ----------------------------------------------------------

  Action send(Request request) {
    ++outcome_.requests_sent;
    return Send{std::move(request)};
  }

  Headers api_headers() const {
    return {{"Authorization", "Token " + config_.token},
            {"Accept", "application/json"},
            {"User-Agent", config_.user_agent}};
  }

  std::string dataset_url() const { return config_.api_base + "/datasets/" + percent_encode_segment(config_.dataset_id); }

  Request upload_url_request() const {
    return Request{Purpose::upload_url, "GET", dataset_url() + "/upload-url/" + percent_encode_segment(file_.name),
                   api_headers(), std::nullopt};
  }

  // No Authorization here, ever: the presigned URL is the credential, and
  // S3 refuses a request that carries two.
  Request upload_request() const {
    return Request{Purpose::upload, "PUT", upload_url_,
                   {{"Content-Type", content_type_}, {"User-Agent", config_.user_agent}}, FileBody{file_.size}};
  }

  Request poll_request() const {
    return Request{Purpose::poll, "GET", dataset_url() + "/imports/" + percent_encode_segment(import_id_),
                   api_headers(), std::nullopt};
  }

  // ---- helpers -------------------------------------------------------------

  std::optional<Error> check_inputs() const {
    auto invalid = [](std::string message) { return Error{ErrorCode::invalid_argument, 0, std::move(message), "", ""}; };
    if (!is_safe_segment(config_.dataset_id))
      return invalid("dataset id must be non-empty, not '.' or '..', and hold no NUL byte");
    if (!is_safe_segment(file_.name)) return invalid("file name must be non-empty, not '.' or '..', and hold no NUL byte");
    if (file_.size > kMaxSinglePutBytes)
      return Error{ErrorCode::file_too_large, 0,
                   "the file has " + std::to_string(file_.size) + " bytes; one upload takes at most 5 GiB", "", ""};
    if (config_.token.empty() || !is_safe_header_value(config_.token))
      return invalid("the API token is empty or holds a line break");
    if (!is_safe_header_value(config_.user_agent)) return invalid("the user agent holds a line break");
    auto base = parse_url(config_.api_base);
    if (!base || !base->query.empty()) return invalid("the API base is not an absolute http(s) URL without a query");
    if (!base->is_https() && !is_loopback_host(base->host) && !config_.allow_insecure_api)
      return invalid("refusing to send the API token over plain http to a non-loopback host");
    return std::nullopt;
  }

  Error api_error(ErrorCode code, const Response& response) const {
    Error e{code, response.status, "", "", ""};
    std::string what = std::string(to_string(current_purpose())) + " request answered HTTP " +
                       std::to_string(response.status);
    auto body = parse_error_body(response.body, config_.limits);
    if (body) {
      if (body->error_code) e.server_code = std::to_string(*body->error_code);
      if (!body->message.empty()) what += ": " + printable_excerpt(redact(body->message, config_.token), 300);
    }
    e.message = std::move(what);
    return e;
  }

  static Error with_status(Error e, int status) {
    e.http_status = status;
    return e;
  }

  Error deadline_error() const {
    return Error{ErrorCode::deadline_exceeded, 0,
                 "the deadline of " + seconds_text(config_.deadline) + " passed during " +
                     std::string(to_string(phase_of(state_))),
                 "", ""};
  }

  Purpose current_purpose() const noexcept {
    switch (state_) {
      case State::uploading:
      case State::upload_backoff: return Purpose::upload;
      case State::polling:
      case State::poll_wait: return Purpose::poll;
      default: return Purpose::upload_url;
    }
  }

  Trigger retry_trigger() const noexcept {
    switch (current_purpose()) {
      case Purpose::upload: return Trigger::upload_retry;
      case Purpose::poll: return Trigger::poll_retry;
      default: return Trigger::url_retry;
    }
  }

  Trigger refused_trigger() const noexcept {
    switch (current_purpose()) {
      case Purpose::upload: return Trigger::upload_refused;
      case Purpose::poll: return Trigger::poll_refused;
      default: return Trigger::url_refused;
    }
  }

  void note(Instant now, std::string text) {
    if (outcome_.notes.size() >= Outcome::kMaxNotes) {
      ++outcome_.notes_dropped;
      return;
    }
    outcome_.notes.push_back(Note{now, redact(std::move(text), config_.token)});
  }

  template <class Rep, class Period>
  static std::string seconds_text(std::chrono::duration<Rep, Period> d) {
    auto ms = std::chrono::duration_cast<Duration>(d).count();
    return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
  }

  // The machine's own time never runs backwards: a caller's clock that
  // jumps back is treated as standing still.
  Instant observe(Instant now) {
    if (seen_time_ && now < last_now_) return last_now_;
    seen_time_ = true;
    last_now_ = now;
    return now;
  }

  UploadConfig config_;
  FileInfo file_;
  Rng rng_;

  State state_ = State::idle;
  Instant deadline_{};
  Instant wake_at_{};
  Instant last_now_{};
  bool seen_time_ = false;

  std::string import_id_;
  std::vector<std::string> abandoned_;
  std::string upload_url_;
  std::string content_type_;
  std::optional<Instant> url_expires_at_;
  int renewals_ = 0;
  int failures_ = 0;  // consecutive failures of the current step
  int last_upload_status_ = 0;
  Error last_failure_;
  std::string last_failure_server_code_;

  Instant upload_accepted_at_{};
  std::optional<ImportStatus> last_status_;
  Instant status_since_{};
  int same_status_polls_ = 0;
  bool stuck_noted_ = false;

  Outcome outcome_;
  std::vector<Step> trace_;
};

}  // namespace upstate

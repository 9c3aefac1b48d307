#pragma once
// The bodies of Upload (<upstate/machine/upload.hpp>; see detail/linkage.hpp):
// its events, and the steps that classify an answer into a row of the
// table (upload_transitions.hpp) and carry the row out.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <upstate/detail/classify.hpp>
#include <upstate/detail/excerpt.hpp>
#include <upstate/detail/http_date.hpp>
#include <upstate/detail/legacy_freshness.hpp>
#include <upstate/detail/presigned_url.hpp>
#include <upstate/detail/redaction.hpp>
#include <upstate/detail/upload_scheme.hpp>
#include <upstate/detail/url.hpp>
#include <upstate/detail/url_expiry.hpp>
#include <upstate/machine/upload.hpp>
#include <upstate/wire/dataset_status.hpp>
#include <upstate/wire/import_report.hpp>
#include <upstate/wire/s3_error.hpp>
#include <upstate/wire/upload_url.hpp>

namespace upstate {

UPSTATE_DECL Upload::Upload(UploadConfig config, FileInfo file)
    : config_(std::move(config)), file_(std::move(file)), rng_(config_.seed) {
  config_.api_base = without_trailing_slashes(std::move(config_.api_base));
}

UPSTATE_DECL Upload Upload::resume_import(UploadConfig config, std::string import_id) {
  Upload up{std::move(config), FileInfo{}};
  up.import_id_ = std::move(import_id);
  up.state_ = State::idle_uploaded;
  return up;
}

UPSTATE_DECL Upload Upload::resume_legacy(UploadConfig config) {
  Upload up{std::move(config), FileInfo{}};
  up.said_v3_ = true;
  up.state_ = State::idle_uploaded_v3;
  return up;
}

UPSTATE_DECL Action Upload::start(Instant now) {
  if (auto early = admit(Awaits::start, "start", now)) return std::move(*early);
  deadline_ = std::min(now + config_.deadline, config_.not_after);
  if (auto refusal = check_inputs()) return finish(Trigger::refused_locally, std::move(*refusal), now);
  if (state_ != State::idle) {
    // Resumed: the PUT (if any) happened in another process, so the stuck
    // timer starts now.
    upload_accepted_at_ = now;
    status_since_ = now;
  }
  return take(state_info(state_).starts_with, now);
}

UPSTATE_DECL Action Upload::on_response(const Response& response, Instant now) {
  if (auto early = admit(Awaits::response, "on_response", now)) return std::move(*early);
  // Which answer this is: the table's `sends` column of the state.
  switch (*state_info(state_).sends) {
    case Purpose::upload_url: return on_url_answer(response, now);
    case Purpose::upload: return on_upload_answer(response, now);
    case Purpose::poll: return on_poll_answer(response, now);
    case Purpose::dataset_status: return on_status_answer(response, now);
    case Purpose::dataset: break;
  }
  return internal_error("no answer handler in state " + std::string(to_string(state_)), now);
}

UPSTATE_DECL Action Upload::on_transport_error(const TransportError& error, Instant now) {
  if (auto early = admit(Awaits::response, "on_transport_error", now)) return std::move(*early);
  return act_on(classify_transport_error(error, to_string(current_purpose())), now);
}

UPSTATE_DECL Action Upload::on_wake(Instant now) {
  if (auto early = admit(Awaits::wake, "on_wake", now)) return std::move(*early);
  if (now < wake_at_) return Sleep{wake_at_};  // spurious: nothing changes
  // A wake is one row: `wake`, or — when the URL's own expiry passed
  // while waiting to repeat the PUT (the state's `step` column) — `url_expired`
  // (renewals_exhausted).
  if (state_info(state_).step == Purpose::upload && url_expired_at(now)) return renew_url(now);
  return take(Trigger::wake, now);
}

UPSTATE_DECL Action Upload::cancel(Instant now) {
  if (auto early = admit(std::nullopt, "cancel", now)) return std::move(*early);
  return finish(Trigger::cancel, Error::cancelled(), now);
}

UPSTATE_DECL Action Upload::take(Trigger trigger, Instant now) {
  auto to = next_state(state_, trigger);
  if (!to) {
    // A move the table lacks is our own bug, not the caller's; still a
    // defined outcome rather than UB.
    outcome_.result = Error::internal("no transition for " + std::string(to_string(trigger)) + " in state " +
                                      std::string(to_string(state_)));
    to = State::done;
  }
  ended_in_ = state_;
  if (*to != State::done && now >= deadline_) {
    ended_in_ = *to;  // the run got as far as the state it was entering
    // Waiting for a schema, the real outcome is the paused import's report.
    if (state_ == State::schema_wait && paused_report_)
      outcome_.result = *paused_report_;
    else
      outcome_.result = deadline_error(phase_of(*to));
    trigger = Trigger::deadline;
    to = State::done;
  }
  if (trace_.size() < kMaxTrace) trace_.push_back(Step{now, state_, trigger, *to});
  state_ = *to;
  return enter();
}

UPSTATE_DECL Action Upload::enter() {
  if (state_ == State::done) return done_action();
  if (auto purpose = state_info(state_).sends) return send(request_for(*purpose));
  return Sleep{wake_at_};
}

UPSTATE_DECL std::optional<Action> Upload::admit(std::optional<Awaits> expected, const char* event, Instant& now) {
  now = observe(now);
  if (state_ == State::done) return done_action();
  if (expected && state_info(state_).awaits != *expected) return misuse(event, now);
  return std::nullopt;
}

UPSTATE_DECL Action Upload::finish(Trigger trigger, Error error, Instant now) {
  redact_in(error, config_.token);
  outcome_.result = std::move(error);
  return take(trigger, now);
}

UPSTATE_DECL Action Upload::misuse(const char* event, Instant now) {
  return finish(Trigger::misuse,
                Error::usage(std::string("can't handle ") + event + " in state " + std::string(to_string(state_))),
                now);
}

UPSTATE_DECL Action Upload::internal_error(std::string what, Instant now) {
  outcome_.result = Error::internal(redact(std::move(what), config_.token));
  ended_in_ = state_;
  if (trace_.size() < kMaxTrace) trace_.push_back(Step{now, state_, Trigger::misuse, State::done});
  state_ = State::done;
  return done_action();
}

UPSTATE_DECL Action Upload::done_action() {
  outcome_.import_id = import_id_;
  outcome_.abandoned_import_ids = abandoned_;
  return Done{outcome_};
}

UPSTATE_DECL Action Upload::on_url_answer(const Response& response, Instant now) {
  if (auto moved = unless_parseable(response, now)) return std::move(*moved);

  auto parsed = parse_upload_url_answer(response.body, config_.limits);
  if (!parsed) return finish(Trigger::url_refused, with_status(parsed.error(), response.status), now);
  UploadUrlAnswer& answer = parsed.value();
  // Parsed and inspected once, for the checks and for the expiry.
  std::optional<PresignedUrlInfo> info;
  const std::optional<Url> url = parse_url(answer.upload_url);
  if (url) info = inspect_presigned_url(*url);
  if (auto problem = check_url_answer(answer, info ? &*info : nullptr, response.status))
    return finish(Trigger::url_refused, *problem, now);
  if (auto problem = check_upload_scheme(*url, config_, response.status))
    return finish(Trigger::url_refused, *problem, now);

  if (!import_id_.empty()) abandoned_.push_back(import_id_);
  const bool v3 = !answer.import_id;
  said_v3_ = v3;
  import_id_ = answer.import_id.value_or("");
  upload_url_ = std::move(answer.upload_url);
  content_type_ = answer.content_type ? *answer.content_type : std::string(content_type_for(file_.name));
  url_expires_at_ = local_expiry(url_wall_expiry(answer.expires_at, *info), *info, response, now);
  retry_.succeeded();
  // A URL that arrives already expired is renewed at once: one row
  // (requesting_url --url_expired--> requesting_url), not a move into
  // uploading and straight back. Past the deadline, the deadline wins.
  if (url_expired_at(now) && now < deadline_) return renew_url(now);
  return take(v3 ? Trigger::legacy_url_received : Trigger::url_received, now);
}

UPSTATE_DECL std::optional<Error> Upload::check_url_answer(const UploadUrlAnswer& a, const PresignedUrlInfo* info, int status) const {
  auto bad = [&](ErrorCode code, std::string message, std::string path) {
    return Error::of(code, std::move(message)).at(std::move(path)).with_status(status);
  };
  // No import_id: a V3 dataset, which takes .csv and .zip only. Refused
  // here, before a byte is sent, rather than by the service afterwards.
  if (!a.import_id && !iends_with(file_.name, ".csv") && !iends_with(file_.name, ".zip"))
    return bad(ErrorCode::legacy_dataset,
               "the answer has no import_id, so the dataset is a V3 (legacy) one, which takes .csv and .zip "
               "files only; '" + printable_excerpt(file_.name, 100) + "' is neither",
               "");
  if (a.import_id && !detail::usable_import_id(*a.import_id))
    return bad(ErrorCode::malformed_answer,
               "import_id is not a usable path segment (empty, '.', '..', over 256 bytes or holding a control byte)",
               "$.import_id");
  // Import ids go into snapshots (state files on disk): a server that
  // echoes the token there must not get it written down.
  if (a.import_id && redact(*a.import_id, config_.token) != *a.import_id)
    return bad(ErrorCode::malformed_answer, "import_id holds the API token", "$.import_id");
  if (!iequals(a.http_method, "PUT"))
    return bad(ErrorCode::unsupported_upload_method,
               "the service asks for an upload with " + printable_excerpt(a.http_method, 32) + "; only PUT is supported",
               "$.http_method");
  if (!info)
    return bad(ErrorCode::malformed_answer, "upload_url is not an absolute http(s) URL with a valid host name",
               "$.upload_url");
  if (a.content_type && (a.content_type->empty() || !is_safe_header_value(*a.content_type) || a.content_type->size() > 256))
    return bad(ErrorCode::malformed_answer, "content_type is not a usable header value", "$.content_type");
  for (const auto& h : info->signed_headers) {
    // We can reproduce these exactly; any other signed header (x-amz-*,
    // content-md5) has a value we were never told, so S3 would refuse.
    if (h != "host" && h != "content-type" && h != "content-length")
      return bad(ErrorCode::unsigned_header_required,
                 "the upload URL signs header '" + printable_excerpt(h, 64) + "' whose value the answer does not give",
                 "$.upload_url");
  }
  return std::nullopt;
}

UPSTATE_DECL std::optional<Instant> Upload::local_expiry(std::optional<UnixSeconds> expires_at, const PresignedUrlInfo& info,
                                                         const Response& response, Instant now) const {
  if (!expires_at) return std::nullopt;
  std::optional<UnixSeconds> reference;
  if (const std::string* date = find_header(response.headers, "Date")) reference = parse_http_date(*date);
  if (!reference) reference = info.signed_at;
  if (!reference) return std::nullopt;
  std::int64_t left = std::clamp<std::int64_t>(*expires_at - *reference, 0, 7 * 86400);
  return now + std::chrono::seconds{left};
}

UPSTATE_DECL Action Upload::renew_url(Instant now) {
  if (renewals_ >= config_.retry.max_url_renewals)
    return finish(Trigger::renewals_exhausted,
                  Error::of(ErrorCode::upload_url_expired,
                            "the upload URL expired " + std::to_string(renewals_ + 1) + " times; giving up")
                      .with_status(last_upload_status_),
                  now);
  ++renewals_;
  note(now, legacy() ? std::string("upload URL expired; requesting a new one")
                     : "upload URL for import " + import_id_ + " expired; requesting a new one");
  return take(Trigger::url_expired, now);
}

UPSTATE_DECL Action Upload::on_upload_answer(const Response& response, Instant now) {
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
      first_status_since_put_.reset();
      retry_.succeeded();
      return take(Trigger::upload_accepted, now);  // uploading_v3: the dataset's status is polled next
    case Verdict::retry:
      return retry(AnswerMeaning::retry_it(Error::answer(ErrorCode::retries_exhausted, response.status,
                                                         "upload answered HTTP " + std::to_string(response.status),
                                                         xml ? xml->code : ""),
                                           retry_after_of(response)),
                   now);
    case Verdict::renew_url:
      return renew_url(now);
    case Verdict::final:
      break;
  }
  Error e = Error::answer(c.code, response.status, "", xml ? xml->code : "");
  if (xml) {
    // Redacted before the cut: a token straddling it would leak in part.
    e.message = "upload host refused the file: " + printable_excerpt(redact(xml->code, config_.token), 64) + ": " +
                printable_excerpt(redact(xml->message, config_.token), 200);
    if (c.code == ErrorCode::signature_mismatch)
      e.message += "; we sent Content-Type '" + printable_excerpt(redact(content_type_, config_.token), 100) +
                   "' and no other signed header: the URL was altered or signed for other values";
  } else {
    e.message = "upload host answered HTTP " + std::to_string(response.status);
  }
  return finish(Trigger::upload_refused, std::move(e), now);
}

UPSTATE_DECL Action Upload::on_poll_answer(const Response& response, Instant now) {
  if (auto moved = unless_parseable(response, now)) return std::move(*moved);

  auto parsed = parse_import_report(response.body, config_.limits);
  if (!parsed) return finish(Trigger::poll_refused, with_status(parsed.error(), response.status), now);
  ImportReport& report = parsed.value();
  if (report.import_id != import_id_)
    return finish(Trigger::poll_refused,
                  Error::malformed("$.import_id", "the answer is about import '" +
                                                      printable_excerpt(redact(report.import_id, config_.token), 80) + "', not '" +
                                                      import_id_ + "'")
                      .with_status(response.status),
                  now);
  retry_.succeeded();
  // A probe (a resumed upload whose PUT answer was never seen):
  // `uninitialised` means the bytes never arrived (S3 keeps an object
  // whole or not at all), anything else that they did.
  if (state_ == State::probing && report.status == ImportStatus::uninitialised) return start_over(now);
  track_status(report.status, now);
  server_progress_ = server_progress_of(report, config_.token);
  // pending_schema is a pause: with keep_polling the same import is
  // polled slowly (a probe first learns only that the PUT landed).
  if (report.status == ImportStatus::pending_schema && state_ == State::polling &&
      config_.poll.on_pending_schema == OnPendingSchema::keep_polling) {
    redact_in(report, config_.token);
    paused_report_ = std::move(report);
    wake_at_ = std::min(now + config_.poll.paused_interval, deadline_);
    return take(Trigger::import_paused, now);
  }
  if (state_ == State::probing && report.status == ImportStatus::pending_schema &&
      config_.poll.on_pending_schema == OnPendingSchema::keep_polling)
    return wait_then(Trigger::import_pending, config_.poll.delay(0, rng_), now);
  if (is_terminal(report.status)) {
    redact_in(report, config_.token);  // a server echoing the token in a reason must not get it printed
    outcome_.result = std::move(report);
    return take(Trigger::import_terminal, now);
  }
  return pending(report.status == ImportStatus::uninitialised, "the import is still uninitialised", response, now);
}

UPSTATE_DECL Action Upload::start_over(Instant now) {
  note(now, "import " + import_id_ + " never received the file (still uninitialised); requesting a new upload URL");
  abandoned_.push_back(std::move(import_id_));
  import_id_.clear();
  last_status_.reset();
  return take(Trigger::import_unstarted, now);
}

UPSTATE_DECL Action Upload::pending(bool unstarted, const char* still, const Response& response, Instant now,
                                    Trigger trigger) {
  if (unstarted && now - upload_accepted_at_ >= config_.poll.stuck_after)
    return finish(Trigger::import_stuck,
                  Error::of(ErrorCode::import_stuck, std::string(still) + " " +
                                                         seconds_text(now - upload_accepted_at_) +
                                                         " after the upload host accepted the file")
                      .with_status(response.status),
                  now);
  Duration wait = config_.poll.delay(same_status_polls_, rng_);
  if (auto minimum = retry_after_of(response)) wait = std::max(wait, *minimum);
  return wait_then(trigger, wait, now);
}

UPSTATE_DECL Action Upload::on_status_answer(const Response& response, Instant now) {
  if (auto moved = unless_parseable(response, now)) return std::move(*moved);

  auto parsed = parse_dataset_status_answer(response.body, config_.limits);
  if (!parsed) return finish(Trigger::poll_refused, with_status(parsed.error(), response.status), now);
  DatasetStatusAnswer& answer = parsed.value();
  retry_.succeeded();
  last_dataset_status_ = answer.status;
  track_status(to_import_status(answer.status), now);
  // Until the status moves since the PUT (confirming_status), a READY or
  // ERROR may be the previous file's (legacy_freshness.hpp).
  if (state_ == State::confirming_status) {
    if (!first_status_since_put_) first_status_since_put_ = answer.status;
    if (!legacy_status_is_ours(answer.status, first_status_since_put_, upload_accepted_at_, now,
                               config_.poll.legacy_settle)) {
      if (!stale_noted_)
        note(now, "the dataset's status is " + std::string(to_string(answer.status)) +
                      " and has not changed since the upload: it may be the previous file's; waiting up to " +
                      seconds_text(config_.poll.legacy_settle) + " for a change");
      stale_noted_ = true;
      return pending(false, "", response, now, Trigger::status_unconfirmed);
    }
  }
  if (is_terminal(answer.status)) {
    ImportReport report = legacy_report(std::move(answer));
    redact_in(report, config_.token);
    outcome_.result = std::move(report);
    return take(Trigger::import_terminal, now);
  }
  return pending(answer.status == DatasetStatus::uninitialised, "the dataset's status is still UNINITIALISED",
                 response, now);
}

UPSTATE_DECL ImportReport Upload::legacy_report(DatasetStatusAnswer answer) const {
  ImportReport r;
  r.dataset_id = config_.dataset_id;
  r.type = "legacy_dataset";
  r.status = to_import_status(answer.status);
  if (answer.status == DatasetStatus::error)
    r.reason = answer.reason ? std::move(answer.reason) : std::string("the service gave no reason");
  return r;
}

UPSTATE_DECL void Upload::track_status(ImportStatus status, Instant now) {
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

UPSTATE_DECL std::optional<Action> Upload::unless_parseable(const Response& response, Instant now) {
  AnswerMeaning meaning = classify_api_answer(response, to_string(current_purpose()), config_);
  if (meaning.parseable()) return std::nullopt;
  return act_on(std::move(meaning), now);
}

UPSTATE_DECL Action Upload::act_on(AnswerMeaning meaning, Instant now) {
  if (meaning.verdict == AnswerMeaning::Verdict::retry_it) return retry(meaning, now);
  if (meaning.verdict == AnswerMeaning::Verdict::refuse_it)
    return finish(state_info(state_).on_refusal, std::move(meaning.error), now);
  return internal_error("an answer to parse reached act_on in state " + std::string(to_string(state_)), now);
}

UPSTATE_DECL Action Upload::retry(const AnswerMeaning& failure, Instant now) {
  RetryBudget::Plan plan =
      retry_.next(failure, config_.retry, rng_, now, deadline_, outcome_.notes, outcome_.notes_dropped, config_.token);
  if (!plan.ok()) {
    Error end = std::move(plan).error();
    const Trigger trigger = end.code == ErrorCode::deadline_exceeded ? Trigger::deadline : Trigger::retries_exhausted;
    return finish(trigger, std::move(end), now);
  }
  wake_at_ = plan.value().until;
  return take(state_info(state_).on_retry, now);
}

UPSTATE_DECL Action Upload::wait_then(Trigger trigger, Duration wait, Instant now) {
  wake_at_ = std::min(now + wait, deadline_);
  return take(trigger, now);
}

UPSTATE_DECL Action Upload::send(Request request) {
  ++outcome_.requests_sent;
  return Send{std::move(request)};
}

UPSTATE_DECL Request Upload::request_for(Purpose purpose) {
  switch (purpose) {
    case Purpose::upload_url: return upload_url_request();
    case Purpose::upload: return upload_request();
    case Purpose::poll: return poll_request();
    case Purpose::dataset_status: return status_request();
    case Purpose::dataset: break;
  }
  return status_request();  // unreachable: no Upload state sends the dataset request
}

UPSTATE_DECL Request Upload::upload_url_request() const {
  return Request{Purpose::upload_url, "GET", dataset_url() + "/upload-url/" + percent_encode_segment(file_.name),
                 api_headers(), std::nullopt};
}

UPSTATE_DECL Request Upload::upload_request() const {
  return Request{Purpose::upload, "PUT", upload_url_,
                 {{"Content-Type", content_type_}, {"User-Agent", config_.user_agent}}, FileBody{file_.size}};
}

UPSTATE_DECL Request Upload::poll_request() {
  if (poll_url_import_ != import_id_ || poll_url_.empty()) {
    poll_url_ = dataset_url() + "/imports/" + percent_encode_segment(import_id_);
    poll_url_import_ = import_id_;
  }
  return Request{Purpose::poll, "GET", poll_url_, api_headers(), std::nullopt};
}

UPSTATE_DECL Request Upload::status_request() const {
  return Request{Purpose::dataset_status, "GET", dataset_url() + "/status", api_headers(), std::nullopt};
}

UPSTATE_DECL std::optional<Error> Upload::check_inputs() const {
  if (auto bad = check_dataset_id(config_)) return bad;
  if (state_info(state_).reached != Reached::upload) {
    if (!is_safe_segment(file_.name))
      return Error::invalid_argument("file name must be non-empty, not '.' or '..', and hold no NUL byte");
    if (file_.size > kMaxSinglePutBytes)
      return Error::of(ErrorCode::file_too_large,
                       "the file has " + std::to_string(file_.size) + " bytes; one upload takes at most 5 GiB");
  }
  // The V4 resumed states poll an import by its id.
  if (state_info(state_).track == Track::v4 && !detail::usable_import_id(import_id_))
    return Error::invalid_argument("the import id to resume must be a non-empty path segment of at most 256 bytes");
  return check_api_access(config_);
}

UPSTATE_DECL Error Upload::with_status(Error e, int status) {
  e.http_status = status;
  return e;
}

UPSTATE_DECL Error Upload::deadline_error(Phase phase) const {
  return Error::deadline("the deadline of " + seconds_text(config_.deadline) + " passed during " +
                         std::string(to_string(phase)));
}

UPSTATE_DECL void Upload::note(Instant now, std::string text) {
  append_note(outcome_.notes, outcome_.notes_dropped, now, std::move(text), config_.token);
}

}  // namespace upstate

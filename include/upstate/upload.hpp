#pragma once
// upstate::Upload — one file through the three-step flow, as a pure step
// function: every event (with the time it happened) returns the one action
// the caller performs next. No sockets, files, clocks or random devices:
// the caller moves bytes and reads its clock; the config seeds the jitter.
//
// A V3 (legacy) dataset — step 1 answers without `import_id` — takes its own
// step 3: after the PUT the dataset's status is polled until READY or ERROR,
// and the outcome is an ImportReport (complete / failed, type
// "legacy_dataset", no import id).
//
// snapshot() / restore() carry an upload across processes (a state file);
// resume_import() polls an import some earlier process started.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "action.hpp"
#include "api_access.hpp"
#include "classify.hpp"
#include "config.hpp"
#include "http.hpp"
#include "http_date.hpp"
#include "legacy_freshness.hpp"
#include "presigned_url.hpp"
#include "redaction.hpp"
#include "rng.hpp"
#include "server_progress.hpp"
#include "text.hpp"
#include "transitions.hpp"
#include "upload_scheme.hpp"
#include "upload_snapshot.hpp"
#include "url.hpp"
#include "url_expiry.hpp"
#include "wire/dataset_status.hpp"
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
    config_.api_base = without_trailing_slashes(std::move(config_.api_base));
  }

  // ---- across processes ----------------------------------------------------

  // A machine that only polls `import_id` of config.dataset_id (a V4 import
  // whose PUT some earlier process completed): start() sends the poll. The
  // file is unknown and never needed; an unusable id is refused by start()
  // (invalid_argument), like every other input.
  static Upload resume_import(UploadConfig config, std::string import_id) {
    Upload up{std::move(config), FileInfo{}};
    up.import_id_ = std::move(import_id);
    up.progress_ = Progress::upload_accepted;
    return up;
  }

  // The same for a V3 (legacy) dataset: start() polls its status.
  static Upload resume_legacy(UploadConfig config) {
    Upload up{std::move(config), FileInfo{}};
    up.legacy_ = true;
    up.progress_ = Progress::upload_accepted;
    return up;
  }

  // How far this upload got, as JSON (upload_snapshot.hpp has the format):
  // never the token, the presigned URL or a clock reading. Valid in every
  // state; a driver writes it after each action to survive being killed.
  std::string snapshot() const { return to_json(snapshot_value()); }

  // A machine that continues a snapshot in this process. Its start(now)
  // begins a new deadline and then: after an accepted PUT, polls; with a URL
  // but no accepted PUT (V4), polls the import once — if it never got the
  // file (still `uninitialised`) the import is abandoned and step 1 runs
  // again, otherwise the PUT did land and polling goes on; before that (or
  // V3), starts at step 1. Errors (invalid_snapshot, with the JSON path):
  // anything parse_upload_snapshot refuses, and a snapshot of another
  // dataset or API base than `config`'s.
  static Result<Upload> restore(UploadConfig config, std::string_view snapshot) {
    const std::string token = config.token;
    auto parsed = parse_upload_snapshot(snapshot);
    if (!parsed) {
      Error e = std::move(parsed).error();
      e.message = redact(std::move(e.message), token);
      return e;
    }
    UploadSnapshot& s = parsed.value();
    Upload up{std::move(config), std::move(s.file)};
    auto mismatch = [&](const char* path, const char* what, std::string_view theirs, std::string_view ours) {
      return Error{ErrorCode::invalid_snapshot, 0,
                   redact(std::string("the snapshot is for ") + what + " \"" + printable_excerpt(theirs, 200) +
                              "\", the config names \"" + printable_excerpt(ours, 200) + "\"",
                          token),
                   path, ""};
    };
    if (without_trailing_slashes(s.api_base) != up.config_.api_base)
      return mismatch("$.api_base", "API base", s.api_base, up.config_.api_base);
    if (s.dataset_id != up.config_.dataset_id)
      return mismatch("$.dataset_id", "dataset", s.dataset_id, up.config_.dataset_id);
    // Step 1 refuses an import id that echoes the token; so does a restore,
    // or a forged snapshot would get the token into the next one.
    auto echoes_token = [&](const std::string& id) { return redact(id, token) != id; };
    auto token_error = [](std::string path) {
      return Error{ErrorCode::invalid_snapshot, 0, "the import id holds the API token", std::move(path), ""};
    };
    if (echoes_token(s.import_id)) return token_error("$.import_id");
    for (std::size_t i = 0; i < s.abandoned_import_ids.size(); ++i)
      if (echoes_token(s.abandoned_import_ids[i]))
        return token_error(detail::element_path("$.abandoned_import_ids", i));
    up.legacy_ = s.legacy;
    up.import_id_ = std::move(s.import_id);
    up.abandoned_ = std::move(s.abandoned_import_ids);
    switch (s.phase) {
      case SnapshotPhase::not_started:
      case SnapshotPhase::requesting_url: up.progress_ = Progress::none; break;
      case SnapshotPhase::uploading: up.progress_ = Progress::url_received; break;
      case SnapshotPhase::processing: up.progress_ = Progress::upload_accepted; break;
    }
    up.last_dataset_status_ = s.last_dataset_status;
    // A non-terminal status polled before the crash: the dataset had moved on to this file.
    if (s.last_dataset_status) up.legacy_freshness_.accepts(*s.last_dataset_status, Instant{}, Instant{}, Duration{1});
    up.last_status_ = s.last_dataset_status ? std::optional(to_import_status(*s.last_dataset_status))
                                            : s.last_import_status;
    return up;
  }

  // ---- events ------------------------------------------------------------

  Action start(Instant now) {
    now = observe(now);
    if (state_ != State::idle) return misuse("start", now);
    deadline_ = now + config_.deadline;
    const Trigger how = start_trigger();
    if (auto refusal = check_inputs(how)) return finish(Trigger::refused_locally, std::move(*refusal), now);
    if (how == Trigger::start) {
      progress_ = Progress::none;
    } else {
      // Resumed: the PUT (if any) happened in another process, so the stuck
      // timer starts now; a PUT whose answer was lost is probed first.
      probing_ = progress_ == Progress::url_received;
      upload_accepted_at_ = now;
      status_since_ = now;
    }
    return take(how, now);
  }

  Action on_response(const Response& response, Instant now) {
    now = observe(now);
    if (state_ == State::done) return done_action();
    if (state_info(state_).awaits != Awaits::response) return misuse("on_response", now);
    switch (state_) {
      case State::requesting_url: return on_url_answer(response, now);
      case State::uploading: return on_upload_answer(response, now);
      case State::polling_status: return on_status_answer(response, now);
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
  // V3 uploads report their dataset status here too, as the import status
  // it corresponds to (READY is complete, ERROR failed).
  std::optional<ImportStatus> last_status() const noexcept { return last_status_; }
  // Whether step 1 said this is a V3 (legacy) dataset (or the snapshot did).
  bool legacy() const noexcept { return legacy_; }
  std::optional<DatasetStatus> last_dataset_status() const noexcept { return last_dataset_status_; }
  // The service's own progress figures from the last poll (server_progress.hpp);
  // nullopt when the last answer had none.
  const std::optional<ServerProgress>& server_progress() const noexcept { return server_progress_; }
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
      case State::polling_status: return send(status_request());
      default: return Sleep{wake_at_};
    }
  }

  Action finish(Trigger trigger, Error error, Instant now) {
    redact_in(error, config_.token);
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
    // Parsed and inspected once, for the checks and for the expiry.
    std::optional<PresignedUrlInfo> info;
    const std::optional<Url> url = parse_url(answer.upload_url);
    if (url) info = inspect_presigned_url(*url);
    if (auto problem = check_url_answer(answer, info ? &*info : nullptr, response.status))
      return finish(Trigger::url_refused, *problem, now);
    if (auto problem = check_upload_scheme(*url, config_, response.status))
      return finish(Trigger::url_refused, *problem, now);

    if (!import_id_.empty()) abandoned_.push_back(import_id_);
    legacy_ = !answer.import_id;
    import_id_ = answer.import_id.value_or("");
    progress_ = Progress::url_received;
    upload_url_ = std::move(answer.upload_url);
    content_type_ = answer.content_type ? *answer.content_type : std::string(content_type_for(file_.name));
    url_expires_at_ = local_expiry(url_wall_expiry(answer.expires_at, *info), *info, response, now);
    failures_ = 0;
    return take(Trigger::url_received, now);
  }

  // `info` is null when upload_url is not an absolute http(s) URL.
  std::optional<Error> check_url_answer(const UploadUrlAnswer& a, const PresignedUrlInfo* info, int status) const {
    auto bad = [&](ErrorCode code, std::string message, std::string path) {
      return Error{code, status, std::move(message), std::move(path), ""};
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

  // The URL's expiry in our own clock: its wall-clock expiry (url_expiry.hpp)
  // minus the answer's `Date` (or the signing time) is how long it has left.
  std::optional<Instant> local_expiry(std::optional<UnixSeconds> expires_at, const PresignedUrlInfo& info,
                                      const Response& response, Instant now) const {
    if (!expires_at) return std::nullopt;
    std::optional<UnixSeconds> reference;
    if (const std::string* date = find_header(response.headers, "Date")) reference = parse_http_date(*date);
    if (!reference) reference = info.signed_at;
    if (!reference) return std::nullopt;
    std::int64_t left = std::clamp<std::int64_t>(*expires_at - *reference, 0, 7 * 86400);
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
    progress_ = Progress::none;
    note(now, legacy_ ? std::string("upload URL expired; requesting a new one")
                      : "upload URL for import " + import_id_ + " expired; requesting a new one");
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
        legacy_freshness_.upload_accepted();
        failures_ = 0;
        progress_ = Progress::upload_accepted;
        return take(legacy_ ? Trigger::legacy_upload_accepted : Trigger::upload_accepted, now);
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
                          "the answer is about import '" + printable_excerpt(redact(report.import_id, config_.token), 80) +
                              "', not '" + import_id_ + "'",
                          "$.import_id", ""},
                    now);
    failures_ = 0;
    if (probing_) {
      // A resumed upload whose PUT answer was never seen: `uninitialised`
      // means the bytes never arrived (S3 keeps an object whole or not at
      // all), anything else that they did.
      probing_ = false;
      if (report.status == ImportStatus::uninitialised) return start_over(now);
      progress_ = Progress::upload_accepted;
    }
    track_status(report.status, now);
    server_progress_ = server_progress_of(report, config_.token);
    if (is_terminal(report.status)) {
      redact_in(report, config_.token);  // a server echoing the token in a reason must not get it printed
      outcome_.result = std::move(report);
      return take(Trigger::import_terminal, now);
    }
    return pending(report.status == ImportStatus::uninitialised, "the import is still uninitialised", response, now);
  }

  Action start_over(Instant now) {
    note(now, "import " + import_id_ + " never received the file (still uninitialised); requesting a new upload URL");
    abandoned_.push_back(std::move(import_id_));
    import_id_.clear();
    progress_ = Progress::none;
    last_status_.reset();
    return take(Trigger::import_unstarted, now);
  }

  // Not terminal yet: wait for the next poll, unless nothing has happened
  // since the PUT for too long.
  Action pending(bool unstarted, const char* still, const Response& response, Instant now) {
    if (unstarted && now - upload_accepted_at_ >= config_.poll.stuck_after)
      return finish(Trigger::import_stuck,
                    Error{ErrorCode::import_stuck, response.status,
                          std::string(still) + " " + seconds_text(now - upload_accepted_at_) +
                              " after the upload host accepted the file",
                          "", ""},
                    now);
    Duration wait = config_.poll.delay(same_status_polls_, rng_);
    if (auto minimum = retry_after_of(response)) wait = std::max(wait, *minimum);
    return wait_then(Trigger::import_pending, wait, now);
  }

  // ---- step 3, V3 (legacy) ---------------------------------------------------

  Action on_status_answer(const Response& response, Instant now) {
    Classification c = classify_api_status(response.status);
    if (c.verdict == Verdict::retry) return retry_after_answer(Trigger::poll_retry, response, now);
    if (c.verdict != Verdict::success) return finish(Trigger::poll_refused, api_error(c.code, response), now);

    auto parsed = parse_dataset_status_answer(response.body, config_.limits);
    if (!parsed) return finish(Trigger::poll_refused, with_status(parsed.error(), response.status), now);
    DatasetStatusAnswer& answer = parsed.value();
    failures_ = 0;
    last_dataset_status_ = answer.status;
    track_status(to_import_status(answer.status), now);
    if (!legacy_freshness_.accepts(answer.status, upload_accepted_at_, now, config_.poll.legacy_settle)) {
      if (!stale_noted_)
        note(now, "the dataset's status is " + std::string(to_string(answer.status)) +
                      " and has not changed since the upload: it may be the previous file's; waiting up to " +
                      seconds_text(config_.poll.legacy_settle) + " for a change");
      stale_noted_ = true;
      return pending(false, "", response, now);
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

  // A V3 dataset has no import: its terminal status becomes a report in
  // the V4 vocabulary, so callers handle one outcome type.
  ImportReport legacy_report(DatasetStatusAnswer answer) const {
    ImportReport r;
    r.dataset_id = config_.dataset_id;
    r.type = "legacy_dataset";
    r.status = to_import_status(answer.status);
    if (answer.status == DatasetStatus::error)
      r.reason = answer.reason ? std::move(answer.reason) : std::string("the service gave no reason");
    return r;
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
    return retry(retry_trigger, retry_after_of(response), now);
  }

  Action retry(Trigger retry_trigger, std::optional<Duration> minimum, Instant now) {
    ++failures_;
    if (failures_ >= config_.retry.max_attempts) {
      Error e = last_failure_;
      e.message = std::to_string(failures_) + " attempts failed; last: " + e.message;
      return finish(Trigger::retries_exhausted, std::move(e), now);
    }
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
    // Announced only when it will happen: a wait that reaches the deadline
    // ends in deadline_exceeded, not in another attempt.
    if (now + wait < deadline_)
      note(now, last_failure_.message + "; retrying (attempt " + std::to_string(failures_ + 1) + ")");
    return wait_then(retry_trigger, wait, now);
  }

  Action wait_then(Trigger trigger, Duration wait, Instant now) {
    wake_at_ = std::min(now + wait, deadline_);
    return take(trigger, now);
  }

  // ---- requests ----------------------------------------------------------

  Action send(Request request) {
    ++outcome_.requests_sent;
    return Send{std::move(request)};
  }

  Headers api_headers() const { return api_headers_for(config_); }

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

  // Polls repeat the same request: its URL is built once per import.
  Request poll_request() {
    if (poll_url_import_ != import_id_ || poll_url_.empty()) {
      poll_url_ = dataset_url() + "/imports/" + percent_encode_segment(import_id_);
      poll_url_import_ = import_id_;
    }
    return Request{Purpose::poll, "GET", poll_url_, api_headers(), std::nullopt};
  }

  Request status_request() const {
    return Request{Purpose::dataset_status, "GET", dataset_url() + "/status", api_headers(), std::nullopt};
  }

  // ---- helpers -------------------------------------------------------------

  // `how` the run starts: a machine that resumes after an accepted PUT
  // never uploads, so its file (often unknown) is not checked.
  std::optional<Error> check_inputs(Trigger how) const {
    auto invalid = [](std::string message) { return Error{ErrorCode::invalid_argument, 0, std::move(message), "", ""}; };
    if (!is_safe_segment(config_.dataset_id))
      return invalid("dataset id must be non-empty, not '.' or '..', and hold no NUL byte");
    if (progress_ != Progress::upload_accepted) {
      if (!is_safe_segment(file_.name))
        return invalid("file name must be non-empty, not '.' or '..', and hold no NUL byte");
      if (file_.size > kMaxSinglePutBytes)
        return Error{ErrorCode::file_too_large, 0,
                     "the file has " + std::to_string(file_.size) + " bytes; one upload takes at most 5 GiB", "", ""};
    }
    if (how == Trigger::resume && !detail::usable_import_id(import_id_))
      return invalid("the import id to resume must be a non-empty path segment of at most 256 bytes");
    return check_api_access(config_);
  }

  Error api_error(ErrorCode code, const Response& response) const {
    Error e{code, response.status, "", "", ""};
    std::string what = std::string(to_string(current_purpose())) + " request answered HTTP " +
                       std::to_string(response.status);
    auto body = parse_error_body(response.body, config_.limits);
    if (body) {
      if (body->error_code) e.server_code = std::to_string(*body->error_code);
      if (auto text = body->summary(); !text.empty()) what += ": " + printable_excerpt(redact(text, config_.token), 600);
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
      case State::polling_status:
      case State::status_wait: return Purpose::dataset_status;
      default: return Purpose::upload_url;
    }
  }

  Trigger retry_trigger() const noexcept {
    switch (current_purpose()) {
      case Purpose::upload: return Trigger::upload_retry;
      case Purpose::poll:
      case Purpose::dataset_status: return Trigger::poll_retry;
      default: return Trigger::url_retry;
    }
  }

  Trigger refused_trigger() const noexcept {
    switch (current_purpose()) {
      case Purpose::upload: return Trigger::upload_refused;
      case Purpose::poll:
      case Purpose::dataset_status: return Trigger::poll_refused;
      default: return Trigger::url_refused;
    }
  }

  // How start() begins, from how far a restored snapshot got (a new
  // machine has got nowhere).
  Trigger start_trigger() const noexcept {
    switch (progress_) {
      case Progress::upload_accepted: return legacy_ ? Trigger::resume_legacy : Trigger::resume;
      case Progress::url_received: return legacy_ ? Trigger::start : Trigger::resume;  // V4: probe the import
      case Progress::none: break;
    }
    return Trigger::start;
  }

  UploadSnapshot snapshot_value() const {
    UploadSnapshot s;
    s.api_base = config_.api_base;
    s.dataset_id = config_.dataset_id;
    s.file = file_;
    s.legacy = legacy_;
    s.abandoned_import_ids = abandoned_;
    switch (progress_) {
      case Progress::none:
        s.phase = state_ == State::idle ? SnapshotPhase::not_started : SnapshotPhase::requesting_url;
        // A URL being renewed: its import is as good as abandoned.
        if (!import_id_.empty()) s.abandoned_import_ids.push_back(import_id_);
        break;
      case Progress::url_received:
        s.phase = SnapshotPhase::uploading;
        s.import_id = import_id_;
        break;
      case Progress::upload_accepted:
        s.phase = SnapshotPhase::processing;
        s.import_id = import_id_;
        if (legacy_)
          s.last_dataset_status = last_dataset_status_;
        else
          s.last_import_status = last_status_;
        break;
    }
    if (s.legacy) s.import_id.clear();
    return s;
  }

  static std::string without_trailing_slashes(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
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

  Instant observe(Instant now) noexcept { return time_.observe(now); }

  // How far the upload got, for snapshots and for where a restored one
  // starts. Only ever moves forward, except back to `none` when a URL is
  // renewed or a resumed import turns out never to have got the file.
  enum class Progress { none, url_received, upload_accepted };

  UploadConfig config_;
  FileInfo file_;
  Rng rng_;
  Progress progress_ = Progress::none;
  bool legacy_ = false;   // V3: step 1 answered without import_id
  std::optional<ServerProgress> server_progress_;
  LegacyFreshness legacy_freshness_;  // V3: whether a READY/ERROR is this file's (not snapshotted: see restore)
  bool stale_noted_ = false;
  std::string poll_url_, poll_url_import_;  // poll_request()'s cache
  bool probing_ = false;  // resumed before an accepted PUT: the first poll says whether it landed
  std::optional<DatasetStatus> last_dataset_status_;

  State state_ = State::idle;
  Instant deadline_{};
  Instant wake_at_{};
  MonotonicTime time_;  // the caller's clock, never running backwards

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

#pragma once
// upstate::Upload — one file through the three-step flow, as a pure step
// function: every event (with the time it happened) returns the one action
// the caller performs next. No sockets, files, clocks or random devices:
// the caller moves bytes and reads its clock; the config seeds the jitter.
//
// A V3 (legacy) dataset — step 1 answers without `import_id` — takes its own
// step 3: after the PUT the dataset's status is polled until READY or ERROR,
// and the outcome is an ImportReport (complete / failed, type
// "legacy_dataset", no import id). Its states are the table's V3 track
// (uploading_v3 ... confirming_status, polling_status).
//
// Every state, what it sends and every move are data in upload_transitions.hpp;
// this file classifies events into the table's triggers and carries out
// what a row says. snapshot() / restore() (upload_restore.hpp) carry an
// upload across processes (a state file); resume_import() polls an import
// some earlier process started.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../vocabulary/action.hpp"
#include "../detail/api_access.hpp"
#include "api_step.hpp"
#include "../vocabulary/config.hpp"
#include "../vocabulary/http.hpp"
#include "../detail/linkage.hpp"
#include "../detail/presigned_url.hpp"
#include "../vocabulary/result.hpp"
#include "../detail/rng.hpp"
#include "../vocabulary/server_progress.hpp"
#include "../vocabulary/time.hpp"
#include "upload_transitions.hpp"
#include "upload_snapshot.hpp"  // the snapshot format, and usable_import_id
#include "../wire/dataset_status.hpp"
#include "../wire/import_report.hpp"
#include "../wire/upload_url.hpp"

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

  UPSTATE_DECL Upload(UploadConfig config, FileInfo file);

  // ---- across processes ----------------------------------------------------

  // A machine that only polls `import_id` of config.dataset_id (a V4 import
  // whose PUT some earlier process completed): start() sends the poll. The
  // file is unknown and never needed; an unusable id is refused by start()
  // (invalid_argument), like every other input.
  UPSTATE_DECL static Upload resume_import(UploadConfig config, std::string import_id);

  // The same for a V3 (legacy) dataset: start() polls its status.
  UPSTATE_DECL static Upload resume_legacy(UploadConfig config);

  // How far this upload got, as JSON (upload_snapshot.hpp has the format):
  // never the token, the presigned URL or a clock reading. Valid in every
  // state; a driver writes it after each action to survive being killed.
  // Defined in impl/upload_restore.ipp.
  UPSTATE_DECL std::string snapshot() const;

  // A machine that continues a snapshot in this process, in the idle state
  // that matches how far the snapshot got (upload_transitions.hpp): its start(now)
  // begins a new deadline and then: after an accepted PUT, polls; with a URL
  // but no accepted PUT (V4), probes the import once — if it never got the
  // file (still `uninitialised`) the import is abandoned and step 1 runs
  // again, otherwise the PUT did land and polling goes on; before that (or
  // V3), starts at step 1. Errors (invalid_snapshot, with the JSON path):
  // anything parse_upload_snapshot refuses, and a snapshot of another
  // dataset or API base than `config`'s. Defined in impl/upload_restore.ipp.
  UPSTATE_DECL static Result<Upload> restore(UploadConfig config, std::string_view snapshot);

  // ---- events ------------------------------------------------------------
  // Each returns the one Action to perform next; `now` is the caller's clock.

  // Begins the deadline (config.deadline from now) and sends step 1's GET
  // upload-url (or, for a resumed or restored machine, its first poll or
  // probe). Called once; a second call is misuse (Finished, usage).
  UPSTATE_DECL Action start(Instant now);

  // The answer to the last Send: step 1's URL, the PUT's status, a poll's
  // report. Retryable answers (5xx, 429, per RetryPolicy) become a Sleep;
  // a terminal report or a refused answer, Finished.
  UPSTATE_DECL Action on_response(const Response& response, Instant now);

  // The last Send got no answer (refused, reset, timed out): retried like a
  // 5xx while the retry policy and the deadline allow.
  UPSTATE_DECL Action on_transport_error(const TransportError& error, Instant now);

  // The last Sleep is over (a retry backoff or the next poll): sends again;
  // a PUT whose presigned URL expired meanwhile renews the URL first. An
  // early wake returns the same Sleep.
  UPSTATE_DECL Action on_wake(Instant now);

  // Ends the upload now (Finished, cancelled); once done, repeats the outcome.
  UPSTATE_DECL Action cancel(Instant now);

  // ---- observers ---------------------------------------------------------

  State state() const noexcept { return state_; }
  Phase phase() const noexcept { return phase_of(state_); }
  // How far the upload got: the state's `reached` column; once done, what
  // the run had reached when it ended (a terminal import report: the upload).
  Reached reached() const noexcept {
    if (state_ != State::done) return state_info(state_).reached;
    if (outcome_.report()) return Reached::upload;
    return state_info(ended_in_).reached;
  }
  const Outcome* outcome() const noexcept { return state_ == State::done ? &outcome_ : nullptr; }
  Instant deadline() const noexcept { return deadline_; }
  const std::string& import_id() const noexcept { return import_id_; }
  // V3 uploads report their dataset status here too, as the import status
  // it corresponds to (READY is complete, ERROR failed).
  std::optional<ImportStatus> last_status() const noexcept { return last_status_; }
  // Whether this upload is on the V3 (legacy) path: the state's `track`
  // column; before step 1 answers (and once done), what step 1 (or the
  // snapshot) last said about the dataset.
  bool legacy() const noexcept {
    const Track track = state_info(state_).track;
    return track == Track::either ? said_v3_ : track == Track::v3;
  }
  std::optional<DatasetStatus> last_dataset_status() const noexcept { return last_dataset_status_; }
  // The service's own progress figures from the last poll (server_progress.hpp);
  // nullopt when the last answer had none.
  const std::optional<ServerProgress>& server_progress() const noexcept { return server_progress_; }
  // The imports this upload gave up on so far (a URL renewed, an import
  // that never got the file): the list its snapshot and outcome carry,
  // without the one it is on now.
  const std::vector<std::string>& abandoned_import_ids() const noexcept { return abandoned_; }
  const std::vector<Step>& trace() const noexcept { return trace_; }
  // Retries, renewals and odd statuses so far (the same list the outcome gets).
  const std::vector<Note>& notes() const noexcept { return outcome_.notes; }
  const FileInfo& file() const noexcept { return file_; }

 private:
  // ---- the table ---------------------------------------------------------

  // Every move goes through here: look the move up, record it, then act on
  // entering the new state. A move into a live state at or after the
  // deadline is the state's `deadline` row instead (one event, one row).
  UPSTATE_DECL Action take(Trigger trigger, Instant now);

  // What the new state does on entry: its `sends` column, else a wait (or,
  // done, the outcome).
  UPSTATE_DECL Action enter();

  // Every event's prologue: the caller's clock made monotonic (`now` is
  // updated); once done, the outcome again; an event the state does not
  // await (`expected`; nullopt: any), the misuse row.
  UPSTATE_DECL std::optional<Action> admit(std::optional<Awaits> expected, const char* event, Instant& now);

  UPSTATE_DECL Action finish(Trigger trigger, Error error, Instant now);

  UPSTATE_DECL Action misuse(const char* event, Instant now);

  // Our bug, reported as such: ends the run with ErrorCode::internal.
  UPSTATE_DECL Action internal_error(std::string what, Instant now);

  UPSTATE_DECL Action done_action();

  // ---- step 1 ------------------------------------------------------------

  UPSTATE_DECL Action on_url_answer(const Response& response, Instant now);

  // `info` is null when upload_url is not an absolute http(s) URL.
  UPSTATE_DECL std::optional<Error> check_url_answer(const UploadUrlAnswer& a, const PresignedUrlInfo* info,
                                                     int status) const;

  // The URL's expiry in our own clock: its wall-clock expiry (url_expiry.hpp)
  // minus the answer's `Date` (or the signing time) is how long it has left.
  UPSTATE_DECL std::optional<Instant> local_expiry(std::optional<UnixSeconds> expires_at, const PresignedUrlInfo& info,
                                                   const Response& response, Instant now) const;

  bool url_expired_at(Instant now) const { return url_expires_at_ && now >= *url_expires_at_; }

  UPSTATE_DECL Action renew_url(Instant now);

  // ---- step 2 ------------------------------------------------------------

  UPSTATE_DECL Action on_upload_answer(const Response& response, Instant now);

  // ---- step 3 ------------------------------------------------------------

  UPSTATE_DECL Action on_poll_answer(const Response& response, Instant now);

  UPSTATE_DECL Action start_over(Instant now);

  // Not terminal yet: wait for the next poll, unless nothing has happened
  // since the PUT for too long.
  // `trigger`: the row of the wait (status_unconfirmed: a V3 status not yet this file's).
  UPSTATE_DECL Action pending(bool unstarted, const char* still, const Response& response, Instant now,
                              Trigger trigger = Trigger::import_pending);

  // ---- step 3, V3 (legacy) ---------------------------------------------------

  UPSTATE_DECL Action on_status_answer(const Response& response, Instant now);

  // A V3 dataset has no import: its terminal status becomes a report in
  // the V4 vocabulary, so callers handle one outcome type.
  UPSTATE_DECL ImportReport legacy_report(DatasetStatusAnswer answer) const;

  UPSTATE_DECL void track_status(ImportStatus status, Instant now);

  // ---- retries and waits ---------------------------------------------------

  // The API step's verdict on an answer (api_step.hpp) as a move of the
  // table: retry, or refuse (the state's on_refusal). nullopt: parse it.
  UPSTATE_DECL std::optional<Action> unless_parseable(const Response& response, Instant now);

  UPSTATE_DECL Action act_on(AnswerMeaning meaning, Instant now);

  // The state's on_retry row after a wait, or the end: retries_exhausted,
  // or deadline when the server's Retry-After lands past it.
  UPSTATE_DECL Action retry(const AnswerMeaning& failure, Instant now);

  UPSTATE_DECL Action wait_then(Trigger trigger, Duration wait, Instant now);

  // ---- requests ----------------------------------------------------------

  UPSTATE_DECL Action send(Request request);

  Headers api_headers() const { return api_headers_for(config_); }

  // What a state's `sends` column asks for.
  UPSTATE_DECL Request request_for(Purpose purpose);

  std::string dataset_url() const { return upstate::dataset_url(config_); }

  UPSTATE_DECL Request upload_url_request() const;

  // No Authorization here, ever: the presigned URL is the credential, and
  // S3 refuses a request that carries two.
  UPSTATE_DECL Request upload_request() const;

  // Polls repeat the same request: its URL is built once per import.
  UPSTATE_DECL Request poll_request();

  UPSTATE_DECL Request status_request() const;

  // ---- helpers -------------------------------------------------------------

  // A machine that resumes after an accepted PUT never uploads, so its
  // file (often unknown) is not checked.
  UPSTATE_DECL std::optional<Error> check_inputs() const;

  UPSTATE_DECL static Error with_status(Error e, int status);

  // `phase`: of the state the run was in or entering when the deadline passed.
  UPSTATE_DECL Error deadline_error(Phase phase) const;

  // The step the current state's request (or wait) belongs to: its `step` column.
  Purpose current_purpose() const noexcept { return state_info(state_).step.value_or(Purpose::upload_url); }

  UPSTATE_DECL void note(Instant now, std::string text);

  Instant observe(Instant now) noexcept { return time_.observe(now); }

  UploadConfig config_;
  FileInfo file_;
  Rng rng_;
  // What step 1 (or a snapshot) last said about the dataset — V3: no
  // import_id. An observation for legacy() and snapshots only: no move
  // consults it (step 1's answer chose the V3 states, whose track says it).
  bool said_v3_ = false;
  std::optional<ServerProgress> server_progress_;
  // V3: the first status read since the PUT, which an unchanged READY/ERROR
  // is compared with in confirming_status (legacy_freshness.hpp).
  std::optional<DatasetStatus> first_status_since_put_;
  bool stale_noted_ = false;  // the "may be the previous file's" note is written once
  std::string poll_url_, poll_url_import_;  // poll_request()'s cache
  std::optional<DatasetStatus> last_dataset_status_;

  State state_ = State::idle;
  State ended_in_ = State::idle;  // done: the live state the run ended in (or was entering)
  Instant deadline_{};
  Instant wake_at_{};
  MonotonicTime time_;  // the caller's clock, never running backwards

  std::string import_id_;
  std::vector<std::string> abandoned_;
  std::string upload_url_;
  std::string content_type_;
  std::optional<Instant> url_expires_at_;
  int renewals_ = 0;
  RetryBudget retry_;  // consecutive failures of the current step
  int last_upload_status_ = 0;

  Instant upload_accepted_at_{};
  std::optional<ImportStatus> last_status_;
  std::optional<ImportReport> paused_report_;  // the last pending_schema report while keep_polling
  Instant status_since_{};
  int same_status_polls_ = 0;
  bool stuck_noted_ = false;

  Outcome outcome_;
  std::vector<Step> trace_;
};

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/upload.ipp>
#endif

// snapshot() and restore(): after the class, in a file of their own.
#include "upload_restore.hpp"

#pragma once
// upstate::Batch — several files into one dataset, sans-I/O. Each file runs
// its own Upload machine; the Batch decides which of their requests go out
// and when. Several requests are in flight at once, so instead of one action
// per event it is pulled, quinn-proto style:
//
//   batch.start(now);
//   loop:
//     while (auto s = batch.next_send())  perform s->request, later feed
//                                         on_response(s->ticket, ...) or on_transport_error(s->ticket, ...)
//     while (auto t = batch.next_abandoned())  abort that request (its answer would be ignored)
//     if (batch.done()) break;            -> *batch.outcome()
//     wait for an answer or until *batch.next_wake(), then on_wake(now)
//
// Its states, each file's stage and every move are data in
// machine/batch_transitions.hpp (the rules are written there, beside the
// rows); this file classifies events into the table's triggers and carries
// out what a row says. In short: PUTs go out in file order (file i's once
// file i-1's was accepted or file i-1 ended); at most `max_in_flight` files
// run (fewer after 429/503 with adaptive_concurrency); fail_fast ends the
// rest cancelled; then GET /datasets/{id}. cancel() ends every unfinished
// file. A ticket the batch never issued, or one already answered, is a
// caller bug (ErrorCode::usage, sticky); the answer to an abandoned request
// is ignored; a move the table lacks is ErrorCode::internal. Once done,
// every event is ignored and the outcome stays as it is.
//
// Many files (BatchConfig::stream_outcomes): memory stays flat. A file's
// Upload is made when the file starts and freed once its outcome was pulled
// with next_finished(); BatchOutcome::files stays empty (counts are kept).
// Pull after every event, or the outcomes pile up.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../vocabulary/action.hpp"
#include "../vocabulary/batch_outcome.hpp"
#include "../policy/concurrency_limit.hpp"
#include "../vocabulary/config.hpp"
#include "dataset_fetch.hpp"
#include "../vocabulary/http.hpp"
#include "batch_tickets.hpp"  // Ticket, BatchSend
#include "batch_transitions.hpp"
#include "../detail/callback.hpp"
#include "../detail/flat_set.hpp"
#include "../detail/linkage.hpp"
#include "upload.hpp"

namespace upstate {

struct BatchConfig {
  // Shared by every file (token, dataset, policies, deadline per file). Each
  // file's Upload gets its own seed derived from `upload.seed`, so two files
  // never jitter in lockstep and the same seed still gives the same run.
  UploadConfig upload;
  std::size_t max_in_flight = 4;  // files between start and Done; 0 is taken as 1
  bool fail_fast = false;
  bool fetch_dataset = true;
  // Adaptive concurrency (concurrency_limit.hpp): max_in_flight becomes a
  // ceiling; 429/503 answers halve the files let run and the requests let
  // out at once (next_send waits), successes raise it again.
  bool adaptive_concurrency = false;
  std::size_t concurrency_increase_after = 8;  // successful answers per +1
  // Outcomes stream out through next_finished() instead of filling
  // BatchOutcome::files, and a finished file's Upload is freed: a batch of
  // 10,000 files keeps about 200 bytes per file instead of about 4 KiB.
  bool stream_outcomes = false;
};

// Makes file i's machine when the file starts (Batch::of_maker): `config`
// is the batch's UploadConfig with that file's own seed.
using UploadMaker = Callback<Upload(std::size_t file, UploadConfig config)>;  // was std::function (CHANGELOG)

// One move of the batch (its trace, for tests and people debugging a run).
struct BatchStep {
  Instant at;
  BatchState from;
  BatchTrigger trigger;
  BatchState to;
};

// One move of one file's stage.
struct BatchFileStep {
  Instant at;
  std::size_t file;
  FileStage from;
  FileTrigger trigger;
  FileStage to;
};

class Batch {
 public:
  static constexpr std::size_t kMaxTrace = 4096;  // per trace; later moves are not recorded

  UPSTATE_DECL Batch(BatchConfig config, std::vector<FileInfo> files);

  // A batch of machines made by the caller: new ones or restored ones
  // (Upload::restore, e.g. from a batch journal), each with its own seed.
  // A machine past idle starts in the stage `waiting_resumed`: its start()
  // resumes it (polls an accepted PUT, probes an import whose PUT answer was
  // lost), so no file is ingested twice.
  UPSTATE_DECL static Batch of_uploads(BatchConfig config, std::vector<Upload> uploads);

  // The same, each machine made by `make` only when its file starts (a
  // restored one, say): a waiting file holds just its FileInfo, so upload(i)
  // is there only from the file's start. Seeds as the first constructor's.
  // Such a file is `waiting` and takes the `start` row whatever its machine
  // turns out to be (start() of a restored machine resumes it).
  UPSTATE_DECL static Batch of_maker(BatchConfig config, std::vector<FileInfo> files, UploadMaker make);

  // ---- before start ------------------------------------------------------

  // Ends file `i` with `error` before any request (a driver that cannot
  // read it, say); the others run as usual. Only before start().
  UPSTATE_DECL void refuse_file(std::size_t i, Error error);

  // ---- events ------------------------------------------------------------

  UPSTATE_DECL void start(Instant now);

  UPSTATE_DECL void on_response(Ticket ticket, const Response& response, Instant now);

  UPSTATE_DECL void on_transport_error(Ticket ticket, const TransportError& error, Instant now);

  // Wakes whatever is due at `now`; an early or spurious call (or one
  // before start) does nothing.
  UPSTATE_DECL void on_wake(Instant now);

  // Every unfinished file ends with ErrorCode::cancelled; the dataset is not
  // fetched. The requests out are abandoned (next_abandoned).
  UPSTATE_DECL void cancel(Instant now);

  // ---- what to do next -----------------------------------------------------

  // The next request to perform; call until empty after every event.
  // With adaptive_concurrency, empty while concurrency_limit() requests are
  // out (pulled, not answered): the rest wait for an answer.
  UPSTATE_DECL std::optional<BatchSend> next_send();

  // A request the batch no longer wants (cancel, fail-fast): abort it if you
  // can; its answer, if one still comes, is ignored.
  std::optional<Ticket> next_abandoned() { return tickets_.next_abandoned(); }

  // When to call on_wake next, if anything sleeps.
  UPSTATE_DECL std::optional<Instant> next_wake() const;

  // stream_outcomes: the next file that ended, in the order they ended
  // (refused files first), each once. upload(i) of the file returned stays
  // readable until the next call, then its machine is freed.
  UPSTATE_DECL std::optional<FinishedFile> next_finished();

  bool done() const noexcept { return state_ == BatchState::done; }
  const BatchOutcome* outcome() const noexcept { return done() ? &outcome_ : nullptr; }

  // ---- progress --------------------------------------------------------------

  BatchState state() const noexcept { return state_; }
  std::size_t file_count() const noexcept { return files_.size(); }
  // Read-only, for progress display (phase, notes, import id). With
  // stream_outcomes (or of_maker) only from the file's start until its
  // outcome was pulled (has_upload); std::logic_error outside that.
  // Built with -fno-exceptions, a call outside that aborts instead.
  UPSTATE_DECL const Upload& upload(std::size_t i) const;
  bool has_upload(std::size_t i) const { return files_.at(i).upload != nullptr; }
  const FileInfo& file(std::size_t i) const { return files_.at(i).info; }
  // Machines held now (running files, and ended ones not yet pulled with stream_outcomes).
  UPSTATE_DECL std::size_t live_uploads() const noexcept;
  bool file_ended(std::size_t i) const { return files_.at(i).stage == FileStage::ended; }
  // File i's stage, as the batch sees it (machine/batch_transitions.hpp).
  FileStage file_stage(std::size_t i) const { return files_.at(i).stage; }
  // Set once file i ended (before the batch is done, too); never with stream_outcomes.
  const Outcome* file_outcome(std::size_t i) const {
    return files_.at(i).stage == FileStage::ended && i < outcome_.files.size() ? &outcome_.files[i] : nullptr;
  }
  // Files between start and Done.
  std::size_t active_files() const noexcept { return running_.size(); }
  // How many files may run, and requests be out, now: max_in_flight, or
  // less after 429/503 answers with adaptive_concurrency.
  std::size_t concurrency_limit() const noexcept {
    return config_.adaptive_concurrency ? limit_.current() : config_.max_in_flight;
  }
  const ConcurrencyLimit& adaptive_limit() const noexcept { return limit_; }
  // Files started so far (0..n): the files from here on have not started,
  // so only a running file, or one below this index, changes phase.
  std::size_t started_files() const noexcept { return next_start_; }
  // Whether file i's PUT waits for an earlier file's.
  bool put_held(std::size_t i) const { return files_.at(i).stage == FileStage::put_held; }
  // The final dataset request, once all files ended (null before).
  const DatasetFetch* dataset_fetch() const noexcept { return fetch_ ? &*fetch_ : nullptr; }
  const BatchConfig& config() const noexcept { return config_; }
  // The moves so far (each capped at kMaxTrace): the batch's, and its files'.
  const std::vector<BatchStep>& trace() const noexcept { return trace_; }
  const std::vector<BatchFileStep>& file_trace() const noexcept { return file_trace_; }

 private:
  struct FileRun {
    FileRun(FileInfo f, std::uint64_t s) : info(std::move(f)), seed(s), stage(FileStage::waiting) {}
    // A caller-made machine (of_uploads): past idle, it waits as waiting_resumed.
    UPSTATE_DECL explicit FileRun(Upload u);
    FileInfo info;
    std::uint64_t seed = 0;
    std::unique_ptr<Upload> upload;  // from its start (or made up front) until freed
    FileStage stage;
    std::optional<Ticket> ticket;     // its request out
    std::optional<Request> held_put;  // its PUT, until its turn
    std::optional<Instant> wake_at;   // asleep until
  };

  // ---- the tables ------------------------------------------------------------

  // Every move of the batch goes through here. False when the table lacks
  // it: our bug, and the batch has stopped with ErrorCode::internal.
  UPSTATE_DECL bool take(BatchTrigger trigger, Instant now);

  // Every move of a file's stage goes through here (false as take()).
  UPSTATE_DECL bool move(std::size_t i, FileTrigger trigger, Instant now);

  // ---- tickets ---------------------------------------------------------------

  UPSTATE_DECL void emit(std::size_t owner, Request request);

  // The owner of an answered ticket (file index or npos), now retired; nullopt
  // when the answer is to be ignored (abandoned) or was a caller bug.
  UPSTATE_DECL std::optional<std::size_t> claim(Ticket ticket, const char* event, Instant now);

  // Forgets the request out for `owner`: dropped if not pulled yet, else
  // reported through next_abandoned and its answer ignored.
  UPSTATE_DECL void abandon(std::optional<Ticket>& ticket);

  // ---- files -------------------------------------------------------------------

  // Carries out what file i's machine asked for: one row of its stage.
  UPSTATE_DECL void apply(std::size_t i, Action action, Instant now);

  // `trigger`: refused, ended or cancelled. The file ends even when the
  // row is missing (the batch then stops with ErrorCode::internal).
  UPSTATE_DECL const Outcome& end_file(std::size_t i, FileTrigger trigger, Outcome outcome, Instant now);

  UPSTATE_DECL Upload make_upload(std::size_t i) const;

  // Ends every file still waiting or running with `why` (its own Upload is
  // cancelled, so upload(i) agrees it is done).
  UPSTATE_DECL void end_unfinished(const Error& why, Instant now);

  // Whether file i no longer holds up the next file's PUT: it ended, or its
  // PUT was accepted (the machine moved on to processing; read through the
  // phase so every polling state Upload's table has counts).
  UPSTATE_DECL bool passed(std::size_t i) const;

  // After every event: move the PUT turn on, start files while there is
  // room, and once every file ended, the dataset request.
  UPSTATE_DECL void advance(Instant now);

  // ---- the dataset -----------------------------------------------------------

  UPSTATE_DECL void apply_fetch(DatasetFetchAction action, Instant now);

  // ---- stopping ------------------------------------------------------------------

  // cancel or misuse: the row, then every file and the fetch end with `why`.
  UPSTATE_DECL void stop(Error why, BatchTrigger trigger, Instant now);

  UPSTATE_DECL void wind_down(Error why, Instant now);

  // A caller bug: the batch stops at once (sticky), as Upload's misuse does.
  UPSTATE_DECL void misuse(const std::string& what, Instant now);

  // A move the tables lack: our bug, never the caller's. The batch stops
  // with ErrorCode::internal (a defined end, not undefined behaviour).
  UPSTATE_DECL void broken(const std::string& what, Instant now);


  UPSTATE_DECL static std::string describe(const Outcome& o);

  Instant observe(Instant now) noexcept { return time_.observe(now); }

  BatchConfig config_;
  ConcurrencyLimit limit_;
  std::vector<FileRun> files_;
  std::uint64_t fetch_seed_ = 0;

  BatchState state_ = BatchState::idle;
  std::size_t next_start_ = 0;  // the next file to start
  std::size_t gate_ = 0;        // the file whose PUT may go out now
  detail::FlatSet<std::size_t> running_;  // files between start and Done (at most the limit)
  std::size_t ended_ = 0;
  MonotonicTime time_;  // the caller's clock, never running backwards

  detail::BatchTickets tickets_;

  std::optional<DatasetFetch> fetch_;
  std::optional<Ticket> fetch_ticket_;
  std::optional<Instant> fetch_wake_;

  std::vector<BatchStep> trace_;
  std::vector<BatchFileStep> file_trace_;
  BatchOutcome outcome_;
  UploadMaker make_;                        // of_maker's
  std::deque<FinishedFile> finished_;       // stream_outcomes: not pulled yet
  std::size_t released_ = BatchSend::npos;  // pulled last: its machine goes at the next pull
};

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/batch.ipp>
#endif

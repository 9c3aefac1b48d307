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
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "../vocabulary/action.hpp"
#include "../vocabulary/batch_outcome.hpp"
#include "../policy/concurrency_limit.hpp"
#include "../vocabulary/config.hpp"
#include "dataset_fetch.hpp"
#include "../vocabulary/http.hpp"
#include "batch_tickets.hpp"  // Ticket, BatchSend
#include "batch_transitions.hpp"
#include "../detail/redaction.hpp"
#include "../detail/rng.hpp"
#include "../detail/excerpt.hpp"
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
using UploadMaker = std::function<Upload(std::size_t file, UploadConfig config)>;

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

  Batch(BatchConfig config, std::vector<FileInfo> files) : config_(std::move(config)) {
    config_.max_in_flight = std::max<std::size_t>(config_.max_in_flight, 1);
    limit_ = ConcurrencyLimit({config_.max_in_flight, config_.concurrency_increase_after});
    Rng seeds(config_.upload.seed);
    files_.reserve(files.size());
    for (FileInfo& f : files) {
      files_.emplace_back(std::move(f), seeds.next());
      if (!config_.stream_outcomes) files_.back().upload = std::make_unique<Upload>(make_upload(files_.size() - 1));
    }
    fetch_seed_ = seeds.next();
    if (!config_.stream_outcomes) outcome_.files.resize(files_.size());
  }

  // A batch of machines made by the caller: new ones or restored ones
  // (Upload::restore, e.g. from a batch journal), each with its own seed.
  // A machine past idle starts in the stage `waiting_resumed`: its start()
  // resumes it (polls an accepted PUT, probes an import whose PUT answer was
  // lost), so no file is ingested twice.
  static Batch of_uploads(BatchConfig config, std::vector<Upload> uploads) {
    Batch b(std::move(config), std::vector<FileInfo>{});
    b.files_.reserve(uploads.size());
    for (Upload& u : uploads) b.files_.emplace_back(std::move(u));
    if (!b.config_.stream_outcomes) b.outcome_.files.resize(b.files_.size());
    return b;
  }

  // The same, each machine made by `make` only when its file starts (a
  // restored one, say): a waiting file holds just its FileInfo, so upload(i)
  // is there only from the file's start. Seeds as the first constructor's.
  // Such a file is `waiting` and takes the `start` row whatever its machine
  // turns out to be (start() of a restored machine resumes it).
  static Batch of_maker(BatchConfig config, std::vector<FileInfo> files, UploadMaker make) {
    const bool keep = !config.stream_outcomes;
    config.stream_outcomes = true;  // no machine made up front
    Batch b(std::move(config), std::move(files));
    b.config_.stream_outcomes = !keep;
    if (keep) b.outcome_.files.resize(b.files_.size());
    b.make_ = std::move(make);
    return b;
  }

  // ---- before start ------------------------------------------------------

  // Ends file `i` with `error` before any request (a driver that cannot
  // read it, say); the others run as usual. Only before start().
  void refuse_file(std::size_t i, Error error) {
    const Instant now = time_.last();
    if (done()) return;
    const bool started = state_ != BatchState::idle;
    if (started || i >= files_.size() || file_stage_info(files_[i].stage).awaits != Awaits::start)
      return misuse("refuse_file " + std::to_string(i) + (started ? " after start" : ""), now);
    if (!take(BatchTrigger::refuse_file, now)) return;
    redact_in(error, config_.upload.token);
    Outcome o;
    o.result = std::move(error);
    end_file(i, FileTrigger::refused, std::move(o), now);
  }

  // ---- events ------------------------------------------------------------

  void start(Instant now) {
    now = observe(now);
    if (done()) return;
    if (state_ != BatchState::idle) return misuse("start: the batch already started", now);
    if (!take(BatchTrigger::start, now)) return;
    advance(now);
  }

  void on_response(Ticket ticket, const Response& response, Instant now) {
    now = observe(now);
    if (done()) return;
    auto owner = claim(ticket, "on_response", now);
    if (!owner) return;
    if (*owner == BatchSend::npos) {
      if (take(BatchTrigger::answer, now)) apply_fetch(fetch_->on_response(response, now), now);
      return;
    }
    const bool overload = config_.adaptive_concurrency && ConcurrencyLimit::is_overload(response.status);
    if (!take(overload ? BatchTrigger::overload : BatchTrigger::answer, now)) return;
    if (config_.adaptive_concurrency) limit_.on_status(response.status);
    apply(*owner, files_[*owner].upload->on_response(response, now), now);
    advance(now);
  }

  void on_transport_error(Ticket ticket, const TransportError& error, Instant now) {
    now = observe(now);
    if (done()) return;
    auto owner = claim(ticket, "on_transport_error", now);
    if (!owner) return;
    if (!take(BatchTrigger::answer, now)) return;
    if (*owner == BatchSend::npos) return apply_fetch(fetch_->on_transport_error(error, now), now);
    apply(*owner, files_[*owner].upload->on_transport_error(error, now), now);
    advance(now);
  }

  // Wakes whatever is due at `now`; an early or spurious call (or one
  // before start) does nothing.
  void on_wake(Instant now) {
    now = observe(now);
    if (done()) return;
    if (!take(BatchTrigger::wake, now) || state_ == BatchState::idle) return;
    // A copy: a file that ends here leaves the set (and fail-fast empties it).
    const std::vector<std::size_t> running(running_.begin(), running_.end());
    for (std::size_t i : running) {
      FileRun& f = files_[i];
      if (f.stage != FileStage::active || !f.wake_at || *f.wake_at > now) continue;
      f.wake_at.reset();
      apply(i, f.upload->on_wake(now), now);
      if (done()) return;
    }
    if (fetch_wake_ && *fetch_wake_ <= now) {
      fetch_wake_.reset();
      return apply_fetch(fetch_->on_wake(now), now);
    }
    advance(now);
  }

  // Every unfinished file ends with ErrorCode::cancelled; the dataset is not
  // fetched. The requests out are abandoned (next_abandoned).
  void cancel(Instant now) {
    now = observe(now);
    if (done()) return;
    stop(Error::cancelled(), BatchTrigger::cancel, now);
  }

  // ---- what to do next -----------------------------------------------------

  // The next request to perform; call until empty after every event.
  // With adaptive_concurrency, empty while concurrency_limit() requests are
  // out (pulled, not answered): the rest wait for an answer.
  std::optional<BatchSend> next_send() {
    return tickets_.next_send(config_.adaptive_concurrency ? std::optional<std::size_t>(limit_.current())
                                                           : std::nullopt);
  }

  // A request the batch no longer wants (cancel, fail-fast): abort it if you
  // can; its answer, if one still comes, is ignored.
  std::optional<Ticket> next_abandoned() { return tickets_.next_abandoned(); }

  // When to call on_wake next, if anything sleeps.
  std::optional<Instant> next_wake() const {
    std::optional<Instant> earliest = fetch_wake_;
    for (std::size_t i : running_) {
      const FileRun& f = files_[i];
      if (f.wake_at && (!earliest || *f.wake_at < *earliest)) earliest = f.wake_at;
    }
    return earliest;
  }

  // stream_outcomes: the next file that ended, in the order they ended
  // (refused files first), each once. upload(i) of the file returned stays
  // readable until the next call, then its machine is freed.
  std::optional<FinishedFile> next_finished() {
    if (released_ != BatchSend::npos) files_[std::exchange(released_, BatchSend::npos)].upload.reset();
    if (finished_.empty()) return std::nullopt;
    FinishedFile f = std::move(finished_.front());
    finished_.pop_front();
    released_ = f.file;
    return f;
  }

  bool done() const noexcept { return state_ == BatchState::done; }
  const BatchOutcome* outcome() const noexcept { return done() ? &outcome_ : nullptr; }

  // ---- progress --------------------------------------------------------------

  BatchState state() const noexcept { return state_; }
  std::size_t file_count() const noexcept { return files_.size(); }
  // Read-only, for progress display (phase, notes, import id). With
  // stream_outcomes (or of_maker) only from the file's start until its
  // outcome was pulled (has_upload); std::logic_error outside that.
  const Upload& upload(std::size_t i) const {
    if (!files_.at(i).upload) throw std::logic_error("Batch::upload(" + std::to_string(i) + "): no machine now");
    return *files_[i].upload;
  }
  bool has_upload(std::size_t i) const { return files_.at(i).upload != nullptr; }
  const FileInfo& file(std::size_t i) const { return files_.at(i).info; }
  // Machines held now (running files, and ended ones not yet pulled with stream_outcomes).
  std::size_t live_uploads() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(files_.begin(), files_.end(), [](const FileRun& f) { return f.upload != nullptr; }));
  }
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
    explicit FileRun(Upload u)
        : info(u.file()),
          upload(std::make_unique<Upload>(std::move(u))),
          stage(upload->state() == ::upstate::State::idle ? FileStage::waiting : FileStage::waiting_resumed) {}
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
  bool take(BatchTrigger trigger, Instant now) {
    auto to = next_state(state_, trigger);
    if (!to) {
      broken("no transition for " + std::string(to_string(trigger)) + " in batch state " +
                 std::string(to_string(state_)),
             now);
      return false;
    }
    if (trace_.size() < kMaxTrace) trace_.push_back(BatchStep{now, state_, trigger, *to});
    state_ = *to;
    return true;
  }

  // Every move of a file's stage goes through here (false as take()).
  bool move(std::size_t i, FileTrigger trigger, Instant now) {
    FileRun& f = files_[i];
    auto to = next_state(f.stage, trigger);
    if (!to) {
      broken("no transition for " + std::string(to_string(trigger)) + " of file " + std::to_string(i) +
                 " in stage " + std::string(to_string(f.stage)),
             now);
      return false;
    }
    if (file_trace_.size() < kMaxTrace) file_trace_.push_back(BatchFileStep{now, i, f.stage, trigger, *to});
    f.stage = *to;
    return true;
  }

  // ---- tickets ---------------------------------------------------------------

  void emit(std::size_t owner, Request request) {
    const Ticket t = tickets_.issue(owner, std::move(request));
    if (owner == BatchSend::npos)
      fetch_ticket_ = t;
    else
      files_[owner].ticket = t;
  }

  // The owner of an answered ticket (file index or npos), now retired; nullopt
  // when the answer is to be ignored (abandoned) or was a caller bug.
  std::optional<std::size_t> claim(Ticket ticket, const char* event, Instant now) {
    const std::optional<std::size_t> owner = tickets_.claim(ticket);
    if (!owner) {
      if (tickets_.forget_abandoned(ticket)) {
        take(BatchTrigger::abandoned_answer, now);
        return std::nullopt;
      }
      misuse(std::string(event) + " for ticket " + std::to_string(ticket.value) +
                 (tickets_.issued(ticket) ? ", which was already answered" : ", which this batch never issued"),
             now);
      return std::nullopt;
    }
    if (*owner == BatchSend::npos)
      fetch_ticket_.reset();
    else
      files_[*owner].ticket.reset();
    return owner;
  }

  // Forgets the request out for `owner`: dropped if not pulled yet, else
  // reported through next_abandoned and its answer ignored.
  void abandon(std::optional<Ticket>& ticket) {
    if (!ticket) return;
    tickets_.abandon(*ticket);
    ticket.reset();
  }

  // ---- files -------------------------------------------------------------------

  // Carries out what file i's machine asked for: one row of its stage.
  void apply(std::size_t i, Action action, Instant now) {
    FileRun& f = files_[i];
    if (auto* send = std::get_if<Send>(&action)) {
      const bool put = send->request.purpose == Purpose::upload;
      // i < gate_: a resumed file whose probe found its import empty sends
      // its PUT now (the files after it were let go while it was probing).
      if (put && i > gate_) {
        if (move(i, FileTrigger::put_held, now)) f.held_put = std::move(send->request);
      } else if (move(i, put ? FileTrigger::put : FileTrigger::request, now)) {
        emit(i, std::move(send->request));
      }
    } else if (auto* sleep = std::get_if<Sleep>(&action)) {
      if (move(i, FileTrigger::sleep, now)) f.wake_at = sleep->until;
    } else {
      const Outcome& ended = end_file(i, FileTrigger::ended, std::get<Done>(std::move(action)).outcome, now);
      if (config_.fail_fast && !ended.complete() && state_ == BatchState::running) {
        if (!take(BatchTrigger::fail_fast, now)) return;
        end_unfinished(Error::of(ErrorCode::cancelled, "fail-fast: " + printable_excerpt(f.info.name, 200) +
                                                           " ended " + describe(ended)),
                       now);
      }
    }
  }

  // `trigger`: refused, ended or cancelled. The file ends even when the
  // row is missing (the batch then stops with ErrorCode::internal).
  const Outcome& end_file(std::size_t i, FileTrigger trigger, Outcome outcome, Instant now) {
    FileRun& f = files_[i];
    if (!move(i, trigger, now)) f.stage = FileStage::ended;
    running_.erase(i);
    f.held_put.reset();
    f.wake_at.reset();
    ++ended_;
    outcome_.counts.add(outcome);
    if (!config_.stream_outcomes) return outcome_.files[i] = std::move(outcome);
    finished_.push_back(FinishedFile{i, std::move(outcome)});
    return finished_.back().outcome;  // a deque's push_back keeps references
  }

  Upload make_upload(std::size_t i) const {
    UploadConfig c = config_.upload;
    c.seed = files_[i].seed;
    return make_ ? make_(i, std::move(c)) : Upload{std::move(c), files_[i].info};
  }

  // Ends every file still waiting or running with `why` (its own Upload is
  // cancelled, so upload(i) agrees it is done).
  void end_unfinished(const Error& why, Instant now) {
    for (std::size_t i = 0; i < files_.size(); ++i) {
      FileRun& f = files_[i];
      if (f.stage == FileStage::ended) continue;
      Outcome o;
      Error e = why;
      if (file_stage_info(f.stage).started) {
        abandon(f.ticket);
        f.upload->cancel(now);
        o = *f.upload->outcome();
      } else {
        e.message += " (the file was never started)";
      }
      o.result = std::move(e);
      end_file(i, FileTrigger::cancelled, std::move(o), now);
    }
    next_start_ = files_.size();
  }

  // Whether file i no longer holds up the next file's PUT: it ended, or its
  // PUT was accepted (the machine moved on to processing; read through the
  // phase so every polling state Upload's table has counts).
  bool passed(std::size_t i) const {
    const FileRun& f = files_[i];
    if (f.stage == FileStage::ended) return true;
    if (f.stage != FileStage::active) return false;  // a waiting file may have no machine yet
    Phase p = f.upload->phase();
    return p == Phase::processing || p == Phase::finished;
  }

  // After every event: move the PUT turn on, start files while there is
  // room, and once every file ended, the dataset request.
  void advance(Instant now) {
    for (bool moved = true; moved && !done();) {
      moved = false;
      while (gate_ < files_.size() && passed(gate_)) {
        ++gate_;
        moved = true;
      }
      if (gate_ < files_.size() && files_[gate_].stage == FileStage::put_held) {
        if (!move(gate_, FileTrigger::put_turn, now)) return;
        Request put = std::move(*files_[gate_].held_put);
        files_[gate_].held_put.reset();
        emit(gate_, std::move(put));
      }
      while (batch_state_info(state_).starts_files && running_.size() < concurrency_limit() &&
             next_start_ < files_.size()) {
        std::size_t i = next_start_++;
        FileRun& f = files_[i];
        if (file_stage_info(f.stage).awaits != Awaits::start) continue;  // refused before start
        if (!move(i, f.stage == FileStage::waiting ? FileTrigger::start : FileTrigger::resume, now)) return;
        running_.insert(i);
        if (!f.upload) f.upload = std::make_unique<Upload>(make_upload(i));
        apply(i, f.upload->start(now), now);
        moved = true;
      }
    }
    if (state_ != BatchState::running || ended_ < files_.size()) return;
    if (!config_.fetch_dataset) {
      take(BatchTrigger::files_ended_unfetched, now);  // outcome_.counts was kept up by end_file
      return;
    }
    if (!take(BatchTrigger::files_ended, now)) return;
    UploadConfig c = config_.upload;
    c.seed = fetch_seed_;
    fetch_.emplace(std::move(c));
    apply_fetch(fetch_->start(now), now);
  }

  // ---- the dataset -----------------------------------------------------------

  void apply_fetch(DatasetFetchAction action, Instant now) {
    if (auto* send = std::get_if<Send>(&action)) return emit(BatchSend::npos, std::move(send->request));
    if (auto* sleep = std::get_if<Sleep>(&action)) {
      fetch_wake_ = sleep->until;
      return;
    }
    if (!take(BatchTrigger::fetched, now)) return;
    Result<Dataset>& result = std::get<DatasetFetched>(action).result;
    if (!result) {
      outcome_.dataset_error = result.error();
    } else {
      outcome_.total_datapoint_count = result->total_datapoint_count;
      if (!outcome_.total_datapoint_count)
        outcome_.dataset_error =
            Error::malformed("$.total_datapoint_count", "the dataset answer has no total_datapoint_count").with_status(200);
      outcome_.dataset = std::move(result).value();
    }
  }

  // ---- stopping ------------------------------------------------------------------

  // cancel or misuse: the row, then every file and the fetch end with `why`.
  void stop(Error why, BatchTrigger trigger, Instant now) {
    if (!take(trigger, now)) return;
    wind_down(std::move(why), now);
  }

  void wind_down(Error why, Instant now) {
    end_unfinished(why, now);
    if (fetch_ && fetch_->state() != DatasetFetch::State::done) {
      abandon(fetch_ticket_);
      fetch_wake_.reset();
      fetch_->cancel(now);
      outcome_.dataset_error = why;
    } else if (!fetch_ && config_.fetch_dataset) {
      why.message = "the dataset was not fetched: " + why.message;
      outcome_.dataset_error = std::move(why);
    }
  }

  // A caller bug: the batch stops at once (sticky), as Upload's misuse does.
  void misuse(const std::string& what, Instant now) {
    Error e = Error::usage("can't handle " + what);
    outcome_.error = e;
    e.message = "batch stopped: " + e.message;
    stop(std::move(e), BatchTrigger::misuse, now);
  }

  // A move the tables lack: our bug, never the caller's. The batch stops
  // with ErrorCode::internal (a defined end, not undefined behaviour).
  void broken(const std::string& what, Instant now) {
    Error e = Error::internal(what);
    outcome_.error = e;
    if (state_ == BatchState::done) return;  // already winding down
    e.message = "batch stopped: " + e.message;
    state_ = BatchState::done;  // no row to take: the table is what failed
    wind_down(std::move(e), now);
  }


  static std::string describe(const Outcome& o) {
    if (const ImportReport* r = o.report()) return std::string(to_string(r->status));
    return "with " + std::string(to_string(o.error()->code));
  }

  Instant observe(Instant now) noexcept { return time_.observe(now); }

  BatchConfig config_;
  ConcurrencyLimit limit_;
  std::vector<FileRun> files_;
  std::uint64_t fetch_seed_ = 0;

  BatchState state_ = BatchState::idle;
  std::size_t next_start_ = 0;  // the next file to start
  std::size_t gate_ = 0;        // the file whose PUT may go out now
  std::set<std::size_t> running_;  // files between start and Done (at most the limit)
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

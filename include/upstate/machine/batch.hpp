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
// The rules:
// - Order: the service processes a dataset's imports in the order their PUTs
//   arrive, so file i's PUT goes out only once file i-1's PUT was accepted
//   or file i-1 ended. Step 1 of later files may run ahead; their PUT is
//   held until their turn. (A held URL may expire meanwhile: the Upload
//   renews it on S3's "expired" answer. The wait also counts against that
//   file's UploadConfig::deadline, which runs from its start.)
// - At most `max_in_flight` files are between start and Done; files start
//   in the order given.
// - fail_fast: once a file ends with anything but `complete`, the files not
//   started yet end with ErrorCode::cancelled, and so do the running ones
//   (their requests are abandoned; an import whose PUT was accepted may still
//   finish server-side). The dataset is still fetched.
// - Then GET /datasets/{id} (DatasetFetch) gives total_datapoint_count.
// - cancel(): every unfinished file ends cancelled, nothing is fetched.
// - A ticket names one outstanding request. An answer for a ticket the batch
//   never issued or that was already answered is a caller bug: the batch
//   stops with ErrorCode::usage (sticky, as Upload's misuse is). An answer
//   for a request the batch abandoned (next_abandoned) is ignored.
// - Once done, every event is ignored and the outcome stays as it is.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
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
};

// One outstanding request of a Batch.
struct Ticket {
  std::uint64_t value = 0;
  friend bool operator==(Ticket a, Ticket b) noexcept { return a.value == b.value; }
  friend bool operator!=(Ticket a, Ticket b) noexcept { return a.value != b.value; }
  friend bool operator<(Ticket a, Ticket b) noexcept { return a.value < b.value; }
};

struct BatchSend {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  Ticket ticket;
  std::size_t file = npos;  // index into the files given; npos for the dataset request
  Request request;          // for the PUT, stream request.file->size bytes of that file
};

class Batch {
 public:
  Batch(BatchConfig config, std::vector<FileInfo> files) : config_(std::move(config)) {
    config_.max_in_flight = std::max<std::size_t>(config_.max_in_flight, 1);
    limit_ = ConcurrencyLimit({config_.max_in_flight, config_.concurrency_increase_after});
    Rng seeds(config_.upload.seed);
    files_.reserve(files.size());
    for (FileInfo& f : files) {
      UploadConfig c = config_.upload;
      c.seed = seeds.next();
      files_.emplace_back(Upload{std::move(c), std::move(f)});
    }
    fetch_seed_ = seeds.next();
    outcome_.files.resize(files_.size());
  }

  // A batch of machines made by the caller: new ones or restored ones
  // (Upload::restore, e.g. from a batch journal), each with its own seed.
  // A restored machine's start() resumes it (polls an accepted PUT, probes
  // an import whose PUT answer was lost), so no file is ingested twice.
  static Batch of_uploads(BatchConfig config, std::vector<Upload> uploads) {
    Batch b(std::move(config), std::vector<FileInfo>{});
    b.files_.reserve(uploads.size());
    for (Upload& u : uploads) b.files_.emplace_back(std::move(u));
    b.outcome_.files.resize(b.files_.size());
    return b;
  }

  // ---- before start ------------------------------------------------------

  // Ends file `i` with `error` before any request (a driver that cannot
  // read it, say); the others run as usual. Only before start().
  void refuse_file(std::size_t i, Error error) {
    if (done_) return;
    if (started_ || i >= files_.size() || files_[i].stage != Stage::waiting)
      return misuse("refuse_file " + std::to_string(i) + (started_ ? " after start" : ""), time_.last());
    redact_in(error, config_.upload.token);
    Outcome o;
    o.result = std::move(error);
    end_file(i, std::move(o));
  }

  // ---- events ------------------------------------------------------------

  void start(Instant now) {
    now = observe(now);
    if (done_) return;
    if (started_) return misuse("start: the batch already started", now);
    started_ = true;
    advance(now);
  }

  void on_response(Ticket ticket, const Response& response, Instant now) {
    now = observe(now);
    if (done_) return;
    auto owner = claim(ticket, "on_response", now);
    if (!owner) return;
    if (*owner == BatchSend::npos) return apply_fetch(fetch_->on_response(response, now));
    if (config_.adaptive_concurrency) limit_.on_status(response.status);
    apply(*owner, files_[*owner].upload.on_response(response, now), now);
    advance(now);
  }

  void on_transport_error(Ticket ticket, const TransportError& error, Instant now) {
    now = observe(now);
    if (done_) return;
    auto owner = claim(ticket, "on_transport_error", now);
    if (!owner) return;
    if (*owner == BatchSend::npos) return apply_fetch(fetch_->on_transport_error(error, now));
    apply(*owner, files_[*owner].upload.on_transport_error(error, now), now);
    advance(now);
  }

  // Wakes whatever is due at `now`; an early or spurious call does nothing.
  void on_wake(Instant now) {
    now = observe(now);
    if (done_ || !started_) return;
    // A copy: a file that ends here leaves the set (and fail-fast empties it).
    const std::vector<std::size_t> running(running_.begin(), running_.end());
    for (std::size_t i : running) {
      FileRun& f = files_[i];
      if (f.stage != Stage::active || !f.wake_at || *f.wake_at > now) continue;
      f.wake_at.reset();
      apply(i, f.upload.on_wake(now), now);
    }
    if (fetch_wake_ && *fetch_wake_ <= now) {
      fetch_wake_.reset();
      return apply_fetch(fetch_->on_wake(now));
    }
    advance(now);
  }

  // Every unfinished file ends with ErrorCode::cancelled; the dataset is not
  // fetched. The requests out are abandoned (next_abandoned).
  void cancel(Instant now) {
    now = observe(now);
    if (done_) return;
    stop(Error::cancelled(), now);
  }

  // ---- what to do next -----------------------------------------------------

  // The next request to perform; call until empty after every event.
  // With adaptive_concurrency, empty while concurrency_limit() requests are
  // out (pulled, not answered): the rest wait for an answer.
  std::optional<BatchSend> next_send() {
    if (outbox_.empty()) return std::nullopt;
    if (config_.adaptive_concurrency && owners_.size() - outbox_.size() >= limit_.current()) return std::nullopt;
    BatchSend s = std::move(outbox_.front());
    outbox_.pop_front();
    return s;
  }

  // A request the batch no longer wants (cancel, fail-fast): abort it if you
  // can; its answer, if one still comes, is ignored.
  std::optional<Ticket> next_abandoned() {
    if (abandoned_out_.empty()) return std::nullopt;
    Ticket t = abandoned_out_.front();
    abandoned_out_.pop_front();
    return t;
  }

  // When to call on_wake next, if anything sleeps.
  std::optional<Instant> next_wake() const {
    std::optional<Instant> earliest = fetch_wake_;
    for (std::size_t i : running_) {
      const FileRun& f = files_[i];
      if (f.wake_at && (!earliest || *f.wake_at < *earliest)) earliest = f.wake_at;
    }
    return earliest;
  }

  bool done() const noexcept { return done_; }
  const BatchOutcome* outcome() const noexcept { return done_ ? &outcome_ : nullptr; }

  // ---- progress --------------------------------------------------------------

  std::size_t file_count() const noexcept { return files_.size(); }
  // Read-only, for progress display (phase, notes, import id).
  const Upload& upload(std::size_t i) const { return files_.at(i).upload; }
  // Set once file i ended (before the batch is done, too).
  const Outcome* file_outcome(std::size_t i) const {
    return files_.at(i).stage == Stage::ended ? &outcome_.files[i] : nullptr;
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
  bool put_held(std::size_t i) const { return files_.at(i).held_put.has_value(); }
  // The final dataset request, once all files ended (null before).
  const DatasetFetch* dataset_fetch() const noexcept { return fetch_ ? &*fetch_ : nullptr; }
  const BatchConfig& config() const noexcept { return config_; }

 private:
  enum class Stage { waiting, active, ended };

  struct FileRun {
    explicit FileRun(Upload u) : upload(std::move(u)) {}
    Upload upload;
    Stage stage = Stage::waiting;
    std::optional<Ticket> ticket;     // its request out
    std::optional<Request> held_put;  // its PUT, until its turn
    std::optional<Instant> wake_at;   // asleep until
  };

  // ---- tickets ---------------------------------------------------------------

  void emit(std::size_t owner, Request request) {
    Ticket t{next_ticket_++};
    owners_[t.value] = owner;
    if (owner == BatchSend::npos)
      fetch_ticket_ = t;
    else
      files_[owner].ticket = t;
    outbox_.push_back(BatchSend{t, owner, std::move(request)});
  }

  // The owner of an answered ticket (file index or npos), now retired; nullopt
  // when the answer is to be ignored (abandoned) or was a caller bug.
  std::optional<std::size_t> claim(Ticket ticket, const char* event, Instant now) {
    auto it = owners_.find(ticket.value);
    if (it == owners_.end()) {
      if (abandoned_.erase(ticket.value) != 0) return std::nullopt;
      misuse(std::string(event) + " for ticket " + std::to_string(ticket.value) +
                 (ticket.value != 0 && ticket.value < next_ticket_ ? ", which was already answered"
                                                                   : ", which this batch never issued"),
             now);
      return std::nullopt;
    }
    std::size_t owner = it->second;
    owners_.erase(it);
    // Answered before it was pulled: it must not go out any more.
    outbox_.erase(std::remove_if(outbox_.begin(), outbox_.end(),
                                 [&](const BatchSend& s) { return s.ticket == ticket; }),
                  outbox_.end());
    if (owner == BatchSend::npos)
      fetch_ticket_.reset();
    else
      files_[owner].ticket.reset();
    return owner;
  }

  // Forgets the request out for `owner`: dropped if not pulled yet, else
  // reported through next_abandoned and its answer ignored.
  void abandon(std::optional<Ticket>& ticket) {
    if (!ticket) return;
    owners_.erase(ticket->value);
    auto queued = std::find_if(outbox_.begin(), outbox_.end(), [&](const BatchSend& s) { return s.ticket == *ticket; });
    if (queued != outbox_.end()) {
      outbox_.erase(queued);
    } else {
      abandoned_.insert(ticket->value);
      abandoned_out_.push_back(*ticket);
    }
    ticket.reset();
  }

  // ---- files -------------------------------------------------------------------

  // Carries out what file i's machine asked for.
  void apply(std::size_t i, Action action, Instant now) {
    FileRun& f = files_[i];
    if (auto* send = std::get_if<Send>(&action)) {
      // i < gate_: a restored file whose probe found its import empty sends
      // its PUT now (the files after it were let go while it was probing).
      if (send->request.purpose == Purpose::upload && i > gate_)
        f.held_put = std::move(send->request);
      else
        emit(i, std::move(send->request));
    } else if (auto* sleep = std::get_if<Sleep>(&action)) {
      f.wake_at = sleep->until;
    } else {
      end_file(i, std::get<Done>(std::move(action)).outcome);
      if (config_.fail_fast && !outcome_.files[i].complete() && !stopping_) {
        stopping_ = true;
        end_unfinished(Error::of(ErrorCode::cancelled, "fail-fast: " + printable_excerpt(f.upload.file().name, 200) +
                                                           " ended " + describe(outcome_.files[i])),
                       now);
      }
    }
  }

  void end_file(std::size_t i, Outcome outcome) {
    FileRun& f = files_[i];
    f.stage = Stage::ended;
    running_.erase(i);
    f.held_put.reset();
    f.wake_at.reset();
    outcome_.files[i] = std::move(outcome);
    ++ended_;
  }

  // Ends every file still waiting or running with `why` (its own Upload is
  // cancelled, so upload(i) agrees it is done).
  void end_unfinished(const Error& why, Instant now) {
    for (std::size_t i = 0; i < files_.size(); ++i) {
      FileRun& f = files_[i];
      if (f.stage == Stage::ended) continue;
      Outcome o;
      Error e = why;
      if (f.stage == Stage::active) {
        abandon(f.ticket);
        f.upload.cancel(now);
        o = *f.upload.outcome();
      } else {
        e.message += " (the file was never started)";
      }
      o.result = std::move(e);
      end_file(i, std::move(o));
    }
    next_start_ = files_.size();
  }

  // Whether file i no longer holds up the next file's PUT: it ended, or its
  // PUT was accepted (the machine moved on to processing; read through the
  // phase so every polling state the table has counts).
  bool passed(std::size_t i) const {
    const FileRun& f = files_[i];
    if (f.stage == Stage::ended) return true;
    Phase p = f.upload.phase();
    return f.stage == Stage::active && (p == Phase::processing || p == Phase::finished);
  }

  // After every event: move the PUT turn on, start files while there is
  // room, and once every file ended, the dataset request.
  void advance(Instant now) {
    for (bool moved = true; moved;) {
      moved = false;
      while (gate_ < files_.size() && passed(gate_)) {
        ++gate_;
        moved = true;
      }
      if (gate_ < files_.size() && files_[gate_].held_put) {
        Request put = std::move(*files_[gate_].held_put);
        files_[gate_].held_put.reset();
        emit(gate_, std::move(put));
      }
      while (!stopping_ && running_.size() < concurrency_limit() && next_start_ < files_.size()) {
        std::size_t i = next_start_++;
        if (files_[i].stage != Stage::waiting) continue;  // refused before start
        files_[i].stage = Stage::active;
        running_.insert(i);
        apply(i, files_[i].upload.start(now), now);
        moved = true;
      }
    }
    if (ended_ < files_.size() || fetch_) return;
    if (!config_.fetch_dataset) return finalize();
    UploadConfig c = config_.upload;
    c.seed = fetch_seed_;
    fetch_.emplace(std::move(c));
    apply_fetch(fetch_->start(now));
  }

  // ---- the dataset -----------------------------------------------------------

  void apply_fetch(DatasetFetchAction action) {
    if (auto* send = std::get_if<Send>(&action)) return emit(BatchSend::npos, std::move(send->request));
    if (auto* sleep = std::get_if<Sleep>(&action)) {
      fetch_wake_ = sleep->until;
      return;
    }
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
    finalize();
  }

  // ---- stopping ------------------------------------------------------------------

  void stop(Error why, Instant now) {
    stopping_ = true;
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
    finalize();
  }

  // A caller bug: the batch stops at once (sticky), as Upload's misuse does.
  void misuse(const std::string& what, Instant now) {
    Error e{ErrorCode::usage, 0, "can't handle " + what, "", ""};
    outcome_.error = e;
    e.message = "batch stopped: " + e.message;
    stop(std::move(e), now);
  }

  void finalize() {
    done_ = true;
    outcome_.counts = BatchCounts{};
    for (const Outcome& o : outcome_.files) outcome_.counts.add(o);
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

  bool started_ = false;
  bool stopping_ = false;  // fail-fast or cancel: start nothing more
  bool done_ = false;
  std::size_t next_start_ = 0;  // the next file to start
  std::size_t gate_ = 0;        // the file whose PUT may go out now
  std::set<std::size_t> running_;  // files between start and Done (at most max_in_flight)
  std::size_t ended_ = 0;
  MonotonicTime time_;  // the caller's clock, never running backwards

  std::uint64_t next_ticket_ = 1;
  std::map<std::uint64_t, std::size_t> owners_;  // outstanding ticket -> file (npos: the dataset)
  std::set<std::uint64_t> abandoned_;            // answers to ignore
  std::deque<BatchSend> outbox_;
  std::deque<Ticket> abandoned_out_;

  std::optional<DatasetFetch> fetch_;
  std::optional<Ticket> fetch_ticket_;
  std::optional<Instant> fetch_wake_;

  BatchOutcome outcome_;
};

}  // namespace upstate

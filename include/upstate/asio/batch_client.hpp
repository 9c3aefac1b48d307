#pragma once
// upstate::asio::BatchClient — runs an upstate::Batch on the caller's
// asio::io_context. Each request the batch hands out goes to a free lane
// (an HttpSession with its kept-alive connections, and the file being
// PUT); at most max_in_flight lanes are ever busy, since the batch never
// has more requests out. One steady_timer serves every sleeping file; each
// event is fed back with the steady clock's time. Included by client.hpp.
#include <asio.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../machine/batch.hpp"
#include "client.hpp"
#include "file_source.hpp"
#include "http_session.hpp"

namespace upstate::detail {
// "PATH has N bytes, not the M the batch was made for": a file whose size
// changed since the batch was made (the check at the start, the PUT's, and
// the CLI journal's before the start all say it the same way).
inline std::string size_changed(const std::string& label, std::uint64_t size, std::uint64_t expected) {
  return label + " has " + std::to_string(size) + " bytes, not the " + std::to_string(expected) +
         " the batch was made for";
}
}  // namespace upstate::detail

namespace upstate::asio {

struct BatchClientOptions {
  SessionOptions session;  // every lane's
  // Per file: the phase and the PUT's bytes (never going down, as Client's).
  std::function<void(std::size_t file, const Progress&)> on_progress;
  // Sees every request before it goes out (logging, status lines).
  std::function<void(const Batch&, const BatchSend&)> on_send;
  // A file's outcome as soon as that file ends, before the batch is done.
  // Batch::upload(file) is still readable then, with stream_outcomes too
  // (the outcome was pulled with next_finished: keep what you need of it).
  std::function<void(std::size_t file, const Outcome&)> on_file_done;
  // start(paths): whether every path is opened once at the start to check
  // it (see start). false when the caller has just checked them itself
  // (the CLI's journal plan stat'ed and read every file: 4 syscalls a file
  // saved); then a path that cannot be opened at its PUT, or whose size is
  // no longer the batch's, ends that file with a final
  // TransportError::Kind::local_file.
  bool check_paths_at_start = true;
  // Asked before each request goes out (after on_send): false holds it
  // until release_held() finds it may go (the CLI's journal holds a PUT
  // until its import's record is fdatasync'ed, off the loop). A held
  // request counts as in flight for the batch; cancel drops it.
  std::function<bool(const Batch&, const BatchSend&)> may_send;
  // start(paths): asked at each PUT of a file for a descriptor the caller
  // has opened already (moved out: the client closes it when the PUT
  // ends); an unopened FileSource and the client opens the path. The CLI's
  // journal hands over the descriptor it read the file's hash through, so
  // a file is opened once, not twice (open and close were ~5 us a file).
  // A retried PUT asks again.
  std::function<FileSource(std::size_t file)> opened_file;
};

class BatchClient {
 public:
  BatchClient(::asio::io_context& io, BatchClientOptions options = {})
      : io_(io), options_(std::move(options)), timer_(io) {}

  BatchClient(const BatchClient&) = delete;
  BatchClient& operator=(const BatchClient&) = delete;

  // Runs `batch` (which must outlive the run); paths[i] holds the bytes of
  // the batch's file i. A path that cannot be opened, or whose size is not
  // the one the batch was made with, ends that file with invalid_argument
  // before any request; the others run. `on_done` gets the outcome once,
  // never from inside start(), by reference to the batch's own (the batch
  // holds it: copy what you keep; a batch's reports can be megabytes). Call
  // from the io_context's thread (or before it runs).
  void start(Batch& batch, std::vector<std::string> paths, std::function<void(const BatchOutcome&)> on_done) {
    paths_ = std::move(paths);
    begin(batch, std::move(on_done));
  }

  // The same with files the caller opened (FileSource::open or adopt) and
  // keeps: files[i] is file i's, borrowed until `on_done` (never closed
  // here); nullptr for a file the caller already refused (Batch::refuse_file).
  // Every PUT of a file reads its one descriptor. (A name of its own: an
  // overload would make `start(batch, {}, ...)` ambiguous.)
  void start_with_files(Batch& batch, std::vector<const FileSource*> files, std::function<void(const BatchOutcome&)> on_done) {
    sources_ = std::move(files);
    borrowed_ = true;
    begin(batch, std::move(on_done));
  }

  // Ends the run: every unfinished file with ErrorCode::cancelled (the
  // requests in flight are abandoned, their connections closed).
  void cancel() {
    if (!batch_ || finished_) return;
    batch_->cancel(Clock::now());
    pump();
  }

  // Sends the held requests (may_send) that may go now, in the order they
  // were held; the others stay held. Call from the io_context's thread.
  void release_held() {
    if (finished_ || held_.empty()) return;
    if (pumping_) {  // not from inside the loop's own round: after it
      ::asio::post(io_, [this] { release_held(); });
      return;
    }
    pumping_ = true;
    std::vector<BatchSend> waiting;
    waiting.swap(held_);
    for (BatchSend& send : waiting) {
      if (options_.may_send(*batch_, send)) transmit(std::move(send));
      else held_.push_back(std::move(send));
    }
    pumping_ = false;
    pump();
  }
  std::size_t held() const noexcept { return held_.size(); }

  const Progress& progress(std::size_t file) const { return progress_.at(file); }
  // Lanes made so far: never more than the batch's max_in_flight.
  std::size_t lanes() const noexcept { return lanes_.size(); }

 private:
  void begin(Batch& batch, std::function<void(const BatchOutcome&)> on_done) {
    batch_ = &batch;
    on_done_ = std::move(on_done);
    const std::size_t n = batch.file_count();
    progress_.assign(n, Progress{});
    reported_.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) {
      progress_[i].total = batch.file(i).size;
      if (batch.file_ended(i)) continue;  // refused by the caller already
      if (!borrowed_ && !options_.check_paths_at_start) continue;  // checked at its PUT
      if (auto problem = check_file(i)) batch.refuse_file(i, Error::invalid_argument(*problem));
    }
    batch.start(Clock::now());
    ::asio::post(io_, [this] { pump(); });
  }

  // One exchange at a time: a session, and the file its PUT streams.
  struct Lane {
    explicit Lane(::asio::io_context& io, const SessionOptions& options) : session(io, options) {}
    HttpSession session;
    FileSource file;
    std::optional<Ticket> ticket;  // the request it carries
  };

  std::optional<std::string> check_file(std::size_t i) const {
    const std::uint64_t expected = batch_->file(i).size;
    auto mismatch = [&](const std::string& label, std::uint64_t size) -> std::optional<std::string> {
      if (size == expected) return std::nullopt;
      return upstate::detail::size_changed(label, size, expected);
    };
    if (borrowed_) {
      if (i >= sources_.size() || !sources_[i] || !sources_[i]->is_open())
        return "no open file was given for file " + std::to_string(i);
      return mismatch("file " + std::to_string(i), sources_[i]->size());
    }
    if (i >= paths_.size()) return "no path was given for file " + std::to_string(i);
    FileSource probe;
    std::string error;
    if (!probe.open(paths_[i], error)) return error;
    return mismatch(paths_[i], probe.size());
  }

  // After every event: abort what the batch abandoned, send what it wants
  // sent, tell the callbacks, then finish or wait for the next wake. An
  // exchange that fails at once feeds the batch from inside perform(); that
  // nested call only asks this loop to go round again.
  void pump() {
    if (finished_) return;
    if (pumping_) {
      again_ = true;
      return;
    }
    pumping_ = true;
    do {
      again_ = false;
      while (auto ticket = batch_->next_abandoned()) abort(*ticket);
      while (auto send = batch_->next_send()) perform(std::move(*send));
      report();
    } while (again_);
    pumping_ = false;
    if (batch_->done()) return finish();
    arm_timer();
  }

  void perform(BatchSend send) {
    if (options_.on_send) options_.on_send(*batch_, send);
    if (options_.may_send && !options_.may_send(*batch_, send)) {
      held_.push_back(std::move(send));
      return;
    }
    transmit(std::move(send));
  }

  void transmit(BatchSend send) {
    Lane& lane = free_lane();
    lane.ticket = send.ticket;
    const std::size_t file = send.file;
    const bool is_put = send.request.file.has_value();
    const FileSource* body = nullptr;
    if (is_put && borrowed_) {
      body = file < sources_.size() ? sources_[file] : nullptr;  // checked at start: never null here
    } else if (is_put) {
      std::string error;
      const bool checked = options_.check_paths_at_start;
      if (options_.opened_file && file < paths_.size()) lane.file = options_.opened_file(file);
      if (file >= paths_.size() || (!lane.file.is_open() && !lane.file.open(paths_[file], error)) ||
          (!checked && lane.file.size() != batch_->file(file).size)) {
        error = !error.empty() || file >= paths_.size()
                    ? "cannot open the file: " + error
                    : upstate::detail::size_changed(paths_[file], lane.file.size(), batch_->file(file).size);
        lane.file.close();
        lane.ticket.reset();
        batch_->on_transport_error(
            send.ticket, TransportError{checked ? TransportError::Kind::other : TransportError::Kind::local_file, error},
            Clock::now());
        again_ = true;
        return;
      }
      body = &lane.file;
    }
    // A request never outlives its machine's deadline.
    Instant give_up_at = file == BatchSend::npos
                             ? (batch_->dataset_fetch() ? batch_->dataset_fetch()->deadline() : Instant::max())
                             : batch_->upload(file).deadline();
    Lane* carrier = &lane;
    const Ticket ticket = send.ticket;
    lane.session.exchange(
        std::move(send.request), body,
        [this, file](std::uint64_t sent, std::uint64_t total) {
          if (file >= progress_.size()) return;
          Progress& p = progress_[file];
          p.total = total;
          if (sent > p.bytes_sent) p.bytes_sent = sent;
          if (options_.on_progress) options_.on_progress(file, p);
        },
        [this, carrier, ticket](Exchange result) {
          if (carrier->ticket != ticket) return;
          carrier->ticket.reset();
          carrier->file.close();
          if (finished_) return;
          if (auto* response = std::get_if<Response>(&result))
            batch_->on_response(ticket, *response, Clock::now());
          else
            batch_->on_transport_error(ticket, std::get<TransportError>(result), Clock::now());
          pump();
        },
        give_up_at);
  }

  Lane& free_lane() {
    for (auto& lane : lanes_)
      if (!lane->ticket) return *lane;
    lanes_.push_back(std::make_unique<Lane>(io_, options_.session));
    return *lanes_.back();
  }

  void abort(Ticket ticket) {
    for (std::size_t i = 0; i < held_.size(); ++i)
      if (held_[i].ticket == ticket) {
        held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
        return;
      }
    for (auto& lane : lanes_) {
      if (lane->ticket != ticket) continue;
      lane->ticket.reset();
      lane->session.cancel();  // its `done` is not called
      lane->file.close();
    }
  }

  void arm_timer() {
    std::optional<Instant> wake = batch_->next_wake();
    if (wake == armed_) return;
    armed_ = wake;
    ++timer_generation_;
    if (!wake) {
      timer_.cancel();
      return;
    }
    timer_.expires_at(*wake);
    timer_.async_wait([this, generation = timer_generation_](const ::asio::error_code& ec) {
      if (ec == ::asio::error::operation_aborted || generation != timer_generation_ || finished_) return;
      armed_.reset();
      batch_->on_wake(Clock::now());  // a wake a little early is harmless
      pump();
    });
  }

  // Phase changes and ended files, to the callbacks. Only files the batch
  // has started can change (the rest end all at once when it stops), so the
  // scan covers the started ones not yet reported ended. With
  // stream_outcomes the ended ones come from next_finished.
  void report() {
    const std::size_t end = batch_->done() ? progress_.size() : batch_->started_files();
    if (batch_->config().stream_outcomes) {
      for (std::size_t i = report_from_; i < end; ++i)
        if (!batch_->file_ended(i) && batch_->upload(i).phase() != progress_[i].phase)
          set_phase(i, batch_->upload(i).phase());
      while (auto f = batch_->next_finished()) {
        if (f->file >= reported_.size()) continue;
        reported_[f->file] = true;
        if (progress_[f->file].phase != Phase::finished) set_phase(f->file, Phase::finished);
        if (options_.on_file_done) options_.on_file_done(f->file, f->outcome);
      }
      while (report_from_ < reported_.size() && reported_[report_from_]) ++report_from_;
      return;
    }
    for (std::size_t i = report_from_; i < end; ++i) {
      const Outcome* outcome = batch_->file_outcome(i);
      Phase phase = outcome ? Phase::finished : batch_->upload(i).phase();
      if (phase != progress_[i].phase) set_phase(i, phase);
      if (outcome && !reported_[i]) {
        reported_[i] = true;
        if (options_.on_file_done) options_.on_file_done(i, *outcome);
      }
    }
    while (report_from_ < reported_.size() && reported_[report_from_]) ++report_from_;
  }

  void set_phase(std::size_t i, Phase phase) {
    progress_[i].phase = phase;
    if (options_.on_progress) options_.on_progress(i, progress_[i]);
  }

  void finish() {
    finished_ = true;
    held_.clear();
    ++timer_generation_;
    timer_.cancel();
    for (auto& lane : lanes_) {
      lane->session.close_idle();
      lane->file.close();
    }
    auto done = std::move(on_done_);
    if (done) done(*batch_->outcome());
  }

  ::asio::io_context& io_;
  BatchClientOptions options_;
  ::asio::steady_timer timer_;
  Batch* batch_ = nullptr;
  std::vector<std::string> paths_;
  std::vector<const FileSource*> sources_;  // the caller's files (start_with_files)
  bool borrowed_ = false;
  std::function<void(const BatchOutcome&)> on_done_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<BatchSend> held_;  // requests may_send held back
  std::vector<Progress> progress_;
  std::vector<bool> reported_;  // on_file_done called
  std::size_t report_from_ = 0;  // every file below it was reported ended
  std::optional<Instant> armed_;
  std::uint64_t timer_generation_ = 0;
  bool pumping_ = false;
  bool again_ = false;
  bool finished_ = false;
};

// Blocking convenience: runs one batch on a private io_context.
inline BatchOutcome upload_batch(Batch& batch, std::vector<std::string> paths, BatchClientOptions options = {}) {
  ::asio::io_context io;
  BatchClient client(io, std::move(options));
  BatchOutcome outcome;
  client.start(batch, std::move(paths), [&](const BatchOutcome& o) { outcome = o; });
  io.run();
  return outcome;
}

// The same with files the caller opened and keeps.
inline BatchOutcome upload_batch_files(Batch& batch, std::vector<const FileSource*> files,
                                       BatchClientOptions options = {}) {
  ::asio::io_context io;
  BatchClient client(io, std::move(options));
  BatchOutcome outcome;
  client.start_with_files(batch, std::move(files), [&](const BatchOutcome& o) { outcome = o; });
  io.run();
  return outcome;
}

}  // namespace upstate::asio

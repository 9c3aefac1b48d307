#pragma once
// The bodies of Batch (<upstate/machine/batch.hpp>; see detail/linkage.hpp):
// its events, and the steps that classify them into rows of its tables
// (batch_transitions.hpp) and carry the rows out.
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <upstate/detail/excerpt.hpp>
#include <upstate/detail/redaction.hpp>
#include <upstate/detail/rng.hpp>
#include <upstate/machine/batch.hpp>

namespace upstate {

UPSTATE_DECL Batch::Batch(BatchConfig config, std::vector<FileInfo> files) : config_(std::move(config)) {
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

UPSTATE_DECL Batch::FileRun::FileRun(Upload u)
    : info(u.file()),
      upload(std::make_unique<Upload>(std::move(u))),
      stage(upload->state() == ::upstate::State::idle ? FileStage::waiting : FileStage::waiting_resumed) {}

UPSTATE_DECL Batch Batch::of_uploads(BatchConfig config, std::vector<Upload> uploads) {
  Batch b(std::move(config), std::vector<FileInfo>{});
  b.files_.reserve(uploads.size());
  for (Upload& u : uploads) b.files_.emplace_back(std::move(u));
  if (!b.config_.stream_outcomes) b.outcome_.files.resize(b.files_.size());
  return b;
}

UPSTATE_DECL Batch Batch::of_maker(BatchConfig config, std::vector<FileInfo> files, UploadMaker make) {
  const bool keep = !config.stream_outcomes;
  config.stream_outcomes = true;  // no machine made up front
  Batch b(std::move(config), std::move(files));
  b.config_.stream_outcomes = !keep;
  if (keep) b.outcome_.files.resize(b.files_.size());
  b.make_ = std::move(make);
  return b;
}

UPSTATE_DECL void Batch::refuse_file(std::size_t i, Error error) {
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

UPSTATE_DECL void Batch::start(Instant now) {
  now = observe(now);
  if (done()) return;
  if (state_ != BatchState::idle) return misuse("start: the batch already started", now);
  if (!take(BatchTrigger::start, now)) return;
  advance(now);
}

UPSTATE_DECL void Batch::on_response(Ticket ticket, const Response& response, Instant now) {
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

UPSTATE_DECL void Batch::on_transport_error(Ticket ticket, const TransportError& error, Instant now) {
  now = observe(now);
  if (done()) return;
  auto owner = claim(ticket, "on_transport_error", now);
  if (!owner) return;
  if (!take(BatchTrigger::answer, now)) return;
  if (*owner == BatchSend::npos) return apply_fetch(fetch_->on_transport_error(error, now), now);
  apply(*owner, files_[*owner].upload->on_transport_error(error, now), now);
  advance(now);
}

UPSTATE_DECL void Batch::on_wake(Instant now) {
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

UPSTATE_DECL void Batch::cancel(Instant now) {
  now = observe(now);
  if (done()) return;
  stop(Error::cancelled(), BatchTrigger::cancel, now);
}

UPSTATE_DECL std::optional<BatchSend> Batch::next_send() {
  return tickets_.next_send(config_.adaptive_concurrency ? std::optional<std::size_t>(limit_.current())
                                                         : std::nullopt);
}

UPSTATE_DECL std::optional<Instant> Batch::next_wake() const {
  std::optional<Instant> earliest = fetch_wake_;
  for (std::size_t i : running_) {
    const FileRun& f = files_[i];
    if (f.wake_at && (!earliest || *f.wake_at < *earliest)) earliest = f.wake_at;
  }
  return earliest;
}

UPSTATE_DECL std::optional<FinishedFile> Batch::next_finished() {
  if (released_ != BatchSend::npos) files_[std::exchange(released_, BatchSend::npos)].upload.reset();
  if (finished_.empty()) return std::nullopt;
  FinishedFile f = std::move(finished_.front());
  finished_.pop_front();
  released_ = f.file;
  return f;
}

UPSTATE_DECL const Upload& Batch::upload(std::size_t i) const {
  if (!files_.at(i).upload) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
    throw std::logic_error("Batch::upload(" + std::to_string(i) + "): no machine now");
#else
    std::abort();  // -fno-exceptions (consumer.single_header): a caller bug, as the throw is
#endif
  }
  return *files_[i].upload;
}

UPSTATE_DECL std::size_t Batch::live_uploads() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(files_.begin(), files_.end(), [](const FileRun& f) { return f.upload != nullptr; }));
}

UPSTATE_DECL bool Batch::take(BatchTrigger trigger, Instant now) {
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

UPSTATE_DECL bool Batch::move(std::size_t i, FileTrigger trigger, Instant now) {
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

UPSTATE_DECL void Batch::emit(std::size_t owner, Request request) {
  const Ticket t = tickets_.issue(owner, std::move(request));
  if (owner == BatchSend::npos)
    fetch_ticket_ = t;
  else
    files_[owner].ticket = t;
}

UPSTATE_DECL std::optional<std::size_t> Batch::claim(Ticket ticket, const char* event, Instant now) {
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

UPSTATE_DECL void Batch::abandon(std::optional<Ticket>& ticket) {
  if (!ticket) return;
  tickets_.abandon(*ticket);
  ticket.reset();
}

UPSTATE_DECL void Batch::apply(std::size_t i, Action action, Instant now) {
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

UPSTATE_DECL const Outcome& Batch::end_file(std::size_t i, FileTrigger trigger, Outcome outcome, Instant now) {
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

UPSTATE_DECL Upload Batch::make_upload(std::size_t i) const {
  UploadConfig c = config_.upload;
  c.seed = files_[i].seed;
  return make_ ? make_(i, std::move(c)) : Upload{std::move(c), files_[i].info};
}

UPSTATE_DECL void Batch::end_unfinished(const Error& why, Instant now) {
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

UPSTATE_DECL bool Batch::passed(std::size_t i) const {
  const FileRun& f = files_[i];
  if (f.stage == FileStage::ended) return true;
  if (f.stage != FileStage::active) return false;  // a waiting file may have no machine yet
  Phase p = f.upload->phase();
  return p == Phase::processing || p == Phase::finished;
}

UPSTATE_DECL void Batch::advance(Instant now) {
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

UPSTATE_DECL void Batch::apply_fetch(DatasetFetchAction action, Instant now) {
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

UPSTATE_DECL void Batch::stop(Error why, BatchTrigger trigger, Instant now) {
  if (!take(trigger, now)) return;
  wind_down(std::move(why), now);
}

UPSTATE_DECL void Batch::wind_down(Error why, Instant now) {
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

UPSTATE_DECL void Batch::misuse(const std::string& what, Instant now) {
  Error e = Error::usage("can't handle " + what);
  outcome_.error = e;
  e.message = "batch stopped: " + e.message;
  stop(std::move(e), BatchTrigger::misuse, now);
}

UPSTATE_DECL void Batch::broken(const std::string& what, Instant now) {
  Error e = Error::internal(what);
  outcome_.error = e;
  if (state_ == BatchState::done) return;  // already winding down
  e.message = "batch stopped: " + e.message;
  state_ = BatchState::done;  // no row to take: the table is what failed
  wind_down(std::move(e), now);
}

UPSTATE_DECL std::string Batch::describe(const Outcome& o) {
  if (const ImportReport* r = o.report()) return std::string(to_string(r->status));
  return "with " + std::string(to_string(o.error()->code));
}

}  // namespace upstate

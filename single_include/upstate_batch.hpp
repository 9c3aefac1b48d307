// upstate 0.1.0 -- single-header batch machine: Batch, drive_batch, ConcurrencyLimit, DatasetFetch (needs upstate.hpp)
//
// Copyright (c) 2026 the upstate authors. MIT License: see LICENSE
// (SPDX-License-Identifier: MIT); the licence text is reproduced at the
// end of this file.
//
// GENERATED FILE -- do not edit. Made by tools/amalgamate from include/upstate/batch.hpp
// and the project headers it includes (15 files, each once, in the order
// the preprocessor reaches them). Edit include/upstate/ and rerun
// tools/amalgamate; `tools/amalgamate --check` (CTest amalgamation.fresh)
// fails when this file is stale.
//
// Header-only by default. Separate compilation (README, "Compile time"):
// -DUPSTATE_SEPARATE_COMPILATION everywhere, and in one .cpp
// `#define UPSTATE_IMPLEMENTATION` before `#include "upstate.hpp"`.
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_BATCH_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_BATCH_HPP

// What this file builds on, from the files next to it.
#include "upstate.hpp"

// ---- begin include/upstate/batch.hpp ----
// Many files into one dataset, apart from the core (<upstate/upstate.hpp>)
// because only a program that uploads batches needs it, and every
// translation unit that includes the core would otherwise pay for its
// compile time (bench/compile_time.sh, row "batch"):
//   Batch, drive_batch   the batch machine (one Upload per file, a shared
//                        concurrency limit, the dataset's totals) and its driver
//   ConcurrencyLimit     AIMD: fewer requests at once after a 429 / 503
//   DatasetFetch         reads a dataset (its totals and imports) with retries
//   BatchOutcome         what a batch reports, per file and in total
// Pure code like the core: no sockets, files or clocks. The single header
// single_include/upstate_batch.hpp is this file, made by tools/amalgamate;
// the Asio adapter (<upstate/asio/client.hpp>) includes it.

// ---- begin include/upstate/vocabulary/batch_outcome.hpp ----
// How a Batch ended: one Outcome per file, in the order given, and the
// dataset's `total_datapoint_count` read once every file had ended.

namespace upstate {

// How many files ended which way; the kinds a CLI maps onto exit codes.
struct BatchCounts {
  std::size_t complete = 0;
  std::size_t partial = 0;
  std::size_t failed = 0;
  std::size_t pending_schema = 0;
  std::size_t error = 0;  // a client-side Error (cancelled ones included)

  void add(const Outcome& o) noexcept {
    const ImportReport* report = o.report();
    if (!report) {
      ++error;
      return;
    }
    switch (report->status) {
      case ImportStatus::complete: ++complete; break;
      case ImportStatus::partial: ++partial; break;
      case ImportStatus::failed: ++failed; break;
      case ImportStatus::pending_schema: ++pending_schema; break;
      default: ++error; break;  // not terminal: the machine never ends on one
    }
  }
  std::size_t total() const noexcept { return complete + partial + failed + pending_schema + error; }
};

// One file's outcome as it streams out of a Batch (Batch::next_finished).
struct FinishedFile {
  std::size_t file = 0;  // index into the files given
  Outcome outcome;
};

struct BatchOutcome {
  // Same order as the files given; empty with BatchConfig::stream_outcomes
  // (the outcomes went out through Batch::next_finished).
  std::vector<Outcome> files;
  // From GET /datasets/{id} after the last file ended (BatchConfig::fetch_dataset).
  std::optional<std::uint64_t> total_datapoint_count;
  std::optional<Dataset> dataset;
  // Why there is no count: the fetch failed, was cancelled, or the answer
  // lacked the field. Unset when fetching was turned off.
  std::optional<Error> dataset_error;
  // Set when the batch itself was stopped by a caller bug (ErrorCode::usage:
  // an answer for a ticket it never issued, a second start...). The files
  // still running then end with the same error.
  std::optional<Error> error;
  BatchCounts counts;

  bool all_complete() const noexcept { return counts.complete == counts.total(); }
};

}  // namespace upstate
// ---- end include/upstate/vocabulary/batch_outcome.hpp ----

// ---- begin include/upstate/policy/concurrency_limit.hpp ----
// upstate::ConcurrencyLimit — how many files a Batch lets run at once,
// adapted to the service's answers (AIMD, as TCP does with its window): a
// 429 or 503 halves it (a rate limit is a signal, not a reason to retry
// harder), and every `increase_after` successful answers in a row raise it
// by one, up to the ceiling (BatchConfig::max_in_flight), never below one.
// A pure value: answers in, a number out.

namespace upstate {

struct ConcurrencyLimitConfig {
  std::size_t ceiling = 4;        // the most ever allowed (0 is taken as 1)
  std::size_t increase_after = 8;  // successful answers per +1 (0 is taken as 1)
};

class ConcurrencyLimit {
 public:
  explicit ConcurrencyLimit(ConcurrencyLimitConfig config = {}) noexcept
      : ceiling_(std::max<std::size_t>(config.ceiling, 1)),
        increase_after_(std::max<std::size_t>(config.increase_after, 1)),
        current_(ceiling_) {}

  std::size_t current() const noexcept { return current_; }
  std::size_t ceiling() const noexcept { return ceiling_; }
  // How many times an answer made it go down (for reports and tests).
  std::size_t decreases() const noexcept { return decreases_; }

  // The statuses that say "too much": a Batch's `overload` row (machine/batch_transitions.hpp).
  static constexpr bool is_overload(int status) noexcept { return status == 429 || status == 503; }

  // The HTTP status of any answer the batch got. Only the overload signals
  // (429, 503) and successes (2xx) count; other answers leave it alone.
  void on_status(int status) noexcept {
    if (is_overload(status)) return on_overload();
    if (status >= 200 && status < 300) on_success();
  }

  // Halves at most once per window: the answers to requests sent before
  // the last decrease (up to that many answers) say nothing new.
  void on_overload() noexcept {
    successes_ = 0;
    if (answers_since_decrease_ < window_) {
      ++answers_since_decrease_;
      return;
    }
    std::size_t halved = std::max<std::size_t>(current_ / 2, 1);
    if (halved < current_) ++decreases_;
    window_ = current_;
    answers_since_decrease_ = 0;
    current_ = halved;
  }

  void on_success() noexcept {
    ++answers_since_decrease_;
    if (current_ >= ceiling_) return;
    if (++successes_ < increase_after_) return;
    successes_ = 0;
    ++current_;
  }

 private:
  std::size_t ceiling_;
  std::size_t increase_after_;
  std::size_t current_;
  std::size_t successes_ = 0;
  std::size_t decreases_ = 0;
  std::size_t window_ = 0;  // the limit before the last decrease
  std::size_t answers_since_decrease_ = 0;
};

}  // namespace upstate
// ---- end include/upstate/policy/concurrency_limit.hpp ----

// ---- begin include/upstate/machine/dataset_fetch.hpp ----
// upstate::DatasetFetch — GET {api}/datasets/{dataset_id}, retried per the
// RetryPolicy, as a pure step function like Upload: every event returns the
// next action (Send, Sleep, or DatasetFetched with the parsed Dataset or a
// typed Error). Its states and moves are data (dataset_fetch_transitions.hpp);
// the request step (classify, retry, refuse) is the one Upload uses
// (api_step.hpp). Batch runs one at the end for `total_datapoint_count`; a
// CLI's `--show-dataset` can run it alone (drive_dataset_fetch below).

// ---- begin include/upstate/machine/dataset_fetch_transitions.hpp ----
// DatasetFetch's machine, as data (h11's rule, as for Upload in
// upload_transitions.hpp): its states, triggers and every allowed move. A move the
// table lacks is an internal error. The unit tests take each row, the
// property test proves every row is reached, and README's diagram is
// printed from it (tools/state_diagram.cpp).

namespace upstate {

enum class FetchState {
  idle,      // constructed, not started
  fetching,  // the GET is out, awaiting its answer
  backoff,   // waiting to repeat it
  done,      // terminal; every later event returns the same DatasetFetched
};

enum class FetchTrigger {
  start,              // start(): send the GET
  refused_locally,    // start(): the inputs can never work (unsafe dataset id, token, base URL)
  fetched,            // 2xx with a dataset (or a malformed one: the result is then its error)
  refused,            // a final answer (401, 404, ...) or a TLS failure
  retry,              // 429 / 5xx / transport error within the budget
  retries_exhausted,  // a retryable failure past RetryPolicy::max_attempts
  wake,               // the backoff ended
  deadline,           // a wake at or after the deadline, or a Retry-After past it
  cancel,
  misuse,             // an event the state cannot take (caller bug): sticky error
};

struct FetchStateInfo {
  FetchState state;
  std::string_view name;
  Awaits awaits;
};

inline constexpr FetchStateInfo kFetchStates[] = {
    {FetchState::idle, "idle", Awaits::start},
    {FetchState::fetching, "fetching", Awaits::response},
    {FetchState::backoff, "backoff", Awaits::wake},
    {FetchState::done, "done", Awaits::nothing},
};

struct FetchTransition {
  FetchState from;
  FetchTrigger trigger;
  FetchState to;
};

inline constexpr FetchTransition kFetchTransitions[] = {
    {FetchState::idle, FetchTrigger::start, FetchState::fetching},
    {FetchState::idle, FetchTrigger::refused_locally, FetchState::done},
    {FetchState::fetching, FetchTrigger::fetched, FetchState::done},
    {FetchState::fetching, FetchTrigger::refused, FetchState::done},
    {FetchState::fetching, FetchTrigger::retry, FetchState::backoff},
    {FetchState::fetching, FetchTrigger::retries_exhausted, FetchState::done},
    {FetchState::fetching, FetchTrigger::deadline, FetchState::done},
    {FetchState::backoff, FetchTrigger::wake, FetchState::fetching},
    {FetchState::backoff, FetchTrigger::deadline, FetchState::done},
};

// Rules of every live state, written once.
inline constexpr FetchTrigger kFetchEveryLiveState[] = {FetchTrigger::cancel, FetchTrigger::misuse};

constexpr const FetchStateInfo& fetch_state_info(FetchState s) noexcept {
  for (const auto& info : kFetchStates)
    if (info.state == s) return info;
  return kFetchStates[std::size(kFetchStates) - 1];
}

constexpr std::optional<FetchState> next_state(FetchState from, FetchTrigger trigger) noexcept {
  for (const auto& t : kFetchTransitions)
    if (t.from == from && t.trigger == trigger) return t.to;
  if (fetch_state_info(from).awaits != Awaits::nothing)
    for (FetchTrigger w : kFetchEveryLiveState)
      if (w == trigger) return FetchState::done;
  return std::nullopt;
}

inline constexpr std::size_t kAllFetchTransitionCount =
    std::size(kFetchTransitions) + (std::size(kFetchStates) - 1) * std::size(kFetchEveryLiveState);

constexpr std::array<FetchTransition, kAllFetchTransitionCount> expanded_fetch_transitions() noexcept {
  std::array<FetchTransition, kAllFetchTransitionCount> all{};
  std::size_t n = 0;
  for (const auto& t : kFetchTransitions) all[n++] = t;
  for (const auto& info : kFetchStates)
    if (info.awaits != Awaits::nothing)
      for (FetchTrigger w : kFetchEveryLiveState) all[n++] = FetchTransition{info.state, w, FetchState::done};
  return all;
}

inline constexpr std::array<FetchTransition, kAllFetchTransitionCount> kAllFetchTransitions =
    expanded_fetch_transitions();

constexpr std::string_view to_string(FetchState s) noexcept { return fetch_state_info(s).name; }

constexpr std::string_view to_string(FetchTrigger t) noexcept {
  switch (t) {
    case FetchTrigger::start: return "start";
    case FetchTrigger::refused_locally: return "refused_locally";
    case FetchTrigger::fetched: return "fetched";
    case FetchTrigger::refused: return "refused";
    case FetchTrigger::retry: return "retry";
    case FetchTrigger::retries_exhausted: return "retries_exhausted";
    case FetchTrigger::wake: return "wake";
    case FetchTrigger::deadline: return "deadline";
    case FetchTrigger::cancel: return "cancel";
    case FetchTrigger::misuse: return "misuse";
  }
  return "?";
}

namespace detail {
constexpr bool fetch_states_in_enum_order() noexcept {
  for (std::size_t i = 0; i < std::size(kFetchStates); ++i)
    if (static_cast<std::size_t>(kFetchStates[i].state) != i) return false;
  return kFetchStates[std::size(kFetchStates) - 1].awaits == Awaits::nothing;  // only the last is terminal
}
}  // namespace detail
static_assert(detail::fetch_states_in_enum_order(), "kFetchStates lists every FetchState once, in order, done last");

}  // namespace upstate
// ---- end include/upstate/machine/dataset_fetch_transitions.hpp ----

namespace upstate {

// The fetch ended: the dataset, or why not.
struct DatasetFetched {
  Result<Dataset> result;
};

using DatasetFetchAction = std::variant<Send, Sleep, DatasetFetched>;

// One move DatasetFetch made (its trace, for tests and debugging).
struct FetchStep {
  Instant at;
  FetchState from;
  FetchTrigger trigger;
  FetchState to;
};

class DatasetFetch {
 public:
  using State = FetchState;
  static constexpr std::size_t kMaxTrace = 256;

  // Uses the config's api_base, token, dataset_id, retry, deadline (from
  // start()), seed, limits and user_agent; the poll policy is not used.
  UPSTATE_DECL explicit DatasetFetch(UploadConfig config);

  // ---- events ------------------------------------------------------------
  // The same five as Upload's (drive_loop.hpp drives both), grouped here by
  // who calls them: the caller, the transport, the timer.

  // The caller: start() begins the deadline and sends GET datasets/{id};
  // cancel() ends it at once (DatasetFetched with a cancelled error).
  UPSTATE_DECL DatasetFetchAction start(Instant now);
  UPSTATE_DECL DatasetFetchAction cancel(Instant now);

  // The transport, with the answer to the Send: a 200 about this dataset
  // ends it (DatasetFetched); a retryable status or no answer at all sleeps
  // and asks again while the retry policy and the deadline allow; anything
  // else ends it with the typed error.
  UPSTATE_DECL DatasetFetchAction on_response(const Response& response, Instant now);
  UPSTATE_DECL DatasetFetchAction on_transport_error(const TransportError& error, Instant now);

  // The timer: the backoff is over; asks again, or ends (timeout) once past
  // the deadline.
  UPSTATE_DECL DatasetFetchAction on_wake(Instant now);

  // ---- observers -----------------------------------------------------------

  State state() const noexcept { return state_; }
  // Set once done.
  const Result<Dataset>* result() const noexcept { return result_ ? &*result_ : nullptr; }
  Instant deadline() const noexcept { return deadline_; }
  // Retries so far (at most RetryPolicy::max_attempts of them).
  const std::vector<Note>& notes() const noexcept { return notes_; }
  int requests_sent() const noexcept { return requests_sent_; }
  const std::vector<FetchStep>& trace() const noexcept { return trace_; }

  static constexpr std::string_view name(State s) noexcept { return to_string(s); }

 private:
  // Every move goes through here: look it up, record it, act on entering.
  UPSTATE_DECL DatasetFetchAction take(FetchTrigger trigger, Instant now);

  // Every event's prologue (as Upload's): a monotonic `now`; once done,
  // the result again; an event the state does not await, misuse.
  UPSTATE_DECL std::optional<DatasetFetchAction> admit(std::optional<Awaits> expected, const char* event, Instant& now);

  UPSTATE_DECL DatasetFetchAction act_on(AnswerMeaning meaning, Instant now);

  UPSTATE_DECL DatasetFetchAction send();

  UPSTATE_DECL DatasetFetchAction finish(FetchTrigger trigger, Error error, Instant now);

  // A caller bug: sticky, as Upload's misuse is.
  UPSTATE_DECL DatasetFetchAction misuse(const char* event, Instant now);

  UPSTATE_DECL DatasetFetchAction done_action() const;

  // The same refusals Upload makes before its first request, minus the file.
  UPSTATE_DECL std::optional<Error> check_inputs() const;

  UPSTATE_DECL Error deadline_error() const;

  Instant observe(Instant now) noexcept { return time_.observe(now); }

  UploadConfig config_;
  Rng rng_;
  State state_ = State::idle;
  Instant deadline_{};
  Instant wake_at_{};
  MonotonicTime time_;  // the caller's clock, never running backwards
  RetryBudget retry_;
  int requests_sent_ = 0;
  Error last_failure_;
  std::vector<Note> notes_;
  std::optional<Result<Dataset>> result_;
  std::vector<FetchStep> trace_;
};

// The blocking loop (drive.hpp's one loop): transport.exchange(const
// Request&) -> Exchange, clock.now(), clock.sleep_until(Instant).
template <class Transport, class ClockT>
Result<Dataset> drive_dataset_fetch(DatasetFetch& fetch, Transport& transport, ClockT& clock) {
  return std::get<DatasetFetched>(drive_machine(fetch, transport, clock, NoObserver{})).result;
}

}  // namespace upstate

// ---- end include/upstate/machine/dataset_fetch.hpp ----

// ---- begin include/upstate/machine/batch.hpp ----
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
#include <deque>
#include <memory>

// ---- begin include/upstate/machine/batch_tickets.hpp ----
// A Batch's requests by ticket: the ones queued for next_send, the ones out
// (pulled, not answered), and the abandoned ones whose late answers are to
// be ignored. Bookkeeping only: what a ticket's answer means is Batch's
// business (batch.hpp, by its tables in batch_transitions.hpp).

// ---- begin include/upstate/detail/flat_set.hpp ----
// Sorted-vector sets and maps for the batch's bookkeeping (running files,
// outstanding tickets): a handful of keys at a time (at most the files in
// flight), where a sorted vector is as fast as a tree and costs every file
// that includes the core no <map>/<set> (their red-black tree is about
// 0.1 s of compile time: bench/compile_time.sh). Iteration is in key order,
// as std::set's and std::map's.

namespace upstate {
namespace detail {

template <class Key>
class FlatSet {
 public:
  using const_iterator = typename std::vector<Key>::const_iterator;

  // Whether `key` was new.
  bool insert(const Key& key) {
    auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
    if (it != keys_.end() && !(key < *it)) return false;
    keys_.insert(it, key);
    return true;
  }
  // How many were erased (0 or 1), as std::set::erase(key).
  std::size_t erase(const Key& key) {
    auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
    if (it == keys_.end() || key < *it) return 0;
    keys_.erase(it);
    return 1;
  }
  std::size_t size() const noexcept { return keys_.size(); }
  bool empty() const noexcept { return keys_.empty(); }
  const_iterator begin() const noexcept { return keys_.begin(); }
  const_iterator end() const noexcept { return keys_.end(); }

 private:
  std::vector<Key> keys_;
};

template <class Key, class Value>
class FlatMap {
 public:
  // Sets key's value (inserted when new).
  void set(const Key& key, Value value) {
    auto it = find_slot(key);
    if (it != entries_.end() && !(key < it->first)) {
      it->second = std::move(value);
    } else {
      entries_.insert(it, std::pair<Key, Value>(key, std::move(value)));
    }
  }
  // The value of `key`, or nullptr.
  const Value* find(const Key& key) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                               [](const std::pair<Key, Value>& e, const Key& k) { return e.first < k; });
    return it != entries_.end() && !(key < it->first) ? &it->second : nullptr;
  }
  // How many were erased (0 or 1).
  std::size_t erase(const Key& key) {
    auto it = find_slot(key);
    if (it == entries_.end() || key < it->first) return 0;
    entries_.erase(it);
    return 1;
  }
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  typename std::vector<std::pair<Key, Value>>::iterator find_slot(const Key& key) {
    return std::lower_bound(entries_.begin(), entries_.end(), key,
                            [](const std::pair<Key, Value>& e, const Key& k) { return e.first < k; });
  }
  std::vector<std::pair<Key, Value>> entries_;
};

}  // namespace detail
}  // namespace upstate
// ---- end include/upstate/detail/flat_set.hpp ----

namespace upstate {

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

namespace detail {

class BatchTickets {
 public:
  // A new ticket for `owner`'s request (a file index, or npos), queued.
  UPSTATE_DECL Ticket issue(std::size_t owner, Request request);

  // The owner of an answered ticket, now retired (and no longer queued, if
  // it was answered before it was pulled); nullopt when it is not out.
  UPSTATE_DECL std::optional<std::size_t> claim(Ticket ticket);

  // Whether `ticket` was abandoned (its answer is then ignored, once).
  UPSTATE_DECL bool forget_abandoned(Ticket ticket);
  // Whether `ticket` was ever issued (so an unknown one was already answered).
  bool issued(Ticket ticket) const noexcept { return ticket.value != 0 && ticket.value < next_; }

  // The request is no longer wanted: dropped if not pulled yet, else
  // reported by next_abandoned and its answer ignored.
  UPSTATE_DECL void abandon(Ticket ticket);

  // The next queued request, unless `limit` requests are out already.
  UPSTATE_DECL std::optional<BatchSend> next_send(std::optional<std::size_t> limit);

  UPSTATE_DECL std::optional<Ticket> next_abandoned();

 private:
  std::uint64_t next_ = 1;
  FlatMap<std::uint64_t, std::size_t> owners_;  // queued or out -> file (npos: the dataset)
  FlatSet<std::uint64_t> abandoned_;            // answers to ignore
  std::deque<BatchSend> outbox_;
  std::deque<Ticket> abandoned_out_;
};

}  // namespace detail
}  // namespace upstate

// ---- end include/upstate/machine/batch_tickets.hpp ----

// ---- begin include/upstate/machine/batch_transitions.hpp ----
// Batch's machine, as data. h11's rule for its _state.py holds here, as in
// upload_transitions.hpp (Upload) and dataset_fetch_transitions.hpp: everything
// that changes a Batch lives in this file — the batch's states, each file's
// stage, the triggers, and every allowed move. batch.hpp classifies events
// into triggers and carries out what a row says; a move the tables lack is
// an internal error (ErrorCode::internal), a caller event the state cannot
// take is `misuse` (ErrorCode::usage, sticky).
//
// Two tables, because a Batch is a machine of machines:
// - the batch itself (kBatchTransitions): idle -> running -> fetching -> done;
// - each file's stage as the batch sees it (kBatchFileTransitions): waiting
//   for room, running its own Upload (whose moves are Upload's table), its
//   PUT held for its turn, ended.
//
// The rules the rows carry out (guards, read from the Batch's counters):
// - Order: file i's PUT goes out only once file i-1's PUT was accepted
//   (its Upload's phase is processing) or file i-1 ended: before that it is
//   `put_held`, and `put_turn` sends it. The turn only moves forward: a
//   resumed file whose probe found its import empty re-PUTs at once (`put`).
// - `start` / `resume` a file only while fewer than concurrency_limit()
//   files run (max_in_flight; with adaptive_concurrency, the ConcurrencyLimit
//   that `overload` halves and 2xx `answer`s raise, AIMD), in the order given.
//   next_send() also holds requests while that many are out.
// - fail_fast: a file that ends not `complete` ends every unfinished file
//   `cancelled` (their requests abandoned); the dataset is still fetched.
// - Once every file ended: the dataset request (DatasetFetch, its own table),
//   or done at once with BatchConfig::fetch_dataset off.
// - cancel: every unfinished file ends cancelled, nothing is fetched.
// - Deadlines are each file's (its Upload's `deadline` rows) and the fetch's.
//
// The property test (tests/property/test_random_batch.cpp) proves every row
// of kAllBatchTransitions and kAllBatchFileTransitions is taken; README's
// diagrams are printed from them (tools/state_diagram.cpp batch, batch_file).

namespace upstate {

enum class BatchState {
  idle,      // constructed: refuse_file and start
  running,   // files run; answers, wakes
  fetching,  // every file ended: the dataset request is out or backing off
  done,      // terminal: the outcome is fixed; every later event is ignored
};

enum class BatchTrigger {
  start,                  // start()
  refuse_file,            // refuse_file(i) before start: file i ends (its file row: refused)
  wake,                   // on_wake (before start it does nothing)
  answer,                 // an answer or transport error for a request the batch wants
  overload,               // adaptive_concurrency: a file's 429/503, which halves the ConcurrencyLimit
  abandoned_answer,       // the answer to a request the batch abandoned (fail-fast): ignored
  fail_fast,              // a file ended not complete with fail_fast: the unfinished ones end cancelled
  files_ended,            // the last file ended: fetch the dataset
  files_ended_unfetched,  // the last file ended, BatchConfig::fetch_dataset off
  fetched,                // the DatasetFetch ended (the count, or why not)
  cancel,
  misuse,                 // a caller bug (unknown or answered ticket, second start, ...): sticky usage error
};

struct BatchStateInfo {
  BatchState state;
  std::string_view name;
  Awaits awaits;       // start: an entry; nothing: terminal (for the diagram)
  bool starts_files;   // files start (as room allows) only here
};

inline constexpr BatchStateInfo kBatchStates[] = {
    {BatchState::idle, "idle", Awaits::start, false},
    {BatchState::running, "running", Awaits::response, true},
    {BatchState::fetching, "fetching", Awaits::response, false},
    {BatchState::done, "done", Awaits::nothing, false},
};

struct BatchTransition {
  BatchState from;
  BatchTrigger trigger;
  BatchState to;
};

inline constexpr BatchTransition kBatchTransitions[] = {
    {BatchState::idle, BatchTrigger::refuse_file, BatchState::idle},
    {BatchState::idle, BatchTrigger::wake, BatchState::idle},  // nothing sleeps yet: ignored
    {BatchState::idle, BatchTrigger::start, BatchState::running},

    {BatchState::running, BatchTrigger::answer, BatchState::running},
    {BatchState::running, BatchTrigger::overload, BatchState::running},
    {BatchState::running, BatchTrigger::wake, BatchState::running},
    {BatchState::running, BatchTrigger::fail_fast, BatchState::running},
    {BatchState::running, BatchTrigger::files_ended, BatchState::fetching},
    {BatchState::running, BatchTrigger::files_ended_unfetched, BatchState::done},

    {BatchState::fetching, BatchTrigger::answer, BatchState::fetching},
    {BatchState::fetching, BatchTrigger::abandoned_answer, BatchState::fetching},
    {BatchState::fetching, BatchTrigger::wake, BatchState::fetching},
    {BatchState::fetching, BatchTrigger::fetched, BatchState::done},
};

// Rules of every live state (all but done), written once.
inline constexpr BatchTrigger kBatchEveryLiveState[] = {BatchTrigger::cancel, BatchTrigger::misuse};

// ---- each file, as the batch sees it ------------------------------------

enum class FileStage {
  waiting,          // a new Upload, not started: start() sends its step 1
  waiting_resumed,  // a caller-made machine past idle (Upload::restore, resume_import): start() resumes it
  active,           // its Upload runs: a request out, or asleep
  put_held,         // its PUT waits for the turn of the file before it
  ended,            // its outcome is fixed
};

enum class FileTrigger {
  start,      // room under the limit, its turn to start: Upload::start
  resume,     // the same for a waiting_resumed file (polls, or probes a lost PUT answer)
  refused,    // refuse_file before the batch started
  request,    // its Upload sends a request other than the PUT
  put,        // its Upload sends the PUT and its turn has come (or passed): it goes out
  put_held,   // its Upload sends the PUT before its turn: held
  put_turn,   // the file before it passed: the held PUT goes out
  sleep,      // its Upload waits (backoff, poll interval)
  ended,      // its Upload is Done
  cancelled,  // cancel, fail-fast, misuse: its Upload is cancelled (or it never started)
};

struct FileStageInfo {
  FileStage stage;
  std::string_view name;
  Awaits awaits;  // start: waits for room; response: its Upload runs; wake: waits for its turn; nothing: ended
  bool started;   // between start and Done (counted against the limit)
};

inline constexpr FileStageInfo kFileStages[] = {
    {FileStage::waiting, "waiting", Awaits::start, false},
    {FileStage::waiting_resumed, "waiting_resumed", Awaits::start, false},
    {FileStage::active, "active", Awaits::response, true},
    {FileStage::put_held, "put_held", Awaits::wake, true},
    {FileStage::ended, "ended", Awaits::nothing, false},
};

struct FileTransition {
  FileStage from;
  FileTrigger trigger;
  FileStage to;
};

inline constexpr FileTransition kBatchFileTransitions[] = {
    {FileStage::waiting, FileTrigger::start, FileStage::active},
    {FileStage::waiting, FileTrigger::refused, FileStage::ended},
    {FileStage::waiting_resumed, FileTrigger::resume, FileStage::active},
    {FileStage::waiting_resumed, FileTrigger::refused, FileStage::ended},

    {FileStage::active, FileTrigger::request, FileStage::active},
    {FileStage::active, FileTrigger::put, FileStage::active},
    {FileStage::active, FileTrigger::put_held, FileStage::put_held},
    {FileStage::active, FileTrigger::sleep, FileStage::active},
    {FileStage::active, FileTrigger::ended, FileStage::ended},

    {FileStage::put_held, FileTrigger::put_turn, FileStage::active},
};

// Every unfinished stage ends on cancel / fail-fast / misuse, written once.
inline constexpr FileTrigger kFileEveryLiveStage[] = {FileTrigger::cancelled};

// ---- lookups ----------------------------------------------------------------

constexpr const BatchStateInfo& batch_state_info(BatchState s) noexcept {
  for (const auto& info : kBatchStates)
    if (info.state == s) return info;
  return kBatchStates[std::size(kBatchStates) - 1];
}

constexpr const FileStageInfo& file_stage_info(FileStage s) noexcept {
  for (const auto& info : kFileStages)
    if (info.stage == s) return info;
  return kFileStages[std::size(kFileStages) - 1];
}

constexpr std::optional<BatchState> next_state(BatchState from, BatchTrigger trigger) noexcept {
  for (const auto& t : kBatchTransitions)
    if (t.from == from && t.trigger == trigger) return t.to;
  if (batch_state_info(from).awaits != Awaits::nothing)
    for (BatchTrigger w : kBatchEveryLiveState)
      if (w == trigger) return BatchState::done;
  return std::nullopt;
}

constexpr std::optional<FileStage> next_state(FileStage from, FileTrigger trigger) noexcept {
  for (const auto& t : kBatchFileTransitions)
    if (t.from == from && t.trigger == trigger) return t.to;
  if (file_stage_info(from).awaits != Awaits::nothing)
    for (FileTrigger w : kFileEveryLiveStage)
      if (w == trigger) return FileStage::ended;
  return std::nullopt;
}

// Every row, the wildcard rows expanded per live state (the tests and the
// diagram enumerate these). Only the last state of each list is terminal.
inline constexpr std::size_t kAllBatchTransitionCount =
    std::size(kBatchTransitions) + (std::size(kBatchStates) - 1) * std::size(kBatchEveryLiveState);
inline constexpr std::size_t kAllBatchFileTransitionCount =
    std::size(kBatchFileTransitions) + (std::size(kFileStages) - 1) * std::size(kFileEveryLiveStage);

constexpr std::array<BatchTransition, kAllBatchTransitionCount> expanded_batch_transitions() noexcept {
  std::array<BatchTransition, kAllBatchTransitionCount> all{};
  std::size_t n = 0;
  for (const auto& t : kBatchTransitions) all[n++] = t;
  for (const auto& info : kBatchStates)
    if (info.awaits != Awaits::nothing)
      for (BatchTrigger w : kBatchEveryLiveState) all[n++] = BatchTransition{info.state, w, BatchState::done};
  return all;
}

constexpr std::array<FileTransition, kAllBatchFileTransitionCount> expanded_batch_file_transitions() noexcept {
  std::array<FileTransition, kAllBatchFileTransitionCount> all{};
  std::size_t n = 0;
  for (const auto& t : kBatchFileTransitions) all[n++] = t;
  for (const auto& info : kFileStages)
    if (info.awaits != Awaits::nothing)
      for (FileTrigger w : kFileEveryLiveStage) all[n++] = FileTransition{info.stage, w, FileStage::ended};
  return all;
}

inline constexpr std::array<BatchTransition, kAllBatchTransitionCount> kAllBatchTransitions =
    expanded_batch_transitions();
inline constexpr std::array<FileTransition, kAllBatchFileTransitionCount> kAllBatchFileTransitions =
    expanded_batch_file_transitions();

constexpr std::string_view to_string(BatchState s) noexcept { return batch_state_info(s).name; }
constexpr std::string_view to_string(FileStage s) noexcept { return file_stage_info(s).name; }

constexpr std::string_view to_string(BatchTrigger t) noexcept {
  switch (t) {
    case BatchTrigger::start: return "start";
    case BatchTrigger::refuse_file: return "refuse_file";
    case BatchTrigger::wake: return "wake";
    case BatchTrigger::answer: return "answer";
    case BatchTrigger::overload: return "overload";
    case BatchTrigger::abandoned_answer: return "abandoned_answer";
    case BatchTrigger::fail_fast: return "fail_fast";
    case BatchTrigger::files_ended: return "files_ended";
    case BatchTrigger::files_ended_unfetched: return "files_ended_unfetched";
    case BatchTrigger::fetched: return "fetched";
    case BatchTrigger::cancel: return "cancel";
    case BatchTrigger::misuse: return "misuse";
  }
  return "?";
}

constexpr std::string_view to_string(FileTrigger t) noexcept {
  switch (t) {
    case FileTrigger::start: return "start";
    case FileTrigger::resume: return "resume";
    case FileTrigger::refused: return "refused";
    case FileTrigger::request: return "request";
    case FileTrigger::put: return "put";
    case FileTrigger::put_held: return "put_held";
    case FileTrigger::put_turn: return "put_turn";
    case FileTrigger::sleep: return "sleep";
    case FileTrigger::ended: return "ended";
    case FileTrigger::cancelled: return "cancelled";
  }
  return "?";
}

// The tables' own consistency, checked by the compiler.
namespace detail {
constexpr bool batch_states_in_enum_order() noexcept {
  for (std::size_t i = 0; i < std::size(kBatchStates); ++i)
    if (static_cast<std::size_t>(kBatchStates[i].state) != i) return false;
  for (std::size_t i = 0; i < std::size(kFileStages); ++i)
    if (static_cast<std::size_t>(kFileStages[i].stage) != i) return false;
  // Only the last of each list is terminal (the wildcard expansion counts on it).
  for (std::size_t i = 0; i + 1 < std::size(kBatchStates); ++i)
    if (kBatchStates[i].awaits == Awaits::nothing) return false;
  for (std::size_t i = 0; i + 1 < std::size(kFileStages); ++i)
    if (kFileStages[i].awaits == Awaits::nothing) return false;
  return kBatchStates[std::size(kBatchStates) - 1].awaits == Awaits::nothing &&
         kFileStages[std::size(kFileStages) - 1].awaits == Awaits::nothing;
}
constexpr bool batch_rows_are_a_function() noexcept {
  for (std::size_t i = 0; i < std::size(kBatchTransitions); ++i) {
    for (BatchTrigger w : kBatchEveryLiveState)
      if (kBatchTransitions[i].trigger == w) return false;
    for (std::size_t j = i + 1; j < std::size(kBatchTransitions); ++j)
      if (kBatchTransitions[i].from == kBatchTransitions[j].from &&
          kBatchTransitions[i].trigger == kBatchTransitions[j].trigger)
        return false;
  }
  for (std::size_t i = 0; i < std::size(kBatchFileTransitions); ++i) {
    for (FileTrigger w : kFileEveryLiveStage)
      if (kBatchFileTransitions[i].trigger == w) return false;
    for (std::size_t j = i + 1; j < std::size(kBatchFileTransitions); ++j)
      if (kBatchFileTransitions[i].from == kBatchFileTransitions[j].from &&
          kBatchFileTransitions[i].trigger == kBatchFileTransitions[j].trigger)
        return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::batch_states_in_enum_order(), "kBatchStates / kFileStages list every value once, in order, terminal last");
static_assert(detail::batch_rows_are_a_function(), "one row per (state, trigger); wildcard triggers only in the every-live-state lists");

}  // namespace upstate
// ---- end include/upstate/machine/batch_transitions.hpp ----

// ---- begin include/upstate/detail/callback.hpp ----
// upstate::Callback<R(Args...)>: an owning, copyable callable, the part of
// std::function the core uses (Batch's UploadMaker, BatchStepper's
// OnFinished). Not std::function because <functional> costs every file that
// includes the core about 0.15 s (libstdc++'s C++17 <functional> brings
// <unordered_map> for its searchers; bench/compile_time.sh).
//
// What differs from std::function: no target()/target_type(), and calling an
// empty one is a precondition violation (std::abort, not bad_function_call).
// Anything `f` with `explicit operator bool` (a std::function, a function
// pointer) that is false makes an empty Callback, as std::function does.
#include <type_traits>

namespace upstate {

template <class Signature>
class Callback;

template <class R, class... Args>
class Callback<R(Args...)> {
 public:
  Callback() noexcept = default;
  Callback(std::nullptr_t) noexcept {}  // NOLINT: as std::function

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, Callback> && std::is_invocable_r_v<R, D&, Args...>>>
  Callback(F&& f) {  // NOLINT: implicit, as std::function
    if constexpr (std::is_constructible_v<bool, const D&>) {
      if (!static_cast<bool>(f)) return;
    }
    target_ = new D(std::forward<F>(f));
    ops_ = &kOps<D>;
  }

  Callback(const Callback& other) : target_(other.target_ ? other.ops_->clone(other.target_) : nullptr), ops_(other.ops_) {}
  Callback(Callback&& other) noexcept : target_(std::exchange(other.target_, nullptr)), ops_(other.ops_) {}
  Callback& operator=(Callback other) noexcept {
    std::swap(target_, other.target_);
    std::swap(ops_, other.ops_);
    return *this;
  }
  ~Callback() {
    if (target_) ops_->destroy(target_);
  }

  explicit operator bool() const noexcept { return target_ != nullptr; }

  R operator()(Args... args) const {
    if (!target_) std::abort();
    return ops_->call(target_, std::forward<Args>(args)...);
  }

 private:
  struct Ops {
    R (*call)(void*, Args&&...);
    void* (*clone)(const void*);
    void (*destroy)(void*);
  };
  template <class D>
  static R call_as(void* target, Args&&... args) {
    if constexpr (std::is_void_v<R>) {
      (*static_cast<D*>(target))(std::forward<Args>(args)...);
    } else {
      return (*static_cast<D*>(target))(std::forward<Args>(args)...);
    }
  }
  template <class D>
  static void* clone_as(const void* target) {
    return new D(*static_cast<const D*>(target));
  }
  template <class D>
  static void destroy_as(void* target) noexcept {
    delete static_cast<D*>(target);
  }
  template <class D>
  static constexpr Ops kOps{&call_as<D>, &clone_as<D>, &destroy_as<D>};

  void* target_ = nullptr;
  const Ops* ops_ = nullptr;
};

}  // namespace upstate
// ---- end include/upstate/detail/callback.hpp ----

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

// ---- end include/upstate/machine/batch.hpp ----

// ---- begin include/upstate/machine/batch_drive.hpp ----
// drive_batch: a Batch in drive_loop.hpp's one loop, with a blocking
// transport — the requests are performed one at a time, in the order the
// batch gives them (so "in flight" means "queued" here; the order rules
// still hold). BatchStepper gives Batch the face every machine has in that
// loop (start / on_response / on_transport_error / on_wake -> an action).
//
//   transport.exchange(const Request&, std::size_t file) -> Exchange
//       `file` is BatchSend::file: the index of the file whose bytes the PUT
//       streams (request.file->size of them), npos for the dataset request
//   clock.now() -> Instant
//   clock.sleep_until(Instant)
//
// With BatchConfig::stream_outcomes the stepper pulls every finished file
// (Batch::next_finished) after each event, so outcomes and machines do not
// pile up until the end, and hands each to `on_finished` if one was given.

namespace upstate {

template <class Transport>
Exchange perform_exchange(Transport& transport, const BatchSend& send) {
  return transport.exchange(send.request, send.file);
}

// The batch has ended: its outcome is batch.outcome().
struct BatchEnded {};

// A Batch, one request at a time: every event returns the next request,
// wait, or the end.
class BatchStepper {
 public:
  using StepAction = std::variant<BatchSend, Sleep, BatchEnded>;
  // Sees each finished file once, in the order they ended;
  // batch.upload(finished.file) is readable during the call.
  using OnFinished = Callback<void(const Batch&, const FinishedFile&)>;  // was std::function (CHANGELOG)

  explicit BatchStepper(Batch& batch, OnFinished on_finished = {})
      : batch_(&batch), on_finished_(std::move(on_finished)) {}

  UPSTATE_DECL StepAction start(Instant now);
  UPSTATE_DECL StepAction on_response(const Response& response, Instant now);
  UPSTATE_DECL StepAction on_transport_error(const TransportError& error, Instant now);
  UPSTATE_DECL StepAction on_wake(Instant now);

  const Batch& batch() const noexcept { return *batch_; }

 private:
  UPSTATE_DECL StepAction next(Instant now);

  UPSTATE_DECL StepAction next_action(Instant now);

  Batch* batch_;
  OnFinished on_finished_;
  Ticket in_flight_{};
};

struct NoBatchObserver {
  void operator()(const Batch&, const BatchSend&) const noexcept {}
};

// `observer(batch, send)` sees every request before it is performed
// (progress lines: batch.upload(send.file) tells the file's phase).
// `on_finished(batch, finished)` sees each file's outcome as it ends
// (stream_outcomes: the only place they go; BatchOutcome::files is empty).
template <class Transport, class ClockT, class Observer = NoBatchObserver>
BatchOutcome drive_batch(Batch& batch, Transport& transport, ClockT& clock, Observer&& observer = {},
                         BatchStepper::OnFinished on_finished = {}) {
  BatchStepper stepper(batch, std::move(on_finished));
  drive_machine(stepper, transport, clock, [&observer](const BatchStepper& s, const BatchStepper::StepAction& a) {
    if (auto* send = std::get_if<BatchSend>(&a)) observer(s.batch(), *send);
  });
  return *batch.outcome();
}

}  // namespace upstate

// ---- end include/upstate/machine/batch_drive.hpp ----
// ---- end include/upstate/batch.hpp ----

#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_BATCH_HPP

// ---- the out-of-line bodies (include/upstate/impl/*.ipp; detail/linkage.hpp) ----
// Compiled here by default (header-only). With UPSTATE_SEPARATE_COMPILATION
// defined for the whole build, only in the one translation unit that
// defines UPSTATE_IMPLEMENTATION before including this file.
#if (!defined(UPSTATE_SEPARATE_COMPILATION) || defined(UPSTATE_IMPLEMENTATION)) && !defined(UPSTATE_SINGLE_INCLUDE_UPSTATE_BATCH_HPP_IMPL)
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_BATCH_HPP_IMPL

// ---- begin include/upstate/impl/dataset_fetch.ipp ----
// The bodies of DatasetFetch (<upstate/machine/dataset_fetch.hpp>; see
// detail/linkage.hpp): its events and the steps they take.

namespace upstate {

UPSTATE_DECL DatasetFetch::DatasetFetch(UploadConfig config) : config_(std::move(config)), rng_(config_.seed) {
  config_.api_base = without_trailing_slashes(std::move(config_.api_base));
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::start(Instant now) {
  if (auto early = admit(fetch_state_info(State::idle).awaits, "start", now)) return std::move(*early);
  deadline_ = std::min(now + config_.deadline, config_.not_after);
  if (auto refusal = check_inputs()) return finish(FetchTrigger::refused_locally, std::move(*refusal), now);
  return take(FetchTrigger::start, now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::on_response(const Response& response, Instant now) {
  if (auto early = admit(fetch_state_info(State::fetching).awaits, "on_response", now)) return std::move(*early);
  AnswerMeaning meaning = classify_api_answer(response, "dataset", config_);
  if (!meaning.parseable()) return act_on(std::move(meaning), now);
  auto parsed = parse_dataset(response.body, config_.limits);
  if (!parsed) return finish(FetchTrigger::fetched, std::move(parsed).error().with_status(response.status), now);
  if (parsed->id != config_.dataset_id)
    return finish(FetchTrigger::fetched,
                  Error::malformed("$.id", "the answer is about dataset '" +
                                               printable_excerpt(redact(parsed->id, config_.token), 80) + "', not '" +
                                               printable_excerpt(config_.dataset_id, 80) + "'")
                      .with_status(response.status),
                  now);
  result_ = std::move(parsed).value();
  redact_in(result_->value(), config_.token);  // --show-dataset prints its name and schema
  return take(FetchTrigger::fetched, now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::on_transport_error(const TransportError& error, Instant now) {
  if (auto early = admit(fetch_state_info(State::fetching).awaits, "on_transport_error", now)) return std::move(*early);
  return act_on(classify_transport_error(error, "dataset"), now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::on_wake(Instant now) {
  if (auto early = admit(fetch_state_info(State::backoff).awaits, "on_wake", now)) return std::move(*early);
  if (now < wake_at_) return Sleep{wake_at_};  // spurious: nothing changes
  if (now >= deadline_) return finish(FetchTrigger::deadline, deadline_error(), now);
  return take(FetchTrigger::wake, now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::cancel(Instant now) {
  if (auto early = admit(std::nullopt, "cancel", now)) return std::move(*early);
  return finish(FetchTrigger::cancel, Error::cancelled(), now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::take(FetchTrigger trigger, Instant now) {
  auto to = next_state(state_, trigger);
  if (!to) {
    // Our bug, not the caller's: a defined end all the same.
    result_ = Error::internal("no transition for " + std::string(to_string(trigger)) + " in state " +
                              std::string(to_string(state_)));
    to = State::done;
  }
  if (trace_.size() < kMaxTrace) trace_.push_back(FetchStep{now, state_, trigger, *to});
  state_ = *to;
  switch (state_) {
    case State::fetching: return send();
    case State::backoff: return Sleep{wake_at_};
    default: return done_action();
  }
}

UPSTATE_DECL std::optional<DatasetFetchAction> DatasetFetch::admit(std::optional<Awaits> expected, const char* event, Instant& now) {
  now = observe(now);
  if (state_ == State::done) return done_action();
  if (expected && fetch_state_info(state_).awaits != *expected) return misuse(event, now);
  return std::nullopt;
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::act_on(AnswerMeaning meaning, Instant now) {
  if (meaning.verdict == AnswerMeaning::Verdict::refuse_it)
    return finish(FetchTrigger::refused, std::move(meaning.error), now);
  const AnswerMeaning& failure = meaning;  // retry_it
  last_failure_ = failure.error;
  std::size_t dropped = 0;  // the notes are capped; a fetch never gets near the cap
  RetryBudget::Plan plan =
      retry_.next(failure, config_.retry, rng_, now, deadline_, notes_, dropped, config_.token);
  if (!plan.ok()) {
    Error end = std::move(plan).error();
    const FetchTrigger trigger =
        end.code == ErrorCode::deadline_exceeded ? FetchTrigger::deadline : FetchTrigger::retries_exhausted;
    return finish(trigger, std::move(end), now);
  }
  wake_at_ = plan.value().until;
  return take(FetchTrigger::retry, now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::done_action() const { return DatasetFetched{*result_}; }

UPSTATE_DECL DatasetFetchAction DatasetFetch::send() {
  ++requests_sent_;
  return Send{Request{Purpose::dataset, "GET", dataset_url(config_), api_headers_for(config_), std::nullopt}};
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::finish(FetchTrigger trigger, Error error, Instant now) {
  redact_in(error, config_.token);
  result_ = std::move(error);
  return take(trigger, now);
}

UPSTATE_DECL DatasetFetchAction DatasetFetch::misuse(const char* event, Instant now) {
  return finish(FetchTrigger::misuse,
                Error::usage(std::string("can't handle ") + event + " in state " + std::string(name(state_))), now);
}

UPSTATE_DECL std::optional<Error> DatasetFetch::check_inputs() const {
  if (auto bad = check_dataset_id(config_)) return bad;
  return check_api_access(config_);
}

UPSTATE_DECL Error DatasetFetch::deadline_error() const {
  return Error::deadline("the deadline passed while fetching the dataset; last: " + last_failure_.message)
      .with_status(last_failure_.http_status);
}

}  // namespace upstate
// ---- end include/upstate/impl/dataset_fetch.ipp ----

// ---- begin include/upstate/impl/batch.ipp ----
// The bodies of Batch (<upstate/machine/batch.hpp>; see detail/linkage.hpp):
// its events, and the steps that classify them into rows of its tables
// (batch_transitions.hpp) and carry the rows out.
#include <stdexcept>

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
// ---- end include/upstate/impl/batch.ipp ----

// ---- begin include/upstate/impl/batch_tickets.ipp ----
// The bodies of detail::BatchTickets (<upstate/machine/batch_tickets.hpp>;
// see detail/linkage.hpp).

namespace upstate {
namespace detail {

UPSTATE_DECL Ticket BatchTickets::issue(std::size_t owner, Request request) {
  Ticket t{next_++};
  owners_.set(t.value, owner);
  outbox_.push_back(BatchSend{t, owner, std::move(request)});
  return t;
}

UPSTATE_DECL std::optional<std::size_t> BatchTickets::claim(Ticket ticket) {
  const std::size_t* found = owners_.find(ticket.value);
  if (!found) return std::nullopt;
  const std::size_t owner = *found;
  owners_.erase(ticket.value);
  outbox_.erase(std::remove_if(outbox_.begin(), outbox_.end(),
                               [&](const BatchSend& s) { return s.ticket == ticket; }),
                outbox_.end());
  return owner;
}

UPSTATE_DECL bool BatchTickets::forget_abandoned(Ticket ticket) { return abandoned_.erase(ticket.value) != 0; }

UPSTATE_DECL void BatchTickets::abandon(Ticket ticket) {
  owners_.erase(ticket.value);
  auto queued = std::find_if(outbox_.begin(), outbox_.end(), [&](const BatchSend& s) { return s.ticket == ticket; });
  if (queued != outbox_.end()) {
    outbox_.erase(queued);
  } else {
    abandoned_.insert(ticket.value);
    abandoned_out_.push_back(ticket);
  }
}

UPSTATE_DECL std::optional<BatchSend> BatchTickets::next_send(std::optional<std::size_t> limit) {
  if (outbox_.empty()) return std::nullopt;
  if (limit && owners_.size() - outbox_.size() >= *limit) return std::nullopt;
  BatchSend s = std::move(outbox_.front());
  outbox_.pop_front();
  return s;
}

UPSTATE_DECL std::optional<Ticket> BatchTickets::next_abandoned() {
  if (abandoned_out_.empty()) return std::nullopt;
  Ticket t = abandoned_out_.front();
  abandoned_out_.pop_front();
  return t;
}

}  // namespace detail
}  // namespace upstate
// ---- end include/upstate/impl/batch_tickets.ipp ----

// ---- begin include/upstate/impl/batch_drive.ipp ----
// The bodies of BatchStepper (<upstate/machine/batch_drive.hpp>; see
// detail/linkage.hpp): a Batch with the face drive_loop.hpp's loop drives.

namespace upstate {

UPSTATE_DECL BatchStepper::StepAction BatchStepper::start(Instant now) {
  batch_->start(now);
  return next(now);
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::on_response(const Response& response, Instant now) {
  batch_->on_response(in_flight_, response, now);
  return next(now);
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::on_transport_error(const TransportError& error, Instant now) {
  batch_->on_transport_error(in_flight_, error, now);
  return next(now);
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::on_wake(Instant now) {
  batch_->on_wake(now);
  return next(now);
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::next(Instant now) {
  StepAction action = next_action(now);
  while (auto finished = batch_->next_finished())
    if (on_finished_) on_finished_(*batch_, *finished);
  return action;
}

UPSTATE_DECL BatchStepper::StepAction BatchStepper::next_action(Instant now) {
  while (!batch_->done()) {
    if (auto send = batch_->next_send()) {
      in_flight_ = send->ticket;
      return std::move(*send);
    }
    while (batch_->next_abandoned()) {
      // Nothing is in flight between two calls of a blocking loop.
    }
    if (auto wake = batch_->next_wake()) return Sleep{*wake};
    // Nothing to send, nothing asleep, not done: cannot happen by Batch's
    // rules; ending beats hanging.
    batch_->cancel(now);
  }
  return BatchEnded{};
}

}  // namespace upstate
// ---- end include/upstate/impl/batch_drive.ipp ----

#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_BATCH_HPP_IMPL

// MIT License
//
// Copyright (c) 2026 the upstate authors
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

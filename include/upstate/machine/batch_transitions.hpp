#pragma once
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
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "upload_transitions.hpp"  // Awaits

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

#pragma once
// Upload's machine, as data. h11's rule for its _state.py holds here:
// everything that changes the machine lives in this file — its states, what
// each state sends and for which step, the triggers (answers already
// classified), and every allowed move. upload.hpp only classifies events
// into triggers and carries out what a row says; a move the table lacks is
// an internal error (ErrorCode::internal), never undefined behaviour.
//
// A V3 (legacy) dataset — step 1 answers without import_id — has states of
// its own (the `track` column): uploading_v3, then confirming_status until
// the dataset's status is seen moving since the PUT, then polling_status.
//
// Tests enumerate the table, the property test proves that every row (the
// wildcard rows expanded) is taken, and README's diagram is drawn from it.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "../vocabulary/http.hpp"

namespace upstate {

enum class State {
  idle,              // constructed, not started: start() requests a URL
  idle_uploaded,     // restored (or resume_import) after an accepted PUT: start() polls the import
  idle_uploaded_v3,  // the same for a V3 (legacy) dataset: start() polls the dataset's status
  idle_put_unknown,  // restored with a URL (V4) but no answer to its PUT: start() probes the import
  requesting_url,    // step 1 sent, awaiting its answer
  url_backoff,       // waiting to repeat step 1
  uploading,         // step 2 (the PUT) sent, awaiting its answer
  upload_backoff,    // waiting to repeat the PUT
  uploading_v3,      // the same for a V3 (legacy) dataset (step 1 answered without import_id)
  upload_backoff_v3, // V3: waiting to repeat the PUT
  probing,           // step 3 sent once to learn whether a PUT whose answer was lost arrived
  probe_wait,        // waiting to repeat that probe
  polling,           // step 3 sent, awaiting its answer
  poll_wait,         // waiting for the next poll (interval or backoff)
  confirming_status, // V3 step 3: GET .../datasets/{id}/status sent; the status has not moved since the PUT,
                     // so a READY/ERROR may be the previous file's (legacy_freshness.hpp)
  confirm_wait,      // V3: waiting to repeat that status request
  polling_status,    // V3 step 3, the status seen moving since the PUT: a READY/ERROR is this file's
  status_wait,       // V3: waiting for the next status request (interval or backoff)
  schema_wait,       // the import is paused in pending_schema and PollPolicy says keep polling: a slow wait
  done,              // terminal: the outcome is fixed; every later event returns it
};

// What happened, after the machine classified an event (an answer becomes
// `url_received` or `url_retry` or ...).
enum class Trigger {
  start,               // start() of a new upload
  resume,              // start() of a restored one (which state it starts from says what it sends)
  refused_locally,     // start: the inputs can never work (5 GiB, unsafe name, bad base URL)
  url_received,        // step 1 answered 2xx with a usable URL and an import_id (V4)
  legacy_url_received, // the same without import_id: a V3 (legacy) dataset, whose step 3 is its status
  url_retry,           // step 1: 429 / 5xx / transport error
  url_refused,         // step 1: final error (401, 404, malformed answer, a V3 dataset and a .jsonl, ...)
  upload_accepted,     // step 2: 2xx
  url_expired,         // the URL is dead: S3 says so, its own expiry passed while waiting, or it came
                       // from step 1 already expired
  renewals_exhausted,  // url_expired once too often
  upload_retry,        // step 2: RequestTimeout, SlowDown, 5xx, reset, ...
  upload_refused,      // step 2: final
  import_pending,      // step 3: uninitialised / queued / processing (V3: UNINITIALISED / PROCESSING);
                       // a probe: anything but uninitialised that is not terminal (the PUT landed)
  import_terminal,     // step 3: complete / partial / failed / pending_schema (V3: READY / ERROR, this file's)
  status_unconfirmed,  // V3: READY / ERROR unchanged since the PUT, within PollPolicy::legacy_settle of it:
                       // maybe the previous file's (legacy_freshness.hpp)
  import_paused,       // step 3: pending_schema while PollPolicy::on_pending_schema is keep_polling
  import_unstarted,    // a probe answered `uninitialised`: the import never got the file, step 1 again
  poll_retry,          // step 3: 429 / 5xx / transport error
  poll_refused,        // step 3: final (404, malformed, unknown status, ...)
  import_stuck,        // still uninitialised long after the PUT succeeded
  retries_exhausted,   // a retryable failure past RetryPolicy::max_attempts
  wake,                // a wait ended
  deadline,            // the overall deadline passed (an event, or a move into a live state, at or after it)
  cancel,
  misuse,              // an event the state cannot take (caller bug): sticky error
};

// Which event a state is waiting for; any other event is `misuse`.
enum class Awaits { start, response, wake, nothing };

// What a progress display shows; a column of the table, never stored.
enum class Phase { not_started, requesting_url, uploading, processing, finished };

// How far the upload got (what a snapshot of the state records, and what a
// restored machine starts from).
enum class Reached { nothing, url, upload };

// Which path a state belongs to: V4 (an import), V3 (a legacy dataset's
// status), or either (before step 1 answers, and done).
enum class Track { either, v4, v3 };

// A request purpose or none (waits, idle states, done).
inline constexpr std::optional<Purpose> kNoRequest = std::nullopt;

struct StateInfo {
  State state;
  std::string_view name;
  Awaits awaits;
  std::optional<Purpose> sends;  // the request entering this state sends (none: a Sleep, or nothing)
  std::optional<Purpose> step;   // the step a response/transport error answers, or a wait repeats
  Trigger starts_with;           // awaits start: the trigger start() takes (after the input checks)
  Trigger on_retry;              // awaits response: the trigger of a retryable failure
  Trigger on_refusal;            // awaits response: the trigger of a final one
  Phase phase;
  Reached reached;
  Track track;
};

// Columns that do not apply to a state hold `misuse` (never taken from it).
inline constexpr Trigger kNa = Trigger::misuse;

inline constexpr StateInfo kStates[] = {
    // state                  name                 awaits            sends                    step                      starts_with      on_retry               on_refusal               phase                     reached           track
    {State::idle,              "idle",              Awaits::start,    kNoRequest,              Purpose::upload_url,      Trigger::start,  kNa,                   kNa,                     Phase::not_started,       Reached::nothing, Track::either},
    {State::idle_uploaded,     "idle_uploaded",     Awaits::start,    kNoRequest,              Purpose::poll,            Trigger::resume, kNa,                   kNa,                     Phase::not_started,       Reached::upload,  Track::v4},
    {State::idle_uploaded_v3,  "idle_uploaded_v3",  Awaits::start,    kNoRequest,              Purpose::dataset_status,  Trigger::resume, kNa,                   kNa,                     Phase::not_started,       Reached::upload,  Track::v3},
    {State::idle_put_unknown,  "idle_put_unknown",  Awaits::start,    kNoRequest,              Purpose::poll,            Trigger::resume, kNa,                   kNa,                     Phase::not_started,       Reached::url,     Track::v4},
    {State::requesting_url,    "requesting_url",    Awaits::response, Purpose::upload_url,     Purpose::upload_url,      kNa,             Trigger::url_retry,    Trigger::url_refused,    Phase::requesting_url,    Reached::nothing, Track::either},
    {State::url_backoff,       "url_backoff",       Awaits::wake,     kNoRequest,              Purpose::upload_url,      kNa,             kNa,                   kNa,                     Phase::requesting_url,    Reached::nothing, Track::either},
    {State::uploading,         "uploading",         Awaits::response, Purpose::upload,         Purpose::upload,          kNa,             Trigger::upload_retry, Trigger::upload_refused, Phase::uploading,         Reached::url,     Track::v4},
    {State::upload_backoff,    "upload_backoff",    Awaits::wake,     kNoRequest,              Purpose::upload,          kNa,             kNa,                   kNa,                     Phase::uploading,         Reached::url,     Track::v4},
    {State::uploading_v3,      "uploading_v3",      Awaits::response, Purpose::upload,         Purpose::upload,          kNa,             Trigger::upload_retry, Trigger::upload_refused, Phase::uploading,         Reached::url,     Track::v3},
    {State::upload_backoff_v3, "upload_backoff_v3", Awaits::wake,     kNoRequest,              Purpose::upload,          kNa,             kNa,                   kNa,                     Phase::uploading,         Reached::url,     Track::v3},
    {State::probing,           "probing",           Awaits::response, Purpose::poll,           Purpose::poll,            kNa,             Trigger::poll_retry,   Trigger::poll_refused,   Phase::processing,        Reached::url,     Track::v4},
    {State::probe_wait,        "probe_wait",        Awaits::wake,     kNoRequest,              Purpose::poll,            kNa,             kNa,                   kNa,                     Phase::processing,        Reached::url,     Track::v4},
    {State::polling,           "polling",           Awaits::response, Purpose::poll,           Purpose::poll,            kNa,             Trigger::poll_retry,   Trigger::poll_refused,   Phase::processing,        Reached::upload,  Track::v4},
    {State::poll_wait,         "poll_wait",         Awaits::wake,     kNoRequest,              Purpose::poll,            kNa,             kNa,                   kNa,                     Phase::processing,        Reached::upload,  Track::v4},
    {State::confirming_status, "confirming_status", Awaits::response, Purpose::dataset_status, Purpose::dataset_status,  kNa,             Trigger::poll_retry,   Trigger::poll_refused,   Phase::processing,        Reached::upload,  Track::v3},
    {State::confirm_wait,      "confirm_wait",      Awaits::wake,     kNoRequest,              Purpose::dataset_status,  kNa,             kNa,                   kNa,                     Phase::processing,        Reached::upload,  Track::v3},
    {State::polling_status,    "polling_status",    Awaits::response, Purpose::dataset_status, Purpose::dataset_status,  kNa,             Trigger::poll_retry,   Trigger::poll_refused,   Phase::processing,        Reached::upload,  Track::v3},
    {State::status_wait,       "status_wait",       Awaits::wake,     kNoRequest,              Purpose::dataset_status,  kNa,             kNa,                   kNa,                     Phase::processing,        Reached::upload,  Track::v3},
    // Its deadline row ends with the paused import's pending_schema report, not deadline_exceeded.
    {State::schema_wait,       "schema_wait",       Awaits::wake,     kNoRequest,              Purpose::poll,            kNa,             kNa,                   kNa,                     Phase::processing,        Reached::upload,  Track::v4},
    // done keeps what the run reached: Upload remembers the state it ended from.
    {State::done,              "done",              Awaits::nothing,  kNoRequest,              kNoRequest,               kNa,             kNa,                   kNa,                     Phase::finished,          Reached::nothing, Track::either},
};

struct Transition {
  State from;
  Trigger trigger;
  State to;
};

// The moves particular to a state. The rules that hold in every live state
// are kEveryLiveState, below, written once.
inline constexpr Transition kTransitions[] = {
    {State::idle, Trigger::start, State::requesting_url},
    {State::idle, Trigger::refused_locally, State::done},
    {State::idle_uploaded, Trigger::resume, State::polling},
    {State::idle_uploaded, Trigger::refused_locally, State::done},
    // Restored after a V3 PUT: a non-terminal status polled before the restart
    // counts as the first status since the PUT (upload_restore.hpp).
    {State::idle_uploaded_v3, Trigger::resume, State::confirming_status},
    {State::idle_uploaded_v3, Trigger::refused_locally, State::done},
    {State::idle_put_unknown, Trigger::resume, State::probing},
    {State::idle_put_unknown, Trigger::refused_locally, State::done},

    {State::requesting_url, Trigger::url_received, State::uploading},
    {State::requesting_url, Trigger::legacy_url_received, State::uploading_v3},
    {State::requesting_url, Trigger::url_expired, State::requesting_url},  // the URL came already expired
    {State::requesting_url, Trigger::renewals_exhausted, State::done},
    {State::requesting_url, Trigger::url_retry, State::url_backoff},
    {State::requesting_url, Trigger::url_refused, State::done},
    {State::requesting_url, Trigger::retries_exhausted, State::done},

    {State::url_backoff, Trigger::wake, State::requesting_url},

    {State::uploading, Trigger::upload_accepted, State::polling},
    {State::uploading, Trigger::url_expired, State::requesting_url},
    {State::uploading, Trigger::renewals_exhausted, State::done},
    {State::uploading, Trigger::upload_retry, State::upload_backoff},
    {State::uploading, Trigger::upload_refused, State::done},
    {State::uploading, Trigger::retries_exhausted, State::done},

    {State::upload_backoff, Trigger::wake, State::uploading},
    {State::upload_backoff, Trigger::url_expired, State::requesting_url},  // its expiry passed while waiting
    {State::upload_backoff, Trigger::renewals_exhausted, State::done},

    // V3: the same PUT; once accepted, the dataset's status is what is polled.
    {State::uploading_v3, Trigger::upload_accepted, State::confirming_status},
    {State::uploading_v3, Trigger::url_expired, State::requesting_url},
    {State::uploading_v3, Trigger::renewals_exhausted, State::done},
    {State::uploading_v3, Trigger::upload_retry, State::upload_backoff_v3},
    {State::uploading_v3, Trigger::upload_refused, State::done},
    {State::uploading_v3, Trigger::retries_exhausted, State::done},

    {State::upload_backoff_v3, Trigger::wake, State::uploading_v3},
    {State::upload_backoff_v3, Trigger::url_expired, State::requesting_url},
    {State::upload_backoff_v3, Trigger::renewals_exhausted, State::done},

    {State::probing, Trigger::import_pending, State::poll_wait},
    {State::probing, Trigger::import_terminal, State::done},
    {State::probing, Trigger::import_unstarted, State::requesting_url},
    {State::probing, Trigger::poll_retry, State::probe_wait},
    {State::probing, Trigger::poll_refused, State::done},
    {State::probing, Trigger::retries_exhausted, State::done},

    {State::probe_wait, Trigger::wake, State::probing},

    {State::polling, Trigger::import_pending, State::poll_wait},
    {State::polling, Trigger::import_terminal, State::done},
    {State::polling, Trigger::import_paused, State::schema_wait},
    {State::polling, Trigger::poll_retry, State::poll_wait},
    {State::polling, Trigger::poll_refused, State::done},
    {State::polling, Trigger::import_stuck, State::done},
    {State::polling, Trigger::retries_exhausted, State::done},

    {State::poll_wait, Trigger::wake, State::polling},

    // V3 step 3 until the status moves: a non-terminal status (or a READY/ERROR
    // other than the first one read) is movement; an unchanged READY/ERROR
    // within legacy_settle of the PUT is waited out.
    {State::confirming_status, Trigger::import_pending, State::status_wait},
    {State::confirming_status, Trigger::import_terminal, State::done},
    {State::confirming_status, Trigger::status_unconfirmed, State::confirm_wait},
    {State::confirming_status, Trigger::poll_retry, State::confirm_wait},
    {State::confirming_status, Trigger::poll_refused, State::done},
    {State::confirming_status, Trigger::import_stuck, State::done},
    {State::confirming_status, Trigger::retries_exhausted, State::done},

    {State::confirm_wait, Trigger::wake, State::confirming_status},

    {State::polling_status, Trigger::import_pending, State::status_wait},
    {State::polling_status, Trigger::import_terminal, State::done},
    {State::polling_status, Trigger::poll_retry, State::status_wait},
    {State::polling_status, Trigger::poll_refused, State::done},
    {State::polling_status, Trigger::import_stuck, State::done},
    {State::polling_status, Trigger::retries_exhausted, State::done},

    {State::status_wait, Trigger::wake, State::polling_status},

    {State::schema_wait, Trigger::wake, State::polling},
};

// Rules of every live state (all but done), written once. `deadline` is
// taken instead of a move into a live state at or after the deadline (so a
// wait is never entered past it), or when an answer's Retry-After lands past it.
struct WildcardRule {
  Trigger trigger;
  State to;
};

inline constexpr WildcardRule kEveryLiveState[] = {
    {Trigger::cancel, State::done},
    {Trigger::misuse, State::done},
    {Trigger::deadline, State::done},
};

constexpr const StateInfo& state_info(State s) noexcept {
  for (const auto& info : kStates)
    if (info.state == s) return info;
  return kStates[std::size(kStates) - 1];
}

constexpr bool is_live(State s) noexcept { return state_info(s).awaits != Awaits::nothing; }

constexpr std::optional<State> next_state(State from, Trigger trigger) noexcept {
  for (const auto& t : kTransitions)
    if (t.from == from && t.trigger == trigger) return t.to;
  if (is_live(from))
    for (const auto& w : kEveryLiveState)
      if (w.trigger == trigger) return w.to;
  return std::nullopt;
}

namespace detail {
constexpr std::size_t count_live_states() noexcept {
  std::size_t n = 0;
  for (const auto& info : kStates)
    if (is_live(info.state)) ++n;
  return n;
}
}  // namespace detail

// Every row, the wildcard rules expanded per live state (for the tests
// that enumerate the table, and for the diagram).
inline constexpr std::size_t kExpandedTransitionCount =
    std::size(kTransitions) + detail::count_live_states() * std::size(kEveryLiveState);

constexpr std::array<Transition, kExpandedTransitionCount> expanded_transitions() noexcept {
  std::array<Transition, kExpandedTransitionCount> all{};
  std::size_t n = 0;
  for (const auto& t : kTransitions) all[n++] = t;
  for (const auto& info : kStates)
    if (is_live(info.state))
      for (const auto& w : kEveryLiveState) all[n++] = Transition{info.state, w.trigger, w.to};
  return all;
}

inline constexpr std::array<Transition, kExpandedTransitionCount> kAllTransitions = expanded_transitions();

constexpr std::string_view to_string(State s) noexcept { return state_info(s).name; }

constexpr std::string_view to_string(Trigger t) noexcept {
  switch (t) {
    case Trigger::start: return "start";
    case Trigger::resume: return "resume";
    case Trigger::refused_locally: return "refused_locally";
    case Trigger::url_received: return "url_received";
    case Trigger::legacy_url_received: return "legacy_url_received";
    case Trigger::url_retry: return "url_retry";
    case Trigger::url_refused: return "url_refused";
    case Trigger::upload_accepted: return "upload_accepted";
    case Trigger::url_expired: return "url_expired";
    case Trigger::renewals_exhausted: return "renewals_exhausted";
    case Trigger::upload_retry: return "upload_retry";
    case Trigger::upload_refused: return "upload_refused";
    case Trigger::import_pending: return "import_pending";
    case Trigger::import_terminal: return "import_terminal";
    case Trigger::status_unconfirmed: return "status_unconfirmed";
    case Trigger::import_paused: return "import_paused";
    case Trigger::import_unstarted: return "import_unstarted";
    case Trigger::poll_retry: return "poll_retry";
    case Trigger::poll_refused: return "poll_refused";
    case Trigger::import_stuck: return "import_stuck";
    case Trigger::retries_exhausted: return "retries_exhausted";
    case Trigger::wake: return "wake";
    case Trigger::deadline: return "deadline";
    case Trigger::cancel: return "cancel";
    case Trigger::misuse: return "misuse";
  }
  return "?";
}

constexpr Phase phase_of(State s) noexcept { return state_info(s).phase; }

constexpr std::string_view to_string(Phase p) noexcept {
  switch (p) {
    case Phase::not_started: return "not_started";
    case Phase::requesting_url: return "requesting_url";
    case Phase::uploading: return "uploading";
    case Phase::processing: return "processing";
    case Phase::finished: return "finished";
  }
  return "?";
}

// The table's own consistency, checked by the compiler.
namespace detail {
constexpr bool states_in_enum_order() noexcept {
  for (std::size_t i = 0; i < std::size(kStates); ++i)
    if (static_cast<std::size_t>(kStates[i].state) != i) return false;
  return true;
}
constexpr bool columns_fit_awaits() noexcept {
  for (const auto& info : kStates) {
    const bool response = info.awaits == Awaits::response;
    if (response != info.sends.has_value()) return false;  // exactly the response states send
    if (response && (info.on_retry == kNa || info.on_refusal == kNa)) return false;
    if ((info.awaits == Awaits::start) != (info.starts_with != kNa)) return false;
  }
  return true;
}
constexpr bool rows_are_a_function() noexcept {
  for (std::size_t i = 0; i < std::size(kTransitions); ++i) {
    if (!is_live(kTransitions[i].from)) return false;  // done is final
    for (const auto& w : kEveryLiveState)
      if (kTransitions[i].trigger == w.trigger) return false;  // a wildcard is written once
    for (std::size_t j = i + 1; j < std::size(kTransitions); ++j)
      if (kTransitions[i].from == kTransitions[j].from && kTransitions[i].trigger == kTransitions[j].trigger)
        return false;
  }
  return true;
}
// V4 and V3 meet only in the states before step 1 answers (and done): no
// row moves an import's upload onto the V3 path or back.
constexpr bool rows_keep_their_track() noexcept {
  for (const auto& t : kTransitions) {
    const Track from = state_info(t.from).track, to = state_info(t.to).track;
    if (from != Track::either && to != Track::either && from != to) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::states_in_enum_order(), "kStates lists every State once, in the enum's order");
static_assert(detail::columns_fit_awaits(), "a state's columns must match what it awaits");
static_assert(detail::rows_are_a_function(), "one row per (state, trigger); wildcard triggers only in kEveryLiveState");
static_assert(detail::rows_keep_their_track(), "a row never moves between the V4 and the V3 path");

}  // namespace upstate

#pragma once
// The upload's states and every allowed move between them, as data (h11's
// EVENT_TRIGGERED_TRANSITIONS). The machine looks every move up here; a move
// the table lacks is a usage error. Tests enumerate the table, the property
// test proves each row is reachable, and README's diagram is drawn from it.
#include <optional>
#include <string_view>

namespace upstate {

enum class State {
  idle,            // constructed, not started
  requesting_url,  // step 1 sent, awaiting its answer
  url_backoff,     // waiting to repeat step 1
  uploading,       // step 2 (the PUT) sent, awaiting its answer
  upload_backoff,  // waiting to repeat the PUT
  polling,         // step 3 sent, awaiting its answer
  poll_wait,       // waiting for the next poll (interval or backoff)
  polling_status,  // V3 (legacy) step 3: GET .../datasets/{id}/status sent, awaiting its answer
  status_wait,     // V3: waiting for the next status request (interval or backoff)
  done,            // terminal: the outcome is fixed; every later event returns it
};

// What happened, after the machine classified an event (an answer becomes
// `url_received` or `url_retry` or ...).
enum class Trigger {
  start,
  resume,              // start of a restored upload whose import exists: poll it (after an accepted PUT, or
                       // once to learn whether a PUT whose answer was lost arrived)
  resume_legacy,       // start of a restored V3 upload whose PUT was accepted: poll the dataset's status
  refused_locally,     // start: the inputs can never work (5 GiB, unsafe name, bad base URL)
  url_received,        // step 1 answered 2xx with a usable URL (V4: with import_id; V3: without)
  url_retry,           // step 1: 429 / 5xx / transport error
  url_refused,         // step 1: final error (401, 404, malformed answer, a V3 dataset and a .jsonl, ...)
  upload_accepted,     // step 2: 2xx
  legacy_upload_accepted,  // step 2: 2xx for a V3 dataset: its status is polled, not an import
  url_expired,         // step 2: the URL is dead (S3 says so, or its own expiry passed)
  renewals_exhausted,  // url_expired once too often
  upload_retry,        // step 2: RequestTimeout, SlowDown, 5xx, reset, ...
  upload_refused,      // step 2: final
  import_pending,      // step 3: uninitialised / queued / processing (V3: UNINITIALISED / PROCESSING)
  import_terminal,     // step 3: complete / partial / failed / pending_schema (V3: READY / ERROR)
  import_unstarted,    // a resumed upload's import never got the file: step 1 again
  poll_retry,          // step 3: 429 / 5xx / transport error
  poll_refused,        // step 3: final (404, malformed, unknown status, ...)
  import_stuck,        // still uninitialised long after the PUT succeeded
  retries_exhausted,   // a retryable failure past RetryPolicy::max_attempts
  wake,                // a wait ended
  deadline,            // the overall deadline passed
  cancel,
  misuse,              // an event the state cannot take (caller bug): sticky error
};

// Which event a state is waiting for; any other event is `misuse`.
enum class Awaits { start, response, wake, nothing };

struct StateInfo {
  State state;
  std::string_view name;
  Awaits awaits;
};

inline constexpr StateInfo kStates[] = {
    {State::idle, "idle", Awaits::start},
    {State::requesting_url, "requesting_url", Awaits::response},
    {State::url_backoff, "url_backoff", Awaits::wake},
    {State::uploading, "uploading", Awaits::response},
    {State::upload_backoff, "upload_backoff", Awaits::wake},
    {State::polling, "polling", Awaits::response},
    {State::poll_wait, "poll_wait", Awaits::wake},
    {State::polling_status, "polling_status", Awaits::response},
    {State::status_wait, "status_wait", Awaits::wake},
    {State::done, "done", Awaits::nothing},
};

struct Transition {
  State from;
  Trigger trigger;
  State to;
};

inline constexpr Transition kTransitions[] = {
    {State::idle, Trigger::start, State::requesting_url},
    {State::idle, Trigger::resume, State::polling},
    {State::idle, Trigger::resume_legacy, State::polling_status},
    {State::idle, Trigger::refused_locally, State::done},
    {State::idle, Trigger::cancel, State::done},
    {State::idle, Trigger::misuse, State::done},

    {State::requesting_url, Trigger::url_received, State::uploading},
    {State::requesting_url, Trigger::url_retry, State::url_backoff},
    {State::requesting_url, Trigger::url_refused, State::done},
    {State::requesting_url, Trigger::retries_exhausted, State::done},
    {State::requesting_url, Trigger::deadline, State::done},
    {State::requesting_url, Trigger::cancel, State::done},
    {State::requesting_url, Trigger::misuse, State::done},

    {State::url_backoff, Trigger::wake, State::requesting_url},
    {State::url_backoff, Trigger::deadline, State::done},
    {State::url_backoff, Trigger::cancel, State::done},
    {State::url_backoff, Trigger::misuse, State::done},

    {State::uploading, Trigger::upload_accepted, State::polling},
    {State::uploading, Trigger::legacy_upload_accepted, State::polling_status},
    {State::uploading, Trigger::url_expired, State::requesting_url},
    {State::uploading, Trigger::renewals_exhausted, State::done},
    {State::uploading, Trigger::upload_retry, State::upload_backoff},
    {State::uploading, Trigger::upload_refused, State::done},
    {State::uploading, Trigger::retries_exhausted, State::done},
    {State::uploading, Trigger::deadline, State::done},
    {State::uploading, Trigger::cancel, State::done},
    {State::uploading, Trigger::misuse, State::done},

    {State::upload_backoff, Trigger::wake, State::uploading},
    {State::upload_backoff, Trigger::url_expired, State::requesting_url},
    {State::upload_backoff, Trigger::renewals_exhausted, State::done},
    {State::upload_backoff, Trigger::deadline, State::done},
    {State::upload_backoff, Trigger::cancel, State::done},
    {State::upload_backoff, Trigger::misuse, State::done},

    {State::polling, Trigger::import_pending, State::poll_wait},
    {State::polling, Trigger::import_terminal, State::done},
    {State::polling, Trigger::import_unstarted, State::requesting_url},
    {State::polling, Trigger::poll_retry, State::poll_wait},
    {State::polling, Trigger::poll_refused, State::done},
    {State::polling, Trigger::import_stuck, State::done},
    {State::polling, Trigger::retries_exhausted, State::done},
    {State::polling, Trigger::deadline, State::done},
    {State::polling, Trigger::cancel, State::done},
    {State::polling, Trigger::misuse, State::done},

    {State::poll_wait, Trigger::wake, State::polling},
    {State::poll_wait, Trigger::deadline, State::done},
    {State::poll_wait, Trigger::cancel, State::done},
    {State::poll_wait, Trigger::misuse, State::done},

    {State::polling_status, Trigger::import_pending, State::status_wait},
    {State::polling_status, Trigger::import_terminal, State::done},
    {State::polling_status, Trigger::poll_retry, State::status_wait},
    {State::polling_status, Trigger::poll_refused, State::done},
    {State::polling_status, Trigger::import_stuck, State::done},
    {State::polling_status, Trigger::retries_exhausted, State::done},
    {State::polling_status, Trigger::deadline, State::done},
    {State::polling_status, Trigger::cancel, State::done},
    {State::polling_status, Trigger::misuse, State::done},

    {State::status_wait, Trigger::wake, State::polling_status},
    {State::status_wait, Trigger::deadline, State::done},
    {State::status_wait, Trigger::cancel, State::done},
    {State::status_wait, Trigger::misuse, State::done},
};

constexpr std::optional<State> next_state(State from, Trigger trigger) noexcept {
  for (const auto& t : kTransitions)
    if (t.from == from && t.trigger == trigger) return t.to;
  return std::nullopt;
}

constexpr const StateInfo& state_info(State s) noexcept {
  for (const auto& info : kStates)
    if (info.state == s) return info;
  return kStates[0];
}

constexpr std::string_view to_string(State s) noexcept { return state_info(s).name; }

constexpr std::string_view to_string(Trigger t) noexcept {
  switch (t) {
    case Trigger::start: return "start";
    case Trigger::resume: return "resume";
    case Trigger::resume_legacy: return "resume_legacy";
    case Trigger::refused_locally: return "refused_locally";
    case Trigger::url_received: return "url_received";
    case Trigger::url_retry: return "url_retry";
    case Trigger::url_refused: return "url_refused";
    case Trigger::upload_accepted: return "upload_accepted";
    case Trigger::legacy_upload_accepted: return "legacy_upload_accepted";
    case Trigger::url_expired: return "url_expired";
    case Trigger::renewals_exhausted: return "renewals_exhausted";
    case Trigger::upload_retry: return "upload_retry";
    case Trigger::upload_refused: return "upload_refused";
    case Trigger::import_pending: return "import_pending";
    case Trigger::import_terminal: return "import_terminal";
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

// What a progress display shows; derived from the state, never stored.
enum class Phase { not_started, requesting_url, uploading, processing, finished };

constexpr Phase phase_of(State s) noexcept {
  switch (s) {
    case State::idle: return Phase::not_started;
    case State::requesting_url:
    case State::url_backoff: return Phase::requesting_url;
    case State::uploading:
    case State::upload_backoff: return Phase::uploading;
    case State::polling:
    case State::poll_wait:
    case State::polling_status:
    case State::status_wait: return Phase::processing;
    case State::done: return Phase::finished;
  }
  return Phase::finished;
}

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

}  // namespace upstate

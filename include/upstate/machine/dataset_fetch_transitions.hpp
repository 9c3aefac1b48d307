#pragma once
// DatasetFetch's machine, as data (h11's rule, as for Upload in
// upload_transitions.hpp): its states, triggers and every allowed move. A move the
// table lacks is an internal error. The unit tests take each row, the
// property test proves every row is reached, and README's diagram is
// printed from it (tools/state_diagram.cpp).
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "upload_transitions.hpp"  // Awaits

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

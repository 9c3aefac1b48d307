#pragma once
// How often to ask for the import's status while it is not terminal.
#include <algorithm>

#include "../detail/rng.hpp"
#include "../vocabulary/time.hpp"

namespace upstate {

// What `pending_schema` means to a run. The service's import-status
// reference says the import "is paused until a schema is defined": once the
// dataset has a schema the same import may go on, so re-uploading first can
// ingest the file twice.
enum class OnPendingSchema {
  end,           // the run ends with the pending_schema report (the caller sets a schema, then resumes the import)
  keep_polling,  // the run keeps polling the paused import every `paused_interval` until it leaves
                 // pending_schema or the deadline passes (then it ends with the pending_schema report)
};

struct PollPolicy {
  // No wait is ever shorter than this, whatever the fields say: an initial
  // of 0 would otherwise stay 0 (0 x factor) and poll in a tight loop.
  static constexpr Duration kMinDelay{100};

  Duration initial{2000};  // first wait after a poll that was not terminal
  double factor = 1.5;     // growth per poll while the status stays the same
  Duration max{15000};     // cap: the detection delay after the import turns terminal never exceeds it
  // Jitter only ever shortens a wait (by up to this fraction), so many clients
  // spread out without stretching the detection delay past `max`.
  double jitter = 0.1;
  // A status unchanged this long is noted as stuck in the outcome's notes;
  // `uninitialised` this long after a successful PUT ends the run with
  // ErrorCode::import_stuck (the service never saw the bytes and never will).
  Duration stuck_after{300000};
  OnPendingSchema on_pending_schema = OnPendingSchema::end;
  Duration paused_interval{60000};  // the slow cadence while an import waits for a schema
  // V3 datasets: a READY/ERROR that has not changed since the PUT is taken as
  // this file's outcome only this long after it (legacy_freshness.hpp).
  Duration legacy_settle{15000};

  // The wait before the next poll; `same_status_polls` counts polls since
  // the status last changed (a change resets the growth: something moves).
  // Never below kMinDelay: initial, max and the jittered result are
  // clamped to it, and a factor below 1 (or NaN) counts as 1.
  Duration delay(int same_status_polls, Rng& rng) const {
    const double floor_ms = static_cast<double>(kMinDelay.count());
    const double cap = std::max(static_cast<double>(max.count()), floor_ms);
    const double grow = factor >= 1.0 ? factor : 1.0;
    double ms = std::clamp(static_cast<double>(initial.count()), floor_ms, cap);
    for (int i = 0; i < same_status_polls && ms < cap; ++i) ms *= grow;
    ms = std::min(ms, cap);
    double j = std::clamp(jitter, 0.0, 1.0);
    if (!(j >= 0.0)) j = 0.0;  // NaN passes through clamp
    const auto whole = static_cast<std::int64_t>(ms);
    const auto cut = static_cast<std::int64_t>(ms * j);
    return Duration{std::max<std::int64_t>(kMinDelay.count(), whole - rng.between(0, cut))};
  }
};

}  // namespace upstate

#pragma once
// How many files ahead of the PUTs a journaled batch starts its next sync
// (journal_batch.hpp). The PUTs go one at a time in file order, each only
// once its import's record is on disk; a sync covers every record written
// before it started. Started too late, no PUT moves while it runs; started
// too early, it covers fewer records and there are more of them, and on a
// small VM every fdatasync costs the whole machine about as long as it
// lasts (bench/README.md, "journal cost": a separate process syncing every
// 6 ms slowed a batch without a journal by ~10 %). So the lead is what one
// sync takes, in PUTs: 1.5 x the sync's time over the time between PUTs,
// plus one, both smoothed; the ceiling until both were seen. Pure: the
// times are the caller's.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <optional>

namespace upstate_upload {

class SyncLead {
 public:
  using Clock = std::chrono::steady_clock;

  // `ceiling`: the most files ahead (at least 1).
  explicit SyncLead(std::size_t ceiling) : ceiling_(std::max<std::size_t>(ceiling, 1)) {}

  // A PUT went out at `now`.
  void on_put(Clock::time_point now) {
    if (last_put_) smooth(put_gap_, seconds(now - *last_put_));
    last_put_ = now;
  }
  // A sync returned; it took `took`.
  void on_sync(Clock::duration took) { smooth(sync_time_, seconds(took)); }

  // The lead, in files: from 1 to the ceiling.
  std::size_t files() const {
    if (!put_gap_ || !sync_time_) return ceiling_;
    if (*put_gap_ <= 0) return ceiling_;
    const double lead = std::ceil(1.5 * *sync_time_ / *put_gap_) + 1;
    return lead >= static_cast<double>(ceiling_) ? ceiling_ : std::max<std::size_t>(static_cast<std::size_t>(lead), 1);
  }

 private:
  static double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
  // An average over the last ~8 samples (the first sample as it is).
  static void smooth(std::optional<double>& average, double sample) {
    average = average ? *average + (sample - *average) / 8 : sample;
  }

  std::size_t ceiling_;
  std::optional<Clock::time_point> last_put_;
  std::optional<double> put_gap_;    // seconds between PUTs
  std::optional<double> sync_time_;  // seconds a sync takes
};

}  // namespace upstate_upload

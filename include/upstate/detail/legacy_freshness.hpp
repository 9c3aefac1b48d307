#pragma once
// Whether a V3 dataset's READY or ERROR is this file's outcome. The status
// belongs to the dataset, not to an upload: right after our PUT it may still
// show the previous file's READY (docs/service.md, "V3": whether the status
// changes at once when the PUT lands is UNCONFIRMED). A terminal status is
// taken as ours once the status has been seen to move since the PUT:
//   - a non-terminal status (UNINITIALISED, PROCESSING) was read; or
//   - it differs from the first status read after the PUT (READY, then
//     ERROR: the previous file's, then ours);
// or, when it never moved, once `settle` has passed since the PUT:
// processing finished before the first poll (a small file), or the service
// never shows the change. A service that keeps showing the previous status
// longer than `settle` defeats this; none is known to.
// Pure bookkeeping: the machine feeds it each status it reads.
#include <optional>

#include "../vocabulary/dataset_status.hpp"
#include "../vocabulary/time.hpp"

namespace upstate {

class LegacyFreshness {
 public:
  // A new PUT was accepted: nothing seen since.
  void upload_accepted() noexcept {
    moved_ = false;
    first_.reset();
  }

  // `status` read at `now`, the PUT accepted at `put_at`: true when it can
  // be taken as this file's outcome (always for a non-terminal one, which
  // the caller keeps polling anyway).
  bool accepts(DatasetStatus status, Instant put_at, Instant now, Duration settle) noexcept {
    if (!first_) first_ = status;
    if (!is_terminal(status) || status != *first_) moved_ = true;
    return !is_terminal(status) || moved_ || now - put_at >= settle;
  }

  bool moved() const noexcept { return moved_; }

 private:
  bool moved_ = false;
  std::optional<DatasetStatus> first_;  // the first status read since the PUT
};

}  // namespace upstate

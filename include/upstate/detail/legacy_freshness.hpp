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
//
// "Not moved yet" is a state of the machine (upload_transitions.hpp:
// confirming_status, confirm_wait; a non-terminal status leads on to
// polling_status, where every READY/ERROR is ours). What is left here is
// the answer's classification in that state.
#include <optional>

#include "../vocabulary/dataset_status.hpp"
#include "../vocabulary/time.hpp"

namespace upstate {

// In confirming_status: `status` read at `now`, the PUT accepted at
// `put_at`, `first` the first status read since the PUT (this one, when it
// is the first). True when it can be taken as this file's (always for a
// non-terminal one, which the caller keeps polling anyway).
inline bool legacy_status_is_ours(DatasetStatus status, std::optional<DatasetStatus> first, Instant put_at, Instant now,
                                  Duration settle) noexcept {
  return !is_terminal(status) || (first && status != *first) || now - put_at >= settle;
}

}  // namespace upstate

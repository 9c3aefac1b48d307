#pragma once
// How a Batch ended: one Outcome per file, in the order given, and the
// dataset's `total_datapoint_count` read once every file had ended.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "error.hpp"
#include "import_status.hpp"
#include "outcome.hpp"
#include "../wire/dataset.hpp"

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
};

struct BatchOutcome {
  std::vector<Outcome> files;  // same order as the files given
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

  bool all_complete() const noexcept { return counts.complete == files.size(); }
};

}  // namespace upstate

#pragma once
// A V3 (legacy) dataset's processing status as the service reports it
// (docs/service.md, "V3 (legacy CSV/ZIP) datasets"): GET /datasets/{id}/status. A V3
// dataset has no import jobs; the dataset itself is processed.
#include <optional>
#include <string_view>

#include "../detail/ascii.hpp"
#include "import_status.hpp"

namespace upstate {

enum class DatasetStatus {
  uninitialised,  // nothing uploaded (or not seen yet)
  processing,
  ready,  // terminal: the file was taken
  error,  // terminal: the file was refused
};

inline constexpr DatasetStatus kAllDatasetStatuses[] = {DatasetStatus::uninitialised, DatasetStatus::processing,
                                                        DatasetStatus::ready, DatasetStatus::error};

constexpr bool is_terminal(DatasetStatus s) noexcept { return s == DatasetStatus::ready || s == DatasetStatus::error; }

// The wire spelling (upper case, as docs/service.md writes it).
constexpr std::string_view to_string(DatasetStatus s) noexcept {
  switch (s) {
    case DatasetStatus::uninitialised: return "UNINITIALISED";
    case DatasetStatus::processing: return "PROCESSING";
    case DatasetStatus::ready: return "READY";
    case DatasetStatus::error: return "ERROR";
  }
  return "?";
}

// Case-insensitive: the V3 API's case is documented only by example, and
// "ready" cannot mean anything but READY. Anything else is nullopt (the
// machine makes it a typed error), never a guess.
constexpr std::optional<DatasetStatus> parse_dataset_status(std::string_view text) noexcept {
  for (DatasetStatus s : kAllDatasetStatuses)
    if (iequals(to_string(s), text)) return s;
  return std::nullopt;
}

// The V4 status a V3 one corresponds to, so progress displays and the
// outcome speak one vocabulary: READY is `complete`, ERROR is `failed`.
constexpr ImportStatus to_import_status(DatasetStatus s) noexcept {
  switch (s) {
    case DatasetStatus::uninitialised: return ImportStatus::uninitialised;
    case DatasetStatus::processing: return ImportStatus::processing;
    case DatasetStatus::ready: return ImportStatus::complete;
    case DatasetStatus::error: return ImportStatus::failed;
  }
  return ImportStatus::failed;
}

}  // namespace upstate

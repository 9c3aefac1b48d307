#pragma once
// The import job's lifecycle as the service reports it (docs/service.md, step 3).
#include <optional>
#include <string_view>

namespace upstate {

enum class ImportStatus {
  uninitialised,   // URL requested, no bytes received yet
  queued,          // waiting behind an earlier import of the same dataset
  processing,
  complete,        // terminal: every record accepted
  partial,         // terminal: some records rejected (`errors`)
  failed,          // terminal: nothing ingested (`reason`)
  pending_schema,  // terminal: the dataset has no schema yet
};

inline constexpr ImportStatus kAllImportStatuses[] = {
    ImportStatus::uninitialised, ImportStatus::queued,   ImportStatus::processing,
    ImportStatus::complete,      ImportStatus::partial,  ImportStatus::failed,
    ImportStatus::pending_schema};

constexpr bool is_terminal(ImportStatus s) noexcept {
  switch (s) {
    case ImportStatus::complete:
    case ImportStatus::partial:
    case ImportStatus::failed:
    case ImportStatus::pending_schema:
      return true;
    case ImportStatus::uninitialised:
    case ImportStatus::queued:
    case ImportStatus::processing:
      return false;
  }
  return false;
}

constexpr std::string_view to_string(ImportStatus s) noexcept {
  switch (s) {
    case ImportStatus::uninitialised: return "uninitialised";
    case ImportStatus::queued: return "queued";
    case ImportStatus::processing: return "processing";
    case ImportStatus::complete: return "complete";
    case ImportStatus::partial: return "partial";
    case ImportStatus::failed: return "failed";
    case ImportStatus::pending_schema: return "pending_schema";
  }
  return "?";
}

// Exact, case-sensitive match of the wire spelling. An unknown string is
// `nullopt`, never a guess: the machine turns it into a typed error.
constexpr std::optional<ImportStatus> parse_import_status(std::string_view text) noexcept {
  for (ImportStatus s : kAllImportStatuses)
    if (to_string(s) == text) return s;
  return std::nullopt;
}

}  // namespace upstate

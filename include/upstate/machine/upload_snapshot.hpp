#pragma once
// What Upload::snapshot() writes and Upload::restore() reads: how far one
// upload got, as a small JSON document another process can continue from.
//
// Kept out on purpose:
//   - the API token: the snapshot is meant for a state file on disk, and the
//     restoring process has its own config (the type has no field for it);
//   - the presigned upload URL: a short-lived credential for one PUT. A
//     restore before an accepted PUT asks step 1 for a new one instead (the
//     old import is then listed as abandoned);
//   - steady-clock instants (deadline, waits, when a status began): they
//     mean nothing in another process. A restored upload starts its own
//     deadline and stuck timer when it is started.
//
//   {"format": "upstate.upload-snapshot", "version": 1,
//    "api_base": "https://...", "dataset_id": "...",
//    "file": {"name": "reviews.jsonl", "size": 2048},
//    "phase": "not_started" | "requesting_url" | "uploading" | "processing",
//    "legacy": false,                         V3 dataset (no import ids)
//    "import_id": "...",                      V4, phases uploading and processing
//    "abandoned_import_ids": ["...", ...],
//    "last_status": "processing"}             phase processing: the import status
//                                             (V3: the dataset status, "PROCESSING")
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../vocabulary/config.hpp"
#include "../vocabulary/dataset_status.hpp"
#include "../detail/linkage.hpp"
#include "../vocabulary/import_status.hpp"
#include "../vocabulary/result.hpp"
#include "../detail/terminal_text.hpp"
#include "../detail/url.hpp"
#include "../wire/limits.hpp"

namespace upstate {

// How far an upload got, as far as another process can use it.
enum class SnapshotPhase {
  not_started,     // start() not called yet
  requesting_url,  // no usable upload URL: a restore starts at step 1
  uploading,       // a URL was received, no PUT accepted yet: a restore asks whether the import got the
                   // file (V4), then polls it or starts at step 1
  processing,      // the PUT was accepted: a restore polls
};

constexpr std::string_view to_string(SnapshotPhase p) noexcept {
  switch (p) {
    case SnapshotPhase::not_started: return "not_started";
    case SnapshotPhase::requesting_url: return "requesting_url";
    case SnapshotPhase::uploading: return "uploading";
    case SnapshotPhase::processing: return "processing";
  }
  return "?";
}

struct UploadSnapshot {
  static constexpr std::string_view kFormat = "upstate.upload-snapshot";
  static constexpr int kVersion = 1;
  // Bounds that keep a hostile document cheap to refuse; a real snapshot is
  // a few hundred bytes (each import id is at most 256 bytes).
  static constexpr std::size_t kMaxBytes = 1u << 20;
  static constexpr std::size_t kMaxAbandoned = 1024;
  static constexpr std::size_t kMaxImportIdBytes = 256;

  std::string api_base;
  std::string dataset_id;
  FileInfo file;  // name "" and size 0 when unknown (a machine made by Upload::resume_import)
  SnapshotPhase phase = SnapshotPhase::not_started;
  bool legacy = false;
  std::string import_id;  // "" when none
  std::vector<std::string> abandoned_import_ids;
  // Phase processing only: V4 the import status, V3 the dataset status.
  std::optional<ImportStatus> last_import_status;
  std::optional<DatasetStatus> last_dataset_status;
};

namespace detail {

// An import id we will put in a URL path later: the rules step 1's answer
// is held to. No control byte either: it is shown in summaries, notes and
// messages, and a server-chosen escape sequence there would drive the
// user's terminal.
inline bool usable_import_id(std::string_view id) noexcept {
  return is_safe_segment(id) && id.size() <= UploadSnapshot::kMaxImportIdBytes && !has_control_byte(id);
}

}  // namespace detail

// Compact JSON, fields in the order of the comment above; optional fields
// are left out when empty. Strings are written byte for byte (RapidJSON
// escapes control characters), so a name that is not UTF-8 still round-trips.
UPSTATE_DECL std::string to_json(const UploadSnapshot& s);

// The document checked field by field: Error{invalid_snapshot, path} names
// the first field at fault ("$.file.size", "$.abandoned_import_ids[3]").
// Unknown fields are ignored (a later version may add some); a known field
// of the wrong type, an unknown phase or status, an import id that is no
// safe path segment, and fields that contradict the phase are errors.
// Whether it belongs to the caller's dataset and API is Upload::restore's
// check.
UPSTATE_DECL Result<UploadSnapshot> parse_upload_snapshot(std::string_view text);

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/upload_snapshot.ipp>
#endif

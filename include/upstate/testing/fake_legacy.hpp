#pragma once
// What the fake service decides about a file uploaded to a V3 (legacy)
// dataset. A V3 dataset has no schema and no import jobs; the fake judges
// the file as a whole (the real rules are not public):
//   - the name must end in .csv or .zip, in any case (as for V4 files,
//     docs/service.md, Step 1); step 1 still answers for any other name, the way a client
//     that skips the extension check would find out: the status ends ERROR;
//   - .zip: non-empty and starting with a ZIP signature ("PK\3\4", or
//     "PK\5\6" for an empty archive); nothing inside is read;
//   - .csv: the V4 file-level checks (fake_validation.hpp) with a schema of
//     no fields: valid UTF-8, at least one data row, no unterminated quoted
//     field. Rows are not judged.
// A file that passes is READY with its data rows counted (they set the
// processing time, as for V4 imports); one that fails is ERROR with a reason.
#include <optional>
#include <string>
#include <string_view>

#include "../detail/ascii.hpp"
#include "../vocabulary/dataset_status.hpp"
#include "../vocabulary/import_status.hpp"
#include "../wire/dataset.hpp"
#include "fake_bytes.hpp"
#include "fake_validation.hpp"

namespace upstate::testing {

enum class LegacyKind { csv, zip, other };

inline LegacyKind legacy_kind_of(std::string_view filename) noexcept {
  if (iends_with(filename, ".csv")) return LegacyKind::csv;
  if (iends_with(filename, ".zip")) return LegacyKind::zip;
  return LegacyKind::other;
}

constexpr std::string_view content_type_of(LegacyKind kind) noexcept {
  switch (kind) {
    case LegacyKind::csv: return "text/csv";
    case LegacyKind::zip: return "application/zip";
    case LegacyKind::other: break;
  }
  return "application/octet-stream";
}

// The verdict as a Validation (status complete or failed), so V3 uploads
// share the V4 imports' processing queue and time model.
inline Validation validate_legacy_upload(LegacyKind kind, std::string_view bytes) {
  Validation v;
  auto refuse = [&v](std::string reason) {
    v.status = ImportStatus::failed;
    v.reason = std::move(reason);
    return v;
  };
  switch (kind) {
    case LegacyKind::other: return refuse("unsupported file type: a V3 dataset takes .csv and .zip files");
    case LegacyKind::zip:
      if (bytes.empty()) return refuse("the file is empty");
      if (bytes.substr(0, 4) != std::string_view("PK\x03\x04", 4) && bytes.substr(0, 4) != std::string_view("PK\x05\x06", 4))
        return refuse("not a ZIP archive");
      v.status = ImportStatus::complete;
      v.counted = true;
      return v;
    case LegacyKind::csv: break;
  }
  if (bytes.empty()) return refuse("the file is empty");
  Validation csv = validate_upload(FileKind::csv, bytes, Schema{}, 0);
  if (!csv.counted) return refuse(csv.reason);
  v.status = ImportStatus::complete;
  v.counted = true;
  v.records = v.accepted = csv.records;
  return v;
}

// An upload's progress in the V3 vocabulary: waiting in the dataset's queue
// is PROCESSING too (V3 has no `queued`).
constexpr DatasetStatus legacy_status_of(ImportStatus s) noexcept {
  switch (s) {
    case ImportStatus::uninitialised: return DatasetStatus::uninitialised;
    case ImportStatus::queued:
    case ImportStatus::processing: return DatasetStatus::processing;
    case ImportStatus::complete:
    case ImportStatus::partial: return DatasetStatus::ready;
    case ImportStatus::failed:
    case ImportStatus::pending_schema: return DatasetStatus::error;
  }
  return DatasetStatus::error;
}

}  // namespace upstate::testing

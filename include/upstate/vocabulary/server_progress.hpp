#pragma once
// What the service says about an import while it processes it
// (docs/service.md, Step 3: processing_started_at, processed_offset and the
// running counts, all optional), and how to read processed_offset, whose
// unit is UNCONFIRMED: bytes of the file, or records.
#include <cstdint>
#include <optional>
#include <string>

#include "../detail/redaction.hpp"
#include "../wire/import_report.hpp"

namespace upstate {

struct ServerProgress {
  std::string filename;               // "" when the service gave none
  std::string processing_started_at;  // ISO-8601, "" when absent
  std::optional<std::uint64_t> processed_offset;
  std::optional<std::uint64_t> written_count, duplicate_seen_count, rejected_seen_count;

  // Records the running counts account for, when the service gave any.
  std::optional<std::uint64_t> records_seen() const noexcept {
    if (!written_count && !duplicate_seen_count && !rejected_seen_count) return std::nullopt;
    return written_count.value_or(0) + duplicate_seen_count.value_or(0) + rejected_seen_count.value_or(0);
  }

  // The share of a `file_size`-byte file processed, when processed_offset
  // reads as bytes: at most the file's size, and more than the records
  // counted so far (every record takes at least one byte and its line
  // break, so an offset no larger than the record count is a record count).
  // nullopt: show the counts instead.
  std::optional<double> fraction_of(std::uint64_t file_size) const noexcept {
    if (!processed_offset || file_size == 0 || *processed_offset > file_size) return std::nullopt;
    if (auto seen = records_seen(); seen && *processed_offset <= *seen && *processed_offset > 0) return std::nullopt;
    return static_cast<double>(*processed_offset) / static_cast<double>(file_size);
  }

  friend bool operator==(const ServerProgress& a, const ServerProgress& b) noexcept {
    return a.filename == b.filename && a.processing_started_at == b.processing_started_at &&
           a.processed_offset == b.processed_offset && a.written_count == b.written_count &&
           a.duplicate_seen_count == b.duplicate_seen_count && a.rejected_seen_count == b.rejected_seen_count;
  }
  friend bool operator!=(const ServerProgress& a, const ServerProgress& b) noexcept { return !(a == b); }
};

// The report's progress fields; nullopt when it has none of the figures
// (processed_offset or a running count). Its strings come from the server:
// `token` is redacted from them.
inline std::optional<ServerProgress> server_progress_of(const ImportReport& r, std::string_view token = {}) {
  if (!r.processed_offset && !r.written_count && !r.duplicate_seen_count && !r.rejected_seen_count)
    return std::nullopt;
  ServerProgress p{r.filename,      r.processing_started_at, r.processed_offset,
                   r.written_count, r.duplicate_seen_count,  r.rejected_seen_count};
  if (token.size() >= 6) {
    p.filename = redact(std::move(p.filename), token);
    p.processing_started_at = redact(std::move(p.processing_started_at), token);
  }
  return p;
}

}  // namespace upstate

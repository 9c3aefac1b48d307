#pragma once
// The two record formats a V4 dataset takes (docs/service.md), told apart by the
// file name's extension.
#include <optional>
#include <string_view>

#include "../detail/ascii.hpp"

namespace upstate {

enum class FileKind { jsonl, csv };

// Case-insensitive, like content_type_for() (config.hpp): the uploader
// sends "DATA.CSV" as text/csv, so it is checked as CSV too. (The fake
// service's own lookup, testing::file_kind_of, is case-sensitive on purpose:
// it plays an S3 key.)
constexpr std::optional<FileKind> file_kind_from_name(std::string_view filename) noexcept {
  if (iends_with(filename, ".jsonl")) return FileKind::jsonl;
  if (iends_with(filename, ".csv")) return FileKind::csv;
  return std::nullopt;
}

constexpr std::string_view to_string(FileKind kind) noexcept { return kind == FileKind::jsonl ? "jsonl" : "csv"; }

}  // namespace upstate

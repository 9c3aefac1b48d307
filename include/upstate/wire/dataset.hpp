#pragma once
// GET /datasets/{dataset_id} -> 200, and the schema it carries.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../detail/linkage.hpp"
#include "../vocabulary/result.hpp"
#include "limits.hpp"

namespace upstate {

struct SchemaField {
  std::string name;
  std::string type;   // text, image_url, audio_url, video_url, metadata, task_group_id (others kept verbatim)
  std::string label;  // may be empty
};

struct Schema {
  bool strict = false;
  std::vector<SchemaField> fields;  // in document order
};

struct DatasetImportSummary {
  std::string import_id;
  std::string status;  // verbatim: the dataset listing is informational
  std::optional<std::uint64_t> accepted_count, rejected_count;
  std::optional<std::uint64_t> duplicate_count;  // accepted but already present (not written twice)
};

struct Dataset {
  std::string id;  // required
  std::string name;
  std::string created_at, created_by;
  std::optional<std::uint64_t> total_datapoint_count;
  std::optional<int> schema_version;  // 3 (legacy) or 4
  std::optional<Schema> schema;       // V4, when set
  std::vector<DatasetImportSummary> imports;  // at most ParseLimits::max_dataset_imports_kept
  std::size_t imports_dropped = 0;             // listed past that cap: checked and counted, not stored
  std::optional<std::string> status;    // V3
  std::optional<std::string> filename;  // V3
};

// The schema object alone ({"strict":..., "fields":{...}}).
UPSTATE_DECL Result<Schema> parse_schema(std::string_view json, const ParseLimits& limits = {});

// The schema as the API writes it (compact JSON): "strict" then "fields" in
// order; an empty label is left out.
UPSTATE_DECL std::string schema_to_json(const Schema& schema);

// Only `id` is required; every other field is optional but type-checked.
// imports[] items need `import_id` and `status` (strings, status verbatim).
// The common well-formed answer is read by a SAX fast path (memory: the body
// and the result); anything else (every error included) by the DOM parser,
// so results and errors are the DOM parser's either way (dataset_sax.hpp).
UPSTATE_DECL Result<Dataset> parse_dataset(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/wire_dataset.ipp>
#endif

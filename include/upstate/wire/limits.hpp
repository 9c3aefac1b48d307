#pragma once
// Caps on what a parser will take from the wire, so a hostile answer costs
// bounded memory and time. Defaults match the HTTP codec's body caps.
#include <cstddef>

namespace upstate {

struct ParseLimits {
  std::size_t max_body_bytes = 16u << 20;  // API answers; S3 error bodies are capped at 64 KiB by the codec
  std::size_t max_record_errors = 100000;  // errors[] items kept; the rest are counted, not stored
  std::size_t max_raw_item_bytes = 4096;   // raw JSON kept per errors[] item
  // Dataset::imports kept (GET /datasets/{id} lists every import of the
  // dataset); the rest are checked as always, then counted in
  // Dataset::imports_dropped, not stored. A batch that wants only the total
  // sets 0: a 10,000-import listing is then never held as a vector.
  std::size_t max_dataset_imports_kept = static_cast<std::size_t>(-1);
  // JSON shape, checked in one pass before a parser builds anything. A
  // RapidJSON DOM costs ~16 bytes per value plus its parse stack: 16 MiB of
  // "[" or of "0," cost ~445 MiB of RSS before these (bench/README.md). The
  // API's answers nest 4 deep; a 10,000-error poll answer has ~70,000 values.
  std::size_t max_json_depth = 64;
  std::size_t max_json_values = 500000;
};

}  // namespace upstate

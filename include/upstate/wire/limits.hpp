#pragma once
// Caps on what a parser will take from the wire, so a hostile answer costs
// bounded memory and time. Defaults match the HTTP codec's body caps.
#include <cstddef>

namespace upstate {

struct ParseLimits {
  std::size_t max_body_bytes = 16u << 20;  // API answers; S3 error bodies are capped at 64 KiB by the codec
  std::size_t max_record_errors = 100000;  // errors[] items kept; the rest are counted, not stored
  std::size_t max_raw_item_bytes = 4096;   // raw JSON kept per errors[] item
};

}  // namespace upstate

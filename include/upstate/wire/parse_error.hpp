#pragma once
// Private helpers (namespace detail, not API) shared by the wire parsers:
// the malformed-answer and size-cap errors. Kept apart from json.hpp so the
// XML reader does not drag RapidJSON in.
#include <cstddef>
#include <string>
#include <string_view>

#include "../vocabulary/error.hpp"
#include "../detail/excerpt.hpp"

namespace upstate {
namespace detail {

inline Error malformed(std::string path, std::string message) {
  Error e;
  e.code = ErrorCode::malformed_answer;
  e.message = std::move(message);
  e.path = std::move(path);
  return e;
}

// Checked before any parsing, so an oversized answer costs neither time nor
// memory beyond the bytes the caller already holds.
inline Error body_too_large(std::size_t size, std::size_t cap, std::string path = "$") {
  return malformed(std::move(path), "answer of " + std::to_string(size) + " bytes exceeds the " +
                                        std::to_string(cap) + "-byte cap");
}

// "$.list[3]": the JSON path of an array element.
inline std::string element_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace detail
}  // namespace upstate

#pragma once
// How a file's outcome is told: exit code, one JSON object, a summary
// (the pure rendering lives in outcome_text.hpp, where the fuzzer reaches it).

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include <upstate/vocabulary/outcome.hpp>
#include <upstate/detail/excerpt.hpp>

#include "args.hpp"
#include "outcome_text.hpp"

namespace upstate_upload {

inline int exit_code_of(const upstate::Outcome& o) {
  if (const auto* r = o.report()) {
    switch (r->status) {
      case upstate::ImportStatus::complete: return 0;
      case upstate::ImportStatus::partial: return 2;
      case upstate::ImportStatus::failed: return 3;
      case upstate::ImportStatus::pending_schema: return 4;
      default: break;
    }
  }
  return kExitClientError;
}

inline void print_summary(const std::string& file, const upstate::Outcome& o) {
  std::fputs(summary_text(file, o).c_str(), stderr);
}

}  // namespace upstate_upload

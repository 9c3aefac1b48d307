#pragma once
// How an upload ended: the server's terminal import report, or a typed
// client-side error, plus what happened on the way.
#include <string>
#include <variant>
#include <vector>

#include "error.hpp"
#include "time.hpp"
#include "../wire/import_report.hpp"

namespace upstate {

// Something worth telling a person that did not end the run: a retry, a
// renewed URL, a status that went backwards, a long wait.
struct Note {
  Instant at;
  std::string text;
};

struct Outcome {
  std::variant<ImportReport, Error> result;
  std::string import_id;  // the import the run ended on ("" if none was created)
  // Step 1 is not idempotent: each retried or renewed URL left an import job
  // behind on the server (it stays `uninitialised`). Listed so a user can
  // tell them from real imports.
  std::vector<std::string> abandoned_import_ids;
  std::vector<Note> notes;  // at most kMaxNotes; later ones are counted in notes_dropped
  std::size_t notes_dropped = 0;
  int requests_sent = 0;

  static constexpr std::size_t kMaxNotes = 256;

  const ImportReport* report() const noexcept { return std::get_if<ImportReport>(&result); }
  const Error* error() const noexcept { return std::get_if<Error>(&result); }
  // The server finished the import (any terminal status).
  bool finished_import() const noexcept { return report() != nullptr; }
  // Every record accepted.
  bool complete() const noexcept { return report() && report()->status == ImportStatus::complete; }
};

}  // namespace upstate

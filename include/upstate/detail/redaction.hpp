#pragma once
// The token taken out of everything a machine hands back. The machines
// (Upload, DatasetFetch, Batch) know the token and call these on every
// error, report and dataset before a caller sees it, so no caller — our CLI
// or anyone else's program — can print, log or store a token a server
// echoed. One place in the library rather than every output path of every
// program: a path forgotten is a leak.
#include <cstdint>
#include <string>
#include <string_view>

#include "../vocabulary/error.hpp"
#include "excerpt.hpp"
#include "../wire/dataset.hpp"
#include "../wire/import_report.hpp"

namespace upstate {
namespace detail {

inline void redact_in_place(std::string& s, std::string_view secret) {
  if (secret.size() >= 6 && s.find(secret.substr(0, secret.size() < 8 ? secret.size() : 8)) != std::string::npos)
    s = redact(std::move(s), secret);
}

inline void redact_in_place(std::optional<std::string>& s, std::string_view secret) {
  if (s) redact_in_place(*s, secret);
}

}  // namespace detail

// Message, JSON path (it quotes server keys) and server code.
inline void redact_in(Error& e, std::string_view token) {
  detail::redact_in_place(e.message, token);
  detail::redact_in_place(e.path, token);
  detail::redact_in_place(e.server_code, token);
}

// Every string of a report: the failed reason, each record error's field,
// reason and raw text. The record list is rebuilt only when one holds the
// token's start (a scan, no copies, otherwise).
inline void redact_in(ImportReport& r, std::string_view token) {
  if (token.size() < 6) return;
  detail::redact_in_place(r.import_id, token);
  detail::redact_in_place(r.dataset_id, token);
  detail::redact_in_place(r.type, token);
  detail::redact_in_place(r.created_at, token);
  detail::redact_in_place(r.updated_at, token);
  detail::redact_in_place(r.reason, token);
  detail::redact_in_place(r.filename, token);
  detail::redact_in_place(r.processing_started_at, token);
  const std::string_view head = token.substr(0, token.size() < 8 ? token.size() : 8);
  // The parser's field and reason are views into raw, so scanning raw
  // covers them unless raw was cut (ParseLimits::max_raw_item_bytes).
  // Measured: 10,000 errors (1.1 MB) take 0.2 ms here after a 0.6 ms parse.
  // Addresses as integers, not <: the pointers may belong to unrelated
  // objects (std::less would do, but <functional> costs every translation
  // unit ~0.1 s; bench/compile_time.sh).
  const auto address = [](const char* p) { return reinterpret_cast<std::uintptr_t>(p); };
  auto inside_raw = [&](std::string_view part, std::string_view raw) {
    return part.empty() || (address(part.data()) >= address(raw.data()) &&
                            address(part.data()) + part.size() <= address(raw.data()) + raw.size());
  };
  auto holds = [&](const RecordErrorView& e) {
    if (e.raw.find(head) != std::string_view::npos) return true;
    return (!inside_raw(e.field, e.raw) && e.field.find(head) != std::string_view::npos) ||
           (!inside_raw(e.reason, e.raw) && e.reason.find(head) != std::string_view::npos);
  };
  bool any = false;
  for (const RecordErrorView& e : r.errors)
    if (holds(e)) {
      any = true;
      break;
    }
  if (!any) return;
  RecordErrors clean;
  clean.reserve(r.errors.size(), r.errors.text_bytes());
  for (const RecordErrorView& e : r.errors) {
    if (!holds(e)) {
      clean.push_back(e);
      continue;
    }
    clean.push_back(RecordError{e.record_index, redact(std::string(e.field), token), redact(std::string(e.reason), token),
                                redact(std::string(e.raw), token)});
  }
  r.errors = std::move(clean);
}

// Every string of a dataset answer (what --show-dataset prints).
inline void redact_in(Dataset& d, std::string_view token) {
  if (token.size() < 6) return;
  detail::redact_in_place(d.id, token);
  detail::redact_in_place(d.name, token);
  detail::redact_in_place(d.created_at, token);
  detail::redact_in_place(d.created_by, token);
  detail::redact_in_place(d.status, token);
  detail::redact_in_place(d.filename, token);
  if (d.schema)
    for (SchemaField& f : d.schema->fields) {
      detail::redact_in_place(f.name, token);
      detail::redact_in_place(f.type, token);
      detail::redact_in_place(f.label, token);
    }
  for (DatasetImportSummary& im : d.imports) {
    detail::redact_in_place(im.import_id, token);
    detail::redact_in_place(im.status, token);
  }
}

}  // namespace upstate

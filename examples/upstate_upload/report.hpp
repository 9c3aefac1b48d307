#pragma once
// How a file's outcome is told: exit code, one JSON object, a summary.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include <upstate/outcome.hpp>
#include <upstate/text.hpp>

#include "args.hpp"

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

// `dataset_total`: the dataset's total_datapoint_count after a batch (null otherwise).
inline std::string to_json(const std::string& file, const upstate::Outcome& o,
                           std::optional<std::uint64_t> dataset_total = std::nullopt) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  auto key = [&](const char* k) { w.Key(k); };
  w.StartObject();
  key("file");
  str(file);
  key("import_id");
  if (o.import_id.empty()) w.Null(); else str(o.import_id);
  const auto* r = o.report();
  key("status");
  if (r) str(std::string(upstate::to_string(r->status))); else str("error");
  key("accepted_count");
  if (r && r->accepted_count) w.Uint64(*r->accepted_count); else w.Null();
  key("rejected_count");
  if (r && r->rejected_count) w.Uint64(*r->rejected_count); else w.Null();
  // Accepted = already present (duplicate_count) + new (docs/service.md, Step 3).
  key("duplicate_count");
  if (r && r->duplicate_count) w.Uint64(*r->duplicate_count); else w.Null();
  key("new_count");
  if (r && r->duplicate_count && r->new_count()) w.Uint64(*r->new_count()); else w.Null();
  key("errors");
  w.StartArray();
  if (r)
    for (const auto& e : r->errors) {
      w.StartObject();
      key("record_index");
      if (e.record_index) w.Uint64(*e.record_index); else w.Null();
      key("field");
      str(e.field);
      key("reason");
      str(e.reason);
      w.EndObject();
    }
  w.EndArray();
  key("reason");
  if (r && r->reason) str(*r->reason); else w.Null();
  key("error");
  if (const auto* e = o.error()) {
    w.StartObject();
    key("code");
    str(std::string(upstate::to_string(e->code)));
    key("message");
    str(e->message);
    if (e->http_status) {
      key("http_status");
      w.Int(e->http_status);
    }
    w.EndObject();
  } else {
    w.Null();
  }
  key("dataset_total_datapoint_count");
  if (dataset_total) w.Uint64(*dataset_total); else w.Null();
  key("abandoned_import_ids");
  w.StartArray();
  for (const auto& id : o.abandoned_import_ids) str(id);
  w.EndArray();
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

inline void print_summary(const std::string& file, const upstate::Outcome& o) {
  if (const auto* e = o.error()) {
    std::fprintf(stderr, "%s: error %s\n", file.c_str(), upstate::to_string(*e).c_str());
    return;
  }
  const auto& r = *o.report();
  if (r.import_id.empty())  // a V3 (legacy) dataset: no import, the dataset's own status
    std::fprintf(stderr, "%s: %s (V3 dataset)", file.c_str(), std::string(upstate::to_string(r.status)).c_str());
  else
    std::fprintf(stderr, "%s: %s (import %s)", file.c_str(), std::string(upstate::to_string(r.status)).c_str(),
                 r.import_id.c_str());
  if (r.accepted_count) std::fprintf(stderr, ", %llu accepted", static_cast<unsigned long long>(*r.accepted_count));
  if (r.accepted_count && r.duplicate_count)
    std::fprintf(stderr, " (%llu already present, %llu new)", static_cast<unsigned long long>(*r.duplicate_count),
                 static_cast<unsigned long long>(*r.new_count()));
  if (r.rejected_count) std::fprintf(stderr, ", %llu rejected", static_cast<unsigned long long>(*r.rejected_count));
  std::fputc('\n', stderr);
  // An accidental second upload of the same file looks like success otherwise.
  if (r.accepted_count && *r.accepted_count > 0 && r.duplicate_count && r.new_count() == std::uint64_t{0})
    std::fprintf(stderr, "  warning: every accepted record was already in the dataset; nothing new was added\n");
  // On partial the service may explain too (the official client shows it as a warning).
  if (r.reason)
    std::fprintf(stderr, "  %s: %s\n", r.status == upstate::ImportStatus::partial ? "warning from the service" : "reason",
                 upstate::printable_excerpt(*r.reason, 500).c_str());
  std::size_t shown = 0;
  for (const auto& e : r.errors) {
    if (++shown > 20) {
      std::fprintf(stderr, "  ... %zu more (use --json for all)\n", r.errors.size() - 20);
      break;
    }
    std::fprintf(stderr, "  record %s", e.record_index ? std::to_string(*e.record_index).c_str() : "?");
    if (!e.field.empty()) std::fprintf(stderr, ", field \"%s\"", upstate::printable_excerpt(e.field, 80).c_str());
    std::fprintf(stderr, ": %s\n", upstate::printable_excerpt(e.reason, 200).c_str());
  }
  if (r.rejected_count && *r.rejected_count > r.errors.size() + r.errors_dropped)
    std::fprintf(stderr, "  (the service listed %zu of %llu rejected records)\n", r.errors.size(),
                 static_cast<unsigned long long>(*r.rejected_count));
}

}  // namespace upstate_upload

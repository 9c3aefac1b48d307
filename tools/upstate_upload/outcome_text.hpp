#pragma once
// A file's outcome told two ways, as pure functions (no I/O, so the fuzz
// target checks them too): one --json object (valid UTF-8, json_text.hpp)
// and the human summary (every server string and file name escaped for
// the terminal: upstate::terminal_safe / printable_excerpt).
#include <cstdint>
#include <optional>
#include <string>

#include <upstate/vocabulary/outcome.hpp>
#include <upstate/detail/excerpt.hpp>

#include "json_text.hpp"

namespace upstate_upload {

// `dataset_total`: the dataset's total_datapoint_count after a batch (null otherwise).
inline std::string to_json(const std::string& file, const upstate::Outcome& o,
                           std::optional<std::uint64_t> dataset_total = std::nullopt) {
  rapidjson::StringBuffer out;
  JsonWriter w(out);
  auto str = [&](std::string_view s) { json_string(w, s); };
  auto key = [&](const char* k) { w.Key(k); };
  w.StartObject();
  key("file");
  str(file);
  key("import_id");
  if (o.import_id.empty()) w.Null(); else str(o.import_id);
  const auto* r = o.report();
  key("status");
  if (r) str(upstate::to_string(r->status)); else str("error");
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
    str(upstate::to_string(e->code));
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

// The summary lines for stderr, each ending in '\n'. `file`: the name shown
// (a local name, escaped here like every server string).
inline std::string summary_text(const std::string& file, const upstate::Outcome& o) {
  using upstate::printable_excerpt;
  const std::string name = upstate::terminal_safe(file);
  if (const auto* e = o.error()) return name + ": error " + upstate::to_string(*e) + "\n";
  const auto& r = *o.report();
  std::string out = name + ": " + std::string(upstate::to_string(r.status));
  if (r.import_id.empty())  // a V3 (legacy) dataset: no import, the dataset's own status
    out += " (V3 dataset)";
  else
    out += " (import " + upstate::terminal_safe(r.import_id) + ")";
  if (r.accepted_count) out += ", " + std::to_string(*r.accepted_count) + " accepted";
  if (r.accepted_count && r.duplicate_count)
    out += " (" + std::to_string(*r.duplicate_count) + " already present, " + std::to_string(*r.new_count()) + " new)";
  if (r.rejected_count) out += ", " + std::to_string(*r.rejected_count) + " rejected";
  out += '\n';
  // An accidental second upload of the same file looks like success otherwise.
  if (r.accepted_count && *r.accepted_count > 0 && r.duplicate_count && r.new_count() == std::uint64_t{0})
    out += "  warning: every accepted record was already in the dataset; nothing new was added\n";
  // On partial the service may explain too (the official client shows it as a warning).
  if (r.reason)
    out += std::string(r.status == upstate::ImportStatus::partial ? "  warning from the service, reason: " : "  reason: ") +
           printable_excerpt(*r.reason, 500) + "\n";
  std::size_t shown = 0;
  for (const auto& e : r.errors) {
    if (++shown > 20) {
      out += "  ... " + std::to_string(r.errors.size() - 20) + " more (use --json for all)\n";
      break;
    }
    out += "  record " + (e.record_index ? std::to_string(*e.record_index) : std::string("?"));
    if (!e.field.empty()) out += ", field \"" + printable_excerpt(e.field, 80) + "\"";
    out += ": " + printable_excerpt(e.reason, 200) + "\n";
  }
  if (r.rejected_count && *r.rejected_count > r.errors.size() + r.errors_dropped)
    out += "  (the service listed " + std::to_string(r.errors.size()) + " of " + std::to_string(*r.rejected_count) +
           " rejected records)\n";
  return out;
}

}  // namespace upstate_upload

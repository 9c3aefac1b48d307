#pragma once
// A dataset told two ways, as pure functions (the fuzz target checks them
// too): the --show-dataset --json object (valid UTF-8, json_text.hpp) and
// the text (every server string escaped by printable_excerpt). The library
// has already taken the token out of every string (upstate/detail/redaction.hpp).
#include <cstdint>
#include <optional>
#include <string>

#include <upstate/detail/excerpt.hpp>
#include <upstate/wire/dataset.hpp>

#include "json_text.hpp"

namespace upstate_upload {

inline std::string dataset_json(const upstate::Dataset& d) {
  rapidjson::StringBuffer out;
  JsonWriter w(out);
  auto str = [&](const std::string& s) { json_string(w, s); };
  auto opt_count = [&](const char* k, const std::optional<std::uint64_t>& v) {
    w.Key(k);
    if (v) w.Uint64(*v); else w.Null();
  };
  w.StartObject();
  w.Key("id"); str(d.id);
  w.Key("name"); str(d.name);
  w.Key("schema_version");
  if (d.schema_version) w.Int(*d.schema_version); else w.Null();
  opt_count("total_datapoint_count", d.total_datapoint_count);
  w.Key("schema");
  if (d.schema) {
    w.StartObject();
    w.Key("strict"); w.Bool(d.schema->strict);
    w.Key("fields");
    w.StartObject();
    for (const auto& f : d.schema->fields) {
      json_key(w, f.name);
      w.StartObject();
      w.Key("type"); str(f.type);
      if (!f.label.empty()) { w.Key("label"); str(f.label); }
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("imports");
  w.StartArray();
  for (const auto& im : d.imports) {
    w.StartObject();
    w.Key("import_id"); str(im.import_id);
    w.Key("status"); str(im.status);
    opt_count("accepted_count", im.accepted_count);
    opt_count("rejected_count", im.rejected_count);
    opt_count("duplicate_count", im.duplicate_count);
    w.EndObject();
  }
  w.EndArray();
  w.Key("status");
  if (d.status) str(*d.status); else w.Null();
  w.Key("filename");
  if (d.filename) str(*d.filename); else w.Null();
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

inline std::string dataset_text(const upstate::Dataset& d) {
  using upstate::printable_excerpt;
  auto count = [](std::uint64_t n) { return std::to_string(n); };
  std::string out = "dataset " + printable_excerpt(d.id, 200);
  if (!d.name.empty()) out += " \"" + printable_excerpt(d.name, 200) + "\"";
  if (d.schema_version) out += " (V" + std::to_string(*d.schema_version) + ")";
  out += "\n";
  if (d.total_datapoint_count) out += "  total_datapoint_count: " + count(*d.total_datapoint_count) + "\n";
  if (d.status) out += "  status: " + printable_excerpt(*d.status, 100) + "\n";
  if (d.filename) out += "  filename: " + printable_excerpt(*d.filename, 200) + "\n";
  if (d.schema) {
    out += std::string("  schema (") + (d.schema->strict ? "strict: fields not listed are rejected" : "not strict") +
           "):\n";
    for (const auto& f : d.schema->fields) {
      std::string name = printable_excerpt(f.name, 100);
      if (name.size() < 24) name.resize(24, ' ');
      out += "    " + name + " " + printable_excerpt(f.type, 40);
      if (!f.label.empty()) out += "  " + printable_excerpt(f.label, 100);
      out += "\n";
    }
  } else if (!d.schema_version || *d.schema_version != 3) {
    out += "  schema: none yet; uploads end pending_schema until one is set (PATCH /datasets/" +
           printable_excerpt(d.id, 200) + " with {\"schema\": {\"fields\": {...}}})\n";
  }
  if (!d.imports.empty()) out += "  imports (most recent first, as the service lists them):\n";
  for (const auto& im : d.imports) {
    out += "    " + printable_excerpt(im.import_id, 80) + "  " + printable_excerpt(im.status, 40);
    if (im.accepted_count) out += "  accepted " + count(*im.accepted_count);
    if (im.duplicate_count) out += "  already present " + count(*im.duplicate_count);
    if (im.rejected_count) out += "  rejected " + count(*im.rejected_count);
    out += "\n";
  }
  return out;
}

}  // namespace upstate_upload

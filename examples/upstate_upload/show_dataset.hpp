#pragma once
// upstate-upload --show-dataset ID: the dataset's schema, counts and
// imports, as text on stdout (or one JSON object with --json). Runs an
// empty Batch, which is exactly the final dataset GET with its retries.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <string>

#include <upstate/asio/client.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "session_options.hpp"

namespace upstate_upload {

inline std::string dataset_json(const upstate::Dataset& d) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  auto str = [&](const std::string& s) { w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size())); };
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
      w.Key(f.name.c_str(), static_cast<rapidjson::SizeType>(f.name.size()));
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

inline void print_dataset(const upstate::Dataset& d) {
  using upstate::printable_excerpt;
  std::printf("dataset %s", printable_excerpt(d.id, 200).c_str());
  if (!d.name.empty()) std::printf(" \"%s\"", printable_excerpt(d.name, 200).c_str());
  if (d.schema_version) std::printf(" (V%d)", *d.schema_version);
  std::printf("\n");
  if (d.total_datapoint_count)
    std::printf("  total_datapoint_count: %llu\n", static_cast<unsigned long long>(*d.total_datapoint_count));
  if (d.status) std::printf("  status: %s\n", printable_excerpt(*d.status, 100).c_str());
  if (d.filename) std::printf("  filename: %s\n", printable_excerpt(*d.filename, 200).c_str());
  if (d.schema) {
    std::printf("  schema (%s):\n", d.schema->strict ? "strict: fields not listed are rejected" : "not strict");
    for (const auto& f : d.schema->fields)
      std::printf("    %-24s %s%s%s\n", printable_excerpt(f.name, 100).c_str(), printable_excerpt(f.type, 40).c_str(),
                  f.label.empty() ? "" : "  ", printable_excerpt(f.label, 100).c_str());
  } else if (!d.schema_version || *d.schema_version != 3) {
    std::printf("  schema: none yet; uploads end pending_schema until one is set "
                "(PATCH /datasets/%s with {\"schema\": {\"fields\": {...}}})\n",
                printable_excerpt(d.id, 200).c_str());
  }
  if (!d.imports.empty()) std::printf("  imports:\n");
  for (const auto& im : d.imports) {
    std::printf("    %s  %s", printable_excerpt(im.import_id, 80).c_str(), printable_excerpt(im.status, 40).c_str());
    if (im.accepted_count) std::printf("  accepted %llu", static_cast<unsigned long long>(*im.accepted_count));
    if (im.rejected_count) std::printf("  rejected %llu", static_cast<unsigned long long>(*im.rejected_count));
    std::printf("\n");
  }
}

inline int show_dataset(const Args& args, const upstate::UploadConfig& config) {
  upstate::BatchConfig batch_config;
  batch_config.upload = config;
  upstate::Batch batch(batch_config, {});
  upstate::asio::BatchClientOptions options;
  options.session = session_options(args);
  upstate::BatchOutcome outcome = upstate::asio::upload_batch(batch, {}, std::move(options));
  if (!outcome.dataset) {
    const upstate::Error e = outcome.dataset_error ? *outcome.dataset_error
                                                   : upstate::Error::internal("no dataset fetched");
    std::fprintf(stderr, "upstate-upload: %s\n", upstate::to_string(e).c_str());
    return kExitClientError;
  }
  if (args.json)
    std::printf("%s\n", dataset_json(*outcome.dataset).c_str());
  else
    print_dataset(*outcome.dataset);
  return 0;
}

}  // namespace upstate_upload

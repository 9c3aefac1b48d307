#pragma once
// For a pending_schema outcome: exactly what to do next. The import is
// paused until the dataset has a schema (docs/service.md, Step 3); once one
// is set the same import may go on, so re-uploading first can ingest the
// file twice. The steps: set a schema (the PATCH printed here), then follow
// the same import with --resume. Only when the dataset already shows a
// schema and the import is still paused is uploading again the advice.
// We read the file's first record (JSONL: the first non-blank line's
// keys; CSV: the header row) and print a schema naming those fields, all as
// `text` for the user to adjust, and the request that sets it.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <upstate/detail/ascii.hpp>
#include <upstate/detail/terminal_text.hpp>

namespace upstate_upload {

// The first `limit` bytes' worth of field names; empty when unknown.
inline std::vector<std::string> first_record_fields(const std::string& path, std::size_t limit = 64 * 1024) {
  std::ifstream in(path, std::ios::binary);
  std::string head(limit, '\0');
  in.read(&head[0], static_cast<std::streamsize>(limit));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.compare(0, 3, "\xEF\xBB\xBF") == 0) head.erase(0, 3);
  std::vector<std::string> fields;
  if (upstate::iends_with(path, ".jsonl")) {
    std::size_t start = 0;
    while (start < head.size()) {
      std::size_t end = head.find('\n', start);
      if (end == std::string::npos) end = head.size();
      std::string line = head.substr(start, end - start);
      start = end + 1;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      rapidjson::Document doc;
      doc.Parse(line.c_str(), line.size());
      if (!doc.HasParseError() && doc.IsObject())
        for (auto it = doc.MemberBegin(); it < doc.MemberEnd(); ++it) fields.emplace_back(it->name.GetString(), it->name.GetStringLength());
      break;
    }
  } else if (upstate::iends_with(path, ".csv")) {
    // The header row (RFC 4180: quoted names may hold commas and "" quotes).
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < head.size(); ++i) {
      char c = head[i];
      if (quoted) {
        if (c == '"' && i + 1 < head.size() && head[i + 1] == '"') field += '"', ++i;
        else if (c == '"') quoted = false;
        else field += c;
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(field), field.clear();
      } else if (c == '\n' || c == '\r') {
        break;
      } else {
        field += c;
      }
    }
    if (!field.empty() || !fields.empty()) fields.push_back(field);
  }
  return fields;
}

// What the dataset showed when the outcome was printed.
enum class DatasetSchema { absent, present, unknown };

inline void print_set_schema_step(const std::string& api_base, const std::string& dataset_id, const std::string& path) {
  std::vector<std::string> fields = path.empty() ? std::vector<std::string>{} : first_record_fields(path);
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("schema");
  w.StartObject();
  w.Key("fields");
  w.StartObject();
  for (const auto& f : fields) {
    w.Key(f.c_str(), static_cast<rapidjson::SizeType>(f.size()));
    w.StartObject();
    w.Key("type");
    w.String("text");
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  std::fprintf(stderr,
               "  1. set a schema:\n"
               "    curl -X PATCH -H \"Authorization: Token $PROLIFIC_API_TOKEN\" -H \"Content-Type: application/json\" \\\n"
               "      %s/datasets/%s -d '%s'\n",
               upstate::terminal_safe(api_base).c_str(), upstate::terminal_safe(dataset_id).c_str(),
               upstate::terminal_safe(out.GetString()).c_str());
  if (fields.empty())
    std::fprintf(stderr, "  (name your fields under \"fields\"%s)\n",
                 path.empty() ? "" : "; this file's first record gave none");
  else
    std::fprintf(stderr,
                 "  (the fields are this file's first record's, all as text: change each type to what it holds —\n"
                 "   text, image_url, audio_url, video_url, metadata or task_group_id; add \"strict\": true to reject\n"
                 "   fields not listed)\n");
}

// `waited`: the run kept polling the paused import (--wait-for-schema)
// until its deadline. `path` is "" when the file is unknown (--resume).
inline void print_schema_hint(const std::string& api_base, const std::string& dataset_id, const std::string& import_id,
                              const std::string& path, DatasetSchema dataset, bool waited) {
  const std::string ds = upstate::terminal_safe(dataset_id);
  const std::string im = upstate::terminal_safe(import_id);
  if (dataset == DatasetSchema::present) {
    std::fprintf(stderr, "  dataset %s has a schema, but import %s is still paused in pending_schema (nothing ingested).\n",
                 ds.c_str(), im.c_str());
    if (waited)
      std::fprintf(stderr, "  It stayed paused while this run waited: upload the file again to ingest it.\n");
    else
      std::fprintf(stderr,
                   "  Follow it a while longer:\n    upstate-upload --wait-for-schema --resume %s %s\n"
                   "  and if it stays paused, upload the file again to ingest it.\n",
                   ds.c_str(), im.c_str());
    return;
  }
  std::fprintf(stderr, "  import %s is paused until dataset %s has a schema (nothing ingested yet). Next steps:\n",
               im.c_str(), ds.c_str());
  print_set_schema_step(api_base, dataset_id, path);
  std::fprintf(stderr,
               "  2. follow the same import (not a new upload: the paused import goes on once the schema is set):\n"
               "    upstate-upload --resume %s %s\n"
               "  (add --wait-for-schema to keep following it while it is still paused)\n",
               ds.c_str(), im.c_str());
}

}  // namespace upstate_upload

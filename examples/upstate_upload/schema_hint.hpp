#pragma once
// For a pending_schema outcome: exactly what to do next. The dataset has
// no schema, so nothing was ingested; the user sets one (PATCH) and uploads
// again. We read the file's first record (JSONL: the first non-blank line's
// keys; CSV: the header row) and print a schema naming those fields, all as
// `text` for the user to adjust, and the request that sets it.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <upstate/ascii.hpp>
#include <upstate/terminal_text.hpp>

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

inline void print_schema_hint(const std::string& api_base, const std::string& dataset_id, const std::string& path) {
  std::vector<std::string> fields = first_record_fields(path);
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
               "  nothing was ingested: dataset %s has no schema. Set one, then run the same upload again:\n"
               "    curl -X PATCH -H \"Authorization: Token $PROLIFIC_API_TOKEN\" -H \"Content-Type: application/json\" \\\n"
               "      %s/datasets/%s -d '%s'\n",
               upstate::terminal_safe(dataset_id).c_str(), upstate::terminal_safe(api_base).c_str(),
               upstate::terminal_safe(dataset_id).c_str(), upstate::terminal_safe(out.GetString()).c_str());
  if (fields.empty())
    std::fprintf(stderr, "  (name your fields under \"fields\"; this file's first record gave none)\n");
  else
    std::fprintf(stderr,
                 "  (the fields are this file's first record's, all as text: change each type to what it holds —\n"
                 "   text, image_url, audio_url, video_url, metadata or task_group_id; add \"strict\": true to reject\n"
                 "   fields not listed)\n");
}

}  // namespace upstate_upload

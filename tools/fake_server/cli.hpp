#pragma once
// upstate-fake-server's command line, as pure functions: parse_cli reads the
// arguments (no file is opened), parse_datasets_json reads --datasets' text.
// main.cpp does the file reading and exits 64 on a usage error.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <upstate/vocabulary/result.hpp>
#include <upstate/wire/dataset.hpp>

#include "fault_spec.hpp"
#include "server.hpp"

namespace upstate::tools {

inline constexpr int kExitUsage = 64;     // EX_USAGE: bad arguments, a host that is not loopback
inline constexpr int kExitDataErr = 65;   // EX_DATAERR: a schema or --datasets file that does not parse
inline constexpr int kExitNoInput = 66;   // EX_NOINPUT: a file that cannot be read
inline constexpr int kExitStartup = 71;   // EX_OSERR: bind or TLS setup failed

inline constexpr std::string_view kUsage =
    "usage: upstate-fake-server [--host 127.0.0.1] [--port N] [--cert PEM --key PEM] [--token T]\n"
    "         [--dataset ID[:SCHEMA_JSON_FILE]]... [--legacy-dataset ID]... [--datasets FILE.json]\n"
    "         [--fault SPEC]... [--processing-ms N] [--url-lifetime S] [--max-body BYTES] [--quiet]\n"
    "         [--legacy-status-lag-ms N] [--pending-schema-stays]\n"
    "\n"
    "The dataset API and S3 on one loopback port. Prints one line,\n"
    "'listening on http(s)://HOST:PORT', then serves until SIGINT/SIGTERM.\n"
    "  API base      {base}/api/v1/data-collection     presigned URLs  {base}/s3/...\n"
    "  --port 0      (default) any free port\n"
    "  --token       accepted as 'Authorization: Token T' (default fake-token)\n"
    "  --dataset     a dataset; without a schema file its imports end pending_schema\n"
    "  --legacy-dataset  a V3 dataset: .csv/.zip, no import_id, GET .../status until READY or ERROR\n"
    "  --datasets    [{\"id\": ..., \"name\": ..., \"schema\": {...}, \"schema_version\": 3|4}, ...]\n"
    "  --fault       PURPOSE:KIND[:ARG][xTIMES]; PURPOSE upload_url|upload|poll|dataset|dataset_status;\n"
    "                KIND NNN[:RETRY_AFTER] reset stall delay:MS malformed:BODY s3-expired s3:CODE:STATUS\n"
    "  --processing-ms  every import takes N ms once it is its turn, whatever its size\n"
    "                (default: 3000 plus 1 per record; 0: done on arrival); --url-lifetime seconds (default 900)\n"
    "  --legacy-status-lag-ms  V3: the status shows the previous file's for N ms after a PUT (default 0)\n"
    "  --pending-schema-stays  an import paused in pending_schema stays paused when a PATCH sets a schema\n"
    "                (default: it is queued again and processed against the new schema)\n"
    "  --max-body    request body cap in bytes (default 64 MiB)\n"
    "  --max-concurrent N  answer 429 to an API request that arrives while N are being answered\n"
    "  --api-latency-ms N  every API answer waits N ms (so requests overlap)\n"
    "  --quiet       no request log on stderr\n";

struct DatasetArg {
  std::string id;
  std::optional<std::string> schema_file;
  bool legacy = false;  // --legacy-dataset: V3, never a schema
};

struct CliOptions {
  FakeServerOptions server;            // datasets are main's to add, once their files are read
  std::vector<DatasetArg> datasets;    // --dataset, in order
  std::vector<std::string> datasets_files;  // --datasets
  bool help = false;
};

namespace detail {

// A bad command line is the operator's input: invalid_argument (ErrorCode::usage
// is a caller feeding a machine an event its state cannot take).
inline Error usage_error(std::string message) { return Error::invalid_argument(std::move(message)); }

}  // namespace detail

// `args` without the program name. Both "--flag value" and "--flag=value".
inline Result<CliOptions> parse_cli(const std::vector<std::string>& args) {
  CliOptions cli;
  FakeServerOptions& o = cli.server;
  o.quiet = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return inline_value;
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    auto number = [&](std::uint64_t max) -> std::optional<std::uint64_t> {
      auto v = value();
      return v ? detail::parse_decimal(*v, max) : std::nullopt;
    };
    auto bad_value = [&](std::string_view what) { return detail::usage_error(flag + ": " + std::string(what)); };

    if (flag == "--help" || flag == "-h") {
      cli.help = true;
    } else if (flag == "--quiet") {
      if (inline_value) return bad_value("takes no value");
      o.quiet = true;
    } else if (flag == "--host") {
      auto v = value();
      if (!v) return bad_value("needs a value");
      if (!loopback_address(*v)) return bad_value("only a loopback address may be bound (127.0.0.1, ::1, localhost)");
      o.host = *v;
    } else if (flag == "--port") {
      auto v = number(65535);
      if (!v) return bad_value("a port number 0..65535");
      o.port = static_cast<std::uint16_t>(*v);
    } else if (flag == "--cert" || flag == "--key") {
      auto v = value();
      if (!v || v->empty()) return bad_value("needs a PEM file");
      (flag == "--cert" ? o.cert_file : o.key_file) = *v;
    } else if (flag == "--token") {
      auto v = value();
      if (!v || v->empty() || !is_safe_header_value(*v)) return bad_value("needs a non-empty token");
      o.fake.token = *v;
    } else if (flag == "--dataset") {
      auto v = value();
      if (!v || v->empty()) return bad_value("needs ID[:SCHEMA_JSON_FILE]");
      DatasetArg d;
      auto colon = v->find(':');
      d.id = v->substr(0, colon);
      if (colon != std::string::npos) d.schema_file = v->substr(colon + 1);
      if (d.id.empty() || (d.schema_file && d.schema_file->empty())) return bad_value("needs ID[:SCHEMA_JSON_FILE]");
      cli.datasets.push_back(std::move(d));
    } else if (flag == "--legacy-dataset") {
      auto v = value();
      if (!v || v->empty()) return bad_value("needs an ID");
      cli.datasets.push_back(DatasetArg{*v, std::nullopt, true});
    } else if (flag == "--datasets") {
      auto v = value();
      if (!v || v->empty()) return bad_value("needs a JSON file");
      cli.datasets_files.push_back(*v);
    } else if (flag == "--fault") {
      auto v = value();
      if (!v) return bad_value("needs PURPOSE:KIND[:ARG][xTIMES]");
      auto f = parse_fault_spec(*v);
      if (!f) return f.error();
      o.faults.push_back(std::move(f.value()));
    } else if (flag == "--processing-ms") {
      auto v = number(86400000);
      if (!v) return bad_value("milliseconds, 0..86400000");
      // The whole processing time: a per-record share on top would make
      // "0" cost N records x 1 ms per import, and a dataset processes its
      // imports one at a time, so a bench of small files would measure
      // the fake's queue instead of the client.
      o.fake.processing_base = Duration(static_cast<Duration::rep>(*v));
      o.fake.processing_per_record = Duration{0};
    } else if (flag == "--legacy-status-lag-ms") {
      auto v = number(86400000);
      if (!v) return bad_value("milliseconds, 0..86400000");
      o.fake.legacy_status_lag = Duration(static_cast<Duration::rep>(*v));
    } else if (flag == "--pending-schema-stays") {
      o.fake.pending_schema_stays = true;
    } else if (flag == "--url-lifetime") {
      auto v = number(604800);
      if (!v) return bad_value("seconds, 0..604800");
      o.fake.url_lifetime = std::chrono::seconds(static_cast<std::chrono::seconds::rep>(*v));
    } else if (flag == "--max-concurrent") {
      auto v = number(1u << 20);
      if (!v) return bad_value("a count, 0..1048576 (0: no limit)");
      o.max_concurrent = static_cast<std::size_t>(*v);
    } else if (flag == "--api-latency-ms") {
      auto v = number(600000);
      if (!v) return bad_value("milliseconds, 0..600000");
      o.api_latency = Duration(static_cast<Duration::rep>(*v));
    } else if (flag == "--max-body") {
      auto v = number(std::uint64_t{1} << 40);
      if (!v || *v == 0) return bad_value("bytes, 1..2^40");
      o.max_body = static_cast<std::size_t>(*v);
    } else {
      return detail::usage_error("unknown argument: " + flag);
    }
  }
  if (o.cert_file.empty() != o.key_file.empty()) return detail::usage_error("--cert and --key go together");
  return cli;
}

// --datasets: [{"id": "...", "name": "...", "schema": {...} | null | absent,
//               "schema_version": 3 | 4 | absent (4; 3 is a V3 dataset, without a schema)}, ...]
inline Result<std::vector<testing::FakeDatasetSpec>> parse_datasets_json(std::string_view text) {
  auto bad = [](std::string path, std::string why) {
    return Error::invalid_argument(std::move(why)).at(std::move(path));  // the operator's file, not a peer's answer
  };
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) return bad("$", "not JSON");
  if (!doc.IsArray()) return bad("$", "expected an array of datasets");
  std::vector<testing::FakeDatasetSpec> out;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const auto& d = doc[i];
    std::string path = "$[" + std::to_string(i) + "]";
    if (!d.IsObject()) return bad(path, "expected an object");
    testing::FakeDatasetSpec spec;
    auto id = d.FindMember("id");
    if (id == d.MemberEnd() || !id->value.IsString() || id->value.GetStringLength() == 0)
      return bad(path + ".id", "expected a non-empty string");
    spec.id.assign(id->value.GetString(), id->value.GetStringLength());
    spec.name = spec.id;
    if (auto name = d.FindMember("name"); name != d.MemberEnd()) {
      if (!name->value.IsString()) return bad(path + ".name", "expected a string");
      spec.name.assign(name->value.GetString(), name->value.GetStringLength());
    }
    if (auto schema = d.FindMember("schema"); schema != d.MemberEnd() && !schema->value.IsNull()) {
      if (!schema->value.IsObject()) return bad(path + ".schema", "expected an object or null");
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      schema->value.Accept(w);
      auto parsed = parse_schema(std::string_view(buf.GetString(), buf.GetSize()));
      if (!parsed) {
        Error e = parsed.error();
        e.path = path + ".schema" + (e.path.size() > 1 ? e.path.substr(1) : std::string{});
        return e;
      }
      spec.schema = std::move(parsed.value());
    }
    if (auto version = d.FindMember("schema_version"); version != d.MemberEnd() && !version->value.IsNull()) {
      if (!version->value.IsInt() || (version->value.GetInt() != 3 && version->value.GetInt() != 4))
        return bad(path + ".schema_version", "expected 3 or 4");
      spec.legacy = version->value.GetInt() == 3;
      if (spec.legacy && spec.schema) return bad(path + ".schema", "a V3 (schema_version 3) dataset takes no schema");
    }
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace upstate::tools

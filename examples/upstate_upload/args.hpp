#pragma once
// upstate-upload's command line, parsed into plain values (no I/O beyond
// printing usage and exiting 64, as every CLI here does).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <upstate/config.hpp>

namespace upstate_upload {

constexpr int kExitUsage = 64;
constexpr int kExitClientError = 5;

inline const char* const kUsage =
    "usage: upstate-upload [options] DATASET_ID FILE...\n"
    "       upstate-upload [options] --resume DATASET_ID IMPORT_ID\n"
    "       upstate-upload [options] --show-dataset DATASET_ID\n"
    "  --api-base URL     default https://api.prolific.com/api/v1/data-collection\n"
    "  --ca-file PATH     extra trusted CA certificates (PEM)\n"
    "  --timeout SECONDS  overall deadline per file (default 3600)\n"
    "  --poll-interval SECONDS   first poll delay (default 2)\n"
    "  --json             one JSON object per file on stdout\n"
    "  --quiet            no progress on stderr\n"
    "The API token is read from the environment variable PROLIFIC_API_TOKEN.\n";

enum class Mode { upload, put_only, resume, show_dataset };

struct Args {
  Mode mode = Mode::upload;
  std::string api_base{upstate::kDefaultApiBase};
  std::string ca_file;
  double timeout = 3600;
  double poll_interval = 2;
  double idle_timeout = 30;     // test knob: stall timeout per exchange
  double connect_timeout = 10;  // test knob
  bool json = false;
  bool quiet = false;
  std::string put_only_url;     // test mode: one raw streamed PUT, no API
  std::string content_type = "application/octet-stream";
  std::string dataset_id;
  std::string import_id;        // --resume
  std::vector<std::string> files;
};

[[noreturn]] inline void usage_error(const std::string& message) {
  std::fprintf(stderr, "upstate-upload: %s\n%s", message.c_str(), kUsage);
  std::exit(kExitUsage);
}

inline double parse_seconds(const std::string& flag, const char* text) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= 0) || v > 30 * 86400.0) usage_error(flag + " takes a number of seconds");
  return v;
}

inline Args parse_args(int argc, char** argv) {
  Args a;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--api-base") a.api_base = value();
    else if (arg == "--ca-file") a.ca_file = value();
    else if (arg == "--timeout") a.timeout = parse_seconds(arg, value());
    else if (arg == "--poll-interval") a.poll_interval = parse_seconds(arg, value());
    else if (arg == "--idle-timeout") a.idle_timeout = parse_seconds(arg, value());
    else if (arg == "--connect-timeout") a.connect_timeout = parse_seconds(arg, value());
    else if (arg == "--put-only") a.put_only_url = value(), a.mode = Mode::put_only;
    else if (arg == "--content-type") a.content_type = value();
    else if (arg == "--json") a.json = true;
    else if (arg == "--quiet") a.quiet = true;
    else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--") {
      for (++i; i < argc; ++i) positional.emplace_back(argv[i]);
    } else if (arg.size() > 1 && arg[0] == '-') {
      usage_error("unknown option " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  switch (a.mode) {
    case Mode::put_only:
      if (positional.size() != 1) usage_error("--put-only URL takes exactly one FILE");
      a.files = positional;
      return a;
    default:
      break;
  }
  if (positional.size() < 2) usage_error("need a DATASET_ID and at least one FILE");
  a.dataset_id = positional[0];
  a.files.assign(positional.begin() + 1, positional.end());
  return a;
}

}  // namespace upstate_upload

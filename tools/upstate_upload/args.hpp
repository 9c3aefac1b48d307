#pragma once
// upstate-upload's command line, parsed into plain values (no I/O beyond
// printing usage and exiting 64, as every CLI here does).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <upstate/asio/file_send.hpp>
#include <upstate/vocabulary/config.hpp>
#include <upstate/detail/terminal_text.hpp>

namespace upstate_upload {

constexpr int kExitUsage = 64;
constexpr int kExitClientError = 5;
constexpr double kMinPollIntervalSeconds = 0.1;  // upstate::PollPolicy::kMinDelay

inline const char* const kUsage =
    "usage: upstate-upload [options] DATASET_ID FILE...\n"
    "       upstate-upload [options] --resume DATASET_ID IMPORT_ID\n"
    "       upstate-upload [options] --show-dataset DATASET_ID\n"
    "  --api-base URL     default https://api.prolific.com/api/v1/data-collection\n"
    "  --ca-file PATH     extra trusted CA certificates (PEM)\n"
    "  --timeout SECONDS  one deadline for the whole command (default 3600)\n"
    "  --poll-interval SECONDS   first poll delay (default 2, at least 0.1)\n"
    "  --wait-for-schema  an import paused in pending_schema (the dataset has no schema): keep polling it\n"
    "                     (every --paused-poll-interval, default 60) until it goes on or --timeout, then\n"
    "                     end with its real outcome; also with --resume\n"
    "  --max-in-flight K  several FILEs: at most K in flight (default 4); PUTs go in the order given;\n"
    "                     fewer while the service answers 429/503 (halved, then +1 per 8 successes)\n"
    "  --fail-fast        several FILEs: stop at the first file that does not end complete\n"
    "  --state-file PATH  one FILE: keep the upload's state in PATH after every step; run the same\n"
    "                     command again after a crash and it continues where it was\n"
    "  --journal PATH     several FILEs: record each file's progress in PATH (a crash-safe log); run\n"
    "                     the same command again after a crash and it continues, sending no file twice\n"
    "  --sync             with --journal: FILEs may be directories; upload only the files whose content\n"
    "                     the journal does not record as imported into DATASET_ID\n"
    "  --dry-run          with --journal: list what would be sent and skipped, send nothing\n"
    "  --preflight off|warn|strict  check each file before upload (UTF-8, JSONL/CSV, the dataset's\n"
    "                     schema); warn (default) reports, strict refuses a file that would not end complete\n"
    "  --rejected-out DIR after a partial outcome, write the rejected records (to fix and upload\n"
    "                     again) and the reasons to DIR\n"
    "  --resume DATASET_ID IMPORT_ID   poll an import started earlier (e.g. by a process that died)\n"
    "  --show-dataset DATASET_ID       print the dataset: schema, counts, imports\n"
    "  --json             one JSON object per file on stdout\n"
    "  --quiet            no progress on stderr\n"
    "The API token is read from the environment variable PROLIFIC_API_TOKEN.\n";

enum class Mode { upload, put_only, resume, show_dataset };
enum class PreflightMode { off, warn, strict };

struct Args {
  Mode mode = Mode::upload;
  std::string api_base{upstate::kDefaultApiBase};
  std::string ca_file;
  double timeout = 3600;
  double poll_interval = 2;
  bool wait_for_schema = false;   // --wait-for-schema: PollPolicy::on_pending_schema = keep_polling
  double paused_poll_interval = 60;  // --paused-poll-interval: PollPolicy::paused_interval
  double idle_timeout = 30;     // test knob: stall timeout per exchange
  double connect_timeout = 10;  // test knob
  // How a plain-http PUT sends the file (--sendfile auto|always|never; --no-sendfile = never).
  upstate::asio::FileSend file_send = upstate::asio::FileSend::automatic;
  // Test knob: TCP_NOTSENT_LOWAT in bytes (--unsent-low-water; 0 = the kernel's default).
  std::optional<std::size_t> unsent_low_water;
  bool json = false;
  bool quiet = false;
  std::string put_only_url;     // test mode: one raw streamed PUT, no API
  std::string content_type = "application/octet-stream";
  std::string dataset_id;
  std::string import_id;        // --resume
  std::size_t max_in_flight = 4;
  bool fail_fast = false;
  std::string state_file;
  std::string journal;  // --journal PATH (journal_batch.hpp)
  bool sync = false;
  bool dry_run = false;
  bool fixed_concurrency = false;  // test knob (--fixed-concurrency): no AIMD below --max-in-flight
  PreflightMode preflight = PreflightMode::warn;
  std::string rejected_out;
  std::vector<std::string> files;
};

// The message may quote an argument, which is whatever bytes the caller's
// shell handed over (a pasted file name, an escape sequence): escaped as
// every other untrusted text on the terminal.
[[noreturn]] inline void usage_error(const std::string& message) {
  std::fprintf(stderr, "upstate-upload: %s\n%s", upstate::terminal_safe(message).c_str(), kUsage);
  std::exit(kExitUsage);
}

inline double parse_seconds(const std::string& flag, const char* text) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= 0) || v > 30 * 86400.0) usage_error(flag + " takes a number of seconds");
  return v;
}

inline std::size_t parse_count(const std::string& flag, const char* text) {
  char* end = nullptr;
  unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0' || v < 1 || v > 64) usage_error(flag + " takes a whole number from 1 to 64");
  return static_cast<std::size_t>(v);
}

inline std::size_t parse_bytes(const std::string& flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || *text == '-' || errno != 0 || v > (1ull << 30))
    usage_error(flag + " takes a number of bytes from 0 to 1073741824");
  return static_cast<std::size_t>(v);
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
    else if (arg == "--poll-interval") {
      a.poll_interval = parse_seconds(arg, value());
      // 0 would poll in a tight loop (0 x 1.5 stays 0): refuse what is
      // below the library's own floor rather than silently raise it.
      if (a.poll_interval < kMinPollIntervalSeconds)
        usage_error("--poll-interval must be at least 0.1 seconds");
    }
    else if (arg == "--wait-for-schema") a.wait_for_schema = true;
    else if (arg == "--paused-poll-interval") {
      a.paused_poll_interval = parse_seconds(arg, value());
      if (a.paused_poll_interval < kMinPollIntervalSeconds)
        usage_error("--paused-poll-interval must be at least 0.1 seconds");
    }
    else if (arg == "--idle-timeout") a.idle_timeout = parse_seconds(arg, value());
    else if (arg == "--connect-timeout") a.connect_timeout = parse_seconds(arg, value());
    else if (arg == "--no-sendfile") a.file_send = upstate::asio::FileSend::buffered;
    else if (arg == "--unsent-low-water") a.unsent_low_water = parse_bytes(arg, value());
    else if (arg == "--sendfile") {
      std::string v = value();
      if (v == "auto") a.file_send = upstate::asio::FileSend::automatic;
      else if (v == "always") a.file_send = upstate::asio::FileSend::sendfile;
      else if (v == "never") a.file_send = upstate::asio::FileSend::buffered;
      else usage_error("--sendfile takes auto, always or never");
    }
    else if (arg == "--put-only") a.put_only_url = value(), a.mode = Mode::put_only;
    else if (arg == "--content-type") a.content_type = value();
    else if (arg == "--max-in-flight") a.max_in_flight = parse_count(arg, value());
    else if (arg == "--fail-fast") a.fail_fast = true;
    else if (arg == "--state-file") a.state_file = value();
    else if (arg == "--journal") a.journal = value();
    else if (arg == "--sync") a.sync = true;
    else if (arg == "--dry-run") a.dry_run = true;
    else if (arg == "--fixed-concurrency") a.fixed_concurrency = true;
    else if (arg == "--rejected-out") a.rejected_out = value();
    else if (arg == "--preflight") {
      std::string v = value();
      if (v == "off") a.preflight = PreflightMode::off;
      else if (v == "warn") a.preflight = PreflightMode::warn;
      else if (v == "strict") a.preflight = PreflightMode::strict;
      else usage_error("--preflight takes off, warn or strict");
    }
    else if (arg == "--resume") a.mode = Mode::resume;
    else if (arg == "--show-dataset") a.mode = Mode::show_dataset;
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
    case Mode::resume:
      if (positional.size() != 2) usage_error("--resume takes DATASET_ID IMPORT_ID");
      a.dataset_id = positional[0];
      a.import_id = positional[1];
      return a;
    case Mode::show_dataset:
      if (positional.size() != 1) usage_error("--show-dataset takes DATASET_ID");
      a.dataset_id = positional[0];
      return a;
    case Mode::upload:
      break;
  }
  if (positional.size() < 2) usage_error("need a DATASET_ID and at least one FILE");
  a.dataset_id = positional[0];
  a.files.assign(positional.begin() + 1, positional.end());
  if (!a.state_file.empty() && a.files.size() != 1) usage_error("--state-file takes exactly one FILE");
  if ((a.sync || a.dry_run) && a.journal.empty()) usage_error("--sync and --dry-run need --journal PATH");
  if (!a.journal.empty() && !a.state_file.empty()) usage_error("--journal and --state-file do not go together");
  return a;
}

}  // namespace upstate_upload

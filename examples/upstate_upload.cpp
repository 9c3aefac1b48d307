// upstate-upload: upload files to a dataset through the whole flow.
//
//   upstate-upload [options] DATASET_ID FILE...
//
// The token comes from PROLIFIC_API_TOKEN, never from a flag (flags end up
// in shell history and `ps`). Exit codes: 0 all complete, 2 some partial,
// 3 some failed, 4 some pending_schema, 5 a client-side error, 64 usage;
// with several files the highest wins.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <upstate/asio/client.hpp>
#include <upstate/upstate.hpp>

namespace {

constexpr int kExitUsage = 64;
constexpr int kExitClientError = 5;

const char* const kUsage =
    "usage: upstate-upload [options] DATASET_ID FILE...\n"
    "  --api-base URL     default https://api.prolific.com/api/v1/data-collection\n"
    "  --ca-file PATH     extra trusted CA certificates (PEM)\n"
    "  --timeout SECONDS  overall deadline per file (default 3600)\n"
    "  --poll-interval SECONDS   first poll delay (default 2)\n"
    "  --json             one JSON object per file on stdout\n"
    "  --quiet            no progress on stderr\n"
    "The API token is read from the environment variable PROLIFIC_API_TOKEN.\n";

struct Args {
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
  std::vector<std::string> files;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "upstate-upload: %s\n%s", message.c_str(), kUsage);
  std::exit(kExitUsage);
}

double parse_seconds(const char* flag, const char* text) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= 0) || v > 30 * 86400.0)
    usage_error(std::string(flag) + " takes a number of seconds");
  return v;
}

Args parse_args(int argc, char** argv) {
  Args a;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (arg == "--api-base") a.api_base = value("--api-base");
    else if (arg == "--ca-file") a.ca_file = value("--ca-file");
    else if (arg == "--timeout") a.timeout = parse_seconds("--timeout", value("--timeout"));
    else if (arg == "--poll-interval") a.poll_interval = parse_seconds("--poll-interval", value("--poll-interval"));
    else if (arg == "--idle-timeout") a.idle_timeout = parse_seconds("--idle-timeout", value("--idle-timeout"));
    else if (arg == "--connect-timeout") a.connect_timeout = parse_seconds("--connect-timeout", value("--connect-timeout"));
    else if (arg == "--put-only") a.put_only_url = value("--put-only");
    else if (arg == "--content-type") a.content_type = value("--content-type");
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
  if (!a.put_only_url.empty()) {
    if (positional.size() != 1) usage_error("--put-only URL takes exactly one FILE");
    a.files = positional;
    return a;
  }
  if (positional.size() < 2) usage_error("need a DATASET_ID and at least one FILE");
  a.dataset_id = positional[0];
  a.files.assign(positional.begin() + 1, positional.end());
  return a;
}

upstate::Duration seconds(double s) {
  return std::chrono::duration_cast<upstate::Duration>(std::chrono::duration<double>(s));
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

// Progress on stderr: a redrawn bar on a terminal, a line per 10 % elsewhere.
class ProgressView {
 public:
  ProgressView(bool quiet, std::string file) : quiet_(quiet), tty_(::isatty(2) == 1), file_(std::move(file)) {}

  void on_progress(const upstate::asio::Progress& p) {
    if (quiet_) return;
    auto now = upstate::Clock::now();
    if (p.phase != phase_) {
      end_bar();
      phase_ = p.phase;
      if (p.phase == upstate::Phase::uploading) started_ = now;
      if (p.phase != upstate::Phase::finished)
        std::fprintf(stderr, "%s: %s\n", file_.c_str(), std::string(upstate::to_string(p.phase)).c_str());
      return;
    }
    if (p.phase != upstate::Phase::uploading || p.total == 0) return;
    double fraction = static_cast<double>(p.bytes_sent) / static_cast<double>(p.total);
    double elapsed = std::chrono::duration<double>(now - started_).count();
    double rate = elapsed > 0 ? static_cast<double>(p.bytes_sent) / elapsed : 0;
    if (tty_) {
      if (now - last_draw_ < std::chrono::milliseconds(100) && p.bytes_sent < p.total) return;
      last_draw_ = now;
      int filled = static_cast<int>(fraction * 30);
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(30, '.');
      double eta = rate > 0 ? static_cast<double>(p.total - p.bytes_sent) / rate : 0;
      std::fprintf(stderr, "\r[%s] %3d%% %s / %s  %s/s  ETA %.0fs ", bar.c_str(), static_cast<int>(fraction * 100),
                   human_bytes(static_cast<double>(p.bytes_sent)).c_str(),
                   human_bytes(static_cast<double>(p.total)).c_str(), human_bytes(rate).c_str(), eta);
      drawn_ = true;
    } else {
      int decile = static_cast<int>(fraction * 10);
      if (decile <= last_decile_) return;
      last_decile_ = decile;
      std::fprintf(stderr, "%s: uploaded %s of %s (%d%%, %s/s)\n", file_.c_str(),
                   human_bytes(static_cast<double>(p.bytes_sent)).c_str(),
                   human_bytes(static_cast<double>(p.total)).c_str(), decile * 10, human_bytes(rate).c_str());
    }
  }

  void on_action(const upstate::Upload& up) {
    if (quiet_) return;
    if (up.last_status() && up.last_status() != status_) {
      end_bar();
      status_ = up.last_status();
      std::fprintf(stderr, "%s: status %s\n", file_.c_str(), std::string(upstate::to_string(*status_)).c_str());
    }
    for (; notes_shown_ < up.notes().size(); ++notes_shown_) {
      end_bar();
      std::fprintf(stderr, "%s: %s\n", file_.c_str(), up.notes()[notes_shown_].text.c_str());
    }
  }

  void end_bar() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  bool quiet_, tty_;
  std::string file_;
  upstate::Phase phase_ = upstate::Phase::not_started;
  std::optional<upstate::ImportStatus> status_;
  std::size_t notes_shown_ = 0;
  upstate::Instant started_{}, last_draw_{};
  int last_decile_ = 0;
  bool drawn_ = false;
};

int exit_code_of(const upstate::Outcome& o) {
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

std::string to_json(const std::string& file, const upstate::Outcome& o) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  auto str = [&](const std::string& s) { w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size())); };
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
  key("abandoned_import_ids");
  w.StartArray();
  for (const auto& id : o.abandoned_import_ids) str(id);
  w.EndArray();
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

void print_summary(const std::string& file, const upstate::Outcome& o) {
  if (const auto* e = o.error()) {
    std::fprintf(stderr, "%s: error %s\n", file.c_str(), upstate::to_string(*e).c_str());
    return;
  }
  const auto& r = *o.report();
  std::fprintf(stderr, "%s: %s (import %s)", file.c_str(), std::string(upstate::to_string(r.status)).c_str(),
               r.import_id.c_str());
  if (r.accepted_count) std::fprintf(stderr, ", %llu accepted", static_cast<unsigned long long>(*r.accepted_count));
  if (r.rejected_count) std::fprintf(stderr, ", %llu rejected", static_cast<unsigned long long>(*r.rejected_count));
  std::fputc('\n', stderr);
  if (r.reason) std::fprintf(stderr, "  reason: %s\n", upstate::printable_excerpt(*r.reason, 500).c_str());
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
  if (r.status == upstate::ImportStatus::pending_schema)
    std::fprintf(stderr, "  the dataset has no schema yet: set one (PATCH /datasets/{id} with {\"schema\": ...}), "
                         "then upload the file again\n");
}

upstate::asio::SessionOptions session_options(const Args& a) {
  upstate::asio::SessionOptions s;
  s.ca_file = a.ca_file;
  s.idle_timeout = seconds(a.idle_timeout);
  s.api_request_timeout = std::max(seconds(a.idle_timeout), seconds(60));
  s.connect_timeout = seconds(a.connect_timeout);
  return s;
}

// Test mode: one streamed PUT of FILE to URL with the uploader's own code
// (Content-Length, 100-continue, chunks), no API and no token.
int put_only(const Args& a) {
  upstate::asio::FileSource file;
  std::string error;
  if (!file.open(a.files[0], error)) {
    std::fprintf(stderr, "upstate-upload: %s\n", error.c_str());
    return 66;
  }
  ::asio::io_context io;
  upstate::asio::HttpSession session(io, session_options(a));
  upstate::Request request{upstate::Purpose::upload, "PUT", a.put_only_url, {{"Content-Type", a.content_type}},
                           upstate::FileBody{file.size()}};
  int code = kExitClientError;
  ProgressView view(a.quiet, base_name(a.files[0]));
  view.on_progress({upstate::Phase::uploading, 0, file.size()});
  session.exchange(
      request, &file,
      [&](std::uint64_t sent, std::uint64_t total) { view.on_progress({upstate::Phase::uploading, sent, total}); },
      [&](upstate::Exchange result) {
        view.end_bar();
        if (auto* r = std::get_if<upstate::Response>(&result)) {
          std::fprintf(stderr, "PUT answered HTTP %d\n", r->status);
          code = (r->status >= 200 && r->status <= 299) ? 0 : kExitClientError;
        } else {
          const auto& e = std::get<upstate::TransportError>(result);
          std::fprintf(stderr, "PUT failed: %s: %s\n", std::string(upstate::to_string(e.kind)).c_str(),
                       e.message.c_str());
        }
      });
  io.run();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);
  if (!args.put_only_url.empty()) return put_only(args);

  const char* token = std::getenv("PROLIFIC_API_TOKEN");
  if (!token || !*token) {
    std::fprintf(stderr,
                 "upstate-upload: set the API token in the environment variable PROLIFIC_API_TOKEN "
                 "(it is never taken from a flag)\n");
    return kExitUsage;
  }
  auto base = upstate::parse_url(args.api_base);
  if (!base) usage_error("--api-base is not an absolute http(s) URL");
  if (!base->is_https() && !upstate::is_loopback_host(base->host))
    usage_error("refusing plain http to " + base->host + ": the token would cross the network in clear text; "
                "use https (plain http is accepted for loopback hosts only)");

  int worst = 0;
  for (const std::string& path : args.files) {
    const std::string name = base_name(path);
    struct stat st {};
    const int stat_rc = ::stat(path.c_str(), &st);
    if (stat_rc != 0 || !S_ISREG(st.st_mode)) {
      // Still one result per file (and one JSON object with --json).
      upstate::Outcome unreadable;
      unreadable.result = upstate::Error{upstate::ErrorCode::invalid_argument, 0,
                                         path + ": " + (stat_rc != 0 ? std::strerror(errno) : "not a regular file"),
                                         "", ""};
      if (!args.quiet) print_summary(name, unreadable);
      if (args.json) std::fprintf(stdout, "%s\n", to_json(path, unreadable).c_str());
      std::fflush(stdout);
      worst = std::max(worst, kExitClientError);
      continue;
    }
    upstate::UploadConfig config;
    config.api_base = args.api_base;
    config.token = token;
    config.dataset_id = args.dataset_id;
    config.deadline = seconds(args.timeout);
    config.poll.initial = seconds(args.poll_interval);
    config.seed = static_cast<std::uint64_t>(upstate::Clock::now().time_since_epoch().count());
    upstate::Upload upload(config, upstate::FileInfo{name, static_cast<std::uint64_t>(st.st_size)});

    ProgressView view(args.quiet, name);
    upstate::asio::ClientOptions options;
    options.session = session_options(args);
    options.on_progress = [&](const upstate::asio::Progress& p) { view.on_progress(p); };
    options.on_action = [&](const upstate::Upload& up, const upstate::Action&) { view.on_action(up); };
    upstate::Outcome outcome = upstate::asio::upload_file(upload, path, std::move(options));
    view.end_bar();
    if (!args.quiet) print_summary(name, outcome);
    if (args.json) {
      std::string line = to_json(path, outcome);
      std::fprintf(stdout, "%s\n", line.c_str());
      std::fflush(stdout);
    }
    worst = std::max(worst, exit_code_of(outcome));
  }
  return worst;
}

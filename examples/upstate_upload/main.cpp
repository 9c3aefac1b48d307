// upstate-upload: upload files to a dataset through the whole flow.
//
//   upstate-upload [options] DATASET_ID FILE...
//
// The token comes from PROLIFIC_API_TOKEN, never from a flag (flags end up
// in shell history and `ps`). Exit codes: 0 all complete, 2 some partial,
// 3 some failed, 4 some pending_schema, 5 a client-side error, 64 usage;
// with several files the highest wins. The parts: args.hpp (the command
// line), progress_view.hpp, report.hpp (exit code, JSON, summary),
// put_only.hpp (the raw-PUT test mode).
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <upstate/asio/client.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "progress_view.hpp"
#include "put_only.hpp"
#include "report.hpp"
#include "session_options.hpp"
#include "text.hpp"

using namespace upstate_upload;

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);
  if (args.mode == Mode::put_only) return put_only(args);

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

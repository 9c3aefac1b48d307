// upstate-upload: upload files to a dataset through the whole flow.
//
//   upstate-upload [options] DATASET_ID FILE...
//
// The token comes from PROLIFIC_API_TOKEN, never from a flag (flags end up
// in shell history and `ps`). Exit codes: 0 all complete, 2 some partial,
// 3 some failed, 4 some pending_schema, 5 a client-side error, 64 usage;
// with several files the highest wins. The parts: args.hpp (the command
// line), preflight_step.hpp, rejected_out.hpp, single_upload.hpp (one
// file, --state-file, --resume),
// batch_upload.hpp (several files), show_dataset.hpp, progress_view.hpp,
// report.hpp (exit code, JSON, summary), put_only.hpp (the raw-PUT test mode).
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <upstate/asio/client.hpp>
#include <upstate/records.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "batch_upload.hpp"
#include "journal_batch.hpp"
#include "progress_view.hpp"
#include "preflight_step.hpp"
#include "put_only.hpp"
#include "rejected_out.hpp"
#include "report.hpp"
#include "schema_hint.hpp"
#include "show_dataset.hpp"
#include "single_upload.hpp"
#include "session_options.hpp"
#include "text.hpp"

using namespace upstate_upload;

namespace {

void report(const Args& args, const std::string& path, const upstate::Outcome& o,
            std::optional<std::uint64_t> dataset_total = std::nullopt) {
  if (!args.quiet) {
    print_summary(base_name(path), o);
    if (o.report() && o.report()->status == upstate::ImportStatus::pending_schema)
      print_schema_hint(args.api_base, args.dataset_id, args.mode == Mode::resume ? std::string() : path);
  }
  if (args.json) {
    std::fprintf(stdout, "%s\n", to_json(path, o, dataset_total).c_str());
    std::fflush(stdout);
  }
}

}  // namespace

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

  upstate::UploadConfig config;
  config.api_base = args.api_base;
  config.token = token;
  config.dataset_id = args.dataset_id;
  config.deadline = seconds(args.timeout);
  config.poll.initial = seconds(args.poll_interval);
  config.seed = static_cast<std::uint64_t>(upstate::Clock::now().time_since_epoch().count());

  switch (args.mode) {
    case Mode::show_dataset:
      return show_dataset(args, config);
    case Mode::resume: {
      upstate::Outcome o = resume_import(args, config);
      report(args, "import " + args.import_id, o);
      return exit_code_of(o);
    }
    default:
      break;
  }

  if (!args.journal.empty()) return journaled_upload(args, config);

  // Pre-flight: every file checked (the schema fetched once) before any is sent.
  std::vector<std::optional<upstate::Error>> refused(args.files.size());
  if (args.preflight != PreflightMode::off) {
    std::optional<upstate::Schema> schema = fetch_schema(args, config);
    for (std::size_t i = 0; i < args.files.size(); ++i) refused[i] = preflight_file(args, schema, args.files[i]);
  }

  if (args.files.size() == 1) {
    upstate::Outcome o;
    if (refused[0])
      o.result = *refused[0];
    else
      o = upload_one(args, config, args.files[0]);
    report(args, args.files[0], o);
    write_rejected(args, args.files[0], o);
    return exit_code_of(o);
  }

  upstate::BatchOutcome batch = upload_many(args, config, refused);
  int worst = 0;
  for (std::size_t i = 0; i < batch.files.size(); ++i) {
    report(args, args.files[i], batch.files[i], batch.total_datapoint_count);
    write_rejected(args, args.files[i], batch.files[i]);
    worst = std::max(worst, exit_code_of(batch.files[i]));
  }
  if (!args.quiet) print_dataset_total(args.dataset_id, batch);
  return worst;
}

// upstate-upload: upload files to a dataset through the whole flow.
//
//   upstate-upload [options] DATASET_ID FILE...
//
// The token comes from PROLIFIC_API_TOKEN, never from a flag (flags end up
// in shell history and `ps`). Exit codes: 0 all complete, 2 some partial,
// 3 some failed, 4 some pending_schema, 5 a client-side error, 64 usage;
// with several files the highest wins; 130 / 143 after SIGINT / SIGTERM
// (the run cancelled, every outcome and --json line still printed).
// --timeout is one deadline for the whole command. The parts: args.hpp (the command
// line), preflight_step.hpp, rejected_out.hpp, single_upload.hpp (one
// file, --state-file, --resume),
// batch_upload.hpp (several files), show_dataset.hpp, progress_view.hpp,
// report.hpp (exit code, JSON, summary), put_only.hpp (the raw-PUT test mode).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <upstate/asio/client.hpp>
#include <upstate/records.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "batch_upload.hpp"
#include "interrupts.hpp"
#include "journal_batch.hpp"
#include "local_file.hpp"
#include "progress_view.hpp"
#include "preflight_step.hpp"
#include "put_only.hpp"
#include "rejected_out.hpp"
#include "report.hpp"
#include "schema_hint.hpp"
#include "show_dataset.hpp"
#include "single_upload.hpp"
#include "session_options.hpp"
#include "human_format.hpp"

using namespace upstate_upload;

namespace {

// After a pending_schema outcome: does the dataset show a schema now? (It
// decides the advice: set one and follow the import, or upload again.) One
// short fetch of its own, as the run's deadline may be spent.
DatasetSchema dataset_schema_now(const Args& args, const upstate::UploadConfig& config) {
  Args quiet = args;
  quiet.quiet = true;
  upstate::UploadConfig c = config;
  c.deadline = seconds(10);
  c.not_after = upstate::Clock::now() + c.deadline;
  upstate::BatchConfig bc;
  bc.upload = c;
  bc.upload.retry.max_attempts = 2;
  upstate::Batch batch(bc, {});
  upstate::asio::BatchClientOptions options;
  options.session = session_options(quiet);
  upstate::BatchOutcome o = upstate::asio::upload_batch(batch, std::vector<std::string>{}, std::move(options));
  if (o.dataset) return o.dataset->schema ? DatasetSchema::present : DatasetSchema::absent;
  return DatasetSchema::unknown;
}

void report(const Args& args, const upstate::UploadConfig& config, const std::string& path,
            const upstate::Outcome& o, std::optional<std::uint64_t> dataset_total = std::nullopt) {
  if (!args.quiet) {
    print_summary(base_name(path), o);
    if (o.report() && o.report()->status == upstate::ImportStatus::pending_schema)
      print_schema_hint(args.api_base, args.dataset_id, o.import_id, args.mode == Mode::resume ? std::string() : path,
                        dataset_schema_now(args, config), args.wait_for_schema);
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
  // One deadline for the whole command: pre-flight's dataset fetch and scan,
  // each upload (in a batch, whenever it starts) and the batch's final
  // dataset fetch are each capped by what is left of it.
  config.not_after = upstate::Clock::now() + config.deadline;
  config.poll.initial = seconds(args.poll_interval);
  // pending_schema is a pause: --wait-for-schema follows the paused import
  // at the slow cadence instead of ending on it.
  if (args.wait_for_schema) config.poll.on_pending_schema = upstate::OnPendingSchema::keep_polling;
  config.poll.paused_interval = seconds(args.paused_poll_interval);
  config.seed = static_cast<std::uint64_t>(upstate::Clock::now().time_since_epoch().count());

  // From here on SIGINT / SIGTERM cancel the run instead of killing it.
  Interrupts interrupts;
  if (args.mode == Mode::show_dataset) return show_dataset(args, config, interrupts);
  // --journal runs its own loop (journal_batch.hpp); a signal there ends
  // the batch cancelled with the journal written (a SIGKILL is what the
  // journal itself survives).
  if (args.mode != Mode::resume && !args.journal.empty()) return journaled_upload(args, config, interrupts);
  if (args.mode == Mode::resume) {
    upstate::Outcome o = resume_import(args, config, interrupts);
    report(args, config, "import " + args.import_id, o);
    return interrupts.interrupted() ? interrupts.exit_code() : exit_code_of(o);
  }

  // Each file opened once, here; pre-flight, the PUT and --rejected-out read
  // that descriptor (local_file.hpp).
  std::vector<LocalFile> local;
  std::vector<std::optional<upstate::Error>> refused(args.files.size());
  for (std::size_t i = 0; i < args.files.size(); ++i) {
    local.push_back(open_local_file(args.files[i]));
    refused[i] = local[i].refusal;
  }

  // Pre-flight: every file checked (the schema fetched once) before any is sent.
  const bool any_to_check = std::any_of(refused.begin(), refused.end(), [](const auto& r) { return !r; });
  if (args.preflight != PreflightMode::off && any_to_check) {
    std::optional<upstate::Schema> schema = fetch_schema(args, config, interrupts);
    for (std::size_t i = 0; i < local.size() && !interrupts.interrupted(); ++i)
      if (!refused[i]) refused[i] = preflight_file(args, schema, local[i], interrupts, config.not_after);
  }
  // A signal during pre-flight: nothing is sent, every file ends cancelled.
  auto cancelled = [] {
    upstate::Outcome o;
    o.result = upstate::Error::of(upstate::ErrorCode::cancelled, "cancelled by a signal before the upload");
    return o;
  };

  if (args.files.size() == 1) {
    upstate::Outcome o;
    if (refused[0])
      o.result = *refused[0];
    else if (interrupts.interrupted())
      o = cancelled();
    else
      o = upload_one(args, config, local[0], interrupts);
    report(args, config, args.files[0], o);
    if (!interrupts.interrupted()) write_rejected(args, args.files[0], o, &local[0].source);
    return interrupts.interrupted() ? interrupts.exit_code() : exit_code_of(o);
  }

  // Each file told as it ends (the batch keeps no outcome): its summary,
  // --rejected-out, the exit code. --json lines wait for the dataset's total
  // and keep the files' order; a pending_schema file's summary waits too (its
  // advice fetches the dataset).
  int worst = 0;
  std::vector<std::string> json_lines(args.json ? local.size() : 0);
  std::vector<std::pair<std::size_t, upstate::Outcome>> paused;
  auto report_file = [&](std::size_t i, const upstate::Outcome& o) {
    const upstate::ImportReport* r = o.report();
    if (!args.quiet && r && r->status == upstate::ImportStatus::pending_schema)
      paused.emplace_back(i, o);
    else if (!args.quiet)
      print_summary(base_name(args.files[i]), o);
    if (args.json) json_lines[i] = to_json(args.files[i], o);
    if (!interrupts.interrupted()) write_rejected(args, args.files[i], o, &local[i].source);
    worst = std::max(worst, exit_code_of(o));
  };
  auto report_end = [&](std::optional<std::uint64_t> total, const upstate::BatchOutcome* batch) {
    Args summaries_only = args;
    summaries_only.json = false;
    for (const auto& p : paused) report(summaries_only, config, args.files[p.first], p.second);
    for (std::string& line : json_lines) std::fprintf(stdout, "%s\n", with_dataset_total(std::move(line), total).c_str());
    std::fflush(stdout);
    if (!args.quiet && batch) print_dataset_total(args.dataset_id, *batch);
  };
  if (interrupts.interrupted()) {
    for (std::size_t i = 0; i < local.size(); ++i) {
      upstate::Outcome o = cancelled();
      if (refused[i]) o.result = *refused[i];
      report_file(i, o);
    }
    upstate::BatchOutcome none;
    report_end(std::nullopt, &none);
  } else {
    upload_many(args, config, local, refused, interrupts, report_file,
                [&](const upstate::BatchOutcome& b) { report_end(b.total_datapoint_count, &b); });
  }
  return interrupts.interrupted() ? interrupts.exit_code() : worst;
}

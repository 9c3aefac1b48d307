#pragma once
// Several files into one dataset through upstate::Batch on the Asio
// BatchClient: PUTs in the order given (the service processes imports in
// arrival order), up to --max-in-flight files at once, every import polled,
// and the dataset's total_datapoint_count fetched at the end.
#include <sys/stat.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <upstate/asio/client.hpp>
#include <upstate/upstate.hpp>
#include <upstate/batch.hpp>

#include "args.hpp"
#include "interrupts.hpp"
#include "local_file.hpp"
#include "progress_view.hpp"
#include "session_options.hpp"
#include "human_format.hpp"

namespace upstate_upload {

// Adaptive concurrency (upstate::ConcurrencyLimit) said so when the service pushed back.
inline void print_slowdown(const Args& args, const upstate::Batch& batch) {
  if (args.quiet || batch.adaptive_limit().decreases() == 0) return;
  const std::size_t n = batch.adaptive_limit().decreases();
  std::fprintf(stderr, "the service asked to slow down (429/503): concurrency went down %zu %s, ended at %zu\n", n,
               n == 1 ? "time" : "times", batch.concurrency_limit());
}

// `refused[i]`: file i is not uploaded, it ends with this error (a file
// that cannot be opened, pre-flight). Every PUT of file i reads local[i]'s
// one descriptor; a signal cancels the batch. Outcomes stream out: `on_file`
// gets each as its file ends (the batch keeps none of them, nor a finished
// file's machine: memory stays flat however many files, bench/README.md),
// `at_end` the batch's end (counts, the dataset's total; `files` empty).
// The batch both CLI paths run (plain and --journal): outcomes stream, so
// memory stays flat with the number of files.
inline upstate::BatchConfig batch_config_for(const Args& args, const upstate::UploadConfig& config) {
  upstate::BatchConfig b;
  b.upload = config;
  b.max_in_flight = args.max_in_flight;
  b.fail_fast = args.fail_fast;
  b.adaptive_concurrency = !args.fixed_concurrency;
  b.stream_outcomes = true;
  // Only the dataset's total is printed: the final GET's import listing
  // (1.1 MB at 10,000 imports) is checked while it is read, never kept.
  b.upload.limits.max_dataset_imports_kept = 0;
  return b;
}

inline void upload_many(const Args& args, const upstate::UploadConfig& config, const std::vector<LocalFile>& local,
                        const std::vector<std::optional<upstate::Error>>& refused, Interrupts& interrupts,
                        const std::function<void(std::size_t, const upstate::Outcome&)>& on_file,
                        const std::function<void(const upstate::BatchOutcome&)>& at_end) {
  std::vector<upstate::FileInfo> files;
  std::vector<const upstate::asio::FileSource*> sources;
  for (std::size_t i = 0; i < local.size(); ++i) {
    const bool usable = !refused[i] && local[i].source.is_open();
    files.push_back(upstate::FileInfo{base_name(local[i].path), usable ? local[i].source.size() : 0});
    sources.push_back(usable ? &local[i].source : nullptr);
  }
  std::map<std::size_t, std::unique_ptr<ProgressView>> views;  // the running files'
  auto view = [&](std::size_t i) -> ProgressView& {
    std::unique_ptr<ProgressView>& v = views[i];
    if (!v) v = std::make_unique<ProgressView>(args.quiet, base_name(local[i].path), /*lines_only=*/true);
    return *v;
  };
  const upstate::BatchConfig batch_config = batch_config_for(args, config);
  upstate::Batch batch(batch_config, std::move(files));
  for (std::size_t i = 0; i < refused.size(); ++i)
    if (refused[i]) batch.refuse_file(i, *refused[i]);

  upstate::asio::BatchClientOptions options;
  options.session = session_options(args);
  options.on_progress = [&](std::size_t i, const upstate::asio::Progress& p) {
    if (batch.has_upload(i)) view(i).on_progress(p);
  };
  options.on_send = [&](const upstate::Batch& b, const upstate::BatchSend& send) {
    if (send.file != upstate::BatchSend::npos) view(send.file).on_action(b.upload(send.file));
  };
  options.on_file_done = [&](std::size_t i, const upstate::Outcome& o) {
    if (batch.has_upload(i)) view(i).on_action(batch.upload(i));
    views.erase(i);
    on_file(i, o);
  };
  upstate::asio::BatchClient client(interrupts.io(), std::move(options));
  interrupts.run(
      [&](std::function<void()> finished) {
        client.start_with_files(batch, std::move(sources), [finished](const upstate::BatchOutcome&) { finished(); });
      },
      [&] { client.cancel(); });
  print_slowdown(args, batch);
  if (const upstate::BatchOutcome* outcome = batch.outcome()) at_end(*outcome);
}

inline void print_dataset_total(const std::string& dataset_id, const upstate::BatchOutcome& o) {
  if (o.total_datapoint_count)
    std::fprintf(stderr, "dataset %s: total_datapoint_count %llu\n", upstate::terminal_safe(dataset_id).c_str(),
                 static_cast<unsigned long long>(*o.total_datapoint_count));
  else if (o.dataset_error)
    std::fprintf(stderr, "dataset %s: could not fetch the total: %s\n", upstate::terminal_safe(dataset_id).c_str(),
                 upstate::to_string(*o.dataset_error).c_str());
}

}  // namespace upstate_upload

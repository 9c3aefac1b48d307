#pragma once
// Several files into one dataset through upstate::Batch on the Asio
// BatchClient: PUTs in the order given (the service processes imports in
// arrival order), up to --max-in-flight files at once, every import polled,
// and the dataset's total_datapoint_count fetched at the end.
#include <sys/stat.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <upstate/asio/client.hpp>
#include <upstate/upstate.hpp>

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
  std::fprintf(stderr, "the service asked to slow down (429/503): concurrency went down %zu times, ended at %zu\n",
               batch.adaptive_limit().decreases(), batch.concurrency_limit());
}

// `refused[i]`: file i is not uploaded, it ends with this error (a file
// that cannot be opened, pre-flight). Every PUT of file i reads local[i]'s
// one descriptor; a signal cancels the batch. `use` gets the outcome while
// the batch still holds it: no copy of every file's report (megabytes each
// for answers with thousands of errors; bench/README.md).
inline void upload_many(const Args& args, const upstate::UploadConfig& config, const std::vector<LocalFile>& local,
                        const std::vector<std::optional<upstate::Error>>& refused, Interrupts& interrupts,
                        const std::function<void(const upstate::BatchOutcome&)>& use) {
  std::vector<upstate::FileInfo> files;
  std::vector<const upstate::asio::FileSource*> sources;
  std::vector<std::unique_ptr<ProgressView>> views;
  for (std::size_t i = 0; i < local.size(); ++i) {
    const bool usable = !refused[i] && local[i].source.is_open();
    files.push_back(upstate::FileInfo{base_name(local[i].path), usable ? local[i].source.size() : 0});
    sources.push_back(usable ? &local[i].source : nullptr);
    views.push_back(std::make_unique<ProgressView>(args.quiet, base_name(local[i].path), /*lines_only=*/true));
  }
  upstate::BatchConfig batch_config;
  batch_config.upload = config;
  batch_config.max_in_flight = args.max_in_flight;
  batch_config.fail_fast = args.fail_fast;
  batch_config.adaptive_concurrency = !args.fixed_concurrency;
  upstate::Batch batch(batch_config, std::move(files));
  for (std::size_t i = 0; i < refused.size(); ++i)
    if (refused[i]) batch.refuse_file(i, *refused[i]);

  upstate::asio::BatchClientOptions options;
  options.session = session_options(args);
  options.on_progress = [&](std::size_t i, const upstate::asio::Progress& p) { views[i]->on_progress(p); };
  options.on_send = [&](const upstate::Batch& b, const upstate::BatchSend& send) {
    if (send.file != upstate::BatchSend::npos) views[send.file]->on_action(b.upload(send.file));
  };
  options.on_file_done = [&](std::size_t i, const upstate::Outcome&) { views[i]->on_action(batch.upload(i)); };
  upstate::asio::BatchClient client(interrupts.io(), std::move(options));
  interrupts.run(
      [&](std::function<void()> finished) {
        client.start_with_files(batch, std::move(sources), [finished](const upstate::BatchOutcome&) { finished(); });
      },
      [&] { client.cancel(); });
  print_slowdown(args, batch);
  if (const upstate::BatchOutcome* outcome = batch.outcome()) use(*outcome);
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

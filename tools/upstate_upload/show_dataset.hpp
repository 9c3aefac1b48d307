#pragma once
// upstate-upload --show-dataset ID: the dataset's schema, counts and
// imports, as text on stdout (or one JSON object with --json). Runs an
// empty Batch, which is exactly the final dataset GET with its retries.
#include <cstdio>
#include <string>

#include <upstate/asio/client.hpp>
#include <upstate/upstate.hpp>
#include <upstate/batch.hpp>

#include "args.hpp"
#include "dataset_text.hpp"
#include "interrupts.hpp"
#include "session_options.hpp"

namespace upstate_upload {

// A signal cancels the fetch: exit 128 + signal, nothing printed on stdout.
inline int show_dataset(const Args& args, const upstate::UploadConfig& config, Interrupts& interrupts) {
  upstate::BatchConfig batch_config;
  batch_config.upload = config;
  upstate::Batch batch(batch_config, {});
  upstate::asio::BatchClientOptions options;
  options.session = session_options(args);
  upstate::asio::BatchClient client(interrupts.io(), std::move(options));
  upstate::BatchOutcome outcome;
  interrupts.run(
      [&](std::function<void()> finished) {
        client.start(batch, {}, [&outcome, finished](const upstate::BatchOutcome& o) {
          outcome = o;  // no files: the dataset only
          finished();
        });
      },
      [&] { client.cancel(); });
  if (interrupts.interrupted()) {
    std::fprintf(stderr, "upstate-upload: cancelled by a signal\n");
    return interrupts.exit_code();
  }
  if (!outcome.dataset) {
    const upstate::Error e = outcome.dataset_error ? *outcome.dataset_error
                                                   : upstate::Error::internal("no dataset fetched");
    std::fprintf(stderr, "upstate-upload: %s\n", upstate::to_string(e).c_str());
    return kExitClientError;
  }
  if (args.json)
    std::printf("%s\n", dataset_json(*outcome.dataset).c_str());
  else
    std::fputs(dataset_text(*outcome.dataset).c_str(), stdout);
  return 0;
}

}  // namespace upstate_upload

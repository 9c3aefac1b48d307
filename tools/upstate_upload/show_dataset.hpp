#pragma once
// upstate-upload --show-dataset ID: the dataset's schema, counts and
// imports, as text on stdout (or one JSON object with --json). Runs an
// empty Batch, which is exactly the final dataset GET with its retries.
#include <cstdio>
#include <string>

#include <upstate/asio/client.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "dataset_text.hpp"
#include "session_options.hpp"

namespace upstate_upload {

inline int show_dataset(const Args& args, const upstate::UploadConfig& config) {
  upstate::BatchConfig batch_config;
  batch_config.upload = config;
  upstate::Batch batch(batch_config, {});
  upstate::asio::BatchClientOptions options;
  options.session = session_options(args);
  upstate::BatchOutcome outcome = upstate::asio::upload_batch(batch, {}, std::move(options));
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

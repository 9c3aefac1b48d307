#pragma once
// One file (or one resumed import) through upstate::asio::Client, with a
// progress view and, with --state-file, the snapshot kept on disk after
// every step so that the same command continues after a crash.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

#include <upstate/asio/client.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "interrupts.hpp"
#include "local_file.hpp"
#include "progress_view.hpp"
#include "report.hpp"
#include "session_options.hpp"
#include "state_file.hpp"
#include "human_format.hpp"

namespace upstate_upload {

inline upstate::Outcome local_error(std::string message) {
  upstate::Outcome o;
  o.result = upstate::Error::invalid_argument(std::move(message));
  return o;
}

// Runs `upload` with the bytes of `file` (nullptr when it never PUTs);
// prints progress, writes the state file when asked to; a signal cancels it.
inline upstate::Outcome run_upload(const Args& args, upstate::Upload& upload, const upstate::asio::FileSource* file,
                                   const std::string& label, Interrupts& interrupts) {
  ProgressView view(args.quiet, label);
  std::string state_error;
  upstate::asio::ClientOptions options;
  options.session = session_options(args);
  options.on_progress = [&](const upstate::asio::Progress& p) { view.on_progress(p); };
  options.on_action = [&](const upstate::Upload& up, const upstate::Action&) {
    view.on_action(up);
    if (args.state_file.empty() || !state_error.empty()) return;
    state_error = write_state_file(args.state_file, up.snapshot());
    if (!state_error.empty()) {
      view.end_bar();
      std::fprintf(stderr, "%s: cannot keep the state file (%s); the upload goes on without it\n",
                   upstate::terminal_safe(label).c_str(), upstate::terminal_safe(state_error).c_str());
    }
  };
  upstate::asio::Client client(interrupts.io(), std::move(options));
  upstate::Outcome outcome;
  interrupts.run(
      [&](std::function<void()> finished) {
        auto done = [&outcome, finished](upstate::Outcome o) {
          outcome = std::move(o);
          finished();
        };
        if (file)
          client.start(upload, *file, done);
        else
          client.start(upload, std::string(), done);
      },
      [&] { client.cancel(); });
  view.end_bar();
  if (!args.state_file.empty() && state_error.empty()) {
    // A finished import needs no resuming; anything else (deadline, network
    // down, cancelled) can be continued by running the same command again.
    if (outcome.finished_import() || outcome.import_id.empty()) {
      ::unlink(args.state_file.c_str());
    } else if (!args.quiet) {
      std::fprintf(stderr, "%s: state kept in %s: run the same command again to continue import %s\n",
                   upstate::terminal_safe(label).c_str(), upstate::terminal_safe(args.state_file).c_str(),
                   upstate::terminal_safe(outcome.import_id).c_str());
    }
  }
  return outcome;
}

// upstate-upload [--state-file PATH] DATASET_ID FILE
// `local` is open (open_local_file found nothing to refuse).
inline upstate::Outcome upload_one(const Args& args, const upstate::UploadConfig& config, const LocalFile& local,
                                   Interrupts& interrupts) {
  const std::string name = base_name(local.path);
  const upstate::FileInfo file{name, local.source.size()};

  std::optional<upstate::Upload> upload;
  if (!args.state_file.empty()) {
    std::string error;
    std::optional<std::string> saved = read_state_file(args.state_file, error);
    if (!error.empty()) return local_error("--state-file " + error);
    if (saved) {
      auto restored = upstate::Upload::restore(config, *saved);
      if (!restored) {
        upstate::Outcome o;
        o.result = restored.error();
        return o;
      }
      const upstate::FileInfo& was = restored.value().file();
      if (was.name != file.name || was.size != file.size)
        return local_error(args.state_file + " is the state of " + was.name + " (" + std::to_string(was.size) +
                           " bytes), not of " + file.name + " (" + std::to_string(file.size) +
                           " bytes): remove it to start afresh");
      if (!args.quiet)
        std::fprintf(stderr, "%s: continuing from %s\n", upstate::terminal_safe(name).c_str(),
                     upstate::terminal_safe(args.state_file).c_str());
      upload.emplace(std::move(restored).value());
    }
  }
  if (!upload) upload.emplace(config, file);
  return run_upload(args, *upload, &local.source, name, interrupts);
}

// upstate-upload --resume DATASET_ID IMPORT_ID
inline upstate::Outcome resume_import(const Args& args, const upstate::UploadConfig& config, Interrupts& interrupts) {
  upstate::Upload upload = upstate::Upload::resume_import(config, args.import_id);
  Args no_state = args;
  no_state.state_file.clear();
  return run_upload(no_state, upload, nullptr, "import " + args.import_id, interrupts);
}

}  // namespace upstate_upload

#pragma once
// upstate::asio::Client — runs an upstate::Upload on the caller's
// asio::io_context: each Send becomes an HTTP exchange (HttpSession), each
// Sleep a steady_timer, each event is fed back with the steady clock's time.
// Opt-in: this header needs Asio, OpenSSL and llhttp; the core does not.
#include <asio.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "../machine/upload.hpp"
#include "file_source.hpp"
#include "http_session.hpp"

namespace upstate::asio {

struct Progress {
  Phase phase = Phase::not_started;
  std::uint64_t bytes_sent = 0;  // of the PUT; never goes down, even when a PUT restarts
  std::uint64_t total = 0;
  // While processing: the service's own figures from the last poll
  // (Upload::server_progress); on_progress is called when they change.
  std::optional<ServerProgress> server;
};

struct ClientOptions {
  SessionOptions session;
  std::function<void(const Progress&)> on_progress;
  // Sees every action before it is carried out (logging, status lines).
  std::function<void(const Upload&, const Action&)> on_action;
};

class Client {
 public:
  Client(::asio::io_context& io, ClientOptions options = {})
      : io_(io), options_(std::move(options)), session_(io, options_.session), timer_(io) {}

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Runs `upload` (which must outlive the run) with the bytes of the file
  // at `path` ("" for an upload that never PUTs); `on_done` gets the outcome once. Call from the io_context's
  // thread (or before it runs).
  void start(Upload& upload, const std::string& path, std::function<void(Outcome)> on_done) {
    // An upload that only polls (Upload::resume_import, or a restore past
    // the PUT) may be given no file: "".
    if (path.empty()) return begin(upload, nullptr, path, std::move(on_done));
    std::string error;
    if (!file_.open(path, error)) {
      upload_ = &upload;
      on_done_ = std::move(on_done);
      return refuse(error);
    }
    begin(upload, &file_, path, std::move(on_done));
  }

  // The same with a file the caller opened (FileSource::open or adopt) and
  // keeps: it must stay open until `on_done`, and it is not closed here. One
  // descriptor can so serve the caller's own checks and the PUT, with no
  // window between them in which the path could change.
  void start(Upload& upload, const FileSource& file, std::function<void(Outcome)> on_done) {
    begin(upload, &file, "the file", std::move(on_done));
  }

  // Ends the run with ErrorCode::cancelled (the request in flight is
  // abandoned, its connection closed).
  void cancel() {
    if (!upload_ || upload_->state() == State::done) return;
    session_.cancel();
    timer_.cancel();
    act(upload_->cancel(Clock::now()));
  }

  const Progress& progress() const noexcept { return progress_; }

 private:
  void begin(Upload& upload, const FileSource* file, const std::string& label, std::function<void(Outcome)> on_done) {
    upload_ = &upload;
    on_done_ = std::move(on_done);
    source_ = file;
    progress_ = Progress{Phase::not_started, 0, upload.file().size, std::nullopt};
    if (file) {
      if (!file->is_open()) return refuse(label + ": not open");
      if (file->size() != upload.file().size)
        return refuse(label + " has " + std::to_string(file->size()) + " bytes, not the " +
                      std::to_string(upload.file().size) + " the upload was made for");
    }
    act(upload.start(Clock::now()));
  }

  void act(Action action) {
    if (options_.on_action) options_.on_action(*upload_, action);
    report_phase();
    report_server_progress();
    if (auto* send = std::get_if<Send>(&action)) {
      const bool is_put = send->request.file.has_value();
      session_.exchange(
          std::move(send->request), is_put ? source_ : nullptr,
          [this](std::uint64_t sent, std::uint64_t total) {
            progress_.total = total;
            if (sent > progress_.bytes_sent) progress_.bytes_sent = sent;
            if (options_.on_progress) options_.on_progress(progress_);
          },
          [this](Exchange result) {
            if (auto* response = std::get_if<Response>(&result))
              act(upload_->on_response(*response, Clock::now()));
            else
              act(upload_->on_transport_error(std::get<TransportError>(result), Clock::now()));
          },
          // A request in flight never outlives the deadline: its timeout
          // brings the machine back, which then sees the deadline passed.
          upload_->deadline());
    } else if (auto* sleep = std::get_if<Sleep>(&action)) {
      timer_.expires_at(sleep->until);
      timer_.async_wait([this](const ::asio::error_code& ec) {
        if (ec == ::asio::error::operation_aborted) return;
        act(upload_->on_wake(Clock::now()));
      });
    } else {
      session_.close_idle();
      file_.close();
      auto done = std::move(on_done_);
      if (done) done(std::get<Done>(std::move(action)).outcome);
    }
  }

  void report_phase() {
    Phase phase = upload_->phase();
    if (phase == progress_.phase) return;
    progress_.phase = phase;
    if (options_.on_progress) options_.on_progress(progress_);
  }

  void report_server_progress() {
    if (upload_->server_progress() == progress_.server) return;
    progress_.server = upload_->server_progress();
    if (options_.on_progress) options_.on_progress(progress_);
  }

  // A local problem (no such file): ends the run before any request.
  void refuse(std::string message) {
    Outcome outcome;
    outcome.result = Error::invalid_argument(std::move(message));
    auto done = std::move(on_done_);
    ::asio::post(io_, [done = std::move(done), outcome = std::move(outcome)]() mutable {
      if (done) done(std::move(outcome));
    });
  }

  ::asio::io_context& io_;
  ClientOptions options_;
  HttpSession session_;
  ::asio::steady_timer timer_;
  FileSource file_;                     // opened here by the path overload of start()
  const FileSource* source_ = nullptr;  // what the PUT reads: &file_ or the caller's
  Upload* upload_ = nullptr;
  std::function<void(Outcome)> on_done_;
  Progress progress_;
};

// Blocking convenience: runs one upload on a private io_context.
inline Outcome upload_file(Upload& upload, const std::string& path, ClientOptions options = {}) {
  ::asio::io_context io;
  Client client(io, std::move(options));
  Outcome outcome;
  client.start(upload, path, [&](Outcome o) { outcome = std::move(o); });
  io.run();
  return outcome;
}

// The same with a file the caller opened and keeps.
inline Outcome upload_file(Upload& upload, const FileSource& file, ClientOptions options = {}) {
  ::asio::io_context io;
  Client client(io, std::move(options));
  Outcome outcome;
  client.start(upload, file, [&](Outcome o) { outcome = std::move(o); });
  io.run();
  return outcome;
}

}  // namespace upstate::asio

// Several files into one dataset (upstate::Batch) on the same terms.
#include "batch_client.hpp"

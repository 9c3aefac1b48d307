#pragma once
// SIGINT / SIGTERM for the whole run. One asio::signal_set, registered at
// the start of main and kept to the end, on the one io_context every phase
// runs on: asio's own handler is async-signal-safe and our code runs on the
// loop, never inside a handler. A signal that arrives while no phase is
// listening (between phases, during the pre-flight scan) is kept by asio
// and delivered to the next wait, so none is lost and none kills the
// process half-way. A phase told of a signal cancels its client: the files
// end `cancelled`, their outcome and --json line are printed, the state
// file is kept as it was after the last step, and main exits 128 + signal.
#include <asio.hpp>

#include <csignal>
#include <functional>

namespace upstate_upload {

class Interrupts {
 public:
  Interrupts() : signals_(io_, SIGINT, SIGTERM) {}
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;

  ::asio::io_context& io() noexcept { return io_; }
  int signal() const noexcept { return signal_; }  // the first one, 0 when none came
  bool interrupted() const noexcept { return signal_ != 0; }
  // 130 after SIGINT, 143 after SIGTERM (the shell's 128 + signal).
  int exit_code() const noexcept { return 128 + signal_; }

  // Runs one phase on io(): `start(finished)` starts it and calls
  // `finished()` when it is done; `cancel()` is called once on the first
  // signal (at once if one came before).
  void run(const std::function<void(std::function<void()> finished)>& start, std::function<void()> cancel) {
    cancel_ = std::move(cancel);
    phase_open_ = true;
    if (!listening_) listen();
    start([this] {
      phase_open_ = false;
      signals_.cancel();  // the pending wait ends; the registration stays
    });
    if (interrupted() && phase_open_) ::asio::post(io_, [this] {
      if (cancel_ && phase_open_) cancel_();
    });
    io_.run();
    io_.restart();
    cancel_ = nullptr;
  }

  // For work off the loop (the pre-flight scan): true once a signal came.
  bool poll() {
    if (interrupted()) return true;
    if (!listening_) listen();
    io_.poll();
    io_.restart();
    return interrupted();
  }

 private:
  void listen() {
    listening_ = true;
    signals_.async_wait([this](const ::asio::error_code& ec, int number) {
      listening_ = false;
      if (ec) return;  // cancelled: the phase ended
      if (signal_ == 0) signal_ = number;
      if (cancel_ && phase_open_) cancel_();
      if (phase_open_) listen();  // a second signal changes nothing more, but is consumed
    });
  }

  ::asio::io_context io_;
  ::asio::signal_set signals_;
  std::function<void()> cancel_;
  int signal_ = 0;
  bool listening_ = false;   // an async_wait is pending
  bool phase_open_ = false;  // inside run(), its phase not finished
};

}  // namespace upstate_upload

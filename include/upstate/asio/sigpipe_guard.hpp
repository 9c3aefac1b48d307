#pragma once
// sendfile(2) has no MSG_NOSIGNAL: writing to a socket the peer closed
// raises SIGPIPE, whose default action kills the process. A library must
// not change the process's signal dispositions, so for the duration of the
// call this thread blocks SIGPIPE, and a SIGPIPE the call raised is taken
// off the pending set before unblocking (the approach of "Adding
// MSG_NOSIGNAL by hand" that thread-safe libraries use). EPIPE still comes
// back as the call's error.
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <cerrno>

namespace upstate::asio {

class SigpipeGuard {
 public:
  SigpipeGuard() noexcept {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    // A SIGPIPE already pending was not ours: leave it alone.
    was_pending_ = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &old_) == 0;
  }

  // Call when the guarded call failed with EPIPE.
  void consume_raised() noexcept {
    if (was_pending_ || !blocked_) return;
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
    }
  }

  ~SigpipeGuard() {
    if (blocked_) pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
  bool blocked_ = false;
};

}  // namespace upstate::asio

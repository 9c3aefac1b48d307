#pragma once
// Ctrl-C (SIGINT) and SIGTERM as something poll(2) can wait for: the
// self-pipe. The handler only writes one byte (async-signal-safe); the loop
// sees the pipe readable and calls Upload::cancel. A signal that lands
// between two polls is not lost: the byte waits in the pipe.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "tcp.hpp"

namespace own_event_loop {

class InterruptPipe {
 public:
  // One per program: the signal handler has a single pipe to write to.
  InterruptPipe() {
    int fds[2];
    if (::pipe(fds) != 0) return;  // fd() stays -1: poll ignores it, Ctrl-C just ends the program
    read_end_.reset(fds[0]);
    write_end_.reset(fds[1]);
    for (int fd : fds) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);  // a full pipe must not block the handler
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    write_fd_ = fds[1];
    struct sigaction action {};
    action.sa_handler = &on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // poll(2) still returns EINTR; other calls just carry on
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }

  ~InterruptPipe() {
    if (!read_end_) return;
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    write_fd_ = -1;
  }

  InterruptPipe(const InterruptPipe&) = delete;
  InterruptPipe& operator=(const InterruptPipe&) = delete;

  // Readable once a signal arrived.
  int fd() const noexcept { return read_end_.get(); }

 private:
  static void on_signal(int) {
    const int saved = errno;
    const char byte = 1;
    const ssize_t ignored = ::write(write_fd_, &byte, 1);
    (void)ignored;
    errno = saved;
  }

  static inline int write_fd_ = -1;
  UniqueFd read_end_, write_end_;
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace own_event_loop

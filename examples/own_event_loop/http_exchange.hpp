#pragma once
// One HTTP/1.1 request and its answer over a fresh non-blocking TCP
// connection, moved forward by whoever runs poll(2): it says which socket
// and events to wait for and until when (fd, events, timeout_at), and
// on_ready does what the socket allows right now, never blocking.
//
// The bytes go through upstate's sans-I/O codec (<upstate/http1/http1.hpp>:
// a serializer and an llhttp parser with size caps; despite the folder it
// needs llhttp only, no Asio). One connection per request, with
// "Connection: close": the simplest correct choice for a few requests per
// upload. The Asio adapter's HttpSession shows keep-alive and TLS.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <upstate/http1/http1.hpp>
#include <upstate/vocabulary/http.hpp>
#include <upstate/vocabulary/time.hpp>
#include <upstate/detail/url.hpp>

#include "tcp.hpp"

namespace own_event_loop {

struct ExchangeTimeouts {
  std::chrono::milliseconds stall{30000};         // no byte moved either way for this long: give up
  std::chrono::milliseconds continue_wait{1000};  // no "100 Continue" by then: send the body anyway
};

class HttpExchange {
 public:
  // The one body buffer: memory stays the same whatever the file's size.
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  // `file_fd` is read (pread, at explicit offsets) only for a request that
  // has a body; no wait lasts past `give_up_at` (the upload's deadline).
  HttpExchange(const upstate::Request& request, int file_fd, upstate::Instant give_up_at, upstate::Instant now,
               ExchangeTimeouts timeouts = {})
      : file_fd_(file_fd),
        give_up_at_(give_up_at),
        timeouts_(timeouts),
        last_activity_(now),
        // S3's answers are small XML; API answers get the codec's defaults.
        parser_(request.purpose == upstate::Purpose::upload ? upstate::http1::Limits{64 * 1024, 64 * 1024}
                                                            : upstate::http1::Limits{}) {
    begin(request, now);
  }

  bool finished() const noexcept { return step_ == Step::finished; }
  int fd() const noexcept { return socket_.get(); }
  std::uint64_t body_sent() const noexcept { return body_sent_; }
  std::uint64_t body_size() const noexcept { return body_size_; }

  // What poll should wait for on fd().
  short events() const noexcept {
    switch (step_) {
      case Step::connecting: return POLLOUT;
      // Reading too while sending: an early answer (a refusal) ends the request.
      case Step::sending_head:
      case Step::sending_body: return POLLOUT | POLLIN;
      case Step::awaiting_continue:
      case Step::receiving: return POLLIN;
      case Step::finished: break;
    }
    return 0;
  }

  // When on_ready must be called even if the socket stays silent.
  upstate::Instant timeout_at() const noexcept {
    upstate::Instant t = std::min(last_activity_ + timeouts_.stall, give_up_at_);
    if (step_ == Step::awaiting_continue) t = std::min(t, continue_at_);
    return t;
  }

  // After poll: `revents` for fd() (0 when poll timed out).
  void on_ready(short revents, upstate::Instant now) {
    if (finished()) return;
    if (revents & POLLNVAL) return fail({Kind::other, "the socket was closed under the exchange"});
    if (step_ == Step::connecting) {
      if (revents & (POLLOUT | POLLERR | POLLHUP)) finish_connect(now);
    } else {
      if (revents & (POLLIN | POLLERR | POLLHUP)) read_answer(now);
      if (!finished() && (revents & POLLOUT) && (step_ == Step::sending_head || step_ == Step::sending_body))
        write_request(now);
    }
    if (finished()) return;
    // RFC 9110 10.1.1: a server that never says 100 still gets the body.
    if (step_ == Step::awaiting_continue && now >= continue_at_) step_ = Step::sending_body;
    else if (now >= give_up_at_) fail({Kind::timeout, "the upload's deadline passed talking to " + url_.authority()});
    else if (now >= last_activity_ + timeouts_.stall)
      fail({Kind::timeout, "no byte moved for " + std::to_string(timeouts_.stall.count()) + " ms while " + doing() +
                               " " + url_.authority()});
  }

  // The answer or the failure; call once, when finished().
  upstate::Exchange take_result() { return std::move(result_); }

 private:
  using Kind = upstate::TransportError::Kind;
  enum class Step { connecting, sending_head, awaiting_continue, sending_body, receiving, finished };

  // Everything up to the first connect; a problem found here finishes the
  // exchange before any I/O.
  void begin(const upstate::Request& request, upstate::Instant now) {
    auto url = upstate::parse_url(request.url);
    if (!url) return fail({Kind::other, "not an absolute http(s) URL"});
    url_ = std::move(*url);
    // Only `tls` is final for the machine: without TLS, retrying is futile.
    if (url_.is_https()) return fail({Kind::tls, "https needs TLS, which this example leaves out (use the Asio adapter)"});

    upstate::http1::HeadOptions head;
    head.keep_alive = false;
    if (request.file) {
      body_size_ = request.file->size;
      head.content_length = body_size_;
      chunk_.resize(kChunkBytes);
      // Lets the server refuse (expired URL, bad signature) before the body.
      head.expect_continue = body_size_ > 0;
    }
    auto serialized = upstate::http1::serialize_request_head(request, url_, head);
    if (!serialized) return fail({Kind::other, serialized.error().message});
    head_ = std::move(serialized.value());

    std::string error;
    addresses_ = resolve(url_.host, url_.port, error);
    if (addresses_.empty()) return fail({Kind::connect, error.empty() ? "no address for " + url_.host : error});
    connect_next(now);
  }

  const char* doing() const noexcept {
    switch (step_) {
      case Step::connecting: return "connecting to";
      case Step::sending_head:
      case Step::sending_body: return "sending to";
      default: return "waiting for the answer from";
    }
  }

  void fail(upstate::TransportError error) {
    result_ = std::move(error);
    step_ = Step::finished;
    socket_.reset();
  }

  // Tries the resolved addresses in order ("localhost" may be ::1 first).
  void connect_next(upstate::Instant now) {
    while (next_address_ < addresses_.size()) {
      bool in_progress = false;
      socket_ = start_connect(addresses_[next_address_++], in_progress, connect_error_);
      if (socket_) {
        step_ = in_progress ? Step::connecting : Step::sending_head;
        last_activity_ = now;
        return;
      }
    }
    fail({Kind::connect, "cannot connect to " + url_.authority() + ": " + std::strerror(connect_error_)});
  }

  void finish_connect(upstate::Instant now) {
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(socket_.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    if (error == 0) {
      step_ = Step::sending_head;
      last_activity_ = now;
      return;
    }
    connect_error_ = error;
    socket_.reset();
    connect_next(now);
  }

  void write_request(upstate::Instant now) {
    if (step_ == Step::sending_head) {
      if (!send_some(head_.data() + head_sent_, head_.size() - head_sent_, head_sent_, now)) return;
      if (head_sent_ < head_.size()) return;
      if (body_size_ == 0) {
        step_ = Step::receiving;
      } else {
        step_ = Step::awaiting_continue;
        continue_at_ = now + timeouts_.continue_wait;
      }
      return;
    }
    // One chunk per wakeup: the loop gets back to its other work (Ctrl-C,
    // timers) between chunks however large the file.
    if (chunk_begin_ == chunk_end_) {
      const std::uint64_t left = body_size_ - body_sent_;
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk_.size()));
      const ssize_t got = ::pread(file_fd_, chunk_.data(), want, static_cast<off_t>(body_sent_));
      if (got < 0 && errno == EINTR) return;  // poll says writable again at once
      if (got < 0) return fail({Kind::other, std::string("cannot read the file: ") + std::strerror(errno)});
      if (got == 0) return fail({Kind::other, "the file shrank while it was being sent"});
      chunk_begin_ = 0;
      chunk_end_ = static_cast<std::size_t>(got);
    }
    std::size_t sent = 0;
    if (!send_some(chunk_.data() + chunk_begin_, chunk_end_ - chunk_begin_, sent, now)) return;
    chunk_begin_ += sent;
    body_sent_ += sent;
    if (body_sent_ == body_size_) step_ = Step::receiving;
  }

  // False when nothing was sent (the socket is full, or it failed).
  bool send_some(const char* data, std::size_t size, std::size_t& counter, upstate::Instant now) {
    // MSG_NOSIGNAL: a peer that closed gives EPIPE instead of a SIGPIPE
    // that would end the whole program.
    const ssize_t n = ::send(socket_.get(), data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        fail(transport_error(errno, "sending to " + url_.authority()));
      return false;
    }
    counter += static_cast<std::size_t>(n);
    last_activity_ = now;
    return n > 0;
  }

  void read_answer(upstate::Instant now) {
    char buffer[16 * 1024];
    const ssize_t n = ::recv(socket_.get(), buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        fail(transport_error(errno, "reading from " + url_.authority()));
      return;
    }
    last_activity_ = now;
    // EOF ends a close-delimited body; anywhere else the parser calls it
    // `closed`. Bytes after a complete answer are ignored: we close anyway.
    if (n == 0) parser_.finish();
    else parser_.feed(buffer, static_cast<std::size_t>(n));

    switch (parser_.state()) {
      case upstate::http1::ParseState::complete:
        result_ = parser_.take_response();
        step_ = Step::finished;
        socket_.reset();
        return;
      case upstate::http1::ParseState::failed: return fail(parser_.error());
      default:
        if (step_ == Step::awaiting_continue && parser_.saw_continue()) step_ = Step::sending_body;
        return;
    }
  }

  int file_fd_;
  upstate::Instant give_up_at_;
  ExchangeTimeouts timeouts_;
  upstate::Instant last_activity_;
  upstate::Instant continue_at_{};
  upstate::http1::ResponseParser parser_;
  upstate::Url url_;
  std::vector<Address> addresses_;
  std::size_t next_address_ = 0;
  int connect_error_ = 0;
  UniqueFd socket_;
  Step step_ = Step::connecting;
  std::string head_;
  std::size_t head_sent_ = 0;
  std::uint64_t body_size_ = 0;
  std::uint64_t body_sent_ = 0;
  std::vector<char> chunk_;  // kChunkBytes, for a request with a body
  std::size_t chunk_begin_ = 0, chunk_end_ = 0;  // the part of chunk_ not yet sent
  upstate::Exchange result_;
};

}  // namespace own_event_loop

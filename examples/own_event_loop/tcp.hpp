#pragma once
// The POSIX pieces under the HTTP exchange: an owned file descriptor,
// name resolution, a non-blocking connect, and errno mapped onto the
// machine's TransportError kinds (which decide what it retries).
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <upstate/vocabulary/http.hpp>

namespace own_event_loop {

// Closes its descriptor when it goes away, so no early return leaks one.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_UNSPEC;
};

// getaddrinfo blocks. That is harmless for the loopback (numeric) hosts this
// example talks to; a program resolving remote names inside its event loop
// would use an asynchronous resolver (c-ares, getaddrinfo_a) or a thread.
inline std::vector<Address> resolve(const std::string& host, unsigned port, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
  std::vector<Address> out;
  if (rc != 0) {
    error = "cannot resolve " + host + ": " + ::gai_strerror(rc);
    return out;
  }
  for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Address a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.length = ai->ai_addrlen;
    a.family = ai->ai_family;
    out.push_back(a);
  }
  ::freeaddrinfo(list);
  return out;
}

// Starts connecting without waiting: the socket is non-blocking, so the
// answer is usually EINPROGRESS and poll(2) reports POLLOUT once the
// handshake is over. `in_progress` tells the caller which case it got.
inline UniqueFd start_connect(const Address& address, bool& in_progress, int& error) {
  in_progress = false;
  UniqueFd fd(::socket(address.family, SOCK_STREAM, 0));
  if (!fd) {
    error = errno;
    return fd;
  }
  const int flags = ::fcntl(fd.get(), F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0 ||
      ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC) < 0) {
    error = errno;
    return UniqueFd{};
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length) == 0) return fd;
  if (errno == EINPROGRESS) {
    in_progress = true;
    return fd;
  }
  error = errno;
  return UniqueFd{};
}

// How a socket error reads to the machine: resets and closes are retried
// like any transport failure; the kind only makes the message precise.
inline upstate::TransportError transport_error(int err, const std::string& what) {
  using Kind = upstate::TransportError::Kind;
  Kind kind = Kind::other;
  if (err == ECONNRESET || err == EPIPE || err == ECONNABORTED) kind = Kind::reset;
  if (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH) kind = Kind::connect;
  if (err == ETIMEDOUT) kind = Kind::timeout;
  return upstate::TransportError{kind, what + ": " + std::strerror(err)};
}

}  // namespace own_event_loop

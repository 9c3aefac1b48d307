// upstate 0.1.0 -- single-header Asio adapter (needs Asio, OpenSSL, llhttp)
//
// Copyright (c) 2026 the upstate authors. MIT License: see LICENSE
// (SPDX-License-Identifier: MIT); the licence text is reproduced at the
// end of this file.
//
// GENERATED FILE -- do not edit. Made by tools/amalgamate from include/upstate/asio/client.hpp
// and the project headers it includes (13 files, each once, in the order
// the preprocessor reaches them). Edit include/upstate/ and rerun
// tools/amalgamate; `tools/amalgamate --check` (CTest amalgamation.fresh)
// fails when this file is stale.
//
// Header-only by default. Separate compilation (README, "Compile time"):
// -DUPSTATE_SEPARATE_COMPILATION everywhere, and in one .cpp
// `#define UPSTATE_IMPLEMENTATION` before `#include "upstate.hpp"`.
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_ASIO_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_ASIO_HPP

// What this file builds on, from the files next to it.
#include "upstate.hpp"
#include "upstate_batch.hpp"

// ---- begin include/upstate/asio/client.hpp ----
// upstate::asio::Client — runs an upstate::Upload on the caller's
// asio::io_context: each Send becomes an HTTP exchange (HttpSession), each
// Sleep a steady_timer, each event is fed back with the steady clock's time.
// Opt-in: this header needs Asio, OpenSSL and llhttp; the core does not.
#include <asio.hpp>

#include <functional>

// ---- begin include/upstate/asio/file_source.hpp ----
// The PUT's body: a file read at explicit offsets (pread), so a restarted
// PUT rereads from byte 0 with no shared cursor, and memory stays one
// chunk buffer whatever the file's size.
//
// Only a regular file is taken, opened once: open(2) is non-blocking (a
// FIFO would block it forever), then fstat on that descriptor decides (no
// window between the check and the use), and the size seen then is the
// size: the PUT's Content-Length and the most any reader takes (a file that
// grows is sent as it was; one that shrinks ends the PUT with a final
// TransportError::Kind::local_file).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace upstate::asio {

class FileSource {
 public:
  FileSource() = default;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  FileSource(FileSource&& other) noexcept : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}
  FileSource& operator=(FileSource&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = std::exchange(other.fd_, -1);
      size_ = other.size_;
    }
    return *this;
  }
  ~FileSource() { close(); }

  // Opens a regular file for reading; on failure returns false and sets
  // `error` (a FIFO, a device, a directory: "not a regular file", at once).
  bool open(const std::string& path, std::string& error) {
    close();
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      error = path + ": " + std::strerror(errno);
      return false;
    }
    return adopt(fd, error, path);
  }

  // Takes ownership of an already-open descriptor (closed on failure too);
  // the same checks as open(). `label` names it in `error`.
  bool adopt(int fd, std::string& error, const std::string& label = "the file") {
    close();
    fd_ = fd;
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
      error = label + ": " + std::strerror(fd_ < 0 ? EBADF : errno);
      close();
      return false;
    }
    if (!S_ISREG(st.st_mode)) {
      error = label + ": not a regular file (" + kind_of(st.st_mode) + ")";
      close();
      return false;
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
#ifdef POSIX_FADV_SEQUENTIAL
    // Read ahead further for a big file; a small one fits in the default
    // read-ahead (128 KiB) and is spared the syscall (one a file: 10,000
    // in a batch of small files).
    if (size_ > kDefaultReadAhead) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return true;
  }

  bool is_open() const noexcept { return fd_ >= 0; }
  std::uint64_t size() const noexcept { return size_; }
  int fd() const noexcept { return fd_; }

  // Up to `n` bytes at `offset`; 0 at end of file; -1 on error (errno set).
  long read_at(char* buffer, std::size_t n, std::uint64_t offset) const noexcept {
    for (;;) {
      ssize_t got = ::pread(fd_, buffer, n, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      return static_cast<long>(got);
    }
  }

  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  static const char* kind_of(mode_t mode) noexcept {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a file";
  }

  static constexpr std::uint64_t kDefaultReadAhead = 128 * 1024;

  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace upstate::asio
// ---- end include/upstate/asio/file_source.hpp ----

// ---- begin include/upstate/asio/http_session.hpp ----
// One HTTP/1.1 exchange at a time over Asio: connect (or reuse a kept-alive
// connection to the same origin), TLS with verification, the request head,
// the file streamed in fixed-size chunks with Content-Length and
// `Expect: 100-continue`, the answer parsed with caps, and every failure
// mapped onto upstate::TransportError. Timeouts are stall timeouts: a slow
// link that keeps moving bytes never times out; a silent one does.
#include <asio/ssl.hpp>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <map>

// ---- begin include/upstate/asio/body_caps.hpp ----
// How many body bytes the session reads of each kind of answer before it
// gives up on it (a transport error, or by status for an error answer: see
// HttpSession). An answer is held whole before it is parsed, so these caps,
// times the requests in flight, bound the memory a hostile server can make
// us spend: one 16 MiB cap for every answer cost up to 545 MiB of RSS with
// 16 answers in flight (issue 12; bench/README.md has the figures now).

namespace upstate::asio {

struct BodyCaps {
  std::size_t upload_url = 64 * 1024;      // step 1: an id, a URL, a few header names
  std::size_t upload = 64 * 1024;          // S3's XML error bodies
  // A 10,000-error answer is ~1 MB: room for ~22,000 (the service may list
  // fewer errors than rejected_count anyway). A parsed report holds ~2.5x
  // its wire size, kept until the batch ends: 16 files with 2 MB answers
  // peak at ~108 MiB, with 4 MB ones at ~208 MiB (bench/README.md).
  std::size_t poll = 2u << 20;
  // The schema and the list of every import the dataset ever had (~110
  // bytes each on the fake): 1 MiB stopped at ~9,000 imports, so a batch of
  // 10,000 files could no longer read the dataset's total at its end (it
  // retried the same oversized answer until its budget ran out). A dataset
  // answer is read one at a time (a batch's end, --show-dataset), not once
  // per file in flight, so the cap is the API's own 16 MiB (~150,000 imports).
  std::size_t dataset = 16u << 20;
  std::size_t dataset_status = 64 * 1024;  // a status word or two

  std::size_t for_purpose(Purpose p) const noexcept {
    switch (p) {
      case Purpose::upload_url: return upload_url;
      case Purpose::upload: return upload;
      case Purpose::poll: return poll;
      case Purpose::dataset: return dataset;
      case Purpose::dataset_status: return dataset_status;
    }
    return upload_url;
  }
};

}  // namespace upstate::asio
// ---- end include/upstate/asio/body_caps.hpp ----

// ---- begin include/upstate/asio/connection.hpp ----
// One TCP connection, plain or TLS, behind one interface: the session reads
// and writes without caring which. TLS verifies the peer and its host name
// by default (system CAs plus an optional extra CA file) and sends SNI.
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace upstate::asio {

class Connection {
 public:
  // Enough of Asio's AsyncStream concept for ::asio::async_write.
  using executor_type = ::asio::any_io_executor;
  executor_type get_executor() noexcept { return socket_.get_executor(); }

  Connection(::asio::io_context& io, std::string origin) : socket_(io), origin_(std::move(origin)) {}

  // After the TCP connect: wrap the socket in TLS (only then; a plain
  // connection never builds an SSL object).
  void use_tls(::asio::ssl::context& ctx, const std::string& host) {
    tls_ = std::make_unique<::asio::ssl::stream<::asio::ip::tcp::socket&>>(socket_, ctx);
    SSL* ssl = tls_->native_handle();
    ::asio::error_code not_ip;
    ::asio::ip::make_address(host, not_ip);
    const bool is_ip = !not_ip;
    // SNI carries a DNS name only (RFC 6066 forbids IP literals).
    // SSL_set_tlsext_host_name is a macro with a C cast: its expansion,
    // without the cast (users' -Wold-style-cast sees our headers).
    if (!is_ip)
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
    tls_->set_verify_mode(::asio::ssl::verify_peer);
    // Host-name (or IP SAN) check by OpenSSL itself, against the name we dialled.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (is_ip)
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    else
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }

  bool is_tls() const noexcept { return tls_ != nullptr; }
  ::asio::ip::tcp::socket& socket() noexcept { return socket_; }
  ::asio::ssl::stream<::asio::ip::tcp::socket&>& tls() noexcept { return *tls_; }
  const std::string& origin() const noexcept { return origin_; }
  bool is_open() const noexcept { return socket_.is_open(); }

  // Why the TLS handshake failed, when it was certificate verification.
  std::string verify_failure() const {
    if (!tls_) return {};
    long result = SSL_get_verify_result(tls_->native_handle());
    if (result == X509_V_OK) return {};
    return X509_verify_cert_error_string(result);
  }

  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    else
      socket_.async_write_some(buffers, std::forward<Handler>(handler));
  }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    else
      socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  void close() noexcept {
    ::asio::error_code ignored;
    socket_.shutdown(::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  ::asio::ip::tcp::socket socket_;
  std::unique_ptr<::asio::ssl::stream<::asio::ip::tcp::socket&>> tls_;
  std::string origin_;
};

}  // namespace upstate::asio
// ---- end include/upstate/asio/connection.hpp ----

// ---- begin include/upstate/asio/file_send.hpp ----
// How a plain-http PUT moves the file to the socket: sendfile(2), or pread
// into the session's one buffer and write.
//
// Why not always sendfile: measured on loopback into nginx (bench/README.md,
// 12 interleaved rounds of a 1 GiB PUT), the buffered path took a median
// 1.50 s and sendfile 2.36 s (curl -T: 1.63 s). On loopback the receiver
// runs on the same machine, and with sendfile it copies the body straight out
// of our file's page cache instead of out of socket buffers we just wrote,
// and it is the receiver that sets the pace. Over a real link the kernel
// hands the pages to the NIC and sendfile saves our copy. So `automatic`
// picks by the peer's address.
#include <asio/ip/address.hpp>

namespace upstate::asio {

enum class FileSend {
  automatic,  // sendfile unless the peer is a loopback address
  sendfile,   // always sendfile on plain http (falls back when the kernel refuses)
  buffered,   // always pread + write through the session's buffer
};

inline bool is_loopback_peer(const ::asio::ip::address& peer) {
  if (peer.is_v4()) return peer.to_v4().is_loopback();
  const auto v6 = peer.to_v6();
  if (v6.is_v4_mapped()) return ::asio::ip::make_address_v4(::asio::ip::v4_mapped, v6).is_loopback();
  return v6.is_loopback();
}

// TLS never gets here: its body is always encrypted from the buffer.
inline bool use_sendfile(FileSend mode, const ::asio::ip::address& peer) {
  switch (mode) {
    case FileSend::sendfile: return true;
    case FileSend::buffered: return false;
    case FileSend::automatic: break;
  }
  return !is_loopback_peer(peer);
}

}  // namespace upstate::asio
// ---- end include/upstate/asio/file_send.hpp ----

// ---- begin include/upstate/asio/page_buffer.hpp ----
// The PUT's one body buffer, aligned to a 4 KiB page. Why: the kernel's copy
// out of the page cache into it (pread) is a `rep movsb`, and on this
// project's AMD EPYC machine it ran at a third of the speed into a
// std::vector's storage (16 bytes past a 64-byte boundary): 1.2-1.5 s of
// system time per GiB against 0.7-0.8 s page-aligned (bench/README.md).

namespace upstate::asio {

class PageBuffer {
 public:
  static constexpr std::size_t kAlignment = 4096;

  explicit PageBuffer(std::size_t size)
      : data_(static_cast<char*>(::operator new(size, std::align_val_t{kAlignment}))), size_(size) {}
  ~PageBuffer() { ::operator delete(data_, std::align_val_t{kAlignment}); }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;

  char* data() noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }

 private:
  char* data_;
  std::size_t size_;
};

}  // namespace upstate::asio
// ---- end include/upstate/asio/page_buffer.hpp ----

// ---- begin include/upstate/http1/http1.hpp ----
// HTTP/1.1 as bytes in, bytes out (no sockets): a request/response head
// serializer and llhttp-based parsers with size caps. Used by the Asio
// client and by upstate-fake-server; testable byte by byte.
//
// Needs llhttp (target llhttp::llhttp, built from Debian's node-llhttp C
// sources by cmake/Findllhttp.cmake).

namespace upstate::http1 {

struct Limits {
  // Status/request line + all header fields: every byte of the head up to
  // and including the blank line. 1xx heads before the final answer count
  // toward it too, and so do the names and values of chunked trailers.
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 16u << 20;    // API answers; S3 error bodies use 64 KiB
};

struct HeadOptions {
  std::optional<std::uint64_t> content_length;  // sent as Content-Length (the PUT; never chunked)
  bool expect_continue = false;                 // "Expect: 100-continue"
  bool keep_alive = true;                       // false: "Connection: close"
};

// "METHOD target HTTP/1.1\r\nHost: authority\r\n<headers>\r\n\r\n". Refuses
// with Error{invalid_argument} — before anything is sent — a method or
// header name that is not an RFC 9110 token, a header value holding CR, LF
// or NUL, and request headers the serializer owns (Host, Content-Length,
// Transfer-Encoding, Connection, Expect). Also refused: a target or host
// holding a space or control byte (a hand-built Url) and expect_continue
// without content_length (RFC 9110 10.1.1). Messages name the header, never
// its value. Owned fields follow the caller's headers in this order:
// Content-Length, Expect, Connection.
Result<std::string> serialize_request_head(const Request& request, const Url& url, const HeadOptions& options);

// Server side: status line, the response's headers, Content-Length of the
// body (and Date / Connection as given), then the body. It cannot refuse, so
// it repairs: given Content-Length / Connection / Transfer-Encoding headers
// are dropped (it writes its own), as are names that are not tokens; CR, LF
// and NUL are removed from values; a status outside 100..999 becomes 500;
// 1xx/204/304 get neither Content-Length nor body.
std::string serialize_response(const Response& response, bool keep_alive);
// "HTTP/1.1 100 Continue\r\n\r\n"
std::string_view continue_line() noexcept;

enum class ParseState {
  head,      // waiting for (more of) the head
  body,      // head complete, body in progress
  complete,  // one whole message; `feed` consumes nothing more until reset()
  failed,    // sticky until reset(); see error()
};

// One HTTP/1.1 answer at a time (Content-Length, chunked, close-delimited;
// 1xx interim answers such as 100 Continue are noted and skipped).
class ResponseParser {
 public:
  explicit ResponseParser(Limits limits = {});
  ~ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;
  ResponseParser(ResponseParser&&) noexcept;
  ResponseParser& operator=(ResponseParser&&) noexcept;

  // Ready for the next answer on the connection. `head_request`: the answer
  // to a HEAD request, which has no body whatever its headers say.
  void reset(bool head_request = false);
  // Consumes up to `size` bytes and returns how many it took; it stops at
  // the end of a message (the rest is the next message's). Bytes may be
  // split anywhere, down to one at a time. A call that fails takes all its
  // bytes (none after an error are usable).
  std::size_t feed(const char* data, std::size_t size);
  // The peer closed: ends a close-delimited body (complete), else failed.
  void finish();

  ParseState state() const noexcept;
  bool head_complete() const noexcept;     // the final (non-1xx) answer's head is in: status() is valid
  bool saw_continue() const noexcept;      // a "100 Continue" arrived since reset()
  int status() const noexcept;
  const Response& response() const noexcept;
  Response take_response();
  bool keep_alive() const noexcept;        // the connection may carry another request after this answer
  // When failed: kind protocol (malformed, header over cap, body over cap)
  // or closed (EOF before a whole answer), with a message; response() is
  // then empty, so a partial answer is never mistaken for one. Trailer
  // fields of a chunked body are dropped, never merged into the headers.
  const TransportError& error() const noexcept;
  // When failed because the body went over max_body_bytes: the answer's
  // status and headers, with an empty body (nullopt otherwise). The failure
  // stays a failure; this lets a caller still classify by status.
  const std::optional<Response>& oversized_answer() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ParsedRequest {
  std::string method;
  std::string target;  // as sent: path + "?" + query
  Headers headers;
  std::string body;
  bool expect_continue = false;
  bool keep_alive = true;
};

// The server side's parser (upstate-fake-server): same rules and caps.
class RequestParser {
 public:
  explicit RequestParser(Limits limits = {});
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;
  RequestParser(RequestParser&&) noexcept;
  RequestParser& operator=(RequestParser&&) noexcept;

  void reset();
  std::size_t feed(const char* data, std::size_t size);
  void finish();

  ParseState state() const noexcept;
  bool head_complete() const noexcept;  // method, target and headers are in (time to send 100 Continue)
  const ParsedRequest& request() const noexcept;
  ParsedRequest take_request();
  const TransportError& error() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace upstate::http1

// The implementation, header-only (bytes in, bytes out; needs only llhttp).

// ---- begin include/upstate/http1/http1_serialize.hpp ----
// Writing HTTP/1.1 heads (declared in http1.hpp). Everything a caller hands
// us is checked before a byte exists, so a bad value can never split a
// request; error messages name headers, never their values (a value may be
// a secret such as the API token).

// ---- begin include/upstate/http1/http1_token.hpp ----
// RFC 9110 tokens, shared by the HTTP/1.1 serializer and parsers. Depends on
// nothing, so either can include it whatever order the parts come in.

namespace upstate::http1::detail {

// RFC 9110 5.6.2 tchar.
constexpr bool is_tchar(char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

inline bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

}  // namespace upstate::http1::detail
// ---- end include/upstate/http1/http1_token.hpp ----

namespace upstate::http1 {
namespace detail {

// What may go on the request line as the target or into Host: no space (it
// would end the field) and no control byte. parse_url already guarantees
// this; a hand-built Url might not.
inline bool is_line_safe(std::string_view s) noexcept {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

// Request headers the serializer writes itself from the URL and options; a
// second copy from the caller would make the message ambiguous (smuggling).
inline bool is_owned_request_header(std::string_view name) noexcept {
  return iequals(name, "Host") || iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection") || iequals(name, "Expect");
}

// Response headers serialize_response derives from the body and keep_alive.
inline bool is_owned_response_header(std::string_view name) noexcept {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection");
}

// RFC 9110 15: 1xx, 204 and 304 answers never carry content, so they get
// neither a body nor a Content-Length.
constexpr bool status_has_no_body(int status) noexcept {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

// The statuses the fake server and tests use; the phrase is informational
// only (RFC 9112 4: clients ignore it).
constexpr std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

inline Error invalid(std::string message) {
  return Error::invalid_argument(std::move(message));
}

inline void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace detail

inline Result<std::string> serialize_request_head(const Request& request, const Url& url, const HeadOptions& options) {
  if (!detail::is_token(request.method)) return detail::invalid("request method is not an RFC 9110 token");
  // The target is sent verbatim (a presigned URL is signed byte for byte),
  // so it is checked, never repaired; the message does not quote it because
  // its query may hold a signature.
  if (url.target.empty() || !detail::is_line_safe(url.target))
    return detail::invalid("request target is empty or holds a space or control character");
  const std::string host = url.authority();
  if (url.host.empty() || !detail::is_line_safe(host))
    return detail::invalid("URL host is empty or holds a space or control character");
  for (std::size_t i = 0; i < request.headers.size(); ++i) {
    const Header& h = request.headers[i];
    // An invalid name is not quoted either: it might be a whole
    // "Authorization: Bearer ..." line pasted into the name.
    if (!detail::is_token(h.name))
      return detail::invalid("request header #" + std::to_string(i + 1) + "'s name is not an RFC 9110 token");
    if (detail::is_owned_request_header(h.name))
      return detail::invalid("request header '" + h.name + "' is set by the serializer, not the caller");
    if (!is_safe_header_value(h.value))
      return detail::invalid("request header '" + h.name + "' has a value holding CR, LF or NUL");
  }
  // RFC 9110 10.1.1: no 100-continue expectation on a request without content.
  if (options.expect_continue && !options.content_length)
    return detail::invalid("Expect: 100-continue needs a Content-Length");

  std::string out;
  out.reserve(64 + request.method.size() + url.target.size() + host.size() + 64 * request.headers.size());
  out.append(request.method).append(" ").append(url.target).append(" HTTP/1.1\r\n");
  detail::append_field(out, "Host", host);
  for (const Header& h : request.headers) detail::append_field(out, h.name, h.value);
  if (options.content_length) detail::append_field(out, "Content-Length", std::to_string(*options.content_length));
  if (options.expect_continue) detail::append_field(out, "Expect", "100-continue");
  if (!options.keep_alive) detail::append_field(out, "Connection", "close");
  out.append("\r\n");
  return out;
}

// This signature cannot refuse, so it repairs instead: a status outside
// 100..999 becomes 500, a header whose name is not a token is dropped, and
// CR, LF and NUL are removed from values. The caller is our own fake server
// answering from its own data; a malformed head must still never result.
inline std::string serialize_response(const Response& response, bool keep_alive) {
  const int status = response.status >= 100 && response.status <= 999 ? response.status : 500;
  const bool no_body = detail::status_has_no_body(status);
  std::string out;
  out.reserve(128 + response.body.size());
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  out.append(detail::reason_phrase(status)).append("\r\n");
  for (const Header& h : response.headers) {
    if (!detail::is_token(h.name) || detail::is_owned_response_header(h.name)) continue;
    out.append(h.name).append(": ");
    for (char c : h.value)
      if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
    out.append("\r\n");
  }
  if (!no_body) detail::append_field(out, "Content-Length", std::to_string(response.body.size()));
  if (!keep_alive) detail::append_field(out, "Connection", "close");
  out.append("\r\n");
  if (!no_body) out.append(response.body);
  return out;
}

inline std::string_view continue_line() noexcept { return "HTTP/1.1 100 Continue\r\n\r\n"; }

}  // namespace upstate::http1
// ---- end include/upstate/http1/http1_serialize.hpp ----

// ---- begin include/upstate/http1/http1_parser.hpp ----
// ResponseParser and RequestParser (declared in http1.hpp) on llhttp.
//
// llhttp does the byte-level HTTP/1.1 work; detail::Engine adds what it
// leaves to its user: the size caps, one message at a time, 1xx interim
// answers, and errors as state instead of return codes. Two pauses
// structure `feed`:
//  - at the end of every head (on_headers_complete returns HPE_PAUSED), so
//    llhttp_get_error_pos tells exactly how many bytes the head took;
//  - at the end of the final message (on_message_complete), so the bytes of
//    the next message stay with the caller.
// The parsers are thin handles on a heap-allocated Engine, which never
// moves: llhttp_t keeps a pointer to it in `data`. A moved-from parser is
// safe to query: it reports `failed` (kind other) until reset(), which gives
// it a fresh engine with default Limits.
#include <llhttp.h>

namespace upstate::http1 {
namespace detail {

class Engine {
 public:
  Engine(llhttp_type_t type, Limits limits) : limits_(limits), type_(type) { reset(false); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void reset(bool head_request) {
    llhttp_init(&parser_, type_, &settings());
    parser_.data = this;
    // 1xx answers are parsed as messages of their own, and llhttp would treat
    // an HTTP/1.0 or "Connection: close" 1xx as the connection's last message
    // and swallow the final answer after it. Lenient keep-alive only changes
    // what llhttp does after a message; we stop at the final one ourselves.
    if (type_ == HTTP_RESPONSE) llhttp_set_lenient_keep_alive(&parser_, 1);
    head_request_ = head_request;
    state_ = ParseState::head;
    head_complete_ = saw_continue_ = keep_alive_ = false;
    received_ = final_head_ = false;
    head_bytes_ = trailer_bytes_ = 0;
    field_.clear();
    value_.clear();
    response_ = Response{};
    request_ = ParsedRequest{};
    error_ = TransportError{};
    oversized_.reset();
  }

  std::size_t feed(const char* data, std::size_t size);
  void finish();

  // What a moved-from parser reports instead of dereferencing null.
  static const Engine& moved_from(llhttp_type_t type) {
    static const Engine response(HTTP_RESPONSE, MovedFrom{}), request(HTTP_REQUEST, MovedFrom{});
    return type == HTTP_RESPONSE ? response : request;
  }

  ParseState state() const noexcept { return state_; }
  bool head_complete() const noexcept { return head_complete_; }
  bool saw_continue() const noexcept { return saw_continue_; }
  bool keep_alive() const noexcept { return state_ == ParseState::complete && keep_alive_; }
  const TransportError& error() const noexcept { return error_; }
  const Response& response() const noexcept { return response_; }
  const ParsedRequest& request() const noexcept { return request_; }
  const std::optional<Response>& oversized() const noexcept { return oversized_; }
  // Moves the message out; the parser stays `complete` (keep_alive() still
  // answers) until reset().
  Response take_response() { return std::exchange(response_, Response{}); }
  ParsedRequest take_request() { return std::exchange(request_, ParsedRequest{}); }

 private:
  struct MovedFrom {};
  Engine(llhttp_type_t type, MovedFrom) : Engine(type, Limits{}) {
    fail(TransportError::Kind::other, "this parser was moved from");
  }
  bool is_response() const noexcept { return type_ == HTTP_RESPONSE; }
  Headers& headers() noexcept { return is_response() ? response_.headers : request_.headers; }
  std::string& body() noexcept { return is_response() ? response_.body : request_.body; }
  const char* noun() const noexcept { return is_response() ? "answer" : "request"; }

  // A failed message is emptied: a partial answer is never mistaken for a
  // whole one, and what a failure leaves does not depend on how the bytes
  // were cut.
  void fail(TransportError::Kind kind, std::string message) {
    state_ = ParseState::failed;
    keep_alive_ = false;
    error_ = TransportError{kind, std::move(message)};
    response_ = Response{};
    request_ = ParsedRequest{};
    field_.clear();
    value_.clear();
  }
  void fail_head_cap() {
    fail(TransportError::Kind::protocol, "header section over " + std::to_string(limits_.max_header_bytes) + " bytes");
  }
  void fail_body_cap() {
    // The head is whole and passed its cap: keep it (without the body) so a
    // caller can still go by the status (an S3 403 with a huge body is a
    // refusal, not a transport failure to retry).
    std::optional<Response> head;
    if (is_response() && final_head_) head = Response{response_.status, std::move(response_.headers), {}};
    fail(TransportError::Kind::protocol, "body over " + std::to_string(limits_.max_body_bytes) + " bytes");
    oversized_ = std::move(head);
  }
  void fail_closed() {
    std::string where = !received_ ? std::string("before ") + (is_response() ? "an answer" : "a request")
                        : !head_complete_ ? std::string("in the ") + noun() + "'s head"
                                          : std::string("in the ") + noun() + "'s body";
    fail(TransportError::Kind::closed, "connection closed " + where);
  }
  void fail_llhttp(llhttp_errno_t err) {
    if (err == HPE_INVALID_EOF_STATE) return fail_closed();
    const char* reason = llhttp_get_error_reason(&parser_);
    fail(TransportError::Kind::protocol, std::string("malformed HTTP/1.1 ") + noun() + ": " +
                                             (reason ? reason : "parse error") + " (" + llhttp_errno_name(err) + ")");
  }

  // Trailer fields (after a chunked body) are read and dropped: nothing here
  // uses them, and merging them into the head would let the end of a body
  // rewrite its headers. Their names' and values' bytes count toward the
  // header cap, with the head's.
  bool in_trailers() const noexcept { return head_complete_; }
  bool count_trailer(std::size_t n) {
    trailer_bytes_ += n;
    if (head_bytes_ + trailer_bytes_ <= limits_.max_header_bytes) return true;
    fail_head_cap();
    return false;
  }

  // RFC 9110 5.5: optional whitespace around a field value is not part of it.
  static std::string trimmed(const std::string& v) {
    std::size_t b = 0, e = v.size();
    while (b < e && (v[b] == ' ' || v[b] == '\t')) ++b;
    while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
    return v.substr(b, e - b);
  }

  static Engine& self(llhttp_t* p) noexcept { return *static_cast<Engine*>(p->data); }
  static const llhttp_settings_t& settings() noexcept;

  static int on_method(llhttp_t* p, const char* at, std::size_t n) {
    self(p).request_.method.append(at, n);
    return 0;
  }
  static int on_url(llhttp_t* p, const char* at, std::size_t n) {
    self(p).request_.target.append(at, n);
    return 0;
  }
  static int on_header_field(llhttp_t* p, const char* at, std::size_t n) {
    Engine& e = self(p);
    if (e.in_trailers()) return e.count_trailer(n) ? 0 : HPE_USER;
    e.field_.append(at, n);
    return 0;
  }
  // llhttp (loose build) lets a space into a field name ("Content-Length :");
  // RFC 9112 5.1 says to reject that: two parsers could frame it differently.
  static int on_header_field_complete(llhttp_t* p) {
    Engine& e = self(p);
    if (e.in_trailers() || is_token(e.field_)) return 0;
    e.fail(TransportError::Kind::protocol, std::string("malformed HTTP/1.1 ") + e.noun() + ": header name is not a token");
    return -1;
  }
  static int on_header_value(llhttp_t* p, const char* at, std::size_t n) {
    Engine& e = self(p);
    if (e.in_trailers()) return e.count_trailer(n) ? 0 : HPE_USER;
    e.value_.append(at, n);
    return 0;
  }
  static int on_header_value_complete(llhttp_t* p) {
    Engine& e = self(p);
    if (e.in_trailers()) return 0;
    e.headers().push_back(Header{std::move(e.field_), trimmed(e.value_)});
    e.field_.clear();
    e.value_.clear();
    return 0;
  }
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, std::size_t n) {
    Engine& e = self(p);
    std::string& b = e.body();
    // Checked before appending: never hold a byte beyond the cap.
    if (n > e.limits_.max_body_bytes - b.size()) {
      e.fail_body_cap();
      return HPE_USER;
    }
    b.append(at, n);
    return 0;
  }
  static int on_message_complete(llhttp_t* p) {
    Engine& e = self(p);
    if (!e.final_head_) return 0;  // a 1xx interim answer (its headers already dropped): read on
    e.keep_alive_ = llhttp_should_keep_alive(p) != 0;  // needs this message's flags: read before llhttp resets them
    if (!e.is_response()) e.request_.keep_alive = e.keep_alive_;
    e.state_ = ParseState::complete;
    return HPE_PAUSED;
  }

  Limits limits_;
  llhttp_type_t type_;
  std::optional<Response> oversized_;  // the head of an answer whose body went over the cap
  llhttp_t parser_{};
  bool head_request_ = false;
  ParseState state_ = ParseState::head;
  bool head_complete_ = false;  // the final head is in and passed the cap
  bool final_head_ = false;     // llhttp finished a non-1xx head (the cap is checked after)
  bool saw_continue_ = false;
  bool keep_alive_ = false;
  bool received_ = false;
  std::size_t head_bytes_ = 0;     // all head bytes since reset(), 1xx heads included
  std::size_t trailer_bytes_ = 0;
  std::string field_, value_;      // the header being read; llhttp may hand it over in pieces
  Response response_;
  ParsedRequest request_;
  TransportError error_;
};

inline const llhttp_settings_t& Engine::settings() noexcept {
  static const llhttp_settings_t s = [] {
    llhttp_settings_t x;
    llhttp_settings_init(&x);
    x.on_method = &Engine::on_method;
    x.on_url = &Engine::on_url;
    x.on_header_field = &Engine::on_header_field;
    x.on_header_field_complete = &Engine::on_header_field_complete;
    x.on_header_value = &Engine::on_header_value;
    x.on_header_value_complete = &Engine::on_header_value_complete;
    x.on_headers_complete = &Engine::on_headers_complete;
    x.on_body = &Engine::on_body;
    x.on_message_complete = &Engine::on_message_complete;
    return x;
  }();
  return s;
}

inline int Engine::on_headers_complete(llhttp_t* p) {
  Engine& e = self(p);
  if (p->http_major != 1) {
    e.fail(TransportError::Kind::protocol, std::string("unsupported HTTP version in the ") + e.noun() + "'s head");
    return -1;
  }
  if (e.is_response()) {
    const int status = p->status_code;
    if (status < 100) {  // llhttp takes one or two digits; RFC 9110 15 wants three
      e.fail(TransportError::Kind::protocol, "malformed HTTP/1.1 answer: status code is not three digits");
      return -1;
    }
    if (status == 101) {  // we never ask to switch protocols; what follows is not HTTP/1.1
      e.fail(TransportError::Kind::protocol, "unexpected 101 Switching Protocols");
      return -1;
    }
    // Whatever their headers say, these have no body (RFC 9110 6.4.1); llhttp
    // knows it only for some. F_SKIPBODY is what returning 1 would set, which
    // we cannot return since we pause here.
    if (status < 200) {
      if (status == 100) e.saw_continue_ = true;
      e.headers().clear();
      p->flags |= F_SKIPBODY;
      return HPE_PAUSED;
    }
    e.response_.status = status;
    if (e.head_request_ || status == 204 || status == 304) p->flags |= F_SKIPBODY;
  } else {
    const std::string* expect = find_header(e.request_.headers, "Expect");
    e.request_.expect_continue = expect && iequals(*expect, "100-continue");
  }
  e.final_head_ = true;
  // A declared length over the cap fails now rather than after the bytes.
  const bool has_body = (p->flags & F_SKIPBODY) == 0;
  const bool by_length = (p->flags & F_CONTENT_LENGTH) != 0 && (p->flags & F_CHUNKED) == 0;
  if (has_body && by_length && p->content_length > e.limits_.max_body_bytes) {
    e.fail_body_cap();
    return -1;
  }
  // Room for the declared length at once (within the cap, checked above):
  // appended piece by piece, a 1.1 MB dataset answer grew through doublings,
  // its last copy holding 1 MB and 2 MB at once, the peak of a 10,000-file
  // batch (bench/README.md). Pages are touched only as the bytes arrive.
  if (has_body && by_length) e.body().reserve(static_cast<std::size_t>(p->content_length));
  return HPE_PAUSED;
}

inline std::size_t Engine::feed(const char* data, std::size_t size) {
  if (state_ == ParseState::complete || state_ == ParseState::failed) return 0;
  if (size > 0) received_ = true;
  std::size_t used = 0;
  bool resumed = false;
  // `resumed`: run llhttp once more after a head even with no bytes left, so
  // an answer without a body (204, HEAD, Content-Length: 0) completes now.
  while (used < size || resumed) {
    resumed = false;
    const bool in_head = !head_complete_;
    std::size_t n = size - used;
    // Never give llhttp more head than one byte over the cap: the header
    // strings stay bounded however large the caller's buffer is.
    if (in_head) {
      const std::size_t room = limits_.max_header_bytes - head_bytes_;
      if (room < n) n = room + 1;
    }
    const char* start = data + used;
    const llhttp_errno_t err = llhttp_execute(&parser_, start, n);
    const std::size_t took = err == HPE_PAUSED ? static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - start) : n;
    used += took;
    if (in_head) head_bytes_ += took;
    if (state_ == ParseState::complete || state_ == ParseState::failed) break;
    if (err == HPE_PAUSED) {  // at the end of a head
      if (head_bytes_ > limits_.max_header_bytes) {
        fail_head_cap();
        break;
      }
      if (final_head_) {
        head_complete_ = true;
        state_ = ParseState::body;
      }
      llhttp_resume(&parser_);
      resumed = true;
      continue;
    }
    if (err != HPE_OK) {
      fail_llhttp(err);
      break;
    }
    if (in_head && head_bytes_ > limits_.max_header_bytes) {
      fail_head_cap();
      break;
    }
  }
  // After an error nothing in this buffer is usable: it is all taken, so a
  // caller never loops on bytes the parser will not look at.
  return state_ == ParseState::failed ? size : used;
}

inline void Engine::finish() {
  if (state_ == ParseState::complete || state_ == ParseState::failed) return;
  // A close-delimited body ends here: llhttp calls on_message_complete, which
  // marks the message complete (and returns HPE_PAUSED, which is fine).
  const llhttp_errno_t err = llhttp_finish(&parser_);
  if (state_ == ParseState::complete || state_ == ParseState::failed) return;
  if (err != HPE_OK && err != HPE_PAUSED && err != HPE_INVALID_EOF_STATE) return fail_llhttp(err);
  fail_closed();
}

template <class Impl>
const Engine& engine_of(const std::unique_ptr<Impl>& impl, llhttp_type_t type) noexcept {
  return impl ? impl->engine : Engine::moved_from(type);
}

}  // namespace detail

struct ResponseParser::Impl {
  explicit Impl(Limits limits) : engine(HTTP_RESPONSE, limits) {}
  detail::Engine engine;
};

inline ResponseParser::ResponseParser(Limits limits) : impl_(std::make_unique<Impl>(limits)) {}
inline ResponseParser::~ResponseParser() = default;
inline ResponseParser::ResponseParser(ResponseParser&&) noexcept = default;
inline ResponseParser& ResponseParser::operator=(ResponseParser&&) noexcept = default;

inline void ResponseParser::reset(bool head_request) {
  if (!impl_) impl_ = std::make_unique<Impl>(Limits{});
  impl_->engine.reset(head_request);
}
inline std::size_t ResponseParser::feed(const char* data, std::size_t size) {
  return impl_ ? impl_->engine.feed(data, size) : 0;
}
inline void ResponseParser::finish() {
  if (impl_) impl_->engine.finish();
}
inline ParseState ResponseParser::state() const noexcept { return detail::engine_of(impl_, HTTP_RESPONSE).state(); }
inline bool ResponseParser::head_complete() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).head_complete();
}
inline bool ResponseParser::saw_continue() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).saw_continue();
}
inline int ResponseParser::status() const noexcept { return detail::engine_of(impl_, HTTP_RESPONSE).response().status; }
inline const Response& ResponseParser::response() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).response();
}
inline Response ResponseParser::take_response() { return impl_ ? impl_->engine.take_response() : Response{}; }
inline bool ResponseParser::keep_alive() const noexcept { return detail::engine_of(impl_, HTTP_RESPONSE).keep_alive(); }
inline const TransportError& ResponseParser::error() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).error();
}
inline const std::optional<Response>& ResponseParser::oversized_answer() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).oversized();
}

struct RequestParser::Impl {
  explicit Impl(Limits limits) : engine(HTTP_REQUEST, limits) {}
  detail::Engine engine;
};

inline RequestParser::RequestParser(Limits limits) : impl_(std::make_unique<Impl>(limits)) {}
inline RequestParser::~RequestParser() = default;
inline RequestParser::RequestParser(RequestParser&&) noexcept = default;
inline RequestParser& RequestParser::operator=(RequestParser&&) noexcept = default;

inline void RequestParser::reset() {
  if (!impl_) impl_ = std::make_unique<Impl>(Limits{});
  impl_->engine.reset(false);
}
inline std::size_t RequestParser::feed(const char* data, std::size_t size) {
  return impl_ ? impl_->engine.feed(data, size) : 0;
}
inline void RequestParser::finish() {
  if (impl_) impl_->engine.finish();
}
inline ParseState RequestParser::state() const noexcept { return detail::engine_of(impl_, HTTP_REQUEST).state(); }
inline bool RequestParser::head_complete() const noexcept {
  return detail::engine_of(impl_, HTTP_REQUEST).head_complete();
}
inline const ParsedRequest& RequestParser::request() const noexcept {
  return detail::engine_of(impl_, HTTP_REQUEST).request();
}
inline ParsedRequest RequestParser::take_request() { return impl_ ? impl_->engine.take_request() : ParsedRequest{}; }
inline const TransportError& RequestParser::error() const noexcept {
  return detail::engine_of(impl_, HTTP_REQUEST).error();
}

}  // namespace upstate::http1
// ---- end include/upstate/http1/http1_parser.hpp ----
// ---- end include/upstate/http1/http1.hpp ----

// ---- begin include/upstate/asio/sigpipe_guard.hpp ----
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
// ---- end include/upstate/asio/sigpipe_guard.hpp ----

namespace upstate::asio {

struct SessionOptions {
  std::string ca_file;                    // extra trusted CA certificates (PEM), on top of the system's
  bool use_system_cas = true;
  Duration connect_timeout{10000};        // resolve + connect + TLS handshake
  Duration idle_timeout{30000};           // no byte moved either way for this long: a stall
  Duration api_request_timeout{60000};    // whole-request cap for API calls (small answers)
  Duration continue_timeout{1000};        // wait this long for "100 Continue", then send anyway (RFC 9110 §10.1.1)
  // The one body buffer (memory does not grow with the file) and how much of
  // it one read fills. Measured, 1 GiB into nginx on loopback (bench/README.md):
  // plain http 256 KiB reads 1.22 s median vs 64 KiB 1.42 s. TLS: 64 KiB
  // beat 256 KiB with AES-128 (1.96 s vs 2.31 s) but not clearly with
  // AES-256, and that was before the buffer was page-aligned: the TLS
  // figure is a weak preference, not a finding.
  std::size_t chunk_size = 256 * 1024;
  std::size_t tls_chunk_size = 64 * 1024;
  // Plain http: sendfile(2) or the buffer; automatic = sendfile unless the
  // peer is on loopback, where the buffer measured faster (file_send.hpp).
  FileSend file_send = FileSend::automatic;
  // Plain http only: TCP_NOTSENT_LOWAT, so the socket counts as writable
  // only while less than this much of what we wrote is still unsent (0 = the
  // kernel's default, no limit). A small backlog means our own write calls
  // transmit the body; a backlog of megabytes gets transmitted from the
  // peer's ACK processing, on loopback in the receiver's time, and there the
  // receiver sets the pace. Measured, 1 GiB into nginx on loopback: 1.09-1.17 s
  // median with 128 KiB against 1.26-1.36 s without. Not with TLS: there our
  // encryption sets the pace and the limit cost 0.1-0.2 s per GiB. In-flight
  // data (the congestion window) is not limited either way.
  std::size_t unsent_low_water = 128 * 1024;
  http1::Limits api_limits{};             // API answers: 64 KiB head, 16 MiB body at most...
  http1::Limits upload_limits{64 * 1024, 64 * 1024};  // S3 answers are small XML
  BodyCaps body_caps;                     // ...and each kind of answer its own, smaller cap
};

// Best effort: where the option does not exist, the kernel's default stays.
inline void set_unsent_low_water(::asio::ip::tcp::socket& socket, std::size_t bytes) {
#ifdef TCP_NOTSENT_LOWAT
  if (bytes == 0) return;
  const int value = static_cast<int>(std::min<std::size_t>(bytes, 1u << 30));
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &value, sizeof value);
#else
  (void)socket;
  (void)bytes;
#endif
}

class HttpSession {
 public:
  using Done = std::function<void(Exchange)>;
  using BodyProgress = std::function<void(std::uint64_t sent, std::uint64_t total)>;

  HttpSession(::asio::io_context& io, SessionOptions options)
      : io_(io),
        options_(std::move(options)),
        tls_(::asio::ssl::context::tls_client),
        resolver_(io),
        watchdog_(io),
        continue_timer_(io),
        read_buffer_(16 * 1024),
        chunk_(std::max<std::size_t>({options_.chunk_size, options_.tls_chunk_size, 4096})) {
    SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION);
    ::asio::error_code ec;
    if (!options_.ca_file.empty()) {
      tls_.load_verify_file(options_.ca_file, ec);
      if (ec) setup_error_ = "cannot load CA file " + options_.ca_file + ": " + ec.message();
    }
  }

  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;
  ~HttpSession() { cancel(); }

  // Empty when the session can work (the CA file loaded).
  const std::string& setup_error() const noexcept { return setup_error_; }

  // Performs `request`; for a request with a FileBody, `file` supplies the
  // bytes. `done` gets the answer or the transport failure exactly once,
  // unless cancel() comes first. No wait of the exchange lasts past
  // `give_up_at` (the upload's deadline): then it fails with a timeout.
  void exchange(Request request, const FileSource* file, BodyProgress progress, Done done,
                Clock::time_point give_up_at = Clock::time_point::max()) {
    abandon();
    op_ = Op{};
    op_.give_up_at = give_up_at;
    op_.request = std::move(request);
    op_.file = file;
    op_.progress = std::move(progress);
    op_.done = std::move(done);
    op_.started = Clock::now();
    start(++generation_);
  }

  // Abandons the exchange in flight (its `done` is not called) and closes
  // its connection.
  void cancel() {
    abandon();
    close_idle();
  }

  void close_idle() {
    for (auto& entry : idle_) entry.second->close();
    idle_.clear();
  }

 private:
  struct Op {
    Request request;
    Url url;
    std::string head;
    const FileSource* file = nullptr;
    BodyProgress progress;
    Done done;
    std::shared_ptr<Connection> conn;
    std::optional<http1::ResponseParser> parser;
    Clock::time_point started;
    Clock::time_point give_up_at = Clock::time_point::max();
    std::uint64_t body_size = 0;
    std::uint64_t sent = 0;
    bool reused = false;         // on a kept-alive connection
    bool retried_fresh = false;  // already retried once on a fresh connection
    bool body_started = false;
    bool body_done = false;
    bool answer_bytes = false;   // any byte of the answer arrived
    bool leftover = false;       // bytes after the answer: do not reuse
    bool expect_continue = true; // the PUT asks "Expect: 100-continue" (until a 417 says not to)
  };

  void abandon() {
    ++generation_;
    resolver_.cancel();
    watchdog_.cancel();
    continue_timer_.cancel();
    if (op_.conn) op_.conn->close();
    op_.conn.reset();
  }

  bool stale(std::uint64_t gen) const noexcept { return gen != generation_; }

  void start(std::uint64_t gen) {
    if (!setup_error_.empty()) return fail(gen, TransportError::Kind::tls, setup_error_);
    auto url = parse_url(op_.request.url);
    if (!url) return fail(gen, TransportError::Kind::other, "not an absolute http(s) URL");
    op_.url = std::move(*url);
    op_.body_size = op_.request.file ? op_.request.file->size : 0;
    if (op_.request.file && (!op_.file || !op_.file->is_open()))
      return fail(gen, TransportError::Kind::local_file, "no file to send");
    op_.expect_continue = op_.request.file && op_.body_size > 0;
    if (!serialize_head(gen)) return;

    const std::string origin = op_.url.scheme + "://" + op_.url.authority();
    auto idle = idle_.find(origin);
    if (idle != idle_.end()) {
      op_.conn = std::move(idle->second);
      idle_.erase(idle);
      op_.reused = true;
      return send_head(gen);
    }
    connect(gen, origin);
  }

  bool serialize_head(std::uint64_t gen) {
    http1::HeadOptions head;
    if (op_.request.file) head.content_length = op_.body_size;
    head.expect_continue = op_.expect_continue;
    auto serialized = http1::serialize_request_head(op_.request, op_.url, head);
    if (!serialized) {
      fail(gen, TransportError::Kind::other, serialized.error().message);
      return false;
    }
    op_.head = std::move(serialized.value());
    return true;
  }

  void connect(std::uint64_t gen, const std::string& origin) {
    op_.conn = std::make_shared<Connection>(io_, origin);
    op_.reused = false;
    arm_watchdog(gen, options_.connect_timeout, "connect");
    // Every handler on the connection holds a reference to it: abandon()
    // (a deadline, a cancel) drops op_.conn while Asio's composed operations
    // (range connect, TLS handshake, async_write) still touch its socket on
    // their way to the aborted handler (an ASan use-after-free, seen in
    // integration.one_deadline under load).
    resolver_.async_resolve(
        op_.url.host, std::to_string(op_.url.port),
        [this, gen, conn = op_.conn](const ::asio::error_code& ec, ::asio::ip::tcp::resolver::results_type results) {
          if (stale(gen)) return;
          if (ec) return fail(gen, TransportError::Kind::connect, "cannot resolve " + op_.url.host + ": " + ec.message());
          ::asio::async_connect(
              conn->socket(), results, [this, gen, conn](const ::asio::error_code& error, const ::asio::ip::tcp::endpoint&) {
                if (stale(gen)) return;
                if (error)
                  return fail(gen, TransportError::Kind::connect,
                              "cannot connect to " + op_.url.authority() + ": " + error.message());
                ::asio::error_code ignored;
                op_.conn->socket().set_option(::asio::ip::tcp::no_delay(true), ignored);
                if (!op_.url.is_https()) {
                  set_unsent_low_water(op_.conn->socket(), options_.unsent_low_water);
                  return send_head(gen);
                }
                load_system_cas();
                op_.conn->use_tls(tls_, op_.url.host);
                conn->tls().async_handshake(::asio::ssl::stream_base::client,
                                                [this, gen, conn](const ::asio::error_code& hs) {
                                                  if (stale(gen)) return;
                                                  if (!hs) return send_head(gen);
                                                  std::string why = op_.conn->verify_failure();
                                                  fail(gen, TransportError::Kind::tls,
                                                       why.empty() ? "TLS handshake with " + op_.url.authority() +
                                                                         " failed: " + hs.message()
                                                                   : "certificate verification failed for " +
                                                                         op_.url.host + ": " + why);
                                                });
              });
        });
  }

  // The system CA store costs 25-55 ms to parse (measured: bench/run's
  // 16 MiB plain PUT): read on the first TLS connection only, so plain-http
  // uploads (loopback, tests) never pay for it.
  void load_system_cas() {
    if (system_cas_loaded_ || !options_.use_system_cas) return;
    system_cas_loaded_ = true;
    ::asio::error_code ignored;  // no system store: verification then fails, as it should
    tls_.set_default_verify_paths(ignored);
  }

  void send_head(std::uint64_t gen) {
    touch(gen);
    http1::Limits limits = op_.request.purpose == Purpose::upload ? options_.upload_limits : options_.api_limits;
    limits.max_body_bytes = std::min(limits.max_body_bytes, options_.body_caps.for_purpose(op_.request.purpose));
    op_.parser.emplace(limits);
    if (op_.request.method == "HEAD") op_.parser->reset(true);
    ::asio::async_write(*op_.conn, ::asio::buffer(op_.head), [this, gen, conn = op_.conn](const ::asio::error_code& ec, std::size_t) {
      if (stale(gen)) return;
      if (ec) return fail_io(gen, ec);
      touch(gen);
      read_more(gen);
      if (!op_.request.file || op_.body_size == 0) {
        op_.body_done = true;
        return;
      }
      if (!op_.expect_continue) return begin_body(gen);
      // Let the server refuse (expired URL, bad signature) before we send
      // gigabytes; an old server that never says 100 gets the body anyway.
      continue_timer_.expires_after(options_.continue_timeout);
      continue_timer_.async_wait([this, gen](const ::asio::error_code& error) {
        if (!error && !stale(gen)) begin_body(gen);
      });
    });
  }

  void begin_body(std::uint64_t gen) {
    if (op_.body_started || op_.parser->head_complete()) return;
    op_.body_started = true;
    continue_timer_.cancel();
    if (!op_.conn->is_tls()) {
      ::asio::error_code ec;
      const auto peer = op_.conn->socket().remote_endpoint(ec);
      if (!ec && upstate::asio::use_sendfile(options_.file_send, peer.address())) return send_file(gen);
    }
    send_chunk(gen);
  }

  // sendfile(2) on the non-blocking socket until the send buffer is full
  // (EAGAIN), then wait for writability: no user-space copy and no buffer
  // of ours. At most kSendfileBurst calls per wakeup, so other work on the
  // event loop still runs while a fast link keeps the buffer draining.
  // (256 KiB per call: measured on loopback into nginx, 4 MiB calls and one
  // call per wakeup were no faster. Not used on loopback by default: see
  // file_send.hpp.)
  void send_file(std::uint64_t gen) {
    auto& socket = op_.conn->socket();
    ::asio::error_code ec;
    socket.native_non_blocking(true, ec);
    if (ec) return fail_io(gen, ec);
    for (int calls = 0; calls < kSendfileBurst;) {
      const std::uint64_t left = op_.body_size - op_.sent;
      auto offset = static_cast<off_t>(op_.sent);
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, kSendfileMax));
      ssize_t n;
      int err = 0;
      {
        SigpipeGuard guard;
        n = ::sendfile(socket.native_handle(), op_.file->fd(), &offset, want);
        err = n < 0 ? errno : 0;
        if (err == EPIPE) guard.consume_raised();
      }
      if (n > 0) {
        if (calls == 0) touch(gen);  // the stall timer: once per wakeup is enough
        op_.sent += static_cast<std::uint64_t>(n);
        if (op_.progress) op_.progress(op_.sent, op_.body_size);
        if (op_.sent >= op_.body_size) {
          op_.body_done = true;  // the answer is read_more's to deliver
          return;
        }
        ++calls;
        continue;
      }
      if (n == 0) return fail(gen, TransportError::Kind::local_file, "the file shrank while it was being sent");
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      // A file system or socket sendfile does not serve: the buffered path.
      if ((err == EINVAL || err == ENOSYS) && op_.sent == 0) return send_chunk(gen);
      return fail_io(gen, ::asio::error_code(err, ::asio::error::get_system_category()));
    }
    socket.async_wait(::asio::ip::tcp::socket::wait_write, [this, gen, conn = op_.conn](const ::asio::error_code& error) {
      if (stale(gen)) return;
      if (error) return fail_io(gen, error);
      send_file(gen);
    });
  }

  static constexpr std::uint64_t kSendfileMax = 256u << 10;
  static constexpr int kSendfileBurst = 16;

  void send_chunk(std::uint64_t gen) {
    const std::uint64_t left = op_.body_size - op_.sent;
    const std::size_t read_size =
        std::max<std::size_t>(op_.conn->is_tls() ? options_.tls_chunk_size : options_.chunk_size, 4096);
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, read_size));
    long got = op_.file->read_at(chunk_.data(), want, op_.sent);
    if (got <= 0)
      return fail(gen, TransportError::Kind::local_file,
                  got == 0 ? "the file shrank while it was being sent" : "cannot read the file");
    ::asio::async_write(*op_.conn, ::asio::buffer(chunk_.data(), static_cast<std::size_t>(got)),
                        [this, gen, conn = op_.conn](const ::asio::error_code& ec, std::size_t written) {
                          if (stale(gen)) return;
                          if (ec) return fail_io(gen, ec);
                          touch(gen);
                          op_.sent += written;
                          if (op_.progress) op_.progress(op_.sent, op_.body_size);
                          if (op_.sent >= op_.body_size) {
                            op_.body_done = true;  // the answer is read_more's to deliver
                            return;
                          }
                          send_chunk(gen);
                        });
  }

  void read_more(std::uint64_t gen) {
    op_.conn->async_read_some(::asio::buffer(read_buffer_), [this, gen, conn = op_.conn](const ::asio::error_code& ec, std::size_t n) {
      if (stale(gen)) return;
      if (n > 0) {
        touch(gen);
        op_.answer_bytes = true;
        std::size_t used = op_.parser->feed(read_buffer_.data(), n);
        if (used < n && op_.parser->state() == http1::ParseState::complete) op_.leftover = true;
      } else if (ec == ::asio::error::eof || ec == ::asio::ssl::error::stream_truncated) {
        op_.parser->finish();
      } else if (ec) {
        return fail_io(gen, ec);
      }
      switch (op_.parser->state()) {
        case http1::ParseState::failed: {
          // An error answer whose body is too big to read still says what
          // it is by its status: a final refusal (an S3 403 with a huge
          // body) must not become a transport failure that is retried and
          // sends the whole file again. Delivered with an empty body.
          if (const auto& head = op_.parser->oversized_answer(); head && head->status >= 400) {
            Response answer = *head;
            return finish(gen, Exchange{std::move(answer)}, false);
          }
          TransportError e = op_.parser->error();
          if (e.kind == TransportError::Kind::closed && !op_.answer_bytes) return fail_io(gen, ::asio::error::eof);
          return fail(gen, e.kind, e.message);
        }
        case http1::ParseState::complete:
          // An early final answer (a refusal) ends the body too.
          if (!op_.body_done) op_.leftover = true;
          return deliver(gen);
        default:
          if (op_.parser->saw_continue() && !op_.body_started && op_.request.file) begin_body(gen);
          if (ec) return fail_io(gen, ::asio::error::eof);
          return read_more(gen);
      }
    });
  }

  void deliver(std::uint64_t gen) {
    // 417 Expectation Failed: this server (or a proxy) refuses
    // "Expect: 100-continue" itself. Once per exchange, the PUT goes again
    // without it on a fresh connection (RFC 9110 10.1.1).
    if (op_.parser->status() == 417 && op_.expect_continue && op_.request.file) return resend_without_expect(gen);
    Response response = op_.parser->take_response();
    const bool reuse = op_.parser->keep_alive() && op_.body_done && !op_.leftover;
    finish(gen, Exchange{std::move(response)}, reuse);
  }

  void resend_without_expect(std::uint64_t gen) {
    if (stale(gen)) return;
    op_.expect_continue = false;
    const std::string origin = op_.conn->origin();
    op_.conn->close();
    op_.sent = 0;
    op_.body_started = op_.body_done = op_.leftover = op_.answer_bytes = false;
    const std::uint64_t next = ++generation_;
    watchdog_.cancel();
    continue_timer_.cancel();
    if (!serialize_head(next)) return;
    connect(next, origin);
  }

  void fail_io(std::uint64_t gen, const ::asio::error_code& ec) {
    using K = TransportError::Kind;
    K kind = K::other;
    if (ec == ::asio::error::eof || ec == ::asio::ssl::error::stream_truncated)
      kind = K::closed;
    else if (ec == ::asio::error::connection_reset || ec == ::asio::error::broken_pipe ||
             ec == ::asio::error::connection_aborted)
      kind = K::reset;
    // A kept-alive connection the server had already closed: try once more
    // on a fresh one before telling the machine (GET and PUT are idempotent).
    if (op_.reused && !op_.retried_fresh && !op_.answer_bytes && (kind == K::closed || kind == K::reset)) {
      op_.retried_fresh = true;
      op_.conn->close();
      op_.sent = 0;
      op_.body_started = op_.body_done = op_.leftover = false;
      const std::string origin = op_.conn->origin();
      const std::uint64_t next = ++generation_;
      watchdog_.cancel();
      continue_timer_.cancel();
      return connect(next, origin);
    }
    fail(gen, kind, ec.message());
  }

  void fail(std::uint64_t gen, TransportError::Kind kind, std::string message) {
    finish(gen, Exchange{TransportError{kind, std::move(message)}}, false);
  }

  void finish(std::uint64_t gen, Exchange result, bool reuse) {
    if (stale(gen)) return;
    ++generation_;
    watchdog_.cancel();
    continue_timer_.cancel();
    if (op_.conn) {
      if (reuse) {
        auto& slot = idle_[op_.conn->origin()];
        if (slot) slot->close();
        slot = std::move(op_.conn);
      } else {
        op_.conn->close();
      }
      op_.conn.reset();
    }
    Done done = std::move(op_.done);
    if (done) done(std::move(result));
  }

  // The stall timer: re-armed whenever a byte moves. API requests are also
  // capped as a whole; the PUT is not (a slow link on a big file is fine
  // as long as it moves).
  void touch(std::uint64_t gen) {
    auto now = Clock::now();
    auto until = now + options_.idle_timeout;
    if (op_.request.purpose != Purpose::upload) until = std::min(until, op_.started + options_.api_request_timeout);
    arm_watchdog_at(gen, until, "idle");
  }

  void arm_watchdog(std::uint64_t gen, Duration d, const char* what) { arm_watchdog_at(gen, Clock::now() + d, what); }

  void arm_watchdog_at(std::uint64_t gen, Clock::time_point until, const char* what) {
    if (op_.give_up_at < until) {
      until = op_.give_up_at;
      what = "deadline";
    }
    watchdog_.expires_at(until);
    watchdog_.async_wait([this, gen, what](const ::asio::error_code& ec) {
      if (ec || stale(gen)) return;
      fail(gen, TransportError::Kind::timeout,
           std::string(what) + " timeout talking to " + op_.url.authority());
    });
  }

  ::asio::io_context& io_;
  SessionOptions options_;
  ::asio::ssl::context tls_;
  bool system_cas_loaded_ = false;
  ::asio::ip::tcp::resolver resolver_;
  ::asio::steady_timer watchdog_;
  ::asio::steady_timer continue_timer_;
  std::vector<char> read_buffer_;
  PageBuffer chunk_;
  std::map<std::string, std::shared_ptr<Connection>> idle_;
  std::string setup_error_;
  std::uint64_t generation_ = 0;
  Op op_;
};

}  // namespace upstate::asio
// ---- end include/upstate/asio/http_session.hpp ----

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

// ---- begin include/upstate/asio/batch_client.hpp ----
// upstate::asio::BatchClient — runs an upstate::Batch on the caller's
// asio::io_context. Each request the batch hands out goes to a free lane
// (an HttpSession with its kept-alive connections, and the file being
// PUT); at most max_in_flight lanes are ever busy, since the batch never
// has more requests out. One steady_timer serves every sleeping file; each
// event is fed back with the steady clock's time. Included by client.hpp.

namespace upstate::detail {
// "PATH has N bytes, not the M the batch was made for": a file whose size
// changed since the batch was made (the check at the start, the PUT's, and
// the CLI journal's before the start all say it the same way).
inline std::string size_changed(const std::string& label, std::uint64_t size, std::uint64_t expected) {
  return label + " has " + std::to_string(size) + " bytes, not the " + std::to_string(expected) +
         " the batch was made for";
}
}  // namespace upstate::detail

namespace upstate::asio {

struct BatchClientOptions {
  SessionOptions session;  // every lane's
  // Per file: the phase and the PUT's bytes (never going down, as Client's).
  std::function<void(std::size_t file, const Progress&)> on_progress;
  // Sees every request before it goes out (logging, status lines).
  std::function<void(const Batch&, const BatchSend&)> on_send;
  // A file's outcome as soon as that file ends, before the batch is done.
  // Batch::upload(file) is still readable then, with stream_outcomes too
  // (the outcome was pulled with next_finished: keep what you need of it).
  std::function<void(std::size_t file, const Outcome&)> on_file_done;
  // start(paths): whether every path is opened once at the start to check
  // it (see start). false when the caller has just checked them itself
  // (the CLI's journal plan stat'ed and read every file: 4 syscalls a file
  // saved); then a path that cannot be opened at its PUT, or whose size is
  // no longer the batch's, ends that file with a final
  // TransportError::Kind::local_file.
  bool check_paths_at_start = true;
  // Asked before each request goes out (after on_send): false holds it
  // until release_held() finds it may go (the CLI's journal holds a PUT
  // until its import's record is fdatasync'ed, off the loop). A held
  // request counts as in flight for the batch; cancel drops it.
  std::function<bool(const Batch&, const BatchSend&)> may_send;
  // start(paths): asked at each PUT of a file for a descriptor the caller
  // has opened already (moved out: the client closes it when the PUT
  // ends); an unopened FileSource and the client opens the path. The CLI's
  // journal hands over the descriptor it read the file's hash through, so
  // a file is opened once, not twice (open and close were ~5 us a file).
  // A retried PUT asks again.
  std::function<FileSource(std::size_t file)> opened_file;
};

class BatchClient {
 public:
  BatchClient(::asio::io_context& io, BatchClientOptions options = {})
      : io_(io), options_(std::move(options)), timer_(io) {}

  BatchClient(const BatchClient&) = delete;
  BatchClient& operator=(const BatchClient&) = delete;

  // Runs `batch` (which must outlive the run); paths[i] holds the bytes of
  // the batch's file i. A path that cannot be opened, or whose size is not
  // the one the batch was made with, ends that file with invalid_argument
  // before any request; the others run. `on_done` gets the outcome once,
  // never from inside start(), by reference to the batch's own (the batch
  // holds it: copy what you keep; a batch's reports can be megabytes). Call
  // from the io_context's thread (or before it runs).
  void start(Batch& batch, std::vector<std::string> paths, std::function<void(const BatchOutcome&)> on_done) {
    paths_ = std::move(paths);
    begin(batch, std::move(on_done));
  }

  // The same with files the caller opened (FileSource::open or adopt) and
  // keeps: files[i] is file i's, borrowed until `on_done` (never closed
  // here); nullptr for a file the caller already refused (Batch::refuse_file).
  // Every PUT of a file reads its one descriptor. (A name of its own: an
  // overload would make `start(batch, {}, ...)` ambiguous.)
  void start_with_files(Batch& batch, std::vector<const FileSource*> files, std::function<void(const BatchOutcome&)> on_done) {
    sources_ = std::move(files);
    borrowed_ = true;
    begin(batch, std::move(on_done));
  }

  // Ends the run: every unfinished file with ErrorCode::cancelled (the
  // requests in flight are abandoned, their connections closed).
  void cancel() {
    if (!batch_ || finished_) return;
    batch_->cancel(Clock::now());
    pump();
  }

  // Sends the held requests (may_send) that may go now, in the order they
  // were held; the others stay held. Call from the io_context's thread.
  void release_held() {
    if (finished_ || held_.empty()) return;
    if (pumping_) {  // not from inside the loop's own round: after it
      ::asio::post(io_, [this] { release_held(); });
      return;
    }
    pumping_ = true;
    std::vector<BatchSend> waiting;
    waiting.swap(held_);
    for (BatchSend& send : waiting) {
      if (options_.may_send(*batch_, send)) transmit(std::move(send));
      else held_.push_back(std::move(send));
    }
    pumping_ = false;
    pump();
  }
  std::size_t held() const noexcept { return held_.size(); }

  const Progress& progress(std::size_t file) const { return progress_.at(file); }
  // Lanes made so far: never more than the batch's max_in_flight.
  std::size_t lanes() const noexcept { return lanes_.size(); }

 private:
  void begin(Batch& batch, std::function<void(const BatchOutcome&)> on_done) {
    batch_ = &batch;
    on_done_ = std::move(on_done);
    const std::size_t n = batch.file_count();
    progress_.assign(n, Progress{});
    reported_.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) {
      progress_[i].total = batch.file(i).size;
      if (batch.file_ended(i)) continue;  // refused by the caller already
      if (!borrowed_ && !options_.check_paths_at_start) continue;  // checked at its PUT
      if (auto problem = check_file(i)) batch.refuse_file(i, Error::invalid_argument(*problem));
    }
    batch.start(Clock::now());
    ::asio::post(io_, [this] { pump(); });
  }

  // One exchange at a time: a session, and the file its PUT streams.
  struct Lane {
    explicit Lane(::asio::io_context& io, const SessionOptions& options) : session(io, options) {}
    HttpSession session;
    FileSource file;
    std::optional<Ticket> ticket;  // the request it carries
  };

  std::optional<std::string> check_file(std::size_t i) const {
    const std::uint64_t expected = batch_->file(i).size;
    auto mismatch = [&](const std::string& label, std::uint64_t size) -> std::optional<std::string> {
      if (size == expected) return std::nullopt;
      return upstate::detail::size_changed(label, size, expected);
    };
    if (borrowed_) {
      if (i >= sources_.size() || !sources_[i] || !sources_[i]->is_open())
        return "no open file was given for file " + std::to_string(i);
      return mismatch("file " + std::to_string(i), sources_[i]->size());
    }
    if (i >= paths_.size()) return "no path was given for file " + std::to_string(i);
    FileSource probe;
    std::string error;
    if (!probe.open(paths_[i], error)) return error;
    return mismatch(paths_[i], probe.size());
  }

  // After every event: abort what the batch abandoned, send what it wants
  // sent, tell the callbacks, then finish or wait for the next wake. An
  // exchange that fails at once feeds the batch from inside perform(); that
  // nested call only asks this loop to go round again.
  void pump() {
    if (finished_) return;
    if (pumping_) {
      again_ = true;
      return;
    }
    pumping_ = true;
    do {
      again_ = false;
      while (auto ticket = batch_->next_abandoned()) abort(*ticket);
      while (auto send = batch_->next_send()) perform(std::move(*send));
      report();
    } while (again_);
    pumping_ = false;
    if (batch_->done()) return finish();
    arm_timer();
  }

  void perform(BatchSend send) {
    if (options_.on_send) options_.on_send(*batch_, send);
    if (options_.may_send && !options_.may_send(*batch_, send)) {
      held_.push_back(std::move(send));
      return;
    }
    transmit(std::move(send));
  }

  void transmit(BatchSend send) {
    Lane& lane = free_lane();
    lane.ticket = send.ticket;
    const std::size_t file = send.file;
    const bool is_put = send.request.file.has_value();
    const FileSource* body = nullptr;
    if (is_put && borrowed_) {
      body = file < sources_.size() ? sources_[file] : nullptr;  // checked at start: never null here
    } else if (is_put) {
      std::string error;
      const bool checked = options_.check_paths_at_start;
      if (options_.opened_file && file < paths_.size()) lane.file = options_.opened_file(file);
      if (file >= paths_.size() || (!lane.file.is_open() && !lane.file.open(paths_[file], error)) ||
          (!checked && lane.file.size() != batch_->file(file).size)) {
        error = !error.empty() || file >= paths_.size()
                    ? "cannot open the file: " + error
                    : upstate::detail::size_changed(paths_[file], lane.file.size(), batch_->file(file).size);
        lane.file.close();
        lane.ticket.reset();
        batch_->on_transport_error(
            send.ticket, TransportError{checked ? TransportError::Kind::other : TransportError::Kind::local_file, error},
            Clock::now());
        again_ = true;
        return;
      }
      body = &lane.file;
    }
    // A request never outlives its machine's deadline.
    Instant give_up_at = file == BatchSend::npos
                             ? (batch_->dataset_fetch() ? batch_->dataset_fetch()->deadline() : Instant::max())
                             : batch_->upload(file).deadline();
    Lane* carrier = &lane;
    const Ticket ticket = send.ticket;
    lane.session.exchange(
        std::move(send.request), body,
        [this, file](std::uint64_t sent, std::uint64_t total) {
          if (file >= progress_.size()) return;
          Progress& p = progress_[file];
          p.total = total;
          if (sent > p.bytes_sent) p.bytes_sent = sent;
          if (options_.on_progress) options_.on_progress(file, p);
        },
        [this, carrier, ticket](Exchange result) {
          if (carrier->ticket != ticket) return;
          carrier->ticket.reset();
          carrier->file.close();
          if (finished_) return;
          if (auto* response = std::get_if<Response>(&result))
            batch_->on_response(ticket, *response, Clock::now());
          else
            batch_->on_transport_error(ticket, std::get<TransportError>(result), Clock::now());
          pump();
        },
        give_up_at);
  }

  Lane& free_lane() {
    for (auto& lane : lanes_)
      if (!lane->ticket) return *lane;
    lanes_.push_back(std::make_unique<Lane>(io_, options_.session));
    return *lanes_.back();
  }

  void abort(Ticket ticket) {
    for (std::size_t i = 0; i < held_.size(); ++i)
      if (held_[i].ticket == ticket) {
        held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
        return;
      }
    for (auto& lane : lanes_) {
      if (lane->ticket != ticket) continue;
      lane->ticket.reset();
      lane->session.cancel();  // its `done` is not called
      lane->file.close();
    }
  }

  void arm_timer() {
    std::optional<Instant> wake = batch_->next_wake();
    if (wake == armed_) return;
    armed_ = wake;
    ++timer_generation_;
    if (!wake) {
      timer_.cancel();
      return;
    }
    timer_.expires_at(*wake);
    timer_.async_wait([this, generation = timer_generation_](const ::asio::error_code& ec) {
      if (ec == ::asio::error::operation_aborted || generation != timer_generation_ || finished_) return;
      armed_.reset();
      batch_->on_wake(Clock::now());  // a wake a little early is harmless
      pump();
    });
  }

  // Phase changes and ended files, to the callbacks. Only files the batch
  // has started can change (the rest end all at once when it stops), so the
  // scan covers the started ones not yet reported ended. With
  // stream_outcomes the ended ones come from next_finished.
  void report() {
    const std::size_t end = batch_->done() ? progress_.size() : batch_->started_files();
    if (batch_->config().stream_outcomes) {
      for (std::size_t i = report_from_; i < end; ++i)
        if (!batch_->file_ended(i) && batch_->upload(i).phase() != progress_[i].phase)
          set_phase(i, batch_->upload(i).phase());
      while (auto f = batch_->next_finished()) {
        if (f->file >= reported_.size()) continue;
        reported_[f->file] = true;
        if (progress_[f->file].phase != Phase::finished) set_phase(f->file, Phase::finished);
        if (options_.on_file_done) options_.on_file_done(f->file, f->outcome);
      }
      while (report_from_ < reported_.size() && reported_[report_from_]) ++report_from_;
      return;
    }
    for (std::size_t i = report_from_; i < end; ++i) {
      const Outcome* outcome = batch_->file_outcome(i);
      Phase phase = outcome ? Phase::finished : batch_->upload(i).phase();
      if (phase != progress_[i].phase) set_phase(i, phase);
      if (outcome && !reported_[i]) {
        reported_[i] = true;
        if (options_.on_file_done) options_.on_file_done(i, *outcome);
      }
    }
    while (report_from_ < reported_.size() && reported_[report_from_]) ++report_from_;
  }

  void set_phase(std::size_t i, Phase phase) {
    progress_[i].phase = phase;
    if (options_.on_progress) options_.on_progress(i, progress_[i]);
  }

  void finish() {
    finished_ = true;
    held_.clear();
    ++timer_generation_;
    timer_.cancel();
    for (auto& lane : lanes_) {
      lane->session.close_idle();
      lane->file.close();
    }
    auto done = std::move(on_done_);
    if (done) done(*batch_->outcome());
  }

  ::asio::io_context& io_;
  BatchClientOptions options_;
  ::asio::steady_timer timer_;
  Batch* batch_ = nullptr;
  std::vector<std::string> paths_;
  std::vector<const FileSource*> sources_;  // the caller's files (start_with_files)
  bool borrowed_ = false;
  std::function<void(const BatchOutcome&)> on_done_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<BatchSend> held_;  // requests may_send held back
  std::vector<Progress> progress_;
  std::vector<bool> reported_;  // on_file_done called
  std::size_t report_from_ = 0;  // every file below it was reported ended
  std::optional<Instant> armed_;
  std::uint64_t timer_generation_ = 0;
  bool pumping_ = false;
  bool again_ = false;
  bool finished_ = false;
};

// Blocking convenience: runs one batch on a private io_context.
inline BatchOutcome upload_batch(Batch& batch, std::vector<std::string> paths, BatchClientOptions options = {}) {
  ::asio::io_context io;
  BatchClient client(io, std::move(options));
  BatchOutcome outcome;
  client.start(batch, std::move(paths), [&](const BatchOutcome& o) { outcome = o; });
  io.run();
  return outcome;
}

// The same with files the caller opened and keeps.
inline BatchOutcome upload_batch_files(Batch& batch, std::vector<const FileSource*> files,
                                       BatchClientOptions options = {}) {
  ::asio::io_context io;
  BatchClient client(io, std::move(options));
  BatchOutcome outcome;
  client.start_with_files(batch, std::move(files), [&](const BatchOutcome& o) { outcome = o; });
  io.run();
  return outcome;
}

}  // namespace upstate::asio
// ---- end include/upstate/asio/batch_client.hpp ----
// ---- end include/upstate/asio/client.hpp ----

#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_ASIO_HPP

// MIT License
//
// Copyright (c) 2026 the upstate authors
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

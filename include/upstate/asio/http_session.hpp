#pragma once
// One HTTP/1.1 exchange at a time over Asio: connect (or reuse a kept-alive
// connection to the same origin), TLS with verification, the request head,
// the file streamed in fixed-size chunks with Content-Length and
// `Expect: 100-continue`, the answer parsed with caps, and every failure
// mapped onto upstate::TransportError. Timeouts are stall timeouts: a slow
// link that keeps moving bytes never times out; a silent one does.
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../vocabulary/http.hpp"
#include "../vocabulary/time.hpp"
#include "../detail/url.hpp"
#include "body_caps.hpp"
#include "connection.hpp"
#include "file_send.hpp"
#include "file_source.hpp"
#include "page_buffer.hpp"
#include "../http1/http1.hpp"
#include "sigpipe_guard.hpp"

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

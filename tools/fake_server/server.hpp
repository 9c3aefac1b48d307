#pragma once
// upstate::tools::FakeServer: testing::FakeService behind an Asio HTTP/1.1
// server on loopback — the dataset API and S3 on one port, plain or TLS.
//
//   {base_url}/api/v1/data-collection/...   the API (FakeOptions::api_base)
//   {base_url}/s3/raw-datasets/...          presigned URLs (FakeOptions::upload_base)
//
// Keep-alive, pipelining, `Expect: 100-continue` (the head-only checks of
// FakeService::precheck answer before any body byte is read), a body cap,
// scripted faults including a stall and a reset in the middle of a PUT.
// Runs on the caller's io_context; C++ tests run it in-process:
//
//   asio::io_context io;
//   upstate::tools::FakeServer server(io, options);   // bound when constructed
//   std::thread t([&] { io.run(); });
//   ... server.api_base() ...
//   server.stop(); t.join();
//
// Memory per connection is bounded: a 16 KiB read buffer, the parser's
// header cap (64 KiB) and the body cap (max_body). A connection error closes
// that connection only. Logged lines hold the method, the path without its
// query and the status: never a header value, never a presigned query.
#include <openssl/ssl.h>

#include <array>
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <upstate/http1/http1.hpp>
#include <upstate/testing/fake_service.hpp>

#include "fault_spec.hpp"

namespace upstate::tools {

struct FakeServerOptions {
  std::string host = "127.0.0.1";   // loopback only: 127.x.y.z, ::1 or "localhost" (-> 127.0.0.1)
  std::uint16_t port = 0;           // 0: a free port (see FakeServer::port())
  std::string cert_file, key_file;  // both set: TLS (PEM certificate chain and private key)
  std::size_t max_body = 64u << 20;  // a larger body is 413 and the connection closes
  bool quiet = true;                 // false: one line per request to `log`
  std::function<void(std::string_view)> log;  // default: std::cerr
  // api_base and upload_base are set from the bound address; with
  // real_wall_clock, wall_clock_at_zero too, so Date headers tell real time.
  testing::FakeOptions fake;
  bool real_wall_clock = true;
  std::vector<testing::FakeDatasetSpec> datasets;
  std::vector<ServerFault> faults;
  // The `now` given to the FakeService; default std::chrono::steady_clock::now.
  // Called on the io_context's thread.
  std::function<Instant()> clock;
  Duration idle_timeout{std::chrono::seconds(60)};  // a read or write making no progress that long closes
  Duration stall_limit{std::chrono::minutes(10)};   // a stalled connection closes after this
  Duration linger{std::chrono::seconds(2)};         // after a final answer: drain what the client still sends
  std::size_t max_connections = 256;                // more are closed at once
  // A rate limit to prove adaptive concurrency: an API request (not an S3
  // PUT) that arrives while this many are already being answered gets 429
  // (0: no limit). api_latency delays every API answer, so requests overlap.
  std::size_t max_concurrent = 0;
  Duration api_latency{0};
};

// The address to bind, if `host` is a loopback one (nullopt otherwise).
inline std::optional<::asio::ip::address> loopback_address(std::string_view host) {
  if (host == "localhost") return ::asio::ip::address_v4::loopback();
  std::error_code ec;
  auto a = ::asio::ip::make_address(std::string(host), ec);
  if (ec || !a.is_loopback()) return std::nullopt;
  return a;
}

namespace detail {

using Tcp = ::asio::ip::tcp;
using TlsStream = ::asio::ssl::stream<Tcp::socket>;

// A path fit for a log line: no query, printable ASCII, bounded.
inline std::string loggable_path(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::string out;
  for (char c : target.substr(0, 256)) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x21 || u > 0x7e ? '?' : c);
  }
  if (target.size() > 256) out += "...";
  return out.empty() ? "-" : out;
}

inline std::optional<std::uint64_t> content_length_of(const Headers& headers) {
  const std::string* v = find_header(headers, "Content-Length");
  if (!v || v->empty() || v->size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void abort() = 0;
};

// What sessions share; it outlives the FakeServer while handlers hold it.
struct Core : std::enable_shared_from_this<Core> {
  Core(::asio::io_context& context, FakeServerOptions options)
      : io(context), opts(std::move(options)), acceptor(context), service(testing::FakeOptions{}) {}

  ::asio::io_context& io;
  FakeServerOptions opts;
  std::string scheme, authority;  // "http"/"https", "127.0.0.1:PORT"
  std::uint16_t port = 0;
  std::optional<::asio::ssl::context> tls;
  Tcp::acceptor acceptor;
  std::vector<std::weak_ptr<SessionBase>> sessions;  // io thread only
  bool stopped = false;                              // io thread only

  std::size_t api_in_flight = 0;  // io thread only: API requests between head and answer (max_concurrent)

  std::mutex mutex;  // guards service and faults
  testing::FakeService service;
  std::array<std::deque<ServerFault>, kPurposeCount> faults;

  Instant now() const { return opts.clock ? opts.clock() : std::chrono::steady_clock::now(); }

  void log(std::string_view line) const {
    if (opts.quiet) return;
    if (opts.log) {
      opts.log(line);
    } else {
      std::string l(line);
      l += '\n';
      std::cerr << l << std::flush;
    }
  }

  void add_fault(ServerFault f) {
    if (f.times <= 0) return;
    std::lock_guard<std::mutex> lock(mutex);
    faults[static_cast<std::size_t>(f.purpose)].push_back(std::move(f));
  }

  std::optional<decltype(ServerFault::what)> take_fault(Purpose p) {
    std::lock_guard<std::mutex> lock(mutex);
    auto& q = faults[static_cast<std::size_t>(p)];
    if (q.empty()) return std::nullopt;
    auto what = q.front().what;
    if (--q.front().times <= 0) q.pop_front();
    return what;
  }

  void accept();
  void start_session(Tcp::socket socket);

  void shutdown() {
    stopped = true;
    std::error_code ec;
    acceptor.close(ec);
    auto all = std::move(sessions);
    sessions.clear();
    for (auto& w : all)
      if (auto s = w.lock()) s->abort();
  }
};

template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <class... StreamArgs>
  explicit Session(std::shared_ptr<Core> core, StreamArgs&&... args)
      : core_(std::move(core)),
        stream_(std::forward<StreamArgs>(args)...),
        timer_(stream_.get_executor()),
        delay_timer_(stream_.get_executor()),
        // The body cap is checked here (on_head, process) rather than by the
        // codec, so that going over it is a 413, told apart from garbage.
        parser_(http1::Limits{64 * 1024, SIZE_MAX}) {}

  void start() {
    if constexpr (kTls) {
      arm(core_->opts.idle_timeout);
      stream_.async_handshake(::asio::ssl::stream_base::server, [self = this->shared_from_this()](std::error_code ec) {
        if (self->closed_) return;
        if (ec) return self->close();
        self->read_more();
      });
    } else {
      read_more();
    }
  }

  void abort() override { close(); }

 private:
  enum class Phase { reading, continuing, answering, stalled, closing };

  Tcp::socket& socket() {
    if constexpr (kTls)
      return stream_.next_layer();
    else
      return stream_;
  }

  // --- timers ------------------------------------------------------------

  // One timer for idle, stall and linger limits; a generation number makes
  // a wait that was replaced a no-op even if its expiry was already queued.
  void arm(Duration d) {
    ++timer_generation_;
    timer_.expires_after(d);
    timer_.async_wait([self = this->shared_from_this(), g = timer_generation_](std::error_code ec) {
      if (!ec && !self->closed_ && g == self->timer_generation_) self->close();
    });
  }
  void disarm() {
    ++timer_generation_;
    timer_.cancel();
  }

  // --- reading -----------------------------------------------------------

  void read_more() {
    begin_ = end_ = 0;
    arm(core_->opts.idle_timeout);
    stream_.async_read_some(::asio::buffer(buffer_), [self = this->shared_from_this()](std::error_code ec,
                                                                                       std::size_t n) {
      if (self->closed_) return;
      if (ec) return self->close();  // EOF, reset, TLS truncation: the client is gone
      self->end_ = n;
      self->process();
    });
  }

  void process() {
    while (phase_ == Phase::reading && begin_ < end_) {
      std::size_t avail = end_ - begin_;
      if (reset_mid_body_) {  // give the parser no more than the reset point
        std::size_t have = parser_.request().body.size();
        if (have >= reset_at_) return reset_now();
        avail = std::min<std::size_t>(avail, reset_at_ - have);
      }
      const bool had_head = parser_.head_complete();
      std::size_t n = parser_.feed(buffer_.data() + begin_, avail);
      begin_ += n;
      if (parser_.state() == http1::ParseState::failed) return refuse_unparsable();
      if (!had_head && parser_.head_complete()) {
        on_head();
        if (phase_ != Phase::reading) return;
      }
      if (parser_.request().body.size() > core_->opts.max_body) return refuse_too_large();  // chunked
      if (parser_.state() == http1::ParseState::complete) return on_complete();
      if (reset_mid_body_ && parser_.request().body.size() >= reset_at_) return reset_now();
      if (n == 0) return refuse_unparsable();  // no progress: never spin
    }
    if (phase_ == Phase::reading) read_more();
  }

  // --- one request ---------------------------------------------------------

  void on_head() {
    const http1::ParsedRequest& p = parser_.request();
    method_ = p.method.substr(0, 32);
    path_ = loggable_path(p.target);
    const std::string* host = find_header(p.headers, "Host");
    if (!host || host->empty() || p.target.empty() || p.target.front() != '/')
      return answer_plain(400, "a request needs a Host header and an origin-form target\n");
    if (auto length = content_length_of(p.headers); length && *length > core_->opts.max_body)
      return refuse_too_large();
    request_ = Request{};
    request_.method = p.method;
    request_.url = core_->scheme + "://" + *host + p.target;
    request_.headers = p.headers;
    std::optional<Purpose> purpose;
    {
      std::lock_guard<std::mutex> lock(core_->mutex);
      purpose = core_->service.purpose_of(request_);
    }
    request_.purpose = purpose.value_or(Purpose::dataset);
    const bool body_follows = parser_.state() == http1::ParseState::body;
    if (purpose && *purpose != Purpose::upload && core_->opts.max_concurrent > 0) {
      counted_ = true;
      throttled_ = ++core_->api_in_flight > core_->opts.max_concurrent;
    }

    if (purpose) {
      if (auto fault = core_->take_fault(*purpose)) {
        if (std::holds_alternative<StallFault>(*fault)) return stall();
        if (std::holds_alternative<ResetFault>(*fault)) {
          reset_pending_ = true;
          auto length = content_length_of(p.headers);
          if (body_follows && *purpose == Purpose::upload) {
            reset_mid_body_ = true;
            reset_at_ = length ? std::max<std::size_t>(1, static_cast<std::size_t>(*length / 2)) : 1;
            if (p.expect_continue) send_continue();  // or the client would not start the body
          }
          return;  // else: reset once the request is in
        }
        auto& f = std::get<testing::Fault>(*fault);
        if (auto* d = std::get_if<testing::FaultDelay>(&f.what))
          extra_delay_ = d->delay;  // played here: nothing stays queued in the service if the client leaves
        else
          service_fault_ = std::move(f);
      }
    }
    if (p.expect_continue && body_follows) {
      std::optional<testing::FakeReply> refusal;
      {
        std::lock_guard<std::mutex> lock(core_->mutex);
        inject_service_fault();
        refusal = core_->service.precheck(request_, core_->now());
      }
      if (refusal) {
        keep_alive_ = false;  // the body was never read: this connection is done
        refusal->delay += extra_delay_;
        return deliver(std::move(*refusal));
      }
      send_continue();
    }
  }

  void inject_service_fault() {  // with core_->mutex held
    if (service_fault_) core_->service.inject(std::move(*service_fault_));
    service_fault_.reset();
  }

  void send_continue() {
    phase_ = Phase::continuing;
    out_ = std::string(http1::continue_line());
    write_out([self = this->shared_from_this()] {
      self->phase_ = Phase::reading;
      self->process();
    });
  }

  void on_complete() {
    disarm();
    if (reset_pending_) return reset_now();  // records the request, body and all
    http1::ParsedRequest p = parser_.take_request();
    keep_alive_ = keep_alive_ && p.keep_alive;
    testing::FakeReply reply;
    if (throttled_) {  // --max-concurrent: the service never sees it
      reply.result = throttle_answer();
    } else {
      std::lock_guard<std::mutex> lock(core_->mutex);
      inject_service_fault();
      reply = core_->service.handle(request_, p.body, core_->now());
    }
    reply.delay += extra_delay_;
    if (request_.purpose != Purpose::upload) reply.delay += core_->opts.api_latency;
    deliver(std::move(reply));
  }

  // The FakeService sees the reset as its own fault would give it.
  void record_reset(std::string_view body_so_far) {  // with core_->mutex held
    core_->service.inject(testing::Fault::reset(request_.purpose));
    core_->service.handle(request_, body_so_far, core_->now());
    reset_pending_ = false;
    reset_recorded_ = true;
  }

  void stall() {
    phase_ = Phase::stalled;
    core_->log(method_ + " " + path_ + " stall");
    arm(core_->opts.stall_limit);
  }

  void reset_now() {
    if (!reset_recorded_) {
      std::lock_guard<std::mutex> lock(core_->mutex);
      record_reset(parser_.request().body);
    }
    core_->log(method_ + " " + path_ + " reset");
    std::error_code ec;
    socket().set_option(::asio::socket_base::linger(true, 0), ec);
    close();
  }

  // A request that is not HTTP/1.1 we accept: 400, then close.
  void refuse_unparsable() {
    if (method_.empty()) method_ = "-";
    if (path_.empty()) path_ = "-";
    answer_plain(400, "malformed HTTP/1.1 request\n");
  }

  void refuse_too_large() {
    answer_plain(413, "body over " + std::to_string(core_->opts.max_body) + " bytes\n");
  }

  void answer_plain(int status, std::string text) {
    Response r;
    r.status = status;
    r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
    r.body = std::move(text);
    keep_alive_ = false;
    deliver(testing::FakeReply{std::move(r), Duration{0}});
  }

  // --- answering -----------------------------------------------------------

  void deliver(testing::FakeReply reply) {
    phase_ = Phase::answering;
    disarm();
    if (const TransportError* e = reply.transport_error()) {
      if (e->kind != TransportError::Kind::connect) return reset_now_recorded();
      return answer_plain(404, "no fake service at this URL (the Host header must be the server's)\n");
    }
    response_ = std::move(*reply.response());
    if (reply.delay <= Duration{0}) return write_response();
    delay_timer_.expires_after(reply.delay);
    delay_timer_.async_wait([self = this->shared_from_this()](std::error_code ec) {
      if (ec || self->closed_) return;
      self->write_response();
    });
  }

  void reset_now_recorded() {  // the service already recorded its own reset
    reset_recorded_ = true;
    reset_now();
  }

  static Response throttle_answer() {
    Response r;
    r.status = 429;
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = R"({"error":{"detail":"too many concurrent requests"}})";
    return r;
  }

  // The request no longer counts against --max-concurrent.
  void release() {
    if (!counted_) return;
    counted_ = throttled_ = false;
    if (core_->api_in_flight > 0) --core_->api_in_flight;
  }

  void write_response() {
    release();
    core_->log(method_ + " " + path_ + " " + std::to_string(response_.status));
    out_ = http1::serialize_response(response_, keep_alive_);
    // An answer to HEAD has the headers of the GET answer and no body.
    const std::string& body = response_.body;
    if (request_.method == "HEAD" && !body.empty() && out_.size() >= body.size() &&
        out_.compare(out_.size() - body.size(), body.size(), body) == 0)
      out_.resize(out_.size() - body.size());
    response_ = Response{};
    write_out([self = this->shared_from_this()] {
      if (self->keep_alive_) return self->next_request();
      self->linger_close();
    });
  }

  template <class Then>
  void write_out(Then then) {
    arm(core_->opts.idle_timeout);
    ::asio::async_write(stream_, ::asio::buffer(out_),
                        [self = this->shared_from_this(), then = std::move(then)](std::error_code ec, std::size_t) {
                          if (self->closed_) return;
                          if (ec) return self->close();
                          then();
                        });
  }

  void next_request() {
    parser_.reset();
    request_ = Request{};
    method_.clear();
    path_.clear();
    service_fault_.reset();
    extra_delay_ = Duration{0};
    reset_pending_ = reset_mid_body_ = reset_recorded_ = false;
    reset_at_ = 0;
    phase_ = Phase::reading;
    process();  // a pipelined request may already be in the buffer
  }

  // After a final answer on a connection we close: stop sending, then read
  // and drop what the client still sends for a while, so that our close does
  // not turn into a reset that destroys the answer in flight.
  void linger_close() {
    phase_ = Phase::closing;
    std::error_code ec;
    socket().shutdown(Tcp::socket::shutdown_send, ec);
    arm(core_->opts.linger);
    drain();
  }

  void drain() {
    socket().async_read_some(::asio::buffer(buffer_), [self = this->shared_from_this()](std::error_code ec,
                                                                                        std::size_t) {
      if (self->closed_) return;
      if (ec) return self->close();
      self->drain();
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    release();
    disarm();
    delay_timer_.cancel();
    std::error_code ec;
    socket().close(ec);
  }

  std::shared_ptr<Core> core_;
  Stream stream_;
  ::asio::steady_timer timer_, delay_timer_;
  std::uint64_t timer_generation_ = 0;
  std::array<char, 16 * 1024> buffer_{};
  std::size_t begin_ = 0, end_ = 0;  // unparsed bytes in buffer_
  http1::RequestParser parser_;
  Phase phase_ = Phase::reading;
  bool closed_ = false;
  bool keep_alive_ = true;

  // The request in progress.
  Request request_;
  std::string method_, path_;  // for the log line
  std::optional<testing::Fault> service_fault_;
  Duration extra_delay_{0};
  bool reset_pending_ = false, reset_mid_body_ = false, reset_recorded_ = false;
  std::size_t reset_at_ = 0;
  bool counted_ = false;    // counts against --max-concurrent until answered
  bool throttled_ = false;  // over --max-concurrent: answered 429
  Response response_;
  std::string out_;
};

inline void Core::accept() {
  acceptor.async_accept([self = shared_from_this()](std::error_code ec, Tcp::socket socket) {
    if (self->stopped || ec == ::asio::error::operation_aborted) return;
    if (!ec) {
      self->start_session(std::move(socket));
      return self->accept();
    }
    // Out of descriptors or the like: try again shortly, without spinning.
    auto timer = std::make_shared<::asio::steady_timer>(self->io, std::chrono::milliseconds(50));
    timer->async_wait([self, timer](std::error_code) {
      if (!self->stopped) self->accept();
    });
  });
}

inline void Core::start_session(Tcp::socket socket) {
  std::vector<std::weak_ptr<SessionBase>> live;
  for (auto& w : sessions)
    if (!w.expired()) live.push_back(std::move(w));
  sessions = std::move(live);
  std::error_code ec;
  if (sessions.size() >= opts.max_connections) {
    socket.close(ec);
    return;
  }
  socket.set_option(Tcp::no_delay(true), ec);
  if (tls) {
    auto s = std::make_shared<Session<TlsStream>>(shared_from_this(), std::move(socket), *tls);
    sessions.push_back(s);
    s->start();
  } else {
    auto s = std::make_shared<Session<Tcp::socket>>(shared_from_this(), std::move(socket));
    sessions.push_back(s);
    s->start();
  }
}

}  // namespace detail

class FakeServer {
 public:
  // Binds and listens now (port() is valid at once); serves when `io` runs.
  // Throws std::invalid_argument for a host that is not loopback or half a
  // TLS configuration, std::system_error when binding or loading the
  // certificate or key fails.
  FakeServer(::asio::io_context& io, FakeServerOptions options)
      : core_(std::make_shared<detail::Core>(io, std::move(options))) {
    detail::Core& c = *core_;
    auto address = loopback_address(c.opts.host);
    if (!address) throw std::invalid_argument("fake server: only a loopback address may be bound, not " + c.opts.host);
    if (c.opts.cert_file.empty() != c.opts.key_file.empty())
      throw std::invalid_argument("fake server: TLS needs both a certificate and a key");
    if (!c.opts.cert_file.empty()) {
      c.tls.emplace(::asio::ssl::context::tls_server);
      c.tls->set_options(::asio::ssl::context::default_workarounds | ::asio::ssl::context::no_sslv2 |
                         ::asio::ssl::context::no_sslv3 | ::asio::ssl::context::no_tlsv1 |
                         ::asio::ssl::context::no_tlsv1_1 | ::asio::ssl::context::single_dh_use);
      SSL_CTX_set_min_proto_version(c.tls->native_handle(), TLS1_2_VERSION);
      c.tls->use_certificate_chain_file(c.opts.cert_file);
      c.tls->use_private_key_file(c.opts.key_file, ::asio::ssl::context::pem);
    }
    c.scheme = c.tls ? "https" : "http";

    detail::Tcp::endpoint endpoint(*address, c.opts.port);
    c.acceptor.open(endpoint.protocol());
    c.acceptor.set_option(detail::Tcp::acceptor::reuse_address(true));
    c.acceptor.bind(endpoint);
    c.acceptor.listen();
    c.port = c.acceptor.local_endpoint().port();
    std::string host = address->to_string();
    c.authority = (address->is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(c.port);

    testing::FakeOptions fake = c.opts.fake;
    fake.api_base = base_url() + "/api/v1/data-collection";
    fake.upload_base = base_url() + "/s3";
    if (c.opts.real_wall_clock) {
      auto since = [](auto tp) { return std::chrono::floor<std::chrono::seconds>(tp.time_since_epoch()).count(); };
      fake.wall_clock_at_zero = since(std::chrono::system_clock::now()) - since(c.now());
    }
    c.opts.fake = fake;
    c.service = testing::FakeService(std::move(fake));
    for (auto& d : c.opts.datasets) c.service.add_dataset(d);
    for (auto& f : c.opts.faults) c.add_fault(f);
    c.accept();
  }

  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;
  // Stops (posted); `io` must outlive the server.
  ~FakeServer() { stop(); }

  std::uint16_t port() const { return core_->port; }
  bool tls() const { return core_->tls.has_value(); }
  std::string base_url() const { return core_->scheme + "://" + core_->authority; }  // "http://127.0.0.1:PORT"
  std::string api_base() const { return core_->opts.fake.api_base; }
  std::string upload_base() const { return core_->opts.fake.upload_base; }

  // Unsynchronised: use it before the io_context runs, after it stopped,
  // or from its thread. Anywhere else, with_service().
  testing::FakeService& service() { return core_->service; }

  // Runs f(service) under the lock the server's own calls take.
  template <class F>
  decltype(auto) with_service(F&& f) {
    std::lock_guard<std::mutex> lock(core_->mutex);
    return std::forward<F>(f)(core_->service);
  }

  // Faults hit the requests of their purpose in the order added (thread-safe).
  // Prefer this to service().inject(): faults queued there bypass this order.
  void add_fault(ServerFault fault) { core_->add_fault(std::move(fault)); }
  void inject(testing::Fault fault) { add_fault(ServerFault::service(std::move(fault))); }
  void stall(Purpose p, int times = 1) { add_fault(ServerFault::stall(p, times)); }
  void reset(Purpose p, int times = 1) { add_fault(ServerFault::reset(p, times)); }

  // Stops accepting and closes every connection (thread-safe: posted to the
  // io_context). io_context::run() returns once nothing else is pending.
  void stop() {
    ::asio::post(core_->io, [core = core_] { core->shutdown(); });
  }

 private:
  std::shared_ptr<detail::Core> core_;
};

}  // namespace upstate::tools

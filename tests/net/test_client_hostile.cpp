// The Client against peers that misbehave at the byte level: a refused
// connection, resets at each step, half-written and lying answers, an
// answer claiming 10 GB, broken chunking, HTTP/1.0, a redirect to another
// host. Each ends in a defined outcome, never a hang or a crash.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <string>

#include <fake_server/server.hpp>
#include <upstate/asio/client.hpp>

using namespace upstate;
using std::chrono::milliseconds;

namespace {

// Answers each request head with the next canned bytes, then closes the
// connection (or leaves it open when the canned answer says so).
class CannedServer {
 public:
  struct Answer {
    std::string bytes;
    bool close = true;
  };

  explicit CannedServer(::asio::io_context& io) : io_(io), acceptor_(io, {::asio::ip::make_address("127.0.0.1"), 0}) { accept(); }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port()); }
  void push(std::string bytes, bool close = true) { answers_.push_back({std::move(bytes), close}); }
  int heads() const { return heads_; }
  void stop() {
    ::asio::error_code ignored;
    acceptor_.close(ignored);
    for (auto& s : open_) s->close(ignored);
  }

 private:
  struct Conn {
    explicit Conn(::asio::io_context& io) : socket(io) {}
    ::asio::ip::tcp::socket socket;
    std::string in;
    char buf[4096];
  };

  void accept() {
    auto conn = std::make_shared<Conn>(io_);
    acceptor_.async_accept(conn->socket, [this, conn](const ::asio::error_code& ec) {
      if (ec) return;
      read(conn);
      accept();
    });
  }

  void read(std::shared_ptr<Conn> conn) {
    conn->socket.async_read_some(::asio::buffer(conn->buf), [this, conn](const ::asio::error_code& ec, std::size_t n) {
      if (ec) return;
      conn->in.append(conn->buf, n);
      auto end = conn->in.find("\r\n\r\n");
      if (end == std::string::npos) return read(conn);
      conn->in.erase(0, end + 4);
      ++heads_;
      Answer a = answers_.empty() ? Answer{"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", true}
                                  : answers_.front();
      if (!answers_.empty()) answers_.pop_front();
      auto out = std::make_shared<std::string>(a.bytes);
      ::asio::async_write(conn->socket, ::asio::buffer(*out), [this, conn, out, a](const ::asio::error_code& e, std::size_t) {
        if (e) return;
        if (a.close) {
          ::asio::error_code ignored;
          conn->socket.shutdown(::asio::ip::tcp::socket::shutdown_both, ignored);
          conn->socket.close(ignored);
        } else {
          open_.push_back(std::shared_ptr<::asio::ip::tcp::socket>(conn, &conn->socket));
          read(conn);
        }
      });
    });
  }

  ::asio::io_context& io_;
  ::asio::ip::tcp::acceptor acceptor_;
  std::deque<Answer> answers_;
  std::vector<std::shared_ptr<::asio::ip::tcp::socket>> open_;
  int heads_ = 0;
};

std::string file_with(const std::string& content) {
  char tmpl[] = "/tmp/upstate-hostile.XXXXXX";
  int fd = ::mkstemp(tmpl);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(tmpl, std::ios::binary) << content;
  return tmpl;
}

UploadConfig config(const std::string& api_base) {
  UploadConfig c;
  c.api_base = api_base;
  c.token = "tok";
  c.dataset_id = "ds";
  c.retry.max_attempts = 2;
  c.retry.base = milliseconds(5);
  c.poll.initial = milliseconds(5);
  c.deadline = std::chrono::seconds(10);
  return c;
}

Outcome run(::asio::io_context& io, UploadConfig c, std::function<void()> stop, Duration idle = milliseconds(500)) {
  const std::string content = "{\"prompt\":\"p\"}\n";
  const std::string path = file_with(content);
  Upload up(std::move(c), FileInfo{"a.jsonl", content.size()});
  upstate::asio::ClientOptions options;
  options.session.idle_timeout = idle;
  options.session.continue_timeout = milliseconds(50);
  upstate::asio::Client client(io, options);
  Outcome outcome;
  client.start(up, path, [&](Outcome o) {
    outcome = std::move(o);
    stop();
  });
  io.run();
  std::remove(path.c_str());
  return outcome;
}

std::string json_answer(const std::string& body, const std::string& version = "HTTP/1.1") {
  return version + " 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("hostile peer: a refused connection is retried, then reported") {
  ::asio::io_context io;
  std::uint16_t port;
  {
    ::asio::ip::tcp::acceptor probe(io, {::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  Outcome o = run(io, config("http://127.0.0.1:" + std::to_string(port) + "/api"), [] {});
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::retries_exhausted);
  CHECK_THAT(o.error()->message, Catch::Contains("connect"));
}

TEST_CASE("hostile peer: a reset at each step is retried and the upload completes") {
  auto purpose = GENERATE(Purpose::upload_url, Purpose::upload, Purpose::poll);
  CAPTURE(to_string(purpose));
  ::asio::io_context io;
  tools::FakeServerOptions so;
  so.fake.processing_base = milliseconds(0);
  so.datasets.push_back({"ds", "d", Schema{false, {{"prompt", "text", ""}}}});
  so.fake.token = "tok";
  tools::FakeServer server(io, so);
  server.reset(purpose);
  UploadConfig c = config(server.api_base());
  c.retry.max_attempts = 3;
  Outcome o = run(io, c, [&] { server.stop(); });
  REQUIRE(o.complete());
}

TEST_CASE("hostile peer: answers that break HTTP are typed transport failures") {
  auto [name, bytes, expect] = GENERATE(table<std::string, std::string, std::string>({
      {"half-written body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"upload", "closed"},
      {"half-written head", "HTTP/1.1 200 OK\r\nContent-Len", "closed"},
      {"Content-Length shorter than the body", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{\"upload_url\":1}", "malformed"},
      {"a 10 GB answer", "HTTP/1.1 200 OK\r\nContent-Length: 10737418240\r\n\r\n", "body over"},
      {"invalid chunked encoding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n", "protocol"},
      {"not HTTP at all", "SSH-2.0-OpenSSH_9.2\r\n\r\n", "protocol"},
  }));
  CAPTURE(name);
  ::asio::io_context io;
  CannedServer server(io);
  server.push(bytes);
  server.push(bytes);
  Outcome o = run(io, config(server.base() + "/api"), [&] { server.stop(); });
  REQUIRE(o.error());
  if (expect == "malformed") {
    // Two bytes of JSON are not an answer: the machine says so with a path.
    CHECK(o.error()->code == ErrorCode::malformed_answer);
  } else {
    CHECK(o.error()->code == ErrorCode::retries_exhausted);
    CHECK_THAT(o.error()->message, Catch::Contains(expect));
    CHECK(server.heads() == 2);
  }
}

TEST_CASE("hostile peer: a redirect is not followed, so the token goes nowhere else") {
  ::asio::io_context io;
  CannedServer server(io);
  server.push("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:9/steal\r\nContent-Length: 0\r\n\r\n");
  Outcome o = run(io, config(server.base() + "/api"), [&] { server.stop(); });
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::unexpected_status);
  CHECK(o.error()->http_status == 302);
  CHECK(server.heads() == 1);
}

TEST_CASE("hostile peer: HTTP/1.0 close-delimited answers are understood") {
  ::asio::io_context io;
  CannedServer server(io);
  const std::string url = server.base() + "/s3/put-here";
  server.push("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"upload_url\":\"" + url +
              "\",\"http_method\":\"PUT\",\"import_id\":\"i1\",\"content_type\":\"application/x-ndjson\"}");
  server.push("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  server.push(json_answer(R"({"import_id":"i1","status":"complete","accepted_count":1})", "HTTP/1.0"));
  Outcome o = run(io, config(server.base() + "/api"), [&] { server.stop(); });
  REQUIRE(o.complete());
  CHECK(server.heads() == 3);
}

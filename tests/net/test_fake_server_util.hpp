#pragma once
// Helpers of the upstate-fake-server tests: the server on its own thread,
// curl as a peer (loopback only, never a proxy), a raw blocking socket for
// byte-exact requests, and a scratch directory.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

#include "fake_server/server.hpp"

namespace fs_test {

using namespace upstate;
using namespace upstate::tools;
using namespace std::chrono_literals;

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "upstate-fs-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::string p = file(name);
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The options tests start from: quiet, one dataset with a schema, imports
// processed at once, and a clock the test can move forward.
struct TestClock {
  std::shared_ptr<std::atomic<long long>> offset_ms = std::make_shared<std::atomic<long long>>(0);
  void advance(std::chrono::milliseconds d) const { *offset_ms += d.count(); }
  std::function<Instant()> fn() const {
    return [o = offset_ms] { return std::chrono::steady_clock::now() + std::chrono::milliseconds(o->load()); };
  }
};

inline Schema prompt_schema() {
  Schema s;
  s.strict = true;
  s.fields = {{"prompt", "text", "Prompt"}, {"category", "metadata", ""}};
  return s;
}

inline FakeServerOptions test_options(const TestClock& clock = {}) {
  FakeServerOptions o;
  o.fake.processing_base = Duration{0};
  o.fake.processing_per_record = Duration{0};
  o.datasets.push_back({"ds1", "Reviews", prompt_schema()});
  o.clock = clock.fn();
  o.idle_timeout = 10s;
  o.linger = 500ms;
  return o;
}

// The server on its own io_context thread; stopped and joined on scope exit.
struct Running {
  explicit Running(FakeServerOptions options) : server(io, std::move(options)), thread([this] { io.run(); }) {}
  ~Running() {
    server.stop();
    thread.join();
  }
  ::asio::io_context io;
  FakeServer server;
  std::thread thread;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

struct CurlResult {
  int exit_code = -1;
  std::string out;  // stdout (the body, or what -w writes)
  std::string err;  // stderr
};

// curl --noproxy '*' -sS ARGS (ARGS already shell-quoted where needed);
// always bounded by --max-time 20 unless ARGS sets one.
inline CurlResult curl(const TempDir& dir, const std::string& args) {
  static std::atomic<int> n{0};
  int k = n++;
  std::string out = dir.file("curl" + std::to_string(k) + ".out"), err = dir.file("curl" + std::to_string(k) + ".err");
  std::string max_time = args.find("--max-time") == std::string::npos ? " --max-time 20" : "";
  std::string cmd = "curl --noproxy '*' -sS" + max_time + " " + args + " >" + shell_quote(out) + " 2>" +
                    shell_quote(err) + " </dev/null";
  int status = std::system(cmd.c_str());
  CurlResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

inline rapidjson::Document json_of(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  INFO(body);
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  return doc;
}

inline std::string str(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  REQUIRE(it != v.MemberEnd());
  REQUIRE(it->value.IsString());
  return {it->value.GetString(), it->value.GetStringLength()};
}

// Body and status: "-w '\n%{http_code}'" appended to what curl prints.
struct Answer {
  int status = 0;
  std::string body;
};

inline Answer split_status(const CurlResult& r) {
  INFO("curl exit " << r.exit_code << ": " << r.err);
  REQUIRE(r.exit_code == 0);
  auto nl = r.out.rfind('\n');
  REQUIRE(nl != std::string::npos);
  return {std::atoi(r.out.c_str() + nl + 1), r.out.substr(0, nl)};
}

inline Answer api_get(const TempDir& dir, const FakeServer& server, const std::string& path,
                      const std::string& extra = "-H 'Authorization: Token fake-token'") {
  return split_status(curl(dir, extra + " -w '\\n%{http_code}' " + shell_quote(server.api_base() + path)));
}

struct Step1 {
  std::string upload_url, import_id, content_type;
};

inline Step1 step1(const TempDir& dir, const FakeServer& server, const std::string& dataset,
                   const std::string& filename) {
  Answer a = api_get(dir, server, "/datasets/" + dataset + "/upload-url/" + filename);
  INFO(a.body);
  REQUIRE(a.status == 201);
  auto doc = json_of(a.body);
  return {str(doc, "upload_url"), str(doc, "import_id"), str(doc, "content_type")};
}

// A blocking loopback socket with a receive timeout, for byte-exact requests.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port, std::chrono::milliseconds timeout = 5s) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // false when the peer refused the bytes (reset, broken pipe).
  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        last_errno_ = errno;
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  enum class End { open, eof, reset, timeout };

  // One recv: `open` when bytes came (appended to out).
  End read_some(std::string& out) {
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        out.append(buf, static_cast<std::size_t>(n));
        return End::open;
      }
      if (n == 0) return End::eof;
      last_errno_ = errno;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return End::timeout;
      if (errno != EINTR) return End::reset;
    }
  }

  // Reads until `needle` is in what was read (then `open`), EOF, an error or the timeout.
  End read_until(std::string& out, std::string_view needle = {}) {
    for (;;) {
      if (!needle.empty() && out.find(needle) != std::string::npos) return End::open;
      End e = read_some(out);
      if (e != End::open) return e;
    }
  }

  // Everything until the server closes.
  std::pair<std::string, End> read_all() {
    std::string out;
    End e = read_until(out);
    return {out, e};
  }

  int last_errno() const { return last_errno_; }

 private:
  int fd_ = -1;
  int last_errno_ = 0;
};

// The request line and headers of a request to `url` (which must be the server's).
inline std::string request_head(const std::string& method, const std::string& url, const std::string& headers) {
  auto u = parse_url(url);
  REQUIRE(u);
  return method + " " + u->target + " HTTP/1.1\r\nHost: " + u->authority() + "\r\n" + headers + "\r\n";
}

}  // namespace fs_test

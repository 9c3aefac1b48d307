// The upstate-fake-server program itself: its one stdout line, its exit
// codes, SIGTERM, the request log. Skipped when the build did not say where
// the program is (tools/CMakeLists.txt defines UPSTATE_FAKE_SERVER_EXE).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>

#include <regex>

#include "test_fake_server_util.hpp"

extern char** environ;

using namespace fs_test;

#ifdef UPSTATE_FAKE_SERVER_EXE

namespace {

// The program with stdout on a pipe and stderr in a file; killed if still
// running when destroyed.
class Program {
 public:
  Program(const TempDir& dir, std::vector<std::string> args) : err_path_(dir.file("server.stderr")) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    args.insert(args.begin(), UPSTATE_FAKE_SERVER_EXE);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = ::posix_spawn(&pid_, UPSTATE_FAKE_SERVER_EXE, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
    REQUIRE(rc == 0);
  }
  ~Program() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
  }

  // stdout until EOF or the first newline (at most 5 s).
  std::string first_line() {
    std::string line;
    char c;
    while (line.find('\n') == std::string::npos) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      if (::read(out_, &c, 1) != 1) break;
      line += c;
    }
    return line;
  }

  // The exit code (-1: killed by a signal or still running after 5 s).
  int wait() {
    for (int i = 0; i < 500; ++i) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

  void signal(int sig) const { ::kill(pid_, sig); }
  std::string rest_of_stdout() {
    std::string all;
    char buf[256];
    ssize_t n;
    while ((n = ::read(out_, buf, sizeof buf)) > 0) all.append(buf, static_cast<std::size_t>(n));
    return all;
  }
  std::string stderr_text() const { return read_text(err_path_); }

 private:
  std::string err_path_;
  pid_t pid_ = -1;
  int out_ = -1;
};

}  // namespace

TEST_CASE("upstate-fake-server: one line, serves, logs, stops on SIGTERM", "[fake_server][program]") {
  TempDir dir;
  std::string schema = dir.write("schema.json", R"({"strict":true,"fields":{"prompt":{"type":"text"}}})");
  std::string more = dir.write("more.json", R"([{"id":"ds2","name":"Second"}])");
  Program p(dir, {"--token", "s3cret-token", "--dataset", "ds1:" + schema, "--datasets", more, "--fault",
                  "upload_url:503:4", "--processing-ms", "0"});
  std::string line = p.first_line();
  INFO(line << p.stderr_text());
  std::smatch m;
  REQUIRE(std::regex_match(line, m, std::regex("listening on (http://127\\.0\\.0\\.1:[0-9]+)\n")));
  std::string api = m[1].str() + "/api/v1/data-collection";

  auto get = [&](const std::string& path) {
    return split_status(
        curl(dir, "-H 'Authorization: Token s3cret-token' -w '\\n%{http_code}' " + shell_quote(api + path)));
  };
  CHECK(get("/datasets/ds1/upload-url/a.jsonl").status == 503);
  Answer ok = get("/datasets/ds1/upload-url/a.jsonl");
  REQUIRE(ok.status == 201);
  std::string url = str(json_of(ok.body), "upload_url");
  CHECK(url.rfind(m[1].str() + "/s3/", 0) == 0);
  std::string file = dir.write("a.jsonl", "{\"prompt\":\"x\"}\n");
  CHECK(split_status(curl(dir, "-T " + shell_quote(file) + " -H 'Content-Type: application/x-ndjson' -w '\\n%{http_code}' " +
                                   shell_quote(url)))
            .status == 200);
  CHECK(str(json_of(get("/datasets/ds2").body), "name") == "Second");

  p.signal(SIGTERM);
  CHECK(p.wait() == 0);
  CHECK(p.rest_of_stdout().empty());  // exactly one line
  std::string log = p.stderr_text();
  CHECK(log.find("GET /api/v1/data-collection/datasets/ds1/upload-url/a.jsonl 503\n") != std::string::npos);
  CHECK(log.find(" 200\n") != std::string::npos);
  CHECK(log.find("s3cret-token") == std::string::npos);
  CHECK(log.find("X-Amz") == std::string::npos);
}

TEST_CASE("upstate-fake-server: exit codes", "[fake_server][program]") {
  TempDir dir;
  std::string bad_schema = dir.write("bad.json", R"({"fields":{"p":{"label":"no type"}}})");
  struct Case {
    std::vector<std::string> args;
    int code;
  };
  for (const Case& c : std::vector<Case>{{{"--host", "10.0.0.1"}, 64},
                                         {{"--host", "0.0.0.0"}, 64},
                                         {{"--fault", "upload:teapot"}, 64},
                                         {{"--no-such-option"}, 64},
                                         {{"--cert", dir.file("none.pem")}, 64},
                                         {{"--dataset", "ds1:" + dir.file("missing.json")}, 66},
                                         {{"--dataset", "ds1:" + bad_schema}, 65},
                                         {{"--datasets", bad_schema}, 65},
                                         {{"--cert", dir.file("none.pem"), "--key", dir.file("none.pem")}, 71},
                                         {{"--help"}, 0}}) {
    INFO(c.args[0] << " " << (c.args.size() > 1 ? c.args[1] : ""));
    Program p(dir, c.args);
    CHECK(p.wait() == c.code);
    std::string out = p.rest_of_stdout();
    if (c.code != 0) {
      CHECK(out.empty());
      CHECK_FALSE(p.stderr_text().empty());
    } else {
      CHECK(out.rfind("usage: upstate-fake-server", 0) == 0);
    }
  }
}

#endif  // UPSTATE_FAKE_SERVER_EXE

// The local file as the Client sees it (issue 12 items 4 and 5): only
// regular files, opened once without blocking; a file given as an open
// descriptor; a file that shrinks while it is sent ends the run at once
// (file_changed, one PUT, no retry); one that grows is sent as it was at
// open (Content-Length = the size seen then, exactly that many bytes).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <fake_server/server.hpp>
#include <upstate/asio/client.hpp>

#include "support/temp_files.hpp"

using namespace upstate;
using upstate::asio::Client;
using upstate::asio::FileSource;
using upstate::tools::FakeServer;
using upstate::tools::FakeServerOptions;
using std::chrono::milliseconds;

namespace {

std::string temp_dir() {
  static const std::string dir = test::make_temp_dir("upstate-local-file-test");
  return dir;
}

std::string write_file(const std::string& name, const std::string& content) {
  return test::write_file(temp_dir() + "/" + name, content);
}

std::string records(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += R"({"prompt":"p)" + std::to_string(i) + R"(","response":"r","category":"c"})" "\n";
  return s;
}

struct Run {
  FakeServerOptions server_options;
  UploadConfig config;
  std::vector<testing::FakeService::Seen> requests;

  Run() {
    server_options.fake.processing_base = milliseconds(30);
    server_options.fake.processing_per_record = milliseconds(0);
    server_options.datasets.push_back(
        {"ds1", "Reviews", Schema{true, {{"prompt", "text", "Prompt"}, {"response", "text", ""}, {"category", "metadata", ""}}}});
    config.token = "fake-token";
    config.dataset_id = "ds1";
    config.seed = 3;
    config.retry.base = milliseconds(5);
    config.retry.cap = milliseconds(50);
    config.deadline = std::chrono::seconds(20);
  }

  // Uploads `file` (opened by the test) as an upload made for `size` bytes.
  Outcome upload(std::uint64_t size, const FileSource& file) {
    ::asio::io_context io;
    FakeServer server(io, server_options);
    config.api_base = server.api_base();
    Upload up(config, FileInfo{"a.jsonl", size});
    upstate::asio::ClientOptions options;
    options.session.idle_timeout = milliseconds(2000);
    options.session.continue_timeout = milliseconds(50);
    Client client(io, options);
    Outcome outcome;
    client.start(up, file, [&](Outcome o) {
      outcome = std::move(o);
      server.stop();
    });
    io.run();
    requests = server.service().requests();
    return outcome;
  }

  int puts() const {
    int n = 0;
    for (const auto& seen : requests) n += seen.purpose == Purpose::upload ? 1 : 0;
    return n;
  }
};

}  // namespace

TEST_CASE("local file: only regular files are opened, at once, with a typed reason") {
  FileSource source;
  std::string error;
  SECTION("a FIFO does not block open(2)") {
    const std::string fifo = temp_dir() + "/fifo.jsonl";
    ::unlink(fifo.c_str());
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_FALSE(source.open(fifo, error));
    CHECK_THAT(error, Catch::Contains("not a regular file") && Catch::Contains("FIFO"));
  }
  SECTION("a symlink to /dev/zero") {
    const std::string link = temp_dir() + "/zero.jsonl";
    ::unlink(link.c_str());
    REQUIRE(::symlink("/dev/zero", link.c_str()) == 0);
    CHECK_FALSE(source.open(link, error));
    CHECK_THAT(error, Catch::Contains("not a regular file") && Catch::Contains("character device"));
  }
  SECTION("a directory") {
    CHECK_FALSE(source.open(temp_dir(), error));
    CHECK_THAT(error, Catch::Contains("not a regular file") && Catch::Contains("directory"));
  }
  SECTION("an already-open descriptor is adopted with the same checks") {
    const std::string path = write_file("adopt.jsonl", records(2));
    CHECK(source.adopt(::open(path.c_str(), O_RDONLY | O_CLOEXEC), error, "adopt.jsonl"));
    CHECK(source.size() == records(2).size());
    FileSource dir;
    CHECK_FALSE(dir.adopt(::open(temp_dir().c_str(), O_RDONLY | O_CLOEXEC), error));
    CHECK_FALSE(dir.is_open());
  }
}

TEST_CASE("local file: the Client uploads from a descriptor the caller opened and keeps") {
  Run run;
  const std::string content = records(4);
  const std::string path = write_file("fd.jsonl", content);
  FileSource file;
  std::string error;
  REQUIRE(file.adopt(::open(path.c_str(), O_RDONLY | O_CLOEXEC), error));
  Outcome o = run.upload(content.size(), file);
  REQUIRE(o.complete());
  CHECK(o.report()->accepted_count == 4u);
  CHECK(file.is_open());  // borrowed, not closed by the client
}

TEST_CASE("local file: a file that shrinks during the PUT ends at once with file_changed, never retried") {
  Run run;
  const std::string content = records(50);
  const std::string path = write_file("shrink.jsonl", content);
  FileSource file;
  std::string error;
  REQUIRE(file.open(path, error));
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(content.size() / 2)) == 0);
  Outcome o = run.upload(content.size(), file);
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::file_changed);
  CHECK_THAT(o.error()->message, Catch::Contains("shrank"));
  CHECK(run.puts() <= 1);
  for (const auto& n : o.notes) CHECK(n.text.find("retrying") == std::string::npos);
}

TEST_CASE("local file: a file that grows during the PUT is sent as it was at open") {
  Run run;
  const std::string content = records(6);
  const std::string path = write_file("grow.jsonl", content);
  FileSource file;
  std::string error;
  REQUIRE(file.open(path, error));
  std::ofstream(path, std::ios::binary | std::ios::app) << records(3);  // 3 more records after open
  Outcome o = run.upload(content.size(), file);
  REQUIRE(o.complete());
  CHECK(o.report()->accepted_count == 6u);  // exactly the bytes seen at open
  CHECK(run.puts() == 1);
}

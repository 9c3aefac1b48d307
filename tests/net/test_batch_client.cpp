// upstate::asio::BatchClient over real loopback sockets against the
// in-process upstate-fake-server: several files into one dataset with
// several requests in flight, the PUT order kept, fail-fast, an unreadable
// path, retries of the dataset request, progress per file and cancel. Short
// poll settings keep each case well under a second; nothing sleeps.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fake_server/server.hpp>
#include <upstate/asio/client.hpp>

#include "support/temp_files.hpp"

using namespace upstate;
using upstate::asio::BatchClient;
using upstate::asio::BatchClientOptions;
using upstate::tools::FakeServer;
using upstate::tools::FakeServerOptions;
using std::chrono::milliseconds;

namespace {

Schema schema() { return test::reviews_schema(); }

std::string temp_dir() {
  static const std::string dir = test::make_temp_dir("upstate-batch-client-test");
  return dir;
}

std::string write_file(const std::string& name, const std::string& content) {
  return test::write_file(temp_dir() + "/" + name, content);
}

// Each call's good records are new ones: identical records would be
// duplicates, accepted but not written twice (docs/service.md, Step 3).
std::string records(int good, int bad) {
  static int call = 0;
  const std::string tag = std::to_string(++call) + "-";
  std::string s;
  for (int i = 0; i < good; ++i)
    s += R"({"prompt":"p)" + tag + std::to_string(i) + R"(","response":"r","category":"c"})" "\n";
  for (int i = 0; i < bad; ++i) s += R"({"prompt":""})" "\n";
  return s;
}

struct BatchRun {
  FakeServerOptions server_options;
  BatchClientOptions client_options;
  BatchConfig config;
  std::vector<FileInfo> files;
  std::vector<std::string> paths;
  std::vector<testing::FakeService::Seen> requests;
  std::size_t lanes = 0;
  std::size_t most_active = 0;  // files between start and done, at most, seen at each request

  BatchRun() {
    server_options.fake.processing_base = milliseconds(30);
    server_options.fake.processing_per_record = milliseconds(0);
    server_options.datasets.push_back({"ds1", "Reviews", schema()});
    config.upload.token = "fake-token";
    config.upload.dataset_id = "ds1";
    config.upload.seed = 3;
    config.upload.poll.initial = milliseconds(10);
    config.upload.poll.max = milliseconds(50);
    config.upload.retry.base = milliseconds(5);
    config.upload.retry.cap = milliseconds(50);
    config.upload.deadline = std::chrono::seconds(20);
    config.max_in_flight = 3;
    client_options.session.idle_timeout = milliseconds(2000);
  }

  void add(const std::string& name, const std::string& content) {
    files.push_back({name, content.size()});
    paths.push_back(write_file(name, content));
  }

  // Runs the batch; the server lives for this one run. `on_send` sees each
  // request as it goes out.
  BatchOutcome run(const std::function<void(FakeServer&)>& prepare = {},
                   const std::function<void(::asio::io_context&, BatchClient&, const BatchSend&)>& on_send = {}) {
    ::asio::io_context io;
    FakeServer server(io, server_options);
    if (prepare) prepare(server);
    config.upload.api_base = server.api_base();
    Batch batch(config, files);
    BatchClient* client_ptr = nullptr;
    client_options.on_send = [&](const Batch& b, const BatchSend& s) {
      most_active = std::max(most_active, b.active_files());
      if (on_send) on_send(io, *client_ptr, s);
    };
    BatchClient client(io, client_options);
    client_ptr = &client;
    BatchOutcome outcome;
    client.start(batch, paths, [&](BatchOutcome o) {
      outcome = std::move(o);
      server.stop();
    });
    io.run();
    requests = server.service().requests();
    lanes = client.lanes();
    return outcome;
  }

  // Files in the order their PUTs reached the server (by import id).
  std::vector<std::size_t> put_order(const BatchOutcome& o) const {
    std::vector<std::size_t> order;
    for (const auto& seen : requests) {
      if (seen.purpose != Purpose::upload) continue;
      for (std::size_t i = 0; i < o.files.size(); ++i)
        if (!o.files[i].import_id.empty() && seen.request.url.find(o.files[i].import_id) != std::string::npos)
          order.push_back(i);
    }
    return order;
  }
};

}  // namespace

TEST_CASE("batch client: three files, the second partial, in order, with the dataset's count", "[batch_client]") {
  BatchRun run;
  run.add("a.jsonl", records(5, 0));
  run.add("b.jsonl", records(3, 2));
  run.add("c.jsonl", records(4, 0));
  std::vector<upstate::asio::Progress> last(3);
  std::vector<std::size_t> ended;
  run.client_options.on_progress = [&](std::size_t i, const upstate::asio::Progress& p) {
    REQUIRE(i < 3);
    CHECK(p.bytes_sent >= last[i].bytes_sent);
    last[i] = p;
  };
  run.client_options.on_file_done = [&](std::size_t i, const Outcome&) { ended.push_back(i); };
  BatchOutcome o = run.run();

  REQUIRE(o.files.size() == 3);
  REQUIRE(o.files[0].report());
  CHECK(o.files[0].report()->status == ImportStatus::complete);
  REQUIRE(o.files[1].report());
  CHECK(o.files[1].report()->status == ImportStatus::partial);
  CHECK(o.files[1].report()->rejected_count == 2u);
  REQUIRE(o.files[2].report());
  CHECK(o.files[2].report()->status == ImportStatus::complete);
  CHECK(o.total_datapoint_count == 12u);
  CHECK_FALSE(o.dataset_error);
  CHECK(run.put_order(o) == std::vector<std::size_t>{0, 1, 2});
  CHECK(run.requests.back().purpose == Purpose::dataset);
  // Several files ran at once, never more than allowed, each on its own lane.
  CHECK(run.most_active >= 2);
  CHECK(run.most_active <= 3);
  CHECK(run.lanes >= 2);
  CHECK(run.lanes <= 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(last[i].phase == Phase::finished);
    CHECK(last[i].bytes_sent == run.files[i].size);
  }
  std::sort(ended.begin(), ended.end());
  CHECK(ended == std::vector<std::size_t>{0, 1, 2});
}

TEST_CASE("batch client: a missing file ends alone, and fail-fast stops the rest", "[batch_client]") {
  BatchRun run;
  SECTION("a missing file") {
    std::vector<std::size_t> ended;
    run.client_options.on_file_done = [&](std::size_t i, const Outcome&) { ended.push_back(i); };
    run.add("a.jsonl", records(2, 0));
    run.files.push_back({"gone.jsonl", 10});
    run.paths.push_back(temp_dir() + "/does-not-exist.jsonl");
    run.add("c.jsonl", records(3, 0));
    BatchOutcome o = run.run();
    CHECK(o.files[0].complete());
    REQUIRE(o.files[1].error());
    CHECK(o.files[1].error()->code == ErrorCode::invalid_argument);
    CHECK(o.files[2].complete());
    CHECK(o.total_datapoint_count == 5u);
    for (const auto& seen : run.requests) CHECK(seen.request.url.find("gone.jsonl") == std::string::npos);
    std::sort(ended.begin(), ended.end());
    CHECK(ended == std::vector<std::size_t>{0, 1, 2});
  }
  SECTION("fail-fast") {
    run.config.fail_fast = true;
    run.config.max_in_flight = 1;
    run.add("a.jsonl", records(2, 0));
    run.add("b.jsonl", records(0, 2));  // failed
    run.add("c.jsonl", records(3, 0));
    BatchOutcome o = run.run();
    CHECK(o.files[0].complete());
    REQUIRE(o.files[1].report());
    CHECK(o.files[1].report()->status == ImportStatus::failed);
    REQUIRE(o.files[2].error());
    CHECK(o.files[2].error()->code == ErrorCode::cancelled);
    CHECK(o.total_datapoint_count == 2u);
  }
}

TEST_CASE("batch client: the dataset request is retried", "[batch_client]") {
  BatchRun run;
  run.add("a.jsonl", records(2, 0));
  BatchOutcome o = run.run([](FakeServer& server) {
    server.inject(testing::Fault::status(Purpose::dataset, 503, "", {}, 2));
  });
  CHECK(o.files[0].complete());
  CHECK(o.total_datapoint_count == 2u);
  std::size_t dataset_requests = 0;
  for (const auto& seen : run.requests) dataset_requests += seen.purpose == Purpose::dataset;
  CHECK(dataset_requests == 3);
}

TEST_CASE("batch client: cancel during a stalled PUT ends every file at once", "[batch_client]") {
  BatchRun run;
  run.add("a.jsonl", records(2, 0));
  run.add("b.jsonl", records(2, 0));
  run.add("c.jsonl", records(2, 0));
  run.client_options.session.idle_timeout = std::chrono::seconds(30);  // only cancel can end it soon
  bool cancelled = false;
  auto started = std::chrono::steady_clock::now();
  BatchOutcome o = run.run([](FakeServer& server) { server.stall(Purpose::upload); },
                           [&](::asio::io_context& io, BatchClient& client, const BatchSend& s) {
                             if (s.request.purpose != Purpose::upload || cancelled) return;
                             cancelled = true;
                             // Once the PUT is out (and stalls), from the event loop.
                             auto timer = std::make_shared<::asio::steady_timer>(io, milliseconds(100));
                             timer->async_wait([&client, timer](const ::asio::error_code&) { client.cancel(); });
                           });
  CHECK(cancelled);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  for (const Outcome& f : o.files) {
    REQUIRE(f.error());
    CHECK(f.error()->code == ErrorCode::cancelled);
  }
  REQUIRE(o.dataset_error);
  CHECK(o.dataset_error->code == ErrorCode::cancelled);
}

// The CLI's journal holds each PUT until its import's record is on disk
// (journal_batch.hpp): may_send holds it, release_held lets it go.
TEST_CASE("batch client: may_send holds a PUT until release_held lets it go", "[batch_client]") {
  BatchRun run;
  run.add("a.jsonl", records(2, 0));
  run.add("b.jsonl", records(3, 0));
  std::vector<bool> allowed(2, false);
  std::vector<int> held(2, 0);
  std::vector<bool> bytes_before_release(2, false);
  run.client_options.may_send = [&](const Batch&, const BatchSend& s) {
    if (s.request.purpose != Purpose::upload) return true;
    if (!allowed.at(s.file)) ++held[s.file];
    return static_cast<bool>(allowed.at(s.file));
  };
  run.client_options.on_progress = [&](std::size_t i, const upstate::asio::Progress& p) {
    if (p.bytes_sent > 0 && !allowed.at(i)) bytes_before_release[i] = true;
  };
  BatchOutcome o = run.run({}, [&](::asio::io_context& io, BatchClient& client, const BatchSend& s) {
    if (s.request.purpose != Purpose::upload) return;
    // Released later, from the event loop (as the journal's sync returns).
    auto timer = std::make_shared<::asio::steady_timer>(io, milliseconds(20));
    timer->async_wait([&, file = s.file, timer](const ::asio::error_code&) {
      CHECK(client.held() == 1);
      allowed.at(file) = true;
      client.release_held();
      CHECK(client.held() == 0);
    });
  });
  CHECK(o.files[0].complete());
  CHECK(o.files[1].complete());
  CHECK(o.total_datapoint_count == 5u);
  CHECK(held == std::vector<int>{1, 1});
  CHECK(bytes_before_release == std::vector<bool>{false, false});
  CHECK(run.put_order(o) == std::vector<std::size_t>{0, 1});
}

TEST_CASE("batch client: cancel drops a held PUT", "[batch_client]") {
  BatchRun run;
  run.add("a.jsonl", records(2, 0));
  run.client_options.may_send = [](const Batch&, const BatchSend& s) { return s.request.purpose != Purpose::upload; };
  BatchOutcome o = run.run({}, [&](::asio::io_context& io, BatchClient& client, const BatchSend& s) {
    if (s.request.purpose != Purpose::upload) return;
    auto timer = std::make_shared<::asio::steady_timer>(io, milliseconds(20));
    timer->async_wait([&client, timer](const ::asio::error_code&) {
      CHECK(client.held() == 1);
      client.cancel();
      CHECK(client.held() == 0);
    });
  });
  REQUIRE(o.files[0].error());
  CHECK(o.files[0].error()->code == ErrorCode::cancelled);
  for (const auto& seen : run.requests) CHECK(seen.purpose != Purpose::upload);
}

// check_paths_at_start = false (the journal's plan checked the files): a
// missing one is found at its PUT and ends alone, not retried.
TEST_CASE("batch client: without the check at start, a missing file ends at its PUT", "[batch_client]") {
  BatchRun run;
  run.client_options.check_paths_at_start = false;
  run.add("a.jsonl", records(2, 0));
  run.files.push_back({"gone.jsonl", 10});
  run.paths.push_back(temp_dir() + "/does-not-exist-either.jsonl");
  run.add("c.jsonl", records(3, 0));
  BatchOutcome o = run.run();
  CHECK(o.files[0].complete());
  REQUIRE(o.files[1].error());
  CHECK(o.files[1].error()->message.find("does-not-exist-either.jsonl") != std::string::npos);
  CHECK(o.files[2].complete());
  CHECK(o.total_datapoint_count == 5u);
  std::size_t url_requests_for_gone = 0;
  for (const auto& seen : run.requests)
    url_requests_for_gone += seen.purpose == Purpose::upload_url && seen.request.url.find("gone.jsonl") != std::string::npos;
  CHECK(url_requests_for_gone == 1);  // a local file error is final: no retry
}

// opened_file (the journal's hash pass hands over its descriptor): the PUT
// streams the descriptor given, not the path, and a retried PUT asks again.
TEST_CASE("batch client: a PUT streams the descriptor opened_file hands over, and a retry asks again",
          "[batch_client]") {
  BatchRun run;
  run.add("a.jsonl", records(2, 0));
  run.files.push_back({"b.jsonl", records(3, 0).size()});
  run.paths.push_back(temp_dir() + "/b-is-not-at-this-path.jsonl");  // only the descriptor holds b
  const std::string b_bytes = write_file("b-elsewhere.jsonl", records(3, 0));
  run.client_options.check_paths_at_start = false;
  std::map<std::size_t, int> asked;
  run.client_options.opened_file = [&](std::size_t file) {
    ++asked[file];
    upstate::asio::FileSource source;
    std::string error;
    if (file == 1 && asked[file] == 1) REQUIRE(source.open(b_bytes, error));
    return source;  // file 0: not opened, so the client opens its path
  };
  BatchOutcome o = run.run([](FakeServer& server) {
    server.inject(testing::Fault::status(Purpose::upload, 503, "", {}, 1));  // file 0's first PUT
  });
  CHECK(o.files[0].complete());
  CHECK(o.files[1].complete());
  CHECK(o.total_datapoint_count == 5u);
  CHECK(asked[0] == 2);  // its PUT, and the retry after the 503
  CHECK(asked[1] == 1);
}

// A file whose size is not the batch's: refused at the start (the check), or
// ended at its PUT without it, with the same words either way.
TEST_CASE("batch client: a file whose size changed is named with both sizes, at the start or at its PUT",
          "[batch_client]") {
  for (bool at_start : {true, false}) {
    INFO("check_paths_at_start " << at_start);
    BatchRun run;
    run.client_options.check_paths_at_start = at_start;
    run.add("a.jsonl", records(2, 0));
    const std::string grown = write_file("grown.jsonl", records(4, 0));
    run.files.push_back({"grown.jsonl", 999});
    run.paths.push_back(grown);
    BatchOutcome o = run.run();
    CHECK(o.files[0].complete());
    REQUIRE(o.files[1].error());
    CHECK(o.files[1].error()->message.find(grown + " has " + std::to_string(records(4, 0).size()) +
                                           " bytes, not the 999 the batch was made for") != std::string::npos);
  }
}

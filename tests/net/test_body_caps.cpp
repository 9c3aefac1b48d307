// Each kind of answer has its own body cap in the session (issue 12 item
// 9): step 1 needs kilobytes, not 16 MiB. An answer over its cap is not read
// past the cap (a protocol error, retried like any, so memory stays bounded
// whatever the server sends); an error answer over it goes by its status.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include <fake_server/server.hpp>
#include <upstate/asio/client.hpp>

using namespace upstate;
using upstate::tools::FakeServer;
using upstate::tools::FakeServerOptions;
using std::chrono::milliseconds;

namespace {

Outcome run_with(const std::function<void(FakeServer&)>& prepare, UploadConfig config = {}) {
  FakeServerOptions server_options;
  server_options.fake.processing_base = milliseconds(30);
  server_options.fake.processing_per_record = milliseconds(0);
  server_options.datasets.push_back({"ds1", "Reviews", std::nullopt});
  config.token = "fake-token";
  config.dataset_id = "ds1";
  config.seed = 9;
  config.retry.max_attempts = 2;
  config.retry.base = milliseconds(5);
  config.retry.cap = milliseconds(20);
  config.deadline = std::chrono::seconds(20);
  const std::string content = "{\"prompt\":\"p\"}\n";
  const std::string path = "/tmp/upstate-body-caps-" + std::to_string(::getpid()) + ".jsonl";
  std::ofstream(path, std::ios::binary) << content;
  ::asio::io_context io;
  FakeServer server(io, server_options);
  prepare(server);
  config.api_base = server.api_base();
  Upload up(config, FileInfo{"a.jsonl", content.size()});
  upstate::asio::ClientOptions options;
  options.session.idle_timeout = milliseconds(2000);
  upstate::asio::Client client(io, options);
  Outcome outcome;
  client.start(up, path, [&](Outcome o) {
    outcome = std::move(o);
    server.stop();
  });
  io.run();
  std::remove(path.c_str());
  return outcome;
}

std::string padded_json(std::size_t bytes) { return "{\"pad\":\"" + std::string(bytes, 'x') + "\"}"; }

}  // namespace

TEST_CASE("body caps: the defaults, per kind of answer") {
  upstate::asio::BodyCaps caps;
  CHECK(caps.for_purpose(Purpose::upload_url) == 64u * 1024);
  CHECK(caps.for_purpose(Purpose::upload) == 64u * 1024);
  CHECK(caps.for_purpose(Purpose::dataset_status) == 64u * 1024);
  CHECK(caps.for_purpose(Purpose::dataset) == 16u << 20);
  CHECK(caps.for_purpose(Purpose::poll) == 2u << 20);
}

TEST_CASE("body caps: a step-1 answer over 64 KiB is not read (a protocol error), however big") {
  Outcome o = run_with([](FakeServer& s) {
    s.inject(testing::Fault::status(Purpose::upload_url, 200, padded_json(100 * 1024), {{"Content-Type", "application/json"}}, 2));
  });
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::retries_exhausted);
  CHECK_THAT(o.error()->message, Catch::Contains("body over 65536 bytes"));
}

TEST_CASE("body caps: a poll answer over 2 MiB is not read; one under it is") {
  SECTION("over") {
    Outcome o = run_with([](FakeServer& s) {
      s.inject(testing::Fault::status(Purpose::poll, 200, padded_json(3u << 20), {{"Content-Type", "application/json"}}, 2));
    });
    REQUIRE(o.error());
    CHECK_THAT(o.error()->message, Catch::Contains("body over 2097152 bytes"));
  }
  SECTION("under: 100 KiB, over step 1's cap, is read and parsed (and found malformed)") {
    Outcome o = run_with([](FakeServer& s) {
      s.inject(testing::Fault::status(Purpose::poll, 200, padded_json(100 * 1024), {{"Content-Type", "application/json"}}, 1));
    });
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::malformed_answer);
  }
}

TEST_CASE("body caps: an API error answer over its cap goes by its status") {
  Outcome o = run_with([](FakeServer& s) {
    s.inject(testing::Fault::status(Purpose::upload_url, 401, padded_json(100 * 1024), {{"Content-Type", "application/json"}}, 1));
  });
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::unauthorized);
  CHECK(o.error()->http_status == 401);
}

// With the cap set to 1 MiB (the default, 16 MiB, is checked above): a
// 17 MiB answer made the case take 2 s.
TEST_CASE("body caps: a dataset answer over its cap is not read") {
  FakeServerOptions server_options;
  server_options.datasets.push_back({"ds1", "Reviews", std::nullopt});
  ::asio::io_context io;
  FakeServer server(io, server_options);
  server.inject(testing::Fault::status(Purpose::dataset, 200, padded_json(2u << 20), {{"Content-Type", "application/json"}}, 5));
  BatchConfig config;
  config.upload.api_base = server.api_base();
  config.upload.token = "fake-token";
  config.upload.dataset_id = "ds1";
  config.upload.retry.max_attempts = 2;
  config.upload.retry.base = milliseconds(5);
  config.upload.deadline = std::chrono::seconds(20);
  Batch batch(config, {});
  upstate::asio::BatchClientOptions client_options;
  client_options.session.body_caps.dataset = 1u << 20;
  upstate::asio::BatchClient client(io, client_options);
  BatchOutcome outcome;
  client.start(batch, std::vector<std::string>{}, [&](const BatchOutcome& o) {
    outcome = o;
    server.stop();
  });
  io.run();
  REQUIRE(outcome.dataset_error);
  CHECK_THAT(outcome.dataset_error->message, Catch::Contains("body over 1048576 bytes"));
}

// A dataset answer lists every import the dataset ever had: one that a
// 20,000-file batch leaves behind (~2 MiB) is read whole, total and all.
TEST_CASE("body caps: a dataset answer listing 20,000 imports is read") {
  std::string body = R"({"id":"ds1","name":"Reviews","total_datapoint_count":140000,"schema_version":4,"imports":[)";
  for (int i = 0; i < 20000; ++i) {
    if (i) body += ',';
    body += R"({"import_id":"0193a1b2-0000-7000-8000-)" + std::to_string(100000000000 + i) +
            R"(","status":"complete","accepted_count":7,"duplicate_count":0})";
  }
  body += "]}";
  REQUIRE(body.size() > (2u << 20) - (64u << 10));
  FakeServerOptions server_options;
  server_options.datasets.push_back({"ds1", "Reviews", std::nullopt});
  ::asio::io_context io;
  FakeServer server(io, server_options);
  server.inject(testing::Fault::status(Purpose::dataset, 200, body, {{"Content-Type", "application/json"}}, 1));
  BatchConfig config;
  config.upload.api_base = server.api_base();
  config.upload.token = "fake-token";
  config.upload.dataset_id = "ds1";
  config.upload.retry.max_attempts = 1;  // read the first time, or the test fails
  config.upload.deadline = std::chrono::seconds(20);
  Batch batch(config, {});
  upstate::asio::BatchClient client(io);
  BatchOutcome outcome;
  client.start(batch, std::vector<std::string>{}, [&](const BatchOutcome& o) {
    outcome = o;
    server.stop();
  });
  io.run();
  CHECK_FALSE(outcome.dataset_error);
  CHECK(outcome.total_datapoint_count == std::optional<std::uint64_t>(140000));
}

// upstate::asio::Client over real loopback sockets against the in-process
// upstate-fake-server: every outcome, renewal, retries, a reset mid-PUT, a
// stalled server, TLS (trusted, untrusted, wrong name), the token kept off
// the upload host, progress and cancel. Short poll and stall settings keep
// each case well under a second; nothing sleeps.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

#include <fake_server/server.hpp>
#include <upstate/asio/client.hpp>

#include "support/temp_files.hpp"

using namespace upstate;
using upstate::asio::Client;
using upstate::asio::ClientOptions;
using upstate::tools::FakeServer;
using upstate::tools::FakeServerOptions;
using std::chrono::milliseconds;

namespace {

Schema schema() { return test::reviews_schema(); }

std::string temp_dir() {
  static const std::string dir = test::make_temp_dir("upstate-client-test");
  return dir;
}

std::string write_file(const std::string& name, const std::string& content) {
  return test::write_file(temp_dir() + "/" + name, content);
}

std::string records(int good, int bad) {
  std::string s;
  for (int i = 0; i < good; ++i) s += R"({"prompt":"p)" + std::to_string(i) + R"(","response":"r","category":"c"})" "\n";
  for (int i = 0; i < bad; ++i) s += R"({"prompt":""})" "\n";
  return s;
}

// Test certificates from tests/integration/certs.sh (openssl CLI).
const std::string& certs() {
  static std::string dir = [] {
    std::string d = temp_dir() + "/certs";
    std::string cmd = "bash " + std::string(UPSTATE_SOURCE_DIR) + "/tests/integration/certs.sh " + d + " >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return d;
  }();
  return dir;
}

struct Run {
  FakeServerOptions server_options;
  ClientOptions client_options;
  UploadConfig config;

  Run() {
    server_options.fake.processing_base = milliseconds(30);
    server_options.fake.processing_per_record = milliseconds(0);
    server_options.datasets.push_back({"ds1", "Reviews", schema()});
    server_options.datasets.push_back({"no-schema", "Empty", std::nullopt});
    config.token = "fake-token";
    config.dataset_id = "ds1";
    config.seed = 3;
    config.poll.initial = milliseconds(10);
    config.poll.max = milliseconds(50);
    config.retry.base = milliseconds(5);
    config.retry.cap = milliseconds(50);
    config.deadline = std::chrono::seconds(20);
    client_options.session.idle_timeout = milliseconds(2000);
  }

  // Uploads `content` as `name`; the server lives for this one run.
  Outcome upload(const std::string& name, const std::string& content,
                 const std::function<void(FakeServer&)>& prepare = {}) {
    ::asio::io_context io;
    FakeServer server(io, server_options);
    if (prepare) prepare(server);
    config.api_base = server.api_base();
    const std::string path = write_file(name, content);
    Upload up(config, FileInfo{name, content.size()});
    Client client(io, client_options);
    Outcome outcome;
    client.start(up, path, [&](Outcome o) {
      outcome = std::move(o);
      server.stop();
    });
    io.run();
    requests = server.service().requests();
    return outcome;
  }

  std::vector<testing::FakeService::Seen> requests;
};

}  // namespace

TEST_CASE("client: every outcome over plain HTTP") {
  Run run;
  SECTION("complete") {
    Outcome o = run.upload("a.jsonl", records(5, 0));
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::complete);
    CHECK(o.report()->accepted_count == 5u);
  }
  SECTION("partial, with the rejected records") {
    Outcome o = run.upload("a.jsonl", records(3, 2));
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::partial);
    CHECK(o.report()->rejected_count == 2u);
    REQUIRE(o.report()->errors.size() >= 2);
    CHECK(o.report()->errors[0].record_index == 3u);
  }
  SECTION("failed") {
    Outcome o = run.upload("a.jsonl", records(0, 3));
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::failed);
    CHECK(o.report()->reason.has_value());
  }
  SECTION("pending_schema") {
    run.config.dataset_id = "no-schema";
    Outcome o = run.upload("a.jsonl", records(2, 0));
    REQUIRE(o.report());
    CHECK(o.report()->status == ImportStatus::pending_schema);
  }
  SECTION("unknown dataset: a typed API error") {
    run.config.dataset_id = "nope";
    Outcome o = run.upload("a.jsonl", records(2, 0));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::not_found);
  }
  SECTION("wrong token") {
    run.config.token = "wrong";
    Outcome o = run.upload("a.jsonl", records(2, 0));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::unauthorized);
  }
}

TEST_CASE("client: the token goes to the API host only") {
  Run run;
  Outcome o = run.upload("a.jsonl", records(2, 0));
  REQUIRE(o.complete());  // the fake S3 answers 400 to a PUT carrying Authorization
  int puts = 0;
  for (const auto& seen : run.requests) {
    if (seen.request.purpose != Purpose::upload) {
      CHECK(find_header(seen.request.headers, "Authorization") != nullptr);
      continue;
    }
    ++puts;
    CHECK(find_header(seen.request.headers, "Authorization") == nullptr);
    for (const auto& h : seen.request.headers) CHECK(h.value.find("fake-token") == std::string::npos);
  }
  CHECK(puts == 1);
}

TEST_CASE("client: an expired URL is renewed and the upload completes") {
  Run run;
  Outcome o = run.upload("a.jsonl", records(4, 0), [](FakeServer& s) { s.inject(testing::Fault::s3_expired()); });
  REQUIRE(o.complete());
  CHECK(o.abandoned_import_ids.size() == 1);
  CHECK(o.abandoned_import_ids[0] != o.import_id);
}

TEST_CASE("client: 503 and 429 with Retry-After are retried") {
  Run run;
  Outcome o = run.upload("a.jsonl", records(4, 0), [](FakeServer& s) {
    s.inject(testing::Fault::retry_after(Purpose::upload_url, 503, "0", 2));
    s.inject(testing::Fault::retry_after(Purpose::poll, 429, "0", 1));
    s.inject(testing::Fault::s3_error(503, "SlowDown", "Please reduce your request rate.", 1));
  });
  REQUIRE(o.complete());
  int retries = 0;
  for (const auto& n : o.notes) retries += n.text.find("retrying") != std::string::npos ? 1 : 0;
  CHECK(retries == 4);
}

TEST_CASE("client: a connection reset in the middle of the PUT restarts it and nothing is lost") {
  Run run;
  std::string content = records(20000, 0);  // ~1 MB: the reset lands mid-body
  std::uint64_t last_progress = 0;
  bool monotonic = true;
  run.client_options.on_progress = [&](const upstate::asio::Progress& p) {
    monotonic = monotonic && p.bytes_sent >= last_progress;
    last_progress = p.bytes_sent;
  };
  Outcome o = run.upload("big.jsonl", content, [](FakeServer& s) { s.reset(Purpose::upload); });
  REQUIRE(o.complete());
  CHECK(o.report()->accepted_count == 20000u);
  CHECK(monotonic);
  CHECK(last_progress == content.size());
  bool noted = false;
  for (const auto& n : o.notes) noted = noted || n.text.find("upload request failed: reset") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("client: a server that stops answering times out instead of hanging") {
  Run run;
  run.client_options.session.idle_timeout = milliseconds(150);
  SECTION("one stall is retried") {
    Outcome o = run.upload("a.jsonl", records(2, 0), [](FakeServer& s) { s.stall(Purpose::poll, 1); });
    REQUIRE(o.complete());
  }
  SECTION("a steady stall exhausts the retries") {
    run.config.retry.max_attempts = 2;
    Outcome o = run.upload("a.jsonl", records(2, 0), [](FakeServer& s) { s.stall(Purpose::upload_url, 5); });
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::retries_exhausted);
    CHECK_THAT(o.error()->message, Catch::Contains("timeout"));
  }
}

TEST_CASE("client: TLS is verified, against the test CA and the host name") {
  Run run;
  run.server_options.cert_file = certs() + "/server.pem";
  run.server_options.key_file = certs() + "/server.key";
  SECTION("trusted through --ca-file") {
    run.client_options.session.ca_file = certs() + "/ca.pem";
    Outcome o = run.upload("a.jsonl", records(3, 0));
    REQUIRE(o.complete());
  }
  SECTION("untrusted without it") {
    Outcome o = run.upload("a.jsonl", records(3, 0));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::tls);
    CHECK_THAT(o.error()->message, Catch::Contains("certificate verification failed"));
  }
  SECTION("a certificate for another host name") {
    run.server_options.cert_file = certs() + "/wrong.pem";
    run.server_options.key_file = certs() + "/wrong.key";
    run.client_options.session.ca_file = certs() + "/ca.pem";
    Outcome o = run.upload("a.jsonl", records(3, 0));
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::tls);
    CHECK_THAT(o.error()->message, Catch::Contains("mismatch") || Catch::Contains("hostname") ||
                                       Catch::Contains("IP address"));
  }
}

TEST_CASE("client: a missing CA file is a clear TLS error, not a crash") {
  Run run;
  run.server_options.cert_file = certs() + "/server.pem";
  run.server_options.key_file = certs() + "/server.key";
  run.client_options.session.ca_file = temp_dir() + "/no-such-ca.pem";
  Outcome o = run.upload("a.jsonl", records(1, 0));
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::tls);
  CHECK_THAT(o.error()->message, Catch::Contains("no-such-ca.pem"));
}

TEST_CASE("client: cancel while polling ends the run at once") {
  Run run;
  run.server_options.fake.processing_base = std::chrono::seconds(60);
  ::asio::io_context io;
  FakeServer server(io, run.server_options);
  run.config.api_base = server.api_base();
  std::string content = records(2, 0);
  std::string path = write_file("c.jsonl", content);
  Upload up(run.config, FileInfo{"c.jsonl", content.size()});
  Client* client_ptr = nullptr;
  run.client_options.on_action = [&](const Upload& u, const Action& a) {
    if (u.last_status() == ImportStatus::processing && std::holds_alternative<Sleep>(a))
      ::asio::post(io, [&] { client_ptr->cancel(); });
  };
  Client client(io, run.client_options);
  client_ptr = &client;
  Outcome outcome;
  client.start(up, path, [&](Outcome o) {
    outcome = std::move(o);
    server.stop();
  });
  io.run();
  REQUIRE(outcome.error());
  CHECK(outcome.error()->code == ErrorCode::cancelled);
}

TEST_CASE("client: a file that does not match the upload is refused before any request") {
  Run run;
  ::asio::io_context io;
  FakeServer server(io, run.server_options);
  run.config.api_base = server.api_base();
  Upload up(run.config, FileInfo{"x.jsonl", 999});
  Client client(io, run.client_options);
  Outcome outcome;
  client.start(up, write_file("x.jsonl", "{}\n"), [&](Outcome o) {
    outcome = std::move(o);
    server.stop();
  });
  io.run();
  REQUIRE(outcome.error());
  CHECK(outcome.error()->code == ErrorCode::invalid_argument);
  CHECK(server.service().requests().empty());
}

TEST_CASE("client: the progress callback carries the service's processing figures") {
  Run run;
  run.server_options.fake.processing_base = milliseconds(400);  // polled every 10-50 ms meanwhile
  std::vector<upstate::ServerProgress> seen;
  run.client_options.on_progress = [&](const upstate::asio::Progress& p) {
    if (p.phase == Phase::processing && p.server) seen.push_back(*p.server);
  };
  const std::string content = records(50, 0);
  Outcome o = run.upload("a.jsonl", content);
  REQUIRE(o.complete());
  REQUIRE(seen.size() >= 2);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    CAPTURE(i);
    CHECK(seen[i].filename == "a.jsonl");
    REQUIRE(seen[i].processed_offset);
    CHECK(*seen[i].processed_offset <= content.size());
    if (i > 0) CHECK(*seen[i].processed_offset > *seen[i - 1].processed_offset);  // called on a change only
  }
  CHECK(seen.back().fraction_of(content.size()));  // bytes of the file: shown as a bar
}

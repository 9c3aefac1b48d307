// What the PUT's answer decides (issue 12 items 10 and 11): an S3 error
// whose body is over the 64 KiB cap is classified by its status (a 403 is a
// final refusal: one PUT, no retry, not a transport error), and 417
// Expectation Failed is answered by sending the PUT once more without
// `Expect: 100-continue`.
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

struct PutRun {
  FakeServerOptions server_options;
  UploadConfig config;
  std::vector<testing::FakeService::Seen> requests;

  PutRun() {
    server_options.fake.processing_base = milliseconds(30);
    server_options.fake.processing_per_record = milliseconds(0);
    server_options.datasets.push_back({"ds1", "Reviews", std::nullopt});
    config.token = "fake-token";
    config.dataset_id = "ds1";
    config.seed = 5;
    config.retry.base = milliseconds(5);
    config.retry.cap = milliseconds(20);
    config.deadline = std::chrono::seconds(20);
  }

  Outcome upload(const std::function<void(FakeServer&)>& prepare) {
    static int n = 0;
    const std::string content = "{\"prompt\":\"p\"}\n{\"prompt\":\"q\"}\n";
    const std::string path = "/tmp/upstate-put-answers-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".jsonl";
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
    requests = server.service().requests();
    std::remove(path.c_str());
    return outcome;
  }

  std::vector<const Request*> puts() const {
    std::vector<const Request*> out;
    for (const auto& seen : requests)
      if (seen.purpose == Purpose::upload) out.push_back(&seen.request);
    return out;
  }
};

}  // namespace

TEST_CASE("PUT answers: an S3 403 with a body over the 64 KiB cap is a final refusal, sent once") {
  PutRun run;
  const std::string huge(70 * 1024, 'x');  // the XML <Message> alone is over the cap
  Outcome o = run.upload([&](FakeServer& s) { s.inject(testing::Fault::s3_error(403, "AccessDenied", huge, 6)); });
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::upload_rejected);
  CHECK(o.error()->http_status == 403);
  CHECK(run.puts().size() == 1);
  for (const auto& n : o.notes) CHECK(n.text.find("retrying") == std::string::npos);
}

TEST_CASE("PUT answers: a 503 with a body over the cap is still retried, by its status") {
  PutRun run;
  const std::string huge(70 * 1024, 'x');
  Outcome o = run.upload([&](FakeServer& s) { s.inject(testing::Fault::s3_error(503, "SlowDown", huge, 1)); });
  REQUIRE(o.report());
  CHECK(run.puts().size() == 2);
}

TEST_CASE("PUT answers: 417 Expectation Failed is retried once without Expect: 100-continue") {
  PutRun run;
  SECTION("the second PUT, without Expect, goes through") {
    Outcome o = run.upload([](FakeServer& s) { s.inject(testing::Fault::status(Purpose::upload, 417)); });
    REQUIRE(o.report());
    auto puts = run.puts();
    REQUIRE(puts.size() == 2);
    CHECK(find_header(puts[0]->headers, "Expect") != nullptr);
    CHECK(find_header(puts[1]->headers, "Expect") == nullptr);
  }
  SECTION("a second 417 is final: no third PUT") {
    Outcome o = run.upload([](FakeServer& s) { s.inject(testing::Fault::status(Purpose::upload, 417, {}, {}, 5)); });
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::upload_rejected);
    CHECK(o.error()->http_status == 417);
    CHECK(run.puts().size() == 2);
  }
}

// How a user tests their own upload logic offline: a small piece of
// application code (ReportUploader) that depends on a transport and a
// clock, tested once against the in-process FakeService and once against a
// Trompeloeil mock. No network, no sleeping.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <catch2/trompeloeil.hpp>

#include <string>

// After Catch2 and its Trompeloeil adapter: the kit then brings the mocks
// and the printers too.
#include <upstate/testing.hpp>

// --- the application's code -------------------------------------------------

// Uploads a report and turns the outcome into what the app shows its users.
template <class Transport, class Clock>
std::string upload_report(Transport& transport, Clock& clock, const std::string& api_base, const std::string& token,
                          const std::string& content) {
  upstate::UploadConfig config;
  config.api_base = api_base;
  config.token = token;
  config.dataset_id = "reports";
  upstate::Upload upload{config, {"report.jsonl", content.size()}};
  upstate::Outcome o = upstate::drive(upload, transport, clock);
  if (const upstate::Error* e = o.error()) return "error: " + std::string(upstate::to_string(e->code));
  if (o.complete()) return "all " + std::to_string(*o.report()->accepted_count) + " rows live";
  return "needs attention: " + std::string(upstate::to_string(o.report()->status));
}

// --- its tests ----------------------------------------------------------------

TEST_CASE("a clean report goes live, even when the service is briefly overloaded") {
  upstate::testing::FakeService fake;
  fake.add_dataset({"reports", "Reports", upstate::Schema{false, {{"text", "text", ""}}}});
  fake.inject(upstate::testing::Fault::retry_after(upstate::Purpose::upload_url, 503, "2"));
  upstate::testing::ManualClock clock;
  const std::string content = "{\"text\":\"a\"}\n{\"text\":\"b\"}\n";
  upstate::testing::FakeTransport transport(fake, clock, content);
  CHECK(upload_report(transport, clock, fake.options().api_base, fake.options().token, content) == "all 2 rows live");
  CHECK(fake.total_datapoint_count("reports", clock.now()) == 2);
}

TEST_CASE("a report with a bad row needs attention") {
  upstate::testing::FakeService fake;
  fake.add_dataset({"reports", "Reports", upstate::Schema{false, {{"text", "text", ""}}}});
  upstate::testing::ManualClock clock;
  const std::string content = "{\"text\":\"a\"}\n{\"text\":\"\"}\n";
  upstate::testing::FakeTransport transport(fake, clock, content);
  CHECK(upload_report(transport, clock, fake.options().api_base, fake.options().token, content) ==
        "needs attention: partial");
}

TEST_CASE("a revoked token is shown as such, and nothing is uploaded") {
  using trompeloeil::_;
  upstate::testing::MockTransport transport;
  upstate::testing::MockClock clock;
  ALLOW_CALL(clock, now()).RETURN(upstate::Instant{});
  REQUIRE_CALL(transport, exchange(_))
      .WITH(_1.purpose == upstate::Purpose::upload_url)
      .RETURN(upstate::Exchange{upstate::Response{401, {}, R"({"error":{"status":401,"error_code":1}})"}});
  FORBID_CALL(transport, exchange(_)).WITH(_1.purpose == upstate::Purpose::upload);
  CHECK(upload_report(transport, clock, "https://api.example.test/v1", "token-123456", "{}\n") == "error: unauthorized");
}

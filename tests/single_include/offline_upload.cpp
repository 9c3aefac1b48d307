// Built against single_include/ alone (no include/ on the path): the core
// and the testing kit (upstate_testing.hpp);
// one upload through the whole flow against the in-process FakeService, on a
// simulated clock, with one scripted 503 + Retry-After on a poll. Exit 0 only
// for a complete import of all three records.
#include <cstdio>
#include <string>

#include "upstate.hpp"
#include "upstate_testing.hpp"

int main() {
  const std::string content =
      "{\"prompt\": \"Summarise.\", \"response\": \"Fine.\", \"category\": \"books\"}\n"
      "{\"prompt\": \"Positive?\", \"response\": \"Yes.\", \"category\": \"garden\"}\n"
      "{\"prompt\": \"Translate.\", \"response\": \"Bien.\", \"category\": \"toys\"}\n";
  auto schema = upstate::parse_schema(
      R"({"strict": true, "fields": {"prompt": {"type": "text"}, "response": {"type": "text"},)"
      R"( "category": {"type": "metadata"}}})");
  if (!schema) {
    std::fprintf(stderr, "schema: %s\n", upstate::to_string(schema.error()).c_str());
    return 1;
  }

  upstate::testing::FakeService service;
  service.add_dataset({"ds-single", "Single-header check", schema.value()});
  service.inject(upstate::testing::Fault::retry_after(upstate::Purpose::poll, 503, "1"));

  upstate::UploadConfig config;
  config.api_base = service.options().api_base;
  config.token = service.options().token;
  config.dataset_id = "ds-single";
  config.seed = 7;

  upstate::testing::ManualClock clock;
  upstate::testing::FakeTransport transport(service, clock, content);
  upstate::Upload upload(config, upstate::FileInfo{"reviews.jsonl", content.size()});
  const upstate::Outcome outcome = upstate::drive(upload, transport, clock);

  if (const upstate::Error* e = outcome.error()) {
    std::fprintf(stderr, "error: %s\n", upstate::to_string(*e).c_str());
    return 1;
  }
  const upstate::ImportReport& r = *outcome.report();
  std::printf("outcome: %s, accepted %llu, requests %d\n", std::string(upstate::to_string(r.status)).c_str(),
              static_cast<unsigned long long>(r.accepted_count.value_or(0)), outcome.requests_sent);
  if (!outcome.complete() || r.accepted_count != 3u || r.rejected_count.value_or(0) != 0) return 1;
  if (service.total_datapoint_count("ds-single", clock.now()) != 3u) return 1;
  return 0;
}

// Built against single_include/ alone: the core, the batch header
// (upstate_batch.hpp) and the testing kit. Two files into one dataset through
// drive_batch and the in-process FakeService on a simulated clock, one
// scripted 503 on a poll. Exit 0 only when both imports are complete and the
// dataset's total counts the four records (consumer.separate_compilation
// builds this program with UPSTATE_SEPARATE_COMPILATION too).
#include <cstdio>
#include <string>
#include <vector>

#include "upstate.hpp"
#include "upstate_batch.hpp"
#include "upstate_testing.hpp"

int main() {
  const std::string a =
      "{\"prompt\": \"Summarise.\", \"response\": \"Fine.\", \"category\": \"books\"}\n"
      "{\"prompt\": \"Positive?\", \"response\": \"Yes.\", \"category\": \"garden\"}\n";
  const std::string b =
      "{\"prompt\": \"Translate.\", \"response\": \"Bien.\", \"category\": \"toys\"}\n"
      "{\"prompt\": \"Shorter?\", \"response\": \"No.\", \"category\": \"books\"}\n";
  auto schema = upstate::parse_schema(
      R"({"strict": true, "fields": {"prompt": {"type": "text"}, "response": {"type": "text"},)"
      R"( "category": {"type": "metadata"}}})");
  if (!schema) {
    std::fprintf(stderr, "schema: %s\n", upstate::to_string(schema.error()).c_str());
    return 1;
  }

  upstate::testing::FakeService service;
  service.add_dataset({"ds-batch", "Single-header batch check", schema.value()});
  service.inject(upstate::testing::Fault::retry_after(upstate::Purpose::poll, 503, "1"));

  upstate::BatchConfig config;
  config.upload.api_base = service.options().api_base;
  config.upload.token = service.options().token;
  config.upload.dataset_id = "ds-batch";
  config.upload.seed = 11;
  config.max_in_flight = 2;

  upstate::testing::ManualClock clock;
  upstate::testing::FakeBatchTransport transport(service, clock, {a, b});
  upstate::Batch batch{config, {{"a.jsonl", a.size()}, {"b.jsonl", b.size()}}};
  const upstate::BatchOutcome outcome = upstate::drive_batch(batch, transport, clock);

  for (std::size_t i = 0; i < outcome.files.size(); ++i)
    if (const upstate::Error* e = outcome.files[i].error())
      std::fprintf(stderr, "file %zu: %s\n", i, upstate::to_string(*e).c_str());
  std::printf("batch: %zu of %zu complete, dataset total %llu\n", outcome.counts.complete, outcome.counts.total(),
              static_cast<unsigned long long>(outcome.total_datapoint_count.value_or(0)));
  if (outcome.files.size() != 2 || !outcome.all_complete()) return 1;
  if (outcome.total_datapoint_count != 4u) return 1;
  return 0;
}

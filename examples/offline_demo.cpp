// upstate-offline-demo: one file through the whole three-step flow against
// the in-process FakeService, on a simulated clock (no network, no sleeping).
// Prints each request the machine asks for, each status it sees, and the
// outcome with the rejected records.
//
//   upstate-offline-demo FILE [SCHEMA_JSON]
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <upstate/testing.hpp>
#include <upstate/upstate.hpp>

namespace {

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

double seconds_since(upstate::Instant t, upstate::Instant zero) {
  return std::chrono::duration<double>(t - zero).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s FILE [SCHEMA_JSON]\n", argv[0]);
    return 64;
  }
  const std::string path = argv[1];
  const std::string schema_path = argc == 3 ? argv[2] : path.substr(0, path.find_last_of('/') + 1) + "schema.json";

  bool ok = false;
  const std::string content = read_file(path, ok);
  if (!ok) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 66;
  }
  const std::string schema_text = read_file(schema_path, ok);
  if (!ok) {
    std::fprintf(stderr, "cannot read %s\n", schema_path.c_str());
    return 66;
  }
  auto schema = upstate::parse_schema(schema_text);
  if (!schema) {
    std::fprintf(stderr, "%s: %s\n", schema_path.c_str(), upstate::to_string(schema.error()).c_str());
    return 65;
  }

  // The fake plays the API and S3; one scripted fault shows a retry.
  upstate::testing::FakeService service;
  service.add_dataset({"ds-demo", "Product reviews", schema.value()});
  service.inject(upstate::testing::Fault::retry_after(upstate::Purpose::poll, 503, "1"));

  upstate::UploadConfig config;
  config.api_base = service.options().api_base;
  config.token = service.options().token;
  config.dataset_id = "ds-demo";
  config.seed = 2026;

  upstate::testing::ManualClock clock;
  const upstate::Instant zero = clock.now();
  upstate::testing::FakeTransport transport(service, clock, content);
  upstate::Upload upload(config, upstate::FileInfo{base_name(path), content.size()});

  std::printf("upstate offline demo: %s (%zu bytes) -> dataset ds-demo on the in-process fake service\n",
              path.c_str(), content.size());
  std::printf("(simulated clock; the fake answers the first poll with 503 and Retry-After: 1)\n\n");

  std::optional<upstate::ImportStatus> shown;
  auto observer = [&](const upstate::Upload& up, const upstate::Action& action) {
    double t = seconds_since(clock.now(), zero);
    if (up.last_status() && up.last_status() != shown) {
      shown = up.last_status();
      std::printf("[%7.3fs] status    %s\n", t, std::string(upstate::to_string(*shown)).c_str());
    }
    if (auto* send = std::get_if<upstate::Send>(&action)) {
      const auto& r = send->request;
      std::printf("[%7.3fs] %-9s %s %s", t, std::string(upstate::to_string(r.purpose)).c_str(), r.method.c_str(),
                  r.url.substr(0, r.url.find('?')).c_str());
      if (r.file) std::printf("  (%llu bytes)", static_cast<unsigned long long>(r.file->size));
      std::printf("\n");
    } else if (auto* sleep = std::get_if<upstate::Sleep>(&action)) {
      std::printf("[%7.3fs] wait      %.3f s (%s)\n", t, seconds_since(sleep->until, clock.now()),
                  std::string(upstate::to_string(up.state())).c_str());
    }
  };
  upstate::Outcome outcome = upstate::drive(upload, transport, clock, observer);

  std::printf("\n");
  for (const auto& note : outcome.notes)
    std::printf("note [%7.3fs] %s\n", seconds_since(note.at, zero), note.text.c_str());
  if (const upstate::Error* e = outcome.error()) {
    std::printf("outcome: error %s\n", upstate::to_string(*e).c_str());
    return 5;
  }
  const upstate::ImportReport& r = *outcome.report();
  std::printf("outcome: %s (import %s)\n", std::string(upstate::to_string(r.status)).c_str(), r.import_id.c_str());
  if (r.accepted_count) std::printf("  accepted: %llu\n", static_cast<unsigned long long>(*r.accepted_count));
  if (r.rejected_count) std::printf("  rejected: %llu\n", static_cast<unsigned long long>(*r.rejected_count));
  if (r.reason) std::printf("  reason: %s\n", r.reason->c_str());
  for (const auto& e : r.errors) {
    std::printf("  record %s", e.record_index ? std::to_string(*e.record_index).c_str() : "?");
    if (!e.field.empty()) std::printf(", field \"%s\"", upstate::printable_excerpt(e.field, 100).c_str());
    std::printf(": %s\n", upstate::printable_excerpt(e.reason, 300).c_str());
  }
  std::printf("  requests sent: %d; dataset total_datapoint_count now %llu\n", outcome.requests_sent,
              static_cast<unsigned long long>(service.total_datapoint_count("ds-demo", clock.now())));
  switch (r.status) {
    case upstate::ImportStatus::complete: return 0;
    case upstate::ImportStatus::partial: return 2;
    case upstate::ImportStatus::failed: return 3;
    default: return 4;
  }
}

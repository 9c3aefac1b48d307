// Property test: the machine against the in-process FakeService in 10,000
// seeded random scenarios (faults, delays, expiring URLs, statuses, clock
// trouble, cancels, caller mistakes, V3 datasets, and processes killed and
// restored from a snapshot). Each run must end; no wait may pass the
// deadline; the token never reaches the upload host nor a snapshot; every
// snapshot restores; every move is a row of the table; and over all runs
// every row is taken.
//
// A failing seed is printed; rerun one with UPSTATE_PROPERTY_SEED=<n>.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <upstate/testing.hpp>
#include <upstate/upstate.hpp>

#include "support/seeded_runs.hpp"

using namespace upstate;
using namespace upstate::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr int kScenarios = 10000;
constexpr int kMaxEvents = 5000;

Schema demo_schema(bool strict) {
  return Schema{strict, {{"prompt", "text", "Prompt"}, {"response", "text", ""}, {"category", "metadata", ""}}};
}

// A small file of records, some of them bad in the ways the fake checks.
std::string make_file(Rng& rng, bool csv) {
  std::string out = csv ? "prompt,response,category\n" : "";
  int records = static_cast<int>(rng.between(0, 12));
  for (int i = 0; i < records; ++i) {
    int kind = static_cast<int>(rng.between(0, 9));  // 0..6 good, 7 missing field, 8 empty, 9 junk
    std::string prompt = kind == 8 ? "" : "p" + std::to_string(i);
    if (csv) {
      if (kind == 9)
        out += "only-one-column\n";
      else if (kind == 7)
        out += prompt + ",,x\n";
      else
        out += prompt + ",r,\"a, b\"\n";
    } else {
      if (kind == 9)
        out += "[1,2]\n";
      else if (kind == 7)
        out += R"({"prompt":")" + prompt + "\"}\n";
      else
        out += R"({"prompt":")" + prompt + R"(","response":"r","category":"c"})" "\n";
    }
  }
  if (rng.chance(1, 50)) out += "\xff\xfe";  // not UTF-8
  return out;
}

// `legacy`: a V3 dataset, whose step 3 is the dataset's status.
Fault random_fault(Rng& rng, bool legacy) {
  static const Purpose kPurposes[] = {Purpose::upload_url, Purpose::upload, Purpose::poll};
  Purpose p = kPurposes[rng.between(0, 2)];
  if (legacy && p == Purpose::poll) p = Purpose::dataset_status;
  int times = static_cast<int>(rng.between(1, 3));
  switch (rng.between(0, 14)) {
    case 0: return Fault::status(p, 503, "", {}, times);
    case 1: return Fault::retry_after(p, 429, std::to_string(rng.between(0, 30)), times);
    case 2: return Fault::retry_after(p, 503, "Sat, 01 Jan 2028 00:00:10 GMT", times);
    case 3: return Fault::retry_after(p, 429, "garbage", times);
    case 4: return Fault::reset(p, times);
    case 5: return Fault::delay(p, milliseconds(rng.between(0, 400000)), times);
    case 6: {
      static const int kFinal[] = {400, 401, 403, 404, 405, 422, 301};
      return Fault::status(p, kFinal[rng.between(0, 6)], R"({"error":{"status":400,"error_code":1}})", {}, 1);
    }
    case 7: {
      static const char* kBodies[] = {
          "not json",
          R"({"import_id":"x","status":"exploded"})",
          R"({"upload_url":7})",
          R"({"status":"complete","import_id":"00000000-0000-4000-8000-000000000001","accepted_count":-3})",
          R"({"status":"partial","import_id":"00000000-0000-4000-8000-000000000001","errors":"many"})",
          "",
          "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
      };
      return Fault::malformed(p, kBodies[rng.between(0, 6)], 1);
    }
    case 8: return Fault::s3_expired(times);
    case 9: return Fault::s3_error(400, "RequestTimeout", "Your socket connection to the server was not read from", times);
    case 10: return Fault::s3_error(503, "SlowDown", "Please reduce your request rate.", times);
    case 11: return Fault::s3_error(400, "ExpiredToken", "The provided token has expired.", times);
    case 12: return Fault::s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match", 1);
    case 13:  // a URL already expired when it arrives (signed long before the answer's Date)
      return Fault::status(Purpose::upload_url, 200,
                           R"({"upload_url":"https://s3.example.test/k?X-Amz-Date=20261128T120000Z&X-Amz-Expires=60)"
                           R"(&X-Amz-SignedHeaders=host&X-Amz-Signature=1","http_method":"PUT","import_id":"dead-1"})",
                           {{"Date", "Sat, 01 Jan 2028 00:00:00 GMT"}}, times);
    default: return Fault::status(p, 500, "", {}, times);
  }
}

struct RunResult {
  bool done = false;
  std::string failure;  // empty when every property held
};

RunResult run_scenario(std::uint64_t seed, std::set<std::pair<State, Trigger>>& covered) {
  Rng rng(seed);
  FakeOptions options;
  options.url_lifetime = seconds(rng.chance(1, 4) ? rng.between(0, 5) : rng.between(60, 900));
  options.processing_base = milliseconds(rng.between(0, 180000));
  options.processing_per_record = milliseconds(rng.between(0, 100));
  options.max_reported_errors = static_cast<std::size_t>(rng.between(0, 5));
  options.send_content_type = !rng.chance(1, 5);
  options.sign_content_type = !rng.chance(1, 5);
  FakeService fake(options);
  // Decided by the seed alone, so the V4 scenarios draw what they always drew.
  const bool legacy = seed % 5 == 0;
  const bool csv = legacy || rng.chance(1, 2);
  if (!rng.chance(1, 10))
    fake.add_dataset({"ds1", "Reviews", rng.chance(9, 10) ? std::optional<Schema>(demo_schema(rng.chance(1, 2))) : std::nullopt,
                      legacy});
  for (int i = static_cast<int>(rng.between(0, 6)); i > 0; --i) fake.inject(random_fault(rng, legacy));
  const std::string file = make_file(rng, csv);

  UploadConfig config;
  config.api_base = options.api_base;
  config.token = options.token;
  config.dataset_id = "ds1";
  config.seed = seed;
  config.deadline = seconds(rng.between(20, 3 * 3600));
  config.retry.max_attempts = static_cast<int>(rng.between(1, 6));
  config.retry.max_url_renewals = static_cast<int>(rng.between(0, 3));
  config.poll.stuck_after = seconds(rng.between(30, 600));
  FileInfo info{csv ? "data.csv" : "data.jsonl", file.size()};
  if (rng.chance(1, 100)) config.dataset_id = "..";
  if (rng.chance(1, 100)) info.size = kMaxSinglePutBytes + 1;
  if (rng.chance(1, 100)) config.token.clear();
  if (legacy && rng.chance(1, 20)) info.name = "data.jsonl";  // a type V3 does not take
  if (rng.chance(1, 200)) config.deadline = seconds(0);         // no time at all: start() meets the deadline
  if (rng.chance(1, 3)) config.poll.on_pending_schema = OnPendingSchema::keep_polling;
  // Scenarios with restarts: after an event, the process may be killed
  // (the request in flight reaching the service or not) and a new machine
  // restored from the snapshot written just before.
  const int restarts_allowed = rng.chance(1, 4) ? static_cast<int>(rng.between(1, 3)) : 0;
  int restarts = 0;

  Upload up(config, info);
  ManualClock clock(Instant{} + seconds(rng.between(0, 1000)));
  RunResult result;
  auto fail = [&](std::string why) {
    result.failure = std::move(why);
    return result;
  };

  Action action;
  if (rng.chance(1, 200))
    action = up.cancel(clock.now());
  else if (rng.chance(1, 200))
    action = up.on_wake(clock.now());  // caller bug: wake before start
  else
    action = up.start(clock.now());

  auto collect = [&covered](const Upload& u) {
    for (const Step& s : u.trace()) covered.insert({s.from, s.trigger});
  };
  std::string failure;
  auto check_trace = [&failure](const Upload& u) {
    for (const Step& s : u.trace())
      if (next_state(s.from, s.trigger) != s.to && failure.empty())
        failure = "move " + std::string(to_string(s.from)) + " --" + std::string(to_string(s.trigger)) + "--> " +
                  std::string(to_string(s.to)) + " is not in the table";
  };

  int events = 0;
  for (; events < kMaxEvents && !std::holds_alternative<Done>(action); ++events) {
    const Instant now = clock.now();
    if (restarts < restarts_allowed && rng.chance(1, 8)) {
      const std::string snapshot = up.snapshot();
      if (!config.token.empty() && snapshot.find(config.token) != std::string::npos)
        return fail("the token is in a snapshot");
      // The next process may be configured differently: no time left, or
      // no usable token (its start() refuses).
      UploadConfig next = config;
      if (rng.chance(1, 20)) next.deadline = seconds(0);
      if (rng.chance(1, 20)) next.token.clear();
      auto restored = Upload::restore(next, snapshot);
      if (!restored) return fail("restore refused the machine's own snapshot: " + to_string(restored.error()));
      if (auto* send = std::get_if<Send>(&action); send && rng.chance(1, 2)) {
        std::string_view body =
            send->request.file ? std::string_view(file).substr(0, send->request.file->size) : std::string_view{};
        fake.handle(send->request, body, now);  // it arrived; the answer died with the process
      }
      check_trace(up);
      collect(up);
      ++restarts;
      up = std::move(restored).value();
      if (rng.chance(1, 3)) clock.advance(seconds(rng.between(0, 900)));  // the new process starts later
      if (rng.chance(1, 4)) fake.inject(Fault::status(Purpose::poll, 503, "", {}, 1));  // and meets a hiccup
      if (rng.chance(1, 10))
        action = up.cancel(clock.now());
      else if (rng.chance(1, 10))
        action = up.on_response(Response{200, {}, ""}, clock.now());  // caller bug: an answer before start
      else
        action = up.start(clock.now());
      continue;
    }
    // After a restart (a rarer path: probes), cancels and mistakes come more
    // often; so they do on the V3 path (a fifth of the runs, with states of
    // its own). Every draw for V3 only is behind `legacy &&`, so the V4
    // scenarios draw what they always drew.
    const int odds = restarts > 0 ? 20 : legacy ? 60 : 400;
    // V3: the dataset's status stalls now and then, after the status moved
    // too, or shows UNINITIALISED (a service that resets it, or is slow to
    // show the PUT).
    if (legacy && rng.chance(1, 25)) {
      const int times = static_cast<int>(rng.between(1, 6));
      fake.inject(rng.chance(1, 3) ? Fault::status(Purpose::dataset_status, 200, R"({"status":"UNINITIALISED"})", {}, times)
                                   : Fault::status(Purpose::dataset_status, 503, "", {}, times));
    }
    if (rng.chance(1, odds)) {
      action = up.cancel(now);
      continue;
    }
    if (rng.chance(1, odds)) {  // the caller feeds the wrong kind of event
      action = std::holds_alternative<Send>(action) ? up.on_wake(now) : up.on_response(Response{200, {}, ""}, now);
      continue;
    }
    if (auto* send = std::get_if<Send>(&action)) {
      const Request& request = send->request;
      std::string_view body = request.file ? std::string_view(file).substr(0, request.file->size) : std::string_view{};
      FakeReply reply = fake.handle(request, body, now);
      clock.advance(reply.delay);
      // V3: a status answer that arrives long after it was sent (the first one
      // after the PUT may find the dataset still UNINITIALISED: stuck).
      if (legacy && request.purpose == Purpose::dataset_status && rng.chance(1, 15))
        clock.advance(config.poll.stuck_after);
      if (rng.chance(1, 100)) clock.set(clock.now() - seconds(rng.between(1, 100)));  // clock jumps back
      if (rng.chance(1, 40)) clock.advance(seconds(rng.between(0, 4 * 3600)));         // a very slow answer
      if (auto* response = std::get_if<Response>(&reply.result))
        action = up.on_response(*response, clock.now());
      else
        action = up.on_transport_error(std::get<TransportError>(reply.result), clock.now());
    } else {
      const Instant until = std::get<Sleep>(action).until;
      // Property: every wait lies between now and the deadline.
      if (until > up.deadline()) return fail("Sleep past the deadline");
      if (until < now) return fail("Sleep in the past");
      if (now < until && rng.chance(1, 10)) {  // a spurious early wake changes nothing
        Action again = up.on_wake(now);
        auto* s = std::get_if<Sleep>(&again);
        if (!s || s->until != until) return fail("early wake changed the plan");
      }
      clock.sleep_until(until + milliseconds(rng.between(0, 2000)));
      if (rng.chance(1, restarts > 0 ? 6 : 40)) clock.advance(seconds(rng.between(0, 4 * 3600)));  // the process was suspended
      action = up.on_wake(clock.now());
    }
  }
  if (!std::holds_alternative<Done>(action)) return fail("no Done within " + std::to_string(kMaxEvents) + " events");
  result.done = true;

  // Property: the token never reaches the upload host, in any header or URL.
  const std::string upload_host = parse_url(options.upload_base)->host;
  for (const auto& seen : fake.requests()) {
    bool to_upload_host = seen.host == upload_host || seen.request.purpose == Purpose::upload;
    if (!to_upload_host) continue;
    if (find_header(seen.request.headers, "Authorization")) return fail("Authorization sent to the upload host");
    if (!config.token.empty()) {
      if (seen.request.url.find(config.token) != std::string::npos) return fail("token in an upload URL");
      for (const auto& h : seen.request.headers)
        if (h.value.find(config.token) != std::string::npos) return fail("token in an upload header");
    }
  }
  // Property: the token is in no message the caller can print.
  const Outcome& outcome = std::get<Done>(action).outcome;
  if (!config.token.empty()) {
    if (outcome.error() && to_string(*outcome.error()).find(config.token) != std::string::npos)
      return fail("token in the error message");
    for (const auto& n : outcome.notes)
      if (n.text.find(config.token) != std::string::npos) return fail("token in a note");
  }
  // Property: each move is a row of the table.
  check_trace(up);
  if (!failure.empty()) return fail(failure);
  collect(up);
  if (!config.token.empty() && up.snapshot().find(config.token) != std::string::npos)
    return fail("the token is in a snapshot");
  if (up.trace().size() >= Upload::kMaxTrace) return fail("trace overflow: the run was not bounded");
  return result;
}

}  // namespace

TEST_CASE("10,000 random scenarios: the machine always ends, safely, by the table") {
  std::set<std::pair<State, Trigger>> covered;
  if (!test::run_seeded("UPSTATE_PROPERTY_SEED", kScenarios,
                        [&](std::uint64_t seed) { return run_scenario(seed, covered).failure; }))
    return;
  // Over all runs every declared transition is taken at least once.
  std::vector<std::string> missing;
  for (const auto& t : kAllTransitions)
    if (!covered.count({t.from, t.trigger}))
      missing.push_back(std::string(to_string(t.from)) + " --" + std::string(to_string(t.trigger)) + "-->");
  INFO("transitions never taken: " << missing.size());
  for (const auto& m : missing) UNSCOPED_INFO(m);
  CHECK(missing.empty());
}

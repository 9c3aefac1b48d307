// The transition table as data: its shape, and one scripted run per row
// that must end by taking exactly that row.
#include <catch2/catch.hpp>

#include <functional>
#include <set>
#include <utility>

#include <upstate/machine/upload.hpp>

#include "support/answers.hpp"
#include "support/upload_config.hpp"

using namespace upstate;
using test::at;

TEST_CASE("the table is a function of (state, trigger)") {
  std::set<std::pair<State, Trigger>> seen;
  for (const auto& t : kAllTransitions) {
    CAPTURE(to_string(t.from), to_string(t.trigger));
    CHECK(seen.insert({t.from, t.trigger}).second);
    CHECK(t.from != State::done);  // done is final: no way out
  }
}

TEST_CASE("every state but done can be cancelled, misused and hit the deadline (the rules written once)") {
  for (const auto& info : kStates) {
    if (info.state == State::done) continue;
    CAPTURE(info.name);
    CHECK(next_state(info.state, Trigger::cancel) == State::done);
    CHECK(next_state(info.state, Trigger::misuse) == State::done);
    CHECK(next_state(info.state, Trigger::deadline) == State::done);
  }
}

TEST_CASE("every state is reachable from an idle state (new or restored)") {
  std::set<State> reached;
  for (const auto& info : kStates)
    if (info.awaits == Awaits::start) reached.insert(info.state);
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& t : kTransitions)
      if (reached.count(t.from) && reached.insert(t.to).second) grew = true;
  }
  for (const auto& info : kStates) {
    CAPTURE(info.name);
    CHECK(reached.count(info.state) == 1);
  }
}

TEST_CASE("waiting states await a wake, request states a response") {
  for (const auto& t : kTransitions) {
    if (t.trigger != Trigger::wake) continue;
    CHECK(state_info(t.from).awaits == Awaits::wake);
    CHECK(state_info(t.to).awaits == Awaits::response);
  }
}

namespace {

// A tiny script runner: each call feeds one event at a time given in seconds.
struct Run {
  Upload up;
  Action last;
  Instant now{};

  static UploadConfig config() {
    UploadConfig c = test::upload_config(/*seed=*/0);
    c.deadline = std::chrono::seconds(10000);
    c.retry.max_attempts = 2;
    c.retry.max_url_renewals = 1;
    c.poll.stuck_after = std::chrono::seconds(50);
    return c;
  }
  explicit Run(UploadConfig c = config(), FileInfo f = {"reviews.jsonl", 100}) : up(std::move(c), std::move(f)) {}
  explicit Run(Upload u) : up(std::move(u)) {}

  // A V3 (legacy) dataset takes .csv and .zip files.
  static Run legacy() { return Run(config(), FileInfo{"reviews.csv", 100}); }
  // Restored from a snapshot taken after step 1 answered (the PUT's answer lost).
  static Run restored_before_put() {
    Run first;
    first.to_uploading();
    auto restored = Upload::restore(config(), first.up.snapshot());
    REQUIRE(restored);
    return Run(std::move(restored).value());
  }

  Run& start(double t = 0) { return step(up.start(now = at(t))); }
  Run& respond(upstate::Response r, double t) { return step(up.on_response(r, now = at(t))); }
  Run& fail(double t) { return step(up.on_transport_error({TransportError::Kind::reset, "reset"}, now = at(t))); }
  Run& wake() {
    REQUIRE(std::holds_alternative<Sleep>(last));
    return step(up.on_wake(now = std::get<Sleep>(last).until));
  }
  Run& wake_at(double t) { return step(up.on_wake(now = at(t))); }
  Run& cancel(double t) { return step(up.cancel(now = at(t))); }
  Run& step(Action a) {
    last = std::move(a);
    return *this;
  }
  // Short-lived URL: 30 s left when it arrives at time 1.
  static upstate::Response short_url(const std::string& import_id = test::kImport) {
    return test::url_answer(import_id,
                            "https://s3.example.test/k?X-Amz-Date=20261128T120000Z&X-Amz-Expires=30"
                            "&X-Amz-SignedHeaders=host&X-Amz-Signature=1");
  }
  // A URL that is already expired when it arrives (signed an hour before the answer's Date, for 60 s).
  static upstate::Response dead_url(const std::string& import_id = test::kImport) {
    return test::url_answer(import_id,
                            "https://s3.example.test/k?X-Amz-Date=20261128T110000Z&X-Amz-Expires=60"
                            "&X-Amz-SignedHeaders=host&X-Amz-Signature=1");
  }
  Run& to_requesting_url() { return start(); }
  Run& to_url_backoff() { return start().respond(test::answer(503), 1); }
  Run& to_uploading() { return start().respond(test::url_answer(), 1); }
  Run& to_upload_backoff() { return to_uploading().respond(test::s3_error(503, "SlowDown", "slow"), 2); }
  Run& to_polling() { return to_uploading().respond(test::answer(200), 2); }
  Run& to_poll_wait() { return to_polling().respond(test::import_answer("queued"), 3); }
  // V3: step 1 answers without import_id; step 3 asks for the dataset's status.
  static upstate::Response legacy_url() {
    return test::answer(200,
                        R"({"upload_url":"https://s3.example.test/k?X-Amz-Date=20261128T120000Z&X-Amz-Expires=900)"
                        R"(&X-Amz-SignedHeaders=host&X-Amz-Signature=1","http_method":"PUT"})",
                        {{"Date", test::kDate}});
  }
  static upstate::Response status(const std::string& word) {
    return test::answer(200, R"({"status":")" + word + R"("})");
  }
  Run& to_legacy_uploading() { return start().respond(legacy_url(), 1); }
  Run& to_legacy_upload_backoff() { return to_legacy_uploading().respond(test::s3_error(503, "SlowDown", "slow"), 2); }
  // After the PUT (at 2) the status has not moved yet: confirming_status.
  Run& to_confirming() { return to_legacy_uploading().respond(test::answer(200), 2); }
  Run& to_confirm_wait() { return to_confirming().respond(test::answer(500), 3); }
  Run& to_status_wait() { return to_confirming().respond(status("PROCESSING"), 3); }
  // The status moved (PROCESSING at 3): a READY/ERROR from now on is this file's.
  Run& to_polling_status() { return to_status_wait().wake(); }
  // PollPolicy::on_pending_schema = keep_polling: a pending_schema import is waited for.
  static UploadConfig patient() {
    UploadConfig c = config();
    c.poll.on_pending_schema = OnPendingSchema::keep_polling;
    return c;
  }
  Run& to_schema_wait() {
    *this = Run(patient());
    return to_polling().respond(test::import_answer("pending_schema"), 3);
  }
  // A restored upload probing whether its lost PUT arrived (started at 10).
  Run& to_probe() { return (*this = restored_before_put()).start(10); }
  Run& to_probe_wait() { return to_probe().respond(test::answer(500), 11); }
};

struct Recipe {
  State from;
  Trigger trigger;
  std::function<void(Run&)> script;
};

const auto expired = [] { return test::s3_error(403, "AccessDenied", "Request has expired"); };

const std::vector<Recipe>& recipes() {
  // Restored or resumed machines, and a config whose deadline has passed
  // when start() is called.
  static const auto uploaded = [] { return Run(Upload::resume_import(Run::config(), test::kImport)); };
  static const auto uploaded_v3 = [] { return Run(Upload::resume_legacy(Run::config())); };
  static const auto no_time = [] {
    UploadConfig c = Run::config();
    c.deadline = std::chrono::seconds(0);
    return c;
  };
  static const auto unusable = [] {
    UploadConfig c = Run::config();
    c.token.clear();
    return c;
  };
  static const std::vector<Recipe> all = {
      {State::idle, Trigger::start, [](Run& r) { r.start(); }},
      {State::idle, Trigger::refused_locally,
       [](Run& r) {
         UploadConfig c = Run::config();
         c.dataset_id = "..";
         r = Run(c);
         r.start();
       }},
      {State::idle, Trigger::cancel, [](Run& r) { r.cancel(0); }},
      {State::idle, Trigger::misuse, [](Run& r) { r.wake_at(0); }},
      {State::idle, Trigger::deadline, [](Run& r) { (r = Run(no_time())).start(); }},

      {State::idle_uploaded, Trigger::resume, [](Run& r) { (r = uploaded()).start(); }},
      {State::idle_uploaded, Trigger::refused_locally,
       [](Run& r) { (r = Run(Upload::resume_import(Run::config(), ".."))).start(); }},
      {State::idle_uploaded, Trigger::cancel, [](Run& r) { (r = uploaded()).cancel(0); }},
      {State::idle_uploaded, Trigger::misuse, [](Run& r) { (r = uploaded()).fail(0); }},
      {State::idle_uploaded, Trigger::deadline,
       [](Run& r) { (r = Run(Upload::resume_import(no_time(), test::kImport))).start(); }},

      {State::idle_uploaded_v3, Trigger::resume, [](Run& r) { (r = uploaded_v3()).start(); }},
      {State::idle_uploaded_v3, Trigger::refused_locally,
       [](Run& r) { (r = Run(Upload::resume_legacy(unusable()))).start(); }},
      {State::idle_uploaded_v3, Trigger::cancel, [](Run& r) { (r = uploaded_v3()).cancel(0); }},
      {State::idle_uploaded_v3, Trigger::misuse, [](Run& r) { (r = uploaded_v3()).wake_at(0); }},
      {State::idle_uploaded_v3, Trigger::deadline,
       [](Run& r) { (r = Run(Upload::resume_legacy(no_time()))).start(); }},

      {State::idle_put_unknown, Trigger::resume, [](Run& r) { (r = Run::restored_before_put()).start(10); }},
      {State::idle_put_unknown, Trigger::refused_locally,
       [](Run& r) {
         Run first;
         first.to_uploading();
         r = Run(Upload::restore(unusable(), first.up.snapshot()).value());
         r.start(10);
       }},
      {State::idle_put_unknown, Trigger::cancel, [](Run& r) { (r = Run::restored_before_put()).cancel(10); }},
      {State::idle_put_unknown, Trigger::misuse,
       [](Run& r) { (r = Run::restored_before_put()).respond(test::answer(200), 10); }},
      {State::idle_put_unknown, Trigger::deadline,
       [](Run& r) {
         Run first;
         first.to_uploading();
         r = Run(Upload::restore(no_time(), first.up.snapshot()).value());
         r.start(10);
       }},

      {State::requesting_url, Trigger::url_received, [](Run& r) { r.to_uploading(); }},
      {State::requesting_url, Trigger::legacy_url_received, [](Run& r) { (r = Run::legacy()).to_legacy_uploading(); }},
      {State::requesting_url, Trigger::url_expired, [](Run& r) { r.start().respond(Run::dead_url(), 1); }},
      {State::requesting_url, Trigger::renewals_exhausted,
       [](Run& r) { r.start().respond(Run::dead_url(), 1).respond(Run::dead_url("i2"), 2); }},
      {State::requesting_url, Trigger::url_retry, [](Run& r) { r.to_url_backoff(); }},
      {State::requesting_url, Trigger::url_refused, [](Run& r) { r.start().respond(test::api_error(404), 1); }},
      {State::requesting_url, Trigger::retries_exhausted,
       [](Run& r) { r.to_url_backoff().wake().respond(test::answer(503), 2); }},
      {State::requesting_url, Trigger::deadline, [](Run& r) { r.start().respond(test::answer(503), 20000); }},
      {State::requesting_url, Trigger::cancel, [](Run& r) { r.start().cancel(1); }},
      {State::requesting_url, Trigger::misuse, [](Run& r) { r.start().wake_at(1); }},

      {State::url_backoff, Trigger::wake, [](Run& r) { r.to_url_backoff().wake(); }},
      {State::url_backoff, Trigger::deadline, [](Run& r) { r.to_url_backoff().wake_at(20000); }},
      {State::url_backoff, Trigger::cancel, [](Run& r) { r.to_url_backoff().cancel(1); }},
      {State::url_backoff, Trigger::misuse, [](Run& r) { r.to_url_backoff().respond(test::answer(200), 1); }},

      {State::uploading, Trigger::upload_accepted, [](Run& r) { r.to_polling(); }},
      {State::uploading, Trigger::url_expired, [](Run& r) { r.to_uploading().respond(expired(), 2); }},
      {State::uploading, Trigger::renewals_exhausted,
       [](Run& r) { r.to_uploading().respond(expired(), 2).respond(test::url_answer("i2"), 3).respond(expired(), 4); }},
      {State::uploading, Trigger::upload_retry, [](Run& r) { r.to_upload_backoff(); }},
      {State::uploading, Trigger::upload_refused,
       [](Run& r) { r.to_uploading().respond(test::s3_error(403, "SignatureDoesNotMatch", "no"), 2); }},
      {State::uploading, Trigger::retries_exhausted, [](Run& r) { r.to_upload_backoff().wake().fail(3); }},
      {State::uploading, Trigger::deadline,
       [](Run& r) { r.to_uploading().respond(test::s3_error(503, "SlowDown", "slow"), 20000); }},
      {State::uploading, Trigger::cancel, [](Run& r) { r.to_uploading().cancel(2); }},
      {State::uploading, Trigger::misuse, [](Run& r) { r.to_uploading().wake_at(2); }},

      {State::upload_backoff, Trigger::wake, [](Run& r) { r.to_upload_backoff().wake(); }},
      {State::upload_backoff, Trigger::url_expired,
       [](Run& r) { r.start().respond(Run::short_url(), 1).fail(2).wake_at(100); }},
      {State::upload_backoff, Trigger::renewals_exhausted,
       [](Run& r) {
         r.start().respond(Run::short_url(), 1).respond(expired(), 2).respond(Run::short_url("i2"), 3).fail(4).wake_at(
             100);
       }},
      {State::upload_backoff, Trigger::deadline, [](Run& r) { r.to_upload_backoff().wake_at(20000); }},
      {State::upload_backoff, Trigger::cancel, [](Run& r) { r.to_upload_backoff().cancel(3); }},
      {State::upload_backoff, Trigger::misuse, [](Run& r) { r.to_upload_backoff().fail(3); }},

      {State::uploading_v3, Trigger::upload_accepted, [](Run& r) { (r = Run::legacy()).to_confirming(); }},
      {State::uploading_v3, Trigger::url_expired,
       [](Run& r) { (r = Run::legacy()).to_legacy_uploading().respond(expired(), 2); }},
      {State::uploading_v3, Trigger::renewals_exhausted,
       [](Run& r) {
         (r = Run::legacy()).to_legacy_uploading().respond(expired(), 2).respond(Run::legacy_url(), 3).respond(expired(), 4);
       }},
      {State::uploading_v3, Trigger::upload_retry, [](Run& r) { (r = Run::legacy()).to_legacy_upload_backoff(); }},
      {State::uploading_v3, Trigger::upload_refused,
       [](Run& r) {
         (r = Run::legacy()).to_legacy_uploading().respond(test::s3_error(403, "SignatureDoesNotMatch", "no"), 2);
       }},
      {State::uploading_v3, Trigger::retries_exhausted,
       [](Run& r) { (r = Run::legacy()).to_legacy_upload_backoff().wake().fail(3); }},
      {State::uploading_v3, Trigger::deadline,
       [](Run& r) {
         (r = Run::legacy()).to_legacy_uploading().respond(test::s3_error(503, "SlowDown", "slow"), 20000);
       }},
      {State::uploading_v3, Trigger::cancel, [](Run& r) { (r = Run::legacy()).to_legacy_uploading().cancel(2); }},
      {State::uploading_v3, Trigger::misuse, [](Run& r) { (r = Run::legacy()).to_legacy_uploading().wake_at(2); }},

      {State::upload_backoff_v3, Trigger::wake, [](Run& r) { (r = Run::legacy()).to_legacy_upload_backoff().wake(); }},
      // The legacy URL is signed for 900 s: its expiry passes while waiting.
      {State::upload_backoff_v3, Trigger::url_expired,
       [](Run& r) { (r = Run::legacy()).to_legacy_uploading().fail(2).wake_at(1000); }},
      {State::upload_backoff_v3, Trigger::renewals_exhausted,
       [](Run& r) {
         (r = Run::legacy()).to_legacy_uploading().respond(expired(), 2).respond(Run::legacy_url(), 3).fail(4).wake_at(
             2000);
       }},
      {State::upload_backoff_v3, Trigger::deadline,
       [](Run& r) { (r = Run::legacy()).to_legacy_upload_backoff().wake_at(20000); }},
      {State::upload_backoff_v3, Trigger::cancel,
       [](Run& r) { (r = Run::legacy()).to_legacy_upload_backoff().cancel(3); }},
      {State::upload_backoff_v3, Trigger::misuse,
       [](Run& r) { (r = Run::legacy()).to_legacy_upload_backoff().fail(3); }},

      {State::probing, Trigger::import_pending, [](Run& r) { r.to_probe().respond(test::import_answer("queued"), 11); }},
      {State::probing, Trigger::import_terminal,
       [](Run& r) { r.to_probe().respond(test::import_answer("complete"), 11); }},
      {State::probing, Trigger::import_unstarted,
       [](Run& r) { r.to_probe().respond(test::import_answer("uninitialised"), 11); }},
      {State::probing, Trigger::poll_retry, [](Run& r) { r.to_probe_wait(); }},
      {State::probing, Trigger::poll_refused, [](Run& r) { r.to_probe().respond(test::api_error(404), 11); }},
      {State::probing, Trigger::retries_exhausted,
       [](Run& r) { r.to_probe_wait().wake().respond(test::answer(500), 30); }},
      {State::probing, Trigger::deadline,
       [](Run& r) { r.to_probe().respond(test::import_answer("queued"), 20000); }},
      {State::probing, Trigger::cancel, [](Run& r) { r.to_probe().cancel(11); }},
      {State::probing, Trigger::misuse, [](Run& r) { r.to_probe().wake_at(11); }},

      {State::probe_wait, Trigger::wake, [](Run& r) { r.to_probe_wait().wake(); }},
      {State::probe_wait, Trigger::deadline, [](Run& r) { r.to_probe_wait().wake_at(20000); }},
      {State::probe_wait, Trigger::cancel, [](Run& r) { r.to_probe_wait().cancel(12); }},
      {State::probe_wait, Trigger::misuse, [](Run& r) { r.to_probe_wait().respond(test::answer(200), 12); }},

      {State::polling, Trigger::import_pending, [](Run& r) { r.to_poll_wait(); }},
      {State::polling, Trigger::import_terminal, [](Run& r) { r.to_polling().respond(test::import_answer("complete"), 3); }},
      {State::polling, Trigger::import_paused, [](Run& r) { r.to_schema_wait(); }},
      {State::polling, Trigger::poll_retry, [](Run& r) { r.to_polling().respond(test::answer(500), 3); }},
      {State::polling, Trigger::poll_refused, [](Run& r) { r.to_polling().respond(test::api_error(404), 3); }},
      {State::polling, Trigger::import_stuck,
       [](Run& r) { r.to_polling().respond(test::import_answer("uninitialised"), 60); }},
      {State::polling, Trigger::retries_exhausted,
       [](Run& r) { r.to_polling().respond(test::answer(500), 3).wake().respond(test::answer(500), 20); }},
      {State::polling, Trigger::deadline, [](Run& r) { r.to_polling().respond(test::import_answer("queued"), 20000); }},
      {State::polling, Trigger::cancel, [](Run& r) { r.to_polling().cancel(3); }},
      {State::polling, Trigger::misuse, [](Run& r) { r.to_polling().wake_at(3); }},

      {State::poll_wait, Trigger::wake, [](Run& r) { r.to_poll_wait().wake(); }},
      {State::poll_wait, Trigger::deadline, [](Run& r) { r.to_poll_wait().wake_at(20000); }},
      {State::poll_wait, Trigger::cancel, [](Run& r) { r.to_poll_wait().cancel(4); }},
      {State::poll_wait, Trigger::misuse, [](Run& r) { r.to_poll_wait().respond(test::answer(200), 4); }},

      {State::confirming_status, Trigger::import_pending, [](Run& r) { (r = Run::legacy()).to_status_wait(); }},
      {State::confirming_status, Trigger::import_terminal,
       // 30 s: past PollPolicy::legacy_settle, so a READY unchanged since the PUT counts (legacy_freshness.hpp).
       [](Run& r) { (r = Run::legacy()).to_confirming().respond(Run::status("READY"), 30); }},
      {State::confirming_status, Trigger::status_unconfirmed,
       [](Run& r) { (r = Run::legacy()).to_confirming().respond(Run::status("READY"), 3); }},
      {State::confirming_status, Trigger::poll_retry, [](Run& r) { (r = Run::legacy()).to_confirm_wait(); }},
      {State::confirming_status, Trigger::poll_refused,
       [](Run& r) { (r = Run::legacy()).to_confirming().respond(test::api_error(404), 3); }},
      {State::confirming_status, Trigger::import_stuck,
       [](Run& r) { (r = Run::legacy()).to_confirming().respond(Run::status("UNINITIALISED"), 60); }},
      {State::confirming_status, Trigger::retries_exhausted,
       [](Run& r) { (r = Run::legacy()).to_confirm_wait().wake().respond(test::answer(500), 20); }},
      {State::confirming_status, Trigger::deadline,
       [](Run& r) { (r = Run::legacy()).to_confirming().respond(Run::status("PROCESSING"), 20000); }},
      {State::confirming_status, Trigger::cancel, [](Run& r) { (r = Run::legacy()).to_confirming().cancel(3); }},
      {State::confirming_status, Trigger::misuse, [](Run& r) { (r = Run::legacy()).to_confirming().wake_at(3); }},

      {State::confirm_wait, Trigger::wake, [](Run& r) { (r = Run::legacy()).to_confirm_wait().wake(); }},
      {State::confirm_wait, Trigger::deadline, [](Run& r) { (r = Run::legacy()).to_confirm_wait().wake_at(20000); }},
      {State::confirm_wait, Trigger::cancel, [](Run& r) { (r = Run::legacy()).to_confirm_wait().cancel(4); }},
      {State::confirm_wait, Trigger::misuse,
       [](Run& r) { (r = Run::legacy()).to_confirm_wait().respond(test::answer(200), 4); }},

      {State::polling_status, Trigger::import_pending,
       [](Run& r) { (r = Run::legacy()).to_polling_status().respond(Run::status("PROCESSING"), 10); }},
      {State::polling_status, Trigger::import_terminal,
       // Within legacy_settle of the PUT, yet ours: the status moved.
       [](Run& r) { (r = Run::legacy()).to_polling_status().respond(Run::status("READY"), 10); }},
      {State::polling_status, Trigger::poll_retry,
       [](Run& r) { (r = Run::legacy()).to_polling_status().respond(test::answer(500), 10); }},
      {State::polling_status, Trigger::poll_refused,
       [](Run& r) { (r = Run::legacy()).to_polling_status().respond(test::api_error(404), 10); }},
      {State::polling_status, Trigger::import_stuck,
       [](Run& r) { (r = Run::legacy()).to_polling_status().respond(Run::status("UNINITIALISED"), 60); }},
      {State::polling_status, Trigger::retries_exhausted,
       [](Run& r) {
         (r = Run::legacy()).to_polling_status().respond(test::answer(500), 10).wake().respond(test::answer(500), 30);
       }},
      {State::polling_status, Trigger::deadline,
       [](Run& r) { (r = Run::legacy()).to_polling_status().respond(Run::status("PROCESSING"), 20000); }},
      {State::polling_status, Trigger::cancel, [](Run& r) { (r = Run::legacy()).to_polling_status().cancel(10); }},
      {State::polling_status, Trigger::misuse, [](Run& r) { (r = Run::legacy()).to_polling_status().wake_at(10); }},

      {State::status_wait, Trigger::wake, [](Run& r) { (r = Run::legacy()).to_status_wait().wake(); }},
      {State::status_wait, Trigger::deadline, [](Run& r) { (r = Run::legacy()).to_status_wait().wake_at(20000); }},
      {State::status_wait, Trigger::cancel, [](Run& r) { (r = Run::legacy()).to_status_wait().cancel(4); }},
      {State::status_wait, Trigger::misuse,
       [](Run& r) { (r = Run::legacy()).to_status_wait().respond(test::answer(200), 4); }},

      {State::schema_wait, Trigger::wake, [](Run& r) { r.to_schema_wait().wake(); }},
      {State::schema_wait, Trigger::deadline, [](Run& r) { r.to_schema_wait().wake_at(20000); }},
      {State::schema_wait, Trigger::cancel, [](Run& r) { r.to_schema_wait().cancel(4); }},
      {State::schema_wait, Trigger::misuse, [](Run& r) { r.to_schema_wait().respond(test::answer(200), 4); }},
  };
  return all;
}

}  // namespace

TEST_CASE("each row of the table is taken by a run written for it") {
  for (const auto& row : kAllTransitions) {
    CAPTURE(to_string(row.from), to_string(row.trigger), to_string(row.to));
    const Recipe* recipe = nullptr;
    for (const auto& r : recipes())
      if (r.from == row.from && r.trigger == row.trigger) recipe = &r;
    REQUIRE(recipe != nullptr);  // a new row needs a recipe here
    Run run;
    recipe->script(run);
    REQUIRE_FALSE(run.up.trace().empty());
    const Step& last = run.up.trace().back();
    CHECK(to_string(last.from) == to_string(row.from));
    CHECK(to_string(last.trigger) == to_string(row.trigger));
    CHECK(to_string(last.to) == to_string(row.to));
    CHECK(run.up.state() == row.to);
  }
  CHECK(recipes().size() == std::size(kAllTransitions));
}

TEST_CASE("every step a run takes is a row of the table") {
  Run run;
  run.to_poll_wait().wake().respond(test::import_answer("processing"), 10).wake().respond(
      test::import_answer("partial", R"(,"accepted_count":1,"rejected_count":1,"errors":[])"), 20);
  REQUIRE(run.up.state() == State::done);
  for (const Step& s : run.up.trace()) CHECK(next_state(s.from, s.trigger) == s.to);

  Run v3 = Run::legacy();
  v3.to_status_wait().wake().respond(Run::status("processing"), 10).wake().respond(Run::status("Ready"), 20);
  REQUIRE(v3.up.state() == State::done);
  REQUIRE(v3.up.outcome()->complete());
  for (const Step& s : v3.up.trace()) CHECK(next_state(s.from, s.trigger) == s.to);
}

TEST_CASE("pending_schema is a pause: with keep_polling the same import is polled slowly until it goes on") {
  Run run(Run::patient());
  run.to_polling().respond(test::import_answer("pending_schema"), 3);
  REQUIRE(run.up.state() == State::schema_wait);
  REQUIRE(std::holds_alternative<Sleep>(run.last));
  CHECK(std::get<Sleep>(run.last).until == at(3) + Run::patient().poll.paused_interval);
  run.wake();
  REQUIRE(std::holds_alternative<Send>(run.last));
  CHECK(std::get<Send>(run.last).request.purpose == Purpose::poll);  // the same import: never step 1 again
  run.respond(test::import_answer("pending_schema"), 70).wake();
  run.respond(test::import_answer("complete", R"(,"accepted_count":3)"), 140);
  REQUIRE(run.up.outcome());
  CHECK(run.up.outcome()->complete());
  CHECK(run.up.outcome()->requests_sent == 5);  // step 1, the PUT, three polls of the one import
  CHECK(run.up.outcome()->abandoned_import_ids.empty());
}

TEST_CASE("pending_schema with keep_polling: at the deadline the run ends with the paused import's report") {
  UploadConfig c = Run::patient();
  c.deadline = std::chrono::seconds(200);
  Run run(c);
  run.to_polling().respond(test::import_answer("pending_schema"), 3);
  for (int i = 0; i < 10 && run.up.state() == State::schema_wait; ++i)
    run.wake().respond(test::import_answer("pending_schema"), 3 + 60.0 * (i + 1));
  REQUIRE(run.up.state() == State::done);
  const Step& last = run.up.trace().back();
  CHECK(last.from == State::schema_wait);
  CHECK(last.trigger == Trigger::deadline);
  REQUIRE(run.up.outcome()->report());
  CHECK(run.up.outcome()->report()->status == ImportStatus::pending_schema);
}

TEST_CASE("pending_schema by default ends the run with the report (the caller sets a schema, then resumes)") {
  Run run;
  run.to_polling().respond(test::import_answer("pending_schema"), 3);
  REQUIRE(run.up.outcome());
  REQUIRE(run.up.outcome()->report());
  CHECK(run.up.outcome()->report()->status == ImportStatus::pending_schema);
}

// Upload::snapshot() / restore() / resume_import(): an upload killed at any
// point and continued in a "new process" (a fresh machine, the same
// service) ends as the uninterrupted run does, ingests the file once, and
// writes neither the token nor the presigned URL to its snapshot.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <upstate/testing.hpp>
#include <upstate/upstate.hpp>

#include "support/answers.hpp"

using namespace upstate;
using namespace upstate::testing;
using std::chrono::seconds;

namespace {

const std::string kCsv = "prompt,category\nhello,a\nworld,b\n,c\n";  // the third row lacks its prompt
const std::string kJsonl = "{\"prompt\":\"a\"}\n{\"prompt\":\"\"}\n{\"prompt\":\"c\",\"category\":\"x\"}\n";

Schema prompt_schema() { return Schema{false, {{"prompt", "text", "Prompt"}, {"category", "metadata", ""}}}; }

// The service and the clock outlive the machines: a killed process leaves
// the service as it was.
struct World {
  FakeService fake;
  ManualClock clock;
  std::string file;
  UploadConfig config;
  FileInfo info;

  explicit World(bool legacy, std::string token = "fake-token-0123456789") : fake(options(token)) {
    fake.add_dataset({"ds1", "Reviews", prompt_schema(), legacy});
    file = legacy ? kCsv : kJsonl;
    info = {legacy ? "answers.csv" : "reviews.jsonl", file.size()};
    config.api_base = fake.options().api_base;
    config.token = token;
    config.dataset_id = "ds1";
    config.seed = 11;
    config.poll.initial = std::chrono::milliseconds(500);
  }

  static FakeOptions options(const std::string& token) {
    FakeOptions o;
    o.token = token;
    o.processing_base = std::chrono::milliseconds(2500);
    return o;
  }

  // One action carried out; the next one returned.
  Action step(Upload& up, const Action& a) {
    if (const auto* s = std::get_if<Send>(&a)) {
      FakeReply reply = fake.handle(s->request, body_of(s->request), clock.now());
      clock.advance(reply.delay);
      if (const auto* r = reply.response()) return up.on_response(*r, clock.now());
      return up.on_transport_error(*reply.transport_error(), clock.now());
    }
    clock.sleep_until(std::get<Sleep>(a).until);
    return up.on_wake(clock.now());
  }

  // The request reaches the service, its answer never reaches the machine.
  void lose_answer(const Action& a) {
    if (const auto* s = std::get_if<Send>(&a)) fake.handle(s->request, body_of(s->request), clock.now());
  }

  Outcome finish(Upload& up, Action a) {
    for (int i = 0; i < 1000 && !std::holds_alternative<Done>(a); ++i) a = step(up, a);
    REQUIRE(std::holds_alternative<Done>(a));
    return std::get<Done>(a).outcome;
  }

  std::string_view body_of(const Request& r) const {
    return r.file ? std::string_view(file).substr(0, r.file->size) : std::string_view{};
  }
};

// What must not depend on where the run was interrupted.
struct Summary {
  std::string status;
  std::optional<std::uint64_t> accepted, rejected;
  std::size_t errors = 0;
  std::uint64_t datapoints = 0;  // what the service ingested: a second import would double it

  bool operator==(const Summary& o) const {
    return status == o.status && accepted == o.accepted && rejected == o.rejected && errors == o.errors &&
           datapoints == o.datapoints;
  }
};

Summary summary(const Outcome& o, World& w) {
  Summary s;
  if (const auto* r = o.report()) {
    s.status = std::string(to_string(r->status));
    s.accepted = r->accepted_count;
    s.rejected = r->rejected_count;
    s.errors = r->errors.size();
  } else {
    s.status = "error: " + to_string(*o.error());
  }
  s.datapoints = w.fake.total_datapoint_count("ds1", w.clock.now() + std::chrono::hours(1));
  return s;
}

std::vector<std::string> keys_of(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  std::vector<std::string> keys;
  for (const auto& m : doc.GetObject()) keys.emplace_back(m.name.GetString(), m.name.GetStringLength());
  return keys;
}

}  // namespace

TEST_CASE("killed after any action and restored, an upload ends as the uninterrupted one, ingested once") {
  const bool legacy = GENERATE(false, true);
  const bool lost = GENERATE(false, true);  // the request in flight reached the service; its answer was lost
  CAPTURE(legacy, lost);

  World baseline(legacy);
  Upload whole{baseline.config, baseline.info};
  const Summary expected = summary(baseline.finish(whole, whole.start(baseline.clock.now())), baseline);
  REQUIRE(expected.status == (legacy ? "complete" : "partial"));
  const int actions = static_cast<int>(whole.trace().size());

  for (int kill_after = 0; kill_after < actions; ++kill_after) {
    CAPTURE(kill_after);
    World w(legacy);
    Upload first{w.config, w.info};
    Action a = first.start(w.clock.now());
    for (int i = 0; i < kill_after && !std::holds_alternative<Done>(a); ++i) a = w.step(first, a);
    if (std::holds_alternative<Done>(a)) break;
    const std::string snapshot = first.snapshot();
    CAPTURE(snapshot);
    if (lost) w.lose_answer(a);

    auto restored = Upload::restore(w.config, snapshot);
    REQUIRE(restored);
    Upload& second = restored.value();
    const Outcome o = w.finish(second, second.start(w.clock.now()));
    CHECK(summary(o, w) == expected);

    // Every import the service created is the one that ended the run or is
    // listed as abandoned, unless the answer that named it was lost.
    std::set<std::string> known(o.abandoned_import_ids.begin(), o.abandoned_import_ids.end());
    if (!o.import_id.empty()) known.insert(o.import_id);
    const std::vector<std::string> created = w.fake.import_ids("ds1");
    if (!lost) CHECK(known == std::set<std::string>(created.begin(), created.end()));
    CHECK(o.import_id.empty() == legacy);
  }
}

TEST_CASE("a PUT whose answer was lost is not sent again: the restored upload asks the import first") {
  World w(false);
  Upload first{w.config, w.info};
  Action a = first.start(w.clock.now());
  a = w.step(first, a);  // step 1 answered: the PUT is next
  REQUIRE(std::holds_alternative<Send>(a));
  REQUIRE(std::get<Send>(a).request.purpose == Purpose::upload);
  const std::string snapshot = first.snapshot();
  w.lose_answer(a);  // the bytes arrived; the process died before it heard so

  auto restored = Upload::restore(w.config, snapshot);
  REQUIRE(restored);
  Action b = restored->start(w.clock.now());
  REQUIRE(std::holds_alternative<Send>(b));
  CHECK(std::get<Send>(b).request.purpose == Purpose::poll);  // not a PUT
  const Outcome o = w.finish(restored.value(), b);
  CHECK(o.import_id == first.import_id());
  CHECK(o.abandoned_import_ids.empty());
  int puts = 0;
  for (const auto& seen : w.fake.requests()) puts += seen.purpose == Purpose::upload;
  CHECK(puts == 1);
}

TEST_CASE("a restored upload whose import never got the file abandons it and starts over") {
  World w(false);
  Upload first{w.config, w.info};
  Action a = w.step(first, first.start(w.clock.now()));  // URL received, PUT not sent
  const std::string old_import = first.import_id();
  auto restored = Upload::restore(w.config, first.snapshot());
  REQUIRE(restored);
  const Outcome o = w.finish(restored.value(), restored->start(w.clock.now()));
  CHECK(o.report());
  CHECK(o.import_id != old_import);
  CHECK(o.abandoned_import_ids == std::vector<std::string>{old_import});
  bool noted = false;
  for (const auto& n : o.notes) noted = noted || n.text.find("never received the file") != std::string::npos;
  CHECK(noted);
  (void)a;
}

TEST_CASE("resume_import polls an import an earlier process started") {
  World w(false);
  Upload first{w.config, w.info};
  Action a = first.start(w.clock.now());
  while (first.state() != State::polling) a = w.step(first, a);  // killed with its first poll in flight
  const std::string import_id = first.import_id();

  Upload again = Upload::resume_import(w.config, import_id);
  CHECK(again.file().name.empty());
  Action b = again.start(w.clock.now());
  REQUIRE(std::holds_alternative<Send>(b));
  CHECK(std::get<Send>(b).request.url == w.config.api_base + "/datasets/ds1/imports/" + import_id);
  const Outcome o = w.finish(again, b);
  REQUIRE(o.report());
  CHECK(o.report()->status == ImportStatus::partial);
  CHECK(o.import_id == import_id);

  SECTION("an import that does not exist is not_found") {
    Upload unknown = Upload::resume_import(w.config, "00000000-0000-4000-8000-999999999999");
    const Outcome u = w.finish(unknown, unknown.start(w.clock.now()));
    REQUIRE(u.error());
    CHECK(u.error()->code == ErrorCode::not_found);
  }
  SECTION("an unusable id is refused before any request") {
    for (std::string bad : {std::string{}, std::string(".."), std::string(300, 'a')}) {
      Upload refused = Upload::resume_import(w.config, bad);
      const Outcome r = w.finish(refused, refused.start(w.clock.now()));
      REQUIRE(r.error());
      CHECK(r.error()->code == ErrorCode::invalid_argument);
      CHECK(r.requests_sent == 0);
    }
  }
}

TEST_CASE("resume_legacy polls a V3 dataset's status") {
  World w(true);
  Upload first{w.config, w.info};
  Action a = first.start(w.clock.now());
  while (first.state() != State::confirming_status) a = w.step(first, a);
  Upload again = Upload::resume_legacy(w.config);
  Action b = again.start(w.clock.now());
  REQUIRE(std::holds_alternative<Send>(b));
  CHECK(std::get<Send>(b).request.purpose == Purpose::dataset_status);
  const Outcome o = w.finish(again, b);
  CHECK(o.complete());
  CHECK(o.report()->type == "legacy_dataset");
}

TEST_CASE("a snapshot holds what another process needs, and neither the token, the URL nor an instant") {
  const bool legacy = GENERATE(false, true);
  CAPTURE(legacy);
  // The token is also a substring of a value the snapshot must not leak
  // either (the user agent): finding it would mean config was dumped.
  const std::string token_a = "tok-AAAA-0123456789", token_b = "tok-BBBB-9876543210";
  World a(legacy, token_a), b(legacy, token_b);
  a.config.user_agent = "agent/" + token_a;
  b.config.user_agent = "agent/" + token_b;
  Upload up_a{a.config, a.info}, up_b{b.config, b.info};
  std::set<std::string> phases;
  CHECK_THAT(up_a.snapshot(), Catch::Contains(R"("phase":"not_started")"));
  phases.insert("not_started");
  Action act_a = up_a.start(a.clock.now()), act_b = up_b.start(b.clock.now());
  const std::set<std::string> allowed{"format",       "version", "api_base", "dataset_id",           "file",
                                      "phase",        "legacy",  "import_id", "abandoned_import_ids", "last_status"};
  for (int i = 0; i < 100; ++i) {
    const std::string snap_a = up_a.snapshot(), snap_b = up_b.snapshot();
    CAPTURE(snap_a);
    CHECK(snap_a.find(token_a) == std::string::npos);
    CHECK(snap_a.find("0123456789") == std::string::npos);
    CHECK(snap_a.find("X-Amz") == std::string::npos);  // no presigned URL
    CHECK(snap_a == snap_b);                           // nothing in it depends on the token
    for (const auto& key : keys_of(snap_a)) CHECK(allowed.count(key) == 1);
    rapidjson::Document doc;
    doc.Parse(snap_a.data(), snap_a.size());
    phases.insert(doc["phase"].GetString());
    CHECK(doc["legacy"].GetBool() == (legacy && up_a.legacy()));
    if (std::holds_alternative<Done>(act_a)) break;
    act_a = a.step(up_a, act_a);
    act_b = b.step(up_b, act_b);
  }
  CHECK(phases == std::set<std::string>{"not_started", "requesting_url", "uploading", "processing"});
  const std::string last = up_a.snapshot();
  CHECK_THAT(last, Catch::Contains(R"("format":"upstate.upload-snapshot","version":1)"));
  CHECK_THAT(last, Catch::Contains(R"("dataset_id":"ds1")"));
  CHECK_THAT(last, Catch::Contains(R"("phase":"processing")"));
  CHECK_THAT(last, Catch::Contains(legacy ? R"("last_status":"READY")" : R"("last_status":"partial")"));
  CHECK_THAT(last, Catch::Contains(R"("file":{"name":")" + a.info.name + R"(","size":)" + std::to_string(a.info.size)));
}

TEST_CASE("an import id echoing the token is refused, so no snapshot can hold it") {
  UploadConfig c;
  c.api_base = test::kApi;
  c.token = test::kToken;
  c.dataset_id = "ds1";
  Upload up{c, {"reviews.jsonl", 10}};
  up.start(test::at(0));
  Action a = up.on_response(test::url_answer("id-" + test::kToken), test::at(1));
  REQUIRE(std::holds_alternative<Done>(a));
  const Outcome o = std::get<Done>(a).outcome;
  REQUIRE(o.error());
  CHECK(o.error()->code == ErrorCode::malformed_answer);
  CHECK(o.error()->path == "$.import_id");
  CHECK(up.snapshot().find(test::kToken) == std::string::npos);
}

TEST_CASE("restore then snapshot gives the snapshot back") {
  const std::vector<std::string> docs = {
      R"({"format":"upstate.upload-snapshot","version":1,"api_base":"https://api.example.test/v1","dataset_id":"ds1","file":{"name":"a.jsonl","size":12},"phase":"uploading","legacy":false,"import_id":"i1","abandoned_import_ids":["i0"]})",
      R"({"format":"upstate.upload-snapshot","version":1,"api_base":"https://api.example.test/v1","dataset_id":"ds1","file":{"name":"","size":0},"phase":"processing","legacy":false,"import_id":"i1","abandoned_import_ids":[],"last_status":"queued"})",
      R"({"format":"upstate.upload-snapshot","version":1,"api_base":"https://api.example.test/v1","dataset_id":"ds1","file":{"name":"b.zip","size":7},"phase":"processing","legacy":true,"abandoned_import_ids":[],"last_status":"PROCESSING"})",
      // A file name that is not UTF-8 comes back byte for byte.
      "{\"format\":\"upstate.upload-snapshot\",\"version\":1,\"api_base\":\"https://api.example.test/v1\","
      "\"dataset_id\":\"ds1\",\"file\":{\"name\":\"caf\xe9 \\u0001.csv\",\"size\":1},\"phase\":\"not_started\","
      "\"legacy\":false,\"abandoned_import_ids\":[]}",
  };
  UploadConfig c;
  c.api_base = "https://api.example.test/v1/";  // a trailing '/' names the same API
  c.token = "tok-xyz-123456";
  c.dataset_id = "ds1";
  for (const auto& doc : docs) {
    CAPTURE(doc);
    auto up = Upload::restore(c, doc);
    REQUIRE(up);
    CHECK(up->snapshot() == doc);
  }
  auto v3 = Upload::restore(c, docs[2]);
  CHECK(v3->legacy());
  CHECK(v3->last_dataset_status() == DatasetStatus::processing);
  CHECK(v3->last_status() == ImportStatus::processing);
}

TEST_CASE("hostile snapshots are typed errors with the JSON path, and never echo the token") {
  const std::string token = "tok-hostile-0123456789";
  UploadConfig c;
  c.api_base = "https://api.example.test/v1";
  c.token = token;
  c.dataset_id = "ds1";
  const std::string head =
      R"({"format":"upstate.upload-snapshot","version":1,"api_base":"https://api.example.test/v1","dataset_id":"ds1",)";
  const std::string file = R"("file":{"name":"a.csv","size":3},)";
  const std::string tail = R"("phase":"uploading","import_id":"i1"})";
  std::string many = "[";
  for (int i = 0; i <= 1024; ++i) many += std::string(i ? "," : "") + "\"i" + std::to_string(i) + "\"";
  many += "]";

  using Row = std::pair<std::string, std::string>;  // document, path of the error
  const std::vector<Row> rows = {
      {"", "$"},
      {"not json", "$"},
      {"[]", "$"},
      {std::string("{}\0junk", 7), "$"},
      {std::string(100000, '['), "$"},
      {"{\"format\":\"" + std::string(UploadSnapshot::kMaxBytes, 'x') + "\"}", "$"},
      {R"({"version":1})", "$.format"},
      {R"({"format":"something else","version":1})", "$.format"},
      {R"({"format":"upstate.upload-snapshot"})", "$.version"},
      {R"({"format":"upstate.upload-snapshot","version":2})", "$.version"},
      {R"({"format":"upstate.upload-snapshot","version":"1"})", "$.version"},
      {R"({"format":"upstate.upload-snapshot","version":1,"dataset_id":"ds1"})", "$.api_base"},
      {head + tail, "$.file"},
      {head + R"("file":[],)" + tail, "$.file"},
      {head + R"("file":{"size":3},)" + tail, "$.file.name"},
      {head + R"("file":{"name":"a.csv"},)" + tail, "$.file.size"},
      {head + R"("file":{"name":"a.csv","size":-3},)" + tail, "$.file.size"},
      {head + R"("file":{"name":"a.csv","size":1.5},)" + tail, "$.file.size"},
      {head + R"("file":{"name":"..","size":3},)" + tail, "$.file.name"},
      {head + file + R"("phase":"flying","import_id":"i1"})", "$.phase"},
      {head + file + R"("phase":7})", "$.phase"},
      {head + file + R"("phase":"uploading"})", "$.import_id"},
      {head + file + R"("phase":"uploading","import_id":".."})", "$.import_id"},
      {head + file + R"("phase":"uploading","import_id":")" + std::string(300, 'a') + R"("})", "$.import_id"},
      {head + file + R"("phase":"requesting_url","import_id":"i1"})", "$.import_id"},
      {head + file + R"("phase":"processing","legacy":true,"import_id":"i1"})", "$.import_id"},
      {head + file + R"("phase":"uploading","legacy":"no","import_id":"i1"})", "$.legacy"},
      {head + file + R"("phase":"uploading","import_id":"i1","abandoned_import_ids":"i0"})", "$.abandoned_import_ids"},
      {head + file + R"("phase":"uploading","import_id":"i1","abandoned_import_ids":["i0",3]})",
       "$.abandoned_import_ids[1]"},
      {head + file + R"("phase":"uploading","import_id":"i1","abandoned_import_ids":["i0",""]})",
       "$.abandoned_import_ids[1]"},
      {head + file + R"("phase":"uploading","import_id":"i1","abandoned_import_ids":)" + many + "}",
       "$.abandoned_import_ids"},
      {head + file + R"("phase":"processing","import_id":"i1","last_status":"exploded"})", "$.last_status"},
      {head + file + R"("phase":"processing","import_id":"i1","last_status":"READY"})", "$.last_status"},
      {head + file + R"("phase":"processing","legacy":true,"last_status":"complete"})", "$.last_status"},
      {head + file + R"("phase":"uploading","import_id":"i1","last_status":"queued"})", "$.last_status"},
      // Import ids that echo the token (a forged snapshot must not carry it into the next one).
      {head + file + R"("phase":"uploading","import_id":"x)" + token + R"("})", "$.import_id"},
      {head + file + R"("phase":"uploading","import_id":"i1","abandoned_import_ids":["i0",")" + token + R"("]})",
       "$.abandoned_import_ids[1]"},
      // Another dataset or API than the config's (the token, if it is there, stays out of the message).
      {R"({"format":"upstate.upload-snapshot","version":1,"api_base":"https://api.example.test/v1","dataset_id":")" +
           token + R"(",)" + file + tail,
       "$.dataset_id"},
      {R"({"format":"upstate.upload-snapshot","version":1,"api_base":"https://evil.test/)" + token +
           R"(","dataset_id":"ds1",)" + file + tail,
       "$.api_base"},
  };
  for (const auto& [doc, path] : rows) {
    CAPTURE(doc.substr(0, 300), path);
    auto r = Upload::restore(c, doc);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_snapshot);
    CHECK(r.error().path == path);
    CHECK(to_string(r.error()).find(token) == std::string::npos);
    CHECK(r.error().message.size() < 1000);
  }
}

TEST_CASE("a snapshot that is fine but for another purpose still restores to a working machine") {
  // Unknown fields are ignored (a later writer may add some).
  UploadConfig c;
  c.api_base = "https://api.example.test/v1";
  c.token = "tok-xyz-123456";
  c.dataset_id = "ds1";
  auto up = Upload::restore(
      c, R"({"format":"upstate.upload-snapshot","version":1,"api_base":"https://api.example.test/v1","dataset_id":"ds1","file":{"name":"a.csv","size":3},"phase":"processing","import_id":"i1","future":{"x":[1,2]}})");
  REQUIRE(up);
  Action a = up->start(test::at(0));
  REQUIRE(std::holds_alternative<Send>(a));
  CHECK(std::get<Send>(a).request.url == "https://api.example.test/v1/datasets/ds1/imports/i1");
}

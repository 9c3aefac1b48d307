// Batch's tables (machine/batch_transitions.hpp): their shape, and a run
// fed by hand whose trace is exactly the rows the rules call for. (The
// property test proves every row is reached.)
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include <upstate/machine/batch.hpp>

#include "support/answers.hpp"

using namespace upstate;
using test::at;

namespace {

BatchConfig config_for(std::size_t k) {
  BatchConfig c;
  c.upload.api_base = test::kApi;
  c.upload.token = test::kToken;
  c.upload.dataset_id = "ds1";
  c.upload.seed = 1;
  c.max_in_flight = k;
  return c;
}

std::vector<BatchSend> pull(Batch& b) {
  std::vector<BatchSend> out;
  while (auto s = b.next_send()) out.push_back(std::move(*s));
  return out;
}

Response url_for(std::size_t i) {
  const std::string id = "imp-" + std::to_string(i);
  return test::url_answer(id, "https://s3.example.test/raw/" + id +
                                  "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261128T120000Z"
                                  "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc");
}

std::vector<std::string> batch_rows(const Batch& b) {
  std::vector<std::string> rows;
  for (const BatchStep& s : b.trace())
    rows.push_back(std::string(to_string(s.from)) + " " + std::string(to_string(s.trigger)) + " " +
                   std::string(to_string(s.to)));
  return rows;
}

std::vector<std::string> file_rows(const Batch& b, std::size_t file) {
  std::vector<std::string> rows;
  for (const BatchFileStep& s : b.file_trace())
    if (s.file == file) rows.push_back(std::string(to_string(s.trigger)) + " " + std::string(to_string(s.to)));
  return rows;
}

}  // namespace

TEST_CASE("batch table: done is final, cancel and misuse end every live state, a missing move is none") {
  for (const auto& info : kBatchStates) {
    CAPTURE(to_string(info.state));
    const bool live = info.state != BatchState::done;
    CHECK(next_state(info.state, BatchTrigger::cancel) == (live ? std::optional<BatchState>(BatchState::done) : std::nullopt));
    CHECK(next_state(info.state, BatchTrigger::misuse) == (live ? std::optional<BatchState>(BatchState::done) : std::nullopt));
  }
  for (const auto& info : kFileStages) {
    CAPTURE(to_string(info.stage));
    const bool live = info.stage != FileStage::ended;
    CHECK(next_state(info.stage, FileTrigger::cancelled) ==
          (live ? std::optional<FileStage>(FileStage::ended) : std::nullopt));
  }
  // Moves the rules forbid are absent: the code would end with ErrorCode::internal.
  CHECK_FALSE(next_state(BatchState::fetching, BatchTrigger::overload));  // the fetch never feeds the AIMD limit
  CHECK_FALSE(next_state(BatchState::running, BatchTrigger::abandoned_answer));
  CHECK_FALSE(next_state(BatchState::idle, BatchTrigger::answer));
  CHECK_FALSE(next_state(FileStage::put_held, FileTrigger::put));
  CHECK_FALSE(next_state(FileStage::waiting, FileTrigger::request));
  CHECK(kAllBatchTransitions.size() == 19);
  CHECK(kAllBatchFileTransitions.size() == 14);
}

TEST_CASE("batch table: two files, the second's PUT held for the first's: the rows, in order") {
  Batch b{config_for(2), {{"f0.jsonl", 10}, {"f1.jsonl", 11}}};
  CHECK(b.state() == BatchState::idle);
  CHECK(b.file_stage(0) == FileStage::waiting);
  b.start(at(0));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 2);
  b.on_response(s[1].ticket, url_for(1), at(1));
  CHECK(b.file_stage(1) == FileStage::put_held);
  b.on_response(s[0].ticket, url_for(0), at(2));
  std::vector<BatchSend> put0 = pull(b);
  REQUIRE(put0.size() == 1);
  b.on_response(put0[0].ticket, test::answer(200), at(3));
  std::vector<BatchSend> next = pull(b);  // file 0's poll, file 1's PUT
  REQUIRE(next.size() == 2);
  b.on_response(next[1].ticket, test::answer(200), at(4));
  std::vector<BatchSend> poll1 = pull(b);
  REQUIRE(poll1.size() == 1);
  b.on_response(next[0].ticket, test::import_answer("complete", R"(,"accepted_count":1)", "imp-0"), at(5));
  b.on_response(poll1[0].ticket, test::import_answer("complete", R"(,"accepted_count":2)", "imp-1"), at(6));
  std::vector<BatchSend> fetch = pull(b);
  REQUIRE(fetch.size() == 1);
  CHECK(b.state() == BatchState::fetching);
  b.on_response(fetch[0].ticket, test::answer(200, R"({"id":"ds1","total_datapoint_count":3})"), at(7));
  REQUIRE(b.done());
  CHECK(b.outcome()->all_complete());

  CHECK(batch_rows(b) == std::vector<std::string>{
                             "idle start running", "running answer running", "running answer running",
                             "running answer running", "running answer running", "running answer running",
                             "running answer running", "running files_ended fetching", "fetching answer fetching",
                             "fetching fetched done"});
  CHECK(file_rows(b, 0) == std::vector<std::string>{"start active", "request active", "put active", "request active",
                                                    "ended ended"});
  CHECK(file_rows(b, 1) == std::vector<std::string>{"start active", "request active", "put_held put_held",
                                                    "put_turn active", "request active", "ended ended"});
}

TEST_CASE("batch table: a restored machine waits as waiting_resumed and resumes; AIMD is the overload row") {
  BatchConfig c = config_for(2);
  c.adaptive_concurrency = true;
  std::vector<Upload> uploads;
  uploads.push_back(Upload::resume_import(c.upload, "00000000-0000-4000-8000-000000000001"));
  uploads.emplace_back(c.upload, FileInfo{"f1.jsonl", 5});
  Batch b = Batch::of_uploads(c, std::move(uploads));
  CHECK(b.file_stage(0) == FileStage::waiting_resumed);
  CHECK(b.file_stage(1) == FileStage::waiting);
  b.start(at(0));
  std::vector<BatchSend> s = pull(b);
  REQUIRE(s.size() == 2);
  CHECK(s[0].request.purpose == Purpose::poll);
  b.on_response(s[1].ticket, test::answer(429), at(1));
  CHECK(b.concurrency_limit() == 1);
  CHECK(file_rows(b, 0) == std::vector<std::string>{"resume active", "request active"});
  CHECK(batch_rows(b) == std::vector<std::string>{"idle start running", "running overload running"});
  b.cancel(at(2));
  CHECK(batch_rows(b).back() == "running cancel done");
  CHECK(file_rows(b, 0).back() == "cancelled ended");
  CHECK(file_rows(b, 1).back() == "cancelled ended");
}

// Printers: operator<< (<upstate/ostream.hpp>) for every public enum, Error,
// Outcome, ImportReport, Request and Response; the testing kit's Catch2
// StringMakers (a failed check prints `partial`, not `2`) and Trompeloeil
// printers (an unexpected call prints the Request, not a hex dump).
//
// A program of its own: a StringMaker specialization must be seen by every
// translation unit that prints the type, and the other test programs'
// files do not all include the testing kit.
#include <catch2/catch.hpp>
#include <catch2/trompeloeil.hpp>

#include <sstream>
#include <string>

#include <upstate/testing.hpp>  // after Catch2 and Trompeloeil: printers and mocks
#include <upstate/batch.hpp>
#include <upstate/journal.hpp>

using namespace upstate;

namespace {

template <typename T>
std::string printed(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

Request put_request() {
  Request r;
  r.purpose = Purpose::upload;
  r.method = "PUT";
  r.url = "https://bucket.s3.example/k?X-Amz-Date=20261206T000000Z&X-Amz-Signature=abcdef0123&X-Amz-Expires=900";
  r.headers = {{"Content-Type", "application/jsonl"}};
  r.file = FileBody{1024};
  return r;
}

}  // namespace

TEST_CASE("printers: every public enum prints its name", "[printers]") {
  CHECK(printed(ImportStatus::partial) == "partial");
  CHECK(printed(ImportStatus::complete) == "complete");
  CHECK(printed(ErrorCode::retries_exhausted) == "retries_exhausted");
  CHECK(printed(Purpose::poll) == "poll");
  CHECK(printed(TransportError::Kind::timeout) == "timeout");
  CHECK(printed(DatasetStatus::ready) == std::string(to_string(DatasetStatus::ready)));
  CHECK(printed(SnapshotPhase::processing) == std::string(to_string(SnapshotPhase::processing)));
  CHECK(printed(Verdict::renew_url) == "renew_url");
  CHECK(printed(FileKind::csv) == "csv");
  CHECK(printed(Phase::uploading) == "uploading");
  CHECK(printed(State::done) == std::string(to_string(State::done)));
  CHECK(printed(Trigger::wake) == std::string(to_string(Trigger::wake)));
  CHECK(printed(ProblemKind::no_records) == std::string(to_string(ProblemKind::no_records)));
}

// ostream.hpp prints these with one template found by ADL (it includes
// neither <upstate/batch.hpp> nor <upstate/journal.hpp>).
TEST_CASE("printers: the batch's and the journal's enums print their names", "[printers]") {
  CHECK(printed(BatchState::fetching) == "fetching");
  CHECK(printed(FetchState::backoff) == "backoff");
  CHECK(printed(JournalPhase::processing) == "processing");
  CHECK(printed(BatchTrigger::start) == std::string(to_string(BatchTrigger::start)));
  CHECK(printed(FileStage::active) == std::string(to_string(FileStage::active)));
  CHECK(printed(FileTrigger::ended) == std::string(to_string(FileTrigger::ended)));
  CHECK(printed(FetchTrigger::retry) == std::string(to_string(FetchTrigger::retry)));
  CHECK(Catch::Detail::stringify(BatchState::running) == "running");
  CHECK(Catch::Detail::stringify(FileStage::ended) == "ended");
}

TEST_CASE("printers: Error, Outcome and Response", "[printers]") {
  Error e;
  e.code = ErrorCode::retries_exhausted;
  e.http_status = 503;
  e.message = "the poll kept failing";
  CHECK(printed(e) == "retries_exhausted (HTTP 503): the poll kept failing");

  Outcome failed;
  failed.result = e;
  CHECK(printed(failed) == "error: retries_exhausted (HTTP 503): the poll kept failing");

  ImportReport r;
  r.import_id = "imp-1";
  r.status = ImportStatus::partial;
  r.accepted_count = 16;
  r.rejected_count = 4;
  Outcome partial;
  partial.result = r;
  CHECK(printed(partial) == "partial (import imp-1), 16 accepted, 4 rejected");

  Response answer;
  answer.status = 429;
  answer.body = "{}";
  CHECK(printed(answer) == "HTTP 429, 0 headers, 2 body bytes");
}

TEST_CASE("printers: a Request prints without the token or the URL's signature", "[printers]") {
  Request get;
  get.purpose = Purpose::upload_url;
  get.method = "GET";
  get.url = "https://api.example/api/v1/datasets/ds1/upload-url/r.jsonl";
  get.headers = {{"Authorization", "Token s3cr3t-token"}, {"Accept", "application/json"}};
  const std::string text = printed(get);
  CHECK(text ==
        "GET https://api.example/api/v1/datasets/ds1/upload-url/r.jsonl [upload_url] "
        "{Authorization: <redacted>, Accept: application/json}");
  CHECK(text.find("s3cr3t") == std::string::npos);

  CHECK(printed(put_request()) ==
        "PUT https://bucket.s3.example/k?X-Amz-Date=20261206T000000Z&X-Amz-Signature=<redacted>&X-Amz-Expires=900 "
        "[upload] {Content-Type: application/jsonl} body 1024 bytes");
}

TEST_CASE("printers: Catch2 shows names, not numbers", "[printers]") {
  CHECK(Catch::Detail::stringify(ImportStatus::partial) == "partial");
  CHECK(Catch::Detail::stringify(ErrorCode::unauthorized) == "unauthorized");
  CHECK(Catch::Detail::stringify(Purpose::upload) == "upload");
  ImportReport r;
  r.status = ImportStatus::failed;
  r.reason = "bad file";
  Outcome o;
  o.result = r;
  CHECK(Catch::Detail::stringify(o) == "failed, reason: bad file");
  // What a failed CHECK(status == complete) would say about its operands.
  CHECK(Catch::Detail::stringify(r.status) + " == " + Catch::Detail::stringify(ImportStatus::complete) ==
        "failed == complete");
}

TEST_CASE("printers: Trompeloeil prints a Request argument as text, not bytes", "[printers]") {
  // trompeloeil::print is what an unexpected or unmatched call's report
  // uses for each argument.
  std::ostringstream out;
  trompeloeil::print(out, put_request());
  CHECK(out.str().rfind("PUT https://bucket.s3.example/k?", 0) == 0);
  CHECK(out.str().find("<redacted>") != std::string::npos);
  CHECK(out.str().find(" 0x") == std::string::npos);  // the hex dump of an unprintable type

  std::ostringstream response;
  trompeloeil::print(response, Response{200, {}, "{}"});
  CHECK(response.str() == "HTTP 200, 0 headers, 2 body bytes");

  // The mocks come with the kit once Trompeloeil is included first.
  testing::MockTransport transport;
  REQUIRE_CALL(transport, exchange(trompeloeil::_)).RETURN(Exchange{Response{204, {}, ""}});
  const Exchange x = transport.exchange(put_request());
  CHECK(std::get<Response>(x).status == 204);
}

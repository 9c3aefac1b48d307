// upstate::drive with Trompeloeil mocks, the way a user tests their own
// upload logic: strict expectations in sequence, a mocked clock.
#include <catch2/catch.hpp>
#include <catch2/trompeloeil.hpp>

#include <upstate/machine/drive.hpp>
#include <upstate/testing/mocks.hpp>

#include "support/answers.hpp"
#include "support/upload_config.hpp"

using namespace upstate;
using testing::MockClock;
using testing::MockTransport;
using trompeloeil::_;

namespace {

UploadConfig config() { return test::upload_config(/*seed=*/0); }

}  // namespace

TEST_CASE("drive: 503, then the whole flow, in order, with the token only on API requests") {
  MockTransport transport;
  MockClock clock;
  trompeloeil::sequence seq;
  Instant now{};
  ALLOW_CALL(clock, now()).LR_RETURN(now);

  REQUIRE_CALL(transport, exchange(_))
      .WITH(_1.purpose == Purpose::upload_url && find_header(_1.headers, "Authorization") != nullptr)
      .IN_SEQUENCE(seq)
      .RETURN(Exchange{test::answer(503)});
  REQUIRE_CALL(clock, sleep_until(_)).IN_SEQUENCE(seq).LR_SIDE_EFFECT(now = _1);
  REQUIRE_CALL(transport, exchange(_))
      .WITH(_1.purpose == Purpose::upload_url)
      .IN_SEQUENCE(seq)
      .RETURN(Exchange{test::url_answer()});
  REQUIRE_CALL(transport, exchange(_))
      .WITH(_1.purpose == Purpose::upload && find_header(_1.headers, "Authorization") == nullptr &&
            _1.file && _1.file->size == 99)
      .IN_SEQUENCE(seq)
      .RETURN(Exchange{test::answer(200)});
  REQUIRE_CALL(transport, exchange(_))
      .WITH(_1.purpose == Purpose::poll)
      .IN_SEQUENCE(seq)
      .RETURN(Exchange{test::import_answer("processing")});
  REQUIRE_CALL(clock, sleep_until(_)).IN_SEQUENCE(seq).LR_SIDE_EFFECT(now = _1);
  REQUIRE_CALL(transport, exchange(_))
      .WITH(_1.purpose == Purpose::poll)
      .IN_SEQUENCE(seq)
      .RETURN(Exchange{test::import_answer("complete", R"(,"accepted_count":3)")});

  Upload upload{config(), {"reviews.jsonl", 99}};
  Outcome outcome = drive(upload, transport, clock);
  CHECK(outcome.complete());
  CHECK(outcome.report()->accepted_count == 3u);
  CHECK(outcome.requests_sent == 5);
}

TEST_CASE("drive: a transport failure is fed back as one, and the observer sees every action") {
  MockTransport transport;
  MockClock clock;
  Instant now{};
  ALLOW_CALL(clock, now()).LR_RETURN(now);
  ALLOW_CALL(clock, sleep_until(_)).LR_SIDE_EFFECT(now = _1);
  trompeloeil::sequence seq;
  REQUIRE_CALL(transport, exchange(_)).IN_SEQUENCE(seq).RETURN(Exchange{TransportError{TransportError::Kind::tls, "bad cert"}});
  FORBID_CALL(transport, exchange(_)).WITH(_1.purpose == Purpose::upload);

  std::vector<std::size_t> kinds;
  Upload upload{config(), {"reviews.jsonl", 99}};
  Outcome outcome = drive(upload, transport, clock, [&](const Upload&, const Action& a) { kinds.push_back(a.index()); });
  REQUIRE(outcome.error());
  CHECK(outcome.error()->code == ErrorCode::tls);
  CHECK(kinds == std::vector<std::size_t>{0, 2});  // Send, then Done
}

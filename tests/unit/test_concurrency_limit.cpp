// ConcurrencyLimit (concurrency_limit.hpp): AIMD between 1 and the ceiling,
// halving once per window of answers, and the Batch following it.
#include <catch2/catch.hpp>

#include <upstate/policy/concurrency_limit.hpp>

using upstate::ConcurrencyLimit;

TEST_CASE("concurrency limit: starts at the ceiling, halves on 429 and 503, never below 1", "[concurrency]") {
  ConcurrencyLimit limit({16, 4});
  CHECK(limit.current() == 16);
  limit.on_status(429);
  CHECK(limit.current() == 8);
  // The answers to the 16 requests already out say nothing new: no collapse.
  for (int i = 0; i < 15; ++i) limit.on_status(429);
  CHECK(limit.current() == 8);
  limit.on_status(200);  // the last answer of that window
  limit.on_status(503);
  CHECK(limit.current() == 4);
  for (int round = 0; round < 10; ++round)
    for (int i = 0; i < 20; ++i) limit.on_status(429);
  CHECK(limit.current() == 1);
  CHECK(limit.decreases() == 4);
}

TEST_CASE("concurrency limit: +1 per increase_after successes, up to the ceiling", "[concurrency]") {
  ConcurrencyLimit limit({6, 3});
  limit.on_status(429);
  CHECK(limit.current() == 3);
  limit.on_status(200);
  limit.on_status(201);
  CHECK(limit.current() == 3);
  limit.on_status(204);
  CHECK(limit.current() == 4);
  for (int i = 0; i < 100; ++i) limit.on_status(200);
  CHECK(limit.current() == 6);
}

TEST_CASE("concurrency limit: other answers change nothing; an overload restarts the success count",
          "[concurrency]") {
  ConcurrencyLimit limit({8, 2});
  limit.on_status(429);
  REQUIRE(limit.current() == 4);
  for (int status : {400, 404, 500, 502, 304}) limit.on_status(status);
  CHECK(limit.current() == 4);
  limit.on_status(200);
  for (int i = 0; i < 8; ++i) limit.on_status(200);  // past the window
  CHECK(limit.current() == 8);
  limit.on_status(503);
  CHECK(limit.current() == 4);
  limit.on_status(200);
  CHECK(limit.current() == 4);
}

TEST_CASE("concurrency limit: a ceiling of 0 is taken as 1", "[concurrency]") {
  ConcurrencyLimit limit({0, 0});
  CHECK(limit.current() == 1);
  limit.on_status(429);
  CHECK(limit.current() == 1);
  limit.on_status(200);
  CHECK(limit.current() == 1);
}

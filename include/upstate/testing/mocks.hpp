#pragma once
// Trompeloeil mocks of the two things an upload depends on, for users'
// tests of their own upload logic ("503, then 200" with a sequence).
// Include your test framework's Trompeloeil adapter first, e.g.
// <catch2/trompeloeil.hpp>. Not part of <upstate/upstate.hpp>: it needs
// Trompeloeil, which the core does not.
#include <trompeloeil.hpp>

// <upstate/...>, not "../": it is not in the single header, and a test build
// against single_include/ (UPSTATE_TEST_SINGLE_INCLUDE) must resolve these
// to the single header rather than to include/.
#include <upstate/http.hpp>
#include <upstate/time.hpp>

namespace upstate::testing {

// Fits upstate::drive's transport: exchange(const Request&) -> Exchange.
struct MockTransport {
  MAKE_MOCK1(exchange, Exchange(const Request&));
};

// Fits upstate::drive's clock: now() and sleep_until(Instant).
struct MockClock {
  MAKE_MOCK0(now, Instant());
  MAKE_MOCK1(sleep_until, void(Instant));
};

}  // namespace upstate::testing

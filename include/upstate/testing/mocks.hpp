#pragma once
// Trompeloeil mocks of the two things an upload depends on, for users'
// tests of their own upload logic ("503, then 200" with a sequence), and
// Trompeloeil printers so that an unexpected call prints the Request
// (method, URL, purpose, headers; secrets redacted), not a hex dump.
// Include your test framework's Trompeloeil adapter first, e.g.
// <catch2/trompeloeil.hpp>. <upstate/testing.hpp> (and
// single_include/upstate_testing.hpp) includes this file when Trompeloeil
// was included before it.
#include <trompeloeil.hpp>

#include <ostream>

#include "../vocabulary/http.hpp"
#include "../ostream.hpp"
#include "../vocabulary/time.hpp"

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

namespace trompeloeil {

template <>
struct printer<upstate::Request> {
  static void print(std::ostream& os, const upstate::Request& r) { os << r; }
};

template <>
struct printer<upstate::Response> {
  static void print(std::ostream& os, const upstate::Response& r) { os << r; }
};

template <>
struct printer<upstate::Instant> {
  static void print(std::ostream& os, upstate::Instant t) {
    os << "Instant{" << std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()
       << " ms}";
  }
};

}  // namespace trompeloeil

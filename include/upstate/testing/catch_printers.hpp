#pragma once
// Catch2 (v2) StringMakers for upstate's types, so a failed
// CHECK(report.status == ImportStatus::complete) prints `partial`, not `2`,
// and a failed check on an Outcome prints its status or error.
// <upstate/testing.hpp> (and single_include/upstate_testing.hpp) includes
// this file when <catch2/catch.hpp> was included before it.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "../ostream.hpp"
#include "records_ostream.hpp"

namespace upstate::testing::detail {

template <typename T>
std::string print_with_ostream(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace upstate::testing::detail

// One StringMaker per printable type: each forwards to upstate's operator<<.
#define UPSTATE_CATCH_STRING_MAKER(T)                                                         \
  template <>                                                                                 \
  struct Catch::StringMaker<T> {                                                              \
    static std::string convert(const T& value) { return upstate::testing::detail::print_with_ostream(value); } \
  };

UPSTATE_CATCH_STRING_MAKER(upstate::ImportStatus)
UPSTATE_CATCH_STRING_MAKER(upstate::ErrorCode)
UPSTATE_CATCH_STRING_MAKER(upstate::Purpose)
UPSTATE_CATCH_STRING_MAKER(upstate::TransportError::Kind)
UPSTATE_CATCH_STRING_MAKER(upstate::DatasetStatus)
UPSTATE_CATCH_STRING_MAKER(upstate::SnapshotPhase)
UPSTATE_CATCH_STRING_MAKER(upstate::State)
UPSTATE_CATCH_STRING_MAKER(upstate::Trigger)
UPSTATE_CATCH_STRING_MAKER(upstate::Phase)
UPSTATE_CATCH_STRING_MAKER(upstate::Verdict)
UPSTATE_CATCH_STRING_MAKER(upstate::FileKind)
UPSTATE_CATCH_STRING_MAKER(upstate::ProblemKind)
UPSTATE_CATCH_STRING_MAKER(upstate::Error)
UPSTATE_CATCH_STRING_MAKER(upstate::TransportError)
UPSTATE_CATCH_STRING_MAKER(upstate::ImportReport)
UPSTATE_CATCH_STRING_MAKER(upstate::Outcome)
UPSTATE_CATCH_STRING_MAKER(upstate::Request)
UPSTATE_CATCH_STRING_MAKER(upstate::Response)

#undef UPSTATE_CATCH_STRING_MAKER

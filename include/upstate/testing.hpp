#pragma once
// The offline testing kit, for tests only (the core, <upstate/upstate.hpp>,
// does not include it): FakeService (the API and S3 in one in-process
// object), FakeTransport, ManualClock, and printers so that a failed check
// shows `partial`, not `2`:
//   - Catch2 StringMakers, when <catch2/catch.hpp> is included before this
//     file (testing/catch_printers.hpp);
//   - the Trompeloeil mocks MockTransport and MockClock, with printers for
//     the arguments, when Trompeloeil (e.g. <catch2/trompeloeil.hpp>) is
//     included before this file (testing/mocks.hpp).
// The single header single_include/upstate_testing.hpp is this file, made
// by tools/amalgamate.
#include "upstate.hpp"
#include "records.hpp"
#include "ostream.hpp"
#include "testing/fake_service.hpp"
#include "testing/fake_transport.hpp"
#include "testing/manual_clock.hpp"
#include "testing/records_ostream.hpp"
// Each only when its framework is there (they include it themselves when
// included directly).
#if defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED)
#include "testing/catch_printers.hpp"
#endif
#if defined(TROMPELOEIL_HPP_)
#include "testing/mocks.hpp"
#endif

// The one translation unit that holds Catch2's runner; Trompeloeil reports
// violations through Catch2 (catch2/trompeloeil.hpp in each test file).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

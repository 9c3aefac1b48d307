#pragma once
// The loop every property test runs: `count` scenarios seeded 1, 2, ...,
// or only the one seed named by environment variable `env` (to rerun a
// failure the loop printed). A scenario returns "" or why it failed; the
// first ten failures are printed with their seeds.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

namespace test {

// Returns whether every seed ran: a single rerun takes too few moves to
// say anything about which rows of a table were taken.
template <class Scenario>
bool run_seeded(const char* env, int count, Scenario scenario) {
  const char* single = std::getenv(env);
  const std::uint64_t first = single ? std::strtoull(single, nullptr, 10) : 1;
  const int runs = single ? 1 : count;
  int failures = 0;
  for (int i = 0; i < runs; ++i) {
    const std::uint64_t seed = first + static_cast<std::uint64_t>(i);
    const std::string failure = scenario(seed);
    if (!failure.empty() && ++failures <= 10) UNSCOPED_INFO("seed " << seed << ": " << failure);
  }
  CHECK(failures == 0);
  return single == nullptr;
}

}  // namespace test

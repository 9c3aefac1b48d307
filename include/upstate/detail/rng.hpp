#pragma once
// The only source of randomness the core knows: a PRNG seeded from the
// config (quinn-proto style: same seed, same run). Our own generator and our
// own range mapping, because std's distributions differ between standard
// libraries and would make a seed mean different runs on different machines.
#include <cstdint>

namespace upstate {

// xoshiro256** seeded through splitmix64 (public-domain algorithms by
// Blackman and Vigna).
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) noexcept {
    for (auto& word : s_) word = splitmix(seed);
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound] inclusive, by rejection so no value is favoured.
  std::uint64_t uniform(std::uint64_t bound) noexcept {
    if (bound == UINT64_MAX) return next();
    const std::uint64_t range = bound + 1;
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    std::uint64_t x;
    do x = next();
    while (x >= limit);
    return x % range;
  }

  // Uniform in [lo, hi] inclusive; hi < lo yields lo.
  std::int64_t between(std::int64_t lo, std::int64_t hi) noexcept {
    if (hi <= lo) return lo;
    // In unsigned arithmetic: hi - lo may not fit an int64.
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + uniform(span));
  }

  bool chance(std::uint32_t numerator, std::uint32_t denominator) noexcept {
    return denominator != 0 && uniform(denominator - 1) < numerator;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4];
};

}  // namespace upstate

#pragma once
// upstate::crc32 — CRC-32 (IEEE 802.3, the zlib/PNG one), pure. The batch
// journal checks each record with it: enough to tell a torn or garbled line
// from a good one, cheap enough for every record.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace upstate {

namespace detail {
inline const std::array<std::uint32_t, 256>& crc32_table() noexcept {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}
}  // namespace detail

inline std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0) noexcept {
  const auto& table = detail::crc32_table();
  crc = ~crc;
  for (char ch : bytes) crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

}  // namespace upstate

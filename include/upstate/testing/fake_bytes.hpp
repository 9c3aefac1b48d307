#pragma once
// Byte-level helpers the fake service shares: UTF-8 checking and repair,
// XML escaping, and a keyed non-cryptographic hash. Everything a request
// carries may be echoed in an answer, so it is repaired (valid UTF-8),
// bounded (cut at a character boundary) and escaped before it is written.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../detail/ascii.hpp"
#include "../records/utf8_check.hpp"

namespace upstate::testing {

// The same check as the uploader's preflight (records/utf8_check.hpp).
inline bool is_valid_utf8(std::string_view s) noexcept {
  Utf8Check utf8;
  utf8.feed(s);
  return utf8.finish();
}

// Valid UTF-8 of at most about `max_bytes`: each invalid byte becomes U+FFFD
// and the text is cut at a character boundary (with "..." when cut), so an
// echo of hostile input is always well-formed and small.
inline std::string sanitize_utf8(std::string_view s, std::size_t max_bytes = 256) {
  std::string out;
  out.reserve(s.size() < max_bytes ? s.size() : max_bytes);
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = upstate::detail::utf8_sequence_length(s, i);
    std::string_view piece = n == 0 ? std::string_view{"\xEF\xBF\xBD"} : s.substr(i, n);
    if (out.size() + piece.size() > max_bytes) {
      out += "...";
      break;
    }
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

// Text content / attribute value for XML 1.0. Control characters XML cannot
// carry at all become '?'; the input is sanitized (and bounded) first.
inline std::string xml_escape(std::string_view s, std::size_t max_bytes = 1024) {
  std::string clean = sanitize_utf8(s, max_bytes);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

// FNV-1a 64. Not a MAC: the fake only needs "any change to the signed parts
// changes the signature", not resistance to a forger.
inline std::uint64_t fnv1a64(std::string_view data, std::uint64_t h = kFnvOffset) noexcept {
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

inline std::string hex64(std::uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = kHex[v & 15];
  return out;
}

// `words` 64-bit FNV lanes (each seeded differently) as hex, so fake
// signatures and ETags have the length of the real ones (64 / 32 chars).
inline std::string fnv_hex(std::string_view data, int words) {
  std::string out;
  for (int w = 0; w < words; ++w) {
    std::uint64_t seed = fnv1a64(std::string_view("lane"), kFnvOffset + static_cast<std::uint64_t>(w));
    out += hex64(fnv1a64(data, seed));
  }
  return out;
}

inline bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace upstate::testing

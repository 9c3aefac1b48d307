#pragma once
// PlainJsonReader: the reader of the SAX fast paths (import_report_sax.hpp,
// dataset_sax.hpp). It reads the plain JSON a machine writes, in place, and
// gives up on anything else, so each fast path can hand every unusual body to
// its DOM parser and keep that parser's results and errors exactly.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

namespace upstate {
namespace detail {

// Reads JSON text limited to what a plain, machine-written answer holds, and
// gives up (read() returns false) on anything else, valid JSON or not:
// strings without escapes or control characters, integers that fit 64 bits
// (not "-0"), true, false, null, objects and arrays nested at most kMaxDepth
// deep, the four JSON whitespace bytes between tokens. The root must be an
// object. Every string the handler gets is a view of the text, which is also
// its value (there is nothing to decode). Each event returns false to stop.
//
// Handler events: start_object(), end_object(text, compact), start_array(
// bytes_left), end_array(), key(s), string(s), integer(magnitude, negative),
// boolean(b), null_value(). end_object's `text` is the object's own text and
// `compact` says it holds no whitespace; start_array's `bytes_left` counts
// from its '[' to the end of the text.
template <class Handler>
class PlainJsonReader {
 public:
  static constexpr std::size_t kMaxDepth = 64;  // recursion: one frame of object() or array() per level

  PlainJsonReader(std::string_view text, Handler& handler)
      : p_(text.data()), end_(text.data() + text.size()), handler_(handler) {}

  // True when the whole text was read and the handler took every event.
  bool read() {
    skip_whitespace();
    if (!at('{') || !object(1)) return false;
    skip_whitespace();
    return p_ == end_;
  }

 private:
  bool at(char c) const noexcept { return p_ != end_ && *p_ == c; }

  static bool is_whitespace(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

  // Inline for the common case, compact text: one test and no whitespace.
  void skip_whitespace() noexcept {
    if (p_ != end_ && is_whitespace(*p_)) skip_whitespace_run();
  }
  void skip_whitespace_run() noexcept {
    const char* const from = p_;
    while (p_ != end_ && is_whitespace(*p_)) ++p_;
    whitespace_ += static_cast<std::size_t>(p_ - from);
  }

  bool value(std::size_t depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': {
        std::string_view s;
        return string(s) && handler_.string(s);
      }
      case 't': return literal("true") && handler_.boolean(true);
      case 'f': return literal("false") && handler_.boolean(false);
      case 'n': return literal("null") && handler_.null_value();
      default: return number();
    }
  }

  // At '{'.
  bool object(std::size_t depth) {
    if (depth > kMaxDepth) return false;
    const char* const begin = p_++;
    const std::size_t whitespace_before = whitespace_;
    if (!handler_.start_object()) return false;
    skip_whitespace();
    if (!at('}')) {
      for (;;) {
        std::string_view key;
        if (!at('"') || !string(key) || !handler_.key(key)) return false;
        skip_whitespace();
        if (!at(':')) return false;
        ++p_;
        skip_whitespace();
        if (!value(depth)) return false;
        skip_whitespace();
        if (!at(',')) break;
        ++p_;
        skip_whitespace();
      }
      if (!at('}')) return false;
    }
    ++p_;
    return handler_.end_object(std::string_view(begin, static_cast<std::size_t>(p_ - begin)),
                               whitespace_ == whitespace_before);
  }

  // At '['.
  bool array(std::size_t depth) {
    if (depth > kMaxDepth) return false;
    if (!handler_.start_array(static_cast<std::size_t>(end_ - p_))) return false;
    ++p_;
    skip_whitespace();
    if (!at(']')) {
      for (;;) {
        if (!value(depth)) return false;
        skip_whitespace();
        if (!at(',')) break;
        ++p_;
        skip_whitespace();
      }
      if (!at(']')) return false;
    }
    ++p_;
    return handler_.end_array();
  }

  // At '"'. Eight bytes at a time while eight remain, then one at a time,
  // up to the first '"', '\\' or byte below 0x20: only '"' ends a plain
  // string.
  bool string(std::string_view& out) {
    const char* const begin = ++p_;
    while (end_ - p_ >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p_, 8);
      if (const std::uint64_t flags = special_bytes(word)) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        // The lowest flag marks the first special byte in memory; elsewhere
        // the byte loop below finds it.
        p_ += static_cast<unsigned>(__builtin_ctzll(flags)) / 8;
#endif
        break;
      }
      p_ += 8;
    }
    while (p_ != end_ && is_plain(*p_)) ++p_;
    if (!at('"')) return false;  // an escape, a control character, or the end of the text
    out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
    ++p_;
    return true;
  }

  static bool is_plain(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c != '"' && c != '\\';
  }

  // The high bit of each byte of `word` that is '"', '\\' or below 0x20,
  // by the usual bit tricks: zero exactly when there is none. A borrow runs
  // only towards the more significant bytes, so a byte after a flagged one
  // may be flagged wrongly, never one before it: the least significant
  // flag is exact.
  static std::uint64_t special_bytes(std::uint64_t word) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    auto zero_bytes = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    const std::uint64_t below_space = (word - ones * 0x20) & ~word & highs;
    return zero_bytes(word ^ (ones * '"')) | zero_bytes(word ^ (ones * '\\')) | below_space;
  }

  template <std::size_t N>
  bool literal(const char (&word)[N]) noexcept {
    constexpr std::size_t n = N - 1;
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  // An integer as RapidJSON reads one without turning it into a double:
  // 0 to 2^64-1, or -1 to -2^63.
  bool number() {
    const bool negative = at('-');
    if (negative) ++p_;
    const char* const digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    const auto length = static_cast<std::size_t>(p_ - digits);
    if (length == 0 || (*digits == '0' && length > 1)) return false;  // no digit, or a leading zero
    if (length > 20) return false;                                    // past 2^64-1 (20 digits)
    // Only a 20-digit number can pass 2^64-1, so only then is each step checked.
    std::uint64_t magnitude = 0;
    for (const char* d = digits; d != p_; ++d) {
      const auto digit = static_cast<unsigned>(*d - '0');
      if (length == 20 && magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
      magnitude = magnitude * 10 + digit;
    }
    if (at('.') || at('e') || at('E')) return false;                 // RapidJSON's double
    if (negative && (magnitude == 0 || magnitude > (std::uint64_t{1} << 63))) return false;
    return handler_.integer(magnitude, negative);
  }

  const char* p_;
  const char* const end_;
  Handler& handler_;
  std::size_t whitespace_ = 0;  // bytes of whitespace skipped so far
};

// A fast path's root key: its index in `names`, or N (unknown: the reader
// skips its value); each known key marked in `seen` (bit = index). Nothing
// for a key seen before: a duplicate, which the DOM parser must judge.
template <std::size_t N>
constexpr std::optional<unsigned> mark_root_key(std::string_view key, const std::string_view (&names)[N],
                                                unsigned& seen) noexcept {
  static_assert(N < 32, "one bit per name");
  for (unsigned f = 0; f < N; ++f) {
    if (key != names[f]) continue;
    if ((seen >> f) & 1u) return std::nullopt;
    seen |= 1u << f;
    return f;
  }
  return static_cast<unsigned>(N);
}

}  // namespace detail
}  // namespace upstate

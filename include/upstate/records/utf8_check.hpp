#pragma once
// Incremental UTF-8 validation of a file read in chunks: RFC 3629 (no
// overlong forms, no UTF-16 surrogates, nothing past U+10FFFF), the rule the
// fake service applies to a whole upload. A chunk edge may cut a sequence
// anywhere; the verdict and the offset of the first bad sequence do not
// depend on where the edges fall. ASCII runs are skipped 8 bytes at a time.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace upstate {
namespace detail {

// Length of the sequence a lead byte starts (1..4), 0 for a byte that
// cannot start one (a continuation byte, C0/C1, F5..FF).
constexpr std::size_t utf8_lead_length(unsigned char c) noexcept {
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 0;
}

constexpr std::size_t kUtf8CutShort = 5;

// Length of the valid UTF-8 sequence starting at s[i]; 0 when the bytes
// there are not one; kUtf8CutShort when they are a valid start of one that
// the end of `s` cuts short.
inline std::size_t utf8_sequence_check(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  const std::size_t n = utf8_lead_length(c);
  if (n <= 1) return n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c == 0xE0) lo = 0xA0;            // overlong
  if (c == 0xED) hi = 0x9F;            // UTF-16 surrogates
  if (c == 0xF0) lo = 0x90;            // overlong
  if (c == 0xF4) hi = 0x8F;            // past U+10FFFF
  for (std::size_t k = 1; k < n; ++k) {
    if (i + k >= s.size()) return kUtf8CutShort;
    if (byte(i + k) < (k == 1 ? lo : 0x80) || byte(i + k) > (k == 1 ? hi : 0xBF)) return 0;
  }
  return n;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes
// there are not one (cut short by the end of `s` included).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const std::size_t n = utf8_sequence_check(s, i);
  return n == kUtf8CutShort ? 0 : n;
}

}  // namespace detail

class Utf8Check {
 public:
  // false once the bytes so far are known not to be UTF-8; the first fault
  // is kept (sticky) and later bytes are not looked at.
  bool feed(std::string_view chunk) noexcept {
    if (error_) return false;
    const std::uint64_t base = fed_;
    fed_ += chunk.size();
    std::size_t i = 0;
    if (pending_size_ > 0) {
      // Complete the sequence the previous chunk cut.
      // (`< sizeof pending_` always holds, as pending_need_ <= 4; said so for GCC's -O3 overflow check.)
      while (pending_size_ < pending_need_ && pending_size_ < sizeof pending_ && i < chunk.size())
        pending_[pending_size_++] = chunk[i++];
      const std::size_t n = detail::utf8_sequence_check(std::string_view(pending_, pending_size_), 0);
      if (n == 0) return fail(pending_offset_, pending_[0]);
      if (n == detail::kUtf8CutShort) return true;
      pending_size_ = 0;
    }
    const char* d = chunk.data();
    const std::size_t n = chunk.size();
    while (i < n) {
      // The common case: eight ASCII bytes at once.
      while (i + 8 <= n) {
        std::uint64_t word;
        std::memcpy(&word, d + i, 8);
        if (word & 0x8080808080808080ULL) break;
        i += 8;
      }
      while (i < n && static_cast<unsigned char>(d[i]) < 0x80) ++i;
      if (i == n) break;
      const std::size_t len = detail::utf8_sequence_check(chunk, i);
      if (len == 0) return fail(base + i, d[i]);
      if (len == detail::kUtf8CutShort) {
        // A valid start cut by the chunk's end (so all its bytes are above
        // 0x7F: no line break among them): decided when the rest arrives.
        pending_offset_ = base + i;
        pending_need_ = detail::utf8_lead_length(static_cast<unsigned char>(d[i]));
        pending_size_ = 0;
        while (i < n && pending_size_ < sizeof pending_) pending_[pending_size_++] = d[i++];
        return true;
      }
      i += len;
    }
    return true;
  }

  // The end of the file: a sequence still cut short is a fault.
  bool finish() noexcept {
    if (!error_ && pending_size_ > 0) fail(pending_offset_, pending_[0]);
    pending_size_ = 0;
    return !error_;
  }

  bool ok() const noexcept { return !error_; }
  // Offset in the file of the first byte of the first bad sequence.
  std::optional<std::uint64_t> error_offset() const noexcept { return error_; }
  // That sequence's first byte (to name it in a message).
  unsigned char error_byte() const noexcept { return error_byte_; }

 private:
  bool fail(std::uint64_t offset, char byte) noexcept {
    error_ = offset;
    error_byte_ = static_cast<unsigned char>(byte);
    return false;
  }

  std::uint64_t fed_ = 0;
  std::optional<std::uint64_t> error_;
  unsigned char error_byte_ = 0;
  char pending_[4] = {};
  std::size_t pending_size_ = 0, pending_need_ = 0;
  std::uint64_t pending_offset_ = 0;
};

}  // namespace upstate

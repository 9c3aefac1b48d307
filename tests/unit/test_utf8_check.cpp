// Utf8Check: RFC 3629 validation across chunk edges. The verdict and the
// offset of the first bad sequence must not depend on where chunks end.
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <upstate/records/utf8_check.hpp>
#include <vector>

using namespace upstate;

namespace {

struct Utf8Verdict {
  bool ok;
  std::optional<std::uint64_t> offset;
  unsigned char byte;
  bool operator==(const Utf8Verdict& o) const { return ok == o.ok && offset == o.offset && (ok || byte == o.byte); }
};

Utf8Verdict check(std::string_view s, const std::vector<std::size_t>& cuts = {}) {
  Utf8Check c;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    c.feed(s.substr(from, cut - from));
    from = cut;
  }
  c.feed(s.substr(from));
  bool ok = c.finish();
  return {ok, c.error_offset(), c.error_byte()};
}

Utf8Verdict byte_by_byte(std::string_view s) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < s.size(); ++i) cuts.push_back(i);
  return check(s, cuts);
}

// The plain definition, one sequence at a time over the whole input.
std::optional<std::uint64_t> reference_first_fault(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = detail::utf8_sequence_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

void check_every_split(std::string_view s) {
  INFO("input of " << s.size() << " bytes");
  const Utf8Verdict whole = check(s);
  CHECK(whole.offset == reference_first_fault(s));
  for (std::size_t a = 0; a <= s.size(); ++a) {
    CAPTURE(a);
    REQUIRE(check(s, {a}) == whole);
    for (std::size_t b = a; b <= s.size() && s.size() <= 16; ++b) REQUIRE(check(s, {a, b}) == whole);
  }
  REQUIRE(byte_by_byte(s) == whole);
}

}  // namespace

TEST_CASE("utf8 check: valid text of every sequence length passes", "[records]") {
  for (std::string s :
       {"", "plain ASCII", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBB\xBF", "\xED\x9F\xBF",
        "\xEE\x80\x80", "\xF4\x8F\xBF\xBF", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80!"}) {
    INFO(s);
    CHECK(check(s).ok);
    check_every_split(s);
  }
}

TEST_CASE("utf8 check: each kind of bad sequence is found at its first byte", "[records]") {
  using Row = std::tuple<std::string, std::uint64_t, unsigned char>;
  auto [input, offset, byte] = GENERATE(table<std::string, std::uint64_t, unsigned char>({
      Row{"ab\xC3\x28", 2, 0xC3},        // continuation missing
      Row{"\xC0\xAF", 0, 0xC0},          // overlong '/'
      Row{"x\xE0\x80\xAF", 1, 0xE0},     // overlong, three bytes
      Row{"\xED\xA0\x80", 0, 0xED},      // UTF-16 surrogate
      Row{"\xF4\x90\x80\x80", 0, 0xF4},  // past U+10FFFF
      Row{"\xF5\x80\x80\x80", 0, 0xF5},  // no such lead byte
      Row{"ok\xFF", 2, 0xFF},
      Row{"\x80", 0, 0x80},         // a lone continuation byte
      Row{"abc\xE2\x82", 3, 0xE2},  // cut short by the end of the file
      Row{"\xF0\x9F\x98", 0, 0xF0},
      Row{"\xC3\xA9\xC3", 2, 0xC3},
  }));
  CAPTURE(input);
  Utf8Verdict v = check(input);
  CHECK_FALSE(v.ok);
  CHECK(v.offset == offset);
  CHECK(v.byte == byte);
  check_every_split(input);
}

TEST_CASE("utf8 check: a bad sequence cut by a chunk edge is found when its next bytes arrive", "[records]") {
  Utf8Check c;
  CHECK(c.feed("ab\xE2"));
  CHECK(c.ok());  // undecided
  CHECK_FALSE(c.feed("\x28 more"));
  CHECK(c.error_offset() == 2u);
  CHECK(c.error_byte() == 0xE2);
  // Sticky: nothing later changes the verdict.
  CHECK_FALSE(c.feed("fine"));
  CHECK_FALSE(c.finish());
  CHECK(c.error_offset() == 2u);

  // Bytes that already break the sequence fail it at once, even before
  // the chunk's end would have completed it.
  Utf8Check early;
  CHECK_FALSE(early.feed("a\xE2\n"));
  CHECK(early.error_offset() == 1u);

  Utf8Check cut;
  CHECK(cut.feed("\xF0"));
  CHECK(cut.feed("\x9F"));
  CHECK(cut.feed("\x98"));
  CHECK(cut.feed("\x80"));
  CHECK(cut.finish());
}

TEST_CASE("utf8 check: the 8-byte ASCII fast path finds a bad byte at every position", "[records]") {
  for (std::size_t pos = 0; pos < 40; ++pos) {
    std::string s(41, 'a');
    s[pos] = '\xFE';
    CAPTURE(pos);
    CHECK(check(s).offset == pos);
    CHECK(check(s, {pos / 2, pos + 1}).offset == pos);
  }
  std::string valid(1000, 'z');
  valid += "\xC3\xA9";
  valid += std::string(1000, 'z');
  CHECK(check(valid).ok);
}

TEST_CASE("utf8 check: random bytes, whole and split, agree with the plain definition", "[records]") {
  std::mt19937_64 rng(7);
  const unsigned char pool[] = {'a',  '\n', 0x80, 0xBF, 0xC2, 0xC3, 0xDF, 0xE0, 0xE2, 0xED,
                                0xEF, 0xF0, 0xF4, 0xF5, 0xA0, 0x9F, 0x90, 0x8F, 0xFF, 0xBB};
  for (int round = 0; round < 20000; ++round) {
    std::string s(rng() % 24, 'a');
    for (char& c : s) c = static_cast<char>(pool[rng() % sizeof pool]);
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < s.size(); ++i)
      if (rng() % 2) cuts.push_back(i);
    const Utf8Verdict whole = check(s);
    REQUIRE(whole.offset == reference_first_fault(s));
    REQUIRE(check(s, cuts) == whole);
  }
}

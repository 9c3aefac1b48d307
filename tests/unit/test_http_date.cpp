// Wire timestamps: HTTP-date in its three forms (RFC 9110 §5.6.7), S3's
// X-Amz-Date, and the formatters. Expected values are Unix seconds computed
// independently (Python's calendar.timegm).
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include <upstate/detail/http_date.hpp>

using namespace upstate;

namespace {
constexpr UnixSeconds k19941106T084937Z = 784111777;  // RFC 9110's example
}

TEST_CASE("http-date: the three forms recipients must accept", "[http_date]") {
  auto text = GENERATE(as<std::string>{}, "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                       "Sun Nov  6 08:49:37 1994");
  CAPTURE(text);
  CHECK(parse_http_date(text) == std::optional<UnixSeconds>(k19941106T084937Z));
}

TEST_CASE("http-date: more valid values", "[http_date]") {
  CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == std::optional<UnixSeconds>(0));
  CHECK(parse_http_date("Sat, 28 Nov 2026 12:00:00 GMT") == std::optional<UnixSeconds>(1795867200));
  CHECK(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT") == std::optional<UnixSeconds>(1709164800));
  CHECK(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT") == std::optional<UnixSeconds>(253402300799));
  CHECK(parse_http_date("Sun Nov 16 08:49:37 1994") == std::optional<UnixSeconds>(k19941106T084937Z + 10 * 86400));
  SECTION("RFC 850 two-digit years: 70..99 are 19xx, 00..69 are 20xx") {
    CHECK(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT") == std::optional<UnixSeconds>(0));
    CHECK(parse_http_date("Wednesday, 06-Nov-69 08:49:37 GMT") == std::optional<UnixSeconds>(3150953377));
  }
  SECTION("the day name is not checked against the date (lenient, as most recipients are)") {
    CHECK(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT") == std::optional<UnixSeconds>(k19941106T084937Z));
  }
  SECTION("a leap second reads as the second before it") {
    CHECK(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT") == parse_http_date("Sat, 31 Dec 2016 23:59:59 GMT"));
  }
}

TEST_CASE("http-date: malformed values are nullopt", "[http_date]") {
  auto text = GENERATE(as<std::string>{},
                       "", "garbage", "1994-11-06T08:49:37Z",
                       "Sun, 06 Nov 1994 08:49:37 UTC",       // not GMT
                       "Sun, 06 Nov 1994 08:49:37 GMT ",      // trailing space
                       "Sun, 06 nov 1994 08:49:37 GMT",       // month names are case-sensitive
                       "Sun, 6 Nov 1994 08:49:37 GMT",        // one-digit day
                       "Sun, 06 Nov 94 08:49:37 GMT",         // two-digit year in IMF-fixdate
                       "Sun, 06 Nov 1994 24:00:00 GMT",       // hour
                       "Sun, 06 Nov 1994 08:60:00 GMT",       // minute
                       "Sun, 06 Nov 1994 08:49:61 GMT",       // second
                       "Sun, 00 Nov 1994 08:49:37 GMT",       // day 0
                       "Sun, 31 Nov 1994 08:49:37 GMT",       // November has 30 days
                       "Tue, 29 Feb 2022 00:00:00 GMT",       // not a leap year
                       "Thu, 29 Feb 1900 00:00:00 GMT",       // century, not a leap year
                       "Sun, 06 Foo 1994 08:49:37 GMT",       // month name
                       "Sun, 0x Nov 1994 08:49:37 GMT",       // digits
                       "Sunday, 06-Nov-1994 08:49:37 GMT",    // four-digit year in RFC 850
                       "Sun Nov 6 08:49:37 1994",             // asctime pads the day with a space
                       "Sun Nov  6 08:49:37 94  ");           // asctime year
  CAPTURE(text);
  CHECK_FALSE(parse_http_date(text));
}

TEST_CASE("http-date: formatting and round trips", "[http_date]") {
  CHECK(format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(format_http_date(k19941106T084937Z) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(format_http_date(-1) == "Wed, 31 Dec 1969 23:59:59 GMT");
  CHECK(format_http_date(-86400) == "Wed, 31 Dec 1969 00:00:00 GMT");
  CHECK(format_http_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
  auto t = GENERATE(as<UnixSeconds>{}, 0, 1, 86399, 86400, 951782400, 1709164800, 1795867200, 253402300799);
  CAPTURE(t);
  CHECK(parse_http_date(format_http_date(t)) == std::optional<UnixSeconds>(t));
}

TEST_CASE("http-date: extreme instants format without overflow", "[http_date]") {
  // Only that these are defined behaviour matters (run under UBSan); the
  // text is whatever snprintf makes of a 12-digit year.
  CHECK_FALSE(format_http_date(std::numeric_limits<UnixSeconds>::min()).empty());
  CHECK_FALSE(format_http_date(std::numeric_limits<UnixSeconds>::max()).empty());
  CHECK(format_iso8601(-62135596800) == "0001-01-01T00:00:00Z");
}

TEST_CASE("x-amz-date: parse and format", "[http_date][amz_date]") {
  CHECK(parse_amz_date("20261128T120000Z") == std::optional<UnixSeconds>(1795867200));
  CHECK(parse_amz_date("19700101T000000Z") == std::optional<UnixSeconds>(0));
  CHECK(parse_amz_date("20240229T000000Z") == std::optional<UnixSeconds>(1709164800));
  CHECK(parse_amz_date("20000229T000000Z") == std::optional<UnixSeconds>(951782400));
  CHECK(format_amz_date(1795867200) == "20261128T120000Z");
  CHECK(format_iso8601(1795867200) == "2026-11-28T12:00:00Z");
  SECTION("malformed") {
    auto text = GENERATE(as<std::string>{}, "", "20261128T120000", "20261128 120000Z", "20261128T120000z",
                         "2026-11-28T12:00:00Z", "20261328T120000Z", "20261100T120000Z", "20230229T000000Z",
                         "19000229T000000Z", "20260431T000000Z", "20261128T240000Z", "20261128T126000Z",
                         "2026112xT120000Z", "+0261128T120000Z", "20261128T120000ZZ");
    CAPTURE(text);
    CHECK_FALSE(parse_amz_date(text));
  }
}

#pragma once
// Wall-clock values as they appear on the wire. Pure conversions between
// text and Unix seconds (civil-date arithmetic after H. Hinnant), no clock.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "../vocabulary/time.hpp"

namespace upstate {
namespace detail {

constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day, hour, minute, second, weekday;  // weekday 0 = Sunday
};

constexpr Civil civil_from_unix(UnixSeconds t) noexcept {
  // Floor division through the remainder: `t - 86399` or `days * 86400`
  // would overflow near INT64_MIN.
  const std::int64_t rem = t % 86400;
  std::int64_t days = t / 86400 - (rem < 0 ? 1 : 0);
  std::int64_t secs = rem < 0 ? rem + 86400 : rem;
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  const unsigned wd = static_cast<unsigned>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  return {y, m, d, static_cast<unsigned>(secs / 3600), static_cast<unsigned>(secs % 3600 / 60),
          static_cast<unsigned>(secs % 60), wd};
}

inline bool read_digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) noexcept {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Refuses impossible dates ("Feb 30") rather than rolling them into the next
// month: a date that does not exist is a malformed one.
inline std::optional<UnixSeconds> make_time(std::int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                                            unsigned s) noexcept {
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (s == 60 ? 59 : s);
}

inline int month_from_name(std::string_view m) noexcept {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (kMonths[i] == m) return i + 1;
  return 0;
}

}  // namespace detail

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate, RFC 9110 §5.6.7), plus the
// obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
// ("Sun Nov  6 08:49:37 1994") forms recipients must accept.
inline std::optional<UnixSeconds> parse_http_date(std::string_view s) noexcept {
  using namespace detail;
  unsigned d, y, h, mi, se;
  auto comma = s.find(',');
  if (comma != std::string_view::npos) {
    std::string_view rest = s.substr(comma + 1);
    if (rest.size() == 25 && rest[0] == ' ' && rest[3] == ' ' && rest[7] == ' ' && rest[12] == ' ' &&
        rest[15] == ':' && rest[18] == ':' && rest.substr(21) == " GMT") {  // IMF-fixdate
      int mo = month_from_name(rest.substr(4, 3));
      if (mo && read_digits(rest, 1, 2, d) && read_digits(rest, 8, 4, y) && read_digits(rest, 13, 2, h) &&
          read_digits(rest, 16, 2, mi) && read_digits(rest, 19, 2, se))
        return make_time(y, static_cast<unsigned>(mo), d, h, mi, se);
      return std::nullopt;
    }
    if (rest.size() == 23 && rest[0] == ' ' && rest[3] == '-' && rest[7] == '-' && rest[10] == ' ' &&
        rest[13] == ':' && rest[16] == ':' && rest.substr(19) == " GMT") {  // RFC 850
      int mo = month_from_name(rest.substr(4, 3));
      if (mo && read_digits(rest, 1, 2, d) && read_digits(rest, 8, 2, y) && read_digits(rest, 11, 2, h) &&
          read_digits(rest, 14, 2, mi) && read_digits(rest, 17, 2, se))
        return make_time(y < 70 ? 2000 + y : 1900 + y, static_cast<unsigned>(mo), d, h, mi, se);
    }
    return std::nullopt;
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (s.size() == 24 && s[3] == ' ' && s[7] == ' ' && s[10] == ' ' && s[13] == ':' && s[16] == ':' &&
      s[19] == ' ') {
    int mo = month_from_name(s.substr(4, 3));
    std::string_view day = s.substr(8, 2);
    unsigned dd = 0;
    if (day[0] == ' ') {
      if (!read_digits(day, 1, 1, dd)) return std::nullopt;
    } else if (!read_digits(day, 0, 2, dd)) {
      return std::nullopt;
    }
    if (mo && read_digits(s, 11, 2, h) && read_digits(s, 14, 2, mi) && read_digits(s, 17, 2, se) &&
        read_digits(s, 20, 4, y))
      return make_time(y, static_cast<unsigned>(mo), dd, h, mi, se);
  }
  return std::nullopt;
}

inline std::string format_http_date(UnixSeconds t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto c = detail::civil_from_unix(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02u:%02u:%02u GMT", kDays[c.weekday], c.day,
                kMonths[c.month - 1], static_cast<long long>(c.year), c.hour, c.minute, c.second);
  return buf;
}

// S3's X-Amz-Date: "20261128T120000Z".
inline std::optional<UnixSeconds> parse_amz_date(std::string_view s) noexcept {
  using namespace detail;
  unsigned y, mo, d, h, mi, se;
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  if (!read_digits(s, 0, 4, y) || !read_digits(s, 4, 2, mo) || !read_digits(s, 6, 2, d) ||
      !read_digits(s, 9, 2, h) || !read_digits(s, 11, 2, mi) || !read_digits(s, 13, 2, se))
    return std::nullopt;
  return make_time(y, mo, d, h, mi, se);
}

inline std::string format_amz_date(UnixSeconds t) {
  auto c = detail::civil_from_unix(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02u%02u%02uZ", static_cast<long long>(c.year), c.month, c.day,
                c.hour, c.minute, c.second);
  return buf;
}

// An ISO-8601 date-time with its offset, as the API writes timestamps
// (step 1's expires_at): "2026-11-28T12:00:00Z", with optional fractional
// seconds (dropped) and "Z", "+HH:MM" or "-HH:MM"; a lower-case 't'/'z' and a
// space for 'T' are taken too. No offset at all: nullopt (the time would be
// ambiguous).
inline std::optional<UnixSeconds> parse_iso8601(std::string_view s) noexcept {
  using namespace detail;
  unsigned y, mo, d, h, mi, se;
  if (s.size() < 20 || s.size() > 64 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (!read_digits(s, 0, 4, y) || !read_digits(s, 5, 2, mo) || !read_digits(s, 8, 2, d) ||
      !read_digits(s, 11, 2, h) || !read_digits(s, 14, 2, mi) || !read_digits(s, 17, 2, se))
    return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos, ++digits;
    if (digits == 0) return std::nullopt;
  }
  auto t = make_time(y, mo, d, h, mi, se);
  if (!t || pos >= s.size()) return std::nullopt;
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") return t;
  unsigned oh, om;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !read_digits(zone, 1, 2, oh) ||
      !read_digits(zone, 4, 2, om) || oh > 23 || om > 59)
    return std::nullopt;
  const std::int64_t offset = static_cast<std::int64_t>(oh) * 3600 + om * 60;
  return zone[0] == '+' ? *t - offset : *t + offset;
}

// ISO-8601 UTC as the API writes timestamps: "2026-11-28T12:00:00Z".
inline std::string format_iso8601(UnixSeconds t) {
  auto c = detail::civil_from_unix(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", static_cast<long long>(c.year), c.month,
                c.day, c.hour, c.minute, c.second);
  return buf;
}

}  // namespace upstate

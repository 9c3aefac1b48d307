#pragma once
// The syntax of a host in a URL a server hands us, checked before any name
// lookup: a resolver given "a b", "%00", "0x7f.1" or "2130706433" does
// something (a lookup of junk, an address read in octal or as one number)
// that nobody meant.
#include <string_view>

namespace upstate {
namespace detail {

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Four decimal octets 0..255, no leading zeros (inet_aton reads "010" as 8).
inline bool is_dotted_quad(std::string_view s) noexcept {
  int octets = 0;
  while (true) {
    std::size_t n = 0;
    unsigned value = 0;
    while (n < s.size() && is_digit(s[n])) {
      value = value * 10 + static_cast<unsigned>(s[n] - '0');
      if (++n > 3) return false;
    }
    if (n == 0 || value > 255 || (n > 1 && s[0] == '0')) return false;
    ++octets;
    s.remove_prefix(n);
    if (s.empty()) return octets == 4;
    if (s[0] != '.' || octets == 4) return false;
    s.remove_prefix(1);
  }
}

// An IPv6 literal as parse_url keeps it (brackets gone): hex digits, ':'
// and an embedded IPv4's '.', no zone ("%eth0" names a local interface).
inline bool is_ipv6_literal(std::string_view s) noexcept {
  if (s.size() < 2 || s.size() > 45) return false;
  int colons = 0;
  for (char c : s) {
    const bool hex = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (c == ':') ++colons;
    else if (!hex && c != '.') return false;
  }
  return colons >= 2;
}

}  // namespace detail

// A DNS name (labels of 1..63 letters, digits, '-' or '_', not starting or
// ending with '-', 253 bytes at most, one trailing dot allowed), a dotted-quad
// IPv4 address or an IPv6 literal. A name whose last label starts with a
// digit must be a dotted quad: no top-level domain does, and the resolver
// reads such names ("127.1", "0x7f.0.0.1") as numeric addresses.
inline bool is_valid_host(std::string_view host) noexcept {
  if (host.find(':') != std::string_view::npos) return detail::is_ipv6_literal(host);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return false;
  const std::size_t last_dot = host.rfind('.');
  const std::string_view last = last_dot == std::string_view::npos ? host : host.substr(last_dot + 1);
  if (!last.empty() && detail::is_digit(last[0])) return detail::is_dotted_quad(host);
  std::size_t label = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0 || label > 63 || host[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const char c = host[i];
    const bool ok = detail::is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok || (label == 0 && c == '-')) return false;
    ++label;
  }
  return true;
}

}  // namespace upstate

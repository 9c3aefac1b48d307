#pragma once
// URLs: encoding the path segments we build, and splitting absolute URLs the
// server hands us (without ever re-encoding them: a presigned URL's query is
// signed byte for byte).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ascii.hpp"
#include "host_name.hpp"

namespace upstate {

// RFC 3986 path segment: everything but unreserved characters becomes %XX,
// so a '/', '?', '#', '%', space or non-ASCII byte in a name can never change
// which resource the request names.
inline std::string percent_encode_segment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict decoding: a '%' not followed by two hex digits is an error rather
// than passed through, so two spellings never name one resource.
inline std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// A path segment we are willing to put in a URL: non-empty, not "." or ".."
// (which a proxy would resolve to another path) and without NUL.
inline bool is_safe_segment(std::string_view s) noexcept {
  if (s.empty() || s == "." || s == "..") return false;
  return s.find('\0') == std::string_view::npos;
}

struct Url {
  std::string scheme;  // lower case: "http" or "https"
  std::string host;    // as written; IPv6 without brackets
  std::uint16_t port = 0;
  std::string target;  // path + "?" + query, verbatim (what goes on the request line)
  std::string path;    // verbatim, still percent-encoded
  std::string query;   // verbatim, without '?'

  bool is_https() const noexcept { return scheme == "https"; }
  // "host" or "host:port" when the port is not the scheme's default.
  std::string authority() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
    return default_port ? h : h + ":" + std::to_string(port);
  }
};

// Parses an absolute http(s) URL. Userinfo, fragments, control characters
// and a host that is not a valid host name or address (host_name.hpp) are
// refused: nothing we send should carry them, and nothing is looked up
// before its syntax is known good.
inline std::optional<Url> parse_url(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  auto colon = s.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  Url u;
  u.scheme = ascii_lower(s.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
  std::string_view rest = s.substr(colon + 3);
  std::size_t auth_end = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, auth_end);
  std::string_view tail = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
  if (auth.empty() || auth.find('@') != std::string_view::npos) return std::nullopt;
  if (tail.find('#') != std::string_view::npos) return std::nullopt;
  std::string_view port_text;
  if (auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    u.host = std::string(auth.substr(1, close - 1));
    std::string_view after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else {
    auto pc = auth.rfind(':');
    if (pc != std::string_view::npos) {
      port_text = auth.substr(pc + 1);
      if (port_text.empty()) return std::nullopt;
      auth = auth.substr(0, pc);
    }
    // An unbracketed host holding ':' ("a:b:80") is neither a name nor IPv4;
    // authority() would bracket it into a different host.
    if (auth.empty() || auth.find(':') != std::string_view::npos) return std::nullopt;
    u.host = std::string(auth);
  }
  if (!is_valid_host(u.host)) return std::nullopt;
  if (!port_text.empty()) {
    if (port_text.size() > 5) return std::nullopt;
    unsigned p = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return std::nullopt;
      p = p * 10 + static_cast<unsigned>(c - '0');
    }
    if (p == 0 || p > 65535) return std::nullopt;
    u.port = static_cast<std::uint16_t>(p);
  } else {
    u.port = u.is_https() ? 443 : 80;
  }
  auto q = tail.find('?');
  u.path = std::string(tail.substr(0, q));
  if (u.path.empty()) u.path = "/";
  if (q != std::string_view::npos) u.query = std::string(tail.substr(q + 1));
  u.target = u.query.empty() && q == std::string_view::npos ? u.path : u.path + "?" + u.query;
  return u;
}

struct QueryParam {
  std::string name;   // decoded
  std::string value;  // decoded
};

// Decoded query parameters, in order. A parameter that does not decode is
// left out (the caller treats a missing parameter as "unknown").
inline std::vector<QueryParam> parse_query(std::string_view query) {
  std::vector<QueryParam> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    auto name = percent_decode(part.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), true);
    if (name && value) out.push_back({std::move(*name), std::move(*value)});
  }
  return out;
}

// Whether a host is on this machine: a plain-http API base is only accepted
// for these, so a token never crosses a network in clear text.
// Only a dotted-quad IPv4 counts as 127/8: a DNS name such as
// "127.attacker.example" merely starts like one.
inline bool is_loopback_host(std::string_view host) noexcept {
  if (host == "localhost" || host == "::1") return true;
  if (host.size() < 4 || host.substr(0, 4) != "127.") return false;
  int dots = 0;
  unsigned octet = 0, digits = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      octet = digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 3) {
      octet = octet * 10 + static_cast<unsigned>(c - '0');
      ++digits;
      if (octet > 255) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

}  // namespace upstate

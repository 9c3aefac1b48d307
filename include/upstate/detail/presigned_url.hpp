#pragma once
// What a presigned upload URL tells before a byte is sent: when it expires
// and which headers it signed (docs/service.md, step 2).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ascii.hpp"
#include "../vocabulary/http.hpp"
#include "http_date.hpp"
#include "../vocabulary/time.hpp"
#include "url.hpp"

namespace upstate {

struct PresignedUrlInfo {
  enum class Scheme { sigv4, sigv2, unknown };
  Scheme scheme = Scheme::unknown;
  // SigV4: X-Amz-Date + X-Amz-Expires; SigV2: Expires. nullopt when the
  // parameters are missing or malformed (then the URL is used as is).
  std::optional<UnixSeconds> expires_at;
  std::optional<UnixSeconds> signed_at;  // SigV4 X-Amz-Date
  // SigV4 X-Amz-SignedHeaders, lower case, ';'-split (e.g. {"content-type","host"}).
  // SigV2 always signs the Content-Type, so it reports {"content-type"}.
  std::vector<std::string> signed_headers;

  bool signs(std::string_view header) const {  // case-insensitive
    for (const auto& h : signed_headers)
      if (iequals(h, header)) return true;
    return false;
  }
};

namespace detail {

// The first parameter of that exact (case-sensitive, as S3 reads them) name.
inline const std::string* find_query_param(const std::vector<QueryParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p.value;
  return nullptr;
}

// Plain decimal digits only (no sign, no spaces), at most `max`; nullopt otherwise.
inline std::optional<std::int64_t> parse_bounded_decimal(std::string_view s, std::int64_t max) noexcept {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (max - (c - '0')) / 10) return std::nullopt;  // v * 10 + digit would pass max
    v = v * 10 + (c - '0');
  }
  return v;
}

inline constexpr std::int64_t kMaxSigV4ExpiresSeconds = 604800;  // 7 days, S3's limit
// Far beyond any real expiry, small enough that no arithmetic on it overflows.
inline constexpr std::int64_t kMaxUnixSeconds = std::int64_t{1} << 40;

inline std::vector<std::string> split_signed_headers(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    std::size_t semi = list.find(';');
    std::string_view name = list.substr(0, semi);
    list = semi == std::string_view::npos ? std::string_view{} : list.substr(semi + 1);
    if (name.empty()) continue;
    out.push_back(ascii_lower(name));
  }
  return out;
}

}  // namespace detail

// SigV4 when X-Amz-Algorithm or X-Amz-Signature is present; SigV2 when
// AWSAccessKeyId and Signature are. A malformed X-Amz-Date, X-Amz-Expires
// (outside 1..604800) or Expires leaves the expiry unknown rather than
// refusing the URL: S3 is the judge, this only lets the client renew early.
inline PresignedUrlInfo inspect_presigned_url(const Url& url) {
  using detail::find_query_param;
  const std::vector<QueryParam> params = parse_query(url.query);
  PresignedUrlInfo info;
  if (find_query_param(params, "X-Amz-Algorithm") || find_query_param(params, "X-Amz-Signature")) {
    info.scheme = PresignedUrlInfo::Scheme::sigv4;
    if (const std::string* date = find_query_param(params, "X-Amz-Date")) info.signed_at = parse_amz_date(*date);
    std::optional<std::int64_t> lifetime;
    if (const std::string* expires = find_query_param(params, "X-Amz-Expires"))
      lifetime = detail::parse_bounded_decimal(*expires, detail::kMaxSigV4ExpiresSeconds);
    if (info.signed_at && lifetime && *lifetime >= 1) info.expires_at = *info.signed_at + *lifetime;
    if (const std::string* headers = find_query_param(params, "X-Amz-SignedHeaders"))
      info.signed_headers = detail::split_signed_headers(*headers);
  } else if (find_query_param(params, "AWSAccessKeyId") && find_query_param(params, "Signature")) {
    info.scheme = PresignedUrlInfo::Scheme::sigv2;
    if (const std::string* expires = find_query_param(params, "Expires"))
      info.expires_at = detail::parse_bounded_decimal(*expires, detail::kMaxUnixSeconds);
    info.signed_headers = {"content-type"};
  }
  return info;
}

}  // namespace upstate

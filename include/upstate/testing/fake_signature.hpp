#pragma once
// The fake's presigned URLs: SigV4-shaped (the same query parameters, in the
// order AWS SDKs write them) but signed with a keyed FNV-1a, which is enough
// to notice any change to the path, the query or a signed header.
//
// The signature covers the raw path and the raw query minus the
// X-Amz-Signature parameter, byte for byte: a client that re-encodes, reorders
// or drops a parameter breaks it, as docs/service.md warns happens with real S3.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../vocabulary/http.hpp"
#include "../detail/http_date.hpp"
#include "../detail/url.hpp"
#include "fake_bytes.hpp"

namespace upstate::testing {

inline constexpr std::string_view kFakeAccessKey = "FAKEKEY";
inline constexpr std::string_view kFakeRegion = "us-east-1";
inline constexpr std::string_view kSignatureParam = "X-Amz-Signature";

// 64 hex characters, like a real SigV4 signature. `content_type` is the
// signed Content-Type value, or nullopt when the URL does not sign it.
inline std::string fake_signature(std::string_view secret, std::string_view method, std::string_view raw_path,
                                  std::string_view unsigned_query, const std::optional<std::string>& content_type) {
  std::string material;
  for (std::string_view part : {secret, method, raw_path, unsigned_query}) {
    material += part;
    material += '\n';
  }
  material += content_type ? "content-type:" + *content_type : std::string("-");
  return fnv_hex(material, 4);
}

struct PresignInput {
  std::string_view secret;
  std::string_view upload_base;  // scheme://authority[/prefix], no trailing '/'
  std::string_view key_path;     // already percent-encoded, starting with '/'
  UnixSeconds signed_at = 0;
  std::int64_t expires_seconds = 900;
  std::optional<std::string> content_type;  // signed when set
};

inline std::string fake_presign(const PresignInput& in) {
  std::string date = format_amz_date(in.signed_at);
  std::string scope =
      std::string(kFakeAccessKey) + "/" + date.substr(0, 8) + "/" + std::string(kFakeRegion) + "/s3/aws4_request";
  std::string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256";
  query += "&X-Amz-Credential=" + percent_encode_segment(scope);
  query += "&X-Amz-Date=" + date;
  query += "&X-Amz-Expires=" + std::to_string(in.expires_seconds);
  query += in.content_type ? "&X-Amz-SignedHeaders=content-type%3Bhost" : "&X-Amz-SignedHeaders=host";
  // The path as the upload host will see it (base path + key).
  std::string full_path;
  if (auto base = parse_url(in.upload_base); base && base->path != "/") full_path = base->path;
  full_path += in.key_path;
  std::string sig = fake_signature(in.secret, "PUT", full_path, query, in.content_type);
  std::string url(in.upload_base);
  url += in.key_path;
  url += "?" + query + "&" + std::string(kSignatureParam) + "=" + sig;
  return url;
}

// The signed parameters of a presigned URL whose query has the expected
// shape; a missing, repeated or unreadable parameter gives nullopt. Whether
// the signature matches is a separate check (verify_fake_signature).
struct PresignedParams {
  UnixSeconds signed_at = 0;
  std::int64_t expires_seconds = 0;
  std::vector<std::string> signed_headers;  // lower case
  std::string signature;
  std::string unsigned_query;  // the raw query without the signature parameter

  bool signs(std::string_view header) const {
    for (const auto& h : signed_headers)
      if (iequals(h, header)) return true;
    return false;
  }
};

inline std::optional<PresignedParams> read_presigned_params(std::string_view raw_query) {
  PresignedParams p;
  int signatures = 0;
  std::string_view q = raw_query;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (part.substr(0, kSignatureParam.size() + 1) == std::string(kSignatureParam) + "=") {
      ++signatures;
      p.signature = std::string(part.substr(kSignatureParam.size() + 1));
      continue;
    }
    if (!p.unsigned_query.empty()) p.unsigned_query += '&';
    p.unsigned_query += part;
  }
  if (signatures != 1 || p.signature.empty()) return std::nullopt;

  std::optional<std::string> algorithm, credential, date, expires, headers;
  for (auto& param : parse_query(p.unsigned_query)) {
    std::optional<std::string>* slot = param.name == "X-Amz-Algorithm"       ? &algorithm
                                       : param.name == "X-Amz-Credential"    ? &credential
                                       : param.name == "X-Amz-Date"          ? &date
                                       : param.name == "X-Amz-Expires"       ? &expires
                                       : param.name == "X-Amz-SignedHeaders" ? &headers
                                                                             : nullptr;
    if (slot == nullptr) continue;
    if (*slot) return std::nullopt;  // repeated
    *slot = std::move(param.value);
  }
  if (!algorithm || *algorithm != "AWS4-HMAC-SHA256" || !credential || !date || !expires || !headers)
    return std::nullopt;
  auto signed_at = parse_amz_date(*date);
  if (!signed_at) return std::nullopt;
  p.signed_at = *signed_at;
  if (expires->empty() || expires->size() > 6) return std::nullopt;
  std::int64_t e = 0;
  for (char c : *expires) {
    if (c < '0' || c > '9') return std::nullopt;
    e = e * 10 + (c - '0');
  }
  if (e > 604800) return std::nullopt;  // 0 is the fake's own "expires this second"
  p.expires_seconds = e;
  std::string_view h = *headers;
  while (!h.empty()) {
    auto semi = h.find(';');
    p.signed_headers.push_back(ascii_lower(h.substr(0, semi)));
    h = semi == std::string_view::npos ? std::string_view{} : h.substr(semi + 1);
  }
  if (!p.signs("host")) return std::nullopt;
  return p;
}

}  // namespace upstate::testing

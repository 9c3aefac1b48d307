#pragma once
// What an answer means for the step it answers (ARCHITECTURE.md,
// "Policies"): go on, retry the same request, go back to step 1 for a new
// URL, or stop with a typed error. Kept as tables so tests can walk them.
#include <string_view>

#include "../vocabulary/error.hpp"
#include "../wire/s3_error.hpp"

namespace upstate {

enum class Verdict {
  success,    // 2xx: parse the body and go on
  retry,      // transient: same request again after a backoff
  renew_url,  // the presigned URL is dead: step 1 again
  final,      // stop with `code`
};

struct Classification {
  Verdict verdict = Verdict::final;
  // Meaningful when verdict == final (retry: the code if the budget runs
  // out; success: `internal`, never read — never the caller's `usage`).
  ErrorCode code = ErrorCode::unexpected_status;
};

struct StatusRule {
  int status;
  Classification meaning;
};

// API answers (steps 1 and 3). Statuses not listed fall back by class in
// `classify_api_status`.
inline constexpr StatusRule kApiStatusRules[] = {
    {400, {Verdict::final, ErrorCode::bad_request}},
    {401, {Verdict::final, ErrorCode::unauthorized}},
    {403, {Verdict::final, ErrorCode::forbidden}},
    {404, {Verdict::final, ErrorCode::not_found}},
    {408, {Verdict::retry, ErrorCode::retries_exhausted}},
    {422, {Verdict::final, ErrorCode::unprocessable}},
    {425, {Verdict::retry, ErrorCode::retries_exhausted}},
    {429, {Verdict::retry, ErrorCode::retries_exhausted}},
    {501, {Verdict::final, ErrorCode::api_error}},
    {505, {Verdict::final, ErrorCode::api_error}},
};

constexpr Classification classify_api_status(int status) noexcept {
  for (const auto& rule : kApiStatusRules)
    if (rule.status == status) return rule.meaning;
  if (status >= 200 && status <= 299) return {Verdict::success, ErrorCode::internal};
  if (status >= 500 && status <= 599) return {Verdict::retry, ErrorCode::retries_exhausted};
  if (status >= 400 && status <= 499) return {Verdict::final, ErrorCode::api_error};
  // 1xx reaching us, 3xx (never followed: a redirect must not carry the
  // token elsewhere), or a number outside HTTP's range.
  return {Verdict::final, ErrorCode::unexpected_status};
}

// S3 answers to the PUT: the XML `Code` decides before the status does
// (docs/service.md's table: RequestTimeout is a retryable 400, ExpiredToken a 400
// that wants a new URL).
struct S3CodeRule {
  std::string_view code;
  Classification meaning;
};

inline constexpr S3CodeRule kS3CodeRules[] = {
    {"RequestTimeout", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"IncompleteBody", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"SlowDown", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"InternalError", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"ServiceUnavailable", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"ExpiredToken", {Verdict::renew_url, ErrorCode::upload_url_expired}},
    {"TokenRefreshRequired", {Verdict::renew_url, ErrorCode::upload_url_expired}},
    {"SignatureDoesNotMatch", {Verdict::final, ErrorCode::signature_mismatch}},
    {"EntityTooLarge", {Verdict::final, ErrorCode::file_too_large}},
    {"MissingContentLength", {Verdict::final, ErrorCode::upload_rejected}},
    {"NotImplemented", {Verdict::final, ErrorCode::upload_rejected}},
    {"BadDigest", {Verdict::final, ErrorCode::upload_rejected}},
    {"InvalidDigest", {Verdict::final, ErrorCode::upload_rejected}},
};

inline bool mentions_expiry(std::string_view message) noexcept {
  // "Request has expired" (the URL) as S3 words it; "expired" alone is enough.
  return message.find("xpired") != std::string_view::npos;
}

// `xml` is the parsed error body when there was one; `url_known_expired`
// says whether the URL's own expiry (X-Amz-Date + X-Amz-Expires) has passed,
// which explains a bare 403 without a body.
inline Classification classify_upload_answer(int status, const S3Error* xml, bool url_known_expired) noexcept {
  if (status >= 200 && status <= 299) return {Verdict::success, ErrorCode::internal};
  if (xml) {
    for (const auto& rule : kS3CodeRules)
      if (rule.code == xml->code) return rule.meaning;
    if (xml->code == "AccessDenied" && (mentions_expiry(xml->message) || url_known_expired))
      return {Verdict::renew_url, ErrorCode::upload_url_expired};
  } else if (status == 403 && url_known_expired) {
    return {Verdict::renew_url, ErrorCode::upload_url_expired};
  }
  if (status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505))
    return {Verdict::retry, ErrorCode::retries_exhausted};
  if (status >= 400 && status <= 499) return {Verdict::final, ErrorCode::upload_rejected};
  if (status == 501 || status == 505) return {Verdict::final, ErrorCode::upload_rejected};
  return {Verdict::final, ErrorCode::unexpected_status};
}

}  // namespace upstate

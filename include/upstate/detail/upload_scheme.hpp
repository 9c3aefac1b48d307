#pragma once
// Which scheme the file may travel by. The service's upload URL is https;
// an http:// one handed out by an https API (a misconfigured or hostile
// service, or a proxy rewriting answers) would send the file in clear text,
// so it is refused (ErrorCode::insecure_upload_url) — unless the API itself
// is plain http (a loopback test setup, or allow_insecure_api), where
// nothing is protected anyway.
#include <optional>

#include "../vocabulary/config.hpp"
#include "../vocabulary/error.hpp"
#include "url.hpp"

namespace upstate {

inline bool upload_scheme_allowed(const Url& upload, const UploadConfig& config) {
  if (upload.is_https()) return true;
  auto api = parse_url(config.api_base);
  if (!api || api->is_https()) return false;
  return is_loopback_host(api->host) || config.allow_insecure_api;
}

// The refusal, or nothing. `status`: the step-1 answer's HTTP status.
inline std::optional<Error> check_upload_scheme(const Url& upload, const UploadConfig& config, int status) {
  if (upload_scheme_allowed(upload, config)) return std::nullopt;
  return Error::of(ErrorCode::insecure_upload_url,
                   "the upload URL is plain http while the API is https: the file would travel in clear text "
                   "(plain http uploads are accepted only when the API base itself is plain http on loopback)")
      .at("$.upload_url")
      .with_status(status);
}

}  // namespace upstate

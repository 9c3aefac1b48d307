#pragma once
// When a presigned upload URL dies, in wall-clock seconds. Step 1's
// `expires_at` is the service saying so (docs/service.md, Step 1) and wins
// when it parses; otherwise the URL's own X-Amz-Date + X-Amz-Expires (or
// SigV2 Expires). The two differ when the service's signing credentials die
// before X-Amz-Expires runs out, which only the service knows. An
// expires_at no later than the URL's own signing time (a URL dead before it
// was made: X-Amz-Expires=0) is not used; S3 then decides.
#include <optional>
#include <string>

#include "http_date.hpp"
#include "presigned_url.hpp"
#include "../vocabulary/time.hpp"

namespace upstate {

inline std::optional<UnixSeconds> url_wall_expiry(const std::optional<std::string>& expires_at,
                                                  const PresignedUrlInfo& info) noexcept {
  if (expires_at)
    if (auto stated = parse_iso8601(*expires_at); stated && (!info.signed_at || *stated > *info.signed_at))
      return stated;
  return info.expires_at;
}

}  // namespace upstate

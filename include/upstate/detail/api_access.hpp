#pragma once
// What every API request needs (step 1, step 3, the dataset and its
// status): the headers — the token goes to the API host only, and only
// through here — and the refusals made before the first one is sent.
#include <optional>
#include <string>

#include "../vocabulary/config.hpp"
#include "../vocabulary/error.hpp"
#include "../vocabulary/http.hpp"
#include "url.hpp"

namespace upstate {

// The dataset every API request of a run is about, as a URL
// ({api_base}/datasets/{id}, the id one percent-encoded segment).
inline std::string dataset_url(const UploadConfig& config) {
  return config.api_base + "/datasets/" + percent_encode_segment(config.dataset_id);
}

// The dataset id goes into every API path: refused before any request when
// it could change the path.
inline std::optional<Error> check_dataset_id(const UploadConfig& config) {
  if (!is_safe_segment(config.dataset_id))
    return Error::invalid_argument("dataset id must be non-empty, not '.' or '..', and hold no NUL byte");
  return std::nullopt;
}

inline Headers api_headers_for(const UploadConfig& config) {
  return {{"Authorization", "Token " + config.token},
          {"Accept", "application/json"},
          {"User-Agent", config.user_agent}};
}

// The token, the user agent and the API base: usable, and the token never
// sent in clear text off loopback (unless allow_insecure_api).
inline std::optional<Error> check_api_access(const UploadConfig& config) {
  auto invalid = [](std::string message) { return Error::invalid_argument(std::move(message)); };
  if (config.token.empty() || !is_safe_header_value(config.token))
    return invalid("the API token is empty or holds a line break");
  if (!is_safe_header_value(config.user_agent)) return invalid("the user agent holds a line break");
  auto base = parse_url(config.api_base);
  if (!base || !base->query.empty()) return invalid("the API base is not an absolute http(s) URL without a query");
  if (!base->is_https() && !is_loopback_host(base->host) && !config.allow_insecure_api)
    return invalid("refusing to send the API token over plain http to a non-loopback host");
  return std::nullopt;
}

}  // namespace upstate

#pragma once
// The headers every API request carries (step 1, step 3, the dataset and
// its status): the token goes to the API host only, and only through here.
#include "config.hpp"
#include "http.hpp"

namespace upstate {

inline Headers api_headers_for(const UploadConfig& config) {
  return {{"Authorization", "Token " + config.token},
          {"Accept", "application/json"},
          {"User-Agent", config.user_agent}};
}

}  // namespace upstate

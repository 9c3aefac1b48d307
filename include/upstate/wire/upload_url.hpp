#pragma once
// Step 1's answer: GET /datasets/{id}/upload-url/{filename} -> 201 Created
// (docs/service.md, Step 1; any 2xx is taken).
#include <optional>
#include <string>
#include <string_view>

#include "../detail/linkage.hpp"
#include "../vocabulary/result.hpp"
#include "limits.hpp"

namespace upstate {

struct UploadUrlAnswer {
  std::string upload_url;                   // required, non-empty string
  std::string http_method = "PUT";          // absent -> "PUT"; kept verbatim otherwise
  std::optional<std::string> import_id;     // absent -> V3 (legacy) dataset
  std::optional<std::string> content_type;  // absent -> derived from the file extension
  std::optional<std::string> dataset_id;    // optional echo
  std::optional<std::string> expires_at;    // ISO-8601; preferred to X-Amz-Date + X-Amz-Expires (url_expiry.hpp)
  std::optional<std::string> file_key;      // the S3 key; informational
};

// Typed value, or Error{malformed_answer, path = "$.upload_url" ...}.
// Unknown fields are ignored; a known field of the wrong type is an error;
// `null` counts as absent for the optional fields.
UPSTATE_DECL Result<UploadUrlAnswer> parse_upload_url_answer(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/wire_upload_url.ipp>
#endif

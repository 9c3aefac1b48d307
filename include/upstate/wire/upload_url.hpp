#pragma once
// Step 1's answer: GET /datasets/{id}/upload-url/{filename} -> 201 Created
// (docs/service.md, Step 1; any 2xx is taken).
#include <optional>
#include <string>
#include <string_view>

#include "../vocabulary/result.hpp"
#include "json.hpp"
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
inline Result<UploadUrlAnswer> parse_upload_url_answer(std::string_view body, const ParseLimits& limits = {}) {
  rapidjson::Document doc;
  if (auto error = detail::parse_json_object(body, limits, doc)) return std::move(*error);
  detail::ObjectReader fields(doc, "$");
  UploadUrlAnswer answer;
  answer.upload_url = fields.required_string("upload_url");
  if (!fields.failed() && answer.upload_url.empty())
    fields.fail(detail::malformed("$.upload_url", "expected non-empty string, got empty string"));
  if (auto method = fields.optional_string("http_method")) answer.http_method = std::move(*method);
  answer.import_id = fields.optional_string("import_id");
  answer.content_type = fields.optional_string("content_type");
  answer.dataset_id = fields.optional_string("dataset_id");
  answer.expires_at = fields.optional_string("expires_at");
  answer.file_key = fields.optional_string("file_key");
  if (fields.failed()) return fields.take_error();
  return answer;
}

}  // namespace upstate

#pragma once
// The bodies of <upstate/wire/upload_url.hpp> (see detail/linkage.hpp).
#include <string>
#include <string_view>
#include <utility>

#include <upstate/wire/json.hpp>
#include <upstate/wire/upload_url.hpp>

namespace upstate {

// Typed value, or Error{malformed_answer, path = "$.upload_url" ...}.
// Unknown fields are ignored; a known field of the wrong type is an error;
// `null` counts as absent for the optional fields.
UPSTATE_DECL Result<UploadUrlAnswer> parse_upload_url_answer(std::string_view body, const ParseLimits& limits) {
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(body, limits)) return std::move(*error);
  const rapidjson::Document& doc = json_body.doc();
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

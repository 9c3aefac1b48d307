#pragma once
// Builders for the answers the machine's unit tests feed it by hand. Kept
// tiny and literal so each test shows the wire text it depends on.
#include <string>

#include <upstate/vocabulary/http.hpp>
#include <upstate/vocabulary/time.hpp>

namespace test {

inline const std::string kApi = "https://api.example.test/api/v1/data-collection";
inline const std::string kToken = "secret-token-42";
inline const std::string kImport = "01935c2d-1a2b-3c4d-5e6f-7a8b9c0d1e2f";
inline const std::string kUploadUrl =
    "https://s3.example.test/raw-datasets/ds1/01935c2d/reviews.jsonl?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Date=20261128T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Signature=abc";
// The Date that matches the URL's X-Amz-Date: 900 s left when it arrives.
inline const std::string kDate = "Sat, 28 Nov 2026 12:00:00 GMT";

inline upstate::Response answer(int status, std::string body = {}, upstate::Headers headers = {}) {
  return upstate::Response{status, std::move(headers), std::move(body)};
}

inline upstate::Response url_answer(const std::string& import_id = kImport, const std::string& url = kUploadUrl,
                                    const std::string& extra = {}) {
  return answer(200,
                R"({"upload_url":")" + url + R"(","http_method":"PUT","import_id":")" + import_id +
                    R"(","content_type":"application/x-ndjson")" + extra + "}",
                {{"Date", kDate}, {"Content-Type", "application/json"}});
}

inline upstate::Response import_answer(const std::string& status, const std::string& extra = {},
                                       const std::string& import_id = kImport) {
  return answer(200, R"({"dataset_id":"ds1","import_id":")" + import_id + R"(","type":"file_upload","status":")" +
                         status + R"(")" + extra + "}");
}

inline upstate::Response s3_error(int status, const std::string& code, const std::string& message) {
  return answer(status,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message +
                    "</Message><RequestId>R1</RequestId></Error>",
                {{"Content-Type", "application/xml"}});
}

inline upstate::Response api_error(int status, const std::string& detail = "nope") {
  return answer(status, R"({"error":{"status":)" + std::to_string(status) + R"(,"error_code":140100,"detail":")" +
                            detail + R"("}})");
}

inline upstate::Instant at(double seconds) {
  return upstate::Instant{} + std::chrono::duration_cast<upstate::Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace test

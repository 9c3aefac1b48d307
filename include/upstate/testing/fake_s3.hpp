#pragma once
// S3's XML error document, as S3 writes it:
// <?xml version="1.0" encoding="UTF-8"?>
// <Error><Code>..</Code><Message>..</Message>..extra..<RequestId>..</RequestId><HostId>..</HostId></Error>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake_bytes.hpp"

namespace upstate::testing {

using XmlFields = std::vector<std::pair<std::string, std::string>>;

// `extra` children (name, text) go between <Message> and <RequestId>; names
// are ours, texts may come from the request and are escaped and bounded.
inline std::string s3_error_xml(std::string_view code, std::string_view message, const XmlFields& extra = {},
                                std::string_view request_id = "FAKE0000000000000000") {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>";
  x += xml_escape(code);
  x += "</Code><Message>";
  x += xml_escape(message);
  x += "</Message>";
  for (const auto& [name, text] : extra) {
    x += "<" + name + ">";
    x += xml_escape(text, 4096);
    x += "</" + name + ">";
  }
  x += "<RequestId>";
  x += xml_escape(request_id);
  x += "</RequestId><HostId>ZmFrZS1zMy1ob3N0LWlk</HostId></Error>";
  return x;
}

// S3's default texts for the codes the fake and its faults use.
inline std::string_view s3_default_message(std::string_view code) noexcept {
  if (code == "SlowDown") return "Please reduce your request rate.";
  if (code == "InternalError") return "We encountered an internal error. Please try again.";
  if (code == "ServiceUnavailable") return "Service is unable to handle request.";
  if (code == "RequestTimeout")
    return "Your socket connection to the server was not read from or written to within the timeout period. "
           "Idle connections will be closed.";
  if (code == "ExpiredToken") return "The provided token has expired.";
  if (code == "IncompleteBody")
    return "You did not provide the number of bytes specified by the Content-Length HTTP header";
  if (code == "MissingContentLength") return "You must provide the Content-Length HTTP header.";
  if (code == "EntityTooLarge") return "Your proposed upload exceeds the maximum allowed size";
  return "We encountered an error.";
}

// The code S3 would send with a bare status (for faults given only one).
inline std::string_view s3_code_for_status(int status) noexcept {
  switch (status) {
    case 400: return "BadRequest";
    case 403: return "AccessDenied";
    case 500: return "InternalError";
    case 503: return "SlowDown";
    default: return "ServiceUnavailable";
  }
}

}  // namespace upstate::testing

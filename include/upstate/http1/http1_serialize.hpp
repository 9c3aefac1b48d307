#pragma once
// Writing HTTP/1.1 heads (declared in http1.hpp). Everything a caller hands
// us is checked before a byte exists, so a bad value can never split a
// request; error messages name headers, never their values (a value may be
// a secret such as the API token).
#include <cstdint>
#include <string>
#include <string_view>

#include "http1.hpp"
#include "http1_token.hpp"

namespace upstate::http1 {
namespace detail {

// What may go on the request line as the target or into Host: no space (it
// would end the field) and no control byte. parse_url already guarantees
// this; a hand-built Url might not.
inline bool is_line_safe(std::string_view s) noexcept {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

// Request headers the serializer writes itself from the URL and options; a
// second copy from the caller would make the message ambiguous (smuggling).
inline bool is_owned_request_header(std::string_view name) noexcept {
  return iequals(name, "Host") || iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection") || iequals(name, "Expect");
}

// Response headers serialize_response derives from the body and keep_alive.
inline bool is_owned_response_header(std::string_view name) noexcept {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection");
}

// RFC 9110 15: 1xx, 204 and 304 answers never carry content, so they get
// neither a body nor a Content-Length.
constexpr bool status_has_no_body(int status) noexcept {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

// The statuses the fake server and tests use; the phrase is informational
// only (RFC 9112 4: clients ignore it).
constexpr std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

inline Error invalid(std::string message) {
  return Error::invalid_argument(std::move(message));
}

inline void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace detail

inline Result<std::string> serialize_request_head(const Request& request, const Url& url, const HeadOptions& options) {
  if (!detail::is_token(request.method)) return detail::invalid("request method is not an RFC 9110 token");
  // The target is sent verbatim (a presigned URL is signed byte for byte),
  // so it is checked, never repaired; the message does not quote it because
  // its query may hold a signature.
  if (url.target.empty() || !detail::is_line_safe(url.target))
    return detail::invalid("request target is empty or holds a space or control character");
  const std::string host = url.authority();
  if (url.host.empty() || !detail::is_line_safe(host))
    return detail::invalid("URL host is empty or holds a space or control character");
  for (std::size_t i = 0; i < request.headers.size(); ++i) {
    const Header& h = request.headers[i];
    // An invalid name is not quoted either: it might be a whole
    // "Authorization: Bearer ..." line pasted into the name.
    if (!detail::is_token(h.name))
      return detail::invalid("request header #" + std::to_string(i + 1) + "'s name is not an RFC 9110 token");
    if (detail::is_owned_request_header(h.name))
      return detail::invalid("request header '" + h.name + "' is set by the serializer, not the caller");
    if (!is_safe_header_value(h.value))
      return detail::invalid("request header '" + h.name + "' has a value holding CR, LF or NUL");
  }
  // RFC 9110 10.1.1: no 100-continue expectation on a request without content.
  if (options.expect_continue && !options.content_length)
    return detail::invalid("Expect: 100-continue needs a Content-Length");

  std::string out;
  out.reserve(64 + request.method.size() + url.target.size() + host.size() + 64 * request.headers.size());
  out.append(request.method).append(" ").append(url.target).append(" HTTP/1.1\r\n");
  detail::append_field(out, "Host", host);
  for (const Header& h : request.headers) detail::append_field(out, h.name, h.value);
  if (options.content_length) detail::append_field(out, "Content-Length", std::to_string(*options.content_length));
  if (options.expect_continue) detail::append_field(out, "Expect", "100-continue");
  if (!options.keep_alive) detail::append_field(out, "Connection", "close");
  out.append("\r\n");
  return out;
}

// This signature cannot refuse, so it repairs instead: a status outside
// 100..999 becomes 500, a header whose name is not a token is dropped, and
// CR, LF and NUL are removed from values. The caller is our own fake server
// answering from its own data; a malformed head must still never result.
inline std::string serialize_response(const Response& response, bool keep_alive) {
  const int status = response.status >= 100 && response.status <= 999 ? response.status : 500;
  const bool no_body = detail::status_has_no_body(status);
  std::string out;
  out.reserve(128 + response.body.size());
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  out.append(detail::reason_phrase(status)).append("\r\n");
  for (const Header& h : response.headers) {
    if (!detail::is_token(h.name) || detail::is_owned_response_header(h.name)) continue;
    out.append(h.name).append(": ");
    for (char c : h.value)
      if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
    out.append("\r\n");
  }
  if (!no_body) detail::append_field(out, "Content-Length", std::to_string(response.body.size()));
  if (!keep_alive) detail::append_field(out, "Connection", "close");
  out.append("\r\n");
  if (!no_body) out.append(response.body);
  return out;
}

inline std::string_view continue_line() noexcept { return "HTTP/1.1 100 Continue\r\n\r\n"; }

}  // namespace upstate::http1

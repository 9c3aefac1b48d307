#pragma once
// HTTP/1.1 as bytes in, bytes out (no sockets): a request/response head
// serializer and llhttp-based parsers with size caps. Used by the Asio
// client and by upstate-fake-server; testable byte by byte.
//
// Needs llhttp (target llhttp::llhttp, built from Debian's node-llhttp C
// sources by cmake/Findllhttp.cmake).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "../vocabulary/http.hpp"
#include "../vocabulary/result.hpp"
#include "../detail/url.hpp"

namespace upstate::http1 {

struct Limits {
  // Status/request line + all header fields: every byte of the head up to
  // and including the blank line. 1xx heads before the final answer count
  // toward it too, and so do the names and values of chunked trailers.
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 16u << 20;    // API answers; S3 error bodies use 64 KiB
};

struct HeadOptions {
  std::optional<std::uint64_t> content_length;  // sent as Content-Length (the PUT; never chunked)
  bool expect_continue = false;                 // "Expect: 100-continue"
  bool keep_alive = true;                       // false: "Connection: close"
};

// "METHOD target HTTP/1.1\r\nHost: authority\r\n<headers>\r\n\r\n". Refuses
// with Error{invalid_argument} — before anything is sent — a method or
// header name that is not an RFC 9110 token, a header value holding CR, LF
// or NUL, and request headers the serializer owns (Host, Content-Length,
// Transfer-Encoding, Connection, Expect). Also refused: a target or host
// holding a space or control byte (a hand-built Url) and expect_continue
// without content_length (RFC 9110 10.1.1). Messages name the header, never
// its value. Owned fields follow the caller's headers in this order:
// Content-Length, Expect, Connection.
Result<std::string> serialize_request_head(const Request& request, const Url& url, const HeadOptions& options);

// Server side: status line, the response's headers, Content-Length of the
// body (and Date / Connection as given), then the body. It cannot refuse, so
// it repairs: given Content-Length / Connection / Transfer-Encoding headers
// are dropped (it writes its own), as are names that are not tokens; CR, LF
// and NUL are removed from values; a status outside 100..999 becomes 500;
// 1xx/204/304 get neither Content-Length nor body.
std::string serialize_response(const Response& response, bool keep_alive);
// "HTTP/1.1 100 Continue\r\n\r\n"
std::string_view continue_line() noexcept;

enum class ParseState {
  head,      // waiting for (more of) the head
  body,      // head complete, body in progress
  complete,  // one whole message; `feed` consumes nothing more until reset()
  failed,    // sticky until reset(); see error()
};

// One HTTP/1.1 answer at a time (Content-Length, chunked, close-delimited;
// 1xx interim answers such as 100 Continue are noted and skipped).
class ResponseParser {
 public:
  explicit ResponseParser(Limits limits = {});
  ~ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;
  ResponseParser(ResponseParser&&) noexcept;
  ResponseParser& operator=(ResponseParser&&) noexcept;

  // Ready for the next answer on the connection. `head_request`: the answer
  // to a HEAD request, which has no body whatever its headers say.
  void reset(bool head_request = false);
  // Consumes up to `size` bytes and returns how many it took; it stops at
  // the end of a message (the rest is the next message's). Bytes may be
  // split anywhere, down to one at a time. A call that fails takes all its
  // bytes (none after an error are usable).
  std::size_t feed(const char* data, std::size_t size);
  // The peer closed: ends a close-delimited body (complete), else failed.
  void finish();

  ParseState state() const noexcept;
  bool head_complete() const noexcept;     // the final (non-1xx) answer's head is in: status() is valid
  bool saw_continue() const noexcept;      // a "100 Continue" arrived since reset()
  int status() const noexcept;
  const Response& response() const noexcept;
  Response take_response();
  bool keep_alive() const noexcept;        // the connection may carry another request after this answer
  // When failed: kind protocol (malformed, header over cap, body over cap)
  // or closed (EOF before a whole answer), with a message; response() is
  // then empty, so a partial answer is never mistaken for one. Trailer
  // fields of a chunked body are dropped, never merged into the headers.
  const TransportError& error() const noexcept;
  // When failed because the body went over max_body_bytes: the answer's
  // status and headers, with an empty body (nullopt otherwise). The failure
  // stays a failure; this lets a caller still classify by status.
  const std::optional<Response>& oversized_answer() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ParsedRequest {
  std::string method;
  std::string target;  // as sent: path + "?" + query
  Headers headers;
  std::string body;
  bool expect_continue = false;
  bool keep_alive = true;
};

// The server side's parser (upstate-fake-server): same rules and caps.
class RequestParser {
 public:
  explicit RequestParser(Limits limits = {});
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;
  RequestParser(RequestParser&&) noexcept;
  RequestParser& operator=(RequestParser&&) noexcept;

  void reset();
  std::size_t feed(const char* data, std::size_t size);
  void finish();

  ParseState state() const noexcept;
  bool head_complete() const noexcept;  // method, target and headers are in (time to send 100 Continue)
  const ParsedRequest& request() const noexcept;
  ParsedRequest take_request();
  const TransportError& error() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace upstate::http1

// The implementation, header-only (bytes in, bytes out; needs only llhttp).
#include "http1_serialize.hpp"
#include "http1_parser.hpp"

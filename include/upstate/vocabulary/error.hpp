#pragma once
// Typed client-side errors. Each code says whose fault it is and what to do;
// `message` is for people and never contains the API token (the machine
// builds messages only from the server's answer and its own text).
#include <string>
#include <string_view>
#include <utility>

#include "../detail/terminal_text.hpp"

namespace upstate {

enum class ErrorCode {
  // The caller's configuration or input (fix it, then run again).
  invalid_argument,        // empty/unsafe dataset id or file name, bad base URL, ...
  file_too_large,          // over S3's 5 GiB single-PUT limit; refused before any request
  unauthorized,            // API 401: the token is missing or wrong
  forbidden,               // API 403: the token may not touch this dataset
  not_found,               // API 404: no such dataset / import (or not visible)
  bad_request,             // API 400 (e.g. a file type the dataset does not take)
  unprocessable,           // API 422: validation refused the request
  api_error,               // any other final API 4xx (405, 409, ...)
  legacy_dataset,          // a V3 dataset (no import_id) and a file it cannot take (only .csv / .zip)
  unsupported_upload_method,  // http_method other than PUT
  unsigned_header_required,   // the presigned URL signs a header we cannot send exactly
  // The upload host refused the bytes.
  upload_rejected,         // S3 final 4xx (AccessDenied, EntityTooLarge, ...)
  signature_mismatch,      // S3 SignatureDoesNotMatch: a signed header differs
  upload_url_expired,      // URL expired and the renewal budget is spent
  // The peer broke the protocol.
  malformed_answer,        // not JSON, wrong type, missing field, too large; see `path`
  unknown_status,          // a status string this client does not know
  unexpected_status,       // an HTTP status that makes no sense for the step (1xx, 3xx)
  // Transient trouble that outlasted the retry budget.
  retries_exhausted,       // last cause in `message` / `http_status`
  tls,                     // certificate or host-name verification failed: never retried
  // The run itself.
  deadline_exceeded,
  cancelled,
  import_stuck,            // still `uninitialised` long after a successful PUT
  usage,                   // the caller fed an event the current state cannot take (never a default or filler)
  invalid_snapshot,        // Upload::restore: not a snapshot we wrote, or one for another dataset / API
  preflight_failed,        // a strict pre-flight check (records/preflight.hpp) found records the service would reject
  insecure_upload_url,     // an http:// upload URL while the API is https: the file would travel in clear text
  file_changed,            // the local file shrank or became unreadable while it was sent: never retried
  // Our own bug.
  internal,                // a move the machine's table lacks: please report it; never the caller's fault
};

constexpr std::string_view to_string(ErrorCode c) noexcept {
  switch (c) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::file_too_large: return "file_too_large";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::unprocessable: return "unprocessable";
    case ErrorCode::api_error: return "api_error";
    case ErrorCode::legacy_dataset: return "legacy_dataset";
    case ErrorCode::unsupported_upload_method: return "unsupported_upload_method";
    case ErrorCode::unsigned_header_required: return "unsigned_header_required";
    case ErrorCode::upload_rejected: return "upload_rejected";
    case ErrorCode::signature_mismatch: return "signature_mismatch";
    case ErrorCode::upload_url_expired: return "upload_url_expired";
    case ErrorCode::malformed_answer: return "malformed_answer";
    case ErrorCode::unknown_status: return "unknown_status";
    case ErrorCode::unexpected_status: return "unexpected_status";
    case ErrorCode::retries_exhausted: return "retries_exhausted";
    case ErrorCode::tls: return "tls";
    case ErrorCode::deadline_exceeded: return "deadline_exceeded";
    case ErrorCode::cancelled: return "cancelled";
    case ErrorCode::import_stuck: return "import_stuck";
    case ErrorCode::usage: return "usage";
    case ErrorCode::invalid_snapshot: return "invalid_snapshot";
    case ErrorCode::preflight_failed: return "preflight_failed";
    case ErrorCode::insecure_upload_url: return "insecure_upload_url";
    case ErrorCode::file_changed: return "file_changed";
    case ErrorCode::internal: return "internal";
  }
  return "?";
}

// Build one with a named constructor, which says whose fault it is, and
// the `at` / `with_status` / `with_server_code` setters for the rest:
//   Error::invalid_argument("file name must be ...")
//   Error::malformed("$.import_id", "import_id is not a usable path segment").with_status(200)
//   Error::answer(ErrorCode::not_found, 404, "poll request answered HTTP 404")
//
// Error is deliberately not an aggregate (it has a user-provided default
// constructor): a positional Error{code, status, "...", path, ""}, whose
// fields a reader cannot tell apart, does not compile. Error{} and setting
// the public fields one by one still work.
struct Error {
  Error() noexcept {}  // user-provided (not `= default`, which would keep it an aggregate in C++17)

  ErrorCode code = ErrorCode::internal;  // a default-constructed Error that escapes is our bug
  int http_status = 0;       // the answer's status when one caused this, else 0
  std::string message;       // human-readable; never holds the token
  std::string path;          // JSON path of the offending field ("$.errors[2].record_index"), if any
  std::string server_code;   // S3 `<Code>` or the API's `error_code`, when the server gave one

  // Any code, with its message (the setters add the rest).
  static Error of(ErrorCode code, std::string message) {
    Error e;
    e.code = code;
    e.message = std::move(message);
    return e;
  }
  // The caller's input or configuration, refused before any request.
  static Error invalid_argument(std::string message) { return of(ErrorCode::invalid_argument, std::move(message)); }
  // The caller fed an event the machine's current state cannot take.
  static Error usage(std::string message) { return of(ErrorCode::usage, std::move(message)); }
  // Our bug: a move the machine's table lacks.
  static Error internal(std::string message) { return of(ErrorCode::internal, std::move(message)); }
  // The server's final answer (`code` from classify.hpp's tables).
  static Error answer(ErrorCode code, int http_status, std::string message, std::string server_code = {}) {
    return of(code, std::move(message)).with_status(http_status).with_server_code(std::move(server_code));
  }
  // The peer broke the protocol: `path` is the JSON path of the offending field ("" for the whole body).
  static Error malformed(std::string path, std::string message) {
    return of(ErrorCode::malformed_answer, std::move(message)).at(std::move(path));
  }
  static Error cancelled() { return of(ErrorCode::cancelled, "cancelled by the caller"); }
  static Error deadline(std::string message) { return of(ErrorCode::deadline_exceeded, std::move(message)); }

  Error at(std::string json_path) && {
    path = std::move(json_path);
    return std::move(*this);
  }
  Error with_status(int status) && {
    http_status = status;
    return std::move(*this);
  }
  Error with_server_code(std::string code_from_server) && {
    server_code = std::move(code_from_server);
    return std::move(*this);
  }
};

// One line, safe for a terminal: the server code (S3's <Code> verbatim),
// the message and the path with every control byte and non-UTF-8 byte
// escaped (terminal_text.hpp), whoever built them.
inline std::string to_string(const Error& e) {
  std::string s{to_string(e.code)};
  if (e.http_status != 0) s += " (HTTP " + std::to_string(e.http_status) + ")";
  if (!e.server_code.empty()) s += " [" + terminal_safe(e.server_code) + "]";
  if (!e.message.empty()) s += ": " + terminal_safe(e.message);
  if (!e.path.empty()) s += " at " + terminal_safe(e.path);
  return s;
}

}  // namespace upstate

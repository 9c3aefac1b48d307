// upstate 0.1.0 -- single-header core (needs RapidJSON and the standard library)
//
// Copyright (c) 2026 the upstate authors. MIT License: see LICENSE
// (SPDX-License-Identifier: MIT); the licence text is reproduced at the
// end of this file.
//
// GENERATED FILE -- do not edit. Made by tools/amalgamate from include/upstate/upstate.hpp
// and the project headers it includes (60 files, each once, in the order
// the preprocessor reaches them). Edit include/upstate/ and rerun
// tools/amalgamate; `tools/amalgamate --check` (CTest amalgamation.fresh)
// fails when this file is stale.
//
// Header-only by default. Separate compilation (README, "Compile time"):
// -DUPSTATE_SEPARATE_COMPILATION everywhere, and in one .cpp
// `#define UPSTATE_IMPLEMENTATION` before `#include "upstate.hpp"`.
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_HPP

// ---- begin include/upstate/upstate.hpp ----
// The core of upstate: wire types, parsing, policies, the Upload machine
// (one file through the three steps) and its driver. Needs RapidJSON and the
// standard library only. Every translation unit of a user pays for this
// file, so what only some need has an umbrella of its own
// (bench/compile_time.sh measures each):
//   <upstate/batch.hpp>        many files into one dataset: Batch, drive_batch,
//                              ConcurrencyLimit, DatasetFetch
//   <upstate/records.hpp>      Preflight, RejectedRecords (the record checkers)
//   <upstate/journal.hpp>      the batch journal's format, Sha256, crc32
//   <upstate/testing.hpp>      the offline testing kit (FakeService, ...)
//   <upstate/ostream.hpp>      operator<< for the public types
//   <upstate/asio/client.hpp>  the Asio adapter
//   <upstate/http1/http1.hpp>  the HTTP/1.1 codec alone (needs llhttp, not Asio)

// ---- begin include/upstate/version.hpp ----
// upstate's version, for a program to check or print. Equal to CMake's
// project(upstate VERSION ...) (test unit "version: the header matches
// CMakeLists.txt"); bumped together with CHANGELOG.md.
#define UPSTATE_VERSION_MAJOR 0
#define UPSTATE_VERSION_MINOR 1
#define UPSTATE_VERSION_PATCH 0
#define UPSTATE_VERSION_STRING "0.1.0"
// One number that orders versions: 10000 * major + 100 * minor + patch.
#define UPSTATE_VERSION (UPSTATE_VERSION_MAJOR * 10000 + UPSTATE_VERSION_MINOR * 100 + UPSTATE_VERSION_PATCH)

namespace upstate {

struct Version {
  int major;
  int minor;
  int patch;
  const char* string;
};

inline constexpr Version kVersion{UPSTATE_VERSION_MAJOR, UPSTATE_VERSION_MINOR, UPSTATE_VERSION_PATCH,
                                  UPSTATE_VERSION_STRING};

}  // namespace upstate
// ---- end include/upstate/version.hpp ----

// Vocabulary: the values a program hands in and gets back.

// ---- begin include/upstate/vocabulary/action.hpp ----
// The machine's one answer to every event: what the caller does next.
#include <variant>

// ---- begin include/upstate/vocabulary/http.hpp ----
// HTTP as plain values. The machine emits `Request`s and consumes
// `Response`s / `TransportError`s; whoever owns the sockets moves bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// ---- begin include/upstate/detail/ascii.hpp ----
// ASCII case folding for protocol tokens (header names, schemes, file
// extensions). Locale-free on purpose: `std::tolower` depends on the C
// locale, and the wire does not.

namespace upstate {

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

constexpr bool iends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace upstate
// ---- end include/upstate/detail/ascii.hpp ----

namespace upstate {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// First header of that name (case-insensitive), as HTTP/1.1 field names are.
inline const std::string* find_header(const Headers& hs, std::string_view name) noexcept {
  for (const auto& h : hs)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

// A header value must not smuggle a new line (request splitting); the
// machine checks every value it builds from server input with this.
inline bool is_safe_header_value(std::string_view v) noexcept {
  for (char c : v)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

// Which step of the flow a request is; drivers use it to pick a connection
// pool, a body cap, and to keep the token off the upload host.
enum class Purpose {
  upload_url,  // step 1: GET .../upload-url/{filename}   (API host, token)
  upload,      // step 2: PUT the file to the presigned URL (upload host, no token)
  poll,        // step 3: GET .../imports/{import_id}     (API host, token)
  dataset,     // GET .../datasets/{dataset_id}            (API host, token)
  dataset_status,  // V3 step 3: GET .../datasets/{dataset_id}/status (API host, token)
};

// For tables indexed by Purpose (a fake's fault queues): one past the last,
// derived from the last enumerator; the check below fails to compile when a
// Purpose is added after it without moving kLastPurpose.
inline constexpr Purpose kLastPurpose = Purpose::dataset_status;
inline constexpr std::size_t kPurposeCount = static_cast<std::size_t>(kLastPurpose) + 1;

constexpr std::string_view to_string(Purpose p) noexcept {
  switch (p) {
    case Purpose::upload_url: return "upload_url";
    case Purpose::upload: return "upload";
    case Purpose::poll: return "poll";
    case Purpose::dataset: return "dataset";
    case Purpose::dataset_status: return "dataset_status";
  }
  return "?";
}

namespace detail {
// Every Purpose below kPurposeCount has a name, and the one past it has none.
constexpr bool purpose_count_is_exact() noexcept {
  for (std::size_t i = 0; i < kPurposeCount; ++i)
    if (to_string(static_cast<Purpose>(i)) == "?") return false;
  return to_string(static_cast<Purpose>(kPurposeCount)) == "?";
}
}  // namespace detail
static_assert(detail::purpose_count_is_exact(), "kPurposeCount must be one past the last Purpose");

// The PUT's body is the caller's file: the machine only knows its size and
// never holds its bytes, so memory stays independent of file size.
struct FileBody {
  std::uint64_t size = 0;
};

struct Request {
  Purpose purpose = Purpose::upload_url;
  std::string method;            // "GET", "PUT"
  std::string url;               // absolute; the presigned URL is kept byte for byte
  Headers headers;               // Host and Content-Length are the transport's job
  std::optional<FileBody> file;  // set on the PUT only
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
};

// What went wrong below HTTP. Drivers map their own errors onto these kinds;
// only `tls` and `local_file` are final, everything else is retried within the budget.
struct TransportError {
  enum class Kind {
    connect,      // refused, unreachable, DNS
    reset,        // connection reset / broken pipe mid-exchange
    timeout,      // connect, stall or idle timeout
    closed,       // peer closed before a whole answer
    protocol,     // the bytes were not HTTP/1.1 we accept (bad chunking, caps)
    tls,          // certificate / host-name verification failed
    other,
    local_file,   // the file being sent shrank or could not be read: final, a retry cannot help
  };
  Kind kind = Kind::other;
  std::string message;
};

// What one request came to: an answer, or a failure below HTTP.
using Exchange = std::variant<Response, TransportError>;

constexpr std::string_view to_string(TransportError::Kind k) noexcept {
  switch (k) {
    case TransportError::Kind::connect: return "connect";
    case TransportError::Kind::reset: return "reset";
    case TransportError::Kind::timeout: return "timeout";
    case TransportError::Kind::closed: return "closed";
    case TransportError::Kind::protocol: return "protocol";
    case TransportError::Kind::tls: return "tls";
    case TransportError::Kind::other: return "other";
    case TransportError::Kind::local_file: return "local_file";
  }
  return "?";
}

}  // namespace upstate
// ---- end include/upstate/vocabulary/http.hpp ----

// ---- begin include/upstate/vocabulary/outcome.hpp ----
// How an upload ended: the server's terminal import report, or a typed
// client-side error, plus what happened on the way.

// ---- begin include/upstate/vocabulary/error.hpp ----
// Typed client-side errors. Each code says whose fault it is and what to do;
// `message` is for people and never contains the API token (the machine
// builds messages only from the server's answer and its own text).
#include <utility>

// ---- begin include/upstate/detail/terminal_text.hpp ----
// Untrusted bytes made safe for two kinds of reader: a terminal (every
// control byte escaped, so a server string can neither retitle the window,
// clear the screen nor forge a log line) and a strict UTF-8 decoder (every
// byte that is not part of valid UTF-8 replaced, so a `--json` line always
// parses).

// ---- begin include/upstate/records/utf8_check.hpp ----
// Incremental UTF-8 validation of a file read in chunks: RFC 3629 (no
// overlong forms, no UTF-16 surrogates, nothing past U+10FFFF), the rule the
// fake service applies to a whole upload. A chunk edge may cut a sequence
// anywhere; the verdict and the offset of the first bad sequence do not
// depend on where the edges fall. ASCII runs are skipped 8 bytes at a time.
#include <cstring>

namespace upstate {
namespace detail {

// Length of the sequence a lead byte starts (1..4), 0 for a byte that
// cannot start one (a continuation byte, C0/C1, F5..FF).
constexpr std::size_t utf8_lead_length(unsigned char c) noexcept {
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 0;
}

constexpr std::size_t kUtf8CutShort = 5;

// Length of the valid UTF-8 sequence starting at s[i]; 0 when the bytes
// there are not one; kUtf8CutShort when they are a valid start of one that
// the end of `s` cuts short.
inline std::size_t utf8_sequence_check(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  const std::size_t n = utf8_lead_length(c);
  if (n <= 1) return n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c == 0xE0) lo = 0xA0;            // overlong
  if (c == 0xED) hi = 0x9F;            // UTF-16 surrogates
  if (c == 0xF0) lo = 0x90;            // overlong
  if (c == 0xF4) hi = 0x8F;            // past U+10FFFF
  for (std::size_t k = 1; k < n; ++k) {
    if (i + k >= s.size()) return kUtf8CutShort;
    if (byte(i + k) < (k == 1 ? lo : 0x80) || byte(i + k) > (k == 1 ? hi : 0xBF)) return 0;
  }
  return n;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes
// there are not one (cut short by the end of `s` included).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const std::size_t n = utf8_sequence_check(s, i);
  return n == kUtf8CutShort ? 0 : n;
}

}  // namespace detail

class Utf8Check {
 public:
  // false once the bytes so far are known not to be UTF-8; the first fault
  // is kept (sticky) and later bytes are not looked at.
  bool feed(std::string_view chunk) noexcept {
    if (error_) return false;
    const std::uint64_t base = fed_;
    fed_ += chunk.size();
    std::size_t i = 0;
    if (pending_size_ > 0) {
      // Complete the sequence the previous chunk cut.
      // (`< sizeof pending_` always holds, as pending_need_ <= 4; said so for GCC's -O3 overflow check.)
      while (pending_size_ < pending_need_ && pending_size_ < sizeof pending_ && i < chunk.size())
        pending_[pending_size_++] = chunk[i++];
      const std::size_t n = detail::utf8_sequence_check(std::string_view(pending_, pending_size_), 0);
      if (n == 0) return fail(pending_offset_, pending_[0]);
      if (n == detail::kUtf8CutShort) return true;
      pending_size_ = 0;
    }
    const char* d = chunk.data();
    const std::size_t n = chunk.size();
    while (i < n) {
      // The common case: eight ASCII bytes at once.
      while (i + 8 <= n) {
        std::uint64_t word;
        std::memcpy(&word, d + i, 8);
        if (word & 0x8080808080808080ULL) break;
        i += 8;
      }
      while (i < n && static_cast<unsigned char>(d[i]) < 0x80) ++i;
      if (i == n) break;
      const std::size_t len = detail::utf8_sequence_check(chunk, i);
      if (len == 0) return fail(base + i, d[i]);
      if (len == detail::kUtf8CutShort) {
        // A valid start cut by the chunk's end (so all its bytes are above
        // 0x7F: no line break among them): decided when the rest arrives.
        pending_offset_ = base + i;
        pending_need_ = detail::utf8_lead_length(static_cast<unsigned char>(d[i]));
        pending_size_ = 0;
        while (i < n && pending_size_ < sizeof pending_) pending_[pending_size_++] = d[i++];
        return true;
      }
      i += len;
    }
    return true;
  }

  // The end of the file: a sequence still cut short is a fault.
  bool finish() noexcept {
    if (!error_ && pending_size_ > 0) fail(pending_offset_, pending_[0]);
    pending_size_ = 0;
    return !error_;
  }

  bool ok() const noexcept { return !error_; }
  // Offset in the file of the first byte of the first bad sequence.
  std::optional<std::uint64_t> error_offset() const noexcept { return error_; }
  // That sequence's first byte (to name it in a message).
  unsigned char error_byte() const noexcept { return error_byte_; }

 private:
  bool fail(std::uint64_t offset, char byte) noexcept {
    error_ = offset;
    error_byte_ = static_cast<unsigned char>(byte);
    return false;
  }

  std::uint64_t fed_ = 0;
  std::optional<std::uint64_t> error_;
  unsigned char error_byte_ = 0;
  char pending_[4] = {};
  std::size_t pending_size_ = 0, pending_need_ = 0;
  std::uint64_t pending_offset_ = 0;
};

}  // namespace upstate
// ---- end include/upstate/records/utf8_check.hpp ----

namespace upstate {
namespace detail {

// Appends `s` with C0 controls, DEL, C1 controls (U+0080..U+009F, which
// some terminals obey) and every byte that is not part of valid UTF-8
// written as "\xNN"; valid UTF-8 text is kept. With `quote`, '"' and '\'
// get a backslash too (text shown between quotes).
inline void append_terminal_safe(std::string& out, std::string_view s, bool quote) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto escape = [&](unsigned char c) {
    out += "\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        escape(c);
      } else {
        if (quote && (c == '"' || c == '\\')) out.push_back('\\');
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(s, i);
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
    if (n == 0 || c1) {
      for (std::size_t k = 0; k < (c1 ? 2 : 1); ++k) escape(static_cast<unsigned char>(s[i + k]));
      i += c1 ? 2 : 1;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
}

}  // namespace detail

// The whole of `s`, ready for a terminal or a log: control bytes, C1
// controls and bytes that are not UTF-8 as "\xNN"; everything else (quotes,
// backslashes, valid non-ASCII text) as is. For strings shown bare, such as
// an import id or a file name in a summary line.
inline std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  detail::append_terminal_safe(out, s, /*quote=*/false);
  return out;
}

// `s` as valid UTF-8: every byte that is not part of a valid sequence
// (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF)
// becomes U+FFFD, one per byte; valid text is kept byte for byte. What
// `upstate-upload --json` writes for server strings and local file names.
inline std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = detail::utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// Whether `s` holds a control byte (C0 or DEL) — what may not go into an
// identifier that ends up in a URL path or on a terminal.
inline bool has_control_byte(std::string_view s) noexcept {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace upstate
// ---- end include/upstate/detail/terminal_text.hpp ----

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
// ---- end include/upstate/vocabulary/error.hpp ----

// ---- begin include/upstate/vocabulary/time.hpp ----
// Time as a value. The core never reads a clock: every event carries `now`,
// and every delay it asks for is an absolute `Instant` the caller waits for.
// The types are the steady clock's so a real driver needs no conversion, but
// tests build instants from `Instant{} + seconds(n)` and never touch the OS.
#include <chrono>

namespace upstate {

using Clock = std::chrono::steady_clock;
using Instant = Clock::time_point;
using Duration = std::chrono::milliseconds;

// Unix seconds, for the few wall-clock values the wire carries (HTTP-date,
// X-Amz-Date). They are only ever compared with other wire values (a
// response's own `Date` header), never with the local clock.
using UnixSeconds = std::int64_t;

// The caller's clock as the machines see it: one that jumps back is
// treated as standing still, so their own time never runs backwards.
class MonotonicTime {
 public:
  Instant observe(Instant now) noexcept {
    if (seen_ && now < last_) return last_;
    seen_ = true;
    last_ = now;
    return now;
  }
  Instant last() const noexcept { return last_; }

 private:
  Instant last_{};
  bool seen_ = false;
};

}  // namespace upstate
// ---- end include/upstate/vocabulary/time.hpp ----

// ---- begin include/upstate/wire/import_report.hpp ----
// Step 3's answer: GET /datasets/{id}/imports/{import_id} -> 200.

// ---- begin include/upstate/detail/linkage.hpp ----
// How upstate's out-of-line bodies are compiled (<upstate/impl/*.ipp>: the
// JSON parsers and writers, which need RapidJSON, and the machines' events
// and steps: Upload, Batch, DatasetFetch, the API request step).
//
// Header-only (the default): each header includes its .ipp at its end and
// the bodies are `inline`; one #include is all a user does.
//
// Separate compilation: define UPSTATE_SEPARATE_COMPILATION in every
// translation unit (-DUPSTATE_SEPARATE_COMPILATION) and compile the bodies
// once, in one of them: `#include <upstate/impl/src.hpp>`, or with the single
// header `#define UPSTATE_IMPLEMENTATION` before `#include "upstate.hpp"`.
// The headers then carry declarations only, and no other translation unit
// parses RapidJSON or instantiates its parser (README, "Compile time").
// Mixing the modes across translation units of one program is an ODR
// violation: set the macro for the whole build.
#if defined(UPSTATE_IMPLEMENTATION) && !defined(UPSTATE_SEPARATE_COMPILATION)
#define UPSTATE_SEPARATE_COMPILATION
#endif

#ifdef UPSTATE_SEPARATE_COMPILATION
#define UPSTATE_DECL
#else
#define UPSTATE_DECL inline
#endif
// ---- end include/upstate/detail/linkage.hpp ----

// ---- begin include/upstate/vocabulary/import_status.hpp ----
// The import job's lifecycle as the service reports it (docs/service.md, step 3).

namespace upstate {

enum class ImportStatus {
  uninitialised,   // URL requested, no bytes received yet
  queued,          // waiting behind an earlier import of the same dataset
  processing,
  complete,        // terminal: every record accepted
  partial,         // terminal: some records rejected (`errors`)
  failed,          // terminal: nothing ingested (`reason`)
  pending_schema,  // terminal: the dataset has no schema yet
};

inline constexpr ImportStatus kAllImportStatuses[] = {
    ImportStatus::uninitialised, ImportStatus::queued,   ImportStatus::processing,
    ImportStatus::complete,      ImportStatus::partial,  ImportStatus::failed,
    ImportStatus::pending_schema};

constexpr bool is_terminal(ImportStatus s) noexcept {
  switch (s) {
    case ImportStatus::complete:
    case ImportStatus::partial:
    case ImportStatus::failed:
    case ImportStatus::pending_schema:
      return true;
    case ImportStatus::uninitialised:
    case ImportStatus::queued:
    case ImportStatus::processing:
      return false;
  }
  return false;
}

constexpr std::string_view to_string(ImportStatus s) noexcept {
  switch (s) {
    case ImportStatus::uninitialised: return "uninitialised";
    case ImportStatus::queued: return "queued";
    case ImportStatus::processing: return "processing";
    case ImportStatus::complete: return "complete";
    case ImportStatus::partial: return "partial";
    case ImportStatus::failed: return "failed";
    case ImportStatus::pending_schema: return "pending_schema";
  }
  return "?";
}

// Exact, case-sensitive match of the wire spelling. An unknown string is
// `nullopt`, never a guess: the machine turns it into a typed error.
constexpr std::optional<ImportStatus> parse_import_status(std::string_view text) noexcept {
  for (ImportStatus s : kAllImportStatuses)
    if (to_string(s) == text) return s;
  return std::nullopt;
}

}  // namespace upstate
// ---- end include/upstate/vocabulary/import_status.hpp ----

// ---- begin include/upstate/vocabulary/record_errors.hpp ----
// An import's rejected records: RecordError (one, owning its strings) and
// RecordErrors (the list an ImportReport holds).
//
// Why a list type of its own rather than std::vector<RecordError>: an answer
// can list 10,000 records, and a vector of them is 20,000 heap strings (the
// reason and the item's raw JSON) allocated by the parse and freed with the
// report; that was two thirds of parse_import_report's time (bench/README.md).
// RecordErrors keeps every string in one text buffer and each record as
// offsets into it: a handful of allocations whatever the count, a copy is a
// deep copy, and reading a record gives a RecordErrorView whose string_views
// point into that buffer.
#include <initializer_list>
#include <iterator>

namespace upstate {

// One rejected record. Field names are UNCONFIRMED (docs/service.md): the index is
// read from `record_index`, else `row`, `line` or `index`; the reason from
// `reason`, else `message`, else `detail`. `raw` keeps the item's JSON
// (truncated at ParseLimits::max_raw_item_bytes) whatever it held.
struct RecordError {
  std::optional<std::uint64_t> record_index;  // 0-based
  std::string field;                          // may be empty
  std::string reason;
  std::string raw;
};

// A record of a RecordErrors, read in place: the views stay valid while the
// RecordErrors it came from lives and is not changed, like a reference into
// a vector. to_owned() makes a RecordError that outlives it.
struct RecordErrorView {
  std::optional<std::uint64_t> record_index;
  std::string_view field;
  std::string_view reason;
  std::string_view raw;

  RecordError to_owned() const {
    return RecordError{record_index, std::string(field), std::string(reason), std::string(raw)};
  }
  friend bool operator==(const RecordErrorView& a, const RecordErrorView& b) noexcept {
    return a.record_index == b.record_index && a.field == b.field && a.reason == b.reason && a.raw == b.raw;
  }
  friend bool operator!=(const RecordErrorView& a, const RecordErrorView& b) noexcept { return !(a == b); }
};

class RecordErrors {
 public:
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = RecordErrorView;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = RecordErrorView;  // made on access: a proxy, like vector<bool>'s

    const_iterator() = default;
    RecordErrorView operator*() const { return (*list_)[static_cast<std::size_t>(i_)]; }
    RecordErrorView operator[](difference_type n) const { return (*list_)[static_cast<std::size_t>(i_ + n)]; }
    const_iterator& operator++() { ++i_; return *this; }
    const_iterator operator++(int) { auto t = *this; ++i_; return t; }
    const_iterator& operator--() { --i_; return *this; }
    const_iterator operator--(int) { auto t = *this; --i_; return t; }
    const_iterator& operator+=(difference_type n) { i_ += n; return *this; }
    const_iterator& operator-=(difference_type n) { i_ -= n; return *this; }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) { return a.i_ - b.i_; }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.i_ == b.i_; }
    friend bool operator!=(const const_iterator& a, const const_iterator& b) { return a.i_ != b.i_; }
    friend bool operator<(const const_iterator& a, const const_iterator& b) { return a.i_ < b.i_; }
    friend bool operator>(const const_iterator& a, const const_iterator& b) { return a.i_ > b.i_; }
    friend bool operator<=(const const_iterator& a, const const_iterator& b) { return a.i_ <= b.i_; }
    friend bool operator>=(const const_iterator& a, const const_iterator& b) { return a.i_ >= b.i_; }

   private:
    friend class RecordErrors;
    const_iterator(const RecordErrors* list, difference_type i) : list_(list), i_(i) {}
    const RecordErrors* list_ = nullptr;
    difference_type i_ = 0;
  };
  using iterator = const_iterator;  // records are replaced whole, never edited in place
  using value_type = RecordErrorView;
  using size_type = std::size_t;

  RecordErrors() = default;
  RecordErrors(std::initializer_list<RecordError> errors) {
    for (const auto& e : errors) push_back(e);
  }
  RecordErrors(const std::vector<RecordError>& errors) {  // NOLINT: converting, so `report.errors = list` reads as before
    reserve(errors.size());
    for (const auto& e : errors) push_back(e);
  }

  std::size_t size() const noexcept { return records_.size(); }
  bool empty() const noexcept { return records_.empty(); }
  std::size_t text_bytes() const noexcept { return text_.size(); }

  RecordErrorView operator[](std::size_t i) const {
    const Record& r = records_[i];
    const char* raw = text_.data() + r.raw_offset;
    return RecordErrorView{r.has_index ? std::optional<std::uint64_t>(r.index) : std::nullopt,
                           std::string_view(raw + r.field_at, r.field_size),
                           std::string_view(raw + r.reason_at, r.reason_size), std::string_view(raw, r.raw_size)};
  }
  RecordErrorView front() const { return (*this)[0]; }
  RecordErrorView back() const { return (*this)[size() - 1]; }
  const_iterator begin() const noexcept { return const_iterator(this, 0); }
  const_iterator end() const noexcept { return const_iterator(this, static_cast<std::ptrdiff_t>(size())); }

  // Room for `records` records and `text` bytes of their strings.
  void reserve(std::size_t records, std::size_t text = 0) {
    records_.reserve(records);
    text_.reserve(text);
  }
  void clear() noexcept {
    records_.clear();
    text_.clear();
  }

  // Copies the strings in. A field or reason that lies inside `raw` (as the
  // parser's do: they are views of the item's own text) is stored as a
  // place in raw's copy, not a second time. Returns false, storing nothing,
  // for a record of 4 GiB or more (an error value, not an exception: the
  // core builds with -fno-exceptions; the parsers' body caps keep every
  // answer far below it).
  bool push_back(std::optional<std::uint64_t> record_index, std::string_view field, std::string_view reason,
                 std::string_view raw) {
    // A view of our own text (errors.push_back(errors[0])) would dangle
    // once the text grows: copy it out first.
    const std::string_view own(text_.data(), text_.capacity());
    if (inside(field, own) || inside(reason, own) || inside(raw, own))
      return push_back(RecordError{record_index, std::string(field), std::string(reason), std::string(raw)});
    // Sizes and places are 32-bit (a record is 40 bytes, not 64): no single
    // record comes near 4 GiB, and one that would is refused.
    if (raw.size() > kMaxRecordBytes || field.size() > kMaxRecordBytes || reason.size() > kMaxRecordBytes ||
        raw.size() + field.size() + reason.size() > kMaxRecordBytes)
      return false;
    Record r;
    r.has_index = record_index.has_value();
    r.index = record_index.value_or(0);
    r.raw_offset = text_.size();
    r.raw_size = static_cast<std::uint32_t>(raw.size());
    text_.append(raw.data(), raw.size());
    r.field_at = place_of(field, raw, r.raw_offset);
    r.field_size = static_cast<std::uint32_t>(field.size());
    r.reason_at = place_of(reason, raw, r.raw_offset);
    r.reason_size = static_cast<std::uint32_t>(reason.size());
    records_.push_back(r);
    return true;
  }
  bool push_back(const RecordError& e) { return push_back(e.record_index, e.field, e.reason, e.raw); }
  bool push_back(const RecordErrorView& e) { return push_back(e.record_index, e.field, e.reason, e.raw); }

  friend bool operator==(const RecordErrors& a, const RecordErrors& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  friend bool operator!=(const RecordErrors& a, const RecordErrors& b) { return !(a == b); }

 private:
  static constexpr std::size_t kMaxRecordBytes = 0xFFFFFFFFu;

  struct Record {
    std::uint64_t index = 0;
    std::size_t raw_offset = 0;  // in text_
    std::uint32_t raw_size = 0;
    std::uint32_t field_at = 0, field_size = 0;    // from raw_offset
    std::uint32_t reason_at = 0, reason_size = 0;  // from raw_offset
    bool has_index = false;
  };

  // Where `part` is, counted from the start of the record's raw copy (at
  // raw_offset): inside that copy when it lies inside `raw` (the parser's
  // views do), else appended after it.
  std::uint32_t place_of(std::string_view part, std::string_view raw, std::size_t raw_offset) {
    if (inside(part, raw)) return static_cast<std::uint32_t>(part.data() - raw.data());
    const std::size_t at = text_.size() - raw_offset;
    text_.append(part.data(), part.size());
    return static_cast<std::uint32_t>(at);
  }

  // Addresses as integers, not <: the pointers may belong to unrelated
  // objects (std::less would do too, but <functional> costs every
  // translation unit ~0.2 s of compile time; bench/compile_time.sh).
  static bool inside(std::string_view part, std::string_view whole) noexcept {
    if (part.empty() || whole.empty()) return false;
    const auto address = [](const char* p) { return reinterpret_cast<std::uintptr_t>(p); };
    return address(part.data()) >= address(whole.data()) &&
           address(part.data()) + part.size() <= address(whole.data()) + whole.size();
  }

  std::vector<Record> records_;
  std::string text_;
};

}  // namespace upstate
// ---- end include/upstate/vocabulary/record_errors.hpp ----

// ---- begin include/upstate/vocabulary/result.hpp ----
// A value or a typed Error, usable without exceptions (cpp-httplib's users
// praise exactly this). Deliberately small: no monadic zoo.
//
// A tagged union written out rather than std::variant<T, Error>: every
// Result<T> of a header-only library is instantiated in every user's
// translation unit, and std::variant's visitation tables made these a tenth
// of the core header's compile time (bench/compile_time.sh).
#include <cstdlib>
#include <new>

namespace upstate {

template <class T>
class Result {
 public:
  Result(T value) : ok_(true) { new (&value_) T(std::move(value)); }              // NOLINT: implicit by design
  Result(Error error) : ok_(false) { new (&error_) Error(std::move(error)); }      // NOLINT: implicit by design
  Result(const Result& other) : ok_(other.ok_) {
    if (ok_) new (&value_) T(other.value_);
    else new (&error_) Error(other.error_);
  }
  Result(Result&& other) noexcept : ok_(other.ok_) {
    if (ok_) new (&value_) T(std::move(other.value_));
    else new (&error_) Error(std::move(other.error_));
  }
  Result& operator=(const Result& other) {
    if (this != &other) {
      Result copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  Result& operator=(Result&& other) noexcept {
    if (this != &other) {
      destroy();
      ok_ = other.ok_;
      if (ok_) new (&value_) T(std::move(other.value_));
      else new (&error_) Error(std::move(other.error_));
    }
    return *this;
  }
  ~Result() { destroy(); }

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }

  // Asking a failed Result for its value (or a good one for its error) is
  // the caller's bug: it stops the program, as std::get would without
  // exceptions, rather than hand back a value that is not there.
  T& value() & { abort_unless(ok_); return value_; }
  const T& value() const& { abort_unless(ok_); return value_; }
  T&& value() && { abort_unless(ok_); return std::move(value_); }
  const Error& error() const& { abort_unless(!ok_); return error_; }
  Error&& error() && { abort_unless(!ok_); return std::move(error_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  static void abort_unless(bool holds) {
    if (!holds) std::abort();
  }
  void destroy() noexcept {
    if (ok_) value_.~T();
    else error_.~Error();
  }

  bool ok_;
  union {
    T value_;
    Error error_;
  };
};

}  // namespace upstate
// ---- end include/upstate/vocabulary/result.hpp ----

// ---- begin include/upstate/wire/limits.hpp ----
// Caps on what a parser will take from the wire, so a hostile answer costs
// bounded memory and time. Defaults match the HTTP codec's body caps.

namespace upstate {

struct ParseLimits {
  std::size_t max_body_bytes = 16u << 20;  // API answers; S3 error bodies are capped at 64 KiB by the codec
  std::size_t max_record_errors = 100000;  // errors[] items kept; the rest are counted, not stored
  std::size_t max_raw_item_bytes = 4096;   // raw JSON kept per errors[] item
  // Dataset::imports kept (GET /datasets/{id} lists every import of the
  // dataset); the rest are checked as always, then counted in
  // Dataset::imports_dropped, not stored. A batch that wants only the total
  // sets 0: a 10,000-import listing is then never held as a vector.
  std::size_t max_dataset_imports_kept = static_cast<std::size_t>(-1);
  // JSON shape, checked in one pass before a parser builds anything. A
  // RapidJSON DOM costs ~16 bytes per value plus its parse stack: 16 MiB of
  // "[" or of "0," cost ~445 MiB of RSS before these (bench/README.md). The
  // API's answers nest 4 deep; a 10,000-error poll answer has ~70,000 values.
  std::size_t max_json_depth = 64;
  std::size_t max_json_values = 500000;
};

}  // namespace upstate
// ---- end include/upstate/wire/limits.hpp ----

namespace upstate {

struct ImportReport {
  std::string import_id;   // required
  std::string dataset_id;  // optional echo ("" when absent)
  std::string type;        // "file_upload" so far
  ImportStatus status = ImportStatus::uninitialised;  // required; unknown -> Error{unknown_status}
  std::string created_at, updated_at;
  std::optional<std::uint64_t> accepted_count;   // non-negative integers only
  std::optional<std::uint64_t> rejected_count;
  std::optional<std::uint64_t> duplicate_count;  // accepted records already in the dataset (not written twice)
  RecordErrors errors;                           // may hold fewer entries than rejected_count
  std::uint64_t errors_dropped = 0;              // items past ParseLimits::max_record_errors
  std::optional<std::string> reason;             // on failed (and maybe partial)

  // Server-side progress (the official client's model; docs/service.md,
  // Step 3). Informational, so read leniently: a value of another type is
  // ignored rather than failing the poll.
  std::string filename;                                // the uploaded file's name, "" when absent
  std::string processing_started_at;                   // ISO-8601, "" when absent
  std::optional<std::uint64_t> processed_offset;       // how far processing got (bytes or records: UNCONFIRMED)
  std::optional<std::uint64_t> written_count;          // running counts while processing
  std::optional<std::uint64_t> duplicate_seen_count;
  std::optional<std::uint64_t> rejected_seen_count;

  // accepted_count − duplicate_count: the records this import wrote (nullopt
  // without accepted_count; a duplicate_count above accepted_count gives 0).
  std::optional<std::uint64_t> new_count() const noexcept {
    if (!accepted_count) return std::nullopt;
    std::uint64_t dup = duplicate_count.value_or(0);
    return dup >= *accepted_count ? 0 : *accepted_count - dup;
  }
};

// Errors: malformed_answer (not JSON / not an object / wrong type / missing
// import_id or status / negative or fractional count / errors not an array),
// unknown_status (path "$.status"); each with the JSON path.
// Fields are checked in document-table order and the first fault is
// reported; errors[] items past max_record_errors are validated, then
// counted in errors_dropped instead of stored.
// The common well-formed answer is read by a SAX fast path; anything else
// (every error included) by the DOM parser, so results and errors are the
// DOM parser's either way (import_report_sax.hpp states the contract).
UPSTATE_DECL Result<ImportReport> parse_import_report(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

// ---- end include/upstate/wire/import_report.hpp ----

namespace upstate {

// Something worth telling a person that did not end the run: a retry, a
// renewed URL, a status that went backwards, a long wait.
struct Note {
  Instant at;
  std::string text;
};

struct Outcome {
  std::variant<ImportReport, Error> result;
  std::string import_id;  // the import the run ended on ("" if none was created)
  // Step 1 is not idempotent: each retried or renewed URL left an import job
  // behind on the server (it stays `uninitialised`). Listed so a user can
  // tell them from real imports.
  std::vector<std::string> abandoned_import_ids;
  std::vector<Note> notes;  // at most kMaxNotes; later ones are counted in notes_dropped
  std::size_t notes_dropped = 0;
  int requests_sent = 0;

  static constexpr std::size_t kMaxNotes = 256;

  const ImportReport* report() const noexcept { return std::get_if<ImportReport>(&result); }
  const Error* error() const noexcept { return std::get_if<Error>(&result); }
  // The server finished the import (any terminal status).
  bool finished_import() const noexcept { return report() != nullptr; }
  // Every record accepted.
  bool complete() const noexcept { return report() && report()->status == ImportStatus::complete; }
};

}  // namespace upstate
// ---- end include/upstate/vocabulary/outcome.hpp ----

namespace upstate {

// Perform this request, then feed the answer back with on_response (or the
// failure with on_transport_error). For the PUT, `request.file` says how
// many bytes of the caller's file to stream as the body.
//
// The driver must bound each request it runs: the machine bounds only its
// own waits (Sleep), and while a Send is out it is waiting for an event that
// only the driver can produce. Give every exchange a timeout (at the latest
// the machine's deadline()) and report its expiry with on_transport_error
// (TransportError::Kind::timeout); examples/own_event_loop/ shows how
// (each exchange's timeout_at() bounds its poll(2)).
struct Send {
  Request request;
};

// Wait until `until`, then call on_wake. `until` never lies past the
// upload's deadline; an early on_wake is harmless (returns this Sleep again).
struct Sleep {
  Instant until;
};

// Finished; every later event returns the same Done.
struct Done {
  Outcome outcome;
};

using Action = std::variant<Send, Sleep, Done>;

}  // namespace upstate
// ---- end include/upstate/vocabulary/action.hpp ----

// ---- begin include/upstate/vocabulary/config.hpp ----
// What one upload needs to know, all as plain values.

// ---- begin include/upstate/policy/poll_policy.hpp ----
// How often to ask for the import's status while it is not terminal.
#include <algorithm>

// ---- begin include/upstate/detail/rng.hpp ----
// The only source of randomness the core knows: a PRNG seeded from the
// config (quinn-proto style: same seed, same run). Our own generator and our
// own range mapping, because std's distributions differ between standard
// libraries and would make a seed mean different runs on different machines.

namespace upstate {

// xoshiro256** seeded through splitmix64 (public-domain algorithms by
// Blackman and Vigna).
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) noexcept {
    for (auto& word : s_) word = splitmix(seed);
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound] inclusive, by rejection so no value is favoured.
  std::uint64_t uniform(std::uint64_t bound) noexcept {
    if (bound == UINT64_MAX) return next();
    const std::uint64_t range = bound + 1;
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    std::uint64_t x;
    do x = next();
    while (x >= limit);
    return x % range;
  }

  // Uniform in [lo, hi] inclusive; hi < lo yields lo.
  std::int64_t between(std::int64_t lo, std::int64_t hi) noexcept {
    if (hi <= lo) return lo;
    // In unsigned arithmetic: hi - lo may not fit an int64.
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + uniform(span));
  }

  bool chance(std::uint32_t numerator, std::uint32_t denominator) noexcept {
    return denominator != 0 && uniform(denominator - 1) < numerator;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4];
};

}  // namespace upstate
// ---- end include/upstate/detail/rng.hpp ----

namespace upstate {

// What `pending_schema` means to a run. The service's import-status
// reference says the import "is paused until a schema is defined": once the
// dataset has a schema the same import may go on, so re-uploading first can
// ingest the file twice.
enum class OnPendingSchema {
  end,           // the run ends with the pending_schema report (the caller sets a schema, then resumes the import)
  keep_polling,  // the run keeps polling the paused import every `paused_interval` until it leaves
                 // pending_schema or the deadline passes (then it ends with the pending_schema report)
};

struct PollPolicy {
  // No wait is ever shorter than this, whatever the fields say: an initial
  // of 0 would otherwise stay 0 (0 x factor) and poll in a tight loop.
  static constexpr Duration kMinDelay{100};

  Duration initial{2000};  // first wait after a poll that was not terminal
  double factor = 1.5;     // growth per poll while the status stays the same
  Duration max{15000};     // cap: the detection delay after the import turns terminal never exceeds it
  // Jitter only ever shortens a wait (by up to this fraction), so many clients
  // spread out without stretching the detection delay past `max`.
  double jitter = 0.1;
  // A status unchanged this long is noted as stuck in the outcome's notes;
  // `uninitialised` this long after a successful PUT ends the run with
  // ErrorCode::import_stuck (the service never saw the bytes and never will).
  Duration stuck_after{300000};
  OnPendingSchema on_pending_schema = OnPendingSchema::end;
  Duration paused_interval{60000};  // the slow cadence while an import waits for a schema
  // V3 datasets: a READY/ERROR that has not changed since the PUT is taken as
  // this file's outcome only this long after it (legacy_freshness.hpp).
  Duration legacy_settle{15000};

  // The wait before the next poll; `same_status_polls` counts polls since
  // the status last changed (a change resets the growth: something moves).
  // Never below kMinDelay: initial, max and the jittered result are
  // clamped to it, and a factor below 1 (or NaN) counts as 1.
  Duration delay(int same_status_polls, Rng& rng) const {
    const double floor_ms = static_cast<double>(kMinDelay.count());
    const double cap = std::max(static_cast<double>(max.count()), floor_ms);
    const double grow = factor >= 1.0 ? factor : 1.0;
    double ms = std::clamp(static_cast<double>(initial.count()), floor_ms, cap);
    for (int i = 0; i < same_status_polls && ms < cap; ++i) ms *= grow;
    ms = std::min(ms, cap);
    double j = std::clamp(jitter, 0.0, 1.0);
    if (!(j >= 0.0)) j = 0.0;  // NaN passes through clamp
    const auto whole = static_cast<std::int64_t>(ms);
    const auto cut = static_cast<std::int64_t>(ms * j);
    return Duration{std::max<std::int64_t>(kMinDelay.count(), whole - rng.between(0, cut))};
  }
};

}  // namespace upstate
// ---- end include/upstate/policy/poll_policy.hpp ----

// ---- begin include/upstate/policy/retry_policy.hpp ----
// How to wait before repeating a request that failed transiently.

// ---- begin include/upstate/detail/http_date.hpp ----
// Wall-clock values as they appear on the wire. Pure conversions between
// text and Unix seconds (civil-date arithmetic after H. Hinnant), no clock.
#include <cstdio>

namespace upstate {
namespace detail {

constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day, hour, minute, second, weekday;  // weekday 0 = Sunday
};

constexpr Civil civil_from_unix(UnixSeconds t) noexcept {
  // Floor division through the remainder: `t - 86399` or `days * 86400`
  // would overflow near INT64_MIN.
  const std::int64_t rem = t % 86400;
  std::int64_t days = t / 86400 - (rem < 0 ? 1 : 0);
  std::int64_t secs = rem < 0 ? rem + 86400 : rem;
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  const unsigned wd = static_cast<unsigned>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  return {y, m, d, static_cast<unsigned>(secs / 3600), static_cast<unsigned>(secs % 3600 / 60),
          static_cast<unsigned>(secs % 60), wd};
}

inline bool read_digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) noexcept {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Refuses impossible dates ("Feb 30") rather than rolling them into the next
// month: a date that does not exist is a malformed one.
inline std::optional<UnixSeconds> make_time(std::int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                                            unsigned s) noexcept {
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (s == 60 ? 59 : s);
}

inline int month_from_name(std::string_view m) noexcept {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (kMonths[i] == m) return i + 1;
  return 0;
}

}  // namespace detail

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate, RFC 9110 §5.6.7), plus the
// obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
// ("Sun Nov  6 08:49:37 1994") forms recipients must accept.
inline std::optional<UnixSeconds> parse_http_date(std::string_view s) noexcept {
  using namespace detail;
  unsigned d, y, h, mi, se;
  auto comma = s.find(',');
  if (comma != std::string_view::npos) {
    std::string_view rest = s.substr(comma + 1);
    if (rest.size() == 25 && rest[0] == ' ' && rest[3] == ' ' && rest[7] == ' ' && rest[12] == ' ' &&
        rest[15] == ':' && rest[18] == ':' && rest.substr(21) == " GMT") {  // IMF-fixdate
      int mo = month_from_name(rest.substr(4, 3));
      if (mo && read_digits(rest, 1, 2, d) && read_digits(rest, 8, 4, y) && read_digits(rest, 13, 2, h) &&
          read_digits(rest, 16, 2, mi) && read_digits(rest, 19, 2, se))
        return make_time(y, static_cast<unsigned>(mo), d, h, mi, se);
      return std::nullopt;
    }
    if (rest.size() == 23 && rest[0] == ' ' && rest[3] == '-' && rest[7] == '-' && rest[10] == ' ' &&
        rest[13] == ':' && rest[16] == ':' && rest.substr(19) == " GMT") {  // RFC 850
      int mo = month_from_name(rest.substr(4, 3));
      if (mo && read_digits(rest, 1, 2, d) && read_digits(rest, 8, 2, y) && read_digits(rest, 11, 2, h) &&
          read_digits(rest, 14, 2, mi) && read_digits(rest, 17, 2, se))
        return make_time(y < 70 ? 2000 + y : 1900 + y, static_cast<unsigned>(mo), d, h, mi, se);
    }
    return std::nullopt;
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (s.size() == 24 && s[3] == ' ' && s[7] == ' ' && s[10] == ' ' && s[13] == ':' && s[16] == ':' &&
      s[19] == ' ') {
    int mo = month_from_name(s.substr(4, 3));
    std::string_view day = s.substr(8, 2);
    unsigned dd = 0;
    if (day[0] == ' ') {
      if (!read_digits(day, 1, 1, dd)) return std::nullopt;
    } else if (!read_digits(day, 0, 2, dd)) {
      return std::nullopt;
    }
    if (mo && read_digits(s, 11, 2, h) && read_digits(s, 14, 2, mi) && read_digits(s, 17, 2, se) &&
        read_digits(s, 20, 4, y))
      return make_time(y, static_cast<unsigned>(mo), dd, h, mi, se);
  }
  return std::nullopt;
}

inline std::string format_http_date(UnixSeconds t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto c = detail::civil_from_unix(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02u:%02u:%02u GMT", kDays[c.weekday], c.day,
                kMonths[c.month - 1], static_cast<long long>(c.year), c.hour, c.minute, c.second);
  return buf;
}

// S3's X-Amz-Date: "20261128T120000Z".
inline std::optional<UnixSeconds> parse_amz_date(std::string_view s) noexcept {
  using namespace detail;
  unsigned y, mo, d, h, mi, se;
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  if (!read_digits(s, 0, 4, y) || !read_digits(s, 4, 2, mo) || !read_digits(s, 6, 2, d) ||
      !read_digits(s, 9, 2, h) || !read_digits(s, 11, 2, mi) || !read_digits(s, 13, 2, se))
    return std::nullopt;
  return make_time(y, mo, d, h, mi, se);
}

inline std::string format_amz_date(UnixSeconds t) {
  auto c = detail::civil_from_unix(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02u%02u%02uZ", static_cast<long long>(c.year), c.month, c.day,
                c.hour, c.minute, c.second);
  return buf;
}

// An ISO-8601 date-time with its offset, as the API writes timestamps
// (step 1's expires_at): "2026-11-28T12:00:00Z", with optional fractional
// seconds (dropped) and "Z", "+HH:MM" or "-HH:MM"; a lower-case 't'/'z' and a
// space for 'T' are taken too. No offset at all: nullopt (the time would be
// ambiguous).
inline std::optional<UnixSeconds> parse_iso8601(std::string_view s) noexcept {
  using namespace detail;
  unsigned y, mo, d, h, mi, se;
  if (s.size() < 20 || s.size() > 64 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (!read_digits(s, 0, 4, y) || !read_digits(s, 5, 2, mo) || !read_digits(s, 8, 2, d) ||
      !read_digits(s, 11, 2, h) || !read_digits(s, 14, 2, mi) || !read_digits(s, 17, 2, se))
    return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos, ++digits;
    if (digits == 0) return std::nullopt;
  }
  auto t = make_time(y, mo, d, h, mi, se);
  if (!t || pos >= s.size()) return std::nullopt;
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") return t;
  unsigned oh, om;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !read_digits(zone, 1, 2, oh) ||
      !read_digits(zone, 4, 2, om) || oh > 23 || om > 59)
    return std::nullopt;
  const std::int64_t offset = static_cast<std::int64_t>(oh) * 3600 + om * 60;
  return zone[0] == '+' ? *t - offset : *t + offset;
}

// ISO-8601 UTC as the API writes timestamps: "2026-11-28T12:00:00Z".
inline std::string format_iso8601(UnixSeconds t) {
  auto c = detail::civil_from_unix(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", static_cast<long long>(c.year), c.month,
                c.day, c.hour, c.minute, c.second);
  return buf;
}

}  // namespace upstate
// ---- end include/upstate/detail/http_date.hpp ----

namespace upstate {

struct RetryPolicy {
  // Tries of one step in a row, the first included. The count restarts after
  // progress (a URL received, the PUT accepted, a poll answered), so a long
  // poll can survive many scattered blips but not a steady outage.
  int max_attempts = 6;
  Duration base{500};
  Duration cap{30000};
  // Step 1 creates an import job on every call; each renewal leaves one
  // behind (kept in the outcome), so renewals get their own small bound.
  int max_url_renewals = 3;

  // Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
  // uniform in [0, min(cap, base * 2^(failures-1))].
  Duration backoff(int failures, Rng& rng) const {
    std::int64_t ceiling = base.count();
    for (int i = 1; i < failures && ceiling < cap.count(); ++i) ceiling *= 2;
    ceiling = std::min<std::int64_t>(ceiling, cap.count());
    return Duration{rng.between(0, std::max<std::int64_t>(0, ceiling))};
  }
};

// Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. The date
// form is measured against the same answer's `Date` header, so no local wall
// clock is needed and clock skew between us and the server cancels out;
// without a `Date`, a date cannot be interpreted and is ignored. Garbage is
// ignored (nullopt). Values are capped at a day so arithmetic stays finite.
inline std::optional<Duration> parse_retry_after(std::string_view value, std::optional<UnixSeconds> response_date) {
  constexpr std::int64_t kMaxSeconds = 86400;
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > kMaxSeconds) return std::chrono::duration_cast<Duration>(std::chrono::seconds{kMaxSeconds});
    }
    return std::chrono::duration_cast<Duration>(std::chrono::seconds{seconds});
  }
  auto when = parse_http_date(value);
  if (!when || !response_date) return std::nullopt;
  std::int64_t delta = std::clamp<std::int64_t>(*when - *response_date, 0, kMaxSeconds);
  return std::chrono::duration_cast<Duration>(std::chrono::seconds{delta});
}

// A response's Retry-After as a wait (an HTTP-date measured against the
// response's own Date), or nullopt when it has none we can use.
inline std::optional<Duration> retry_after_of(const Response& response) {
  const std::string* value = find_header(response.headers, "Retry-After");
  if (!value) return std::nullopt;
  std::optional<UnixSeconds> date;
  if (const std::string* d = find_header(response.headers, "Date")) date = parse_http_date(*d);
  return parse_retry_after(*value, date);
}

}  // namespace upstate
// ---- end include/upstate/policy/retry_policy.hpp ----

namespace upstate {

inline constexpr std::string_view kDefaultApiBase = "https://api.prolific.com/api/v1/data-collection";
// S3 refuses a single PUT over 5 GiB; we refuse it before creating an import.
inline constexpr std::uint64_t kMaxSinglePutBytes = 5368709120ULL;

struct UploadConfig {
  std::string api_base{kDefaultApiBase};
  std::string token;       // sent as "Authorization: Token <token>" to the API host only
  std::string dataset_id;
  PollPolicy poll;
  RetryPolicy retry;
  Duration deadline{std::chrono::hours{1}};  // overall, from start()
  // One deadline shared by several machines (a command's whole run: the
  // pre-flight fetch, every file of a batch, the final dataset fetch): no
  // machine's deadline is later than this instant, whenever it starts.
  Instant not_after = Instant::max();
  std::uint64_t seed = 0;                    // every random choice (jitter) derives from it
  ParseLimits limits;
  std::string user_agent = "upstate/0.1";
  // A plain-http API base is refused unless its host is loopback: the token
  // would cross the network in clear text. Tests of the machine alone may
  // lift this; programs should not.
  bool allow_insecure_api = false;
};

struct FileInfo {
  std::string name;  // with extension; becomes the {filename} path segment
  std::uint64_t size = 0;
};

// The PUT's Content-Type when step 1's answer gives none (docs/service.md, UNCONFIRMED).
inline std::string_view content_type_for(std::string_view filename) noexcept {
  if (iends_with(filename, ".jsonl")) return "application/x-ndjson";
  if (iends_with(filename, ".csv")) return "text/csv";
  if (iends_with(filename, ".zip")) return "application/zip";
  return "application/octet-stream";
}

}  // namespace upstate
// ---- end include/upstate/vocabulary/config.hpp ----

// Policies: how long to wait, how often to ask.

// The Upload machine (a sans-I/O step function) and its blocking driver.

// ---- begin include/upstate/machine/drive.hpp ----
// The ~30-line driver h11's docs show, for blocking transports: run an
// Upload to the end. The transport and the clock are the caller's objects
// (duck-typed, so a Trompeloeil mock, the in-process fake or a real HTTP
// client all fit); the core itself still does no I/O. The loop itself is
// drive_loop.hpp's, shared with DatasetFetch and Batch.
//
//   transport.exchange(const Request&) -> Exchange   (Response or TransportError)
//   clock.now() -> Instant
//   clock.sleep_until(Instant)

// ---- begin include/upstate/machine/drive_loop.hpp ----
// The one blocking loop every machine runs in (h11's ~30-line driver):
// Upload (drive.hpp), DatasetFetch (drive_dataset_fetch) and Batch
// (drive_batch, through an adapter that gives it the same face). A machine
// M has start(now), on_response(Response, now), on_transport_error(
// TransportError, now) and on_wake(now), each returning a variant whose
// alternatives are a request to perform, Sleep, and the end.
//
//   transport.exchange(const Request&) -> Exchange   (Response or TransportError)
//   clock.now() -> Instant
//   clock.sleep_until(Instant)

namespace upstate {

struct NoObserver {
  template <class Machine, class ActionT>
  void operator()(const Machine&, const ActionT&) const noexcept {}
};

// How a blocking transport performs one request; a machine whose sends
// carry more (Batch: the file the PUT streams) overloads it beside its own
// send type (found by argument-dependent lookup).
template <class Transport>
Exchange perform_exchange(Transport& transport, const Send& send) {
  return transport.exchange(send.request);
}

// Runs `machine` from start() to its end and returns the final action (the
// variant's last alternative). `observer(machine, action)` sees every
// action before it is carried out (progress lines, logging).
template <class Machine, class Transport, class ClockT, class Observer = NoObserver>
auto drive_machine(Machine& machine, Transport& transport, ClockT& clock, Observer&& observer = {}) {
  auto action = machine.start(clock.now());
  using ActionT = decltype(action);
  for (;;) {
    observer(static_cast<const Machine&>(machine), static_cast<const ActionT&>(action));
    if (auto* sleep = std::get_if<Sleep>(&action)) {
      clock.sleep_until(sleep->until);
      action = machine.on_wake(clock.now());
    } else if (action.index() == 0) {  // the request: the variant's first alternative
      Exchange result = perform_exchange(transport, std::get<0>(action));
      if (auto* response = std::get_if<Response>(&result))
        action = machine.on_response(*response, clock.now());
      else
        action = machine.on_transport_error(std::get<TransportError>(result), clock.now());
    } else {
      return action;
    }
  }
}

}  // namespace upstate
// ---- end include/upstate/machine/drive_loop.hpp ----

// ---- begin include/upstate/machine/upload.hpp ----
// upstate::Upload — one file through the three-step flow, as a pure step
// function: every event (with the time it happened) returns the one action
// the caller performs next. No sockets, files, clocks or random devices:
// the caller moves bytes and reads its clock; the config seeds the jitter.
//
// A V3 (legacy) dataset — step 1 answers without `import_id` — takes its own
// step 3: after the PUT the dataset's status is polled until READY or ERROR,
// and the outcome is an ImportReport (complete / failed, type
// "legacy_dataset", no import id). Its states are the table's V3 track
// (uploading_v3 ... confirming_status, polling_status).
//
// Every state, what it sends and every move are data in upload_transitions.hpp;
// this file classifies events into the table's triggers and carries out
// what a row says. snapshot() / restore() (upload_restore.hpp) carry an
// upload across processes (a state file); resume_import() polls an import
// some earlier process started.

// ---- begin include/upstate/detail/api_access.hpp ----
// What every API request needs (step 1, step 3, the dataset and its
// status): the headers — the token goes to the API host only, and only
// through here — and the refusals made before the first one is sent.

// ---- begin include/upstate/detail/url.hpp ----
// URLs: encoding the path segments we build, and splitting absolute URLs the
// server hands us (without ever re-encoding them: a presigned URL's query is
// signed byte for byte).

// ---- begin include/upstate/detail/host_name.hpp ----
// The syntax of a host in a URL a server hands us, checked before any name
// lookup: a resolver given "a b", "%00", "0x7f.1" or "2130706433" does
// something (a lookup of junk, an address read in octal or as one number)
// that nobody meant.

namespace upstate {
namespace detail {

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Four decimal octets 0..255, no leading zeros (inet_aton reads "010" as 8).
inline bool is_dotted_quad(std::string_view s) noexcept {
  int octets = 0;
  while (true) {
    std::size_t n = 0;
    unsigned value = 0;
    while (n < s.size() && is_digit(s[n])) {
      value = value * 10 + static_cast<unsigned>(s[n] - '0');
      if (++n > 3) return false;
    }
    if (n == 0 || value > 255 || (n > 1 && s[0] == '0')) return false;
    ++octets;
    s.remove_prefix(n);
    if (s.empty()) return octets == 4;
    if (s[0] != '.' || octets == 4) return false;
    s.remove_prefix(1);
  }
}

// An IPv6 literal as parse_url keeps it (brackets gone): hex digits, ':'
// and an embedded IPv4's '.', no zone ("%eth0" names a local interface).
inline bool is_ipv6_literal(std::string_view s) noexcept {
  if (s.size() < 2 || s.size() > 45) return false;
  int colons = 0;
  for (char c : s) {
    const bool hex = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (c == ':') ++colons;
    else if (!hex && c != '.') return false;
  }
  return colons >= 2;
}

}  // namespace detail

// A DNS name (labels of 1..63 letters, digits, '-' or '_', not starting or
// ending with '-', 253 bytes at most, one trailing dot allowed), a dotted-quad
// IPv4 address or an IPv6 literal. A name whose last label starts with a
// digit must be a dotted quad: no top-level domain does, and the resolver
// reads such names ("127.1", "0x7f.0.0.1") as numeric addresses.
inline bool is_valid_host(std::string_view host) noexcept {
  if (host.find(':') != std::string_view::npos) return detail::is_ipv6_literal(host);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return false;
  const std::size_t last_dot = host.rfind('.');
  const std::string_view last = last_dot == std::string_view::npos ? host : host.substr(last_dot + 1);
  if (!last.empty() && detail::is_digit(last[0])) return detail::is_dotted_quad(host);
  std::size_t label = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0 || label > 63 || host[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const char c = host[i];
    const bool ok = detail::is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok || (label == 0 && c == '-')) return false;
    ++label;
  }
  return true;
}

}  // namespace upstate
// ---- end include/upstate/detail/host_name.hpp ----

namespace upstate {

// RFC 3986 path segment: everything but unreserved characters becomes %XX,
// so a '/', '?', '#', '%', space or non-ASCII byte in a name can never change
// which resource the request names.
inline std::string percent_encode_segment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict decoding: a '%' not followed by two hex digits is an error rather
// than passed through, so two spellings never name one resource.
inline std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// A path segment we are willing to put in a URL: non-empty, not "." or ".."
// (which a proxy would resolve to another path) and without NUL.
inline bool is_safe_segment(std::string_view s) noexcept {
  if (s.empty() || s == "." || s == "..") return false;
  return s.find('\0') == std::string_view::npos;
}

struct Url {
  std::string scheme;  // lower case: "http" or "https"
  std::string host;    // as written; IPv6 without brackets
  std::uint16_t port = 0;
  std::string target;  // path + "?" + query, verbatim (what goes on the request line)
  std::string path;    // verbatim, still percent-encoded
  std::string query;   // verbatim, without '?'

  bool is_https() const noexcept { return scheme == "https"; }
  // "host" or "host:port" when the port is not the scheme's default.
  std::string authority() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
    return default_port ? h : h + ":" + std::to_string(port);
  }
};

// Parses an absolute http(s) URL. Userinfo, fragments, control characters
// and a host that is not a valid host name or address (host_name.hpp) are
// refused: nothing we send should carry them, and nothing is looked up
// before its syntax is known good.
inline std::optional<Url> parse_url(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  auto colon = s.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  Url u;
  u.scheme = ascii_lower(s.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
  std::string_view rest = s.substr(colon + 3);
  std::size_t auth_end = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, auth_end);
  std::string_view tail = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
  if (auth.empty() || auth.find('@') != std::string_view::npos) return std::nullopt;
  if (tail.find('#') != std::string_view::npos) return std::nullopt;
  std::string_view port_text;
  if (auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    u.host = std::string(auth.substr(1, close - 1));
    std::string_view after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else {
    auto pc = auth.rfind(':');
    if (pc != std::string_view::npos) {
      port_text = auth.substr(pc + 1);
      if (port_text.empty()) return std::nullopt;
      auth = auth.substr(0, pc);
    }
    // An unbracketed host holding ':' ("a:b:80") is neither a name nor IPv4;
    // authority() would bracket it into a different host.
    if (auth.empty() || auth.find(':') != std::string_view::npos) return std::nullopt;
    u.host = std::string(auth);
  }
  if (!is_valid_host(u.host)) return std::nullopt;
  if (!port_text.empty()) {
    if (port_text.size() > 5) return std::nullopt;
    unsigned p = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return std::nullopt;
      p = p * 10 + static_cast<unsigned>(c - '0');
    }
    if (p == 0 || p > 65535) return std::nullopt;
    u.port = static_cast<std::uint16_t>(p);
  } else {
    u.port = u.is_https() ? 443 : 80;
  }
  auto q = tail.find('?');
  u.path = std::string(tail.substr(0, q));
  if (u.path.empty()) u.path = "/";
  if (q != std::string_view::npos) u.query = std::string(tail.substr(q + 1));
  u.target = u.query.empty() && q == std::string_view::npos ? u.path : u.path + "?" + u.query;
  return u;
}

struct QueryParam {
  std::string name;   // decoded
  std::string value;  // decoded
};

// Decoded query parameters, in order. A parameter that does not decode is
// left out (the caller treats a missing parameter as "unknown").
inline std::vector<QueryParam> parse_query(std::string_view query) {
  std::vector<QueryParam> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    auto name = percent_decode(part.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), true);
    if (name && value) out.push_back({std::move(*name), std::move(*value)});
  }
  return out;
}

// Whether a host is on this machine: a plain-http API base is only accepted
// for these, so a token never crosses a network in clear text.
// Only a dotted-quad IPv4 counts as 127/8: a DNS name such as
// "127.attacker.example" merely starts like one.
inline bool is_loopback_host(std::string_view host) noexcept {
  if (host == "localhost" || host == "::1") return true;
  if (host.size() < 4 || host.substr(0, 4) != "127.") return false;
  int dots = 0;
  unsigned octet = 0, digits = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      octet = digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 3) {
      octet = octet * 10 + static_cast<unsigned>(c - '0');
      ++digits;
      if (octet > 255) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

}  // namespace upstate
// ---- end include/upstate/detail/url.hpp ----

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
// ---- end include/upstate/detail/api_access.hpp ----

// ---- begin include/upstate/machine/api_step.hpp ----
// The one request step every machine that talks to the service shares
// (Upload's steps 1, 2 and 3 and the V3 status, DatasetFetch): an answer or a
// transport failure is classified (go on and parse it / retry the same
// request / refuse with a typed error), and a retry is planned (full-jitter
// backoff, Retry-After as a floor, the deadline, the attempt budget) with a
// note a person reads. Messages are redacted of the token where they are
// made. Pure functions and one small value (RetryBudget): no clock, no I/O.

namespace upstate {

// "12.3 s", for messages.
template <class Rep, class Period>
std::string seconds_text(std::chrono::duration<Rep, Period> d) {
  auto ms = std::chrono::duration_cast<Duration>(d).count();
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

// A note for a person (a retry, a renewed URL, an odd status), redacted,
// kept while there is room and counted in `dropped` after.
UPSTATE_DECL void append_note(std::vector<Note>& notes, std::size_t& dropped, Instant at, std::string text,
                              std::string_view token);

// What an answer means before its body is parsed. A struct with a verdict,
// not a std::variant of three: this header is compiled in every user's
// translation unit, and each variant type costs its visitation machinery
// there (bench/compile_time.sh).
struct AnswerMeaning {
  enum class Verdict {
    parse_it,   // 2xx: go on
    retry_it,   // transient: the same request again
    refuse_it,  // final
  };
  Verdict verdict = Verdict::parse_it;
  // retry_it: retries_exhausted, with what happened, if the budget runs out;
  // refuse_it: the final error.
  Error error;
  std::optional<Duration> minimum;  // retry_it: the answer's Retry-After, a floor for the wait

  static AnswerMeaning parse_it() { return AnswerMeaning{}; }
  static AnswerMeaning retry_it(Error cause, std::optional<Duration> minimum) {
    return AnswerMeaning{Verdict::retry_it, std::move(cause), minimum};
  }
  static AnswerMeaning refuse_it(Error error) { return AnswerMeaning{Verdict::refuse_it, std::move(error), {}}; }
  bool parseable() const noexcept { return verdict == Verdict::parse_it; }
};

// An API answer (steps 1 and 3, the dataset and its status). `step` names
// the request in messages ("upload_url", "poll", "dataset", ...). A refusal
// carries the server's own message (redacted, excerpted) and error code.
UPSTATE_DECL AnswerMeaning classify_api_answer(const Response& response, std::string_view step,
                                              const UploadConfig& config);

// A transport failure of any request: TLS verification is final (never
// retried), anything else is retried.
UPSTATE_DECL AnswerMeaning classify_transport_error(const TransportError& error, std::string_view step);

// Consecutive failures of the current request, and what the next retry
// does. A machine resets it when the request succeeds (progress).
class RetryBudget {
 public:
  // Where a retry leads: wait until `Instant`, or end with the Error
  // (retries_exhausted past the budget; deadline_exceeded when the
  // server's Retry-After lands past the deadline, never shortened).
  struct Wait {
    Instant until;
  };
  using Plan = Result<Wait>;

  // `failure`: a retry_it meaning. `notes` / `dropped`: where the
  // "retrying" note goes.
  UPSTATE_DECL Plan next(const AnswerMeaning& failure, const RetryPolicy& policy, Rng& rng, Instant now, Instant deadline,
                         std::vector<Note>& notes, std::size_t& dropped, std::string_view token);

  void succeeded() noexcept { failures_ = 0; }
  int failures() const noexcept { return failures_; }

 private:
  int failures_ = 0;
};

// The API base as requests use it: without trailing slashes.
UPSTATE_DECL std::string without_trailing_slashes(std::string s);

}  // namespace upstate

// ---- end include/upstate/machine/api_step.hpp ----

// ---- begin include/upstate/detail/presigned_url.hpp ----
// What a presigned upload URL tells before a byte is sent: when it expires
// and which headers it signed (docs/service.md, step 2).

namespace upstate {

struct PresignedUrlInfo {
  enum class Scheme { sigv4, sigv2, unknown };
  Scheme scheme = Scheme::unknown;
  // SigV4: X-Amz-Date + X-Amz-Expires; SigV2: Expires. nullopt when the
  // parameters are missing or malformed (then the URL is used as is).
  std::optional<UnixSeconds> expires_at;
  std::optional<UnixSeconds> signed_at;  // SigV4 X-Amz-Date
  // SigV4 X-Amz-SignedHeaders, lower case, ';'-split (e.g. {"content-type","host"}).
  // SigV2 always signs the Content-Type, so it reports {"content-type"}.
  std::vector<std::string> signed_headers;

  bool signs(std::string_view header) const {  // case-insensitive
    for (const auto& h : signed_headers)
      if (iequals(h, header)) return true;
    return false;
  }
};

namespace detail {

// The first parameter of that exact (case-sensitive, as S3 reads them) name.
inline const std::string* find_query_param(const std::vector<QueryParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p.value;
  return nullptr;
}

// Plain decimal digits only (no sign, no spaces), at most `max`; nullopt otherwise.
inline std::optional<std::int64_t> parse_bounded_decimal(std::string_view s, std::int64_t max) noexcept {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (max - (c - '0')) / 10) return std::nullopt;  // v * 10 + digit would pass max
    v = v * 10 + (c - '0');
  }
  return v;
}

inline constexpr std::int64_t kMaxSigV4ExpiresSeconds = 604800;  // 7 days, S3's limit
// Far beyond any real expiry, small enough that no arithmetic on it overflows.
inline constexpr std::int64_t kMaxUnixSeconds = std::int64_t{1} << 40;

inline std::vector<std::string> split_signed_headers(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    std::size_t semi = list.find(';');
    std::string_view name = list.substr(0, semi);
    list = semi == std::string_view::npos ? std::string_view{} : list.substr(semi + 1);
    if (name.empty()) continue;
    out.push_back(ascii_lower(name));
  }
  return out;
}

}  // namespace detail

// SigV4 when X-Amz-Algorithm or X-Amz-Signature is present; SigV2 when
// AWSAccessKeyId and Signature are. A malformed X-Amz-Date, X-Amz-Expires
// (outside 1..604800) or Expires leaves the expiry unknown rather than
// refusing the URL: S3 is the judge, this only lets the client renew early.
inline PresignedUrlInfo inspect_presigned_url(const Url& url) {
  using detail::find_query_param;
  const std::vector<QueryParam> params = parse_query(url.query);
  PresignedUrlInfo info;
  if (find_query_param(params, "X-Amz-Algorithm") || find_query_param(params, "X-Amz-Signature")) {
    info.scheme = PresignedUrlInfo::Scheme::sigv4;
    if (const std::string* date = find_query_param(params, "X-Amz-Date")) info.signed_at = parse_amz_date(*date);
    std::optional<std::int64_t> lifetime;
    if (const std::string* expires = find_query_param(params, "X-Amz-Expires"))
      lifetime = detail::parse_bounded_decimal(*expires, detail::kMaxSigV4ExpiresSeconds);
    if (info.signed_at && lifetime && *lifetime >= 1) info.expires_at = *info.signed_at + *lifetime;
    if (const std::string* headers = find_query_param(params, "X-Amz-SignedHeaders"))
      info.signed_headers = detail::split_signed_headers(*headers);
  } else if (find_query_param(params, "AWSAccessKeyId") && find_query_param(params, "Signature")) {
    info.scheme = PresignedUrlInfo::Scheme::sigv2;
    if (const std::string* expires = find_query_param(params, "Expires"))
      info.expires_at = detail::parse_bounded_decimal(*expires, detail::kMaxUnixSeconds);
    info.signed_headers = {"content-type"};
  }
  return info;
}

}  // namespace upstate
// ---- end include/upstate/detail/presigned_url.hpp ----

// ---- begin include/upstate/vocabulary/server_progress.hpp ----
// What the service says about an import while it processes it
// (docs/service.md, Step 3: processing_started_at, processed_offset and the
// running counts, all optional), and how to read processed_offset, whose
// unit is UNCONFIRMED: bytes of the file, or records.

// ---- begin include/upstate/detail/redaction.hpp ----
// The token taken out of everything a machine hands back. The machines
// (Upload, DatasetFetch, Batch) know the token and call these on every
// error, report and dataset before a caller sees it, so no caller — our CLI
// or anyone else's program — can print, log or store a token a server
// echoed. One place in the library rather than every output path of every
// program: a path forgotten is a leak.

// ---- begin include/upstate/detail/excerpt.hpp ----
// Turning untrusted text into something safe to show a person.

namespace upstate {

// At most `max` bytes of `s`, cut before a UTF-8 lead byte so a multi-byte
// character is never split (backs up at most 3 bytes, so invalid UTF-8 made
// of continuation bytes cannot make this scan the whole string).
inline std::string_view utf8_prefix(std::string_view s, std::size_t max) noexcept {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  for (int step = 0; step < 3 && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80; ++step) --cut;
  return s.substr(0, cut);
}

// Server text quoted inside one of our messages: at most `max` bytes of it,
// control characters (C0, DEL, C1), bytes that are not UTF-8, '"' and '\'
// escaped (a hostile string can neither flood a log, forge a line in it nor
// drive a terminal), "..." when cut. Redact before calling this: a secret
// straddling the cut would otherwise survive in part.
inline std::string printable_excerpt(std::string_view s, std::size_t max = 300) {
  std::string_view kept = utf8_prefix(s, max);
  std::string out;
  out.reserve(kept.size() + 8);
  detail::append_terminal_safe(out, kept, /*quote=*/true);
  if (kept.size() < s.size()) out += "...";
  return out;
}

// Every occurrence of `secret` replaced. A server that echoes the token in
// an error body must not get it into our messages.
// A "secret" of a few characters is no secret and would shred every
// message it occurs in, so only secrets of 6 bytes or more are looked for.
// A cut secret is caught too: its first 8 bytes or more at the end of the
// text or just before a "..." (where printable_excerpt and the parsers'
// caps cut) are replaced, so text cut before it was redacted leaks at most
// 7 bytes of the secret's start.
inline std::string redact(std::string text, std::string_view secret) {
  if (secret.size() < 6) return text;
  constexpr std::string_view kMark = "[redacted]";
  const std::string_view head = secret.substr(0, secret.size() < 8 ? secret.size() : 8);
  std::size_t pos = text.find(head);
  if (pos == std::string::npos) return text;
  std::string out;
  std::size_t copied = 0;
  for (; pos != std::string::npos; pos = text.find(head, pos)) {
    std::size_t len = head.size();
    while (len < secret.size() && pos + len < text.size() && text[pos + len] == secret[len]) ++len;
    const bool whole = len == secret.size();
    const bool cut = pos + len == text.size() || text.compare(pos + len, 3, "...") == 0;
    if (!whole && !cut) {
      ++pos;
      continue;
    }
    out.append(text, copied, pos - copied);
    out += kMark;
    pos += len;
    copied = pos;
  }
  out.append(text, copied, std::string::npos);
  return out;
}

}  // namespace upstate
// ---- end include/upstate/detail/excerpt.hpp ----

// ---- begin include/upstate/wire/dataset.hpp ----
// GET /datasets/{dataset_id} -> 200, and the schema it carries.

namespace upstate {

struct SchemaField {
  std::string name;
  std::string type;   // text, image_url, audio_url, video_url, metadata, task_group_id (others kept verbatim)
  std::string label;  // may be empty
};

struct Schema {
  bool strict = false;
  std::vector<SchemaField> fields;  // in document order
};

struct DatasetImportSummary {
  std::string import_id;
  std::string status;  // verbatim: the dataset listing is informational
  std::optional<std::uint64_t> accepted_count, rejected_count;
  std::optional<std::uint64_t> duplicate_count;  // accepted but already present (not written twice)
};

struct Dataset {
  std::string id;  // required
  std::string name;
  std::string created_at, created_by;
  std::optional<std::uint64_t> total_datapoint_count;
  std::optional<int> schema_version;  // 3 (legacy) or 4
  std::optional<Schema> schema;       // V4, when set
  std::vector<DatasetImportSummary> imports;  // at most ParseLimits::max_dataset_imports_kept
  std::size_t imports_dropped = 0;             // listed past that cap: checked and counted, not stored
  std::optional<std::string> status;    // V3
  std::optional<std::string> filename;  // V3
};

// The schema object alone ({"strict":..., "fields":{...}}).
UPSTATE_DECL Result<Schema> parse_schema(std::string_view json, const ParseLimits& limits = {});

// The schema as the API writes it (compact JSON): "strict" then "fields" in
// order; an empty label is left out.
UPSTATE_DECL std::string schema_to_json(const Schema& schema);

// Only `id` is required; every other field is optional but type-checked.
// imports[] items need `import_id` and `status` (strings, status verbatim).
// The common well-formed answer is read by a SAX fast path (memory: the body
// and the result); anything else (every error included) by the DOM parser,
// so results and errors are the DOM parser's either way (dataset_sax.hpp).
UPSTATE_DECL Result<Dataset> parse_dataset(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

// ---- end include/upstate/wire/dataset.hpp ----

namespace upstate {
namespace detail {

inline void redact_in_place(std::string& s, std::string_view secret) {
  if (secret.size() >= 6 && s.find(secret.substr(0, secret.size() < 8 ? secret.size() : 8)) != std::string::npos)
    s = redact(std::move(s), secret);
}

inline void redact_in_place(std::optional<std::string>& s, std::string_view secret) {
  if (s) redact_in_place(*s, secret);
}

}  // namespace detail

// Message, JSON path (it quotes server keys) and server code.
inline void redact_in(Error& e, std::string_view token) {
  detail::redact_in_place(e.message, token);
  detail::redact_in_place(e.path, token);
  detail::redact_in_place(e.server_code, token);
}

// Every string of a report: the failed reason, each record error's field,
// reason and raw text. The record list is rebuilt only when one holds the
// token's start (a scan, no copies, otherwise).
inline void redact_in(ImportReport& r, std::string_view token) {
  if (token.size() < 6) return;
  detail::redact_in_place(r.import_id, token);
  detail::redact_in_place(r.dataset_id, token);
  detail::redact_in_place(r.type, token);
  detail::redact_in_place(r.created_at, token);
  detail::redact_in_place(r.updated_at, token);
  detail::redact_in_place(r.reason, token);
  detail::redact_in_place(r.filename, token);
  detail::redact_in_place(r.processing_started_at, token);
  const std::string_view head = token.substr(0, token.size() < 8 ? token.size() : 8);
  // The parser's field and reason are views into raw, so scanning raw
  // covers them unless raw was cut (ParseLimits::max_raw_item_bytes).
  // Measured: 10,000 errors (1.1 MB) take 0.2 ms here after a 0.6 ms parse.
  // Addresses as integers, not <: the pointers may belong to unrelated
  // objects (std::less would do, but <functional> costs every translation
  // unit ~0.1 s; bench/compile_time.sh).
  const auto address = [](const char* p) { return reinterpret_cast<std::uintptr_t>(p); };
  auto inside_raw = [&](std::string_view part, std::string_view raw) {
    return part.empty() || (address(part.data()) >= address(raw.data()) &&
                            address(part.data()) + part.size() <= address(raw.data()) + raw.size());
  };
  auto holds = [&](const RecordErrorView& e) {
    if (e.raw.find(head) != std::string_view::npos) return true;
    return (!inside_raw(e.field, e.raw) && e.field.find(head) != std::string_view::npos) ||
           (!inside_raw(e.reason, e.raw) && e.reason.find(head) != std::string_view::npos);
  };
  bool any = false;
  for (const RecordErrorView& e : r.errors)
    if (holds(e)) {
      any = true;
      break;
    }
  if (!any) return;
  RecordErrors clean;
  clean.reserve(r.errors.size(), r.errors.text_bytes());
  for (const RecordErrorView& e : r.errors) {
    if (!holds(e)) {
      clean.push_back(e);
      continue;
    }
    clean.push_back(RecordError{e.record_index, redact(std::string(e.field), token), redact(std::string(e.reason), token),
                                redact(std::string(e.raw), token)});
  }
  r.errors = std::move(clean);
}

// Every string of a dataset answer (what --show-dataset prints).
inline void redact_in(Dataset& d, std::string_view token) {
  if (token.size() < 6) return;
  detail::redact_in_place(d.id, token);
  detail::redact_in_place(d.name, token);
  detail::redact_in_place(d.created_at, token);
  detail::redact_in_place(d.created_by, token);
  detail::redact_in_place(d.status, token);
  detail::redact_in_place(d.filename, token);
  if (d.schema)
    for (SchemaField& f : d.schema->fields) {
      detail::redact_in_place(f.name, token);
      detail::redact_in_place(f.type, token);
      detail::redact_in_place(f.label, token);
    }
  for (DatasetImportSummary& im : d.imports) {
    detail::redact_in_place(im.import_id, token);
    detail::redact_in_place(im.status, token);
  }
}

}  // namespace upstate
// ---- end include/upstate/detail/redaction.hpp ----

namespace upstate {

struct ServerProgress {
  std::string filename;               // "" when the service gave none
  std::string processing_started_at;  // ISO-8601, "" when absent
  std::optional<std::uint64_t> processed_offset;
  std::optional<std::uint64_t> written_count, duplicate_seen_count, rejected_seen_count;

  // Records the running counts account for, when the service gave any.
  std::optional<std::uint64_t> records_seen() const noexcept {
    if (!written_count && !duplicate_seen_count && !rejected_seen_count) return std::nullopt;
    return written_count.value_or(0) + duplicate_seen_count.value_or(0) + rejected_seen_count.value_or(0);
  }

  // The share of a `file_size`-byte file processed, when processed_offset
  // reads as bytes: at most the file's size, and more than the records
  // counted so far (every record takes at least one byte and its line
  // break, so an offset no larger than the record count is a record count).
  // nullopt: show the counts instead.
  std::optional<double> fraction_of(std::uint64_t file_size) const noexcept {
    if (!processed_offset || file_size == 0 || *processed_offset > file_size) return std::nullopt;
    if (auto seen = records_seen(); seen && *processed_offset <= *seen && *processed_offset > 0) return std::nullopt;
    return static_cast<double>(*processed_offset) / static_cast<double>(file_size);
  }

  friend bool operator==(const ServerProgress& a, const ServerProgress& b) noexcept {
    return a.filename == b.filename && a.processing_started_at == b.processing_started_at &&
           a.processed_offset == b.processed_offset && a.written_count == b.written_count &&
           a.duplicate_seen_count == b.duplicate_seen_count && a.rejected_seen_count == b.rejected_seen_count;
  }
  friend bool operator!=(const ServerProgress& a, const ServerProgress& b) noexcept { return !(a == b); }
};

// The report's progress fields; nullopt when it has none of the figures
// (processed_offset or a running count). Its strings come from the server:
// `token` is redacted from them.
inline std::optional<ServerProgress> server_progress_of(const ImportReport& r, std::string_view token = {}) {
  if (!r.processed_offset && !r.written_count && !r.duplicate_seen_count && !r.rejected_seen_count)
    return std::nullopt;
  ServerProgress p{r.filename,      r.processing_started_at, r.processed_offset,
                   r.written_count, r.duplicate_seen_count,  r.rejected_seen_count};
  if (token.size() >= 6) {
    p.filename = redact(std::move(p.filename), token);
    p.processing_started_at = redact(std::move(p.processing_started_at), token);
  }
  return p;
}

}  // namespace upstate
// ---- end include/upstate/vocabulary/server_progress.hpp ----

// ---- begin include/upstate/machine/upload_transitions.hpp ----
// Upload's machine, as data. h11's rule for its _state.py holds here:
// everything that changes the machine lives in this file — its states, what
// each state sends and for which step, the triggers (answers already
// classified), and every allowed move. upload.hpp only classifies events
// into triggers and carries out what a row says; a move the table lacks is
// an internal error (ErrorCode::internal), never undefined behaviour.
//
// A V3 (legacy) dataset — step 1 answers without import_id — has states of
// its own (the `track` column): uploading_v3, then confirming_status until
// the dataset's status is seen moving since the PUT, then polling_status.
//
// Tests enumerate the table, the property test proves that every row (the
// wildcard rows expanded) is taken, and README's diagram is drawn from it.
#include <array>

namespace upstate {

enum class State {
  idle,              // constructed, not started: start() requests a URL
  idle_uploaded,     // restored (or resume_import) after an accepted PUT: start() polls the import
  idle_uploaded_v3,  // the same for a V3 (legacy) dataset: start() polls the dataset's status
  idle_put_unknown,  // restored with a URL (V4) but no answer to its PUT: start() probes the import
  requesting_url,    // step 1 sent, awaiting its answer
  url_backoff,       // waiting to repeat step 1
  uploading,         // step 2 (the PUT) sent, awaiting its answer
  upload_backoff,    // waiting to repeat the PUT
  uploading_v3,      // the same for a V3 (legacy) dataset (step 1 answered without import_id)
  upload_backoff_v3, // V3: waiting to repeat the PUT
  probing,           // step 3 sent once to learn whether a PUT whose answer was lost arrived
  probe_wait,        // waiting to repeat that probe
  polling,           // step 3 sent, awaiting its answer
  poll_wait,         // waiting for the next poll (interval or backoff)
  confirming_status, // V3 step 3: GET .../datasets/{id}/status sent; the status has not moved since the PUT,
                     // so a READY/ERROR may be the previous file's (legacy_freshness.hpp)
  confirm_wait,      // V3: waiting to repeat that status request
  polling_status,    // V3 step 3, the status seen moving since the PUT: a READY/ERROR is this file's
  status_wait,       // V3: waiting for the next status request (interval or backoff)
  schema_wait,       // the import is paused in pending_schema and PollPolicy says keep polling: a slow wait
  done,              // terminal: the outcome is fixed; every later event returns it
};

// What happened, after the machine classified an event (an answer becomes
// `url_received` or `url_retry` or ...).
enum class Trigger {
  start,               // start() of a new upload
  resume,              // start() of a restored one (which state it starts from says what it sends)
  refused_locally,     // start: the inputs can never work (5 GiB, unsafe name, bad base URL)
  url_received,        // step 1 answered 2xx with a usable URL and an import_id (V4)
  legacy_url_received, // the same without import_id: a V3 (legacy) dataset, whose step 3 is its status
  url_retry,           // step 1: 429 / 5xx / transport error
  url_refused,         // step 1: final error (401, 404, malformed answer, a V3 dataset and a .jsonl, ...)
  upload_accepted,     // step 2: 2xx
  url_expired,         // the URL is dead: S3 says so, its own expiry passed while waiting, or it came
                       // from step 1 already expired
  renewals_exhausted,  // url_expired once too often
  upload_retry,        // step 2: RequestTimeout, SlowDown, 5xx, reset, ...
  upload_refused,      // step 2: final
  import_pending,      // step 3: uninitialised / queued / processing (V3: UNINITIALISED / PROCESSING);
                       // a probe: anything but uninitialised that is not terminal (the PUT landed)
  import_terminal,     // step 3: complete / partial / failed / pending_schema (V3: READY / ERROR, this file's)
  status_unconfirmed,  // V3: READY / ERROR unchanged since the PUT, within PollPolicy::legacy_settle of it:
                       // maybe the previous file's (legacy_freshness.hpp)
  import_paused,       // step 3: pending_schema while PollPolicy::on_pending_schema is keep_polling
  import_unstarted,    // a probe answered `uninitialised`: the import never got the file, step 1 again
  poll_retry,          // step 3: 429 / 5xx / transport error
  poll_refused,        // step 3: final (404, malformed, unknown status, ...)
  import_stuck,        // still uninitialised long after the PUT succeeded
  retries_exhausted,   // a retryable failure past RetryPolicy::max_attempts
  wake,                // a wait ended
  deadline,            // the overall deadline passed (an event, or a move into a live state, at or after it)
  cancel,
  misuse,              // an event the state cannot take (caller bug): sticky error
};

// Which event a state is waiting for; any other event is `misuse`.
enum class Awaits { start, response, wake, nothing };

// What a progress display shows; a column of the table, never stored.
enum class Phase { not_started, requesting_url, uploading, processing, finished };

// How far the upload got (what a snapshot of the state records, and what a
// restored machine starts from).
enum class Reached { nothing, url, upload };

// Which path a state belongs to: V4 (an import), V3 (a legacy dataset's
// status), or either (before step 1 answers, and done).
enum class Track { either, v4, v3 };

// A request purpose or none (waits, idle states, done).
inline constexpr std::optional<Purpose> kNoRequest = std::nullopt;

struct StateInfo {
  State state;
  std::string_view name;
  Awaits awaits;
  std::optional<Purpose> sends;  // the request entering this state sends (none: a Sleep, or nothing)
  std::optional<Purpose> step;   // the step a response/transport error answers, or a wait repeats
  Trigger starts_with;           // awaits start: the trigger start() takes (after the input checks)
  Trigger on_retry;              // awaits response: the trigger of a retryable failure
  Trigger on_refusal;            // awaits response: the trigger of a final one
  Phase phase;
  Reached reached;
  Track track;
};

// Columns that do not apply to a state hold `misuse` (never taken from it).
inline constexpr Trigger kNa = Trigger::misuse;

inline constexpr StateInfo kStates[] = {
    // state                  name                 awaits            sends                    step                      starts_with      on_retry               on_refusal               phase                     reached           track
    {State::idle,              "idle",              Awaits::start,    kNoRequest,              Purpose::upload_url,      Trigger::start,  kNa,                   kNa,                     Phase::not_started,       Reached::nothing, Track::either},
    {State::idle_uploaded,     "idle_uploaded",     Awaits::start,    kNoRequest,              Purpose::poll,            Trigger::resume, kNa,                   kNa,                     Phase::not_started,       Reached::upload,  Track::v4},
    {State::idle_uploaded_v3,  "idle_uploaded_v3",  Awaits::start,    kNoRequest,              Purpose::dataset_status,  Trigger::resume, kNa,                   kNa,                     Phase::not_started,       Reached::upload,  Track::v3},
    {State::idle_put_unknown,  "idle_put_unknown",  Awaits::start,    kNoRequest,              Purpose::poll,            Trigger::resume, kNa,                   kNa,                     Phase::not_started,       Reached::url,     Track::v4},
    {State::requesting_url,    "requesting_url",    Awaits::response, Purpose::upload_url,     Purpose::upload_url,      kNa,             Trigger::url_retry,    Trigger::url_refused,    Phase::requesting_url,    Reached::nothing, Track::either},
    {State::url_backoff,       "url_backoff",       Awaits::wake,     kNoRequest,              Purpose::upload_url,      kNa,             kNa,                   kNa,                     Phase::requesting_url,    Reached::nothing, Track::either},
    {State::uploading,         "uploading",         Awaits::response, Purpose::upload,         Purpose::upload,          kNa,             Trigger::upload_retry, Trigger::upload_refused, Phase::uploading,         Reached::url,     Track::v4},
    {State::upload_backoff,    "upload_backoff",    Awaits::wake,     kNoRequest,              Purpose::upload,          kNa,             kNa,                   kNa,                     Phase::uploading,         Reached::url,     Track::v4},
    {State::uploading_v3,      "uploading_v3",      Awaits::response, Purpose::upload,         Purpose::upload,          kNa,             Trigger::upload_retry, Trigger::upload_refused, Phase::uploading,         Reached::url,     Track::v3},
    {State::upload_backoff_v3, "upload_backoff_v3", Awaits::wake,     kNoRequest,              Purpose::upload,          kNa,             kNa,                   kNa,                     Phase::uploading,         Reached::url,     Track::v3},
    {State::probing,           "probing",           Awaits::response, Purpose::poll,           Purpose::poll,            kNa,             Trigger::poll_retry,   Trigger::poll_refused,   Phase::processing,        Reached::url,     Track::v4},
    {State::probe_wait,        "probe_wait",        Awaits::wake,     kNoRequest,              Purpose::poll,            kNa,             kNa,                   kNa,                     Phase::processing,        Reached::url,     Track::v4},
    {State::polling,           "polling",           Awaits::response, Purpose::poll,           Purpose::poll,            kNa,             Trigger::poll_retry,   Trigger::poll_refused,   Phase::processing,        Reached::upload,  Track::v4},
    {State::poll_wait,         "poll_wait",         Awaits::wake,     kNoRequest,              Purpose::poll,            kNa,             kNa,                   kNa,                     Phase::processing,        Reached::upload,  Track::v4},
    {State::confirming_status, "confirming_status", Awaits::response, Purpose::dataset_status, Purpose::dataset_status,  kNa,             Trigger::poll_retry,   Trigger::poll_refused,   Phase::processing,        Reached::upload,  Track::v3},
    {State::confirm_wait,      "confirm_wait",      Awaits::wake,     kNoRequest,              Purpose::dataset_status,  kNa,             kNa,                   kNa,                     Phase::processing,        Reached::upload,  Track::v3},
    {State::polling_status,    "polling_status",    Awaits::response, Purpose::dataset_status, Purpose::dataset_status,  kNa,             Trigger::poll_retry,   Trigger::poll_refused,   Phase::processing,        Reached::upload,  Track::v3},
    {State::status_wait,       "status_wait",       Awaits::wake,     kNoRequest,              Purpose::dataset_status,  kNa,             kNa,                   kNa,                     Phase::processing,        Reached::upload,  Track::v3},
    // Its deadline row ends with the paused import's pending_schema report, not deadline_exceeded.
    {State::schema_wait,       "schema_wait",       Awaits::wake,     kNoRequest,              Purpose::poll,            kNa,             kNa,                   kNa,                     Phase::processing,        Reached::upload,  Track::v4},
    // done keeps what the run reached: Upload remembers the state it ended from.
    {State::done,              "done",              Awaits::nothing,  kNoRequest,              kNoRequest,               kNa,             kNa,                   kNa,                     Phase::finished,          Reached::nothing, Track::either},
};

struct Transition {
  State from;
  Trigger trigger;
  State to;
};

// The moves particular to a state. The rules that hold in every live state
// are kEveryLiveState, below, written once.
inline constexpr Transition kTransitions[] = {
    {State::idle, Trigger::start, State::requesting_url},
    {State::idle, Trigger::refused_locally, State::done},
    {State::idle_uploaded, Trigger::resume, State::polling},
    {State::idle_uploaded, Trigger::refused_locally, State::done},
    // Restored after a V3 PUT: a non-terminal status polled before the restart
    // counts as the first status since the PUT (upload_restore.hpp).
    {State::idle_uploaded_v3, Trigger::resume, State::confirming_status},
    {State::idle_uploaded_v3, Trigger::refused_locally, State::done},
    {State::idle_put_unknown, Trigger::resume, State::probing},
    {State::idle_put_unknown, Trigger::refused_locally, State::done},

    {State::requesting_url, Trigger::url_received, State::uploading},
    {State::requesting_url, Trigger::legacy_url_received, State::uploading_v3},
    {State::requesting_url, Trigger::url_expired, State::requesting_url},  // the URL came already expired
    {State::requesting_url, Trigger::renewals_exhausted, State::done},
    {State::requesting_url, Trigger::url_retry, State::url_backoff},
    {State::requesting_url, Trigger::url_refused, State::done},
    {State::requesting_url, Trigger::retries_exhausted, State::done},

    {State::url_backoff, Trigger::wake, State::requesting_url},

    {State::uploading, Trigger::upload_accepted, State::polling},
    {State::uploading, Trigger::url_expired, State::requesting_url},
    {State::uploading, Trigger::renewals_exhausted, State::done},
    {State::uploading, Trigger::upload_retry, State::upload_backoff},
    {State::uploading, Trigger::upload_refused, State::done},
    {State::uploading, Trigger::retries_exhausted, State::done},

    {State::upload_backoff, Trigger::wake, State::uploading},
    {State::upload_backoff, Trigger::url_expired, State::requesting_url},  // its expiry passed while waiting
    {State::upload_backoff, Trigger::renewals_exhausted, State::done},

    // V3: the same PUT; once accepted, the dataset's status is what is polled.
    {State::uploading_v3, Trigger::upload_accepted, State::confirming_status},
    {State::uploading_v3, Trigger::url_expired, State::requesting_url},
    {State::uploading_v3, Trigger::renewals_exhausted, State::done},
    {State::uploading_v3, Trigger::upload_retry, State::upload_backoff_v3},
    {State::uploading_v3, Trigger::upload_refused, State::done},
    {State::uploading_v3, Trigger::retries_exhausted, State::done},

    {State::upload_backoff_v3, Trigger::wake, State::uploading_v3},
    {State::upload_backoff_v3, Trigger::url_expired, State::requesting_url},
    {State::upload_backoff_v3, Trigger::renewals_exhausted, State::done},

    {State::probing, Trigger::import_pending, State::poll_wait},
    {State::probing, Trigger::import_terminal, State::done},
    {State::probing, Trigger::import_unstarted, State::requesting_url},
    {State::probing, Trigger::poll_retry, State::probe_wait},
    {State::probing, Trigger::poll_refused, State::done},
    {State::probing, Trigger::retries_exhausted, State::done},

    {State::probe_wait, Trigger::wake, State::probing},

    {State::polling, Trigger::import_pending, State::poll_wait},
    {State::polling, Trigger::import_terminal, State::done},
    {State::polling, Trigger::import_paused, State::schema_wait},
    {State::polling, Trigger::poll_retry, State::poll_wait},
    {State::polling, Trigger::poll_refused, State::done},
    {State::polling, Trigger::import_stuck, State::done},
    {State::polling, Trigger::retries_exhausted, State::done},

    {State::poll_wait, Trigger::wake, State::polling},

    // V3 step 3 until the status moves: a non-terminal status (or a READY/ERROR
    // other than the first one read) is movement; an unchanged READY/ERROR
    // within legacy_settle of the PUT is waited out.
    {State::confirming_status, Trigger::import_pending, State::status_wait},
    {State::confirming_status, Trigger::import_terminal, State::done},
    {State::confirming_status, Trigger::status_unconfirmed, State::confirm_wait},
    {State::confirming_status, Trigger::poll_retry, State::confirm_wait},
    {State::confirming_status, Trigger::poll_refused, State::done},
    {State::confirming_status, Trigger::import_stuck, State::done},
    {State::confirming_status, Trigger::retries_exhausted, State::done},

    {State::confirm_wait, Trigger::wake, State::confirming_status},

    {State::polling_status, Trigger::import_pending, State::status_wait},
    {State::polling_status, Trigger::import_terminal, State::done},
    {State::polling_status, Trigger::poll_retry, State::status_wait},
    {State::polling_status, Trigger::poll_refused, State::done},
    {State::polling_status, Trigger::import_stuck, State::done},
    {State::polling_status, Trigger::retries_exhausted, State::done},

    {State::status_wait, Trigger::wake, State::polling_status},

    {State::schema_wait, Trigger::wake, State::polling},
};

// Rules of every live state (all but done), written once. `deadline` is
// taken instead of a move into a live state at or after the deadline (so a
// wait is never entered past it), or when an answer's Retry-After lands past it.
struct WildcardRule {
  Trigger trigger;
  State to;
};

inline constexpr WildcardRule kEveryLiveState[] = {
    {Trigger::cancel, State::done},
    {Trigger::misuse, State::done},
    {Trigger::deadline, State::done},
};

constexpr const StateInfo& state_info(State s) noexcept {
  for (const auto& info : kStates)
    if (info.state == s) return info;
  return kStates[std::size(kStates) - 1];
}

constexpr bool is_live(State s) noexcept { return state_info(s).awaits != Awaits::nothing; }

constexpr std::optional<State> next_state(State from, Trigger trigger) noexcept {
  for (const auto& t : kTransitions)
    if (t.from == from && t.trigger == trigger) return t.to;
  if (is_live(from))
    for (const auto& w : kEveryLiveState)
      if (w.trigger == trigger) return w.to;
  return std::nullopt;
}

namespace detail {
constexpr std::size_t count_live_states() noexcept {
  std::size_t n = 0;
  for (const auto& info : kStates)
    if (is_live(info.state)) ++n;
  return n;
}
}  // namespace detail

// Every row, the wildcard rules expanded per live state (for the tests
// that enumerate the table, and for the diagram).
inline constexpr std::size_t kExpandedTransitionCount =
    std::size(kTransitions) + detail::count_live_states() * std::size(kEveryLiveState);

constexpr std::array<Transition, kExpandedTransitionCount> expanded_transitions() noexcept {
  std::array<Transition, kExpandedTransitionCount> all{};
  std::size_t n = 0;
  for (const auto& t : kTransitions) all[n++] = t;
  for (const auto& info : kStates)
    if (is_live(info.state))
      for (const auto& w : kEveryLiveState) all[n++] = Transition{info.state, w.trigger, w.to};
  return all;
}

inline constexpr std::array<Transition, kExpandedTransitionCount> kAllTransitions = expanded_transitions();

constexpr std::string_view to_string(State s) noexcept { return state_info(s).name; }

constexpr std::string_view to_string(Trigger t) noexcept {
  switch (t) {
    case Trigger::start: return "start";
    case Trigger::resume: return "resume";
    case Trigger::refused_locally: return "refused_locally";
    case Trigger::url_received: return "url_received";
    case Trigger::legacy_url_received: return "legacy_url_received";
    case Trigger::url_retry: return "url_retry";
    case Trigger::url_refused: return "url_refused";
    case Trigger::upload_accepted: return "upload_accepted";
    case Trigger::url_expired: return "url_expired";
    case Trigger::renewals_exhausted: return "renewals_exhausted";
    case Trigger::upload_retry: return "upload_retry";
    case Trigger::upload_refused: return "upload_refused";
    case Trigger::import_pending: return "import_pending";
    case Trigger::import_terminal: return "import_terminal";
    case Trigger::status_unconfirmed: return "status_unconfirmed";
    case Trigger::import_paused: return "import_paused";
    case Trigger::import_unstarted: return "import_unstarted";
    case Trigger::poll_retry: return "poll_retry";
    case Trigger::poll_refused: return "poll_refused";
    case Trigger::import_stuck: return "import_stuck";
    case Trigger::retries_exhausted: return "retries_exhausted";
    case Trigger::wake: return "wake";
    case Trigger::deadline: return "deadline";
    case Trigger::cancel: return "cancel";
    case Trigger::misuse: return "misuse";
  }
  return "?";
}

constexpr Phase phase_of(State s) noexcept { return state_info(s).phase; }

constexpr std::string_view to_string(Phase p) noexcept {
  switch (p) {
    case Phase::not_started: return "not_started";
    case Phase::requesting_url: return "requesting_url";
    case Phase::uploading: return "uploading";
    case Phase::processing: return "processing";
    case Phase::finished: return "finished";
  }
  return "?";
}

// The table's own consistency, checked by the compiler.
namespace detail {
constexpr bool states_in_enum_order() noexcept {
  for (std::size_t i = 0; i < std::size(kStates); ++i)
    if (static_cast<std::size_t>(kStates[i].state) != i) return false;
  return true;
}
constexpr bool columns_fit_awaits() noexcept {
  for (const auto& info : kStates) {
    const bool response = info.awaits == Awaits::response;
    if (response != info.sends.has_value()) return false;  // exactly the response states send
    if (response && (info.on_retry == kNa || info.on_refusal == kNa)) return false;
    if ((info.awaits == Awaits::start) != (info.starts_with != kNa)) return false;
  }
  return true;
}
constexpr bool rows_are_a_function() noexcept {
  for (std::size_t i = 0; i < std::size(kTransitions); ++i) {
    if (!is_live(kTransitions[i].from)) return false;  // done is final
    for (const auto& w : kEveryLiveState)
      if (kTransitions[i].trigger == w.trigger) return false;  // a wildcard is written once
    for (std::size_t j = i + 1; j < std::size(kTransitions); ++j)
      if (kTransitions[i].from == kTransitions[j].from && kTransitions[i].trigger == kTransitions[j].trigger)
        return false;
  }
  return true;
}
// V4 and V3 meet only in the states before step 1 answers (and done): no
// row moves an import's upload onto the V3 path or back.
constexpr bool rows_keep_their_track() noexcept {
  for (const auto& t : kTransitions) {
    const Track from = state_info(t.from).track, to = state_info(t.to).track;
    if (from != Track::either && to != Track::either && from != to) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::states_in_enum_order(), "kStates lists every State once, in the enum's order");
static_assert(detail::columns_fit_awaits(), "a state's columns must match what it awaits");
static_assert(detail::rows_are_a_function(), "one row per (state, trigger); wildcard triggers only in kEveryLiveState");
static_assert(detail::rows_keep_their_track(), "a row never moves between the V4 and the V3 path");

}  // namespace upstate
// ---- end include/upstate/machine/upload_transitions.hpp ----

// ---- begin include/upstate/machine/upload_snapshot.hpp ----
// What Upload::snapshot() writes and Upload::restore() reads: how far one
// upload got, as a small JSON document another process can continue from.
//
// Kept out on purpose:
//   - the API token: the snapshot is meant for a state file on disk, and the
//     restoring process has its own config (the type has no field for it);
//   - the presigned upload URL: a short-lived credential for one PUT. A
//     restore before an accepted PUT asks step 1 for a new one instead (the
//     old import is then listed as abandoned);
//   - steady-clock instants (deadline, waits, when a status began): they
//     mean nothing in another process. A restored upload starts its own
//     deadline and stuck timer when it is started.
//
//   {"format": "upstate.upload-snapshot", "version": 1,
//    "api_base": "https://...", "dataset_id": "...",
//    "file": {"name": "reviews.jsonl", "size": 2048},
//    "phase": "not_started" | "requesting_url" | "uploading" | "processing",
//    "legacy": false,                         V3 dataset (no import ids)
//    "import_id": "...",                      V4, phases uploading and processing
//    "abandoned_import_ids": ["...", ...],
//    "last_status": "processing"}             phase processing: the import status
//                                             (V3: the dataset status, "PROCESSING")

// ---- begin include/upstate/vocabulary/dataset_status.hpp ----
// A V3 (legacy) dataset's processing status as the service reports it
// (docs/service.md, "V3 (legacy CSV/ZIP) datasets"): GET /datasets/{id}/status. A V3
// dataset has no import jobs; the dataset itself is processed.

namespace upstate {

enum class DatasetStatus {
  uninitialised,  // nothing uploaded (or not seen yet)
  processing,
  ready,  // terminal: the file was taken
  error,  // terminal: the file was refused
};

inline constexpr DatasetStatus kAllDatasetStatuses[] = {DatasetStatus::uninitialised, DatasetStatus::processing,
                                                        DatasetStatus::ready, DatasetStatus::error};

constexpr bool is_terminal(DatasetStatus s) noexcept { return s == DatasetStatus::ready || s == DatasetStatus::error; }

// The wire spelling (upper case, as docs/service.md writes it).
constexpr std::string_view to_string(DatasetStatus s) noexcept {
  switch (s) {
    case DatasetStatus::uninitialised: return "UNINITIALISED";
    case DatasetStatus::processing: return "PROCESSING";
    case DatasetStatus::ready: return "READY";
    case DatasetStatus::error: return "ERROR";
  }
  return "?";
}

// Case-insensitive: the V3 API's case is documented only by example, and
// "ready" cannot mean anything but READY. Anything else is nullopt (the
// machine makes it a typed error), never a guess.
constexpr std::optional<DatasetStatus> parse_dataset_status(std::string_view text) noexcept {
  for (DatasetStatus s : kAllDatasetStatuses)
    if (iequals(to_string(s), text)) return s;
  return std::nullopt;
}

// The V4 status a V3 one corresponds to, so progress displays and the
// outcome speak one vocabulary: READY is `complete`, ERROR is `failed`.
constexpr ImportStatus to_import_status(DatasetStatus s) noexcept {
  switch (s) {
    case DatasetStatus::uninitialised: return ImportStatus::uninitialised;
    case DatasetStatus::processing: return ImportStatus::processing;
    case DatasetStatus::ready: return ImportStatus::complete;
    case DatasetStatus::error: return ImportStatus::failed;
  }
  return ImportStatus::failed;
}

}  // namespace upstate
// ---- end include/upstate/vocabulary/dataset_status.hpp ----

namespace upstate {

// How far an upload got, as far as another process can use it.
enum class SnapshotPhase {
  not_started,     // start() not called yet
  requesting_url,  // no usable upload URL: a restore starts at step 1
  uploading,       // a URL was received, no PUT accepted yet: a restore asks whether the import got the
                   // file (V4), then polls it or starts at step 1
  processing,      // the PUT was accepted: a restore polls
};

constexpr std::string_view to_string(SnapshotPhase p) noexcept {
  switch (p) {
    case SnapshotPhase::not_started: return "not_started";
    case SnapshotPhase::requesting_url: return "requesting_url";
    case SnapshotPhase::uploading: return "uploading";
    case SnapshotPhase::processing: return "processing";
  }
  return "?";
}

struct UploadSnapshot {
  static constexpr std::string_view kFormat = "upstate.upload-snapshot";
  static constexpr int kVersion = 1;
  // Bounds that keep a hostile document cheap to refuse; a real snapshot is
  // a few hundred bytes (each import id is at most 256 bytes).
  static constexpr std::size_t kMaxBytes = 1u << 20;
  static constexpr std::size_t kMaxAbandoned = 1024;
  static constexpr std::size_t kMaxImportIdBytes = 256;

  std::string api_base;
  std::string dataset_id;
  FileInfo file;  // name "" and size 0 when unknown (a machine made by Upload::resume_import)
  SnapshotPhase phase = SnapshotPhase::not_started;
  bool legacy = false;
  std::string import_id;  // "" when none
  std::vector<std::string> abandoned_import_ids;
  // Phase processing only: V4 the import status, V3 the dataset status.
  std::optional<ImportStatus> last_import_status;
  std::optional<DatasetStatus> last_dataset_status;
};

namespace detail {

// An import id we will put in a URL path later: the rules step 1's answer
// is held to. No control byte either: it is shown in summaries, notes and
// messages, and a server-chosen escape sequence there would drive the
// user's terminal.
inline bool usable_import_id(std::string_view id) noexcept {
  return is_safe_segment(id) && id.size() <= UploadSnapshot::kMaxImportIdBytes && !has_control_byte(id);
}

}  // namespace detail

// Compact JSON, fields in the order of the comment above; optional fields
// are left out when empty. Strings are written byte for byte (RapidJSON
// escapes control characters), so a name that is not UTF-8 still round-trips.
UPSTATE_DECL std::string to_json(const UploadSnapshot& s);

// The document checked field by field: Error{invalid_snapshot, path} names
// the first field at fault ("$.file.size", "$.abandoned_import_ids[3]").
// Unknown fields are ignored (a later version may add some); a known field
// of the wrong type, an unknown phase or status, an import id that is no
// safe path segment, and fields that contradict the phase are errors.
// Whether it belongs to the caller's dataset and API is Upload::restore's
// check.
UPSTATE_DECL Result<UploadSnapshot> parse_upload_snapshot(std::string_view text);

}  // namespace upstate

// ---- end include/upstate/machine/upload_snapshot.hpp ----

// ---- begin include/upstate/wire/dataset_status.hpp ----
// V3 step 3's answer: GET /datasets/{id}/status -> 200,
// {"status": "UNINITIALISED" | "PROCESSING" | "READY" | "ERROR"}.

namespace upstate {

struct DatasetStatusAnswer {
  DatasetStatus status = DatasetStatus::uninitialised;  // required; case-insensitive; unknown -> unknown_status
  // Why an ERROR: UNCONFIRMED (docs/service.md shows `status` alone), so read from
  // `reason`, else `message`, else `detail`, as record errors are.
  std::optional<std::string> reason;
};

// Errors: malformed_answer (not JSON / not an object / status missing or
// not a string / reason not a string), unknown_status (path "$.status").
// Unknown fields are ignored.
UPSTATE_DECL Result<DatasetStatusAnswer> parse_dataset_status_answer(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

// ---- end include/upstate/wire/dataset_status.hpp ----

// ---- begin include/upstate/wire/upload_url.hpp ----
// Step 1's answer: GET /datasets/{id}/upload-url/{filename} -> 201 Created
// (docs/service.md, Step 1; any 2xx is taken).

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

// ---- end include/upstate/wire/upload_url.hpp ----

namespace upstate {

// One move the machine made, for tests and for people debugging a run.
struct Step {
  Instant at;
  State from;
  Trigger trigger;
  State to;
};

class Upload {
 public:
  static constexpr std::size_t kMaxTrace = 4096;

  UPSTATE_DECL Upload(UploadConfig config, FileInfo file);

  // ---- across processes ----------------------------------------------------

  // A machine that only polls `import_id` of config.dataset_id (a V4 import
  // whose PUT some earlier process completed): start() sends the poll. The
  // file is unknown and never needed; an unusable id is refused by start()
  // (invalid_argument), like every other input.
  UPSTATE_DECL static Upload resume_import(UploadConfig config, std::string import_id);

  // The same for a V3 (legacy) dataset: start() polls its status.
  UPSTATE_DECL static Upload resume_legacy(UploadConfig config);

  // How far this upload got, as JSON (upload_snapshot.hpp has the format):
  // never the token, the presigned URL or a clock reading. Valid in every
  // state; a driver writes it after each action to survive being killed.
  // Defined in impl/upload_restore.ipp.
  UPSTATE_DECL std::string snapshot() const;

  // A machine that continues a snapshot in this process, in the idle state
  // that matches how far the snapshot got (upload_transitions.hpp): its start(now)
  // begins a new deadline and then: after an accepted PUT, polls; with a URL
  // but no accepted PUT (V4), probes the import once — if it never got the
  // file (still `uninitialised`) the import is abandoned and step 1 runs
  // again, otherwise the PUT did land and polling goes on; before that (or
  // V3), starts at step 1. Errors (invalid_snapshot, with the JSON path):
  // anything parse_upload_snapshot refuses, and a snapshot of another
  // dataset or API base than `config`'s. Defined in impl/upload_restore.ipp.
  UPSTATE_DECL static Result<Upload> restore(UploadConfig config, std::string_view snapshot);

  // ---- events ------------------------------------------------------------
  // Each returns the one Action to perform next; `now` is the caller's clock.

  // Begins the deadline (config.deadline from now) and sends step 1's GET
  // upload-url (or, for a resumed or restored machine, its first poll or
  // probe). Called once; a second call is misuse (Finished, usage).
  UPSTATE_DECL Action start(Instant now);

  // The answer to the last Send: step 1's URL, the PUT's status, a poll's
  // report. Retryable answers (5xx, 429, per RetryPolicy) become a Sleep;
  // a terminal report or a refused answer, Finished.
  UPSTATE_DECL Action on_response(const Response& response, Instant now);

  // The last Send got no answer (refused, reset, timed out): retried like a
  // 5xx while the retry policy and the deadline allow.
  UPSTATE_DECL Action on_transport_error(const TransportError& error, Instant now);

  // The last Sleep is over (a retry backoff or the next poll): sends again;
  // a PUT whose presigned URL expired meanwhile renews the URL first. An
  // early wake returns the same Sleep.
  UPSTATE_DECL Action on_wake(Instant now);

  // Ends the upload now (Finished, cancelled); once done, repeats the outcome.
  UPSTATE_DECL Action cancel(Instant now);

  // ---- observers ---------------------------------------------------------

  State state() const noexcept { return state_; }
  Phase phase() const noexcept { return phase_of(state_); }
  // How far the upload got: the state's `reached` column; once done, what
  // the run had reached when it ended (a terminal import report: the upload).
  Reached reached() const noexcept {
    if (state_ != State::done) return state_info(state_).reached;
    if (outcome_.report()) return Reached::upload;
    return state_info(ended_in_).reached;
  }
  const Outcome* outcome() const noexcept { return state_ == State::done ? &outcome_ : nullptr; }
  Instant deadline() const noexcept { return deadline_; }
  const std::string& import_id() const noexcept { return import_id_; }
  // V3 uploads report their dataset status here too, as the import status
  // it corresponds to (READY is complete, ERROR failed).
  std::optional<ImportStatus> last_status() const noexcept { return last_status_; }
  // Whether this upload is on the V3 (legacy) path: the state's `track`
  // column; before step 1 answers (and once done), what step 1 (or the
  // snapshot) last said about the dataset.
  bool legacy() const noexcept {
    const Track track = state_info(state_).track;
    return track == Track::either ? said_v3_ : track == Track::v3;
  }
  std::optional<DatasetStatus> last_dataset_status() const noexcept { return last_dataset_status_; }
  // The service's own progress figures from the last poll (server_progress.hpp);
  // nullopt when the last answer had none.
  const std::optional<ServerProgress>& server_progress() const noexcept { return server_progress_; }
  // The imports this upload gave up on so far (a URL renewed, an import
  // that never got the file): the list its snapshot and outcome carry,
  // without the one it is on now.
  const std::vector<std::string>& abandoned_import_ids() const noexcept { return abandoned_; }
  const std::vector<Step>& trace() const noexcept { return trace_; }
  // Retries, renewals and odd statuses so far (the same list the outcome gets).
  const std::vector<Note>& notes() const noexcept { return outcome_.notes; }
  const FileInfo& file() const noexcept { return file_; }

 private:
  // ---- the table ---------------------------------------------------------

  // Every move goes through here: look the move up, record it, then act on
  // entering the new state. A move into a live state at or after the
  // deadline is the state's `deadline` row instead (one event, one row).
  UPSTATE_DECL Action take(Trigger trigger, Instant now);

  // What the new state does on entry: its `sends` column, else a wait (or,
  // done, the outcome).
  UPSTATE_DECL Action enter();

  // Every event's prologue: the caller's clock made monotonic (`now` is
  // updated); once done, the outcome again; an event the state does not
  // await (`expected`; nullopt: any), the misuse row.
  UPSTATE_DECL std::optional<Action> admit(std::optional<Awaits> expected, const char* event, Instant& now);

  UPSTATE_DECL Action finish(Trigger trigger, Error error, Instant now);

  UPSTATE_DECL Action misuse(const char* event, Instant now);

  // Our bug, reported as such: ends the run with ErrorCode::internal.
  UPSTATE_DECL Action internal_error(std::string what, Instant now);

  UPSTATE_DECL Action done_action();

  // ---- step 1 ------------------------------------------------------------

  UPSTATE_DECL Action on_url_answer(const Response& response, Instant now);

  // `info` is null when upload_url is not an absolute http(s) URL.
  UPSTATE_DECL std::optional<Error> check_url_answer(const UploadUrlAnswer& a, const PresignedUrlInfo* info,
                                                     int status) const;

  // The URL's expiry in our own clock: its wall-clock expiry (url_expiry.hpp)
  // minus the answer's `Date` (or the signing time) is how long it has left.
  UPSTATE_DECL std::optional<Instant> local_expiry(std::optional<UnixSeconds> expires_at, const PresignedUrlInfo& info,
                                                   const Response& response, Instant now) const;

  bool url_expired_at(Instant now) const { return url_expires_at_ && now >= *url_expires_at_; }

  UPSTATE_DECL Action renew_url(Instant now);

  // ---- step 2 ------------------------------------------------------------

  UPSTATE_DECL Action on_upload_answer(const Response& response, Instant now);

  // ---- step 3 ------------------------------------------------------------

  UPSTATE_DECL Action on_poll_answer(const Response& response, Instant now);

  UPSTATE_DECL Action start_over(Instant now);

  // Not terminal yet: wait for the next poll, unless nothing has happened
  // since the PUT for too long.
  // `trigger`: the row of the wait (status_unconfirmed: a V3 status not yet this file's).
  UPSTATE_DECL Action pending(bool unstarted, const char* still, const Response& response, Instant now,
                              Trigger trigger = Trigger::import_pending);

  // ---- step 3, V3 (legacy) ---------------------------------------------------

  UPSTATE_DECL Action on_status_answer(const Response& response, Instant now);

  // A V3 dataset has no import: its terminal status becomes a report in
  // the V4 vocabulary, so callers handle one outcome type.
  UPSTATE_DECL ImportReport legacy_report(DatasetStatusAnswer answer) const;

  UPSTATE_DECL void track_status(ImportStatus status, Instant now);

  // ---- retries and waits ---------------------------------------------------

  // The API step's verdict on an answer (api_step.hpp) as a move of the
  // table: retry, or refuse (the state's on_refusal). nullopt: parse it.
  UPSTATE_DECL std::optional<Action> unless_parseable(const Response& response, Instant now);

  UPSTATE_DECL Action act_on(AnswerMeaning meaning, Instant now);

  // The state's on_retry row after a wait, or the end: retries_exhausted,
  // or deadline when the server's Retry-After lands past it.
  UPSTATE_DECL Action retry(const AnswerMeaning& failure, Instant now);

  UPSTATE_DECL Action wait_then(Trigger trigger, Duration wait, Instant now);

  // ---- requests ----------------------------------------------------------

  UPSTATE_DECL Action send(Request request);

  Headers api_headers() const { return api_headers_for(config_); }

  // What a state's `sends` column asks for.
  UPSTATE_DECL Request request_for(Purpose purpose);

  std::string dataset_url() const { return upstate::dataset_url(config_); }

  UPSTATE_DECL Request upload_url_request() const;

  // No Authorization here, ever: the presigned URL is the credential, and
  // S3 refuses a request that carries two.
  UPSTATE_DECL Request upload_request() const;

  // Polls repeat the same request: its URL is built once per import.
  UPSTATE_DECL Request poll_request();

  UPSTATE_DECL Request status_request() const;

  // ---- helpers -------------------------------------------------------------

  // A machine that resumes after an accepted PUT never uploads, so its
  // file (often unknown) is not checked.
  UPSTATE_DECL std::optional<Error> check_inputs() const;

  UPSTATE_DECL static Error with_status(Error e, int status);

  // `phase`: of the state the run was in or entering when the deadline passed.
  UPSTATE_DECL Error deadline_error(Phase phase) const;

  // The step the current state's request (or wait) belongs to: its `step` column.
  Purpose current_purpose() const noexcept { return state_info(state_).step.value_or(Purpose::upload_url); }

  UPSTATE_DECL void note(Instant now, std::string text);

  Instant observe(Instant now) noexcept { return time_.observe(now); }

  UploadConfig config_;
  FileInfo file_;
  Rng rng_;
  // What step 1 (or a snapshot) last said about the dataset — V3: no
  // import_id. An observation for legacy() and snapshots only: no move
  // consults it (step 1's answer chose the V3 states, whose track says it).
  bool said_v3_ = false;
  std::optional<ServerProgress> server_progress_;
  // V3: the first status read since the PUT, which an unchanged READY/ERROR
  // is compared with in confirming_status (legacy_freshness.hpp).
  std::optional<DatasetStatus> first_status_since_put_;
  bool stale_noted_ = false;  // the "may be the previous file's" note is written once
  std::string poll_url_, poll_url_import_;  // poll_request()'s cache
  std::optional<DatasetStatus> last_dataset_status_;

  State state_ = State::idle;
  State ended_in_ = State::idle;  // done: the live state the run ended in (or was entering)
  Instant deadline_{};
  Instant wake_at_{};
  MonotonicTime time_;  // the caller's clock, never running backwards

  std::string import_id_;
  std::vector<std::string> abandoned_;
  std::string upload_url_;
  std::string content_type_;
  std::optional<Instant> url_expires_at_;
  int renewals_ = 0;
  RetryBudget retry_;  // consecutive failures of the current step
  int last_upload_status_ = 0;

  Instant upload_accepted_at_{};
  std::optional<ImportStatus> last_status_;
  std::optional<ImportReport> paused_report_;  // the last pending_schema report while keep_polling
  Instant status_since_{};
  int same_status_polls_ = 0;
  bool stuck_noted_ = false;

  Outcome outcome_;
  std::vector<Step> trace_;
};

}  // namespace upstate

// snapshot() and restore(): after the class, in a file of their own.

// ---- begin include/upstate/machine/upload_restore.hpp ----
// Upload::snapshot() and Upload::restore(): an upload carried across
// processes through a state file (upload_snapshot.hpp has the format). A
// restored machine starts in the idle state that matches how far the
// snapshot got (upload_transitions.hpp: idle, idle_put_unknown, idle_uploaded,
// idle_uploaded_v3), so what its start() sends is a row of the table.

// ---- end include/upstate/machine/upload_restore.hpp ----
// ---- end include/upstate/machine/upload.hpp ----

namespace upstate {

// `observer(upload, action)` sees every action before it is carried out
// (progress lines, logging). Returns the final outcome.
template <class Transport, class ClockT, class Observer = NoObserver>
Outcome drive(Upload& upload, Transport& transport, ClockT& clock, Observer&& observer = {}) {
  return std::get<Done>(drive_machine(upload, transport, clock, std::forward<Observer>(observer))).outcome;
}

}  // namespace upstate
// ---- end include/upstate/machine/drive.hpp ----

// The wire: the service's answers parsed into values.

// ---- begin include/upstate/wire/error_body.hpp ----
// The API's error body (docs/service.md, "Error body"), in either shape:
//   {"error": {"status", "error_code", "title", "detail", "additional_information"}}
//   {"message": ..., "detail": ...}
// `title` is generic ("Bad Request"); `detail` is the explanation a user
// needs, a string or an object/array of field messages (rendered here as
// "field: message; ..."). summary() puts the explanation first:
//   "Unsupported file type (error_code 140400; Bad Request)".
// Everything kept is cut to a bound on a character boundary; making it
// printable and redacting the token is the caller's job (it knows the token).

namespace upstate {

struct ApiErrorBody {
  std::optional<int> status;
  std::optional<long long> error_code;
  std::string title;       // generic HTTP reason ("Bad Request"); may be empty
  std::string detail;      // the explanation; an object/array rendered "field: message; ..."; may be empty
  std::string message;     // a `message` (or `description`) beside or instead of detail; may be empty
  std::string additional;  // additional_information, rendered; may be empty

  // Explanation first, then the error code, the title and the additional
  // information in parentheses. Empty when the body held no text at all.
  UPSTATE_DECL std::string summary() const;
};

// Error{malformed_answer} when the body is not a JSON object, or holds
// neither an "error" object nor a top-level `message`/`detail`. Inside, nothing
// is refused: this body only decorates an HTTP status that already decides
// the outcome, so a `status` or `error_code` that is not an integer (the
// fields are barely documented) is ignored rather than allowed to throw the
// human text away.
UPSTATE_DECL Result<ApiErrorBody> parse_error_body(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

// ---- end include/upstate/wire/error_body.hpp ----

// ---- begin include/upstate/wire/s3_error.hpp ----
// S3's XML error: <Error><Code>..</Code><Message>..</Message>...</Error>.
// A tiny, bounded reader for exactly that shape (no general XML parser):
// child elements of <Error> holding text, entities decoded.

// ---- begin include/upstate/wire/parse_error.hpp ----
// Private helpers (namespace detail, not API) shared by the wire parsers:
// the malformed-answer and size-cap errors. Kept apart from json.hpp so the
// XML reader does not drag RapidJSON in.

namespace upstate {
namespace detail {

inline Error malformed(std::string path, std::string message) {
  Error e;
  e.code = ErrorCode::malformed_answer;
  e.message = std::move(message);
  e.path = std::move(path);
  return e;
}

// Checked before any parsing, so an oversized answer costs neither time nor
// memory beyond the bytes the caller already holds.
inline Error body_too_large(std::size_t size, std::size_t cap, std::string path = "$") {
  return malformed(std::move(path), "answer of " + std::to_string(size) + " bytes exceeds the " +
                                        std::to_string(cap) + "-byte cap");
}

// "$.list[3]": the JSON path of an array element.
inline std::string element_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace detail
}  // namespace upstate
// ---- end include/upstate/wire/parse_error.hpp ----

namespace upstate {

struct S3Error {
  std::string code;     // e.g. "AccessDenied", "SignatureDoesNotMatch", "SlowDown"
  std::string message;  // e.g. "Request has expired"
  std::vector<std::pair<std::string, std::string>> fields;  // every other child: Expires, ServerTime, Header, ...

  const std::string* field(std::string_view name) const {
    for (const auto& f : fields)
      if (f.first == name) return &f.second;
    return nullptr;
  }
};

// Error{malformed_answer} when no <Error> element with a non-empty <Code> is
// found. Reading stops quietly at the first thing that is not this shape
// (e.g. a body cut short by the codec's cap): what was read up to there is
// kept, and only a missing Code is an error. The first <Code> and <Message>
// fill `code` and `message`; every other child goes to `fields` in order.
UPSTATE_DECL Result<S3Error> parse_s3_error(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

// ---- end include/upstate/wire/s3_error.hpp ----

// Internals the machines use (no API promise), included so the single
// header holds them.

// ---- begin include/upstate/detail/classify.hpp ----
// What an answer means for the step it answers (ARCHITECTURE.md,
// "Policies"): go on, retry the same request, go back to step 1 for a new
// URL, or stop with a typed error. Kept as tables so tests can walk them.

namespace upstate {

enum class Verdict {
  success,    // 2xx: parse the body and go on
  retry,      // transient: same request again after a backoff
  renew_url,  // the presigned URL is dead: step 1 again
  final,      // stop with `code`
};

struct Classification {
  Verdict verdict = Verdict::final;
  // Meaningful when verdict == final (retry: the code if the budget runs
  // out; success: `internal`, never read — never the caller's `usage`).
  ErrorCode code = ErrorCode::unexpected_status;
};

struct StatusRule {
  int status;
  Classification meaning;
};

// API answers (steps 1 and 3). Statuses not listed fall back by class in
// `classify_api_status`.
inline constexpr StatusRule kApiStatusRules[] = {
    {400, {Verdict::final, ErrorCode::bad_request}},
    {401, {Verdict::final, ErrorCode::unauthorized}},
    {403, {Verdict::final, ErrorCode::forbidden}},
    {404, {Verdict::final, ErrorCode::not_found}},
    {408, {Verdict::retry, ErrorCode::retries_exhausted}},
    {422, {Verdict::final, ErrorCode::unprocessable}},
    {425, {Verdict::retry, ErrorCode::retries_exhausted}},
    {429, {Verdict::retry, ErrorCode::retries_exhausted}},
    {501, {Verdict::final, ErrorCode::api_error}},
    {505, {Verdict::final, ErrorCode::api_error}},
};

constexpr Classification classify_api_status(int status) noexcept {
  for (const auto& rule : kApiStatusRules)
    if (rule.status == status) return rule.meaning;
  if (status >= 200 && status <= 299) return {Verdict::success, ErrorCode::internal};
  if (status >= 500 && status <= 599) return {Verdict::retry, ErrorCode::retries_exhausted};
  if (status >= 400 && status <= 499) return {Verdict::final, ErrorCode::api_error};
  // 1xx reaching us, 3xx (never followed: a redirect must not carry the
  // token elsewhere), or a number outside HTTP's range.
  return {Verdict::final, ErrorCode::unexpected_status};
}

// S3 answers to the PUT: the XML `Code` decides before the status does
// (docs/service.md's table: RequestTimeout is a retryable 400, ExpiredToken a 400
// that wants a new URL).
struct S3CodeRule {
  std::string_view code;
  Classification meaning;
};

inline constexpr S3CodeRule kS3CodeRules[] = {
    {"RequestTimeout", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"IncompleteBody", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"SlowDown", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"InternalError", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"ServiceUnavailable", {Verdict::retry, ErrorCode::retries_exhausted}},
    {"ExpiredToken", {Verdict::renew_url, ErrorCode::upload_url_expired}},
    {"TokenRefreshRequired", {Verdict::renew_url, ErrorCode::upload_url_expired}},
    {"SignatureDoesNotMatch", {Verdict::final, ErrorCode::signature_mismatch}},
    {"EntityTooLarge", {Verdict::final, ErrorCode::file_too_large}},
    {"MissingContentLength", {Verdict::final, ErrorCode::upload_rejected}},
    {"NotImplemented", {Verdict::final, ErrorCode::upload_rejected}},
    {"BadDigest", {Verdict::final, ErrorCode::upload_rejected}},
    {"InvalidDigest", {Verdict::final, ErrorCode::upload_rejected}},
};

inline bool mentions_expiry(std::string_view message) noexcept {
  // "Request has expired" (the URL) as S3 words it; "expired" alone is enough.
  return message.find("xpired") != std::string_view::npos;
}

// `xml` is the parsed error body when there was one; `url_known_expired`
// says whether the URL's own expiry (X-Amz-Date + X-Amz-Expires) has passed,
// which explains a bare 403 without a body.
inline Classification classify_upload_answer(int status, const S3Error* xml, bool url_known_expired) noexcept {
  if (status >= 200 && status <= 299) return {Verdict::success, ErrorCode::internal};
  if (xml) {
    for (const auto& rule : kS3CodeRules)
      if (rule.code == xml->code) return rule.meaning;
    if (xml->code == "AccessDenied" && (mentions_expiry(xml->message) || url_known_expired))
      return {Verdict::renew_url, ErrorCode::upload_url_expired};
  } else if (status == 403 && url_known_expired) {
    return {Verdict::renew_url, ErrorCode::upload_url_expired};
  }
  if (status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505))
    return {Verdict::retry, ErrorCode::retries_exhausted};
  if (status >= 400 && status <= 499) return {Verdict::final, ErrorCode::upload_rejected};
  if (status == 501 || status == 505) return {Verdict::final, ErrorCode::upload_rejected};
  return {Verdict::final, ErrorCode::unexpected_status};
}

}  // namespace upstate
// ---- end include/upstate/detail/classify.hpp ----
// ---- end include/upstate/upstate.hpp ----

#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_HPP

// ---- the out-of-line bodies (include/upstate/impl/*.ipp; detail/linkage.hpp) ----
// Compiled here by default (header-only). With UPSTATE_SEPARATE_COMPILATION
// defined for the whole build, only in the one translation unit that
// defines UPSTATE_IMPLEMENTATION before including this file.
#if (!defined(UPSTATE_SEPARATE_COMPILATION) || defined(UPSTATE_IMPLEMENTATION)) && !defined(UPSTATE_SINGLE_INCLUDE_UPSTATE_HPP_IMPL)
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_HPP_IMPL

// ---- begin include/upstate/impl/wire_import_report.ipp ----
// The bodies of <upstate/wire/import_report.hpp> (see detail/linkage.hpp):
// the DOM parser, and the SAX fast path (import_report_sax.hpp, at the end).

// ---- begin include/upstate/wire/json.hpp ----
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_JSON_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_JSON_HPP
// Private RapidJSON helpers (namespace detail, not API) shared by every JSON
// answer parser, so they all agree on how a body is parsed and how a bad
// field is reported: Error{malformed_answer, short message, JSON path}.
//
// RapidJSON is used as configured by whoever includes it first: nothing here
// defines RAPIDJSON_* macros, and only accessors that cannot hit
// RAPIDJSON_ASSERT are called (FindMember, never operator[]; Get* only after
// the matching Is*).
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

namespace upstate {
namespace detail {

using JsonValue = rapidjson::Value;

inline const char* json_type_name(const JsonValue& v) noexcept {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "boolean";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return "number";
  }
  return "unknown";
}

inline std::string wrong_type(const char* expected, const JsonValue& got) {
  return std::string("expected ") + expected + ", got " + json_type_name(got);
}

// "$.key" for plain keys, `$["odd key"]` otherwise; a key is quoted through
// printable_excerpt so a megabyte-long or control-character key cannot
// blow up or forge the path.
inline std::string member_path(std::string_view parent, std::string_view key) {
  bool plain = !key.empty() && key.size() <= 64;
  for (char c : key) {
    bool word_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    plain = plain && word_char;
  }
  std::string out(parent);
  if (plain) {
    out += '.';
    out += key;
  } else {
    out += "[\"" + printable_excerpt(key, 64) + "\"]";
  }
  return out;
}

inline std::string_view string_view_of(const JsonValue& string_value) noexcept {
  return {string_value.GetString(), string_value.GetStringLength()};
}

// Nesting depth and value count (ParseLimits::max_json_depth and
// max_json_values), in one pass that allocates nothing: strings are skipped
// (memchr to each quote), then brackets and commas counted. Lenient about
// everything else: a body it lets through that is not JSON is the parser's
// to refuse.
inline std::optional<Error> check_json_shape(std::string_view body, const ParseLimits& limits) {
  std::size_t depth = 0;
  std::size_t values = 1;
  const char* p = body.data();
  const char* const end = p + body.size();
  while (p < end) {
    const char c = *p++;
    if (c == '"') {
      for (;;) {
        const void* q = std::memchr(p, '"', static_cast<std::size_t>(end - p));
        if (!q) return std::nullopt;  // unterminated string: the parser says so
        const char* quote = static_cast<const char*>(q);
        std::size_t backslashes = 0;
        for (const char* b = quote; b > p && b[-1] == '\\'; --b) ++backslashes;
        p = quote + 1;
        if (backslashes % 2 == 0) break;  // not escaped: the string ends here
      }
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_json_depth)
        return malformed("$", "JSON nested deeper than " + std::to_string(limits.max_json_depth) + " levels");
      ++values;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    } else if (c == ',') {
      ++values;
    } else {
      continue;
    }
    if (values > limits.max_json_values)
      return malformed("$", "JSON with more than " + std::to_string(limits.max_json_values) + " values");
  }
  return std::nullopt;
}

// The checks made before RapidJSON sees a byte: the size cap, NUL, and the
// shape (depth, value count).
inline std::optional<Error> check_json_text(std::string_view body, const ParseLimits& limits) {
  if (body.size() > limits.max_body_bytes) return body_too_large(body.size(), limits.max_body_bytes);
  // RapidJSON's memory stream reads NUL as end of input, so "{}\0junk" would
  // pass as "{}". A raw NUL byte is never valid JSON text (inside strings it
  // must be escaped), so refusing it outright is exact.
  if (const void* nul = std::memchr(body.data(), '\0', body.size())) {
    auto offset = static_cast<std::size_t>(static_cast<const char*>(nul) - body.data());
    return malformed("$", "not JSON: NUL byte at offset " + std::to_string(offset));
  }
  return check_json_shape(body, limits);
}

// After the parse: a syntax error, or a root that is not an object.
inline std::optional<Error> check_json_object(const rapidjson::Document& doc) {
  if (doc.HasParseError()) {
    return malformed("$", std::string("not JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
                              " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return malformed("$", wrong_type("object", doc));
  return std::nullopt;
}

// Parses `body` into a document and checks that the root is an object: the
// one RapidJSON parse every wire parser uses (one instantiation of its
// reader, not two: each costs every header-only file compile time). Iterative
// parsing keeps deep nesting off the call stack; no kParseStopWhenDoneFlag,
// so bytes after the document are an error. In situ: RapidJSON decodes each
// string inside a private copy of the body and points at it, instead of
// copying it to a stack and then again into the document, which takes about
// a third off the parse of a 10,000-item answer (bench/). The document's
// values point into that copy, so this object is neither copied nor moved.
// Results, errors and offsets are those of Document::Parse(text, length).
class InSituJson {
 public:
  InSituJson() = default;
  InSituJson(const InSituJson&) = delete;
  InSituJson& operator=(const InSituJson&) = delete;

  std::optional<Error> parse_object(std::string_view body, const ParseLimits& limits) {
    if (auto error = check_json_text(body, limits)) return error;
    text_.assign(body.data(), body.size());  // std::string ends in a NUL: the in-situ stream's end mark
    rapidjson::InsituStringStream in(&text_[0]);
    // Document::Parse(text, length) reads through EncodedInputStream, which
    // skips the bytes of a UTF-8 byte order mark (each of EF, BB, BF, in that
    // order, when present); skipped the same way here, so both parses accept
    // the same bodies and report the same offsets.
    for (unsigned bom : {0xEFu, 0xBBu, 0xBFu})
      if (static_cast<unsigned char>(in.Peek()) == bom) in.Take();
    doc_.ParseStream<rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag, rapidjson::UTF8<>>(in);
    return check_json_object(doc_);
  }

  const rapidjson::Document& doc() const noexcept { return doc_; }

 private:
  std::string text_;
  // The document's first values live in the object itself (a poll answer
  // fits), so a small answer allocates no 64 KiB chunk and no allocator.
  alignas(std::max_align_t) char first_chunk_[2048];
  rapidjson::MemoryPoolAllocator<> pool_{first_chunk_, sizeof first_chunk_};
  rapidjson::Document doc_{&pool_};
};

// ---- one value, checked against the type the field must have ----

inline Result<std::string> read_string(const JsonValue& v, const std::string& path) {
  if (!v.IsString()) return malformed(path, wrong_type("string", v));
  return std::string(string_view_of(v));
}

inline Result<bool> read_bool(const JsonValue& v, const std::string& path) {
  if (!v.IsBool()) return malformed(path, wrong_type("boolean", v));
  return v.GetBool();
}

// A JSON integer that fits `int`. RapidJSON stores "4.0" as a double, and a
// double is refused: the API writes integers.
inline Result<int> read_int(const JsonValue& v, const std::string& path) {
  if (!v.IsNumber()) return malformed(path, wrong_type("integer", v));
  if (v.IsInt()) return v.GetInt();
  if (v.IsInt64() || v.IsUint64()) return malformed(path, "expected integer, got number out of range");
  return malformed(path, "expected integer, got non-integer number");
}

// Counts: non-negative integers that fit uint64. Refused: negatives,
// fractions (3.5), integers written as decimals or exponents (3.0, 1e3; the
// API sends plain integers, and accepting them would need a rounding rule),
// and integers beyond 2^64-1 (RapidJSON turns those into doubles).
inline Result<std::uint64_t> read_count(const JsonValue& v, const std::string& path) {
  constexpr const char* kExpected = "expected non-negative integer, got ";
  if (!v.IsNumber()) return malformed(path, kExpected + std::string(json_type_name(v)));
  if (v.IsUint64()) return v.GetUint64();
  if (v.IsInt64()) return malformed(path, kExpected + std::string("negative number"));
  const double d = v.GetDouble();  // finite: the parser refuses NaN and Infinity without kParseNanAndInfFlag
  if (d < 0) return malformed(path, kExpected + std::string("negative number"));
  // Fractional: below 2^63 (above, every double is an integer) the
  // truncation differs; d >= 0 here, so truncation is floor. Not std::floor:
  // <cmath> costs every file of a header-only build about 0.1 s.
  if (d < 9223372036854775808.0 && d != static_cast<double>(static_cast<std::int64_t>(d)))
    return malformed(path, kExpected + std::string("fractional number"));
  return malformed(path, kExpected + std::string("decimal-form or out-of-range number"));
}

// ---- fields of one object ----

// Reads the fields of one JSON object in order and keeps the first error, so
// a parser reads like the table in docs/service.md and checks `failed()` once. After
// an error every getter returns its default without looking further.
class ObjectReader {
 public:
  ObjectReader(const JsonValue& object, std::string path) : object_(object), path_(std::move(path)) {}

  const std::string& path() const noexcept { return path_; }
  bool failed() const noexcept { return error_.has_value(); }
  Error take_error() { return std::move(*error_); }
  void fail(Error e) {
    if (!error_) error_ = std::move(e);
  }

  std::string path_of(const char* key) const { return member_path(path_, key); }

  // The member's value, or nullptr when it is absent or null (null counts as
  // absent for optional fields). The first of duplicate keys wins.
  const JsonValue* find(const char* key) const {
    auto it = object_.FindMember(key);
    if (it == object_.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }

  // The first of `keys` that is present and not null (nullptr if none), for
  // fields the API spells several ways.
  const char* first_present(std::initializer_list<const char*> keys) const {
    for (const char* key : keys)
      if (find(key)) return key;
    return nullptr;
  }

  // Required: absent and null are both errors.
  std::string required_string(const char* key) {
    if (failed()) return {};
    auto it = object_.FindMember(key);
    if (it == object_.MemberEnd()) {
      fail(malformed(path_of(key), "missing required field"));
      return {};
    }
    return take(key, read_string(it->value, std::string()), std::string{});
  }

  std::optional<std::string> optional_string(const char* key) { return optional(key, read_string); }
  std::optional<bool> optional_bool(const char* key) { return optional(key, read_bool); }
  std::optional<int> optional_int(const char* key) { return optional(key, read_int); }
  std::optional<std::uint64_t> optional_count(const char* key) { return optional(key, read_count); }

  // Containers are returned as pointers into the document (nullptr when
  // absent, null or after an error) for the caller to walk.
  const JsonValue* optional_array(const char* key) { return optional_container(key, "array", &JsonValue::IsArray); }
  const JsonValue* optional_object(const char* key) {
    return optional_container(key, "object", &JsonValue::IsObject);
  }
  const JsonValue* required_object(const char* key) {
    if (failed()) return nullptr;
    auto it = object_.FindMember(key);
    if (it == object_.MemberEnd()) {
      fail(malformed(path_of(key), "missing required field"));
      return nullptr;
    }
    if (!it->value.IsObject()) {
      fail(malformed(path_of(key), wrong_type("object", it->value)));
      return nullptr;
    }
    return &it->value;
  }

 private:
  // The read_* functions get an empty path (they use it for Error::path
  // only) and the field's path is put into their error here: building
  // "$.errors[1234].record_index" for every field read, to throw it away
  // when the field is fine, was one of the larger costs of a 10,000-item
  // answer (bench/).
  void fail_at(const char* key, Error e) {
    e.path = path_of(key);
    fail(std::move(e));
  }

  template <class T>
  T take(const char* key, Result<T> r, T fallback) {
    if (r.ok()) return std::move(r).value();
    fail_at(key, std::move(r).error());
    return fallback;
  }

  template <class T>
  std::optional<T> optional(const char* key, Result<T> (*read)(const JsonValue&, const std::string&)) {
    if (failed()) return std::nullopt;
    const JsonValue* v = find(key);
    if (!v) return std::nullopt;
    Result<T> r = read(*v, std::string());
    if (r.ok()) return std::move(r).value();
    fail_at(key, std::move(r).error());
    return std::nullopt;
  }

  const JsonValue* optional_container(const char* key, const char* expected, bool (JsonValue::*is)() const) {
    if (failed()) return nullptr;
    const JsonValue* v = find(key);
    if (!v) return nullptr;
    if (!(v->*is)()) {
      fail(malformed(path_of(key), wrong_type(expected, *v)));
      return nullptr;
    }
    return v;
  }

  const JsonValue& object_;
  std::string path_;
  std::optional<Error> error_;
};

// ---- bounded re-serialisation ----

// Compact JSON of a value, cut to at most `max_bytes`, byte for byte what
// rapidjson::Writer writes (same escapes, same number forms) followed by
// utf8_prefix. Written here rather than through rapidjson::Writer because a
// large answer re-serialises thousands of items: this writer keeps its
// buffers between calls (no allocation per item: the result is a view of
// its buffer, valid until the next call), makes room once per string and
// copies unescaped runs whole.
//
// Walks with an explicit stack rather than Value::Accept, which recurses once
// per nesting level (an item nested 100000 deep would overflow the call
// stack), and stops once the output passes the cap, so the work is
// O(max_bytes) whatever the item holds. Strings longer than the cap are
// written only in part: their tail would be cut anyway.
class BoundedJsonWriter {
 public:
  std::string_view write(const JsonValue& value, std::size_t max_bytes) {
    size_ = 0;
    stack_.clear();
    max_bytes_ = max_bytes;
    visit(value, 0);
    while (!stack_.empty() && size_ <= max_bytes_) {
      Frame& top = stack_.back();
      const JsonValue& c = *top.container;
      const rapidjson::SizeType i = top.next++;  // `top` dies when visit() pushes
      if (c.IsObject()) {
        if (i == c.MemberCount()) {
          stack_.pop_back();
          put("}");
          continue;
        }
        const auto& member = *(c.MemberBegin() + i);
        if (i > 0) put(",");
        put_string(member.name.GetString(), member.name.GetStringLength());
        if (size_ <= max_bytes_) visit(member.value, ':');
      } else {
        if (i == c.Size()) {
          stack_.pop_back();
          put("]");
          continue;
        }
        visit(c[i], i > 0 ? ',' : 0);
      }
    }
    return utf8_prefix(std::string_view(buffer_.data(), size_), max_bytes_);
  }

 private:
  struct Frame {
    const JsonValue* container;
    rapidjson::SizeType next;  // index of the next element / member to write
  };

  // Writes `separator` (',' or ':', 0 for none), then a scalar, or opens a
  // container and pushes it.
  void visit(const JsonValue& v, char separator) {
    if (separator) put(std::string_view(&separator, 1));
    switch (v.GetType()) {
      case rapidjson::kNullType: put("null"); break;
      case rapidjson::kFalseType: put("false"); break;
      case rapidjson::kTrueType: put("true"); break;
      case rapidjson::kStringType: put_string(v.GetString(), v.GetStringLength()); break;
      case rapidjson::kNumberType:
        if (v.IsInt64()) put_integer(v.GetInt64());
        else if (v.IsUint64()) put_integer(v.GetUint64());
        else put_double(v.GetDouble());
        break;
      case rapidjson::kObjectType:
        put("{");
        stack_.push_back({&v, 0});
        break;
      case rapidjson::kArrayType:
        put("[");
        stack_.push_back({&v, 0});
        break;
    }
  }

  // Room for `n` more bytes after the first size_; returns where they go.
  char* room(std::size_t n) {
    if (buffer_.size() - size_ < n) buffer_.resize(std::max(size_ + n, 2 * buffer_.size()));
    return buffer_.data() + size_;
  }

  void put(std::string_view text) {
    std::memcpy(room(text.size()), text.data(), text.size());
    size_ += text.size();
  }

  // rapidjson::Writer's escapes: '"', '\\', and every byte below 0x20 (as
  // \b \t \n \f \r or \u00XX with capital hex digits); every other byte,
  // UTF-8 or not, as it is. Only the first max_bytes + 1 bytes of a longer
  // string are written.
  void put_string(const char* s, rapidjson::SizeType length) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const std::size_t n = length > max_bytes_ ? max_bytes_ + 1 : length;
    char* const begin = room(2 + 6 * n);  // every byte escaped as \u00XX, and the quotes
    char* out = begin;
    *out++ = '"';
    for (const char *p = s, *end = s + n; p != end;) {
      const char* run = p;
      while (p != end && !needs_escape(*p)) ++p;
      std::memcpy(out, run, static_cast<std::size_t>(p - run));
      out += p - run;
      if (p == end) break;
      const auto c = static_cast<unsigned char>(*p++);
      *out++ = '\\';
      switch (c) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\b': *out++ = 'b'; break;
        case '\t': *out++ = 't'; break;
        case '\n': *out++ = 'n'; break;
        case '\f': *out++ = 'f'; break;
        case '\r': *out++ = 'r'; break;
        default:
          *out++ = 'u';
          *out++ = '0';
          *out++ = '0';
          *out++ = kHex[c >> 4];
          *out++ = kHex[c & 15];
      }
    }
    *out++ = '"';
    size_ += static_cast<std::size_t>(out - begin);
  }

  static bool needs_escape(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == '"' || c == '\\';
  }

  template <class Integer>
  void put_integer(Integer i) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, i).ptr;  // as Writer's i64toa / u64toa
    put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }

  // Rare in an errors[] item, and Writer's shortest-round-trip form (Grisu2,
  // "1e+30", "0.1", "-0.0") is not worth copying: it writes this one.
  void put_double(double d) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.Double(d);
    put(std::string_view(buffer.GetString(), buffer.GetSize()));
  }

  std::vector<char> buffer_;  // the output is its first size_ bytes; it only grows
  std::size_t size_ = 0;
  std::vector<Frame> stack_;
  std::size_t max_bytes_ = 0;
};

}  // namespace detail
}  // namespace upstate
#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_JSON_HPP
// ---- end include/upstate/wire/json.hpp ----

namespace upstate {

namespace detail {

// The spellings an errors[] item's fields may have (docs/service.md, UNCONFIRMED), in
// order of preference: the first present (not null) wins, and must then be
// valid.
inline constexpr std::string_view kRecordIndexKeys[] = {"record_index", "row", "line", "index"};
inline constexpr std::string_view kRecordReasonKeys[] = {"reason", "message", "detail"};

// The first member of each spelling, found in one pass over the item (as
// FindMember would, so the first of duplicate keys wins) rather than with
// one lookup per spelling and another per read: an answer holds thousands
// of items.
struct RecordErrorMembers {
  const JsonValue* index[std::size(kRecordIndexKeys)] = {};
  const JsonValue* field = nullptr;
  const JsonValue* reason[std::size(kRecordReasonKeys)] = {};

  explicit RecordErrorMembers(const JsonValue& item) {
    auto first = [](const JsonValue*& slot, const JsonValue& value) {
      if (!slot) slot = &value;
    };
    for (auto it = item.MemberBegin(); it != item.MemberEnd(); ++it) {
      const std::string_view name = string_view_of(it->name);
      for (std::size_t i = 0; i < std::size(kRecordIndexKeys); ++i)
        if (name == kRecordIndexKeys[i]) first(index[i], it->value);
      if (name == "field") first(field, it->value);
      for (std::size_t i = 0; i < std::size(kRecordReasonKeys); ++i)
        if (name == kRecordReasonKeys[i]) first(reason[i], it->value);
    }
  }
};

// The error of member `key`, with its path relative to the item.
inline Error at_member(std::string_view key, Error e) {
  e.path = member_path("", key);
  return e;
}

// A string member into `out`, reusing its capacity.
inline std::optional<Error> read_string_into(const JsonValue& v, std::string_view key, std::string& out) {
  if (!v.IsString()) return at_member(key, read_string(v, std::string()).error());
  out.assign(v.GetString(), v.GetStringLength());
  return std::nullopt;
}

// One errors[] item into `out` (all but `raw`, which the caller writes for
// the items it keeps). The error's path is relative to the item ("" or
// ".record_index"): the caller prefixes the item's own path, which is built
// only when there is an error to report.
inline std::optional<Error> read_record_error(const JsonValue& item, RecordError& out) {
  if (!item.IsObject()) return malformed("", wrong_type("object", item));
  const RecordErrorMembers members(item);
  auto present = [](const JsonValue* v) { return v && !v->IsNull(); };  // null counts as absent
  out.record_index.reset();
  for (std::size_t i = 0; i < std::size(kRecordIndexKeys); ++i) {
    if (!present(members.index[i])) continue;
    auto count = read_count(*members.index[i], std::string());
    if (!count) return at_member(kRecordIndexKeys[i], std::move(count).error());
    out.record_index = count.value();
    break;
  }
  out.field.clear();
  if (present(members.field))
    if (auto e = read_string_into(*members.field, "field", out.field)) return e;
  out.reason.clear();
  for (std::size_t i = 0; i < std::size(kRecordReasonKeys); ++i) {
    if (!present(members.reason[i])) continue;
    if (auto e = read_string_into(*members.reason[i], kRecordReasonKeys[i], out.reason)) return e;
    break;
  }
  return std::nullopt;
}

// The progress fields' lenient readers: present with the right type, or nothing.
inline std::optional<std::uint64_t> lenient_count(const JsonValue& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsUint64()) return std::nullopt;
  return it->value.GetUint64();
}
inline std::string lenient_string(const JsonValue& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return std::string(string_view_of(it->value));
}

inline Error unknown_import_status(std::string_view text) {
  Error e;
  e.code = ErrorCode::unknown_status;
  e.message = "unknown import status \"" + printable_excerpt(text, 64) + "\"";
  e.path = "$.status";
  return e;
}

// The reference parser, through a DOM: what parse_import_report returns
// whenever its fast path (import_report_sax.hpp) is not sure. Kept callable
// so tests and fuzz_wire can compare the two on the same bodies.
inline Result<ImportReport> parse_import_report_dom(std::string_view body, const ParseLimits& limits = {}) {
  // In situ: this answer can be megabytes of errors[] (json.hpp).
  detail::InSituJson json;
  if (auto error = json.parse_object(body, limits)) return std::move(*error);
  detail::ObjectReader fields(json.doc(), "$");
  ImportReport report;
  report.import_id = fields.required_string("import_id");
  report.dataset_id = fields.optional_string("dataset_id").value_or("");
  report.type = fields.optional_string("type").value_or("");
  std::string status = fields.required_string("status");
  if (fields.failed()) return fields.take_error();
  if (auto known = parse_import_status(status)) {
    report.status = *known;
  } else {
    return detail::unknown_import_status(status);
  }
  report.created_at = fields.optional_string("created_at").value_or("");
  report.updated_at = fields.optional_string("updated_at").value_or("");
  report.accepted_count = fields.optional_count("accepted_count");
  report.rejected_count = fields.optional_count("rejected_count");
  report.duplicate_count = fields.optional_count("duplicate_count");
  report.reason = fields.optional_string("reason");
  const detail::JsonValue* errors = fields.optional_array("errors");
  if (fields.failed()) return fields.take_error();
  report.filename = detail::lenient_string(json.doc(), "filename");
  report.processing_started_at = detail::lenient_string(json.doc(), "processing_started_at");
  report.processed_offset = detail::lenient_count(json.doc(), "processed_offset");
  report.written_count = detail::lenient_count(json.doc(), "written_count");
  report.duplicate_seen_count = detail::lenient_count(json.doc(), "duplicate_seen_count");
  report.rejected_seen_count = detail::lenient_count(json.doc(), "rejected_seen_count");
  if (errors) {
    // Bounded by the cap, not by what the answer claims: the array is
    // already parsed, and a valid answer may fill the cap.
    report.errors.reserve(std::min<std::size_t>(errors->Size(), limits.max_record_errors));
    detail::BoundedJsonWriter raw;  // one for all items: it keeps its buffers
    RecordError error;              // each item is read into this one (its strings keep their capacity)
    for (rapidjson::SizeType i = 0; i < errors->Size(); ++i) {
      const detail::JsonValue& item = (*errors)[i];
      if (auto problem = detail::read_record_error(item, error)) {
        problem->path = detail::element_path(fields.path_of("errors"), i) + problem->path;
        return std::move(*problem);
      }
      if (report.errors.size() < limits.max_record_errors) {
        report.errors.push_back(error.record_index, error.field, error.reason,
                                raw.write(item, limits.max_raw_item_bytes));
      } else {
        ++report.errors_dropped;
      }
    }
  }
  return report;
}

// Defined in import_report_sax.hpp, included at the end of this file: the
// SAX fast path needs the types above, and this file's parser needs it.
inline std::optional<ImportReport> try_parse_import_report_fast(std::string_view body, const ParseLimits& limits);

}  // namespace detail

// Errors: malformed_answer (not JSON / not an object / wrong type / missing
// import_id or status / negative or fractional count / errors not an array),
// unknown_status (path "$.status"); each with the JSON path.
// Fields are checked in document-table order and the first fault is
// reported; errors[] items past max_record_errors are validated, then
// counted in errors_dropped instead of stored.
// The common well-formed answer is read by a SAX fast path; anything else
// (every error included) by the DOM parser, so results and errors are the
// DOM parser's either way (import_report_sax.hpp states the contract).
UPSTATE_DECL Result<ImportReport> parse_import_report(std::string_view body, const ParseLimits& limits) {
  if (auto report = detail::try_parse_import_report_fast(body, limits)) return std::move(*report);
  return detail::parse_import_report_dom(body, limits);
}

}  // namespace upstate

// The fast path's definition (it includes import_report.hpp first, for the types).

// ---- begin include/upstate/wire/import_report_sax.hpp ----
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_IMPORT_REPORT_SAX_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_IMPORT_REPORT_SAX_HPP
// The fast path of parse_import_report. A 10,000-item answer spent most of
// its time building and walking a RapidJSON DOM (bench/README.md, issue 6);
// here a small reader for plain JSON (PlainJsonReader) streams events into a
// handler (ImportReportSaxHandler) that fills the ImportReport directly.
//
// Contract: detail::try_parse_import_report_fast(body, limits) returns either
//   - nullopt ("not sure"): the caller runs the DOM parser
//     (detail::parse_import_report_dom) on the same body, which produces the
//     report or the Error exactly as it always has; or
//   - a report equal, field by field and byte by byte (`raw` included), to
//     the one the DOM parser returns for that body and those limits.
// It never produces an Error itself, so error codes, messages, paths and the
// order in which faults are found stay the DOM parser's by construction. It
// gives up on anything unusual, which the DOM parser then reads:
//   - a body over max_body_bytes or holding a NUL byte;
//   - text outside the plain subset PlainJsonReader reads: a string with an
//     escape (\n, \", \u00e9 ...), a number with a fraction or an exponent,
//     "-0", an integer beyond 64 bits, nesting deeper than kMaxDepth, a byte
//     order mark, and anything that is not JSON at all;
//   - a root that is not an object; a field the report reads with a type its
//     DOM reader refuses (a null import_id or status included); an unknown
//     status; `errors` or one of its items of the wrong type;
//   - a key the report reads appearing twice in the root or in one item (the
//     DOM parser's "first one wins" is not worth reproducing);
//   - an item's record_index/row/line/index, field or reason/message/detail
//     holding a value of a type it does not take, even where the DOM parser
//     would not look at it because a preferred spelling is present.
// Why the subset is safe: it is valid JSON, which RapidJSON accepts whole
// (no depth limit in its iterative parser, no encoding validation), and in
// it every value reads the same both ways: a string is its bytes, an integer
// its digits. A body that makes the fast path give up late (a syntax error
// in its last byte, say) is read twice: such answers are rare, and capped by
// max_body_bytes.
//
// Why not rapidjson::Reader with this handler: tried first, it read the
// 10,000-item answer at about 200 MB/s here (bench/README.md), held back by
// its byte-at-a-time string loop (the SSE2 one needs RAPIDJSON_SSE2, which
// json.hpp leaves to whoever includes RapidJSON first) and by the copy an
// in-situ parse needs. PlainJsonReader reads the body where it is, eight
// bytes at a time inside strings.
//
// `raw`: nothing in the subset changes form when RapidJSON's Writer writes
// it, so an item's raw is its own text without whitespace (plain_item_raw).
#include <limits>

// ---- begin include/upstate/wire/plain_json_reader.hpp ----
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_PLAIN_JSON_READER_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_PLAIN_JSON_READER_HPP
// PlainJsonReader: the reader of the SAX fast paths (import_report_sax.hpp,
// dataset_sax.hpp). It reads the plain JSON a machine writes, in place, and
// gives up on anything else, so each fast path can hand every unusual body to
// its DOM parser and keep that parser's results and errors exactly.

namespace upstate {
namespace detail {

// Reads JSON text limited to what a plain, machine-written answer holds, and
// gives up (read() returns false) on anything else, valid JSON or not:
// strings without escapes or control characters, integers that fit 64 bits
// (not "-0"), true, false, null, objects and arrays nested at most kMaxDepth
// deep, the four JSON whitespace bytes between tokens. The root must be an
// object. Every string the handler gets is a view of the text, which is also
// its value (there is nothing to decode). Each event returns false to stop.
//
// Handler events: start_object(), end_object(text, compact), start_array(
// bytes_left), end_array(), key(s), string(s), integer(magnitude, negative),
// boolean(b), null_value(). end_object's `text` is the object's own text and
// `compact` says it holds no whitespace; start_array's `bytes_left` counts
// from its '[' to the end of the text.
template <class Handler>
class PlainJsonReader {
 public:
  static constexpr std::size_t kMaxDepth = 64;  // recursion: one frame of object() or array() per level

  PlainJsonReader(std::string_view text, Handler& handler)
      : p_(text.data()), end_(text.data() + text.size()), handler_(handler) {}

  // True when the whole text was read and the handler took every event.
  bool read() {
    skip_whitespace();
    if (!at('{') || !object(1)) return false;
    skip_whitespace();
    return p_ == end_;
  }

 private:
  bool at(char c) const noexcept { return p_ != end_ && *p_ == c; }

  static bool is_whitespace(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

  // Inline for the common case, compact text: one test and no whitespace.
  void skip_whitespace() noexcept {
    if (p_ != end_ && is_whitespace(*p_)) skip_whitespace_run();
  }
  void skip_whitespace_run() noexcept {
    const char* const from = p_;
    while (p_ != end_ && is_whitespace(*p_)) ++p_;
    whitespace_ += static_cast<std::size_t>(p_ - from);
  }

  bool value(std::size_t depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': {
        std::string_view s;
        return string(s) && handler_.string(s);
      }
      case 't': return literal("true") && handler_.boolean(true);
      case 'f': return literal("false") && handler_.boolean(false);
      case 'n': return literal("null") && handler_.null_value();
      default: return number();
    }
  }

  // At '{'.
  bool object(std::size_t depth) {
    if (depth > kMaxDepth) return false;
    const char* const begin = p_++;
    const std::size_t whitespace_before = whitespace_;
    if (!handler_.start_object()) return false;
    skip_whitespace();
    if (!at('}')) {
      for (;;) {
        std::string_view key;
        if (!at('"') || !string(key) || !handler_.key(key)) return false;
        skip_whitespace();
        if (!at(':')) return false;
        ++p_;
        skip_whitespace();
        if (!value(depth)) return false;
        skip_whitespace();
        if (!at(',')) break;
        ++p_;
        skip_whitespace();
      }
      if (!at('}')) return false;
    }
    ++p_;
    return handler_.end_object(std::string_view(begin, static_cast<std::size_t>(p_ - begin)),
                               whitespace_ == whitespace_before);
  }

  // At '['.
  bool array(std::size_t depth) {
    if (depth > kMaxDepth) return false;
    if (!handler_.start_array(static_cast<std::size_t>(end_ - p_))) return false;
    ++p_;
    skip_whitespace();
    if (!at(']')) {
      for (;;) {
        if (!value(depth)) return false;
        skip_whitespace();
        if (!at(',')) break;
        ++p_;
        skip_whitespace();
      }
      if (!at(']')) return false;
    }
    ++p_;
    return handler_.end_array();
  }

  // At '"'. Eight bytes at a time while eight remain, then one at a time,
  // up to the first '"', '\\' or byte below 0x20: only '"' ends a plain
  // string.
  bool string(std::string_view& out) {
    const char* const begin = ++p_;
    while (end_ - p_ >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p_, 8);
      if (const std::uint64_t flags = special_bytes(word)) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        // The lowest flag marks the first special byte in memory; elsewhere
        // the byte loop below finds it.
        p_ += static_cast<unsigned>(__builtin_ctzll(flags)) / 8;
#endif
        break;
      }
      p_ += 8;
    }
    while (p_ != end_ && is_plain(*p_)) ++p_;
    if (!at('"')) return false;  // an escape, a control character, or the end of the text
    out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
    ++p_;
    return true;
  }

  static bool is_plain(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c != '"' && c != '\\';
  }

  // The high bit of each byte of `word` that is '"', '\\' or below 0x20,
  // by the usual bit tricks: zero exactly when there is none. A borrow runs
  // only towards the more significant bytes, so a byte after a flagged one
  // may be flagged wrongly, never one before it: the least significant
  // flag is exact.
  static std::uint64_t special_bytes(std::uint64_t word) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    auto zero_bytes = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    const std::uint64_t below_space = (word - ones * 0x20) & ~word & highs;
    return zero_bytes(word ^ (ones * '"')) | zero_bytes(word ^ (ones * '\\')) | below_space;
  }

  template <std::size_t N>
  bool literal(const char (&word)[N]) noexcept {
    constexpr std::size_t n = N - 1;
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  // An integer as RapidJSON reads one without turning it into a double:
  // 0 to 2^64-1, or -1 to -2^63.
  bool number() {
    const bool negative = at('-');
    if (negative) ++p_;
    const char* const digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    const auto length = static_cast<std::size_t>(p_ - digits);
    if (length == 0 || (*digits == '0' && length > 1)) return false;  // no digit, or a leading zero
    if (length > 20) return false;                                    // past 2^64-1 (20 digits)
    // Only a 20-digit number can pass 2^64-1, so only then is each step checked.
    std::uint64_t magnitude = 0;
    for (const char* d = digits; d != p_; ++d) {
      const auto digit = static_cast<unsigned>(*d - '0');
      if (length == 20 && magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
      magnitude = magnitude * 10 + digit;
    }
    if (at('.') || at('e') || at('E')) return false;                 // RapidJSON's double
    if (negative && (magnitude == 0 || magnitude > (std::uint64_t{1} << 63))) return false;
    return handler_.integer(magnitude, negative);
  }

  const char* p_;
  const char* const end_;
  Handler& handler_;
  std::size_t whitespace_ = 0;  // bytes of whitespace skipped so far
};

// A fast path's root key: its index in `names`, or N (unknown: the reader
// skips its value); each known key marked in `seen` (bit = index). Nothing
// for a key seen before: a duplicate, which the DOM parser must judge.
template <std::size_t N>
constexpr std::optional<unsigned> mark_root_key(std::string_view key, const std::string_view (&names)[N],
                                                unsigned& seen) noexcept {
  static_assert(N < 32, "one bit per name");
  for (unsigned f = 0; f < N; ++f) {
    if (key != names[f]) continue;
    if ((seen >> f) & 1u) return std::nullopt;
    seen |= 1u << f;
    return f;
  }
  return static_cast<unsigned>(N);
}

}  // namespace detail
}  // namespace upstate
#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_PLAIN_JSON_READER_HPP
// ---- end include/upstate/wire/plain_json_reader.hpp ----

namespace upstate {
namespace detail {

// An errors[] item's `raw` from its text in the plain subset (below): the
// text without the whitespace between its tokens, cut by utf8_prefix at
// max_bytes. That is byte for byte what BoundedJsonWriter (json.hpp) writes
// for the item once RapidJSON has parsed it: in the subset no string needs
// an escape, every integer is written with its own digits, and members stay
// in order, so whitespace is all there is to drop. No string holds an
// escape either, so each '"' opens or closes one.
// `scratch` holds the text when it has whitespace to drop; the result views
// either `text` or `scratch`.
inline std::string_view plain_item_raw(std::string_view text, bool compact, std::size_t max_bytes,
                                       std::string& scratch) {
  if (compact) return utf8_prefix(text, max_bytes);
  scratch.clear();
  bool in_string = false;
  for (char c : text) {
    if (c == '"') in_string = !in_string;
    else if (!in_string && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) continue;
    scratch += c;
    if (scratch.size() > max_bytes) break;  // utf8_prefix looks at one byte past the cap, no further
  }
  return utf8_prefix(scratch, max_bytes);
}

// Fills an ImportReport from PlainJsonReader's events. Every event returns
// false ("give up") the moment the answer leaves the common case (the
// contract at the top of this file); report() is the result after a read
// that ran to its end.
class ImportReportSaxHandler {
 public:
  explicit ImportReportSaxHandler(const ParseLimits& limits) : limits_(limits) {}

  // The report, when both required fields were there.
  std::optional<ImportReport> report() && {
    if (!has(kImportId) || !has(kStatus)) return std::nullopt;
    return std::move(report_);
  }

  bool null_value() {
    switch (place()) {
      case Place::root_member: return field_ != kImportId && field_ != kStatus;  // null is absent elsewhere
      case Place::item_member: return true;  // null is absent for every spelling
      default: return elsewhere();
    }
  }
  bool boolean(bool) {
    switch (place()) {
      case Place::root_member: return field_ == kUnknownField;  // no field of the report is a boolean
      case Place::item_member: return item_key_ == ItemKey::other;
      default: return elsewhere();
    }
  }
  bool integer(std::uint64_t magnitude, bool negative) {
    switch (place()) {
      case Place::root_member:
        if (negative) return field_ == kUnknownField;  // counts are non-negative
        switch (field_) {
          case kAcceptedCount: report_.accepted_count = magnitude; return true;
          case kRejectedCount: report_.rejected_count = magnitude; return true;
          case kDuplicateCount: report_.duplicate_count = magnitude; return true;
          case kProcessedOffset: report_.processed_offset = magnitude; return true;
          case kWrittenCount: report_.written_count = magnitude; return true;
          case kDuplicateSeenCount: report_.duplicate_seen_count = magnitude; return true;
          case kRejectedSeenCount: report_.rejected_seen_count = magnitude; return true;
          case kUnknownField: return true;
          default: return false;
        }
      case Place::item_member: {
        if (item_key_ == ItemKey::other) return true;
        const auto spelling = static_cast<unsigned>(item_key_);
        if (negative || spelling >= kIndexKeys) return false;  // a negative index, a number for field or reason
        if (spelling < best_index_) {
          best_index_ = spelling;
          item_index_ = magnitude;
        }
        return true;
      }
      default: return elsewhere();
    }
  }
  bool string(std::string_view s) {
    switch (place()) {
      case Place::root_member: return root_string(s);
      case Place::item_member: return item_string(s);
      default: return elsewhere();
    }
  }
  bool key(std::string_view k) {
    if (depth_ == 1) return root_key(k);
    if (depth_ == 3 && in_errors_) return item_key(k);
    return true;
  }

  bool start_object() { return open(true, 0); }
  bool start_array(std::size_t bytes_left) { return open(false, bytes_left); }
  bool end_object(std::string_view text, bool compact) { return close(text, compact); }
  bool end_array() { return close({}, false); }

 private:
  // Root fields the report reads, as bits of seen_.
  enum Field : unsigned {
    kImportId, kDatasetId, kType, kStatus, kCreatedAt, kUpdatedAt,
    kAcceptedCount, kRejectedCount, kDuplicateCount, kReason, kErrors,
    // Progress (read leniently by the DOM path: any other type makes this
    // path give up, and the DOM path then ignores the value).
    kFilename, kProcessingStartedAt, kProcessedOffset, kWrittenCount, kDuplicateSeenCount, kRejectedSeenCount,
    kUnknownField,  // any other key: its value is skipped
  };
  static constexpr std::string_view kFieldNames[] = {
      "import_id",      "dataset_id",     "type",            "status", "created_at", "updated_at",
      "accepted_count", "rejected_count", "duplicate_count", "reason", "errors",
      "filename",       "processing_started_at", "processed_offset", "written_count", "duplicate_seen_count",
      "rejected_seen_count"};
  static_assert(kUnknownField == std::size(kFieldNames), "a name per field, in order");

  // An item's spellings: index0..3 follow kRecordIndexKeys and reason0..2
  // kRecordReasonKeys, so a lower number is the preferred spelling.
  enum class ItemKey : unsigned { index0, index1, index2, index3, field, reason0, reason1, reason2, other };
  static constexpr unsigned kIndexKeys = std::size(kRecordIndexKeys);
  static constexpr unsigned kReasonKeys = std::size(kRecordReasonKeys);
  static constexpr unsigned kNoSpelling = 99;
  static_assert(kIndexKeys == 4 && kRecordIndexKeys[0] == "record_index" && kRecordIndexKeys[1] == "row" &&
                kRecordIndexKeys[2] == "line" && kRecordIndexKeys[3] == "index");
  static_assert(kReasonKeys == 3 && kRecordReasonKeys[0] == "reason" && kRecordReasonKeys[1] == "message" &&
                kRecordReasonKeys[2] == "detail");

  // Where the value just read sits.
  enum class Place {
    root,         // it is the root
    root_member,  // a member of the root object
    ignored,      // inside a root member the report does not read
    errors_item,  // an element of errors[]
    item_member,  // a member of an errors[] item
    item_nested,  // deeper inside an item
  };

  Place place() const noexcept {
    if (depth_ == 0) return Place::root;
    if (depth_ == 1) return Place::root_member;
    if (!in_errors_) return Place::ignored;
    if (depth_ == 2) return Place::errors_item;
    if (depth_ == 3) return Place::item_member;
    return Place::item_nested;
  }

  // A scalar as the root or as an errors[] element is refused by the DOM
  // path; deeper inside an item or a skipped member it is nothing to read.
  bool elsewhere() const noexcept {
    const Place p = place();
    return p == Place::ignored || p == Place::item_nested;
  }

  bool has(unsigned field) const noexcept { return (seen_ >> field) & 1u; }

  // ---- the root object ----

  bool root_key(std::string_view key) {
    const std::optional<unsigned> f = mark_root_key(key, kFieldNames, seen_);
    if (!f) return false;  // a duplicate
    field_ = static_cast<Field>(*f);  // kUnknownField is std::size(kFieldNames)
    return true;
  }

  bool root_string(std::string_view s) {
    switch (field_) {
      case kImportId: report_.import_id = s; return true;
      case kDatasetId: report_.dataset_id = s; return true;
      case kType: report_.type = s; return true;
      case kStatus:
        if (auto known = parse_import_status(s)) {
          report_.status = *known;
          return true;
        }
        return false;  // unknown_status: the DOM path words it
      case kCreatedAt: report_.created_at = s; return true;
      case kUpdatedAt: report_.updated_at = s; return true;
      case kReason: report_.reason.emplace(s); return true;
      case kFilename: report_.filename = s; return true;
      case kProcessingStartedAt: report_.processing_started_at = s; return true;
      case kUnknownField: return true;
      default: return false;  // a count or errors[] as a string
    }
  }

  // ---- containers ----

  bool open(bool object, std::size_t bytes_left) {
    switch (place()) {
      case Place::root:
        if (!object) return false;
        break;
      case Place::root_member:
        if (field_ == kErrors) {
          if (object) return false;
          in_errors_ = true;
          reserve_items(bytes_left);
        } else if (field_ != kUnknownField) {
          return false;
        }
        break;
      case Place::errors_item:
        if (!object) return false;
        begin_item();
        break;
      case Place::item_member:
        if (item_key_ != ItemKey::other) return false;
        break;
      case Place::item_nested:
      case Place::ignored: break;
    }
    ++depth_;
    return true;
  }

  bool close(std::string_view text, bool compact) {
    --depth_;
    switch (place()) {
      case Place::root_member: in_errors_ = false; return true;  // closed errors[] or a skipped member
      case Place::errors_item: return end_item(text, compact);
      default: return true;
    }
  }

  // ---- errors[] items ----

  // Room for the items, guessed from the bytes left (an item of a real
  // answer takes 60 to 100): a guess too low costs a reallocation or two, one
  // too high at most 2 bytes of vector per byte of answer, and never more
  // than max_record_errors items.
  void reserve_items(std::size_t bytes_left) {
    constexpr std::size_t kGuessedItemBytes = 64;
    // The strings of an item are views of its own text, and raw is that text
    // (RecordErrors::push_back stores field and reason inside raw's copy),
    // so the array's bytes bound the text a compact answer needs.
    report_.errors.reserve(std::min(bytes_left / kGuessedItemBytes, limits_.max_record_errors),
                           std::min(bytes_left, limits_.max_record_errors * limits_.max_raw_item_bytes));
  }

  void begin_item() {
    keep_ = report_.errors.size() < limits_.max_record_errors;
    item_seen_ = 0;
    best_index_ = kNoSpelling;
    best_reason_ = kNoSpelling;
    field_text_ = {};
    reason_text_ = {};
  }

  // The item is built here, once: its strings are views of the body. One
  // past the cap was only checked.
  bool end_item(std::string_view text, bool compact) {
    if (!keep_) {
      ++report_.errors_dropped;
      return true;
    }
    report_.errors.push_back(best_index_ != kNoSpelling ? std::optional<std::uint64_t>(item_index_) : std::nullopt,
                             field_text_, reason_text_,
                             plain_item_raw(text, compact, limits_.max_raw_item_bytes, raw_scratch_));
    return true;
  }

  static ItemKey item_key_of(std::string_view key) noexcept {
    switch (key.size()) {
      case 3: return key == "row" ? ItemKey::index1 : ItemKey::other;
      case 4: return key == "line" ? ItemKey::index2 : ItemKey::other;
      case 5: return key == "index" ? ItemKey::index3 : key == "field" ? ItemKey::field : ItemKey::other;
      case 6: return key == "reason" ? ItemKey::reason0 : key == "detail" ? ItemKey::reason2 : ItemKey::other;
      case 7: return key == "message" ? ItemKey::reason1 : ItemKey::other;
      case 12: return key == "record_index" ? ItemKey::index0 : ItemKey::other;
      default: return ItemKey::other;
    }
  }

  bool item_key(std::string_view key) {
    item_key_ = item_key_of(key);
    if (item_key_ == ItemKey::other) return true;
    const unsigned bit = 1u << static_cast<unsigned>(item_key_);
    if (item_seen_ & bit) return false;  // a duplicate
    item_seen_ |= bit;
    return true;
  }

  bool item_string(std::string_view s) {
    if (item_key_ == ItemKey::other) return true;
    if (item_key_ == ItemKey::field) {
      field_text_ = s;
      return true;
    }
    const auto spelling = static_cast<unsigned>(item_key_) - static_cast<unsigned>(ItemKey::reason0);
    if (spelling >= kReasonKeys) return false;  // an index as a string
    if (spelling < best_reason_) {
      best_reason_ = spelling;
      reason_text_ = s;
    }
    return true;
  }

  const ParseLimits& limits_;
  ImportReport report_;
  unsigned seen_ = 0;  // bits of the root fields read so far
  Field field_ = kUnknownField;
  std::size_t depth_ = 0;  // open objects and arrays
  bool in_errors_ = false;  // inside the root's errors[]

  // the item being read
  bool keep_ = false;  // within max_record_errors: stored, with its raw
  ItemKey item_key_ = ItemKey::other;
  unsigned item_seen_ = 0;  // bits of the spellings read so far
  unsigned best_index_ = kNoSpelling, best_reason_ = kNoSpelling;  // preferred spelling found so far
  std::uint64_t item_index_ = 0;
  std::string_view field_text_, reason_text_;  // views of the body
  std::string raw_scratch_;  // an item's raw without its whitespace, when it had some
};

inline std::optional<ImportReport> try_parse_import_report_fast(std::string_view body, const ParseLimits& limits) {
  if (check_json_text(body, limits)) return std::nullopt;  // the DOM path's own checks
  ImportReportSaxHandler handler(limits);
  if (!PlainJsonReader<ImportReportSaxHandler>(body, handler).read()) return std::nullopt;
  return std::move(handler).report();
}

}  // namespace detail
}  // namespace upstate
#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_IMPORT_REPORT_SAX_HPP
// ---- end include/upstate/wire/import_report_sax.hpp ----
// ---- end include/upstate/impl/wire_import_report.ipp ----

// ---- begin include/upstate/impl/upload.ipp ----
// The bodies of Upload (<upstate/machine/upload.hpp>; see detail/linkage.hpp):
// its events, and the steps that classify an answer into a row of the
// table (upload_transitions.hpp) and carry the row out.

// ---- begin include/upstate/detail/legacy_freshness.hpp ----
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_DETAIL_LEGACY_FRESHNESS_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_DETAIL_LEGACY_FRESHNESS_HPP
// Whether a V3 dataset's READY or ERROR is this file's outcome. The status
// belongs to the dataset, not to an upload: right after our PUT it may still
// show the previous file's READY (docs/service.md, "V3": whether the status
// changes at once when the PUT lands is UNCONFIRMED). A terminal status is
// taken as ours once the status has been seen to move since the PUT:
//   - a non-terminal status (UNINITIALISED, PROCESSING) was read; or
//   - it differs from the first status read after the PUT (READY, then
//     ERROR: the previous file's, then ours);
// or, when it never moved, once `settle` has passed since the PUT:
// processing finished before the first poll (a small file), or the service
// never shows the change. A service that keeps showing the previous status
// longer than `settle` defeats this; none is known to.
//
// "Not moved yet" is a state of the machine (upload_transitions.hpp:
// confirming_status, confirm_wait; a non-terminal status leads on to
// polling_status, where every READY/ERROR is ours). What is left here is
// the answer's classification in that state.

namespace upstate {

// In confirming_status: `status` read at `now`, the PUT accepted at
// `put_at`, `first` the first status read since the PUT (this one, when it
// is the first). True when it can be taken as this file's (always for a
// non-terminal one, which the caller keeps polling anyway).
inline bool legacy_status_is_ours(DatasetStatus status, std::optional<DatasetStatus> first, Instant put_at, Instant now,
                                  Duration settle) noexcept {
  return !is_terminal(status) || (first && status != *first) || now - put_at >= settle;
}

}  // namespace upstate
#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_DETAIL_LEGACY_FRESHNESS_HPP
// ---- end include/upstate/detail/legacy_freshness.hpp ----

// ---- begin include/upstate/detail/upload_scheme.hpp ----
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_DETAIL_UPLOAD_SCHEME_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_DETAIL_UPLOAD_SCHEME_HPP
// Which scheme the file may travel by. The service's upload URL is https;
// an http:// one handed out by an https API (a misconfigured or hostile
// service, or a proxy rewriting answers) would send the file in clear text,
// so it is refused (ErrorCode::insecure_upload_url) — unless the API itself
// is plain http (a loopback test setup, or allow_insecure_api), where
// nothing is protected anyway.

namespace upstate {

inline bool upload_scheme_allowed(const Url& upload, const UploadConfig& config) {
  if (upload.is_https()) return true;
  auto api = parse_url(config.api_base);
  if (!api || api->is_https()) return false;
  return is_loopback_host(api->host) || config.allow_insecure_api;
}

// The refusal, or nothing. `status`: the step-1 answer's HTTP status.
inline std::optional<Error> check_upload_scheme(const Url& upload, const UploadConfig& config, int status) {
  if (upload_scheme_allowed(upload, config)) return std::nullopt;
  return Error::of(ErrorCode::insecure_upload_url,
                   "the upload URL is plain http while the API is https: the file would travel in clear text "
                   "(plain http uploads are accepted only when the API base itself is plain http on loopback)")
      .at("$.upload_url")
      .with_status(status);
}

}  // namespace upstate
#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_DETAIL_UPLOAD_SCHEME_HPP
// ---- end include/upstate/detail/upload_scheme.hpp ----

// ---- begin include/upstate/detail/url_expiry.hpp ----
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_DETAIL_URL_EXPIRY_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_DETAIL_URL_EXPIRY_HPP
// When a presigned upload URL dies, in wall-clock seconds. Step 1's
// `expires_at` is the service saying so (docs/service.md, Step 1) and wins
// when it parses; otherwise the URL's own X-Amz-Date + X-Amz-Expires (or
// SigV2 Expires). The two differ when the service's signing credentials die
// before X-Amz-Expires runs out, which only the service knows. An
// expires_at no later than the URL's own signing time (a URL dead before it
// was made: X-Amz-Expires=0) is not used; S3 then decides.

namespace upstate {

inline std::optional<UnixSeconds> url_wall_expiry(const std::optional<std::string>& expires_at,
                                                  const PresignedUrlInfo& info) noexcept {
  if (expires_at)
    if (auto stated = parse_iso8601(*expires_at); stated && (!info.signed_at || *stated > *info.signed_at))
      return stated;
  return info.expires_at;
}

}  // namespace upstate
#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_DETAIL_URL_EXPIRY_HPP
// ---- end include/upstate/detail/url_expiry.hpp ----

namespace upstate {

UPSTATE_DECL Upload::Upload(UploadConfig config, FileInfo file)
    : config_(std::move(config)), file_(std::move(file)), rng_(config_.seed) {
  config_.api_base = without_trailing_slashes(std::move(config_.api_base));
}

UPSTATE_DECL Upload Upload::resume_import(UploadConfig config, std::string import_id) {
  Upload up{std::move(config), FileInfo{}};
  up.import_id_ = std::move(import_id);
  up.state_ = State::idle_uploaded;
  return up;
}

UPSTATE_DECL Upload Upload::resume_legacy(UploadConfig config) {
  Upload up{std::move(config), FileInfo{}};
  up.said_v3_ = true;
  up.state_ = State::idle_uploaded_v3;
  return up;
}

UPSTATE_DECL Action Upload::start(Instant now) {
  if (auto early = admit(Awaits::start, "start", now)) return std::move(*early);
  deadline_ = std::min(now + config_.deadline, config_.not_after);
  if (auto refusal = check_inputs()) return finish(Trigger::refused_locally, std::move(*refusal), now);
  if (state_ != State::idle) {
    // Resumed: the PUT (if any) happened in another process, so the stuck
    // timer starts now.
    upload_accepted_at_ = now;
    status_since_ = now;
  }
  return take(state_info(state_).starts_with, now);
}

UPSTATE_DECL Action Upload::on_response(const Response& response, Instant now) {
  if (auto early = admit(Awaits::response, "on_response", now)) return std::move(*early);
  // Which answer this is: the table's `sends` column of the state.
  switch (*state_info(state_).sends) {
    case Purpose::upload_url: return on_url_answer(response, now);
    case Purpose::upload: return on_upload_answer(response, now);
    case Purpose::poll: return on_poll_answer(response, now);
    case Purpose::dataset_status: return on_status_answer(response, now);
    case Purpose::dataset: break;
  }
  return internal_error("no answer handler in state " + std::string(to_string(state_)), now);
}

UPSTATE_DECL Action Upload::on_transport_error(const TransportError& error, Instant now) {
  if (auto early = admit(Awaits::response, "on_transport_error", now)) return std::move(*early);
  return act_on(classify_transport_error(error, to_string(current_purpose())), now);
}

UPSTATE_DECL Action Upload::on_wake(Instant now) {
  if (auto early = admit(Awaits::wake, "on_wake", now)) return std::move(*early);
  if (now < wake_at_) return Sleep{wake_at_};  // spurious: nothing changes
  // A wake is one row: `wake`, or — when the URL's own expiry passed
  // while waiting to repeat the PUT (the state's `step` column) — `url_expired`
  // (renewals_exhausted).
  if (state_info(state_).step == Purpose::upload && url_expired_at(now)) return renew_url(now);
  return take(Trigger::wake, now);
}

UPSTATE_DECL Action Upload::cancel(Instant now) {
  if (auto early = admit(std::nullopt, "cancel", now)) return std::move(*early);
  return finish(Trigger::cancel, Error::cancelled(), now);
}

UPSTATE_DECL Action Upload::take(Trigger trigger, Instant now) {
  auto to = next_state(state_, trigger);
  if (!to) {
    // A move the table lacks is our own bug, not the caller's; still a
    // defined outcome rather than UB.
    outcome_.result = Error::internal("no transition for " + std::string(to_string(trigger)) + " in state " +
                                      std::string(to_string(state_)));
    to = State::done;
  }
  ended_in_ = state_;
  if (*to != State::done && now >= deadline_) {
    ended_in_ = *to;  // the run got as far as the state it was entering
    // Waiting for a schema, the real outcome is the paused import's report.
    if (state_ == State::schema_wait && paused_report_)
      outcome_.result = *paused_report_;
    else
      outcome_.result = deadline_error(phase_of(*to));
    trigger = Trigger::deadline;
    to = State::done;
  }
  if (trace_.size() < kMaxTrace) trace_.push_back(Step{now, state_, trigger, *to});
  state_ = *to;
  return enter();
}

UPSTATE_DECL Action Upload::enter() {
  if (state_ == State::done) return done_action();
  if (auto purpose = state_info(state_).sends) return send(request_for(*purpose));
  return Sleep{wake_at_};
}

UPSTATE_DECL std::optional<Action> Upload::admit(std::optional<Awaits> expected, const char* event, Instant& now) {
  now = observe(now);
  if (state_ == State::done) return done_action();
  if (expected && state_info(state_).awaits != *expected) return misuse(event, now);
  return std::nullopt;
}

UPSTATE_DECL Action Upload::finish(Trigger trigger, Error error, Instant now) {
  redact_in(error, config_.token);
  outcome_.result = std::move(error);
  return take(trigger, now);
}

UPSTATE_DECL Action Upload::misuse(const char* event, Instant now) {
  return finish(Trigger::misuse,
                Error::usage(std::string("can't handle ") + event + " in state " + std::string(to_string(state_))),
                now);
}

UPSTATE_DECL Action Upload::internal_error(std::string what, Instant now) {
  outcome_.result = Error::internal(redact(std::move(what), config_.token));
  ended_in_ = state_;
  if (trace_.size() < kMaxTrace) trace_.push_back(Step{now, state_, Trigger::misuse, State::done});
  state_ = State::done;
  return done_action();
}

UPSTATE_DECL Action Upload::done_action() {
  outcome_.import_id = import_id_;
  outcome_.abandoned_import_ids = abandoned_;
  return Done{outcome_};
}

UPSTATE_DECL Action Upload::on_url_answer(const Response& response, Instant now) {
  if (auto moved = unless_parseable(response, now)) return std::move(*moved);

  auto parsed = parse_upload_url_answer(response.body, config_.limits);
  if (!parsed) return finish(Trigger::url_refused, with_status(parsed.error(), response.status), now);
  UploadUrlAnswer& answer = parsed.value();
  // Parsed and inspected once, for the checks and for the expiry.
  std::optional<PresignedUrlInfo> info;
  const std::optional<Url> url = parse_url(answer.upload_url);
  if (url) info = inspect_presigned_url(*url);
  if (auto problem = check_url_answer(answer, info ? &*info : nullptr, response.status))
    return finish(Trigger::url_refused, *problem, now);
  if (auto problem = check_upload_scheme(*url, config_, response.status))
    return finish(Trigger::url_refused, *problem, now);

  if (!import_id_.empty()) abandoned_.push_back(import_id_);
  const bool v3 = !answer.import_id;
  said_v3_ = v3;
  import_id_ = answer.import_id.value_or("");
  upload_url_ = std::move(answer.upload_url);
  content_type_ = answer.content_type ? *answer.content_type : std::string(content_type_for(file_.name));
  url_expires_at_ = local_expiry(url_wall_expiry(answer.expires_at, *info), *info, response, now);
  retry_.succeeded();
  // A URL that arrives already expired is renewed at once: one row
  // (requesting_url --url_expired--> requesting_url), not a move into
  // uploading and straight back. Past the deadline, the deadline wins.
  if (url_expired_at(now) && now < deadline_) return renew_url(now);
  return take(v3 ? Trigger::legacy_url_received : Trigger::url_received, now);
}

UPSTATE_DECL std::optional<Error> Upload::check_url_answer(const UploadUrlAnswer& a, const PresignedUrlInfo* info, int status) const {
  auto bad = [&](ErrorCode code, std::string message, std::string path) {
    return Error::of(code, std::move(message)).at(std::move(path)).with_status(status);
  };
  // No import_id: a V3 dataset, which takes .csv and .zip only. Refused
  // here, before a byte is sent, rather than by the service afterwards.
  if (!a.import_id && !iends_with(file_.name, ".csv") && !iends_with(file_.name, ".zip"))
    return bad(ErrorCode::legacy_dataset,
               "the answer has no import_id, so the dataset is a V3 (legacy) one, which takes .csv and .zip "
               "files only; '" + printable_excerpt(file_.name, 100) + "' is neither",
               "");
  if (a.import_id && !detail::usable_import_id(*a.import_id))
    return bad(ErrorCode::malformed_answer,
               "import_id is not a usable path segment (empty, '.', '..', over 256 bytes or holding a control byte)",
               "$.import_id");
  // Import ids go into snapshots (state files on disk): a server that
  // echoes the token there must not get it written down.
  if (a.import_id && redact(*a.import_id, config_.token) != *a.import_id)
    return bad(ErrorCode::malformed_answer, "import_id holds the API token", "$.import_id");
  if (!iequals(a.http_method, "PUT"))
    return bad(ErrorCode::unsupported_upload_method,
               "the service asks for an upload with " + printable_excerpt(a.http_method, 32) + "; only PUT is supported",
               "$.http_method");
  if (!info)
    return bad(ErrorCode::malformed_answer, "upload_url is not an absolute http(s) URL with a valid host name",
               "$.upload_url");
  if (a.content_type && (a.content_type->empty() || !is_safe_header_value(*a.content_type) || a.content_type->size() > 256))
    return bad(ErrorCode::malformed_answer, "content_type is not a usable header value", "$.content_type");
  for (const auto& h : info->signed_headers) {
    // We can reproduce these exactly; any other signed header (x-amz-*,
    // content-md5) has a value we were never told, so S3 would refuse.
    if (h != "host" && h != "content-type" && h != "content-length")
      return bad(ErrorCode::unsigned_header_required,
                 "the upload URL signs header '" + printable_excerpt(h, 64) + "' whose value the answer does not give",
                 "$.upload_url");
  }
  return std::nullopt;
}

UPSTATE_DECL std::optional<Instant> Upload::local_expiry(std::optional<UnixSeconds> expires_at, const PresignedUrlInfo& info,
                                                         const Response& response, Instant now) const {
  if (!expires_at) return std::nullopt;
  std::optional<UnixSeconds> reference;
  if (const std::string* date = find_header(response.headers, "Date")) reference = parse_http_date(*date);
  if (!reference) reference = info.signed_at;
  if (!reference) return std::nullopt;
  std::int64_t left = std::clamp<std::int64_t>(*expires_at - *reference, 0, 7 * 86400);
  return now + std::chrono::seconds{left};
}

UPSTATE_DECL Action Upload::renew_url(Instant now) {
  if (renewals_ >= config_.retry.max_url_renewals)
    return finish(Trigger::renewals_exhausted,
                  Error::of(ErrorCode::upload_url_expired,
                            "the upload URL expired " + std::to_string(renewals_ + 1) + " times; giving up")
                      .with_status(last_upload_status_),
                  now);
  ++renewals_;
  note(now, legacy() ? std::string("upload URL expired; requesting a new one")
                     : "upload URL for import " + import_id_ + " expired; requesting a new one");
  return take(Trigger::url_expired, now);
}

UPSTATE_DECL Action Upload::on_upload_answer(const Response& response, Instant now) {
  last_upload_status_ = response.status;
  std::optional<S3Error> xml;
  if (response.status < 200 || response.status > 299) {
    auto parsed = parse_s3_error(response.body, config_.limits);
    if (parsed) xml = std::move(parsed.value());
  }
  Classification c = classify_upload_answer(response.status, xml ? &*xml : nullptr, url_expired_at(now));
  switch (c.verdict) {
    case Verdict::success:
      upload_accepted_at_ = now;
      first_status_since_put_.reset();
      retry_.succeeded();
      return take(Trigger::upload_accepted, now);  // uploading_v3: the dataset's status is polled next
    case Verdict::retry:
      return retry(AnswerMeaning::retry_it(Error::answer(ErrorCode::retries_exhausted, response.status,
                                                         "upload answered HTTP " + std::to_string(response.status),
                                                         xml ? xml->code : ""),
                                           retry_after_of(response)),
                   now);
    case Verdict::renew_url:
      return renew_url(now);
    case Verdict::final:
      break;
  }
  Error e = Error::answer(c.code, response.status, "", xml ? xml->code : "");
  if (xml) {
    // Redacted before the cut: a token straddling it would leak in part.
    e.message = "upload host refused the file: " + printable_excerpt(redact(xml->code, config_.token), 64) + ": " +
                printable_excerpt(redact(xml->message, config_.token), 200);
    if (c.code == ErrorCode::signature_mismatch)
      e.message += "; we sent Content-Type '" + printable_excerpt(redact(content_type_, config_.token), 100) +
                   "' and no other signed header: the URL was altered or signed for other values";
  } else {
    e.message = "upload host answered HTTP " + std::to_string(response.status);
  }
  return finish(Trigger::upload_refused, std::move(e), now);
}

UPSTATE_DECL Action Upload::on_poll_answer(const Response& response, Instant now) {
  if (auto moved = unless_parseable(response, now)) return std::move(*moved);

  auto parsed = parse_import_report(response.body, config_.limits);
  if (!parsed) return finish(Trigger::poll_refused, with_status(parsed.error(), response.status), now);
  ImportReport& report = parsed.value();
  if (report.import_id != import_id_)
    return finish(Trigger::poll_refused,
                  Error::malformed("$.import_id", "the answer is about import '" +
                                                      printable_excerpt(redact(report.import_id, config_.token), 80) + "', not '" +
                                                      import_id_ + "'")
                      .with_status(response.status),
                  now);
  retry_.succeeded();
  // A probe (a resumed upload whose PUT answer was never seen):
  // `uninitialised` means the bytes never arrived (S3 keeps an object
  // whole or not at all), anything else that they did.
  if (state_ == State::probing && report.status == ImportStatus::uninitialised) return start_over(now);
  track_status(report.status, now);
  server_progress_ = server_progress_of(report, config_.token);
  // pending_schema is a pause: with keep_polling the same import is
  // polled slowly (a probe first learns only that the PUT landed).
  if (report.status == ImportStatus::pending_schema && state_ == State::polling &&
      config_.poll.on_pending_schema == OnPendingSchema::keep_polling) {
    redact_in(report, config_.token);
    paused_report_ = std::move(report);
    wake_at_ = std::min(now + config_.poll.paused_interval, deadline_);
    return take(Trigger::import_paused, now);
  }
  if (state_ == State::probing && report.status == ImportStatus::pending_schema &&
      config_.poll.on_pending_schema == OnPendingSchema::keep_polling)
    return wait_then(Trigger::import_pending, config_.poll.delay(0, rng_), now);
  if (is_terminal(report.status)) {
    redact_in(report, config_.token);  // a server echoing the token in a reason must not get it printed
    outcome_.result = std::move(report);
    return take(Trigger::import_terminal, now);
  }
  return pending(report.status == ImportStatus::uninitialised, "the import is still uninitialised", response, now);
}

UPSTATE_DECL Action Upload::start_over(Instant now) {
  note(now, "import " + import_id_ + " never received the file (still uninitialised); requesting a new upload URL");
  abandoned_.push_back(std::move(import_id_));
  import_id_.clear();
  last_status_.reset();
  return take(Trigger::import_unstarted, now);
}

UPSTATE_DECL Action Upload::pending(bool unstarted, const char* still, const Response& response, Instant now,
                                    Trigger trigger) {
  if (unstarted && now - upload_accepted_at_ >= config_.poll.stuck_after)
    return finish(Trigger::import_stuck,
                  Error::of(ErrorCode::import_stuck, std::string(still) + " " +
                                                         seconds_text(now - upload_accepted_at_) +
                                                         " after the upload host accepted the file")
                      .with_status(response.status),
                  now);
  Duration wait = config_.poll.delay(same_status_polls_, rng_);
  if (auto minimum = retry_after_of(response)) wait = std::max(wait, *minimum);
  return wait_then(trigger, wait, now);
}

UPSTATE_DECL Action Upload::on_status_answer(const Response& response, Instant now) {
  if (auto moved = unless_parseable(response, now)) return std::move(*moved);

  auto parsed = parse_dataset_status_answer(response.body, config_.limits);
  if (!parsed) return finish(Trigger::poll_refused, with_status(parsed.error(), response.status), now);
  DatasetStatusAnswer& answer = parsed.value();
  retry_.succeeded();
  last_dataset_status_ = answer.status;
  track_status(to_import_status(answer.status), now);
  // Until the status moves since the PUT (confirming_status), a READY or
  // ERROR may be the previous file's (legacy_freshness.hpp).
  if (state_ == State::confirming_status) {
    if (!first_status_since_put_) first_status_since_put_ = answer.status;
    if (!legacy_status_is_ours(answer.status, first_status_since_put_, upload_accepted_at_, now,
                               config_.poll.legacy_settle)) {
      if (!stale_noted_)
        note(now, "the dataset's status is " + std::string(to_string(answer.status)) +
                      " and has not changed since the upload: it may be the previous file's; waiting up to " +
                      seconds_text(config_.poll.legacy_settle) + " for a change");
      stale_noted_ = true;
      return pending(false, "", response, now, Trigger::status_unconfirmed);
    }
  }
  if (is_terminal(answer.status)) {
    ImportReport report = legacy_report(std::move(answer));
    redact_in(report, config_.token);
    outcome_.result = std::move(report);
    return take(Trigger::import_terminal, now);
  }
  return pending(answer.status == DatasetStatus::uninitialised, "the dataset's status is still UNINITIALISED",
                 response, now);
}

UPSTATE_DECL ImportReport Upload::legacy_report(DatasetStatusAnswer answer) const {
  ImportReport r;
  r.dataset_id = config_.dataset_id;
  r.type = "legacy_dataset";
  r.status = to_import_status(answer.status);
  if (answer.status == DatasetStatus::error)
    r.reason = answer.reason ? std::move(answer.reason) : std::string("the service gave no reason");
  return r;
}

UPSTATE_DECL void Upload::track_status(ImportStatus status, Instant now) {
  auto rank = [](ImportStatus s) { return static_cast<int>(s); };
  if (last_status_ && status != *last_status_) {
    if (!is_terminal(status) && rank(status) < rank(*last_status_))
      note(now, "status went backwards: " + std::string(to_string(*last_status_)) + " -> " +
                    std::string(to_string(status)));
    same_status_polls_ = 0;
    status_since_ = now;
    stuck_noted_ = false;
  } else if (last_status_) {
    ++same_status_polls_;
  } else {
    status_since_ = now;
  }
  last_status_ = status;
  if (!stuck_noted_ && !is_terminal(status) && now - status_since_ >= config_.poll.stuck_after) {
    stuck_noted_ = true;
    note(now, "status has been " + std::string(to_string(status)) + " for " + seconds_text(now - status_since_) +
                  " (stuck?)");
  }
}

UPSTATE_DECL std::optional<Action> Upload::unless_parseable(const Response& response, Instant now) {
  AnswerMeaning meaning = classify_api_answer(response, to_string(current_purpose()), config_);
  if (meaning.parseable()) return std::nullopt;
  return act_on(std::move(meaning), now);
}

UPSTATE_DECL Action Upload::act_on(AnswerMeaning meaning, Instant now) {
  if (meaning.verdict == AnswerMeaning::Verdict::retry_it) return retry(meaning, now);
  if (meaning.verdict == AnswerMeaning::Verdict::refuse_it)
    return finish(state_info(state_).on_refusal, std::move(meaning.error), now);
  return internal_error("an answer to parse reached act_on in state " + std::string(to_string(state_)), now);
}

UPSTATE_DECL Action Upload::retry(const AnswerMeaning& failure, Instant now) {
  RetryBudget::Plan plan =
      retry_.next(failure, config_.retry, rng_, now, deadline_, outcome_.notes, outcome_.notes_dropped, config_.token);
  if (!plan.ok()) {
    Error end = std::move(plan).error();
    const Trigger trigger = end.code == ErrorCode::deadline_exceeded ? Trigger::deadline : Trigger::retries_exhausted;
    return finish(trigger, std::move(end), now);
  }
  wake_at_ = plan.value().until;
  return take(state_info(state_).on_retry, now);
}

UPSTATE_DECL Action Upload::wait_then(Trigger trigger, Duration wait, Instant now) {
  wake_at_ = std::min(now + wait, deadline_);
  return take(trigger, now);
}

UPSTATE_DECL Action Upload::send(Request request) {
  ++outcome_.requests_sent;
  return Send{std::move(request)};
}

UPSTATE_DECL Request Upload::request_for(Purpose purpose) {
  switch (purpose) {
    case Purpose::upload_url: return upload_url_request();
    case Purpose::upload: return upload_request();
    case Purpose::poll: return poll_request();
    case Purpose::dataset_status: return status_request();
    case Purpose::dataset: break;
  }
  return status_request();  // unreachable: no Upload state sends the dataset request
}

UPSTATE_DECL Request Upload::upload_url_request() const {
  return Request{Purpose::upload_url, "GET", dataset_url() + "/upload-url/" + percent_encode_segment(file_.name),
                 api_headers(), std::nullopt};
}

UPSTATE_DECL Request Upload::upload_request() const {
  return Request{Purpose::upload, "PUT", upload_url_,
                 {{"Content-Type", content_type_}, {"User-Agent", config_.user_agent}}, FileBody{file_.size}};
}

UPSTATE_DECL Request Upload::poll_request() {
  if (poll_url_import_ != import_id_ || poll_url_.empty()) {
    poll_url_ = dataset_url() + "/imports/" + percent_encode_segment(import_id_);
    poll_url_import_ = import_id_;
  }
  return Request{Purpose::poll, "GET", poll_url_, api_headers(), std::nullopt};
}

UPSTATE_DECL Request Upload::status_request() const {
  return Request{Purpose::dataset_status, "GET", dataset_url() + "/status", api_headers(), std::nullopt};
}

UPSTATE_DECL std::optional<Error> Upload::check_inputs() const {
  if (auto bad = check_dataset_id(config_)) return bad;
  if (state_info(state_).reached != Reached::upload) {
    if (!is_safe_segment(file_.name))
      return Error::invalid_argument("file name must be non-empty, not '.' or '..', and hold no NUL byte");
    if (file_.size > kMaxSinglePutBytes)
      return Error::of(ErrorCode::file_too_large,
                       "the file has " + std::to_string(file_.size) + " bytes; one upload takes at most 5 GiB");
  }
  // The V4 resumed states poll an import by its id.
  if (state_info(state_).track == Track::v4 && !detail::usable_import_id(import_id_))
    return Error::invalid_argument("the import id to resume must be a non-empty path segment of at most 256 bytes");
  return check_api_access(config_);
}

UPSTATE_DECL Error Upload::with_status(Error e, int status) {
  e.http_status = status;
  return e;
}

UPSTATE_DECL Error Upload::deadline_error(Phase phase) const {
  return Error::deadline("the deadline of " + seconds_text(config_.deadline) + " passed during " +
                         std::string(to_string(phase)));
}

UPSTATE_DECL void Upload::note(Instant now, std::string text) {
  append_note(outcome_.notes, outcome_.notes_dropped, now, std::move(text), config_.token);
}

}  // namespace upstate
// ---- end include/upstate/impl/upload.ipp ----

// ---- begin include/upstate/impl/api_step.ipp ----
// The bodies of the API request step (<upstate/machine/api_step.hpp>; see
// detail/linkage.hpp): classifying an answer or a transport failure, and
// planning a retry.

namespace upstate {

UPSTATE_DECL void append_note(std::vector<Note>& notes, std::size_t& dropped, Instant at, std::string text,
                              std::string_view token) {
  if (notes.size() >= Outcome::kMaxNotes) {
    ++dropped;
    return;
  }
  notes.push_back(Note{at, redact(std::move(text), token)});
}

UPSTATE_DECL AnswerMeaning classify_api_answer(const Response& response, std::string_view step, const UploadConfig& config) {
  const Classification c = classify_api_status(response.status);
  const std::string status = std::to_string(response.status);
  if (c.verdict == Verdict::success) return AnswerMeaning::parse_it();
  if (c.verdict == Verdict::retry)
    return AnswerMeaning::retry_it(Error::answer(ErrorCode::retries_exhausted, response.status,
                                                 std::string(step) + " answered HTTP " + status),
                                   retry_after_of(response));
  Error e = Error::answer(c.code, response.status, std::string(step) + " request answered HTTP " + status);
  if (auto body = parse_error_body(response.body, config.limits)) {
    if (body->error_code) e.server_code = std::to_string(*body->error_code);
    if (auto text = body->summary(); !text.empty()) e.message += ": " + printable_excerpt(redact(text, config.token), 600);
  }
  return AnswerMeaning::refuse_it(std::move(e));
}

UPSTATE_DECL AnswerMeaning classify_transport_error(const TransportError& error, std::string_view step) {
  std::string what = std::string(step) + " request failed: " + std::string(to_string(error.kind)) +
                     (error.message.empty() ? "" : " (" + printable_excerpt(error.message, 200) + ")");
  if (error.kind == TransportError::Kind::tls) return AnswerMeaning::refuse_it(Error::of(ErrorCode::tls, std::move(what)));
  if (error.kind == TransportError::Kind::local_file)  // the same bytes are gone: a retry sends no better
    return AnswerMeaning::refuse_it(Error::of(ErrorCode::file_changed, std::move(what)));
  return AnswerMeaning::retry_it(Error::of(ErrorCode::retries_exhausted, std::move(what)), std::nullopt);
}

UPSTATE_DECL RetryBudget::Plan RetryBudget::next(const AnswerMeaning& failure, const RetryPolicy& policy, Rng& rng,
                                                 Instant now, Instant deadline, std::vector<Note>& notes,
                                                 std::size_t& dropped, std::string_view token) {
  ++failures_;
  if (failures_ >= policy.max_attempts) {
    Error e = failure.error;
    e.message = std::to_string(failures_) + " attempts failed; last: " + e.message;
    return e;
  }
  Duration wait = policy.backoff(failures_, rng);
  if (failure.minimum) {
    wait = std::max(wait, *failure.minimum);
    // Retry-After is a floor we never shorten; when it lands past the
    // deadline, waiting for it is pointless.
    if (now + *failure.minimum > deadline)
      return Error::deadline("the server asked to wait " + seconds_text(*failure.minimum) + ", past the deadline")
          .with_status(failure.error.http_status);
  }
  // Announced only when it will happen: a wait that reaches the deadline
  // ends in deadline_exceeded, not in another attempt.
  if (now + wait < deadline)
    append_note(notes, dropped, now,
                failure.error.message + "; retrying (attempt " + std::to_string(failures_ + 1) + ")", token);
  return Wait{std::min(now + wait, deadline)};
}

UPSTATE_DECL std::string without_trailing_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace upstate
// ---- end include/upstate/impl/api_step.ipp ----

// ---- begin include/upstate/impl/wire_dataset.ipp ----
// The bodies of <upstate/wire/dataset.hpp> (see detail/linkage.hpp).

namespace upstate {

namespace detail {

// A schema object wherever it sits ("$" alone, "$.schema" in a dataset).
// "fields" absent or null reads as no fields: the dataset answer may carry a
// schema that names none yet, and refusing the whole answer for it would help
// nobody. Each field's `type` is required and kept verbatim (unknown types are
// the server's business).
inline Result<Schema> read_schema(const JsonValue& object, std::string path) {
  ObjectReader reader(object, std::move(path));
  Schema schema;
  schema.strict = reader.optional_bool("strict").value_or(false);
  const JsonValue* fields = reader.optional_object("fields");
  if (reader.failed()) return reader.take_error();
  if (!fields) return schema;
  const std::string fields_path = reader.path_of("fields");
  for (auto it = fields->MemberBegin(); it != fields->MemberEnd(); ++it) {
    std::string_view name = string_view_of(it->name);
    std::string field_path = member_path(fields_path, name);
    if (!it->value.IsObject()) return malformed(std::move(field_path), wrong_type("object", it->value));
    ObjectReader field(it->value, std::move(field_path));
    SchemaField out;
    out.name = std::string(name);
    out.type = field.required_string("type");
    out.label = field.optional_string("label").value_or("");
    if (field.failed()) return field.take_error();
    schema.fields.push_back(std::move(out));
  }
  return schema;
}

inline rapidjson::SizeType json_length(const std::string& s) noexcept {
  return static_cast<rapidjson::SizeType>(s.size());  // RapidJSON strings are at most 4 GiB
}

}  // namespace detail

// The schema object alone ({"strict":..., "fields":{...}}).
UPSTATE_DECL Result<Schema> parse_schema(std::string_view json, const ParseLimits& limits) {
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(json, limits)) return std::move(*error);
  const rapidjson::Document& doc = json_body.doc();
  return detail::read_schema(doc, "$");
}

// The schema as the API writes it (compact JSON): "strict" then "fields" in
// order; an empty label is left out.
UPSTATE_DECL std::string schema_to_json(const Schema& schema) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("strict");
  writer.Bool(schema.strict);
  writer.Key("fields");
  writer.StartObject();
  for (const SchemaField& field : schema.fields) {
    writer.Key(field.name.data(), detail::json_length(field.name));
    writer.StartObject();
    writer.Key("type");
    writer.String(field.type.data(), detail::json_length(field.type));
    if (!field.label.empty()) {
      writer.Key("label");
      writer.String(field.label.data(), detail::json_length(field.label));
    }
    writer.EndObject();
  }
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

namespace detail {

// The fast path, defined in wire/dataset_sax.hpp (included at the end: it
// includes dataset.hpp, which includes this file).
inline std::optional<Dataset> try_parse_dataset_fast(std::string_view body, const ParseLimits& limits);

// The DOM parser: every body the fast path (wire/dataset_sax.hpp) gives up
// on, every error included.
inline Result<Dataset> parse_dataset_dom(std::string_view body, const ParseLimits& limits = {}) {
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(body, limits)) return std::move(*error);
  const rapidjson::Document& doc = json_body.doc();
  detail::ObjectReader fields(doc, "$");
  Dataset dataset;
  dataset.id = fields.required_string("id");
  dataset.name = fields.optional_string("name").value_or("");
  dataset.created_at = fields.optional_string("created_at").value_or("");
  dataset.created_by = fields.optional_string("created_by").value_or("");
  dataset.total_datapoint_count = fields.optional_count("total_datapoint_count");
  dataset.schema_version = fields.optional_int("schema_version");
  const detail::JsonValue* schema = fields.optional_object("schema");
  const detail::JsonValue* imports = fields.optional_array("imports");
  dataset.status = fields.optional_string("status");
  dataset.filename = fields.optional_string("filename");
  if (fields.failed()) return fields.take_error();
  if (schema) {
    auto parsed = detail::read_schema(*schema, fields.path_of("schema"));
    if (!parsed) return std::move(parsed).error();
    dataset.schema = std::move(parsed).value();
  }
  if (imports) {
    const std::string imports_path = fields.path_of("imports");
    // One allocation: a 10,000-import list doubled into ~2x its size.
    dataset.imports.reserve(std::min<std::size_t>(imports->Size(), limits.max_dataset_imports_kept));
    for (rapidjson::SizeType i = 0; i < imports->Size(); ++i) {
      const detail::JsonValue& item = (*imports)[i];
      std::string item_path = detail::element_path(imports_path, i);
      if (!item.IsObject()) return detail::malformed(std::move(item_path), detail::wrong_type("object", item));
      detail::ObjectReader import(item, std::move(item_path));
      DatasetImportSummary summary;
      summary.import_id = import.required_string("import_id");
      summary.status = import.required_string("status");
      summary.accepted_count = import.optional_count("accepted_count");
      summary.rejected_count = import.optional_count("rejected_count");
      summary.duplicate_count = import.optional_count("duplicate_count");
      if (import.failed()) return import.take_error();
      if (dataset.imports.size() < limits.max_dataset_imports_kept) dataset.imports.push_back(std::move(summary));
      else ++dataset.imports_dropped;
    }
  }
  return dataset;
}

}  // namespace detail

// Only `id` is required; every other field is optional but type-checked.
// imports[] items need `import_id` and `status` (strings, status verbatim).
// A plain answer is read by the SAX fast path (no DOM, no copy of the body);
// anything else by the DOM parser: results and errors are the DOM parser's.
UPSTATE_DECL Result<Dataset> parse_dataset(std::string_view body, const ParseLimits& limits) {
  if (auto dataset = detail::try_parse_dataset_fast(body, limits)) return std::move(*dataset);
  return detail::parse_dataset_dom(body, limits);
}

}  // namespace upstate

// The fast path's definition (it includes dataset.hpp first, for the types).

// ---- begin include/upstate/wire/dataset_sax.hpp ----
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_DATASET_SAX_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_DATASET_SAX_HPP
// The fast path of parse_dataset. A batch's last GET /datasets/{id} lists
// every import (1.1 MB for 10,000 imports); read through a RapidJSON DOM it
// held the body, an in-situ copy, the DOM and the Dataset at once, the
// largest allocation of a 10,000-file run (bench/README.md, issue 15). Here
// PlainJsonReader (plain_json_reader.hpp) streams the body, read where it
// is, into a handler (DatasetSaxHandler) that fills the Dataset directly:
// the body and the result are all there is.
//
// Contract, as import_report_sax.hpp's: detail::try_parse_dataset_fast(body,
// limits) returns either
//   - nullopt ("not sure"): the caller runs the DOM parser
//     (detail::parse_dataset_dom) on the same body, which produces the
//     Dataset or the Error exactly as it always has; or
//   - a Dataset equal, field by field and byte by byte, to the one the DOM
//     parser returns for that body and those limits.
// It never produces an Error itself, so error codes, messages, paths and the
// order in which faults are found stay the DOM parser's by construction. It
// gives up on anything unusual, which the DOM parser then reads:
//   - a body the DOM parser's own checks refuse (check_json_text: size cap,
//     NUL byte, depth and value-count limits);
//   - text outside PlainJsonReader's plain subset (an escape, a fraction or
//     exponent, "-0", an integer past 64 bits, a byte order mark, nesting
//     past its kMaxDepth, anything that is not JSON);
//   - a field the DOM parser reads holding a type it refuses (null where
//     the field is required), a missing required field (id, a schema
//     field's type, an import's import_id or status);
//   - a key the DOM parser looks up appearing twice in one object (its
//     FindMember takes the first; not worth reproducing). The names in
//     schema.fields are not looked up but walked: a repeated name is kept
//     twice, in order, both ways.

namespace upstate {
namespace detail {

class DatasetSaxHandler {
 public:
  explicit DatasetSaxHandler(const ParseLimits& limits) : limits_(limits) {}

  // The dataset, when every required field was there.
  std::optional<Dataset> dataset() && {
    if (!(root_seen_ & bit(kId))) return std::nullopt;
    return std::move(dataset_);
  }

  bool null_value() {
    switch (place()) {
      case Place::root_member: return field_ != kId;  // null is absent for every optional field
      case Place::schema_member: return true;         // strict: false; fields: none
      case Place::field_member: return field_key_ != FieldKey::type;
      case Place::import_member: return item_key_ != ItemKey::import_id && item_key_ != ItemKey::status;
      case Place::ignored: return true;
      default: return false;  // the root, a schema field or an import that is not an object
    }
  }
  bool boolean(bool b) {
    switch (place()) {
      case Place::root_member: return field_ == kUnknownField;
      case Place::schema_member:
        if (schema_key_ == SchemaKey::strict) dataset_.schema->strict = b;
        return schema_key_ != SchemaKey::fields;
      case Place::field_member: return field_key_ == FieldKey::other;
      case Place::import_member: return item_key_ == ItemKey::other;
      case Place::ignored: return true;
      default: return false;
    }
  }
  bool integer(std::uint64_t magnitude, bool negative) {
    switch (place()) {
      case Place::root_member:
        switch (field_) {
          case kTotalDatapointCount:
            if (negative) return false;
            dataset_.total_datapoint_count = magnitude;
            return true;
          case kSchemaVersion: {
            // RapidJSON's IsInt: -2^31 to 2^31-1 (the reader gives "-0" up).
            constexpr std::uint64_t kIntMax = 2147483647u;
            if (magnitude > kIntMax + (negative ? 1u : 0u)) return false;
            dataset_.schema_version = negative ? static_cast<int>(-static_cast<std::int64_t>(magnitude))
                                               : static_cast<int>(magnitude);
            return true;
          }
          case kUnknownField: return true;
          default: return false;
        }
      case Place::schema_member: return schema_key_ == SchemaKey::other;
      case Place::field_member: return field_key_ == FieldKey::other;
      case Place::import_member: {
        std::optional<std::uint64_t>* count = import_count();
        if (!count) return item_key_ == ItemKey::other;
        if (negative) return false;
        *count = magnitude;
        return true;
      }
      case Place::ignored: return true;
      default: return false;
    }
  }
  bool string(std::string_view s) {
    switch (place()) {
      case Place::root_member: return root_string(s);
      case Place::schema_member: return schema_key_ == SchemaKey::other;
      case Place::field_member:
        if (field_key_ == FieldKey::type) dataset_.schema->fields.back().type = s;
        else if (field_key_ == FieldKey::label) dataset_.schema->fields.back().label = s;
        return true;
      case Place::import_member:
        if (item_key_ == ItemKey::import_id) import_.import_id = s;
        else if (item_key_ == ItemKey::status) import_.status = s;
        return import_count() == nullptr;  // a count as a string
      case Place::ignored: return true;
      default: return false;
    }
  }
  bool key(std::string_view k) {
    switch (depth_) {
      case 1: return root_key(k);
      case 2: return field_ == kSchema ? schema_key(k) : true;
      case 3:
        if (field_ == kImports) return import_key(k);
        if (field_ == kSchema && schema_key_ == SchemaKey::fields) field_name_ = k;
        return true;
      case 4: return field_ == kSchema && schema_key_ == SchemaKey::fields ? field_key(k) : true;
      default: return true;
    }
  }

  bool start_object() { return open(true, 0); }
  bool start_array(std::size_t bytes_left) { return open(false, bytes_left); }
  bool end_object(std::string_view, bool) { return close(); }
  bool end_array() { return close(); }

 private:
  // The root fields, as bits of root_seen_.
  enum Field : unsigned {
    kId, kName, kCreatedAt, kCreatedBy, kTotalDatapointCount, kSchemaVersion, kSchema, kImports, kStatus, kFilename,
    kUnknownField,  // any other key: its value is skipped
  };
  static constexpr std::string_view kFieldNames[] = {"id",     "name",           "created_at", "created_by",
                                                     "total_datapoint_count", "schema_version", "schema",
                                                     "imports", "status",     "filename"};
  static_assert(kUnknownField == std::size(kFieldNames), "a name per field, in order");
  enum class SchemaKey : unsigned { strict, fields, other };
  enum class FieldKey : unsigned { type, label, other };
  enum class ItemKey : unsigned { import_id, status, accepted_count, rejected_count, duplicate_count, other };

  static constexpr unsigned bit(unsigned n) noexcept { return 1u << n; }
  template <class Enum>
  static constexpr unsigned bit(Enum e) noexcept {
    return 1u << static_cast<unsigned>(e);
  }

  // Where the value just read sits.
  enum class Place {
    root,           // it is the root
    root_member,    // a member of the root object (field_)
    schema_member,  // a member of $.schema (schema_key_)
    schema_field,   // a member of $.schema.fields: must be an object
    field_member,   // a member of one schema field (field_key_)
    import,         // an element of $.imports: must be an object
    import_member,  // a member of an import (item_key_)
    ignored,        // anywhere else: inside a member nobody reads
  };

  Place place() const noexcept {
    switch (depth_) {
      case 0: return Place::root;
      case 1: return Place::root_member;
      case 2: return field_ == kSchema ? Place::schema_member : field_ == kImports ? Place::import : Place::ignored;
      case 3:
        if (field_ == kImports) return Place::import_member;
        return field_ == kSchema && schema_key_ == SchemaKey::fields ? Place::schema_field : Place::ignored;
      case 4: return field_ == kSchema && schema_key_ == SchemaKey::fields ? Place::field_member : Place::ignored;
      default: return Place::ignored;
    }
  }

  bool root_key(std::string_view key) {
    const std::optional<unsigned> f = mark_root_key(key, kFieldNames, root_seen_);
    if (!f) return false;  // a duplicate
    field_ = static_cast<Field>(*f);  // kUnknownField is std::size(kFieldNames)
    return true;
  }

  bool root_string(std::string_view s) {
    switch (field_) {
      case kId: dataset_.id = s; return true;
      case kName: dataset_.name = s; return true;
      case kCreatedAt: dataset_.created_at = s; return true;
      case kCreatedBy: dataset_.created_by = s; return true;
      case kStatus: dataset_.status.emplace(s); return true;
      case kFilename: dataset_.filename.emplace(s); return true;
      case kUnknownField: return true;
      default: return false;  // a count, the schema or the imports as a string
    }
  }

  bool schema_key(std::string_view key) {
    schema_key_ = key == "strict" ? SchemaKey::strict : key == "fields" ? SchemaKey::fields : SchemaKey::other;
    return seen_once(schema_seen_, schema_key_, SchemaKey::other);
  }

  bool field_key(std::string_view key) {
    field_key_ = key == "type" ? FieldKey::type : key == "label" ? FieldKey::label : FieldKey::other;
    return seen_once(field_seen_, field_key_, FieldKey::other);
  }

  bool import_key(std::string_view key) {
    item_key_ = key == "import_id"         ? ItemKey::import_id
                : key == "status"          ? ItemKey::status
                : key == "accepted_count"  ? ItemKey::accepted_count
                : key == "rejected_count"  ? ItemKey::rejected_count
                : key == "duplicate_count" ? ItemKey::duplicate_count
                                           : ItemKey::other;
    return seen_once(item_seen_, item_key_, ItemKey::other);
  }

  // False for a second `key` in one object, unless it is one nobody reads.
  template <class Enum>
  static bool seen_once(unsigned& seen, Enum key, Enum other) noexcept {
    if (key == other) return true;
    if (seen & bit(key)) return false;
    seen |= bit(key);
    return true;
  }

  std::optional<std::uint64_t>* import_count() noexcept {
    switch (item_key_) {
      case ItemKey::accepted_count: return &import_.accepted_count;
      case ItemKey::rejected_count: return &import_.rejected_count;
      case ItemKey::duplicate_count: return &import_.duplicate_count;
      default: return nullptr;
    }
  }

  bool open(bool object, std::size_t bytes_left) {
    switch (place()) {
      case Place::root:
        if (!object) return false;
        break;
      case Place::root_member:
        if (field_ == kSchema && object) {
          dataset_.schema.emplace();
          schema_seen_ = 0;
          schema_key_ = SchemaKey::other;
        } else if (field_ == kImports && !object) {
          reserve_imports(bytes_left);
        } else if (field_ != kUnknownField) {
          return false;
        }
        break;
      case Place::schema_member:
        if (schema_key_ == SchemaKey::strict || (schema_key_ == SchemaKey::fields && !object)) return false;
        break;
      case Place::schema_field:
        if (!object) return false;
        dataset_.schema->fields.push_back(SchemaField{std::string(field_name_), {}, {}});
        field_seen_ = 0;
        field_key_ = FieldKey::other;
        break;
      case Place::field_member:
        if (field_key_ != FieldKey::other) return false;
        break;
      case Place::import:
        if (!object) return false;
        import_ = DatasetImportSummary{};
        item_seen_ = 0;
        item_key_ = ItemKey::other;
        break;
      case Place::import_member:
        if (item_key_ != ItemKey::other) return false;
        break;
      case Place::ignored: break;
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    switch (place()) {
      case Place::schema_field: return (field_seen_ & bit(FieldKey::type)) != 0;  // a field's type is required
      case Place::import: return end_import();
      default: return true;
    }
  }

  // The import is read into import_ and kept here, or, past
  // max_dataset_imports_kept, only counted: a batch that wants the total
  // alone keeps none of a 10,000-import listing.
  bool end_import() {
    if (!(item_seen_ & bit(ItemKey::import_id)) || !(item_seen_ & bit(ItemKey::status))) return false;
    if (dataset_.imports.size() < limits_.max_dataset_imports_kept) dataset_.imports.push_back(std::move(import_));
    else ++dataset_.imports_dropped;
    return true;
  }

  // Room for the imports, guessed from the bytes left (an import of a real
  // answer takes 60 to 130): a guess too low costs a reallocation or two,
  // one too high at most 2 bytes of vector per byte of answer, and never
  // more than max_dataset_imports_kept.
  void reserve_imports(std::size_t bytes_left) {
    constexpr std::size_t kGuessedItemBytes = 64;
    dataset_.imports.reserve(std::min(bytes_left / kGuessedItemBytes, limits_.max_dataset_imports_kept));
  }

  const ParseLimits& limits_;
  Dataset dataset_;
  std::size_t depth_ = 0;  // open objects and arrays
  unsigned root_seen_ = 0;  // bits of the root fields read so far
  Field field_ = kUnknownField;
  unsigned schema_seen_ = 0;
  SchemaKey schema_key_ = SchemaKey::other;
  std::string_view field_name_;  // the key of the schema field about to open
  unsigned field_seen_ = 0;
  FieldKey field_key_ = FieldKey::other;
  unsigned item_seen_ = 0;
  ItemKey item_key_ = ItemKey::other;
  DatasetImportSummary import_;  // the import being read
};

inline std::optional<Dataset> try_parse_dataset_fast(std::string_view body, const ParseLimits& limits) {
  if (check_json_text(body, limits)) return std::nullopt;  // the DOM path's own checks
  DatasetSaxHandler handler(limits);
  if (!PlainJsonReader<DatasetSaxHandler>(body, handler).read()) return std::nullopt;
  return std::move(handler).dataset();
}

}  // namespace detail
}  // namespace upstate
#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_WIRE_DATASET_SAX_HPP
// ---- end include/upstate/wire/dataset_sax.hpp ----
// ---- end include/upstate/impl/wire_dataset.ipp ----

// ---- begin include/upstate/impl/upload_snapshot.ipp ----
// The bodies of <upstate/machine/upload_snapshot.hpp> (see detail/linkage.hpp).

namespace upstate {

namespace detail {

inline void write_json_string(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

inline Error invalid_snapshot(std::string path, std::string message) {
  return Error::of(ErrorCode::invalid_snapshot, std::move(message)).at(std::move(path));
}

}  // namespace detail

// Compact JSON, fields in the order of the comment above; optional fields
// are left out when empty. Strings are written byte for byte (RapidJSON
// escapes control characters), so a name that is not UTF-8 still round-trips.
UPSTATE_DECL std::string to_json(const UploadSnapshot& s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("format");
  detail::write_json_string(w, UploadSnapshot::kFormat);
  w.Key("version");
  w.Int(UploadSnapshot::kVersion);
  w.Key("api_base");
  detail::write_json_string(w, s.api_base);
  w.Key("dataset_id");
  detail::write_json_string(w, s.dataset_id);
  w.Key("file");
  w.StartObject();
  w.Key("name");
  detail::write_json_string(w, s.file.name);
  w.Key("size");
  w.Uint64(s.file.size);
  w.EndObject();
  w.Key("phase");
  detail::write_json_string(w, to_string(s.phase));
  w.Key("legacy");
  w.Bool(s.legacy);
  if (!s.import_id.empty()) {
    w.Key("import_id");
    detail::write_json_string(w, s.import_id);
  }
  w.Key("abandoned_import_ids");
  w.StartArray();
  for (const std::string& id : s.abandoned_import_ids) detail::write_json_string(w, id);
  w.EndArray();
  if (s.legacy && s.last_dataset_status) {
    w.Key("last_status");
    detail::write_json_string(w, to_string(*s.last_dataset_status));
  } else if (!s.legacy && s.last_import_status) {
    w.Key("last_status");
    detail::write_json_string(w, to_string(*s.last_import_status));
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The document checked field by field: Error{invalid_snapshot, path} names
// the first field at fault ("$.file.size", "$.abandoned_import_ids[3]").
// Unknown fields are ignored (a later version may add some); a known field
// of the wrong type, an unknown phase or status, an import id that is no
// safe path segment, and fields that contradict the phase are errors.
// Whether it belongs to the caller's dataset and API is Upload::restore's
// check.
UPSTATE_DECL Result<UploadSnapshot> parse_upload_snapshot(std::string_view text) {
  auto as_snapshot_error = [](Error e) {
    e.code = ErrorCode::invalid_snapshot;
    if (e.path.empty()) e.path = "$";
    return e;
  };
  using detail::invalid_snapshot;
  ParseLimits limits;
  limits.max_body_bytes = UploadSnapshot::kMaxBytes;
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(text, limits)) return as_snapshot_error(std::move(*error));
  const rapidjson::Document& doc = json_body.doc();
  detail::ObjectReader fields(doc, "$");
  UploadSnapshot s;

  std::string format = fields.required_string("format");
  if (!fields.failed() && format != UploadSnapshot::kFormat)
    return invalid_snapshot("$.format", "not an upstate upload snapshot (format \"" + printable_excerpt(format, 64) + "\")");
  auto version = fields.optional_int("version");
  if (!fields.failed() && !version) return invalid_snapshot("$.version", "missing required field");
  if (!fields.failed() && *version != UploadSnapshot::kVersion)
    return invalid_snapshot("$.version", "version " + std::to_string(*version) + " is not one this build reads (" +
                                             std::to_string(UploadSnapshot::kVersion) + ")");
  s.api_base = fields.required_string("api_base");
  s.dataset_id = fields.required_string("dataset_id");
  const detail::JsonValue* file = fields.required_object("file");
  std::string phase = fields.required_string("phase");
  s.legacy = fields.optional_bool("legacy").value_or(false);
  std::optional<std::string> import_id = fields.optional_string("import_id");
  const detail::JsonValue* abandoned = fields.optional_array("abandoned_import_ids");
  std::optional<std::string> last_status = fields.optional_string("last_status");
  if (fields.failed()) return as_snapshot_error(fields.take_error());

  detail::ObjectReader file_fields(*file, "$.file");
  s.file.name = file_fields.required_string("name");
  auto size = file_fields.optional_count("size");
  if (!file_fields.failed() && !size) return invalid_snapshot("$.file.size", "missing required field");
  if (file_fields.failed()) return as_snapshot_error(file_fields.take_error());
  s.file.size = *size;

  bool known_phase = false;
  for (SnapshotPhase p : {SnapshotPhase::not_started, SnapshotPhase::requesting_url, SnapshotPhase::uploading,
                          SnapshotPhase::processing})
    if (to_string(p) == phase) {
      s.phase = p;
      known_phase = true;
    }
  if (!known_phase) return invalid_snapshot("$.phase", "unknown phase \"" + printable_excerpt(phase, 64) + "\"");

  // The file is needed unless the PUT is behind us.
  if (s.phase != SnapshotPhase::processing && !is_safe_segment(s.file.name))
    return invalid_snapshot("$.file.name", "the file name must be non-empty, not '.' or '..', and hold no NUL byte");

  const bool has_import = s.phase == SnapshotPhase::uploading || s.phase == SnapshotPhase::processing;
  if (import_id) {
    if (s.legacy) return invalid_snapshot("$.import_id", "a V3 (legacy) upload has no import id");
    if (!has_import) return invalid_snapshot("$.import_id", "phase " + phase + " has no import yet");
    if (!detail::usable_import_id(*import_id))
      return invalid_snapshot("$.import_id", "not a usable path segment of at most 256 bytes");
    s.import_id = std::move(*import_id);
  } else if (has_import && !s.legacy) {
    return invalid_snapshot("$.import_id", "phase " + phase + " needs the import id");
  }

  if (abandoned) {
    if (abandoned->Size() > UploadSnapshot::kMaxAbandoned)
      return invalid_snapshot("$.abandoned_import_ids",
                              "more than " + std::to_string(UploadSnapshot::kMaxAbandoned) + " ids");
    for (rapidjson::SizeType i = 0; i < abandoned->Size(); ++i) {
      std::string path = detail::element_path("$.abandoned_import_ids", i);
      auto id = detail::read_string((*abandoned)[i], path);
      if (!id) return as_snapshot_error(std::move(id).error());
      if (!detail::usable_import_id(id.value()))
        return invalid_snapshot(path, "not a usable path segment of at most 256 bytes");
      s.abandoned_import_ids.push_back(std::move(id).value());
    }
  }

  if (last_status) {
    if (s.phase != SnapshotPhase::processing)
      return invalid_snapshot("$.last_status", "phase " + phase + " has no status yet");
    if (s.legacy) {
      s.last_dataset_status = parse_dataset_status(*last_status);
    } else {
      s.last_import_status = parse_import_status(*last_status);
    }
    if (!s.last_dataset_status && !s.last_import_status)
      return invalid_snapshot("$.last_status", "unknown status \"" + printable_excerpt(*last_status, 64) + "\"");
  }
  return s;
}

}  // namespace upstate
// ---- end include/upstate/impl/upload_snapshot.ipp ----

// ---- begin include/upstate/impl/wire_dataset_status.ipp ----
// The bodies of <upstate/wire/dataset_status.hpp> (see detail/linkage.hpp).

namespace upstate {

// Errors: malformed_answer (not JSON / not an object / status missing or
// not a string / reason not a string), unknown_status (path "$.status").
// Unknown fields are ignored.
UPSTATE_DECL Result<DatasetStatusAnswer> parse_dataset_status_answer(std::string_view body, const ParseLimits& limits) {
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(body, limits)) return std::move(*error);
  const rapidjson::Document& doc = json_body.doc();
  detail::ObjectReader fields(doc, "$");
  std::string status = fields.required_string("status");
  std::optional<std::string> reason;
  if (const char* key = fields.first_present({"reason", "message", "detail"})) reason = fields.optional_string(key);
  if (fields.failed()) return fields.take_error();
  auto known = parse_dataset_status(status);
  if (!known) {
    Error e;
    e.code = ErrorCode::unknown_status;
    e.message = "unknown dataset status \"" + printable_excerpt(status, 64) + "\"";
    e.path = "$.status";
    return e;
  }
  return DatasetStatusAnswer{*known, std::move(reason)};
}

}  // namespace upstate
// ---- end include/upstate/impl/wire_dataset_status.ipp ----

// ---- begin include/upstate/impl/wire_upload_url.ipp ----
// The bodies of <upstate/wire/upload_url.hpp> (see detail/linkage.hpp).

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
// ---- end include/upstate/impl/wire_upload_url.ipp ----

// ---- begin include/upstate/impl/upload_restore.ipp ----
// The bodies of Upload::snapshot() and Upload::restore()
// (<upstate/machine/upload_restore.hpp>; see detail/linkage.hpp).

namespace upstate {

UPSTATE_DECL std::string Upload::snapshot() const {
  UploadSnapshot s;
  s.api_base = config_.api_base;
  s.dataset_id = config_.dataset_id;
  s.file = file_;
  s.legacy = legacy();
  s.abandoned_import_ids = abandoned_;
  switch (reached()) {
    case Reached::nothing:
      s.phase = state_ == State::idle ? SnapshotPhase::not_started : SnapshotPhase::requesting_url;
      // A URL being renewed: its import is as good as abandoned.
      if (!import_id_.empty()) s.abandoned_import_ids.push_back(import_id_);
      break;
    case Reached::url:
      s.phase = SnapshotPhase::uploading;
      s.import_id = import_id_;
      break;
    case Reached::upload:
      s.phase = SnapshotPhase::processing;
      s.import_id = import_id_;
      if (s.legacy)
        s.last_dataset_status = last_dataset_status_;
      else
        s.last_import_status = last_status_;
      break;
  }
  if (s.legacy) s.import_id.clear();
  return to_json(s);
}

UPSTATE_DECL Result<Upload> Upload::restore(UploadConfig config, std::string_view snapshot) {
  const std::string token = config.token;
  auto parsed = parse_upload_snapshot(snapshot);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = redact(std::move(e.message), token);
    return e;
  }
  UploadSnapshot& s = parsed.value();
  Upload up{std::move(config), std::move(s.file)};
  auto mismatch = [&](const char* path, const char* what, std::string_view theirs, std::string_view ours) {
    return Error::of(ErrorCode::invalid_snapshot,
                     redact(std::string("the snapshot is for ") + what + " \"" + printable_excerpt(theirs, 200) +
                                "\", the config names \"" + printable_excerpt(ours, 200) + "\"",
                            token))
        .at(path);
  };
  if (without_trailing_slashes(s.api_base) != up.config_.api_base)
    return mismatch("$.api_base", "API base", s.api_base, up.config_.api_base);
  if (s.dataset_id != up.config_.dataset_id)
    return mismatch("$.dataset_id", "dataset", s.dataset_id, up.config_.dataset_id);
  // Step 1 refuses an import id that echoes the token; so does a restore,
  // or a forged snapshot would get the token into the next one.
  auto echoes_token = [&](const std::string& id) { return redact(id, token) != id; };
  auto token_error = [](std::string path) {
    return Error::of(ErrorCode::invalid_snapshot, "the import id holds the API token").at(std::move(path));
  };
  if (echoes_token(s.import_id)) return token_error("$.import_id");
  for (std::size_t i = 0; i < s.abandoned_import_ids.size(); ++i)
    if (echoes_token(s.abandoned_import_ids[i]))
      return token_error(detail::element_path("$.abandoned_import_ids", i));
  up.said_v3_ = s.legacy;
  up.import_id_ = std::move(s.import_id);
  up.abandoned_ = std::move(s.abandoned_import_ids);
  switch (s.phase) {
    case SnapshotPhase::not_started:
    case SnapshotPhase::requesting_url: up.state_ = State::idle; break;
    // V3 has no import to probe: it asks for a new URL.
    case SnapshotPhase::uploading: up.state_ = s.legacy ? State::idle : State::idle_put_unknown; break;
    case SnapshotPhase::processing: up.state_ = s.legacy ? State::idle_uploaded_v3 : State::idle_uploaded; break;
  }
  up.last_dataset_status_ = s.last_dataset_status;
  // V3, restored after the PUT: it starts in confirming_status with the status
  // polled before the restart as the first one since the PUT. A non-terminal
  // one means the dataset had moved on to this file: any READY/ERROR differs
  // from it, so it is taken as ours.
  up.first_status_since_put_ = s.last_dataset_status;
  up.last_status_ = s.last_dataset_status ? std::optional(to_import_status(*s.last_dataset_status))
                                          : s.last_import_status;
  return up;
}

}  // namespace upstate
// ---- end include/upstate/impl/upload_restore.ipp ----

// ---- begin include/upstate/impl/wire_error_body.ipp ----
// The bodies of <upstate/wire/error_body.hpp> (see detail/linkage.hpp).

namespace upstate {

namespace detail {

inline constexpr std::size_t kApiErrorTextMax = 512;  // per kept piece
inline constexpr int kApiErrorRenderDepth = 8;       // nesting rendered in a detail object/array

// Appends `piece` to `out` (separated by "; "), never past `cap` bytes.
inline void append_bounded(std::string& out, std::string_view piece, std::size_t cap) {
  if (out.size() >= cap || piece.empty()) return;
  if (!out.empty()) {
    if (cap - out.size() <= 2) return;
    out += "; ";
  }
  out += utf8_prefix(piece, cap - out.size());
}

// A detail object/array as "name: required; schema.fields: unknown type
// \"x\"": strings under the path of keys that leads to them (an array adds
// no key), numbers and booleans as JSON writes them, null skipped.
inline void render_json_text(const JsonValue& v, const std::string& path, std::string& out, std::size_t cap,
                             int depth) {
  if (out.size() >= cap) return;
  auto with_path = [&](std::string_view text) {
    append_bounded(out, path.empty() ? std::string(text) : path + ": " + std::string(text), cap);
  };
  if (v.IsString()) {
    with_path(utf8_prefix(string_view_of(v), cap));
  } else if (v.IsBool()) {
    with_path(v.GetBool() ? "true" : "false");
  } else if (v.IsInt64()) {
    with_path(std::to_string(v.GetInt64()));
  } else if (v.IsUint64()) {
    with_path(std::to_string(v.GetUint64()));
  } else if (v.IsNumber()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v.GetDouble());
    with_path(buf);
  } else if (depth >= kApiErrorRenderDepth) {
    with_path("...");
  } else if (v.IsArray()) {
    for (const auto& item : v.GetArray()) render_json_text(item, path, out, cap, depth + 1);
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      std::string key(utf8_prefix(string_view_of(m.name), 128));
      render_json_text(m.value, path.empty() ? key : path + "." + key, out, cap, depth + 1);
    }
  }
}

// `key` of `object` rendered as text; "" when absent, null or empty.
inline std::string text_of(const JsonValue& object, const char* key) {
  std::string out;
  auto it = object.FindMember(key);
  if (it != object.MemberEnd()) render_json_text(it->value, "", out, kApiErrorTextMax, 0);
  return out;
}

}  // namespace detail

UPSTATE_DECL std::string ApiErrorBody::summary() const {
  std::string main = detail;
  if (!message.empty() && message != detail) main = detail.empty() ? message : message + ": " + detail;
  std::string notes;
  if (error_code) detail::append_bounded(notes, "error_code " + std::to_string(*error_code), 64);
  if (!title.empty() && title != main) detail::append_bounded(notes, title, detail::kApiErrorTextMax);
  if (!additional.empty()) detail::append_bounded(notes, additional, 2 * detail::kApiErrorTextMax);
  if (main.empty()) return notes;
  return notes.empty() ? main : main + " (" + notes + ")";
}

// Error{malformed_answer} when the body is not a JSON object, or holds
// neither an "error" object nor a top-level `message`/`detail`. Inside, nothing
// is refused: this body only decorates an HTTP status that already decides
// the outcome, so a `status` or `error_code` that is not an integer (the
// fields are barely documented) is ignored rather than allowed to throw the
// human text away.
UPSTATE_DECL Result<ApiErrorBody> parse_error_body(std::string_view body, const ParseLimits& limits) {
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(body, limits)) return std::move(*error);
  const rapidjson::Document& doc = json_body.doc();
  ApiErrorBody out;
  auto error = doc.FindMember("error");
  const bool nested = error != doc.MemberEnd() && error->value.IsObject();
  if (nested) {
    const detail::JsonValue& e = error->value;
    auto status = e.FindMember("status");
    if (status != e.MemberEnd() && status->value.IsInt()) out.status = status->value.GetInt();
    auto code = e.FindMember("error_code");
    if (code != e.MemberEnd() && code->value.IsInt64()) out.error_code = code->value.GetInt64();
    out.title = detail::text_of(e, "title");
    out.detail = detail::text_of(e, "detail");
    out.message = detail::text_of(e, "message");
    if (out.message.empty()) out.message = detail::text_of(e, "description");
    out.additional = detail::text_of(e, "additional_information");
  }
  // The flat shape, and the top level's text when the error object had none.
  if (out.detail.empty()) out.detail = detail::text_of(doc, "detail");
  if (out.message.empty()) out.message = detail::text_of(doc, "message");
  if (!nested && error != doc.MemberEnd() && error->value.IsString() && out.message.empty())
    out.message = detail::text_of(doc, "error");  // {"error": "Not found"}
  if (!nested && out.detail.empty() && out.message.empty() && !doc.HasMember("detail") && !doc.HasMember("message"))
    return detail::malformed("$", "neither an \"error\" object nor a top-level \"message\" or \"detail\"");
  return out;
}

}  // namespace upstate
// ---- end include/upstate/impl/wire_error_body.ipp ----

// ---- begin include/upstate/impl/wire_s3_error.ipp ----
// The bodies of <upstate/wire/s3_error.hpp> (see detail/linkage.hpp): the
// bounded XML reader, out of the declarations every file sees.

namespace upstate {

namespace detail {

// Longer element names are not S3's; refusing them also bounds the cost of
// searching for each closing tag.
inline constexpr std::size_t kMaxXmlNameBytes = 64;

inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// "#65" or "#x41" (the text between '&' and ';') as a Unicode scalar value;
// nullopt for anything XML does not allow (NUL, surrogates, > U+10FFFF).
inline std::optional<std::uint32_t> numeric_character_reference(std::string_view ref) noexcept {
  if (ref.size() < 2 || ref[0] != '#') return std::nullopt;
  bool hex = ref[1] == 'x';
  std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty()) return std::nullopt;
  std::uint32_t cp = 0;
  for (char c : digits) {
    int d = c >= '0' && c <= '9' ? c - '0'
            : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1;
    if (d < 0) return std::nullopt;
    cp = cp * (hex ? 16u : 10u) + static_cast<std::uint32_t>(d);
    if (cp > 0x10FFFF) return std::nullopt;  // also stops overflow: at most 8 more bits per digit
  }
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return cp;
}

// Element text with the five predefined entities and numeric references
// decoded. Anything else after '&' is kept literally: the text is for
// people, and a stray '&' must not cost the whole error.
inline std::string decode_xml_text(std::string_view raw) {
  constexpr std::size_t kLongestReference = 10;  // "#x10FFFF" plus slack, ';' excluded
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out.push_back(raw[i]);
      continue;
    }
    std::size_t semi = raw.substr(i + 1, kLongestReference + 1).find(';');
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view ref = raw.substr(i + 1, semi);
    char named = ref == "amp"    ? '&'
                 : ref == "lt"   ? '<'
                 : ref == "gt"   ? '>'
                 : ref == "quot" ? '"'
                 : ref == "apos" ? '\''
                                 : '\0';
    if (named) {
      out.push_back(named);
    } else if (auto cp = numeric_character_reference(ref)) {
      append_utf8(out, *cp);
    } else {
      out.push_back('&');
      continue;
    }
    i += semi + 1;  // past the ';'
  }
  return out;
}

// Forward-only cursor over the body: every step moves `pos` ahead or stops
// the scan, so the reader is linear and needs no recursion.
struct XmlCursor {
  std::string_view text;
  std::size_t pos = 0;

  bool at_end() const noexcept { return pos >= text.size(); }
  bool looking_at(std::string_view s) const noexcept { return pos <= text.size() && text.substr(pos, s.size()) == s; }
  bool at_space() const noexcept {
    return pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' || text[pos] == '\n');
  }
  void skip_space() noexcept {
    while (at_space()) ++pos;
  }
  // Moves past the next `s`; false (and at the end) when there is none.
  bool skip_past(std::string_view s) noexcept {
    std::size_t found = text.find(s, pos);
    pos = found == std::string_view::npos ? text.size() : found + s.size();
    return found != std::string_view::npos;
  }
  // Whitespace and comments, which may sit between any two elements.
  bool skip_space_and_comments() noexcept {
    for (;;) {
      skip_space();
      if (!looking_at("<!--")) return true;
      if (!skip_past("-->")) return false;
    }
  }
};

struct XmlChild {
  std::string_view name;
  std::string_view raw_text;  // still entity-encoded; empty for <Name/>
  bool nested = false;        // held child elements (not S3's shape): skipped
};

// The next child element of the current one, or nullopt at its end tag, at
// the end of the body, or at anything unexpected (the caller keeps what it
// has read so far).
inline std::optional<XmlChild> next_xml_child(XmlCursor& c) {
  for (;;) {
    if (!c.skip_space_and_comments() || c.at_end() || c.looking_at("</")) return std::nullopt;
    if (c.text[c.pos] == '<') break;
    if (!c.skip_past("<")) return std::nullopt;  // stray text between children: ignored
    --c.pos;
  }
  ++c.pos;  // '<'
  std::size_t name_end = c.text.find_first_of(" \t\r\n/><", c.pos);
  if (name_end == std::string_view::npos) return std::nullopt;
  XmlChild child;
  child.name = c.text.substr(c.pos, name_end - c.pos);
  if (child.name.empty() || child.name.size() > kMaxXmlNameBytes || child.name[0] == '!' || child.name[0] == '?' ||
      c.text[name_end] == '<')
    return std::nullopt;
  std::size_t tag_end = c.text.find('>', name_end);  // attributes, if any, are skipped
  if (tag_end == std::string_view::npos) return std::nullopt;
  c.pos = tag_end + 1;
  if (c.text[tag_end - 1] == '/') return child;  // <Name/>
  std::string closing = "</" + std::string(child.name) + ">";
  std::size_t content_end = c.text.find(closing, c.pos);
  if (content_end == std::string_view::npos) return std::nullopt;
  child.raw_text = c.text.substr(c.pos, content_end - c.pos);
  child.nested = child.raw_text.find('<') != std::string_view::npos;
  c.pos = content_end + closing.size();
  return child;
}

}  // namespace detail

UPSTATE_DECL Result<S3Error> parse_s3_error(std::string_view body, const ParseLimits& limits) {
  if (body.size() > limits.max_body_bytes) return detail::body_too_large(body.size(), limits.max_body_bytes, "");
  detail::XmlCursor c{body};
  if (c.looking_at("\xEF\xBB\xBF")) c.pos += 3;  // UTF-8 byte-order mark
  c.skip_space();
  if (c.looking_at("<?xml") && !c.skip_past("?>"))
    return detail::malformed("", "S3 error body: unterminated XML declaration");
  // "<Error" then '>' or attributes: not "<ErrorDocument>", not "<Error/>".
  bool is_error_start = c.skip_space_and_comments() && c.looking_at("<Error");
  if (is_error_start) {
    c.pos += 6;
    is_error_start = (c.looking_at(">") || c.at_space()) && c.skip_past(">");
  }
  if (!is_error_start) return detail::malformed("", "S3 error body: no <Error> element");

  S3Error out;
  bool have_code = false, have_message = false;
  while (auto child = detail::next_xml_child(c)) {
    if (child->nested) continue;
    std::string text = detail::decode_xml_text(child->raw_text);
    if (!have_code && child->name == "Code") {
      out.code = std::move(text);
      have_code = true;
    } else if (!have_message && child->name == "Message") {
      out.message = std::move(text);
      have_message = true;
    } else {
      out.fields.emplace_back(std::string(child->name), std::move(text));
    }
  }
  if (out.code.empty()) return detail::malformed("", "S3 error body: no <Code> in <Error>");
  return out;
}

}  // namespace upstate
// ---- end include/upstate/impl/wire_s3_error.ipp ----

#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_HPP_IMPL

// MIT License
//
// Copyright (c) 2026 the upstate authors
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

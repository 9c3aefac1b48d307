#pragma once
// HTTP as plain values. The machine emits `Request`s and consumes
// `Response`s / `TransportError`s; whoever owns the sockets moves bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "../detail/ascii.hpp"

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

#pragma once
// What one upload needs to know, all as plain values.
#include <cstdint>
#include <string>
#include <string_view>

#include "../detail/ascii.hpp"
#include "../policy/poll_policy.hpp"
#include "../policy/retry_policy.hpp"
#include "time.hpp"
#include "../wire/limits.hpp"

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

#pragma once
// operator<< for upstate's public types, so a test framework, a log line or
// a debugger prints `partial`, not `2`. Opt-in (not in <upstate/upstate.hpp>):
// <ostream> costs every translation unit compile time, and the core itself
// prints nothing. <upstate/testing.hpp> includes it.
//
// The record checkers' enums print with <upstate/testing/records_ostream.hpp>.
// Single header: single_include/upstate_ostream.hpp.
//
// A Request prints without its secrets: the Authorization header's value and
// a presigned URL's signature and session token are replaced by <redacted>.
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "detail/classify.hpp"
#include "vocabulary/dataset_status.hpp"
#include "vocabulary/error.hpp"
#include "vocabulary/http.hpp"
#include "vocabulary/import_status.hpp"
#include "vocabulary/outcome.hpp"
#include "machine/upload_transitions.hpp"
#include "machine/upload_snapshot.hpp"

namespace upstate {

namespace detail {

inline constexpr std::string_view kRedacted = "<redacted>";

// Query parameters of a presigned URL that are credentials (SigV4, SigV2,
// temporary credentials): their values are replaced, everything else kept.
inline bool is_secret_query_key(std::string_view key) noexcept {
  constexpr std::string_view secret[] = {"X-Amz-Signature", "Signature", "X-Amz-Security-Token",
                                         "x-amz-security-token"};
  for (std::string_view s : secret)
    if (iequals(key, s)) return true;
  return false;
}

inline std::string redact_url(std::string_view url) {
  const std::size_t q = url.find('?');
  if (q == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, q + 1));
  std::string_view query = url.substr(q + 1);
  bool first = true;
  while (true) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const std::size_t eq = param.find('=');
    if (eq != std::string_view::npos && is_secret_query_key(param.substr(0, eq))) {
      out.append(param.substr(0, eq + 1));
      out.append(kRedacted);
    } else {
      out.append(param);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

constexpr std::string_view verdict_name(Verdict v) noexcept {
  switch (v) {
    case Verdict::success: return "success";
    case Verdict::retry: return "retry";
    case Verdict::renew_url: return "renew_url";
    case Verdict::final: return "final";
  }
  return "?";
}

}  // namespace detail

inline std::ostream& operator<<(std::ostream& os, ImportStatus s) { return os << to_string(s); }
inline std::ostream& operator<<(std::ostream& os, ErrorCode c) { return os << to_string(c); }
inline std::ostream& operator<<(std::ostream& os, Purpose p) { return os << to_string(p); }
inline std::ostream& operator<<(std::ostream& os, TransportError::Kind k) { return os << to_string(k); }
inline std::ostream& operator<<(std::ostream& os, DatasetStatus s) { return os << to_string(s); }
inline std::ostream& operator<<(std::ostream& os, SnapshotPhase p) { return os << to_string(p); }
inline std::ostream& operator<<(std::ostream& os, State s) { return os << to_string(s); }
inline std::ostream& operator<<(std::ostream& os, Trigger t) { return os << to_string(t); }
inline std::ostream& operator<<(std::ostream& os, Phase p) { return os << to_string(p); }
inline std::ostream& operator<<(std::ostream& os, Verdict v) { return os << detail::verdict_name(v); }

inline std::ostream& operator<<(std::ostream& os, const Error& e) { return os << to_string(e); }

// Every other enum of upstate's with a `to_string` (found by ADL): the batch
// machine's (BatchState, BatchTrigger, FileStage, FileTrigger, FetchState,
// FetchTrigger, in <upstate/batch.hpp>) and the journal's JournalPhase. A
// template, so this header needs neither of those headers; the overloads
// above are exact matches and are preferred to it.
template <class Enum, class = std::enable_if_t<std::is_enum<Enum>::value>,
          class = decltype(std::string_view(to_string(std::declval<Enum>())))>
std::ostream& operator<<(std::ostream& os, Enum e) {
  return os << to_string(e);
}

inline std::ostream& operator<<(std::ostream& os, const TransportError& e) {
  os << "transport error " << e.kind;
  if (!e.message.empty()) os << ": " << e.message;
  return os;
}

// "partial (import 7f3c...), 16 accepted, 4 rejected" or "error: retries_exhausted (HTTP 503): ...".
inline std::ostream& operator<<(std::ostream& os, const ImportReport& r) {
  os << r.status;
  if (!r.import_id.empty()) os << " (import " << r.import_id << ')';
  if (r.accepted_count) os << ", " << *r.accepted_count << " accepted";
  if (r.rejected_count) os << ", " << *r.rejected_count << " rejected";
  if (r.reason) os << ", reason: " << *r.reason;
  return os;
}

inline std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  if (const ImportReport* r = o.report()) return os << *r;
  return os << "error: " << *o.error();
}

// "PUT https://bucket.s3/...?X-Amz-Signature=<redacted> [upload] {Content-Type: text/csv} body 1024 bytes"
inline std::ostream& operator<<(std::ostream& os, const Request& r) {
  os << r.method << ' ' << detail::redact_url(r.url) << " [" << r.purpose << "] {";
  bool first = true;
  for (const Header& h : r.headers) {
    os << (first ? "" : ", ") << h.name << ": ";
    if (iequals(h.name, "Authorization") || iequals(h.name, "Proxy-Authorization"))
      os << detail::kRedacted;
    else
      os << h.value;
    first = false;
  }
  os << '}';
  if (r.file) os << " body " << r.file->size << " bytes";
  return os;
}

inline std::ostream& operator<<(std::ostream& os, const Response& r) {
  return os << "HTTP " << r.status << ", " << r.headers.size() << " headers, " << r.body.size() << " body bytes";
}

}  // namespace upstate

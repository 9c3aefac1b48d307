#pragma once
// upstate-fake-server's faults: the FakeService's own (status, malformed,
// delay, S3 errors) plus two only a server can play, a connection that
// stalls and one reset mid-body. `parse_fault_spec` reads the command
// line's `--fault PURPOSE:KIND[:ARG][xTIMES]`; it is a pure function.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <upstate/vocabulary/http.hpp>
#include <upstate/vocabulary/result.hpp>
#include <upstate/testing/fake_fault.hpp>
#include <upstate/testing/fake_json.hpp>
#include <upstate/testing/fake_s3.hpp>

namespace upstate::tools {

// Never answer: read nothing more, keep the connection open (until the
// server stops or FakeServerOptions::stall_limit passes).
struct StallFault {};

// Close with a TCP RST (SO_LINGER 0): an upload in the middle of its body
// (after about half of Content-Length arrived), any other request once it
// is all in. The FakeService records it as a reset.
struct ResetFault {};

struct ServerFault {
  Purpose purpose = Purpose::upload_url;
  int times = 1;  // how many requests of that purpose it hits, in arrival order; <= 0 hits none
  // A testing::Fault answers one request (its own `times` is ignored); a
  // FaultReset in it is played as ResetFault, a FaultDelay by the server's timer.
  std::variant<testing::Fault, StallFault, ResetFault> what;

  static ServerFault stall(Purpose p, int times = 1) { return {p, times, StallFault{}}; }
  static ServerFault reset(Purpose p, int times = 1) { return {p, times, ResetFault{}}; }
  static ServerFault service(testing::Fault f) {
    ServerFault s{f.purpose, f.times, ResetFault{}};
    if (!std::holds_alternative<testing::FaultReset>(f.what)) {
      f.times = 1;
      s.what = std::move(f);
    }
    return s;
  }
};

inline std::optional<Purpose> parse_purpose(std::string_view s) noexcept {
  if (s == "upload_url" || s == "upload-url") return Purpose::upload_url;
  if (s == "upload") return Purpose::upload;
  if (s == "poll") return Purpose::poll;
  if (s == "dataset") return Purpose::dataset;
  if (s == "dataset_status" || s == "dataset-status") return Purpose::dataset_status;
  return std::nullopt;
}

namespace detail {

inline std::optional<std::uint64_t> parse_decimal(std::string_view s, std::uint64_t max) noexcept {
  if (s.empty() || s.size() > 12) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

inline bool is_code_text(std::string_view s) noexcept {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

// The error body the step's host would write for a bare status.
inline testing::Fault status_fault(Purpose p, int status) {
  if (status < 300) return testing::Fault::status(p, status);
  if (p == Purpose::upload) {
    std::string_view code = testing::s3_code_for_status(status);
    return testing::Fault::status(p, status, testing::s3_error_xml(code, testing::s3_default_message(code)),
                                  {{"Content-Type", "application/xml"}});
  }
  return testing::Fault::status(p, status, testing::api_error_json(status, testing::http_reason(status)),
                                {{"Content-Type", "application/json"}});
}

}  // namespace detail

// PURPOSE  upload_url | upload | poll | dataset | dataset_status (V3's GET .../status)
// KIND     NNN[:RETRY_AFTER]   that status (200..599), with the host's error body
//          reset | stall       see ResetFault, StallFault
//          delay:MS            the normal answer, MS milliseconds late
//          malformed:BODY      200 with BODY (the rest of the spec, ':' included)
//          s3-expired          (upload) 403 AccessDenied "Request has expired"
//          s3:CODE:STATUS      (upload) an S3 error document with that Code
// xTIMES   a trailing "x" and digits: hit that many requests (default 1).
//          A malformed BODY ending in "x" + digits needs an explicit "x1".
inline Result<ServerFault> parse_fault_spec(std::string_view spec) {
  auto bad = [&](std::string_view why) {
    return Error::invalid_argument("--fault " + std::string(spec) + ": " + std::string(why));
  };
  auto colon = spec.find(':');
  if (colon == std::string_view::npos) return bad("expected PURPOSE:KIND");
  auto purpose = parse_purpose(spec.substr(0, colon));
  if (!purpose) return bad("PURPOSE is one of upload_url, upload, poll, dataset, dataset_status");
  std::string_view rest = spec.substr(colon + 1);

  int times = 1;
  if (auto x = rest.rfind('x'); x != std::string_view::npos && x + 1 < rest.size()) {
    std::string_view digits = rest.substr(x + 1);
    bool all_digits = digits.find_first_not_of("0123456789") == std::string_view::npos;
    if (all_digits) {
      auto n = detail::parse_decimal(digits, 1000000);
      if (!n || *n == 0) return bad("TIMES must be 1..1000000");
      times = static_cast<int>(*n);
      rest = rest.substr(0, x);
    }
  }

  colon = rest.find(':');
  std::string_view kind = rest.substr(0, colon);
  std::optional<std::string_view> arg;
  if (colon != std::string_view::npos) arg = rest.substr(colon + 1);
  auto with_times = [&](ServerFault f) {
    f.times = times;
    return f;
  };

  if (!kind.empty() && kind.find_first_not_of("0123456789") == std::string_view::npos) {
    auto status = detail::parse_decimal(kind, 599);
    if (!status || *status < 200) return bad("a status must be 200..599");
    if (!arg) return with_times(ServerFault::service(detail::status_fault(*purpose, static_cast<int>(*status))));
    if (arg->empty() || arg->size() > 64 || !is_safe_header_value(*arg)) return bad("bad Retry-After value");
    return with_times(
        ServerFault::service(testing::Fault::retry_after(*purpose, static_cast<int>(*status), std::string(*arg))));
  }
  if (kind == "reset" || kind == "stall") {
    if (arg) return bad("reset and stall take no argument");
    return with_times(kind == "reset" ? ServerFault::reset(*purpose) : ServerFault::stall(*purpose));
  }
  if (kind == "delay") {
    auto ms = arg ? detail::parse_decimal(*arg, 3600000) : std::nullopt;
    if (!ms) return bad("delay:MS with MS in 0..3600000");
    return with_times(ServerFault::service(testing::Fault::delay(*purpose, Duration(static_cast<Duration::rep>(*ms)))));
  }
  if (kind == "malformed") {
    if (!arg) return bad("malformed:BODY");
    return with_times(ServerFault::service(testing::Fault::malformed(*purpose, std::string(*arg))));
  }
  if (kind == "s3-expired" || kind == "s3") {
    if (*purpose != Purpose::upload) return bad("S3 errors answer the upload only");
    if (kind == "s3-expired") {
      if (arg) return bad("s3-expired takes no argument");
      return with_times(ServerFault::service(testing::Fault::s3_expired()));
    }
    std::string_view a = arg.value_or("");
    auto sep = a.find(':');
    std::string_view code = a.substr(0, sep);
    if (sep == std::string_view::npos) return bad("s3:CODE:STATUS needs a STATUS");
    auto status = detail::parse_decimal(a.substr(sep + 1), 599);
    if (!detail::is_code_text(code) || !status || status.value_or(0) < 300)
      return bad("s3:CODE:STATUS with an alphanumeric CODE and STATUS in 300..599");
    return with_times(ServerFault::service(
        testing::Fault::s3_error(static_cast<int>(*status), std::string(code), std::string(testing::s3_default_message(code)))));
  }
  return bad("unknown KIND (a status, reset, stall, delay:MS, malformed:BODY, s3-expired, s3:CODE:STATUS)");
}

}  // namespace upstate::tools

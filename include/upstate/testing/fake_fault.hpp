#pragma once
// Scripted faults: "fail the next N requests of a kind". A fault stands for
// trouble in front of the service (a gateway, a throttle, the network), so a
// faulted request changes no state, except FaultDelay, which is a normal
// answer that arrives late.
#include <string>
#include <utility>
#include <variant>

#include "../vocabulary/http.hpp"
#include "../vocabulary/time.hpp"
#include "fake_json.hpp"
#include "fake_s3.hpp"

namespace upstate::testing {

// Answer with this status, headers and body (the fake adds `Date`, and a
// `Content-Type` when the body is not empty and none is given).
struct FaultStatus {
  int status = 503;
  Headers headers;
  std::string body;
};

// The connection breaks: TransportError{reset}.
struct FaultReset {};

// The normal answer, `delay` later (FakeReply::delay): the service acts at
// `now` (state changes, Date header), the network brings the answer late.
struct FaultDelay {
  Duration delay{0};
};

struct Fault {
  Purpose purpose = Purpose::upload_url;  // which step it hits (the fake classifies requests by route)
  int times = 1;                          // how many requests it hits; <= 0 hits none
  std::variant<FaultStatus, FaultReset, FaultDelay> what;

  static Fault status(Purpose p, int status, std::string body = {}, Headers headers = {}, int times = 1) {
    return {p, times, FaultStatus{status, std::move(headers), std::move(body)}};
  }

  // `status` with a Retry-After header and the error body the step's host
  // writes (API JSON, or S3 XML with the code S3 uses for that status).
  static Fault retry_after(Purpose p, int status, std::string retry_after_value, int times = 1) {
    Headers h{{"Retry-After", std::move(retry_after_value)}};
    if (p == Purpose::upload) {
      std::string_view code = s3_code_for_status(status);
      h.push_back({"Content-Type", "application/xml"});
      return {p, times, FaultStatus{status, std::move(h), s3_error_xml(code, s3_default_message(code))}};
    }
    h.push_back({"Content-Type", "application/json"});
    return {p, times, FaultStatus{status, std::move(h), api_error_json(status, "Request was throttled.")}};
  }

  // 200 with `body` (not what the step promises: bad JSON, a wrong type...).
  static Fault malformed(Purpose p, std::string body, int times = 1) {
    return {p, times, FaultStatus{200, {}, std::move(body)}};
  }

  static Fault reset(Purpose p, int times = 1) { return {p, times, FaultReset{}}; }

  static Fault delay(Purpose p, Duration d, int times = 1) { return {p, times, FaultDelay{d}}; }

  // S3 says the URL expired whatever the clocks say (skew between the API
  // that signed and S3). The real, time-driven expiry answer also carries
  // <Expires> and <ServerTime>; this scripted one has no times to give.
  static Fault s3_expired(int times = 1) { return s3_error(403, "AccessDenied", "Request has expired", times); }

  static Fault s3_error(int status, std::string code, std::string message, int times = 1) {
    return {Purpose::upload, times,
            FaultStatus{status, {{"Content-Type", "application/xml"}}, s3_error_xml(code, message)}};
  }
};

}  // namespace upstate::testing

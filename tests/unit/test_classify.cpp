// Classification of answers per step: the tables in classify.hpp.
#include <catch2/catch.hpp>

#include <upstate/detail/classify.hpp>

using namespace upstate;

TEST_CASE("API statuses") {
  auto [status, verdict, code] = GENERATE(table<int, Verdict, ErrorCode>({
      {200, Verdict::success, ErrorCode::usage},
      {204, Verdict::success, ErrorCode::usage},
      {400, Verdict::final, ErrorCode::bad_request},
      {401, Verdict::final, ErrorCode::unauthorized},
      {403, Verdict::final, ErrorCode::forbidden},
      {404, Verdict::final, ErrorCode::not_found},
      {405, Verdict::final, ErrorCode::api_error},
      {408, Verdict::retry, ErrorCode::retries_exhausted},
      {409, Verdict::final, ErrorCode::api_error},
      {422, Verdict::final, ErrorCode::unprocessable},
      {429, Verdict::retry, ErrorCode::retries_exhausted},
      {500, Verdict::retry, ErrorCode::retries_exhausted},
      {501, Verdict::final, ErrorCode::api_error},
      {502, Verdict::retry, ErrorCode::retries_exhausted},
      {503, Verdict::retry, ErrorCode::retries_exhausted},
      {504, Verdict::retry, ErrorCode::retries_exhausted},
      {100, Verdict::final, ErrorCode::unexpected_status},
      {302, Verdict::final, ErrorCode::unexpected_status},
      {307, Verdict::final, ErrorCode::unexpected_status},
      {0, Verdict::final, ErrorCode::unexpected_status},
      {999, Verdict::final, ErrorCode::unexpected_status},
  }));
  CAPTURE(status);
  Classification c = classify_api_status(status);
  CHECK(c.verdict == verdict);
  if (verdict == Verdict::final) CHECK(c.code == code);
}

TEST_CASE("S3: the XML Code decides before the status") {
  auto [status, code, message, verdict] = GENERATE(table<int, std::string, std::string, Verdict>({
      {400, "RequestTimeout", "Your socket connection to the server was not read from", Verdict::retry},
      {400, "IncompleteBody", "You did not provide the number of bytes specified", Verdict::retry},
      {400, "ExpiredToken", "The provided token has expired.", Verdict::renew_url},
      {403, "AccessDenied", "Request has expired", Verdict::renew_url},
      {403, "AccessDenied", "Access Denied", Verdict::final},
      {403, "SignatureDoesNotMatch", "The request signature we calculated does not match", Verdict::final},
      {503, "SlowDown", "Please reduce your request rate.", Verdict::retry},
      {500, "InternalError", "We encountered an internal error.", Verdict::retry},
      {400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", Verdict::final},
      {400, "SomethingNew", "?", Verdict::final},
      {503, "SomethingNew", "?", Verdict::retry},
  }));
  CAPTURE(status, code);
  S3Error xml{code, message, {}};
  CHECK(classify_upload_answer(status, &xml, false).verdict == verdict);
}

TEST_CASE("S3 without a body: status alone, and a bare 403 after expiry") {
  CHECK(classify_upload_answer(200, nullptr, false).verdict == Verdict::success);
  CHECK(classify_upload_answer(403, nullptr, false).verdict == Verdict::final);
  CHECK(classify_upload_answer(403, nullptr, true).verdict == Verdict::renew_url);
  CHECK(classify_upload_answer(503, nullptr, false).verdict == Verdict::retry);
  CHECK(classify_upload_answer(429, nullptr, false).verdict == Verdict::retry);
  CHECK(classify_upload_answer(301, nullptr, false).code == ErrorCode::unexpected_status);
  CHECK(classify_upload_answer(404, nullptr, false).code == ErrorCode::upload_rejected);
}

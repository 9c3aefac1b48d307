// libFuzzer: every wire parser on arbitrary bytes. The first byte picks the
// parser; invariants beyond "no crash": a failure is a typed error with a
// path that starts at the root, and no parser stores more than its caps.
// Upload::restore counts as a parser: a snapshot it takes restores to a
// machine whose own snapshot restores to the same snapshot again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <upstate/upstate.hpp>

#include "check.hpp"  // after upstate: its `check` macro must not meet a member named check

namespace {
template <class T>
void check_error(const upstate::Result<T>& r) {
  if (r) return;
  const auto& e = r.error();
  check(e.code == upstate::ErrorCode::malformed_answer || e.code == upstate::ErrorCode::unknown_status);
  check(e.path.empty() || e.path[0] == '$');
  check(e.message.size() < 4096);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  upstate::ParseLimits limits;
  limits.max_record_errors = 64;
  limits.max_raw_item_bytes = 256;
  switch (data[0] % 8) {
    case 0: check_error(upstate::parse_upload_url_answer(body, limits)); break;
    case 1: {
      auto r = upstate::parse_import_report(body, limits);
      check_error(r);
      if (r) check(r->errors.size() <= limits.max_record_errors);
      if (r) for (const auto& e : r->errors) check(e.raw.size() <= limits.max_raw_item_bytes);
      break;
    }
    case 2: check_error(upstate::parse_dataset(body, limits)); break;
    case 3: check_error(upstate::parse_error_body(body, limits)); break;
    case 4: {
      auto r = upstate::parse_s3_error(body, limits);
      if (!r) check(r.error().code == upstate::ErrorCode::malformed_answer);
      break;
    }
    case 6: check_error(upstate::parse_dataset_status_answer(body, limits)); break;
    case 7: {
      upstate::UploadConfig config;
      config.api_base = "https://api.example.test/v1";
      config.dataset_id = "ds1";
      config.token = "tok-SECRET-123";
      auto restored = upstate::Upload::restore(config, body);
      if (!restored) {
        const auto& e = restored.error();
        check(e.code == upstate::ErrorCode::invalid_snapshot);
        check(!e.path.empty() && e.path[0] == '$');
        check(e.message.size() < 4096);
        check(upstate::to_string(e).find(config.token) == std::string::npos);
        break;
      }
      const std::string once = restored->snapshot();
      // Only the caller's own file name may hold the token's text.
      check(once.find(config.token) == std::string::npos || restored->file().name.find(config.token) != std::string::npos);
      auto again = upstate::Upload::restore(config, once);
      check(again.ok());
      check(again->snapshot() == once);
      // Started, it asks for something or refuses its inputs: never UB.
      upstate::Action a = again->start(upstate::Instant{});
      if (auto* s = std::get_if<upstate::Send>(&a)) check(upstate::find_header(s->request.headers, "Authorization") ==
                                                        nullptr || s->request.purpose != upstate::Purpose::upload);
      break;
    }
    default: {
      auto url = upstate::parse_url(body);
      if (url) {
        check(url->port != 0);
        (void)upstate::inspect_presigned_url(*url);
      }
      (void)upstate::parse_http_date(body);
      (void)upstate::parse_retry_after(body, 1795000000);
      break;
    }
  }
  return 0;
}

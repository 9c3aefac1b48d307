// libFuzzer: every wire parser on arbitrary bytes. The first byte picks the
// parser; invariants beyond "no crash": a failure is a typed error with a
// path that starts at the root, and no parser stores more than its caps.
// Upload::restore counts as a parser: a snapshot it takes restores to a
// machine whose own snapshot restores to the same snapshot again.
// parse_import_report is also checked differentially: its result is the DOM
// parser's (detail::parse_import_report_dom), and so is every report its
// fast path (wire/import_report_sax.hpp) returns; parse_dataset likewise
// against detail::parse_dataset_dom (wire/dataset_sax.hpp).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <upstate/upstate.hpp>

#include "text_checks.hpp"
#include "check.hpp"  // after upstate: its `check` macro must not meet a member named check

namespace {
// Any bytes in any server string, and any local file name: the CLI's
// summary is terminal-clean and its --json line strictly valid (issue 12).
void check_rendering(const upstate::Outcome& o, std::string_view file) {
  const std::string name(file.substr(0, 64));
  check(fuzz_text::terminal_clean(upstate_upload::summary_text(name, o)));
  check(fuzz_text::strict_json_line(upstate_upload::to_json(name, o, 7)));
}

void check_rendering(const upstate::Dataset& d) {
  check(fuzz_text::terminal_clean(upstate_upload::dataset_text(d)));
  check(fuzz_text::strict_json_line(upstate_upload::dataset_json(d)));
}

template <class T>
void check_error(const upstate::Result<T>& r) {
  if (r) return;
  const auto& e = r.error();
  upstate::Outcome o;
  o.result = e;
  check(fuzz_text::terminal_clean(upstate::to_string(e)));
  check_rendering(o, "f.csv");
  check(e.code == upstate::ErrorCode::malformed_answer || e.code == upstate::ErrorCode::unknown_status);
  check(e.path.empty() || e.path[0] == '$');
  check(e.message.size() < 4096);
}

// One check per field, so a crash names the field that differs.
void check_same_report(const upstate::ImportReport& a, const upstate::ImportReport& b) {
  check(a.import_id == b.import_id);
  check(a.dataset_id == b.dataset_id);
  check(a.type == b.type);
  check(a.status == b.status);
  check(a.created_at == b.created_at);
  check(a.updated_at == b.updated_at);
  check(a.accepted_count == b.accepted_count);
  check(a.rejected_count == b.rejected_count);
  check(a.duplicate_count == b.duplicate_count);
  check(a.filename == b.filename);
  check(a.processing_started_at == b.processing_started_at);
  check(a.processed_offset == b.processed_offset);
  check(a.written_count == b.written_count);
  check(a.duplicate_seen_count == b.duplicate_seen_count);
  check(a.rejected_seen_count == b.rejected_seen_count);
  check(a.reason == b.reason);
  check(a.errors_dropped == b.errors_dropped);
  check(a.errors.size() == b.errors.size());
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    check(a.errors[i].record_index == b.errors[i].record_index);
    check(a.errors[i].field == b.errors[i].field);
    check(a.errors[i].reason == b.errors[i].reason);
    check(a.errors[i].raw == b.errors[i].raw);
  }
}

void check_same_dataset(const upstate::Dataset& a, const upstate::Dataset& b) {
  check(a.id == b.id);
  check(a.name == b.name);
  check(a.created_at == b.created_at);
  check(a.created_by == b.created_by);
  check(a.total_datapoint_count == b.total_datapoint_count);
  check(a.schema_version == b.schema_version);
  check(a.status == b.status);
  check(a.filename == b.filename);
  check(a.schema.has_value() == b.schema.has_value());
  if (a.schema && b.schema) {
    check(a.schema->strict == b.schema->strict);
    check(a.schema->fields.size() == b.schema->fields.size());
    for (std::size_t i = 0; i < a.schema->fields.size() && i < b.schema->fields.size(); ++i) {
      check(a.schema->fields[i].name == b.schema->fields[i].name);
      check(a.schema->fields[i].type == b.schema->fields[i].type);
      check(a.schema->fields[i].label == b.schema->fields[i].label);
    }
  }
  check(a.imports_dropped == b.imports_dropped);
  check(a.imports.size() == b.imports.size());
  for (std::size_t i = 0; i < a.imports.size() && i < b.imports.size(); ++i) {
    check(a.imports[i].import_id == b.imports[i].import_id);
    check(a.imports[i].status == b.imports[i].status);
    check(a.imports[i].accepted_count == b.imports[i].accepted_count);
    check(a.imports[i].rejected_count == b.imports[i].rejected_count);
    check(a.imports[i].duplicate_count == b.imports[i].duplicate_count);
  }
}

// parse_dataset against its DOM parser, and its fast path (wire/dataset_sax.hpp) too.
void check_dataset_paths(std::string_view body, const upstate::ParseLimits& limits,
                         const upstate::Result<upstate::Dataset>& got) {
  const auto dom = upstate::detail::parse_dataset_dom(body, limits);
  check(got.ok() == dom.ok());
  if (dom.ok()) {
    check_same_dataset(got.value(), dom.value());
  } else {
    check(got.error().code == dom.error().code);
    check(got.error().path == dom.error().path);
    check(got.error().message == dom.error().message);
  }
  if (const auto fast = upstate::detail::try_parse_dataset_fast(body, limits)) {
    check(dom.ok());  // the fast path never claims a body the DOM parser refuses
    check_same_dataset(*fast, dom.value());
  }
}

void check_import_report_paths(std::string_view body, const upstate::ParseLimits& limits,
                               const upstate::Result<upstate::ImportReport>& got) {
  const auto dom = upstate::detail::parse_import_report_dom(body, limits);
  check(got.ok() == dom.ok());
  if (dom.ok()) {
    check_same_report(got.value(), dom.value());
  } else {
    check(got.error().code == dom.error().code);
    check(got.error().path == dom.error().path);
    check(got.error().message == dom.error().message);
  }
  if (const auto fast = upstate::detail::try_parse_import_report_fast(body, limits)) {
    check(dom.ok());  // the fast path never claims a body the DOM parser refuses
    check_same_report(*fast, dom.value());
  }
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
      // The first byte's higher bits vary the caps, so raw is also cut inside
      // a character and items are also dropped.
      const unsigned variant = data[0] >> 3;
      if (variant & 1) limits.max_raw_item_bytes = 9;
      if (variant & 2) limits.max_record_errors = 1;
      auto r = upstate::parse_import_report(body, limits);
      check_error(r);
      if (r) check(r->errors.size() <= limits.max_record_errors);
      if (r) for (const auto& e : r->errors) check(e.raw.size() <= limits.max_raw_item_bytes);
      check_import_report_paths(body, limits, r);
      if (r) {
        upstate::Outcome o;
        o.import_id = r->import_id;
        o.abandoned_import_ids = {r->import_id};
        o.result = r.value();
        check_rendering(o, body);
      }
      break;
    }
    case 2: {
      if (data[0] & 8) limits.max_dataset_imports_kept = 1;  // the rest counted, not kept
      auto r = upstate::parse_dataset(body, limits);
      check_error(r);
      if (r) check_rendering(r.value());
      if (r) check(r->imports.size() <= limits.max_dataset_imports_kept);
      check_dataset_paths(body, limits, r);
      break;
    }
    case 3: {
      auto r = upstate::parse_error_body(body, limits);
      check_error(r);
      if (r) check(r->detail.size() <= 512 && r->summary().size() < 4096);  // a hostile detail stays bounded
      break;
    }
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

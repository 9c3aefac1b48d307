#pragma once
// --preflight off|warn|strict: before a file is uploaded, one streaming pass
// (upstate::Preflight) checks what the service would check — UTF-8, one JSON
// object per JSONL line, well-formed CSV with a header, and, with the
// dataset's schema (fetched once per run), each record's fields. `warn`
// prints what it found and uploads anyway; `strict` refuses a file that
// would not end `complete` (ErrorCode::preflight_failed).
#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>
#include <optional>
#include <string>

#include <upstate/asio/client.hpp>
#include <upstate/records.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "file_chunks.hpp"
#include "interrupts.hpp"
#include "local_file.hpp"
#include "session_options.hpp"
#include "human_format.hpp"

namespace upstate_upload {

// The dataset's schema for the checks, or nullopt (then only the format is checked).
// Counts against the command's one deadline (config.not_after).
inline std::optional<upstate::Schema> fetch_schema(const Args& args, const upstate::UploadConfig& config,
                                                   Interrupts& interrupts) {
  upstate::BatchConfig bc;
  bc.upload = config;
  // A schema makes the check sharper, but the upload must not wait long
  // for it: two tries within 15 s, then the format alone is checked.
  bc.upload.deadline = std::min(config.deadline, upstate::Duration{15000});
  bc.upload.retry.max_attempts = 2;
  upstate::Batch batch(bc, {});
  upstate::asio::BatchClientOptions options;
  options.session = session_options(args);
  upstate::asio::BatchClient client(interrupts.io(), std::move(options));
  upstate::BatchOutcome o;
  interrupts.run(
      [&](std::function<void()> finished) {
        client.start(batch, std::vector<std::string>{}, [&o, finished](const upstate::BatchOutcome& out) {
          o = out;  // no files: the dataset only
          finished();
        });
      },
      [&] { client.cancel(); });
  if (interrupts.interrupted()) return std::nullopt;
  if (o.dataset && o.dataset->schema) return o.dataset->schema;
  if (!args.quiet) {
    if (o.dataset_error)
      std::fprintf(stderr, "pre-flight: cannot fetch the dataset's schema (%s): checking the format only\n",
                   upstate::to_string(*o.dataset_error).c_str());
    else
      std::fprintf(stderr, "pre-flight: the dataset has no schema: checking the format only\n");
  }
  return std::nullopt;
}

// Without signal handling (the --journal loop keeps default dispositions).
inline std::optional<upstate::Schema> fetch_schema(const Args& args, const upstate::UploadConfig& config) {
  upstate::BatchConfig bc;
  bc.upload = config;
  bc.upload.deadline = std::min(config.deadline, upstate::Duration{15000});
  bc.upload.retry.max_attempts = 2;
  upstate::Batch batch(bc, {});
  upstate::asio::BatchClientOptions options;
  options.session = session_options(args);
  upstate::BatchOutcome o = upstate::asio::upload_batch(batch, std::vector<std::string>{}, std::move(options));
  if (o.dataset && o.dataset->schema) return o.dataset->schema;
  if (!args.quiet && o.dataset_error)
    std::fprintf(stderr, "pre-flight: cannot fetch the dataset's schema (%s): checking the format only\n",
                 upstate::to_string(*o.dataset_error).c_str());
  else if (!args.quiet)
    std::fprintf(stderr, "pre-flight: the dataset has no schema: checking the format only\n");
  return std::nullopt;
}

// What pre-flight checks in a file named `name`; nullopt for .zip and
// others (nothing we can read record by record).
inline std::optional<upstate::PreflightConfig> preflight_config(const std::optional<upstate::Schema>& schema,
                                                                const std::string& name) {
  auto kind = upstate::file_kind_from_name(name);
  if (!kind) return std::nullopt;
  upstate::PreflightConfig pc;
  pc.kind = *kind;
  pc.schema = schema;
  return pc;
}

inline std::optional<upstate::Error> preflight_verdict(const Args& args, const std::string& name,
                                                       const upstate::PreflightReport& r);

// nullopt: go ahead and upload; an Error: strict mode refuses the file.
// Reads `file` once, at most the size seen at open; stops (nullopt) when
// `stop()` says so (a signal, the command's deadline), leaving the upload
// to report it.
inline std::optional<upstate::Error> preflight_scan(const Args& args, const std::optional<upstate::Schema>& schema,
                                                    const LocalFile& file, const std::function<bool()>& stop) {
  const std::string name = base_name(file.path);
  const std::string shown_name = upstate::terminal_safe(name);  // for stderr: a file name may hold any byte
  std::optional<upstate::PreflightConfig> pc = preflight_config(schema, name);
  if (!pc) return std::nullopt;
  upstate::Preflight preflight(*pc);
  bool stopped = false;
  std::string io_error = for_each_chunk(file.source, [&](std::string_view chunk) {
    if (stop()) return !(stopped = true);
    preflight.feed(chunk);
    return true;
  });
  if (stopped) {
    if (!args.quiet) std::fprintf(stderr, "%s: pre-flight: stopped before the end\n", shown_name.c_str());
    return std::nullopt;
  }
  if (!io_error.empty()) return std::nullopt;  // the upload reports an unreadable file itself
  return preflight_verdict(args, name, preflight.finish());
}

// Tells what pre-flight found in `name` (stderr unless --quiet) and whether
// strict mode refuses it.
inline std::optional<upstate::Error> preflight_verdict(const Args& args, const std::string& name,
                                                       const upstate::PreflightReport& r) {
  const std::string shown_name = upstate::terminal_safe(name);
  if (r.clean() && r.warned_records == 0) {
    if (!args.quiet)
      std::fprintf(stderr, "%s: pre-flight: %llu records, no problem found\n", shown_name.c_str(),
                   static_cast<unsigned long long>(r.records));
    return std::nullopt;
  }
  if (!args.quiet) {
    std::fprintf(stderr, "%s: pre-flight: %llu records", shown_name.c_str(), static_cast<unsigned long long>(r.records));
    if (r.would_fail) std::fprintf(stderr, "; the service would fail the whole file: %s", upstate::terminal_safe(r.fail_reason).c_str());
    if (r.rejected_records)
      std::fprintf(stderr, "; %llu would be rejected", static_cast<unsigned long long>(r.rejected_records));
    if (r.unchecked_records)
      std::fprintf(stderr, "; %llu too long to check", static_cast<unsigned long long>(r.unchecked_records));
    if (r.warned_records)
      std::fprintf(stderr, "; %llu with a warning", static_cast<unsigned long long>(r.warned_records));
    std::fputc('\n', stderr);
    std::size_t shown = 0;
    for (const auto& p : r.problems) {
      if (++shown > 20) break;
      std::fprintf(stderr, "  %s\n", upstate::terminal_safe(upstate::to_string(p)).c_str());
    }
    const std::uint64_t more = r.problems.size() + r.problems_dropped - std::min<std::uint64_t>(shown, r.problems.size());
    if (shown > 20 || r.problems_dropped) std::fprintf(stderr, "  ... %llu more\n", static_cast<unsigned long long>(more));
  }
  if (args.preflight != PreflightMode::strict || (!r.would_fail && r.rejected_records == 0)) return std::nullopt;
  std::string why = r.would_fail ? "the service would fail it: " + r.fail_reason
                                 : std::to_string(r.rejected_records) + " of " + std::to_string(r.records) +
                                       " records would be rejected";
  if (!r.problems.empty()) why += " (first: " + upstate::to_string(r.problems.front()) + ")";
  return upstate::Error::of(upstate::ErrorCode::preflight_failed, name + " not uploaded (--preflight strict): " + why);
}

// The run's pre-flight: stops at a signal or at the deadline `not_after`.
inline std::optional<upstate::Error> preflight_file(const Args& args, const std::optional<upstate::Schema>& schema,
                                                    const LocalFile& file, Interrupts& interrupts,
                                                    upstate::Instant not_after) {
  return preflight_scan(args, schema, file,
                        [&] { return interrupts.poll() || upstate::Clock::now() >= not_after; });
}

// By path (the --journal loop): opened here, once; a file that cannot be
// opened is left to the upload to report.
inline std::optional<upstate::Error> preflight_file(const Args& args, const std::optional<upstate::Schema>& schema,
                                                    const std::string& path) {
  const LocalFile file = open_local_file(path);
  if (file.refusal) return std::nullopt;
  return preflight_scan(args, schema, file, [] { return false; });
}

}  // namespace upstate_upload

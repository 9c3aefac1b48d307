#pragma once
// --journal PATH (and --sync, --dry-run): a batch whose progress survives a
// kill -9. The plan (journal_plan.hpp) says which files to skip, resume or
// send; the batch runs restored machines for the resumed ones
// (Batch::of_uploads), and every move of a file is appended to the journal:
//   - its import id before its PUT goes out, fdatasync'ed first (a rerun
//     must know the import that may hold the bytes, or it would send them
//     again into a second import);
//   - "processing" once the PUT was accepted, and how it ended (no sync: a
//     lost record only means a rerun polls the import once more).
// At the end the journal is compacted if it holds many superseded records.
#include <cstdio>
#include <string>
#include <vector>

#include <upstate/asio/client.hpp>
#include <upstate/journal/format.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "batch_upload.hpp"
#include "journal_file.hpp"
#include "json_text.hpp"
#include "journal_plan.hpp"
#include "preflight_step.hpp"
#include "progress_view.hpp"
#include "report.hpp"
#include "session_options.hpp"
#include "human_format.hpp"

namespace upstate_upload {

namespace journal_detail {

inline upstate::JournalPhase journal_phase(upstate::SnapshotPhase p) {
  switch (p) {
    case upstate::SnapshotPhase::uploading: return upstate::JournalPhase::uploading;
    case upstate::SnapshotPhase::processing: return upstate::JournalPhase::processing;
    default: return upstate::JournalPhase::requesting_url;
  }
}

inline upstate::SnapshotPhase snapshot_phase(upstate::JournalPhase p) {
  switch (p) {
    case upstate::JournalPhase::uploading: return upstate::SnapshotPhase::uploading;
    case upstate::JournalPhase::processing: return upstate::SnapshotPhase::processing;
    default: return upstate::SnapshotPhase::requesting_url;
  }
}

// The record of where `up` got to (its own snapshot: never the token or URL).
inline upstate::JournalEntry record_of(const PlannedFile& f, const std::string& dataset_id, const upstate::Upload& up,
                                       const upstate::Outcome* outcome) {
  upstate::JournalEntry e;
  e.dataset_id = dataset_id;
  e.path = f.path;
  e.size = f.size;
  e.mtime_ns = f.mtime_ns;
  e.sha256 = f.sha256;
  auto snap = upstate::parse_upload_snapshot(up.snapshot());
  if (snap) {
    const upstate::UploadSnapshot& s = snap.value();
    e.phase = journal_phase(s.phase);
    e.import_id = s.import_id;
    e.legacy = s.legacy;
    e.abandoned_import_ids = s.abandoned_import_ids;
    if (s.last_import_status) e.last_status = std::string(upstate::to_string(*s.last_import_status));
    if (s.last_dataset_status) e.last_status = std::string(upstate::to_string(*s.last_dataset_status));
  }
  if (outcome) {
    if (const upstate::ImportReport* r = outcome->report()) {
      e.phase = upstate::JournalPhase::finished;
      e.outcome = std::string(upstate::to_string(r->status));
      e.last_status.clear();
      if (!outcome->import_id.empty()) e.import_id = outcome->import_id;
    } else {
      // An error leaves the phase as far as the upload got: a rerun
      // continues it (polls an accepted PUT) instead of sending it again.
      e.outcome = "error:" + std::string(upstate::to_string(outcome->error()->code));
    }
    for (const std::string& id : outcome->abandoned_import_ids)
      if (std::find(e.abandoned_import_ids.begin(), e.abandoned_import_ids.end(), id) == e.abandoned_import_ids.end())
        e.abandoned_import_ids.push_back(id);
  }
  return e;
}

inline upstate::Upload upload_for(const PlannedFile& f, const upstate::UploadConfig& config) {
  upstate::UploadSnapshot s;
  s.api_base = config.api_base;
  s.dataset_id = config.dataset_id;
  s.file = upstate::FileInfo{base_name(f.path), f.size};
  if (f.record) {
    s.abandoned_import_ids = f.record->abandoned_import_ids;
    s.legacy = f.record->legacy;
  }
  if (f.kind == PlanKind::resume) {
    s.phase = snapshot_phase(f.record->phase);
    s.import_id = s.legacy ? "" : f.record->import_id;
    if (s.phase == upstate::SnapshotPhase::processing && !f.record->last_status.empty()) {
      if (s.legacy) s.last_dataset_status = upstate::parse_dataset_status(f.record->last_status);
      else s.last_import_status = upstate::parse_import_status(f.record->last_status);
    }
  } else {
    s.phase = upstate::SnapshotPhase::not_started;
    s.legacy = false;
    // The old import of a changed or failed file stays listed.
    if (f.record && !f.record->import_id.empty() && !f.record->imported() &&
        std::find(s.abandoned_import_ids.begin(), s.abandoned_import_ids.end(), f.record->import_id) ==
            s.abandoned_import_ids.end())
      s.abandoned_import_ids.push_back(f.record->import_id);
  }
  if (s.abandoned_import_ids.size() > upstate::UploadSnapshot::kMaxAbandoned)
    s.abandoned_import_ids.erase(s.abandoned_import_ids.begin(),
                                 s.abandoned_import_ids.end() - upstate::UploadSnapshot::kMaxAbandoned);
  auto restored = upstate::Upload::restore(config, upstate::to_json(s));
  if (restored) return std::move(restored).value();
  // A record this build cannot continue (e.g. an odd name): start afresh.
  return upstate::Upload{config, upstate::FileInfo{base_name(f.path), f.size}};
}

inline void print_skip_json(const PlannedFile& f) {
  rapidjson::StringBuffer out;
  JsonWriter w(out);
  w.StartObject();
  json_key(w, "file");
  json_string(w, f.path);
  json_key(w, "skipped");
  json_string(w, "already_imported");
  json_key(w, "import_id");
  json_string(w, f.record->import_id);
  json_key(w, "status");
  json_string(w, f.record->outcome);
  w.EndObject();
  std::fprintf(stdout, "%s\n", out.GetString());
}

}  // namespace journal_detail

// Runs the journaled batch; returns the exit code (skipped files count as complete).
inline int journaled_upload(const Args& args, const upstate::UploadConfig& config) {
  using namespace journal_detail;
  JournalFile journal;
  if (std::string why = journal.open(args.journal); !why.empty()) {
    std::fprintf(stderr, "upstate-upload: %s\n", upstate::printable_excerpt(why, 400).c_str());
    return kExitClientError;
  }
  if (journal.torn_tail() && !args.quiet)
    std::fprintf(stderr, "journal: the last record was cut short (a crash mid-write) and was dropped\n");
  const std::vector<std::string> paths = expand_paths(args.files, args.sync, args.journal);
  std::vector<PlannedFile> plan = plan_files(paths, args.dataset_id, journal);

  std::vector<const PlannedFile*> sending;
  std::size_t skipped = 0, resumed = 0;
  std::map<std::string, std::size_t> skipped_by_status;
  for (const PlannedFile& f : plan) {
    if (f.kind == PlanKind::skip_imported) {
      ++skipped;
      ++skipped_by_status[f.record->outcome];
      if (args.dry_run && !args.quiet)
        std::fprintf(stdout, "skip    %s (content already imported: %s, import %s%s%s)\n",
                     upstate::printable_excerpt(f.path, 300).c_str(), upstate::terminal_safe(f.record->outcome).c_str(),
                     upstate::printable_excerpt(f.record->import_id, 80).c_str(), f.record->path == f.path ? "" : ", as ",
                     f.record->path == f.path ? "" : upstate::printable_excerpt(f.record->path, 200).c_str());
      if (args.json && !args.dry_run) print_skip_json(f);
      continue;
    }
    resumed += f.kind == PlanKind::resume;
    sending.push_back(&f);
    if (args.dry_run)
      std::fprintf(stdout, "%s %s%s\n", f.kind == PlanKind::resume ? "resume " : "send   ",
                   upstate::printable_excerpt(f.path, 300).c_str(),
                   f.kind == PlanKind::resume ? (f.record->phase == upstate::JournalPhase::processing
                                                     ? " (poll its accepted import)"
                                                     : " (ask whether its import got the file)")
                                              : (f.record && f.record->phase == upstate::JournalPhase::finished
                                                     ? " (changed or not imported before)"
                                                     : ""));
  }
  if (!args.quiet || args.dry_run) {
    std::string why;
    for (const auto& kv : skipped_by_status)
      why += (why.empty() ? "" : ", ") + std::to_string(kv.second) + " " + upstate::terminal_safe(kv.first);
    std::fprintf(stderr, "%s %zu files: %zu to send (%zu resumed from the journal), %zu skipped%s\n",
                 args.dry_run ? "dry run:" : "journal:", plan.size(), sending.size(), resumed, skipped,
                 skipped ? (" (content already imported into " + upstate::printable_excerpt(args.dataset_id, 100) + ": " +
                            why + ")").c_str()
                         : "");
  }
  if (args.dry_run) return 0;
  if (sending.empty()) return 0;

  // Pre-flight for the files not sent yet (a resumed one is past it).
  std::vector<std::optional<upstate::Error>> refused(sending.size());
  if (args.preflight != PreflightMode::off) {
    std::optional<upstate::Schema> schema = fetch_schema(args, config);
    for (std::size_t i = 0; i < sending.size(); ++i)
      if (sending[i]->kind == PlanKind::send_new) refused[i] = preflight_file(args, schema, sending[i]->path);
  }

  std::vector<upstate::Upload> uploads;
  std::vector<std::string> send_paths;
  std::vector<std::unique_ptr<ProgressView>> views;
  upstate::Rng seeds(config.seed);
  for (const PlannedFile* f : sending) {
    upstate::UploadConfig c = config;
    c.seed = seeds.next();
    uploads.push_back(upload_for(*f, c));
    send_paths.push_back(f->path);
    views.push_back(std::make_unique<ProgressView>(args.quiet, base_name(f->path), /*lines_only=*/true));
  }
  upstate::BatchConfig batch_config;
  batch_config.upload = config;
  batch_config.max_in_flight = args.max_in_flight;
  batch_config.fail_fast = args.fail_fast;
  batch_config.adaptive_concurrency = !args.fixed_concurrency;
  upstate::Batch batch = upstate::Batch::of_uploads(batch_config, std::move(uploads));
  for (std::size_t i = 0; i < refused.size(); ++i)
    if (refused[i]) batch.refuse_file(i, *refused[i]);

  std::string journal_error;
  std::vector<upstate::JournalPhase> recorded(sending.size(), upstate::JournalPhase::requesting_url);
  std::vector<std::string> recorded_import(sending.size());
  auto write = [&](std::size_t i, const upstate::Outcome* outcome, bool sync) {
    if (!journal_error.empty()) return;
    upstate::JournalEntry e = record_of(*sending[i], args.dataset_id, batch.upload(i), outcome);
    recorded[i] = e.phase;
    recorded_import[i] = e.import_id;
    journal_error = journal.append(e);
    if (journal_error.empty() && sync) journal_error = journal.sync();
    // Without the journal a crash could send a file twice: stop at once.
    if (!journal_error.empty()) {
      std::fprintf(stderr, "upstate-upload: the journal cannot be written, stopping: %s\n",
                   upstate::printable_excerpt(journal_error, 300).c_str());
      std::fflush(stderr);
    }
  };

  upstate::asio::BatchClientOptions options;
  options.session = session_options(args);
  options.on_progress = [&](std::size_t i, const upstate::asio::Progress& p) {
    views[i]->on_progress(p);
    // A new import id (step 1 answered) or an accepted PUT: recorded, not synced.
    const upstate::Upload& up = batch.upload(i);
    if ((p.phase == upstate::Phase::uploading && recorded_import[i] != up.import_id()) ||
        (p.phase == upstate::Phase::processing && recorded[i] != upstate::JournalPhase::processing))
      write(i, nullptr, false);
  };
  options.on_send = [&](const upstate::Batch& b, const upstate::BatchSend& send) {
    if (send.file == upstate::BatchSend::npos) return;
    views[send.file]->on_action(b.upload(send.file));
    if (send.request.purpose != upstate::Purpose::upload) return;
    // The PUT goes out next: its import must be on disk first.
    if (recorded[send.file] != upstate::JournalPhase::uploading || recorded_import[send.file] != b.upload(send.file).import_id())
      write(send.file, nullptr, false);
    if (journal_error.empty()) journal_error = journal.sync();
    if (!journal_error.empty()) std::_Exit(kExitClientError);  // never PUT what the journal cannot vouch for
  };
  options.on_file_done = [&](std::size_t i, const upstate::Outcome& o) {
    views[i]->on_action(batch.upload(i));
    write(i, &o, false);
  };
  upstate::BatchOutcome outcome = upstate::asio::upload_batch(batch, send_paths, std::move(options));
  if (journal_error.empty()) journal_error = journal.sync();
  if (journal_error.empty() && journal.worth_compacting()) journal_error = journal.compact();
  if (!journal_error.empty())
    std::fprintf(stderr, "upstate-upload: journal: %s\n", upstate::printable_excerpt(journal_error, 300).c_str());

  int worst = journal_error.empty() ? 0 : kExitClientError;
  for (std::size_t i = 0; i < outcome.files.size(); ++i) {
    const std::string& path = sending[i]->path;
    const upstate::Outcome& o = outcome.files[i];
    if (!args.quiet) print_summary(base_name(path), o);
    if (args.json) std::fprintf(stdout, "%s\n", to_json(path, o, outcome.total_datapoint_count).c_str());
    worst = std::max(worst, exit_code_of(o));
  }
  if (!args.quiet) {
    if (outcome.total_datapoint_count)
      std::fprintf(stderr, "dataset %s: total_datapoint_count %llu\n", upstate::printable_excerpt(args.dataset_id, 100).c_str(),
                   static_cast<unsigned long long>(*outcome.total_datapoint_count));
    if (skipped) std::fprintf(stderr, "skipped %zu files already imported (see above)\n", skipped);
  }
  print_slowdown(args, batch);
  std::fflush(stdout);
  return worst;
}

}  // namespace upstate_upload

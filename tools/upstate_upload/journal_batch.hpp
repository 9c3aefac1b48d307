#pragma once
// --journal PATH (and --sync, --dry-run): a batch whose progress survives a
// kill -9. The plan (journal_plan.hpp) says which files to skip, resume or
// send; the batch runs restored machines for the resumed ones
// (Batch::of_uploads), and every move of a file is appended to the journal:
//   - its import id before its PUT goes out, fdatasync'ed first (a rerun
//     must know the import that may hold the bytes, or it would send them
//     again into a second import). The sync runs on a worker thread
//     (journal_syncer.hpp) while the loop goes on; the PUT is held
//     (BatchClientOptions::may_send) until a sync that covers its record
//     returned. One sync covers every record written before it (group
//     commit): the PUTs held while one runs share the next;
//   - "processing" once the PUT was accepted, and how it ended (no sync: a
//     lost record only means a rerun probes or polls the import once more).
//     Records that need no sync are gathered and written together within
//     5 ms (JournalFile::flush), or at the next sync; a V3 upload's
//     "processing" record at once (it has no import a rerun could probe).
// At the end the journal is compacted if it holds many superseded records.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <upstate/asio/client.hpp>
#include <upstate/asio/file_source.hpp>
#include <upstate/journal/format.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "batch_upload.hpp"
#include "interrupts.hpp"
#include "journal_file.hpp"
#include "journal_syncer.hpp"
#include "sync_lead.hpp"
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

// What a record says of the file itself (its identity), the same in every record.
inline upstate::JournalEntry file_record(const PlannedFile& f, const std::string& dataset_id) {
  upstate::JournalEntry e;
  e.dataset_id = dataset_id;
  e.path = f.path;
  e.size = f.size;
  e.mtime_ns = f.mtime_ns;
  e.sha256 = f.sha256;
  return e;
}

// How an outcome ends a record: a report finishes the file; an error
// leaves the phase as far as the upload got (a rerun continues it: polls
// an accepted PUT, instead of sending it again).
inline void end_record(upstate::JournalEntry& e, const upstate::Outcome& outcome) {
  if (const upstate::ImportReport* r = outcome.report()) {
    e.phase = upstate::JournalPhase::finished;
    e.outcome = std::string(upstate::to_string(r->status));
    e.last_status.clear();
    if (!outcome.import_id.empty()) e.import_id = outcome.import_id;
  } else {
    e.outcome = "error:" + std::string(upstate::to_string(outcome.error()->code));
  }
  for (const std::string& id : outcome.abandoned_import_ids)
    if (std::find(e.abandoned_import_ids.begin(), e.abandoned_import_ids.end(), id) == e.abandoned_import_ids.end())
      e.abandoned_import_ids.push_back(id);
}

// The record of where `up` got to, from the machine's observers: what its
// snapshot would say (Upload::snapshot), never the token or URL. Made
// three times a file, so not through the JSON snapshot (serializing and
// parsing one per record was ~5 % of a journaled batch's CPU); Debug
// builds check each against record_from_snapshot below.
inline upstate::JournalEntry record_of(const PlannedFile& f, const std::string& dataset_id, const upstate::Upload& up,
                                       const upstate::Outcome* outcome) {
  upstate::JournalEntry e = file_record(f, dataset_id);
  e.legacy = up.legacy();
  e.abandoned_import_ids = up.abandoned_import_ids();
  switch (up.reached()) {
    case upstate::Reached::nothing:
      e.phase = upstate::JournalPhase::requesting_url;
      // A URL being renewed: its import is as good as abandoned.
      if (!up.import_id().empty()) e.abandoned_import_ids.push_back(up.import_id());
      break;
    case upstate::Reached::url:
      e.phase = upstate::JournalPhase::uploading;
      e.import_id = up.import_id();
      break;
    case upstate::Reached::upload:
      e.phase = upstate::JournalPhase::processing;
      e.import_id = up.import_id();
      if (e.legacy && up.last_dataset_status()) e.last_status = std::string(upstate::to_string(*up.last_dataset_status()));
      if (!e.legacy && up.last_status()) e.last_status = std::string(upstate::to_string(*up.last_status()));
      break;
  }
  if (e.legacy) e.import_id.clear();
  if (outcome) end_record(e, *outcome);
  return e;
}

// The same record from the machine's JSON snapshot: the reference
// record_of must agree with (checked in Debug builds).
inline upstate::JournalEntry record_from_snapshot(const PlannedFile& f, const std::string& dataset_id,
                                                  const upstate::Upload& up, const upstate::Outcome* outcome) {
  upstate::JournalEntry e = file_record(f, dataset_id);
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
  if (outcome) end_record(e, *outcome);
  return e;
}

inline upstate::Upload upload_for(const PlannedFile& f, const upstate::UploadConfig& config) {
  // A file the journal never saw starts afresh: no snapshot to restore
  // (made and parsed per file, it was ~2 % of a 10,000-file run's CPU).
  if (f.kind == PlanKind::send_new && !f.record) return upstate::Upload{config, upstate::FileInfo{base_name(f.path), f.size}};
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
// A signal (SIGINT / SIGTERM) stops the planning between files, or cancels
// the batch: the files running end cancelled and are journaled as far as
// they got (a rerun continues them); the exit code is 128 + signal.
inline int journaled_upload(const Args& args, const upstate::UploadConfig& config, Interrupts& interrupts) {
  using namespace journal_detail;
  JournalFile journal;
  if (std::string why = journal.open(args.journal); !why.empty()) {
    std::fprintf(stderr, "upstate-upload: %s\n", upstate::printable_excerpt(why, 400).c_str());
    return kExitClientError;
  }
  if (journal.torn_tail() && !args.quiet)
    std::fprintf(stderr, "journal: the last record was cut short (a crash mid-write) and was dropped\n");
  std::vector<std::string> paths = expand_paths(args.files, args.sync, args.journal);
  // Pre-flight runs in the same read as the hash (content_pass.hpp): the
  // schema is fetched at the first file read, once.
  std::optional<std::optional<upstate::Schema>> schema;
  auto schema_now = [&]() -> const std::optional<upstate::Schema>& {
    if (!schema) schema = fetch_schema(args, config, interrupts);
    return *schema;
  };
  const bool check = args.preflight != PreflightMode::off && !args.dry_run;
  // A signal between files stops the planning; the loop is polled every
  // 64th file (a poll is an epoll_wait: 10,000 of them for 10,000 files).
  std::size_t polls = 0;
  auto signalled = [&] { return interrupts.interrupted() || (polls++ % 64 == 0 && interrupts.poll()); };
  std::vector<PlannedFile> plan = plan_files(paths, args.dataset_id, journal, [&](const std::string& path) {
    if (signalled()) return ContentPass{};  // read nothing more: the run stops below
    if (!check) return hash_only(path);
    std::optional<upstate::PreflightConfig> pc = preflight_config(schema_now(), base_name(path));
    return content_pass([&](auto&& each) { return for_each_chunk(path, each, 1u << 16); }, pc);
  }, /*hash_when_sent=*/!check && !args.dry_run);  // no pre-flight pass to share the read with
  std::vector<std::string>().swap(paths);  // the plan has them: not kept to the end (10,000 files)

  std::vector<PlannedFile*> sending;
  std::size_t skipped = 0, resumed = 0;
  std::map<std::string, std::size_t> skipped_by_status;
  for (PlannedFile& f : plan) {
    if (f.kind == PlanKind::skip_imported) {
      ++skipped;
      ++skipped_by_status[f.record->outcome];
      if (args.dry_run && !args.quiet)
        std::fprintf(stdout, "skip    %s (content already imported: %s, import %s%s%s)\n",
                     upstate::printable_excerpt(f.path, 300).c_str(), upstate::terminal_safe(f.record->outcome).c_str(),
                     upstate::printable_excerpt(f.record->import_id, 80).c_str(), f.record->path == f.path ? "" : ", as ",
                     f.record->path == f.path ? "" : upstate::printable_excerpt(f.record->path, 200).c_str());
      if (args.json && !args.dry_run) print_skip_json(f);
      std::string().swap(f.path);  // told: not needed any more
      std::string().swap(f.sha256);
      f.record.reset();
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
  if (interrupts.interrupted()) {
    std::fprintf(stderr, "upstate-upload: cancelled by a signal before the upload; the journal is unchanged\n");
    return interrupts.exit_code();
  }
  if (args.dry_run) return 0;
  if (sending.empty()) return 0;

  // Pre-flight for the files not sent yet (a resumed one is past it): told
  // from the pass that hashed the file, or, for a file whose hash the
  // journal had (not read yet), its own pass now.
  std::vector<std::optional<upstate::Error>> refused(sending.size());
  if (check) {
    for (std::size_t i = 0; i < sending.size(); ++i) {
      PlannedFile& f = *sending[i];
      if (f.kind != PlanKind::send_new || signalled()) continue;  // a signal: the batch ends cancelled
      if (f.preflight)
        refused[i] = preflight_verdict(args, base_name(f.path), *f.preflight);
      else if (!f.content_read)
        refused[i] = preflight_file(args, schema_now(), f.path);
      f.preflight.reset();
    }
  }
  for (PlannedFile& f : plan) f.preflight.reset();
  // The plan stat'ed (and mostly read) every file just now: the batch does
  // not open each one again to check it (check_paths_at_start below); a
  // file the plan could not read is refused here, as that check would.
  for (std::size_t i = 0; i < sending.size(); ++i) {
    const PlannedFile& f = *sending[i];
    if (f.readable || refused[i]) continue;
    upstate::asio::FileSource probe;
    std::string error;
    if (!probe.open(f.path, error))
      refused[i] = upstate::Error::invalid_argument(error);
    else if (probe.size() != f.size)
      refused[i] = upstate::Error::invalid_argument(upstate::detail::size_changed(f.path, probe.size(), f.size));
  }

  // Memory stays flat however many files (bench/README.md): each file's
  // machine is made when it starts (restored from its record) and freed
  // once it ended, outcomes stream out, progress views live while a file runs.
  std::vector<upstate::FileInfo> infos;
  std::vector<std::string> send_paths;
  for (const PlannedFile* f : sending) {
    infos.push_back(upstate::FileInfo{base_name(f->path), f->size});
    send_paths.push_back(f->path);
  }
  const upstate::BatchConfig batch_config = batch_config_for(args, config);
  // A file hashed as it starts is read through the descriptor its PUT
  // then streams from (BatchClientOptions::opened_file): opened once, not
  // twice. At most kKeptOpen wait for their PUT (the others are closed and
  // opened again at their PUT), far below the descriptor limit.
  constexpr std::size_t kKeptOpen = 128;
  std::map<std::size_t, upstate::asio::FileSource> kept_open;
  auto hash_and_keep = [&](std::size_t i, const PlannedFile& f) -> std::string {
    upstate::asio::FileSource file;
    std::string error;
    if (!file.open(f.path, error) || file.size() != f.size) return {};  // its PUT says why
    ContentPass pass = content_pass([&](auto&& each) { return for_each_chunk(file, each, 1u << 16); }, std::nullopt);
    if (!pass.read) return {};
    if (kept_open.size() < kKeptOpen) kept_open.emplace(i, std::move(file));
    return std::move(pass.sha256);
  };
  upstate::Batch batch = upstate::Batch::of_maker(batch_config, std::move(infos), [&](std::size_t i, upstate::UploadConfig c) {
    PlannedFile& f = *sending[i];
    if (f.hash_later) {  // read now, as it starts (journal_plan.hpp)
      f.sha256 = hash_and_keep(i, f);
      f.hash_later = false;
    }
    upstate::Upload up = upload_for(f, c);
    sending[i]->record.reset();  // in the machine now
    return up;
  });
  for (std::size_t i = 0; i < refused.size(); ++i)
    if (refused[i]) batch.refuse_file(i, *refused[i]);
  std::vector<std::optional<upstate::Error>>().swap(refused);  // told: ~110 bytes a file, not kept to the end

  std::string journal_error;
  // The running files' last record and its number in the journal (what
  // is on disk for them: its phase and import id say whether a new record
  // is due, its number whether a sync covers it). Erased when a file ends.
  struct LastRecord {
    upstate::JournalEntry entry;
    std::uint64_t number = 0;
  };
  std::map<std::size_t, LastRecord> last_record;
  auto recorded_phase = [&](std::size_t i) {
    auto it = last_record.find(i);
    return it == last_record.end() ? upstate::JournalPhase::requesting_url : it->second.entry.phase;
  };
  auto recorded_import = [&](std::size_t i) -> const std::string& {
    static const std::string none;
    auto it = last_record.find(i);
    return it == last_record.end() ? none : it->second.entry.import_id;
  };
  // Records that need no sync wait at most this long to be written (a
  // kill -9 loses only those not written yet: a rerun then probes or polls
  // those files' imports again; it never sends a file twice, as every
  // import is synced before its PUT).
  constexpr auto kFlushDelay = std::chrono::milliseconds(5);
  ::asio::steady_timer flush_timer(interrupts.io());
  bool flush_armed = false;
  auto report_journal_error = [&] {
    std::fprintf(stderr, "upstate-upload: the journal cannot be written, stopping: %s\n",
                 upstate::printable_excerpt(journal_error, 300).c_str());
    std::fflush(stderr);
  };
  auto write_of = [&](std::size_t i, const upstate::Upload& up, const upstate::Outcome* outcome, bool sync) {
    if (!journal_error.empty()) return;
    upstate::JournalEntry e = record_of(*sending[i], args.dataset_id, up, outcome);
#ifndef NDEBUG
    if (upstate::encode_journal_record(e) !=
        upstate::encode_journal_record(record_from_snapshot(*sending[i], args.dataset_id, up, outcome))) {
      std::fprintf(stderr, "upstate-upload: internal: record_of disagrees with the machine's snapshot\n");
      std::abort();
    }
#endif
    journal_error = journal.append(e);
    if (outcome) last_record.erase(i);  // ended: nothing more is due for it
    else last_record[i] = LastRecord{std::move(e), journal.appended()};
    if (journal_error.empty() && sync) journal_error = journal.sync();
    if (journal_error.empty() && journal.pending() && !flush_armed) {
      // Written within kFlushDelay, or before the next PUT's sync, which
      // comes first: the records of many answers go in one write(2).
      flush_armed = true;
      flush_timer.expires_after(kFlushDelay);
      flush_timer.async_wait([&](const ::asio::error_code&) {
        flush_armed = false;
        if (journal_error.empty()) journal_error = journal.flush();
        if (!journal_error.empty()) report_journal_error();
      });
    }
    // Without the journal a crash could send a file twice: stop at once.
    if (!journal_error.empty()) report_journal_error();
  };
  auto write = [&](std::size_t i, const upstate::Outcome* outcome, bool sync) {
    write_of(i, batch.upload(i), outcome, sync);
  };
  std::map<std::size_t, std::unique_ptr<ProgressView>> views;  // the running files'
  auto view = [&](std::size_t i) -> ProgressView& {
    std::unique_ptr<ProgressView>& v = views[i];
    if (!v) v = std::make_unique<ProgressView>(args.quiet, base_name(sending[i]->path), /*lines_only=*/true);
    return *v;
  };
  int worst = 0;
  std::vector<std::string> json_lines;  // --json: in file order, the dataset total set at the end
  if (args.json) json_lines.resize(sending.size());

  upstate::asio::BatchClientOptions options;
  options.session = session_options(args);
  options.check_paths_at_start = false;  // the plan checked them (above)
  options.opened_file = [&](std::size_t i) {
    auto it = kept_open.find(i);
    if (it == kept_open.end()) return upstate::asio::FileSource();
    upstate::asio::FileSource file = std::move(it->second);
    kept_open.erase(it);
    return file;
  };
  options.on_progress = [&](std::size_t i, const upstate::asio::Progress& p) {
    if (!batch.has_upload(i)) return;  // refused before its start: on_file_done tells
    view(i).on_progress(p);
    // A new import id (step 1 answered) or an accepted PUT: recorded, not synced.
    const upstate::Upload& up = batch.upload(i);
    if ((p.phase == upstate::Phase::uploading && recorded_import(i) != up.import_id()) ||
        (p.phase == upstate::Phase::processing && recorded_phase(i) != upstate::JournalPhase::processing)) {
      write(i, nullptr, false);
      // A V3 (legacy) upload has no import to probe: a rerun that lost
      // this record would send the file again, so it is written now (as
      // every record was before records were gathered), not in 5 ms.
      if (p.phase == upstate::Phase::processing && up.legacy() && journal_error.empty()) {
        journal_error = journal.flush();
        if (!journal_error.empty()) report_journal_error();
      }
    }
  };
  options.on_send = [&](const upstate::Batch& b, const upstate::BatchSend& send) {
    if (send.file == upstate::BatchSend::npos) return;
    view(send.file).on_action(b.upload(send.file));
    if (send.request.purpose != upstate::Purpose::upload) return;
    // The PUT goes out once its import is on disk (may_send below).
    if (recorded_phase(send.file) != upstate::JournalPhase::uploading ||
        recorded_import(send.file) != b.upload(send.file).import_id())
      write(send.file, nullptr, false);
  };
  // A PUT is held until the record of its import is fdatasync'ed: on the
  // worker (journal_syncer.hpp), one sync at a time, each covering every
  // record written before it; when it returns, the held PUTs it covered go.
  upstate::asio::BatchClient* running = nullptr;
  JournalSyncer syncer(interrupts.io());
  SyncLead sync_lead(std::max<std::size_t>(batch_config.max_in_flight / 2, 1));
  auto sync_in_background = [&] {
    if (syncer.busy()) return;  // the PUTs it does not cover wait for the next one
    std::uint64_t through = 0;
    if (journal_error.empty()) journal_error = journal.flush_for_sync(through);
    if (!journal_error.empty()) std::_Exit(kExitClientError);  // never PUT what the journal cannot vouch for
    const auto started = SyncLead::Clock::now();
    syncer.start(journal.fd(), [&, through, started](int error) {
      if (error != 0) {
        journal_error = journal.path() + ": " + std::strerror(error);
        report_journal_error();
        std::_Exit(kExitClientError);
      }
      sync_lead.on_sync(SyncLead::Clock::now() - started);
      journal.synced(through);
      if (running) running->release_held();
    });
  };
  // The PUTs go one at a time in file order (Batch), and a sync takes
  // a millisecond or more: had a sync waited for a PUT to need it, no PUT
  // would move while it ran. So a sync also starts as soon as one of the
  // next few files in PUT order (as many as pass during a sync:
  // sync_lead.hpp) has an import record not on disk: by its turn, the
  // record is, and each sync still covers as many records as it can.
  auto sync_ahead_of = [&](std::size_t file) {
    if (syncer.busy()) return;
    const std::size_t lead = sync_lead.files();
    for (auto it = last_record.upper_bound(file); it != last_record.end() && it->first <= file + lead; ++it)
      if (it->second.entry.phase == upstate::JournalPhase::uploading && !journal.durable(it->second.number))
        return sync_in_background();
  };
  options.may_send = [&](const upstate::Batch&, const upstate::BatchSend& send) {
    if (send.file == upstate::BatchSend::npos || send.request.purpose != upstate::Purpose::upload) return true;
    if (!journal_error.empty()) std::_Exit(kExitClientError);  // never PUT what the journal cannot vouch for
    // on_send (called just before) wrote the PUT's record: its number is there.
    auto last = last_record.find(send.file);
    if (journal.durable(last == last_record.end() ? 0 : last->second.number)) {
      sync_lead.on_put(SyncLead::Clock::now());
      sync_ahead_of(send.file);
      return true;
    }
    sync_in_background();
    return false;
  };
  options.on_file_done = [&](std::size_t i, const upstate::Outcome& o) {
    if (batch.has_upload(i)) {
      view(i).on_action(batch.upload(i));
      write(i, &o, false);
    } else {
      // Refused before it started (pre-flight, unreadable): its record says
      // how far the journal had it, from a machine made for that.
      write_of(i, upload_for(*sending[i], config), &o, false);
    }
    views.erase(i);
    last_record.erase(i);
    kept_open.erase(i);  // ended before its PUT took it
    const std::string& path = sending[i]->path;
    if (!args.quiet) print_summary(base_name(path), o);
    if (args.json) json_lines[i] = to_json(path, o);
    worst = std::max(worst, exit_code_of(o));
    // Its plan entry is not needed any more: freed now, the memory goes to
    // the journal's index as it grows (flat memory, bench/README.md).
    PlannedFile& done = *sending[i];
    std::string().swap(done.path);
    std::string().swap(done.sha256);
    done.record.reset();
  };
  std::optional<std::uint64_t> dataset_total;  // all that is used of the outcome (not its dataset's import list)
  upstate::asio::BatchClient client(interrupts.io(), std::move(options));
  running = &client;
  interrupts.run(
      [&](std::function<void()> finished) {
        client.start(batch, std::move(send_paths), [&dataset_total, &flush_timer, finished](const upstate::BatchOutcome& o) {
          dataset_total = o.total_datapoint_count;
          flush_timer.cancel();  // its handler flushes now: the run does not wait for it
          finished();
        });
      },
      [&] { client.cancel(); });
  if (journal_error.empty()) journal_error = journal.sync();
  if (journal_error.empty() && journal.worth_compacting()) journal_error = journal.compact();
  if (!journal_error.empty())
    std::fprintf(stderr, "upstate-upload: journal: %s\n", upstate::printable_excerpt(journal_error, 300).c_str());

  if (!journal_error.empty()) worst = std::max(worst, kExitClientError);
  for (std::string& line : json_lines)
    std::fprintf(stdout, "%s\n", with_dataset_total(std::move(line), dataset_total).c_str());
  if (!args.quiet) {
    if (dataset_total)
      std::fprintf(stderr, "dataset %s: total_datapoint_count %llu\n", upstate::printable_excerpt(args.dataset_id, 100).c_str(),
                   static_cast<unsigned long long>(*dataset_total));
    if (skipped) std::fprintf(stderr, "skipped %zu files already imported (see above)\n", skipped);
  }
  print_slowdown(args, batch);
  std::fflush(stdout);
  return interrupts.interrupted() ? interrupts.exit_code() : worst;
}

}  // namespace upstate_upload

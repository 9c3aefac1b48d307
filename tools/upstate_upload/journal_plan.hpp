#pragma once
// --journal / --sync / --dry-run, step one: what each path is, given the
// journal. Directories (with --sync) are walked in name order; every file is
// stat'ed and hashed (SHA-256) — in a pass of its own for now, the pre-flight
// pass does not hand its bytes over yet — and then either skipped (its
// content is already imported into the dataset), resumed (the journal has
// it mid-flight: poll an accepted PUT, probe a lost PUT answer) or sent new.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <upstate/journal/format.hpp>
#include <upstate/journal/sha256.hpp>

#include "file_chunks.hpp"
#include "journal_file.hpp"

namespace upstate_upload {

enum class PlanKind { send_new, resume, skip_imported };

struct PlannedFile {
  std::string path;
  bool readable = false;  // a regular file we could stat and read
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string sha256;
  PlanKind kind = PlanKind::send_new;
  // resume: the record to continue from; skip_imported: the record that
  // imported the same content (maybe under another path); send_new: the
  // path's old record, if any (its abandoned imports are carried on).
  std::optional<upstate::JournalEntry> record;
};

// Regular files under `dir`, sorted, recursively; `skip` (the journal
// itself, by device and inode) left out. Unreadable directories are skipped.
inline void walk_directory(const std::string& dir, dev_t skip_dev, ino_t skip_ino, std::vector<std::string>& out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      walk_directory(path, skip_dev, skip_ino, out);
    } else if (S_ISREG(st.st_mode)) {
      if (st.st_dev == skip_dev && st.st_ino == skip_ino) continue;
      out.push_back(std::move(path));
    }
  }
}

// The paths as given, directories expanded when `expand` (--sync).
inline std::vector<std::string> expand_paths(const std::vector<std::string>& given, bool expand,
                                             const std::string& journal_path) {
  struct stat js {};
  dev_t jdev = 0;
  ino_t jino = 0;
  if (::stat(journal_path.c_str(), &js) == 0) jdev = js.st_dev, jino = js.st_ino;
  std::vector<std::string> out;
  for (const std::string& p : given) {
    struct stat st {};
    if (expand && ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      walk_directory(p, jdev, jino, out);
    else
      out.push_back(p);
  }
  return out;
}

inline PlannedFile plan_file(const std::string& path, const std::string& dataset_id, const JournalFile& journal,
                             const std::map<std::string, const upstate::JournalEntry*>& imported_by_content) {
  PlannedFile f;
  f.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    f.size = static_cast<std::uint64_t>(st.st_size);
    f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    upstate::Sha256 hash;
    f.readable = for_each_chunk(path, [&](std::string_view chunk) { hash.update(chunk); }, 1u << 16).empty();
    if (f.readable) f.sha256 = upstate::Sha256::hex(hash.finish());
  }
  const upstate::JournalEntry* mine = journal.find(dataset_id, path);
  if (f.readable) {
    auto same_content = imported_by_content.find(f.sha256);
    if (same_content != imported_by_content.end()) {
      f.kind = PlanKind::skip_imported;
      f.record = *same_content->second;
      return f;
    }
    if (mine && mine->phase != upstate::JournalPhase::finished && mine->phase != upstate::JournalPhase::requesting_url &&
        mine->same_file(dataset_id, path, f.size, f.mtime_ns, f.sha256)) {
      f.kind = PlanKind::resume;
      f.record = *mine;
      return f;
    }
  }
  if (mine) f.record = *mine;
  return f;
}

inline std::vector<PlannedFile> plan_files(const std::vector<std::string>& paths, const std::string& dataset_id,
                                           const JournalFile& journal) {
  std::map<std::string, const upstate::JournalEntry*> imported_by_content;
  for (const auto& kv : journal.latest()) {
    const upstate::JournalEntry& e = kv.second;
    if (e.dataset_id == dataset_id && e.imported() && !e.sha256.empty()) imported_by_content.emplace(e.sha256, &e);
  }
  std::vector<PlannedFile> out;
  out.reserve(paths.size());
  for (const std::string& p : paths) out.push_back(plan_file(p, dataset_id, journal, imported_by_content));
  return out;
}

}  // namespace upstate_upload

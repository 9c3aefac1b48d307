#pragma once
// --journal / --sync / --dry-run, step one: what each path is, given the
// journal. Directories (with --sync) are walked in name order; every file is
// stat'ed and gets its SHA-256 without a read of its own: a file the journal
// already hashed at this size and mtime (to the nanosecond) keeps that hash
// and is not read at all; any other is read once by the caller's `read`
// (content_pass.hpp), which runs the pre-flight scan over the same bytes
// when pre-flight is on (or, with `hash_when_sent`, when nothing could make
// it skipped — no record of its own, nothing imported into the dataset —
// later, as its upload starts: the first run of a big batch reads no file
// before its first request). Then the file is either skipped (its content is
// already imported into the dataset), resumed (the journal has it
// mid-flight: poll an accepted PUT, probe a lost PUT answer) or sent new.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <upstate/journal/format.hpp>
#include <upstate/journal/sha256.hpp>

#include "content_pass.hpp"
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
  // (Both by pointer: a plan of 10,000 files keeps about 110 bytes per file
  // inline instead of 480.)
  std::unique_ptr<upstate::JournalEntry> record;
  bool content_read = false;  // read for its hash (pre-flight ran in that pass if it was asked for)
  bool hash_later = false;    // not read yet: hashed when its upload starts (plan_files' hash_when_sent)
  std::unique_ptr<upstate::PreflightReport> preflight;  // that pass's, until told
};

// Reads a file for its hash (and pre-flight, if the caller runs it): one pass.
using ContentReader = std::function<ContentPass(const std::string& path)>;

// The hash-only reader (--preflight off, --dry-run).
inline ContentPass hash_only(const std::string& path) {
  return content_pass([&](auto&& each) { return for_each_chunk(path, each, 1u << 16); }, std::nullopt);
}

// Regular files under `dir`, sorted, recursively; `skip` (the journal
// itself, by device and inode) left out. Unreadable directories are skipped.
// The entry's type comes from readdir (d_type) where the file system gives
// it, so a directory of 10,000 files costs no lstat per file; DT_UNKNOWN
// falls back to lstat. (A regular file's d_ino is its inode, and its device
// is the directory's: a mount point is a directory.)
inline void walk_directory(const std::string& dir, dev_t skip_dev, ino_t skip_ino, std::vector<std::string>& out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  struct stat dir_stat {};
  const bool same_device = ::fstat(::dirfd(d), &dir_stat) == 0 && dir_stat.st_dev == skip_dev;
  struct Entry {
    std::string name;
    unsigned char type;
    ino_t inode;
  };
  std::vector<Entry> entries;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    entries.push_back(Entry{std::move(name), e->d_type, e->d_ino});
  }
  ::closedir(d);
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  for (Entry& e : entries) {
    std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + e.name;
    if (e.type == DT_DIR) {
      walk_directory(path, skip_dev, skip_ino, out);
    } else if (e.type == DT_REG) {
      if (same_device && e.inode == skip_ino) continue;
      out.push_back(std::move(path));
    } else if (e.type == DT_UNKNOWN) {
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

// Whether this process may read the file stat'ed as `st`: a file we own
// with its owner's read bit is (POSIX ACLs apply the owner entry, which is
// those bits), judged from the stat the plan made anyway; any other asks
// access(2) (one syscall a file, ~3 us on this VM: 10,000 in a --sync).
inline bool readable_file(const std::string& path, const struct stat& st) {
  if (st.st_uid == ::geteuid() && (st.st_mode & S_IRUSR) != 0) return true;
  return ::access(path.c_str(), R_OK) == 0;
}

inline PlannedFile plan_file(const std::string& path, const std::string& dataset_id, const JournalFile& journal,
                             const std::map<Sha256Bytes, const std::string*>& imported_by_content,
                             const ContentReader& read, bool hash_when_sent = false) {
  PlannedFile f;
  f.path = path;
  const std::optional<upstate::JournalEntry> mine = journal.find(dataset_id, path);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    f.size = static_cast<std::uint64_t>(st.st_size);
    f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (mine && mine->size == f.size && mine->mtime_ns == f.mtime_ns && mine->sha256.size() == 64) {
      // Unchanged since the journal hashed it (as git's and rsync's stat
      // checks judge): its hash, no read. The PUT reads it if it is sent.
      f.readable = readable_file(path, st);
      if (f.readable) f.sha256 = mine->sha256;
    } else if (hash_when_sent && !mine && imported_by_content.empty()) {
      // Nothing in this dataset to compare its content with, no record of
      // its own: it is sent whatever its hash, which is then taken when
      // its upload starts (before its first record), not in a pass over
      // every file before the first request.
      f.readable = f.hash_later = readable_file(path, st);
    } else {
      ContentPass pass = read(path);
      f.readable = f.content_read = pass.read;
      f.sha256 = std::move(pass.sha256);
      if (pass.preflight) f.preflight = std::make_unique<upstate::PreflightReport>(std::move(*pass.preflight));
    }
  }
  if (f.readable) {
    auto raw = sha256_bytes(f.sha256);
    auto same_content = raw ? imported_by_content.find(*raw) : imported_by_content.end();
    if (same_content != imported_by_content.end()) {
      f.kind = PlanKind::skip_imported;
      f.record = std::make_unique<upstate::JournalEntry>(*journal.find(dataset_id, *same_content->second));
      return f;
    }
    if (!raw && mine && mine->imported() && !mine->sha256.empty() && mine->sha256 == f.sha256) {
      // A hash the journal holds in another spelling than ours (hand-edited).
      f.kind = PlanKind::skip_imported;
      f.record = std::make_unique<upstate::JournalEntry>(*mine);
      return f;
    }
    if (mine && mine->phase != upstate::JournalPhase::finished && mine->phase != upstate::JournalPhase::requesting_url &&
        mine->same_file(dataset_id, path, f.size, f.mtime_ns, f.sha256)) {
      f.kind = PlanKind::resume;
      f.record = std::make_unique<upstate::JournalEntry>(*mine);
      return f;
    }
  }
  if (mine) f.record = std::make_unique<upstate::JournalEntry>(*mine);
  return f;
}

inline std::vector<PlannedFile> plan_files(const std::vector<std::string>& paths, const std::string& dataset_id,
                                           const JournalFile& journal, const ContentReader& read = hash_only,
                                           bool hash_when_sent = false) {
  const std::map<Sha256Bytes, const std::string*> imported_by_content = journal.latest().imported_by_content(dataset_id);
  std::vector<PlannedFile> out;
  out.reserve(paths.size());
  for (const std::string& p : paths)
    out.push_back(plan_file(p, dataset_id, journal, imported_by_content, read, hash_when_sent));
  return out;
}

}  // namespace upstate_upload

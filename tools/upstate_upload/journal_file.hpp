#pragma once
// --journal PATH: the batch journal on disk (its format is pure code in
// <upstate/journal/format.hpp>; docs/journal.md). This file is the I/O:
//   - open: read and decode the whole log, cut a torn last record off, and
//     take an exclusive lock (flock) so two runs never interleave records;
//   - append: records on an O_APPEND descriptor — never a whole-file
//     rewrite per step; appended records are gathered and written by
//     flush() in one write(2) (the batch flushes once per turn of its event
//     loop: ~3 records a file, 10,000 files, were 30,000 syscalls), and
//     always before a sync, a compaction and at the end;
//   - sync: write what is pending, then fdatasync; called where a lost
//     record could cost a second ingestion (before a PUT goes out: the
//     import id must be on disk first);
//   - compact: the latest record per file written to PATH.tmp, fsynced and
//     renamed over PATH (a kill -9 leaves the old log or the new one).
// The latest record per file is kept in a compact index (journal_index.hpp).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <upstate/journal/format.hpp>

#include "journal_index.hpp"

namespace upstate_upload {

class JournalFile {
 public:
  JournalFile() = default;
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;
  ~JournalFile() {
    if (fd_ >= 0) {
      flush();  // best effort: what a caller did not flush is still written
      ::close(fd_);
    }
  }

  // "" on success, else why not (an unreadable or corrupt journal is never
  // overwritten: the caller stops).
  std::string open(const std::string& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) return path + ": " + std::strerror(errno);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0)
      return path + ": another upstate-upload is using this journal (" + std::strerror(errno) + ")";
    std::string text;
    char buffer[1 << 16];
    for (;;) {
      ssize_t n = ::read(fd_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return path + ": " + std::strerror(errno);
      if (n == 0) break;
      text.append(buffer, static_cast<std::size_t>(n));
    }
    auto decoded = upstate::decode_journal(text);
    if (!decoded) return path + ": " + upstate::to_string(decoded.error());
    torn_ = decoded->torn_tail;
    records_ = decoded->records.size();
    for (const upstate::JournalEntry& e : decoded->records) index_.put(e);
    decoded->records.clear();
    decoded->records.shrink_to_fit();
    std::string().swap(text);
    if (decoded->valid_bytes < text.size() && ::ftruncate(fd_, static_cast<off_t>(decoded->valid_bytes)) != 0)
      return path + ": cannot cut the torn last record off: " + std::strerror(errno);
    bytes_ = decoded->valid_bytes;
    if (bytes_ == 0) {
      if (auto why = write_all(upstate::encode_journal_header()); !why.empty()) return why;
      if (::fsync(fd_) != 0) return path + ": " + std::strerror(errno);
    }
    // A log with many superseded records is compacted before the run.
    if (records_ > 2 * index_.size() + 64) return compact();
    return {};
  }

  bool torn_tail() const noexcept { return torn_; }
  std::size_t bytes() const noexcept { return bytes_; }
  const std::string& path() const noexcept { return path_; }

  // The latest record of every file, by (dataset, path).
  const JournalIndex& latest() const noexcept { return index_; }
  std::optional<upstate::JournalEntry> find(const std::string& dataset, const std::string& path) const {
    return index_.entry(dataset, path);
  }

  // Gathers the record; flush() writes it (at once when 64 KiB are pending).
  std::string append(const upstate::JournalEntry& e) {
    upstate::append_journal_record(pending_, e);
    ++records_;
    ++appended_;
    index_.put(e);
    return pending_.size() >= kFlushBytes ? flush() : std::string();
  }

  // Whether appended records wait for flush().
  bool pending() const noexcept { return !pending_.empty(); }

  // Writes the gathered records in one write(2) (a kill -9 after it keeps
  // them: they are in the page cache; a lost unsynced record only means a
  // rerun probes or polls that file's import again, never a second PUT).
  std::string flush() {
    if (pending_.empty()) return {};
    std::string why = write_all(pending_);
    pending_.clear();
    if (pending_.capacity() > 2 * kFlushBytes) std::string().swap(pending_);
    return why;
  }

  // How many records this run appended: the last append's number, for
  // sync_through (never reset, compaction included).
  std::uint64_t appended() const noexcept { return appended_; }
  // Whether the record of that number is on disk already.
  bool durable(std::uint64_t record) const noexcept { return record <= synced_; }

  // fdatasync if anything was appended since the last one.
  std::string sync() {
    if (synced_ == appended_) return {};
    if (std::string why = flush(); !why.empty()) return why;
    if (::fdatasync(fd_) != 0) return path_ + ": " + std::strerror(errno);
    synced_ = appended_;
    return {};
  }

  // For a sync made elsewhere (journal_syncer.hpp): writes what is pending
  // and sets `through` to the last record appended; once fdatasync(fd())
  // returned 0, synced(through) says those records are on disk.
  std::string flush_for_sync(std::uint64_t& through) {
    through = appended_;
    return flush();
  }
  void synced(std::uint64_t through) noexcept {
    if (through > synced_) synced_ = through;
  }
  int fd() const noexcept { return fd_; }

  // fdatasync unless the record of that number is on disk already: one
  // sync covers every record appended before it, so the PUTs of a batch
  // (one at a time, in file order) mostly find their import recorded by
  // an earlier PUT's sync, made while their step-1 answers came in.
  std::string sync_through(std::uint64_t record) { return durable(record) ? std::string() : sync(); }

  // Rewrites the log as the latest record per file (and reopens it).
  // Written in 64 KiB pieces as encode_journal would lay them out: no copy
  // of every record, nor the whole text, in memory at once (10,000 files):
  // each record is made from the index as it is written.
  std::string compact() {
    if (std::string why = flush(); !why.empty()) return why;
    const std::string tmp = path_ + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return tmp + ": " + std::strerror(errno);
    std::string text = upstate::encode_journal_header(), why;
    std::size_t written = 0;
    index_.for_each([&](const upstate::JournalEntry& e) {
      if (!why.empty()) return;
      upstate::append_journal_record(text, e);
      if (text.size() < (1u << 16)) return;
      written += text.size();
      why = write_fd(fd, tmp, text);
      text.clear();
    });
    written += text.size();
    if (why.empty()) why = write_fd(fd, tmp, text);
    if (why.empty() && ::fsync(fd) != 0) why = tmp + ": " + std::strerror(errno);
    // Lock the new file before it takes the name, so no other run slips in.
    if (why.empty() && ::flock(fd, LOCK_EX | LOCK_NB) != 0) why = tmp + ": " + std::strerror(errno);
    if (why.empty() && ::rename(tmp.c_str(), path_.c_str()) != 0) why = path_ + ": " + std::strerror(errno);
    if (!why.empty()) {
      ::close(fd);
      return why;
    }
    sync_directory();
    ::close(fd_);
    ::close(fd);
    fd_ = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) return path_ + ": " + std::strerror(errno);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) return path_ + ": " + std::strerror(errno);
    records_ = index_.size();
    bytes_ = written;
    synced_ = appended_;  // the new file was fsynced whole
    return {};
  }

  // Whether compact() would shrink the log by much.
  bool worth_compacting() const noexcept { return records_ > index_.size() + index_.size() / 4; }

 private:
  std::string write_all(const std::string& bytes) {
    std::string why = write_fd(fd_, path_, bytes);
    if (why.empty()) bytes_ += bytes.size();
    return why;
  }

  static std::string write_fd(int fd, const std::string& name, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return name + ": " + std::strerror(errno);
      done += static_cast<std::size_t>(n);
    }
    return {};
  }

  void sync_directory() const {
    auto slash = path_.find_last_of('/');
    std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
  }

  static constexpr std::size_t kFlushBytes = 1u << 16;

  std::string path_;
  std::string pending_;  // appended records not written yet (flush)
  int fd_ = -1;
  bool torn_ = false;
  std::uint64_t appended_ = 0;  // records appended by this run
  std::uint64_t synced_ = 0;    // of those, the ones fdatasync'ed (or compacted)
  std::size_t records_ = 0;
  std::size_t bytes_ = 0;
  JournalIndex index_;
};

}  // namespace upstate_upload

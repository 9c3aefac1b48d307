#pragma once
// The PUT's body: a file read at explicit offsets (pread), so a restarted
// PUT rereads from byte 0 with no shared cursor, and memory stays one
// chunk buffer whatever the file's size.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace upstate::asio {

class FileSource {
 public:
  FileSource() = default;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  FileSource(FileSource&& other) noexcept : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}
  FileSource& operator=(FileSource&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = std::exchange(other.fd_, -1);
      size_ = other.size_;
    }
    return *this;
  }
  ~FileSource() { close(); }

  // Opens a regular file for reading; on failure returns false and sets `error`.
  bool open(const std::string& path, std::string& error) {
    close();
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      error = path + ": " + std::strerror(errno);
      return false;
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      error = path + ": not a regular file";
      close();
      return false;
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return true;
  }

  bool is_open() const noexcept { return fd_ >= 0; }
  std::uint64_t size() const noexcept { return size_; }
  int fd() const noexcept { return fd_; }

  // Up to `n` bytes at `offset`; 0 at end of file; -1 on error (errno set).
  long read_at(char* buffer, std::size_t n, std::uint64_t offset) const noexcept {
    for (;;) {
      ssize_t got = ::pread(fd_, buffer, n, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      return static_cast<long>(got);
    }
  }

  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace upstate::asio

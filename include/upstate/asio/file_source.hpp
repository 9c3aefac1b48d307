#pragma once
// The PUT's body: a file read at explicit offsets (pread), so a restarted
// PUT rereads from byte 0 with no shared cursor, and memory stays one
// chunk buffer whatever the file's size.
//
// Only a regular file is taken, opened once: open(2) is non-blocking (a
// FIFO would block it forever), then fstat on that descriptor decides (no
// window between the check and the use), and the size seen then is the
// size: the PUT's Content-Length and the most any reader takes (a file that
// grows is sent as it was; one that shrinks ends the PUT with a final
// TransportError::Kind::local_file).
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

  // Opens a regular file for reading; on failure returns false and sets
  // `error` (a FIFO, a device, a directory: "not a regular file", at once).
  bool open(const std::string& path, std::string& error) {
    close();
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      error = path + ": " + std::strerror(errno);
      return false;
    }
    return adopt(fd, error, path);
  }

  // Takes ownership of an already-open descriptor (closed on failure too);
  // the same checks as open(). `label` names it in `error`.
  bool adopt(int fd, std::string& error, const std::string& label = "the file") {
    close();
    fd_ = fd;
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
      error = label + ": " + std::strerror(fd_ < 0 ? EBADF : errno);
      close();
      return false;
    }
    if (!S_ISREG(st.st_mode)) {
      error = label + ": not a regular file (" + kind_of(st.st_mode) + ")";
      close();
      return false;
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
#ifdef POSIX_FADV_SEQUENTIAL
    // Read ahead further for a big file; a small one fits in the default
    // read-ahead (128 KiB) and is spared the syscall (one a file: 10,000
    // in a batch of small files).
    if (size_ > kDefaultReadAhead) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
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
  static const char* kind_of(mode_t mode) noexcept {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a file";
  }

  static constexpr std::uint64_t kDefaultReadAhead = 128 * 1024;

  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace upstate::asio

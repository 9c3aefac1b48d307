#pragma once
// --state-file: the upload's snapshot (Upload::snapshot(), never the token)
// kept on disk after every step, written to a temporary file of its own
// (unique name, created exclusively, fsynced) and renamed over the old one
// so a kill -9 at any moment leaves either the old state or the new one,
// never half of one.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

namespace upstate_upload {

// The file's text; nullopt when it does not exist; `error` set on any other failure.
inline std::optional<std::string> read_state_file(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) error = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = path + ": " + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    // A snapshot is a few hundred bytes; a big file here is not ours.
    if (text.size() + static_cast<std::size_t>(n) > (1u << 20)) {
      error = path + ": larger than 1 MiB, not a state file";
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!error.empty()) return std::nullopt;
  return text;
}

// The directory part of `path` ("." for a bare name), to fsync after a rename.
inline std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Returns "" on success, else why not. The temporary file gets a fresh,
// unique name beside PATH (mkostemp: O_CREAT|O_EXCL, so an existing name —
// a planted symlink included — is never opened, followed or truncated);
// its bytes are fsynced before the rename and the directory after it, so
// after a power cut PATH holds the old state or the new one.
inline std::string write_state_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(&tmp[0], O_CLOEXEC);
  if (fd < 0) return path + ".tmp.XXXXXX: " + std::strerror(errno);
  auto fail = [&](const std::string& what) {
    std::string why = what + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return why;
  };
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(tmp);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail(tmp);
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) return fail(tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(path);
  // The rename itself is durable only once the directory is.
  const std::string dir = directory_of(path);
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);  // best effort: some file systems refuse fsync on a directory
    ::close(dir_fd);
  }
  return {};
}

}  // namespace upstate_upload

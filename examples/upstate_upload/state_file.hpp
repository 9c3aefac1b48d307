#pragma once
// --state-file: the upload's snapshot (Upload::snapshot(), never the token)
// kept on disk after every step, written to a temporary file and renamed
// over the old one so a kill -9 at any moment leaves either the old state
// or the new one, never half of one.
#include <fcntl.h>
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

// Returns "" on success, else why not.
inline std::string write_state_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return tmp + ": " + std::strerror(errno);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = tmp + ": " + std::strerror(errno);
      ::close(fd);
      return why;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return tmp + ": " + std::strerror(errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return path + ": " + std::strerror(errno);
  return {};
}

}  // namespace upstate_upload

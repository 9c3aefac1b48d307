#pragma once
// Reads a file front to back in fixed chunks (one buffer, whatever the
// file's size): the streaming passes of pre-flight and of the rejected
// records.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <upstate/asio/file_source.hpp>

namespace upstate_upload {

// A read buffer left uninitialized: read(2) fills it. (A std::vector<char>
// zeroes it first: 64 KiB of memset for every 1 KiB file a batch hashes.)
class ReadBuffer {
 public:
  explicit ReadBuffer(std::size_t size) : data_(new char[size]), size_(size) {}
  char* data() noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_;
};

// Calls `each(std::string_view chunk)` for every chunk; "" on success, else why not.
// Plain open/read/close (no stdio: its fstat is one syscall a file more,
// 10,000 times in a --sync over a directory), read to the end of file.
template <class Each>
std::string for_each_chunk(const std::string& path, Each&& each, std::size_t chunk_size = 1u << 20) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return path + ": cannot open";
  ReadBuffer buffer(chunk_size);
  std::string error;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = path + ": read error";
      break;
    }
    if (n == 0) break;
    each(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return error;
}

// The same over a file opened once (local_file.hpp): pread from byte 0 up
// to the size seen at open, never further (a file that grows meanwhile is
// read as it was; /dev/zero never gets here, FileSource takes regular files
// only). `each` may return bool: false stops the pass ("" is returned).
template <class Each>
std::string for_each_chunk(const upstate::asio::FileSource& file, Each&& each, std::size_t chunk_size = 1u << 20) {
  if (!file.is_open()) return "the file is not open";
  ReadBuffer buffer(static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size, std::max<std::uint64_t>(file.size(), 1))));
  std::uint64_t offset = 0;
  while (offset < file.size()) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), file.size() - offset));
    const long n = file.read_at(buffer.data(), want, offset);
    if (n < 0) return "read error";
    if (n == 0) return "the file shrank while it was read";
    offset += static_cast<std::uint64_t>(n);
    const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    if constexpr (std::is_same_v<decltype(each(chunk)), bool>) {
      if (!each(chunk)) return {};
    } else {
      each(chunk);
    }
  }
  return {};
}

}  // namespace upstate_upload

#pragma once
// Reads a file front to back in fixed chunks (one buffer, whatever the
// file's size): the streaming passes of pre-flight and of the rejected
// records.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace upstate_upload {

// Calls `each(std::string_view chunk)` for every chunk; "" on success, else why not.
template <class Each>
std::string for_each_chunk(const std::string& path, Each&& each, std::size_t chunk_size = 1u << 20) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return path + ": cannot open";
  std::vector<char> buffer(chunk_size);
  std::string error;
  for (;;) {
    std::size_t n = std::fread(buffer.data(), 1, buffer.size(), f);
    if (n > 0) each(std::string_view(buffer.data(), n));
    if (n < buffer.size()) {
      if (std::ferror(f)) error = path + ": read error";
      break;
    }
  }
  std::fclose(f);
  return error;
}

}  // namespace upstate_upload

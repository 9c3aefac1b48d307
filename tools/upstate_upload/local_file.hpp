#pragma once
// The run's local files, each opened once and kept open for the whole run:
// pre-flight, the PUT and --rejected-out all read that one descriptor (no
// window in which the path could be swapped), and none reads past the size
// seen at open. upstate::asio::FileSource opens without blocking (a FIFO
// does not hang open(2)) and takes regular files only (a symlink to
// /dev/zero, a directory, a device are refused at once); the 5 GiB limit
// is checked here, on that size, before any byte is read (a 6 GiB sparse
// file is not scanned first).
#include <optional>
#include <string>

#include <upstate/asio/file_source.hpp>
#include <upstate/vocabulary/config.hpp>
#include <upstate/vocabulary/error.hpp>

#include "human_format.hpp"

namespace upstate_upload {

struct LocalFile {
  std::string path;
  upstate::asio::FileSource source;        // open unless `refusal`
  std::optional<upstate::Error> refusal;   // the file is not uploaded: it ends with this
};

inline LocalFile open_local_file(const std::string& path) {
  LocalFile f;
  f.path = path;
  std::string error;
  if (!f.source.open(path, error)) {
    f.refusal = upstate::Error::invalid_argument(error);
    return f;
  }
  if (f.source.size() > upstate::kMaxSinglePutBytes) {
    f.refusal = upstate::Error::of(upstate::ErrorCode::file_too_large,
                                   base_name(path) + " has " + std::to_string(f.source.size()) +
                                       " bytes; one upload takes at most 5 GiB");
    f.source.close();
  }
  return f;
}

}  // namespace upstate_upload

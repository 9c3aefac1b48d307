#pragma once
// One read of a file for everything a run wants from its bytes before the
// PUT: the SHA-256 the journal records (--journal, --sync) and, when
// pre-flight is on, the pre-flight scan. So a file is read once before its
// PUT, not once per purpose (issue 15: "no extra read of the file").
//
// `for_each_chunk(each)` is the reader: it calls each(std::string_view) for
// every chunk of the file in order and returns "" or why it failed
// (file_chunks.hpp's for_each_chunk over a path or an open FileSource).
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <upstate/records.hpp>
#include <upstate/journal/sha256.hpp>

namespace upstate_upload {

struct ContentPass {
  bool read = false;   // the whole file was read
  std::string sha256;  // 64 hex digits when read
  std::optional<upstate::PreflightReport> preflight;  // when a check was asked for and the file was read
};

template <class ForEachChunk>
ContentPass content_pass(ForEachChunk&& for_each_chunk, const std::optional<upstate::PreflightConfig>& check) {
  ContentPass out;
  upstate::Sha256 hash;
  std::optional<upstate::Preflight> preflight;
  if (check) preflight.emplace(*check);
  const std::string error = for_each_chunk([&](std::string_view chunk) {
    hash.update(chunk);
    if (preflight) preflight->feed(chunk);
  });
  if (!error.empty()) return out;
  out.read = true;
  out.sha256 = upstate::Sha256::hex(hash.finish());
  if (preflight) out.preflight = preflight->finish();
  return out;
}

}  // namespace upstate_upload

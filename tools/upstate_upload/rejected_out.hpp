#pragma once
// --rejected-out DIR: after a `partial` outcome, the rejected source
// records — found by record_index in a streaming pass over the original
// file (upstate::RejectedRecords), CSV with its header — go to
// DIR/<name>.rejected.<ext>, ready to fix and upload as a new file, and the
// reasons to DIR/<name>.rejected.reasons.txt.
#include <cstdio>
#include <string>

#include <upstate/records.hpp>
#include <upstate/upstate.hpp>

#include "args.hpp"
#include "file_chunks.hpp"
#include "human_format.hpp"

namespace upstate_upload {

inline std::string rejected_name(const std::string& file_name, const char* suffix) {
  auto dot = file_name.find_last_of('.');
  if (dot == std::string::npos || dot == 0) return file_name + ".rejected" + suffix;
  return file_name.substr(0, dot) + ".rejected" + file_name.substr(dot) + suffix;
}

// `source`: the file opened once for the whole run (local_file.hpp); read
// instead of `path` when given.
inline void write_rejected(const Args& args, const std::string& path, const upstate::Outcome& o,
                           const upstate::asio::FileSource* source = nullptr) {
  const upstate::ImportReport* r = o.report();
  if (args.rejected_out.empty() || !r || r->status != upstate::ImportStatus::partial) return;
  const std::string name = base_name(path);
  const std::string shown = upstate::terminal_safe(name);  // for stderr: a file name may hold any byte
  auto kind = upstate::file_kind_from_name(name);
  if (!kind) return;
  const std::string out_path = args.rejected_out + "/" + rejected_name(name, "");
  const std::string reasons_path = args.rejected_out + "/" + rejected_name(name, "") + ".reasons.txt";

  upstate::RejectedRecords rejected(*r, *kind);
  std::FILE* out = nullptr;  // opened on the first byte: no record identified, no file
  bool write_failed = false;
  auto sink = [&](std::string_view bytes) {
    if (write_failed) return;
    if (!out && !(out = std::fopen(out_path.c_str(), "wb"))) {
      write_failed = true;
      return;
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size()) write_failed = true;
  };
  auto feed = [&](std::string_view chunk) { rejected.feed(chunk, sink); };
  std::string error = source ? for_each_chunk(*source, feed) : for_each_chunk(path, feed);
  rejected.finish(sink);
  if (out && std::fclose(out) != 0) write_failed = true;
  if (!error.empty() || write_failed) {
    std::fprintf(stderr, "%s: cannot write the rejected records to %s%s%s\n", shown.c_str(), upstate::terminal_safe(out_path).c_str(),
                 error.empty() ? "" : ": ", upstate::terminal_safe(error).c_str());
    return;
  }
  std::FILE* reasons = std::fopen(reasons_path.c_str(), "wb");  // the same name as the records' file, escaped only where shown
  const std::string text = rejected.reasons();
  if (!reasons || std::fwrite(text.data(), 1, text.size(), reasons) != text.size()) {
    std::fprintf(stderr, "%s: cannot write %s\n", shown.c_str(), upstate::terminal_safe(reasons_path).c_str());
    if (reasons) std::fclose(reasons);
    return;
  }
  std::fclose(reasons);
  if (args.quiet) return;
  if (rejected.written() > 0)
    std::fprintf(stderr, "%s: %llu rejected records written to %s (reasons: %s); fix them and upload that file\n",
                 shown.c_str(), static_cast<unsigned long long>(rejected.written()), upstate::terminal_safe(out_path).c_str(),
                 upstate::terminal_safe(reasons_path).c_str());
  if (rejected.unidentified() > 0)
    std::fprintf(stderr, "%s: the service listed fewer records than it rejected: %llu cannot be identified (%s)\n",
                 shown.c_str(), static_cast<unsigned long long>(rejected.unidentified()), upstate::terminal_safe(reasons_path).c_str());
}

}  // namespace upstate_upload

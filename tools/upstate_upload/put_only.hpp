#pragma once
#include <cstdio>
#include <string>

#include <upstate/asio/client.hpp>

#include "args.hpp"
#include "progress_view.hpp"
#include "session_options.hpp"
#include "human_format.hpp"

namespace upstate_upload {

// Test mode: one streamed PUT of FILE to URL with the uploader's own code
// (Content-Length, 100-continue, chunks), no API and no token.
inline int put_only(const Args& a) {
  upstate::asio::FileSource file;
  std::string error;
  if (!file.open(a.files[0], error)) {
    std::fprintf(stderr, "upstate-upload: %s\n", error.c_str());
    return 66;
  }
  ::asio::io_context io;
  upstate::asio::HttpSession session(io, session_options(a));
  upstate::Request request{upstate::Purpose::upload, "PUT", a.put_only_url, {{"Content-Type", a.content_type}},
                           upstate::FileBody{file.size()}};
  int code = kExitClientError;
  ProgressView view(a.quiet, base_name(a.files[0]));
  view.on_progress({upstate::Phase::uploading, 0, file.size(), std::nullopt});
  session.exchange(
      request, &file,
      [&](std::uint64_t sent, std::uint64_t total) { view.on_progress({upstate::Phase::uploading, sent, total, std::nullopt}); },
      [&](upstate::Exchange result) {
        view.end_bar();
        if (auto* r = std::get_if<upstate::Response>(&result)) {
          std::fprintf(stderr, "PUT answered HTTP %d\n", r->status);
          code = (r->status >= 200 && r->status <= 299) ? 0 : kExitClientError;
        } else {
          const auto& e = std::get<upstate::TransportError>(result);
          std::fprintf(stderr, "PUT failed: %s: %s\n", std::string(upstate::to_string(e.kind)).c_str(),
                       e.message.c_str());
        }
      });
  io.run();
  return code;
}

}  // namespace upstate_upload

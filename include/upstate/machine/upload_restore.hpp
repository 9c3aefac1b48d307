#pragma once
// Upload::snapshot() and Upload::restore(): an upload carried across
// processes through a state file (upload_snapshot.hpp has the format). A
// restored machine starts in the idle state that matches how far the
// snapshot got (upload_transitions.hpp: idle, idle_put_unknown, idle_uploaded,
// idle_uploaded_v3), so what its start() sends is a row of the table.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "upload.hpp"
#include "upload_snapshot.hpp"
#include "../wire/parse_error.hpp"  // detail::element_path

namespace upstate {

inline std::string Upload::snapshot() const {
  UploadSnapshot s;
  s.api_base = config_.api_base;
  s.dataset_id = config_.dataset_id;
  s.file = file_;
  s.legacy = legacy();
  s.abandoned_import_ids = abandoned_;
  switch (reached()) {
    case Reached::nothing:
      s.phase = state_ == State::idle ? SnapshotPhase::not_started : SnapshotPhase::requesting_url;
      // A URL being renewed: its import is as good as abandoned.
      if (!import_id_.empty()) s.abandoned_import_ids.push_back(import_id_);
      break;
    case Reached::url:
      s.phase = SnapshotPhase::uploading;
      s.import_id = import_id_;
      break;
    case Reached::upload:
      s.phase = SnapshotPhase::processing;
      s.import_id = import_id_;
      if (s.legacy)
        s.last_dataset_status = last_dataset_status_;
      else
        s.last_import_status = last_status_;
      break;
  }
  if (s.legacy) s.import_id.clear();
  return to_json(s);
}

inline Result<Upload> Upload::restore(UploadConfig config, std::string_view snapshot) {
  const std::string token = config.token;
  auto parsed = parse_upload_snapshot(snapshot);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = redact(std::move(e.message), token);
    return e;
  }
  UploadSnapshot& s = parsed.value();
  Upload up{std::move(config), std::move(s.file)};
  auto mismatch = [&](const char* path, const char* what, std::string_view theirs, std::string_view ours) {
    return Error::of(ErrorCode::invalid_snapshot,
                     redact(std::string("the snapshot is for ") + what + " \"" + printable_excerpt(theirs, 200) +
                                "\", the config names \"" + printable_excerpt(ours, 200) + "\"",
                            token))
        .at(path);
  };
  if (without_trailing_slashes(s.api_base) != up.config_.api_base)
    return mismatch("$.api_base", "API base", s.api_base, up.config_.api_base);
  if (s.dataset_id != up.config_.dataset_id)
    return mismatch("$.dataset_id", "dataset", s.dataset_id, up.config_.dataset_id);
  // Step 1 refuses an import id that echoes the token; so does a restore,
  // or a forged snapshot would get the token into the next one.
  auto echoes_token = [&](const std::string& id) { return redact(id, token) != id; };
  auto token_error = [](std::string path) {
    return Error::of(ErrorCode::invalid_snapshot, "the import id holds the API token").at(std::move(path));
  };
  if (echoes_token(s.import_id)) return token_error("$.import_id");
  for (std::size_t i = 0; i < s.abandoned_import_ids.size(); ++i)
    if (echoes_token(s.abandoned_import_ids[i]))
      return token_error(detail::element_path("$.abandoned_import_ids", i));
  up.said_v3_ = s.legacy;
  up.import_id_ = std::move(s.import_id);
  up.abandoned_ = std::move(s.abandoned_import_ids);
  switch (s.phase) {
    case SnapshotPhase::not_started:
    case SnapshotPhase::requesting_url: up.state_ = State::idle; break;
    // V3 has no import to probe: it asks for a new URL.
    case SnapshotPhase::uploading: up.state_ = s.legacy ? State::idle : State::idle_put_unknown; break;
    case SnapshotPhase::processing: up.state_ = s.legacy ? State::idle_uploaded_v3 : State::idle_uploaded; break;
  }
  up.last_dataset_status_ = s.last_dataset_status;
  // V3, restored after the PUT: it starts in confirming_status with the status
  // polled before the restart as the first one since the PUT. A non-terminal
  // one means the dataset had moved on to this file: any READY/ERROR differs
  // from it, so it is taken as ours.
  up.first_status_since_put_ = s.last_dataset_status;
  up.last_status_ = s.last_dataset_status ? std::optional(to_import_status(*s.last_dataset_status))
                                          : s.last_import_status;
  return up;
}

}  // namespace upstate

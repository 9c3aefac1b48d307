#pragma once
// Progress on stderr, one line per thing a person wants to know: a new
// phase, a new import status, each retry or URL renewal (the machine's
// notes), and the PUT's body by quarters. Everything printed comes from the
// machine's observers, whose text never holds the token.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include <upstate/machine/upload.hpp>

namespace own_event_loop {

class ProgressLines {
 public:
  explicit ProgressLines(std::string file_name) : name_(std::move(file_name)) {}

  // After every action: says what changed since the last call.
  void on_state(const upstate::Upload& upload) {
    if (upload.phase() != phase_) {
      phase_ = upload.phase();
      if (phase_ != upstate::Phase::finished) say(std::string(upstate::to_string(phase_)));
    }
    if (auto status = upload.last_status(); status && status != status_) {
      status_ = status;
      say("status " + std::string(upstate::to_string(*status)));
    }
    for (; notes_seen_ < upload.notes().size(); ++notes_seen_) say(upload.notes()[notes_seen_].text);
  }

  // While the PUT's body goes out (`total` > 0).
  void on_body(std::uint64_t sent, std::uint64_t total) {
    if (sent < last_sent_) quarter_ = 0;  // a retried PUT starts again from byte 0
    last_sent_ = sent;
    const int quarter = static_cast<int>(sent * 4 / total);
    if (quarter <= quarter_) return;
    quarter_ = quarter;
    say("sent " + std::to_string(sent) + " of " + std::to_string(total) + " bytes");
  }

 private:
  void say(const std::string& line) { std::fprintf(stderr, "%s: %s\n", name_.c_str(), line.c_str()); }

  std::string name_;
  upstate::Phase phase_ = upstate::Phase::not_started;
  std::optional<upstate::ImportStatus> status_;
  std::size_t notes_seen_ = 0;
  std::uint64_t last_sent_ = 0;
  int quarter_ = 0;  // quarters of the body already reported
};

}  // namespace own_event_loop

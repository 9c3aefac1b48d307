#pragma once
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include <upstate/asio/client.hpp>
#include <upstate/detail/terminal_text.hpp>

#include "human_format.hpp"

namespace upstate_upload {

// Progress on stderr: a redrawn bar on a terminal, a line per 10 % elsewhere.
class ProgressView {
 public:
  // `lines_only`: several files at once, whose bars would overwrite each other.
  // `file` (a local name or "import ID") and the machine's notes are shown
  // escaped (upstate::terminal_safe).
  ProgressView(bool quiet, std::string file, bool lines_only = false)
      : quiet_(quiet), tty_(!lines_only && ::isatty(2) == 1), file_(upstate::terminal_safe(file)) {}

  void on_progress(const upstate::asio::Progress& p) {
    if (quiet_) return;
    auto now = upstate::Clock::now();
    if (p.phase != phase_) {
      end_bar();
      phase_ = p.phase;
      if (p.phase == upstate::Phase::uploading) started_ = now;
      if (p.phase != upstate::Phase::finished)
        std::fprintf(stderr, "%s: %s\n", file_.c_str(), std::string(upstate::to_string(p.phase)).c_str());
      if (p.phase != upstate::Phase::processing || !p.server) return;
    }
    if (p.phase == upstate::Phase::processing) return show_server_progress(p);
    if (p.phase != upstate::Phase::uploading || p.total == 0) return;
    double fraction = static_cast<double>(p.bytes_sent) / static_cast<double>(p.total);
    double elapsed = std::chrono::duration<double>(now - started_).count();
    double rate = elapsed > 0 ? static_cast<double>(p.bytes_sent) / elapsed : 0;
    if (tty_) {
      if (now - last_draw_ < std::chrono::milliseconds(100) && p.bytes_sent < p.total) return;
      last_draw_ = now;
      int filled = static_cast<int>(fraction * 30);
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(30, '.');
      double eta = rate > 0 ? static_cast<double>(p.total - p.bytes_sent) / rate : 0;
      std::fprintf(stderr, "\r[%s] %3d%% %s / %s  %s/s  ETA %.0fs ", bar.c_str(), static_cast<int>(fraction * 100),
                   human_bytes(static_cast<double>(p.bytes_sent)).c_str(),
                   human_bytes(static_cast<double>(p.total)).c_str(), human_bytes(rate).c_str(), eta);
      drawn_ = true;
    } else {
      int decile = static_cast<int>(fraction * 10);
      if (decile <= last_decile_) return;
      last_decile_ = decile;
      std::fprintf(stderr, "%s: uploaded %s of %s (%d%%, %s/s)\n", file_.c_str(),
                   human_bytes(static_cast<double>(p.bytes_sent)).c_str(),
                   human_bytes(static_cast<double>(p.total)).c_str(), decile * 10, human_bytes(rate).c_str());
    }
  }

  void on_action(const upstate::Upload& up) {
    if (quiet_) return;
    if (up.last_status() && up.last_status() != status_) {
      end_bar();
      status_ = up.last_status();
      std::fprintf(stderr, "%s: status %s\n", file_.c_str(), std::string(upstate::to_string(*status_)).c_str());
    }
    for (; notes_shown_ < up.notes().size(); ++notes_shown_) {
      end_bar();
      std::fprintf(stderr, "%s: %s\n", file_.c_str(), upstate::terminal_safe(up.notes()[notes_shown_].text).c_str());
    }
  }

  // The service's own figures while it processes the file: a bar when its
  // offset reads as bytes of the file (ServerProgress::fraction_of), the
  // running counts otherwise (and beside the bar).
  void show_server_progress(const upstate::asio::Progress& p) {
    if (!p.server) return;
    const upstate::ServerProgress& s = *p.server;
    std::string counts;
    auto add = [&](const std::optional<std::uint64_t>& n, const char* what) {
      if (!n) return;
      counts += (counts.empty() ? "" : ", ") + std::to_string(*n) + " " + what;
    };
    add(s.written_count, "written");
    add(s.duplicate_seen_count, "already present");
    add(s.rejected_seen_count, "rejected");
    const std::optional<double> fraction = s.fraction_of(p.total);
    if (tty_) {
      std::string line;
      if (fraction) {
        std::string bar(static_cast<std::size_t>(*fraction * 30), '#');
        bar.resize(30, '.');
        line = "[" + bar + "] " + std::to_string(static_cast<int>(*fraction * 100)) + "% processed";
      } else {
        line = "processing";
        if (s.processed_offset) line += " (offset " + std::to_string(*s.processed_offset) + ")";
      }
      if (!counts.empty()) line += ": " + counts;
      std::fprintf(stderr, "\r%s ", line.c_str());
      drawn_ = true;
      return;
    }
    if (fraction) {
      int decile = static_cast<int>(*fraction * 10);
      if (decile <= processed_decile_) return;
      processed_decile_ = decile;
      std::fprintf(stderr, "%s: processed %d%%%s%s\n", file_.c_str(), decile * 10, counts.empty() ? "" : ": ",
                   counts.c_str());
    } else if (!counts.empty() && counts != last_counts_) {
      last_counts_ = counts;
      std::fprintf(stderr, "%s: processing: %s\n", file_.c_str(), counts.c_str());
    }
  }

  void end_bar() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  bool quiet_, tty_;
  std::string file_;
  upstate::Phase phase_ = upstate::Phase::not_started;
  std::optional<upstate::ImportStatus> status_;
  std::size_t notes_shown_ = 0;
  upstate::Instant started_{}, last_draw_{};
  int last_decile_ = 0;
  int processed_decile_ = -1;
  std::string last_counts_;
  bool drawn_ = false;
};

}  // namespace upstate_upload

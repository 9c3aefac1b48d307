#pragma once
// Small text helpers of the CLI: durations, file names, byte counts.
#include <chrono>
#include <cstdio>
#include <string>

#include <upstate/vocabulary/time.hpp>

namespace upstate_upload {

inline upstate::Duration seconds(double s) {
  return std::chrono::duration_cast<upstate::Duration>(std::chrono::duration<double>(s));
}

inline std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

inline std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

}  // namespace upstate_upload

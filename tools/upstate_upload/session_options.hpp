#pragma once
// The HTTP session's settings from the command line.
#include <algorithm>

#include <upstate/asio/http_session.hpp>

#include "args.hpp"
#include "human_format.hpp"

namespace upstate_upload {

inline upstate::asio::SessionOptions session_options(const Args& a) {
  upstate::asio::SessionOptions s;
  s.ca_file = a.ca_file;
  s.idle_timeout = seconds(a.idle_timeout);
  s.api_request_timeout = std::max(seconds(a.idle_timeout), seconds(60));
  s.connect_timeout = seconds(a.connect_timeout);
  s.file_send = a.file_send;
  if (a.unsent_low_water) s.unsent_low_water = *a.unsent_low_water;
  return s;
}

}  // namespace upstate_upload

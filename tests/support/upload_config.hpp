#pragma once
// The UploadConfig the machine's unit tests start from: answers.hpp's API
// and token, dataset "ds1", a fixed seed. A test that needs more sets it on
// the copy it gets, so each test still shows what it depends on.
#include <cstdint>

#include <upstate/vocabulary/config.hpp>

#include "answers.hpp"

namespace test {

inline upstate::UploadConfig upload_config(std::uint64_t seed = 7) {
  upstate::UploadConfig c;
  c.api_base = kApi;
  c.token = kToken;
  c.dataset_id = "ds1";
  c.seed = seed;
  return c;
}

}  // namespace test

#pragma once
// How many body bytes the session reads of each kind of answer before it
// gives up on it (a transport error, or by status for an error answer: see
// HttpSession). An answer is held whole before it is parsed, so these caps,
// times the requests in flight, bound the memory a hostile server can make
// us spend: one 16 MiB cap for every answer cost up to 545 MiB of RSS with
// 16 answers in flight (issue 12; bench/README.md has the figures now).
#include <cstddef>

#include "../vocabulary/http.hpp"

namespace upstate::asio {

struct BodyCaps {
  std::size_t upload_url = 64 * 1024;      // step 1: an id, a URL, a few header names
  std::size_t upload = 64 * 1024;          // S3's XML error bodies
  // A 10,000-error answer is ~1 MB: room for ~22,000 (the service may list
  // fewer errors than rejected_count anyway). A parsed report holds ~2.5x
  // its wire size, kept until the batch ends: 16 files with 2 MB answers
  // peak at ~108 MiB, with 4 MB ones at ~208 MiB (bench/README.md).
  std::size_t poll = 2u << 20;
  // The schema and the list of every import the dataset ever had (~110
  // bytes each on the fake): 1 MiB stopped at ~9,000 imports, so a batch of
  // 10,000 files could no longer read the dataset's total at its end (it
  // retried the same oversized answer until its budget ran out). A dataset
  // answer is read one at a time (a batch's end, --show-dataset), not once
  // per file in flight, so the cap is the API's own 16 MiB (~150,000 imports).
  std::size_t dataset = 16u << 20;
  std::size_t dataset_status = 64 * 1024;  // a status word or two

  std::size_t for_purpose(Purpose p) const noexcept {
    switch (p) {
      case Purpose::upload_url: return upload_url;
      case Purpose::upload: return upload;
      case Purpose::poll: return poll;
      case Purpose::dataset: return dataset;
      case Purpose::dataset_status: return dataset_status;
    }
    return upload_url;
  }
};

}  // namespace upstate::asio

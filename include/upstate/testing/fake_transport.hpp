#pragma once
// FakeService as a blocking transport for upstate::drive (FakeTransport)
// and upstate::drive_batch (FakeBatchTransport): the PUT's body is the file
// content the test supplies, and a scripted delay moves the ManualClock
// instead of sleeping.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../vocabulary/http.hpp"
#include "fake_service.hpp"
#include "manual_clock.hpp"

namespace upstate::testing {

class FakeTransport {
 public:
  FakeTransport(FakeService& service, ManualClock& clock, std::string file_content)
      : service_(service), clock_(clock), file_(std::move(file_content)) {}

  Exchange exchange(const Request& request) {
    std::string_view body = request.file ? std::string_view(file_).substr(0, request.file->size) : std::string_view{};
    FakeReply reply = service_.handle(request, body, clock_.now());
    clock_.advance(reply.delay);
    return std::move(reply.result);
  }

 private:
  FakeService& service_;
  ManualClock& clock_;
  std::string file_;
};

// The same for a Batch: the PUT of file i streams contents[i].
class FakeBatchTransport {
 public:
  FakeBatchTransport(FakeService& service, ManualClock& clock, std::vector<std::string> contents)
      : service_(service), clock_(clock), contents_(std::move(contents)) {}

  Exchange exchange(const Request& request, std::size_t file) {
    std::string_view body;
    if (request.file) body = std::string_view(contents_.at(file)).substr(0, request.file->size);
    FakeReply reply = service_.handle(request, body, clock_.now());
    clock_.advance(reply.delay);
    return std::move(reply.result);
  }

 private:
  FakeService& service_;
  ManualClock& clock_;
  std::vector<std::string> contents_;
};

}  // namespace upstate::testing

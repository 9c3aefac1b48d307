#pragma once
// FakeService as a blocking transport for upstate::drive: the PUT's body is
// the file content the test supplies, and a scripted delay moves the
// ManualClock instead of sleeping.
#include <string>
#include <string_view>
#include <utility>

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

}  // namespace upstate::testing

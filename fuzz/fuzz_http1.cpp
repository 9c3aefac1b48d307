// libFuzzer: the HTTP/1.1 response parser fed the same bytes whole and
// split at fuzzer-chosen points; both must agree, caps must hold, and a
// failure must be a typed TransportError (h11's fuzzer discipline).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "check.hpp"

#include <upstate/http1/http1.hpp>


namespace {

struct Outcome {
  upstate::http1::ParseState state;
  int status;
  std::string body;
  std::size_t consumed;
};

Outcome run(const char* data, std::size_t size, const std::uint8_t* cuts, std::size_t ncuts, bool eof) {
  upstate::http1::Limits limits{1024, 4096};
  upstate::http1::ResponseParser p(limits);
  std::size_t pos = 0, consumed = 0, c = 0;
  while (pos < size && p.state() != upstate::http1::ParseState::complete &&
         p.state() != upstate::http1::ParseState::failed) {
    std::size_t step = ncuts ? 1 + cuts[c++ % ncuts] % 64 : size - pos;
    if (step > size - pos) step = size - pos;
    std::size_t used = p.feed(data + pos, step);
    check(used <= step);
    consumed += used;
    if (used < step) break;  // message ended inside this piece
    pos += step;
  }
  if (eof && p.state() != upstate::http1::ParseState::complete && p.state() != upstate::http1::ParseState::failed)
    p.finish();
  if (p.state() == upstate::http1::ParseState::failed) {
    check(!p.error().message.empty());
  }
  check(p.response().body.size() <= limits.max_body_bytes);
  return {p.state(), p.status(), p.response().body, consumed};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::size_t ncuts = data[0] % 16;
  if (ncuts + 1 > size) return 0;
  const std::uint8_t* cuts = data + 1;
  const char* msg = reinterpret_cast<const char*>(data + 1 + ncuts);
  std::size_t len = size - 1 - ncuts;
  bool eof = (data[0] & 0x80) != 0;
  Outcome whole = run(msg, len, nullptr, 0, eof);
  Outcome split = run(msg, len, cuts, ncuts, eof);
  check(whole.state == split.state);
  if (whole.state == upstate::http1::ParseState::complete) {
    check(whole.status == split.status);
    check(whole.body == split.body);
    check(whole.consumed == split.consumed);
  }
  return 0;
}

// Bytes per second through upstate::http1::ResponseParser (the sans-I/O
// HTTP/1.1 codec on llhttp): a typical JSON API answer framed by
// Content-Length, and a 1 MiB chunked body, fed whole and in 4 KiB pieces
// (what a socket read typically hands over). One parser is reset between
// answers, as on a keep-alive connection. Built only when llhttp is found
// (bench/CMakeLists.txt).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <string>

#include <upstate/http1/http1.hpp>

namespace {

using upstate::http1::ParseState;
using upstate::http1::ResponseParser;

const char* const kCommonHead =
    "Date: Sat, 28 Nov 2026 12:00:05 GMT\r\n"
    "Server: nginx\r\n"
    "Vary: Accept, Cookie\r\n"
    "Allow: GET, HEAD, OPTIONS\r\n"
    "X-Frame-Options: DENY\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: same-origin\r\n"
    "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n";

// A poll answer as the API sends it: a dozen header lines, a few hundred
// bytes of JSON.
const std::string kJsonBody =
    R"({"dataset_id":"0192a3b5-7c8d-4e9f-a0b1-c2d3e4f5a6b7","import_id":"01935c2d-1a2b-3c4d-5e6f-7a8b9c0d1e2f",)"
    R"("type":"file_upload","status":"complete","created_at":"2026-11-28T12:00:01Z",)"
    R"("updated_at":"2026-11-28T12:03:17Z","accepted_count":20000,"rejected_count":0,"errors":[]})";

std::string json_answer() {
  return std::string("HTTP/1.1 200 OK\r\n") + kCommonHead +
         "Content-Type: application/json\r\n"
         "Content-Length: " + std::to_string(kJsonBody.size()) + "\r\n"
         "Connection: keep-alive\r\n\r\n" + kJsonBody;
}

constexpr std::size_t kChunkedBody = 1u << 20;

// 1 MiB of JSON-ish payload in 16 KiB chunks (a size line each, no
// extensions), then the last chunk.
std::string chunked_answer() {
  constexpr std::size_t kBody = kChunkedBody, kChunk = 16u << 10;
  std::string payload;
  payload.reserve(kBody);
  while (payload.size() < kBody) payload += R"({"record_index":123,"field":"response","reason":"too long"},)";
  payload.resize(kBody);
  std::string out = std::string("HTTP/1.1 200 OK\r\n") + kCommonHead +
                    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < kBody; at += kChunk) {
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", std::min(kChunk, kBody - at));
    out += size_line;
    out.append(payload, at, kChunk);
    out += "\r\n";
  }
  out += "0\r\n\r\n";
  return out;
}

// Feeds `wire` in pieces of `piece` bytes (0: all at once) until the answer
// is complete; false if it is not.
bool parse(ResponseParser& parser, const std::string& wire, std::size_t piece) {
  parser.reset();
  const std::size_t step = piece ? piece : wire.size();
  for (std::size_t at = 0; at < wire.size() && parser.state() != ParseState::complete;) {
    const std::size_t n = std::min(step, wire.size() - at);
    const std::size_t took = parser.feed(wire.data() + at, n);
    if (parser.state() == ParseState::failed || took == 0) return false;  // took == 0: it would spin
    at += took;
  }
  return parser.state() == ParseState::complete;
}

void run(benchmark::State& state, const std::string& wire, std::size_t piece, std::size_t body_bytes) {
  ResponseParser parser;
  if (!parse(parser, wire, piece) || parser.response().body.size() != body_bytes) {
    state.SkipWithError("the benchmark's answer does not parse as intended");
    return;
  }
  for (auto _ : state) {
    if (!parse(parser, wire, piece)) {
      state.SkipWithError(parser.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(parser.response().body.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(wire.size()));
}

void BM_Http1_JsonAnswer(benchmark::State& state) {
  static const std::string wire = json_answer();
  run(state, wire, 0, kJsonBody.size());
}
BENCHMARK(BM_Http1_JsonAnswer);

// range(0): piece size in bytes, 0 = the whole answer in one feed.
void BM_Http1_Chunked1MiB(benchmark::State& state) {
  static const std::string wire = chunked_answer();
  run(state, wire, static_cast<std::size_t>(state.range(0)), kChunkedBody);
}
BENCHMARK(BM_Http1_Chunked1MiB)->Arg(0)->Arg(4096)->ArgName("piece");

}  // namespace

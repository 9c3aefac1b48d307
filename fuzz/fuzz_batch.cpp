// libFuzzer: a Batch driven by fuzzer-chosen events — which request is
// answered (in any order), with what status, headers and body, transport
// errors, wakes, clock jumps, cancels, late answers to abandoned requests,
// unknown tickets, refusals and a second start — over fuzzer-chosen configs
// (files, max_in_flight, fail_fast, adaptive concurrency, fetch on/off).
// When the input runs out, a dull server (every answer 503) takes over: the
// batch must still end on its own. Invariants: it ends within a bounded
// number of events, every file ends exactly once, PUTs keep file order,
// the in-flight bounds hold, nothing is sent once done, the token never
// goes to the upload host nor into any outcome, and every move is a row of
// the batch's tables.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <upstate/machine/batch.hpp>

#include "check.hpp"  // after upstate: its `check` macro must not meet a member named check

namespace {

struct Input {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::string text(std::size_t max) {
    std::size_t len = byte() % (max + 1);
    if (len > n) len = n;
    std::string s(reinterpret_cast<const char*>(p), len);
    p += len;
    n -= len;
    return s;
  }
};

const char* const kToken = "tok-SECRET-123";
const char* const kBodies[] = {
    R"({"upload_url":"https://s3.example.test/k?X-Amz-Date=20261128T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=1","http_method":"PUT","import_id":"i1","content_type":"text/csv"})",
    R"({"upload_url":"https://s3.example.test/k2?X-Amz-Signature=2","http_method":"PUT","import_id":"i2"})",
    R"({"import_id":"i1","status":"processing"})",
    R"({"import_id":"i1","status":"complete","accepted_count":3})",
    R"({"import_id":"i2","status":"partial","accepted_count":1,"rejected_count":2,"errors":[{"record_index":0,"reason":"x"}]})",
    R"({"import_id":"i1","status":"failed","reason":"tok-SECRET-123"})",
    R"({"import_id":"i1","status":"uninitialised"})",
    "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
    "<Error><Code>SlowDown</Code><Message>slow</Message></Error>",
    R"({"error":{"status":401,"detail":"token tok-SECRET-123 invalid"}})",
    R"({"id":"ds","total_datapoint_count":7})",
    R"({"id":"ds"})",
    R"({"id":"tok-SECRET-123","total_datapoint_count":1})",
    R"({"status":"READY"})",
};
constexpr unsigned kBodyCount = sizeof(kBodies) / sizeof(kBodies[0]);

bool has_token(const upstate::Error& e) { return upstate::to_string(e).find(kToken) != std::string::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace upstate;
  Input in{data, size};
  BatchConfig config;
  config.upload.api_base = "https://api.example.test/v1";
  config.upload.token = kToken;
  config.upload.dataset_id = "ds";
  config.upload.seed = in.byte();
  config.upload.deadline = std::chrono::seconds(1 + in.byte() * 30);
  config.upload.retry.max_attempts = 1 + in.byte() % 5;
  const std::uint8_t flags = in.byte();
  config.max_in_flight = flags % 4;  // 0 is taken as 1
  config.fail_fast = (flags & 0x04) != 0;
  config.fetch_dataset = (flags & 0x08) == 0;
  config.adaptive_concurrency = (flags & 0x10) != 0;
  config.concurrency_increase_after = 1 + (flags >> 5);
  const std::size_t n = in.byte() % 6;
  std::vector<FileInfo> files;
  for (std::size_t i = 0; i < n; ++i) files.push_back({"f" + std::to_string(i) + ".csv", in.byte()});
  Batch b(config, files);
  if (n > 0 && in.byte() < 32) b.refuse_file(in.byte() % n, Error::invalid_argument(std::string("unreadable ") + kToken));

  Instant now{};
  std::vector<BatchSend> out;  // pulled, not answered
  std::vector<Ticket> late;    // abandoned
  std::vector<bool> put_accepted(n, false);
  const std::size_t limit_ceiling = config.max_in_flight == 0 ? 1 : config.max_in_flight;
  auto pull = [&] {
    // The abandoned first: they are no longer out when the next request is counted.
    while (auto t = b.next_abandoned()) {
      for (auto it = out.begin(); it != out.end(); ++it)
        if (it->ticket == *t) {
          out.erase(it);
          break;
        }
      late.push_back(*t);
    }
    while (auto s = b.next_send()) {
      check(!b.done());
      if (config.adaptive_concurrency) check(out.size() < b.concurrency_limit());
      if (s->request.purpose == Purpose::upload) {
        check(find_header(s->request.headers, "Authorization") == nullptr);
        check(s->request.url.find(kToken) == std::string::npos);
        for (std::size_t j = 0; j < s->file; ++j) check(b.file_outcome(j) != nullptr || put_accepted[j]);
      }
      out.push_back(std::move(*s));
    }
    check(b.active_files() <= limit_ceiling);
  };
  auto answer = [&](std::size_t k, const Response& r) {
    BatchSend s = out[k];
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(k));
    if (s.request.purpose == Purpose::upload && r.status / 100 == 2) put_accepted[s.file] = true;
    b.on_response(s.ticket, r, now);
  };

  if (in.byte() < 8) b.on_wake(now);  // before start: nothing
  b.start(now);
  pull();
  int events = 0;
  while (!b.done() && in.n > 0) {
    check(++events < 20000);
    const std::uint8_t op = in.byte();
    now += std::chrono::milliseconds((op & 0x80) ? in.byte() * 1000 : in.byte());
    switch (op % 8) {
      case 0:
      case 1:
      case 2:
      case 3: {
        if (out.empty()) break;
        static const int kStatuses[] = {200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 408, 422, 429, 500, 503, 0};
        Response r;
        r.status = kStatuses[in.byte() % 16];
        if (in.byte() % 4 == 0) r.headers.push_back({"Retry-After", in.text(16)});
        if (in.byte() % 4 == 0) r.headers.push_back({"Date", "Sat, 28 Nov 2026 12:00:00 GMT"});
        const std::uint8_t pick = in.byte();
        r.body = pick < 200 ? kBodies[pick % kBodyCount] : in.text(200);
        answer(in.byte() % out.size(), r);
        break;
      }
      case 4: {
        if (out.empty()) break;
        const std::size_t k = in.byte() % out.size();
        const Ticket t = out[k].ticket;
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(k));
        b.on_transport_error(t, {static_cast<TransportError::Kind>(in.byte() % 7), in.text(40)}, now);
        break;
      }
      case 5:
        if (auto wake = b.next_wake(); wake && (in.byte() & 1)) now = std::max(now, *wake);
        b.on_wake(now);
        break;
      case 6: {
        const std::uint8_t choice = in.byte();
        if (choice < 4) {
          b.cancel(now);
        } else if (choice < 8) {
          // Any ticket: never issued, already answered, or one out (then it is that request's answer).
          const Ticket t{in.byte()};
          std::size_t k = 0;
          while (k < out.size() && out[k].ticket != t) ++k;
          if (k < out.size())
            answer(k, Response{200, {}, ""});
          else
            b.on_response(t, Response{200, {}, ""}, now);
        } else if (!late.empty()) {
          b.on_response(late.back(), Response{200, {}, ""}, now);  // ignored
          late.pop_back();
        }
        break;
      }
      default: {
        const std::uint8_t choice = in.byte();
        if (choice < 4) b.start(now);
        else if (choice < 8) b.refuse_file(choice, Error{});
        break;
      }
    }
    pull();
  }
  // The input ran out: a dull server answers every request 503, time goes
  // on; retries, deadlines and renewals are bounded, so the batch ends.
  int drain = 0;
  while (!b.done()) {
    check(++drain < 100000);
    if (!out.empty()) {
      answer(0, Response{503, {}, ""});
    } else {
      auto wake = b.next_wake();
      check(wake.has_value());  // nothing out, nothing asleep, not done: a hang
      now = std::max(now, *wake);
      b.on_wake(now);
    }
    pull();
  }
  // Done: nothing more goes out, whatever comes.
  for (const BatchSend& s : out) b.on_response(s.ticket, Response{200, {}, ""}, now);
  b.on_wake(now + std::chrono::hours(1));
  check(!b.next_send());

  const BatchOutcome& o = *b.outcome();
  check(o.files.size() == n);
  check(o.counts.complete + o.counts.partial + o.counts.failed + o.counts.pending_schema + o.counts.error == n);
  std::vector<int> ends(n, 0);
  for (const auto& s : b.file_trace()) {
    check(next_state(s.from, s.trigger) == s.to);
    if (s.to == FileStage::ended) ++ends[s.file];
  }
  for (const auto& s : b.trace()) check(next_state(s.from, s.trigger) == s.to);
  for (std::size_t i = 0; i < n; ++i) {
    check(b.file_outcome(i) != nullptr);
    if (b.file_trace().size() < Batch::kMaxTrace) check(ends[i] == 1);
  }
  if (o.error) check(o.error->code == ErrorCode::usage);  // never internal
  for (const Outcome& f : o.files) {
    if (f.error()) check(!has_token(*f.error()));
    for (const auto& note : f.notes) check(note.text.find(kToken) == std::string::npos);
  }
  if (o.dataset_error) check(!has_token(*o.dataset_error));
  if (o.error) check(!has_token(*o.error));
  return 0;
}

// libFuzzer: the Upload machine driven by fuzzer-chosen events and answers
// (statuses, headers, bodies, transport errors, clock jumps, misuse).
// Invariants: it ends within a bounded number of events, every Sleep lies
// between now and the deadline, the token never goes to the upload host nor
// into a message nor a snapshot, every move is a row of the table, and a
// snapshot taken at any point restores. Bodies include V3 (legacy) answers,
// and the machine may be restored mid-run ("a new process").
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <upstate/upstate.hpp>

#include "text_checks.hpp"
#include "check.hpp"  // after upstate: its `check` macro must not meet a member named check

namespace {


// Reads the fuzzer's bytes as a stream of small decisions.
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
    R"({"import_id":"i1","status":"processing"})",
    R"({"import_id":"i1","status":"complete","accepted_count":3})",
    R"({"import_id":"i1","status":"partial","accepted_count":1,"rejected_count":2,"errors":[{"record_index":0,"reason":"x"}]})",
    R"({"import_id":"i1","status":"queued"})",
    R"({"import_id":"i1","status":"uninitialised"})",
    "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
    "<Error><Code>SlowDown</Code><Message>slow</Message></Error>",
    R"({"error":{"status":401,"detail":"token tok-SECRET-123 invalid"}})",
    R"({"upload_url":"https://s3.example.test/k?X-Amz-Date=20261128T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=1","http_method":"PUT"})",
    R"({"status":"PROCESSING"})",
    R"({"status":"READY"})",
    R"({"status":"error","reason":"bad"})",
    R"({"status":"UNINITIALISED"})",
    R"({"import_id":"tok-SECRET-123","upload_url":"https://s3.example.test/k","http_method":"PUT"})",
};
constexpr unsigned kBodyCount = sizeof(kBodies) / sizeof(kBodies[0]);

// Answers whose strings are the fuzzer's bytes (control bytes as \u
// escapes, everything else raw, invalid UTF-8 included), the token spliced
// in at a fuzzer-chosen place: what reaches the summary and --json.
const char* const kTemplates[] = {
    R"({"import_id":"i1","status":"failed","reason":"@"})",
    R"({"import_id":"i1","status":"partial","rejected_count":2,"errors":[{"record_index":0,"field":"@","reason":"@"}]})",
    R"({"status":"ERROR","reason":"@"})",
    "<Error><Code>@</Code><Message>@</Message></Error>",
    R"({"error":{"detail":"@"}})",
    R"({"import_id":"@","status":"complete"})",
    R"({"upload_url":"https://s3.example.test/k?X-Amz-Signature=1","http_method":"PUT","import_id":"@"})",
};
constexpr unsigned kTemplateCount = sizeof(kTemplates) / sizeof(kTemplates[0]);

std::string hostile_string(Input& in) {
  std::string raw = in.text(96);
  if (in.byte() % 2) raw.insert(raw.size() / 2, kToken);
  std::string out;
  for (char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '&') {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string hostile_body(Input& in) {
  std::string body = kTemplates[in.byte() % kTemplateCount];
  for (std::size_t at = body.find('@'); at != std::string::npos; at = body.find('@', at)) {
    const std::string s = hostile_string(in);
    body.replace(at, 1, s);
    at += s.size();
  }
  return body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in{data, size};
  upstate::UploadConfig config;
  config.api_base = "https://api.example.test/v1";
  config.token = kToken;
  config.dataset_id = "ds";
  config.seed = in.byte();
  config.deadline = std::chrono::seconds(1 + in.byte() * 30);
  config.retry.max_attempts = 1 + in.byte() % 6;
  upstate::Upload up(config, {"f.csv", in.byte()});
  upstate::Instant now{};
  upstate::Instant fed_at = now;  // when the last event was fed: the action answers that moment
  upstate::Action a = up.start(now);
  int events = 0;
  while (!std::holds_alternative<upstate::Done>(a)) {
    check(++events < 20000);  // bounded: 4 KiB of input cannot keep it alive longer
    if (auto* s = std::get_if<upstate::Sleep>(&a)) {
      check(s->until <= up.deadline());
      check(s->until >= fed_at);
    }
    if (auto* s = std::get_if<upstate::Send>(&a)) {
      const bool to_upload = s->request.purpose == upstate::Purpose::upload;
      if (to_upload) check(upstate::find_header(s->request.headers, "Authorization") == nullptr);
      if (to_upload) check(s->request.url.find(kToken) == std::string::npos);
    }
    std::uint8_t op = in.byte();
    now += std::chrono::milliseconds((op & 0x80) ? in.byte() * 1000 : in.byte());
    if (op == 0xff) now -= std::chrono::seconds(in.byte());  // clock jumps back
    if (in.n == 0) {
      a = up.cancel(now);
      break;
    }
    const upstate::Instant previous = fed_at;
    fed_at = now > previous ? now : previous;  // the machine treats a clock that jumps back as standing still
    switch (op % 8) {
      case 0:
      case 1:
      case 2: {
        upstate::Response r;
        static const int kStatuses[] = {200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 408, 422, 429, 500, 503, 0};
        r.status = kStatuses[in.byte() % 16];
        if (in.byte() % 4 == 0) r.headers.push_back({"Retry-After", in.text(32)});
        if (in.byte() % 4 == 0) r.headers.push_back({"Date", "Sat, 28 Nov 2026 12:00:00 GMT"});
        std::uint8_t pick = in.byte();
        r.body = pick < 160 ? kBodies[pick % kBodyCount] : pick < 224 ? hostile_body(in) : in.text(255);
        a = up.on_response(r, now);
        break;
      }
      case 3: a = up.on_transport_error({static_cast<upstate::TransportError::Kind>(in.byte() % 7), in.text(40)}, now); break;
      case 4:
      case 5: a = up.on_wake(now); break;
      case 6: {
        std::uint8_t choice = in.byte();
        if (choice < 8) {
          a = up.cancel(now);
        } else if (choice < 24) {  // killed here; a new process restores the snapshot and starts
          const std::string snapshot = up.snapshot();
          check(snapshot.find(kToken) == std::string::npos);
          auto restored = upstate::Upload::restore(config, snapshot);
          check(restored.ok());
          up = std::move(restored).value();
          a = up.start(now);
          fed_at = now;  // the new machine's time starts here, even if the clock jumped back
        } else {
          fed_at = previous;  // nothing fed
        }
        break;
      }
      default:
        if (in.byte() < 16) a = up.start(now);
        else fed_at = previous;
        break;
    }
  }
  const upstate::Outcome& o = std::get<upstate::Done>(a).outcome;
  if (o.error()) check(upstate::to_string(*o.error()).find(kToken) == std::string::npos);
  for (const auto& note : o.notes) check(note.text.find(kToken) == std::string::npos);
  // What upstate-upload shows of it: terminal-clean, strict JSON, no token.
  const std::string human = upstate_upload::summary_text("f.csv", o);
  const std::string json = upstate_upload::to_json("f.csv", o);
  check(fuzz_text::terminal_clean(human));
  check(fuzz_text::strict_json_line(json));
  check(human.find(kToken) == std::string::npos);
  check(json.find(kToken) == std::string::npos);
  for (const auto& note : o.notes) check(fuzz_text::terminal_clean(upstate::terminal_safe(note.text)));
  for (const auto& s : up.trace()) check(upstate::next_state(s.from, s.trigger) == s.to);
  return 0;
}

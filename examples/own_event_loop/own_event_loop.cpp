// Driving upstate::Upload from your own event loop: non-blocking sockets
// and poll(2), no Asio. The machine decides everything (which request,
// when to retry, when to poll again, when to give up); this program only
// moves bytes, reads the clock and waits.
//
//   PROLIFIC_API_TOKEN=... own_event_loop API_BASE DATASET_ID FILE
//
// Plain http only, so meant for a loopback service such as
// upstate-fake-server; for https use the Asio adapter (asio_upload.cpp).
// Progress goes to stderr, the outcome to stdout. Exit: 0 complete,
// 2 partial, 3 failed, 4 pending_schema, 5 a client-side error, 64 usage,
// 66 the file cannot be read.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <variant>

#include <upstate/machine/upload.hpp>

#include "http_exchange.hpp"
#include "interrupt.hpp"
#include "progress_lines.hpp"

namespace {

using own_event_loop::HttpExchange;
using own_event_loop::ProgressLines;
using upstate::Instant;

// upstate::Instant is this clock's time_point: no conversion anywhere.
Instant now() { return std::chrono::steady_clock::now(); }

// poll(2) counts whole milliseconds: round up, so the loop never wakes just
// before `until` and spins (an early on_wake would be harmless, only wasted).
int poll_timeout_ms(Instant until, Instant from) {
  if (until <= from) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - from).count();
  return static_cast<int>(std::min<std::int64_t>(ms, std::numeric_limits<int>::max()));
}

// What one request came to, fed back to the machine with the time it ended.
upstate::Action feed(upstate::Upload& upload, const upstate::Exchange& result, Instant at) {
  if (const auto* response = std::get_if<upstate::Response>(&result)) return upload.on_response(*response, at);
  return upload.on_transport_error(std::get<upstate::TransportError>(result), at);
}

// The event loop. Each turn: carry out the machine's action, then wait in
// one poll() for whatever comes first (the socket of the request in flight,
// the instant a Sleep ends, a signal) and feed that back as an event.
upstate::Outcome run(upstate::Upload& upload, int file_fd, ProgressLines& progress) {
  own_event_loop::InterruptPipe interrupt;
  std::optional<HttpExchange> exchange;  // the request in flight, if any
  upstate::Action action = upload.start(now());
  for (;;) {
    progress.on_state(upload);
    if (const auto* done = std::get_if<upstate::Done>(&action)) return done->outcome;
    // The machine bounds only its own Sleeps: bounding each request is the
    // driver's job (action.hpp). Every exchange gets the upload's deadline as
    // its last moment and a stall timeout; poll(2) below never waits past
    // timeout_at(), and an expiry comes back as a TransportError::timeout.
    if (const auto* send = std::get_if<upstate::Send>(&action); send && !exchange)
      exchange.emplace(send->request, file_fd, upload.deadline(), now());
    if (exchange && exchange->finished()) {  // an answer, or a failure (also one found before any I/O)
      action = feed(upload, exchange->take_result(), now());
      exchange.reset();
      continue;
    }

    pollfd fds[2] = {{interrupt.fd(), POLLIN, 0}, {-1, 0, 0}};
    nfds_t count = 1;
    Instant until{};
    if (exchange) {
      fds[1] = {exchange->fd(), exchange->events(), 0};
      count = 2;
      until = exchange->timeout_at();
    } else {
      until = std::get<upstate::Sleep>(action).until;  // never past the upload's deadline
    }
    if (::poll(fds, count, poll_timeout_ms(until, now())) < 0) {
      if (errno == EINTR) continue;  // a signal: the pipe is readable on the next turn
      std::perror("poll");
      exchange.reset();
      action = upload.cancel(now());
      continue;
    }

    const Instant at = now();
    if (fds[0].revents & POLLIN) {
      exchange.reset();  // closes its socket: the request is abandoned
      action = upload.cancel(at);
    } else if (exchange) {
      exchange->on_ready(fds[1].revents, at);
      if (exchange->body_size() > 0) progress.on_body(exchange->body_sent(), exchange->body_size());
    } else if (at >= until) {
      action = upload.on_wake(at);
    }
  }
}

int report(const upstate::Outcome& outcome) {
  const upstate::Error* error = outcome.error();
  if (error) {
    std::printf("error: %s\n", upstate::to_string(*error).c_str());  // the machine keeps the token out of it
    return 5;
  }
  const upstate::ImportReport& r = *outcome.report();
  std::printf("%s: import %s", std::string(upstate::to_string(r.status)).c_str(), outcome.import_id.c_str());
  if (r.accepted_count) std::printf(", %llu accepted", static_cast<unsigned long long>(*r.accepted_count));
  if (r.rejected_count) std::printf(", %llu rejected", static_cast<unsigned long long>(*r.rejected_count));
  std::printf("\n");
  // Server text: quoted through printable_excerpt, so it cannot forge lines.
  for (const upstate::RecordErrorView e : r.errors) {
    std::string where = e.record_index ? "record " + std::to_string(*e.record_index) : std::string("a record");
    if (!e.field.empty()) where += ", field \"" + upstate::printable_excerpt(e.field, 100) + "\"";
    std::printf("  %s: %s\n", where.c_str(), upstate::printable_excerpt(e.reason, 300).c_str());
  }
  if (r.reason) std::printf("  reason: %s\n", upstate::printable_excerpt(*r.reason, 300).c_str());
  switch (r.status) {
    case upstate::ImportStatus::complete: return 0;
    case upstate::ImportStatus::partial: return 2;
    case upstate::ImportStatus::failed: return 3;
    case upstate::ImportStatus::pending_schema: return 4;
    default: return 5;  // not terminal: cannot end a run, but the compiler cannot know
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* token = std::getenv("PROLIFIC_API_TOKEN");
  if (argc != 4 || !token || !*token) {
    std::fprintf(stderr, "usage: PROLIFIC_API_TOKEN=... own_event_loop API_BASE DATASET_ID FILE\n");
    return 64;
  }
  const std::string path = argv[3];
  own_event_loop::UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!file || ::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    std::fprintf(stderr, "%s: cannot open as a regular file\n", path.c_str());
    return 66;
  }

  upstate::UploadConfig config;
  config.api_base = argv[1];
  config.dataset_id = argv[2];
  config.token = token;  // sent to the API host only; never printed
  const std::string name = path.substr(path.find_last_of('/') + 1);
  upstate::Upload upload{config, upstate::FileInfo{name, static_cast<std::uint64_t>(st.st_size)}};

  ProgressLines progress{name};
  return report(run(upload, file.get(), progress));
}

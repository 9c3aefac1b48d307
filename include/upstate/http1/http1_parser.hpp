#pragma once
// ResponseParser and RequestParser (declared in http1.hpp) on llhttp.
//
// llhttp does the byte-level HTTP/1.1 work; detail::Engine adds what it
// leaves to its user: the size caps, one message at a time, 1xx interim
// answers, and errors as state instead of return codes. Two pauses
// structure `feed`:
//  - at the end of every head (on_headers_complete returns HPE_PAUSED), so
//    llhttp_get_error_pos tells exactly how many bytes the head took;
//  - at the end of the final message (on_message_complete), so the bytes of
//    the next message stay with the caller.
// The parsers are thin handles on a heap-allocated Engine, which never
// moves: llhttp_t keeps a pointer to it in `data`. A moved-from parser is
// safe to query: it reports `failed` (kind other) until reset(), which gives
// it a fresh engine with default Limits.
#include <llhttp.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "http1.hpp"
#include "http1_token.hpp"

namespace upstate::http1 {
namespace detail {

class Engine {
 public:
  Engine(llhttp_type_t type, Limits limits) : limits_(limits), type_(type) { reset(false); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void reset(bool head_request) {
    llhttp_init(&parser_, type_, &settings());
    parser_.data = this;
    // 1xx answers are parsed as messages of their own, and llhttp would treat
    // an HTTP/1.0 or "Connection: close" 1xx as the connection's last message
    // and swallow the final answer after it. Lenient keep-alive only changes
    // what llhttp does after a message; we stop at the final one ourselves.
    if (type_ == HTTP_RESPONSE) llhttp_set_lenient_keep_alive(&parser_, 1);
    head_request_ = head_request;
    state_ = ParseState::head;
    head_complete_ = saw_continue_ = keep_alive_ = false;
    received_ = final_head_ = false;
    head_bytes_ = trailer_bytes_ = 0;
    field_.clear();
    value_.clear();
    response_ = Response{};
    request_ = ParsedRequest{};
    error_ = TransportError{};
    oversized_.reset();
  }

  std::size_t feed(const char* data, std::size_t size);
  void finish();

  // What a moved-from parser reports instead of dereferencing null.
  static const Engine& moved_from(llhttp_type_t type) {
    static const Engine response(HTTP_RESPONSE, MovedFrom{}), request(HTTP_REQUEST, MovedFrom{});
    return type == HTTP_RESPONSE ? response : request;
  }

  ParseState state() const noexcept { return state_; }
  bool head_complete() const noexcept { return head_complete_; }
  bool saw_continue() const noexcept { return saw_continue_; }
  bool keep_alive() const noexcept { return state_ == ParseState::complete && keep_alive_; }
  const TransportError& error() const noexcept { return error_; }
  const Response& response() const noexcept { return response_; }
  const ParsedRequest& request() const noexcept { return request_; }
  const std::optional<Response>& oversized() const noexcept { return oversized_; }
  // Moves the message out; the parser stays `complete` (keep_alive() still
  // answers) until reset().
  Response take_response() { return std::exchange(response_, Response{}); }
  ParsedRequest take_request() { return std::exchange(request_, ParsedRequest{}); }

 private:
  struct MovedFrom {};
  Engine(llhttp_type_t type, MovedFrom) : Engine(type, Limits{}) {
    fail(TransportError::Kind::other, "this parser was moved from");
  }
  bool is_response() const noexcept { return type_ == HTTP_RESPONSE; }
  Headers& headers() noexcept { return is_response() ? response_.headers : request_.headers; }
  std::string& body() noexcept { return is_response() ? response_.body : request_.body; }
  const char* noun() const noexcept { return is_response() ? "answer" : "request"; }

  // A failed message is emptied: a partial answer is never mistaken for a
  // whole one, and what a failure leaves does not depend on how the bytes
  // were cut.
  void fail(TransportError::Kind kind, std::string message) {
    state_ = ParseState::failed;
    keep_alive_ = false;
    error_ = TransportError{kind, std::move(message)};
    response_ = Response{};
    request_ = ParsedRequest{};
    field_.clear();
    value_.clear();
  }
  void fail_head_cap() {
    fail(TransportError::Kind::protocol, "header section over " + std::to_string(limits_.max_header_bytes) + " bytes");
  }
  void fail_body_cap() {
    // The head is whole and passed its cap: keep it (without the body) so a
    // caller can still go by the status (an S3 403 with a huge body is a
    // refusal, not a transport failure to retry).
    std::optional<Response> head;
    if (is_response() && final_head_) head = Response{response_.status, std::move(response_.headers), {}};
    fail(TransportError::Kind::protocol, "body over " + std::to_string(limits_.max_body_bytes) + " bytes");
    oversized_ = std::move(head);
  }
  void fail_closed() {
    std::string where = !received_ ? std::string("before ") + (is_response() ? "an answer" : "a request")
                        : !head_complete_ ? std::string("in the ") + noun() + "'s head"
                                          : std::string("in the ") + noun() + "'s body";
    fail(TransportError::Kind::closed, "connection closed " + where);
  }
  void fail_llhttp(llhttp_errno_t err) {
    if (err == HPE_INVALID_EOF_STATE) return fail_closed();
    const char* reason = llhttp_get_error_reason(&parser_);
    fail(TransportError::Kind::protocol, std::string("malformed HTTP/1.1 ") + noun() + ": " +
                                             (reason ? reason : "parse error") + " (" + llhttp_errno_name(err) + ")");
  }

  // Trailer fields (after a chunked body) are read and dropped: nothing here
  // uses them, and merging them into the head would let the end of a body
  // rewrite its headers. Their names' and values' bytes count toward the
  // header cap, with the head's.
  bool in_trailers() const noexcept { return head_complete_; }
  bool count_trailer(std::size_t n) {
    trailer_bytes_ += n;
    if (head_bytes_ + trailer_bytes_ <= limits_.max_header_bytes) return true;
    fail_head_cap();
    return false;
  }

  // RFC 9110 5.5: optional whitespace around a field value is not part of it.
  static std::string trimmed(const std::string& v) {
    std::size_t b = 0, e = v.size();
    while (b < e && (v[b] == ' ' || v[b] == '\t')) ++b;
    while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
    return v.substr(b, e - b);
  }

  static Engine& self(llhttp_t* p) noexcept { return *static_cast<Engine*>(p->data); }
  static const llhttp_settings_t& settings() noexcept;

  static int on_method(llhttp_t* p, const char* at, std::size_t n) {
    self(p).request_.method.append(at, n);
    return 0;
  }
  static int on_url(llhttp_t* p, const char* at, std::size_t n) {
    self(p).request_.target.append(at, n);
    return 0;
  }
  static int on_header_field(llhttp_t* p, const char* at, std::size_t n) {
    Engine& e = self(p);
    if (e.in_trailers()) return e.count_trailer(n) ? 0 : HPE_USER;
    e.field_.append(at, n);
    return 0;
  }
  // llhttp (loose build) lets a space into a field name ("Content-Length :");
  // RFC 9112 5.1 says to reject that: two parsers could frame it differently.
  static int on_header_field_complete(llhttp_t* p) {
    Engine& e = self(p);
    if (e.in_trailers() || is_token(e.field_)) return 0;
    e.fail(TransportError::Kind::protocol, std::string("malformed HTTP/1.1 ") + e.noun() + ": header name is not a token");
    return -1;
  }
  static int on_header_value(llhttp_t* p, const char* at, std::size_t n) {
    Engine& e = self(p);
    if (e.in_trailers()) return e.count_trailer(n) ? 0 : HPE_USER;
    e.value_.append(at, n);
    return 0;
  }
  static int on_header_value_complete(llhttp_t* p) {
    Engine& e = self(p);
    if (e.in_trailers()) return 0;
    e.headers().push_back(Header{std::move(e.field_), trimmed(e.value_)});
    e.field_.clear();
    e.value_.clear();
    return 0;
  }
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, std::size_t n) {
    Engine& e = self(p);
    std::string& b = e.body();
    // Checked before appending: never hold a byte beyond the cap.
    if (n > e.limits_.max_body_bytes - b.size()) {
      e.fail_body_cap();
      return HPE_USER;
    }
    b.append(at, n);
    return 0;
  }
  static int on_message_complete(llhttp_t* p) {
    Engine& e = self(p);
    if (!e.final_head_) return 0;  // a 1xx interim answer (its headers already dropped): read on
    e.keep_alive_ = llhttp_should_keep_alive(p) != 0;  // needs this message's flags: read before llhttp resets them
    if (!e.is_response()) e.request_.keep_alive = e.keep_alive_;
    e.state_ = ParseState::complete;
    return HPE_PAUSED;
  }

  Limits limits_;
  llhttp_type_t type_;
  std::optional<Response> oversized_;  // the head of an answer whose body went over the cap
  llhttp_t parser_{};
  bool head_request_ = false;
  ParseState state_ = ParseState::head;
  bool head_complete_ = false;  // the final head is in and passed the cap
  bool final_head_ = false;     // llhttp finished a non-1xx head (the cap is checked after)
  bool saw_continue_ = false;
  bool keep_alive_ = false;
  bool received_ = false;
  std::size_t head_bytes_ = 0;     // all head bytes since reset(), 1xx heads included
  std::size_t trailer_bytes_ = 0;
  std::string field_, value_;      // the header being read; llhttp may hand it over in pieces
  Response response_;
  ParsedRequest request_;
  TransportError error_;
};

inline const llhttp_settings_t& Engine::settings() noexcept {
  static const llhttp_settings_t s = [] {
    llhttp_settings_t x;
    llhttp_settings_init(&x);
    x.on_method = &Engine::on_method;
    x.on_url = &Engine::on_url;
    x.on_header_field = &Engine::on_header_field;
    x.on_header_field_complete = &Engine::on_header_field_complete;
    x.on_header_value = &Engine::on_header_value;
    x.on_header_value_complete = &Engine::on_header_value_complete;
    x.on_headers_complete = &Engine::on_headers_complete;
    x.on_body = &Engine::on_body;
    x.on_message_complete = &Engine::on_message_complete;
    return x;
  }();
  return s;
}

inline int Engine::on_headers_complete(llhttp_t* p) {
  Engine& e = self(p);
  if (p->http_major != 1) {
    e.fail(TransportError::Kind::protocol, std::string("unsupported HTTP version in the ") + e.noun() + "'s head");
    return -1;
  }
  if (e.is_response()) {
    const int status = p->status_code;
    if (status < 100) {  // llhttp takes one or two digits; RFC 9110 15 wants three
      e.fail(TransportError::Kind::protocol, "malformed HTTP/1.1 answer: status code is not three digits");
      return -1;
    }
    if (status == 101) {  // we never ask to switch protocols; what follows is not HTTP/1.1
      e.fail(TransportError::Kind::protocol, "unexpected 101 Switching Protocols");
      return -1;
    }
    // Whatever their headers say, these have no body (RFC 9110 6.4.1); llhttp
    // knows it only for some. F_SKIPBODY is what returning 1 would set, which
    // we cannot return since we pause here.
    if (status < 200) {
      if (status == 100) e.saw_continue_ = true;
      e.headers().clear();
      p->flags |= F_SKIPBODY;
      return HPE_PAUSED;
    }
    e.response_.status = status;
    if (e.head_request_ || status == 204 || status == 304) p->flags |= F_SKIPBODY;
  } else {
    const std::string* expect = find_header(e.request_.headers, "Expect");
    e.request_.expect_continue = expect && iequals(*expect, "100-continue");
  }
  e.final_head_ = true;
  // A declared length over the cap fails now rather than after the bytes.
  const bool has_body = (p->flags & F_SKIPBODY) == 0;
  const bool by_length = (p->flags & F_CONTENT_LENGTH) != 0 && (p->flags & F_CHUNKED) == 0;
  if (has_body && by_length && p->content_length > e.limits_.max_body_bytes) {
    e.fail_body_cap();
    return -1;
  }
  // Room for the declared length at once (within the cap, checked above):
  // appended piece by piece, a 1.1 MB dataset answer grew through doublings,
  // its last copy holding 1 MB and 2 MB at once, the peak of a 10,000-file
  // batch (bench/README.md). Pages are touched only as the bytes arrive.
  if (has_body && by_length) e.body().reserve(static_cast<std::size_t>(p->content_length));
  return HPE_PAUSED;
}

inline std::size_t Engine::feed(const char* data, std::size_t size) {
  if (state_ == ParseState::complete || state_ == ParseState::failed) return 0;
  if (size > 0) received_ = true;
  std::size_t used = 0;
  bool resumed = false;
  // `resumed`: run llhttp once more after a head even with no bytes left, so
  // an answer without a body (204, HEAD, Content-Length: 0) completes now.
  while (used < size || resumed) {
    resumed = false;
    const bool in_head = !head_complete_;
    std::size_t n = size - used;
    // Never give llhttp more head than one byte over the cap: the header
    // strings stay bounded however large the caller's buffer is.
    if (in_head) {
      const std::size_t room = limits_.max_header_bytes - head_bytes_;
      if (room < n) n = room + 1;
    }
    const char* start = data + used;
    const llhttp_errno_t err = llhttp_execute(&parser_, start, n);
    const std::size_t took = err == HPE_PAUSED ? static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - start) : n;
    used += took;
    if (in_head) head_bytes_ += took;
    if (state_ == ParseState::complete || state_ == ParseState::failed) break;
    if (err == HPE_PAUSED) {  // at the end of a head
      if (head_bytes_ > limits_.max_header_bytes) {
        fail_head_cap();
        break;
      }
      if (final_head_) {
        head_complete_ = true;
        state_ = ParseState::body;
      }
      llhttp_resume(&parser_);
      resumed = true;
      continue;
    }
    if (err != HPE_OK) {
      fail_llhttp(err);
      break;
    }
    if (in_head && head_bytes_ > limits_.max_header_bytes) {
      fail_head_cap();
      break;
    }
  }
  // After an error nothing in this buffer is usable: it is all taken, so a
  // caller never loops on bytes the parser will not look at.
  return state_ == ParseState::failed ? size : used;
}

inline void Engine::finish() {
  if (state_ == ParseState::complete || state_ == ParseState::failed) return;
  // A close-delimited body ends here: llhttp calls on_message_complete, which
  // marks the message complete (and returns HPE_PAUSED, which is fine).
  const llhttp_errno_t err = llhttp_finish(&parser_);
  if (state_ == ParseState::complete || state_ == ParseState::failed) return;
  if (err != HPE_OK && err != HPE_PAUSED && err != HPE_INVALID_EOF_STATE) return fail_llhttp(err);
  fail_closed();
}


template <class Impl>
const Engine& engine_of(const std::unique_ptr<Impl>& impl, llhttp_type_t type) noexcept {
  return impl ? impl->engine : Engine::moved_from(type);
}

}  // namespace detail

struct ResponseParser::Impl {
  explicit Impl(Limits limits) : engine(HTTP_RESPONSE, limits) {}
  detail::Engine engine;
};

inline ResponseParser::ResponseParser(Limits limits) : impl_(std::make_unique<Impl>(limits)) {}
inline ResponseParser::~ResponseParser() = default;
inline ResponseParser::ResponseParser(ResponseParser&&) noexcept = default;
inline ResponseParser& ResponseParser::operator=(ResponseParser&&) noexcept = default;

inline void ResponseParser::reset(bool head_request) {
  if (!impl_) impl_ = std::make_unique<Impl>(Limits{});
  impl_->engine.reset(head_request);
}
inline std::size_t ResponseParser::feed(const char* data, std::size_t size) {
  return impl_ ? impl_->engine.feed(data, size) : 0;
}
inline void ResponseParser::finish() {
  if (impl_) impl_->engine.finish();
}
inline ParseState ResponseParser::state() const noexcept { return detail::engine_of(impl_, HTTP_RESPONSE).state(); }
inline bool ResponseParser::head_complete() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).head_complete();
}
inline bool ResponseParser::saw_continue() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).saw_continue();
}
inline int ResponseParser::status() const noexcept { return detail::engine_of(impl_, HTTP_RESPONSE).response().status; }
inline const Response& ResponseParser::response() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).response();
}
inline Response ResponseParser::take_response() { return impl_ ? impl_->engine.take_response() : Response{}; }
inline bool ResponseParser::keep_alive() const noexcept { return detail::engine_of(impl_, HTTP_RESPONSE).keep_alive(); }
inline const TransportError& ResponseParser::error() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).error();
}
inline const std::optional<Response>& ResponseParser::oversized_answer() const noexcept {
  return detail::engine_of(impl_, HTTP_RESPONSE).oversized();
}

struct RequestParser::Impl {
  explicit Impl(Limits limits) : engine(HTTP_REQUEST, limits) {}
  detail::Engine engine;
};

inline RequestParser::RequestParser(Limits limits) : impl_(std::make_unique<Impl>(limits)) {}
inline RequestParser::~RequestParser() = default;
inline RequestParser::RequestParser(RequestParser&&) noexcept = default;
inline RequestParser& RequestParser::operator=(RequestParser&&) noexcept = default;

inline void RequestParser::reset() {
  if (!impl_) impl_ = std::make_unique<Impl>(Limits{});
  impl_->engine.reset(false);
}
inline std::size_t RequestParser::feed(const char* data, std::size_t size) {
  return impl_ ? impl_->engine.feed(data, size) : 0;
}
inline void RequestParser::finish() {
  if (impl_) impl_->engine.finish();
}
inline ParseState RequestParser::state() const noexcept { return detail::engine_of(impl_, HTTP_REQUEST).state(); }
inline bool RequestParser::head_complete() const noexcept {
  return detail::engine_of(impl_, HTTP_REQUEST).head_complete();
}
inline const ParsedRequest& RequestParser::request() const noexcept {
  return detail::engine_of(impl_, HTTP_REQUEST).request();
}
inline ParsedRequest RequestParser::take_request() { return impl_ ? impl_->engine.take_request() : ParsedRequest{}; }
inline const TransportError& RequestParser::error() const noexcept {
  return detail::engine_of(impl_, HTTP_REQUEST).error();
}

}  // namespace upstate::http1

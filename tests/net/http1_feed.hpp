#pragma once
// Test helper for the HTTP/1.1 parsers: feeds bytes as a socket would hand
// them over (whole, one byte at a time, cut at every position) and renders
// everything a parser reports as one string, so "every way of cutting gives
// the same result" is a plain string comparison with a readable diff.
#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <upstate/http1/http1.hpp>

namespace http1_test {

struct Feed {
  upstate::http1::Limits limits{};
  bool head_request = false;  // ResponseParser::reset(true)
  bool finish = false;        // the peer closes after the last byte
};

inline std::string escaped(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

inline const char* name(upstate::http1::ParseState s) {
  switch (s) {
    case upstate::http1::ParseState::head: return "head";
    case upstate::http1::ParseState::body: return "body";
    case upstate::http1::ParseState::complete: return "complete";
    case upstate::http1::ParseState::failed: return "failed";
  }
  return "?";
}

inline std::string render_headers(const upstate::Headers& hs) {
  std::string s;
  for (const auto& h : hs) s += " [" + escaped(h.name) + ": " + escaped(h.value) + "]";
  return s;
}

inline std::string render_error(const upstate::TransportError& e) {
  return std::string(upstate::to_string(e.kind)) + ":" + e.message;
}

// How many bytes a failed parse took depends on how they were cut (it takes
// the whole buffer it failed in), so it is not part of the comparison.
inline std::string render_used(upstate::http1::ParseState s, std::size_t used) {
  return s == upstate::http1::ParseState::failed ? "used=n/a" : "used=" + std::to_string(used);
}

inline std::string render(const upstate::http1::ResponseParser& p, std::size_t used) {
  const auto& r = p.response();
  return render_used(p.state(), used) + " state=" + name(p.state()) + " head_complete=" +
         std::to_string(p.head_complete()) + " continue=" + std::to_string(p.saw_continue()) +
         " keep_alive=" + std::to_string(p.keep_alive()) + " status=" + std::to_string(p.status()) +
         " headers=" + render_headers(r.headers) + " body=" + escaped(r.body) + " error=" + render_error(p.error());
}

inline std::string render(const upstate::http1::RequestParser& p, std::size_t used) {
  const auto& r = p.request();
  return render_used(p.state(), used) + " state=" + name(p.state()) + " head_complete=" +
         std::to_string(p.head_complete()) + " method=" + escaped(r.method) + " target=" + escaped(r.target) +
         " headers=" + render_headers(r.headers) + " body=" + escaped(r.body) +
         " expect=" + std::to_string(r.expect_continue) + " keep_alive=" + std::to_string(r.keep_alive) +
         " error=" + render_error(p.error());
}

inline void start(upstate::http1::ResponseParser& p, const Feed& f) { p.reset(f.head_request); }
inline void start(upstate::http1::RequestParser& p, const Feed&) { p.reset(); }

// One parser fed `input` in the pieces that `cuts` (ascending offsets) make.
// Like a socket reader, it stops offering bytes once the parser is done.
template <class Parser>
struct Run {
  Parser parser;
  std::size_t used = 0;
  std::string rendered() const { return render(parser, used); }
};

template <class Parser>
Run<Parser> run_cut(std::string_view input, const std::vector<std::size_t>& cuts, const Feed& f) {
  Run<Parser> r{Parser(f.limits), 0};
  start(r.parser, f);
  std::size_t from = 0;
  auto done = [&] {
    auto s = r.parser.state();
    return s == upstate::http1::ParseState::complete || s == upstate::http1::ParseState::failed;
  };
  for (std::size_t i = 0; i <= cuts.size() && !done(); ++i) {
    std::size_t to = i < cuts.size() ? cuts[i] : input.size();
    std::size_t took = r.parser.feed(input.data() + from, to - from);
    r.used += took;
    // Everything offered is taken unless the parser stopped.
    if (!done()) REQUIRE(took == to - from);
    from = to;
  }
  if (f.finish) r.parser.finish();
  return r;
}

// Feeds `input` whole, byte by byte and cut in two at every position, checks
// all of them end the same, and returns the run fed whole.
template <class Parser>
Run<Parser> run_all_ways(std::string_view input, const Feed& f = {}) {
  Run<Parser> whole = run_cut<Parser>(input, {}, f);
  const std::string expected = whole.rendered();
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < input.size(); ++i) every.push_back(i);
  {
    INFO("fed byte by byte");
    CHECK(run_cut<Parser>(input, every, f).rendered() == expected);
  }
  for (std::size_t i = 0; i <= input.size(); ++i) {
    INFO("cut at " << i);
    std::string got = run_cut<Parser>(input, {i}, f).rendered();
    if (got != expected) {
      CHECK(got == expected);  // report the first differing cut only
      break;
    }
  }
  return whole;
}

inline Run<upstate::http1::ResponseParser> answer(std::string_view input, const Feed& f = {}) {
  return run_all_ways<upstate::http1::ResponseParser>(input, f);
}
inline Run<upstate::http1::RequestParser> request(std::string_view input, const Feed& f = {}) {
  return run_all_ways<upstate::http1::RequestParser>(input, f);
}

}  // namespace http1_test

#pragma once
// The fast path of the JSONL record check: dataset records are one object
// of strings, plain numbers, true, false, null and the odd nested metadata
// value, and reading those needs no general JSON parser.
// read_json_object_fast() either reads such a line completely, or says it
// cannot decide (returns false) and leaves the line to RapidJSON. It never
// rejects a line: everything it accepts is a strict subset of what RapidJSON
// accepts, so the verdict stays RapidJSON's (and so the fake service's).
// Deferred: \u escapes, an escape in a top-level name or within a string
// value's first 8 bytes, numbers with an exponent or more than 18 digits
// before or after the point, nesting deeper than 32, byte-order-mark bytes
// at the start, anything after the closing brace, and every syntax error.
// Strings are scanned 8 bytes at a time for '"', '\' and control bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "../detail/ascii.hpp"
#include "media_url.hpp"
#include "record_problem.hpp"

namespace upstate {

// One top-level field of a JSONL record.
struct JsonField {
  std::string_view name;  // into the line, or the reader's own buffer (escaped names)
  ValueKind value;
  bool url;  // a string starting with http:// or https://, any case
  unsigned char media = kMediaNone;  // url: the media lists its extension is on (media_url.hpp)
};

// Whether a string value starts with http:// or https://, any case.
constexpr bool is_http_url(std::string_view s) noexcept {
  return s.size() >= 7 && (s[0] == 'h' || s[0] == 'H') && (istarts_with(s, "http://") || istarts_with(s, "https://"));
}

namespace detail {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// Whether any of the 8 bytes is '"', '\' or below 0x20 (no false negative;
// a true one makes the caller look byte by byte).
constexpr bool has_string_special(std::uint64_t w) noexcept {
  const std::uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  const std::uint64_t zero_quote = (quote - kOnes) & ~quote;
  const std::uint64_t zero_backslash = (backslash - kOnes) & ~backslash;
  const std::uint64_t control = (w - kOnes * 0x20) & ~w;
  return ((zero_quote | zero_backslash | control) & kHighs) != 0;
}

class FastJsonReader {
 public:
  FastJsonReader(std::string_view line, std::vector<JsonField>& fields) noexcept
      : p_(line.data()), end_(line.data() + line.size()), fields_(fields) {}

  bool read() {
    skip_ws();
    if (p_ == end_ || *p_ != '{') return false;
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == '}') return close();
    for (;;) {
      std::string_view key;
      bool escaped = false;
      if (!string(key, escaped) || escaped) return false;  // names are compared raw: no escapes
      skip_ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      if (!value(key)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == '}') return close();
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

 private:
  bool close() {
    ++p_;
    skip_ws();
    return p_ == end_;  // anything after the object (even a NUL): RapidJSON's call
  }

  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  // A string token at p_; `text` is its raw content. Escapes other than the
  // one-character ones (\" \\ \/ \b \f \n \r \t) are deferred.
  bool string(std::string_view& text, bool& escaped) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* begin = ++p_;
    for (;;) {
      while (end_ - p_ >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p_, 8);
        if (has_string_special(w)) break;
        p_ += 8;
      }
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (end_ - p_ < 2) return false;
        const char e = p_[1];
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') return false;
        escaped = true;
        p_ += 2;
        continue;
      }
      ++p_;
    }
    text = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
    ++p_;
    return true;
  }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0)
      return false;
    p_ += word.size();
    return true;
  }

  std::ptrdiff_t digits() noexcept {
    const char* from = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ - from;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?, at most 18 digits on either side of the
  // point, no exponent: always a double RapidJSON can store.
  bool number() noexcept {
    if (p_ != end_ && *p_ == '-') ++p_;
    const char* first = p_;
    const auto n = digits();
    if (n == 0 || n > 18 || (n > 1 && *first == '0')) return false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      const auto f = digits();
      if (f == 0 || f > 18) return false;
    }
    return p_ == end_ || (*p_ != 'e' && *p_ != 'E');
  }

  // Any value inside a top-level one: only checked, not recorded.
  bool nested_value(int depth) {
    if (p_ == end_ || depth > 32) return false;
    std::string_view text;
    bool escaped = false;
    switch (*p_) {
      case '"': return string(text, escaped);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      case '{': return container(depth, '}');
      case '[': return container(depth, ']');
      default: return number();
    }
  }

  // An object or array at p_, up to its closing byte.
  bool container(int depth, char close) {
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == close) {
      ++p_;
      return true;
    }
    for (;;) {
      if (close == '}') {
        std::string_view key;
        bool escaped = false;
        if (!string(key, escaped)) return false;
        skip_ws();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        skip_ws();
      }
      if (!nested_value(depth + 1)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == close) {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

  bool value(std::string_view key) {
    JsonField f{key, ValueKind::absent, false};
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': {
        std::string_view text;
        bool escaped = false;
        if (!string(text, escaped)) return false;
        const std::string_view head = text.substr(0, 8);
        if (escaped && head.find('\\') != std::string_view::npos) return false;  // the scheme needs unescaping
        f.value = text.empty() ? ValueKind::empty_string : ValueKind::string;
        f.url = is_http_url(head);
        if (f.url) f.media = media_kind_of_url(text);
        break;
      }
      case 't':
        if (!literal("true")) return false;
        f.value = ValueKind::boolean;
        break;
      case 'f':
        if (!literal("false")) return false;
        f.value = ValueKind::boolean;
        break;
      case 'n':
        if (!literal("null")) return false;
        f.value = ValueKind::null;
        break;
      case '{':
        if (!container(1, '}')) return false;
        f.value = ValueKind::object;
        break;
      case '[':
        if (!container(1, ']')) return false;
        f.value = ValueKind::array;
        break;
      default:
        if (!number()) return false;
        f.value = ValueKind::number;
    }
    fields_.push_back(f);
    return true;
  }

  const char* p_;
  const char* end_;
  std::vector<JsonField>& fields_;
};

}  // namespace detail

// true: `line` is an object this reader takes, its fields appended to
// `fields` (names are views of `line`); false: undecided (`fields` may hold
// a partial read: the caller clears it).
inline bool read_json_object_fast(std::string_view line, std::vector<JsonField>& fields) {
  return detail::FastJsonReader(line, fields).read();
}

}  // namespace upstate

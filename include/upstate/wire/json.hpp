#pragma once
// Private RapidJSON helpers (namespace detail, not API) shared by every JSON
// answer parser, so they all agree on how a body is parsed and how a bad
// field is reported: Error{malformed_answer, short message, JSON path}.
//
// RapidJSON is used as configured by whoever includes it first: nothing here
// defines RAPIDJSON_* macros, and only accessors that cannot hit
// RAPIDJSON_ASSERT are called (FindMember, never operator[]; Get* only after
// the matching Is*).
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../vocabulary/result.hpp"
#include "limits.hpp"
#include "parse_error.hpp"

namespace upstate {
namespace detail {

using JsonValue = rapidjson::Value;

inline const char* json_type_name(const JsonValue& v) noexcept {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "boolean";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return "number";
  }
  return "unknown";
}

inline std::string wrong_type(const char* expected, const JsonValue& got) {
  return std::string("expected ") + expected + ", got " + json_type_name(got);
}

// "$.key" for plain keys, `$["odd key"]` otherwise; a key is quoted through
// printable_excerpt so a megabyte-long or control-character key cannot
// blow up or forge the path.
inline std::string member_path(std::string_view parent, std::string_view key) {
  bool plain = !key.empty() && key.size() <= 64;
  for (char c : key) {
    bool word_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    plain = plain && word_char;
  }
  std::string out(parent);
  if (plain) {
    out += '.';
    out += key;
  } else {
    out += "[\"" + printable_excerpt(key, 64) + "\"]";
  }
  return out;
}

inline std::string_view string_view_of(const JsonValue& string_value) noexcept {
  return {string_value.GetString(), string_value.GetStringLength()};
}

// Nesting depth and value count (ParseLimits::max_json_depth and
// max_json_values), in one pass that allocates nothing: strings are skipped
// (memchr to each quote), then brackets and commas counted. Lenient about
// everything else: a body it lets through that is not JSON is the parser's
// to refuse.
inline std::optional<Error> check_json_shape(std::string_view body, const ParseLimits& limits) {
  std::size_t depth = 0;
  std::size_t values = 1;
  const char* p = body.data();
  const char* const end = p + body.size();
  while (p < end) {
    const char c = *p++;
    if (c == '"') {
      for (;;) {
        const void* q = std::memchr(p, '"', static_cast<std::size_t>(end - p));
        if (!q) return std::nullopt;  // unterminated string: the parser says so
        const char* quote = static_cast<const char*>(q);
        std::size_t backslashes = 0;
        for (const char* b = quote; b > p && b[-1] == '\\'; --b) ++backslashes;
        p = quote + 1;
        if (backslashes % 2 == 0) break;  // not escaped: the string ends here
      }
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_json_depth)
        return malformed("$", "JSON nested deeper than " + std::to_string(limits.max_json_depth) + " levels");
      ++values;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    } else if (c == ',') {
      ++values;
    } else {
      continue;
    }
    if (values > limits.max_json_values)
      return malformed("$", "JSON with more than " + std::to_string(limits.max_json_values) + " values");
  }
  return std::nullopt;
}

// The checks made before RapidJSON sees a byte: the size cap, NUL, and the
// shape (depth, value count).
inline std::optional<Error> check_json_text(std::string_view body, const ParseLimits& limits) {
  if (body.size() > limits.max_body_bytes) return body_too_large(body.size(), limits.max_body_bytes);
  // RapidJSON's memory stream reads NUL as end of input, so "{}\0junk" would
  // pass as "{}". A raw NUL byte is never valid JSON text (inside strings it
  // must be escaped), so refusing it outright is exact.
  if (const void* nul = std::memchr(body.data(), '\0', body.size())) {
    auto offset = static_cast<std::size_t>(static_cast<const char*>(nul) - body.data());
    return malformed("$", "not JSON: NUL byte at offset " + std::to_string(offset));
  }
  return check_json_shape(body, limits);
}

// After the parse: a syntax error, or a root that is not an object.
inline std::optional<Error> check_json_object(const rapidjson::Document& doc) {
  if (doc.HasParseError()) {
    return malformed("$", std::string("not JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
                              " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return malformed("$", wrong_type("object", doc));
  return std::nullopt;
}

// Parses `body` into a document and checks that the root is an object: the
// one RapidJSON parse every wire parser uses (one instantiation of its
// reader, not two: each costs every header-only file compile time). Iterative
// parsing keeps deep nesting off the call stack; no kParseStopWhenDoneFlag,
// so bytes after the document are an error. In situ: RapidJSON decodes each
// string inside a private copy of the body and points at it, instead of
// copying it to a stack and then again into the document, which takes about
// a third off the parse of a 10,000-item answer (bench/). The document's
// values point into that copy, so this object is neither copied nor moved.
// Results, errors and offsets are those of Document::Parse(text, length).
class InSituJson {
 public:
  InSituJson() = default;
  InSituJson(const InSituJson&) = delete;
  InSituJson& operator=(const InSituJson&) = delete;

  std::optional<Error> parse_object(std::string_view body, const ParseLimits& limits) {
    if (auto error = check_json_text(body, limits)) return error;
    text_.assign(body.data(), body.size());  // std::string ends in a NUL: the in-situ stream's end mark
    rapidjson::InsituStringStream in(&text_[0]);
    // Document::Parse(text, length) reads through EncodedInputStream, which
    // skips the bytes of a UTF-8 byte order mark (each of EF, BB, BF, in that
    // order, when present); skipped the same way here, so both parses accept
    // the same bodies and report the same offsets.
    for (unsigned bom : {0xEFu, 0xBBu, 0xBFu})
      if (static_cast<unsigned char>(in.Peek()) == bom) in.Take();
    doc_.ParseStream<rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag, rapidjson::UTF8<>>(in);
    return check_json_object(doc_);
  }

  const rapidjson::Document& doc() const noexcept { return doc_; }

 private:
  std::string text_;
  // The document's first values live in the object itself (a poll answer
  // fits), so a small answer allocates no 64 KiB chunk and no allocator.
  alignas(std::max_align_t) char first_chunk_[2048];
  rapidjson::MemoryPoolAllocator<> pool_{first_chunk_, sizeof first_chunk_};
  rapidjson::Document doc_{&pool_};
};

// ---- one value, checked against the type the field must have ----

inline Result<std::string> read_string(const JsonValue& v, const std::string& path) {
  if (!v.IsString()) return malformed(path, wrong_type("string", v));
  return std::string(string_view_of(v));
}

inline Result<bool> read_bool(const JsonValue& v, const std::string& path) {
  if (!v.IsBool()) return malformed(path, wrong_type("boolean", v));
  return v.GetBool();
}

// A JSON integer that fits `int`. RapidJSON stores "4.0" as a double, and a
// double is refused: the API writes integers.
inline Result<int> read_int(const JsonValue& v, const std::string& path) {
  if (!v.IsNumber()) return malformed(path, wrong_type("integer", v));
  if (v.IsInt()) return v.GetInt();
  if (v.IsInt64() || v.IsUint64()) return malformed(path, "expected integer, got number out of range");
  return malformed(path, "expected integer, got non-integer number");
}

// Counts: non-negative integers that fit uint64. Refused: negatives,
// fractions (3.5), integers written as decimals or exponents (3.0, 1e3; the
// API sends plain integers, and accepting them would need a rounding rule),
// and integers beyond 2^64-1 (RapidJSON turns those into doubles).
inline Result<std::uint64_t> read_count(const JsonValue& v, const std::string& path) {
  constexpr const char* kExpected = "expected non-negative integer, got ";
  if (!v.IsNumber()) return malformed(path, kExpected + std::string(json_type_name(v)));
  if (v.IsUint64()) return v.GetUint64();
  if (v.IsInt64()) return malformed(path, kExpected + std::string("negative number"));
  const double d = v.GetDouble();  // finite: the parser refuses NaN and Infinity without kParseNanAndInfFlag
  if (d < 0) return malformed(path, kExpected + std::string("negative number"));
  // Fractional: below 2^63 (above, every double is an integer) the
  // truncation differs; d >= 0 here, so truncation is floor. Not std::floor:
  // <cmath> costs every file of a header-only build about 0.1 s.
  if (d < 9223372036854775808.0 && d != static_cast<double>(static_cast<std::int64_t>(d)))
    return malformed(path, kExpected + std::string("fractional number"));
  return malformed(path, kExpected + std::string("decimal-form or out-of-range number"));
}

// ---- fields of one object ----

// Reads the fields of one JSON object in order and keeps the first error, so
// a parser reads like the table in docs/service.md and checks `failed()` once. After
// an error every getter returns its default without looking further.
class ObjectReader {
 public:
  ObjectReader(const JsonValue& object, std::string path) : object_(object), path_(std::move(path)) {}

  const std::string& path() const noexcept { return path_; }
  bool failed() const noexcept { return error_.has_value(); }
  Error take_error() { return std::move(*error_); }
  void fail(Error e) {
    if (!error_) error_ = std::move(e);
  }

  std::string path_of(const char* key) const { return member_path(path_, key); }

  // The member's value, or nullptr when it is absent or null (null counts as
  // absent for optional fields). The first of duplicate keys wins.
  const JsonValue* find(const char* key) const {
    auto it = object_.FindMember(key);
    if (it == object_.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }

  // The first of `keys` that is present and not null (nullptr if none), for
  // fields the API spells several ways.
  const char* first_present(std::initializer_list<const char*> keys) const {
    for (const char* key : keys)
      if (find(key)) return key;
    return nullptr;
  }

  // Required: absent and null are both errors.
  std::string required_string(const char* key) {
    if (failed()) return {};
    auto it = object_.FindMember(key);
    if (it == object_.MemberEnd()) {
      fail(malformed(path_of(key), "missing required field"));
      return {};
    }
    return take(key, read_string(it->value, std::string()), std::string{});
  }

  std::optional<std::string> optional_string(const char* key) { return optional(key, read_string); }
  std::optional<bool> optional_bool(const char* key) { return optional(key, read_bool); }
  std::optional<int> optional_int(const char* key) { return optional(key, read_int); }
  std::optional<std::uint64_t> optional_count(const char* key) { return optional(key, read_count); }

  // Containers are returned as pointers into the document (nullptr when
  // absent, null or after an error) for the caller to walk.
  const JsonValue* optional_array(const char* key) { return optional_container(key, "array", &JsonValue::IsArray); }
  const JsonValue* optional_object(const char* key) {
    return optional_container(key, "object", &JsonValue::IsObject);
  }
  const JsonValue* required_object(const char* key) {
    if (failed()) return nullptr;
    auto it = object_.FindMember(key);
    if (it == object_.MemberEnd()) {
      fail(malformed(path_of(key), "missing required field"));
      return nullptr;
    }
    if (!it->value.IsObject()) {
      fail(malformed(path_of(key), wrong_type("object", it->value)));
      return nullptr;
    }
    return &it->value;
  }

 private:
  // The read_* functions get an empty path (they use it for Error::path
  // only) and the field's path is put into their error here: building
  // "$.errors[1234].record_index" for every field read, to throw it away
  // when the field is fine, was one of the larger costs of a 10,000-item
  // answer (bench/).
  void fail_at(const char* key, Error e) {
    e.path = path_of(key);
    fail(std::move(e));
  }

  template <class T>
  T take(const char* key, Result<T> r, T fallback) {
    if (r.ok()) return std::move(r).value();
    fail_at(key, std::move(r).error());
    return fallback;
  }

  template <class T>
  std::optional<T> optional(const char* key, Result<T> (*read)(const JsonValue&, const std::string&)) {
    if (failed()) return std::nullopt;
    const JsonValue* v = find(key);
    if (!v) return std::nullopt;
    Result<T> r = read(*v, std::string());
    if (r.ok()) return std::move(r).value();
    fail_at(key, std::move(r).error());
    return std::nullopt;
  }

  const JsonValue* optional_container(const char* key, const char* expected, bool (JsonValue::*is)() const) {
    if (failed()) return nullptr;
    const JsonValue* v = find(key);
    if (!v) return nullptr;
    if (!(v->*is)()) {
      fail(malformed(path_of(key), wrong_type(expected, *v)));
      return nullptr;
    }
    return v;
  }

  const JsonValue& object_;
  std::string path_;
  std::optional<Error> error_;
};

// ---- bounded re-serialisation ----

// Compact JSON of a value, cut to at most `max_bytes`, byte for byte what
// rapidjson::Writer writes (same escapes, same number forms) followed by
// utf8_prefix. Written here rather than through rapidjson::Writer because a
// large answer re-serialises thousands of items: this writer keeps its
// buffers between calls (no allocation per item: the result is a view of
// its buffer, valid until the next call), makes room once per string and
// copies unescaped runs whole.
//
// Walks with an explicit stack rather than Value::Accept, which recurses once
// per nesting level (an item nested 100000 deep would overflow the call
// stack), and stops once the output passes the cap, so the work is
// O(max_bytes) whatever the item holds. Strings longer than the cap are
// written only in part: their tail would be cut anyway.
class BoundedJsonWriter {
 public:
  std::string_view write(const JsonValue& value, std::size_t max_bytes) {
    size_ = 0;
    stack_.clear();
    max_bytes_ = max_bytes;
    visit(value, 0);
    while (!stack_.empty() && size_ <= max_bytes_) {
      Frame& top = stack_.back();
      const JsonValue& c = *top.container;
      const rapidjson::SizeType i = top.next++;  // `top` dies when visit() pushes
      if (c.IsObject()) {
        if (i == c.MemberCount()) {
          stack_.pop_back();
          put("}");
          continue;
        }
        const auto& member = *(c.MemberBegin() + i);
        if (i > 0) put(",");
        put_string(member.name.GetString(), member.name.GetStringLength());
        if (size_ <= max_bytes_) visit(member.value, ':');
      } else {
        if (i == c.Size()) {
          stack_.pop_back();
          put("]");
          continue;
        }
        visit(c[i], i > 0 ? ',' : 0);
      }
    }
    return utf8_prefix(std::string_view(buffer_.data(), size_), max_bytes_);
  }

 private:
  struct Frame {
    const JsonValue* container;
    rapidjson::SizeType next;  // index of the next element / member to write
  };

  // Writes `separator` (',' or ':', 0 for none), then a scalar, or opens a
  // container and pushes it.
  void visit(const JsonValue& v, char separator) {
    if (separator) put(std::string_view(&separator, 1));
    switch (v.GetType()) {
      case rapidjson::kNullType: put("null"); break;
      case rapidjson::kFalseType: put("false"); break;
      case rapidjson::kTrueType: put("true"); break;
      case rapidjson::kStringType: put_string(v.GetString(), v.GetStringLength()); break;
      case rapidjson::kNumberType:
        if (v.IsInt64()) put_integer(v.GetInt64());
        else if (v.IsUint64()) put_integer(v.GetUint64());
        else put_double(v.GetDouble());
        break;
      case rapidjson::kObjectType:
        put("{");
        stack_.push_back({&v, 0});
        break;
      case rapidjson::kArrayType:
        put("[");
        stack_.push_back({&v, 0});
        break;
    }
  }

  // Room for `n` more bytes after the first size_; returns where they go.
  char* room(std::size_t n) {
    if (buffer_.size() - size_ < n) buffer_.resize(std::max(size_ + n, 2 * buffer_.size()));
    return buffer_.data() + size_;
  }

  void put(std::string_view text) {
    std::memcpy(room(text.size()), text.data(), text.size());
    size_ += text.size();
  }

  // rapidjson::Writer's escapes: '"', '\\', and every byte below 0x20 (as
  // \b \t \n \f \r or \u00XX with capital hex digits); every other byte,
  // UTF-8 or not, as it is. Only the first max_bytes + 1 bytes of a longer
  // string are written.
  void put_string(const char* s, rapidjson::SizeType length) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const std::size_t n = length > max_bytes_ ? max_bytes_ + 1 : length;
    char* const begin = room(2 + 6 * n);  // every byte escaped as \u00XX, and the quotes
    char* out = begin;
    *out++ = '"';
    for (const char *p = s, *end = s + n; p != end;) {
      const char* run = p;
      while (p != end && !needs_escape(*p)) ++p;
      std::memcpy(out, run, static_cast<std::size_t>(p - run));
      out += p - run;
      if (p == end) break;
      const auto c = static_cast<unsigned char>(*p++);
      *out++ = '\\';
      switch (c) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\b': *out++ = 'b'; break;
        case '\t': *out++ = 't'; break;
        case '\n': *out++ = 'n'; break;
        case '\f': *out++ = 'f'; break;
        case '\r': *out++ = 'r'; break;
        default:
          *out++ = 'u';
          *out++ = '0';
          *out++ = '0';
          *out++ = kHex[c >> 4];
          *out++ = kHex[c & 15];
      }
    }
    *out++ = '"';
    size_ += static_cast<std::size_t>(out - begin);
  }

  static bool needs_escape(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == '"' || c == '\\';
  }

  template <class Integer>
  void put_integer(Integer i) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, i).ptr;  // as Writer's i64toa / u64toa
    put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }

  // Rare in an errors[] item, and Writer's shortest-round-trip form (Grisu2,
  // "1e+30", "0.1", "-0.0") is not worth copying: it writes this one.
  void put_double(double d) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.Double(d);
    put(std::string_view(buffer.GetString(), buffer.GetSize()));
  }

  std::vector<char> buffer_;  // the output is its first size_ bytes; it only grows
  std::size_t size_ = 0;
  std::vector<Frame> stack_;
  std::size_t max_bytes_ = 0;
};

}  // namespace detail
}  // namespace upstate

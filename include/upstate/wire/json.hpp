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

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../result.hpp"
#include "limits.hpp"
#include "text.hpp"

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

inline std::string element_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

inline std::string_view string_view_of(const JsonValue& string_value) noexcept {
  return {string_value.GetString(), string_value.GetStringLength()};
}

// Parses `body` into `doc` and checks that the root is an object. Iterative
// parsing keeps deep nesting off the call stack; no kParseStopWhenDoneFlag,
// so bytes after the document are an error.
inline std::optional<Error> parse_json_object(std::string_view body, const ParseLimits& limits,
                                              rapidjson::Document& doc) {
  if (body.size() > limits.max_body_bytes) return body_too_large(body.size(), limits.max_body_bytes);
  // RapidJSON's memory stream reads NUL as end of input, so "{}\0junk" would
  // pass as "{}". A raw NUL byte is never valid JSON text (inside strings it
  // must be escaped), so refusing it outright is exact.
  if (const void* nul = std::memchr(body.data(), '\0', body.size())) {
    auto offset = static_cast<std::size_t>(static_cast<const char*>(nul) - body.data());
    return malformed("$", "not JSON: NUL byte at offset " + std::to_string(offset));
  }
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    return malformed("$", std::string("not JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
                              " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return malformed("$", wrong_type("object", doc));
  return std::nullopt;
}

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
  if (d != std::floor(d)) return malformed(path, kExpected + std::string("fractional number"));
  return malformed(path, kExpected + std::string("decimal-form or out-of-range number"));
}

// ---- fields of one object ----

// Reads the fields of one JSON object in order and keeps the first error, so
// a parser reads like the table in API.md and checks `failed()` once. After
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
    return take(read_string(it->value, path_of(key)), std::string{});
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
  template <class T>
  T take(Result<T> r, T fallback) {
    if (r.ok()) return std::move(r).value();
    fail(std::move(r).error());
    return fallback;
  }

  template <class T>
  std::optional<T> optional(const char* key, Result<T> (*read)(const JsonValue&, const std::string&)) {
    if (failed()) return std::nullopt;
    const JsonValue* v = find(key);
    if (!v) return std::nullopt;
    Result<T> r = read(*v, path_of(key));
    if (r.ok()) return std::move(r).value();
    fail(std::move(r).error());
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

// `value` as compact JSON (rapidjson::Writer), cut to at most `max_bytes`.
// Walks with an explicit stack rather than Value::Accept, which recurses once
// per nesting level (an item nested 100000 deep would overflow the call
// stack), and stops once the output passes the cap, so the work is
// O(max_bytes) whatever the item holds. Strings longer than the cap are
// written only in part: their tail would be cut anyway.
inline std::string to_json_bounded(const JsonValue& value, std::size_t max_bytes) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  auto clipped = [max_bytes](rapidjson::SizeType length) {
    return max_bytes >= length ? length : static_cast<rapidjson::SizeType>(max_bytes + 1);
  };
  struct Frame {
    const JsonValue* container;
    rapidjson::SizeType next;  // index of the next element / member to write
  };
  std::vector<Frame> stack;
  // Writes a scalar, or opens a container and pushes it.
  auto visit = [&](const JsonValue& v) {
    switch (v.GetType()) {
      case rapidjson::kNullType: writer.Null(); break;
      case rapidjson::kFalseType: writer.Bool(false); break;
      case rapidjson::kTrueType: writer.Bool(true); break;
      case rapidjson::kStringType: writer.String(v.GetString(), clipped(v.GetStringLength())); break;
      case rapidjson::kNumberType:
        if (v.IsInt64()) writer.Int64(v.GetInt64());
        else if (v.IsUint64()) writer.Uint64(v.GetUint64());
        else writer.Double(v.GetDouble());
        break;
      case rapidjson::kObjectType:
        writer.StartObject();
        stack.push_back({&v, 0});
        break;
      case rapidjson::kArrayType:
        writer.StartArray();
        stack.push_back({&v, 0});
        break;
    }
  };
  visit(value);
  while (!stack.empty() && buffer.GetSize() <= max_bytes) {
    Frame& top = stack.back();
    const JsonValue& c = *top.container;
    if (c.IsObject()) {
      if (top.next == c.MemberCount()) {
        stack.pop_back();
        writer.EndObject();
        continue;
      }
      const auto& member = *(c.MemberBegin() + top.next++);  // `top` dies when visit() pushes
      writer.Key(member.name.GetString(), clipped(member.name.GetStringLength()));
      if (buffer.GetSize() <= max_bytes) visit(member.value);
    } else {
      if (top.next == c.Size()) {
        stack.pop_back();
        writer.EndArray();
        continue;
      }
      visit(c[top.next++]);
    }
  }
  return std::string(utf8_prefix(std::string_view(buffer.GetString(), buffer.GetSize()), max_bytes));
}

}  // namespace detail
}  // namespace upstate

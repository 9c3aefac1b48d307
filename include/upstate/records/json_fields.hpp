#pragma once
// One JSONL record's top-level fields: their names, in order, and the kind
// of each value. The verdict is RapidJSON's, with the flags the fake
// service's DOM parse uses, so a line is "one JSON object" here exactly when
// it is there: its SAX reader builds no document and only walks nested
// values (the iterative parser keeps even a line of a million '[' off the
// stack). json_fast_path.hpp reads the common records first, several times
// faster, and defers to RapidJSON every line it is not sure of.
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../detail/ascii.hpp"
#include "json_fast_path.hpp"
#include "record_problem.hpp"

namespace upstate {

class JsonFields {
 public:
  using Field = JsonField;

  // false when `line` is not one JSON object (see error_text() and root()).
  // `at_line_start`: the record's first byte opens its line. Only then does
  // RapidJSON's stream skip byte-order-mark bytes there, as it does for the
  // fake's whole-line parse; the splitter leaves leading blanks out, and
  // after blanks those bytes are a syntax error.
  bool parse(std::string_view line, bool at_line_start) {
    names_.clear();
    fields_.clear();
    // (A line opening with byte-order-mark bytes does not open with '{': the
    // fast path defers it, and RapidJSON skips them or not, as below.)
    if (read_json_object_fast(line, fields_)) {
      handler_.reset(this);
      handler_.root = ValueKind::object;
      result_ = rapidjson::ParseResult();
      return true;
    }
    return parse_with_rapidjson(line, at_line_start);
  }

  // The same, always through RapidJSON (the reference the fast path is
  // tested against).
  bool parse_with_rapidjson(std::string_view line, bool at_line_start) {
    names_.clear();
    name_spans_.clear();
    fields_.clear();
    handler_.reset(this);
    rapidjson::MemoryStream in(line.data(), line.size());
    if (at_line_start)
      for (int b : {0xEF, 0xBB, 0xBF})
        if (static_cast<unsigned char>(in.Peek()) == b) in.Take();
    result_ = reader_->Parse<rapidjson::kParseIterativeFlag>(in, handler_);
    // The names were copied out of RapidJSON's buffer: point at the copies
    // now that names_ has stopped growing.
    for (std::size_t i = 0; i < fields_.size(); ++i)
      fields_[i].name = std::string_view(names_).substr(name_spans_[i].first, name_spans_[i].second);
    return !result_.IsError() && handler_.root == ValueKind::object;
  }

  // Valid until the next parse, and as long as the line is (fast path).
  const std::vector<Field>& fields() const noexcept { return fields_; }

  // After a failed parse: RapidJSON's message ("" when the line is valid
  // JSON of another kind, root() says which) and its offset in the line.
  std::string_view error_text() const noexcept {
    return handler_.root != ValueKind::object && handler_.root != ValueKind::absent
               ? std::string_view{}
               : std::string_view(rapidjson::GetParseError_En(result_.Code()));
  }
  std::uint64_t error_offset() const noexcept { return result_.Offset(); }
  ValueKind root() const noexcept { return handler_.root; }

 private:
  // SAX events: depth 0 is the line's value, depth 1 its fields' values.
  struct Handler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
    JsonFields* owner = nullptr;
    int depth = 0;
    ValueKind root = ValueKind::absent;

    void reset(JsonFields* o) noexcept {
      owner = o;
      depth = 0;
      root = ValueKind::absent;
    }
    // A scalar: the field's value at depth 1; at depth 0 the line is not an
    // object, so parsing stops there.
    bool scalar(ValueKind kind, bool url = false, unsigned char media = kMediaNone) {
      if (depth == 0) {
        root = kind;
        return false;
      }
      if (depth == 1 && !owner->fields_.empty()) {
        owner->fields_.back().value = kind;
        owner->fields_.back().url = url;
        owner->fields_.back().media = media;
      }
      return true;
    }
    bool open(ValueKind kind) {
      if (depth == 0) {
        root = kind;
        if (kind != ValueKind::object) return false;
      } else if (depth == 1 && !owner->fields_.empty()) {
        owner->fields_.back().value = kind;
      }
      ++depth;
      return true;
    }
    bool Null() { return scalar(ValueKind::null); }
    bool Bool(bool) { return scalar(ValueKind::boolean); }
    bool Int(int) { return scalar(ValueKind::number); }
    bool Uint(unsigned) { return scalar(ValueKind::number); }
    bool Int64(std::int64_t) { return scalar(ValueKind::number); }
    bool Uint64(std::uint64_t) { return scalar(ValueKind::number); }
    bool Double(double) { return scalar(ValueKind::number); }
    bool RawNumber(const char*, rapidjson::SizeType, bool) { return scalar(ValueKind::number); }
    bool String(const char* s, rapidjson::SizeType n, bool) {
      std::string_view v(s, n);
      const bool url = is_http_url(v);
      return scalar(v.empty() ? ValueKind::empty_string : ValueKind::string, url,
                    url ? media_kind_of_url(v) : kMediaNone);
    }
    bool StartObject() { return open(ValueKind::object); }
    bool Key(const char* s, rapidjson::SizeType n, bool) {
      if (depth == 1) {
        owner->name_spans_.emplace_back(owner->names_.size(), n);
        owner->fields_.push_back({std::string_view{}, ValueKind::absent, false});  // name set after the parse
        owner->names_.append(s, n);
      }
      return true;
    }
    bool EndObject(rapidjson::SizeType) {
      --depth;
      return true;
    }
    bool StartArray() { return open(ValueKind::array); }
    bool EndArray(rapidjson::SizeType) {
      --depth;
      return true;
    }
  };

  // Kept from line to line (its stack is reused), behind a pointer because
  // RapidJSON's reader cannot be moved and this class should be.
  std::unique_ptr<rapidjson::Reader> reader_ = std::make_unique<rapidjson::Reader>();
  rapidjson::ParseResult result_;
  Handler handler_;
  std::string names_;  // RapidJSON path: every top-level name, back to back...
  std::vector<std::pair<std::size_t, std::size_t>> name_spans_;  // ... as (begin, size)
  std::vector<Field> fields_;
};

}  // namespace upstate

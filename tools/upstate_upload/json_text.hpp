#pragma once
// Strings into a --json line: every string (server text, local file names)
// goes through upstate::valid_utf8 first, so a byte that is not UTF-8
// becomes U+FFFD and the line always passes a strict UTF-8 JSON decoder;
// RapidJSON escapes the control characters.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include <upstate/detail/terminal_text.hpp>

namespace upstate_upload {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void json_string(JsonWriter& w, std::string_view s) {
  const std::string valid = upstate::valid_utf8(s);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

inline void json_key(JsonWriter& w, std::string_view k) {
  const std::string valid = upstate::valid_utf8(k);
  w.Key(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

}  // namespace upstate_upload

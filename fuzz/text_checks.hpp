#pragma once
// What any server string may turn into once upstate-upload shows it
// (issue 12): human text with no raw control byte (C0 but '\n', DEL, C1)
// and nothing but valid UTF-8; --json lines that a strict UTF-8 JSON
// decoder accepts; neither holding the token. Include before check.hpp.
#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include <upstate/vocabulary/outcome.hpp>
#include <upstate/records/utf8_check.hpp>

#include "../tools/upstate_upload/dataset_text.hpp"
#include "../tools/upstate_upload/outcome_text.hpp"

namespace fuzz_text {

inline bool strict_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = upstate::detail::utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

inline bool terminal_clean(std::string_view s) {
  if (!strict_utf8(s)) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return false;
  }
  return true;
}

// One line, valid UTF-8, and an object to RapidJSON told to validate the encoding.
inline bool strict_json_line(const std::string& s) {
  if (!strict_utf8(s) || s.find('\n') != std::string::npos) return false;
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(s.data(), s.size());
  return !d.HasParseError() && d.IsObject();
}

}  // namespace fuzz_text

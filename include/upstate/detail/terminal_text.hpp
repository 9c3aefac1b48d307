#pragma once
// Untrusted bytes made safe for two kinds of reader: a terminal (every
// control byte escaped, so a server string can neither retitle the window,
// clear the screen nor forge a log line) and a strict UTF-8 decoder (every
// byte that is not part of valid UTF-8 replaced, so a `--json` line always
// parses).
#include <string>
#include <string_view>

#include "../records/utf8_check.hpp"

namespace upstate {
namespace detail {

// Appends `s` with C0 controls, DEL, C1 controls (U+0080..U+009F, which
// some terminals obey) and every byte that is not part of valid UTF-8
// written as "\xNN"; valid UTF-8 text is kept. With `quote`, '"' and '\'
// get a backslash too (text shown between quotes).
inline void append_terminal_safe(std::string& out, std::string_view s, bool quote) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto escape = [&](unsigned char c) {
    out += "\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        escape(c);
      } else {
        if (quote && (c == '"' || c == '\\')) out.push_back('\\');
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(s, i);
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
    if (n == 0 || c1) {
      for (std::size_t k = 0; k < (c1 ? 2 : 1); ++k) escape(static_cast<unsigned char>(s[i + k]));
      i += c1 ? 2 : 1;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
}

}  // namespace detail

// The whole of `s`, ready for a terminal or a log: control bytes, C1
// controls and bytes that are not UTF-8 as "\xNN"; everything else (quotes,
// backslashes, valid non-ASCII text) as is. For strings shown bare, such as
// an import id or a file name in a summary line.
inline std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  detail::append_terminal_safe(out, s, /*quote=*/false);
  return out;
}

// `s` as valid UTF-8: every byte that is not part of a valid sequence
// (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF)
// becomes U+FFFD, one per byte; valid text is kept byte for byte. What
// `upstate-upload --json` writes for server strings and local file names.
inline std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = detail::utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// Whether `s` holds a control byte (C0 or DEL) — what may not go into an
// identifier that ends up in a URL path or on a terminal.
inline bool has_control_byte(std::string_view s) noexcept {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace upstate

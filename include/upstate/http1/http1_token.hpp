#pragma once
// RFC 9110 tokens, shared by the HTTP/1.1 serializer and parsers. Depends on
// nothing, so either can include it whatever order the parts come in.
#include <string_view>

namespace upstate::http1::detail {

// RFC 9110 5.6.2 tchar.
constexpr bool is_tchar(char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

inline bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

}  // namespace upstate::http1::detail

#pragma once
// Turning untrusted text into something safe to show a person.
#include <string>
#include <string_view>

namespace upstate {

// At most `max_bytes` of `text`, control characters shown as \xNN, so a
// server's message can neither flood a log nor forge a line in it.
inline std::string printable_excerpt(std::string_view text, std::size_t max_bytes = 300) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < max_bytes; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (out.size() >= max_bytes && text.size() > max_bytes) out += "...";
  return out;
}

// Every occurrence of `secret` replaced. A server that echoes the token in
// an error body must not get it into our messages.
inline std::string redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  constexpr std::string_view kMark = "[redacted]";
  for (std::size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + kMark.size()))
    text.replace(pos, secret.size(), kMark);
  return text;
}

}  // namespace upstate

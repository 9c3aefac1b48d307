#pragma once
// Turning untrusted text into something safe to show a person.
#include <string>
#include <string_view>

namespace upstate {

// At most `max` bytes of `s`, cut before a UTF-8 lead byte so a multi-byte
// character is never split (backs up at most 3 bytes, so invalid UTF-8 made
// of continuation bytes cannot make this scan the whole string).
inline std::string_view utf8_prefix(std::string_view s, std::size_t max) noexcept {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  for (int step = 0; step < 3 && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80; ++step) --cut;
  return s.substr(0, cut);
}

// Server text quoted inside one of our messages: at most `max` bytes of it,
// control characters, '"' and '\' escaped (a hostile string can neither
// flood a log nor forge a line in it), "..." when cut.
inline std::string printable_excerpt(std::string_view s, std::size_t max = 300) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string_view kept = utf8_prefix(s, max);
  std::string out;
  out.reserve(kept.size() + 8);
  for (char ch : kept) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  if (kept.size() < s.size()) out += "...";
  return out;
}

// Every occurrence of `secret` replaced. A server that echoes the token in
// an error body must not get it into our messages.
// A "secret" of a few characters is no secret and would shred every
// message it occurs in, so only secrets of 6 bytes or more are looked for.
inline std::string redact(std::string text, std::string_view secret) {
  if (secret.size() < 6) return text;
  constexpr std::string_view kMark = "[redacted]";
  for (std::size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + kMark.size()))
    text.replace(pos, secret.size(), kMark);
  return text;
}

}  // namespace upstate

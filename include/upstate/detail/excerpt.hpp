#pragma once
// Turning untrusted text into something safe to show a person.
#include <string>
#include <string_view>

#include "terminal_text.hpp"

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
// control characters (C0, DEL, C1), bytes that are not UTF-8, '"' and '\'
// escaped (a hostile string can neither flood a log, forge a line in it nor
// drive a terminal), "..." when cut. Redact before calling this: a secret
// straddling the cut would otherwise survive in part.
inline std::string printable_excerpt(std::string_view s, std::size_t max = 300) {
  std::string_view kept = utf8_prefix(s, max);
  std::string out;
  out.reserve(kept.size() + 8);
  detail::append_terminal_safe(out, kept, /*quote=*/true);
  if (kept.size() < s.size()) out += "...";
  return out;
}

// Every occurrence of `secret` replaced. A server that echoes the token in
// an error body must not get it into our messages.
// A "secret" of a few characters is no secret and would shred every
// message it occurs in, so only secrets of 6 bytes or more are looked for.
// A cut secret is caught too: its first 8 bytes or more at the end of the
// text or just before a "..." (where printable_excerpt and the parsers'
// caps cut) are replaced, so text cut before it was redacted leaks at most
// 7 bytes of the secret's start.
inline std::string redact(std::string text, std::string_view secret) {
  if (secret.size() < 6) return text;
  constexpr std::string_view kMark = "[redacted]";
  const std::string_view head = secret.substr(0, secret.size() < 8 ? secret.size() : 8);
  std::size_t pos = text.find(head);
  if (pos == std::string::npos) return text;
  std::string out;
  std::size_t copied = 0;
  for (; pos != std::string::npos; pos = text.find(head, pos)) {
    std::size_t len = head.size();
    while (len < secret.size() && pos + len < text.size() && text[pos + len] == secret[len]) ++len;
    const bool whole = len == secret.size();
    const bool cut = pos + len == text.size() || text.compare(pos + len, 3, "...") == 0;
    if (!whole && !cut) {
      ++pos;
      continue;
    }
    out.append(text, copied, pos - copied);
    out += kMark;
    pos += len;
    copied = pos;
  }
  out.append(text, copied, std::string::npos);
  return out;
}

}  // namespace upstate

#pragma once
// The bodies of <upstate/wire/s3_error.hpp> (see detail/linkage.hpp): the
// bounded XML reader, out of the declarations every file sees.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <upstate/wire/s3_error.hpp>

namespace upstate {

namespace detail {

// Longer element names are not S3's; refusing them also bounds the cost of
// searching for each closing tag.
inline constexpr std::size_t kMaxXmlNameBytes = 64;

inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// "#65" or "#x41" (the text between '&' and ';') as a Unicode scalar value;
// nullopt for anything XML does not allow (NUL, surrogates, > U+10FFFF).
inline std::optional<std::uint32_t> numeric_character_reference(std::string_view ref) noexcept {
  if (ref.size() < 2 || ref[0] != '#') return std::nullopt;
  bool hex = ref[1] == 'x';
  std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty()) return std::nullopt;
  std::uint32_t cp = 0;
  for (char c : digits) {
    int d = c >= '0' && c <= '9' ? c - '0'
            : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1;
    if (d < 0) return std::nullopt;
    cp = cp * (hex ? 16u : 10u) + static_cast<std::uint32_t>(d);
    if (cp > 0x10FFFF) return std::nullopt;  // also stops overflow: at most 8 more bits per digit
  }
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return cp;
}

// Element text with the five predefined entities and numeric references
// decoded. Anything else after '&' is kept literally: the text is for
// people, and a stray '&' must not cost the whole error.
inline std::string decode_xml_text(std::string_view raw) {
  constexpr std::size_t kLongestReference = 10;  // "#x10FFFF" plus slack, ';' excluded
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out.push_back(raw[i]);
      continue;
    }
    std::size_t semi = raw.substr(i + 1, kLongestReference + 1).find(';');
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view ref = raw.substr(i + 1, semi);
    char named = ref == "amp"    ? '&'
                 : ref == "lt"   ? '<'
                 : ref == "gt"   ? '>'
                 : ref == "quot" ? '"'
                 : ref == "apos" ? '\''
                                 : '\0';
    if (named) {
      out.push_back(named);
    } else if (auto cp = numeric_character_reference(ref)) {
      append_utf8(out, *cp);
    } else {
      out.push_back('&');
      continue;
    }
    i += semi + 1;  // past the ';'
  }
  return out;
}

// Forward-only cursor over the body: every step moves `pos` ahead or stops
// the scan, so the reader is linear and needs no recursion.
struct XmlCursor {
  std::string_view text;
  std::size_t pos = 0;

  bool at_end() const noexcept { return pos >= text.size(); }
  bool looking_at(std::string_view s) const noexcept { return pos <= text.size() && text.substr(pos, s.size()) == s; }
  bool at_space() const noexcept {
    return pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' || text[pos] == '\n');
  }
  void skip_space() noexcept {
    while (at_space()) ++pos;
  }
  // Moves past the next `s`; false (and at the end) when there is none.
  bool skip_past(std::string_view s) noexcept {
    std::size_t found = text.find(s, pos);
    pos = found == std::string_view::npos ? text.size() : found + s.size();
    return found != std::string_view::npos;
  }
  // Whitespace and comments, which may sit between any two elements.
  bool skip_space_and_comments() noexcept {
    for (;;) {
      skip_space();
      if (!looking_at("<!--")) return true;
      if (!skip_past("-->")) return false;
    }
  }
};

struct XmlChild {
  std::string_view name;
  std::string_view raw_text;  // still entity-encoded; empty for <Name/>
  bool nested = false;        // held child elements (not S3's shape): skipped
};

// The next child element of the current one, or nullopt at its end tag, at
// the end of the body, or at anything unexpected (the caller keeps what it
// has read so far).
inline std::optional<XmlChild> next_xml_child(XmlCursor& c) {
  for (;;) {
    if (!c.skip_space_and_comments() || c.at_end() || c.looking_at("</")) return std::nullopt;
    if (c.text[c.pos] == '<') break;
    if (!c.skip_past("<")) return std::nullopt;  // stray text between children: ignored
    --c.pos;
  }
  ++c.pos;  // '<'
  std::size_t name_end = c.text.find_first_of(" \t\r\n/><", c.pos);
  if (name_end == std::string_view::npos) return std::nullopt;
  XmlChild child;
  child.name = c.text.substr(c.pos, name_end - c.pos);
  if (child.name.empty() || child.name.size() > kMaxXmlNameBytes || child.name[0] == '!' || child.name[0] == '?' ||
      c.text[name_end] == '<')
    return std::nullopt;
  std::size_t tag_end = c.text.find('>', name_end);  // attributes, if any, are skipped
  if (tag_end == std::string_view::npos) return std::nullopt;
  c.pos = tag_end + 1;
  if (c.text[tag_end - 1] == '/') return child;  // <Name/>
  std::string closing = "</" + std::string(child.name) + ">";
  std::size_t content_end = c.text.find(closing, c.pos);
  if (content_end == std::string_view::npos) return std::nullopt;
  child.raw_text = c.text.substr(c.pos, content_end - c.pos);
  child.nested = child.raw_text.find('<') != std::string_view::npos;
  c.pos = content_end + closing.size();
  return child;
}

}  // namespace detail

UPSTATE_DECL Result<S3Error> parse_s3_error(std::string_view body, const ParseLimits& limits) {
  if (body.size() > limits.max_body_bytes) return detail::body_too_large(body.size(), limits.max_body_bytes, "");
  detail::XmlCursor c{body};
  if (c.looking_at("\xEF\xBB\xBF")) c.pos += 3;  // UTF-8 byte-order mark
  c.skip_space();
  if (c.looking_at("<?xml") && !c.skip_past("?>"))
    return detail::malformed("", "S3 error body: unterminated XML declaration");
  // "<Error" then '>' or attributes: not "<ErrorDocument>", not "<Error/>".
  bool is_error_start = c.skip_space_and_comments() && c.looking_at("<Error");
  if (is_error_start) {
    c.pos += 6;
    is_error_start = (c.looking_at(">") || c.at_space()) && c.skip_past(">");
  }
  if (!is_error_start) return detail::malformed("", "S3 error body: no <Error> element");

  S3Error out;
  bool have_code = false, have_message = false;
  while (auto child = detail::next_xml_child(c)) {
    if (child->nested) continue;
    std::string text = detail::decode_xml_text(child->raw_text);
    if (!have_code && child->name == "Code") {
      out.code = std::move(text);
      have_code = true;
    } else if (!have_message && child->name == "Message") {
      out.message = std::move(text);
      have_message = true;
    } else {
      out.fields.emplace_back(std::string(child->name), std::move(text));
    }
  }
  if (out.code.empty()) return detail::malformed("", "S3 error body: no <Code> in <Error>");
  return out;
}

}  // namespace upstate

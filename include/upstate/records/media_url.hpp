#pragma once
// Media URL fields (docs/service.md, "Media fields"): audio_url and
// video_url values whose path ends in an extension outside the official
// client's lists. The client refuses them before uploading; whether the
// service does is UNCONFIRMED, so upstate's pre-flight only warns.
#include <cstddef>
#include <string_view>

#include "../detail/ascii.hpp"

namespace upstate {

// Bits: which list a URL's extension is on.
inline constexpr unsigned char kMediaNone = 0, kMediaAudio = 1, kMediaVideo = 2;

inline constexpr std::string_view kAudioUrlExtensions[] = {".aac", ".m4a", ".mp3", ".wav"};
inline constexpr std::string_view kVideoUrlExtensions[] = {".mp4", ".webm", ".mov"};

// The media kind wanted by a schema field type (kMediaNone for the others:
// image_url's extensions are not checked by anyone).
constexpr unsigned char media_kind_of_type(std::string_view type) noexcept {
  return type == "audio_url" ? kMediaAudio : type == "video_url" ? kMediaVideo : kMediaNone;
}

// The extension of the URL's path ("" when none): after the path's last '/'
// and last '.', before any '?' or '#'. At most 8 bytes are looked at.
constexpr std::string_view url_path_extension(std::string_view url) noexcept {
  std::size_t end = url.find_first_of("?#");
  if (end == std::string_view::npos) end = url.size();
  const std::string_view path = url.substr(0, end);
  const std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return {};
  const std::string_view ext = path.substr(dot);
  return ext.size() <= 8 ? ext : std::string_view{};
}

// The lists a URL's extension is on, any case (".MP3" too, as the official
// client lower-cases it).
constexpr unsigned char media_kind_of_url(std::string_view url) noexcept {
  const std::string_view ext = url_path_extension(url);
  unsigned char kind = kMediaNone;
  for (std::string_view e : kAudioUrlExtensions)
    if (iequals(ext, e)) kind = static_cast<unsigned char>(kind | kMediaAudio);
  for (std::string_view e : kVideoUrlExtensions)
    if (iequals(ext, e)) kind = static_cast<unsigned char>(kind | kMediaVideo);
  return kind;
}

}  // namespace upstate

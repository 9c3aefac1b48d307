// What README's "Several files" fragment uses but does not show: an upload
// configuration, the files' sizes and the caller's clock.
#pragma once
#include <cstdint>

#include <upstate/upstate.hpp>
#include <upstate/batch.hpp>

inline upstate::UploadConfig config;
inline std::uint64_t size_a = 0, size_b = 0;
upstate::Instant now();

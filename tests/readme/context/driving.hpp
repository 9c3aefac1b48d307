// What README's "Driving an upload" fragment uses but does not show: the
// caller's clock, HTTP and timer (declared only: the fragment is compiled,
// not run) and the file's size.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <variant>

#include <upstate/upstate.hpp>

upstate::Instant now();
upstate::Response your_http(const upstate::Request& request);
void wait_until(upstate::Instant until);
inline std::uint64_t file_size = 0;

// What README's "With Asio" fragment uses but does not show: the file's size.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <upstate/asio/client.hpp>

inline std::uint64_t file_size = 0;

// What README's "Checking files" fragment uses but does not show: reading
// the file in chunks, writing bytes out, the dataset fetched before (its
// schema) and the outcome of the upload.
#pragma once
#include <cstdio>
#include <string_view>

#include <upstate/records.hpp>
#include <upstate/upstate.hpp>

inline std::string_view chunk;
bool read(std::string_view& chunk);   // false at the end of the file
void write(int fd, std::string_view bytes);
inline int out = 1, reasons_file = 2;
inline upstate::Dataset dataset;
inline upstate::Outcome outcome;
inline auto sink = [](std::string_view bytes) { write(out, bytes); };

#pragma once
// The cells of one CSV row (its bytes without the line break, as
// RecordSplitter hands them over), read the way the fake service reads them:
// a cell that starts with a quote is quoted up to the closing quote ("" is a
// quote inside it), and any text after the closing quote, quotes included,
// is kept as literal text up to the next comma. Cells are views of the row;
// a value is unquoted only when asked for.
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace upstate {

struct CsvCell {
  std::string_view raw;  // as in the file, quotes included
  bool quoted = false;
};

// Calls on_cell(std::size_t column, const CsvCell&) for each cell in order;
// returns how many there were (at least 1: an empty row is one empty cell).
template <class OnCell>
std::size_t for_each_csv_cell(std::string_view row, OnCell&& on_cell) {
  const char* d = row.data();
  const std::size_t n = row.size();
  std::size_t pos = 0, column = 0;
  for (;;) {
    const std::size_t start = pos;
    const bool quoted = pos < n && d[pos] == '"';
    if (quoted) {
      ++pos;
      for (;;) {
        const void* q = pos < n ? std::memchr(d + pos, '"', n - pos) : nullptr;
        if (!q) {  // not from the splitter: a quote left open runs to the end
          pos = n;
          break;
        }
        pos = static_cast<std::size_t>(static_cast<const char*>(q) - d) + 1;
        if (pos < n && d[pos] == '"') {
          ++pos;
          continue;
        }
        break;
      }
    }
    const void* comma = pos < n ? std::memchr(d + pos, ',', n - pos) : nullptr;
    pos = comma ? static_cast<std::size_t>(static_cast<const char*>(comma) - d) : n;
    on_cell(column++, CsvCell{std::string_view(d + start, pos - start), quoted});
    if (pos == n) return column;
    ++pos;  // the comma: another cell follows, maybe empty
  }
}

// Calls out(char) for each byte of the cell's value, in order, while it
// returns true.
template <class Out>
void for_each_csv_value_byte(const CsvCell& cell, Out&& out) {
  std::string_view s = cell.raw;
  std::size_t i = 0;
  if (cell.quoted) {
    for (i = 1; i < s.size(); ++i) {
      if (s[i] == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          ++i;  // "" is one quote
        } else {
          ++i;  // the closing quote
          break;
        }
      }
      if (!out(s[i])) return;
    }
  }
  for (; i < s.size(); ++i)
    if (!out(s[i])) return;
}

// The cell's value: quotes removed, "" as one quote.
inline std::string csv_value(const CsvCell& cell) {
  if (!cell.quoted) return std::string(cell.raw);
  std::string out;
  out.reserve(cell.raw.size());
  for_each_csv_value_byte(cell, [&](char c) {
    out += c;
    return true;
  });
  return out;
}

}  // namespace upstate

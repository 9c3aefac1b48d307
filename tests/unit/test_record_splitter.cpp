// RecordSplitter: record boundaries of JSONL and CSV fed in chunks, checked
// whole against split, and against a reference model: the fake service's
// former whole-buffer reader (kept here verbatim in spirit: the simplest
// reading of its rules), on seeded random inputs.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <upstate/records/csv_cells.hpp>
#include <upstate/records/record_splitter.hpp>
#include <upstate/records/whole_records.hpp>
#include <vector>

using namespace upstate;

namespace {

// One record as a consumer sees it once it has ended.
struct Seen {
  RecordSpan span;
  std::string text;
  bool operator==(const Seen& o) const {
    return span.header == o.span.header && span.index == o.span.index && span.line == o.span.line &&
           span.begin == o.span.begin && span.end == o.span.end && span.indent == o.span.indent &&
           span.ending == o.span.ending && span.too_long == o.span.too_long && text == o.text;
  }
};

std::string show(const std::vector<Seen>& v) {
  std::string out;
  for (const auto& s : v)
    out += (s.span.header ? "H" : "R" + std::to_string(s.span.index)) + " line " + std::to_string(s.span.line) + " [" +
           std::to_string(s.span.begin) + "," + std::to_string(s.span.end) + ") end " +
           std::to_string(static_cast<int>(s.span.ending)) + " \"" + s.text + "\"\n";
  return out;
}

// Checks the handler protocol as it goes: begin, bytes..., end, in order,
// with the span at the end matching the one at the beginning.
struct Log {
  std::vector<Seen> records;
  std::string text;
  RecordSpan open;
  bool in_record = false;
  int protocol_errors = 0;

  void record_begin(const RecordSpan& s) {
    if (in_record || s.end != s.begin || s.ending != RecordEnding::open) ++protocol_errors;
    in_record = true;
    open = s;
    text.clear();
  }
  void record_bytes(std::string_view piece) {
    if (!in_record || piece.empty()) ++protocol_errors;
    text += piece;
  }
  void record_end(const RecordSpan& s, std::string_view last) {
    if (!in_record || s.begin != open.begin || s.index != open.index || s.line != open.line) ++protocol_errors;
    text += last;
    if (text.size() != s.size()) ++protocol_errors;
    records.push_back({s, text});
    in_record = false;
  }
};

struct SplitResult {
  std::vector<Seen> records;
  std::uint64_t count = 0;
  bool unterminated = false, bom = false;
  std::uint64_t quote_line = 0, lines = 0;
  int protocol_errors = 0;
  bool operator==(const SplitResult& o) const {
    return records == o.records && count == o.count && unterminated == o.unterminated && bom == o.bom &&
           (!unterminated || quote_line == o.quote_line) && lines == o.lines;
  }
};

// Feeds `input` cut at the given positions.
SplitResult split(FileKind kind, std::string_view input, const std::vector<std::size_t>& cuts = {},
                  std::uint64_t max = RecordSplitter::kNoLimit) {
  RecordSplitter s(kind, max);
  Log log;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    s.feed(input.substr(from, cut - from), log);
    from = cut;
  }
  s.feed(input.substr(from), log);
  s.finish(log);
  return {log.records, s.records(), s.unterminated_quote(), s.bom(), s.quote_line(), s.line(), log.protocol_errors};
}

SplitResult byte_by_byte(FileKind kind, std::string_view input) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return split(kind, input, cuts);
}

// Whole, every single cut, every pair of cuts (short inputs), byte by byte:
// all must agree.
void check_split_invariance(FileKind kind, std::string_view input) {
  INFO("input: " << std::string(input));
  const SplitResult whole = split(kind, input);
  REQUIRE(whole.protocol_errors == 0);
  for (std::size_t a = 0; a <= input.size(); ++a) {
    SplitResult one = split(kind, input, {a});
    CAPTURE(a);
    REQUIRE(one.protocol_errors == 0);
    REQUIRE(show(one.records) == show(whole.records));
    REQUIRE(one == whole);
    if (input.size() <= 24)
      for (std::size_t b = a; b <= input.size(); ++b) REQUIRE(split(kind, input, {a, b}) == whole);
  }
  SplitResult bytes = byte_by_byte(kind, input);
  REQUIRE(bytes.protocol_errors == 0);
  REQUIRE(bytes == whole);
}

// ---- the reference model: the fake service's former readers --------------

struct RefResult {
  std::vector<std::vector<std::string>> rows;  // CSV: header first; JSONL: one cell, the line
  bool unterminated = false;
};

RefResult reference_csv(std::string_view s) {
  RefResult out;
  std::size_t pos = 0;
  auto at_crlf = [&] { return pos + 1 < s.size() && s[pos] == '\r' && s[pos + 1] == '\n'; };
  if (s.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  for (;;) {
    for (;;) {
      if (pos < s.size() && s[pos] == '\n')
        ++pos;
      else if (at_crlf())
        pos += 2;
      else
        break;
    }
    if (pos >= s.size()) return out;
    std::vector<std::string> cells;
    std::string cell;
    for (;;) {
      if (pos < s.size() && s[pos] == '"') {
        ++pos;
        for (;;) {
          if (pos >= s.size()) {
            out.unterminated = true;
            return out;
          }
          char c = s[pos++];
          if (c != '"') {
            cell += c;
          } else if (pos < s.size() && s[pos] == '"') {
            cell += '"';
            ++pos;
          } else {
            break;
          }
        }
      }
      while (pos < s.size() && s[pos] != ',' && s[pos] != '\n' && !at_crlf()) cell += s[pos++];
      cells.push_back(cell);
      cell.clear();
      if (pos < s.size() && s[pos] == ',') {
        ++pos;
        continue;
      }
      if (at_crlf())
        pos += 2;
      else if (pos < s.size())
        ++pos;
      break;
    }
    out.rows.push_back(cells);
  }
}

RefResult reference_jsonl(std::string_view s) {
  RefResult out;
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  while (!s.empty()) {
    std::size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    s = nl == std::string_view::npos ? std::string_view{} : s.substr(nl + 1);
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    out.rows.push_back({std::string(line.substr(first))});
  }
  return out;
}

RefResult model_of(FileKind kind, const SplitResult& r) {
  RefResult out;
  out.unterminated = r.unterminated;
  for (const auto& rec : r.records) {
    if (rec.span.ending == RecordEnding::unterminated_quote) continue;
    if (kind == FileKind::jsonl) {
      out.rows.push_back({rec.text});
      continue;
    }
    std::vector<std::string> cells;
    for_each_csv_cell(rec.text, [&](std::size_t, const CsvCell& c) { cells.push_back(csv_value(c)); });
    out.rows.push_back(cells);
  }
  return out;
}

std::string random_text(std::mt19937_64& rng, std::string_view alphabet, std::size_t max_len) {
  std::string s(rng() % (max_len + 1), ' ');
  for (char& c : s) c = alphabet[rng() % alphabet.size()];
  return s;
}

}  // namespace

TEST_CASE("record splitter: file kinds from the name, any case", "[records]") {
  CHECK(file_kind_from_name("a.jsonl") == FileKind::jsonl);
  CHECK(file_kind_from_name("A.JSONL") == FileKind::jsonl);
  CHECK(file_kind_from_name("x.y.Csv") == FileKind::csv);
  CHECK_FALSE(file_kind_from_name("a.json"));
  CHECK_FALSE(file_kind_from_name("csv"));
  CHECK(to_string(FileKind::csv) == "csv");
}

TEST_CASE("record splitter: JSONL records are the non-blank lines, with index, line and byte range", "[records]") {
  const std::string input = "{\"a\":1}\n\n  \t\r\n  {\"b\":2}\r\n[]\n{\"c\":3}";
  SplitResult r = split(FileKind::jsonl, input);
  REQUIRE(r.records.size() == 4);
  CHECK(r.count == 4);
  CHECK(show(r.records) ==
        "R0 line 1 [0,7) end 1 \"{\"a\":1}\"\n"
        "R1 line 4 [16,24) end 1 \"{\"b\":2}\r\"\n"  // leading blanks left out, the CR kept
        "R2 line 5 [25,27) end 1 \"[]\"\n"
        "R3 line 6 [28,35) end 3 \"{\"c\":3}\"\n");
  CHECK(r.records[1].span.indent == 2);
  CHECK(r.records[0].span.indent == 0);
  CHECK(r.lines == 6);
  check_split_invariance(FileKind::jsonl, input);
}

TEST_CASE("record splitter: CSV header, quoted line breaks, CRLF and empty lines", "[records]") {
  const std::string input =
      "prompt,category\r\n"
      "\"a, with comma\",x\r\n"
      "\n"
      "\"two\nlines\",\"and\r\nCRLF\"\n"
      "\r\n"
      "plain,\n"
      "last,row";
  SplitResult r = split(FileKind::csv, input);
  CHECK(show(r.records) ==
        "H line 1 [0,15) end 2 \"prompt,category\"\n"
        "R0 line 2 [17,34) end 2 \"\"a, with comma\",x\"\n"
        "R1 line 4 [37,60) end 1 \"\"two\nlines\",\"and\r\nCRLF\"\"\n"
        "R2 line 8 [63,69) end 1 \"plain,\"\n"
        "R3 line 9 [70,78) end 3 \"last,row\"\n");
  CHECK(r.count == 4);
  check_split_invariance(FileKind::csv, input);
}

TEST_CASE("record splitter: a quote opens a quoted field only as a field's first byte", "[records]") {
  // say "x" is literal text; so is everything after a closing quote.
  SplitResult r = split(FileKind::csv, "h\nsay \"x\ny\"\n\"q\"tail\"\n,\"a\nb\"\n");
  CHECK(show(r.records) ==
        "H line 1 [0,1) end 1 \"h\"\n"
        "R0 line 2 [2,8) end 1 \"say \"x\"\n"
        "R1 line 3 [9,11) end 1 \"y\"\"\n"
        "R2 line 4 [12,20) end 1 \"\"q\"tail\"\"\n"
        "R3 line 5 [21,27) end 1 \",\"a\nb\"\"\n");
  for (std::string input : {"h\nsay \"x\ny\"\n\"q\"tail\"\n,\"a\nb\"\n", "a,\"b\"\"c\"\n\"\"\"\"\n", "\"\"\"\n\"\n"})
    check_split_invariance(FileKind::csv, input);
}

TEST_CASE("record splitter: CRs at chunk edges (CRLF, lone CR rows, CR data)", "[records]") {
  // A lone CR at a row start begins a row; CR CR LF is data CR, then CRLF.
  SplitResult r = split(FileKind::csv, "h\r\n\rx\r\na\r\r\n\r");
  CHECK(show(r.records) ==
        "H line 1 [0,1) end 2 \"h\"\n"
        "R0 line 2 [3,5) end 2 \"\rx\"\n"
        "R1 line 3 [7,9) end 2 \"a\r\"\n"
        "R2 line 4 [11,12) end 3 \"\r\"\n");
  for (std::string input :
       {"h\r\n\rx\r\na\r\r\n\r", "h\na\r", "h\n\r\r\n", "h\r\r\n\r\n\r\n", "\r", "\r\r", "a,\r\nb,\r"})
    check_split_invariance(FileKind::csv, input);
}

TEST_CASE("record splitter: a byte-order mark is skipped, even cut by chunk edges", "[records]") {
  for (FileKind kind : {FileKind::jsonl, FileKind::csv}) {
    SplitResult r = split(kind, "\xEF\xBB\xBF{\"a\":1}\n{}\n");
    CHECK(r.bom);
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[0].span.begin == 3);
    CHECK(r.records[0].text == "{\"a\":1}");
    for (std::string input : {"\xEF\xBB\xBF{}\n", "\xEF\xBB{}\n", "\xEF{}\n", "\xEF", "\xEF\xBB", "\xEF\xBB\xBF",
                              "\xEF\xBB\xBF\xEF\xBB\xBF\n", "\xBB\xEF\n"})
      check_split_invariance(kind, input);
  }
  // A prefix of the mark that is not the mark is data.
  SplitResult partial = split(FileKind::jsonl, "\xEF\xBBx\n");
  CHECK_FALSE(partial.bom);
  REQUIRE(partial.records.size() == 1);
  CHECK(partial.records[0].text == "\xEF\xBBx");
  CHECK(partial.records[0].span.begin == 0);
}

TEST_CASE("record splitter: an unterminated quote ends the file, not as a record", "[records]") {
  SplitResult r = split(FileKind::csv, "h\nok\n\"open\nstill open\n");
  CHECK(r.unterminated);
  CHECK(r.quote_line == 3);
  CHECK(r.count == 1);
  REQUIRE(r.records.size() == 3);
  CHECK(r.records[2].span.ending == RecordEnding::unterminated_quote);
  // A lone quote, the hostile minimum.
  SplitResult lone = split(FileKind::csv, "\"");
  CHECK(lone.unterminated);
  CHECK(lone.count == 0);
  check_split_invariance(FileKind::csv, "h\nok\n\"open\nstill open\n");
  check_split_invariance(FileKind::csv, "\"");
  check_split_invariance(FileKind::csv, "a,\"b\n\"\"");
}

TEST_CASE("record splitter: empty inputs and blank-only files hold no records", "[records]") {
  for (FileKind kind : {FileKind::jsonl, FileKind::csv})
    for (std::string input : {"", "\n", "\r\n\r\n", "\n\n\n"}) {
      SplitResult r = split(kind, input);
      CHECK(r.count == 0);
      CHECK(r.records.empty());
    }
  CHECK(split(FileKind::jsonl, " \t\r\n  ").records.empty());
  // In CSV a line of spaces is a row.
  CHECK(split(FileKind::csv, " \n").records.size() == 1);
}

TEST_CASE("record splitter: NUL and other control bytes are ordinary data", "[records]") {
  std::string input("{\"a\":\"\0\"}\n\0\n", 12);
  SplitResult r = split(FileKind::jsonl, input);
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[1].text == std::string(1, '\0'));
  check_split_invariance(FileKind::jsonl, input);
  check_split_invariance(FileKind::csv, std::string("h\0,\"\0\"\n\0", 9));
}

TEST_CASE("record splitter: a huge record is flagged and costs no memory", "[records]") {
  // 8 MiB on one line, fed in 64 KiB chunks, gathered with a 1 MiB limit.
  const std::size_t huge = 8u << 20, chunk = 64u << 10;
  const std::uint64_t limit = 1u << 20;
  std::string line = "{\"prompt\":\"" + std::string(huge, 'x') + "\"}\n{\"prompt\":\"small\"}\n";
  RecordSplitter s(FileKind::jsonl, limit);
  RecordGatherer g(limit);
  std::vector<std::pair<bool, std::size_t>> seen;  // too_long, text size
  auto next = [&](const RecordSpan& span, std::string_view text) { seen.emplace_back(span.too_long, text.size()); };
  auto h = g.to(next);
  std::size_t most = 0;
  for (std::size_t i = 0; i < line.size(); i += chunk) {
    s.feed(std::string_view(line).substr(i, chunk), h);
    most = std::max(most, g.capacity());
  }
  s.finish(h);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].first);
  CHECK(seen[0].second == 0);
  CHECK_FALSE(seen[1].first);
  CHECK(seen[1].second == 18);
  CHECK(most <= limit);
}

TEST_CASE("record splitter: whole records arrive as views of the chunk when they fit in it", "[records]") {
  const std::string input = "{\"a\":1}\n{\"b\":2}\n";
  RecordSplitter s(FileKind::jsonl);
  RecordGatherer g(RecordSplitter::kNoLimit);
  std::vector<bool> in_chunk;
  auto next = [&](const RecordSpan&, std::string_view text) {
    in_chunk.push_back(text.data() >= input.data() && text.data() < input.data() + input.size());
  };
  auto h = g.to(next);
  s.feed(input, h);
  s.finish(h);
  CHECK(in_chunk == std::vector<bool>{true, true});
}

TEST_CASE("record splitter: the same records as the reference reader, whole and split, on random input", "[records]") {
  std::mt19937_64 rng(20261128);
  for (int round = 0; round < 3000; ++round) {
    const FileKind kind = round % 2 ? FileKind::csv : FileKind::jsonl;
    std::string input = random_text(rng, round % 3 ? "a,\"\n\r \t" : "ab,\"\n\r{}", 40);
    if (round % 7 == 0) input = "\xEF\xBB\xBF" + input;
    INFO("round " << round << ": " << input);
    const SplitResult whole = split(kind, input);
    REQUIRE(whole.protocol_errors == 0);
    const RefResult ref = kind == FileKind::csv ? reference_csv(input) : reference_jsonl(input);
    const RefResult got = model_of(kind, whole);
    REQUIRE(got.unterminated == ref.unterminated);
    REQUIRE(got.rows == ref.rows);
    // Random cuts, and byte by byte.
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < input.size(); ++i)
      if (rng() % 3 == 0) cuts.push_back(i);
    REQUIRE(split(kind, input, cuts) == whole);
    REQUIRE(byte_by_byte(kind, input) == whole);
  }
}

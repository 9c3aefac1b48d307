// upstate 0.1.0 -- single-header batch journal: its format, Sha256, crc32 (needs upstate.hpp)
//
// Copyright (c) 2026 the upstate authors. MIT License: see LICENSE
// (SPDX-License-Identifier: MIT); the licence text is reproduced at the
// end of this file.
//
// GENERATED FILE -- do not edit. Made by tools/amalgamate from include/upstate/journal.hpp
// and the project headers it includes (4 files, each once, in the order
// the preprocessor reaches them). Edit include/upstate/ and rerun
// tools/amalgamate; `tools/amalgamate --check` (CTest amalgamation.fresh)
// fails when this file is stale.
//
// Header-only by default. Separate compilation (README, "Compile time"):
// -DUPSTATE_SEPARATE_COMPILATION everywhere, and in one .cpp
// `#define UPSTATE_IMPLEMENTATION` before `#include "upstate.hpp"`.
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_JOURNAL_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_JOURNAL_HPP

// What this file builds on, from the files next to it.
#include "upstate.hpp"

// ---- begin include/upstate/journal.hpp ----
// The batch journal, apart from the core (<upstate/upstate.hpp>) because
// only a driver that keeps a journal needs it: the record format
// (journal/format.hpp), Sha256 that names a file's content in it, and the
// crc32 that checks each record. Pure code like the core: the driver does
// the file I/O. The single header single_include/upstate_journal.hpp is this
// file, made by tools/amalgamate.

// ---- begin include/upstate/journal/crc32.hpp ----
// upstate::crc32 — CRC-32 (IEEE 802.3, the zlib/PNG one), pure. The batch
// journal checks each record with it: enough to tell a torn or garbled line
// from a good one, cheap enough for every record.

namespace upstate {

namespace detail {
inline const std::array<std::uint32_t, 256>& crc32_table() noexcept {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}
}  // namespace detail

inline std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0) noexcept {
  const auto& table = detail::crc32_table();
  crc = ~crc;
  for (char ch : bytes) crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

}  // namespace upstate
// ---- end include/upstate/journal/crc32.hpp ----

// ---- begin include/upstate/journal/format.hpp ----
// The batch journal's format, as pure code: records in, bytes out, and back.
// A driver appends one record whenever a file of a batch moves on (its I/O
// is the driver's: the core never touches a file descriptor); decoding the
// whole log and keeping the latest record per file gives where every file
// got to. docs/journal.md describes the format for other readers.
//
// One record per line, each checked by CRC-32:
//
//   <crc32 of the payload, 8 lower-case hex digits> SP <payload> LF
//
// The first record is the header  "upstate-journal 1"  (format and version).
// Every other record is a file record: "F" and 11 fields, one space apart:
//
//   F <dataset_id> <path> <size> <mtime_ns> <sha256> <phase> <import_id>
//     <outcome> <legacy> <last_status> <abandoned_import_ids>
//
// A field is percent-encoded: '%', '-', ',' and every byte outside 0x21-0x7e
// become %XX, so no field holds a space or a line break; an empty field is
// "-". `abandoned_import_ids` is a comma-separated list. Never written: the
// API token, a presigned URL, a clock reading of this process.
//
// Decoding: a last record without its LF, or a bad last record, is a write
// the crash cut short: it is ignored and `valid_bytes` says where the good
// part ends (a writer truncates there before appending). A bad record
// followed by others is corruption: Error{invalid_snapshot, path "journal
// line N"}.
#include <map>

namespace upstate {

// Where a file of a journaled batch got to.
enum class JournalPhase {
  requesting_url,  // started; no import id yet (nothing to resume: step 1 again)
  uploading,       // an import id, the PUT not known to be accepted: a resume probes it
  processing,      // the PUT was accepted: a resume polls
  finished,        // ended; `outcome` says how
};

constexpr std::string_view to_string(JournalPhase p) noexcept {
  switch (p) {
    case JournalPhase::requesting_url: return "requesting_url";
    case JournalPhase::uploading: return "uploading";
    case JournalPhase::processing: return "processing";
    case JournalPhase::finished: return "finished";
  }
  return "?";
}

struct JournalEntry {
  // The file's identity: same dataset, path, size, mtime and content.
  std::string dataset_id;
  std::string path;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string sha256;  // 64 lower-case hex digits, "" when not hashed
  JournalPhase phase = JournalPhase::requesting_url;
  std::string import_id;  // "" when none (V3 datasets have none)
  // Phase finished: the import's terminal status ("complete", "partial",
  // "failed", "pending_schema") or "error:<ErrorCode>".
  std::string outcome;
  bool legacy = false;
  std::string last_status;  // phase processing: the last status polled, "" if none
  std::vector<std::string> abandoned_import_ids;

  // Whether the content is in the dataset (or will be, once a schema is
  // set): uploading it again would ingest its records twice.
  bool imported() const noexcept {
    return phase == JournalPhase::finished &&
           (outcome == "complete" || outcome == "partial" || outcome == "pending_schema");
  }
  // The same file as the one described, unchanged since.
  bool same_file(std::string_view dataset, std::string_view p, std::uint64_t sz, std::int64_t mtime,
                 std::string_view sha) const noexcept {
    return dataset_id == dataset && path == p && size == sz && mtime_ns == mtime && sha256 == sha;
  }
};

struct Journal {
  static constexpr std::string_view kFormat = "upstate-journal";
  static constexpr int kVersion = 1;
  // A record is a few hundred bytes; a longer line is not one we wrote.
  static constexpr std::size_t kMaxRecordBytes = 64 * 1024;
};

namespace detail {

inline bool journal_plain_byte(unsigned char c) noexcept {
  return c >= 0x21 && c <= 0x7e && c != '%' && c != '-' && c != ',';
}

// Appends `field` percent-encoded. Runs of plain bytes go in one append
// (a journal field is almost always all plain: ids, paths, hex digits).
inline void journal_put_field(std::string& out, std::string_view field) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (field.empty()) {
    out += '-';
    return;
  }
  std::size_t run = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const auto c = static_cast<unsigned char>(field[i]);
    if (journal_plain_byte(c)) continue;
    out.append(field.data() + run, i - run);
    const char escaped[3] = {'%', kHex[c >> 4], kHex[c & 0xf]};
    out.append(escaped, 3);
    run = i + 1;
  }
  out.append(field.data() + run, field.size() - run);
}

// Appends a decimal number (no allocation, unlike std::to_string).
inline void journal_put_number(std::string& out, std::uint64_t v) {
  char digits[20];
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out += digits[--n];
}

inline std::optional<std::string> journal_get_field(std::string_view field) {
  if (field == "-") return std::string();
  std::string out;
  out.reserve(field.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c == '%') {
      if (i + 2 >= field.size()) return std::nullopt;
      int hi = hex(field[i + 1]), lo = hex(field[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (journal_plain_byte(static_cast<unsigned char>(c))) {
      out += c;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// Writes the CRC-32 of out[start + 9, end) as 8 hex digits at out[start]
// and the space after them: a record is laid out in place, its checksum
// filled in once the payload is there.
inline void journal_seal(std::string& out, std::size_t start) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint32_t crc = crc32(std::string_view(out).substr(start + 9));
  for (int i = 7; i >= 0; --i, crc >>= 4) out[start + static_cast<std::size_t>(i)] = kHex[crc & 0xf];
  out[start + 8] = ' ';
  out += '\n';
}

inline std::string journal_line(std::string_view payload) {
  std::string line(9, ' ');
  line.reserve(9 + payload.size() + 1);
  line += payload;
  journal_seal(line, 0);
  return line;
}

inline std::optional<std::uint64_t> journal_number(std::string_view s) noexcept {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

inline std::vector<std::string_view> journal_split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

}  // namespace detail

// The header record, the first line of every journal.
inline std::string encode_journal_header() {
  return detail::journal_line(std::string(Journal::kFormat) + " " + std::to_string(Journal::kVersion));
}

// Appends one file record, a whole line (LF included), to `out`: how a
// writer gathers records without a string per record.
inline void append_journal_record(std::string& out, const JournalEntry& e) {
  const std::size_t start = out.size();
  out.reserve(start + 160 + e.dataset_id.size() + e.path.size() + e.import_id.size());
  out.append(9, ' ');  // the CRC-32 and its space: journal_seal fills them in
  out += "F ";
  detail::journal_put_field(out, e.dataset_id);
  out += ' ';
  detail::journal_put_field(out, e.path);
  out += ' ';
  detail::journal_put_number(out, e.size);
  out += ' ';
  // mtime may be before 1970: a leading '-' is encoded like any other '-'.
  if (e.mtime_ns < 0) out += "%2D";
  detail::journal_put_number(out, e.mtime_ns < 0 ? 0 - static_cast<std::uint64_t>(e.mtime_ns)
                                                 : static_cast<std::uint64_t>(e.mtime_ns));
  out += ' ';
  detail::journal_put_field(out, e.sha256);
  out += ' ';
  out += to_string(e.phase);
  out += ' ';
  detail::journal_put_field(out, e.import_id);
  out += ' ';
  detail::journal_put_field(out, e.outcome);
  out += e.legacy ? " 1 " : " 0 ";
  detail::journal_put_field(out, e.last_status);
  out += ' ';
  if (e.abandoned_import_ids.empty()) out += '-';
  for (std::size_t i = 0; i < e.abandoned_import_ids.size(); ++i) {
    if (i) out += ',';
    detail::journal_put_field(out, e.abandoned_import_ids[i]);
  }
  detail::journal_seal(out, start);
}

// One file record, a whole line (LF included).
inline std::string encode_journal_record(const JournalEntry& e) {
  std::string line;
  append_journal_record(line, e);
  return line;
}

struct DecodedJournal {
  std::vector<JournalEntry> records;  // every file record, in the order written
  std::size_t valid_bytes = 0;        // the good prefix: append after it
  bool torn_tail = false;             // the last record was cut short and ignored
};

namespace detail {

inline Error journal_error(std::size_t line, std::string message) {
  return Error::of(ErrorCode::invalid_snapshot, std::move(message)).at("journal line " + std::to_string(line));
}

// One file record's payload (after "F "), or what is wrong with it.
inline Result<JournalEntry> decode_journal_payload(std::string_view payload, std::size_t line) {
  std::vector<std::string_view> f = journal_split(payload, ' ');
  if (f.size() != 12 || f[0] != "F") return journal_error(line, "not a file record of 11 fields");
  JournalEntry e;
  auto text = [&](std::size_t i, std::string& out) {
    auto v = journal_get_field(f[i]);
    if (!v) return false;
    out = std::move(*v);
    return true;
  };
  std::string mtime;
  if (!text(1, e.dataset_id) || !text(2, e.path) || !text(4, mtime) || !text(5, e.sha256) ||
      !text(7, e.import_id) || !text(8, e.outcome) || !text(10, e.last_status))
    return journal_error(line, "a field is not percent-encoded as written");
  auto size = journal_number(f[3]);
  if (!size) return journal_error(line, "the size is not a number");
  e.size = *size;
  bool negative = !mtime.empty() && mtime[0] == '-';
  auto m = journal_number(std::string_view(mtime).substr(negative ? 1 : 0));
  if (!m || *m > static_cast<std::uint64_t>(INT64_MAX)) return journal_error(line, "the mtime is not a number");
  e.mtime_ns = negative ? -static_cast<std::int64_t>(*m) : static_cast<std::int64_t>(*m);
  if (!e.sha256.empty() && e.sha256.size() != 64) return journal_error(line, "the SHA-256 is not 64 hex digits");
  bool known = false;
  for (JournalPhase p : {JournalPhase::requesting_url, JournalPhase::uploading, JournalPhase::processing,
                         JournalPhase::finished})
    if (f[6] == to_string(p)) e.phase = p, known = true;
  if (!known) return journal_error(line, "unknown phase");
  if (f[9] != "0" && f[9] != "1") return journal_error(line, "legacy is neither 0 nor 1");
  e.legacy = f[9] == "1";
  if (f[11] != "-")
    for (std::string_view id : journal_split(f[11], ',')) {
      auto v = journal_get_field(id);
      if (!v || v->empty()) return journal_error(line, "an abandoned import id is not percent-encoded as written");
      e.abandoned_import_ids.push_back(std::move(*v));
    }
  return e;
}

}  // namespace detail

// The whole journal: the header, then file records. An empty text is an
// empty journal (a file just created). See the top of this file for what
// counts as torn and what as corrupt.
inline Result<DecodedJournal> decode_journal(std::string_view text) {
  DecodedJournal out;
  std::size_t pos = 0, line = 0;
  while (pos < text.size()) {
    ++line;
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {  // no LF: the write was cut short
      out.torn_tail = true;
      break;
    }
    const bool last = end + 1 == text.size();
    std::string_view whole = text.substr(pos, end - pos);
    std::optional<Error> problem;
    std::string_view payload;
    if (whole.size() > Journal::kMaxRecordBytes || whole.size() < 10 || whole[8] != ' ') {
      problem = detail::journal_error(line, "not a journal record");
    } else {
      payload = whole.substr(9);
      std::uint32_t crc = 0;
      bool hex_ok = true;
      for (char c : whole.substr(0, 8)) {
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (d < 0) hex_ok = false;
        crc = crc << 4 | static_cast<std::uint32_t>(d < 0 ? 0 : d);
      }
      if (!hex_ok || crc != crc32(payload)) problem = detail::journal_error(line, "the record's CRC-32 does not match");
    }
    if (problem) {
      if (last) {  // a garbled final write: ignored, as a torn one
        out.torn_tail = true;
        break;
      }
      return *problem;
    }
    if (line == 1) {
      std::vector<std::string_view> h = detail::journal_split(payload, ' ');
      if (h.size() != 2 || h[0] != Journal::kFormat)
        return detail::journal_error(line, "not an upstate journal (the header is missing)");
      if (h[1] != std::to_string(Journal::kVersion))
        return detail::journal_error(line, "journal version " + printable_excerpt(h[1], 16) +
                                               " is not one this build reads (" +
                                               std::to_string(Journal::kVersion) + ")");
    } else {
      auto e = detail::decode_journal_payload(payload, line);
      if (!e) return std::move(e).error();
      out.records.push_back(std::move(e).value());
    }
    pos = end + 1;
    out.valid_bytes = pos;
  }
  return out;
}

// Compaction: the latest record of each file (dataset, path), in the order
// the files first appeared. What a rewritten journal holds.
inline std::vector<JournalEntry> compact_journal(std::vector<JournalEntry> records) {
  std::map<std::pair<std::string, std::string>, std::size_t> slot;
  std::vector<JournalEntry> out;
  for (JournalEntry& e : records) {
    auto key = std::make_pair(e.dataset_id, e.path);
    auto it = slot.find(key);
    if (it == slot.end()) {
      slot.emplace(std::move(key), out.size());
      out.push_back(std::move(e));
    } else {
      out[it->second] = std::move(e);
    }
  }
  return out;
}

// A whole journal text (header and records): what compaction writes.
inline std::string encode_journal(const std::vector<JournalEntry>& records) {
  std::string text = encode_journal_header();
  for (const JournalEntry& e : records) append_journal_record(text, e);
  return text;
}

}  // namespace upstate
// ---- end include/upstate/journal/format.hpp ----

// ---- begin include/upstate/journal/sha256.hpp ----
// upstate::Sha256 — streaming SHA-256 (FIPS 180-4), pure: feed bytes in any
// slicing with update(), read the digest with finish(). The batch journal
// names a file's content by it, so a driver hashes the bytes it already
// reads (pre-flight pass or PUT) and the file is never read just to hash it.

namespace upstate {

class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256() noexcept { reset(); }

  void reset() noexcept {
    h_ = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    length_ = 0;
    used_ = 0;
  }

  void update(const void* data, std::size_t size) noexcept {
    const auto* p = static_cast<const std::uint8_t*>(data);
    length_ += size;
    if (used_ != 0) {
      while (size != 0 && used_ < 64) {
        block_[used_++] = *p++;
        --size;
      }
      if (used_ < 64) return;
      compress(block_.data());
      used_ = 0;
    }
    for (; size >= 64; size -= 64, p += 64) compress(p);
    for (; size != 0; --size) block_[used_++] = *p++;
  }
  void update(std::string_view bytes) noexcept { update(bytes.data(), bytes.size()); }

  // The digest of everything fed since the last reset; the object is reset
  // afterwards, ready for the next input.
  Digest finish() noexcept {
    const std::uint64_t bits = length_ * 8;
    block_[used_++] = 0x80;
    if (used_ > 56) {
      while (used_ < 64) block_[used_++] = 0;
      compress(block_.data());
      used_ = 0;
    }
    while (used_ < 56) block_[used_++] = 0;
    for (int i = 7; i >= 0; --i) block_[used_++] = static_cast<std::uint8_t>(bits >> (8 * i));
    compress(block_.data());
    Digest d{};
    for (std::size_t i = 0; i < 8; ++i)
      for (std::size_t b = 0; b < 4; ++b) d[4 * i + b] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * b));
    reset();
    return d;
  }

  // Lower-case hexadecimal, 64 characters.
  static std::string hex(const Digest& d) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(64, '0');
    for (std::size_t i = 0; i < d.size(); ++i) {
      out[2 * i] = kDigits[d[i] >> 4];
      out[2 * i + 1] = kDigits[d[i] & 0xf];
    }
    return out;
  }

  static std::string hex_of(std::string_view bytes) {
    Sha256 s;
    s.update(bytes);
    return hex(s.finish());
  }

 private:
  static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept { return (x >> n) | (x << (32 - n)); }

  void compress(const std::uint8_t* p) noexcept {
    static constexpr std::uint32_t k[64] = {
        0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
        0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
        0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
        0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
        0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
        0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
        0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
        0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = (std::uint32_t{p[4 * i]} << 24) | (std::uint32_t{p[4 * i + 1]} << 16) |
             (std::uint32_t{p[4 * i + 2]} << 8) | std::uint32_t{p[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
      std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (int i = 0; i < 64; ++i) {
      std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
  }

  std::array<std::uint32_t, 8> h_{};
  std::array<std::uint8_t, 64> block_{};
  std::uint64_t length_ = 0;
  std::size_t used_ = 0;
};

}  // namespace upstate
// ---- end include/upstate/journal/sha256.hpp ----
// ---- end include/upstate/journal.hpp ----

#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_JOURNAL_HPP

// MIT License
//
// Copyright (c) 2026 the upstate authors
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

#pragma once
// The latest journal record of every file, kept compact (issue 15 item 4:
// a 10,000-file journaled run must stay under 24 MiB). A full JournalEntry
// per file cost about 600 bytes (the dataset and path twice, the SHA-256 as
// 64 hex digits, seven strings inline); here the dataset is a key once per
// dataset, the path once, the SHA-256 32 raw bytes, the outcome and last
// status small numbers into a pool of the few strings they take, and the
// rare parts (abandoned imports, a hash that is not lower-case hex) behind
// one pointer. `entry()` gives back the exact JournalEntry that was put in:
// compaction writes from it, so the journal's bytes do not change.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <upstate/journal/format.hpp>

namespace upstate_upload {

using Sha256Bytes = std::array<unsigned char, 32>;

// 64 lower-case hex digits -> 32 bytes; nullopt for anything else.
inline std::optional<Sha256Bytes> sha256_bytes(const std::string& hex) {
  if (hex.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  Sha256Bytes out{};
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

inline std::string sha256_hex(const Sha256Bytes& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < 32; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  return out;
}

class JournalIndex {
 public:
  struct Record {
    Sha256Bytes sha{};
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::string import_id;
    std::uint32_t outcome = 0;      // into strings_ (0: "")
    std::uint32_t last_status = 0;  // into strings_
    upstate::JournalPhase phase = upstate::JournalPhase::requesting_url;
    bool legacy = false;
    bool hashed = false;  // `sha` holds the hash (else "" or rare->sha256)
    bool imported = false;
    struct Rare {
      std::string sha256;  // not lower-case hex: kept as written
      std::vector<std::string> abandoned_import_ids;
    };
    std::unique_ptr<Rare> rare;
  };

  JournalIndex() : strings_{std::string()} {}

  // Copies only what it keeps (the writer keeps its entry: the record of a
  // running file), and looks the dataset up before it copies its name.
  void put(const upstate::JournalEntry& e) {
    auto d = datasets_.find(e.dataset_id);
    if (d == datasets_.end()) d = datasets_.emplace(e.dataset_id, std::map<std::string, Record>()).first;
    auto [it, fresh] = d->second.try_emplace(e.path);
    count_ += fresh;
    Record& r = it->second;
    r.size = e.size;
    r.mtime_ns = e.mtime_ns;
    if (r.import_id != e.import_id) {
      r.import_id = e.import_id;
      r.import_id.shrink_to_fit();
    }
    r.outcome = intern(e.outcome);
    r.last_status = intern(e.last_status);
    r.phase = e.phase;
    r.legacy = e.legacy;
    r.imported = e.imported();
    r.rare.reset();
    auto raw = sha256_bytes(e.sha256);
    r.hashed = raw.has_value();
    r.sha = raw.value_or(Sha256Bytes{});
    if ((!r.hashed && !e.sha256.empty()) || !e.abandoned_import_ids.empty())
      r.rare.reset(new Record::Rare{r.hashed ? std::string() : e.sha256, e.abandoned_import_ids});
  }

  std::size_t size() const noexcept { return count_; }

  const Record* find(const std::string& dataset, const std::string& path) const {
    auto d = datasets_.find(dataset);
    if (d == datasets_.end()) return nullptr;
    auto it = d->second.find(path);
    return it == d->second.end() ? nullptr : &it->second;
  }

  std::optional<upstate::JournalEntry> entry(const std::string& dataset, const std::string& path) const {
    const Record* r = find(dataset, path);
    if (!r) return std::nullopt;
    return entry_of(dataset, path, *r);
  }

  upstate::JournalEntry entry_of(const std::string& dataset, const std::string& path, const Record& r) const {
    upstate::JournalEntry e;
    e.dataset_id = dataset;
    e.path = path;
    e.size = r.size;
    e.mtime_ns = r.mtime_ns;
    if (r.hashed) e.sha256 = sha256_hex(r.sha);
    else if (r.rare) e.sha256 = r.rare->sha256;
    e.phase = r.phase;
    e.import_id = r.import_id;
    e.outcome = strings_[r.outcome];
    e.legacy = r.legacy;
    e.last_status = strings_[r.last_status];
    if (r.rare) e.abandoned_import_ids = r.rare->abandoned_import_ids;
    return e;
  }

  // Every file's latest record, by dataset then path (the order a
  // std::map keyed by (dataset, path) has), as a JournalEntry made for the call.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const auto& d : datasets_)
      for (const auto& p : d.second) fn(entry_of(d.first, p.first, p.second));
  }

  // The paths whose content is imported into `dataset`, by hash (the first
  // path in path order for a hash held by several).
  std::map<Sha256Bytes, const std::string*> imported_by_content(const std::string& dataset) const {
    std::map<Sha256Bytes, const std::string*> out;
    auto d = datasets_.find(dataset);
    if (d == datasets_.end()) return out;
    for (const auto& p : d->second)
      if (p.second.imported && p.second.hashed) out.emplace(p.second.sha, &p.first);
    return out;
  }

 private:
  // The outcome and status strings: a handful of distinct values in a
  // journal we wrote (a crafted one may hold more: each is kept once).
  std::uint32_t intern(const std::string& s) {
    if (s.empty()) return 0;
    auto it = string_ids_.find(s);
    if (it != string_ids_.end()) return it->second;
    auto id = static_cast<std::uint32_t>(strings_.size());
    strings_.push_back(s);
    string_ids_.emplace(s, id);
    return id;
  }

  std::map<std::string, std::map<std::string, Record>> datasets_;
  std::size_t count_ = 0;
  std::vector<std::string> strings_;
  std::map<std::string, std::uint32_t> string_ids_;
};

}  // namespace upstate_upload

// The batch journal's format (journal/format.hpp): records round-trip whatever
// bytes a path holds, a torn or garbled last record is ignored (a crash
// mid-write), a bad record before others is an error naming its line, the
// header carries the version, and compaction keeps the latest record per file.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <upstate/journal/format.hpp>

using namespace upstate;

namespace {

JournalEntry entry(std::string path, JournalPhase phase, std::string outcome = "") {
  JournalEntry e;
  e.dataset_id = "ds1";
  e.path = std::move(path);
  e.size = 1024;
  e.mtime_ns = 1764000000123456789;
  e.sha256 = std::string(64, 'a');
  e.phase = phase;
  e.import_id = phase == JournalPhase::requesting_url ? "" : "imp-1";
  e.outcome = std::move(outcome);
  return e;
}

bool same(const JournalEntry& a, const JournalEntry& b) {
  return a.dataset_id == b.dataset_id && a.path == b.path && a.size == b.size && a.mtime_ns == b.mtime_ns &&
         a.sha256 == b.sha256 && a.phase == b.phase && a.import_id == b.import_id && a.outcome == b.outcome &&
         a.legacy == b.legacy && a.last_status == b.last_status && a.abandoned_import_ids == b.abandoned_import_ids;
}

}  // namespace

TEST_CASE("journal: records round-trip, whatever bytes the path and ids hold", "[journal]") {
  JournalEntry odd = entry(std::string("dir with space/-weird,%name\n\t\x01\xff\xc3\xa9.jsonl", 37),
                           JournalPhase::processing);
  odd.mtime_ns = -5;  // before 1970
  odd.legacy = true;
  odd.last_status = "processing";
  odd.abandoned_import_ids = {"imp-0", "a,b", "-"};
  odd.sha256.clear();
  std::vector<JournalEntry> in{entry("a.jsonl", JournalPhase::requesting_url), odd,
                               entry("b.csv", JournalPhase::finished, "error:cancelled")};
  const std::string text = encode_journal(in);
  // One line per record: no field ever holds a line break.
  CHECK(std::count(text.begin(), text.end(), '\n') == 4);
  auto out = decode_journal(text);
  REQUIRE(out);
  CHECK_FALSE(out->torn_tail);
  CHECK(out->valid_bytes == text.size());
  REQUIRE(out->records.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(same(out->records[i], in[i]));
}

namespace {

// The format as docs/journal.md states it, written the plain way (a byte at
// a time, std::to_string): the reference append_journal_record's in-place
// layout must produce byte for byte.
std::string reference_field(const std::string& field) {
  if (field.empty()) return "-";
  std::string out;
  for (unsigned char c : field) {
    if (c >= 0x21 && c <= 0x7e && c != '%' && c != '-' && c != ',') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

std::string reference_record(const JournalEntry& e) {
  std::string ids;
  for (const std::string& id : e.abandoned_import_ids) ids += (ids.empty() ? "" : ",") + reference_field(id);
  const std::string payload = "F " + reference_field(e.dataset_id) + " " + reference_field(e.path) + " " +
                              std::to_string(e.size) + " " + reference_field(std::to_string(e.mtime_ns)) + " " +
                              reference_field(e.sha256) + " " + std::string(to_string(e.phase)) + " " +
                              reference_field(e.import_id) + " " + reference_field(e.outcome) + " " +
                              (e.legacy ? "1" : "0") + " " + reference_field(e.last_status) + " " +
                              (ids.empty() ? "-" : ids);
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", static_cast<unsigned>(crc32(payload)));
  return std::string(crc) + " " + payload + "\n";
}

}  // namespace

TEST_CASE("journal: records are laid out byte for byte as the format states, appended after any text",
          "[journal]") {
  std::mt19937_64 random(20261206);
  auto text = [&](std::size_t max) {
    std::string s(random() % (max + 1), '\0');
    for (char& c : s) c = static_cast<char>(random() % 3 == 0 ? random() % 256 : 'a' + random() % 26);
    return s;
  };
  std::string gathered = "anything before";
  std::string expected = gathered;
  for (int round = 0; round < 500; ++round) {
    JournalEntry e;
    e.dataset_id = text(30);
    e.path = text(200);
    e.size = round % 3 == 0 ? random() : random() % 100000;
    const std::int64_t extremes[] = {0, -1, INT64_MIN, INT64_MAX, 1764000000123456789};
    e.mtime_ns = round % 4 == 0 ? extremes[random() % 5] : static_cast<std::int64_t>(random());
    e.sha256 = round % 5 == 0 ? "" : std::string(64, 'f');
    e.phase = static_cast<JournalPhase>(random() % 4);
    e.import_id = text(40);
    e.outcome = text(20);
    e.legacy = random() % 2 == 0;
    e.last_status = text(12);
    for (std::size_t k = random() % 4; k > 0; --k) e.abandoned_import_ids.push_back(text(20));
    const std::string want = reference_record(e);
    INFO("round " << round);
    REQUIRE(encode_journal_record(e) == want);
    append_journal_record(gathered, e);
    expected += want;
  }
  CHECK(gathered == expected);
}

TEST_CASE("journal: a record stays small (well under 256 bytes for a usual file)", "[journal]") {
  JournalEntry e = entry("data/reviews-2026-12-06-part-0001.jsonl", JournalPhase::finished, "complete");
  e.dataset_id = "6790f7b1c2a3d4e5f6a7b8c9";
  e.import_id = "0b8e3c1a-4d2f-4e6a-9b7c-1d2e3f4a5b6c";
  CHECK(encode_journal_record(e).size() < 256);
}

TEST_CASE("journal: an empty text is an empty journal", "[journal]") {
  auto out = decode_journal("");
  REQUIRE(out);
  CHECK(out->records.empty());
  CHECK(out->valid_bytes == 0);
}

TEST_CASE("journal: a torn last record is ignored and valid_bytes says where to append", "[journal]") {
  const std::string good = encode_journal({entry("a", JournalPhase::uploading), entry("b", JournalPhase::uploading)});
  const std::string next = encode_journal_record(entry("c", JournalPhase::processing));
  // Every cut of the last record, from one byte to all but its LF.
  for (std::size_t cut = 1; cut < next.size(); ++cut) {
    CAPTURE(cut);
    auto out = decode_journal(good + next.substr(0, cut));
    REQUIRE(out);
    CHECK(out->torn_tail);
    CHECK(out->valid_bytes == good.size());
    CHECK(out->records.size() == 2);
  }
  SECTION("a last line with its LF but garbled bytes is a torn write too") {
    std::string garbled = next;
    garbled[20] ^= 0x20;
    auto out = decode_journal(good + garbled);
    REQUIRE(out);
    CHECK(out->torn_tail);
    CHECK(out->records.size() == 2);
  }
  SECTION("appending after valid_bytes gives a journal that decodes whole") {
    auto out = decode_journal(good + next.substr(0, 30));
    REQUIRE(out);
    auto again = decode_journal(good.substr(0, out->valid_bytes) + next);
    REQUIRE(again);
    CHECK_FALSE(again->torn_tail);
    CHECK(again->records.size() == 3);
  }
}

TEST_CASE("journal: a bad record followed by others is an error naming its line", "[journal]") {
  std::string text = encode_journal(
      {entry("a", JournalPhase::uploading), entry("b", JournalPhase::uploading), entry("c", JournalPhase::uploading)});
  const std::size_t third_line = text.find('\n', text.find('\n') + 1) + 1;
  SECTION("a flipped bit") { text[third_line + 15] ^= 0x01; }
  SECTION("a missing byte") { text.erase(third_line + 15, 1); }
  auto out = decode_journal(text);
  REQUIRE_FALSE(out);
  CHECK(out.error().code == ErrorCode::invalid_snapshot);
  CHECK(out.error().path == "journal line 3");
}

TEST_CASE("journal: the header names the format and version", "[journal]") {
  CHECK(encode_journal_header().substr(9) == "upstate-journal 1\n");
  SECTION("another version is refused by name") {
    std::string v2 = detail::journal_line("upstate-journal 2") + encode_journal_record(entry("a", JournalPhase::uploading));
    auto out = decode_journal(v2);
    REQUIRE_FALSE(out);
    CHECK(out.error().path == "journal line 1");
    CHECK(out.error().message.find("version 2") != std::string::npos);
  }
  SECTION("a file that is no journal is refused") {
    auto out = decode_journal(detail::journal_line("hello") + detail::journal_line("world"));
    REQUIRE_FALSE(out);
    CHECK(out.error().message.find("not an upstate journal") != std::string::npos);
  }
  SECTION("a well-checksummed record with a bad field is refused") {
    auto out = decode_journal(encode_journal_header() + detail::journal_line("F ds1 a 12 0 - exploded - - 0 - -") +
                              encode_journal_record(entry("b", JournalPhase::uploading)));
    REQUIRE_FALSE(out);
    CHECK(out.error().path == "journal line 2");
    CHECK(out.error().message == "unknown phase");
  }
}

TEST_CASE("journal: compaction keeps the latest record of each file, in first-seen order", "[journal]") {
  std::vector<JournalEntry> log{entry("a", JournalPhase::requesting_url), entry("b", JournalPhase::requesting_url),
                                entry("a", JournalPhase::uploading),     entry("a", JournalPhase::processing),
                                entry("b", JournalPhase::finished, "failed"), entry("a", JournalPhase::finished, "complete")};
  JournalEntry other_dataset = entry("a", JournalPhase::uploading);
  other_dataset.dataset_id = "ds2";
  log.push_back(other_dataset);
  auto compacted = compact_journal(log);
  REQUIRE(compacted.size() == 3);
  CHECK(compacted[0].path == "a");
  CHECK(compacted[0].outcome == "complete");
  CHECK(compacted[0].imported());
  CHECK(compacted[1].path == "b");
  CHECK_FALSE(compacted[1].imported());  // failed: nothing of it is in the dataset
  CHECK(compacted[2].dataset_id == "ds2");
  auto decoded = decode_journal(encode_journal(compacted));
  REQUIRE(decoded);
  CHECK(decoded->records.size() == 3);
}

// The batch journal's format (journal/format.hpp): records round-trip whatever
// bytes a path holds, a torn or garbled last record is ignored (a crash
// mid-write), a bad record before others is an error naming its line, the
// header carries the version, and compaction keeps the latest record per file.
#include <catch2/catch.hpp>

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

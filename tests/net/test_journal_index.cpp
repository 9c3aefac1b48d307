// The journal keeps the latest record of every file in a compact index
// (tools/upstate_upload/journal_index.hpp) and compacts the log from it: every
// field a record holds must come back exactly as it went in, or compaction
// would change the journal. Pure index checks, then one compaction of a real
// file in a temporary folder; no sockets.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <upstate/journal/format.hpp>

#include "upstate_upload/journal_file.hpp"
#include "upstate_upload/journal_index.hpp"

using namespace upstate_upload;

namespace {

std::vector<upstate::JournalEntry> odd_records() {
  std::vector<upstate::JournalEntry> out;
  upstate::JournalEntry a;
  a.dataset_id = "ds";
  a.path = "/data/a b%,-.jsonl";
  a.size = 1024;
  a.mtime_ns = 1700000000123456789;
  a.sha256 = std::string(32, '0') + "0123456789abcdef0123456789abcdef";
  a.phase = upstate::JournalPhase::finished;
  a.import_id = "imp-0123456789-0123456789-0123456789";
  a.outcome = "complete";
  a.abandoned_import_ids = {"old-1", "old,2"};
  out.push_back(a);
  upstate::JournalEntry b;  // no hash, legacy, mid-poll
  b.dataset_id = "ds2";
  b.path = "b";
  b.phase = upstate::JournalPhase::processing;
  b.legacy = true;
  b.last_status = "PROCESSING";
  out.push_back(b);
  upstate::JournalEntry c = a;  // a hash not in our spelling: kept as written
  c.path = "c";
  c.sha256 = std::string(64, 'F');
  c.outcome = "error:network";
  c.abandoned_import_ids.clear();
  out.push_back(c);
  upstate::JournalEntry d;  // the bare minimum
  d.dataset_id = "ds";
  d.path = "d";
  out.push_back(d);
  return out;
}

}  // namespace

TEST_CASE("journal index: entry() gives back every field put() took") {
  JournalIndex index;
  for (const upstate::JournalEntry& e : odd_records()) index.put(e);
  CHECK(index.size() == 4);
  for (const upstate::JournalEntry& e : odd_records()) {
    auto back = index.entry(e.dataset_id, e.path);
    REQUIRE(back);
    CHECK(upstate::encode_journal_record(*back) == upstate::encode_journal_record(e));
  }
  CHECK_FALSE(index.entry("ds", "nope"));
  // A later record of the same file replaces it (the rare part too).
  upstate::JournalEntry later = odd_records()[0];
  later.abandoned_import_ids.clear();
  later.outcome = "partial";
  index.put(later);
  CHECK(index.size() == 4);
  CHECK(upstate::encode_journal_record(*index.entry("ds", later.path)) == upstate::encode_journal_record(later));
  // Imported content, by hash: only lower-case hex hashes of imported files.
  auto by_content = index.imported_by_content("ds");
  REQUIRE(by_content.size() == 1);
  CHECK(*by_content.begin()->second == later.path);
  CHECK(sha256_hex(by_content.begin()->first) == later.sha256);
}

TEST_CASE("journal index: compaction writes each file's latest record, in (dataset, path) order") {
  char name[] = "/tmp/upstate-journal-index.XXXXXX";
  REQUIRE(::mkdtemp(name));
  const std::string dir = name, path = dir + "/journal";
  std::vector<upstate::JournalEntry> records = odd_records();
  {
    JournalFile journal;
    REQUIRE(journal.open(path).empty());
    for (const upstate::JournalEntry& e : records) REQUIRE(journal.append(e).empty());
    upstate::JournalEntry superseded = records[1];
    superseded.last_status = "";
    superseded.phase = upstate::JournalPhase::uploading;
    REQUIRE(journal.append(superseded).empty());
    REQUIRE(journal.append(records[1]).empty());
    REQUIRE(journal.compact().empty());
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  // Expected: what encode_journal lays out for the latest records, sorted.
  std::string expected = upstate::encode_journal_header();
  for (int i : {0, 2, 3, 1}) expected += upstate::encode_journal_record(records[static_cast<std::size_t>(i)]);
  CHECK(text.str() == expected);
  CHECK(std::system(("rm -rf '" + dir + "'").c_str()) == 0);
}

// A PUT waits for its import's record to be on disk (journal_batch.hpp):
// one sync covers every record appended before it, so later PUTs whose
// records it covered need no fdatasync of their own.
TEST_CASE("journal file: one sync makes every earlier record durable") {
  char name[] = "/tmp/upstate-journal-sync.XXXXXX";
  REQUIRE(::mkdtemp(name));
  const std::string dir = name, path = dir + "/journal";
  std::vector<upstate::JournalEntry> records = odd_records();
  {
    JournalFile journal;
    REQUIRE(journal.open(path).empty());
    CHECK(journal.appended() == 0);
    REQUIRE(journal.append(records[0]).empty());
    const std::uint64_t first = journal.appended();
    REQUIRE(journal.append(records[1]).empty());
    const std::uint64_t second = journal.appended();
    CHECK(second == first + 1);
    CHECK_FALSE(journal.durable(first));
    REQUIRE(journal.sync_through(first).empty());
    CHECK(journal.durable(first));
    CHECK(journal.durable(second));  // the same fdatasync covered it
    REQUIRE(journal.append(records[2]).empty());
    const std::uint64_t third = journal.appended();
    CHECK(journal.durable(second));
    CHECK_FALSE(journal.durable(third));
    REQUIRE(journal.compact().empty());  // the compacted file is fsynced whole
    CHECK(journal.durable(third));
    REQUIRE(journal.append(records[3]).empty());
    CHECK(journal.appended() == third + 1);  // numbers go on across compaction
    CHECK_FALSE(journal.durable(journal.appended()));
    REQUIRE(journal.sync().empty());
    CHECK(journal.durable(journal.appended()));
  }
  CHECK(std::system(("rm -rf '" + dir + "'").c_str()) == 0);
}

// The journal's SHA-256 costs no read of its own (issue 15): one pass over
// a file's bytes gives its hash and the pre-flight report (content_pass.hpp),
// and planning a --journal run reads a file only when the journal has no
// hash for it at its size and mtime (journal_plan.hpp). Real files in a
// temporary folder; no sockets.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <upstate/journal/sha256.hpp>

#include "upstate_upload/content_pass.hpp"
#include "upstate_upload/journal_plan.hpp"

using namespace upstate_upload;

namespace {

std::string sha_of(const std::string& bytes) {
  upstate::Sha256 h;
  h.update(bytes);
  return upstate::Sha256::hex(h.finish());
}

struct TempDir {
  std::string path;
  TempDir() {
    char name[] = "/tmp/upstate-content-pass.XXXXXX";
    REQUIRE(::mkdtemp(name));
    path = name;
  }
  ~TempDir() {
    if (std::system(("rm -rf '" + path + "'").c_str()) != 0) {
    }
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string p = path + "/" + name;
    std::FILE* f = std::fopen(p.c_str(), "wb");
    REQUIRE(f);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return p;
  }
};

const std::string kRecords = R"({"prompt":"a","response":"b"})" "\n" R"({"prompt":"c"})" "\n" R"(not json)" "\n";

}  // namespace

TEST_CASE("content pass: one read gives the file's SHA-256 and its pre-flight report") {
  std::size_t passes = 0, bytes = 0;
  auto reader = [&](auto&& each) {
    ++passes;
    for (std::size_t at = 0; at < kRecords.size(); at += 7) {  // small chunks: records split across them
      const std::string chunk = kRecords.substr(at, 7);
      bytes += chunk.size();
      each(std::string_view(chunk));
    }
    return std::string();
  };
  upstate::PreflightConfig pc;
  pc.kind = upstate::FileKind::jsonl;
  ContentPass pass = content_pass(reader, pc);
  CHECK(passes == 1);
  CHECK(bytes == kRecords.size());
  CHECK(pass.read);
  CHECK(pass.sha256 == sha_of(kRecords));
  REQUIRE(pass.preflight);
  CHECK(pass.preflight->records == 3);
  CHECK(pass.preflight->rejected_records + (pass.preflight->would_fail ? 1u : 0u) >= 1u);

  ContentPass failed = content_pass([](auto&&) { return std::string("read error"); }, pc);
  CHECK_FALSE(failed.read);
  CHECK(failed.sha256.empty());
}

TEST_CASE("journal plan: a file the journal hashed at this size and mtime is not read again") {
  TempDir dir;
  const std::string a = dir.write("a.jsonl", kRecords);
  const std::string b = dir.write("b.jsonl", kRecords + R"({"prompt":"d"})" "\n");
  JournalFile journal;
  REQUIRE(journal.open(dir.path + "/journal").empty());

  std::map<std::string, int> reads;
  auto counting = [&](const std::string& path) {
    ++reads[path];
    return hash_only(path);
  };
  std::vector<PlannedFile> first = plan_files({a, b}, "ds", journal, counting);
  REQUIRE(first.size() == 2);
  CHECK(reads[a] == 1);
  CHECK(reads[b] == 1);
  CHECK(first[0].sha256 == sha_of(kRecords));
  CHECK(first[0].content_read);
  CHECK(first[0].kind == PlanKind::send_new);

  // a was imported: the journal holds its hash, size and mtime.
  upstate::JournalEntry e;
  e.dataset_id = "ds";
  e.path = a;
  e.size = first[0].size;
  e.mtime_ns = first[0].mtime_ns;
  e.sha256 = first[0].sha256;
  e.phase = upstate::JournalPhase::finished;
  e.outcome = "complete";
  e.import_id = "imp-a";
  REQUIRE(journal.append(e).empty());

  reads.clear();
  std::vector<PlannedFile> second = plan_files({a, b}, "ds", journal, counting);
  CHECK(reads.count(a) == 0);  // its hash came from the journal
  CHECK(reads[b] == 1);        // b has no record: read once
  CHECK(second[0].kind == PlanKind::skip_imported);
  CHECK(second[0].sha256 == sha_of(kRecords));
  CHECK_FALSE(second[0].content_read);

  // A changed a (another size) is read again, and sent again.
  dir.write("a.jsonl", kRecords + kRecords);
  reads.clear();
  std::vector<PlannedFile> third = plan_files({a}, "ds", journal, counting);
  CHECK(reads[a] == 1);
  CHECK(third[0].sha256 == sha_of(kRecords + kRecords));
  CHECK(third[0].kind == PlanKind::send_new);
}

TEST_CASE("journal plan: with hash_when_sent, a file nothing could skip is not read before the batch") {
  TempDir dir;
  const std::string a = dir.write("a.jsonl", kRecords);
  const std::string b = dir.write("b.jsonl", kRecords + R"({"prompt":"e"})" "\n");
  JournalFile journal;
  REQUIRE(journal.open(dir.path + "/journal").empty());
  std::map<std::string, int> reads;
  auto counting = [&](const std::string& path) {
    ++reads[path];
    return hash_only(path);
  };
  // A fresh journal: nothing imported, no records: neither is read now.
  std::vector<PlannedFile> first = plan_files({a, b}, "ds", journal, counting, /*hash_when_sent=*/true);
  CHECK(reads.empty());
  REQUIRE(first.size() == 2);
  CHECK(first[0].readable);
  CHECK(first[0].hash_later);
  CHECK(first[0].sha256.empty());
  CHECK(first[0].kind == PlanKind::send_new);

  // Once something is imported into the dataset, a new file's content may
  // be that one's: it is read (and skipped here, the same bytes as a).
  upstate::JournalEntry e;
  e.dataset_id = "ds";
  e.path = a;
  e.size = first[0].size;
  e.mtime_ns = first[0].mtime_ns;
  e.sha256 = sha_of(kRecords);
  e.phase = upstate::JournalPhase::finished;
  e.outcome = "complete";
  e.import_id = "imp-a";
  REQUIRE(journal.append(e).empty());
  const std::string copy = dir.write("copy-of-a.jsonl", kRecords);
  std::vector<PlannedFile> second = plan_files({copy, b}, "ds", journal, counting, /*hash_when_sent=*/true);
  CHECK(reads[copy] == 1);
  CHECK(reads[b] == 1);
  CHECK_FALSE(second[0].hash_later);
  CHECK(second[0].kind == PlanKind::skip_imported);
  CHECK(second[1].sha256 == sha_of(kRecords + R"({"prompt":"e"})" "\n"));
}

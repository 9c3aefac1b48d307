// RejectedRecords: the records a `partial` import rejected, copied out of
// the original file byte for byte in one streaming pass, with a reasons
// text; and the loop the issue asks for, offline against FakeService:
// partial -> extract -> fix -> upload -> complete, the dataset growing by
// exactly the fixed records.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <upstate/machine/drive.hpp>
#include <upstate/records/csv_cells.hpp>
#include <upstate/records/preflight.hpp>
#include <upstate/records/rejected_records.hpp>
#include <upstate/records/whole_records.hpp>
#include <upstate/testing/fake_service.hpp>
#include <upstate/testing/fake_transport.hpp>
#include <upstate/testing/manual_clock.hpp>
#include <vector>

using namespace upstate;

namespace {

RecordError error_at(std::optional<std::uint64_t> index, std::string field = {}, std::string reason = "bad") {
  RecordError e;
  e.record_index = index;
  e.field = std::move(field);
  e.reason = std::move(reason);
  return e;
}

ImportReport partial(std::vector<RecordError> errors, std::optional<std::uint64_t> rejected = std::nullopt) {
  ImportReport r;
  r.import_id = "imp-1";
  r.status = ImportStatus::partial;
  r.rejected_count = rejected;
  r.errors = std::move(errors);
  return r;
}

struct Extracted {
  std::string out, reasons;
  std::uint64_t written = 0;
  std::vector<std::uint64_t> missing;
  std::size_t largest_piece = 0;
  bool operator==(const Extracted& o) const {
    return out == o.out && reasons == o.reasons && written == o.written && missing == o.missing;
  }
};

Extracted extract(const ImportReport& report, FileKind kind, std::string_view input,
                  const std::vector<std::size_t>& cuts = {}) {
  RejectedRecords rejected(report, kind);
  Extracted e;
  auto sink = [&](std::string_view piece) {
    e.out += piece;
    e.largest_piece = std::max(e.largest_piece, piece.size());
  };
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    rejected.feed(input.substr(from, cut - from), sink);
    from = cut;
  }
  rejected.feed(input.substr(from), sink);
  rejected.finish(sink);
  e.reasons = rejected.reasons();
  e.written = rejected.written();
  e.missing = rejected.missing();
  return e;
}

// The records of a file as the splitter reads them (CSV: header first).
std::vector<std::string> records_of(FileKind kind, std::string_view input) {
  std::vector<std::string> out;
  RecordSplitter s(kind);
  RecordGatherer g(RecordSplitter::kNoLimit);
  auto next = [&](const RecordSpan&, std::string_view text) { out.emplace_back(text); };
  auto h = g.to(next);
  s.feed(input, h);
  s.finish(h);
  return out;
}

std::string read_sample(const std::string& name) {
  std::ifstream in(std::string(UPSTATE_SOURCE_DIR) + "/data/sample/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One upload through the whole flow, offline (the machine, the fake, a
// simulated clock).
Outcome upload(testing::FakeService& fake, testing::ManualClock& clock, const std::string& name,
               const std::string& content) {
  UploadConfig c;
  c.api_base = fake.options().api_base;
  c.token = fake.options().token;
  c.dataset_id = "ds1";
  testing::FakeTransport transport(fake, clock, content);
  Upload up{c, FileInfo{name, content.size()}};
  return drive(up, transport, clock);
}

Schema prompt_schema() {
  Schema s;
  s.strict = true;
  s.fields = {{"prompt", "text", "Prompt"}, {"response", "text", ""}, {"category", "metadata", ""}};
  return s;
}

}  // namespace

TEST_CASE("rejected records: the selection is the indices errors[] names, sorted, once each", "[records]") {
  RejectedRecords r(partial({error_at(9), error_at(4, "a"), error_at(9, "b"), error_at(std::nullopt), error_at(13)}, 6),
                    FileKind::jsonl);
  CHECK(r.selected() == std::vector<std::uint64_t>{4, 9, 13});
  CHECK(r.unidentified() == 3);
  // rejected_count absent or not above what is named: nothing unidentified.
  CHECK(RejectedRecords(partial({error_at(1)}), FileKind::jsonl).unidentified() == 0);
  CHECK(RejectedRecords(partial({error_at(1), error_at(2)}, 1), FileKind::jsonl).unidentified() == 0);
}

TEST_CASE("rejected records: JSONL records are copied byte for byte, in file order", "[records]") {
  const std::string input =
      "{\"n\":0}\n"
      "{\"n\":1}\r\n"
      "\n"
      "   {\"n\":2}\n"
      "{\"n\":3}\n"
      "\t\r\n"
      "{\"n\":4}";
  Extracted e = extract(partial({error_at(4), error_at(1), error_at(2)}), FileKind::jsonl, input);
  // CRLF kept; the indentation (JSON whitespace) left out; a line break added at the end.
  CHECK(e.out == "{\"n\":1}\r\n{\"n\":2}\n{\"n\":4}\n");
  CHECK(e.written == 3);
  CHECK(e.missing.empty());
  CHECK(records_of(FileKind::jsonl, e.out) == std::vector<std::string>{"{\"n\":1}\r", "{\"n\":2}", "{\"n\":4}"});
}

TEST_CASE("rejected records: CSV keeps its header and byte-order mark, and multi-line rows move the line numbers",
          "[records]") {
  const std::string input =
      "\xEF\xBB\xBF"
      "prompt,response\r\n"
      "a,1\r\n"
      "\"b\nstill b\",2\r\n"
      "c,3\r\n"
      "\"d\",\"x\r\ny\"\r\n"
      "e,5\r";
  Extracted e = extract(partial({error_at(4, "response"), error_at(1, "prompt"), error_at(3)}), FileKind::csv, input);
  CHECK(e.out ==
        "\xEF\xBB\xBF"
        "prompt,response\r\n"
        "\"b\nstill b\",2\r\n"
        "\"d\",\"x\r\ny\"\r\n"
        "e,5\r\r\n");  // the last row's CR is data: CRLF after it keeps it so
  CHECK(e.reasons ==
        "# 3 rejected records are in the rejected-records file: fix each as its line below says, then upload that file "
        "to the same dataset as a new file (the accepted records are already in).\n"
        "record 4 (line 6), field \"response\": bad\n"
        "record 1 (line 2), field \"prompt\": bad\n"
        "record 3 (line 4): bad\n");
  CHECK(records_of(FileKind::csv, e.out) ==
        std::vector<std::string>{"prompt,response", "\"b\nstill b\",2", "\"d\",\"x\r\ny\"", "e,5\r"});
}

TEST_CASE("rejected records: the reasons say when errors[] names fewer records than were rejected", "[records]") {
  ImportReport report = partial(
      {error_at(1, "prompt", "must be a non-empty string"),
       error_at(std::nullopt, "", "duplicate of an earlier record"), error_at(7, "x\ny", "field not in schema")},
      5);
  report.errors_dropped = 2;
  Extracted e = extract(report, FileKind::jsonl, "{}\n{}\n{}\n");
  CHECK(e.written == 1);
  CHECK(e.missing == std::vector<std::uint64_t>{7});
  CHECK(
      e.reasons ==
      "# The service rejected 5 records, but its errors name only 2 of them: the other 3 cannot be identified from "
      "this report and are not in this file. Find them in the original file with a strict preflight check (it "
      "applies the service's rules), or by comparing the dataset with your source.\n"
      "# 2 more errors were in the service's answer than this client keeps (ParseLimits::max_record_errors); their "
      "records are not in this file.\n"
      "# 1 rejected record is in the rejected-records file: fix each as its line below says, then upload that file to "
      "the same dataset as a new file (the accepted records are already in).\n"
      "# 1 record(s) the errors name are not in the file read (it holds 3 records), starting with record 7: is it the "
      "file that was uploaded?\n"
      "record 1 (line 1), field \"prompt\": must be a non-empty string\n"
      "record not identified: duplicate of an earlier record\n"
      "record 7 (not in the file read), field \"x\\x0ay\": field not in schema\n");  // server text cannot forge a line
}

TEST_CASE("rejected records: nothing named, nothing written (not even a CSV header)", "[records]") {
  Extracted e = extract(partial({error_at(std::nullopt)}, 1), FileKind::csv, "h\na\n");
  CHECK(e.out.empty());
  CHECK(e.written == 0);
  CHECK(e.reasons.find("# The service rejected 1 records, but its errors name only 0 of them") == 0);
}

TEST_CASE("rejected records: whole, split at every position and byte by byte agree", "[records]") {
  const ImportReport report = partial({error_at(0), error_at(2), error_at(3), error_at(5)}, 4);
  for (auto [kind, input] : std::vector<std::pair<FileKind, std::string>>{
           {FileKind::jsonl, "\xEF\xBB\xBF{\"a\":1}\n  {\"b\":2}\r\n\n[3]\n\t{}\n{\"e\":5}"},
           {FileKind::csv, "\xEF\xBB\xBFh,i\r\n0,\"a\nb\"\r\n1,x\n\r\n\"2\"\"\",y\r\n3,\"\"\r\n4,\n5,\r"},
           {FileKind::csv, "h\n0\n\"open\n"}}) {
    INFO(input);
    const Extracted whole = extract(report, kind, input);
    for (std::size_t a = 0; a <= input.size(); ++a)
      for (std::size_t b = a; b <= input.size(); ++b) {
        CAPTURE(a, b);
        REQUIRE(extract(report, kind, input, {a, b}) == whole);
      }
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < input.size(); ++i) every.push_back(i);
    REQUIRE(extract(report, kind, input, every) == whole);
  }
}

TEST_CASE("rejected records: the new file reads back as exactly the selected records, on random files", "[records]") {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 2000; ++round) {
    const FileKind kind = round % 2 ? FileKind::csv : FileKind::jsonl;
    std::string input(rng() % 48, ' ');
    const std::string_view alphabet = kind == FileKind::csv ? "ab,\"\n\r \n" : "ab{}\n\r \t\n";
    for (char& c : input) c = alphabet[rng() % alphabet.size()];
    const std::vector<std::string> all = records_of(kind, input);
    bool unterminated = false;
    {
      RecordSplitter s(kind);
      RecordGatherer g(RecordSplitter::kNoLimit);
      auto next = [](const RecordSpan&, std::string_view) {};
      auto h = g.to(next);
      s.feed(input, h);
      s.finish(h);
      unterminated = s.unterminated_quote();
    }
    if (unterminated) continue;  // the service fails such a file: there is no partial to extract from
    std::vector<RecordError> errors;
    std::vector<std::string> expected;
    const std::size_t header = kind == FileKind::csv && !all.empty() ? 1 : 0;
    for (std::size_t i = header; i < all.size(); ++i)
      if (rng() % 2) {
        errors.push_back(error_at(i - header));
        expected.push_back(all[i]);
      }
    if (errors.empty()) continue;
    if (header) expected.insert(expected.begin(), all[0]);
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < input.size(); ++i)
      if (rng() % 3 == 0) cuts.push_back(i);
    INFO("round " << round << ": " << input);
    Extracted e = extract(partial(errors), kind, input, cuts);
    REQUIRE(records_of(kind, e.out) == expected);
    REQUIRE(e.written == errors.size());
  }
}

TEST_CASE("rejected records: a huge rejected record is streamed through, never held", "[records]") {
  const std::string big = "{\"prompt\":\"" + std::string(4u << 20, 'x') + "\"}";
  const std::string input = "{\"prompt\":\"ok\"}\n" + big + "\n{\"prompt\":\"ok\"}\n";
  std::vector<std::size_t> cuts;
  for (std::size_t i = 65536; i < input.size(); i += 65536) cuts.push_back(i);
  Extracted e = extract(partial({error_at(1)}), FileKind::jsonl, input, cuts);
  CHECK(e.out == big + "\n");
  CHECK(e.largest_piece <= 65536);
}

TEST_CASE("rejected records: partial, extract, fix, upload again: complete, and the dataset grows by the fixed records",
          "[records]") {
  auto schema = parse_schema(read_sample("schema.json"));
  REQUIRE(schema);
  testing::FakeService fake;
  fake.add_dataset({"ds1", "Reviews", schema.value()});
  testing::ManualClock clock;

  // 1. The sample with four bad records: partial.
  const std::string original = read_sample("reviews.jsonl");
  Outcome first = upload(fake, clock, "reviews.jsonl", original);
  REQUIRE(first.report());
  const ImportReport& report = *first.report();
  REQUIRE(report.status == ImportStatus::partial);
  REQUIRE(report.accepted_count == 16u);
  REQUIRE(report.rejected_count == 4u);
  const std::uint64_t before = fake.total_datapoint_count("ds1", clock.now());
  CHECK(before == 16);

  // 2. The rejected records, streamed out of the original in small chunks.
  RejectedRecords rejected(report, FileKind::jsonl);
  std::string extracted;
  auto sink = [&](std::string_view piece) { extracted += piece; };
  for (std::size_t i = 0; i < original.size(); i += 100) rejected.feed(std::string_view(original).substr(i, 100), sink);
  rejected.finish(sink);
  CHECK(rejected.written() == 4);
  CHECK(rejected.reasons() ==
        "# 4 rejected records are in the rejected-records file: fix each as its line below says, then upload that file "
        "to the same dataset as a new file (the accepted records are already in).\n"
        "record 4 (line 1), field \"response\": missing required field\n"
        "record 9 (line 2): not a JSON object\n"
        "record 13 (line 3), field \"prompt\": must be a non-empty string\n"
        "record 17 (line 4), field \"rating\": field not in schema\n");
  // As uploaded, the extracted file fails just as those records did.
  Preflight check(PreflightConfig{FileKind::jsonl, schema.value()});
  check.feed(extracted);
  CHECK(check.finish().rejected_records == 4);

  // 3. "Fix" each record the way a person would: make it an object, fill
  // the required text fields, drop what the strict schema does not name.
  std::string fixed;
  for (const std::string& line : records_of(FileKind::jsonl, extracted)) {
    rapidjson::Document doc;
    doc.Parse(line.data(), line.size());
    if (doc.HasParseError() || !doc.IsObject()) doc.SetObject();
    rapidjson::Document out(rapidjson::kObjectType);
    for (const char* key : {"prompt", "response", "category"}) {
      auto it = doc.FindMember(key);
      bool usable = it != doc.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0;
      if (usable)
        out.AddMember(rapidjson::StringRef(key), rapidjson::Value(it->value, out.GetAllocator()), out.GetAllocator());
      else if (std::string_view(key) != "category")
        out.AddMember(rapidjson::StringRef(key), "fixed", out.GetAllocator());
    }
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    out.Accept(w);
    fixed += std::string(buf.GetString(), buf.GetSize()) + "\n";
  }
  Preflight recheck(PreflightConfig{FileKind::jsonl, schema.value()});
  recheck.feed(fixed);
  CHECK(recheck.finish().clean());

  // 4. The fixed file through the same flow: complete, four more records.
  Outcome second = upload(fake, clock, "reviews.rejected.jsonl", fixed);
  REQUIRE(second.report());
  CHECK(second.report()->status == ImportStatus::complete);
  CHECK(second.report()->accepted_count == 4u);
  CHECK(fake.total_datapoint_count("ds1", clock.now()) == before + 4);
}

TEST_CASE("rejected records: the CSV loop, with quoted line breaks and wrong column counts", "[records]") {
  testing::FakeService fake;
  fake.add_dataset({"ds1", "Answers", prompt_schema()});
  testing::ManualClock clock;
  const std::string original =
      "prompt,response,category\r\n"
      "p0,r0,a\r\n"
      "p1,,b\r\n"                     // empty response
      "\"p2\nspans lines\",r2,c\r\n"  // fine
      "\"p3, with comma\",r3\r\n"     // a column short
      "p4,r4,d\r\n"
      "\"\",\"r5\nalso\",e\r\n"  // empty prompt, multi-line response
      "p6,r6,f,extra\r\n";       // a column too many
  Outcome first = upload(fake, clock, "answers.csv", original);
  REQUIRE(first.report());
  REQUIRE(first.report()->status == ImportStatus::partial);
  REQUIRE(first.report()->rejected_count == 4u);
  const std::uint64_t before = fake.total_datapoint_count("ds1", clock.now());
  CHECK(before == 3);

  Extracted e = extract(*first.report(), FileKind::csv, original, {5, 40, 41, 77});
  CHECK(e.out ==
        "prompt,response,category\r\n"
        "p1,,b\r\n"
        "\"p3, with comma\",r3\r\n"
        "\"\",\"r5\nalso\",e\r\n"
        "p6,r6,f,extra\r\n");
  CHECK(e.reasons.find("record 1 (line 2), field \"response\": must be a non-empty string\n") != std::string::npos);
  CHECK(e.reasons.find("record 6 (line 6): expected 3 columns, found 4\n") != std::string::npos);

  // Fix: three columns per row, empty text fields filled, every value quoted.
  std::vector<std::string> rows = records_of(FileKind::csv, e.out);
  std::string fixed = rows[0] + "\r\n";
  for (std::size_t i = 1; i < rows.size(); ++i) {
    std::vector<std::string> cells;
    for_each_csv_cell(rows[i], [&](std::size_t, const CsvCell& c) { cells.push_back(csv_value(c)); });
    cells.resize(3);
    for (std::size_t k = 0; k < 2; ++k)
      if (cells[k].empty()) cells[k] = "fixed";
    fixed += "\"" + cells[0] + "\",\"" + cells[1] + "\",\"" + cells[2] + "\"\r\n";
  }
  Outcome second = upload(fake, clock, "answers.rejected.csv", fixed);
  REQUIRE(second.report());
  CHECK(second.report()->status == ImportStatus::complete);
  CHECK(second.report()->accepted_count == 4u);
  CHECK(fake.total_datapoint_count("ds1", clock.now()) == before + 4);
}

// The fake's file validation rules (fake_validation.hpp), checked directly.
#include "test_fake_service_util.hpp"

using namespace fake_test;

namespace {

Schema media_schema(bool strict) {
  Schema s;
  s.strict = strict;
  s.fields = {{"prompt", "text", ""},     {"img", "image_url", ""},       {"clip", "audio_url", ""},
              {"video", "video_url", ""}, {"group", "task_group_id", ""}, {"note", "metadata", ""}};
  return s;
}

Validation jsonl(std::string_view body, const Schema& s = prompt_schema(), std::size_t max_errors = 100) {
  return validate_upload(FileKind::jsonl, body, s, max_errors);
}

Validation csv(std::string_view body, const Schema& s = prompt_schema(), std::size_t max_errors = 100) {
  return validate_upload(FileKind::csv, body, s, max_errors);
}

std::vector<std::string> describe(const Validation& v) {
  std::vector<std::string> out;
  for (const auto& e : v.errors) out.push_back(std::to_string(e.record_index) + " " + e.field + ": " + e.reason);
  return out;
}

}  // namespace

TEST_CASE("fake validation: file kinds and content types", "[fake]") {
  CHECK(file_kind_of("a.jsonl") == FileKind::jsonl);
  CHECK(file_kind_of("a.b.csv") == FileKind::csv);
  CHECK_FALSE(file_kind_of("a.json"));
  CHECK_FALSE(file_kind_of("a.zip"));
  // Any case, as the uploader and the official client read it (docs/service.md, Step 1).
  CHECK(file_kind_of("a.CSV") == FileKind::csv);
  CHECK(file_kind_of("DATA.JSONL") == FileKind::jsonl);
  CHECK(content_type_of(FileKind::jsonl) == "application/x-ndjson");
  CHECK(content_type_of(FileKind::csv) == "text/csv");
}

TEST_CASE("fake validation: JSONL records are the non-blank lines", "[fake]") {
  Validation v = jsonl("\n{\"prompt\":\"a\"}\r\n   \n\t\n{\"prompt\":\"b\"}\n[]\n");
  CHECK(v.status == ImportStatus::partial);
  CHECK(v.records == 3);
  CHECK(v.accepted == 2);
  CHECK(v.rejected == 1);
  CHECK(describe(v) == std::vector<std::string>{"2 : not a JSON object"});
  // No final newline needed.
  CHECK(jsonl("{\"prompt\":\"a\"}").status == ImportStatus::complete);
}

TEST_CASE("fake validation: a JSONL record must be one JSON object", "[fake]") {
  for (std::string line : std::vector<std::string>{"1", "\"s\"", "null", "[{\"prompt\":\"a\"}]", "{\"prompt\":\"a\"",
                                                   "{\"prompt\":\"a\"} {}", "{\"prompt\":\"a\",}", "{'prompt':'a'}",
                                                   std::string(100000, '['), "{\"prompt\":\"\\ud800\"}"}) {
    INFO(line.substr(0, 40));
    Validation v = jsonl("{\"prompt\":\"ok\"}\n" + line + "\n");
    CHECK(v.status == ImportStatus::partial);
    CHECK(describe(v) == std::vector<std::string>{"1 : not a JSON object"});
  }
}

TEST_CASE("fake validation: required string fields and URLs", "[fake]") {
  const Schema s = media_schema(false);
  const std::string good =
      R"({"prompt":"p","img":"https://x/i.png","clip":"http://x/a.mp3","video":"HTTPS://x/v","group":"g1"})";
  CHECK(jsonl(good, s).status == ImportStatus::complete);
  Validation v = jsonl(good + "\n" + R"({"prompt":"","img":"ftp://x","clip":3,"video":null,"note":{"any":"thing"}})" +
                           "\n" + R"({"prompt":["p"],"img":"https:/x","clip":"httpx://","video":"http://","group":""})",
                       s);
  CHECK(v.status == ImportStatus::partial);
  CHECK(v.rejected == 2);
  CHECK(describe(v) == std::vector<std::string>{
                           "1 prompt: must be a non-empty string",
                           "1 img: not an http(s) URL",
                           "1 clip: must be a non-empty string",
                           "1 video: must be a non-empty string",
                           "1 group: missing required field",
                           "2 prompt: must be a non-empty string",
                           "2 img: not an http(s) URL",
                           "2 clip: not an http(s) URL",
                           "2 group: must be a non-empty string",
                       });
}

TEST_CASE("fake validation: strict schemas refuse unknown fields, others ignore them", "[fake]") {
  const std::string body = R"({"prompt":"p","zeta":1,"category":"c","alpha":null})";
  CHECK(describe(jsonl(body, prompt_schema(true))) ==
        std::vector<std::string>{"0 zeta: field not in schema", "0 alpha: field not in schema"});
  CHECK(jsonl(body, prompt_schema(false)).status == ImportStatus::complete);
  // Metadata is optional.
  CHECK(jsonl(R"({"prompt":"p"})", prompt_schema(true)).status == ImportStatus::complete);
}

TEST_CASE("fake validation: CSV quoting (RFC 4180)", "[fake]") {
  Schema s;
  s.strict = true;
  s.fields = {{"prompt", "text", ""}, {"category", "metadata", ""}};
  Validation v =
      csv("prompt,category\r\n"
          "\"a, with comma\",x\r\n"
          "\"she said \"\"hi\"\"\",\"\"\r\n"
          "\"two\nlines\",\"and\r\nCRLF\"\n"
          "\n"
          "plain,\n"
          "\"\",y\n",
          s);
  CHECK(v.records == 5);
  CHECK(v.accepted == 4);
  CHECK(describe(v) == std::vector<std::string>{"4 prompt: must be a non-empty string"});

  // Column counts must match the header's; an unterminated quote fails the file.
  Validation counts = csv("prompt,category\na\na,b,c\n\"x,y\"\n", s);
  CHECK(counts.status == ImportStatus::failed);
  CHECK(counts.reason == "all 3 records were rejected");
  CHECK(describe(counts) == std::vector<std::string>{"0 : expected 2 columns, found 1",
                                                     "1 : expected 2 columns, found 3",
                                                     "2 : expected 2 columns, found 1"});
  Validation open = csv("prompt\n\"never closed\nmore\n", s);
  CHECK(open.status == ImportStatus::failed);
  CHECK(open.reason == "malformed CSV: unterminated quoted field");
  // Lenient: stray quotes are text.
  CHECK(csv("prompt\nsay \"x\"\n\"q\"tail\n", s).status == ImportStatus::complete);
}

TEST_CASE("fake validation: CSV columns against the schema", "[fake]") {
  Validation missing = csv("category\nx\ny\n", prompt_schema(false));
  CHECK(missing.status == ImportStatus::failed);
  CHECK(describe(missing) ==
        std::vector<std::string>{"0 prompt: missing required field", "1 prompt: missing required field"});
  Validation extra = csv("prompt,other\np,q\n", prompt_schema(true));
  CHECK(describe(extra) == std::vector<std::string>{"0 other: field not in schema"});
  CHECK(csv("prompt,other\np,q\n", prompt_schema(false)).status == ImportStatus::complete);
  Validation urls = csv("prompt,img,clip,video,group\np,https://i,http://a,s3://v,g\n", media_schema(true));
  CHECK(describe(urls) == std::vector<std::string>{"0 video: not an http(s) URL"});
  // A UTF-8 byte-order mark does not become part of the first column's name.
  CHECK(csv("\xEF\xBB\xBFprompt\np\n").status == ImportStatus::complete);
  CHECK(csv("").reason == "the file holds no records");
  CHECK(csv("\n\r\n").reason == "the file holds no records");
}

TEST_CASE("fake validation: UTF-8 is checked strictly", "[fake]") {
  for (std::string bad :
       {"\xC3\x28", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\xE2\x82"}) {
    Validation v = jsonl("{\"prompt\":\"" + bad + "\"}\n");
    CHECK(v.status == ImportStatus::failed);
    CHECK(v.reason == "file is not valid UTF-8");
  }
  CHECK(jsonl("{\"prompt\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"}\n").status == ImportStatus::complete);
  CHECK(is_valid_utf8(""));
  CHECK(sanitize_utf8("a\xFF"
                      "b") ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(sanitize_utf8("\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9...");
  CHECK(xml_escape("<a&'\">\x01") == "&lt;a&amp;&apos;&quot;&gt;?");
}

TEST_CASE("fake validation: no schema means pending_schema, nothing else checked", "[fake]") {
  Validation v = validate_upload(FileKind::jsonl, "\xFF", std::nullopt, 10);
  CHECK(v.status == ImportStatus::pending_schema);
  CHECK(v.records == 0);
  CHECK(v.reason.empty());
}

TEST_CASE("fake validation: error list is capped, counts are exact", "[fake]") {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "{}\n";
  Validation v = jsonl(body, prompt_schema(), 7);
  CHECK(v.status == ImportStatus::failed);
  CHECK(v.rejected == 1000);
  CHECK(v.accepted == 0);
  CHECK(v.errors.size() == 7);
  CHECK(v.reason == "all 1000 records were rejected");
}

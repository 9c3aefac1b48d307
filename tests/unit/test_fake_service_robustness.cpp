// Hostile input: seeded random requests never crash the fake, and every
// answer stays well-formed (API answers are valid JSON, S3 errors are XML).
#include <upstate/detail/rng.hpp>

#include "test_fake_service_util.hpp"

using namespace fake_test;

namespace {

std::string random_bytes(Rng& rng, std::size_t max_len, std::string_view alphabet = {}) {
  std::string s(static_cast<std::size_t>(rng.uniform(max_len)), '\0');
  for (char& c : s)
    c = alphabet.empty() ? static_cast<char>(rng.uniform(255))
                         : alphabet[static_cast<std::size_t>(rng.uniform(alphabet.size() - 1))];
  return s;
}

std::string pick(Rng& rng, std::initializer_list<std::string_view> options) {
  auto i = static_cast<std::size_t>(rng.uniform(options.size() - 1));
  return std::string(*(options.begin() + i));
}

}  // namespace

TEST_CASE("fake robustness: random requests get well-formed answers", "[fake]") {
  FakeService fake = service_with_dataset();
  fake.add_dataset({"ds2", "No schema", std::nullopt});
  Rng rng(20261118);
  std::vector<Step1> urls{step1(fake, "ds1", "a.jsonl", at(0ms)), step1(fake, "ds1", "b.csv", at(0ms)),
                          step1(fake, "ds2", "c.jsonl", at(0ms))};
  const std::string_view url_chars = "abcdefghij%/.?&=-_~ \x7f\xc3\xa9\"<>#0123456789AF";
  const std::string_view body_chars = "{}[]\",:\n\r\t \\abcprompt01\xc3\xa9\xff";
  for (int i = 0; i < 3000; ++i) {
    Request r;
    r.method = pick(rng, {"GET", "PUT", "PATCH", "POST", "DELETE", "", "G<T"});
    int shape = static_cast<int>(rng.uniform(4));
    if (shape == 0) {
      r.url = fake.options().api_base + "/datasets/" + random_bytes(rng, 12, url_chars) + "/" +
              pick(rng, {"upload-url", "imports", "x"}) + "/" + random_bytes(rng, 12, url_chars);
    } else if (shape == 1) {
      r.url = fake.options().api_base + "/datasets" + pick(rng, {"", "/ds1", "/ds2", "/%zz"});
    } else if (shape == 2) {
      std::string u = urls[static_cast<std::size_t>(rng.uniform(urls.size() - 1))].upload_url;
      auto pos = static_cast<std::size_t>(rng.uniform(u.size()));
      if (rng.chance(1, 2)) u.insert(pos, random_bytes(rng, 3, url_chars));
      r.url = u;
    } else if (shape == 3) {
      r.url = fake.options().upload_base + "/" + random_bytes(rng, 30, url_chars);
    } else {
      r.url = random_bytes(rng, 40);
    }
    if (rng.chance(3, 4)) r.headers.push_back({"Authorization", pick(rng, {"Token fake-token", "Token x", ""})});
    if (rng.chance(1, 2))
      r.headers.push_back({"Content-Type", pick(rng, {"application/x-ndjson", "text/csv", "\x01"})});
    if (rng.chance(1, 4)) r.headers.push_back({random_bytes(rng, 10, "x-amz-Content-MD5"), random_bytes(rng, 10)});
    std::string body = rng.chance(1, 3) ? R"({"schema":{"strict":true,"fields":{"prompt":{"type":"text"}}}})"
                                        : random_bytes(rng, 200, body_chars);
    if (rng.chance(1, 2)) r.headers.push_back({"Content-Length", std::to_string(body.size())});
    Instant now = at(Duration{static_cast<Duration::rep>(rng.uniform(2'000'000))});

    FakeReply reply = fake.handle(r, body, now);
    const Response* resp = reply.response();
    if (resp == nullptr) continue;
    INFO(r.method << " " << r.url << " -> " << resp->status << " " << resp->body);
    REQUIRE(find_header(resp->headers, "Date") != nullptr);
    const std::string* type = find_header(resp->headers, "Content-Type");
    if (resp->body.empty()) continue;
    REQUIRE(type != nullptr);
    REQUIRE(is_valid_utf8(resp->body));
    if (*type == "application/json") {
      rapidjson::Document doc;
      doc.Parse(resp->body.data(), resp->body.size());
      REQUIRE_FALSE(doc.HasParseError());
      REQUIRE(doc.IsObject());
    } else {
      REQUIRE(*type == "application/xml");
      REQUIRE(resp->body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>", 0) == 0);
    }
  }
  // Whatever happened, the imports answer well-formed reports.
  for (const auto& u : urls) REQUIRE(fake.import_report(u.import_id, at(3'000'000ms)));
}

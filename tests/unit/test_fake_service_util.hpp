#pragma once
// Shared helpers of the FakeService tests: build requests the way a client
// would, and read answers with RapidJSON directly (not the wire parsers, so
// these tests check the fake against the documented shapes on their own).
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <upstate/testing/fake_service.hpp>

namespace fake_test {

using namespace upstate;
using namespace upstate::testing;
using namespace std::chrono_literals;

inline Instant at(Duration d) { return Instant{} + d; }

inline const FakeOptions& defaults() {
  static const FakeOptions o;
  return o;
}

inline Request api_request(const FakeService& fake, Purpose p, std::string method, std::string_view path,
                           bool with_token = true) {
  Request r;
  r.purpose = p;
  r.method = std::move(method);
  r.url = fake.options().api_base + std::string(path);
  if (with_token) r.headers.push_back({"Authorization", "Token " + fake.options().token});
  return r;
}

inline Response response_of(const FakeReply& reply) {
  REQUIRE(reply.response() != nullptr);
  return *reply.response();
}

inline Response api_call(FakeService& fake, Purpose p, std::string method, std::string_view path, Instant now,
                         std::string_view body = {}) {
  return response_of(fake.handle(api_request(fake, p, std::move(method), path), body, now));
}

inline rapidjson::Document json_of(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  INFO(body);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

inline std::string str(const rapidjson::Value& v, const char* key) {
  REQUIRE(v.IsObject());
  auto it = v.FindMember(key);
  REQUIRE(it != v.MemberEnd());
  REQUIRE(it->value.IsString());
  return {it->value.GetString(), it->value.GetStringLength()};
}

inline std::uint64_t num(const rapidjson::Value& v, const char* key) {
  REQUIRE(v.IsObject());
  auto it = v.FindMember(key);
  REQUIRE(it != v.MemberEnd());
  REQUIRE(it->value.IsUint64());
  return it->value.GetUint64();
}

inline bool has(const rapidjson::Value& v, const char* key) { return v.IsObject() && v.HasMember(key); }

// The API error body's status, after checking the documented shape.
inline int api_error_status(const Response& r) {
  auto doc = json_of(r.body);
  REQUIRE(doc.HasMember("error"));
  const auto& e = doc["error"];
  REQUIRE(e.IsObject());
  REQUIRE(e.HasMember("error_code"));
  REQUIRE(e["error_code"].IsInt64());
  REQUIRE(e.HasMember("title"));
  REQUIRE(e.HasMember("detail"));
  REQUIRE(e["status"].GetInt() == r.status);
  return e["status"].GetInt();
}

inline std::string header(const Response& r, std::string_view name) {
  const std::string* v = find_header(r.headers, name);
  return v ? *v : std::string("<absent>");
}

// A schema with one required text field and one metadata field.
inline Schema prompt_schema(bool strict = true) {
  Schema s;
  s.strict = strict;
  s.fields = {{"prompt", "text", "Prompt"}, {"category", "metadata", ""}};
  return s;
}

inline FakeService service_with_dataset(FakeOptions options = {}, std::optional<Schema> schema = prompt_schema()) {
  FakeService fake(std::move(options));
  fake.add_dataset({"ds1", "Reviews", std::move(schema)});
  return fake;
}

struct Step1 {
  std::string upload_url, import_id, content_type;
};

inline Step1 step1(FakeService& fake, std::string_view dataset, std::string_view filename, Instant now) {
  Response r =
      api_call(fake, Purpose::upload_url, "GET",
               "/datasets/" + percent_encode_segment(dataset) + "/upload-url/" + percent_encode_segment(filename), now);
  INFO(r.body);
  REQUIRE(r.status == 201);  // Created, as the official client requires
  auto doc = json_of(r.body);
  Step1 s{str(doc, "upload_url"), str(doc, "import_id"), {}};
  if (has(doc, "content_type")) s.content_type = str(doc, "content_type");
  return s;
}

inline Request put_request(std::string url, std::string content_type, std::uint64_t size) {
  Request r;
  r.purpose = Purpose::upload;
  r.method = "PUT";
  r.url = std::move(url);
  if (!content_type.empty()) r.headers.push_back({"Content-Type", std::move(content_type)});
  r.file = FileBody{size};
  return r;
}

inline Response put(FakeService& fake, const Step1& s, std::string_view body, Instant now) {
  return response_of(fake.handle(put_request(s.upload_url, s.content_type, body.size()), body, now));
}

inline Response poll(FakeService& fake, std::string_view dataset, std::string_view import_id, Instant now) {
  return api_call(fake, Purpose::poll, "GET",
                  "/datasets/" + std::string(dataset) + "/imports/" + std::string(import_id), now);
}

inline std::string status_at(FakeService& fake, std::string_view dataset, std::string_view import_id, Instant now) {
  Response r = poll(fake, dataset, import_id, now);
  REQUIRE(r.status == 200);
  return str(json_of(r.body), "status");
}

// The S3 error body's <Code> (a plain search: the fake writes one per body).
inline std::string s3_code(const Response& r) {
  auto b = r.body.find("<Code>"), e = r.body.find("</Code>");
  REQUIRE(b != std::string::npos);
  REQUIRE(e != std::string::npos);
  return r.body.substr(b + 6, e - b - 6);
}

inline std::string xml_field(const Response& r, const std::string& name) {
  auto b = r.body.find("<" + name + ">"), e = r.body.find("</" + name + ">");
  if (b == std::string::npos || e == std::string::npos) return "<absent>";
  return r.body.substr(b + name.size() + 2, e - b - name.size() - 2);
}

}  // namespace fake_test

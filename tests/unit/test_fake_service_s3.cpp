// FakeService as S3: the presigned URL and every check of the PUT.
#include "test_fake_service_util.hpp"

using namespace fake_test;

namespace {

const std::string kBody = "{\"prompt\":\"hello\"}\n";

std::string replace(std::string s, std::string_view from, std::string_view to) {
  auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

Response put_with(FakeService& fake, const Step1& s, Instant now, Headers extra, std::string method = "PUT") {
  Request r = put_request(s.upload_url, s.content_type, kBody.size());
  r.method = std::move(method);
  for (auto& h : extra) r.headers.push_back(std::move(h));
  return response_of(fake.handle(r, kBody, now));
}

void check_s3_error(const Response& r, int status, std::string_view code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(header(r, "Content-Type") == "application/xml");
  CHECK(r.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>", 0) == 0);
  CHECK(s3_code(r) == code);
  CHECK(xml_field(r, "RequestId").size() == 16);
  CHECK(r.body.size() >= 8);
  CHECK(r.body.substr(r.body.size() - 8) == "</Error>");
}

}  // namespace

TEST_CASE("fake S3: the presigned URL has SigV4's shape", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  const std::string prefix =
      "https://uploads.fake.test/raw-datasets/ds1/00000000-0000-4000-8000-000000000001/a.jsonl"
      "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=FAKEKEY%2F20261118%2Fus-east-1%2Fs3%2Faws4_request"
      "&X-Amz-Date=20261118T110640Z&X-Amz-Expires=900&X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Signature=";
  REQUIRE(s.upload_url.size() == prefix.size() + 64);
  CHECK(s.upload_url.substr(0, prefix.size()) == prefix);
  for (char c : s.upload_url.substr(prefix.size())) CHECK(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));

  // Same inputs, same URL: the fake is deterministic.
  FakeService twin = service_with_dataset();
  CHECK(step1(twin, "ds1", "a.jsonl", at(0ms)).upload_url == s.upload_url);

  FakeOptions o;
  o.sign_content_type = false;
  o.url_lifetime = std::chrono::seconds(60);
  FakeService host_only = service_with_dataset(o);
  std::string url = step1(host_only, "ds1", "a.csv", at(1500ms)).upload_url;
  CHECK(url.find("&X-Amz-Date=20261118T110641Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=") !=
        std::string::npos);
}

TEST_CASE("fake S3: a correct PUT is 200 with an ETag and an empty body", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  Response r = put(fake, s, kBody, at(5s));
  CHECK(r.status == 200);
  CHECK(r.body.empty());
  std::string etag = header(r, "ETag");
  CHECK(etag.size() == 34);
  CHECK(etag.front() == '"');
  CHECK(etag.back() == '"');
  CHECK(header(r, "Date") == "Wed, 18 Nov 2026 11:06:45 GMT");
  CHECK(status_at(fake, "ds1", s.import_id, at(5s)) == "processing");
}

TEST_CASE("fake S3: methods other than PUT are 405 MethodNotAllowed", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  for (std::string m : {"GET", "POST", "HEAD", "<x>"}) {
    INFO(m);
    Response r = put_with(fake, s, at(1s), {}, m);
    check_s3_error(r, 405, "MethodNotAllowed");
    CHECK(header(r, "Allow") == "PUT");
  }
  CHECK(xml_field(put_with(fake, s, at(1s), {}, "<x>"), "Method") == "&lt;x&gt;");
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "uninitialised");
}

TEST_CASE("fake S3: an Authorization header is refused (400 InvalidArgument)", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  Response r = put_with(fake, s, at(1s), {{"Authorization", "Token fake-token"}});
  check_s3_error(r, 400, "InvalidArgument");
  CHECK(xml_field(r, "Message") ==
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
        "parameter or the Authorization header should be specified");
  CHECK(xml_field(r, "ArgumentName") == "Authorization");
  // Like S3, it echoes the value: a leaked token is visible in the answer.
  CHECK(xml_field(r, "ArgumentValue") == "Token fake-token");
  // Checked before the signature: the token is caught even on a broken URL.
  Step1 broken = s;
  broken.upload_url = replace(s.upload_url, "X-Amz-Expires=900", "X-Amz-Expires=901");
  Request req = put_request(broken.upload_url, s.content_type, kBody.size());
  req.headers.push_back({"authorization", "Token fake-token"});
  check_s3_error(response_of(fake.handle(req, kBody, at(1s))), 400, "InvalidArgument");
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "uninitialised");
}

TEST_CASE("fake S3: Transfer-Encoding is 501 NotImplemented", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  Response r = put_with(fake, s, at(1s), {{"Transfer-Encoding", "chunked"}});
  check_s3_error(r, 501, "NotImplemented");
  CHECK(xml_field(r, "Header") == "Transfer-Encoding");
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "uninitialised");
}

TEST_CASE("fake S3: an altered URL is 403 SignatureDoesNotMatch", "[fake]") {
  FakeService fake = service_with_dataset();
  fake.add_dataset({"ds2", "Other", prompt_schema()});
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  Step1 other = step1(fake, "ds2", "a.jsonl", at(0ms));
  std::string sig = s.upload_url.substr(s.upload_url.size() - 64);
  std::vector<std::string> altered = {
      replace(s.upload_url, "X-Amz-Expires=900", "X-Amz-Expires=9000"),
      replace(s.upload_url, "X-Amz-Date=20261118T110640Z", "X-Amz-Date=20261118T110641Z"),
      replace(s.upload_url, "X-Amz-SignedHeaders=content-type%3Bhost", "X-Amz-SignedHeaders=host"),
      replace(s.upload_url, "&X-Amz-Expires=900", ""),       // missing parameter
      replace(s.upload_url, "&X-Amz-Signature=" + sig, ""),  // no signature
      replace(s.upload_url, sig, std::string(64, '0')),      // wrong signature
      replace(s.upload_url, "FAKEKEY%2F", "FAKEKEY/"),       // re-encoded
      // reordered
      replace(s.upload_url, "X-Amz-Algorithm=AWS4-HMAC-SHA256&", "") + "&X-Amz-Algorithm=AWS4-HMAC-SHA256",
      s.upload_url + "&x-id=PutObject",          // extra parameter
      s.upload_url + "&X-Amz-Signature=" + sig,  // repeated
      replace(s.upload_url, "/ds1/", "/ds2/"),   // another key
      replace(s.upload_url, "a.jsonl?", "b.jsonl?"),
      replace(s.upload_url, "?", "/?"),
      other.upload_url.substr(0, other.upload_url.find('?')) + s.upload_url.substr(s.upload_url.find('?')),
      "https://uploads.fake.test/",
  };
  for (const auto& url : altered) {
    INFO(url);
    Response r = response_of(fake.handle(put_request(url, s.content_type, kBody.size()), kBody, at(1s)));
    check_s3_error(r, 403, "SignatureDoesNotMatch");
    CHECK(xml_field(r, "AWSAccessKeyId") == "FAKEKEY");
  }
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "uninitialised");
  CHECK(status_at(fake, "ds2", other.import_id, at(1s)) == "uninitialised");
  // The untouched URL still works.
  CHECK(put(fake, s, kBody, at(1s)).status == 200);
}

TEST_CASE("fake S3: a Content-Type other than the signed one is 403 SignatureDoesNotMatch", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  for (std::string type : {"text/csv", "application/x-ndjson; charset=utf-8", "Application/x-ndjson", ""}) {
    INFO(type);
    Response r = response_of(fake.handle(put_request(s.upload_url, type, kBody.size()), kBody, at(1s)));
    check_s3_error(r, 403, "SignatureDoesNotMatch");
    std::string canonical = xml_field(r, "CanonicalRequest");
    // It shows what it received, so the client can tell the header apart.
    CHECK(canonical.find("\ncontent-type:" + type + "\nhost:uploads.fake.test\n\ncontent-type;host\n") !=
          std::string::npos);
  }
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "uninitialised");
}

TEST_CASE("fake S3: with only host signed, any Content-Type passes", "[fake]") {
  FakeOptions o;
  o.sign_content_type = false;
  FakeService fake = service_with_dataset(o);
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  Response r =
      response_of(fake.handle(put_request(s.upload_url, "application/octet-stream", kBody.size()), kBody, at(1s)));
  CHECK(r.status == 200);
  Step1 t = step1(fake, "ds1", "b.jsonl", at(0ms));
  CHECK(response_of(fake.handle(put_request(t.upload_url, "", kBody.size()), kBody, at(1s))).status == 200);
}

TEST_CASE("fake S3: past X-Amz-Date + X-Amz-Expires the PUT is 403 Request has expired", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  // The last second of validity still counts (S3 compares whole seconds).
  Step1 t = step1(fake, "ds1", "b.jsonl", at(0ms));
  CHECK(put(fake, t, kBody, at(900999ms)).status == 200);

  Response r = put(fake, s, kBody, at(901s));
  check_s3_error(r, 403, "AccessDenied");
  CHECK(xml_field(r, "Message") == "Request has expired");
  CHECK(xml_field(r, "X-Amz-Expires") == "900");
  CHECK(xml_field(r, "Expires") == "2026-11-18T11:21:40Z");
  CHECK(xml_field(r, "ServerTime") == "2026-11-18T11:21:41Z");
  CHECK(status_at(fake, "ds1", s.import_id, at(901s)) == "uninitialised");

  FakeOptions o;
  o.url_lifetime = std::chrono::seconds(60);
  FakeService short_lived = service_with_dataset(o);
  Step1 u = step1(short_lived, "ds1", "a.jsonl", at(10s));
  CHECK(s3_code(put(short_lived, u, kBody, at(71s))) == "AccessDenied");
  CHECK(put(short_lived, u, kBody, at(70s)).status == 200);
}

TEST_CASE("fake S3: a body that is not Content-Length long is 400 IncompleteBody", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  for (std::string length : std::vector<std::string>{std::to_string(kBody.size() + 1), std::to_string(kBody.size() - 1),
                                                     "abc", "", "99999999999999999999999"}) {
    INFO(length);
    check_s3_error(put_with(fake, s, at(1s), {{"Content-Length", length}}), 400, "IncompleteBody");
  }
  // Without the header, the request's FileBody size is what the transport declares.
  Request short_file = put_request(s.upload_url, s.content_type, kBody.size() + 10);
  check_s3_error(response_of(fake.handle(short_file, kBody, at(1s))), 400, "IncompleteBody");
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "uninitialised");
  CHECK(put_with(fake, s, at(1s), {{"Content-Length", std::to_string(kBody.size())}}).status == 200);
}

TEST_CASE("fake S3: unsigned x-amz-* and Content-MD5 headers are 403 AccessDenied", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  Response r = put_with(fake, s, at(1s), {{"X-Amz-Meta-Source", "cli"}, {"Content-MD5", "abc="}});
  check_s3_error(r, 403, "AccessDenied");
  CHECK(xml_field(r, "Message") == "There were headers present in the request which were not signed");
  CHECK(xml_field(r, "HeadersNotSigned") == "x-amz-meta-source, content-md5");
  check_s3_error(put_with(fake, s, at(1s), {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}}), 403, "AccessDenied");
  CHECK(status_at(fake, "ds1", s.import_id, at(1s)) == "uninitialised");
  // Other headers are fine.
  CHECK(put_with(fake, s, at(1s), {{"Expect", "100-continue"}, {"User-Agent", "upstate"}}).status == 200);
}

TEST_CASE("fake S3: the checks run in the documented order", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  Headers everything{{"Authorization", "Token fake-token"},
                     {"Transfer-Encoding", "chunked"},
                     {"Content-Length", "1"},
                     {"x-amz-acl", "private"}};
  CHECK(s3_code(put_with(fake, s, at(2000s), everything, "POST")) == "MethodNotAllowed");
  CHECK(s3_code(put_with(fake, s, at(2000s), everything)) == "InvalidArgument");
  everything.erase(everything.begin());
  CHECK(s3_code(put_with(fake, s, at(2000s), everything)) == "NotImplemented");
  everything.erase(everything.begin());
  Step1 bad = s;
  bad.content_type = "text/csv";
  CHECK(s3_code(put_with(fake, bad, at(2000s), everything)) == "SignatureDoesNotMatch");
  CHECK(xml_field(put_with(fake, s, at(2000s), everything), "Message") == "Request has expired");
  CHECK(s3_code(put_with(fake, s, at(1s), everything)) == "IncompleteBody");
  everything.erase(everything.begin());
  CHECK(s3_code(put_with(fake, s, at(1s), everything)) == "AccessDenied");
  everything.clear();
  CHECK(put_with(fake, s, at(1s), everything).status == 200);
}

TEST_CASE("fake S3: a second PUT to a received import is 200 and ignored", "[fake]") {
  FakeOptions o;
  o.processing_base = Duration{1000};
  FakeService fake = service_with_dataset(o);
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  REQUIRE(put(fake, s, kBody, at(1s)).status == 200);
  Response again = put(fake, s, "not json at all\n", at(1500ms));
  CHECK(again.status == 200);
  // Still the first file's processing window and verdict.
  CHECK(status_at(fake, "ds1", s.import_id, at(1500ms)) == "processing");
  CHECK(status_at(fake, "ds1", s.import_id, at(2001ms)) == "complete");
  CHECK(fake.import_report(s.import_id, at(3s))->accepted_count == 1u);
}

TEST_CASE("fake S3: an upload base with a path prefix and a port", "[fake]") {
  FakeOptions o;
  o.api_base = "http://127.0.0.1:8080/api/v1/data-collection/";
  o.upload_base = "http://127.0.0.1:9000/bucket/";
  FakeService fake = service_with_dataset(o);
  Step1 s = step1(fake, "ds1", "a.jsonl", at(0ms));
  CHECK(s.upload_url.rfind("http://127.0.0.1:9000/bucket/raw-datasets/ds1/", 0) == 0);
  CHECK(put(fake, s, kBody, at(1s)).status == 200);
  CHECK(fake.requests().back().host == "127.0.0.1");
  CHECK(fake.requests().back().purpose == Purpose::upload);
}

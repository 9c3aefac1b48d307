// FakeService as the dataset API: routes, auth, errors, datasets, step 1.
#include "test_fake_service_util.hpp"

using namespace fake_test;

TEST_CASE("fake API: GET dataset answers the documented fields", "[fake]") {
  FakeService fake = service_with_dataset();
  Response r = api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", at(0ms));
  REQUIRE(r.status == 200);
  CHECK(header(r, "Content-Type") == "application/json");
  CHECK(header(r, "Date") == "Wed, 18 Nov 2026 11:06:40 GMT");
  auto doc = json_of(r.body);
  CHECK(str(doc, "id") == "ds1");
  CHECK(str(doc, "name") == "Reviews");
  CHECK(str(doc, "created_at") == "2026-11-18T11:06:40Z");
  CHECK(str(doc, "created_by") == "fake-user");
  CHECK(num(doc, "total_datapoint_count") == 0);
  CHECK(doc["schema_version"].GetInt() == 4);
  REQUIRE(doc["schema"].IsObject());
  CHECK(doc["schema"]["strict"].GetBool());
  CHECK(str(doc["schema"]["fields"]["prompt"], "type") == "text");
  CHECK(str(doc["schema"]["fields"]["prompt"], "label") == "Prompt");
  CHECK_FALSE(has(doc["schema"]["fields"]["category"], "label"));
  REQUIRE(doc["imports"].IsArray());
  CHECK(doc["imports"].Size() == 0);
}

TEST_CASE("fake API: a dataset without schema has no schema field", "[fake]") {
  FakeService fake = service_with_dataset({}, std::nullopt);
  auto doc = json_of(api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", at(0ms)).body);
  CHECK_FALSE(has(doc, "schema"));
}

TEST_CASE("fake API: the token is required on every API route", "[fake]") {
  FakeService fake = service_with_dataset();
  for (std::string path : {"/datasets/ds1", "/datasets/ds1/upload-url/a.jsonl", "/datasets/ds1/imports/x"}) {
    INFO(path);
    Response missing = response_of(fake.handle(api_request(fake, Purpose::dataset, "GET", path, false), {}, at(0ms)));
    CHECK(missing.status == 401);
    CHECK(api_error_status(missing) == 401);
    CHECK(str(json_of(missing.body)["error"], "detail") == "Authentication credentials were not provided.");
    CHECK(header(missing, "WWW-Authenticate") == "Token");

    Request wrong = api_request(fake, Purpose::dataset, "GET", path, false);
    wrong.headers.push_back({"Authorization", "Token other"});
    Response bad = response_of(fake.handle(wrong, {}, at(0ms)));
    CHECK(bad.status == 401);
    CHECK(str(json_of(bad.body)["error"], "detail") == "Invalid token.");

    Request bearer = api_request(fake, Purpose::dataset, "GET", path, false);
    bearer.headers.push_back({"Authorization", "Bearer fake-token"});
    CHECK(response_of(fake.handle(bearer, {}, at(0ms))).status == 401);
  }
  CHECK(fake.import_ids("ds1").empty());  // a refused step 1 creates nothing
}

TEST_CASE("fake API: 404 for unknown datasets, imports and paths", "[fake]") {
  FakeService fake = service_with_dataset();
  fake.add_dataset({"ds2", "Other", prompt_schema()});
  Step1 other = step1(fake, "ds2", "a.jsonl", at(0ms));

  Response no_dataset = api_call(fake, Purpose::dataset, "GET", "/datasets/nope", at(0ms));
  CHECK(no_dataset.status == 404);
  CHECK(api_error_status(no_dataset) == 404);
  CHECK(api_call(fake, Purpose::upload_url, "GET", "/datasets/nope/upload-url/a.jsonl", at(0ms)).status == 404);
  CHECK(api_call(fake, Purpose::poll, "GET", "/datasets/ds1/imports/nope", at(0ms)).status == 404);
  // Another dataset's import is invisible through this one.
  CHECK(api_call(fake, Purpose::poll, "GET", "/datasets/ds1/imports/" + other.import_id, at(0ms)).status == 404);
  CHECK(api_call(fake, Purpose::poll, "GET", "/datasets/ds2/imports/" + other.import_id, at(0ms)).status == 200);
  for (std::string path : {"", "/", "/nothing", "/datasets/ds1/", "/datasets//imports/x", "/datasets/ds1/imports",
                           "/datasets/ds1/imports/x/y", "/datasets/ds1/other/x"}) {
    INFO(path);
    Response r = api_call(fake, Purpose::dataset, "GET", path, at(0ms));
    CHECK(r.status == 404);
    // Answered before the API proper, in the flat {message, detail} shape.
    auto doc = json_of(r.body);
    CHECK_FALSE(has(doc, "error"));
    CHECK(str(doc, "message") == "Not found.");
  }
}

TEST_CASE("fake API: other methods on known paths are 405 with Allow", "[fake]") {
  FakeService fake = service_with_dataset();
  Response a = api_call(fake, Purpose::dataset, "DELETE", "/datasets/ds1", at(0ms));
  CHECK(a.status == 405);
  CHECK(api_error_status(a) == 405);
  CHECK(header(a, "Allow") == "GET, PATCH");
  Response b = api_call(fake, Purpose::upload_url, "POST", "/datasets/ds1/upload-url/a.csv", at(0ms));
  CHECK(b.status == 405);
  CHECK(header(b, "Allow") == "GET");
  CHECK(api_call(fake, Purpose::poll, "PUT", "/datasets/ds1/imports/x", at(0ms)).status == 405);
  Response c = api_call(fake, Purpose::dataset, "GET", "/datasets", at(0ms));
  CHECK(c.status == 405);
  CHECK(header(c, "Allow") == "POST");
  CHECK(fake.import_ids("ds1").empty());
}

TEST_CASE("fake API: step 1 answers a URL and creates a new import each call", "[fake]") {
  FakeService fake = service_with_dataset();
  Response r = api_call(fake, Purpose::upload_url, "GET", "/datasets/ds1/upload-url/reviews.jsonl", at(0ms));
  REQUIRE(r.status == 201);  // Created: the only status the official client accepts
  CHECK(header(r, "Content-Type") == "application/json");
  auto doc = json_of(r.body);
  CHECK(str(doc, "http_method") == "PUT");
  CHECK(str(doc, "import_id") == "00000000-0000-4000-8000-000000000001");
  CHECK(str(doc, "content_type") == "application/x-ndjson");
  CHECK(str(doc, "dataset_id") == "ds1");
  CHECK(str(doc, "upload_url").rfind("https://uploads.fake.test/raw-datasets/ds1/", 0) == 0);
  // The URL's own end (X-Amz-Date + X-Amz-Expires, 900 s by default) and the S3 key.
  CHECK(str(doc, "expires_at") == "2026-11-18T11:21:40Z");
  CHECK(str(doc, "file_key") == "raw-datasets/ds1/00000000-0000-4000-8000-000000000001/reviews.jsonl");

  Step1 csv = step1(fake, "ds1", "reviews.csv", at(1s));
  CHECK(csv.import_id == "00000000-0000-4000-8000-000000000002");
  CHECK(csv.content_type == "text/csv");
  CHECK(fake.import_ids("ds1") ==
        std::vector<std::string>{"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"});
  CHECK(status_at(fake, "ds1", csv.import_id, at(2s)) == "uninitialised");
  // A URL requested but never used stays uninitialised forever.
  CHECK(status_at(fake, "ds1", csv.import_id, at(100000s)) == "uninitialised");
}

TEST_CASE("fake API: step 1 refuses other file types and bad escapes with 400", "[fake]") {
  FakeService fake = service_with_dataset();
  for (std::string file : {"data.zip", "data.json", "csv", "data.jsonl.txt", "%2E%2E", "a%00.csv"}) {
    INFO(file);
    Response r = api_call(fake, Purpose::upload_url, "GET", "/datasets/ds1/upload-url/" + file, at(0ms));
    CHECK(r.status == 400);
    CHECK(api_error_status(r) == 400);
  }
  for (std::string path : {"/datasets/ds1/upload-url/a%2.csv", "/datasets/ds1/upload-url/a%zz.csv",
                           "/datasets/d%G1/upload-url/a.csv", "/datasets/ds1/imports/%"}) {
    INFO(path);
    Response r = api_call(fake, Purpose::upload_url, "GET", path, at(0ms));
    CHECK(r.status == 400);
    CHECK(str(json_of(r.body)["error"], "detail") == "Malformed percent-encoding in the path.");
  }
  CHECK(fake.import_ids("ds1").empty());
}

TEST_CASE("fake API: path segments are percent-decoded", "[fake]") {
  FakeService fake;
  fake.add_dataset({"my ds/1", "Odd", prompt_schema()});
  std::string filename = "r\xC3\xA9views #1?.jsonl";
  Response r = api_call(fake, Purpose::upload_url, "GET",
                        "/datasets/my%20ds%2F1/upload-url/" + percent_encode_segment(filename), at(0ms));
  REQUIRE(r.status == 201);
  auto doc = json_of(r.body);
  CHECK(str(doc, "dataset_id") == "my ds/1");
  // The S3 key holds both names percent-encoded, so neither can change the path.
  CHECK(str(doc, "upload_url")
            .rfind("https://uploads.fake.test/raw-datasets/my%20ds%2F1/"
                   "00000000-0000-4000-8000-000000000001/r%C3%A9views%20%231%3F.jsonl?",
                   0) == 0);
  CHECK(fake.import_ids("my ds/1").size() == 1);
}

TEST_CASE("fake API: content_type can be left out of step 1's answer", "[fake]") {
  FakeOptions o;
  o.send_content_type = false;
  FakeService fake = service_with_dataset(o);
  auto doc = json_of(api_call(fake, Purpose::upload_url, "GET", "/datasets/ds1/upload-url/a.csv", at(0ms)).body);
  CHECK_FALSE(has(doc, "content_type"));
  CHECK(has(doc, "import_id"));
}

TEST_CASE("fake API: PATCH sets the schema", "[fake]") {
  FakeService fake = service_with_dataset({}, std::nullopt);
  Response r = api_call(fake, Purpose::dataset, "PATCH", "/datasets/ds1", at(0ms),
                        R"({"schema":{"strict":false,"fields":{"img":{"type":"image_url","label":"Image"},)"
                        R"("group":{"type":"task_group_id"}}}})");
  REQUIRE(r.status == 200);
  auto doc = json_of(r.body);
  CHECK_FALSE(doc["schema"]["strict"].GetBool());
  CHECK(str(doc["schema"]["fields"]["img"], "type") == "image_url");
  CHECK(str(doc["schema"]["fields"]["group"], "type") == "task_group_id");
  // And it is kept.
  auto again = json_of(api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", at(1s)).body);
  CHECK(str(again["schema"]["fields"]["img"], "label") == "Image");
}

TEST_CASE("fake API: PATCH and POST refuse bad bodies", "[fake]") {
  FakeService fake = service_with_dataset({}, std::nullopt);
  struct Case {
    std::string body;
    int status;
  };
  for (const Case& c : std::vector<Case>{
           {"", 400},
           {"not json", 400},
           {"[1]", 400},
           {"{}", 400},
           {R"({"schema":1})", 400},
           {R"({"schema":{}})", 400},
           {R"({"schema":{"fields":[]}})", 400},
           {R"({"schema":{"strict":"yes","fields":{}}})", 400},
           {R"({"schema":{"fields":{"a":"text"}}})", 400},
           {R"({"schema":{"fields":{"a":{"type":1}}}})", 400},
           {R"({"schema":{"fields":{"a":{"type":"text","label":2}}}})", 400},
           {R"({"schema":{"fields":{"a":{"type":"text"},"a":{"type":"text"}}}})", 400},
           {R"({"schema":{"fields":{"a":{"type":"number"}}}})", 422},
           {R"({"schema":{"fields":{"a":{"type":"task_group_id"},"b":{"type":"task_group_id"}}}})", 422},
           {std::string(100000, '['), 400},
           {std::string(2u << 20, ' '), 400},
       }) {
    INFO(c.body.substr(0, 80));
    Response r = api_call(fake, Purpose::dataset, "PATCH", "/datasets/ds1", at(0ms), c.body);
    CHECK(r.status == c.status);
    CHECK(api_error_status(r) == c.status);
  }
  CHECK_FALSE(has(json_of(api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", at(0ms)).body), "schema"));
  CHECK(api_call(fake, Purpose::dataset, "PATCH", "/datasets/nope", at(0ms), R"({"schema":{"fields":{}}})").status ==
        404);

  for (std::string body : {R"({"workspace_id":"w"})", R"({"name":"","workspace_id":"w"})", R"({"name":"n"})",
                           R"({"name":"n","workspace_id":3})", R"({"name":"n","workspace_id":"w","schema":[]})"}) {
    INFO(body);
    CHECK(api_call(fake, Purpose::dataset, "POST", "/datasets", at(0ms), body).status == 400);
  }
}

TEST_CASE("fake API: POST creates a dataset (201), with or without schema", "[fake]") {
  FakeService fake;
  Response r = api_call(fake, Purpose::dataset, "POST", "/datasets", at(10s),
                        R"({"name":"New \"one\"","workspace_id":"ws-9",)"
                        R"("schema":{"strict":true,"fields":{"q":{"type":"text"}}}})");
  REQUIRE(r.status == 201);
  auto doc = json_of(r.body);
  std::string id = str(doc, "id");
  CHECK(id == "00000000-0000-4000-a000-000000000001");
  CHECK(str(doc, "name") == "New \"one\"");
  CHECK(str(doc, "workspace_id") == "ws-9");
  CHECK(str(doc, "created_at") == "2026-11-18T11:06:50Z");
  CHECK(doc["schema"]["strict"].GetBool());
  CHECK(api_call(fake, Purpose::dataset, "GET", "/datasets/" + id, at(11s)).status == 200);

  Response plain = api_call(fake, Purpose::dataset, "POST", "/datasets", at(10s),
                            R"({"name":"n","workspace_id":"w","schema":null})");
  REQUIRE(plain.status == 201);
  auto pdoc = json_of(plain.body);
  CHECK(str(pdoc, "id") == "00000000-0000-4000-a000-000000000002");
  CHECK_FALSE(has(pdoc, "schema"));
}

TEST_CASE("fake API: echoed request text stays valid JSON", "[fake]") {
  FakeService fake = service_with_dataset();
  // Invalid UTF-8 and control bytes in the method end up in the 405 detail.
  Response r = api_call(fake, Purpose::dataset, "G\xFF\x01\"ET", "/datasets/ds1", at(0ms));
  CHECK(r.status == 405);
  CHECK(api_error_status(r) == 405);
  Response p = api_call(fake, Purpose::dataset, "PATCH", "/datasets/ds1", at(0ms),
                        "{\"schema\":{\"fields\":{\"\\u0000\\\"<x>\":{\"type\":\"nope\"}}}}");
  CHECK(p.status == 422);
  CHECK(api_error_status(p) == 422);
}

TEST_CASE("fake: a URL on neither host is a connect error, still recorded", "[fake]") {
  FakeService fake = service_with_dataset();
  for (std::string url : {"https://elsewhere.test/api/v1/data-collection/datasets/ds1",
                          "http://api.fake.test/api/v1/data-collection/datasets/ds1",
                          "https://api.fake.test:8443/api/v1/data-collection/datasets/ds1",
                          "https://api.fake.test/api/v1/data-collectionX/datasets/ds1", "not a url"}) {
    INFO(url);
    Request r;
    r.method = "GET";
    r.url = url;
    FakeReply reply = fake.handle(r, {}, at(0ms));
    REQUIRE(reply.transport_error() != nullptr);
    CHECK(reply.transport_error()->kind == TransportError::Kind::connect);
  }
  REQUIRE(fake.requests().size() == 5);
  CHECK(fake.requests()[0].host == "elsewhere.test");
  CHECK(fake.requests()[4].host.empty());
}

TEST_CASE("fake: requests are recorded with host, time and routed purpose", "[fake]") {
  FakeService fake = service_with_dataset();
  Step1 s = step1(fake, "ds1", "a.jsonl", at(1s));
  put(fake, s, "{\"prompt\":\"x\"}\n", at(2s));
  poll(fake, "ds1", s.import_id, at(3s));
  api_call(fake, Purpose::dataset, "GET", "/datasets/ds1", at(4s));
  const auto& seen = fake.requests();
  REQUIRE(seen.size() == 4);
  CHECK(seen[0].host == "api.fake.test");
  CHECK(seen[0].purpose == Purpose::upload_url);
  CHECK(seen[0].at == at(1s));
  CHECK(seen[1].host == "uploads.fake.test");
  CHECK(seen[1].purpose == Purpose::upload);
  CHECK(seen[2].purpose == Purpose::poll);
  CHECK(seen[3].purpose == Purpose::dataset);
  // The token went to the API host only.
  for (const auto& r : seen)
    if (r.host != "api.fake.test") CHECK(find_header(r.request.headers, "Authorization") == nullptr);
}

// upstate-fake-server's pure parts: the --fault spec, the command line, the
// --datasets file, and FakeService::precheck (the head-only checks the
// server runs on `Expect: 100-continue`).
#include "fake_server/cli.hpp"
#include "test_fake_server_util.hpp"

using namespace fs_test;

namespace {

const testing::FaultStatus& status_of(const ServerFault& f) {
  const auto* fault = std::get_if<testing::Fault>(&f.what);
  REQUIRE(fault != nullptr);
  const auto* s = std::get_if<testing::FaultStatus>(&fault->what);
  REQUIRE(s != nullptr);
  return *s;
}

std::string header_of(const Headers& h, std::string_view name) {
  const std::string* v = find_header(h, name);
  return v ? *v : "<absent>";
}

Result<CliOptions> cli(std::vector<std::string> args) { return parse_cli(args); }

}  // namespace

TEST_CASE("fault spec: statuses", "[fake_server][cli]") {
  auto f = parse_fault_spec("upload_url:503");
  REQUIRE(f);
  CHECK(f->purpose == Purpose::upload_url);
  CHECK(f->times == 1);
  CHECK(status_of(f.value()).status == 503);
  CHECK(header_of(status_of(f.value()).headers, "Retry-After") == "<absent>");
  CHECK(status_of(f.value()).body.find("\"status\":503") != std::string::npos);  // the API's error JSON

  f = parse_fault_spec("poll:429:2x3");
  REQUIRE(f);
  CHECK(f->purpose == Purpose::poll);
  CHECK(f->times == 3);
  CHECK(status_of(f.value()).status == 429);
  CHECK(header_of(status_of(f.value()).headers, "Retry-After") == "2");

  f = parse_fault_spec("upload:503:Wed, 21 Oct 2026 07:28:00 GMT");
  REQUIRE(f);
  CHECK(header_of(status_of(f.value()).headers, "Retry-After") == "Wed, 21 Oct 2026 07:28:00 GMT");
  CHECK(status_of(f.value()).body.find("<Code>SlowDown</Code>") != std::string::npos);  // S3's XML

  f = parse_fault_spec("upload:500x2");
  REQUIRE(f);
  CHECK(f->times == 2);
  CHECK(status_of(f.value()).body.find("<Code>InternalError</Code>") != std::string::npos);

  f = parse_fault_spec("dataset:200");
  REQUIRE(f);
  CHECK(status_of(f.value()).body.empty());
  f = parse_fault_spec("upload-url:404");
  REQUIRE(f);
  CHECK(f->purpose == Purpose::upload_url);
}

TEST_CASE("fault spec: the other kinds", "[fake_server][cli]") {
  auto f = parse_fault_spec("upload:reset");
  REQUIRE(f);
  CHECK(f->purpose == Purpose::upload);
  CHECK(std::holds_alternative<ResetFault>(f->what));
  f = parse_fault_spec("poll:stallx1000");
  REQUIRE(f);
  CHECK(f->times == 1000);
  CHECK(std::holds_alternative<StallFault>(f->what));

  f = parse_fault_spec("dataset:delay:1500x2");
  REQUIRE(f);
  CHECK(f->times == 2);
  const auto& delay = std::get<testing::Fault>(f->what);
  REQUIRE(std::holds_alternative<testing::FaultDelay>(delay.what));
  CHECK(std::get<testing::FaultDelay>(delay.what).delay == Duration(1500));

  f = parse_fault_spec("poll:malformed:{\"status\":\"x1\",\"a\":[1,2]}");
  REQUIRE(f);
  CHECK(f->times == 1);
  CHECK(status_of(f.value()).status == 200);
  CHECK(status_of(f.value()).body == "{\"status\":\"x1\",\"a\":[1,2]}");
  f = parse_fault_spec("poll:malformed:notjsonx1");  // an explicit count keeps a body ending in x+digits
  REQUIRE(f);
  CHECK(status_of(f.value()).body == "notjson");

  f = parse_fault_spec("upload:s3-expiredx2");
  REQUIRE(f);
  CHECK(f->times == 2);
  CHECK(status_of(f.value()).status == 403);
  CHECK(status_of(f.value()).body.find("Request has expired") != std::string::npos);

  f = parse_fault_spec("upload:s3:RequestTimeout:400");
  REQUIRE(f);
  CHECK(status_of(f.value()).status == 400);
  CHECK(status_of(f.value()).body.find("<Code>RequestTimeout</Code>") != std::string::npos);
  f = parse_fault_spec("upload:s3:ExpiredToken:400x3");
  REQUIRE(f);
  CHECK(f->times == 3);
  CHECK(status_of(f.value()).body.find("<Code>ExpiredToken</Code>") != std::string::npos);

  // A testing::Fault given to the server: reset becomes the server's own.
  CHECK(std::holds_alternative<ResetFault>(ServerFault::service(testing::Fault::reset(Purpose::poll, 4)).what));
  CHECK(ServerFault::service(testing::Fault::reset(Purpose::poll, 4)).times == 4);
}

TEST_CASE("fault spec: what is refused", "[fake_server][cli]") {
  for (const char* bad :
       {"", "upload", "nope:503", "upload:", "upload:99", "upload:600", "upload:1000", "upload:503x0", "upload:503x",
        "upload:503:", "upload:503:a\r\nb", "upload:resetx0", "upload:reset:1", "poll:stall:2", "poll:delay",
        "poll:delay:abc", "poll:delay:9999999999", "poll:malformed", "poll:s3-expired", "upload_url:s3:SlowDown:503",
        "upload:s3:SlowDown", "upload:s3::503", "upload:s3:Slow Down:503", "upload:s3:SlowDown:200",
        "upload:s3-expired:1", "upload:teapot", "upload:503x9999999"}) {
    INFO(bad);
    auto f = parse_fault_spec(bad);
    REQUIRE_FALSE(f);
    CHECK(f.error().code == ErrorCode::invalid_argument);
    CHECK(f.error().message.rfind("--fault ", 0) == 0);
  }
}

TEST_CASE("command line: defaults and every option", "[fake_server][cli]") {
  auto d = cli({});
  REQUIRE(d);
  CHECK(d->server.host == "127.0.0.1");
  CHECK(d->server.port == 0);
  CHECK(d->server.fake.token == "fake-token");
  CHECK(d->server.max_body == (64u << 20));
  CHECK(d->server.fake.processing_base == std::chrono::milliseconds(3000));
  CHECK(d->server.fake.processing_per_record == std::chrono::milliseconds(1));
  CHECK_FALSE(d->server.quiet);
  CHECK(d->server.cert_file.empty());
  CHECK(d->datasets.empty());
  CHECK_FALSE(d->help);

  auto c = cli({"--host", "::1", "--port=8080", "--cert", "c.pem", "--key", "k.pem", "--token", "T0K",
                "--dataset", "a", "--dataset=b:schema.json", "--datasets", "all.json", "--fault", "upload:reset",
                "--fault=poll:503x2", "--processing-ms", "0", "--url-lifetime", "5", "--max-body", "1000", "--quiet"});
  REQUIRE(c);
  CHECK(c->server.host == "::1");
  CHECK(c->server.port == 8080);
  CHECK(c->server.cert_file == "c.pem");
  CHECK(c->server.key_file == "k.pem");
  CHECK(c->server.fake.token == "T0K");
  REQUIRE(c->datasets.size() == 2);
  CHECK(c->datasets[0].id == "a");
  CHECK_FALSE(c->datasets[0].schema_file);
  CHECK(c->datasets[1].id == "b");
  CHECK(c->datasets[1].schema_file == std::optional<std::string>("schema.json"));
  CHECK(c->datasets_files == std::vector<std::string>{"all.json"});
  REQUIRE(c->server.faults.size() == 2);
  CHECK(c->server.faults[1].times == 2);
  CHECK(c->server.fake.processing_base == Duration{0});
  CHECK(c->server.fake.processing_per_record == Duration{0});  // 0 means no processing time at all
  CHECK(c->server.fake.url_lifetime == std::chrono::seconds(5));
  CHECK(c->server.max_body == 1000);
  CHECK(c->server.quiet);
  CHECK(cli({"--host", "localhost"}));
  CHECK(cli({"-h"})->help);
}

TEST_CASE("command line: what is refused", "[fake_server][cli]") {
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--host", "0.0.0.0"},
           {"--host", "192.168.1.2"},
           {"--host", "example.com"},
           {"--host"},
           {"--port", "65536"},
           {"--port", "-1"},
           {"--port", "x"},
           {"--cert", "c.pem"},
           {"--key", "k.pem"},
           {"--token", ""},
           {"--dataset", ""},
           {"--dataset", ":file"},
           {"--dataset", "a:"},
           {"--fault", "upload:nonsense"},
           {"--processing-ms", "soon"},
           {"--url-lifetime", "604801"},
           {"--max-body", "0"},
           {"--quiet=yes"},
           {"--bogus"},
           {"positional"}}) {
    INFO(bad[0] << " " << (bad.size() > 1 ? bad[1] : ""));
    auto c = parse_cli(bad);
    REQUIRE_FALSE(c);
    CHECK(c.error().code == ErrorCode::invalid_argument);
  }
}

TEST_CASE("fake server: the --datasets file", "[fake_server][cli]") {
  auto d = parse_datasets_json(R"([
    {"id": "ds1", "name": "Reviews", "schema": {"strict": true, "fields": {"prompt": {"type": "text", "label": "P"}}}},
    {"id": "ds2"},
    {"id": "ds3", "name": "Null schema", "schema": null}
  ])");
  REQUIRE(d);
  REQUIRE(d->size() == 3);
  CHECK(d.value()[0].name == "Reviews");
  REQUIRE(d.value()[0].schema);
  CHECK(d.value()[0].schema->strict);
  REQUIRE(d.value()[0].schema->fields.size() == 1);
  CHECK(d.value()[0].schema->fields[0].label == "P");
  CHECK(d.value()[1].name == "ds2");
  CHECK_FALSE(d.value()[1].schema);
  CHECK_FALSE(d.value()[2].schema);

  for (std::pair<const char*, const char*> bad : {std::pair{"", "$"},
                                                 {"{}", "$"},
                                                 {"[1]", "$[0]"},
                                                 {"[{}]", "$[0].id"},
                                                 {R"([{"id": ""}])", "$[0].id"},
                                                 {R"([{"id": "a", "name": 3}])", "$[0].name"},
                                                 {R"([{"id": "a", "schema": []}])", "$[0].schema"},
                                                 {R"([{"id": "a", "schema": {"fields": {"p": {}}}}])",
                                                  "$[0].schema.fields.p.type"},
                                                 {"[] trailing", "$"}}) {
    INFO(bad.first);
    auto r = parse_datasets_json(bad.first);
    REQUIRE_FALSE(r);
    CHECK(r.error().path == bad.second);
  }
}

TEST_CASE("FakeService::precheck: the head-only checks", "[fake_server][precheck]") {
  testing::FakeOptions o;
  o.url_lifetime = std::chrono::seconds(60);
  testing::FakeService fake(o);
  fake.add_dataset({"ds1", "Reviews", prompt_schema()});
  const Instant t0{};
  Request get;
  get.method = "GET";
  get.url = o.api_base + "/datasets/ds1/upload-url/a.jsonl";
  get.headers = {{"Authorization", "Token fake-token"}};
  CHECK(fake.purpose_of(get) == Purpose::upload_url);
  auto doc = json_of(fake.handle(get, {}, t0).response()->body);
  std::string url = str(doc, "upload_url");

  Request put;
  put.purpose = Purpose::upload;
  put.method = "PUT";
  put.url = url;
  put.headers = {{"Content-Type", "application/x-ndjson"}, {"Content-Length", "100"}};
  CHECK(fake.purpose_of(put) == Purpose::upload);
  Request nowhere = put;
  nowhere.url = "https://elsewhere.test/x";
  CHECK_FALSE(fake.purpose_of(nowhere));

  const std::size_t seen = fake.requests().size();
  SECTION("a good PUT passes and nothing is recorded") {
    CHECK_FALSE(fake.precheck(put, t0 + std::chrono::seconds(1)));
    CHECK(fake.requests().size() == seen);
  }
  SECTION("each refusal is handle()'s own, recorded") {
    auto code = [](const testing::FakeReply& r) {
      REQUIRE(r.response());
      const std::string& b = r.response()->body;
      return b.substr(b.find("<Code>") + 6, b.find("</Code>") - b.find("<Code>") - 6);
    };
    auto expired = fake.precheck(put, t0 + std::chrono::seconds(120));
    REQUIRE(expired);
    CHECK(expired->response()->status == 403);
    CHECK(expired->response()->body.find("Request has expired") != std::string::npos);
    CHECK(fake.requests().size() == seen + 1);
    CHECK(fake.requests().back().purpose == Purpose::upload);

    Request with_auth = put;
    with_auth.headers.push_back({"Authorization", "Token fake-token"});
    CHECK(code(*fake.precheck(with_auth, t0)) == "InvalidArgument");
    Request chunked = put;
    chunked.headers = {{"Content-Type", "application/x-ndjson"}, {"Transfer-Encoding", "chunked"}};
    CHECK(code(*fake.precheck(chunked, t0)) == "NotImplemented");
    Request no_length = put;
    no_length.headers = {{"Content-Type", "application/x-ndjson"}};
    auto missing = fake.precheck(no_length, t0);
    CHECK(missing->response()->status == 411);
    CHECK(code(*missing) == "MissingContentLength");
    Request wrong_type = put;
    wrong_type.headers[0].value = "text/csv";
    CHECK(code(*fake.precheck(wrong_type, t0)) == "SignatureDoesNotMatch");
    Request unsigned_header = put;
    unsigned_header.headers.push_back({"x-amz-meta-a", "b"});
    CHECK(code(*fake.precheck(unsigned_header, t0)) == "AccessDenied");
    Request post = put;
    post.method = "POST";
    CHECK(code(*fake.precheck(post, t0)) == "MethodNotAllowed");
    CHECK(fake.precheck(nowhere, t0)->transport_error()->kind == TransportError::Kind::connect);

    // The API's own: path, token, method.
    Request api = get;
    api.headers.clear();
    CHECK(fake.precheck(api, t0)->response()->status == 401);
    api.url = o.api_base + "/nothing";
    CHECK(fake.precheck(api, t0)->response()->status == 404);
    Request patch = get;
    patch.method = "PATCH";
    patch.url = o.api_base + "/datasets/ds1";
    CHECK_FALSE(fake.precheck(patch, t0));  // needs its body
    patch.method = "PUT";
    CHECK(fake.precheck(patch, t0)->response()->status == 405);

    // Whatever precheck refused, handle() refuses the same way.
    CHECK(fake.handle(with_auth, std::string(100, 'x'), t0).response()->status == 400);
  }
  SECTION("a queued status fault answers; a delay waits for the body or rides on a refusal") {
    fake.inject(testing::Fault::status(Purpose::upload, 503));
    auto r = fake.precheck(put, t0);
    REQUIRE(r);
    CHECK(r->response()->status == 503);
    CHECK(fake.requests().back().faulted);

    fake.inject(testing::Fault::delay(Purpose::upload, Duration(700)));
    CHECK_FALSE(fake.precheck(put, t0));  // not consumed
    auto late = fake.precheck(put, t0 + std::chrono::seconds(120));
    REQUIRE(late);
    CHECK(late->delay == Duration(700));
    CHECK(late->response()->status == 403);
    CHECK(fake.handle(put, std::string(100, 'x'), t0).delay == Duration(0));  // used up
  }
}

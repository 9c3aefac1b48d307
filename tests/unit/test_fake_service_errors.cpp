// FakeService sends each documented error-body shape (docs/service.md,
// "Error body"), and the machine shows the explanation, the error code and
// the title, never the generic title alone.
#include <upstate/machine/drive.hpp>
#include <upstate/testing/fake_transport.hpp>
#include <upstate/testing/manual_clock.hpp>
#include <upstate/wire/error_body.hpp>

#include "test_fake_service_util.hpp"

using namespace fake_test;

namespace {

FakeService service() {
  FakeService fake;
  fake.add_dataset({"ds", "Reviews", std::nullopt, false});
  return fake;
}

ApiErrorBody body_of(const Response& r) {
  auto parsed = parse_error_body(r.body);
  INFO(r.body);
  REQUIRE(parsed.ok());
  return parsed.value();
}

}  // namespace

TEST_CASE("fake errors: a string detail, an object of field messages, and the flat shape", "[fake][error_body]") {
  FakeService fake = service();
  SECTION("step 1 refuses a file type: detail is a string") {
    Response r = api_call(fake, Purpose::upload_url, "GET", "/datasets/ds/upload-url/notes.txt", at(0ms));
    CHECK(r.status == 400);
    CHECK(body_of(r).summary() ==
          "Unsupported file type: the dataset accepts .jsonl and .csv files. (error_code 140400; Bad Request)");
  }
  SECTION("a validation failure: detail is an object of field messages") {
    Response r = api_call(fake, Purpose::dataset, "PATCH", "/datasets/ds", at(0ms), R"({"strict":true})");
    CHECK(r.status == 400);
    auto doc = json_of(r.body);
    REQUIRE(doc["error"]["detail"].IsObject());
    CHECK(body_of(r).summary() == "schema: This field is required. (error_code 140400; Bad Request)");
    Response created = api_call(fake, Purpose::dataset, "POST", "/datasets", at(0ms), R"({"name":""})");
    CHECK(body_of(created).summary() == "name: Must be a non-empty string. (error_code 140400; Bad Request)");
  }
  SECTION("an unknown path: the flat {message, detail} shape") {
    Response r = api_call(fake, Purpose::dataset, "GET", "/nowhere", at(0ms));
    CHECK(r.status == 404);
    auto doc = json_of(r.body);
    CHECK_FALSE(has(doc, "error"));
    CHECK(body_of(r).summary() == "Not found.: No such API path.");
  }
}

TEST_CASE("the machine's error says what the service explained", "[fake][error_body]") {
  FakeService fake = service();
  ManualClock clock;
  UploadConfig config;
  config.api_base = fake.options().api_base;
  config.token = fake.options().token;
  config.dataset_id = "ds";

  SECTION("a string detail from step 1") {
    FakeTransport transport(fake, clock, "a,b\n");
    Upload up{config, {"notes.txt", 4}};
    Outcome o = drive(up, transport, clock);
    REQUIRE(o.error());
    CHECK(o.error()->code == ErrorCode::bad_request);
    CHECK(o.error()->server_code == "140400");
    CHECK(o.error()->message ==
          "upload_url request answered HTTP 400: Unsupported file type: the dataset accepts .jsonl and .csv "
          "files. (error_code 140400; Bad Request)");
  }
  SECTION("the flat shape, scripted in front of step 3") {
    fake.inject(Fault::status(Purpose::poll, 409, R"({"message":"Conflict","detail":{"import":["is locked"]}})"));
    const std::string file = "{\"prompt\":\"p\"}\n";
    FakeTransport transport(fake, clock, file);
    Upload up{config, {"a.jsonl", file.size()}};
    Outcome o = drive(up, transport, clock);
    REQUIRE(o.error());
    CHECK(o.error()->http_status == 409);
    CHECK(o.error()->message.find("answered HTTP 409: Conflict: import: is locked") != std::string::npos);
  }
}

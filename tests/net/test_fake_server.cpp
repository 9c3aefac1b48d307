// upstate-fake-server's FakeServer in-process, over loopback sockets: curl
// as the peer for the three steps and the faults, a raw socket where the
// bytes matter (100-continue, pipelining, garbage, a reset mid-body).
#include <upstate/detail/rng.hpp>

#include "test_fake_server_util.hpp"

using namespace fs_test;

namespace {

const std::string kRecords = "{\"prompt\":\"hello\",\"category\":\"a\"}\n{\"prompt\":\"world\",\"category\":\"b\"}\n";

// curl arguments for the PUT of `file` to the presigned URL (-T: PUT with Content-Length).
std::string put_args(const Step1& s, const std::string& file, const std::string& extra = {}) {
  return extra + " -T " + shell_quote(file) + " -H " + shell_quote("Content-Type: " + s.content_type) +
         " -w '\\n%{http_code}' " + shell_quote(s.upload_url);
}

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + 1)) ++n;
  return n;
}

std::string s3_code(const std::string& body) {
  auto b = body.find("<Code>"), e = body.find("</Code>");
  if (b == std::string::npos || e == std::string::npos) return "<none>";
  return body.substr(b + 6, e - b - 6);
}

}  // namespace

TEST_CASE("fake server: binds loopback, names its bases, refuses other hosts", "[fake_server]") {
  Running r(test_options());
  CHECK(r.server.port() != 0);
  CHECK(r.server.base_url() == "http://127.0.0.1:" + std::to_string(r.server.port()));
  CHECK(r.server.api_base() == r.server.base_url() + "/api/v1/data-collection");
  CHECK(r.server.upload_base() == r.server.base_url() + "/s3");
  CHECK_FALSE(r.server.tls());

  ::asio::io_context io;
  for (std::string host : {"0.0.0.0", "10.1.2.3", "::", "example.com", ""}) {
    INFO(host);
    FakeServerOptions o;
    o.host = host;
    CHECK_THROWS_AS(FakeServer(io, o), std::invalid_argument);
  }
  FakeServerOptions half_tls;
  half_tls.cert_file = "cert.pem";
  CHECK_THROWS_AS(FakeServer(io, half_tls), std::invalid_argument);
  CHECK(loopback_address("localhost"));
  CHECK(loopback_address("127.0.0.2"));
  CHECK(loopback_address("::1"));
  CHECK_FALSE(loopback_address("127.0.0.1.example"));
}

TEST_CASE("fake server: upload-url, PUT and poll by curl", "[fake_server]") {
  TempDir dir;
  Running r(test_options());
  Step1 s = step1(dir, r.server, "ds1", "reviews.jsonl");
  CHECK(s.upload_url.rfind(r.server.base_url() + "/s3/raw-datasets/ds1/", 0) == 0);
  CHECK(s.content_type == "application/x-ndjson");

  std::string file = dir.write("reviews.jsonl", kRecords);
  Answer put = split_status(curl(dir, put_args(s, file)));
  CHECK(put.status == 200);
  CHECK(put.body.empty());

  Answer poll = api_get(dir, r.server, "/datasets/ds1/imports/" + s.import_id);
  REQUIRE(poll.status == 200);
  auto doc = json_of(poll.body);
  CHECK(str(doc, "status") == "complete");
  CHECK(doc["accepted_count"].GetUint64() == 2);
  CHECK(r.server.with_service([](testing::FakeService& f) { return f.total_datapoint_count("ds1", Instant::max()); }) ==
        2);

  Answer dataset = api_get(dir, r.server, "/datasets/ds1");
  CHECK(dataset.status == 200);
  CHECK(str(json_of(dataset.body), "name") == "Reviews");
}

TEST_CASE("fake server: a dataset without a schema ends pending_schema", "[fake_server]") {
  TempDir dir;
  FakeServerOptions o = test_options();
  o.datasets.push_back({"bare", "No schema", std::nullopt});
  Running r(o);
  Step1 s = step1(dir, r.server, "bare", "a.jsonl");
  CHECK(split_status(curl(dir, put_args(s, dir.write("a.jsonl", kRecords)))).status == 200);
  Answer poll = api_get(dir, r.server, "/datasets/bare/imports/" + s.import_id);
  CHECK(str(json_of(poll.body), "status") == "pending_schema");
}

TEST_CASE("fake server: 401 without the token, 404 elsewhere", "[fake_server]") {
  TempDir dir;
  Running r(test_options());
  Answer none = api_get(dir, r.server, "/datasets/ds1/upload-url/a.jsonl", "");
  CHECK(none.status == 401);
  CHECK(json_of(none.body)["error"]["status"].GetInt() == 401);
  CHECK(api_get(dir, r.server, "/datasets/ds1/upload-url/a.jsonl", "-H 'Authorization: Token wrong'").status == 401);
  CHECK(api_get(dir, r.server, "/nothing/here").status == 404);
  CHECK(api_get(dir, r.server, "/datasets/nope/upload-url/a.jsonl").status == 404);

  // The URL the fake sees is built from the Host header: another name is
  // another host, where no service answers.
  CurlResult other = curl(dir, "-H 'Host: localhost:1' -w '\\n%{http_code}' " + shell_quote(r.server.base_url() + "/x"));
  CHECK(split_status(other).status == 404);
}

TEST_CASE("fake server: an Authorization header on the S3 PUT is 400 InvalidArgument", "[fake_server]") {
  TempDir dir;
  Running r(test_options());
  Step1 s = step1(dir, r.server, "ds1", "a.jsonl");
  Answer put = split_status(
      curl(dir, put_args(s, dir.write("a.jsonl", kRecords), "-H 'Authorization: Token fake-token'")));
  CHECK(put.status == 400);
  CHECK(s3_code(put.body) == "InvalidArgument");
  Answer poll = api_get(dir, r.server, "/datasets/ds1/imports/" + s.import_id);
  CHECK(str(json_of(poll.body), "status") == "uninitialised");
}

TEST_CASE("fake server: a wrong Content-Type breaks the signature", "[fake_server]") {
  TempDir dir;
  Running r(test_options());
  Step1 s = step1(dir, r.server, "ds1", "a.jsonl");
  s.content_type = "text/plain";
  Answer put = split_status(curl(dir, put_args(s, dir.write("a.jsonl", kRecords))));
  CHECK(put.status == 403);
  CHECK(s3_code(put.body) == "SignatureDoesNotMatch");
}

TEST_CASE("fake server: Expect 100-continue", "[fake_server]") {
  TempDir dir;
  TestClock clock;
  FakeServerOptions o = test_options(clock);
  o.fake.url_lifetime = 60s;
  Running r(o);
  Step1 s = step1(dir, r.server, "ds1", "a.jsonl");
  const std::string headers = "Content-Type: application/x-ndjson\r\nContent-Length: " +
                              std::to_string(kRecords.size()) + "\r\nExpect: 100-continue\r\n";

  SECTION("a good URL gets 100 Continue, then the body, then 200") {
    RawClient c(r.server.port());
    REQUIRE(c.send(request_head("PUT", s.upload_url, headers)));
    std::string got;
    REQUIRE(c.read_until(got, "\r\n\r\n") == RawClient::End::open);
    CHECK(got == "HTTP/1.1 100 Continue\r\n\r\n");
    REQUIRE(c.send(kRecords));
    got.clear();
    REQUIRE(c.read_until(got, "Content-Length: 0\r\n\r\n") == RawClient::End::open);
    CHECK(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  }

  SECTION("an expired URL is refused at once, without reading the body") {
    clock.advance(120s);
    RawClient c(r.server.port());
    // A body of 50 MB is announced and never sent.
    REQUIRE(c.send(request_head("PUT", s.upload_url,
                                "Content-Type: application/x-ndjson\r\nContent-Length: 50000000\r\n"
                                "Expect: 100-continue\r\n")));
    auto [got, end] = c.read_all();
    CHECK(end == RawClient::End::eof);  // answered and closed while we sent nothing
    INFO(got);
    CHECK(got.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
    CHECK(got.find("100 Continue") == std::string::npos);
    CHECK(got.find("Connection: close\r\n") != std::string::npos);
    CHECK(s3_code(got) == "AccessDenied");
    CHECK(got.find("Request has expired") != std::string::npos);
    r.server.with_service([&](testing::FakeService& f) {
      REQUIRE_FALSE(f.requests().empty());
      CHECK(f.requests().back().purpose == Purpose::upload);
    });
  }

  SECTION("unsigned x-amz headers and Transfer-Encoding are refused before the body") {
    for (std::string extra : {"x-amz-meta-a: b\r\n", "Content-MD5: abc=\r\n"}) {
      RawClient c(r.server.port());
      REQUIRE(c.send(request_head("PUT", s.upload_url, headers + extra)));
      auto [got, end] = c.read_all();
      INFO(got);
      CHECK(end == RawClient::End::eof);
      CHECK(got.rfind("HTTP/1.1 403", 0) == 0);
      CHECK(got.find("not signed") != std::string::npos);
    }
    RawClient c(r.server.port());
    REQUIRE(c.send(request_head("PUT", s.upload_url,
                                "Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n"
                                "Expect: 100-continue\r\n")));
    auto [got, end] = c.read_all();
    CHECK(got.rfind("HTTP/1.1 501", 0) == 0);
    CHECK(s3_code(got) == "NotImplemented");
  }

  SECTION("a scripted 503 on the upload answers before the body") {
    r.server.add_fault(parse_fault_spec("upload:503:1").value());
    RawClient c(r.server.port());
    REQUIRE(c.send(request_head("PUT", s.upload_url, headers)));
    auto [got, end] = c.read_all();
    INFO(got);
    CHECK(got.rfind("HTTP/1.1 503", 0) == 0);
    CHECK(got.find("Retry-After: 1\r\n") != std::string::npos);
    CHECK(s3_code(got) == "SlowDown");
  }
}

TEST_CASE("fake server: keep-alive and pipelined requests", "[fake_server]") {
  Running r(test_options());
  auto url = r.server.api_base() + "/datasets/ds1";
  std::string one = request_head("GET", url, "Authorization: Token fake-token\r\n");
  RawClient c(r.server.port());
  REQUIRE(c.send(one + one));  // two requests in one write
  std::string got;
  const std::string end_of_body = "\"imports\":[]}";
  while (count(got, end_of_body) < 2) REQUIRE(c.read_some(got) == RawClient::End::open);
  CHECK(count(got, "HTTP/1.1 200 OK\r\n") == 2);
  CHECK(got.find("Connection: close") == std::string::npos);
  // And a third on the same connection, asking to close.
  REQUIRE(c.send(request_head("GET", url, "Authorization: Token fake-token\r\nConnection: close\r\n")));
  auto [last, end] = c.read_all();
  CHECK(end == RawClient::End::eof);
  CHECK(last.find("Connection: close\r\n") != std::string::npos);
}

TEST_CASE("fake server: HEAD gets headers only, and the connection carries on", "[fake_server]") {
  Running r(test_options());
  auto url = r.server.api_base() + "/datasets/ds1";
  RawClient c(r.server.port());
  REQUIRE(c.send(request_head("HEAD", url, "Authorization: Token fake-token\r\n") +
                 request_head("GET", url, "Authorization: Token fake-token\r\n")));
  std::string got;
  REQUIRE(c.read_until(got, "\"imports\":[]}") == RawClient::End::open);
  INFO(got);
  REQUIRE(got.rfind("HTTP/1.1 405", 0) == 0);
  auto end_of_head = got.find("\r\n\r\n");
  CHECK(got.compare(end_of_head + 4, 17, "HTTP/1.1 200 OK\r\n") == 0);
}

TEST_CASE("fake server: seeded random bytes never take it down", "[fake_server]") {
  TempDir dir;
  FakeServerOptions o = test_options();
  o.idle_timeout = 200ms;
  o.linger = 100ms;
  Running r(o);
  Rng rng(20261128);
  const std::string valid = request_head("PUT", r.server.upload_base() + "/raw-datasets/ds1/x/a.jsonl?q=1",
                                         "Content-Length: 5\r\nExpect: 100-continue\r\n") + "abcde";
  for (int i = 0; i < 40; ++i) {
    std::string bytes = valid;
    // Flip, cut or insert bytes in a valid request (or send pure noise).
    if (rng.uniform(4) == 0) {
      bytes.assign(static_cast<std::size_t>(rng.uniform(300)), '\0');
      for (char& ch : bytes) ch = static_cast<char>(rng.uniform(255));
    } else {
      for (int k = 0; k < 1 + static_cast<int>(rng.uniform(4)); ++k) {
        auto pos = static_cast<std::size_t>(rng.uniform(bytes.size() - 1));
        switch (rng.uniform(2)) {
          case 0: bytes[pos] = static_cast<char>(rng.uniform(255)); break;
          case 1: bytes.erase(pos, static_cast<std::size_t>(rng.uniform(8))); break;
          default: bytes.insert(pos, std::string(1 + rng.uniform(3), static_cast<char>(rng.uniform(255)))); break;
        }
      }
    }
    RawClient c(r.server.port(), 2s);
    c.send(bytes);
    auto [got, end] = c.read_all();  // an answer, a close, or the server's idle timeout
    CHECK(end != RawClient::End::timeout);
  }
  CHECK(api_get(dir, r.server, "/datasets/ds1").status == 200);
}

TEST_CASE("fake server: garbage gets 400 and a close; the server carries on", "[fake_server]") {
  TempDir dir;
  Running r(test_options());
  for (std::string garbage : {std::string("\x01\x02\x03 nonsense\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
                              std::string("GET /x HTTP/1.1\r\nBad Header\r\n\r\n"),
                              std::string("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: zz\r\n\r\n"),
                              std::string("GET /x HTTP/1.1\r\n\r\n"),  // no Host
                              std::string("GET http://127.0.0.1/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")}) {
    INFO(garbage);
    RawClient c(r.server.port());
    REQUIRE(c.send(garbage));
    auto [got, end] = c.read_all();
    CHECK(got.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(end == RawClient::End::eof);
  }
  {
    // A head over the 64 KiB cap.
    RawClient c(r.server.port());
    c.send("GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(70000, 'a') + "\r\n\r\n");
    auto [got, end] = c.read_all();
    CHECK(got.rfind("HTTP/1.1 400", 0) == 0);
  }
  CHECK(api_get(dir, r.server, "/datasets/ds1").status == 200);
}

TEST_CASE("fake server: a body over max_body is 413 and a close", "[fake_server]") {
  TempDir dir;
  FakeServerOptions o = test_options();
  o.max_body = 1000;
  Running r(o);
  Step1 s = step1(dir, r.server, "ds1", "a.jsonl");
  RawClient c(r.server.port());
  REQUIRE(c.send(request_head("PUT", s.upload_url,
                              "Content-Type: application/x-ndjson\r\nContent-Length: 1001\r\n")));
  auto [got, end] = c.read_all();
  CHECK(got.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(end == RawClient::End::eof);

  // Chunked, so the size is only known as it arrives.
  RawClient chunked(r.server.port());
  std::string big(1500, 'x');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", big.size());
  chunked.send(request_head("POST", r.server.api_base() + "/datasets",
                            "Authorization: Token fake-token\r\nTransfer-Encoding: chunked\r\n") +
               size_line + big + "\r\n0\r\n\r\n");
  auto [got2, end2] = chunked.read_all();
  CHECK(got2.rfind("HTTP/1.1 413", 0) == 0);
}

TEST_CASE("fake server: a reset in the middle of the PUT body", "[fake_server]") {
  TempDir dir;
  Running r(test_options());

  SECTION("curl sees the connection break (exit 55 or 56)") {
    r.server.reset(Purpose::upload);
    Step1 s = step1(dir, r.server, "ds1", "big.jsonl");
    std::string big;
    while (big.size() < (8u << 20)) big += "{\"prompt\":\"" + std::string(100, 'p') + "\",\"category\":\"c\"}\n";
    CurlResult put = curl(dir, put_args(s, dir.write("big.jsonl", big)));
    INFO(put.err);
    CHECK((put.exit_code == 55 || put.exit_code == 56));
    // The import never got its file; the next PUT (no fault left) does.
    Answer poll = api_get(dir, r.server, "/datasets/ds1/imports/" + s.import_id);
    CHECK(str(json_of(poll.body), "status") == "uninitialised");
    r.server.with_service([](testing::FakeService& f) {
      REQUIRE(f.requests().size() >= 2);
      CHECK(f.requests()[1].purpose == Purpose::upload);
      CHECK(f.requests()[1].faulted);
    });
    CHECK(split_status(curl(dir, put_args(s, dir.write("small.jsonl", kRecords)))).status == 200);
  }

  SECTION("after about half of Content-Length, not before") {
    r.server.reset(Purpose::upload);
    Step1 s = step1(dir, r.server, "ds1", "a.jsonl");
    RawClient c(r.server.port(), 300ms);
    REQUIRE(c.send(request_head("PUT", s.upload_url,
                                "Content-Type: application/x-ndjson\r\nContent-Length: 1000\r\n")));
    REQUIRE(c.send(std::string(400, 'a')));
    std::string got;
    CHECK(c.read_until(got) == RawClient::End::timeout);  // 40%: still open, no answer
    CHECK(got.empty());
    c.send(std::string(200, 'a'));  // 60%
    RawClient::End end = c.read_until(got);
    CHECK(got.empty());
    CHECK(end == RawClient::End::reset);
    CHECK(c.last_errno() == ECONNRESET);
  }

  SECTION("a reset of a bodiless request comes once it is in") {
    r.server.reset(Purpose::upload_url);
    CurlResult get = curl(dir, "-H 'Authorization: Token fake-token' " +
                                   shell_quote(r.server.api_base() + "/datasets/ds1/upload-url/a.jsonl"));
    CHECK((get.exit_code == 52 || get.exit_code == 56));
    CHECK(api_get(dir, r.server, "/datasets/ds1/upload-url/a.jsonl").status == 201);
    // The reset request reached the service (as a faulted request) but made no import.
    CHECK(r.server.with_service([](testing::FakeService& f) { return f.import_ids("ds1").size(); }) == 1);
  }
}

TEST_CASE("fake server: a stall never answers", "[fake_server]") {
  TempDir dir;
  Running r(test_options());
  r.server.add_fault(parse_fault_spec("poll:stall").value());
  Step1 s = step1(dir, r.server, "ds1", "a.jsonl");
  CurlResult poll = curl(dir, "--max-time 1 -H 'Authorization: Token fake-token' " +
                                  shell_quote(r.server.api_base() + "/datasets/ds1/imports/" + s.import_id));
  CHECK(poll.exit_code == 28);
  CHECK(api_get(dir, r.server, "/datasets/ds1/imports/" + s.import_id).status == 200);  // one hit only
}

TEST_CASE("fake server: scripted statuses, bodies and delays by curl", "[fake_server]") {
  TempDir dir;
  Running r(test_options());
  for (const char* spec : {"upload_url:503:7", "upload_url:429x2", "poll:malformed:{\"status\":42}",
                           "dataset:delay:150", "upload:s3:RequestTimeout:400", "upload:s3-expired"})
    r.server.add_fault(parse_fault_spec(spec).value());

  CurlResult first = curl(dir, "-i -H 'Authorization: Token fake-token' " +
                                   shell_quote(r.server.api_base() + "/datasets/ds1/upload-url/a.jsonl"));
  CHECK(first.out.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(first.out.find("Retry-After: 7\r\n") != std::string::npos);
  CHECK(api_get(dir, r.server, "/datasets/ds1/upload-url/a.jsonl").status == 429);
  CHECK(api_get(dir, r.server, "/datasets/ds1/upload-url/a.jsonl").status == 429);
  Step1 s = step1(dir, r.server, "ds1", "a.jsonl");

  Answer poll = api_get(dir, r.server, "/datasets/ds1/imports/" + s.import_id);
  CHECK(poll.status == 200);
  CHECK(poll.body == "{\"status\":42}");

  CurlResult slow = curl(dir, "-o /dev/null -w '%{time_total}' -H 'Authorization: Token fake-token' " +
                                  shell_quote(r.server.api_base() + "/datasets/ds1"));
  REQUIRE(slow.exit_code == 0);
  CHECK(std::atof(slow.out.c_str()) >= 0.14);

  std::string file = dir.write("a.jsonl", kRecords);
  Answer timeout = split_status(curl(dir, put_args(s, file)));
  CHECK(timeout.status == 400);
  CHECK(s3_code(timeout.body) == "RequestTimeout");
  Answer expired = split_status(curl(dir, put_args(s, file)));
  CHECK(expired.status == 403);
  CHECK(expired.body.find("Request has expired") != std::string::npos);
  CHECK(split_status(curl(dir, put_args(s, file))).status == 200);
}

TEST_CASE("fake server: the log names method, path and status, never a secret", "[fake_server]") {
  TempDir dir;
  auto lines = std::make_shared<std::vector<std::string>>();
  auto mutex = std::make_shared<std::mutex>();
  FakeServerOptions o = test_options();
  o.quiet = false;
  o.log = [lines, mutex](std::string_view l) {
    std::lock_guard<std::mutex> lock(*mutex);
    lines->emplace_back(l);
  };
  Running r(o);
  Step1 s = step1(dir, r.server, "ds1", "a.jsonl");
  CHECK(split_status(curl(dir, put_args(s, dir.write("a.jsonl", kRecords),
                                        "-H 'Authorization: Token fake-token'")))
            .status == 400);
  CHECK(split_status(curl(dir, put_args(s, dir.write("a.jsonl", kRecords)))).status == 200);

  std::lock_guard<std::mutex> lock(*mutex);
  REQUIRE(lines->size() == 3);
  CHECK((*lines)[0] == "GET /api/v1/data-collection/datasets/ds1/upload-url/a.jsonl 201");
  auto path = parse_url(s.upload_url)->path;
  CHECK((*lines)[1] == "PUT " + path + " 400");
  CHECK((*lines)[2] == "PUT " + path + " 200");
  for (const auto& l : *lines) {
    CHECK(l.find("fake-token") == std::string::npos);
    CHECK(l.find("X-Amz") == std::string::npos);
    CHECK(l.find('?') == std::string::npos);
  }
}

TEST_CASE("fake server: TLS", "[fake_server]") {
  TempDir dir;
  std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "
                    "/CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
                    shell_quote(key) + " -out " + shell_quote(cert) + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  FakeServerOptions o = test_options();
  o.cert_file = cert;
  o.key_file = key;
  Running r(o);
  CHECK(r.server.tls());
  CHECK(r.server.base_url() == "https://127.0.0.1:" + std::to_string(r.server.port()));

  std::string ca = "--cacert " + shell_quote(cert) + " ";
  Answer a = split_status(curl(dir, ca + "-H 'Authorization: Token fake-token' -w '\\n%{http_code}' " +
                                        shell_quote(r.server.api_base() + "/datasets/ds1/upload-url/a.jsonl")));
  REQUIRE(a.status == 201);
  auto doc = json_of(a.body);
  Step1 s{str(doc, "upload_url"), str(doc, "import_id"), str(doc, "content_type")};
  CHECK(s.upload_url.rfind("https://127.0.0.1:", 0) == 0);
  CHECK(split_status(curl(dir, put_args(s, dir.write("a.jsonl", kRecords), ca))).status == 200);
  CHECK(curl(dir, "--tls-max 1.1 " + ca + shell_quote(r.server.api_base() + "/datasets/ds1")).exit_code != 0);
  CHECK(curl(dir, "-o /dev/null " + shell_quote(r.server.api_base() + "/datasets/ds1")).exit_code == 60);  // unknown CA

  // Plain HTTP on the TLS port is a failed handshake, not a crash.
  RawClient c(r.server.port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  auto [got, end] = c.read_all();
  CHECK(got.find("HTTP/1.1 200") == std::string::npos);
  CHECK(split_status(curl(dir, ca + "-H 'Authorization: Token fake-token' -w '\\n%{http_code}' " +
                                   shell_quote(r.server.api_base() + "/datasets/ds1")))
            .status == 200);
}

TEST_CASE("fake server: stop() ends stalled and idle connections", "[fake_server]") {
  auto r = std::make_unique<Running>(test_options());
  r->server.stall(Purpose::dataset);
  RawClient idle(r->server.port());
  RawClient stalled(r->server.port(), 300ms);
  REQUIRE(stalled.send(request_head("GET", r->server.api_base() + "/datasets/ds1", "")));
  std::string got;
  CHECK(stalled.read_until(got) == RawClient::End::timeout);
  CHECK(got.empty());
  r.reset();  // stop + join: returns although both connections are open
  CHECK(idle.read_all().second != RawClient::End::timeout);
  CHECK(stalled.read_all().second != RawClient::End::timeout);
}

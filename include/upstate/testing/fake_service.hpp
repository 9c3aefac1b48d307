#pragma once
// testing::FakeService: the dataset API and S3 in one sans-I/O object.
// `handle(request, body, now)` answers as the real pair would (docs/service.md):
// datasets with or without a schema, presigned URLs that expire and check
// their signature and Content-Type, one-at-a-time processing per dataset in
// arrival order, JSONL/CSV validation (rules in fake_validation.hpp), V3
// (legacy) datasets whose status is polled instead of an import
// (fake_legacy.hpp), and scripted faults (fake_fault.hpp). Time is only ever the `now` argument:
// the same calls give the same answers, byte for byte.
//
// Routing is by URL prefix (scheme, host, port, path): `api_base` is the
// API, `upload_base` is S3; any other URL answers TransportError{connect},
// as an unknown host would.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "../vocabulary/dataset_status.hpp"
#include "../vocabulary/http.hpp"
#include "../detail/http_date.hpp"
#include "../vocabulary/import_status.hpp"
#include "../vocabulary/time.hpp"
#include "../detail/url.hpp"
#include "../wire/dataset.hpp"
#include "../wire/import_report.hpp"
#include "fake_fault.hpp"
#include "fake_json.hpp"
#include "fake_legacy.hpp"
#include "fake_s3.hpp"
#include "fake_signature.hpp"
#include "fake_bytes.hpp"
#include "fake_validation.hpp"

namespace upstate::testing {

struct FakeOptions {
  std::string api_base = "https://api.fake.test/api/v1/data-collection";
  // Presigned URLs point here; the host differs from the API's on purpose.
  std::string upload_base = "https://uploads.fake.test";
  std::string token = "fake-token";             // accepted as "Authorization: Token fake-token"
  std::chrono::seconds url_lifetime{900};       // X-Amz-Expires, clamped to 0..604800 (a week)
  UnixSeconds wall_clock_at_zero = 1795000000;  // wall time at Instant{} (deterministic)
  Duration processing_base{3000};               // per import
  Duration processing_per_record{1};
  std::size_t max_reported_errors = 50;                // errors[] cut to this; rejected_count stays exact
  bool send_content_type = true;                       // include content_type in step 1's answer
  bool sign_content_type = true;                       // X-Amz-SignedHeaders "content-type;host" vs "host"
  std::string signing_secret = "fake-signing-secret";  // keys the fake signature
  // V3 datasets: for this long after a file's bytes arrive, GET .../status
  // still shows the previous file's status (docs/service.md, "V3": whether
  // the status changes at once is UNCONFIRMED). 0: it changes at once.
  Duration legacy_status_lag{0};
  // pending_schema is a pause (docs/service.md, Step 3): by default an
  // import paused for want of a schema resumes when a PATCH sets one (it is
  // queued again and processed against the new schema); true models the
  // other reading, where it stays paused and only a new upload is ingested.
  bool pending_schema_stays = false;
};

struct FakeDatasetSpec {
  std::string id;
  std::string name;
  std::optional<Schema> schema;
  // A V3 dataset (schema_version 3; the schema is ignored): step 1 answers
  // without import_id, and GET /datasets/{id}/status reports the last
  // uploaded file's processing: UNINITIALISED, PROCESSING, READY or ERROR.
  bool legacy = false;
};

struct FakeReply {
  std::variant<Response, TransportError> result;
  Duration delay{0};  // deliver the answer this much after `now`

  const Response* response() const { return std::get_if<Response>(&result); }
  const TransportError* transport_error() const { return std::get_if<TransportError>(&result); }
};

class FakeService {
 public:
  struct Seen {
    Request request;
    Instant at;
    std::string host;                    // the URL's host ("" when the URL did not parse)
    Purpose purpose = Purpose::dataset;  // as the fake routed it (not request.purpose)
    bool faulted = false;                // a scripted fault answered it
  };

  // A trailing '/' on either base is dropped, so "{base}/datasets" and the
  // presigned "{upload_base}/raw-datasets/..." never hold "//".
  explicit FakeService(FakeOptions options = {}) : opts_(std::move(options)) {
    for (std::string* base : {&opts_.api_base, &opts_.upload_base})
      while (!base->empty() && base->back() == '/') base->pop_back();
    api_ = parse_url(opts_.api_base);
    upload_ = parse_url(opts_.upload_base);
  }

  const FakeOptions& options() const { return opts_; }

  // Adds the dataset, or replaces the name, schema and version of one with
  // that id (its imports are kept).
  void add_dataset(FakeDatasetSpec spec) {
    auto& d = datasets_[spec.id];
    d.id = std::move(spec.id);
    d.name = std::move(spec.name);
    d.legacy = spec.legacy;
    d.schema = spec.legacy ? std::nullopt : std::move(spec.schema);
  }

  // false when there is no such dataset, or it is a V3 one.
  bool set_schema(std::string_view dataset_id, Schema schema) {
    auto it = datasets_.find(dataset_id);
    if (it == datasets_.end() || it->second.legacy) return false;
    it->second.schema = std::move(schema);
    return true;
  }

  // Queued per purpose, first in first out.
  void inject(Fault fault) {
    if (fault.times <= 0) return;
    faults_[index_of(fault.purpose)].push_back(std::move(fault));
  }

  // body = the request body bytes (the file for the PUT; JSON for PATCH/POST); empty for GET.
  FakeReply handle(const Request& request, std::string_view body, Instant now) {
    auto url = parse_url(request.url);
    seen_.push_back({request, now, url ? url->host : std::string{}, Purpose::dataset, false});
    std::string_view rest;
    Host host = url ? route_host(*url, rest) : Host::none;
    if (host == Host::none)
      return {TransportError{TransportError::Kind::connect, "fake: no service at this URL"}, Duration{0}};
    std::vector<std::string_view> segments = split_segments(rest);
    Purpose purpose = host == Host::upload ? Purpose::upload : classify_api(segments);
    seen_.back().purpose = purpose;

    Duration delay{0};
    if (auto fault = take_fault(purpose)) {
      seen_.back().faulted = true;
      if (auto* s = std::get_if<FaultStatus>(&*fault)) return {fault_response(*s, purpose, now), Duration{0}};
      if (std::holds_alternative<FaultReset>(*fault))
        return {TransportError{TransportError::Kind::reset, "fake: connection reset by peer"}, Duration{0}};
      delay = std::get<FaultDelay>(*fault).delay;
    }
    Response r = host == Host::upload ? s3_put(request, *url, body, now) : api(request, segments, body, now);
    return {std::move(r), delay};
  }

  // Which step a request is, routed as handle() routes it; nullopt when no
  // service answers at its URL. Changes nothing.
  std::optional<Purpose> purpose_of(const Request& request) const {
    auto url = parse_url(request.url);
    std::string_view rest;
    Host host = url ? route_host(*url, rest) : Host::none;
    if (host == Host::none) return std::nullopt;
    return host == Host::upload ? Purpose::upload : classify_api(split_segments(rest));
  }

  // For a server that got `Expect: 100-continue`: every check that needs no
  // body, in handle()'s order. A scripted status or reset fault queued for
  // the step answers first; then the API's unknown path, token, method and
  // path encoding, or S3's method, Authorization, Transfer-Encoding, missing
  // Content-Length, signature and Content-Type, expiry and unsigned headers.
  // Returns the refusal handle() would give (recorded in requests(), a queued
  // delay fault applied to it), or nullopt — then nothing was recorded or
  // consumed: send 100 Continue, read the body and call handle().
  std::optional<FakeReply> precheck(const Request& request, Instant now) {
    auto url = parse_url(request.url);
    std::string_view rest;
    Host host = url ? route_host(*url, rest) : Host::none;
    if (host == Host::none) return handle(request, {}, now);  // no service: handle() answers connect, body unused
    std::vector<std::string_view> segments = split_segments(rest);
    Purpose purpose = host == Host::upload ? Purpose::upload : classify_api(segments);
    auto& queue = faults_[index_of(purpose)];
    if (!queue.empty() && !std::holds_alternative<FaultDelay>(queue.front().what))
      return handle(request, {}, now);  // the fault answers whatever the body

    // Recorded first, as handle() does, so the refusal carries the same request id.
    seen_.push_back({request, now, url->host, purpose, false});
    std::optional<Response> refusal;
    if (host == Host::upload) {
      auto head = s3_head(request, *url, now);
      if (auto* r = std::get_if<Response>(&head))
        refusal = std::move(*r);
      else
        refusal = s3_unsigned_headers(request, std::get<S3Target>(head), now);
    } else {
      refusal = api_head(request, segments, now);
    }
    if (!refusal) {
      seen_.pop_back();
      return std::nullopt;
    }
    Duration delay{0};
    if (auto fault = take_fault(purpose)) {  // only a delay can be queued here
      seen_.back().faulted = true;
      delay = std::get<FaultDelay>(*fault).delay;
    }
    return FakeReply{std::move(*refusal), delay};
  }

  const std::vector<Seen>& requests() const { return seen_; }

  std::optional<ImportReport> import_report(std::string_view import_id, Instant now) const {
    auto it = import_index_.find(import_id);
    if (it == import_index_.end()) return std::nullopt;
    const ImportState& im = imports_[it->second];
    ImportReport r;
    r.import_id = im.id;
    r.dataset_id = im.dataset_id;
    r.type = "file_upload";
    r.status = status_at(im, now);
    r.created_at = format_iso8601(wall_time(im.created));
    r.updated_at = format_iso8601(wall_time(updated_at(im, now)));
    r.filename = im.filename;
    if (im.start && now >= *im.start) r.processing_started_at = format_iso8601(wall_time(*im.start));
    if (r.status == ImportStatus::processing) {
      Progress p = progress_at(im, now);
      r.processed_offset = p.offset;
      r.written_count = p.written;
      r.duplicate_seen_count = p.duplicates;
      r.rejected_seen_count = p.rejected;
    }
    if (shows_accepted(r.status)) {
      r.accepted_count = im.result.accepted;
      r.duplicate_count = im.duplicates;
    }
    if (shows_rejected(im, r.status)) {
      r.rejected_count = im.result.rejected;
      for (const auto& e : im.result.errors) {
        rapidjson::StringBuffer buf;
        JsonWriter w(buf);
        write_record_error(w, e);
        r.errors.push_back(e.record_index, e.field, e.reason, std::string_view(buf.GetString(), buf.GetSize()));
      }
    }
    if (r.status == ImportStatus::failed) r.reason = im.result.reason;
    if (r.status == ImportStatus::partial) r.reason = partial_reason(im);
    return r;
  }

  // A V3 dataset's status at `now` (GET .../status without the HTTP);
  // nullopt for a V4 dataset or none.
  std::optional<DatasetStatus> dataset_status(std::string_view dataset_id, Instant now) const {
    auto it = datasets_.find(dataset_id);
    if (it == datasets_.end() || !it->second.legacy) return std::nullopt;
    return legacy_status(it->second, now);
  }

  // Sum of accepted_count − duplicate_count (the records written) over the
  // dataset's imports that are complete or partial at `now`; for a V3 dataset, the data rows of its file when READY.
  std::uint64_t total_datapoint_count(std::string_view dataset_id, Instant now) const {
    auto it = datasets_.find(dataset_id);
    if (it == datasets_.end()) return 0;
    if (it->second.legacy) {
      const ImportState* current = legacy_current(it->second);
      bool ready = current && legacy_status_of(status_at(*current, now)) == DatasetStatus::ready;
      return ready ? current->result.accepted : 0;
    }
    std::uint64_t total = 0;
    for (std::size_t i : it->second.imports) {
      ImportStatus s = status_at(imports_[i], now);
      if (s == ImportStatus::complete || s == ImportStatus::partial)
        total += imports_[i].result.accepted - imports_[i].duplicates;  // duplicates are not written twice
    }
    return total;
  }

  // In creation order (one per step-1 call that reached the service; none
  // for a V3 dataset).
  std::vector<std::string> import_ids(std::string_view dataset_id) const {
    std::vector<std::string> out;
    auto it = datasets_.find(dataset_id);
    if (it == datasets_.end()) return out;
    for (std::size_t i : it->second.imports) out.push_back(imports_[i].id);
    return out;
  }

  // The wall-clock time the fake shows at `now` (Date headers, X-Amz-Date).
  UnixSeconds wall_time(Instant now) const {
    return opts_.wall_clock_at_zero + std::chrono::floor<std::chrono::seconds>(now - Instant{}).count();
  }

 private:
  enum class Host { none, api, upload };

  // One step-1 call: a V4 import, or (legacy) an upload slot of a V3
  // dataset, whose id only names its S3 key.
  struct ImportState {
    std::string id, dataset_id, filename, content_type;
    FileKind kind = FileKind::jsonl;
    bool legacy = false;
    LegacyKind legacy_kind = LegacyKind::other;
    Instant created{};
    std::optional<Instant> received, start, end;  // set by the first successful PUT
    Validation result;
    std::uint64_t duplicates = 0;  // accepted records the dataset already held (not written again)
    std::uint64_t size = 0;        // the uploaded bytes
    // The bytes of an import paused in pending_schema, kept so it can resume
    // once a schema is set (the fake's files are small; freed on resume).
    std::optional<std::string> paused_body;
  };

  struct DatasetState {
    std::string id, name, workspace_id = "fake-workspace";
    Instant created{};
    std::optional<Schema> schema;
    std::vector<std::size_t> imports;   // indexes into imports_, creation order (V4 only)
    std::optional<Instant> busy_until;  // end of the last received import's processing
    bool legacy = false;                // V3
    std::optional<std::size_t> legacy_current;  // V3: the upload whose bytes arrived last (imports_)
    std::optional<std::size_t> legacy_previous;  // V3: the one before it (shown during legacy_status_lag)
    std::unordered_set<std::uint64_t> written;  // identities of the records written (V4), for duplicates
  };

  static constexpr std::size_t kMaxFilenameBytes = 1024;  // S3's key limit

  // --- routing ---------------------------------------------------------

  static std::size_t index_of(Purpose p) { return static_cast<std::size_t>(p); }

  static bool under(const Url& u, const std::optional<Url>& base, std::string_view& rest) {
    if (!base || u.scheme != base->scheme || !iequals(u.host, base->host) || u.port != base->port) return false;
    std::string_view prefix = base->path;
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    std::string_view path = u.path;
    if (path.substr(0, prefix.size()) != prefix) return false;
    rest = path.substr(prefix.size());
    return rest.empty() || rest.front() == '/';
  }

  Host route_host(const Url& u, std::string_view& rest) const {
    if (under(u, api_, rest)) return Host::api;
    if (under(u, upload_, rest)) return Host::upload;
    return Host::none;
  }

  // "/a/b%2Fc" -> {"a", "b%2Fc"}: split before decoding, so an encoded '/'
  // stays inside its segment.
  static std::vector<std::string_view> split_segments(std::string_view rest) {
    std::vector<std::string_view> out;
    if (rest.empty()) return out;
    rest.remove_prefix(1);
    for (;;) {
      auto slash = rest.find('/');
      out.push_back(rest.substr(0, slash));
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
    }
    return out;
  }

  enum class Route { datasets, dataset, upload_url, import, status, none };

  static Route api_route(const std::vector<std::string_view>& s) {
    if (s.empty() || s[0] != "datasets") return Route::none;
    if (s.size() == 1) return Route::datasets;
    if (s[1].empty()) return Route::none;
    if (s.size() == 2) return Route::dataset;
    if (s.size() == 3 && s[2] == "status") return Route::status;
    if (s.size() == 4 && !s[3].empty()) {
      if (s[2] == "upload-url") return Route::upload_url;
      if (s[2] == "imports") return Route::import;
    }
    return Route::none;
  }

  static Purpose classify_api(const std::vector<std::string_view>& s) {
    switch (api_route(s)) {
      case Route::upload_url: return Purpose::upload_url;
      case Route::import: return Purpose::poll;
      case Route::status: return Purpose::dataset_status;
      default: return Purpose::dataset;
    }
  }

  std::optional<std::variant<FaultStatus, FaultReset, FaultDelay>> take_fault(Purpose p) {
    auto& q = faults_[index_of(p)];
    if (q.empty()) return std::nullopt;
    auto what = q.front().what;
    if (--q.front().times <= 0) q.pop_front();
    return what;
  }

  // --- answers ---------------------------------------------------------

  Response answer(int status, std::string body, std::string_view content_type, Instant now) const {
    Response r;
    r.status = status;
    r.headers.push_back({"Date", format_http_date(wall_time(now))});
    if (!content_type.empty()) r.headers.push_back({"Content-Type", std::string(content_type)});
    r.body = std::move(body);
    return r;
  }

  Response json(int status, std::string body, Instant now) const {
    return answer(status, std::move(body), "application/json", now);
  }

  Response api_error(int status, std::string_view detail, Instant now) const {
    return json(status, api_error_json(status, detail), now);
  }

  // A validation failure: detail is an object of field messages.
  Response field_error(int status, std::string_view field, std::string_view message, Instant now) const {
    return json(status, api_field_error_json(status, field, message), now);
  }

  Response fault_response(const FaultStatus& f, Purpose p, Instant now) const {
    Response r;
    r.status = f.status;
    r.headers = f.headers;
    if (!find_header(r.headers, "Date")) r.headers.push_back({"Date", format_http_date(wall_time(now))});
    if (!f.body.empty() && !find_header(r.headers, "Content-Type"))
      r.headers.push_back({"Content-Type", p == Purpose::upload ? "application/xml" : "application/json"});
    r.body = f.body;
    return r;
  }

  // Deterministic, S3-looking (16 upper-case hex digits).
  std::string request_id() const {
    std::string id = hex64(fnv1a64(std::to_string(seen_.size())));
    for (char& c : id)
      if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    return id;
  }

  Response s3_error(int status, std::string_view code, std::string_view message, const XmlFields& extra,
                    Instant now) const {
    return answer(status, s3_error_xml(code, message, extra, request_id()), "application/xml", now);
  }

  // --- the API -----------------------------------------------------------

  // As a web framework does: an unknown path is 404 before any auth; on a
  // known one the token is checked before the method and the resource, so
  // a 404 never tells a stranger which datasets exist. nullopt: all passed.
  std::optional<Response> api_head(const Request& req, const std::vector<std::string_view>& segments,
                                   Instant now) const {
    Route route = api_route(segments);
    // An unknown path is answered before the API proper, in the flat shape.
    if (route == Route::none) return json(404, api_flat_error_json("Not found.", "No such API path."), now);

    const std::string* auth = find_header(req.headers, "Authorization");
    if (auth == nullptr || *auth != "Token " + opts_.token) {
      Response r = api_error(401, auth ? "Invalid token." : "Authentication credentials were not provided.", now);
      r.headers.push_back({"WWW-Authenticate", "Token"});
      return r;
    }

    std::string_view allow = route == Route::datasets ? "POST" : route == Route::dataset ? "GET, PATCH" : "GET";
    bool allowed = route == Route::datasets  ? req.method == "POST"
                   : route == Route::dataset ? req.method == "GET" || req.method == "PATCH"
                                             : req.method == "GET";
    if (!allowed) {
      Response r = api_error(405, "Method \"" + sanitize_utf8(req.method, 32) + "\" not allowed.", now);
      r.headers.push_back({"Allow", std::string(allow)});
      return r;
    }
    for (std::size_t i = 1; i < segments.size(); i += 2)  // the variable segments: 1 and 3
      if (!percent_decode(segments[i])) return api_error(400, "Malformed percent-encoding in the path.", now);
    return std::nullopt;
  }

  Response api(const Request& req, const std::vector<std::string_view>& segments, std::string_view body, Instant now) {
    if (auto refusal = api_head(req, segments, now)) return std::move(*refusal);
    Route route = api_route(segments);
    std::vector<std::string> decoded;
    for (std::size_t i = 1; i < segments.size(); i += 2) decoded.push_back(*percent_decode(segments[i]));

    switch (route) {
      case Route::datasets: return create_dataset(body, now);
      case Route::dataset:
        return req.method == "GET" ? get_dataset(decoded[0], now) : patch_dataset(decoded[0], body, now);
      case Route::upload_url: return new_upload_url(decoded[0], decoded[1], now);
      case Route::import: return get_import(decoded[0], decoded[1], now);
      case Route::status: return get_status(decoded[0], now);
      case Route::none: break;
    }
    return api_error(404, "Not found.", now);
  }

  Response get_dataset(const std::string& id, Instant now) const {
    auto it = datasets_.find(id);
    if (it == datasets_.end()) return api_error(404, "Dataset not found.", now);
    return json(200, dataset_json(it->second, now), now);
  }

  Response patch_dataset(const std::string& id, std::string_view body, Instant now) {
    auto it = datasets_.find(id);
    if (it == datasets_.end()) return api_error(404, "Dataset not found.", now);
    if (it->second.legacy) return api_error(400, "schema: a V3 (legacy) dataset takes no schema.", now);
    auto doc = read_json_object(body);
    if (auto* p = std::get_if<BodyProblem>(&doc)) return api_error(p->status, p->detail, now);
    const auto& obj = std::get<rapidjson::Document>(doc);
    auto schema_it = obj.FindMember("schema");
    if (schema_it == obj.MemberEnd()) return field_error(400, "schema", "This field is required.", now);
    auto schema = read_schema(schema_it->value);
    if (auto* p = std::get_if<BodyProblem>(&schema)) return api_error(p->status, p->detail, now);
    it->second.schema = std::move(std::get<Schema>(schema));
    if (!opts_.pending_schema_stays) resume_paused(it->second, now);
    return json(200, dataset_json(it->second, now), now);
  }

  Response create_dataset(std::string_view body, Instant now) {
    auto doc = read_json_object(body);
    if (auto* p = std::get_if<BodyProblem>(&doc)) return api_error(p->status, p->detail, now);
    const auto& obj = std::get<rapidjson::Document>(doc);
    auto name = obj.FindMember("name");
    if (name == obj.MemberEnd() || !name->value.IsString() || name->value.GetStringLength() == 0)
      return field_error(400, "name", "Must be a non-empty string.", now);
    auto workspace = obj.FindMember("workspace_id");
    if (workspace == obj.MemberEnd() || !workspace->value.IsString())
      return field_error(400, "workspace_id", "Must be a string.", now);
    std::optional<Schema> schema;
    if (auto s = obj.FindMember("schema"); s != obj.MemberEnd() && !s->value.IsNull()) {
      auto read = read_schema(s->value);
      if (auto* p = std::get_if<BodyProblem>(&read)) return api_error(p->status, p->detail, now);
      schema = std::move(std::get<Schema>(read));
    }
    std::string id = make_uuid("a000", ++dataset_counter_);
    auto& d = datasets_[id];
    d.id = id;
    d.name.assign(name->value.GetString(), name->value.GetStringLength());
    d.workspace_id.assign(workspace->value.GetString(), workspace->value.GetStringLength());
    d.created = now;
    d.schema = std::move(schema);
    return json(201, dataset_json(d, now), now);
  }

  Response new_upload_url(const std::string& dataset_id, const std::string& filename, Instant now) {
    auto it = datasets_.find(dataset_id);
    if (it == datasets_.end()) return api_error(404, "Dataset not found.", now);
    const bool legacy = it->second.legacy;
    auto kind = file_kind_of(filename);
    if (!is_safe_segment(filename) || filename.size() > kMaxFilenameBytes || (!kind && !legacy))
      return api_error(400, "Unsupported file type: the dataset accepts .jsonl and .csv files.", now);

    ImportState im;
    // V3 slots count apart, so adding a V3 dataset leaves V4 import ids as they were.
    im.id = legacy ? make_uuid("c000", ++legacy_counter_) : make_uuid("8000", ++import_counter_);
    im.dataset_id = dataset_id;
    im.filename = filename;
    im.legacy = legacy;
    if (legacy) {
      im.legacy_kind = legacy_kind_of(filename);
      im.content_type = std::string(content_type_of(im.legacy_kind));
    } else {
      im.kind = *kind;
      im.content_type = std::string(content_type_of(*kind));
    }
    im.created = now;
    std::string key =
        "/raw-datasets/" + percent_encode_segment(dataset_id) + "/" + im.id + "/" + percent_encode_segment(filename);
    std::string url =
        fake_presign({opts_.signing_secret, opts_.upload_base, key, wall_time(now),
                      std::clamp<std::int64_t>(opts_.url_lifetime.count(), 0, 604800),
                      opts_.sign_content_type ? std::optional<std::string>(im.content_type) : std::nullopt});
    auto parsed = parse_url(url);
    if (!parsed) return api_error(500, "fake: upload_base is not an absolute http(s) URL", now);
    // Index by the path S3 will see (the upload base's own path included).
    // A V3 slot is no import: the API shows it nowhere.
    path_index_[parsed->path] = imports_.size();
    if (!legacy) {
      import_index_[im.id] = imports_.size();
      it->second.imports.push_back(imports_.size());
    }
    imports_.push_back(im);

    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("upload_url");
    write_string(w, url, 1u << 16);
    w.Key("http_method");
    w.String("PUT");
    if (!legacy) {
      w.Key("import_id");
      write_string(w, im.id);
    }
    if (opts_.send_content_type) {
      w.Key("content_type");
      write_string(w, im.content_type);
    }
    w.Key("dataset_id");
    write_string(w, dataset_id);
    w.Key("expires_at");
    write_string(w, format_iso8601(wall_time(now) + std::clamp<std::int64_t>(opts_.url_lifetime.count(), 0, 604800)));
    w.Key("file_key");
    write_string(w, key.substr(1), 1u << 16);  // the S3 key: the path without its leading '/'
    w.EndObject();
    // 201 Created: each call creates an import (the official client accepts only 201).
    return json(201, std::string(buf.GetString(), buf.GetSize()), now);
  }

  Response get_import(const std::string& dataset_id, const std::string& import_id, Instant now) const {
    auto it = import_index_.find(import_id);
    // Another dataset's import is as invisible as a missing one.
    if (it == import_index_.end() || imports_[it->second].dataset_id != dataset_id)
      return api_error(404, "Import not found.", now);
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    write_import(w, imports_[it->second], now);
    return json(200, std::string(buf.GetString(), buf.GetSize()), now);
  }

  // V3: {"status": "PROCESSING"} and, on ERROR, the reason. A V4 dataset
  // has no such resource.
  Response get_status(const std::string& dataset_id, Instant now) const {
    auto it = datasets_.find(dataset_id);
    if (it == datasets_.end()) return api_error(404, "Dataset not found.", now);
    if (!it->second.legacy) return api_error(404, "Not found: only a V3 (legacy) dataset has a status.", now);
    DatasetStatus status = legacy_status(it->second, now);
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("status");
    write_string(w, to_string(status));
    if (status == DatasetStatus::error) {
      w.Key("reason");
      write_string(w, legacy_current(it->second)->result.reason);
    }
    w.EndObject();
    return json(200, std::string(buf.GetString(), buf.GetSize()), now);
  }

  const ImportState* legacy_current(const DatasetState& d) const {
    return d.legacy_current ? &imports_[*d.legacy_current] : nullptr;
  }

  DatasetStatus legacy_status(const DatasetState& d, Instant now) const {
    const ImportState* current = legacy_current(d);
    if (current && now < *current->received + opts_.legacy_status_lag)  // the change not shown yet
      return d.legacy_previous ? legacy_status_of(status_at(imports_[*d.legacy_previous], now))
                               : DatasetStatus::uninitialised;
    return current ? legacy_status_of(status_at(*current, now)) : DatasetStatus::uninitialised;
  }

  // --- S3 ----------------------------------------------------------------

  // What the head checks found, for the checks after them.
  struct S3Target {
    PresignedParams params;
    std::size_t import_index = 0;
  };

  // The checks run in a fixed order (each one answers alone), as listed:
  // these need no body (precheck() runs them before 100 Continue).
  std::variant<Response, S3Target> s3_head(const Request& req, const Url& url, Instant now) const {
    if (req.method != "PUT") {
      Response r = s3_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                            {{"Method", req.method}, {"ResourceType", "OBJECT"}}, now);
      r.headers.push_back({"Allow", "PUT"});
      return r;
    }
    // S3 refuses a second auth mechanism, and (really) echoes the header's
    // value: a leaked token would show up right here.
    if (const std::string* auth = find_header(req.headers, "Authorization"))
      return s3_error(400, "InvalidArgument",
                      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
                      "string parameter or the Authorization header should be specified",
                      {{"ArgumentName", "Authorization"}, {"ArgumentValue", *auth}}, now);
    if (find_header(req.headers, "Transfer-Encoding"))
      return s3_error(501, "NotImplemented", "A header you provided implies functionality that is not implemented",
                      {{"Header", "Transfer-Encoding"}}, now);
    // Neither a Content-Length header nor a FileBody the transport would
    // declare: what S3 answers to a PUT that sends no length.
    if (!find_header(req.headers, "Content-Length") && !req.file)
      return s3_error(411, "MissingContentLength", s3_default_message("MissingContentLength"), {}, now);

    const std::string* content_type = find_header(req.headers, "Content-Type");
    auto params = read_presigned_params(url.query);
    auto found = path_index_.find(url.path);
    const ImportState* im = found == path_index_.end() ? nullptr : &imports_[found->second];
    std::optional<std::string> signed_type;
    if (params && im && params->signs("content-type")) signed_type = im->content_type;
    if (!params || !im ||
        fake_signature(opts_.signing_secret, "PUT", url.path, params->unsigned_query, signed_type) != params->signature)
      return signature_mismatch(url, params, content_type, now);
    if (signed_type && (!content_type || *content_type != *signed_type))
      return signature_mismatch(url, params, content_type, now);

    UnixSeconds expires_at = params->signed_at + params->expires_seconds;
    if (wall_time(now) > expires_at)
      return s3_error(403, "AccessDenied", "Request has expired",
                      {{"X-Amz-Expires", std::to_string(params->expires_seconds)},
                       {"Expires", format_iso8601(expires_at)},
                       {"ServerTime", format_iso8601(wall_time(now))}},
                      now);
    return S3Target{std::move(*params), found->second};
  }

  std::optional<Response> s3_unsigned_headers(const Request& req, const S3Target& target, Instant now) const {
    std::string unsigned_headers;
    for (const auto& h : req.headers) {
      bool needs_signing = istarts_with(h.name, "x-amz-") || iequals(h.name, "Content-MD5");
      if (needs_signing && !target.params.signs(h.name)) {
        if (!unsigned_headers.empty()) unsigned_headers += ", ";
        unsigned_headers += ascii_lower(h.name);
      }
    }
    if (!unsigned_headers.empty())
      return s3_error(403, "AccessDenied", "There were headers present in the request which were not signed",
                      {{"HeadersNotSigned", unsigned_headers}}, now);
    return std::nullopt;
  }

  Response s3_put(const Request& req, const Url& url, std::string_view body, Instant now) {
    auto head = s3_head(req, url, now);
    if (auto* refusal = std::get_if<Response>(&head)) return std::move(*refusal);
    const S3Target& target = std::get<S3Target>(head);

    // The transport sets Content-Length from the request's FileBody; a body
    // of another length is what a stalled or truncated sender delivers.
    std::optional<std::uint64_t> declared;
    if (const std::string* cl = find_header(req.headers, "Content-Length")) {
      declared = parse_length(*cl);
      if (!declared) declared = UINT64_MAX;  // unreadable: cannot match
    } else if (req.file) {
      declared = req.file->size;
    }
    if (declared && *declared != body.size())
      return s3_error(400, "IncompleteBody", s3_default_message("IncompleteBody"), {}, now);

    if (auto refusal = s3_unsigned_headers(req, target, now)) return std::move(*refusal);

    // A second PUT overwrites the object, but the import already started
    // from the first one: answered 200 and otherwise ignored.
    if (!imports_[target.import_index].received) receive(target.import_index, body, now);
    Response r = answer(200, {}, {}, now);
    r.headers.push_back({"ETag", "\"" + fnv_hex(body, 2) + "\""});
    r.headers.push_back({"x-amz-request-id", request_id()});
    return r;
  }

  static std::optional<std::uint64_t> parse_length(std::string_view s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
  }

  // S3 shows what it signed, so a client can tell which header differed.
  Response signature_mismatch(const Url& url, const std::optional<PresignedParams>& params,
                              const std::string* content_type, Instant now) const {
    std::string canonical = "PUT\n" + url.path + "\n" + (params ? params->unsigned_query : url.query) + "\n";
    std::string signed_list;
    if (params)
      for (const auto& h : params->signed_headers) {
        if (!signed_list.empty()) signed_list += ';';
        signed_list += h;
        canonical += h + ":";
        if (h == "host") canonical += url.authority();
        if (h == "content-type" && content_type) canonical += *content_type;
        canonical += "\n";
      }
    canonical += "\n" + signed_list + "\nUNSIGNED-PAYLOAD";
    std::string date = params ? format_amz_date(params->signed_at) : std::string{};
    std::string string_to_sign = "AWS4-HMAC-SHA256\n" + date + "\n" + date.substr(0, 8) + "/" +
                                 std::string(kFakeRegion) + "/s3/aws4_request\n" + fnv_hex(canonical, 4);
    return s3_error(403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your "
                    "key and signing method.",
                    {{"AWSAccessKeyId", std::string(kFakeAccessKey)},
                     {"StringToSign", string_to_sign},
                     {"SignatureProvided", params ? params->signature : std::string{}},
                     {"CanonicalRequest", canonical}},
                    now);
  }

  // --- processing ----------------------------------------------------------

  // One import at a time per dataset, in PUT-arrival order: it starts when
  // it arrives or when the previous one ends, whichever is later.
  void receive(std::size_t index, std::string_view body, Instant now) {
    ImportState& im = imports_[index];
    DatasetState& d = datasets_[im.dataset_id];
    im.received = now;
    if (im.legacy) {
      im.result = validate_legacy_upload(im.legacy_kind, body);
      d.legacy_previous = d.legacy_current;
      d.legacy_current = index;
    } else {
      im.result = validate_upload(im.kind, body, d.schema, opts_.max_reported_errors);
      write_records(im, d);
      if (im.result.status == ImportStatus::pending_schema) im.paused_body.emplace(body);
    }
    im.size = body.size();
    Instant start = d.busy_until ? std::max(now, *d.busy_until) : now;
    im.start = start;
    im.end =
        start + opts_.processing_base + opts_.processing_per_record * static_cast<Duration::rep>(im.result.records);
    d.busy_until = im.end;
  }

  // A schema was set: each import of the dataset paused in pending_schema
  // is queued again (after whatever the dataset is processing) and judged
  // against the new schema, once: its records are written only now.
  void resume_paused(DatasetState& d, Instant now) {
    for (std::size_t index : d.imports) {
      ImportState& im = imports_[index];
      if (!im.paused_body) continue;
      std::string body = std::move(*im.paused_body);
      im.paused_body.reset();
      im.result = validate_upload(im.kind, body, d.schema, opts_.max_reported_errors);
      write_records(im, d);
      Instant start = d.busy_until ? std::max(now, *d.busy_until) : now;
      im.start = start;
      im.end = start + opts_.processing_base +
               opts_.processing_per_record * static_cast<Duration::rep>(im.result.records);
      d.busy_until = im.end;
    }
  }

  // The accepted records go into the dataset, each identity once: one the
  // dataset already holds (from an earlier import, or earlier in this file)
  // is a duplicate. Decided on arrival, which is processing order: imports
  // of a dataset are processed one at a time in arrival order.
  static void write_records(ImportState& im, DatasetState& d) {
    if (im.result.status != ImportStatus::complete && im.result.status != ImportStatus::partial) return;
    for (std::uint64_t key : im.result.accepted_keys)
      if (!d.written.insert(key).second) ++im.duplicates;
    im.result.accepted_keys.clear();
    im.result.accepted_keys.shrink_to_fit();
  }

  // What processing has got through at `t` (start <= t < end): the fake
  // goes through the file at an even pace over its processing time, so the
  // offset (bytes) and the running counts grow in proportion.
  struct Progress {
    std::uint64_t offset = 0, written = 0, duplicates = 0, rejected = 0;
  };
  static Progress progress_at(const ImportState& im, Instant t) {
    const auto total = (*im.end - *im.start).count();
    const auto done = std::clamp<Duration::rep>((t - *im.start).count(), 0, total);
    auto part = [&](std::uint64_t whole) {
      return total <= 0 ? whole
                        : static_cast<std::uint64_t>(static_cast<long double>(whole) * static_cast<long double>(done) /
                                                     static_cast<long double>(total));
    };
    const std::uint64_t dups = std::min(im.duplicates, im.result.accepted);
    return {part(im.size), part(im.result.accepted - dups), part(dups), part(im.result.rejected)};
  }

  static ImportStatus status_at(const ImportState& im, Instant t) {
    if (!im.received || t < *im.received) return ImportStatus::uninitialised;
    if (t < *im.start) return ImportStatus::queued;
    if (t < *im.end) return ImportStatus::processing;
    return im.result.status;
  }

  // When the status last changed, at or before `t`.
  static Instant updated_at(const ImportState& im, Instant t) {
    if (!im.received || t < *im.received) return im.created;
    if (t >= *im.end) return *im.end;
    if (t >= *im.start) return *im.start;
    return *im.received;
  }

  static std::string partial_reason(const ImportState& im) {
    return std::to_string(im.result.rejected) + " of " + std::to_string(im.result.records) + " records were rejected";
  }

  static bool shows_accepted(ImportStatus s) { return s == ImportStatus::complete || s == ImportStatus::partial; }

  // rejected_count and errors: on partial, and on a failure that judged the
  // records (every one rejected).
  static bool shows_rejected(const ImportState& im, ImportStatus s) {
    return s == ImportStatus::partial || (s == ImportStatus::failed && im.result.counted);
  }

  static void write_record_error(JsonWriter& w, const FakeRecordError& e) {
    w.StartObject();
    w.Key("record_index");
    w.Uint64(e.record_index);
    w.Key("field");
    write_string(w, e.field);
    w.Key("reason");
    write_string(w, e.reason);
    w.EndObject();
  }

  void write_import(JsonWriter& w, const ImportState& im, Instant now) const {
    ImportStatus s = status_at(im, now);
    w.StartObject();
    w.Key("dataset_id");
    write_string(w, im.dataset_id);
    w.Key("import_id");
    write_string(w, im.id);
    w.Key("type");
    w.String("file_upload");
    w.Key("status");
    write_string(w, to_string(s));
    w.Key("created_at");
    write_string(w, format_iso8601(wall_time(im.created)));
    w.Key("updated_at");
    write_string(w, format_iso8601(wall_time(updated_at(im, now))));
    w.Key("filename");
    write_string(w, im.filename, kMaxFilenameBytes);
    if (im.start && now >= *im.start) {
      w.Key("processing_started_at");
      write_string(w, format_iso8601(wall_time(*im.start)));
    }
    if (s == ImportStatus::processing) {  // the running figures (docs/service.md, Step 3)
      Progress p = progress_at(im, now);
      w.Key("processed_offset");
      w.Uint64(p.offset);
      w.Key("written_count");
      w.Uint64(p.written);
      w.Key("duplicate_seen_count");
      w.Uint64(p.duplicates);
      w.Key("rejected_seen_count");
      w.Uint64(p.rejected);
    }
    if (shows_accepted(s)) {
      w.Key("accepted_count");
      w.Uint64(im.result.accepted);
      w.Key("duplicate_count");
      w.Uint64(im.duplicates);
    }
    if (shows_rejected(im, s)) {
      w.Key("rejected_count");
      w.Uint64(im.result.rejected);
      w.Key("errors");
      w.StartArray();
      for (const auto& e : im.result.errors) write_record_error(w, e);
      w.EndArray();
    }
    if (s == ImportStatus::failed) {
      w.Key("reason");
      write_string(w, im.result.reason);
    } else if (s == ImportStatus::partial) {  // as the documented example does ("2 records rejected")
      w.Key("reason");
      write_string(w, partial_reason(im));
    }
    w.EndObject();
  }

  std::string dataset_json(const DatasetState& d, Instant now) const {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("id");
    write_string(w, d.id);
    w.Key("name");
    write_string(w, d.name);
    w.Key("workspace_id");
    write_string(w, d.workspace_id);
    w.Key("created_at");
    write_string(w, format_iso8601(wall_time(d.created)));
    w.Key("created_by");
    w.String("fake-user");
    w.Key("total_datapoint_count");
    w.Uint64(total_datapoint_count(d.id, now));
    w.Key("schema_version");
    w.Int(d.legacy ? 3 : 4);
    if (d.legacy) {
      w.Key("status");
      write_string(w, to_string(legacy_status(d, now)));
      if (const ImportState* current = legacy_current(d)) {
        w.Key("filename");
        write_string(w, current->filename, kMaxFilenameBytes);
      }
      w.EndObject();
      return {buf.GetString(), buf.GetSize()};
    }
    if (d.schema) {
      w.Key("schema");
      write_schema(w, *d.schema);
    }
    w.Key("imports");
    w.StartArray();
    // Most recent first, as documented (docs/service.md, The dataset).
    for (auto i_it = d.imports.rbegin(); i_it != d.imports.rend(); ++i_it) {
      const ImportState& im = imports_[*i_it];
      ImportStatus s = status_at(im, now);
      w.StartObject();
      w.Key("import_id");
      write_string(w, im.id);
      w.Key("status");
      write_string(w, to_string(s));
      if (shows_accepted(s)) {
        w.Key("accepted_count");
        w.Uint64(im.result.accepted);
        w.Key("duplicate_count");
        w.Uint64(im.duplicates);
      }
      if (shows_rejected(im, s)) {
        w.Key("rejected_count");
        w.Uint64(im.result.rejected);
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
  }

  // Deterministic uuid-looking ids: "00000000-0000-4000-<variant>-<counter>".
  static std::string make_uuid(std::string_view variant, std::uint64_t n) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "00000000-0000-4000-%.4s-%012llu", variant.data(),
                  static_cast<unsigned long long>(n % 1000000000000ULL));
    return buf;
  }

  FakeOptions opts_;
  std::optional<Url> api_, upload_;
  std::map<std::string, DatasetState, std::less<>> datasets_;
  std::vector<ImportState> imports_;                              // creation order
  std::map<std::string, std::size_t, std::less<>> import_index_;  // import id -> imports_
  std::map<std::string, std::size_t, std::less<>> path_index_;    // S3 path -> imports_
  std::array<std::deque<Fault>, kPurposeCount> faults_;           // per Purpose
  std::vector<Seen> seen_;
  std::uint64_t import_counter_ = 0, dataset_counter_ = 0, legacy_counter_ = 0;
};

}  // namespace upstate::testing

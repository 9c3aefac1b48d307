// upstate 0.1.0 -- single-header offline testing kit: FakeService, FakeTransport, ManualClock, printers; the Trompeloeil mocks when Trompeloeil is included first
//
// Copyright (c) 2026 the upstate authors. MIT License: see LICENSE
// (SPDX-License-Identifier: MIT); the licence text is reproduced at the
// end of this file.
//
// GENERATED FILE -- do not edit. Made by tools/amalgamate from include/upstate/testing.hpp
// and the project headers it includes (14 files, each once, in the order
// the preprocessor reaches them). Edit include/upstate/ and rerun
// tools/amalgamate; `tools/amalgamate --check` (CTest amalgamation.fresh)
// fails when this file is stale.
//
// Header-only by default. Separate compilation (README, "Compile time"):
// -DUPSTATE_SEPARATE_COMPILATION everywhere, and in one .cpp
// `#define UPSTATE_IMPLEMENTATION` before `#include "upstate.hpp"`.
#ifndef UPSTATE_SINGLE_INCLUDE_UPSTATE_TESTING_HPP
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_TESTING_HPP

// What this file builds on, from the files next to it.
#include "upstate.hpp"
#include "upstate_records.hpp"
#include "upstate_ostream.hpp"

// ---- begin include/upstate/testing.hpp ----
// The offline testing kit, for tests only (the core, <upstate/upstate.hpp>,
// does not include it): FakeService (the API and S3 in one in-process
// object), FakeTransport, ManualClock, and printers so that a failed check
// shows `partial`, not `2`:
//   - Catch2 StringMakers, when <catch2/catch.hpp> is included before this
//     file (testing/catch_printers.hpp);
//   - the Trompeloeil mocks MockTransport and MockClock, with printers for
//     the arguments, when Trompeloeil (e.g. <catch2/trompeloeil.hpp>) is
//     included before this file (testing/mocks.hpp).
// The single header single_include/upstate_testing.hpp is this file, made
// by tools/amalgamate.

// ---- begin include/upstate/testing/fake_service.hpp ----
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
#include <deque>
#include <map>
#include <unordered_set>

// ---- begin include/upstate/testing/fake_fault.hpp ----
// Scripted faults: "fail the next N requests of a kind". A fault stands for
// trouble in front of the service (a gateway, a throttle, the network), so a
// faulted request changes no state, except FaultDelay, which is a normal
// answer that arrives late.

// ---- begin include/upstate/testing/fake_json.hpp ----
// JSON the fake API writes and reads. Written with RapidJSON's Writer (never
// by string pasting), every string repaired to valid UTF-8 and bounded first,
// so whatever a request carried, the answer is well-formed JSON.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

// ---- begin include/upstate/testing/fake_bytes.hpp ----
// Byte-level helpers the fake service shares: UTF-8 checking and repair,
// XML escaping, and a keyed non-cryptographic hash. Everything a request
// carries may be echoed in an answer, so it is repaired (valid UTF-8),
// bounded (cut at a character boundary) and escaped before it is written.

namespace upstate::testing {

// The same check as the uploader's preflight (records/utf8_check.hpp).
inline bool is_valid_utf8(std::string_view s) noexcept {
  Utf8Check utf8;
  utf8.feed(s);
  return utf8.finish();
}

// Valid UTF-8 of at most about `max_bytes`: each invalid byte becomes U+FFFD
// and the text is cut at a character boundary (with "..." when cut), so an
// echo of hostile input is always well-formed and small.
inline std::string sanitize_utf8(std::string_view s, std::size_t max_bytes = 256) {
  std::string out;
  out.reserve(s.size() < max_bytes ? s.size() : max_bytes);
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = upstate::detail::utf8_sequence_length(s, i);
    std::string_view piece = n == 0 ? std::string_view{"\xEF\xBF\xBD"} : s.substr(i, n);
    if (out.size() + piece.size() > max_bytes) {
      out += "...";
      break;
    }
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

// Text content / attribute value for XML 1.0. Control characters XML cannot
// carry at all become '?'; the input is sanitized (and bounded) first.
inline std::string xml_escape(std::string_view s, std::size_t max_bytes = 1024) {
  std::string clean = sanitize_utf8(s, max_bytes);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

// FNV-1a 64. Not a MAC: the fake only needs "any change to the signed parts
// changes the signature", not resistance to a forger.
inline std::uint64_t fnv1a64(std::string_view data, std::uint64_t h = kFnvOffset) noexcept {
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

inline std::string hex64(std::uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = kHex[v & 15];
  return out;
}

// `words` 64-bit FNV lanes (each seeded differently) as hex, so fake
// signatures and ETags have the length of the real ones (64 / 32 chars).
inline std::string fnv_hex(std::string_view data, int words) {
  std::string out;
  for (int w = 0; w < words; ++w) {
    std::uint64_t seed = fnv1a64(std::string_view("lane"), kFnvOffset + static_cast<std::uint64_t>(w));
    out += hex64(fnv1a64(data, seed));
  }
  return out;
}

inline bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace upstate::testing
// ---- end include/upstate/testing/fake_bytes.hpp ----

namespace upstate::testing {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void write_string(JsonWriter& w, std::string_view s, std::size_t max_bytes = 4096) {
  std::string clean = sanitize_utf8(s, max_bytes);
  w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

inline void write_key(JsonWriter& w, std::string_view key) {
  std::string clean = sanitize_utf8(key, 4096);
  w.Key(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

inline std::string_view http_reason(int status) noexcept {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

// The API's numeric `error_code`s are not public; these are made up, one per
// status, so clients can be tested for reading (not interpreting) them.
constexpr long long fake_error_code(int status) noexcept { return 140000 + status; }

// {"error":{"status":..,"error_code":..,"title":"..","detail":".."}}
inline std::string api_error_json(int status, std::string_view detail) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("status");
  w.Int(status);
  w.Key("error_code");
  w.Int64(fake_error_code(status));
  w.Key("title");
  write_string(w, http_reason(status));
  w.Key("detail");
  write_string(w, detail, 1024);
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// {"error":{..,"title":"..","detail":{"<field>":["<message>"]}}}: a
// validation failure, detail as an object of field messages.
inline std::string api_field_error_json(int status, std::string_view field, std::string_view message) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("status");
  w.Int(status);
  w.Key("error_code");
  w.Int64(fake_error_code(status));
  w.Key("title");
  write_string(w, http_reason(status));
  w.Key("detail");
  w.StartObject();
  w.Key(field.data(), static_cast<rapidjson::SizeType>(field.size()));
  w.StartArray();
  write_string(w, message, 1024);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// {"message":"..","detail":".."}: the flatter shape some answers use (no
// "error" object, no error_code).
inline std::string api_flat_error_json(std::string_view message, std::string_view detail) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("message");
  write_string(w, message, 1024);
  w.Key("detail");
  write_string(w, detail, 1024);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

inline void write_schema(JsonWriter& w, const Schema& schema) {
  w.StartObject();
  w.Key("strict");
  w.Bool(schema.strict);
  w.Key("fields");
  w.StartObject();
  for (const auto& f : schema.fields) {
    write_key(w, f.name);
    w.StartObject();
    w.Key("type");
    write_string(w, f.type);
    if (!f.label.empty()) {
      w.Key("label");
      write_string(w, f.label);
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
}

inline constexpr std::size_t kMaxSchemaFields = 1000;

inline bool is_known_field_type(std::string_view t) noexcept {
  return t == "text" || t == "image_url" || t == "audio_url" || t == "video_url" || t == "metadata" ||
         t == "task_group_id";
}

// A refusal of a request body: the HTTP status (400 shape, 422 meaning) and
// the detail text.
struct BodyProblem {
  int status = 400;
  std::string detail;
};

// {"strict": bool?, "fields": {name: {"type": str, "label": str?}}} as the
// API takes it. Unknown keys are ignored; a wrong shape is a 400, a schema
// the service would refuse (unknown type, two task_group_id fields, too many
// fields) a 422.
inline std::variant<Schema, BodyProblem> read_schema(const rapidjson::Value& v) {
  if (!v.IsObject()) return BodyProblem{400, "schema: must be an object"};
  Schema s;
  if (auto it = v.FindMember("strict"); it != v.MemberEnd()) {
    if (!it->value.IsBool()) return BodyProblem{400, "schema.strict: must be a boolean"};
    s.strict = it->value.GetBool();
  }
  auto fields = v.FindMember("fields");
  if (fields == v.MemberEnd() || !fields->value.IsObject()) return BodyProblem{400, "schema.fields: must be an object"};
  if (fields->value.MemberCount() > kMaxSchemaFields)
    return BodyProblem{422, "schema.fields: more than " + std::to_string(kMaxSchemaFields) + " fields"};
  int task_groups = 0;
  for (const auto& m : fields->value.GetObject()) {
    SchemaField f;
    f.name.assign(m.name.GetString(), m.name.GetStringLength());
    std::string where = "schema.fields." + sanitize_utf8(f.name, 128);
    if (!m.value.IsObject()) return BodyProblem{400, where + ": must be an object"};
    auto type = m.value.FindMember("type");
    if (type == m.value.MemberEnd() || !type->value.IsString())
      return BodyProblem{400, where + ".type: must be a string"};
    f.type.assign(type->value.GetString(), type->value.GetStringLength());
    if (!is_known_field_type(f.type)) return BodyProblem{422, where + ".type: unknown field type"};
    if (f.type == "task_group_id" && ++task_groups > 1)
      return BodyProblem{422, "schema: at most one task_group_id field"};
    if (auto label = m.value.FindMember("label"); label != m.value.MemberEnd()) {
      if (!label->value.IsString()) return BodyProblem{400, where + ".label: must be a string"};
      f.label.assign(label->value.GetString(), label->value.GetStringLength());
    }
    for (const auto& known : s.fields)
      if (known.name == f.name) return BodyProblem{400, where + ": repeated field"};
    s.fields.push_back(std::move(f));
  }
  return s;
}

inline constexpr std::size_t kMaxJsonBodyBytes = 1u << 20;

// Parses a request body as a JSON object, bounded in size and (iterative
// parsing) in stack depth.
inline std::variant<rapidjson::Document, BodyProblem> read_json_object(std::string_view body) {
  if (body.size() > kMaxJsonBodyBytes) return BodyProblem{400, "request body too large"};
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) return BodyProblem{400, "request body is not valid JSON"};
  if (!doc.IsObject()) return BodyProblem{400, "request body must be a JSON object"};
  return doc;
}

}  // namespace upstate::testing
// ---- end include/upstate/testing/fake_json.hpp ----

// ---- begin include/upstate/testing/fake_s3.hpp ----
// S3's XML error document, as S3 writes it:
// <?xml version="1.0" encoding="UTF-8"?>
// <Error><Code>..</Code><Message>..</Message>..extra..<RequestId>..</RequestId><HostId>..</HostId></Error>

namespace upstate::testing {

using XmlFields = std::vector<std::pair<std::string, std::string>>;

// `extra` children (name, text) go between <Message> and <RequestId>; names
// are ours, texts may come from the request and are escaped and bounded.
inline std::string s3_error_xml(std::string_view code, std::string_view message, const XmlFields& extra = {},
                                std::string_view request_id = "FAKE0000000000000000") {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>";
  x += xml_escape(code);
  x += "</Code><Message>";
  x += xml_escape(message);
  x += "</Message>";
  for (const auto& [name, text] : extra) {
    x += "<" + name + ">";
    x += xml_escape(text, 4096);
    x += "</" + name + ">";
  }
  x += "<RequestId>";
  x += xml_escape(request_id);
  x += "</RequestId><HostId>ZmFrZS1zMy1ob3N0LWlk</HostId></Error>";
  return x;
}

// S3's default texts for the codes the fake and its faults use.
inline std::string_view s3_default_message(std::string_view code) noexcept {
  if (code == "SlowDown") return "Please reduce your request rate.";
  if (code == "InternalError") return "We encountered an internal error. Please try again.";
  if (code == "ServiceUnavailable") return "Service is unable to handle request.";
  if (code == "RequestTimeout")
    return "Your socket connection to the server was not read from or written to within the timeout period. "
           "Idle connections will be closed.";
  if (code == "ExpiredToken") return "The provided token has expired.";
  if (code == "IncompleteBody")
    return "You did not provide the number of bytes specified by the Content-Length HTTP header";
  if (code == "MissingContentLength") return "You must provide the Content-Length HTTP header.";
  if (code == "EntityTooLarge") return "Your proposed upload exceeds the maximum allowed size";
  return "We encountered an error.";
}

// The code S3 would send with a bare status (for faults given only one).
inline std::string_view s3_code_for_status(int status) noexcept {
  switch (status) {
    case 400: return "BadRequest";
    case 403: return "AccessDenied";
    case 500: return "InternalError";
    case 503: return "SlowDown";
    default: return "ServiceUnavailable";
  }
}

}  // namespace upstate::testing
// ---- end include/upstate/testing/fake_s3.hpp ----

namespace upstate::testing {

// Answer with this status, headers and body (the fake adds `Date`, and a
// `Content-Type` when the body is not empty and none is given).
struct FaultStatus {
  int status = 503;
  Headers headers;
  std::string body;
};

// The connection breaks: TransportError{reset}.
struct FaultReset {};

// The normal answer, `delay` later (FakeReply::delay): the service acts at
// `now` (state changes, Date header), the network brings the answer late.
struct FaultDelay {
  Duration delay{0};
};

struct Fault {
  Purpose purpose = Purpose::upload_url;  // which step it hits (the fake classifies requests by route)
  int times = 1;                          // how many requests it hits; <= 0 hits none
  std::variant<FaultStatus, FaultReset, FaultDelay> what;

  static Fault status(Purpose p, int status, std::string body = {}, Headers headers = {}, int times = 1) {
    return {p, times, FaultStatus{status, std::move(headers), std::move(body)}};
  }

  // `status` with a Retry-After header and the error body the step's host
  // writes (API JSON, or S3 XML with the code S3 uses for that status).
  static Fault retry_after(Purpose p, int status, std::string retry_after_value, int times = 1) {
    Headers h{{"Retry-After", std::move(retry_after_value)}};
    if (p == Purpose::upload) {
      std::string_view code = s3_code_for_status(status);
      h.push_back({"Content-Type", "application/xml"});
      return {p, times, FaultStatus{status, std::move(h), s3_error_xml(code, s3_default_message(code))}};
    }
    h.push_back({"Content-Type", "application/json"});
    return {p, times, FaultStatus{status, std::move(h), api_error_json(status, "Request was throttled.")}};
  }

  // 200 with `body` (not what the step promises: bad JSON, a wrong type...).
  static Fault malformed(Purpose p, std::string body, int times = 1) {
    return {p, times, FaultStatus{200, {}, std::move(body)}};
  }

  static Fault reset(Purpose p, int times = 1) { return {p, times, FaultReset{}}; }

  static Fault delay(Purpose p, Duration d, int times = 1) { return {p, times, FaultDelay{d}}; }

  // S3 says the URL expired whatever the clocks say (skew between the API
  // that signed and S3). The real, time-driven expiry answer also carries
  // <Expires> and <ServerTime>; this scripted one has no times to give.
  static Fault s3_expired(int times = 1) { return s3_error(403, "AccessDenied", "Request has expired", times); }

  static Fault s3_error(int status, std::string code, std::string message, int times = 1) {
    return {Purpose::upload, times,
            FaultStatus{status, {{"Content-Type", "application/xml"}}, s3_error_xml(code, message)}};
  }
};

}  // namespace upstate::testing
// ---- end include/upstate/testing/fake_fault.hpp ----

// ---- begin include/upstate/testing/fake_legacy.hpp ----
// What the fake service decides about a file uploaded to a V3 (legacy)
// dataset. A V3 dataset has no schema and no import jobs; the fake judges
// the file as a whole (the real rules are not public):
//   - the name must end in .csv or .zip, in any case (as for V4 files,
//     docs/service.md, Step 1); step 1 still answers for any other name, the way a client
//     that skips the extension check would find out: the status ends ERROR;
//   - .zip: non-empty and starting with a ZIP signature ("PK\3\4", or
//     "PK\5\6" for an empty archive); nothing inside is read;
//   - .csv: the V4 file-level checks (fake_validation.hpp) with a schema of
//     no fields: valid UTF-8, at least one data row, no unterminated quoted
//     field. Rows are not judged.
// A file that passes is READY with its data rows counted (they set the
// processing time, as for V4 imports); one that fails is ERROR with a reason.

// ---- begin include/upstate/testing/fake_validation.hpp ----
// What the fake service decides about an uploaded file. The real service's
// rules are not public; these are the fake's, fixed here because the demo
// and the tests rely on them:
//
// File level (the import is `failed`, nothing ingested, `reason` set):
//   - a dataset without a schema when the bytes arrive -> `pending_schema`
//     (nothing else is checked);
//   - bytes that are not valid UTF-8 (RFC 3629: no overlongs, surrogates or
//     code points past U+10FFFF) -> "file is not valid UTF-8". A leading
//     UTF-8 byte-order mark is skipped;
//   - no record at all -> "the file holds no records" (an empty CSV, or a CSV
//     with a header row only, included);
//   - a CSV quoted field still open at the end -> "malformed CSV: unterminated
//     quoted field".
// Records:
//   - JSONL (.jsonl): every line holding something other than space, tab or
//     CR is a record; record_index counts those lines from 0. A record must
//     be one JSON object, else error {field "", reason "not a JSON object"}.
//   - CSV (.csv): RFC 4180 (fields in double quotes may hold commas, doubled
//     quotes and line breaks; rows end in LF or CRLF). Empty lines are
//     skipped. The first row is the header; record_index counts the data
//     rows from 0. A row whose column count differs from the header's ->
//     error {field "", reason "expected N columns, found M"} (and no other
//     check of that row). Leniently, a quote inside an unquoted field and
//     text after a closing quote are kept as literal text. Every CSV value is
//     a string.
// Against the schema, per record, one error per offending field, schema
// fields first (schema order), then unknown fields (record order):
//   - text, image_url, audio_url, video_url, task_group_id: required
//     ("missing required field"), a non-empty string ("must be a non-empty
//     string": null, numbers, objects and "" included);
//   - image_url, audio_url, video_url: start with http:// or https://, any
//     case ("not an http(s) URL");
//   - metadata (and any type this fake does not know): optional, any value;
//   - strict schema: a field the schema does not name -> "field not in
//     schema". For a JSON object with a repeated key the first one counts
//     for the schema checks; each occurrence is checked for strictness.
// Outcome: no record rejected -> `complete`; some -> `partial`; all N ->
// `failed` with reason "all N records were rejected" (counts and errors kept).
// Duplicates (decided by the service when the import is processed, see
// fake_service.hpp): an accepted record identical to one the dataset already
// holds (JSONL: the same line, trailing blanks aside; CSV: the same row under
// the same header) is counted in duplicate_count and not written again;
// `accepted_keys` lists the accepted records' identities for that.
// rejected_count counts records, not errors; at most `max_errors` errors
// are kept (the rest are counted only), so memory stays bounded.

// The record rules above are not written out twice: the splitter and the
// record checks are the uploader's own (records/), so what its preflight
// predicts is what this fake decides. The file-level decisions, their order
// and the error list's cap stay here.
namespace upstate::testing {

using upstate::FileKind;

// The file types a V4 dataset takes, by extension, in any case ("DATA.JSONL"):
// the uploader's own rule (records/file_kind.hpp), and the official client's,
// which lower-cases the extension and sends the name unchanged
// (docs/service.md, Step 1).
inline std::optional<FileKind> file_kind_of(std::string_view filename) noexcept {
  return file_kind_from_name(filename);
}

constexpr std::string_view content_type_of(FileKind kind) noexcept {
  return kind == FileKind::jsonl ? "application/x-ndjson" : "text/csv";
}

struct FakeRecordError {
  std::uint64_t record_index = 0;
  std::string field;
  std::string reason;
};

struct Validation {
  ImportStatus status = ImportStatus::failed;  // complete, partial, failed or pending_schema
  std::uint64_t records = 0;                   // records seen (sets the processing time)
  std::uint64_t accepted = 0, rejected = 0;
  std::vector<FakeRecordError> errors;  // at most max_errors
  std::string reason;                   // when failed
  bool counted = false;                 // whether accepted/rejected are reported (records were judged)
  std::vector<std::uint64_t> accepted_keys;  // each accepted record's identity (a hash), file order
};

namespace detail {

// Judges each record the splitter finds: rejected records are counted
// exactly, errors are kept up to the cap.
class RecordJudge {
 public:
  RecordJudge(FileKind kind, const Schema& schema, std::size_t max_errors) : checker_(kind, schema), max_(max_errors) {}

  void operator()(const RecordSpan& span, std::string_view text) {
    if (span.ending == RecordEnding::unterminated_quote) return;  // the file fails (not a record)
    if (span.header) {
      checker_.set_header(text);
      header_key_ = fnv1a64(text);
      return;
    }
    ++records_;
    bool bad = false;
    checker_.check_record(span, text, [&](const RecordFault& f) {
      if (!rejects_record(f.kind)) return;  // a warning (media extensions): the fake takes the record
      bad = true;
      if (errors_.size() < max_) errors_.push_back({span.index, sanitize_utf8(f.field), service_reason(f)});
    });
    if (bad) {
      ++rejected_;
    } else {
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
      accepted_keys_.push_back(fnv1a64(text, header_key_));
    }
  }

  std::uint64_t records() const { return records_; }
  std::uint64_t rejected() const { return rejected_; }
  std::vector<FakeRecordError> take_errors() { return std::move(errors_); }
  std::vector<std::uint64_t> take_accepted_keys() { return std::move(accepted_keys_); }

 private:
  RecordChecker checker_;
  std::size_t max_;
  std::vector<FakeRecordError> errors_;
  std::uint64_t records_ = 0, rejected_ = 0;
  std::uint64_t header_key_ = kFnvOffset;      // CSV: rows are the same record only under the same header
  std::vector<std::uint64_t> accepted_keys_;  // 8 bytes per record
};

}  // namespace detail

// The fake's verdict on an uploaded file (rules at the top of this file).
inline Validation validate_upload(FileKind kind, std::string_view bytes, const std::optional<Schema>& schema,
                                  std::size_t max_errors) {
  Validation v;
  if (!schema) {
    v.status = ImportStatus::pending_schema;
    return v;
  }
  if (!is_valid_utf8(bytes)) {
    v.reason = "file is not valid UTF-8";
    return v;
  }
  detail::RecordJudge judge(kind, *schema, max_errors);
  // The whole file is in memory already: no record is too long to judge.
  RecordSplitter splitter(kind);
  RecordGatherer gatherer(RecordSplitter::kNoLimit);
  auto handler = gatherer.to(judge);
  splitter.feed(bytes, handler);
  splitter.finish(handler);
  v.records = judge.records();
  if (splitter.unterminated_quote()) {
    v.reason = "malformed CSV: unterminated quoted field";
    return v;
  }
  if (v.records == 0) {
    v.reason = "the file holds no records";
    return v;
  }
  v.counted = true;
  v.rejected = judge.rejected();
  v.accepted = v.records - v.rejected;
  v.errors = judge.take_errors();
  v.accepted_keys = judge.take_accepted_keys();
  if (v.rejected == 0) {
    v.status = ImportStatus::complete;
  } else if (v.accepted > 0) {
    v.status = ImportStatus::partial;
  } else {
    v.status = ImportStatus::failed;
    v.reason = "all " + std::to_string(v.records) + " records were rejected";
  }
  return v;
}

}  // namespace upstate::testing
// ---- end include/upstate/testing/fake_validation.hpp ----

namespace upstate::testing {

enum class LegacyKind { csv, zip, other };

inline LegacyKind legacy_kind_of(std::string_view filename) noexcept {
  if (iends_with(filename, ".csv")) return LegacyKind::csv;
  if (iends_with(filename, ".zip")) return LegacyKind::zip;
  return LegacyKind::other;
}

constexpr std::string_view content_type_of(LegacyKind kind) noexcept {
  switch (kind) {
    case LegacyKind::csv: return "text/csv";
    case LegacyKind::zip: return "application/zip";
    case LegacyKind::other: break;
  }
  return "application/octet-stream";
}

// The verdict as a Validation (status complete or failed), so V3 uploads
// share the V4 imports' processing queue and time model.
inline Validation validate_legacy_upload(LegacyKind kind, std::string_view bytes) {
  Validation v;
  auto refuse = [&v](std::string reason) {
    v.status = ImportStatus::failed;
    v.reason = std::move(reason);
    return v;
  };
  switch (kind) {
    case LegacyKind::other: return refuse("unsupported file type: a V3 dataset takes .csv and .zip files");
    case LegacyKind::zip:
      if (bytes.empty()) return refuse("the file is empty");
      if (bytes.substr(0, 4) != std::string_view("PK\x03\x04", 4) && bytes.substr(0, 4) != std::string_view("PK\x05\x06", 4))
        return refuse("not a ZIP archive");
      v.status = ImportStatus::complete;
      v.counted = true;
      return v;
    case LegacyKind::csv: break;
  }
  if (bytes.empty()) return refuse("the file is empty");
  Validation csv = validate_upload(FileKind::csv, bytes, Schema{}, 0);
  if (!csv.counted) return refuse(csv.reason);
  v.status = ImportStatus::complete;
  v.counted = true;
  v.records = v.accepted = csv.records;
  return v;
}

// An upload's progress in the V3 vocabulary: waiting in the dataset's queue
// is PROCESSING too (V3 has no `queued`).
constexpr DatasetStatus legacy_status_of(ImportStatus s) noexcept {
  switch (s) {
    case ImportStatus::uninitialised: return DatasetStatus::uninitialised;
    case ImportStatus::queued:
    case ImportStatus::processing: return DatasetStatus::processing;
    case ImportStatus::complete:
    case ImportStatus::partial: return DatasetStatus::ready;
    case ImportStatus::failed:
    case ImportStatus::pending_schema: return DatasetStatus::error;
  }
  return DatasetStatus::error;
}

}  // namespace upstate::testing
// ---- end include/upstate/testing/fake_legacy.hpp ----

// ---- begin include/upstate/testing/fake_signature.hpp ----
// The fake's presigned URLs: SigV4-shaped (the same query parameters, in the
// order AWS SDKs write them) but signed with a keyed FNV-1a, which is enough
// to notice any change to the path, the query or a signed header.
//
// The signature covers the raw path and the raw query minus the
// X-Amz-Signature parameter, byte for byte: a client that re-encodes, reorders
// or drops a parameter breaks it, as docs/service.md warns happens with real S3.

namespace upstate::testing {

inline constexpr std::string_view kFakeAccessKey = "FAKEKEY";
inline constexpr std::string_view kFakeRegion = "us-east-1";
inline constexpr std::string_view kSignatureParam = "X-Amz-Signature";

// 64 hex characters, like a real SigV4 signature. `content_type` is the
// signed Content-Type value, or nullopt when the URL does not sign it.
inline std::string fake_signature(std::string_view secret, std::string_view method, std::string_view raw_path,
                                  std::string_view unsigned_query, const std::optional<std::string>& content_type) {
  std::string material;
  for (std::string_view part : {secret, method, raw_path, unsigned_query}) {
    material += part;
    material += '\n';
  }
  material += content_type ? "content-type:" + *content_type : std::string("-");
  return fnv_hex(material, 4);
}

struct PresignInput {
  std::string_view secret;
  std::string_view upload_base;  // scheme://authority[/prefix], no trailing '/'
  std::string_view key_path;     // already percent-encoded, starting with '/'
  UnixSeconds signed_at = 0;
  std::int64_t expires_seconds = 900;
  std::optional<std::string> content_type;  // signed when set
};

inline std::string fake_presign(const PresignInput& in) {
  std::string date = format_amz_date(in.signed_at);
  std::string scope =
      std::string(kFakeAccessKey) + "/" + date.substr(0, 8) + "/" + std::string(kFakeRegion) + "/s3/aws4_request";
  std::string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256";
  query += "&X-Amz-Credential=" + percent_encode_segment(scope);
  query += "&X-Amz-Date=" + date;
  query += "&X-Amz-Expires=" + std::to_string(in.expires_seconds);
  query += in.content_type ? "&X-Amz-SignedHeaders=content-type%3Bhost" : "&X-Amz-SignedHeaders=host";
  // The path as the upload host will see it (base path + key).
  std::string full_path;
  if (auto base = parse_url(in.upload_base); base && base->path != "/") full_path = base->path;
  full_path += in.key_path;
  std::string sig = fake_signature(in.secret, "PUT", full_path, query, in.content_type);
  std::string url(in.upload_base);
  url += in.key_path;
  url += "?" + query + "&" + std::string(kSignatureParam) + "=" + sig;
  return url;
}

// The signed parameters of a presigned URL whose query has the expected
// shape; a missing, repeated or unreadable parameter gives nullopt. Whether
// the signature matches is a separate check (verify_fake_signature).
struct PresignedParams {
  UnixSeconds signed_at = 0;
  std::int64_t expires_seconds = 0;
  std::vector<std::string> signed_headers;  // lower case
  std::string signature;
  std::string unsigned_query;  // the raw query without the signature parameter

  bool signs(std::string_view header) const {
    for (const auto& h : signed_headers)
      if (iequals(h, header)) return true;
    return false;
  }
};

inline std::optional<PresignedParams> read_presigned_params(std::string_view raw_query) {
  PresignedParams p;
  int signatures = 0;
  std::string_view q = raw_query;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (part.substr(0, kSignatureParam.size() + 1) == std::string(kSignatureParam) + "=") {
      ++signatures;
      p.signature = std::string(part.substr(kSignatureParam.size() + 1));
      continue;
    }
    if (!p.unsigned_query.empty()) p.unsigned_query += '&';
    p.unsigned_query += part;
  }
  if (signatures != 1 || p.signature.empty()) return std::nullopt;

  std::optional<std::string> algorithm, credential, date, expires, headers;
  for (auto& param : parse_query(p.unsigned_query)) {
    std::optional<std::string>* slot = param.name == "X-Amz-Algorithm"       ? &algorithm
                                       : param.name == "X-Amz-Credential"    ? &credential
                                       : param.name == "X-Amz-Date"          ? &date
                                       : param.name == "X-Amz-Expires"       ? &expires
                                       : param.name == "X-Amz-SignedHeaders" ? &headers
                                                                             : nullptr;
    if (slot == nullptr) continue;
    if (*slot) return std::nullopt;  // repeated
    *slot = std::move(param.value);
  }
  if (!algorithm || *algorithm != "AWS4-HMAC-SHA256" || !credential || !date || !expires || !headers)
    return std::nullopt;
  auto signed_at = parse_amz_date(*date);
  if (!signed_at) return std::nullopt;
  p.signed_at = *signed_at;
  if (expires->empty() || expires->size() > 6) return std::nullopt;
  std::int64_t e = 0;
  for (char c : *expires) {
    if (c < '0' || c > '9') return std::nullopt;
    e = e * 10 + (c - '0');
  }
  if (e > 604800) return std::nullopt;  // 0 is the fake's own "expires this second"
  p.expires_seconds = e;
  std::string_view h = *headers;
  while (!h.empty()) {
    auto semi = h.find(';');
    p.signed_headers.push_back(ascii_lower(h.substr(0, semi)));
    h = semi == std::string_view::npos ? std::string_view{} : h.substr(semi + 1);
  }
  if (!p.signs("host")) return std::nullopt;
  return p;
}

}  // namespace upstate::testing
// ---- end include/upstate/testing/fake_signature.hpp ----

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
// ---- end include/upstate/testing/fake_service.hpp ----

// ---- begin include/upstate/testing/fake_transport.hpp ----
// FakeService as a blocking transport for upstate::drive (FakeTransport)
// and upstate::drive_batch (FakeBatchTransport): the PUT's body is the file
// content the test supplies, and a scripted delay moves the ManualClock
// instead of sleeping.

// ---- begin include/upstate/testing/manual_clock.hpp ----
// A clock that moves only when told: tests (ours and users') never sleep.

namespace upstate::testing {

class ManualClock {
 public:
  explicit ManualClock(Instant start = Instant{}) : now_(start) {}
  Instant now() const noexcept { return now_; }
  // "Sleeping" jumps straight to the wake-up time.
  void sleep_until(Instant t) noexcept {
    if (t > now_) now_ = t;
  }
  void advance(Duration d) noexcept { now_ += d; }
  // Tests of clock trouble may set any time, even an earlier one.
  void set(Instant t) noexcept { now_ = t; }

 private:
  Instant now_;
};

}  // namespace upstate::testing
// ---- end include/upstate/testing/manual_clock.hpp ----

namespace upstate::testing {

class FakeTransport {
 public:
  FakeTransport(FakeService& service, ManualClock& clock, std::string file_content)
      : service_(service), clock_(clock), file_(std::move(file_content)) {}

  Exchange exchange(const Request& request) {
    std::string_view body = request.file ? std::string_view(file_).substr(0, request.file->size) : std::string_view{};
    FakeReply reply = service_.handle(request, body, clock_.now());
    clock_.advance(reply.delay);
    return std::move(reply.result);
  }

 private:
  FakeService& service_;
  ManualClock& clock_;
  std::string file_;
};

// The same for a Batch: the PUT of file i streams contents[i].
class FakeBatchTransport {
 public:
  FakeBatchTransport(FakeService& service, ManualClock& clock, std::vector<std::string> contents)
      : service_(service), clock_(clock), contents_(std::move(contents)) {}

  Exchange exchange(const Request& request, std::size_t file) {
    std::string_view body;
    if (request.file) body = std::string_view(contents_.at(file)).substr(0, request.file->size);
    FakeReply reply = service_.handle(request, body, clock_.now());
    clock_.advance(reply.delay);
    return std::move(reply.result);
  }

 private:
  FakeService& service_;
  ManualClock& clock_;
  std::vector<std::string> contents_;
};

}  // namespace upstate::testing
// ---- end include/upstate/testing/fake_transport.hpp ----

// ---- begin include/upstate/testing/records_ostream.hpp ----
// operator<< for the record checkers' enums (records/), beside
// <upstate/ostream.hpp>'s for the core: part of the testing kit, so that the
// record checkers' own headers stay free of <ostream>.

namespace upstate {

inline std::ostream& operator<<(std::ostream& os, FileKind k) { return os << to_string(k); }
inline std::ostream& operator<<(std::ostream& os, ProblemKind k) { return os << to_string(k); }

}  // namespace upstate
// ---- end include/upstate/testing/records_ostream.hpp ----
// Each only when its framework is there (they include it themselves when
// included directly).
#if defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED)
#endif
#if defined(TROMPELOEIL_HPP_)
#endif
// ---- end include/upstate/testing.hpp ----

#endif  // UPSTATE_SINGLE_INCLUDE_UPSTATE_TESTING_HPP

// ---- begin include/upstate/testing/catch_printers.hpp ----
// Defined once <catch2/catch.hpp> has been included before this file.
#if defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED) && !defined(UPSTATE_SINGLE_INCLUDE_UPSTATE_TESTING_CATCH_PRINTERS_HPP)
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_TESTING_CATCH_PRINTERS_HPP
// Catch2 (v2) StringMakers for upstate's types, so a failed
// CHECK(report.status == ImportStatus::complete) prints `partial`, not `2`,
// and a failed check on an Outcome prints its status or error.
// <upstate/testing.hpp> (and single_include/upstate_testing.hpp) includes
// this file when <catch2/catch.hpp> was included before it.

#include <sstream>
#include <string>

namespace upstate::testing::detail {

template <typename T>
std::string print_with_ostream(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace upstate::testing::detail

// One StringMaker per printable type: each forwards to upstate's operator<<.
#define UPSTATE_CATCH_STRING_MAKER(T)                                                         \
  template <>                                                                                 \
  struct Catch::StringMaker<T> {                                                              \
    static std::string convert(const T& value) { return upstate::testing::detail::print_with_ostream(value); } \
  };

UPSTATE_CATCH_STRING_MAKER(upstate::ImportStatus)
UPSTATE_CATCH_STRING_MAKER(upstate::ErrorCode)
UPSTATE_CATCH_STRING_MAKER(upstate::Purpose)
UPSTATE_CATCH_STRING_MAKER(upstate::TransportError::Kind)
UPSTATE_CATCH_STRING_MAKER(upstate::DatasetStatus)
UPSTATE_CATCH_STRING_MAKER(upstate::SnapshotPhase)
UPSTATE_CATCH_STRING_MAKER(upstate::State)
UPSTATE_CATCH_STRING_MAKER(upstate::Trigger)
UPSTATE_CATCH_STRING_MAKER(upstate::Phase)
UPSTATE_CATCH_STRING_MAKER(upstate::Verdict)
UPSTATE_CATCH_STRING_MAKER(upstate::FileKind)
UPSTATE_CATCH_STRING_MAKER(upstate::ProblemKind)
UPSTATE_CATCH_STRING_MAKER(upstate::Error)
UPSTATE_CATCH_STRING_MAKER(upstate::TransportError)
UPSTATE_CATCH_STRING_MAKER(upstate::ImportReport)
UPSTATE_CATCH_STRING_MAKER(upstate::Outcome)
UPSTATE_CATCH_STRING_MAKER(upstate::Request)
UPSTATE_CATCH_STRING_MAKER(upstate::Response)

#undef UPSTATE_CATCH_STRING_MAKER
#endif  // TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED
// ---- end include/upstate/testing/catch_printers.hpp ----

// ---- begin include/upstate/testing/mocks.hpp ----
// Defined once <trompeloeil.hpp> has been included before this file.
#if defined(TROMPELOEIL_HPP_) && !defined(UPSTATE_SINGLE_INCLUDE_UPSTATE_TESTING_MOCKS_HPP)
#define UPSTATE_SINGLE_INCLUDE_UPSTATE_TESTING_MOCKS_HPP
// Trompeloeil mocks of the two things an upload depends on, for users'
// tests of their own upload logic ("503, then 200" with a sequence), and
// Trompeloeil printers so that an unexpected call prints the Request
// (method, URL, purpose, headers; secrets redacted), not a hex dump.
// Include your test framework's Trompeloeil adapter first, e.g.
// <catch2/trompeloeil.hpp>. <upstate/testing.hpp> (and
// single_include/upstate_testing.hpp) includes this file when Trompeloeil
// was included before it.

#include <ostream>

namespace upstate::testing {

// Fits upstate::drive's transport: exchange(const Request&) -> Exchange.
struct MockTransport {
  MAKE_MOCK1(exchange, Exchange(const Request&));
};

// Fits upstate::drive's clock: now() and sleep_until(Instant).
struct MockClock {
  MAKE_MOCK0(now, Instant());
  MAKE_MOCK1(sleep_until, void(Instant));
};

}  // namespace upstate::testing

namespace trompeloeil {

template <>
struct printer<upstate::Request> {
  static void print(std::ostream& os, const upstate::Request& r) { os << r; }
};

template <>
struct printer<upstate::Response> {
  static void print(std::ostream& os, const upstate::Response& r) { os << r; }
};

template <>
struct printer<upstate::Instant> {
  static void print(std::ostream& os, upstate::Instant t) {
    os << "Instant{" << std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()
       << " ms}";
  }
};

}  // namespace trompeloeil
#endif  // TROMPELOEIL_HPP_
// ---- end include/upstate/testing/mocks.hpp ----

// MIT License
//
// Copyright (c) 2026 the upstate authors
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

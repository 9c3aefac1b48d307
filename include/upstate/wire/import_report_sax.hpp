#pragma once
// The fast path of parse_import_report. A 10,000-item answer spent most of
// its time building and walking a RapidJSON DOM (bench/README.md, issue 6);
// here a small reader for plain JSON (PlainJsonReader) streams events into a
// handler (ImportReportSaxHandler) that fills the ImportReport directly.
//
// Contract: detail::try_parse_import_report_fast(body, limits) returns either
//   - nullopt ("not sure"): the caller runs the DOM parser
//     (detail::parse_import_report_dom) on the same body, which produces the
//     report or the Error exactly as it always has; or
//   - a report equal, field by field and byte by byte (`raw` included), to
//     the one the DOM parser returns for that body and those limits.
// It never produces an Error itself, so error codes, messages, paths and the
// order in which faults are found stay the DOM parser's by construction. It
// gives up on anything unusual, which the DOM parser then reads:
//   - a body over max_body_bytes or holding a NUL byte;
//   - text outside the plain subset PlainJsonReader reads: a string with an
//     escape (\n, \", \u00e9 ...), a number with a fraction or an exponent,
//     "-0", an integer beyond 64 bits, nesting deeper than kMaxDepth, a byte
//     order mark, and anything that is not JSON at all;
//   - a root that is not an object; a field the report reads with a type its
//     DOM reader refuses (a null import_id or status included); an unknown
//     status; `errors` or one of its items of the wrong type;
//   - a key the report reads appearing twice in the root or in one item (the
//     DOM parser's "first one wins" is not worth reproducing);
//   - an item's record_index/row/line/index, field or reason/message/detail
//     holding a value of a type it does not take, even where the DOM parser
//     would not look at it because a preferred spelling is present.
// Why the subset is safe: it is valid JSON, which RapidJSON accepts whole
// (no depth limit in its iterative parser, no encoding validation), and in
// it every value reads the same both ways: a string is its bytes, an integer
// its digits. A body that makes the fast path give up late (a syntax error
// in its last byte, say) is read twice: such answers are rare, and capped by
// max_body_bytes.
//
// Why not rapidjson::Reader with this handler: tried first, it read the
// 10,000-item answer at about 200 MB/s here (bench/README.md), held back by
// its byte-at-a-time string loop (the SSE2 one needs RAPIDJSON_SSE2, which
// json.hpp leaves to whoever includes RapidJSON first) and by the copy an
// in-situ parse needs. PlainJsonReader reads the body where it is, eight
// bytes at a time inside strings.
//
// `raw`: nothing in the subset changes form when RapidJSON's Writer writes
// it, so an item's raw is its own text without whitespace (plain_item_raw).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "../vocabulary/import_status.hpp"
#include "../detail/excerpt.hpp"
#include "import_report.hpp"
#include <upstate/impl/wire_import_report.ipp>  // the DOM parser's keys and helpers (detail)
#include "json.hpp"
#include "limits.hpp"
#include "plain_json_reader.hpp"

namespace upstate {
namespace detail {

// An errors[] item's `raw` from its text in the plain subset (below): the
// text without the whitespace between its tokens, cut by utf8_prefix at
// max_bytes. That is byte for byte what BoundedJsonWriter (json.hpp) writes
// for the item once RapidJSON has parsed it: in the subset no string needs
// an escape, every integer is written with its own digits, and members stay
// in order, so whitespace is all there is to drop. No string holds an
// escape either, so each '"' opens or closes one.
// `scratch` holds the text when it has whitespace to drop; the result views
// either `text` or `scratch`.
inline std::string_view plain_item_raw(std::string_view text, bool compact, std::size_t max_bytes,
                                       std::string& scratch) {
  if (compact) return utf8_prefix(text, max_bytes);
  scratch.clear();
  bool in_string = false;
  for (char c : text) {
    if (c == '"') in_string = !in_string;
    else if (!in_string && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) continue;
    scratch += c;
    if (scratch.size() > max_bytes) break;  // utf8_prefix looks at one byte past the cap, no further
  }
  return utf8_prefix(scratch, max_bytes);
}

// Fills an ImportReport from PlainJsonReader's events. Every event returns
// false ("give up") the moment the answer leaves the common case (the
// contract at the top of this file); report() is the result after a read
// that ran to its end.
class ImportReportSaxHandler {
 public:
  explicit ImportReportSaxHandler(const ParseLimits& limits) : limits_(limits) {}

  // The report, when both required fields were there.
  std::optional<ImportReport> report() && {
    if (!has(kImportId) || !has(kStatus)) return std::nullopt;
    return std::move(report_);
  }

  bool null_value() {
    switch (place()) {
      case Place::root_member: return field_ != kImportId && field_ != kStatus;  // null is absent elsewhere
      case Place::item_member: return true;  // null is absent for every spelling
      default: return elsewhere();
    }
  }
  bool boolean(bool) {
    switch (place()) {
      case Place::root_member: return field_ == kUnknownField;  // no field of the report is a boolean
      case Place::item_member: return item_key_ == ItemKey::other;
      default: return elsewhere();
    }
  }
  bool integer(std::uint64_t magnitude, bool negative) {
    switch (place()) {
      case Place::root_member:
        if (negative) return field_ == kUnknownField;  // counts are non-negative
        switch (field_) {
          case kAcceptedCount: report_.accepted_count = magnitude; return true;
          case kRejectedCount: report_.rejected_count = magnitude; return true;
          case kDuplicateCount: report_.duplicate_count = magnitude; return true;
          case kProcessedOffset: report_.processed_offset = magnitude; return true;
          case kWrittenCount: report_.written_count = magnitude; return true;
          case kDuplicateSeenCount: report_.duplicate_seen_count = magnitude; return true;
          case kRejectedSeenCount: report_.rejected_seen_count = magnitude; return true;
          case kUnknownField: return true;
          default: return false;
        }
      case Place::item_member: {
        if (item_key_ == ItemKey::other) return true;
        const auto spelling = static_cast<unsigned>(item_key_);
        if (negative || spelling >= kIndexKeys) return false;  // a negative index, a number for field or reason
        if (spelling < best_index_) {
          best_index_ = spelling;
          item_index_ = magnitude;
        }
        return true;
      }
      default: return elsewhere();
    }
  }
  bool string(std::string_view s) {
    switch (place()) {
      case Place::root_member: return root_string(s);
      case Place::item_member: return item_string(s);
      default: return elsewhere();
    }
  }
  bool key(std::string_view k) {
    if (depth_ == 1) return root_key(k);
    if (depth_ == 3 && in_errors_) return item_key(k);
    return true;
  }

  bool start_object() { return open(true, 0); }
  bool start_array(std::size_t bytes_left) { return open(false, bytes_left); }
  bool end_object(std::string_view text, bool compact) { return close(text, compact); }
  bool end_array() { return close({}, false); }

 private:
  // Root fields the report reads, as bits of seen_.
  enum Field : unsigned {
    kImportId, kDatasetId, kType, kStatus, kCreatedAt, kUpdatedAt,
    kAcceptedCount, kRejectedCount, kDuplicateCount, kReason, kErrors,
    // Progress (read leniently by the DOM path: any other type makes this
    // path give up, and the DOM path then ignores the value).
    kFilename, kProcessingStartedAt, kProcessedOffset, kWrittenCount, kDuplicateSeenCount, kRejectedSeenCount,
    kUnknownField,  // any other key: its value is skipped
  };
  static constexpr std::string_view kFieldNames[] = {
      "import_id",      "dataset_id",     "type",            "status", "created_at", "updated_at",
      "accepted_count", "rejected_count", "duplicate_count", "reason", "errors",
      "filename",       "processing_started_at", "processed_offset", "written_count", "duplicate_seen_count",
      "rejected_seen_count"};
  static_assert(kUnknownField == std::size(kFieldNames), "a name per field, in order");

  // An item's spellings: index0..3 follow kRecordIndexKeys and reason0..2
  // kRecordReasonKeys, so a lower number is the preferred spelling.
  enum class ItemKey : unsigned { index0, index1, index2, index3, field, reason0, reason1, reason2, other };
  static constexpr unsigned kIndexKeys = std::size(kRecordIndexKeys);
  static constexpr unsigned kReasonKeys = std::size(kRecordReasonKeys);
  static constexpr unsigned kNoSpelling = 99;
  static_assert(kIndexKeys == 4 && kRecordIndexKeys[0] == "record_index" && kRecordIndexKeys[1] == "row" &&
                kRecordIndexKeys[2] == "line" && kRecordIndexKeys[3] == "index");
  static_assert(kReasonKeys == 3 && kRecordReasonKeys[0] == "reason" && kRecordReasonKeys[1] == "message" &&
                kRecordReasonKeys[2] == "detail");

  // Where the value just read sits.
  enum class Place {
    root,         // it is the root
    root_member,  // a member of the root object
    ignored,      // inside a root member the report does not read
    errors_item,  // an element of errors[]
    item_member,  // a member of an errors[] item
    item_nested,  // deeper inside an item
  };

  Place place() const noexcept {
    if (depth_ == 0) return Place::root;
    if (depth_ == 1) return Place::root_member;
    if (!in_errors_) return Place::ignored;
    if (depth_ == 2) return Place::errors_item;
    if (depth_ == 3) return Place::item_member;
    return Place::item_nested;
  }

  // A scalar as the root or as an errors[] element is refused by the DOM
  // path; deeper inside an item or a skipped member it is nothing to read.
  bool elsewhere() const noexcept {
    const Place p = place();
    return p == Place::ignored || p == Place::item_nested;
  }

  bool has(unsigned field) const noexcept { return (seen_ >> field) & 1u; }

  // ---- the root object ----

  bool root_key(std::string_view key) {
    const std::optional<unsigned> f = mark_root_key(key, kFieldNames, seen_);
    if (!f) return false;  // a duplicate
    field_ = static_cast<Field>(*f);  // kUnknownField is std::size(kFieldNames)
    return true;
  }

  bool root_string(std::string_view s) {
    switch (field_) {
      case kImportId: report_.import_id = s; return true;
      case kDatasetId: report_.dataset_id = s; return true;
      case kType: report_.type = s; return true;
      case kStatus:
        if (auto known = parse_import_status(s)) {
          report_.status = *known;
          return true;
        }
        return false;  // unknown_status: the DOM path words it
      case kCreatedAt: report_.created_at = s; return true;
      case kUpdatedAt: report_.updated_at = s; return true;
      case kReason: report_.reason.emplace(s); return true;
      case kFilename: report_.filename = s; return true;
      case kProcessingStartedAt: report_.processing_started_at = s; return true;
      case kUnknownField: return true;
      default: return false;  // a count or errors[] as a string
    }
  }

  // ---- containers ----

  bool open(bool object, std::size_t bytes_left) {
    switch (place()) {
      case Place::root:
        if (!object) return false;
        break;
      case Place::root_member:
        if (field_ == kErrors) {
          if (object) return false;
          in_errors_ = true;
          reserve_items(bytes_left);
        } else if (field_ != kUnknownField) {
          return false;
        }
        break;
      case Place::errors_item:
        if (!object) return false;
        begin_item();
        break;
      case Place::item_member:
        if (item_key_ != ItemKey::other) return false;
        break;
      case Place::item_nested:
      case Place::ignored: break;
    }
    ++depth_;
    return true;
  }

  bool close(std::string_view text, bool compact) {
    --depth_;
    switch (place()) {
      case Place::root_member: in_errors_ = false; return true;  // closed errors[] or a skipped member
      case Place::errors_item: return end_item(text, compact);
      default: return true;
    }
  }

  // ---- errors[] items ----

  // Room for the items, guessed from the bytes left (an item of a real
  // answer takes 60 to 100): a guess too low costs a reallocation or two, one
  // too high at most 2 bytes of vector per byte of answer, and never more
  // than max_record_errors items.
  void reserve_items(std::size_t bytes_left) {
    constexpr std::size_t kGuessedItemBytes = 64;
    // The strings of an item are views of its own text, and raw is that text
    // (RecordErrors::push_back stores field and reason inside raw's copy),
    // so the array's bytes bound the text a compact answer needs.
    report_.errors.reserve(std::min(bytes_left / kGuessedItemBytes, limits_.max_record_errors),
                           std::min(bytes_left, limits_.max_record_errors * limits_.max_raw_item_bytes));
  }

  void begin_item() {
    keep_ = report_.errors.size() < limits_.max_record_errors;
    item_seen_ = 0;
    best_index_ = kNoSpelling;
    best_reason_ = kNoSpelling;
    field_text_ = {};
    reason_text_ = {};
  }

  // The item is built here, once: its strings are views of the body. One
  // past the cap was only checked.
  bool end_item(std::string_view text, bool compact) {
    if (!keep_) {
      ++report_.errors_dropped;
      return true;
    }
    report_.errors.push_back(best_index_ != kNoSpelling ? std::optional<std::uint64_t>(item_index_) : std::nullopt,
                             field_text_, reason_text_,
                             plain_item_raw(text, compact, limits_.max_raw_item_bytes, raw_scratch_));
    return true;
  }

  static ItemKey item_key_of(std::string_view key) noexcept {
    switch (key.size()) {
      case 3: return key == "row" ? ItemKey::index1 : ItemKey::other;
      case 4: return key == "line" ? ItemKey::index2 : ItemKey::other;
      case 5: return key == "index" ? ItemKey::index3 : key == "field" ? ItemKey::field : ItemKey::other;
      case 6: return key == "reason" ? ItemKey::reason0 : key == "detail" ? ItemKey::reason2 : ItemKey::other;
      case 7: return key == "message" ? ItemKey::reason1 : ItemKey::other;
      case 12: return key == "record_index" ? ItemKey::index0 : ItemKey::other;
      default: return ItemKey::other;
    }
  }

  bool item_key(std::string_view key) {
    item_key_ = item_key_of(key);
    if (item_key_ == ItemKey::other) return true;
    const unsigned bit = 1u << static_cast<unsigned>(item_key_);
    if (item_seen_ & bit) return false;  // a duplicate
    item_seen_ |= bit;
    return true;
  }

  bool item_string(std::string_view s) {
    if (item_key_ == ItemKey::other) return true;
    if (item_key_ == ItemKey::field) {
      field_text_ = s;
      return true;
    }
    const auto spelling = static_cast<unsigned>(item_key_) - static_cast<unsigned>(ItemKey::reason0);
    if (spelling >= kReasonKeys) return false;  // an index as a string
    if (spelling < best_reason_) {
      best_reason_ = spelling;
      reason_text_ = s;
    }
    return true;
  }

  const ParseLimits& limits_;
  ImportReport report_;
  unsigned seen_ = 0;  // bits of the root fields read so far
  Field field_ = kUnknownField;
  std::size_t depth_ = 0;  // open objects and arrays
  bool in_errors_ = false;  // inside the root's errors[]

  // the item being read
  bool keep_ = false;  // within max_record_errors: stored, with its raw
  ItemKey item_key_ = ItemKey::other;
  unsigned item_seen_ = 0;  // bits of the spellings read so far
  unsigned best_index_ = kNoSpelling, best_reason_ = kNoSpelling;  // preferred spelling found so far
  std::uint64_t item_index_ = 0;
  std::string_view field_text_, reason_text_;  // views of the body
  std::string raw_scratch_;  // an item's raw without its whitespace, when it had some
};

inline std::optional<ImportReport> try_parse_import_report_fast(std::string_view body, const ParseLimits& limits) {
  if (check_json_text(body, limits)) return std::nullopt;  // the DOM path's own checks
  ImportReportSaxHandler handler(limits);
  if (!PlainJsonReader<ImportReportSaxHandler>(body, handler).read()) return std::nullopt;
  return std::move(handler).report();
}

}  // namespace detail
}  // namespace upstate

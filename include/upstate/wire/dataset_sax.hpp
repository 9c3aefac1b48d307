#pragma once
// The fast path of parse_dataset. A batch's last GET /datasets/{id} lists
// every import (1.1 MB for 10,000 imports); read through a RapidJSON DOM it
// held the body, an in-situ copy, the DOM and the Dataset at once, the
// largest allocation of a 10,000-file run (bench/README.md, issue 15). Here
// PlainJsonReader (plain_json_reader.hpp) streams the body, read where it
// is, into a handler (DatasetSaxHandler) that fills the Dataset directly:
// the body and the result are all there is.
//
// Contract, as import_report_sax.hpp's: detail::try_parse_dataset_fast(body,
// limits) returns either
//   - nullopt ("not sure"): the caller runs the DOM parser
//     (detail::parse_dataset_dom) on the same body, which produces the
//     Dataset or the Error exactly as it always has; or
//   - a Dataset equal, field by field and byte by byte, to the one the DOM
//     parser returns for that body and those limits.
// It never produces an Error itself, so error codes, messages, paths and the
// order in which faults are found stay the DOM parser's by construction. It
// gives up on anything unusual, which the DOM parser then reads:
//   - a body the DOM parser's own checks refuse (check_json_text: size cap,
//     NUL byte, depth and value-count limits);
//   - text outside PlainJsonReader's plain subset (an escape, a fraction or
//     exponent, "-0", an integer past 64 bits, a byte order mark, nesting
//     past its kMaxDepth, anything that is not JSON);
//   - a field the DOM parser reads holding a type it refuses (null where
//     the field is required), a missing required field (id, a schema
//     field's type, an import's import_id or status);
//   - a key the DOM parser looks up appearing twice in one object (its
//     FindMember takes the first; not worth reproducing). The names in
//     schema.fields are not looked up but walked: a repeated name is kept
//     twice, in order, both ways.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "dataset.hpp"
#include "json.hpp"
#include "limits.hpp"
#include "plain_json_reader.hpp"

namespace upstate {
namespace detail {

class DatasetSaxHandler {
 public:
  explicit DatasetSaxHandler(const ParseLimits& limits) : limits_(limits) {}

  // The dataset, when every required field was there.
  std::optional<Dataset> dataset() && {
    if (!(root_seen_ & bit(kId))) return std::nullopt;
    return std::move(dataset_);
  }

  bool null_value() {
    switch (place()) {
      case Place::root_member: return field_ != kId;  // null is absent for every optional field
      case Place::schema_member: return true;         // strict: false; fields: none
      case Place::field_member: return field_key_ != FieldKey::type;
      case Place::import_member: return item_key_ != ItemKey::import_id && item_key_ != ItemKey::status;
      case Place::ignored: return true;
      default: return false;  // the root, a schema field or an import that is not an object
    }
  }
  bool boolean(bool b) {
    switch (place()) {
      case Place::root_member: return field_ == kUnknownField;
      case Place::schema_member:
        if (schema_key_ == SchemaKey::strict) dataset_.schema->strict = b;
        return schema_key_ != SchemaKey::fields;
      case Place::field_member: return field_key_ == FieldKey::other;
      case Place::import_member: return item_key_ == ItemKey::other;
      case Place::ignored: return true;
      default: return false;
    }
  }
  bool integer(std::uint64_t magnitude, bool negative) {
    switch (place()) {
      case Place::root_member:
        switch (field_) {
          case kTotalDatapointCount:
            if (negative) return false;
            dataset_.total_datapoint_count = magnitude;
            return true;
          case kSchemaVersion: {
            // RapidJSON's IsInt: -2^31 to 2^31-1 (the reader gives "-0" up).
            constexpr std::uint64_t kIntMax = 2147483647u;
            if (magnitude > kIntMax + (negative ? 1u : 0u)) return false;
            dataset_.schema_version = negative ? static_cast<int>(-static_cast<std::int64_t>(magnitude))
                                               : static_cast<int>(magnitude);
            return true;
          }
          case kUnknownField: return true;
          default: return false;
        }
      case Place::schema_member: return schema_key_ == SchemaKey::other;
      case Place::field_member: return field_key_ == FieldKey::other;
      case Place::import_member: {
        std::optional<std::uint64_t>* count = import_count();
        if (!count) return item_key_ == ItemKey::other;
        if (negative) return false;
        *count = magnitude;
        return true;
      }
      case Place::ignored: return true;
      default: return false;
    }
  }
  bool string(std::string_view s) {
    switch (place()) {
      case Place::root_member: return root_string(s);
      case Place::schema_member: return schema_key_ == SchemaKey::other;
      case Place::field_member:
        if (field_key_ == FieldKey::type) dataset_.schema->fields.back().type = s;
        else if (field_key_ == FieldKey::label) dataset_.schema->fields.back().label = s;
        return true;
      case Place::import_member:
        if (item_key_ == ItemKey::import_id) import_.import_id = s;
        else if (item_key_ == ItemKey::status) import_.status = s;
        return import_count() == nullptr;  // a count as a string
      case Place::ignored: return true;
      default: return false;
    }
  }
  bool key(std::string_view k) {
    switch (depth_) {
      case 1: return root_key(k);
      case 2: return field_ == kSchema ? schema_key(k) : true;
      case 3:
        if (field_ == kImports) return import_key(k);
        if (field_ == kSchema && schema_key_ == SchemaKey::fields) field_name_ = k;
        return true;
      case 4: return field_ == kSchema && schema_key_ == SchemaKey::fields ? field_key(k) : true;
      default: return true;
    }
  }

  bool start_object() { return open(true, 0); }
  bool start_array(std::size_t bytes_left) { return open(false, bytes_left); }
  bool end_object(std::string_view, bool) { return close(); }
  bool end_array() { return close(); }

 private:
  // The root fields, as bits of root_seen_.
  enum Field : unsigned {
    kId, kName, kCreatedAt, kCreatedBy, kTotalDatapointCount, kSchemaVersion, kSchema, kImports, kStatus, kFilename,
    kUnknownField,  // any other key: its value is skipped
  };
  static constexpr std::string_view kFieldNames[] = {"id",     "name",           "created_at", "created_by",
                                                     "total_datapoint_count", "schema_version", "schema",
                                                     "imports", "status",     "filename"};
  static_assert(kUnknownField == std::size(kFieldNames), "a name per field, in order");
  enum class SchemaKey : unsigned { strict, fields, other };
  enum class FieldKey : unsigned { type, label, other };
  enum class ItemKey : unsigned { import_id, status, accepted_count, rejected_count, duplicate_count, other };

  static constexpr unsigned bit(unsigned n) noexcept { return 1u << n; }
  template <class Enum>
  static constexpr unsigned bit(Enum e) noexcept {
    return 1u << static_cast<unsigned>(e);
  }

  // Where the value just read sits.
  enum class Place {
    root,           // it is the root
    root_member,    // a member of the root object (field_)
    schema_member,  // a member of $.schema (schema_key_)
    schema_field,   // a member of $.schema.fields: must be an object
    field_member,   // a member of one schema field (field_key_)
    import,         // an element of $.imports: must be an object
    import_member,  // a member of an import (item_key_)
    ignored,        // anywhere else: inside a member nobody reads
  };

  Place place() const noexcept {
    switch (depth_) {
      case 0: return Place::root;
      case 1: return Place::root_member;
      case 2: return field_ == kSchema ? Place::schema_member : field_ == kImports ? Place::import : Place::ignored;
      case 3:
        if (field_ == kImports) return Place::import_member;
        return field_ == kSchema && schema_key_ == SchemaKey::fields ? Place::schema_field : Place::ignored;
      case 4: return field_ == kSchema && schema_key_ == SchemaKey::fields ? Place::field_member : Place::ignored;
      default: return Place::ignored;
    }
  }

  bool root_key(std::string_view key) {
    const std::optional<unsigned> f = mark_root_key(key, kFieldNames, root_seen_);
    if (!f) return false;  // a duplicate
    field_ = static_cast<Field>(*f);  // kUnknownField is std::size(kFieldNames)
    return true;
  }

  bool root_string(std::string_view s) {
    switch (field_) {
      case kId: dataset_.id = s; return true;
      case kName: dataset_.name = s; return true;
      case kCreatedAt: dataset_.created_at = s; return true;
      case kCreatedBy: dataset_.created_by = s; return true;
      case kStatus: dataset_.status.emplace(s); return true;
      case kFilename: dataset_.filename.emplace(s); return true;
      case kUnknownField: return true;
      default: return false;  // a count, the schema or the imports as a string
    }
  }

  bool schema_key(std::string_view key) {
    schema_key_ = key == "strict" ? SchemaKey::strict : key == "fields" ? SchemaKey::fields : SchemaKey::other;
    return seen_once(schema_seen_, schema_key_, SchemaKey::other);
  }

  bool field_key(std::string_view key) {
    field_key_ = key == "type" ? FieldKey::type : key == "label" ? FieldKey::label : FieldKey::other;
    return seen_once(field_seen_, field_key_, FieldKey::other);
  }

  bool import_key(std::string_view key) {
    item_key_ = key == "import_id"         ? ItemKey::import_id
                : key == "status"          ? ItemKey::status
                : key == "accepted_count"  ? ItemKey::accepted_count
                : key == "rejected_count"  ? ItemKey::rejected_count
                : key == "duplicate_count" ? ItemKey::duplicate_count
                                           : ItemKey::other;
    return seen_once(item_seen_, item_key_, ItemKey::other);
  }

  // False for a second `key` in one object, unless it is one nobody reads.
  template <class Enum>
  static bool seen_once(unsigned& seen, Enum key, Enum other) noexcept {
    if (key == other) return true;
    if (seen & bit(key)) return false;
    seen |= bit(key);
    return true;
  }

  std::optional<std::uint64_t>* import_count() noexcept {
    switch (item_key_) {
      case ItemKey::accepted_count: return &import_.accepted_count;
      case ItemKey::rejected_count: return &import_.rejected_count;
      case ItemKey::duplicate_count: return &import_.duplicate_count;
      default: return nullptr;
    }
  }

  bool open(bool object, std::size_t bytes_left) {
    switch (place()) {
      case Place::root:
        if (!object) return false;
        break;
      case Place::root_member:
        if (field_ == kSchema && object) {
          dataset_.schema.emplace();
          schema_seen_ = 0;
          schema_key_ = SchemaKey::other;
        } else if (field_ == kImports && !object) {
          reserve_imports(bytes_left);
        } else if (field_ != kUnknownField) {
          return false;
        }
        break;
      case Place::schema_member:
        if (schema_key_ == SchemaKey::strict || (schema_key_ == SchemaKey::fields && !object)) return false;
        break;
      case Place::schema_field:
        if (!object) return false;
        dataset_.schema->fields.push_back(SchemaField{std::string(field_name_), {}, {}});
        field_seen_ = 0;
        field_key_ = FieldKey::other;
        break;
      case Place::field_member:
        if (field_key_ != FieldKey::other) return false;
        break;
      case Place::import:
        if (!object) return false;
        import_ = DatasetImportSummary{};
        item_seen_ = 0;
        item_key_ = ItemKey::other;
        break;
      case Place::import_member:
        if (item_key_ != ItemKey::other) return false;
        break;
      case Place::ignored: break;
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    switch (place()) {
      case Place::schema_field: return (field_seen_ & bit(FieldKey::type)) != 0;  // a field's type is required
      case Place::import: return end_import();
      default: return true;
    }
  }

  // The import is read into import_ and kept here, or, past
  // max_dataset_imports_kept, only counted: a batch that wants the total
  // alone keeps none of a 10,000-import listing.
  bool end_import() {
    if (!(item_seen_ & bit(ItemKey::import_id)) || !(item_seen_ & bit(ItemKey::status))) return false;
    if (dataset_.imports.size() < limits_.max_dataset_imports_kept) dataset_.imports.push_back(std::move(import_));
    else ++dataset_.imports_dropped;
    return true;
  }

  // Room for the imports, guessed from the bytes left (an import of a real
  // answer takes 60 to 130): a guess too low costs a reallocation or two,
  // one too high at most 2 bytes of vector per byte of answer, and never
  // more than max_dataset_imports_kept.
  void reserve_imports(std::size_t bytes_left) {
    constexpr std::size_t kGuessedItemBytes = 64;
    dataset_.imports.reserve(std::min(bytes_left / kGuessedItemBytes, limits_.max_dataset_imports_kept));
  }

  const ParseLimits& limits_;
  Dataset dataset_;
  std::size_t depth_ = 0;  // open objects and arrays
  unsigned root_seen_ = 0;  // bits of the root fields read so far
  Field field_ = kUnknownField;
  unsigned schema_seen_ = 0;
  SchemaKey schema_key_ = SchemaKey::other;
  std::string_view field_name_;  // the key of the schema field about to open
  unsigned field_seen_ = 0;
  FieldKey field_key_ = FieldKey::other;
  unsigned item_seen_ = 0;
  ItemKey item_key_ = ItemKey::other;
  DatasetImportSummary import_;  // the import being read
};

inline std::optional<Dataset> try_parse_dataset_fast(std::string_view body, const ParseLimits& limits) {
  if (check_json_text(body, limits)) return std::nullopt;  // the DOM path's own checks
  DatasetSaxHandler handler(limits);
  if (!PlainJsonReader<DatasetSaxHandler>(body, handler).read()) return std::nullopt;
  return std::move(handler).dataset();
}

}  // namespace detail
}  // namespace upstate

#pragma once
// The bodies of <upstate/wire/dataset.hpp> (see detail/linkage.hpp).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <upstate/wire/dataset.hpp>
#include <upstate/wire/json.hpp>

namespace upstate {

namespace detail {

// A schema object wherever it sits ("$" alone, "$.schema" in a dataset).
// "fields" absent or null reads as no fields: the dataset answer may carry a
// schema that names none yet, and refusing the whole answer for it would help
// nobody. Each field's `type` is required and kept verbatim (unknown types are
// the server's business).
inline Result<Schema> read_schema(const JsonValue& object, std::string path) {
  ObjectReader reader(object, std::move(path));
  Schema schema;
  schema.strict = reader.optional_bool("strict").value_or(false);
  const JsonValue* fields = reader.optional_object("fields");
  if (reader.failed()) return reader.take_error();
  if (!fields) return schema;
  const std::string fields_path = reader.path_of("fields");
  for (auto it = fields->MemberBegin(); it != fields->MemberEnd(); ++it) {
    std::string_view name = string_view_of(it->name);
    std::string field_path = member_path(fields_path, name);
    if (!it->value.IsObject()) return malformed(std::move(field_path), wrong_type("object", it->value));
    ObjectReader field(it->value, std::move(field_path));
    SchemaField out;
    out.name = std::string(name);
    out.type = field.required_string("type");
    out.label = field.optional_string("label").value_or("");
    if (field.failed()) return field.take_error();
    schema.fields.push_back(std::move(out));
  }
  return schema;
}

inline rapidjson::SizeType json_length(const std::string& s) noexcept {
  return static_cast<rapidjson::SizeType>(s.size());  // RapidJSON strings are at most 4 GiB
}

}  // namespace detail

// The schema object alone ({"strict":..., "fields":{...}}).
UPSTATE_DECL Result<Schema> parse_schema(std::string_view json, const ParseLimits& limits) {
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(json, limits)) return std::move(*error);
  const rapidjson::Document& doc = json_body.doc();
  return detail::read_schema(doc, "$");
}

// The schema as the API writes it (compact JSON): "strict" then "fields" in
// order; an empty label is left out.
UPSTATE_DECL std::string schema_to_json(const Schema& schema) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("strict");
  writer.Bool(schema.strict);
  writer.Key("fields");
  writer.StartObject();
  for (const SchemaField& field : schema.fields) {
    writer.Key(field.name.data(), detail::json_length(field.name));
    writer.StartObject();
    writer.Key("type");
    writer.String(field.type.data(), detail::json_length(field.type));
    if (!field.label.empty()) {
      writer.Key("label");
      writer.String(field.label.data(), detail::json_length(field.label));
    }
    writer.EndObject();
  }
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

namespace detail {

// The fast path, defined in wire/dataset_sax.hpp (included at the end: it
// includes dataset.hpp, which includes this file).
inline std::optional<Dataset> try_parse_dataset_fast(std::string_view body, const ParseLimits& limits);

// The DOM parser: every body the fast path (wire/dataset_sax.hpp) gives up
// on, every error included.
inline Result<Dataset> parse_dataset_dom(std::string_view body, const ParseLimits& limits = {}) {
  detail::InSituJson json_body;
  if (auto error = json_body.parse_object(body, limits)) return std::move(*error);
  const rapidjson::Document& doc = json_body.doc();
  detail::ObjectReader fields(doc, "$");
  Dataset dataset;
  dataset.id = fields.required_string("id");
  dataset.name = fields.optional_string("name").value_or("");
  dataset.created_at = fields.optional_string("created_at").value_or("");
  dataset.created_by = fields.optional_string("created_by").value_or("");
  dataset.total_datapoint_count = fields.optional_count("total_datapoint_count");
  dataset.schema_version = fields.optional_int("schema_version");
  const detail::JsonValue* schema = fields.optional_object("schema");
  const detail::JsonValue* imports = fields.optional_array("imports");
  dataset.status = fields.optional_string("status");
  dataset.filename = fields.optional_string("filename");
  if (fields.failed()) return fields.take_error();
  if (schema) {
    auto parsed = detail::read_schema(*schema, fields.path_of("schema"));
    if (!parsed) return std::move(parsed).error();
    dataset.schema = std::move(parsed).value();
  }
  if (imports) {
    const std::string imports_path = fields.path_of("imports");
    // One allocation: a 10,000-import list doubled into ~2x its size.
    dataset.imports.reserve(std::min<std::size_t>(imports->Size(), limits.max_dataset_imports_kept));
    for (rapidjson::SizeType i = 0; i < imports->Size(); ++i) {
      const detail::JsonValue& item = (*imports)[i];
      std::string item_path = detail::element_path(imports_path, i);
      if (!item.IsObject()) return detail::malformed(std::move(item_path), detail::wrong_type("object", item));
      detail::ObjectReader import(item, std::move(item_path));
      DatasetImportSummary summary;
      summary.import_id = import.required_string("import_id");
      summary.status = import.required_string("status");
      summary.accepted_count = import.optional_count("accepted_count");
      summary.rejected_count = import.optional_count("rejected_count");
      summary.duplicate_count = import.optional_count("duplicate_count");
      if (import.failed()) return import.take_error();
      if (dataset.imports.size() < limits.max_dataset_imports_kept) dataset.imports.push_back(std::move(summary));
      else ++dataset.imports_dropped;
    }
  }
  return dataset;
}

}  // namespace detail

// Only `id` is required; every other field is optional but type-checked.
// imports[] items need `import_id` and `status` (strings, status verbatim).
// A plain answer is read by the SAX fast path (no DOM, no copy of the body);
// anything else by the DOM parser: results and errors are the DOM parser's.
UPSTATE_DECL Result<Dataset> parse_dataset(std::string_view body, const ParseLimits& limits) {
  if (auto dataset = detail::try_parse_dataset_fast(body, limits)) return std::move(*dataset);
  return detail::parse_dataset_dom(body, limits);
}

}  // namespace upstate

// The fast path's definition (it includes dataset.hpp first, for the types).
#include <upstate/wire/dataset_sax.hpp>

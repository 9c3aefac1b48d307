#pragma once
// The checks the (fake) service makes of each record, once the splitter has
// found it (rules: testing/fake_validation.hpp):
//   - JSONL: the line is one JSON object; CSV: the row has the header's
//     column count (and nothing else is checked in a row that has not);
//   - with a schema, one fault per offending field, schema fields first (in
//     schema order), then unknown fields (in record order):
//       text, image_url, audio_url, video_url, task_group_id: required, a
//       non-empty string; the *_url types start with http:// or https://
//       (any case); metadata and unknown types: optional, anything goes;
//       strict schema: a field the schema does not name is a fault.
//     audio_url, video_url: a URL whose extension is outside the official
//       client's lists (media_url.hpp) is a warning, ProblemKind::
//       media_extension, after the record's faults: not a fault, so
//       callers that judge records skip it (!rejects_record(kind)).
//     A JSON object's repeated key: the first counts for the schema checks,
//     each is checked for strictness. A CSV header's repeated name likewise.
//     Every CSV value is a string.
// Shared by Preflight and the fake service, so the two cannot drift apart.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../detail/ascii.hpp"
#include "../wire/dataset.hpp"
#include "csv_cells.hpp"
#include "file_kind.hpp"
#include "json_fields.hpp"
#include "media_url.hpp"
#include "record_problem.hpp"
#include "record_splitter.hpp"

namespace upstate {

constexpr bool is_required_field_type(std::string_view type) noexcept {
  return type == "text" || type == "image_url" || type == "audio_url" || type == "video_url" || type == "task_group_id";
}

constexpr bool is_url_field_type(std::string_view type) noexcept {
  return type == "image_url" || type == "audio_url" || type == "video_url";
}

class RecordChecker {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Without a schema only the format is checked (JSON object, column count).
  RecordChecker(FileKind kind, std::optional<Schema> schema) : kind_(kind), schema_(std::move(schema)) {
    if (!schema_) return;
    // Number the distinct names in schema order (a name given twice is one
    // name); one sort, so even a hostile schema of a million fields is cheap.
    const auto& fields = schema_->fields;
    std::vector<std::size_t> order(fields.size()), id_of(fields.size(), npos);
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return fields[a].name < fields[b].name; });
    std::vector<std::size_t> first_of(fields.size());  // the first field with the same name
    for (std::size_t k = 0; k < order.size(); ++k)
      first_of[order[k]] =
          k > 0 && fields[order[k]].name == fields[order[k - 1]].name ? first_of[order[k - 1]] : order[k];
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (first_of[i] == i) {
        id_of[i] = names_.size();
        names_.push_back(i);
      } else {
        id_of[i] = id_of[first_of[i]];
      }
      if (is_required_field_type(fields[i].type))
        required_.push_back(
            {i, id_of[i], is_url_field_type(fields[i].type), media_kind_of_type(fields[i].type), npos});
    }
    for (std::size_t k = 0; k < order.size(); ++k)
      if (first_of[order[k]] == order[k]) by_name_.push_back(id_of[order[k]]);
  }

  FileKind kind() const noexcept { return kind_; }
  const std::optional<Schema>& schema() const noexcept { return schema_; }
  // CSV: whether set_header() was called (rows are not checked before).
  bool header_known() const noexcept { return header_known_; }

  // CSV: the header row; its names are the fields of every row after it.
  void set_header(std::string_view row) {
    header_known_ = true;
    unknown_names_.clear();
    unknown_.clear();
    for (auto& r : required_) r.column = npos;
    columns_ = for_each_csv_cell(row, [&](std::size_t column, const CsvCell& cell) {
      const std::string name = csv_value(cell);
      const std::size_t id = schema_ ? name_id(name) : npos;
      for (auto& r : required_)
        if (r.column == npos && r.name == id) r.column = column;
      if (strict() && id == npos) {
        unknown_.emplace_back(unknown_names_.size(), name.size());
        unknown_names_ += name;
      }
    });
    by_column_.clear();
    for (std::size_t k = 0; k < required_.size(); ++k)
      if (required_[k].column != npos) by_column_.push_back(k);
    std::sort(by_column_.begin(), by_column_.end(),
              [&](std::size_t a, std::size_t b) { return required_[a].column < required_[b].column; });
  }

  // Calls fault(const RecordFault&) for each fault of one record (the
  // header excluded), in the order the fake service lists them. CSV rows are
  // not checked before set_header().
  template <class OnFault>
  void check_record(const RecordSpan& span, std::string_view text, OnFault&& fault) {
    if (kind_ == FileKind::jsonl)
      check_jsonl(span, text, fault);
    else if (header_known_)
      check_csv(text, fault);
  }

 private:
  struct Required {
    std::size_t field;   // in schema_->fields
    std::size_t name;    // in names_
    bool url;            // an *_url type
    unsigned char media;  // audio_url / video_url: the extension list wanted (media_url.hpp)
    std::size_t column;  // CSV: the first header column of that name, or npos
  };
  // What a field held in the record being checked (absent: not seen yet).
  struct Seen {
    ValueKind value = ValueKind::absent;
    bool url = false;
    unsigned char media = kMediaNone;
  };

  bool strict() const noexcept { return schema_ && schema_->strict; }
  std::string_view name_of(std::size_t id) const noexcept { return schema_->fields[names_[id]].name; }

  // The schema's distinct field names are numbered in schema order; a
  // record's field names are looked up once each: a few length-checked
  // compares for the schemas people write, a binary search for big ones.
  std::size_t name_id(std::string_view name) const noexcept {
    if (names_.size() <= 16) {
      for (std::size_t id = 0; id < names_.size(); ++id) {
        const std::string& n = schema_->fields[names_[id]].name;
        if (n.size() == name.size() && std::memcmp(n.data(), name.data(), name.size()) == 0) return id;
      }
      return npos;
    }
    auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                               [&](std::size_t id, std::string_view n) { return name_of(id) < n; });
    return it != by_name_.end() && name_of(*it) == name ? *it : npos;
  }

  template <class OnFault>
  void required_faults(OnFault& fault) {
    for (const Required& r : required_) {
      const Seen s = seen_[r.name];
      RecordFault f;
      f.field = schema_->fields[r.field].name;
      f.field_type = schema_->fields[r.field].type;
      if (s.value == ValueKind::absent) {
        f.kind = ProblemKind::missing_field;
      } else if (s.value != ValueKind::string) {
        f.kind = ProblemKind::not_nonempty_string;
        f.found = s.value;
      } else if (r.url && !s.url) {
        f.kind = ProblemKind::not_http_url;
      } else {
        continue;
      }
      fault(static_cast<const RecordFault&>(f));
    }
  }

  // After the faults: warnings of media URLs whose extension is off the lists.
  template <class OnFault>
  void media_warnings(OnFault& fault) {
    for (const Required& r : required_) {
      const Seen s = seen_[r.name];
      if (!r.media || s.value != ValueKind::string || !s.url || (s.media & r.media)) continue;
      RecordFault f;
      f.kind = ProblemKind::media_extension;
      f.field = schema_->fields[r.field].name;
      f.field_type = schema_->fields[r.field].type;
      fault(static_cast<const RecordFault&>(f));
    }
  }

  template <class OnFault>
  void check_jsonl(const RecordSpan& span, std::string_view text, OnFault& fault) {
    if (!json_.parse(text, span.indent == 0)) {
      RecordFault f;
      f.kind = ProblemKind::not_json_object;
      f.parse_error = json_.error_text();
      f.parse_error_offset = json_.error_offset();
      f.root = json_.root();
      fault(static_cast<const RecordFault&>(f));
      return;
    }
    if (!schema_) return;
    const auto& fields = json_.fields();
    seen_.assign(names_.size(), Seen{});
    unknown_fields_.clear();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::size_t id = name_id(fields[i].name);
      if (id == npos) {
        unknown_fields_.push_back(i);
      } else if (seen_[id].value == ValueKind::absent) {  // a repeated key: the first counts
        seen_[id] = {fields[i].value, fields[i].url, fields[i].media};
      }
    }
    required_faults(fault);
    if (strict())
      for (std::size_t i : unknown_fields_) {
        RecordFault f;
        f.kind = ProblemKind::unknown_field;
        f.field = fields[i].name;
        fault(static_cast<const RecordFault&>(f));
      }
    media_warnings(fault);
  }

  template <class OnFault>
  void check_csv(std::string_view row, OnFault& fault) {
    seen_.assign(names_.size(), Seen{});
    std::size_t next = 0;  // in by_column_
    const std::size_t columns = for_each_csv_cell(row, [&](std::size_t column, const CsvCell& cell) {
      for (; next < by_column_.size() && required_[by_column_[next]].column == column; ++next)
        seen_[required_[by_column_[next]].name] = classify(cell, required_[by_column_[next]].media != kMediaNone);
    });
    if (columns != columns_) {
      RecordFault f;
      f.kind = ProblemKind::column_count;
      f.columns_expected = columns_;
      f.columns_found = columns;
      fault(static_cast<const RecordFault&>(f));
      return;
    }
    if (!schema_) return;
    required_faults(fault);
    for (const auto& [begin, size] : unknown_) {
      RecordFault f;
      f.kind = ProblemKind::unknown_field;
      f.field = std::string_view(unknown_names_).substr(begin, size);
      fault(static_cast<const RecordFault&>(f));
    }
    media_warnings(fault);
  }

  // Only the value's first bytes matter (empty or not, and its scheme),
  // unless `media`: then its extension too, read from its last bytes before
  // any '?' or '#' (the value is read whole, in order).
  static Seen classify(const CsvCell& cell, bool media) {
    char head[8];
    std::size_t size = 0;
    char tail[16];
    std::size_t tail_size = 0;  // bytes of the current path tail, capped at 16 (a longer one has no listed extension)
    bool in_path = true, tail_overflow = false;
    for_each_csv_value_byte(cell, [&](char c) {
      if (size < sizeof head) head[size++] = c;
      if (!media) return size < sizeof head;
      if (c == '?' || c == '#') in_path = false;
      if (in_path) {
        if (c == '/' || c == '.') tail_size = 0, tail_overflow = false;
        if (tail_size < sizeof tail) tail[tail_size++] = c; else tail_overflow = true;
      }
      return true;
    });
    Seen s{size == 0 ? ValueKind::empty_string : ValueKind::string, is_http_url(std::string_view(head, size))};
    if (media && s.url && !tail_overflow) s.media = media_kind_of_url(std::string_view(tail, tail_size));
    return s;
  }

  FileKind kind_;
  std::optional<Schema> schema_;
  std::vector<std::size_t> names_;           // distinct schema names: id -> the first field of that name
  std::vector<std::size_t> by_name_;         // ids sorted by name
  std::vector<Required> required_;           // schema order
  std::vector<Seen> seen_;                   // per name id, for the record being checked
  std::vector<std::size_t> unknown_fields_;  // JSONL: fields of the record the schema lacks
  JsonFields json_;
  // CSV header
  bool header_known_ = false;
  std::size_t columns_ = 0;
  std::vector<std::size_t> by_column_;                        // required_ indices with a column, by column
  std::string unknown_names_;                                 // strict: header names the schema lacks, back to back...
  std::vector<std::pair<std::size_t, std::size_t>> unknown_;  // ... as (begin, size), header order
};

}  // namespace upstate

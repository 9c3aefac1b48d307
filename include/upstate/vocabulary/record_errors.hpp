#pragma once
// An import's rejected records: RecordError (one, owning its strings) and
// RecordErrors (the list an ImportReport holds).
//
// Why a list type of its own rather than std::vector<RecordError>: an answer
// can list 10,000 records, and a vector of them is 20,000 heap strings (the
// reason and the item's raw JSON) allocated by the parse and freed with the
// report; that was two thirds of parse_import_report's time (bench/README.md).
// RecordErrors keeps every string in one text buffer and each record as
// offsets into it: a handful of allocations whatever the count, a copy is a
// deep copy, and reading a record gives a RecordErrorView whose string_views
// point into that buffer.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace upstate {

// One rejected record. Field names are UNCONFIRMED (docs/service.md): the index is
// read from `record_index`, else `row`, `line` or `index`; the reason from
// `reason`, else `message`, else `detail`. `raw` keeps the item's JSON
// (truncated at ParseLimits::max_raw_item_bytes) whatever it held.
struct RecordError {
  std::optional<std::uint64_t> record_index;  // 0-based
  std::string field;                          // may be empty
  std::string reason;
  std::string raw;
};

// A record of a RecordErrors, read in place: the views stay valid while the
// RecordErrors it came from lives and is not changed, like a reference into
// a vector. to_owned() makes a RecordError that outlives it.
struct RecordErrorView {
  std::optional<std::uint64_t> record_index;
  std::string_view field;
  std::string_view reason;
  std::string_view raw;

  RecordError to_owned() const {
    return RecordError{record_index, std::string(field), std::string(reason), std::string(raw)};
  }
  friend bool operator==(const RecordErrorView& a, const RecordErrorView& b) noexcept {
    return a.record_index == b.record_index && a.field == b.field && a.reason == b.reason && a.raw == b.raw;
  }
  friend bool operator!=(const RecordErrorView& a, const RecordErrorView& b) noexcept { return !(a == b); }
};

class RecordErrors {
 public:
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = RecordErrorView;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = RecordErrorView;  // made on access: a proxy, like vector<bool>'s

    const_iterator() = default;
    RecordErrorView operator*() const { return (*list_)[static_cast<std::size_t>(i_)]; }
    RecordErrorView operator[](difference_type n) const { return (*list_)[static_cast<std::size_t>(i_ + n)]; }
    const_iterator& operator++() { ++i_; return *this; }
    const_iterator operator++(int) { auto t = *this; ++i_; return t; }
    const_iterator& operator--() { --i_; return *this; }
    const_iterator operator--(int) { auto t = *this; --i_; return t; }
    const_iterator& operator+=(difference_type n) { i_ += n; return *this; }
    const_iterator& operator-=(difference_type n) { i_ -= n; return *this; }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) { return a.i_ - b.i_; }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.i_ == b.i_; }
    friend bool operator!=(const const_iterator& a, const const_iterator& b) { return a.i_ != b.i_; }
    friend bool operator<(const const_iterator& a, const const_iterator& b) { return a.i_ < b.i_; }
    friend bool operator>(const const_iterator& a, const const_iterator& b) { return a.i_ > b.i_; }
    friend bool operator<=(const const_iterator& a, const const_iterator& b) { return a.i_ <= b.i_; }
    friend bool operator>=(const const_iterator& a, const const_iterator& b) { return a.i_ >= b.i_; }

   private:
    friend class RecordErrors;
    const_iterator(const RecordErrors* list, difference_type i) : list_(list), i_(i) {}
    const RecordErrors* list_ = nullptr;
    difference_type i_ = 0;
  };
  using iterator = const_iterator;  // records are replaced whole, never edited in place
  using value_type = RecordErrorView;
  using size_type = std::size_t;

  RecordErrors() = default;
  RecordErrors(std::initializer_list<RecordError> errors) {
    for (const auto& e : errors) push_back(e);
  }
  RecordErrors(const std::vector<RecordError>& errors) {  // NOLINT: converting, so `report.errors = list` reads as before
    reserve(errors.size());
    for (const auto& e : errors) push_back(e);
  }

  std::size_t size() const noexcept { return records_.size(); }
  bool empty() const noexcept { return records_.empty(); }
  std::size_t text_bytes() const noexcept { return text_.size(); }

  RecordErrorView operator[](std::size_t i) const {
    const Record& r = records_[i];
    const char* raw = text_.data() + r.raw_offset;
    return RecordErrorView{r.has_index ? std::optional<std::uint64_t>(r.index) : std::nullopt,
                           std::string_view(raw + r.field_at, r.field_size),
                           std::string_view(raw + r.reason_at, r.reason_size), std::string_view(raw, r.raw_size)};
  }
  RecordErrorView front() const { return (*this)[0]; }
  RecordErrorView back() const { return (*this)[size() - 1]; }
  const_iterator begin() const noexcept { return const_iterator(this, 0); }
  const_iterator end() const noexcept { return const_iterator(this, static_cast<std::ptrdiff_t>(size())); }

  // Room for `records` records and `text` bytes of their strings.
  void reserve(std::size_t records, std::size_t text = 0) {
    records_.reserve(records);
    text_.reserve(text);
  }
  void clear() noexcept {
    records_.clear();
    text_.clear();
  }

  // Copies the strings in. A field or reason that lies inside `raw` (as the
  // parser's do: they are views of the item's own text) is stored as a
  // place in raw's copy, not a second time. Returns false, storing nothing,
  // for a record of 4 GiB or more (an error value, not an exception: the
  // core builds with -fno-exceptions; the parsers' body caps keep every
  // answer far below it).
  bool push_back(std::optional<std::uint64_t> record_index, std::string_view field, std::string_view reason,
                 std::string_view raw) {
    // A view of our own text (errors.push_back(errors[0])) would dangle
    // once the text grows: copy it out first.
    const std::string_view own(text_.data(), text_.capacity());
    if (inside(field, own) || inside(reason, own) || inside(raw, own))
      return push_back(RecordError{record_index, std::string(field), std::string(reason), std::string(raw)});
    // Sizes and places are 32-bit (a record is 40 bytes, not 64): no single
    // record comes near 4 GiB, and one that would is refused.
    if (raw.size() > kMaxRecordBytes || field.size() > kMaxRecordBytes || reason.size() > kMaxRecordBytes ||
        raw.size() + field.size() + reason.size() > kMaxRecordBytes)
      return false;
    Record r;
    r.has_index = record_index.has_value();
    r.index = record_index.value_or(0);
    r.raw_offset = text_.size();
    r.raw_size = static_cast<std::uint32_t>(raw.size());
    text_.append(raw.data(), raw.size());
    r.field_at = place_of(field, raw, r.raw_offset);
    r.field_size = static_cast<std::uint32_t>(field.size());
    r.reason_at = place_of(reason, raw, r.raw_offset);
    r.reason_size = static_cast<std::uint32_t>(reason.size());
    records_.push_back(r);
    return true;
  }
  bool push_back(const RecordError& e) { return push_back(e.record_index, e.field, e.reason, e.raw); }
  bool push_back(const RecordErrorView& e) { return push_back(e.record_index, e.field, e.reason, e.raw); }

  friend bool operator==(const RecordErrors& a, const RecordErrors& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  friend bool operator!=(const RecordErrors& a, const RecordErrors& b) { return !(a == b); }

 private:
  static constexpr std::size_t kMaxRecordBytes = 0xFFFFFFFFu;

  struct Record {
    std::uint64_t index = 0;
    std::size_t raw_offset = 0;  // in text_
    std::uint32_t raw_size = 0;
    std::uint32_t field_at = 0, field_size = 0;    // from raw_offset
    std::uint32_t reason_at = 0, reason_size = 0;  // from raw_offset
    bool has_index = false;
  };

  // Where `part` is, counted from the start of the record's raw copy (at
  // raw_offset): inside that copy when it lies inside `raw` (the parser's
  // views do), else appended after it.
  std::uint32_t place_of(std::string_view part, std::string_view raw, std::size_t raw_offset) {
    if (inside(part, raw)) return static_cast<std::uint32_t>(part.data() - raw.data());
    const std::size_t at = text_.size() - raw_offset;
    text_.append(part.data(), part.size());
    return static_cast<std::uint32_t>(at);
  }

  // Addresses as integers, not <: the pointers may belong to unrelated
  // objects (std::less would do too, but <functional> costs every
  // translation unit ~0.2 s of compile time; bench/compile_time.sh).
  static bool inside(std::string_view part, std::string_view whole) noexcept {
    if (part.empty() || whole.empty()) return false;
    const auto address = [](const char* p) { return reinterpret_cast<std::uintptr_t>(p); };
    return address(part.data()) >= address(whole.data()) &&
           address(part.data()) + part.size() <= address(whole.data()) + whole.size();
  }

  std::vector<Record> records_;
  std::string text_;
};

}  // namespace upstate

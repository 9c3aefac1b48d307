#pragma once
// RecordSplitter's pieces put back together: `next(span, text)` sees each
// record whole. A record that lies inside one chunk is passed as a view of
// that chunk (no copy); one that spans chunks is gathered in a buffer that
// never grows past the splitter's max_record_bytes: a longer record arrives
// with span.too_long set and an empty text, so memory stays bounded whatever
// the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "record_splitter.hpp"

namespace upstate {

class RecordGatherer {
 public:
  explicit RecordGatherer(std::uint64_t max_record_bytes) noexcept : max_(max_record_bytes) {}

  // A splitter handler that hands whole records to `next(const RecordSpan&, std::string_view)`.
  template <class Next>
  class Handler {
   public:
    Handler(RecordGatherer& g, Next& next) noexcept : g_(g), next_(next) {}
    void record_begin(const RecordSpan&) noexcept {
      g_.buffer_.clear();
      g_.spans_chunks_ = false;
      g_.over_ = false;
    }
    void record_bytes(std::string_view piece) {
      g_.spans_chunks_ = true;
      g_.append(piece);
    }
    void record_end(const RecordSpan& span, std::string_view last) {
      if (span.too_long) {
        g_.buffer_.clear();
        next_(span, std::string_view{});
      } else if (!g_.spans_chunks_) {
        next_(span, last);
      } else {
        g_.append(last);
        next_(span, std::string_view(g_.buffer_.data(), g_.buffer_.size()));
      }
    }

   private:
    RecordGatherer& g_;
    Next& next_;
  };

  template <class Next>
  Handler<Next> to(Next& next) noexcept {
    return Handler<Next>(*this, next);
  }

  // Bytes held for the record being gathered (for tests of the bound).
  std::size_t buffered() const noexcept { return buffer_.size(); }
  std::size_t capacity() const noexcept { return buffer_.capacity(); }

 private:
  void append(std::string_view piece) {
    if (over_) return;
    if (piece.size() > max_ - buffer_.size()) {
      over_ = true;  // too long: the splitter flags it at its end
      buffer_.clear();
      return;
    }
    // Grown by hand, never past the limit (a string's own growth may double
    // past it); libstdc++'s and libc++'s vector::reserve allocate exactly
    // what they are asked for.
    const std::uint64_t need = buffer_.size() + piece.size();
    if (need > buffer_.capacity()) {
      const std::uint64_t doubled = std::max<std::uint64_t>(need, 2 * buffer_.capacity());
      buffer_.reserve(static_cast<std::size_t>(std::min(max_, doubled)));
    }
    buffer_.insert(buffer_.end(), piece.begin(), piece.end());
  }

  std::uint64_t max_;
  std::vector<char> buffer_;
  bool spans_chunks_ = false, over_ = false;
};

}  // namespace upstate

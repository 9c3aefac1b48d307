#pragma once
// S3's XML error: <Error><Code>..</Code><Message>..</Message>...</Error>.
// A tiny, bounded reader for exactly that shape (no general XML parser):
// child elements of <Error> holding text, entities decoded.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../detail/linkage.hpp"
#include "../vocabulary/result.hpp"
#include "limits.hpp"
#include "parse_error.hpp"

namespace upstate {

struct S3Error {
  std::string code;     // e.g. "AccessDenied", "SignatureDoesNotMatch", "SlowDown"
  std::string message;  // e.g. "Request has expired"
  std::vector<std::pair<std::string, std::string>> fields;  // every other child: Expires, ServerTime, Header, ...

  const std::string* field(std::string_view name) const {
    for (const auto& f : fields)
      if (f.first == name) return &f.second;
    return nullptr;
  }
};

// Error{malformed_answer} when no <Error> element with a non-empty <Code> is
// found. Reading stops quietly at the first thing that is not this shape
// (e.g. a body cut short by the codec's cap): what was read up to there is
// kept, and only a missing Code is an error. The first <Code> and <Message>
// fill `code` and `message`; every other child goes to `fields` in order.
UPSTATE_DECL Result<S3Error> parse_s3_error(std::string_view body, const ParseLimits& limits = {});

}  // namespace upstate

#ifndef UPSTATE_SEPARATE_COMPILATION
#include <upstate/impl/wire_s3_error.ipp>
#endif

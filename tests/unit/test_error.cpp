// Error's named constructors say whose fault it is; the positional
// aggregate form is gone (error.hpp), so a new Error{code, 0, "...", "", ""}
// does not compile.
#include <catch2/catch.hpp>

#include <type_traits>

#include <upstate/vocabulary/error.hpp>

using namespace upstate;

static_assert(!std::is_aggregate_v<Error>, "a positional Error{code, status, ...} must not compile");
static_assert(!std::is_constructible_v<Error, ErrorCode, int, std::string, std::string, std::string>,
              "build an Error with a named constructor");
static_assert(std::is_nothrow_default_constructible_v<Error>);

TEST_CASE("Error: named constructors fill the fields they name, nothing else") {
  const Error blank{};
  CHECK(blank.code == ErrorCode::internal);  // one that escapes unset is our bug, never the caller's usage
  CHECK(blank.http_status == 0);
  CHECK(blank.message.empty());

  const Error bad = Error::invalid_argument("no such file");
  CHECK(bad.code == ErrorCode::invalid_argument);
  CHECK(bad.message == "no such file");
  CHECK(bad.http_status == 0);
  CHECK(bad.path.empty());
  CHECK(bad.server_code.empty());

  const Error answer = Error::answer(ErrorCode::upload_rejected, 403, "refused", "AccessDenied");
  CHECK(answer.http_status == 403);
  CHECK(answer.server_code == "AccessDenied");

  const Error malformed = Error::malformed("$.import_id", "not a string").with_status(200);
  CHECK(malformed.code == ErrorCode::malformed_answer);
  CHECK(malformed.path == "$.import_id");
  CHECK(malformed.http_status == 200);

  const Error journal = Error::of(ErrorCode::invalid_snapshot, "bad line").at("journal line 3");
  CHECK(to_string(journal) == "invalid_snapshot: bad line at journal line 3");
}

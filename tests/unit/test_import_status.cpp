#include <catch2/catch.hpp>

#include <upstate/vocabulary/import_status.hpp>

using namespace upstate;

TEST_CASE("ImportStatus: terminal statuses and the wire spelling round trip") {
  int terminal = 0;
  for (ImportStatus s : kAllImportStatuses) {
    CAPTURE(to_string(s));
    CHECK(parse_import_status(to_string(s)) == s);
    terminal += is_terminal(s) ? 1 : 0;
  }
  CHECK(terminal == 4);
  CHECK(is_terminal(ImportStatus::complete));
  CHECK(is_terminal(ImportStatus::partial));
  CHECK(is_terminal(ImportStatus::failed));
  CHECK(is_terminal(ImportStatus::pending_schema));
  CHECK_FALSE(is_terminal(ImportStatus::uninitialised));
  CHECK_FALSE(is_terminal(ImportStatus::queued));
  CHECK_FALSE(is_terminal(ImportStatus::processing));
}

TEST_CASE("ImportStatus: unknown or differently spelled strings are not guessed") {
  CHECK_FALSE(parse_import_status("COMPLETE"));
  CHECK_FALSE(parse_import_status("uninitialized"));
  CHECK_FALSE(parse_import_status(""));
  CHECK_FALSE(parse_import_status("complete "));
}

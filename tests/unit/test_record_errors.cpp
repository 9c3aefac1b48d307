// RecordErrors: the rejected records of an ImportReport, every string in one
// buffer. What a user can rely on: reading gives back what went in, copies
// are deep, a record pushed from the list itself survives the list growing,
// and a field or reason inside the raw text is not stored twice.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include <upstate/vocabulary/record_errors.hpp>

using upstate::RecordError;
using upstate::RecordErrors;
using upstate::RecordErrorView;

TEST_CASE("record errors: what is pushed is read back, in order", "[record_errors]") {
  RecordErrors list;
  CHECK(list.empty());
  list.push_back(RecordError{3, "response", "missing required field", R"({"record_index":3})"});
  list.push_back(std::nullopt, "", "not a JSON object", "{}");
  REQUIRE(list.size() == 2);
  CHECK(list[0].record_index == 3u);
  CHECK(list[0].field == "response");
  CHECK(list[0].reason == "missing required field");
  CHECK(list[0].raw == R"({"record_index":3})");
  CHECK_FALSE(list[1].record_index);
  CHECK(list[1].field.empty());
  CHECK(list[1].reason == "not a JSON object");
  CHECK(list.back().raw == "{}");
  CHECK(list.front() == list[0]);
}

TEST_CASE("record errors: iterators walk the records like a vector's", "[record_errors]") {
  RecordErrors list{{1, "a", "r1", "x"}, {2, "b", "r2", "y"}, {3, "c", "r3", "z"}};
  std::vector<std::string> fields;
  for (const RecordErrorView e : list) fields.emplace_back(e.field);
  CHECK(fields == std::vector<std::string>{"a", "b", "c"});
  CHECK(std::distance(list.begin(), list.end()) == 3);
  auto it = list.begin() + 2;
  CHECK((*it).record_index == 3u);
  CHECK(it[-1].field == "b");
  CHECK(std::find_if(list.begin(), list.end(), [](RecordErrorView e) { return e.reason == "r2"; }) - list.begin() == 1);
}

TEST_CASE("record errors: a copy is deep, and to_owned outlives the list", "[record_errors]") {
  RecordError owned;
  RecordErrors copy;
  {
    RecordErrors list{{7, "prompt", "too long", R"({"row":7})"}};
    copy = list;
    owned = list[0].to_owned();
    list.clear();
    list.push_back(8, "other", "other", "other");
    CHECK(list.size() == 1);
  }
  REQUIRE(copy.size() == 1);
  CHECK(copy[0].field == "prompt");
  CHECK(copy[0].raw == R"({"row":7})");
  CHECK(owned.record_index == 7u);
  CHECK(owned.reason == "too long");
}

TEST_CASE("record errors: pushing a record of the list itself survives the text growing", "[record_errors]") {
  RecordErrors list;
  list.push_back(0, "field-in-the-list", std::string(100, 'r'), std::string(200, 'w'));
  for (int i = 0; i < 200; ++i) list.push_back(list[0]);  // the text reallocates many times meanwhile
  REQUIRE(list.size() == 201);
  for (const RecordErrorView e : list) {
    CHECK(e.field == "field-in-the-list");
    CHECK(e.reason == std::string(100, 'r'));
    CHECK(e.raw == std::string(200, 'w'));
  }
}

TEST_CASE("record errors: a field or reason inside raw is stored once", "[record_errors]") {
  const std::string item = R"({"record_index":1,"field":"response","reason":"missing required field"})";
  const std::string_view raw = item;
  const auto field = raw.substr(raw.find("response"), 8);
  const auto reason = raw.substr(raw.find("missing"), 22);
  RecordErrors inside_raw;
  inside_raw.push_back(1, field, reason, raw);
  CHECK(inside_raw.text_bytes() == item.size());
  CHECK(inside_raw[0].field == "response");
  CHECK(inside_raw[0].reason == "missing required field");

  // The same strings from elsewhere are copied after raw.
  const std::string f = "response", r = "missing required field";
  RecordErrors apart;
  apart.push_back(1, f, r, raw);
  CHECK(apart.text_bytes() == item.size() + f.size() + r.size());
  CHECK(apart == inside_raw);  // equal by content, wherever it is stored
}

TEST_CASE("record errors: equality compares content, and a vector converts", "[record_errors]") {
  std::vector<RecordError> v{{1, "a", "b", "c"}, {std::nullopt, "", "d", "e"}};
  RecordErrors from_vector = v;
  RecordErrors pushed;
  for (const auto& e : v) pushed.push_back(e);
  CHECK(from_vector == pushed);
  pushed.push_back(2, "", "", "");
  CHECK(from_vector != pushed);
  RecordErrors other_index = v;
  RecordErrors changed{{2, "a", "b", "c"}, {std::nullopt, "", "d", "e"}};
  CHECK(other_index != changed);
}

TEST_CASE("record errors: a record of 4 GiB or more is refused with false, not an exception", "[record_errors]") {
  // The sizes are checked before a byte is read, so a view that claims 4 GiB
  // over a small buffer is enough to reach the check.
  static const char small[16] = "{\"a\":1}";
  const std::string_view huge(small, std::size_t{0x100000000});
  RecordErrors errors;
  CHECK_FALSE(errors.push_back(std::uint64_t{1}, "", "too big", huge));
  CHECK(errors.empty());
  CHECK(errors.push_back(std::uint64_t{2}, "a", "bad", std::string_view(small, 7)));
  CHECK(errors.size() == 1);
}

// The two small containers the core uses instead of <functional> and
// <map>/<set> (compile time, issue 16): Callback behaves as std::function
// does where Batch uses it, FlatSet/FlatMap as std::set/std::map.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <upstate/detail/callback.hpp>
#include <upstate/detail/flat_set.hpp>

using upstate::Callback;
using upstate::detail::FlatMap;
using upstate::detail::FlatSet;

namespace {
int twice(int x) { return 2 * x; }
}  // namespace

TEST_CASE("Callback: empty from nothing, nullptr, a null pointer or an empty std::function") {
  CHECK_FALSE(Callback<int(int)>{});
  CHECK_FALSE(Callback<int(int)>{nullptr});
  int (*null_fn)(int) = nullptr;
  CHECK_FALSE(Callback<int(int)>{null_fn});
  CHECK_FALSE(Callback<int(int)>{std::function<int(int)>{}});
  CHECK(Callback<int(int)>{std::function<int(int)>{twice}}(4) == 8);
  CHECK(Callback<int(int)>{&twice}(5) == 10);
}

TEST_CASE("Callback: copies own their target and moves leave the source empty") {
  auto count = std::make_shared<int>(0);
  Callback<void(int)> add = [count](int n) { *count += n; };
  CHECK(count.use_count() == 2);
  Callback<void(int)> copy = add;
  CHECK(count.use_count() == 3);
  copy(2);
  add(3);
  CHECK(*count == 5);
  Callback<void(int)> moved = std::move(add);
  CHECK_FALSE(add);  // NOLINT(bugprone-use-after-move): moved-from is empty, as documented
  moved(1);
  CHECK(*count == 6);
  copy = nullptr;
  CHECK_FALSE(copy);
  CHECK(count.use_count() == 2);
  moved = Callback<void(int)>{};
  CHECK(count.use_count() == 1);
}

TEST_CASE("Callback: arguments are forwarded (move-only by value, references as references)") {
  Callback<std::size_t(std::unique_ptr<std::string>, std::vector<int>&)> f =
      [](std::unique_ptr<std::string> s, std::vector<int>& out) {
        out.push_back(7);
        return s->size();
      };
  std::vector<int> out;
  CHECK(f(std::make_unique<std::string>("abc"), out) == 3);
  CHECK(out == std::vector<int>{7});
}

TEST_CASE("FlatSet: sorted, unique, erase counts as std::set's") {
  FlatSet<std::size_t> s;
  CHECK(s.insert(5));
  CHECK(s.insert(1));
  CHECK(s.insert(3));
  CHECK_FALSE(s.insert(3));
  CHECK(std::vector<std::size_t>(s.begin(), s.end()) == std::vector<std::size_t>{1, 3, 5});
  CHECK(s.erase(3) == 1);
  CHECK(s.erase(3) == 0);
  CHECK(s.erase(4) == 0);
  CHECK(s.size() == 2);
  CHECK(std::vector<std::size_t>(s.begin(), s.end()) == std::vector<std::size_t>{1, 5});
}

TEST_CASE("FlatMap: set, find, overwrite and erase by key") {
  FlatMap<std::uint64_t, std::size_t> m;
  m.set(2, 20);
  m.set(9, 90);
  m.set(4, 40);
  REQUIRE(m.find(4));
  CHECK(*m.find(4) == 40);
  CHECK_FALSE(m.find(3));
  m.set(4, 41);
  CHECK(*m.find(4) == 41);
  CHECK(m.size() == 3);
  CHECK(m.erase(2) == 1);
  CHECK(m.erase(2) == 0);
  CHECK_FALSE(m.find(2));
  CHECK(*m.find(9) == 90);
  CHECK(m.size() == 2);
}

#pragma once
// Sorted-vector sets and maps for the batch's bookkeeping (running files,
// outstanding tickets): a handful of keys at a time (at most the files in
// flight), where a sorted vector is as fast as a tree and costs every file
// that includes the core no <map>/<set> (their red-black tree is about
// 0.1 s of compile time: bench/compile_time.sh). Iteration is in key order,
// as std::set's and std::map's.
#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace upstate {
namespace detail {

template <class Key>
class FlatSet {
 public:
  using const_iterator = typename std::vector<Key>::const_iterator;

  // Whether `key` was new.
  bool insert(const Key& key) {
    auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
    if (it != keys_.end() && !(key < *it)) return false;
    keys_.insert(it, key);
    return true;
  }
  // How many were erased (0 or 1), as std::set::erase(key).
  std::size_t erase(const Key& key) {
    auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
    if (it == keys_.end() || key < *it) return 0;
    keys_.erase(it);
    return 1;
  }
  std::size_t size() const noexcept { return keys_.size(); }
  bool empty() const noexcept { return keys_.empty(); }
  const_iterator begin() const noexcept { return keys_.begin(); }
  const_iterator end() const noexcept { return keys_.end(); }

 private:
  std::vector<Key> keys_;
};

template <class Key, class Value>
class FlatMap {
 public:
  // Sets key's value (inserted when new).
  void set(const Key& key, Value value) {
    auto it = find_slot(key);
    if (it != entries_.end() && !(key < it->first)) {
      it->second = std::move(value);
    } else {
      entries_.insert(it, std::pair<Key, Value>(key, std::move(value)));
    }
  }
  // The value of `key`, or nullptr.
  const Value* find(const Key& key) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                               [](const std::pair<Key, Value>& e, const Key& k) { return e.first < k; });
    return it != entries_.end() && !(key < it->first) ? &it->second : nullptr;
  }
  // How many were erased (0 or 1).
  std::size_t erase(const Key& key) {
    auto it = find_slot(key);
    if (it == entries_.end() || key < it->first) return 0;
    entries_.erase(it);
    return 1;
  }
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  typename std::vector<std::pair<Key, Value>>::iterator find_slot(const Key& key) {
    return std::lower_bound(entries_.begin(), entries_.end(), key,
                            [](const std::pair<Key, Value>& e, const Key& k) { return e.first < k; });
  }
  std::vector<std::pair<Key, Value>> entries_;
};

}  // namespace detail
}  // namespace upstate

#pragma once
// A value or a typed Error, usable without exceptions (cpp-httplib's users
// praise exactly this). Deliberately small: no monadic zoo.
//
// A tagged union written out rather than std::variant<T, Error>: every
// Result<T> of a header-only library is instantiated in every user's
// translation unit, and std::variant's visitation tables made these a tenth
// of the core header's compile time (bench/compile_time.sh).
#include <cstdlib>
#include <new>
#include <utility>

#include "error.hpp"

namespace upstate {

template <class T>
class Result {
 public:
  Result(T value) : ok_(true) { new (&value_) T(std::move(value)); }              // NOLINT: implicit by design
  Result(Error error) : ok_(false) { new (&error_) Error(std::move(error)); }      // NOLINT: implicit by design
  Result(const Result& other) : ok_(other.ok_) {
    if (ok_) new (&value_) T(other.value_);
    else new (&error_) Error(other.error_);
  }
  Result(Result&& other) noexcept : ok_(other.ok_) {
    if (ok_) new (&value_) T(std::move(other.value_));
    else new (&error_) Error(std::move(other.error_));
  }
  Result& operator=(const Result& other) {
    if (this != &other) {
      Result copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  Result& operator=(Result&& other) noexcept {
    if (this != &other) {
      destroy();
      ok_ = other.ok_;
      if (ok_) new (&value_) T(std::move(other.value_));
      else new (&error_) Error(std::move(other.error_));
    }
    return *this;
  }
  ~Result() { destroy(); }

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }

  // Asking a failed Result for its value (or a good one for its error) is
  // the caller's bug: it stops the program, as std::get would without
  // exceptions, rather than hand back a value that is not there.
  T& value() & { abort_unless(ok_); return value_; }
  const T& value() const& { abort_unless(ok_); return value_; }
  T&& value() && { abort_unless(ok_); return std::move(value_); }
  const Error& error() const& { abort_unless(!ok_); return error_; }
  Error&& error() && { abort_unless(!ok_); return std::move(error_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  static void abort_unless(bool holds) {
    if (!holds) std::abort();
  }
  void destroy() noexcept {
    if (ok_) value_.~T();
    else error_.~Error();
  }

  bool ok_;
  union {
    T value_;
    Error error_;
  };
};

}  // namespace upstate

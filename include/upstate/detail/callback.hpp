#pragma once
// upstate::Callback<R(Args...)>: an owning, copyable callable, the part of
// std::function the core uses (Batch's UploadMaker, BatchStepper's
// OnFinished). Not std::function because <functional> costs every file that
// includes the core about 0.15 s (libstdc++'s C++17 <functional> brings
// <unordered_map> for its searchers; bench/compile_time.sh).
//
// What differs from std::function: no target()/target_type(), and calling an
// empty one is a precondition violation (std::abort, not bad_function_call).
// Anything `f` with `explicit operator bool` (a std::function, a function
// pointer) that is false makes an empty Callback, as std::function does.
#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace upstate {

template <class Signature>
class Callback;

template <class R, class... Args>
class Callback<R(Args...)> {
 public:
  Callback() noexcept = default;
  Callback(std::nullptr_t) noexcept {}  // NOLINT: as std::function

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, Callback> && std::is_invocable_r_v<R, D&, Args...>>>
  Callback(F&& f) {  // NOLINT: implicit, as std::function
    if constexpr (std::is_constructible_v<bool, const D&>) {
      if (!static_cast<bool>(f)) return;
    }
    target_ = new D(std::forward<F>(f));
    ops_ = &kOps<D>;
  }

  Callback(const Callback& other) : target_(other.target_ ? other.ops_->clone(other.target_) : nullptr), ops_(other.ops_) {}
  Callback(Callback&& other) noexcept : target_(std::exchange(other.target_, nullptr)), ops_(other.ops_) {}
  Callback& operator=(Callback other) noexcept {
    std::swap(target_, other.target_);
    std::swap(ops_, other.ops_);
    return *this;
  }
  ~Callback() {
    if (target_) ops_->destroy(target_);
  }

  explicit operator bool() const noexcept { return target_ != nullptr; }

  R operator()(Args... args) const {
    if (!target_) std::abort();
    return ops_->call(target_, std::forward<Args>(args)...);
  }

 private:
  struct Ops {
    R (*call)(void*, Args&&...);
    void* (*clone)(const void*);
    void (*destroy)(void*);
  };
  template <class D>
  static R call_as(void* target, Args&&... args) {
    if constexpr (std::is_void_v<R>) {
      (*static_cast<D*>(target))(std::forward<Args>(args)...);
    } else {
      return (*static_cast<D*>(target))(std::forward<Args>(args)...);
    }
  }
  template <class D>
  static void* clone_as(const void* target) {
    return new D(*static_cast<const D*>(target));
  }
  template <class D>
  static void destroy_as(void* target) noexcept {
    delete static_cast<D*>(target);
  }
  template <class D>
  static constexpr Ops kOps{&call_as<D>, &clone_as<D>, &destroy_as<D>};

  void* target_ = nullptr;
  const Ops* ops_ = nullptr;
};

}  // namespace upstate

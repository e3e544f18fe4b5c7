// Result<T, E>: a value or an error, never both. sluice uses no exceptions;
// every fallible function returns one of these (STYLE.md practice 7).
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace sluice {

// Err wraps an error so `return Err(e);` is unambiguous in a Result function.
template <class E>
struct Err {
  E error;
  explicit Err(E e) : error(std::move(e)) {}
};

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  template <class E2, class = std::enable_if_t<std::is_constructible_v<E, E2>>>
  Result(Err<E2> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const E& error() const& { return std::get<1>(v_); }
  E&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <class E2, class = std::enable_if_t<std::is_constructible_v<E, E2>>>
  Result(Err<E2> e) : err_(E(std::move(e.error))), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  void value() const {}

  const E& error() const& { return err_; }
  E&& error() && { return std::move(err_); }

 private:
  E err_{};
  bool failed_ = false;
};

namespace detail {
// take_value moves the value out by value (never a reference into the
// temporary Result), or yields void.
template <class R>
auto take_value(R&& r) {
  using V = std::remove_cvref_t<decltype(r.value())>;
  if constexpr (!std::is_void_v<V>) return V(std::move(r).value());
}
}  // namespace detail

}  // namespace sluice

// SLUICE_TRY(expr): evaluates a Result; on error returns it from the enclosing
// function (converting the error type), otherwise yields the value. The one
// control-flow macro in sluice (STYLE.md (c)).
#define SLUICE_TRY(expr)                                              \
  ({                                                                  \
    auto&& sluice_try_r_ = (expr);                                    \
    if (!sluice_try_r_.ok())                                          \
      return ::sluice::Err(std::move(sluice_try_r_).error());         \
    ::sluice::detail::take_value(std::move(sluice_try_r_));           \
  })

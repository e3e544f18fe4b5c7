// Secret byte storage that is wiped when freed or resized away.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace sluice {

// wipe overwrites memory in a way the optimiser may not elide.
inline void wipe(std::span<uint8_t> s) {
  if (!s.empty()) explicit_bzero(s.data(), s.size());
}

// SecretBytes owns key material: move-only, wiped on destruction and on
// reassignment. Use it for every private key, shared secret and traffic
// secret. Up to kInline bytes (every TLS 1.3 secret) live inside the object,
// so deriving keys allocates nothing; larger values (RSA components) use
// the heap.
class SecretBytes {
 public:
  static constexpr size_t kInline = 64;

  SecretBytes() = default;
  explicit SecretBytes(size_t n) { resize(n); }
  explicit SecretBytes(std::span<const uint8_t> s) { assign(s); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept { take(o); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      clear();
      take(o);
    }
    return *this;
  }
  ~SecretBytes() { clear(); }

  // copy makes an explicit duplicate (copies of secrets should be visible).
  SecretBytes copy() const { return SecretBytes(span()); }

  void assign(std::span<const uint8_t> s) {
    clear();
    resize(s.size());
    if (!s.empty()) std::memcpy(data(), s.data(), s.size());
  }
  // resize keeps the first min(old, n) bytes; new bytes are zero.
  void resize(size_t n) {
    if (n <= capacity()) {
      if (n < size_) wipe(std::span(data() + n, size_ - n));
      if (n > size_) std::memset(data() + size_, 0, n - size_);
      size_ = n;
      return;
    }
    std::vector<uint8_t> bigger(n);
    if (size_) std::memcpy(bigger.data(), data(), size_);
    const size_t keep = size_;
    clear();
    heap_ = std::move(bigger);
    size_ = n;
    (void)keep;
  }
  void clear() {
    wipe(std::span(data(), size_));
    if (!heap_.empty()) {
      wipe(std::span(heap_));
      std::vector<uint8_t>().swap(heap_);
    }
    size_ = 0;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint8_t* data() { return heap_.empty() ? inline_ : heap_.data(); }
  const uint8_t* data() const { return heap_.empty() ? inline_ : heap_.data(); }
  std::span<uint8_t> span() { return {data(), size_}; }
  std::span<const uint8_t> span() const { return {data(), size_}; }
  operator std::span<const uint8_t>() const { return span(); }  // NOLINT

 private:
  size_t capacity() const { return heap_.empty() ? kInline : heap_.size(); }
  void take(SecretBytes& o) {
    size_ = o.size_;
    if (!o.heap_.empty()) {
      heap_ = std::move(o.heap_);
      std::vector<uint8_t>().swap(o.heap_);
    } else if (size_) {
      std::memcpy(inline_, o.inline_, size_);
      wipe(std::span(o.inline_, o.size_));
    }
    o.size_ = 0;
  }

  uint8_t inline_[kInline] = {};
  size_t size_ = 0;
  std::vector<uint8_t> heap_;  // used only above kInline bytes
};

// Constant-time equality for MACs and Finished values.
inline bool ct_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  uint8_t acc = 0;
  for (size_t i = 0; i < a.size(); ++i) acc |= static_cast<uint8_t>(a[i] ^ b[i]);
  return acc == 0;
}

}  // namespace sluice

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
// reassignment. Use it for every private key, shared secret and traffic secret.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : v_(n) {}
  explicit SecretBytes(std::span<const uint8_t> s) : v_(s.begin(), s.end()) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : v_(std::move(o.v_)) { o.v_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      clear();
      v_ = std::move(o.v_);
      o.v_.clear();
    }
    return *this;
  }
  ~SecretBytes() { clear(); }

  // copy makes an explicit duplicate (copies of secrets should be visible).
  SecretBytes copy() const { return SecretBytes(span()); }

  void assign(std::span<const uint8_t> s) {
    clear();
    v_.assign(s.begin(), s.end());
  }
  void resize(size_t n) {
    if (n < v_.size()) wipe(std::span(v_).subspan(n));
    if (n > v_.capacity()) {
      // Reallocation would leave the old copy behind: move by hand.
      std::vector<uint8_t> bigger(n);
      std::copy(v_.begin(), v_.end(), bigger.begin());
      clear();
      v_ = std::move(bigger);
      return;
    }
    v_.resize(n);
  }
  void clear() {
    wipe(std::span(v_));
    v_.clear();
  }

  size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  uint8_t* data() { return v_.data(); }
  const uint8_t* data() const { return v_.data(); }
  std::span<uint8_t> span() { return v_; }
  std::span<const uint8_t> span() const { return v_; }
  operator std::span<const uint8_t>() const { return v_; }  // NOLINT

 private:
  std::vector<uint8_t> v_;
};

// Constant-time equality for MACs and Finished values.
inline bool ct_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  uint8_t acc = 0;
  for (size_t i = 0; i < a.size(); ++i) acc |= static_cast<uint8_t>(a[i] ^ b[i]);
  return acc == 0;
}

}  // namespace sluice

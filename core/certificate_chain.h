// A peer's certificate chain, kept after the handshake for the application
// (negotiated().peer_chain) and for resumption. It is immutable and shared:
// a connection, the sessions it stores and, through a context's ChainCache,
// every live connection that received the same bytes hold one copy.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace sluice {

class CertificateChain {
 public:
  using Der = std::vector<uint8_t>;

  CertificateChain() = default;
  explicit CertificateChain(std::vector<Der> certs)
      : certs_(std::make_shared<const std::vector<Der>>(std::move(certs))) {}

  // DER certificates, the end-entity first.
  bool empty() const { return !certs_ || certs_->empty(); }
  size_t size() const { return certs_ ? certs_->size() : 0; }
  const Der& front() const { return certs_->front(); }
  const Der& operator[](size_t i) const { return (*certs_)[i]; }
  const Der* begin() const { return certs_ ? certs_->data() : nullptr; }
  const Der* end() const { return certs_ ? certs_->data() + certs_->size() : nullptr; }

  // Equal chains hold the same certificates, shared or not.
  friend bool operator==(const CertificateChain& a, const CertificateChain& b);

 private:
  friend class ChainCache;
  explicit CertificateChain(std::shared_ptr<const std::vector<Der>> certs) : certs_(std::move(certs)) {}
  std::shared_ptr<const std::vector<Der>> certs_;
};

// ChainCache deduplicates chains still in use: a client talking to the same
// servers again, or a server seeing the same client certificates, keeps one
// copy however many connections hold it (BoringSSL pools certificate
// buffers for the same reason). Direct-mapped and bounded: no allocation of
// its own, and a collision only costs the sharing, never correctness.
class ChainCache {
 public:
  // intern returns a chain holding `certs`: an existing one with the same
  // bytes when the cache has it, else a new one it then remembers.
  CertificateChain intern(std::vector<CertificateChain::Der>&& certs);

 private:
  static constexpr size_t kSlots = 64;
  std::mutex mu_;
  std::array<std::weak_ptr<const std::vector<CertificateChain::Der>>, kSlots> slots_;
};

}  // namespace sluice

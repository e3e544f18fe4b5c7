// Stateless session tickets (RFC 8446 §4.6.1 leaves the format to the
// server). A ticket is key_name(16) || nonce(12) || AEAD(state) || tag, where
// state carries what resumption needs. The context holds the keys and
// rotates them: tickets sealed under the previous key still open.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <span>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/secret.h"
#include "core/error.h"
#include "crypto/provider.h"

namespace sluice {

// What a server needs to resume from a ticket.
struct TicketState {
  uint16_t cipher_suite = 0;
  uint16_t group = 0;  // TLS 1.2: the full handshake's key exchange group, which a resumption reports
  bool extended_master_secret = false;  // TLS 1.2: psk is RFC 7627's master secret
  SecretBytes psk;
  uint32_t age_add = 0;
  uint32_t lifetime = 0;
  int64_t issued_at = 0;  // server clock, seconds
  uint32_t max_early_data = 0;
  std::string alpn;
};

// TicketSealer turns resumption state into an opaque ticket and back. The
// default is TicketKeys; a deployment can share keys across servers (or
// keep them in an HSM) with its own.
class TicketSealer {
 public:
  virtual ~TicketSealer() = default;
  virtual TlsResult<std::vector<uint8_t>> seal(const crypto::Provider& p, const TicketState& state, int64_t now) = 0;
  // open returns nullopt for a ticket that is not ours or not valid.
  virtual std::optional<TicketState> open(const crypto::Provider& p, std::span<const uint8_t> ticket,
                                          int64_t now) = 0;
};

// SessionIdCache is a server's bounded TLS 1.2 session-ID cache (RFC 5246
// §7.4.1.2), for clients that take no tickets: the oldest entry goes when
// it is full. Thread-safe; contexts may share one (Context::
// set_session_id_cache), as they may share a TicketSealer.
class SessionIdCache {
 public:
  static constexpr size_t kMaxEntries = 1024;
  void put(std::span<const uint8_t> id, TicketState state);
  // take removes and returns the state for `id` (a session ID resumes once;
  // the resumed handshake stores it again).
  std::optional<TicketState> take(std::span<const uint8_t> id);

 private:
  std::mutex mu_;
  std::deque<std::pair<std::vector<uint8_t>, TicketState>> entries_;
};

class TicketKeys final : public TicketSealer {
 public:
  // rotate_after: seconds a key seals new tickets before the next replaces
  // it; tickets stay openable for one more period.
  explicit TicketKeys(int64_t rotate_after = 12 * 3600) : rotate_after_(rotate_after) {}

  TlsResult<std::vector<uint8_t>> seal(const crypto::Provider& p, const TicketState& state, int64_t now) override;
  // open returns nullopt for a ticket that is not ours, tampered with, or
  // sealed under a key older than the previous one.
  std::optional<TicketState> open(const crypto::Provider& p, std::span<const uint8_t> ticket, int64_t now) override;

 private:
  // A key is kept as its AEAD object, built once at rotation (not per
  // ticket); it is only used under mu_, since AEAD objects are not shared
  // between threads.
  struct Key {
    std::array<uint8_t, 16> name{};
    std::unique_ptr<crypto::AeadKey> aead;
    int64_t created = 0;
  };
  Result<void, Error> rotate_if_due(const crypto::Provider& p, int64_t now);
  static crypto::AeadAlg aead_for(const crypto::Provider& p);

  std::mutex mu_;
  int64_t rotate_after_;
  std::optional<Key> current_, previous_;
};

}  // namespace sluice

// Resumption state. A client keeps Sessions (one per NewSessionTicket) in a
// SessionStore keyed by server name; a server seals the same facts into the
// ticket itself (tickets.h), so it keeps no per-session state.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/secret.h"
#include "core/certificate_chain.h"

namespace sluice {

struct Session {
  std::vector<uint8_t> ticket;  // opaque, as the server sent it (may be empty for a TLS 1.2 session ID)
  SecretBytes psk;              // TLS 1.3: the resumption PSK (RFC 8446 §4.6.1); TLS 1.2: the master secret
  uint16_t cipher_suite = 0;    // its version tells a TLS 1.2 session from a TLS 1.3 one
  uint16_t group = 0;           // TLS 1.2: the full handshake's key exchange group, which a resumption reports
  bool extended_master_secret = false;  // TLS 1.2: psk is RFC 7627's master secret
  std::vector<uint8_t> session_id;  // TLS 1.2: the server's session ID (RFC 5246 §7.4.1.3)
  uint32_t age_add = 0;
  uint32_t lifetime = 0;        // seconds
  int64_t received_at_ms = 0;   // client clock, milliseconds
  uint32_t max_early_data = 0;
  std::string alpn;
  CertificateChain peer_chain;  // shared with the connection that got the ticket
  std::vector<uint8_t> peer_ocsp_response;  // as stapled in the full handshake
  std::vector<uint8_t> peer_sct_list;

  Session copy() const;
};

// SessionStore holds a client's sessions. Implementations must be
// thread-safe: one store serves every connection of a context.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual void put(std::string_view server_name, Session s) = 0;
  // take removes and returns the newest session for `server_name`: tickets
  // are used once (RFC 8446 §C.4, so connections cannot be linked).
  virtual std::optional<Session> take(std::string_view server_name) = 0;
};

// InMemorySessionStore keeps at most `max_sessions` sessions in all and
// `per_server` per name, dropping the oldest first.
class InMemorySessionStore final : public SessionStore {
 public:
  explicit InMemorySessionStore(size_t max_sessions = 256, size_t per_server = 4)
      : max_sessions_(max_sessions), per_server_(per_server) {}
  void put(std::string_view server_name, Session s) override;
  std::optional<Session> take(std::string_view server_name) override;
  size_t size() const;

 private:
  mutable std::mutex mu_;
  size_t max_sessions_, per_server_;
  size_t count_ = 0;
  std::map<std::string, std::deque<Session>, std::less<>> by_name_;
  std::deque<std::string> order_;  // names in insertion order, for eviction
};

}  // namespace sluice

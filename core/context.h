// Context: configuration shared by many connections (like SSL_CTX). Build it,
// then create connections from it; a connection copies the mode when it is
// created, and later mode changes on the context do not reach it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffers.h"
#include "core/certificate_chain.h"
#include "core/modes.h"
#include "core/session.h"
#include "core/tickets.h"
#include "core/verifier.h"
#include "core/wire/types.h"
#include "crypto/provider.h"

namespace sluice {

enum class Role : uint8_t { kClient, kServer };

// Whether a server asks the client for a certificate (RFC 8446 §4.3.2).
enum class ClientAuth : uint8_t {
  kNone,
  kRequest,  // ask; an empty answer is accepted
  kRequire,  // ask; an empty answer ends the handshake (certificate_required)
};

// A certificate chain (DER, end-entity first) with the key that signs for it.
struct CertifiedKey {
  std::vector<std::vector<uint8_t>> chain;
  std::shared_ptr<crypto::Signer> signer;
  // Server: the SNI names this chain serves ("example.com", "*.example.com");
  // empty: any name, the default when no other chain's names match.
  std::vector<std::string> server_names;
};

// What a server's certificate choice may depend on: the client's hello.
struct CertificateQuery {
  std::string_view server_name;                   // empty: no SNI
  std::span<const uint16_t> signature_schemes;      // signature_algorithms, client preference order
  std::span<const uint16_t> signature_schemes_cert; // signature_algorithms_cert (empty: absent)
};
// A selector returns one of `candidates` (or nullptr: no certificate fits,
// handshake_failure). The engine still checks that the chosen key can sign
// with one of the client's schemes.
using CertificateSelector =
    std::function<const CertifiedKey*(const CertificateQuery& query, std::span<const CertifiedKey> candidates)>;

// Test-only overrides that make sluice's hellos carry other implementations'
// advertised lists byte for byte (RFC 8448). Code points here are only
// advertised: selection always uses the real, supported lists.
struct DangerTestHelloShape {
  std::vector<uint16_t> advertised_groups;
  std::vector<uint16_t> advertised_signature_schemes;
  bool renegotiation_info = false;
  bool session_ticket = false;
  bool psk_dhe_ke = false;
  // Server: groups listed in EncryptedExtensions.
  std::vector<uint16_t> encrypted_extensions_groups;
  // Server: signature schemes listed in a CertificateRequest.
  std::vector<uint16_t> certificate_request_schemes;
  // Server: whole handshake messages (e.g. a recorded NewSessionTicket) sent
  // right after the handshake completes.
  std::vector<std::vector<uint8_t>> server_post_handshake_messages;
};

class Context {
 public:
  Context(Role role, std::shared_ptr<const crypto::Provider> provider);

  Role role() const { return role_; }
  const crypto::Provider& provider() const { return *provider_; }

  // set_mode ORs `bits` into the mode and returns the new mask; it never
  // clears. clear_mode removes `bits` and returns the new mask.
  long set_mode(long bits) { return mode_.fetch_or(bits) | bits; }
  long clear_mode(long bits) { return mode_.fetch_and(~bits) & ~bits; }
  long mode() const { return mode_.load(); }

  // --- configuration (set before connections are created) ---
  // Who checks the peer's chain: required for a client, and for a server
  // that asks for client certificates.
  void set_verifier(std::shared_ptr<const CertificateVerifier> v) { verifier_ = std::move(v); }
  // The chain and key to present: the server's, or the client's when a
  // server asks for one. set_certificate replaces every chain held.
  void set_certificate(CertifiedKey ck) {
    certs_.clear();
    certs_.push_back(std::move(ck));
  }
  // add_certificate (server): one more chain (RSA, ECDSA and Ed25519 keys at
  // once, or chains per SNI name). The server picks, among the chains whose
  // server_names match the client's SNI (else those with none), the one
  // whose key signs with the scheme the client prefers most.
  void add_certificate(CertifiedKey ck) { certs_.push_back(std::move(ck)); }
  // set_certificate_selector (server): the application chooses instead.
  void set_certificate_selector(CertificateSelector s) { selector_ = std::move(s); }
  // Server: ask for client certificates, and which CAs to name in the
  // request (DER-encoded distinguished names; none by default).
  void set_client_auth(ClientAuth mode) { client_auth_ = mode; }
  void set_certificate_authorities(std::vector<std::vector<uint8_t>> names) { ca_names_ = std::move(names); }
  // Client: offer post-handshake authentication (RFC 8446 §4.6.2), answered
  // with the certificate set by set_certificate (or an empty one).
  void set_post_handshake_auth(bool on) { post_handshake_auth_ = on; }
  // ALPN protocols, in preference order.
  void set_alpn(std::vector<std::string> protocols) { alpn_ = std::move(protocols); }
  void set_cipher_suites(std::vector<wire::CipherSuite> s) { suites_ = std::move(s); }
  void set_groups(std::vector<crypto::Group> g) { groups_ = std::move(g); }
  void set_signature_schemes(std::vector<crypto::SignatureScheme> s) { schemes_ = std::move(s); }
  // Highest version offered (client) or accepted (server): wire::kTls13 or
  // wire::kTls12 (a TLS 1.2-only hello; sluice does not yet complete TLS 1.2).
  void set_max_version(uint16_t v) { max_version_ = v; }
  // Seconds since the Unix epoch; the default reads the system clock.
  void set_clock(std::function<int64_t()> clock) { clock_ = std::move(clock); }
  // The same in milliseconds (ticket ages are measured in ms); takes
  // precedence over set_clock.
  void set_clock_ms(std::function<int64_t()> clock) { clock_ms_ = std::move(clock); }

  // --- resumption (RFC 8446 §4.6.1, §2.2) ---
  // Client: where sessions from NewSessionTickets go and come from. Default:
  // an InMemorySessionStore; nullptr turns resumption off.
  void set_session_store(std::shared_ptr<SessionStore> store) { session_store_ = std::move(store); }
  // Server: tickets sent after each full or resumed handshake (default 2)
  // and their lifetime in seconds (default 7200, at most 604800).
  void set_ticket_count(unsigned n) { ticket_count_ = n; }
  void set_ticket_lifetime(uint32_t seconds) { ticket_lifetime_ = std::min<uint32_t>(seconds, 604800); }
  // Server: who seals and opens tickets (default: TicketKeys, rotating keys
  // held by this context).
  void set_ticket_sealer(std::shared_ptr<TicketSealer> sealer) { ticket_sealer_ = std::move(sealer); }
  // Server: accept psk_ke (resumption without a fresh key exchange, no
  // forward secrecy for the session). Client: offer it. Default off.
  void set_allow_psk_ke(bool on) { allow_psk_ke_ = on; }
  // Server: the most 0-RTT data accepted per connection; 0 (the default)
  // refuses early data. Accepted tickets are single use for 0-RTT.
  void set_max_early_data(uint32_t bytes) { max_early_data_ = bytes; }
  // Client: offer 0-RTT when a session allows it (see Connection::write_early).
  void set_enable_early_data(bool on) { enable_early_data_ = on; }
  // Called with each NSS key-log line (SSLKEYLOGFILE format).
  void set_key_log(std::function<void(std::string_view)> cb) { key_log_ = std::move(cb); }
  // Bytes of sealed records the outbound buffer may hold before write()
  // says kWantWrite. Default: one full record with its overhead.
  void set_outbound_limit(size_t bytes) { outbound_limit_ = bytes; }
  // The largest record the peer may send us (RFC 8449), 64..16385; 0 (the
  // default) does not send the extension. A server answers a client's with
  // this value, or 16385 when unset.
  void set_record_size_limit(uint16_t limit) { record_size_limit_ = limit; }
  // Pad protected records to a multiple of `block` bytes (RFC 8446 §5.4),
  // within the record size limit; 0 (the default) pads nothing.
  void set_record_padding(size_t block) { record_padding_ = block; }
  // Send a KeyUpdate after this many records under one key. 0 (the
  // default) uses the AEAD's limit (RFC 8446 §5.5): 2^24 records for
  // AES-GCM; ChaCha20-Poly1305 needs none.
  void set_key_update_interval(uint64_t records) { key_update_interval_ = records; }
  // RELEASE_BUFFERS freelist length (default 32).
  void set_freelist_max_len(size_t n) { pool_.set_max_len(n); }
  void set_danger_test_hello_shape(DangerTestHelloShape s) { danger_shape_ = std::move(s); }
  // Client: middlebox compatibility mode (RFC 8446 §D.4): a random legacy
  // session id and a change_cipher_spec before the second flight.
  void set_middlebox_compat(bool on) { middlebox_compat_ = on; }
  // Server: a HelloRetryRequest carries a cookie made by `make` (RFC 8446
  // §4.2.2), which the second ClientHello must echo. None by default.
  void set_hello_retry_cookie(std::function<std::vector<uint8_t>()> make) { hrr_cookie_ = std::move(make); }
  // Server: take the most preferred group of set_groups() that the client
  // supports even when that costs a HelloRetryRequest (default: use a key
  // share the client sent if it is acceptable, retrying only when none is).
  void set_strict_group_preference(bool on) { strict_group_preference_ = on; }

  // --- read by connections ---
  const CertificateVerifier* verifier() const { return verifier_.get(); }
  // certificate is the first chain (a client's; empty when none is set).
  const CertifiedKey& certificate() const { return certs_.empty() ? no_cert_ : certs_.front(); }
  std::span<const CertifiedKey> certificates() const { return certs_; }
  const CertificateSelector& certificate_selector() const { return selector_; }
  ClientAuth client_auth() const { return client_auth_; }
  bool post_handshake_auth() const { return post_handshake_auth_; }
  const std::vector<std::vector<uint8_t>>& certificate_authorities() const { return ca_names_; }
  const std::vector<std::string>& alpn() const { return alpn_; }
  const std::vector<wire::CipherSuite>& cipher_suites() const { return suites_; }
  const std::vector<crypto::Group>& groups() const { return groups_; }
  const std::vector<crypto::SignatureScheme>& signature_schemes() const { return schemes_; }
  uint16_t max_version() const { return max_version_; }
  int64_t now() const { return now_ms() / 1000; }
  int64_t now_ms() const;
  SessionStore* session_store() const { return session_store_.get(); }
  unsigned ticket_count() const { return ticket_count_; }
  uint32_t ticket_lifetime() const { return ticket_lifetime_; }
  bool allow_psk_ke() const { return allow_psk_ke_; }
  uint32_t max_early_data() const { return max_early_data_; }
  bool enable_early_data() const { return enable_early_data_; }
  TicketSealer& ticket_sealer() const { return *ticket_sealer_; }
  // claim_early_data_ticket records a ticket used for 0-RTT; false when it
  // was already used (a replay), within the bounded memory of recent uses.
  bool claim_early_data_ticket(std::span<const uint8_t> ticket) const;
  void key_log(std::string_view label, std::span<const uint8_t> client_random,
               std::span<const uint8_t> secret) const;
  size_t outbound_limit() const { return outbound_limit_; }
  uint16_t record_size_limit() const { return record_size_limit_; }
  size_t record_padding() const { return record_padding_; }
  uint64_t key_update_interval() const { return key_update_interval_; }
  BufferPool& pool() const { return pool_; }
  // chain_cache shares peer chains between this context's connections.
  ChainCache& chain_cache() const { return chain_cache_; }
  const DangerTestHelloShape& danger_shape() const { return danger_shape_; }
  bool middlebox_compat() const { return middlebox_compat_; }
  bool strict_group_preference() const { return strict_group_preference_; }
  const std::function<std::vector<uint8_t>()>& hello_retry_cookie() const { return hrr_cookie_; }

 private:
  Role role_;
  std::shared_ptr<const crypto::Provider> provider_;
  std::atomic<long> mode_{0};
  std::shared_ptr<const CertificateVerifier> verifier_;
  std::vector<CertifiedKey> certs_;
  CertifiedKey no_cert_;
  CertificateSelector selector_;
  ClientAuth client_auth_ = ClientAuth::kNone;
  bool post_handshake_auth_ = false;
  std::vector<std::vector<uint8_t>> ca_names_;
  std::vector<std::string> alpn_;
  std::vector<wire::CipherSuite> suites_;
  std::vector<crypto::Group> groups_;
  std::vector<crypto::SignatureScheme> schemes_;
  uint16_t max_version_ = wire::kTls13;
  std::function<int64_t()> clock_;
  std::function<int64_t()> clock_ms_;
  std::shared_ptr<SessionStore> session_store_ = std::make_shared<InMemorySessionStore>();
  unsigned ticket_count_ = 2;
  uint32_t ticket_lifetime_ = 7200;
  bool allow_psk_ke_ = false;
  uint32_t max_early_data_ = 0;
  bool enable_early_data_ = false;
  std::shared_ptr<TicketSealer> ticket_sealer_ = std::make_shared<TicketKeys>();
  mutable std::mutex replay_mu_;
  mutable std::deque<std::vector<uint8_t>> used_early_tickets_;
  std::function<void(std::string_view)> key_log_;
  size_t outbound_limit_;
  uint16_t record_size_limit_ = 0;
  size_t record_padding_ = 0;
  uint64_t key_update_interval_ = 0;
  mutable BufferPool pool_;
  mutable ChainCache chain_cache_;
  DangerTestHelloShape danger_shape_;
  bool middlebox_compat_ = false;
  bool strict_group_preference_ = false;
  std::function<std::vector<uint8_t>()> hrr_cookie_;
};

}  // namespace sluice

// Context: configuration shared by many connections (like SSL_CTX). Build it,
// then create connections from it; a connection copies the mode when it is
// created, and later mode changes on the context do not reach it.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/certificate_chain.h"
#include "core/modes.h"
#include "core/session.h"
#include "core/tickets.h"
#include "core/verifier.h"
#include "core/wire/ech.h"
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
  CertifiedKey() = default;
  CertifiedKey(std::vector<std::vector<uint8_t>> chain_, std::shared_ptr<crypto::Signer> signer_,
               std::vector<std::string> server_names_ = {})
      : chain(std::move(chain_)), signer(std::move(signer_)), server_names(std::move(server_names_)) {}

  std::vector<std::vector<uint8_t>> chain;
  std::shared_ptr<crypto::Signer> signer;
  // Server: the SNI names this chain serves ("example.com", "*.example.com");
  // empty: any name, the default when no other chain's names match.
  std::vector<std::string> server_names;
  // Server: stapled to the end-entity certificate for a client that asks
  // (status_request, signed_certificate_timestamp); empty: none. The OCSP
  // response is DER (RFC 6960); the SCT list is RFC 6962's
  // SignedCertificateTimestampList, length prefix included.
  std::vector<uint8_t> ocsp_response;
  std::vector<uint8_t> sct_list;
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

// An ALPN selector (server; OpenSSL's SSL_CTX_set_alpn_select_cb) sees the
// client's protocols in its order and returns one of them, std::nullopt to
// decline (no ALPN in the answer, the handshake goes on), or an Error to
// refuse the handshake with its alert (e.g. Reason::kNoApplicationProtocol).
using AlpnSelector = std::function<TlsResult<std::optional<std::string>>(std::span<const std::string> offered)>;

// A certificate compression algorithm (RFC 8879), by its IANA id (zlib 1,
// brotli 2, zstd 3), with either direction or both. Each function sees
// only bytes; it is called during the handshake of the connection that
// needs it, on that connection's thread.
struct CertificateCompression {
  uint16_t algorithm = 0;
  // compress appends the compressed form of `certificate` (the body of a
  // TLS 1.3 Certificate message) to `out` and returns true, or returns
  // false to decline: the plain Certificate is sent. Empty: this algorithm
  // is only decompressed.
  std::function<bool(std::span<const uint8_t> certificate, std::vector<uint8_t>& out)> compress;
  // decompress writes the Certificate body into `out`, which is exactly
  // the uncompressed_length the peer declared (never above
  // Context::set_max_decompressed_certificate), and returns how many bytes
  // it wrote, or std::nullopt when `compressed` does not decompress or does
  // not fit. Anything but out.size() bytes is bad_certificate. Empty: this
  // algorithm is only compressed with.
  std::function<std::optional<size_t>(std::span<const uint8_t> compressed, std::span<uint8_t> out)> decompress;
};

// The default bound on a decompressed Certificate: a few kilobytes of
// compressed input could otherwise make us allocate up to 16 MiB.
inline constexpr size_t kDefaultMaxDecompressedCertificate = 64 * 1024;

// Test-only overrides that make sluice's hellos carry other implementations'
// advertised lists byte for byte (RFC 8448). Code points here are only
// advertised: selection always uses the real, supported lists.
struct DangerTestHelloShape {
  std::vector<uint16_t> advertised_groups;
  std::vector<uint16_t> advertised_signature_schemes;
  bool renegotiation_info = false;
  // Server: a first TLS 1.2 ServerHello without renegotiation_info, as a
  // server from before RFC 5746 sends (it may still renegotiate).
  bool omit_server_renegotiation_info = false;
  bool session_ticket = false;
  bool psk_dhe_ke = false;
  // A TLS 1.2 hello without extended_master_secret, as a peer from before
  // RFC 7627 sends (the client's ClientHello, the server's ServerHello).
  bool omit_extended_master_secret = false;
  // Server: groups listed in EncryptedExtensions.
  std::vector<uint16_t> encrypted_extensions_groups;
  // Server: signature schemes listed in a CertificateRequest.
  std::vector<uint16_t> certificate_request_schemes;
  // Server: whole handshake messages (e.g. a recorded NewSessionTicket) sent
  // right after the handshake completes.
  std::vector<std::vector<uint8_t>> server_post_handshake_messages;
};

// What a TLS 1.2 client does when its server asks to renegotiate (RFC 5746,
// BoringSSL's ssl_renegotiate_*): refuse with no_renegotiation (the
// default), accept once, accept every time, or leave the answer to the
// application (kExplicit: Connection::renegotiation_requested() says the
// server asked, Connection::renegotiate() answers). The server's
// certificate must stay the same across a renegotiation.
enum class Renegotiation : uint8_t { kNever, kOnce, kFreely, kExplicit };

// Policy: what a context negotiates and the limits it keeps. Plain data,
// read by every connection created from the context.
struct Policy {
  // The versions offered (client) or accepted (server), wire::kTls12 or
  // wire::kTls13: TLS 1.2 and 1.3 by default.
  uint16_t min_version = wire::kTls12;
  uint16_t max_version = wire::kTls13;
  std::vector<wire::CipherSuite> cipher_suites;  // preference order
  std::vector<crypto::Group> groups;
  std::vector<crypto::SignatureScheme> signature_schemes;
  std::vector<std::string> alpn;
  ClientAuth client_auth = ClientAuth::kNone;
  bool post_handshake_auth = false;
  unsigned ticket_count = 2;
  uint32_t ticket_lifetime = 7200;
  bool allow_psk_ke = false;
  uint32_t max_early_data = 0;
  bool enable_early_data = false;
  bool reverify_on_resume = false;
  bool request_ocsp = false;
  bool request_sct = false;
  bool ech_grease = false;
  bool grease = false;
  size_t max_decompressed_certificate = kDefaultMaxDecompressedCertificate;
  size_t outbound_limit = wire::kMaxRecordLen;
  uint16_t record_size_limit = 0;
  size_t record_padding = 0;
  size_t max_send_fragment = wire::kMaxPlaintext;
  uint64_t key_update_interval = 0;
  bool middlebox_compat = false;
  bool strict_group_preference = false;
  Renegotiation renegotiation = Renegotiation::kNever;
  bool require_extended_master_secret = true;
};

// Credentials: who we are and whom we trust, and where sessions live.
// EchKey is one Encrypted Client Hello configuration a server accepts: the
// ECHConfig it published and the HPKE private key that goes with it.
struct EchKey {
  wire::EchConfig config;
  SecretBytes private_key;
  bool retry = false;  // also sent to clients whose ECH failed, to retry with
};

struct Credentials {
  std::vector<CertifiedKey> certificates;  // a server's (several), or a client's (the first)
  CertificateSelector selector;
  AlpnSelector alpn_selector;
  std::shared_ptr<const CertificateVerifier> verifier;
  std::vector<std::vector<uint8_t>> certificate_authorities;  // DER names for a CertificateRequest
  std::shared_ptr<SessionStore> session_store = std::make_shared<InMemorySessionStore>();
  std::shared_ptr<TicketSealer> ticket_sealer = std::make_shared<TicketKeys>();
  std::vector<EchKey> ech_keys;  // a server's Encrypted Client Hello keys
  std::shared_ptr<SessionIdCache> session_id_cache = std::make_shared<SessionIdCache>();
};

// MessageInfo describes one handshake message or alert as it is sent or
// received (for tracing, like OpenSSL's msg callback). The callback sees a
// received message or alert before anything sent in answer to it, and
// every alert record either way, whatever its level or fate.
//
// Encrypted Client Hello: the inner ClientHello never travels as itself,
// but a trace without it cannot show what was negotiated. It is reported
// once more as a ClientHello with `ech_inner` set (as BoringSSL reports it
// with its own content type): by the client when it seals it, just before
// the outer hello it goes in; by a server when it opens it, just after the
// outer hello. Its body is the whole inner hello as the transcript has it
// (outer extensions filled in). Consumers counting what went over the wire
// skip these.
struct MessageInfo {
  bool sent;                      // false: received
  wire::ContentType content_type;  // kHandshake or kAlert
  uint8_t type;                   // the HandshakeType, or the AlertDescription
  size_t length;                  // the message body (handshake) or 2 (alert)
  // Handshake: the message body, as sent or received (decrypted); it is
  // valid only during the callback. Empty for an alert.
  std::span<const uint8_t> body;
  // Alert: 1 (warning) or 2 (fatal), as the record carried it (a received
  // close_notify too: TLS 1.3 lets a peer send it at either level). 0 for a
  // handshake message.
  uint8_t alert_level = 0;
  // The connection's negotiated version (wire::kTls12 or kTls13) once the
  // ServerHello has settled it, else 0: a Certificate's form depends on it.
  uint16_t version = 0;
  // A ClientHello that is ECH's inner hello (see above).
  bool ech_inner = false;
};

// Hooks: what the application injects. None is required.
struct Hooks {
  std::function<int64_t()> clock;     // seconds since the epoch (default: the system clock)
  std::function<int64_t()> clock_ms;  // the same in ms; takes precedence
  std::function<void(std::string_view)> key_log;  // NSS key-log lines (SSLKEYLOGFILE)
  std::function<void(const MessageInfo&)> message_callback;
  // Server: the cookie a HelloRetryRequest carries (RFC 8446 §4.2.2).
  std::function<std::vector<uint8_t>()> hello_retry_cookie;
  // RFC 8879 algorithms, in preference order (add_certificate_compression).
  std::vector<CertificateCompression> certificate_compression;
};

struct ContextInternals;

class Context {
 public:
  Context(Role role, std::shared_ptr<const crypto::Provider> provider);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Role role() const { return role_; }
  const crypto::Provider& provider() const { return *provider_; }

  // set_mode ORs `bits` into the mode and returns the new mask; it never
  // clears. clear_mode removes `bits` and returns the new mask.
  long set_mode(long bits) { return mode_.fetch_or(bits) | bits; }
  long clear_mode(long bits) { return mode_.fetch_and(~bits) & ~bits; }
  long mode() const { return mode_.load(); }

  // The three parts, read by connections; configure them before creating
  // connections (with the setters below, or through the mutable accessors).
  const Policy& policy() const { return policy_; }
  const Credentials& credentials() const { return credentials_; }
  const Hooks& hooks() const { return hooks_; }
  Policy& policy() { return policy_; }
  Credentials& credentials() { return credentials_; }
  Hooks& hooks() { return hooks_; }

  // --- credentials ---
  // Who checks the peer's chain: required for a client, and for a server
  // that asks for client certificates.
  void set_verifier(std::shared_ptr<const CertificateVerifier> v) { credentials_.verifier = std::move(v); }
  // The chain and key to present: the server's, or the client's when a
  // server asks for one. set_certificate replaces every chain held.
  void set_certificate(CertifiedKey ck) {
    credentials_.certificates.clear();
    credentials_.certificates.push_back(std::move(ck));
  }
  // add_certificate (server): one more chain (RSA, ECDSA and Ed25519 keys at
  // once, or chains per SNI name). The server picks, among the chains whose
  // server_names match the client's SNI (else those with none), the one
  // whose key signs with the scheme the client prefers most.
  void add_certificate(CertifiedKey ck) { credentials_.certificates.push_back(std::move(ck)); }
  // set_certificate_selector (server): the application chooses instead.
  void set_certificate_selector(CertificateSelector s) { credentials_.selector = std::move(s); }
  // Server: which CAs to name in a CertificateRequest (DER-encoded
  // distinguished names; none by default).
  void set_certificate_authorities(std::vector<std::vector<uint8_t>> names) {
    credentials_.certificate_authorities = std::move(names);
  }
  // Client: where sessions from NewSessionTickets go and come from. Default:
  // an InMemorySessionStore; nullptr turns resumption off.
  void set_session_store(std::shared_ptr<SessionStore> store) { credentials_.session_store = std::move(store); }
  // Server: who seals and opens tickets (default: TicketKeys, rotating keys
  // held by this context).
  void set_ticket_sealer(std::shared_ptr<TicketSealer> sealer) { credentials_.ticket_sealer = std::move(sealer); }
  // Server: where TLS 1.2 sessions of clients that take no tickets are kept
  // under a session ID (default: a cache of this context's own; another
  // context's to resume across contexts; nullptr: no session IDs).
  void set_session_id_cache(std::shared_ptr<SessionIdCache> cache) { credentials_.session_id_cache = std::move(cache); }
  // certificate is the first chain (a client's; empty when none is set).
  const CertifiedKey& certificate() const;

  // --- policy ---
  // Server: ask for client certificates (RFC 8446 §4.3.2).
  void set_client_auth(ClientAuth mode) { policy_.client_auth = mode; }
  // Client: offer post-handshake authentication (RFC 8446 §4.6.2), answered
  // with the certificate set by set_certificate (or an empty one).
  void set_post_handshake_auth(bool on) { policy_.post_handshake_auth = on; }
  // ALPN protocols, in preference order.
  void set_alpn(std::vector<std::string> protocols) { policy_.alpn = std::move(protocols); }
  // set_alpn_selector (server): the application chooses instead of
  // set_alpn's preference list.
  void set_alpn_selector(AlpnSelector s) { credentials_.alpn_selector = std::move(s); }
  void set_cipher_suites(std::vector<wire::CipherSuite> s) { policy_.cipher_suites = std::move(s); }
  void set_groups(std::vector<crypto::Group> g) { policy_.groups = std::move(g); }
  void set_signature_schemes(std::vector<crypto::SignatureScheme> s) { policy_.signature_schemes = std::move(s); }
  void set_max_version(uint16_t v) { policy_.max_version = v; }
  void set_min_version(uint16_t v) { policy_.min_version = v; }
  // Server: tickets sent after each full or resumed handshake (default 2)
  // and their lifetime in seconds (default 7200, at most 604800).
  void set_ticket_count(unsigned n) { policy_.ticket_count = n; }
  void set_ticket_lifetime(uint32_t seconds) { policy_.ticket_lifetime = std::min<uint32_t>(seconds, 604800); }
  // Server: accept psk_ke (resumption without a fresh key exchange, no
  // forward secrecy for the session). Client: offer it. Default off.
  void set_allow_psk_ke(bool on) { policy_.allow_psk_ke = on; }
  // Server: the most 0-RTT data accepted per connection; 0 (the default)
  // refuses early data. Accepted tickets are single use for 0-RTT.
  void set_max_early_data(uint32_t bytes) { policy_.max_early_data = bytes; }
  // Client: offer 0-RTT when a session allows it (see Connection::write_early).
  void set_enable_early_data(bool on) { policy_.enable_early_data = on; }
  // Client: on resumption, run the verifier again on the server chain the
  // session remembers (before 0-RTT is sent, else once the server resumes):
  // trust, revocation or time may have changed since. Default off, as in
  // BoringSSL (SSL_CTX_set_reverify_on_resume).
  void set_reverify_on_resume(bool on) { policy_.reverify_on_resume = on; }
  // Client: ask the server to staple an OCSP response (RFC 6066 §8) and
  // signed certificate timestamps (RFC 6962 §3.3.1). What comes is handed
  // to the verifier with the chain and shown in Negotiated; judging it is
  // the verifier's. Default off.
  void set_request_ocsp(bool on) { policy_.request_ocsp = on; }
  void set_request_sct(bool on) { policy_.request_sct = on; }
  // Client: GREASE (RFC 8701): a reserved value among the hello's cipher
  // suites, groups, key shares and versions, and two reserved extensions,
  // so that servers keep ignoring what they do not know. (A TLS 1.3 server
  // always puts one in its NewSessionTicket's extensions.) Default off.
  void set_grease(bool on) { policy_.grease = on; }
  // Client: without a usable ECH config (Connection::set_ech_config_list),
  // send an encrypted_client_hello of random bytes shaped like a real one
  // (draft-ietf-tls-esni §6.2), so that servers and middleboxes keep
  // tolerating the extension. Default off.
  void set_ech_grease(bool on) { policy_.ech_grease = on; }
  // Server: accept Encrypted Client Hello (draft-ietf-tls-esni) under
  // `ech_config`, one ECHConfig as published (version 0xfe0d, KEM
  // DHKEM(X25519, HKDF-SHA256)), decrypting with `private_key`. With
  // `retry`, the config is also sent to clients whose ECH did not decrypt,
  // for them to retry with. A config that does not parse, or a key that is
  // not the config's, is a kConfiguration error. Keys are tried in the
  // order added among those with the client's config_id.
  Result<void, Error> add_ech_key(std::span<const uint8_t> ech_config, std::span<const uint8_t> private_key,
                                  bool retry);
  // Certificate compression (RFC 8879; TLS 1.3 only, TLS 1.2 ignores it).
  // add_certificate_compression registers an algorithm, after those
  // already registered. A client lists the algorithms it can decompress in
  // its ClientHello, and a server asking for a certificate in its
  // CertificateRequest; the peer may then send its Certificate compressed
  // with one of them. Our own Certificate (when it is not empty) goes
  // compressed with the first registered algorithm that can compress and
  // that the peer listed, as BoringSSL chooses: the sender's preference,
  // not the peer's order. An API error when `c.algorithm` is registered
  // already or `c` has neither function.
  Result<void, Error> add_certificate_compression(CertificateCompression c);
  // The largest uncompressed_length accepted (default
  // kDefaultMaxDecompressedCertificate, at most 256 KiB, the largest
  // handshake message read as it is); a larger one is bad_certificate,
  // refused before anything is allocated for it.
  void set_max_decompressed_certificate(size_t bytes);
  // Bytes of sealed records the outbound buffer may hold before write()
  // says kWantWrite. Default: one full record with its overhead. An empty
  // buffer always takes one record, however small the limit.
  void set_outbound_limit(size_t bytes) { policy_.outbound_limit = bytes; }
  // The largest record the peer may send us (RFC 8449), 64..16385; 0 (the
  // default) does not send the extension. A server answers a client's with
  // this value, or 16385 when unset.
  void set_record_size_limit(uint16_t limit) { policy_.record_size_limit = limit; }
  // Pad protected records to a multiple of `block` bytes (RFC 8446 §5.4),
  // within the record size limit; 0 (the default) pads nothing.
  void set_record_padding(size_t block) { policy_.record_padding = block; }
  // The most plaintext we put in one record, 512..16384 (OpenSSL's
  // SSL_CTX_set_max_send_fragment): smaller records reach the peer's
  // application sooner. The peer's record_size_limit may lower it further.
  void set_max_send_fragment(size_t bytes) {
    policy_.max_send_fragment = std::clamp<size_t>(bytes, 512, wire::kMaxPlaintext);
  }  // Send a KeyUpdate after this many records under one key. 0 (the
  // default) uses the AEAD's limit (RFC 8446 §5.5): 2^24 records for
  // AES-GCM; ChaCha20-Poly1305 needs none.
  void set_key_update_interval(uint64_t records) { policy_.key_update_interval = records; }
  // Client: middlebox compatibility mode (RFC 8446 §D.4): a random legacy
  // session id and a change_cipher_spec before the second flight.
  void set_middlebox_compat(bool on) { policy_.middlebox_compat = on; }
  // Server: take the most preferred group of set_groups() that the client
  // supports even when that costs a HelloRetryRequest (default: use a key
  // share the client sent if it is acceptable, retrying only when none is).
  void set_strict_group_preference(bool on) { policy_.strict_group_preference = on; }
  // Client, TLS 1.2: whether a server's HelloRequest is answered with a
  // renegotiation. Without AUTO_RETRY, read() and write() say kWantRead
  // while it runs; with it they return once it is done (SSL_CTX_set_mode(3)).
  void set_renegotiation(Renegotiation r) { policy_.renegotiation = r; }
  // TLS 1.2: refuse a peer without the extended master secret (RFC 7627;
  // the default, handshake_failure). Off, such a peer gets RFC 5246's
  // master secret, which leaves its sessions open to the triple handshake
  // attack; a session then resumes only with the EMS state it was made
  // with, and a renegotiation keeps the connection's (RFC 7627 §5.3).
  // sluice always offers it, and Negotiated::extended_master_secret tells.
  void set_require_extended_master_secret(bool on) { policy_.require_extended_master_secret = on; }

  // --- hooks ---
  // Seconds since the Unix epoch; the default reads the system clock.
  void set_clock(std::function<int64_t()> clock) { hooks_.clock = std::move(clock); }
  // The same in milliseconds (ticket ages are measured in ms); takes
  // precedence over set_clock.
  void set_clock_ms(std::function<int64_t()> clock) { hooks_.clock_ms = std::move(clock); }
  // Called with each NSS key-log line (SSLKEYLOGFILE format).
  void set_key_log(std::function<void(std::string_view)> cb) { hooks_.key_log = std::move(cb); }
  // Called for each handshake message and alert sent or received, and for
  // ECH's inner hello (see MessageInfo for the order and that case).
  void set_message_callback(std::function<void(const MessageInfo&)> cb) { hooks_.message_callback = std::move(cb); }
  // Server: a HelloRetryRequest carries a cookie made by `make` (RFC 8446
  // §4.2.2), which the second ClientHello must echo. None by default.
  void set_hello_retry_cookie(std::function<std::vector<uint8_t>()> make) { hooks_.hello_retry_cookie = std::move(make); }
  // now / now_ms read the context's clock.
  int64_t now() const { return now_ms() / 1000; }
  int64_t now_ms() const;

  // --- RELEASE_BUFFERS freelist ---
  // set_freelist_max_len: buffers kept for reuse (default 32; any value).
  void set_freelist_max_len(size_t n);
  size_t freelist_max_len() const;
  // freelist_size: buffers held for reuse now.
  size_t freelist_size() const;

  // Tests only: make hellos carry other implementations' lists.
  void set_danger_test_hello_shape(DangerTestHelloShape s) { danger_shape_ = std::move(s); }
  const DangerTestHelloShape& danger_shape() const { return danger_shape_; }

 private:
  friend ContextInternals& internals(const Context& c);
  Role role_;
  std::shared_ptr<const crypto::Provider> provider_;
  std::atomic<long> mode_{0};
  Policy policy_;
  Credentials credentials_;
  Hooks hooks_;
  DangerTestHelloShape danger_shape_;
  std::unique_ptr<ContextInternals> internals_;
};

}  // namespace sluice

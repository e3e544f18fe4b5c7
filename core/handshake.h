// The seam between a connection and its handshake machines (BoringSSL's
// SSL_HANDSHAKE + ssl_* calls, rustls's State + Context).
//
// A machine (client13.cc, server13.cc) is an explicit state enum with one
// function per state; each returns a Wait. It sees its connection only
// through HandshakeIo: messages in, messages out, key changes, record
// limits, and finally enter_traffic13() with the proofs the handshake
// collected. It never touches buffers, protection objects or the
// connection's fields.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/secret.h"
#include "core/bytes.h"
#include "core/context.h"
#include "core/error.h"
#include "core/negotiated.h"
#include "core/proofs.h"
#include "core/session.h"
#include "core/record_protection.h"
#include "core/transcript.h"
#include "core/wire/hello.h"
#include "core/wire/types.h"

namespace sluice {

// Wait is what a handshake step needs before it can go on (STYLE.md §3).
enum class Wait : uint8_t {
  kOk,           // step done; run the next state
  kReadMessage,  // a handshake message is needed
  kAsync,        // a provider operation is pending (see pending_operation())
  kDone,         // the handshake is complete
};

struct HandshakeMessage {
  wire::HandshakeType type;
  Bytes body;   // without the 4-byte header
  Bytes whole;  // with the header (for the transcript)
};

// Traffic13 is what a finished TLS 1.3 handshake hands to the connection.
struct Traffic13 {
  crypto::HashAlg hash{};
  crypto::AeadAlg aead{};
  SecretBytes read_secret, write_secret;  // application traffic secrets
  SecretBytes resumption_secret;          // client: for NewSessionTickets
  SecretBytes exporter_secret;            // RFC 8446 §7.5
  // The handshake's transcript, kept when post-handshake authentication
  // was offered (RFC 8446 §4.6.2); nullopt otherwise.
  std::optional<Transcript> pha_transcript;
  Negotiated negotiated;
};

// Traffic12 is what a finished TLS 1.2 handshake hands to the connection.
struct Traffic12 {
  SecretBytes master_secret;  // for the exporter (RFC 5705) and key logs
  std::array<uint8_t, wire::kRandomLen> client_random{}, server_random{};
  // Both Finished messages' verify_data: a renegotiation proves it
  // continues this connection with them (RFC 5746 §3.1).
  std::array<uint8_t, 12> client_verify_data{}, server_verify_data{};
  bool peer_secure_renegotiation = true;  // the peer signalled RFC 5746
  Negotiated negotiated;
};

// Renegotiation12 is what a renegotiation handshake continues from.
struct Renegotiation12 {
  std::array<uint8_t, 12> client_verify_data{}, server_verify_data{};
  // Client: the server signalled RFC 5746 (renegotiation_info) in the
  // handshake before; without it no renegotiation is secure.
  bool server_secure = true;
  std::vector<uint8_t> server_certificate;  // the end-entity certificate, which must not change
  bool extended_master_secret = true;       // which must not change either (RFC 7627 §5.3)
};

class HandshakeMachine;

class HandshakeIo {
 public:
  virtual ~HandshakeIo() = default;
  virtual const Context& context() const = 0;
  const crypto::Provider& provider() const { return context().provider(); }
  virtual long mode() const = 0;

  // --- messages in ---
  // next_message yields the next complete handshake message, or nothing.
  virtual TlsResult<std::optional<HandshakeMessage>> next_message() = 0;
  // message_done drops the message last handed out.
  virtual void message_done() = 0;
  // message_ends_record: nothing follows the message last handed out in
  // its record (RFC 8446 §5.1 for ServerHello, Finished, KeyUpdate...).
  virtual bool message_ends_record() const = 0;

  // --- messages out ---
  // queue serializes `m` straight onto the pending handshake output and
  // returns its bytes (valid until the output is flushed or grows), which
  // the caller may still patch (ECH's acceptance signal covers the message
  // it is written into).
  // Queued messages are sealed together by flush(), which runs before any
  // write-key change and whenever the driver returns.
  template <class M>
  TlsResult<MutBytes> queue(const M& m) {
    std::vector<uint8_t>& out = handshake_output();
    const size_t at = out.size();
    if (!m.serialize(out)) {
      out.resize(at);
      return Err(Error(Reason::kConfiguration, "handshake message does not encode (a list is too long)"));
    }
    return MutBytes(out).subspan(at);
  }
  virtual Result<void, Error> send(Bytes message) = 0;
  virtual Result<void, Error> flush() = 0;
  // observe_inner_hello tells the message callback of an ECH inner
  // ClientHello (its body), which is never sent or received as itself.
  virtual void observe_inner_hello(bool sent, Bytes body) const = 0;
  // mark_initial_hello: the records of the next flush say version 0x0301
  // (RFC 8446 §5.1: the first ClientHello's record may, for middleboxes).
  virtual void mark_initial_hello() = 0;
  virtual Result<void, Error> send_change_cipher_spec() = 0;
  // send_early_data seals up to `max` bytes of the application's queued
  // 0-RTT data under the current write key.
  virtual Result<void, Error> send_early_data(size_t max) = 0;
  virtual bool has_early_data() const = 0;

  // --- keys and record policy ---
  // Read-key changes are refused while handshake bytes from under the old
  // key are buffered (RFC 8446 §5.1).
  virtual Result<void, Error> install_read(Protection p) = 0;
  virtual Result<void, Error> install_write(Protection p) = 0;
  virtual Result<void, Error> rekey_read13(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret) = 0;
  virtual Result<void, Error> rekey_write13(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret) = 0;
  virtual void set_record_limits(size_t send_fragment, size_t receive_inner) = 0;
  virtual void set_ccs_allowed(bool on) = 0;
  // Server with accepted 0-RTT: application data may arrive from now until
  // end_early_data().
  virtual void begin_early_data() = 0;
  virtual void end_early_data() = 0;
  virtual void skip_rejected_early_data(size_t payload_budget) = 0;

  // --- TLS 1.2 ---
  // send_change_cipher_spec12 seals ChangeCipherSpec under the current
  // write key, then writes with `next` (RFC 5246 §7.1).
  virtual Result<void, Error> send_change_cipher_spec12(Protection next) = 0;
  // expect_change_cipher_spec12: the peer's next ChangeCipherSpec switches
  // reading to `next`; change_cipher_spec_received says it came.
  virtual void expect_change_cipher_spec12(Protection next) = 0;
  virtual bool change_cipher_spec_received() const = 0;
  virtual Result<void, Error> send_warning_alert(Alert a) = 0;
  // The output stream's position (bytes sealed so far), and whether the
  // application has taken it all up to a position.
  virtual uint64_t outbound_position() const = 0;
  virtual bool outbound_sent_through(uint64_t position) const = 0;
  // Encrypted Client Hello (client): the ECHConfigList the application set
  // (empty: none), and where a declining server's retry configs are kept.
  virtual Bytes ech_config_list() const = 0;
  virtual void set_ech_retry_configs(Bytes configs) = 0;

  // --- version dispatch ---
  // hand_off: the machine that runs from the next step on (the TLS 1.3
  // machines hand a TLS 1.2 peer to the TLS 1.2 ones). The message being
  // read stays for the next machine.
  virtual void hand_off(std::unique_ptr<HandshakeMachine> next) = 0;
  // renegotiate (TLS 1.2, after the handshake): `machine` runs a new
  // handshake over this connection. `keep_message`: the message being
  // processed (a ClientHello) is the new machine's first.
  virtual void renegotiate(std::unique_ptr<HandshakeMachine> machine, bool keep_message) = 0;

  // --- the end ---
  virtual Result<void, Error> enter_traffic13(HandshakeProof proof, Traffic13 traffic) = 0;
  virtual Result<void, Error> enter_traffic12(HandshakeProof proof, Traffic12 traffic) = 0;

 protected:
  virtual std::vector<uint8_t>& handshake_output() = 0;
};

class HandshakeMachine {
 public:
  virtual ~HandshakeMachine() = default;
  virtual TlsResult<Wait> step() = 0;
  virtual std::string_view state_name() const = 0;
  // negotiated: what has been settled so far.
  virtual const Negotiated& negotiated() const = 0;
  // pending_operation: what a kAsync waits for.
  virtual crypto::PendingSignature* pending_operation() const = 0;
  // half_rtt: a TLS 1.3 server that accepted 0-RTT has sent its Finished
  // and waits for the client's. It may already send application data and
  // export keying material (RFC 8446 §4.4.4, "0.5-RTT"), as BoringSSL's
  // server does; the client is known only by its PSK binder so far.
  virtual bool half_rtt() const { return false; }
  virtual Result<void, Error> export_half_rtt(std::string_view label, std::optional<Bytes> context,
                                              MutBytes out) const {
    return Err(Error::api(Reason::kApiMisuse, "export_keying_material before the handshake ended"));
  }
};

std::unique_ptr<HandshakeMachine> make_client13(HandshakeIo& io, std::string server_name);
std::unique_ptr<HandshakeMachine> make_server13(HandshakeIo& io);
// ClientHelloSent is what a client's TLS 1.2 machine continues from: the
// hello the TLS 1.3 machine sent (offering both versions) and its transcript.
struct ClientHelloSent {
  wire::ClientHello hello;
  Transcript transcript;  // holds the ClientHello, hash not yet chosen
  std::string server_name;  // also the name sessions are stored under
  bool sent_sni = false;
  std::optional<Session> session;  // a TLS 1.2 session offered for resumption
  EarlyDataReason early_data_reason = EarlyDataReason::kUnknown;  // why no 0-RTT, if none was offered
  // Set when the hello was a ClientHelloOuter: ECH is rejected, the server
  // must be this name, and the handshake ends in ech_required.
  std::string ech_public_name;
};
std::unique_ptr<HandshakeMachine> make_client12(HandshakeIo& io, ClientHelloSent sent);

// choose_alpn is the server's ALPN answer (RFC 7301 §3.2): the selector's
// choice, or the first of our protocols the client offers; empty for none.
// No overlap with our list is fatal; a selector's choice must be offered.
inline TlsResult<std::string> choose_alpn(const Context& ctx, std::span<const std::string> offered) {
  if (offered.empty()) return std::string();
  if (const auto& select = ctx.credentials().alpn_selector; select) {
    std::optional<std::string> chosen = SLUICE_TRY(select(offered));
    if (!chosen) return std::string();
    if (chosen->empty() || std::find(offered.begin(), offered.end(), *chosen) == offered.end()) {
      return Err(Error(Reason::kInternal, "the ALPN selector chose a protocol the client did not offer"));
    }
    return std::move(*chosen);
  }
  if (ctx.policy().alpn.empty()) return std::string();
  for (const auto& p : ctx.policy().alpn) {
    if (std::find(offered.begin(), offered.end(), p) != offered.end()) return p;
  }
  return Err(Error(Reason::kNoApplicationProtocol, "no ALPN protocol in common"));
}

// reverify_session runs the verifier again on a resumed session's server
// chain when Context::set_reverify_on_resume asks for it.
inline Result<void, Error> reverify_session(const Context& ctx, const Session& s, std::string_view server_name) {
  if (!ctx.policy().reverify_on_resume) return {};
  CertificateRequest req{std::span(s.peer_chain.begin(), s.peer_chain.end()), server_name, ctx.now(), true, true};
  SLUICE_TRY(ctx.credentials().verifier->verify(req));
  return {};
}
// make_client12_renegotiation sends a TLS 1.2 ClientHello that renegotiates.
std::unique_ptr<HandshakeMachine> make_client12_renegotiation(HandshakeIo& io, std::string server_name,
                                                              Renegotiation12 previous);
std::unique_ptr<HandshakeMachine> make_server12_renegotiation(HandshakeIo& io, Renegotiation12 previous);
// make_server12 takes over a ClientHello the TLS 1.3 machine did not read.
std::unique_ptr<HandshakeMachine> make_server12(HandshakeIo& io);

}  // namespace sluice

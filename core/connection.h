// Connection: one TLS session over caller-provided transport (like SSL).
//
// sluice never touches a socket. The caller moves ciphertext in and out:
//   inbound_space()/inbound_commit() or feed()   bytes from the peer
//   outbound()/outbound_consumed()               bytes for the peer
// and plaintext through handshake()/read()/write()/shutdown() (copying) or
// readable()/read_consumed() and write_space()/write_commit() (zero-copy).
// Every call returns at once; a Progress says what is needed next.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <span>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/error.h"
#include "core/negotiated.h"

namespace sluice {

enum class Status : uint8_t {
  kOk,          // done; `bytes` says how many were read or written
  kWantRead,    // give the engine more bytes from the peer, then call again
  kWantWrite,   // drain outbound(), then call again (same arguments)
  kWantAsync,   // a provider operation is pending: wait for async_fd(), then call again
  kZeroReturn,  // the peer closed the connection cleanly (close_notify)
  kError,       // see error(); fatal unless error().origin == Origin::kApi
};

struct Progress {
  Status status;
  size_t bytes = 0;
};

class Connection {
 public:
  // client: `server_name` is sent as SNI (unless it is an IP literal) and
  // checked against the server's certificate by the context's verifier.
  static Connection client(std::shared_ptr<const Context> ctx, std::string server_name);
  static Connection server(std::shared_ptr<const Context> ctx);
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // Modes: taken from the context when the connection is created.
  long set_mode(long bits);
  long clear_mode(long bits);
  long mode() const;

  // --- transport side (ciphertext) ---
  // inbound_space is room for bytes from the peer; commit what was written.
  // The span stays valid (the buffer neither moves nor is released) until
  // inbound_commit, even if other calls run in between, so it can be lent
  // to the kernel (io_uring). A commit without a matching inbound_space is
  // an API error.
  std::span<uint8_t> inbound_space();
  void inbound_commit(size_t n);
  // feed copies bytes in; returns how many were taken.
  size_t feed(std::span<const uint8_t> data);
  // inbound_eof says the transport was closed by the peer.
  void inbound_eof();
  std::span<const uint8_t> outbound();
  void outbound_consumed(size_t n);
  // wants_read: more peer bytes are needed (false while complete records are
  // buffered). wants_write: outbound() is not empty.
  bool wants_read() const;
  bool wants_write() const;
  // async_fd is readable when the pending provider operation (one per
  // connection) completed; -1 while none is pending.
  int async_fd() const;
  // set_async_callback: `callback` runs (on the provider's thread) when a
  // pending operation completes, as an alternative to watching async_fd().
  // It must not call into this connection; wake your loop instead.
  void set_async_callback(std::function<void()> callback);

  // --- application side (plaintext) ---
  Progress handshake();
  // read opens records straight into `out` (no copy through the record
  // buffer), so it may also write zeros to `out` past the count it returns,
  // where a record's content type and padding were; nothing else lands
  // there, and no plaintext of a record that fails to open.
  Progress read(std::span<uint8_t> out);
  // write seals from `in` without copying it into the record buffer first.
  // write drives the handshake first. A server that accepted 0-RTT may
  // write once its Finished is sent, before the client's arrives (0.5-RTT
  // data, RFC 8446 §4.4.4): the call then returns kOk while handshake()
  // still answers kWantRead. The zero-copy write_space() waits for the end.
  Progress write(std::span<const uint8_t> in);
  // shutdown sends close_notify. kOk once the peer's close_notify has also
  // been received; kWantRead while waiting for it.
  Progress shutdown();
  // write_early queues 0-RTT data (client, before the first handshake()
  // call; with Context::set_enable_early_data and a session that allows
  // it). Whether the server took it shows in negotiated().early_data_accepted
  // once the handshake is done; if not, send it again with write(). If it
  // was, what the ticket's max_early_data had no room for is sent as
  // ordinary data at the end of the handshake.
  Progress write_early(std::span<const uint8_t> data);
  // set_ech_config_list (client, before the handshake): offer Encrypted
  // Client Hello (draft-ietf-tls-esni) with the first usable config of
  // `list`, an ECHConfigList as published in DNS (RFC 9460 "ech"). The
  // server then sees the real server name and the rest of the hello only
  // encrypted. kDecodeError (an API error) if the list does not parse; a
  // list with no usable config offers no ECH. If the server declines, the
  // handshake authenticates the config's public name and then fails with
  // Reason::kEchRejected: ech_retry_configs() then holds what the server
  // offered to retry with (empty: retry without ECH).
  Progress set_ech_config_list(std::span<const uint8_t> list);
  std::span<const uint8_t> ech_retry_configs() const;
  // request_client_certificate (server) asks a client that offered
  // post_handshake_auth for a certificate (RFC 8446 §4.6.2). The answer is
  // processed by read(); negotiated().peer_chain holds the result and
  // client_certificate_requests() says how many are outstanding.
  Progress request_client_certificate();
  int client_certificate_requests() const;
  // renegotiate (TLS 1.2, after the handshake). A server asks the client
  // for a new handshake with a HelloRequest; read() runs it when the client
  // answers. A client starts one: its ClientHello is sent now, and read()
  // and write() run the handshake (without AUTO_RETRY they say kWantRead
  // until it is done). A server that declines with a no_renegotiation
  // warning leaves the connection as it was (renegotiations() does not
  // count it). An API error on TLS 1.3, before the handshake ended or while
  // one runs.
  Progress renegotiate();
  // renegotiation_requested (client, Renegotiation::kExplicit): the server
  // sent a HelloRequest that waits for renegotiate(). read() returns
  // kWantRead after it, with AUTO_RETRY too.
  bool renegotiation_requested() const;
  // key_update sends a KeyUpdate (RFC 8446 §4.6.3) after the handshake.
  Progress key_update(bool request_peer_update);
  // export_keying_material fills `out` from the session's secrets for
  // `label` and `context` (RFC 8446 §7.5, RFC 5705); an API error before
  // the handshake ended (or, for a server that accepted 0-RTT, before its
  // Finished was sent). No context and an empty one differ in TLS 1.2.
  Progress export_keying_material(std::string_view label, std::optional<std::span<const uint8_t>> context,
                                  std::span<uint8_t> out);
  // has_pending: records or decrypted bytes are buffered but not yet read
  // (while a handshake runs, application data it set aside does not count:
  // read() returns it, and the handshake still needs the socket).
  bool has_pending() const;
  bool handshake_done() const;
  // renegotiations: how many TLS 1.2 renegotiations have completed.
  int renegotiations() const;
  const Error& error() const;
  const Negotiated& negotiated() const;

  // --- zero-copy application side ---
  // readable returns decrypted bytes in place (empty when none yet: call
  // read() or handshake() to learn why); read_consumed(n) releases them.
  std::span<const uint8_t> readable();
  void read_consumed(size_t n);
  // write_space is where the next record's plaintext goes; write_commit(n)
  // seals n bytes of it. Empty when the outbound buffer is full.
  std::span<uint8_t> write_space();
  Progress write_commit(size_t n);

  struct Impl;

 private:
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice

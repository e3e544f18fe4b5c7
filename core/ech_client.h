// The client's side of Encrypted Client Hello (draft-ietf-tls-esni-18 §6.1):
// the hello the TLS 1.3 client builds becomes ClientHelloInner, and each
// hello sent is a ClientHelloOuter that seals it. Client13 decides when each
// step happens; this keeps what the steps share: the chosen config, the HPKE
// context, the outer hello and the outer transcript. A server that rejects
// ECH answers the outer hello, and the handshake goes on with that one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"
#include "core/transcript.h"
#include "core/wire/hello.h"
#include "crypto/provider.h"

namespace sluice {

class EchClient {
 public:
  EchClient();
  ~EchClient();
  EchClient(const EchClient&) = delete;
  EchClient& operator=(const EchClient&) = delete;

  // offer makes `hello` (complete, random included) a ClientHelloInner for
  // the first config of `config_list` we can use: TLS 1.3 alone, TLS 1.2's
  // suites and extensions left to the outer hello. Without such a config,
  // `grease_instead` puts an encrypted_client_hello of random bytes in
  // `hello` instead (§6.2).
  Result<void, Error> offer(const crypto::Provider& p, Bytes config_list, bool grease_instead,
                            wire::ClientHello& hello);

  // offered: a config was chosen (the client's hello is ClientHelloInner
  // until the server rejects it).
  bool offered() const { return offer_ != nullptr; }
  // sent: an encrypted_client_hello went out, offered or GREASE; only then
  // may the server answer one.
  bool sent() const { return offer_ != nullptr || greased_; }
  // sealing: each hello sent is a ClientHelloOuter around the inner one.
  bool sealing() const { return offer_ != nullptr && !rejected_; }
  // rejected: the server answered ClientHelloOuter (§6.1.6): the handshake
  // authenticates public_name() and ends in ech_required.
  bool rejected() const { return rejected_; }
  // public_name is the chosen config's; only when offered().
  const std::string& public_name() const;

  // Sealing a hello takes two calls, since the caller writes the PSK
  // binders between them. encode_inner makes the ClientHelloOuter for
  // `hello`, the inner hello, and returns the EncodedClientHelloInner of
  // `inner`, its message (§5.1); `inner` becomes the hello the server
  // rebuilds from that, which is the transcript's and the one to bind.
  // `offers12`: the outer hello offers TLS 1.2 too.
  TlsResult<std::vector<uint8_t>> encode_inner(const wire::ClientHello& hello, std::vector<uint8_t>& inner,
                                               bool offers12);
  // seal_outer pads `encoded` and seals it: the ClientHelloOuter message to
  // send. `inner` is the final inner message, binders written.
  TlsResult<std::vector<uint8_t>> seal_outer(const wire::ClientHello& hello, Bytes inner,
                                             std::vector<uint8_t> encoded);
  // outer_sent puts the ClientHelloOuter sent on the outer transcript.
  void outer_sent(std::vector<uint8_t>&& message);

  // The acceptance signals (§7.2), keyed to the inner hello's random, over
  // `transcript`, the inner one, hashed with `h`, the server's suite's.
  // accepted_in_hello_retry: whether HelloRetryRequest `hrr` (`message`,
  // whole) says the server took the inner hello; `transcript` already ends
  // in its message_hash. It goes on the outer transcript too, should the
  // server turn out to have answered the outer hello.
  TlsResult<bool> accepted_in_hello_retry(const crypto::Provider& p, crypto::HashAlg h, const Transcript& transcript,
                                          const wire::ServerHello& hrr, Bytes message);
  // accepted_in_server_hello: the same for the ServerHello `message`; an
  // error when the HelloRetryRequest accepted and this does not.
  TlsResult<bool> accepted_in_server_hello(const crypto::Provider& p, crypto::HashAlg h, const Transcript& transcript,
                                           Bytes message);

  // Outer is what the handshake goes on with once ECH is rejected.
  struct Outer {
    wire::ClientHello hello;  // the last ClientHelloOuter sent
    Transcript transcript;
  };
  // reject: the server answered ClientHelloOuter; once only.
  Outer reject();

  // check_retry_configs: EncryptedExtensions' retry configs (§6.1.6) come
  // only from a server that declined ECH or saw GREASE, and must parse.
  Result<void, Error> check_retry_configs(Bytes configs) const;

 private:
  struct Offer;
  Result<void, Error> grease(const crypto::Provider& p, wire::ClientHello& hello);

  std::unique_ptr<Offer> offer_;
  bool greased_ = false;        // a random encrypted_client_hello was sent
  bool hrr_confirmed_ = false;  // the HelloRetryRequest signalled acceptance
  bool rejected_ = false;
};

}  // namespace sluice

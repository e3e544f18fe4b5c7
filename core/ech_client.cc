#include "core/ech_client.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "core/ech.h"
#include "core/suites.h"
#include "core/tls13_both.h"
#include "crypto/hpke.h"

namespace sluice {

struct EchClient::Offer {
  EchChoice choice;
  crypto::HpkeContext context;
  std::vector<uint8_t> enc;  // the first hello's; a second one reuses the context
  std::array<uint8_t, wire::kRandomLen> inner_random{};
  std::array<uint8_t, wire::kRandomLen> outer_random{};
  std::vector<uint16_t> outer_suites, outer_versions;
  wire::ClientHello outer;  // the last ClientHelloOuter sent
  Transcript outer_transcript;
};

namespace {

// confirmed: whether `message` carries at `signal_offset` the acceptance
// signal computed with that signal's own bytes zeroed.
TlsResult<bool> confirmed(const crypto::Provider& p, crypto::HashAlg h, Bytes inner_random, std::string_view label,
                          const Transcript& transcript, Bytes message, size_t signal_offset) {
  std::vector<uint8_t> zeroed(message.begin(), message.end());
  std::fill_n(zeroed.begin() + static_cast<ptrdiff_t>(signal_offset), wire::kEchConfirmationLen, 0);
  std::array<uint8_t, wire::kEchConfirmationLen> expected;
  SLUICE_TRY(ech_accept_confirmation(p, h, inner_random, label, transcript, zeroed, expected));
  return std::equal(expected.begin(), expected.end(), message.begin() + static_cast<ptrdiff_t>(signal_offset));
}

}  // namespace

EchClient::EchClient() = default;
EchClient::~EchClient() = default;

const std::string& EchClient::public_name() const { return offer_->choice.config.public_name; }

Result<void, Error> EchClient::offer(const crypto::Provider& p, Bytes config_list, bool grease_instead,
                                     wire::ClientHello& hello) {
  std::optional<EchChoice> choice = choose_ech_config(p, config_list);
  if (!choice) return grease_instead ? grease(p, hello) : Result<void, Error>();
  const wire::EchConfig& config = choice->config;
  auto sender = SLUICE_TRY(crypto::HpkeSetup::sender(p, config.kem_id, {choice->suite.kdf, choice->suite.aead},
                                                     config.public_key, ech_info(config)));
  offer_ = std::make_unique<Offer>();
  offer_->choice = std::move(*choice);
  offer_->context = std::move(sender.context);
  offer_->enc = std::move(sender.enc);
  offer_->inner_random = hello.random;
  SLUICE_TRY(p.random(offer_->outer_random));
  // TLS 1.2's suites, extensions and fallback signal stay in the outer
  // hello: a server that opens the inner one speaks TLS 1.3 (§6.1).
  offer_->outer_suites = hello.cipher_suites;
  offer_->outer_versions = hello.supported_versions;
  std::erase_if(hello.cipher_suites, [](uint16_t cs) {
    const auto info = suite_info(cs);
    return !wire::is_grease(cs) && (!info || info->version != wire::kTls13);
  });
  std::erase_if(hello.supported_versions, [](uint16_t v) { return v != wire::kTls13 && !wire::is_grease(v); });
  hello.extended_master_secret = hello.ec_point_formats = hello.renegotiation_info = false;
  hello.ech.emplace().inner = true;
  return {};
}

Result<void, Error> EchClient::grease(const crypto::Provider& p, wire::ClientHello& hello) {
  wire::EchExtension ech;
  ech.kdf = crypto::kHpkeKdfSha256;
  ech.aead = crypto::kHpkeAeadAes128Gcm;
  uint8_t shape[2];
  SLUICE_TRY(p.random(shape));
  ech.config_id = shape[0];
  ech.enc.resize(32);  // an X25519 public value
  // As long as a real one for a typical hello: a padded inner hello is a
  // multiple of 32 bytes, most are 4 to 8 of them; a second hello repeats it.
  ech.payload.resize(32 * (4 + shape[1] % 5) + crypto::kAeadTagLen);
  SLUICE_TRY(p.random(ech.enc));
  SLUICE_TRY(p.random(ech.payload));
  hello.ech = std::move(ech);
  greased_ = true;
  return {};
}

TlsResult<std::vector<uint8_t>> EchClient::encode_inner(const wire::ClientHello& hello, std::vector<uint8_t>& inner,
                                                        bool offers12) {
  Offer& ech = *offer_;
  wire::ClientHello& outer = ech.outer;
  outer = hello;
  outer.random = ech.outer_random;
  outer.cipher_suites = ech.outer_suites;
  outer.server_name = ech.choice.config.public_name;
  outer.has_server_name = true;
  outer.supported_versions = ech.outer_versions;
  // RFC 7627, RFC 8422 §5.1.2, RFC 5746 §3.4, RFC 5077 §3.2: what a TLS 1.2
  // server needs, with no session: ClientHelloOuter resumes nothing.
  outer.extended_master_secret = outer.ec_point_formats = outer.renegotiation_info = outer.session_ticket = offers12;
  outer.session_ticket_data.clear();
  outer.psk.reset();
  // early_data stays: a server that cannot open the inner hello must know
  // to skip the 0-RTT records that follow (§6.1).
  outer.padding_len = 0;
  wire::EchExtension& ext = outer.ech.emplace();
  ext.kdf = ech.choice.suite.kdf;
  ext.aead = ech.choice.suite.aead;
  ext.config_id = ech.choice.config.config_id;
  // A second hello reuses the HPKE context: its enc is empty (§6.1.5).
  ext.enc = std::exchange(ech.enc, {});
  ext.payload.resize(1);
  // The payload's length is known once the inner hello is encoded against
  // the outer one's other extensions, which do not depend on it.
  std::vector<uint8_t> probe;
  if (!outer.serialize(probe)) return Err(Error(Reason::kConfiguration, "ClientHelloOuter does not encode"));
  std::vector<uint8_t> encoded = encode_client_hello_inner(inner, probe);
  std::vector<uint8_t> body =
      SLUICE_TRY(wire::decode_client_hello_inner(encoded, Bytes(probe).subspan(wire::kHandshakeHeaderLen)));
  inner.resize(wire::kHandshakeHeaderLen);
  inner.insert(inner.end(), body.begin(), body.end());
  return encoded;
}

TlsResult<std::vector<uint8_t>> EchClient::seal_outer(const wire::ClientHello& hello, Bytes inner,
                                                      std::vector<uint8_t> encoded) {
  Offer& ech = *offer_;
  wire::ClientHello& outer = ech.outer;
  if (hello.psk) {
    // The binders end both the rebuilt hello and the encoded one.
    const size_t n = hello.psk->binders_len();
    std::copy(inner.end() - static_cast<ptrdiff_t>(n), inner.end(), encoded.end() - static_cast<ptrdiff_t>(n));
  }
  pad_client_hello_inner(encoded, hello.has_server_name ? hello.server_name.size() : 0,
                         ech.choice.config.maximum_name_length);
  outer.ech->payload.assign(encoded.size() + crypto::kAeadTagLen, 0);
  std::vector<uint8_t> msg;
  msg.reserve(wire::kTypicalClientHelloLen + encoded.size());
  if (!outer.serialize(msg)) return Err(Error(Reason::kConfiguration, "ClientHelloOuter does not encode"));
  // The AAD is the outer hello with the payload zeroed, as it is now; the
  // payload ends the message (ECH is its last extension).
  std::vector<uint8_t> sealed;
  SLUICE_TRY(ech.context.seal(Bytes(msg).subspan(wire::kHandshakeHeaderLen), encoded, sealed));
  std::copy(sealed.begin(), sealed.end(), msg.end() - static_cast<ptrdiff_t>(sealed.size()));
  outer.ech->payload = std::move(sealed);  // a rejecting HelloRetryRequest has it sent again
  return msg;
}

void EchClient::outer_sent(std::vector<uint8_t>&& message) { offer_->outer_transcript.add(std::move(message)); }

TlsResult<bool> EchClient::accepted_in_hello_retry(const crypto::Provider& p, crypto::HashAlg h,
                                                   const Transcript& transcript, const wire::ServerHello& hrr,
                                                   Bytes message) {
  Transcript& outer = offer_->outer_transcript;
  SLUICE_TRY(outer.select_hash(p, h));
  outer.replace_with_message_hash();
  outer.add(message);
  hrr_confirmed_ = hrr.ech_confirmation &&
                   SLUICE_TRY(confirmed(p, h, offer_->inner_random, kEchHrrAcceptLabel, transcript, message,
                                        wire::kHandshakeHeaderLen + hrr.ech_confirmation_offset));
  return hrr_confirmed_;
}

TlsResult<bool> EchClient::accepted_in_server_hello(const crypto::Provider& p, crypto::HashAlg h,
                                                    const Transcript& transcript, Bytes message) {
  // §7.2: the last 8 bytes of ServerHello.random.
  const size_t signal = wire::kHandshakeHeaderLen + 2 + wire::kRandomLen - wire::kEchConfirmationLen;
  const bool accepted =
      !rejected_ && SLUICE_TRY(confirmed(p, h, offer_->inner_random, kEchAcceptLabel, transcript, message, signal));
  if (hrr_confirmed_ && !accepted) {
    return Err(Error(Reason::kIllegalParameter, "ECH accepted in the HelloRetryRequest but not in the ServerHello"));
  }
  if (accepted) offer_->outer_transcript.clear();
  return accepted;
}

EchClient::Outer EchClient::reject() {
  rejected_ = true;
  return Outer{std::move(offer_->outer), std::move(offer_->outer_transcript)};
}

Result<void, Error> EchClient::check_retry_configs(Bytes configs) const {
  if (!sent()) {
    return Err(Error(Reason::kUnsupportedExtension, "encrypted_client_hello in EncryptedExtensions, not offered"));
  }
  if (sealing()) return Err(Error(Reason::kUnsupportedExtension, "ECH retry configs although ECH was accepted"));
  if (!wire::parse_ech_config_list(configs).ok()) {
    return Err(Error(Reason::kDecodeError, "ECH retry configs extension does not parse"));
  }
  return {};
}

}  // namespace sluice

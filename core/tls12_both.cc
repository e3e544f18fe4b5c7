#include "core/tls12_both.h"

#include <algorithm>

#include "core/tls13_both.h"

namespace sluice {

using crypto::SignatureScheme;

bool key_fits_suite12(crypto::KeyType k, Authentication auth) {
  switch (auth) {
    case Authentication::kEcdsa: return crypto::is_ecdsa_key(k) || k == crypto::KeyType::kEd25519;
    case Authentication::kRsa: return crypto::is_rsa(k);
    case Authentication::kAny: return true;
  }
  return false;
}

bool curve_offered12(crypto::KeyType k, std::span<const uint16_t> client_groups) {
  crypto::Group curve;
  switch (k) {
    case crypto::KeyType::kEcdsaP256: curve = crypto::Group::kSecp256r1; break;
    case crypto::KeyType::kEcdsaP384: curve = crypto::Group::kSecp384r1; break;
    case crypto::KeyType::kEcdsaP521: curve = crypto::Group::kSecp521r1; break;
    default: return true;
  }
  return client_groups.empty() ||
         std::find(client_groups.begin(), client_groups.end(), static_cast<uint16_t>(curve)) != client_groups.end();
}

bool tls12_signature_scheme(SignatureScheme s, Authentication auth) {
  return crypto::known_scheme(s) && key_fits_suite12(crypto::scheme_key_type(s), auth);
}

namespace {

// RFC 8422 §5.1.3 / RFC 5246 §7.4.1.4.1: in TLS 1.2 an ECDSA scheme names the
// hash only, so any ECDSA scheme fits a key on any NIST curve (Botan signs
// with SHA-512 under a P-256 key); the other schemes name their key type.
bool scheme_fits_key12(SignatureScheme s, crypto::KeyType key) {
  if (crypto::is_ecdsa_key(key) && crypto::is_ecdsa_key(crypto::scheme_key_type(s))) return true;
  return crypto::scheme_key_type(s) == key;
}

}  // namespace

std::optional<SignatureScheme> choose_signature_scheme12(std::span<const uint16_t> peer_schemes,
                                                         std::span<const SignatureScheme> ours,
                                                         const crypto::Signer& signer, Authentication auth) {
  for (uint16_t code : peer_schemes) {
    const auto s = static_cast<SignatureScheme>(code);
    if (tls12_signature_scheme(s, auth) && std::find(ours.begin(), ours.end(), s) != ours.end() &&
        signer.supports(s)) {
      return s;
    }
  }
  return std::nullopt;
}

std::vector<uint8_t> ske_signed_content(Bytes client_random, Bytes server_random,
                                        const wire::ServerKeyExchangeEcdhe& ske) {
  std::vector<uint8_t> out(client_random.begin(), client_random.end());
  out.insert(out.end(), server_random.begin(), server_random.end());
  const auto params = ske.params();
  out.insert(out.end(), params.begin(), params.end());
  return out;
}

TlsResult<SigVerified> SignatureCheck12::verify_server_key_exchange(const crypto::Provider& p, const CertVerified& cert,
                                                                    std::span<const SignatureScheme> offered,
                                                                    Authentication auth, Bytes client_random,
                                                                    Bytes server_random,
                                                                    const wire::ServerKeyExchangeEcdhe& ske) {
  const auto scheme = static_cast<SignatureScheme>(ske.scheme);
  if (!tls12_signature_scheme(scheme, auth) || std::find(offered.begin(), offered.end(), scheme) == offered.end()) {
    return Err(Error(Reason::kIllegalParameter, "ServerKeyExchange with a scheme that was not offered"));
  }
  if (!scheme_fits_key12(scheme, cert.end_entity_key().type)) {
    return Err(Error(Reason::kIllegalParameter, "ServerKeyExchange scheme does not fit the certificate key"));
  }
  const auto content = ske_signed_content(client_random, server_random, ske);
  if (!p.verify(scheme, cert.end_entity_key(), content, ske.signature)) {
    return Err(Error(Reason::kBadSignature, "ServerKeyExchange signature does not verify"));
  }
  return SigVerified();
}

std::optional<SignatureScheme> client_auth_scheme12(std::span<const uint16_t> requested,
                                                    std::span<const SignatureScheme> ours, const crypto::Signer& signer) {
  return choose_signature_scheme12(requested, ours, signer, Authentication::kAny);
}

TlsResult<SigVerified> ClientSignatureCheck12::verify(const HandshakeMessage& m, const crypto::Provider& p,
                                                      const CertVerified& cert, std::span<const uint16_t> requested,
                                                      Bytes handshake_messages) {
  SLUICE_TRY(expect_message(m, wire::HandshakeType::kCertificateVerify));
  auto cv = SLUICE_TRY(wire::CertificateVerify::parse(m.body));
  const auto scheme = static_cast<SignatureScheme>(cv.scheme);
  if (!crypto::known_scheme(scheme) || std::find(requested.begin(), requested.end(), cv.scheme) == requested.end()) {
    return Err(Error(Reason::kIllegalParameter, "client CertificateVerify with a scheme that was not requested"));
  }
  if (!scheme_fits_key12(scheme, cert.end_entity_key().type)) {
    return Err(Error(Reason::kIllegalParameter, "CertificateVerify scheme does not fit the certificate key"));
  }
  if (!p.verify(scheme, cert.end_entity_key(), handshake_messages, cv.signature)) {
    return Err(Error(Reason::kBadSignature, "CertificateVerify signature does not verify"));
  }
  return SigVerified();
}

TlsResult<FinishedVerified> FinishedCheck12::verify(const HandshakeMessage& m, const crypto::Provider& p,
                                                    crypto::HashAlg h, Bytes master, bool from_client,
                                                    const Transcript& transcript) {
  SLUICE_TRY(expect_message(m, wire::HandshakeType::kFinished));
  auto fin = SLUICE_TRY(wire::Finished::parse(m.body, kFinished12Len));
  HashValue th = current_hash(transcript);
  const auto expected = SLUICE_TRY(finished12(p, h, master, from_client, th.view()));
  if (!ct_equal(expected, fin.verify_data)) return Err(Error(Reason::kBadFinished, "Finished does not verify"));
  return FinishedVerified();
}

TlsResult<std::array<uint8_t, kFinished12Len>> queue_finished12(HandshakeIo& io, crypto::HashAlg h, Bytes master,
                                                                bool from_client, Transcript& t) {
  HashValue th = current_hash(t);
  const auto verify_data = SLUICE_TRY(finished12(io.provider(), h, master, from_client, th.view()));
  t.add(SLUICE_TRY(io.queue(wire::Finished{verify_data})));
  return verify_data;
}

TlsResult<Protections12> protections12(const crypto::Provider& p, const SuiteInfo& suite, Bytes master,
                                       Bytes client_random, Bytes server_random) {
  Keys12 k = SLUICE_TRY(key_block12(p, suite.hash, suite.aead, master, client_random, server_random));
  Protections12 out{SLUICE_TRY(Protection::tls12(p, suite.aead, k.client_key, k.client_iv)),
                    SLUICE_TRY(Protection::tls12(p, suite.aead, k.server_key, k.server_iv))};
  return out;
}

}  // namespace sluice

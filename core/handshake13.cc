#include "core/handshake13.h"

#include <arpa/inet.h>

#include <string>

namespace sluice {

std::optional<SuiteInfo> suite_info(uint16_t code_point) {
  using wire::CipherSuite;
  switch (static_cast<CipherSuite>(code_point)) {
    case CipherSuite::kAes128GcmSha256:
      return SuiteInfo{CipherSuite::kAes128GcmSha256, crypto::AeadAlg::kAes128Gcm, crypto::HashAlg::kSha256};
    case CipherSuite::kAes256GcmSha384:
      return SuiteInfo{CipherSuite::kAes256GcmSha384, crypto::AeadAlg::kAes256Gcm, crypto::HashAlg::kSha384};
    case CipherSuite::kChaCha20Poly1305Sha256:
      return SuiteInfo{CipherSuite::kChaCha20Poly1305Sha256, crypto::AeadAlg::kChaCha20Poly1305,
                       crypto::HashAlg::kSha256};
  }
  return std::nullopt;
}

VerifyInput certificate_verify_input(bool from_server, Bytes transcript_hash) {
  static constexpr std::string_view kServer = "TLS 1.3, server CertificateVerify";
  static constexpr std::string_view kClient = "TLS 1.3, client CertificateVerify";
  std::string_view label = from_server ? kServer : kClient;
  VerifyInput in;
  ByteWriter w{MutBytes(in.bytes)};
  w.reserve(64);
  std::fill_n(in.bytes.begin(), 64, 0x20);
  w.bytes(Bytes(reinterpret_cast<const uint8_t*>(label.data()), label.size()));
  w.u8(0);
  w.bytes(transcript_hash.first(std::min(transcript_hash.size(), crypto::kMaxHashLen)));
  in.len = w.size();
  return in;
}

TlsResult<SigVerified> verify_certificate_verify(const crypto::Provider& p, const crypto::PublicKey& key,
                                                 uint16_t scheme, Bytes transcript_hash, Bytes signature,
                                                 bool from_server) {
  const auto s = static_cast<crypto::SignatureScheme>(scheme);
  if (crypto::scheme_key_type(s) != key.type) {
    return Err(Error(Reason::kIllegalParameter, "CertificateVerify scheme does not fit the certificate key"));
  }
  auto input = certificate_verify_input(from_server, transcript_hash);
  if (!p.verify(s, key, input.view(), signature)) {
    return Err(Error(Reason::kBadSignature, "CertificateVerify signature does not verify"));
  }
  return SigVerified();
}

TlsResult<FinishedMessage> finished_message(const crypto::Provider& p, crypto::HashAlg h, Bytes base_key,
                                            Bytes transcript_hash) {
  FinishedMessage msg;
  const size_t n = crypto::hash_len(h);
  msg.bytes[0] = static_cast<uint8_t>(wire::HandshakeType::kFinished);
  msg.bytes[1] = msg.bytes[2] = 0;
  msg.bytes[3] = static_cast<uint8_t>(n);
  msg.len = 4 + n;
  SLUICE_TRY(finished_verify_data(p, h, base_key, transcript_hash, MutBytes(msg.bytes + 4, n)));
  return msg;
}

TlsResult<FinishedVerified> verify_finished(const crypto::Provider& p, crypto::HashAlg h, Bytes base_key,
                                            Bytes transcript_hash, Bytes verify_data) {
  uint8_t expected[crypto::kMaxHashLen];
  const size_t n = crypto::hash_len(h);
  SLUICE_TRY(finished_verify_data(p, h, base_key, transcript_hash, MutBytes(expected, n)));
  if (!ct_equal(Bytes(expected, n), verify_data)) return Err(Error(Reason::kBadFinished, "Finished does not verify"));
  return FinishedVerified();
}

TlsResult<std::vector<uint8_t>> psk_binder(const crypto::Provider& p, crypto::HashAlg h, Bytes psk,
                                           Bytes truncated_hello_hash) {
  KeySchedule ks(p, h);
  SLUICE_TRY(ks.start_early(psk));
  SecretBytes binder_key = SLUICE_TRY(ks.binder_key());
  std::vector<uint8_t> binder(crypto::hash_len(h));
  SLUICE_TRY(finished_verify_data(p, h, binder_key, truncated_hello_hash, binder));
  return binder;
}

HashValue current_hash(const Transcript& t) {
  HashValue v;
  v.len = t.hash_len();
  t.current(MutBytes(v.bytes, v.len));
  return v;
}

Result<void, Error> expect_message(const HandshakeMessage& m, wire::HandshakeType t) {
  if (m.type != t) return Err(Error(Reason::kUnexpectedMessage, "unexpected handshake message"));
  return {};
}

bool is_ip_literal(std::string_view name) {
  std::string s(name);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace sluice

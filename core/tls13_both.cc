#include "core/tls13_both.h"

#include "core/cert_compression.h"
#include "core/signing.h"

#include <algorithm>
#include <string_view>

namespace sluice {

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

bool tls13_signature_scheme(crypto::SignatureScheme s) {
  using crypto::SignatureScheme;
  if (!crypto::known_scheme(s)) return false;
  switch (s) {
    case SignatureScheme::kRsaPkcs1Sha256:
    case SignatureScheme::kRsaPkcs1Sha384:
    case SignatureScheme::kRsaPkcs1Sha512: return false;  // RFC 8446 §4.2.3: certificates only
    default: return true;
  }
}

std::optional<crypto::SignatureScheme> choose_signature_scheme13(std::span<const uint16_t> peer_schemes,
                                                                 std::span<const crypto::SignatureScheme> ours,
                                                                 const crypto::Signer& signer) {
  for (uint16_t code : peer_schemes) {
    const auto s = static_cast<crypto::SignatureScheme>(code);
    if (tls13_signature_scheme(s) && std::find(ours.begin(), ours.end(), s) != ours.end() && signer.supports(s)) {
      return s;
    }
  }
  return std::nullopt;
}

VerifyInput certificate_verify_input(bool from_server, Bytes transcript_hash) {
  static constexpr std::string_view kServer = "TLS 1.3, server CertificateVerify";
  static constexpr std::string_view kClient = "TLS 1.3, client CertificateVerify";
  std::string_view label = from_server ? kServer : kClient;
  VerifyInput in;
  ByteWriter w{MutBytes(in.bytes)};
  w.zeros(64);
  std::fill_n(in.bytes.begin(), 64, 0x20);
  w.bytes(Bytes(reinterpret_cast<const uint8_t*>(label.data()), label.size()));
  w.u8(0);
  w.bytes(transcript_hash.first(std::min(transcript_hash.size(), crypto::kMaxHashLen)));
  in.len = w.size();
  return in;
}

TlsResult<wire::Certificate> read_certificate(const HandshakeMessage& m, Bytes context, bool ocsp_asked,
                                              bool sct_asked) {
  SLUICE_TRY(expect_message(m, wire::HandshakeType::kCertificate));
  auto cert = SLUICE_TRY(wire::Certificate::parse(m.body));
  // RFC 8446 §4.4.2.1 with §4.2: staples answer what was asked for.
  if ((!cert.ocsp_response.empty() && !ocsp_asked) || (!cert.sct_list.empty() && !sct_asked)) {
    return Err(Error(Reason::kUnsupportedExtension, "unsolicited CertificateEntry extension"));
  }
  if (!std::equal(cert.request_context.begin(), cert.request_context.end(), context.begin(), context.end())) {
    return Err(Error(Reason::kIllegalParameter, "Certificate for another request context"));
  }
  return cert;
}

TlsResult<SignatureCheck::Checked> SignatureCheck::verify(const HandshakeMessage& m, const crypto::Provider& p,
                                                          const CertVerified& cert, std::span<const uint16_t> allowed,
                                                          const Transcript& transcript, bool from_server) {
  SLUICE_TRY(expect_message(m, wire::HandshakeType::kCertificateVerify));
  auto cv = SLUICE_TRY(wire::CertificateVerify::parse(m.body));
  const auto scheme = static_cast<crypto::SignatureScheme>(cv.scheme);
  // RFC 8446 §4.4.3: the scheme must be one that was offered, and one TLS
  // 1.3 allows for CertificateVerify.
  if (!tls13_signature_scheme(scheme) || std::find(allowed.begin(), allowed.end(), cv.scheme) == allowed.end()) {
    return Err(Error(Reason::kIllegalParameter, "CertificateVerify with a scheme that was not offered"));
  }
  if (crypto::scheme_key_type(scheme) != cert.end_entity_key().type) {
    return Err(Error(Reason::kIllegalParameter, "CertificateVerify scheme does not fit the certificate key"));
  }
  HashValue h = current_hash(transcript);
  auto input = certificate_verify_input(from_server, h.view());
  if (!p.verify(scheme, cert.end_entity_key(), input.view(), cv.signature)) {
    return Err(Error(Reason::kBadSignature, "CertificateVerify signature does not verify"));
  }
  return Checked{SigVerified(), scheme};
}

TlsResult<FinishedVerified> FinishedCheck::verify(const HandshakeMessage& m, const crypto::Provider& p,
                                                  crypto::HashAlg h, Bytes base_key, const Transcript& transcript) {
  SLUICE_TRY(expect_message(m, wire::HandshakeType::kFinished));
  auto fin = SLUICE_TRY(wire::Finished::parse(m.body, crypto::hash_len(h)));
  HashValue th = current_hash(transcript);
  uint8_t expected[crypto::kMaxHashLen];
  const size_t n = crypto::hash_len(h);
  SLUICE_TRY(finished_verify_data(p, h, base_key, th.view(), MutBytes(expected, n)));
  if (!ct_equal(Bytes(expected, n), fin.verify_data)) return Err(Error(Reason::kBadFinished, "Finished does not verify"));
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

TlsResult<PskAccepted> PskCheck::verify_binder(const crypto::Provider& p, crypto::HashAlg h, Bytes psk,
                                               Bytes truncated_hello_hash, Bytes binder) {
  auto expected = SLUICE_TRY(psk_binder(p, h, psk, truncated_hello_hash));
  if (!ct_equal(expected, binder)) return Err(Error(Reason::kBadBinder, "PSK binder does not verify"));
  return PskAccepted();
}

TlsResult<PskAccepted> PskCheck::accept_selection(size_t offered, uint16_t index, crypto::HashAlg psk_hash,
                                                  crypto::HashAlg suite_hash) {
  // RFC 8446 §4.2.11: the index must be one we offered, and the suite's
  // hash the PSK's.
  if (index >= offered) return Err(Error(Reason::kUnofferedSelection, "server selected a PSK that was not offered"));
  if (psk_hash != suite_hash) {
    return Err(Error(Reason::kUnofferedSelection, "server selected a suite whose hash does not fit the PSK"));
  }
  return PskAccepted();
}

Result<void, Error> queue_certificate13(HandshakeIo& io, Bytes context, std::span<const std::vector<uint8_t>> chain,
                                        Bytes ocsp_response, Bytes sct_list, Transcript& t,
                                        const CertificateCompression* compress_with) {
  const wire::CertificateView cert{context, chain, ocsp_response, sct_list};
  if (compress_with && !chain.empty()) {
    const bool sent = SLUICE_TRY(queue_compressed_certificate13(io, cert, *compress_with, t));
    if (sent) return {};
  }
  t.add(SLUICE_TRY(io.queue(cert)));
  return {};
}

TlsResult<Wait> queue_certificate_verify13(HandshakeIo& io, crypto::Signer& signer, crypto::SignatureScheme scheme,
                                           Transcript& t, bool from_server,
                                           std::unique_ptr<crypto::PendingSignature>& pending) {
  // An asynchronous signer answers with an operation; the caller's state
  // runs again (with the same transcript) once it completes.
  HashValue h = current_hash(t);
  auto input = certificate_verify_input(from_server, h.view());
  auto signature = SLUICE_TRY(sign_or_wait(signer, scheme, input.view(), pending));
  if (!signature) return Wait::kAsync;
  t.add(SLUICE_TRY(io.queue(wire::CertificateVerify{static_cast<uint16_t>(scheme), *signature})));
  return Wait::kOk;
}

Result<void, Error> queue_finished13(HandshakeIo& io, crypto::HashAlg h, Bytes base_key, Transcript& t) {
  HashValue th = current_hash(t);
  uint8_t verify_data[crypto::kMaxHashLen];
  const size_t n = crypto::hash_len(h);
  SLUICE_TRY(finished_verify_data(io.provider(), h, base_key, th.view(), MutBytes(verify_data, n)));
  t.add(SLUICE_TRY(io.queue(wire::Finished{Bytes(verify_data, n)})));
  return {};
}

namespace {

bool is_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    size_t digits = 0;
    unsigned value = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') value = value * 10 + (s[digits++] - '0');
    if (digits == 0 || digits > 3 || value > 255) return false;
    ++parts;
    s.remove_prefix(digits);
    if (s.empty()) return parts == 4;
    if (s.front() != '.' || parts == 4) return false;
    s.remove_prefix(1);
  }
}

}  // namespace

bool is_ip_literal(std::string_view name) {
  if (is_ipv4(name)) return true;
  // A host name never holds ':'; an IPv6 literal always does, with hex
  // digits, dots (an embedded IPv4 tail) and perhaps a "%zone".
  if (name.find(':') == std::string_view::npos) return false;
  const std::string_view addr = name.substr(0, name.find('%'));
  return std::all_of(addr.begin(), addr.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
  });
}

Result<void, Error> export_keying_material13(const crypto::Provider& p, crypto::HashAlg h, Bytes exporter_secret,
                                             std::string_view label, std::optional<Bytes> context, MutBytes out) {
  // HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""),
  // "exporter", Hash(context), length).
  const size_t n = crypto::hash_len(h);
  std::array<uint8_t, crypto::kMaxHashLen> empty{}, ctx_hash{};
  SLUICE_TRY(p.hash(h, {}, MutBytes(empty.data(), n)));
  SLUICE_TRY(p.hash(h, context.value_or(Bytes()), MutBytes(ctx_hash.data(), n)));
  SecretBytes derived(n);
  SLUICE_TRY(hkdf_expand_label(p, h, exporter_secret, label, Bytes(empty.data(), n), derived.span()));
  return hkdf_expand_label(p, h, derived, "exporter", Bytes(ctx_hash.data(), n), out);
}

Result<void, Error> ech_accept_confirmation(const crypto::Provider& p, crypto::HashAlg h, Bytes inner_random,
                                            std::string_view label, const Transcript& transcript, Bytes message,
                                            MutBytes out) {
  const size_t n = crypto::hash_len(h);
  SecretBytes prk(n);
  SLUICE_TRY(p.hkdf_extract(h, {}, inner_random, prk.span()));
  HashValue hv;
  hv.len = n;
  SLUICE_TRY(transcript.hash_with(p, h, message, MutBytes(hv.bytes, hv.len)));
  return hkdf_expand_label(p, h, prk, label, hv.view(), out);
}

}  // namespace sluice

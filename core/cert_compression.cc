#include "core/cert_compression.h"

#include <algorithm>

#include "core/handshake_buffer.h"

namespace sluice {

Result<void, Error> Context::add_certificate_compression(CertificateCompression c) {
  if (!c.compress && !c.decompress) {
    return Err(Error::api(Reason::kApiMisuse, "certificate compression algorithm with neither function"));
  }
  auto& algorithms = hooks_.certificate_compression;
  const bool known = std::any_of(algorithms.begin(), algorithms.end(),
                                 [&](const CertificateCompression& a) { return a.algorithm == c.algorithm; });
  if (known) return Err(Error::api(Reason::kApiMisuse, "certificate compression algorithm registered twice"));
  algorithms.push_back(std::move(c));
  return {};
}

void Context::set_max_decompressed_certificate(size_t bytes) {
  // A decompressed Certificate is held whole, like a plain one: no larger
  // than the largest handshake message we buffer.
  policy_.max_decompressed_certificate = std::min(bytes, kMaxHandshakeMessageLen);
}

std::vector<uint16_t> decompression_offer(const Context& ctx) {
  std::vector<uint16_t> ids;
  for (const auto& a : ctx.hooks().certificate_compression) {
    if (a.decompress) ids.push_back(a.algorithm);
  }
  return ids;
}

const CertificateCompression* choose_compression(const Context& ctx, std::span<const uint16_t> peer_offered) {
  for (const auto& a : ctx.hooks().certificate_compression) {
    if (a.compress && std::find(peer_offered.begin(), peer_offered.end(), a.algorithm) != peer_offered.end()) {
      return &a;
    }
  }
  return nullptr;
}

namespace {

// encoded_size_bound is no less than what `cert` encodes to (RFC 8446
// §4.4.2), so that it is written with one allocation.
size_t encoded_size_bound(const wire::CertificateView& cert) {
  size_t n = wire::kHandshakeHeaderLen + 1 + cert.request_context.size() + 3;
  for (const auto& c : cert.certificates) n += 3 + c.size() + 2;
  // The end entity's staples: extension headers, status type, lengths.
  return n + 4 + 1 + 3 + cert.ocsp_response.size() + 4 + cert.sct_list.size();
}

}  // namespace

TlsResult<bool> queue_compressed_certificate13(HandshakeIo& io, const wire::CertificateView& cert,
                                               const CertificateCompression& with, Transcript& t) {
  std::vector<uint8_t> plain;
  plain.reserve(encoded_size_bound(cert));
  if (!cert.serialize(plain)) {
    return Err(Error(Reason::kConfiguration, "handshake message does not encode (a list is too long)"));
  }
  const Bytes body = Bytes(plain).subspan(wire::kHandshakeHeaderLen);
  std::vector<uint8_t> compressed;
  compressed.reserve(body.size());  // one allocation for a compressor that shrinks
  if (!with.compress(body, compressed)) return false;
  // RFC 8879 §4: compressed_certificate_message<1..2^24-1>.
  if (compressed.empty()) return Err(Error(Reason::kInternal, "the certificate compressor produced nothing"));
  const wire::CompressedCertificate message{with.algorithm, static_cast<uint32_t>(body.size()), compressed};
  t.add(SLUICE_TRY(io.queue(message)));
  return true;
}

TlsResult<HandshakeMessage> uncompressed_certificate(const HandshakeMessage& m, const Context& ctx,
                                                     std::span<const uint16_t> offered, std::vector<uint8_t>& storage) {
  if (m.type != wire::HandshakeType::kCompressedCertificate || offered.empty()) return m;
  const auto cc = SLUICE_TRY(wire::CompressedCertificate::parse(m.body));
  // RFC 8879 §4: the algorithm is one of those we listed.
  const auto& algorithms = ctx.hooks().certificate_compression;
  const auto alg = std::find_if(algorithms.begin(), algorithms.end(),
                                [&](const CertificateCompression& a) { return a.algorithm == cc.algorithm; });
  if (alg == algorithms.end() || !alg->decompress ||
      std::find(offered.begin(), offered.end(), cc.algorithm) == offered.end()) {
    return Err(Error(Reason::kIllegalParameter, "CompressedCertificate: an algorithm that was not offered"));
  }
  // The declared length is the peer's to choose: bounded before anything
  // is allocated for it.
  if (cc.uncompressed_length > ctx.policy().max_decompressed_certificate) {
    return Err(Error(Reason::kBadCertificate, "CompressedCertificate: uncompressed_length above the limit"));
  }
  storage.resize(wire::kHandshakeHeaderLen + cc.uncompressed_length);
  ByteWriter header{MutBytes(storage).first(wire::kHandshakeHeaderLen)};
  header.u8(static_cast<uint8_t>(wire::HandshakeType::kCertificate));
  header.u24(cc.uncompressed_length);
  const MutBytes out = MutBytes(storage).subspan(wire::kHandshakeHeaderLen);
  // RFC 8879 §4: what does not decompress, or not to the declared length,
  // is bad_certificate.
  const std::optional<size_t> written = alg->decompress(cc.compressed, out);
  if (!written || *written != out.size()) {
    return Err(Error(Reason::kBadCertificate, "CompressedCertificate: does not decompress to its uncompressed_length"));
  }
  return HandshakeMessage{wire::HandshakeType::kCertificate, Bytes(storage).subspan(wire::kHandshakeHeaderLen),
                          Bytes(storage)};
}

}  // namespace sluice

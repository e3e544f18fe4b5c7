// Certificate compression (RFC 8879) inside the TLS 1.3 handshake: which
// algorithms we list, which one compresses our Certificate, and how a
// peer's CompressedCertificate becomes the Certificate it stands for. The
// algorithms themselves are the application's (Context::
// add_certificate_compression); TLS 1.2 never gets here (RFC 8879 §3).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/context.h"
#include "core/handshake.h"
#include "core/transcript.h"
#include "core/wire/messages.h"

namespace sluice {

// decompression_offer: the context's algorithms that can decompress, in
// its order: the compress_certificate list of our ClientHello or
// CertificateRequest (empty: the extension is not sent).
std::vector<uint16_t> decompression_offer(const Context& ctx);

// choose_compression: the first of the context's algorithms that can
// compress and that the peer's compress_certificate list names; nullptr
// when none does (the Certificate goes uncompressed).
const CertificateCompression* choose_compression(const Context& ctx, std::span<const uint16_t> peer_offered);

// queue_compressed_certificate13 sends the Certificate `cert` as a
// CompressedCertificate made by `with` and adds that message, as sent, to
// the transcript (RFC 8879 §4). false, with nothing sent, when the
// compressor declines.
TlsResult<bool> queue_compressed_certificate13(HandshakeIo& io, const wire::CertificateView& cert,
                                               const CertificateCompression& with, Transcript& t);

// uncompressed_certificate: when `m` is a CompressedCertificate and we
// listed `offered`, the Certificate message it stands for, decompressed
// into `storage` (header included, so it reads as the peer's Certificate).
// Any other message comes back as it is: a CompressedCertificate we did
// not ask for then meets read_certificate's unexpected_message. The
// transcript still takes `m` itself, the message as sent.
TlsResult<HandshakeMessage> uncompressed_certificate(const HandshakeMessage& m, const Context& ctx,
                                                     std::span<const uint16_t> offered, std::vector<uint8_t>& storage);

}  // namespace sluice

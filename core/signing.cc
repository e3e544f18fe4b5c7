#include "core/signing.h"

namespace sluice {

TlsResult<std::optional<std::vector<uint8_t>>> sign_or_wait(crypto::Signer& signer, crypto::SignatureScheme scheme,
                                                           Bytes content,
                                                           std::unique_ptr<crypto::PendingSignature>& pending) {
  std::vector<uint8_t> signature;
  if (!pending) {
    crypto::SignStart started = SLUICE_TRY(signer.start_sign(scheme, content));
    if (started.pending) {
      pending = std::move(started.pending);
      return std::optional<std::vector<uint8_t>>();
    }
    signature = std::move(started.signature);
  } else {
    if (!pending->done()) return std::optional<std::vector<uint8_t>>();
    auto r = pending->result();
    pending.reset();
    if (!r) return Err(Error(r.error()));
    signature = std::move(*r);
  }
  if (signature.empty()) return Err(Error(Reason::kCrypto, "signer returned an empty signature"));
  return std::optional<std::vector<uint8_t>>(std::move(signature));
}

}  // namespace sluice

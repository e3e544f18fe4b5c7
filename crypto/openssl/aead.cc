// AES-128/256-GCM and ChaCha20-Poly1305 over EVP_CIPHER_CTX, sealing and
// opening in place or from and to a second buffer.
//
// One EVP_CIPHER_CTX per key, keyed once: each record then only sets the
// nonce (EVP_CipherInit_ex with a null key keeps the expanded key and the
// GHASH table), which is what OpenSSL's own record layer does too.
#include <climits>

#include "base/secret.h"
#include "crypto/openssl/internal.h"

namespace sluice::crypto::ossl {
namespace {

// NIST SP 800-38D §5.2.1.1: at most 2^39 - 256 bits of plaintext per nonce.
constexpr uint64_t kMaxGcmBytes = (uint64_t{1} << 36) - 32;
// RFC 8439 §2.8: the 32-bit block counter starts at 1 for the payload.
constexpr uint64_t kMaxChaChaBytes = ((uint64_t{1} << 32) - 1) * 64;

class OsslAead final : public AeadKey {
 public:
  OsslAead(AeadAlg alg, CipherCtxPtr ctx) : alg_(alg), ctx_(std::move(ctx)) {}

  AeadAlg alg() const override { return alg_; }

  CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    return seal_from(nonce, aad, {}, in_out, tag);
  }
  CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    return open_to(nonce, aad, in_out, {}, tag);
  }

  CStatus seal_from(Bytes nonce, Bytes aad, Bytes head, MutBytes out, MutBytes tag) override {
    SLUICE_TRY(check_shapes(nonce, tag.size(), aad.size(), out.size()));
    SLUICE_TRY(check_aead_split(head, out));
    EVP_CIPHER_CTX* c = ctx_.get();
    const MutBytes rest = out.subspan(head.size());
    int len = 0;
    uint8_t final_block[16];
    if (EVP_CipherInit_ex(c, nullptr, nullptr, nullptr, nonce.data(), 1) != 1 ||
        (!aad.empty() && EVP_CipherUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
        (!head.empty() && EVP_CipherUpdate(c, out.data(), &len, head.data(), static_cast<int>(head.size())) != 1) ||
        (!rest.empty() && EVP_CipherUpdate(c, rest.data(), &len, rest.data(), static_cast<int>(rest.size())) != 1) ||
        EVP_CipherFinal_ex(c, final_block, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagLen), tag.data()) != 1) {
      return Err(CryptoError::kInternal);
    }
    return {};
  }

  CStatus open_to(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes head, Bytes tag) override {
    SLUICE_TRY(check_shapes(nonce, tag.size(), aad.size(), in_out.size()));
    SLUICE_TRY(check_aead_split(head, in_out));
    EVP_CIPHER_CTX* c = ctx_.get();
    const MutBytes rest = in_out.subspan(head.size());
    int len = 0;
    uint8_t final_block[16];
    // The tag is set before any data (the GCM and ChaCha20-Poly1305
    // ciphers check it in Final); the ctrl takes a non-const pointer but
    // only copies from it.
    if (EVP_CipherInit_ex(c, nullptr, nullptr, nullptr, nonce.data(), 0) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagLen),
                            const_cast<uint8_t*>(tag.data())) != 1 ||
        (!aad.empty() && EVP_CipherUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)) {
      return Err(CryptoError::kInternal);
    }
    if ((!head.empty() && EVP_CipherUpdate(c, head.data(), &len, in_out.data(), static_cast<int>(head.size())) != 1) ||
        (!rest.empty() && EVP_CipherUpdate(c, rest.data(), &len, rest.data(), static_cast<int>(rest.size())) != 1)) {
      wipe(head);
      wipe(rest);
      return Err(CryptoError::kInternal);
    }
    // Final compares the tag in constant time. libcrypto decrypts while it
    // authenticates, so on failure the buffers hold unauthenticated
    // plaintext: wipe them, as AeadKey::open promises.
    if (EVP_CipherFinal_ex(c, final_block, &len) != 1) {
      wipe(head);
      wipe(rest);
      return Err(CryptoError::kAuthFailed);
    }
    return {};
  }

  CStatus rekey(Bytes key) override {
    if (key.size() != aead_key_len(alg_)) return Err(CryptoError::kInvalidKey);
    if (EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, key.data(), nullptr, -1) != 1) return Err(CryptoError::kInternal);
    return {};
  }

 private:
  CStatus check_shapes(Bytes nonce, size_t tag_len, size_t aad_len, size_t data_len) const {
    if (nonce.size() != kAeadNonceLen || tag_len != kAeadTagLen) return Err(CryptoError::kInvalidInput);
    const uint64_t max = alg_ == AeadAlg::kChaCha20Poly1305 ? kMaxChaChaBytes : kMaxGcmBytes;
    // EVP lengths are ints; a TLS record is far below either bound.
    if (data_len > max || !fits_int(data_len) || !fits_int(aad_len)) return Err(CryptoError::kInvalidInput);
    return {};
  }

  AeadAlg alg_;
  CipherCtxPtr ctx_;
};

}  // namespace

CResult<std::unique_ptr<AeadKey>> new_aead(const Env& env, AeadAlg alg, Bytes key) {
  if (key.size() != aead_key_len(alg)) return Err(CryptoError::kInvalidKey);
  const EVP_CIPHER* cipher = env.cipher(alg);
  if (cipher == nullptr) return Err(CryptoError::kUnsupported);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  // The 12-byte nonce is every cipher's default IV length here, so no
  // EVP_CTRL_AEAD_SET_IVLEN is needed.
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, 1) != 1 ||
      EVP_CIPHER_CTX_get_iv_length(ctx.get()) != static_cast<int>(kAeadNonceLen)) {
    return Err(CryptoError::kInternal);
  }
  return std::unique_ptr<AeadKey>(std::make_unique<OsslAead>(alg, std::move(ctx)));
}

}  // namespace sluice::crypto::ossl

// Ephemeral key shares: X25519 (RFC 7748) and ECDH over P-256/P-384/P-521,
// as EVP_PKEY key pairs with EVP_PKEY_derive.
#include <openssl/core_names.h>

#include "base/secret.h"
#include "crypto/openssl/internal.h"

namespace sluice::crypto::ossl {
namespace {

constexpr size_t kX25519Len = 32;

class OsslKeyShare final : public KeyShare {
 public:
  OsslKeyShare(std::shared_ptr<const Env> env, Group g, PkeyPtr key, std::vector<uint8_t> pub)
      : env_(std::move(env)), group_(g), key_(std::move(key)), public_(std::move(pub)) {}

  Group group() const override { return group_; }
  Bytes public_key() const override { return public_; }

  CResult<SecretBytes> agree(Bytes peer_public) override {
    PkeyPtr peer;
    if (group_ == Group::kX25519) {
      if (peer_public.size() != kX25519Len) return Err(CryptoError::kInvalidPeerPublic);
      peer.reset(EVP_PKEY_new_raw_public_key_ex(nullptr, "X25519", env_->propq(), peer_public.data(),
                                                peer_public.size()));
      if (!peer) return Err(CryptoError::kInvalidPeerPublic);
    } else {
      auto p = ec_public_pkey(*env_, curve_for(group_), peer_public);
      if (!p.ok()) return Err(CryptoError::kInvalidPeerPublic);
      peer = std::move(*p);
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), env_->propq()));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) return Err(CryptoError::kInternal);
    // set_peer also validates the peer key against our group.
    if (EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1) return Err(CryptoError::kInvalidPeerPublic);
    size_t len = 0;
    if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len == 0) return Err(CryptoError::kInternal);
    SecretBytes secret(len);
    // OpenSSL's X25519 fails on an all-zero result (a low-order peer value,
    // RFC 7748 §6.1); ECDH output is the X coordinate padded to field size.
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1) return Err(CryptoError::kInvalidPeerPublic);
    secret.resize(len);
    return secret;
  }

 private:
  std::shared_ptr<const Env> env_;
  Group group_;
  PkeyPtr key_;
  std::vector<uint8_t> public_;
};

CResult<std::vector<uint8_t>> encoded_public(EVP_PKEY* key, Group g) {
  std::vector<uint8_t> pub(g == Group::kX25519 ? kX25519Len : curve_for(g).point_len());
  size_t len = pub.size();
  if (g == Group::kX25519) {
    if (EVP_PKEY_get_raw_public_key(key, pub.data(), &len) != 1 || len != pub.size()) {
      return Err(CryptoError::kInternal);
    }
  } else if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub.data(), pub.size(),
                                             &len) != 1 ||
             len != pub.size()) {
    return Err(CryptoError::kInternal);
  }
  return pub;
}

}  // namespace

CResult<std::unique_ptr<KeyShare>> new_key_share(std::shared_ptr<const Env> env, Group g) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, g == Group::kX25519 ? "X25519" : "EC", env->propq()));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) return Err(CryptoError::kInternal);
  if (g != Group::kX25519 && EVP_PKEY_CTX_set_group_name(ctx.get(), curve_for(g).name) != 1) {
    return Err(CryptoError::kInternal);
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) != 1) return Err(CryptoError::kRandomFailed);
  PkeyPtr key(raw);
  auto pub = SLUICE_TRY(encoded_public(key.get(), g));
  return std::unique_ptr<KeyShare>(std::make_unique<OsslKeyShare>(std::move(env), g, std::move(key), std::move(pub)));
}

CResult<std::unique_ptr<KeyShare>> key_share_from_private(std::shared_ptr<const Env> env, Group g, Bytes priv) {
  if (g == Group::kX25519) {
    // The scalar is clamped by X25519 itself (RFC 7748 §5), so any 32
    // bytes are a valid private key.
    if (priv.size() != kX25519Len) return Err(CryptoError::kInvalidKey);
    PkeyPtr key(EVP_PKEY_new_raw_private_key_ex(nullptr, "X25519", env->propq(), priv.data(), priv.size()));
    if (!key) return Err(CryptoError::kInvalidKey);
    auto pub = SLUICE_TRY(encoded_public(key.get(), g));
    return std::unique_ptr<KeyShare>(
        std::make_unique<OsslKeyShare>(std::move(env), g, std::move(key), std::move(pub)));
  }
  const Curve c = curve_for(g);
  if (priv.size() != c.scalar_len) return Err(CryptoError::kInvalidKey);
  std::vector<uint8_t> pub;
  PkeyPtr key = SLUICE_TRY(ec_private_pkey(*env, c, priv, pub));
  return std::unique_ptr<KeyShare>(std::make_unique<OsslKeyShare>(std::move(env), g, std::move(key), std::move(pub)));
}

}  // namespace sluice::crypto::ossl

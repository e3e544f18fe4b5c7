// The libcrypto provider table: answers supports() from what was fetched and
// routes each request to the file that implements the family. Its only
// state is the immutable Env, so one instance serves any number of threads.
#include <openssl/rand.h>

#include "crypto/openssl/internal.h"
#include "crypto/openssl/openssl_provider.h"

namespace sluice::crypto {
namespace ossl {

Env::~Env() {
  EVP_MD_free(sha256);
  EVP_MD_free(sha384);
  EVP_MD_free(sha512);
  EVP_CIPHER_free(aes128gcm);
  EVP_CIPHER_free(aes256gcm);
  EVP_CIPHER_free(chacha20poly1305);
}

const EVP_MD* Env::md(HashAlg h) const {
  switch (h) {
    case HashAlg::kSha256: return sha256;
    case HashAlg::kSha384: return sha384;
    case HashAlg::kSha512: return sha512;
  }
  return nullptr;
}

const EVP_CIPHER* Env::cipher(AeadAlg a) const {
  switch (a) {
    case AeadAlg::kAes128Gcm: return aes128gcm;
    case AeadAlg::kAes256Gcm: return aes256gcm;
    case AeadAlg::kChaCha20Poly1305: return chacha20poly1305;
  }
  return nullptr;
}

std::shared_ptr<const Env> make_env(std::string properties) {
  auto env = std::make_shared<Env>();
  env->properties = std::move(properties);
  const char* q = env->propq();
  env->sha256 = EVP_MD_fetch(nullptr, "SHA2-256", q);
  env->sha384 = EVP_MD_fetch(nullptr, "SHA2-384", q);
  env->sha512 = EVP_MD_fetch(nullptr, "SHA2-512", q);
  env->aes128gcm = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", q);
  env->aes256gcm = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", q);
  env->chacha20poly1305 = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", q);
  return env;
}

Bytes strip_zeros(Bytes v) {
  size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  return v.subspan(i);
}

// has_pkey_algorithm says whether a key type can be fetched (X25519, EC,
// ED25519, RSA) under the properties.
bool has_keymgmt(const Env& env, const char* name) {
  EVP_KEYMGMT* km = EVP_KEYMGMT_fetch(nullptr, name, env.propq());
  EVP_KEYMGMT_free(km);
  return km != nullptr;
}

}  // namespace ossl

namespace {

// What the loaded OpenSSL providers can do, decided once per instance.
struct Capabilities {
  bool x25519 = false, ec = false, ed25519 = false, rsa = false;
};

class OpenSslProvider final : public Provider {
 public:
  explicit OpenSslProvider(std::shared_ptr<const ossl::Env> env) : env_(std::move(env)) {
    caps_.x25519 = ossl::has_keymgmt(*env_, "X25519");
    caps_.ec = ossl::has_keymgmt(*env_, "EC");
    caps_.ed25519 = ossl::has_keymgmt(*env_, "ED25519");
    caps_.rsa = ossl::has_keymgmt(*env_, "RSA");
  }

  std::string_view name() const override { return "libcrypto"; }

  bool supports(HashAlg h) const override { return env_->md(h) != nullptr; }
  bool supports(AeadAlg a) const override { return env_->cipher(a) != nullptr; }
  bool supports(Group g) const override {
    switch (g) {
      case Group::kX25519: return caps_.x25519;
      case Group::kSecp256r1:
      case Group::kSecp384r1:
      case Group::kSecp521r1: return caps_.ec && env_->sha256 != nullptr;
    }
    return false;
  }
  bool supports_verify(SignatureScheme s) const override {
    const KeyType t = scheme_key_type(s);
    return supports_signing(t) && (t == KeyType::kEd25519 || supports(scheme_hash(s)));
  }
  bool supports_signing(KeyType t) const override {
    switch (t) {
      case KeyType::kEd25519: return caps_.ed25519;
      case KeyType::kEcdsaP256:
      case KeyType::kEcdsaP384:
      case KeyType::kEcdsaP521: return caps_.ec;
      // An RSA-PSS key is an RSA key used with PSS padding only; the RSA
      // key manager does both (the provider checks the pairing).
      case KeyType::kRsa:
      case KeyType::kRsaPss: return caps_.rsa;
    }
    return false;
  }

  CResult<std::unique_ptr<Hash>> new_hash(HashAlg h) const override {
    if (!supports(h)) return Err(CryptoError::kUnsupported);
    return ossl::new_hash(env_, h);
  }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key) const override {
    if (!supports(h)) return Err(CryptoError::kUnsupported);
    return ossl::new_hmac(env_, h, key);
  }
  CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const override {
    const HkdfOutput one[] = {{info, out}};
    return hkdf_expand_several(h, prk, one);
  }
  CStatus hkdf_expand_several(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) const override {
    if (!supports(h)) return Err(CryptoError::kUnsupported);
    return ossl::hkdf_expand(*env_, h, prk, outputs);
  }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg a, Bytes key) const override {
    if (!supports(a)) return Err(CryptoError::kUnsupported);
    return ossl::new_aead(*env_, a, key);
  }
  CResult<std::unique_ptr<KeyShare>> new_key_share(Group g) const override {
    if (!supports(g)) return Err(CryptoError::kUnsupported);
    return ossl::new_key_share(env_, g);
  }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) const override {
    if (!supports(g)) return Err(CryptoError::kUnsupported);
    return ossl::key_share_from_private(env_, g, priv);
  }
  CStatus verify(SignatureScheme s, const PublicKey& key, Bytes message, Bytes signature) const override {
    if (!supports_verify(s)) return Err(CryptoError::kUnsupported);
    return ossl::verify(*env_, s, key, message, signature);
  }
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial& m) const override {
    if (!supports_signing(m.type)) return Err(CryptoError::kUnsupported);
    return ossl::new_signer(env_, m);
  }
  CResult<PrivateKeyMaterial> generate_key(KeyType t, unsigned rsa_bits) const override {
    if (!supports_signing(t)) return Err(CryptoError::kUnsupported);
    return ossl::generate_key(*env_, t, rsa_bits);
  }
  CStatus random(MutBytes out) const override {
    if (out.empty()) return {};
    if (!ossl::fits_int(out.size()) || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
      return Err(CryptoError::kRandomFailed);
    }
    return {};
  }

 private:
  std::shared_ptr<const ossl::Env> env_;
  Capabilities caps_;
};

}  // namespace

std::unique_ptr<Provider> make_openssl_provider(const OpenSslOptions& options) {
  auto env = ossl::make_env(options.properties);
  if (env->sha256 == nullptr) return nullptr;
  return std::make_unique<OpenSslProvider>(std::move(env));
}

}  // namespace sluice::crypto

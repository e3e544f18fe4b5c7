#include "bench/openssl_reference.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <vector>

namespace sluice::bench {
namespace {

using crypto::AeadAlg;
using crypto::Group;
using crypto::SignatureScheme;

// Shared-ownership deleters so the lambdas below can hold OpenSSL objects.
std::shared_ptr<EVP_PKEY> own(EVP_PKEY* k) { return {k, EVP_PKEY_free}; }
std::shared_ptr<EVP_CIPHER_CTX> own(EVP_CIPHER_CTX* c) { return {c, EVP_CIPHER_CTX_free}; }

const EVP_CIPHER* cipher_for(AeadAlg alg) {
  switch (alg) {
    case AeadAlg::kAes128Gcm: return EVP_aes_128_gcm();
    case AeadAlg::kAes256Gcm: return EVP_aes_256_gcm();
    case AeadAlg::kChaCha20Poly1305: return EVP_chacha20_poly1305();
  }
  return nullptr;
}

// generate makes a key of the type a scheme or group needs.
std::shared_ptr<EVP_PKEY> generate(const char* type, const char* group, unsigned rsa_bits) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  if (!ctx) return nullptr;
  EVP_PKEY* key = nullptr;
  bool ok = EVP_PKEY_keygen_init(ctx) == 1;
  if (ok && group) ok = EVP_PKEY_CTX_set_group_name(ctx, group) == 1;
  if (ok && rsa_bits) ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, static_cast<int>(rsa_bits)) == 1;
  if (ok) ok = EVP_PKEY_keygen(ctx, &key) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok ? own(key) : nullptr;
}

struct KeySpec {
  const char* type;
  const char* group;
  unsigned rsa_bits;
};

KeySpec key_spec(Group g) {
  switch (g) {
    case Group::kX25519: return {"X25519", nullptr, 0};
    case Group::kSecp256r1: return {"EC", "P-256", 0};
    case Group::kSecp384r1: return {"EC", "P-384", 0};
    case Group::kSecp521r1: return {"EC", "P-521", 0};
  }
  return {"X25519", nullptr, 0};
}

struct SigSpec {
  KeySpec key;
  const EVP_MD* md;  // nullptr for Ed25519 (it hashes internally)
  bool pss;
};

SigSpec sig_spec(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::kEd25519: return {{"ED25519", nullptr, 0}, nullptr, false};
    case SignatureScheme::kEcdsaSecp256r1Sha256: return {{"EC", "P-256", 0}, EVP_sha256(), false};
    case SignatureScheme::kEcdsaSecp384r1Sha384: return {{"EC", "P-384", 0}, EVP_sha384(), false};
    case SignatureScheme::kRsaPkcs1Sha256: return {{"RSA", nullptr, 2048}, EVP_sha256(), false};
    case SignatureScheme::kRsaPkcs1Sha384: return {{"RSA", nullptr, 2048}, EVP_sha384(), false};
    case SignatureScheme::kRsaPkcs1Sha512: return {{"RSA", nullptr, 2048}, EVP_sha512(), false};
    case SignatureScheme::kRsaPssRsaeSha256: return {{"RSA", nullptr, 2048}, EVP_sha256(), true};
    case SignatureScheme::kRsaPssRsaeSha384: return {{"RSA", nullptr, 2048}, EVP_sha384(), true};
    case SignatureScheme::kRsaPssRsaeSha512: return {{"RSA", nullptr, 2048}, EVP_sha512(), true};
    case SignatureScheme::kEcdsaSecp521r1Sha512: return {{"EC", "P-521", 0}, EVP_sha512(), false};
    case SignatureScheme::kRsaPssPssSha256: return {{"RSA-PSS", nullptr, 2048}, EVP_sha256(), true};
    case SignatureScheme::kRsaPssPssSha384: return {{"RSA-PSS", nullptr, 2048}, EVP_sha384(), true};
    case SignatureScheme::kRsaPssPssSha512: return {{"RSA-PSS", nullptr, 2048}, EVP_sha512(), true};
  }
  return {{"ED25519", nullptr, 0}, nullptr, false};
}

// One key per key type (RSA 2048), shared by the sign and verify rows.
std::shared_ptr<EVP_PKEY> signing_key(SignatureScheme s) {
  // Indexed by KeyType; its last value is kRsaPss.
  static std::shared_ptr<EVP_PKEY> by_type[static_cast<size_t>(crypto::KeyType::kRsaPss) + 1];
  const auto type = static_cast<size_t>(crypto::scheme_key_type(s));
  if (!by_type[type]) {
    const KeySpec spec = sig_spec(s).key;
    by_type[type] = generate(spec.type, spec.group, spec.rsa_bits);
  }
  return by_type[type];
}

// digest_init sets up sign or verify, with PSS padding (salt = hash length,
// RFC 8446 §4.2.3) where the scheme asks for it.
bool digest_init(EVP_MD_CTX* md_ctx, bool sign, const SigSpec& spec, EVP_PKEY* key) {
  EVP_PKEY_CTX* pctx = nullptr;
  const int ok = sign ? EVP_DigestSignInit(md_ctx, &pctx, spec.md, nullptr, key)
                      : EVP_DigestVerifyInit(md_ctx, &pctx, spec.md, nullptr, key);
  if (ok != 1) return false;
  if (spec.pss) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  return true;
}

std::vector<uint8_t> bench_message() { return std::vector<uint8_t>(100, 0x42); }

}  // namespace

Op openssl_aead_seal_open(AeadAlg alg, size_t message_len) {
  auto ctx = own(EVP_CIPHER_CTX_new());
  const EVP_CIPHER* cipher = cipher_for(alg);
  std::vector<uint8_t> key(crypto::aead_key_len(alg), 0x11);
  // Set the cipher and key once; each call then only sets the nonce.
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, 1) != 1) return nullptr;
  auto buf = std::make_shared<std::vector<uint8_t>>(message_len, 0x5a);
  auto nonce = std::make_shared<std::vector<uint8_t>>(12, 0);
  return [ctx, buf, nonce]() {
    EVP_CIPHER_CTX* c = ctx.get();
    static const uint8_t aad[13] = {};
    uint8_t tag[16];
    int len = 0;
    ++(*nonce)[11];
    const int n = static_cast<int>(buf->size());
    if (EVP_CipherInit_ex(c, nullptr, nullptr, nullptr, nonce->data(), 1) != 1 ||
        EVP_CipherUpdate(c, nullptr, &len, aad, sizeof aad) != 1 ||
        EVP_CipherUpdate(c, buf->data(), &len, buf->data(), n) != 1 ||
        EVP_CipherFinal_ex(c, buf->data() + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1) {
      return false;
    }
    if (EVP_CipherInit_ex(c, nullptr, nullptr, nullptr, nonce->data(), 0) != 1 ||
        EVP_CipherUpdate(c, nullptr, &len, aad, sizeof aad) != 1 ||
        EVP_CipherUpdate(c, buf->data(), &len, buf->data(), n) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1 ||
        EVP_CipherFinal_ex(c, buf->data() + len, &len) != 1) {
      return false;
    }
    return true;
  };
}

Op openssl_hash(crypto::HashAlg alg, size_t message_len) {
  const EVP_MD* md = alg == crypto::HashAlg::kSha256 ? EVP_sha256()
                     : alg == crypto::HashAlg::kSha384 ? EVP_sha384()
                                                       : EVP_sha512();
  auto buf = std::make_shared<std::vector<uint8_t>>(message_len, 0x5a);
  return [md, buf]() {
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    return EVP_Digest(buf->data(), buf->size(), digest, &len, md, nullptr) == 1;
  };
}

Op openssl_key_share(Group group) {
  const KeySpec spec = key_spec(group);
  auto peer = generate(spec.type, spec.group, 0);
  if (!peer) return nullptr;
  return [spec, peer]() {
    auto mine = generate(spec.type, spec.group, 0);
    if (!mine) return false;
    // Encoding the public value is part of making a key_share.
    unsigned char* encoded = nullptr;
    const size_t encoded_len = EVP_PKEY_get1_encoded_public_key(mine.get(), &encoded);
    OPENSSL_free(encoded);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(mine.get(), nullptr);
    uint8_t secret[64];
    size_t secret_len = sizeof secret;
    const bool ok = encoded_len > 0 && ctx && EVP_PKEY_derive_init(ctx) == 1 &&
                    EVP_PKEY_derive_set_peer(ctx, peer.get()) == 1 && EVP_PKEY_derive(ctx, secret, &secret_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
  };
}

Op openssl_sign(SignatureScheme scheme) {
  auto key = signing_key(scheme);
  if (!key) return nullptr;
  const SigSpec spec = sig_spec(scheme);
  auto message = std::make_shared<std::vector<uint8_t>>(bench_message());
  return [key, spec, message]() {
    EVP_MD_CTX* md_ctx = EVP_MD_CTX_new();
    uint8_t sig[1024];
    size_t sig_len = sizeof sig;
    const bool ok = md_ctx && digest_init(md_ctx, true, spec, key.get()) &&
                    EVP_DigestSign(md_ctx, sig, &sig_len, message->data(), message->size()) == 1;
    EVP_MD_CTX_free(md_ctx);
    return ok;
  };
}

Op openssl_verify(SignatureScheme scheme) {
  auto key = signing_key(scheme);
  if (!key) return nullptr;
  const SigSpec spec = sig_spec(scheme);
  auto message = std::make_shared<std::vector<uint8_t>>(bench_message());
  auto sig = std::make_shared<std::vector<uint8_t>>(1024);
  {
    EVP_MD_CTX* md_ctx = EVP_MD_CTX_new();
    size_t sig_len = sig->size();
    const bool ok = md_ctx && digest_init(md_ctx, true, spec, key.get()) &&
                    EVP_DigestSign(md_ctx, sig->data(), &sig_len, message->data(), message->size()) == 1;
    EVP_MD_CTX_free(md_ctx);
    if (!ok) return nullptr;
    sig->resize(sig_len);
  }
  return [key, spec, message, sig]() {
    EVP_MD_CTX* md_ctx = EVP_MD_CTX_new();
    const bool ok = md_ctx && digest_init(md_ctx, false, spec, key.get()) &&
                    EVP_DigestVerify(md_ctx, sig->data(), sig->size(), message->data(), message->size()) == 1;
    EVP_MD_CTX_free(md_ctx);
    return ok;
  };
}

}  // namespace sluice::bench

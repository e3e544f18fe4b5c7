#include "crypto/algorithms.h"

namespace sluice::crypto {

std::string_view name(HashAlg h) {
  switch (h) {
    case HashAlg::kSha256: return "SHA-256";
    case HashAlg::kSha384: return "SHA-384";
    case HashAlg::kSha512: return "SHA-512";
  }
  return "?";
}

std::string_view name(AeadAlg a) {
  switch (a) {
    case AeadAlg::kAes128Gcm: return "AES-128-GCM";
    case AeadAlg::kAes256Gcm: return "AES-256-GCM";
    case AeadAlg::kChaCha20Poly1305: return "ChaCha20-Poly1305";
  }
  return "?";
}

std::string_view name(Group g) {
  switch (g) {
    case Group::kSecp256r1: return "secp256r1";
    case Group::kSecp384r1: return "secp384r1";
    case Group::kSecp521r1: return "secp521r1";
    case Group::kX25519: return "x25519";
  }
  return "?";
}

std::string_view name(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::kRsaPkcs1Sha256: return "rsa_pkcs1_sha256";
    case SignatureScheme::kRsaPkcs1Sha384: return "rsa_pkcs1_sha384";
    case SignatureScheme::kRsaPkcs1Sha512: return "rsa_pkcs1_sha512";
    case SignatureScheme::kEcdsaSecp256r1Sha256: return "ecdsa_secp256r1_sha256";
    case SignatureScheme::kEcdsaSecp384r1Sha384: return "ecdsa_secp384r1_sha384";
    case SignatureScheme::kEcdsaSecp521r1Sha512: return "ecdsa_secp521r1_sha512";
    case SignatureScheme::kRsaPssRsaeSha256: return "rsa_pss_rsae_sha256";
    case SignatureScheme::kRsaPssRsaeSha384: return "rsa_pss_rsae_sha384";
    case SignatureScheme::kRsaPssRsaeSha512: return "rsa_pss_rsae_sha512";
    case SignatureScheme::kEd25519: return "ed25519";
    case SignatureScheme::kRsaPssPssSha256: return "rsa_pss_pss_sha256";
    case SignatureScheme::kRsaPssPssSha384: return "rsa_pss_pss_sha384";
    case SignatureScheme::kRsaPssPssSha512: return "rsa_pss_pss_sha512";
  }
  return "?";
}

std::string_view name(KeyType k) {
  switch (k) {
    case KeyType::kEd25519: return "Ed25519";
    case KeyType::kEcdsaP256: return "ECDSA P-256";
    case KeyType::kEcdsaP384: return "ECDSA P-384";
    case KeyType::kRsa: return "RSA";
    case KeyType::kEcdsaP521: return "ECDSA P-521";
    case KeyType::kRsaPss: return "RSA-PSS";
  }
  return "?";
}

}  // namespace sluice::crypto

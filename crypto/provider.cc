#include "crypto/provider.h"

#include <algorithm>

#include "crypto/keyed_hkdf.h"

namespace sluice::crypto {

std::string_view describe(CryptoError e) {
  switch (e) {
    case CryptoError::kUnsupported: return "algorithm not supported by the provider";
    case CryptoError::kInvalidKey: return "invalid key";
    case CryptoError::kInvalidInput: return "invalid input";
    case CryptoError::kAuthFailed: return "authentication tag mismatch";
    case CryptoError::kInvalidPeerPublic: return "invalid peer public value";
    case CryptoError::kBadSignature: return "signature does not verify";
    case CryptoError::kRandomFailed: return "random generator failed";
    case CryptoError::kInternal: return "internal provider error";
  }
  return "?";
}

CStatus AeadKey::seal_from(Bytes nonce, Bytes aad, Bytes head, MutBytes out, MutBytes tag) {
  SLUICE_TRY(check_aead_split(head, out));
  std::copy(head.begin(), head.end(), out.begin());
  return seal(nonce, aad, out, tag);
}

CStatus AeadKey::open_to(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes head, Bytes tag) {
  SLUICE_TRY(check_aead_split(head, in_out));
  SLUICE_TRY(open(nonce, aad, in_out, tag));
  std::copy(in_out.begin(), in_out.begin() + static_cast<ptrdiff_t>(head.size()), head.begin());
  return {};
}

CResult<SignStart> Signer::start_sign(SignatureScheme scheme, Bytes message) {
  SignStart out;
  SignOutcome o = SLUICE_TRY(sign(scheme, message, out.signature));
  if (o != SignOutcome::kDone) return Err(CryptoError::kInternal);  // pending signers override start_sign
  return out;
}

PrivateKeyMaterial PrivateKeyMaterial::copy() const {
  PrivateKeyMaterial m;
  m.type = type;
  m.secret = secret.copy();
  m.rsa_n = rsa_n;
  m.rsa_e = rsa_e;
  m.rsa_d = rsa_d.copy();
  m.rsa_p = rsa_p.copy();
  m.rsa_q = rsa_q.copy();
  m.rsa_dp = rsa_dp.copy();
  m.rsa_dq = rsa_dq.copy();
  m.rsa_qinv = rsa_qinv.copy();
  m.public_key = public_key;
  return m;
}

CStatus Provider::hash_parts(HashAlg h, std::span<const Bytes> parts, MutBytes out) const {
  auto ctx = SLUICE_TRY(new_hash(h));
  if (out.size() < hash_len(h)) return Err(CryptoError::kInvalidInput);
  for (Bytes p : parts) ctx->update(p);
  ctx->finish(out);
  return {};
}

CStatus Provider::hmac_parts(HashAlg h, Bytes key, std::span<const Bytes> parts, MutBytes out) const {
  auto mac = SLUICE_TRY(new_hmac(h, key));
  if (out.size() < hash_len(h)) return Err(CryptoError::kInvalidInput);
  for (Bytes p : parts) mac->update(p);
  mac->finish(out);
  return {};
}

CStatus Provider::hmac(HashAlg h, Bytes key, Bytes data, MutBytes out) const {
  const Bytes parts[] = {data};
  return hmac_parts(h, key, parts, out);
}

CStatus Provider::hkdf_extract(HashAlg h, Bytes salt, Bytes ikm, MutBytes out_prk) const {
  // RFC 5869 §2.2: an absent salt is HashLen zero bytes.
  uint8_t zeros[kMaxHashLen] = {};
  if (salt.empty()) salt = Bytes(zeros, hash_len(h));
  return hmac(h, salt, ikm, out_prk);
}

CStatus Provider::hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const {
  const size_t n = hash_len(h);
  if (out.size() > 255 * n) return Err(CryptoError::kInvalidInput);
  uint8_t t[kMaxHashLen];
  size_t t_len = 0;
  size_t done = 0;
  for (uint8_t counter = 1; done < out.size(); ++counter) {
    // T(i) = HMAC(PRK, T(i-1) || info || i)
    const Bytes parts[] = {Bytes(t, t_len), info, Bytes(&counter, 1)};
    SLUICE_TRY(hmac_parts(h, prk, parts, MutBytes(t, n)));
    t_len = n;
    size_t take = std::min(n, out.size() - done);
    std::copy(t, t + take, out.begin() + done);
    done += take;
  }
  wipe(MutBytes(t, n));
  return {};
}

CStatus Provider::hkdf_expand_several(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) const {
  for (const HkdfOutput& o : outputs) SLUICE_TRY(hkdf_expand(h, prk, o.info, o.out));
  return {};
}

CStatus Provider::tls12_prf(HashAlg h, Bytes secret, std::span<const Bytes> seed, MutBytes out) const {
  CStatus failure;
  CStatus r = p_hash_with(
      [&](std::span<const Bytes> parts, MutBytes mac_out) {
        failure = hmac_parts(h, secret, parts, mac_out);
        return bool(failure);
      },
      h, seed, out);
  // The provider's own error (kUnsupported, say) rather than kInternal.
  if (!failure) return failure;
  return r;
}

}  // namespace sluice::crypto

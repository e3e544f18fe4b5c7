// The crypto provider interface. The engine asks a Provider for every
// primitive; it never names a library. Providers live in crypto/<name>/ and
// never include core/. Everything here is synchronous except Signer::sign,
// which may answer kPending (the shape the ASYNC mode uses).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/secret.h"
#include "crypto/algorithms.h"

namespace sluice::crypto {

using Bytes = std::span<const uint8_t>;
using MutBytes = std::span<uint8_t>;

enum class CryptoError : uint8_t {
  kUnsupported,          // this provider does not implement the algorithm
  kInvalidKey,           // wrong key size or malformed key material
  kInvalidInput,         // wrong nonce/tag size, buffer too small, bad encoding
  kAuthFailed,           // AEAD tag mismatch
  kInvalidPeerPublic,    // not a valid point / low-order X25519 result
  kBadSignature,         // signature does not verify (or is malformed)
  kRandomFailed,
  kInternal,
};
std::string_view describe(CryptoError);

template <class T>
using CResult = Result<T, CryptoError>;
using CStatus = Result<void, CryptoError>;

// Incremental, clonable hash. clone() lets the transcript hash be read at
// any point without finishing it.
class Hash {
 public:
  virtual ~Hash() = default;
  virtual HashAlg alg() const = 0;
  virtual void update(Bytes data) = 0;
  // finish writes hash_len(alg()) bytes to out (out.size() must be at least
  // that) and leaves the object unusable until reset().
  virtual void finish(MutBytes out) = 0;
  virtual void reset() = 0;
  virtual std::unique_ptr<Hash> clone() const = 0;
  // peek writes the digest of what was hashed so far and leaves the hash
  // usable (the transcript hash is read many times). The default clones;
  // providers override it with a copy of their state on the stack.
  virtual void peek(MutBytes out) const { clone()->finish(out); }
};

// Incremental HMAC with a fixed key.
class Mac {
 public:
  virtual ~Mac() = default;
  virtual void update(Bytes data) = 0;
  // finish writes hash_len bytes of tag to out.
  virtual void finish(MutBytes out) = 0;
};

// An AEAD key. Only 12-byte nonces and 16-byte tags (the TLS shapes) are
// supported; other sizes are kInvalidInput.
class AeadKey {
 public:
  virtual ~AeadKey() = default;
  virtual AeadAlg alg() const = 0;
  // seal encrypts in_out in place and writes the 16-byte tag.
  virtual CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) = 0;
  // open checks the tag and decrypts in_out in place. On kAuthFailed in_out
  // holds no plaintext (it is left as ciphertext or wiped).
  virtual CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) = 0;
  // seal_from seals the plaintext `head || out[head.size():]` into `out`:
  // its first bytes come from `head`, which must not overlap `out`, the rest
  // are in place. The copying write() seals from the caller's buffer this
  // way, without first copying it into the record. The default copies head
  // into out and seals in place.
  virtual CStatus seal_from(Bytes nonce, Bytes aad, Bytes head, MutBytes out, MutBytes tag);
  // open_to opens the ciphertext in `in_out`, writing the plaintext's first
  // head.size() bytes to `head` (not overlapping in_out) and the rest in
  // place, to in_out[head.size():]. On kAuthFailed neither holds plaintext.
  // The copying read() opens into the caller's buffer this way. The default
  // opens in place and copies.
  virtual CStatus open_to(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes head, Bytes tag);
  // rekey replaces the key, keeping the algorithm (kInvalidKey on a wrong
  // length). KeyUpdate and the switch to application keys go through it, so
  // a connection allocates one key object per direction, not one per key.
  virtual CStatus rekey(Bytes key) = 0;
  // release_schedule drops, wiped, what the key precomputes from its key
  // bytes (AES round keys, GHASH key powers); the next seal or open computes
  // it again. An idle RELEASE_BUFFERS connection calls it, so it holds its
  // traffic keys but not their schedules. A key whose state is its key
  // bytes (ChaCha20-Poly1305), or that keeps its schedule, does nothing.
  virtual void release_schedule() {}
};

// The most plaintext one nonce may cover: 2^39 - 256 bits for GCM (NIST SP
// 800-38D §5.2.1.1); for ChaCha20-Poly1305 a 32-bit block counter that starts
// at 1 for the payload (RFC 8439 §2.8).
inline constexpr uint64_t kMaxGcmBytes = (uint64_t{1} << 36) - 32;
inline constexpr uint64_t kMaxChaChaBytes = ((uint64_t{1} << 32) - 1) * 64;

// check_aead_shapes is what every AeadKey checks first: the TLS shapes (a
// 12-byte nonce, a 16-byte tag) and a length its construction allows.
inline CStatus check_aead_shapes(Bytes nonce, size_t tag_len, uint64_t data_len, uint64_t max_len) {
  if (nonce.size() != kAeadNonceLen || tag_len != kAeadTagLen) return Err(CryptoError::kInvalidInput);
  if (data_len > max_len) return Err(CryptoError::kInvalidInput);
  return {};
}

// overlaps: the two spans share a byte.
inline bool overlaps(Bytes a, Bytes b) {
  if (a.empty() || b.empty()) return false;
  const auto x = reinterpret_cast<uintptr_t>(a.data()), y = reinterpret_cast<uintptr_t>(b.data());
  return x < y + b.size() && y < x + a.size();
}

// check_aead_split is what seal_from and open_to check: `head` is no longer
// than `whole` and lies outside it.
inline CStatus check_aead_split(Bytes head, Bytes whole) {
  if (head.size() > whole.size() || overlaps(head, whole)) return Err(CryptoError::kInvalidInput);
  return {};
}

// An ephemeral key-exchange private key with its public share.
class KeyShare {
 public:
  virtual ~KeyShare() = default;
  virtual Group group() const = 0;
  // public_key is the TLS key_share encoding: 32 bytes for X25519, the
  // uncompressed point (0x04 || X || Y) for the NIST curves.
  virtual Bytes public_key() const = 0;
  // agree computes the shared secret (X25519 output, or the ECDH X
  // coordinate). It rejects a malformed or off-curve peer value and an
  // all-zero X25519 result with kInvalidPeerPublic.
  virtual CResult<SecretBytes> agree(Bytes peer_public) = 0;
};

// A public key as found in a certificate.
struct PublicKey {
  KeyType type = KeyType::kEd25519;
  // Ed25519: the 32-byte key. ECDSA: the uncompressed point.
  std::vector<uint8_t> point;
  // RSA and RSA-PSS: big-endian modulus and exponent, no leading zero bytes
  // required.
  std::vector<uint8_t> rsa_n, rsa_e;
  // RSA-PSS only: set when the key's RSASSA-PSS-params name a hash, which
  // then is the only one it may sign with (RFC 4055 §3.1); unset, any.
  std::optional<HashAlg> pss_hash;
};

// key_allows says whether `key` may make or check signatures of `scheme`:
// the scheme's key type, and for a restricted RSA-PSS key its hash. Providers
// answer kInvalidKey (verify) or kUnsupported (Signer::supports) otherwise.
inline bool key_allows(const PublicKey& key, SignatureScheme scheme) {
  if (key.type != scheme_key_type(scheme)) return false;
  return !key.pss_hash || *key.pss_hash == scheme_hash(scheme);
}

// verify_allows is key_allows for checking a signature, where an ECDSA
// scheme names only the hash and the key its own curve: TLS 1.2 (RFC 8422
// §5.1.3, a P-256 server may sign with SHA-512) and X.509 pair them freely.
// TLS 1.3 binds curve and hash; its core checks that before verifying.
inline bool verify_allows(const PublicKey& key, SignatureScheme scheme) {
  if (is_ecdsa_key(key.type) && is_ecdsa_key(scheme_key_type(scheme))) return true;
  return key_allows(key, scheme);
}

// Private key components, as parsed from PKCS#8 / SEC1 / PKCS#1 (see pki/).
// Providers build signers from these and never parse ASN.1 themselves.
struct PrivateKeyMaterial {
  KeyType type = KeyType::kEd25519;
  // Ed25519: the 32-byte seed. ECDSA: the big-endian scalar, padded to the
  // field size (66 bytes for P-521). RSA and RSA-PSS: unused.
  SecretBytes secret;
  // RSA private components, big-endian. n and e are public.
  std::vector<uint8_t> rsa_n, rsa_e;
  SecretBytes rsa_d, rsa_p, rsa_q, rsa_dp, rsa_dq, rsa_qinv;
  // public_key is filled in by providers that generate keys, and may be left
  // empty by parsers (Signer::public_key then derives it). For RSA-PSS its
  // pss_hash carries the key file's restriction, which signers keep.
  PublicKey public_key;

  PrivateKeyMaterial copy() const;
};

enum class SignOutcome : uint8_t { kDone, kPending };

// PendingSignature is one signature being made asynchronously. It belongs
// to the one caller (connection) that started it; destroying it abandons
// the operation (its result is dropped, the worker skips it if it has not
// begun). Many may be in flight for one Signer at once.
class PendingSignature {
 public:
  virtual ~PendingSignature() = default;
  virtual bool done() const = 0;
  // completion_fd is readable once done (one per operation); -1 if the
  // implementation has no descriptor to offer.
  virtual int completion_fd() const = 0;
  // wait blocks until done.
  virtual void wait() = 0;
  // on_done sets the function called once, on any thread, when the
  // operation completes (at once if it already has). It replaces an
  // earlier one.
  virtual void on_done(std::function<void()> callback) = 0;
  // result is the signature once done (DER for ECDSA).
  virtual CResult<std::vector<uint8_t>> result() = 0;
};

// SignStart is what starting a signature gives: the signature at once, or
// an operation to wait for.
struct SignStart {
  std::vector<uint8_t> signature;
  std::unique_ptr<PendingSignature> pending;
};

// A private key that signs. sign() is synchronous. start_sign() may instead
// return a PendingSignature (an asynchronous signer, e.g. a key on a worker
// thread or in an HSM); its default runs sign() at once.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual KeyType key_type() const = 0;
  virtual const PublicKey& public_key() const = 0;
  // supports says whether this key can sign with `scheme`.
  virtual bool supports(SignatureScheme scheme) const = 0;
  // sign signs `message` (the full message, not a digest). ECDSA signatures
  // are DER-encoded, as TLS carries them. Synchronous signers answer kDone.
  virtual CResult<SignOutcome> sign(SignatureScheme scheme, Bytes message,
                                    std::vector<uint8_t>& out_signature) = 0;
  // start_sign begins a signature of `message` (copied if the operation
  // outlives the call).
  virtual CResult<SignStart> start_sign(SignatureScheme scheme, Bytes message);
};

// HkdfOutput is one HKDF-Expand (RFC 5869 §2.3) request: out.size() bytes
// of output keying material for `info`.
struct HkdfOutput {
  Bytes info;
  MutBytes out;
};

// Provider hands out algorithms. Asking for one it does not support answers
// kUnsupported, never a crash. Implementations must be thread-safe: one
// Provider serves many connections.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view name() const = 0;

  virtual bool supports(HashAlg) const = 0;
  virtual bool supports(AeadAlg) const = 0;
  virtual bool supports(Group) const = 0;
  // supports_verify: can verify signatures with this scheme.
  virtual bool supports_verify(SignatureScheme) const = 0;
  // supports_signing: can build a signer for this key type.
  virtual bool supports_signing(KeyType) const = 0;

  virtual CResult<std::unique_ptr<Hash>> new_hash(HashAlg) const = 0;
  virtual CResult<std::unique_ptr<Mac>> new_hmac(HashAlg, Bytes key) const = 0;
  virtual CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg, Bytes key) const = 0;
  // new_key_share makes a fresh ephemeral key from this provider's RNG.
  virtual CResult<std::unique_ptr<KeyShare>> new_key_share(Group) const = 0;
  // key_share_from_private builds a key share from a given private value (an
  // X25519 scalar, or a big-endian scalar for the NIST curves). For tests and
  // known-answer vectors.
  virtual CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group, Bytes priv) const = 0;
  virtual CStatus verify(SignatureScheme, const PublicKey&, Bytes message, Bytes signature) const = 0;
  virtual CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial&) const = 0;
  // generate_key makes a new signing key (rsa_bits is used for RSA only).
  virtual CResult<PrivateKeyMaterial> generate_key(KeyType, unsigned rsa_bits = 2048) const = 0;
  virtual CStatus random(MutBytes out) const = 0;

  // HMAC and HKDF (RFC 5869) have default implementations over hmac_parts.
  // hmac_parts computes HMAC over the concatenation of `parts`; its default
  // uses new_hmac (one allocation), and providers override it with state on
  // the stack, so the key schedule allocates nothing.
  virtual CStatus hmac_parts(HashAlg, Bytes key, std::span<const Bytes> parts, MutBytes out) const;
  virtual CStatus hmac(HashAlg, Bytes key, Bytes data, MutBytes out) const;
  // hkdf_extract writes hash_len(h) bytes of PRK.
  virtual CStatus hkdf_extract(HashAlg h, Bytes salt, Bytes ikm, MutBytes out_prk) const;
  // hkdf_expand fills out (at most 255 * hash_len(h) bytes).
  virtual CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const;
  // hkdf_expand_several runs hkdf_expand(h, prk, o.info, o.out) for each of
  // `outputs`, in order; on failure (an output over 255 * hash_len(h)
  // bytes) the outputs are left unspecified. Keying HMAC costs as much as
  // one expansion (two compression calls), and TLS 1.3 expands most
  // secrets two to four times, so providers override it to key HMAC with
  // `prk` once and reuse the keyed state. The default calls hkdf_expand.
  virtual CStatus hkdf_expand_several(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) const;
  // tls12_prf is TLS 1.2's PRF (RFC 5246 §5), P_hash(secret, seed), into
  // `out`; the seed is the concatenation of `seed` (the label, then the
  // seeds), at most kMaxPrfSeedParts parts. The default runs over
  // hmac_parts; providers override it to key HMAC with `secret` once for
  // all of its blocks, as for hkdf_expand_several.
  static constexpr size_t kMaxPrfSeedParts = 4;
  virtual CStatus tls12_prf(HashAlg h, Bytes secret, std::span<const Bytes> seed, MutBytes out) const;
  // hash_parts computes a one-shot digest of the parts in order. The
  // default goes through new_hash; providers override it to keep the state
  // on the stack.
  virtual CStatus hash_parts(HashAlg h, std::span<const Bytes> parts, MutBytes out) const;
  CStatus hash(HashAlg h, Bytes data, MutBytes out) const { return hash_parts(h, std::span(&data, 1), out); }
};

}  // namespace sluice::crypto

// The libcrypto provider: known answers, agreement with the libsodium and
// BearSSL providers in both directions, and refusals of bad input. The
// Wycheproof suites (tests/crypto) run it too.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/hex.h"
#include "crypto/bearssl/bearssl_provider.h"
#include "crypto/openssl/openssl_provider.h"
#include "crypto/sodium/sodium_provider.h"

namespace sluice::crypto {
namespace {

const Provider& ossl() {
  static const std::unique_ptr<Provider> p = make_openssl_provider();
  return *p;
}

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string hex(Bytes b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t v : b) {
    s += d[v >> 4];
    s += d[v & 15];
  }
  return s;
}

TEST_CASE("supports what libcrypto has") {
  REQUIRE(make_openssl_provider() != nullptr);
  CHECK(ossl().name() == "libcrypto");
  for (HashAlg h : {HashAlg::kSha256, HashAlg::kSha384, HashAlg::kSha512}) CHECK(ossl().supports(h));
  for (AeadAlg a : {AeadAlg::kAes128Gcm, AeadAlg::kAes256Gcm, AeadAlg::kChaCha20Poly1305}) CHECK(ossl().supports(a));
  for (Group g : {Group::kX25519, Group::kSecp256r1, Group::kSecp384r1}) CHECK(ossl().supports(g));
  for (KeyType t : {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa})
    CHECK(ossl().supports_signing(t));
  // A property query nothing satisfies leaves no provider at all.
  CHECK(make_openssl_provider({"provider=no-such-provider"}) == nullptr);
}

TEST_CASE("SHA-2 and HMAC known answers, clone") {
  uint8_t out[64];
  REQUIRE(ossl().hash(HashAlg::kSha256, bytes("abc"), out).ok());
  CHECK(hex(Bytes(out, 32)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2 (short key) and 6 (key longer than a block).
  REQUIRE(ossl().hmac(HashAlg::kSha256, bytes("Jefe"), bytes("what do ya want for nothing?"), out).ok());
  CHECK(hex(Bytes(out, 32)) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::vector<uint8_t> long_key(131, 0xaa);
  REQUIRE(ossl().hmac(HashAlg::kSha384, long_key, bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
                      out)
              .ok());
  CHECK(hex(Bytes(out, 48)) ==
        "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952");

  auto h = ossl().new_hash(HashAlg::kSha256);
  REQUIRE(h.ok());
  (*h)->update(bytes("ab"));
  auto copy = (*h)->clone();
  REQUIRE(copy != nullptr);
  copy->update(bytes("c"));
  copy->finish(out);
  CHECK(hex(Bytes(out, 32)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  (*h)->reset();
  (*h)->update(bytes("abc"));
  (*h)->finish(out);
  CHECK(hex(Bytes(out, 32)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("AEADs agree with BearSSL and refuse tampering") {
  auto bearssl = make_bearssl_provider();
  for (AeadAlg a : {AeadAlg::kAes128Gcm, AeadAlg::kAes256Gcm, AeadAlg::kChaCha20Poly1305}) {
    CAPTURE(name(a));
    std::vector<uint8_t> key(aead_key_len(a), 0x42), nonce(12, 7), aad = bytes("header");
    auto mine = ossl().new_aead(a, key);
    auto theirs = bearssl->new_aead(a, key);
    REQUIRE((mine.ok() && theirs.ok()));
    for (size_t len : {size_t{0}, size_t{1}, size_t{16}, size_t{1000}}) {
      std::vector<uint8_t> plain(len, 0x5a), x = plain, y = plain, tag_x(16), tag_y(16);
      REQUIRE((*mine)->seal(nonce, aad, x, tag_x).ok());
      REQUIRE((*theirs)->seal(nonce, aad, y, tag_y).ok());
      CHECK(x == y);
      CHECK(tag_x == tag_y);
      REQUIRE((*mine)->open(nonce, aad, y, tag_y).ok());
      CHECK(y == plain);
      tag_x[0] ^= 1;
      std::vector<uint8_t> sealed = x;
      CHECK((*mine)->open(nonce, aad, x, tag_x).error() == CryptoError::kAuthFailed);
      if (len > 0) CHECK(x != plain);  // no unauthenticated plaintext left behind
    }
    std::vector<uint8_t> data(10), tag(16);
    CHECK((*mine)->seal(std::vector<uint8_t>(8), aad, data, tag).error() == CryptoError::kInvalidInput);
    CHECK(ossl().new_aead(a, std::vector<uint8_t>(5)).error() == CryptoError::kInvalidKey);
  }
}

TEST_CASE("key shares agree across providers and refuse bad peers") {
  auto sodium = make_sodium_provider();
  auto bearssl = make_bearssl_provider();
  for (Group g : {Group::kX25519, Group::kSecp256r1, Group::kSecp384r1}) {
    CAPTURE(name(g));
    const Provider& other = g == Group::kX25519 ? *sodium : *bearssl;
    auto a = ossl().new_key_share(g);
    auto b = other.new_key_share(g);
    REQUIRE((a.ok() && b.ok()));
    auto s1 = (*a)->agree((*b)->public_key());
    auto s2 = (*b)->agree((*a)->public_key());
    REQUIRE((s1.ok() && s2.ok()));
    CHECK(hex(s1->span()) == hex(s2->span()));
    std::vector<uint8_t> bad((*b)->public_key().begin(), (*b)->public_key().end());
    bad.pop_back();
    CHECK(!(*a)->agree(bad).ok());
  }
  // The all-zero X25519 result (a low-order point) is refused.
  auto a = ossl().new_key_share(Group::kX25519);
  REQUIRE(a.ok());
  CHECK((*a)->agree(std::vector<uint8_t>(32, 0)).error() == CryptoError::kInvalidPeerPublic);
  // An off-curve P-256 point is refused.
  auto p = ossl().new_key_share(Group::kSecp256r1);
  REQUIRE(p.ok());
  std::vector<uint8_t> off(65, 1);
  off[0] = 4;
  CHECK((*p)->agree(off).error() == CryptoError::kInvalidPeerPublic);
}

TEST_CASE("signatures interoperate in both directions") {
  auto sodium = make_sodium_provider();
  auto bearssl = make_bearssl_provider();
  struct Case {
    SignatureScheme scheme;
    const Provider* other;
  };
  const Case cases[] = {
      {SignatureScheme::kEd25519, sodium.get()},
      {SignatureScheme::kEcdsaSecp256r1Sha256, bearssl.get()},
      {SignatureScheme::kEcdsaSecp384r1Sha384, bearssl.get()},
      {SignatureScheme::kRsaPssRsaeSha256, bearssl.get()},
      {SignatureScheme::kRsaPssRsaeSha384, bearssl.get()},
      {SignatureScheme::kRsaPkcs1Sha256, bearssl.get()},
  };
  const auto msg = bytes("the message");
  for (const Case& c : cases) {
    CAPTURE(name(c.scheme));
    const KeyType t = scheme_key_type(c.scheme);
    for (const Provider* signer_p : {&ossl(), c.other}) {
      const Provider* verifier_p = signer_p == &ossl() ? c.other : &ossl();
      auto key = signer_p->generate_key(t, 2048);
      REQUIRE(key.ok());
      // Each provider must be able to use the other's key material.
      auto own = ossl().new_signer(*key);
      REQUIRE(own.ok());
      auto signer = signer_p->new_signer(*key);
      REQUIRE(signer.ok());
      std::vector<uint8_t> sig;
      REQUIRE((*signer)->sign(c.scheme, msg, sig).ok());
      CHECK(verifier_p->verify(c.scheme, (*signer)->public_key(), msg, sig).ok());
      CHECK(ossl().verify(c.scheme, (*own)->public_key(), msg, sig).ok());
      sig[sig.size() / 2] ^= 1;
      CHECK(verifier_p->verify(c.scheme, (*signer)->public_key(), msg, sig).error() == CryptoError::kBadSignature);
    }
  }
}

TEST_CASE("a decoded public key serves its own key only, past the cache's size") {
  // verify() keeps the last few public keys it decoded; more keys than it
  // holds, in turns, each checked against its own signature and its
  // neighbour's, must answer as if nothing were kept.
  const auto msg = bytes("cached keys");
  for (SignatureScheme scheme : {SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kRsaPssRsaeSha256,
                                 SignatureScheme::kEd25519}) {
    CAPTURE(name(scheme));
    struct Keyed {
      std::unique_ptr<Signer> signer;
      std::vector<uint8_t> sig;
    };
    std::vector<Keyed> keys;
    for (int i = 0; i < 11; ++i) {
      auto material = ossl().generate_key(scheme_key_type(scheme), 1024);
      REQUIRE(material.ok());
      auto signer = ossl().new_signer(*material);
      REQUIRE(signer.ok());
      Keyed k{std::move(*signer), {}};
      REQUIRE(k.signer->sign(scheme, msg, k.sig).ok());
      keys.push_back(std::move(k));
    }
    for (int round = 0; round < 3; ++round) {
      for (size_t i = 0; i < keys.size(); ++i) {
        CAPTURE(i);
        const PublicKey& pub = keys[i].signer->public_key();
        CHECK(ossl().verify(scheme, pub, msg, keys[i].sig).ok());
        CHECK(ossl().verify(scheme, pub, msg, keys[(i + 1) % keys.size()].sig).error() == CryptoError::kBadSignature);
      }
    }
  }
}

TEST_CASE("bad keys are refused, not crashed on") {
  PublicKey short_ed{KeyType::kEd25519, std::vector<uint8_t>(31), {}, {}, {}};
  CHECK(ossl().verify(SignatureScheme::kEd25519, short_ed, bytes("m"), std::vector<uint8_t>(64)).error() ==
        CryptoError::kInvalidKey);
  PublicKey wrong_type{KeyType::kEcdsaP256, std::vector<uint8_t>(65, 4), {}, {}, {}};
  CHECK(!ossl().verify(SignatureScheme::kEd25519, wrong_type, bytes("m"), std::vector<uint8_t>(64)).ok());
  PublicKey small_rsa{KeyType::kRsa, {}, std::vector<uint8_t>(64, 0xff), {1, 0, 1}, {}};
  CHECK(ossl().verify(SignatureScheme::kRsaPssRsaeSha256, small_rsa, bytes("m"), std::vector<uint8_t>(64)).error() ==
        CryptoError::kInvalidKey);
  PrivateKeyMaterial zero;
  zero.type = KeyType::kEcdsaP256;
  zero.secret = SecretBytes(32);
  CHECK(ossl().new_signer(zero).error() == CryptoError::kInvalidKey);
  PrivateKeyMaterial n_plus;  // a scalar above the P-256 order
  n_plus.type = KeyType::kEcdsaP256;
  n_plus.secret = SecretBytes(std::vector<uint8_t>(32, 0xff));
  CHECK(ossl().new_signer(n_plus).error() == CryptoError::kInvalidKey);
  CHECK(ossl().key_share_from_private(Group::kSecp256r1, std::vector<uint8_t>(32, 0xff)).error() ==
        CryptoError::kInvalidKey);
  auto ed = ossl().generate_key(KeyType::kEd25519);
  REQUIRE(ed.ok());
  ed->public_key.point[0] ^= 1;  // a public half from another key
  CHECK(ossl().new_signer(*ed).error() == CryptoError::kInvalidKey);
}

TEST_CASE("random") {
  std::vector<uint8_t> a(32), b(32);
  REQUIRE(ossl().random(a).ok());
  REQUIRE(ossl().random(b).ok());
  CHECK(a != b);
  CHECK(ossl().random(MutBytes()).ok());
}

}  // namespace
}  // namespace sluice::crypto

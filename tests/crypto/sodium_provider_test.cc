// The libsodium provider on its own: what it claims, published known-answer
// tests (FIPS 180-2, RFC 4231, RFC 8439, RFC 7748, RFC 8032, the GCM spec),
// and behaviour the interface promises (clone, reset, key checks).
#include <doctest/doctest.h>

#include <string_view>

#include "base/hex.h"
#include "crypto/sodium/sodium_provider.h"

namespace sluice::crypto {
namespace {

std::vector<uint8_t> hex(std::string_view s) {
  auto v = from_hex(s);
  REQUIRE(v);
  return *v;
}

Bytes text(std::string_view s) { return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

std::shared_ptr<const Provider> sodium() {
  static const std::shared_ptr<const Provider> p = make_sodium_provider();
  REQUIRE(p != nullptr);
  return p;
}

TEST_CASE("libsodium claims exactly what libsodium 1.0.18 has") {
  const Provider& p = *sodium();
  CHECK(p.name() == "libsodium");
  CHECK(p.supports(HashAlg::kSha256));
  CHECK(p.supports(HashAlg::kSha512));
  CHECK_FALSE(p.supports(HashAlg::kSha384));
  CHECK(p.supports(AeadAlg::kChaCha20Poly1305));
  CHECK_FALSE(p.supports(AeadAlg::kAes128Gcm));
  CHECK(p.supports(Group::kX25519));
  CHECK_FALSE(p.supports(Group::kSecp256r1));
  CHECK_FALSE(p.supports(Group::kSecp384r1));
  CHECK(p.supports_verify(SignatureScheme::kEd25519));
  CHECK_FALSE(p.supports_verify(SignatureScheme::kEcdsaSecp256r1Sha256));
  CHECK_FALSE(p.supports_verify(SignatureScheme::kRsaPssRsaeSha256));
  CHECK(p.supports_signing(KeyType::kEd25519));
  CHECK_FALSE(p.supports_signing(KeyType::kRsa));
  CHECK(p.new_hash(HashAlg::kSha384).error() == CryptoError::kUnsupported);
  CHECK(p.new_aead(AeadAlg::kAes128Gcm, std::vector<uint8_t>(16)).error() == CryptoError::kUnsupported);
  CHECK(p.generate_key(KeyType::kEcdsaP256).error() == CryptoError::kUnsupported);
  // AES-256-GCM exists only with AES-NI + PCLMUL; either way the answer and
  // the factory must agree.
  CHECK(p.supports(AeadAlg::kAes256Gcm) == p.new_aead(AeadAlg::kAes256Gcm, std::vector<uint8_t>(32)).ok());
}

TEST_CASE("SHA-256/512 known answers, clone and reset") {
  const Provider& p = *sodium();
  std::vector<uint8_t> d256(32), d512(64);
  REQUIRE(p.hash(HashAlg::kSha256, text("abc"), d256).ok());
  CHECK(to_hex(d256) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  REQUIRE(p.hash(HashAlg::kSha512, text("abc"), d512).ok());
  CHECK(to_hex(d512) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(p.hash(HashAlg::kSha256, text("abc"), std::span(d256).first(31)).error() == CryptoError::kInvalidInput);

  auto h = p.new_hash(HashAlg::kSha256);
  REQUIRE(h.ok());
  CHECK((*h)->alg() == HashAlg::kSha256);
  (*h)->update(text("a"));
  auto snapshot = (*h)->clone();
  (*h)->update(text("bc"));
  std::vector<uint8_t> out(32);
  (*h)->finish(out);
  CHECK(out == d256);
  snapshot->update(text("bc"));  // the clone continues independently
  std::vector<uint8_t> out2(32);
  snapshot->finish(out2);
  CHECK(out2 == d256);
  (*h)->reset();
  (*h)->update(text("abc"));
  (*h)->finish(out);
  CHECK(out == d256);
}

TEST_CASE("HMAC known answers (RFC 4231 test case 2) and long keys") {
  const Provider& p = *sodium();
  std::vector<uint8_t> t256(32), t512(64);
  REQUIRE(p.hmac(HashAlg::kSha256, text("Jefe"), text("what do ya want for nothing?"), t256).ok());
  CHECK(to_hex(t256) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  REQUIRE(p.hmac(HashAlg::kSha512, text("Jefe"), text("what do ya want for nothing?"), t512).ok());
  CHECK(to_hex(t512) ==
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
  // RFC 4231 test case 6: a 131-byte key is hashed first (RFC 2104 §2).
  REQUIRE(p.hmac(HashAlg::kSha256, std::vector<uint8_t>(131, 0xaa),
                 text("Test Using Larger Than Block-Size Key - Hash Key First"), t256)
              .ok());
  CHECK(to_hex(t256) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(p.new_hmac(HashAlg::kSha384, text("k")).error() == CryptoError::kUnsupported);
}

TEST_CASE("ChaCha20-Poly1305 RFC 8439 §2.8.2 and AES-256-GCM known answers") {
  const Provider& p = *sodium();
  std::vector<uint8_t> key(32);
  for (size_t i = 0; i < 32; ++i) key[i] = static_cast<uint8_t>(0x80 + i);
  auto aead = p.new_aead(AeadAlg::kChaCha20Poly1305, key);
  REQUIRE(aead.ok());
  const auto nonce = hex("070000004041424344454647"), aad = hex("50515253c0c1c2c3c4c5c6c7");
  const std::string_view sunscreen =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
      "sunscreen would be it.";
  std::vector<uint8_t> buf(text(sunscreen).begin(), text(sunscreen).end()), tag(16);
  REQUIRE((*aead)->seal(nonce, aad, buf, tag).ok());
  CHECK(to_hex(std::span(buf).first(16)) == "d31a8d34648e60db7b86afbc53ef7ec2");
  CHECK(to_hex(tag) == "1ae10b594f09e26a7e902ecbd0600691");
  REQUIRE((*aead)->open(nonce, aad, buf, tag).ok());
  CHECK(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()) == sunscreen);

  if (!p.supports(AeadAlg::kAes256Gcm)) {
    MESSAGE("AES-256-GCM unavailable on this CPU (no AES-NI/PCLMUL): KAT skipped");
    return;
  }
  auto gcm = p.new_aead(AeadAlg::kAes256Gcm, std::vector<uint8_t>(32, 0));
  REQUIRE(gcm.ok());
  std::vector<uint8_t> block(16, 0), gcm_tag(16);
  REQUIRE((*gcm)->seal(std::vector<uint8_t>(12, 0), Bytes(), block, gcm_tag).ok());
  CHECK(to_hex(block) == "cea7403d4d606b6e074ec5d3baf39d18");  // GCM spec test case 14
  CHECK(to_hex(gcm_tag) == "d0d1c8a799996bf0265b98b5d48ab919");
  const std::vector<uint8_t> plaintext(40, 0x77);
  std::vector<uint8_t> record = plaintext;
  REQUIRE((*gcm)->seal(std::vector<uint8_t>(12, 1), Bytes(), record, gcm_tag).ok());
  gcm_tag[3] ^= 4;
  CHECK((*gcm)->open(std::vector<uint8_t>(12, 1), Bytes(), record, gcm_tag).error() == CryptoError::kAuthFailed);
  CHECK(record != plaintext);  // no unauthenticated plaintext left behind
}

TEST_CASE("X25519 RFC 7748 §6.1") {
  const Provider& p = *sodium();
  auto alice = p.key_share_from_private(Group::kX25519,
                                        hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  REQUIRE(alice.ok());
  CHECK(to_hex((*alice)->public_key()) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  auto shared = (*alice)->agree(hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  REQUIRE(shared.ok());
  CHECK(to_hex(*shared) == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  CHECK(p.key_share_from_private(Group::kX25519, Bytes()).error() == CryptoError::kInvalidKey);
  // Fresh shares differ: new_key_share really draws randomness.
  auto s1 = p.new_key_share(Group::kX25519), s2 = p.new_key_share(Group::kX25519);
  REQUIRE((s1.ok() && s2.ok()));
  CHECK(to_hex((*s1)->public_key()) != to_hex((*s2)->public_key()));
}

TEST_CASE("Ed25519 RFC 8032 §7.1 test 1, key generation and seed checks") {
  const Provider& p = *sodium();
  PrivateKeyMaterial m;
  m.type = KeyType::kEd25519;
  m.secret.assign(hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  auto signer = p.new_signer(m);
  REQUIRE(signer.ok());
  CHECK(to_hex((*signer)->public_key().point) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  CHECK((*signer)->supports(SignatureScheme::kEd25519));
  CHECK_FALSE((*signer)->supports(SignatureScheme::kEcdsaSecp256r1Sha256));
  std::vector<uint8_t> sig;
  auto outcome = (*signer)->sign(SignatureScheme::kEd25519, Bytes(), sig);
  REQUIRE(outcome.ok());
  CHECK(*outcome == SignOutcome::kDone);
  CHECK(to_hex(sig) ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd"
        "25bf5f0595bbe24655141438e7a100b");
  CHECK(p.verify(SignatureScheme::kEd25519, (*signer)->public_key(), Bytes(), sig).ok());
  CHECK((*signer)->sign(SignatureScheme::kRsaPssRsaeSha256, Bytes(), sig).error() == CryptoError::kUnsupported);

  auto generated = p.generate_key(KeyType::kEd25519);
  REQUIRE(generated.ok());
  CHECK(generated->secret.size() == 32);
  CHECK(generated->public_key.point.size() == 32);
  auto other = p.generate_key(KeyType::kEd25519);
  REQUIRE(other.ok());
  CHECK(generated->public_key.point != other->public_key.point);
}

TEST_CASE("random fills the buffer and differs between calls") {
  const Provider& p = *sodium();
  std::vector<uint8_t> a(64), b(64);
  REQUIRE(p.random(a).ok());
  REQUIRE(p.random(b).ok());
  CHECK(a != b);
  CHECK(a != std::vector<uint8_t>(64, 0));
  CHECK(p.random(MutBytes()).ok());
}

}  // namespace
}  // namespace sluice::crypto

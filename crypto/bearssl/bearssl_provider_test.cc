// Unit tests for the BearSSL provider: known answers from the RFCs and NIST,
// round trips for every signature scheme and key type, and tampering.
#include "crypto/bearssl/bearssl_provider.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

#include "base/hex.h"
#include "crypto/bearssl/internal.h"

namespace sluice::crypto {
namespace {

std::vector<uint8_t> H(std::string_view s) {
  auto v = from_hex(s);
  REQUIRE(v.has_value());
  return *v;
}
Bytes str(std::string_view s) { return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

const Provider& P() {
  static const std::unique_ptr<Provider> p = make_bearssl_provider();
  return *p;
}

// A generated RSA-2048 key is slow to make; share one across tests.
const PrivateKeyMaterial& rsa2048() {
  static const PrivateKeyMaterial k = [] {
    auto r = P().generate_key(KeyType::kRsa, 2048);
    REQUIRE(r.ok());
    return std::move(r).value();
  }();
  return k;
}

std::string hash_hex(HashAlg h, Bytes data) {
  std::vector<uint8_t> out(hash_len(h));
  REQUIRE(P().hash(h, data, out).ok());
  return to_hex(out);
}

TEST_CASE("implementations: fast paths selected on x86-64") {
  const std::string d = describe_implementations();
  MESSAGE("BearSSL implementations: " << d);
  CHECK(d.find("aes_ctr=") != std::string::npos);
  CHECK(d.find("rsa=") != std::string::npos);
  CHECK(P().name() == "bearssl");
}

TEST_CASE("SHA-2 known answers (FIPS 180-2 'abc')") {
  CHECK(hash_hex(HashAlg::kSha256, str("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash_hex(HashAlg::kSha384, str("abc")) ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
        "8086072ba1e7cc2358baeca134c825a7");
  CHECK(hash_hex(HashAlg::kSha512, str("abc")) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST_CASE("hash: incremental, clone keeps the running state") {
  auto h = P().new_hash(HashAlg::kSha256);
  REQUIRE(h.ok());
  (*h)->update(str("a"));
  auto snapshot = (*h)->clone();
  (*h)->update(str("bc"));
  std::vector<uint8_t> full(32), part(32);
  (*h)->finish(full);
  snapshot->finish(part);
  CHECK(to_hex(full) == hash_hex(HashAlg::kSha256, str("abc")));
  CHECK(to_hex(part) == hash_hex(HashAlg::kSha256, str("a")));
  (*h)->reset();
  (*h)->update(str("abc"));
  (*h)->finish(full);
  CHECK(to_hex(full) == hash_hex(HashAlg::kSha256, str("abc")));
}

TEST_CASE("HMAC known answers (RFC 4231 test case 1)") {
  const auto key = std::vector<uint8_t>(20, 0x0b);
  std::vector<uint8_t> out(64);
  REQUIRE(P().hmac(HashAlg::kSha256, key, str("Hi There"), out).ok());
  CHECK(to_hex(Bytes(out).first(32)) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  REQUIRE(P().hmac(HashAlg::kSha384, key, str("Hi There"), out).ok());
  CHECK(to_hex(Bytes(out).first(48)) ==
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
        "faea9ea9076ede7f4af152e8b2fa9cb6");
  REQUIRE(P().hmac(HashAlg::kSha512, key, str("Hi There"), out).ok());
  CHECK(to_hex(out) ==
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
        "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
}

TEST_CASE("HKDF known answer (RFC 5869 test case 1)") {
  const auto ikm = std::vector<uint8_t>(22, 0x0b);
  const auto salt = H("000102030405060708090a0b0c");
  const auto info = H("f0f1f2f3f4f5f6f7f8f9");
  std::vector<uint8_t> prk(32), okm(42);
  REQUIRE(P().hkdf_extract(HashAlg::kSha256, salt, ikm, prk).ok());
  CHECK(to_hex(prk) == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  REQUIRE(P().hkdf_expand(HashAlg::kSha256, prk, info, okm).ok());
  CHECK(to_hex(okm) ==
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        "34007208d5b887185865");
}

TEST_CASE("ChaCha20-Poly1305 known answer (RFC 8439 §2.8.2)") {
  const auto key = H("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  const auto nonce = H("070000004041424344454647");
  const auto aad = H("50515253c0c1c2c3c4c5c6c7");
  const std::string pt =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
      "future, sunscreen would be it.";
  auto k = P().new_aead(AeadAlg::kChaCha20Poly1305, key);
  REQUIRE(k.ok());
  std::vector<uint8_t> buf(pt.begin(), pt.end());
  std::vector<uint8_t> tag(16);
  REQUIRE((*k)->seal(nonce, aad, buf, tag).ok());
  CHECK(to_hex(buf) ==
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
        "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
        "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
        "3ff4def08e4b7a9de576d26586cec64b6116");
  CHECK(to_hex(tag) == "1ae10b594f09e26a7e902ecbd0600691");
  REQUIRE((*k)->open(nonce, aad, buf, tag).ok());
  CHECK(std::string(buf.begin(), buf.end()) == pt);
}

TEST_CASE("AES-GCM known answers (GCM spec test cases 2 and 14)") {
  const std::vector<uint8_t> nonce(12, 0);
  struct Case {
    AeadAlg alg;
    size_t key_len;
    const char* ct;
    const char* tag;
  };
  for (const Case& c : {Case{AeadAlg::kAes128Gcm, 16, "0388dace60b6a392f328c2b971b2fe78",
                             "ab6e47d42cec13bdf53a67b21257bddf"},
                        Case{AeadAlg::kAes256Gcm, 32, "cea7403d4d606b6e074ec5d3baf39d18",
                             "d0d1c8a799996bf0265b98b5d48ab919"}}) {
    auto k = P().new_aead(c.alg, std::vector<uint8_t>(c.key_len, 0));
    REQUIRE(k.ok());
    std::vector<uint8_t> buf(16, 0), tag(16);
    REQUIRE((*k)->seal(nonce, {}, buf, tag).ok());
    CHECK(to_hex(buf) == c.ct);
    CHECK(to_hex(tag) == c.tag);
  }
}

TEST_CASE("AEAD: round trip, tamper wipes plaintext, bad shapes rejected") {
  for (AeadAlg alg : {AeadAlg::kAes128Gcm, AeadAlg::kAes256Gcm, AeadAlg::kChaCha20Poly1305}) {
    CAPTURE(name(alg));
    std::vector<uint8_t> key(aead_key_len(alg), 0x42);
    auto k = P().new_aead(alg, key);
    REQUIRE(k.ok());
    CHECK((*k)->alg() == alg);
    const auto nonce = H("000102030405060708090a0b");
    const auto aad = H("feedface");
    const std::string msg = "attack at dawn, bring snacks";
    std::vector<uint8_t> buf(msg.begin(), msg.end()), tag(16);
    REQUIRE((*k)->seal(nonce, aad, buf, tag).ok());
    const std::vector<uint8_t> ct = buf;

    std::vector<uint8_t> ok_buf = ct;
    REQUIRE((*k)->open(nonce, aad, ok_buf, tag).ok());
    CHECK(std::string(ok_buf.begin(), ok_buf.end()) == msg);

    // Flip one bit each in tag, ciphertext, aad and nonce.
    std::vector<uint8_t> bad_tag = tag;
    bad_tag[15] ^= 1;
    std::vector<uint8_t> b = ct;
    CHECK((*k)->open(nonce, aad, b, bad_tag).error() == CryptoError::kAuthFailed);
    CHECK(std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; }));
    b = ct;
    b[3] ^= 0x80;
    CHECK((*k)->open(nonce, aad, b, tag).error() == CryptoError::kAuthFailed);
    b = ct;
    auto bad_aad = aad;
    bad_aad[0] ^= 1;
    CHECK((*k)->open(nonce, bad_aad, b, tag).error() == CryptoError::kAuthFailed);
    auto bad_nonce = nonce;
    bad_nonce[11] ^= 1;
    b = ct;
    CHECK((*k)->open(bad_nonce, aad, b, tag).error() == CryptoError::kAuthFailed);

    // Shapes: 8-byte nonce, 12-byte tag, wrong key length.
    b = ct;
    CHECK((*k)->open(Bytes(nonce).first(8), aad, b, tag).error() == CryptoError::kInvalidInput);
    CHECK((*k)->open(nonce, aad, b, Bytes(tag).first(12)).error() == CryptoError::kInvalidInput);
    CHECK(b == ct);
    std::vector<uint8_t> short_tag(12);
    CHECK((*k)->seal(nonce, aad, b, short_tag).error() == CryptoError::kInvalidInput);
    key.push_back(0);
    CHECK(P().new_aead(alg, key).error() == CryptoError::kInvalidKey);

    // Empty plaintext still authenticates.
    std::vector<uint8_t> empty;
    REQUIRE((*k)->seal(nonce, aad, empty, tag).ok());
    CHECK((*k)->open(nonce, aad, empty, tag).ok());
  }
}

TEST_CASE("X25519 known answers (RFC 7748 §5.2 and §6.1)") {
  auto a = P().key_share_from_private(
      Group::kX25519, H("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"));
  REQUIRE(a.ok());
  auto s = (*a)->agree(H("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"));
  REQUIRE(s.ok());
  CHECK(to_hex(*s) == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");

  auto alice = P().key_share_from_private(
      Group::kX25519, H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = P().key_share_from_private(
      Group::kX25519, H("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  REQUIRE(alice.ok());
  REQUIRE(bob.ok());
  CHECK(to_hex((*alice)->public_key()) ==
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  CHECK(to_hex((*bob)->public_key()) ==
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto k1 = (*alice)->agree((*bob)->public_key());
  auto k2 = (*bob)->agree((*alice)->public_key());
  REQUIRE(k1.ok());
  REQUIRE(k2.ok());
  CHECK(to_hex(*k1) == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  CHECK(to_hex(*k2) == to_hex(*k1));
}

TEST_CASE("X25519 rejects low-order points and bad lengths") {
  auto k = P().new_key_share(Group::kX25519);
  REQUIRE(k.ok());
  CHECK((*k)->agree(std::vector<uint8_t>(32, 0)).error() == CryptoError::kInvalidPeerPublic);
  std::vector<uint8_t> one(32, 0);
  one[0] = 1;  // u = 1 has order 4 (times the cofactor clears it to zero)
  CHECK((*k)->agree(one).error() == CryptoError::kInvalidPeerPublic);
  CHECK((*k)->agree(std::vector<uint8_t>(31, 9)).error() == CryptoError::kInvalidPeerPublic);
  CHECK(P().key_share_from_private(Group::kX25519, std::vector<uint8_t>(31, 1)).error() ==
        CryptoError::kInvalidKey);
}

TEST_CASE("ECDH P-256 known answer (RFC 5903 §8.1)") {
  auto i = P().key_share_from_private(
      Group::kSecp256r1, H("c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433"));
  auto r = P().key_share_from_private(
      Group::kSecp256r1, H("c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53"));
  REQUIRE(i.ok());
  REQUIRE(r.ok());
  CHECK(to_hex((*i)->public_key()) ==
        "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
        "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3");
  auto s1 = (*i)->agree((*r)->public_key());
  auto s2 = (*r)->agree((*i)->public_key());
  REQUIRE(s1.ok());
  REQUIRE(s2.ok());
  CHECK(to_hex(*s1) == "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
  CHECK(to_hex(*s2) == to_hex(*s1));
}

TEST_CASE("ECDH: fresh shares agree; malformed peers and scalars rejected") {
  for (Group g : {Group::kX25519, Group::kSecp256r1, Group::kSecp384r1, Group::kSecp521r1}) {
    CAPTURE(name(g));
    const size_t n = g == Group::kSecp384r1 ? 48 : g == Group::kSecp521r1 ? 66 : 32;
    auto a = P().new_key_share(g);
    auto b = P().new_key_share(g);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK((*a)->group() == g);
    auto s1 = (*a)->agree((*b)->public_key());
    auto s2 = (*b)->agree((*a)->public_key());
    REQUIRE(s1.ok());
    REQUIRE(s2.ok());
    CHECK(to_hex(*s1) == to_hex(*s2));
    CHECK(s1->size() == n);
    if (g == Group::kX25519) continue;
    CHECK((*a)->public_key().size() == 1 + 2 * n);

    std::vector<uint8_t> pub((*b)->public_key().begin(), (*b)->public_key().end());
    auto off_curve = pub;
    off_curve.back() ^= 1;
    CHECK((*a)->agree(off_curve).error() == CryptoError::kInvalidPeerPublic);
    auto compressed = pub;
    compressed[0] = 0x02;
    CHECK((*a)->agree(compressed).error() == CryptoError::kInvalidPeerPublic);
    CHECK((*a)->agree(Bytes(pub).first(pub.size() - 1)).error() ==
          CryptoError::kInvalidPeerPublic);
    CHECK((*a)->agree({}).error() == CryptoError::kInvalidPeerPublic);

    CHECK(P().key_share_from_private(g, std::vector<uint8_t>(n, 0)).error() ==
          CryptoError::kInvalidKey);
    CHECK(P().key_share_from_private(g, std::vector<uint8_t>(n, 0xff)).error() ==
          CryptoError::kInvalidKey);  // above the group order
    CHECK(P().key_share_from_private(g, std::vector<uint8_t>(n + 1, 0x01)).error() ==
          CryptoError::kInvalidKey);
    std::vector<uint8_t> one(n, 0);
    one.back() = 1;
    CHECK(P().key_share_from_private(g, one).ok());
  }
}

void check_sign_verify(Signer& signer, SignatureScheme s) {
  CAPTURE(name(s));
  REQUIRE(signer.supports(s));
  const std::string msg = "TLS 1.3, server CertificateVerify";
  std::vector<uint8_t> sig;
  auto r = signer.sign(s, str(msg), sig);
  REQUIRE(r.ok());
  CHECK(*r == SignOutcome::kDone);
  const PublicKey& pub = signer.public_key();
  CHECK(P().verify(s, pub, str(msg), sig).ok());
  CHECK(P().verify(s, pub, str("another message"), sig).error() == CryptoError::kBadSignature);
  auto bad = sig;
  bad[bad.size() / 2] ^= 0x10;
  CHECK_FALSE(P().verify(s, pub, str(msg), bad).ok());
  bad = sig;
  bad.push_back(0);
  CHECK_FALSE(P().verify(s, pub, str(msg), bad).ok());
  CHECK_FALSE(P().verify(s, pub, str(msg), Bytes(sig).first(sig.size() - 1)).ok());
  CHECK_FALSE(P().verify(s, pub, str(msg), {}).ok());
}

TEST_CASE("ECDSA: generate, sign (DER), verify, tamper") {
  struct Case {
    KeyType type;
    SignatureScheme scheme, other;
  };
  for (const Case& c : {Case{KeyType::kEcdsaP256, SignatureScheme::kEcdsaSecp256r1Sha256,
                             SignatureScheme::kEcdsaSecp384r1Sha384},
                        Case{KeyType::kEcdsaP384, SignatureScheme::kEcdsaSecp384r1Sha384,
                             SignatureScheme::kEcdsaSecp256r1Sha256},
                        Case{KeyType::kEcdsaP521, SignatureScheme::kEcdsaSecp521r1Sha512,
                             SignatureScheme::kEcdsaSecp384r1Sha384}}) {
    CAPTURE(name(c.type));
    auto key = P().generate_key(c.type);
    REQUIRE(key.ok());
    CHECK(key->secret.size() == ec_scalar_len(c.type));
    CHECK(key->public_key.point.size() == 1 + 2 * ec_scalar_len(c.type));
    auto signer = P().new_signer(*key);
    REQUIRE(signer.ok());
    CHECK((*signer)->public_key().point == key->public_key.point);
    CHECK_FALSE((*signer)->supports(c.other));
    CHECK_FALSE((*signer)->supports(SignatureScheme::kRsaPssRsaeSha256));
    check_sign_verify(**signer, c.scheme);

    std::vector<uint8_t> sig;
    REQUIRE((*signer)->sign(c.scheme, str("m"), sig).ok());
    CHECK(sig[0] == 0x30);
    // Scheme/key mismatch is an error, not a crash.
    CHECK_FALSE(P().verify(c.other, key->public_key, str("m"), sig).ok());

    // Public key derived when absent; a mismatched one is refused.
    PrivateKeyMaterial bare = key->copy();
    bare.public_key = {};
    auto derived = P().new_signer(bare);
    REQUIRE(derived.ok());
    CHECK((*derived)->public_key().point == key->public_key.point);
    PrivateKeyMaterial wrong = key->copy();
    wrong.public_key.point.back() ^= 1;
    CHECK(P().new_signer(wrong).error() == CryptoError::kInvalidKey);
  }
}

TEST_CASE("ECDSA DER: strict parsing") {
  using bearssl::der_to_raw;
  std::vector<uint8_t> raw(64);
  // SEQUENCE { INTEGER 1, INTEGER 1 }
  CHECK(der_to_raw(H("3006020101020101"), 32, raw).ok());
  CHECK(raw[31] == 1);
  CHECK(raw[63] == 1);
  CHECK_FALSE(der_to_raw(H("300602010102010100"), 32, raw).ok());    // trailing byte
  CHECK_FALSE(der_to_raw(H("30070201010202000100"), 32, raw).ok());  // wrong seq length
  CHECK_FALSE(der_to_raw(H("300702020001020101"), 32, raw).ok());    // non-minimal r
  CHECK_FALSE(der_to_raw(H("3006020181020101"), 32, raw).ok());      // negative r
  CHECK_FALSE(der_to_raw(H("30810602010102010101"), 32, raw).ok());  // long-form short len
  CHECK_FALSE(der_to_raw(H("3005020101020100"), 32, raw).ok());      // truncated
  CHECK_FALSE(der_to_raw(H("3006020001020101"), 32, raw).ok());      // empty integer
  CHECK_FALSE(der_to_raw(H(""), 32, raw).ok());
  // A positive value with its top bit set needs exactly one zero byte.
  CHECK(der_to_raw(H("300702020080020101"), 32, raw).ok());
  CHECK(raw[31] == 0x80);
  auto der = bearssl::raw_to_der(raw);
  CHECK(to_hex(der) == "300702020080020101");
}

TEST_CASE("RSA-2048 generated: PKCS#1 v1.5 and PSS with every hash") {
  const PrivateKeyMaterial& key = rsa2048();
  CHECK(key.rsa_n.size() == 256);
  CHECK(to_hex(key.rsa_e) == "010001");
  CHECK_FALSE(key.rsa_d.empty());
  auto signer = P().new_signer(key);
  REQUIRE(signer.ok());
  CHECK((*signer)->key_type() == KeyType::kRsa);
  CHECK_FALSE((*signer)->supports(SignatureScheme::kEcdsaSecp256r1Sha256));
  CHECK_FALSE((*signer)->supports(SignatureScheme::kEd25519));
  for (SignatureScheme s :
       {SignatureScheme::kRsaPkcs1Sha256, SignatureScheme::kRsaPkcs1Sha384,
        SignatureScheme::kRsaPkcs1Sha512, SignatureScheme::kRsaPssRsaeSha256,
        SignatureScheme::kRsaPssRsaeSha384, SignatureScheme::kRsaPssRsaeSha512}) {
    check_sign_verify(**signer, s);
  }
  // PSS signatures are randomised, PKCS#1 v1.5 ones are not.
  std::vector<uint8_t> a, b;
  REQUIRE((*signer)->sign(SignatureScheme::kRsaPssRsaeSha256, str("x"), a).ok());
  REQUIRE((*signer)->sign(SignatureScheme::kRsaPssRsaeSha256, str("x"), b).ok());
  CHECK(a != b);
  REQUIRE((*signer)->sign(SignatureScheme::kRsaPkcs1Sha256, str("x"), a).ok());
  REQUIRE((*signer)->sign(SignatureScheme::kRsaPkcs1Sha256, str("x"), b).ok());
  CHECK(a == b);
  // A PKCS#1 signature is not a PSS one for the same hash, nor vice versa.
  CHECK(P().verify(SignatureScheme::kRsaPssRsaeSha256, key.public_key, str("x"), a).error() ==
        CryptoError::kBadSignature);
  CHECK(P().verify(SignatureScheme::kRsaPkcs1Sha384, key.public_key, str("x"), a).error() ==
        CryptoError::kBadSignature);
}

TEST_CASE("RSA-PSS keys sign rsa_pss_pss_* only; rsaEncryption keys never do") {
  // The components of the shared RSA key, typed as an id-RSASSA-PSS key.
  PrivateKeyMaterial pss = rsa2048().copy();
  pss.type = KeyType::kRsaPss;
  pss.public_key.type = KeyType::kRsaPss;
  auto signer = P().new_signer(pss);
  REQUIRE(signer.ok());
  CHECK((*signer)->key_type() == KeyType::kRsaPss);
  for (SignatureScheme s : {SignatureScheme::kRsaPssPssSha256, SignatureScheme::kRsaPssPssSha384,
                            SignatureScheme::kRsaPssPssSha512}) {
    CAPTURE(name(s));
    check_sign_verify(**signer, s);
  }
  for (SignatureScheme s : {SignatureScheme::kRsaPkcs1Sha256, SignatureScheme::kRsaPssRsaeSha256}) {
    CHECK_FALSE((*signer)->supports(s));
    std::vector<uint8_t> sig;
    CHECK((*signer)->sign(s, str("x"), sig).error() == CryptoError::kUnsupported);
  }
  // The same modulus signs the same PSS bytes either way, but the scheme
  // names the key type: each is refused under the other.
  std::vector<uint8_t> sig;
  REQUIRE((*signer)->sign(SignatureScheme::kRsaPssPssSha256, str("x"), sig).ok());
  CHECK(P().verify(SignatureScheme::kRsaPssRsaeSha256, (*signer)->public_key(), str("x"), sig).error() ==
        CryptoError::kInvalidKey);
  CHECK(P().verify(SignatureScheme::kRsaPssPssSha256, rsa2048().public_key, str("x"), sig).error() ==
        CryptoError::kInvalidKey);
  auto rsae = P().new_signer(rsa2048());
  REQUIRE(rsae.ok());
  CHECK_FALSE((*rsae)->supports(SignatureScheme::kRsaPssPssSha256));

  // A key whose parameters fix SHA-384 signs and verifies with that hash only.
  PrivateKeyMaterial only384 = pss.copy();
  only384.public_key.pss_hash = HashAlg::kSha384;
  auto restricted = P().new_signer(only384);
  REQUIRE(restricted.ok());
  CHECK((*restricted)->public_key().pss_hash == HashAlg::kSha384);
  CHECK((*restricted)->supports(SignatureScheme::kRsaPssPssSha384));
  CHECK_FALSE((*restricted)->supports(SignatureScheme::kRsaPssPssSha256));
  CHECK(P().verify(SignatureScheme::kRsaPssPssSha256, (*restricted)->public_key(), str("x"), sig).error() ==
        CryptoError::kInvalidKey);
  auto generated = P().generate_key(KeyType::kRsaPss, 2048);
  REQUIRE(generated.ok());
  CHECK(generated->type == KeyType::kRsaPss);
  CHECK(generated->public_key.type == KeyType::kRsaPss);
}

TEST_CASE("RSA signer from components: derives n and e, rejects inconsistent keys") {
  const PrivateKeyMaterial& key = rsa2048();
  PrivateKeyMaterial bare = key.copy();
  bare.rsa_n.clear();
  bare.rsa_e.clear();
  bare.public_key = {};
  auto s = P().new_signer(bare);
  REQUIRE(s.ok());
  CHECK((*s)->public_key().rsa_n == key.rsa_n);
  CHECK(to_hex((*s)->public_key().rsa_e) == "010001");

  PrivateKeyMaterial wrong_n = key.copy();
  wrong_n.rsa_n[10] ^= 1;
  CHECK(P().new_signer(wrong_n).error() == CryptoError::kInvalidKey);
  PrivateKeyMaterial bad_crt = key.copy();
  bad_crt.rsa_dp.data()[5] ^= 1;
  CHECK(P().new_signer(bad_crt).error() == CryptoError::kInvalidKey);
  PrivateKeyMaterial missing = key.copy();
  missing.rsa_qinv.clear();
  CHECK(P().new_signer(missing).error() == CryptoError::kInvalidKey);
}

TEST_CASE("RSA-1024 (RFC 8448 size): PSS-SHA256 ok, PSS-SHA512 impossible") {
  auto key = P().generate_key(KeyType::kRsa, 1024);
  REQUIRE(key.ok());
  auto signer = P().new_signer(*key);
  REQUIRE(signer.ok());
  check_sign_verify(**signer, SignatureScheme::kRsaPssRsaeSha256);
  check_sign_verify(**signer, SignatureScheme::kRsaPkcs1Sha512);
  // emLen 128 < 2 * 64 + 2: RFC 8017 §9.1.1 step 3.
  CHECK_FALSE((*signer)->supports(SignatureScheme::kRsaPssRsaeSha512));
  std::vector<uint8_t> sig;
  CHECK(!(*signer)->sign(SignatureScheme::kRsaPssRsaeSha512, str("m"), sig).ok());
}

TEST_CASE("RSA: key size limits and malformed keys") {
  PublicKey pk;
  pk.type = KeyType::kRsa;
  pk.rsa_e = {1, 0, 1};
  pk.rsa_n = std::vector<uint8_t>(64, 0xff);  // 512 bits: too small
  std::vector<uint8_t> sig(64, 1);
  CHECK(P().verify(SignatureScheme::kRsaPkcs1Sha256, pk, str("m"), sig).error() ==
        CryptoError::kInvalidKey);
  pk.rsa_n = std::vector<uint8_t>(1024, 0xff);  // 8192 bits: over BearSSL's limit
  sig.assign(1024, 1);
  CHECK(P().verify(SignatureScheme::kRsaPssRsaeSha256, pk, str("m"), sig).error() ==
        CryptoError::kUnsupported);
  pk.rsa_n = std::vector<uint8_t>(256, 0xfe);  // even modulus
  sig.assign(256, 1);
  CHECK(P().verify(SignatureScheme::kRsaPkcs1Sha256, pk, str("m"), sig).error() ==
        CryptoError::kInvalidKey);
  pk.rsa_n.clear();
  CHECK(P().verify(SignatureScheme::kRsaPkcs1Sha256, pk, str("m"), sig).error() ==
        CryptoError::kInvalidKey);
  // A signature value >= n is rejected.
  const PrivateKeyMaterial& key = rsa2048();
  CHECK(P().verify(SignatureScheme::kRsaPkcs1Sha256, key.public_key, str("m"),
                   std::vector<uint8_t>(256, 0xff))
            .error() == CryptoError::kBadSignature);
  CHECK(P().generate_key(KeyType::kRsa, 512).error() == CryptoError::kInvalidKey);
  CHECK(P().generate_key(KeyType::kRsa, 8192).error() == CryptoError::kUnsupported);
}

TEST_CASE("PSS encoding: structure checks of RFC 8017 §9.1.2") {
  using bearssl::pss_encode;
  using bearssl::pss_verify;
  const auto mhash = std::vector<uint8_t>(32, 0x5a);
  const auto salt = std::vector<uint8_t>(32, 0xa5);
  const size_t em_bits = 2047;
  std::vector<uint8_t> em(256);
  REQUIRE(pss_encode(HashAlg::kSha256, mhash, salt, em_bits, em).ok());
  CHECK(em.back() == 0xbc);
  CHECK((em[0] & 0x80) == 0);
  CHECK(pss_verify(HashAlg::kSha256, mhash, em, em_bits).ok());
  auto bad = em;
  bad.back() = 0xbb;
  CHECK_FALSE(pss_verify(HashAlg::kSha256, mhash, bad, em_bits).ok());
  bad = em;
  bad[0] |= 0x80;  // a bit above emBits
  CHECK_FALSE(pss_verify(HashAlg::kSha256, mhash, bad, em_bits).ok());
  bad = em;
  bad[10] ^= 1;  // inside the padding
  CHECK_FALSE(pss_verify(HashAlg::kSha256, mhash, bad, em_bits).ok());
  // A salt length other than hLen does not verify.
  std::vector<uint8_t> short_salt(20, 1);
  REQUIRE(pss_encode(HashAlg::kSha256, mhash, short_salt, em_bits, em).ok());
  CHECK_FALSE(pss_verify(HashAlg::kSha256, mhash, em, em_bits).ok());
}

TEST_CASE("Ed25519 is unsupported, cleanly") {
  CHECK_FALSE(P().supports_verify(SignatureScheme::kEd25519));
  CHECK_FALSE(P().supports_signing(KeyType::kEd25519));
  PublicKey pk;
  pk.point.assign(32, 1);
  CHECK(P().verify(SignatureScheme::kEd25519, pk, str("m"), std::vector<uint8_t>(64)).error() ==
        CryptoError::kUnsupported);
  PrivateKeyMaterial m;
  m.type = KeyType::kEd25519;
  m.secret.assign(std::vector<uint8_t>(32, 1));
  CHECK(P().new_signer(m).error() == CryptoError::kUnsupported);
  CHECK(P().generate_key(KeyType::kEd25519).error() == CryptoError::kUnsupported);
}

TEST_CASE("supports() matches what the provider hands out") {
  for (HashAlg h : {HashAlg::kSha256, HashAlg::kSha384, HashAlg::kSha512}) CHECK(P().supports(h));
  CHECK(P().supports(Group::kX25519));
  CHECK(P().supports(Group::kSecp384r1));
  CHECK(P().new_key_share(static_cast<Group>(0x1234)).error() == CryptoError::kUnsupported);
  CHECK(P().new_aead(static_cast<AeadAlg>(9), std::vector<uint8_t>(16)).error() ==
        CryptoError::kUnsupported);
}

TEST_CASE("random: fills, differs, and is usable from many threads") {
  std::vector<uint8_t> a(64), b(64);
  REQUIRE(P().random(a).ok());
  REQUIRE(P().random(b).ok());
  CHECK(a != b);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto k = P().new_key_share(Group::kX25519);
        auto l = P().new_key_share(Group::kX25519);
        if (!k.ok() || !l.ok()) {
          ++failures;
          continue;
        }
        auto s1 = (*k)->agree((*l)->public_key());
        auto s2 = (*l)->agree((*k)->public_key());
        if (!s1.ok() || !s2.ok() || to_hex(*s1) != to_hex(*s2)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures.load() == 0);
}

}  // namespace
}  // namespace sluice::crypto

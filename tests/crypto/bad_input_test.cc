// Bad input to every provider under test: each case must come back as an
// error value (never success, never a crash). Run under --config=asan to
// check the "never a crash" half properly.
#include <doctest/doctest.h>

#include "base/hex.h"
#include "tests/crypto/providers_under_test.h"
#include "tests/crypto/test_util.h"

namespace sluice::testing {
namespace {

using namespace crypto;

template <class Fn>
void for_each_provider(Fn&& fn) {
  for (const auto& put : providers_under_test()) {
    INFO("provider=" << put.name);
    fn(*put.provider);
  }
}

std::vector<uint8_t> hex(std::string_view s) {
  auto v = from_hex(s);
  REQUIRE(v);
  return *v;
}

TEST_CASE("unsupported algorithms answer kUnsupported") {
  for_each_provider([](const Provider& p) {
    const std::vector<uint8_t> key(32, 1);
    for (HashAlg h : kAllHashes) {
      if (p.supports(h)) continue;
      CHECK(p.new_hash(h).error() == CryptoError::kUnsupported);
      CHECK(p.new_hmac(h, key).error() == CryptoError::kUnsupported);
    }
    for (AeadAlg a : kAllAeads)
      if (!p.supports(a)) CHECK(p.new_aead(a, std::span(key).first(aead_key_len(a))).error() == CryptoError::kUnsupported);
    for (Group g : kAllGroups) {
      if (p.supports(g)) continue;
      CHECK(p.new_key_share(g).error() == CryptoError::kUnsupported);
      CHECK(p.key_share_from_private(g, key).error() == CryptoError::kUnsupported);
    }
    for (SignatureScheme s : kAllSchemes)
      if (!p.supports_verify(s)) CHECK(p.verify(s, PublicKey{}, key, key).error() == CryptoError::kUnsupported);
    for (KeyType k : kAllKeyTypes) {
      if (p.supports_signing(k)) continue;
      PrivateKeyMaterial m;
      m.type = k;
      m.secret.assign(key);
      CHECK(p.new_signer(m).error() == CryptoError::kUnsupported);
      CHECK(p.generate_key(k, 2048).error() == CryptoError::kUnsupported);
    }
  });
}

TEST_CASE("AEAD: wrong key sizes") {
  for_each_provider([](const Provider& p) {
    for (AeadAlg a : kAllAeads) {
      if (!p.supports(a)) continue;
      INFO(name(a));
      for (size_t len : {size_t{0}, size_t{15}, size_t{16}, size_t{24}, size_t{31}, size_t{32}, size_t{33}, size_t{64}}) {
        if (len == aead_key_len(a)) continue;
        INFO("key len=" << len);
        CHECK(p.new_aead(a, std::vector<uint8_t>(len, 7)).error() == CryptoError::kInvalidKey);
      }
    }
  });
}

TEST_CASE("AEAD: wrong nonce and tag sizes, tampering, truncation") {
  for_each_provider([](const Provider& p) {
    for (AeadAlg a : kAllAeads) {
      if (!p.supports(a)) continue;
      INFO(name(a));
      auto key = p.new_aead(a, random_bytes(p, aead_key_len(a)));
      REQUIRE(key.ok());
      AeadKey& k = **key;
      const auto nonce = random_bytes(p, kAeadNonceLen), aad = random_bytes(p, 5);
      const auto plaintext = random_bytes(p, 100);

      for (size_t n : {size_t{0}, size_t{8}, size_t{11}, size_t{13}, size_t{16}, size_t{24}}) {
        INFO("nonce len=" << n);
        std::vector<uint8_t> buf = plaintext, tag(kAeadTagLen);
        CHECK(k.seal(std::vector<uint8_t>(n, 1), aad, buf, tag).error() == CryptoError::kInvalidInput);
        CHECK(k.open(std::vector<uint8_t>(n, 1), aad, buf, tag).error() == CryptoError::kInvalidInput);
      }
      for (size_t t : {size_t{0}, size_t{12}, size_t{15}, size_t{17}}) {
        INFO("tag len=" << t);
        std::vector<uint8_t> buf = plaintext, tag(t);
        CHECK(k.seal(nonce, aad, buf, tag).error() == CryptoError::kInvalidInput);
      }

      std::vector<uint8_t> sealed = plaintext, tag(kAeadTagLen);
      REQUIRE(k.seal(nonce, aad, sealed, tag).ok());
      auto open_copy = [&](Bytes n, Bytes ad, std::vector<uint8_t> ct, Bytes t) {
        auto r = k.open(n, ad, ct, t);
        // A failed open must not hand back the plaintext.
        if (!r.ok()) CHECK(ct != plaintext);
        return r;
      };
      CHECK(open_copy(nonce, aad, sealed, tag).ok());  // control: untouched input opens

      CHECK(open_copy(nonce, aad, sealed, std::span(tag).first(15)).error() == CryptoError::kInvalidInput);
      CHECK(open_copy(nonce, aad, sealed, Bytes()).error() == CryptoError::kInvalidInput);
      for (size_t i : {size_t{0}, size_t{7}, size_t{15}}) {
        auto bad_tag = tag;
        bad_tag[i] ^= 0x80;
        CHECK(open_copy(nonce, aad, sealed, bad_tag).error() == CryptoError::kAuthFailed);
      }
      for (size_t i : {size_t{0}, size_t{50}, size_t{99}}) {
        auto bad_ct = sealed;
        bad_ct[i] ^= 1;
        CHECK(open_copy(nonce, aad, bad_ct, tag).error() == CryptoError::kAuthFailed);
      }
      CHECK(open_copy(nonce, aad, std::vector<uint8_t>(sealed.begin(), sealed.end() - 1), tag).error() ==
            CryptoError::kAuthFailed);
      auto bad_aad = aad;
      bad_aad[0] ^= 1;
      CHECK(open_copy(nonce, bad_aad, sealed, tag).error() == CryptoError::kAuthFailed);
      auto bad_nonce = nonce;
      bad_nonce[11] ^= 1;
      CHECK(open_copy(bad_nonce, aad, sealed, tag).error() == CryptoError::kAuthFailed);
    }
  });
}

// X25519 points whose multiples by the (cofactor-cleared) scalar are the
// identity, so the shared secret is all zeros: 0, 1, the two points of
// order 8, p-1 (order 2), and p and p+1 (non-canonical 0 and 1). RFC 7748
// §6.1 / RFC 8446 §7.4.2 require rejecting the all-zero result.
constexpr std::string_view kLowOrderX25519[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

TEST_CASE("X25519: wrong lengths and low-order points") {
  for_each_provider([](const Provider& p) {
    if (!p.supports(Group::kX25519)) return;
    auto share = p.new_key_share(Group::kX25519);
    REQUIRE(share.ok());
    for (size_t len : {size_t{0}, size_t{31}, size_t{33}, size_t{65}}) {
      INFO("peer len=" << len);
      CHECK((*share)->agree(std::vector<uint8_t>(len, 9)).error() == CryptoError::kInvalidPeerPublic);
    }
    for (std::string_view point : kLowOrderX25519) {
      INFO("point=" << point);
      CHECK((*share)->agree(hex(point)).error() == CryptoError::kInvalidPeerPublic);
    }
    for (size_t len : {size_t{0}, size_t{31}, size_t{33}}) {
      INFO("private len=" << len);
      CHECK_FALSE(p.key_share_from_private(Group::kX25519, std::vector<uint8_t>(len, 9)).ok());
    }
  });
}

TEST_CASE("NIST curves: off-curve, compressed, infinity and malformed points") {
  for_each_provider([](const Provider& p) {
    for (Group g : {Group::kSecp256r1, Group::kSecp384r1, Group::kSecp521r1}) {
      if (!p.supports(g)) continue;
      INFO(name(g));
      auto share = p.new_key_share(g);
      auto peer = p.new_key_share(g);
      REQUIRE(share.ok());
      REQUIRE(peer.ok());
      const std::vector<uint8_t> good((*peer)->public_key().begin(), (*peer)->public_key().end());
      const size_t coord = (good.size() - 1) / 2;
      REQUIRE((*share)->agree(good).ok());  // control

      auto off_curve = good;
      off_curve.back() ^= 1;  // y+-1 is not on the curve for the same x
      CHECK((*share)->agree(off_curve).error() == CryptoError::kInvalidPeerPublic);
      std::vector<uint8_t> compressed(good.begin(), good.begin() + 1 + static_cast<std::ptrdiff_t>(coord));
      compressed[0] = static_cast<uint8_t>(0x02 | (good.back() & 1));
      CHECK((*share)->agree(compressed).error() == CryptoError::kInvalidPeerPublic);
      CHECK((*share)->agree(std::vector<uint8_t>{0x00}).error() == CryptoError::kInvalidPeerPublic);
      auto bad_prefix = good;
      bad_prefix[0] = 0x05;
      CHECK((*share)->agree(bad_prefix).error() == CryptoError::kInvalidPeerPublic);
      std::vector<uint8_t> all_ff(good.size(), 0xff);
      all_ff[0] = 0x04;  // coordinates >= p
      CHECK((*share)->agree(all_ff).error() == CryptoError::kInvalidPeerPublic);
      std::vector<uint8_t> zeros(good.size(), 0);
      zeros[0] = 0x04;
      CHECK((*share)->agree(zeros).error() == CryptoError::kInvalidPeerPublic);
      CHECK((*share)->agree(std::span(good).first(good.size() - 1)).error() == CryptoError::kInvalidPeerPublic);
      CHECK((*share)->agree(Bytes()).error() == CryptoError::kInvalidPeerPublic);

      CHECK_FALSE(p.key_share_from_private(g, std::vector<uint8_t>(coord, 0)).ok());     // zero scalar
      CHECK_FALSE(p.key_share_from_private(g, std::vector<uint8_t>(coord, 0xff)).ok());  // >= group order
      CHECK_FALSE(p.key_share_from_private(g, std::vector<uint8_t>(coord + 1, 1)).ok());
    }
  });
}

TEST_CASE("signatures: garbage signatures and malformed keys are refused") {
  for_each_provider([](const Provider& p) {
    for (SignatureScheme scheme : kAllSchemes) {
      if (!p.supports_verify(scheme)) continue;
      INFO(name(scheme));
      const PrivateKeyMaterial* key = any_signing_key(scheme_key_type(scheme));
      if (!key) {
        MESSAGE("no provider can make a " << name(scheme_key_type(scheme)) << " key; garbage checks skipped");
        continue;
      }
      const PublicKey& pub = key->public_key;
      const auto message = random_bytes(p, 64);
      const size_t sig_len = scheme == SignatureScheme::kEd25519 ? 64 : pub.rsa_n.empty() ? 72 : pub.rsa_n.size();
      const std::vector<std::vector<uint8_t>> garbage = {
          {}, {0x30, 0x00}, std::vector<uint8_t>(sig_len, 0), std::vector<uint8_t>(sig_len, 0xff),
          random_bytes(p, sig_len), random_bytes(p, sig_len + 1), random_bytes(p, 3 * sig_len),
      };
      for (const auto& sig : garbage) {
        INFO("sig len=" << sig.size());
        CHECK_FALSE(p.verify(scheme, pub, message, sig).ok());
      }
      PublicKey wrong_type = pub;
      wrong_type.type = scheme_key_type(scheme) == KeyType::kEd25519 ? KeyType::kEcdsaP256 : KeyType::kEd25519;
      CHECK_FALSE(p.verify(scheme, wrong_type, message, garbage[4]).ok());
      PublicKey truncated = pub;
      if (!truncated.point.empty()) truncated.point.pop_back();
      if (!truncated.rsa_n.empty()) truncated.rsa_n.resize(truncated.rsa_n.size() / 2);
      CHECK_FALSE(p.verify(scheme, truncated, message, garbage[4]).ok());
      CHECK_FALSE(p.verify(scheme, PublicKey{scheme_key_type(scheme), {}, {}, {}, {}}, message, garbage[4]).ok());
    }
  });
}

TEST_CASE("signers refuse malformed private material") {
  for_each_provider([](const Provider& p) {
    for (KeyType type : {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kEcdsaP521}) {
      if (!p.supports_signing(type)) continue;
      INFO(name(type));
      const size_t len = type == KeyType::kEd25519 ? 32 : ec_scalar_len(type);
      // Ed25519 seeds have exactly one length. An ECDSA scalar shorter than
      // the field is still a number, so only empty and too-long are wrong.
      std::vector<size_t> bad_lens = {0, len + 1};
      if (type == KeyType::kEd25519) bad_lens.push_back(len - 1);
      for (size_t bad_len : bad_lens) {
        PrivateKeyMaterial m;
        m.type = type;
        m.secret = SecretBytes(bad_len);
        if (bad_len) std::fill(m.secret.span().begin(), m.secret.span().end(), 1);
        INFO("secret len=" << bad_len);
        CHECK_FALSE(p.new_signer(m).ok());
      }
      // A public half that does not belong to the private half.
      PrivateKeyMaterial mismatched = cached_signing_key(p, type)->copy();
      mismatched.public_key.point.back() ^= 1;
      CHECK_FALSE(p.new_signer(mismatched).ok());
      if (type != KeyType::kEd25519) {
        PrivateKeyMaterial zero;
        zero.type = type;
        zero.secret = SecretBytes(len);  // the zero scalar is not a key
        CHECK_FALSE(p.new_signer(zero).ok());
      }
    }
  });
}

}  // namespace
}  // namespace sluice::testing

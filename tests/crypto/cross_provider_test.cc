// Every ordered pair of providers under test (a provider paired with itself
// included, so a one-provider build still checks round trips): what one
// produces, the other must accept and agree with (STYLE.md practice 16).
#include <doctest/doctest.h>

#include <string>

#include "base/hex.h"
#include "tests/crypto/providers_under_test.h"
#include "tests/crypto/test_util.h"

namespace sluice::testing {
namespace {

using namespace crypto;

template <class Fn>
void for_each_pair(Fn&& fn) {
  for (const auto& a : providers_under_test())
    for (const auto& b : providers_under_test()) {
      INFO("a=" << a.name << " b=" << b.name);
      fn(*a.provider, *b.provider);
    }
}

TEST_CASE("hashes and HMAC agree across providers") {
  for_each_pair([](const Provider& a, const Provider& b) {
    for (HashAlg h : kAllHashes) {
      if (!a.supports(h) || !b.supports(h)) continue;
      INFO(name(h));
      const auto data = random_bytes(a, 1000);
      const auto key = random_bytes(a, 200);  // longer than any block: hashed first
      std::vector<uint8_t> da(hash_len(h)), db(hash_len(h)), ma(hash_len(h)), mb(hash_len(h));
      REQUIRE(a.hash(h, data, da).ok());
      // The same bytes in parts (an empty one included) digest the same.
      std::vector<uint8_t> parts_digest(hash_len(h));
      const Bytes parts[] = {Bytes(data).first(10), Bytes(), Bytes(data).subspan(10)};
      REQUIRE(b.hash_parts(h, parts, parts_digest).ok());
      CHECK(parts_digest == da);
      // b hashes incrementally, cloning mid-way: the clone must finish equal.
      auto ctx = b.new_hash(h);
      REQUIRE(ctx.ok());
      (*ctx)->update(std::span(data).first(333));
      auto copy = (*ctx)->clone();
      (*ctx)->update(std::span(data).subspan(333));
      (*ctx)->finish(db);
      CHECK(da == db);
      copy->update(std::span(data).subspan(333));
      std::vector<uint8_t> dc(hash_len(h));
      copy->finish(dc);
      CHECK(dc == da);
      REQUIRE(a.hmac(h, key, data, ma).ok());
      REQUIRE(b.hmac(h, key, data, mb).ok());
      CHECK(ma == mb);
      CHECK(ma != da);
    }
  });
}

TEST_CASE("HKDF-Expand of several outputs under one PRK equals separate expansions, on every provider pair") {
  for_each_pair([](const Provider& a, const Provider& b) {
    for (HashAlg h : kAllHashes) {
      if (!a.supports(h) || !b.supports(h)) continue;
      INFO(name(h));
      const size_t n = hash_len(h);
      const auto prk = random_bytes(a, n);
      const auto long_info = random_bytes(a, 200);  // more than a block with T(i-1)
      const std::vector<uint8_t> short_info = {'k', 'e', 'y'};
      // Lengths around block boundaries, up to RFC 5869's 255 * HashLen.
      const size_t lengths[] = {0, 1, n - 1, n, n + 1, 3 * n + 5, 255 * n};
      std::vector<std::vector<uint8_t>> several;
      std::vector<HkdfOutput> outputs;
      several.reserve(std::size(lengths) * 2);
      for (size_t len : lengths) {
        for (Bytes info : {Bytes(short_info), Bytes(long_info)}) {
          several.emplace_back(len, 0xAA);
          outputs.push_back({info, several.back()});
        }
      }
      // Several at once in a, up to four at a time (what the key schedule
      // asks), and one by one in b, must agree output by output.
      for (size_t i = 0; i < outputs.size(); i += 4) {
        const size_t count = std::min<size_t>(4, outputs.size() - i);
        REQUIRE(a.hkdf_expand_several(h, prk, std::span(outputs).subspan(i, count)).ok());
      }
      for (size_t i = 0; i < outputs.size(); ++i) {
        INFO("output " << i << " of " << outputs[i].out.size() << " bytes");
        std::vector<uint8_t> one(outputs[i].out.size(), 0x55);
        REQUIRE(b.hkdf_expand(h, prk, outputs[i].info, one).ok());
        CHECK(one == several[i]);
      }
      // Over 255 * HashLen is refused even behind a valid request.
      std::vector<uint8_t> ok_out(n), too_long(255 * n + 1);
      const HkdfOutput bad[] = {{short_info, ok_out}, {short_info, too_long}};
      CHECK(a.hkdf_expand_several(h, prk, bad).error() == CryptoError::kInvalidInput);
    }
  });
}

TEST_CASE("HKDF known answer through hkdf_expand_several on every provider (RFC 5869 test case 1)") {
  const auto prk = *from_hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  const auto info = *from_hex("f0f1f2f3f4f5f6f7f8f9");
  const auto okm = *from_hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  for (const auto& p : providers_under_test()) {
    if (!p.provider->supports(HashAlg::kSha256)) continue;
    INFO(p.name);
    // HKDF output is a prefix of any longer output for the same info.
    std::vector<uint8_t> full(42), prefix(10), again(42);
    const HkdfOutput outputs[] = {{info, full}, {info, prefix}, {info, again}};
    REQUIRE(p.provider->hkdf_expand_several(HashAlg::kSha256, prk, outputs).ok());
    CHECK(full == okm);
    CHECK(prefix == std::vector<uint8_t>(okm.begin(), okm.begin() + 10));
    CHECK(again == okm);
  }
}

TEST_CASE("TLS 1.2 PRF: a known answer, and each provider's keyed-once P_hash equals the generic one") {
  // P_SHA256 with the label "test label" (the vector widely used for TLS 1.2
  // PRF implementations; checked against Python's hmac module).
  const auto secret = *from_hex("9bbe436ba940f017b17652849a71db35");
  const auto seed = *from_hex("a0ba9f936cda311827a6f796ffd5198c");
  const auto expected = *from_hex(
      "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def"
      "17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66");
  const std::string label = "test label";
  const Bytes label_bytes(reinterpret_cast<const uint8_t*>(label.data()), label.size());
  for (const auto& p : providers_under_test()) {
    INFO(p.name);
    if (p.provider->supports(HashAlg::kSha256)) {
      const Bytes parts[] = {label_bytes, seed};
      std::vector<uint8_t> out(expected.size());
      REQUIRE(p.provider->tls12_prf(HashAlg::kSha256, secret, parts, out).ok());
      CHECK(out == expected);
    }
    for (HashAlg h : {HashAlg::kSha256, HashAlg::kSha384, HashAlg::kSha512}) {
      if (!p.provider->supports(h)) continue;
      INFO(name(h));
      const auto key = random_bytes(*p.provider, 48);
      const auto a = random_bytes(*p.provider, 32), b = random_bytes(*p.provider, 32);
      const Bytes parts[] = {label_bytes, a, Bytes(), b};
      // Lengths around the block boundaries, and none at all.
      for (size_t len : {0, 1, 12, 31, 32, 33, 47, 48, 49, 64, 65, 104, 200}) {
        std::vector<uint8_t> keyed(len), generic(len);
        REQUIRE(p.provider->tls12_prf(h, key, parts, keyed).ok());
        REQUIRE(p.provider->Provider::tls12_prf(h, key, parts, generic).ok());
        CHECK(keyed == generic);
      }
      const Bytes too_many[Provider::kMaxPrfSeedParts + 1] = {};
      std::vector<uint8_t> out(12);
      CHECK(p.provider->tls12_prf(h, key, too_many, out).error() == CryptoError::kInvalidInput);
    }
  }
}

// for_each_aead_pair calls fn(a, sealer, opener) for every provider pair
// and AEAD both have: a key of a's and one of b's, with the same key bytes.
template <class Fn>
void for_each_aead_pair(Fn&& fn) {
  for_each_pair([&](const Provider& a, const Provider& b) {
    for (AeadAlg alg : kAllAeads) {
      if (!a.supports(alg) || !b.supports(alg)) continue;
      INFO(name(alg));
      const auto key = random_bytes(a, aead_key_len(alg));
      auto sealer = a.new_aead(alg, key);
      auto opener = b.new_aead(alg, key);
      REQUIRE(sealer.ok());
      REQUIRE(opener.ok());
      fn(a, **sealer, **opener);
    }
  });
}

TEST_CASE("AEAD: sealed by one provider, opened by the other") {
  for_each_aead_pair([](const Provider& a, AeadKey& sealer, AeadKey& opener) {
    for (size_t len : {size_t{0}, size_t{1}, size_t{255}, size_t{16384 + 256}}) {
      INFO("len=" << len);
      const auto nonce = random_bytes(a, kAeadNonceLen), aad = random_bytes(a, 13);
      const auto plaintext = random_bytes(a, len);
      std::vector<uint8_t> record = plaintext, tag(kAeadTagLen);
      REQUIRE(sealer.seal(nonce, aad, record, tag).ok());
      if (len >= 16) CHECK(record != plaintext);  // shorter could collide by chance
      REQUIRE(opener.open(nonce, aad, record, tag).ok());
      CHECK(record == plaintext);
      // The other direction on the same keys, and a tampered tag.
      std::vector<uint8_t> back = plaintext, back_tag(kAeadTagLen);
      REQUIRE(opener.seal(nonce, aad, back, back_tag).ok());
      CHECK(back_tag == tag);
      back_tag[0] ^= 1;
      CHECK(sealer.open(nonce, aad, back, back_tag).error() == CryptoError::kAuthFailed);
    }
  });
}

TEST_CASE("AEAD split seals and opens (seal_from, open_to) agree with whole ones, on every provider pair") {
  for_each_aead_pair([](const Provider& a, AeadKey& sealer, AeadKey& opener) {
    constexpr size_t kLen = 16384 + 1;  // a TLS 1.3 record's largest inner plaintext
    const auto plaintext = random_bytes(a, kLen);
    for (size_t head_len : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{4096}, kLen - 1, kLen}) {
      INFO("head=" << head_len);
      const auto nonce = random_bytes(a, kAeadNonceLen), aad = random_bytes(a, 13);
      std::vector<uint8_t> whole = plaintext, whole_tag(kAeadTagLen);
      REQUIRE(sealer.seal(nonce, aad, whole, whole_tag).ok());
      // seal_from: the head from elsewhere, the rest in place.
      const std::vector<uint8_t> head(plaintext.begin(), plaintext.begin() + static_cast<ptrdiff_t>(head_len));
      std::vector<uint8_t> split(kLen, 0xee), split_tag(kAeadTagLen);
      std::copy(plaintext.begin() + static_cast<ptrdiff_t>(head_len), plaintext.end(),
                split.begin() + static_cast<ptrdiff_t>(head_len));
      REQUIRE(sealer.seal_from(nonce, aad, head, split, split_tag).ok());
      CHECK(split == whole);
      CHECK(split_tag == whole_tag);
      // open_to: the head's plaintext elsewhere, the rest in place.
      std::vector<uint8_t> out(head_len, 0xee);
      REQUIRE(opener.open_to(nonce, aad, split, out, whole_tag).ok());
      CHECK(out == head);
      CHECK(std::equal(split.begin() + static_cast<ptrdiff_t>(head_len), split.end(),
                       plaintext.begin() + static_cast<ptrdiff_t>(head_len)));
      // A tampered tag: kAuthFailed, and no plaintext in either part.
      std::vector<uint8_t> again = whole, bad_tag = whole_tag;
      bad_tag[15] ^= 0x80;
      std::fill(out.begin(), out.end(), 0xee);
      CHECK(opener.open_to(nonce, aad, again, out, bad_tag).error() == CryptoError::kAuthFailed);
      // (Parts shorter than 16 bytes could match by chance once wiped.)
      if (head_len >= 16) CHECK(out != head);
      if (kLen - head_len >= 16) {
        CHECK(!std::equal(again.begin() + static_cast<ptrdiff_t>(head_len), again.end(),
                          plaintext.begin() + static_cast<ptrdiff_t>(head_len)));
      }
    }
    // A head inside the buffer it belongs to, or longer, is refused.
    std::vector<uint8_t> buf(64), tag(kAeadTagLen);
    const auto nonce = random_bytes(a, kAeadNonceLen);
    CHECK(sealer.seal_from(nonce, {}, Bytes(buf).subspan(8, 8), buf, tag).error() == CryptoError::kInvalidInput);
    std::vector<uint8_t> longer(65);
    CHECK(sealer.seal_from(nonce, {}, longer, buf, tag).error() == CryptoError::kInvalidInput);
    CHECK(opener.open_to(nonce, {}, buf, MutBytes(buf).subspan(0, 8), tag).error() == CryptoError::kInvalidInput);
  });
}

TEST_CASE("hashes agree at every length across block boundaries, however the input is split") {
  for_each_pair([](const Provider& a, const Provider& b) {
    for (HashAlg h : kAllHashes) {
      if (!a.supports(h) || !b.supports(h)) continue;
      INFO(name(h));
      const auto data = random_bytes(a, 300);
      for (size_t len = 0; len <= data.size(); ++len) {
        INFO("len=" << len);
        const Bytes msg = Bytes(data).first(len);
        std::vector<uint8_t> whole(hash_len(h)), split(hash_len(h));
        REQUIRE(a.hash(h, msg, whole).ok());
        auto ctx = b.new_hash(h);
        REQUIRE(ctx.ok());
        const size_t cut = (len * 7) / 11;  // splits inside and across blocks
        (*ctx)->update(msg.first(cut));
        (*ctx)->update(msg.subspan(cut));
        (*ctx)->finish(split);
        CHECK(split == whole);
      }
    }
  });
}

TEST_CASE("a rekeyed AEAD seals as a fresh key would, on every provider pair") {
  for_each_pair([](const Provider& a, const Provider& b) {
    for (AeadAlg alg : kAllAeads) {
      if (!a.supports(alg) || !b.supports(alg)) continue;
      INFO(name(alg));
      auto reused = a.new_aead(alg, random_bytes(a, aead_key_len(alg)));
      REQUIRE(reused.ok());
      const auto nonce = random_bytes(a, kAeadNonceLen), aad = random_bytes(a, 13);
      const auto plaintext = random_bytes(a, 100);
      std::vector<uint8_t> old_record = plaintext, old_tag(kAeadTagLen);
      REQUIRE((*reused)->seal(nonce, aad, old_record, old_tag).ok());

      const auto next = random_bytes(a, aead_key_len(alg));
      REQUIRE((*reused)->rekey(next).ok());
      auto fresh = b.new_aead(alg, next);
      REQUIRE(fresh.ok());
      std::vector<uint8_t> record = plaintext, tag(kAeadTagLen);
      REQUIRE((*reused)->seal(nonce, aad, record, tag).ok());
      CHECK(tag != old_tag);
      REQUIRE((*fresh)->open(nonce, aad, record, tag).ok());
      CHECK(record == plaintext);
      // Records under the replaced key no longer open.
      CHECK((*reused)->open(nonce, aad, old_record, old_tag).error() == CryptoError::kAuthFailed);
      CHECK((*reused)->rekey(random_bytes(a, aead_key_len(alg) + 1)).error() == CryptoError::kInvalidKey);
    }
  });
}

TEST_CASE("an AEAD whose key schedule was released seals and opens as before, rekeyed or not") {
  for_each_pair([](const Provider& a, const Provider& b) {
    for (AeadAlg alg : kAllAeads) {
      if (!a.supports(alg) || !b.supports(alg)) continue;
      INFO(name(alg));
      const auto key1 = random_bytes(a, aead_key_len(alg)), key2 = random_bytes(a, aead_key_len(alg));
      auto first = a.new_aead(alg, key1), second = a.new_aead(alg, key2);
      auto check1 = b.new_aead(alg, key1), check2 = b.new_aead(alg, key2);
      REQUIRE((first.ok() && second.ok() && check1.ok() && check2.ok()));
      const auto nonce = random_bytes(a, kAeadNonceLen), aad = random_bytes(a, 13);
      const auto plaintext = random_bytes(a, 300);
      // seal_checked seals with `key` and checks that `check` (the other
      // provider, same key bytes) opens it.
      auto seal_checked = [&](AeadKey& key, AeadKey& check) {
        std::vector<uint8_t> record = plaintext, tag(kAeadTagLen);
        REQUIRE(key.seal(nonce, aad, record, tag).ok());
        REQUIRE(check.open(nonce, aad, record, tag).ok());
        CHECK(record == plaintext);
        return tag;
      };
      const auto tag1 = seal_checked(**first, **check1);
      const auto tag2 = seal_checked(**second, **check2);
      // Released one after the other, each key takes a schedule back (maybe
      // the other's storage) and recomputes its own.
      (*first)->release_schedule();
      (*second)->release_schedule();
      (*first)->release_schedule();  // twice is harmless
      CHECK(seal_checked(**second, **check2) == tag2);
      CHECK(seal_checked(**first, **check1) == tag1);
      // Opening after a release.
      (*first)->release_schedule();
      std::vector<uint8_t> record = plaintext, tag(kAeadTagLen);
      REQUIRE((*check1)->seal(nonce, aad, record, tag).ok());
      REQUIRE((*first)->open(nonce, aad, record, tag).ok());
      CHECK(record == plaintext);
      // Rekeyed while released: the new key, not the old schedule.
      (*first)->release_schedule();
      REQUIRE((*first)->rekey(key2).ok());
      CHECK(seal_checked(**first, **check2) == tag2);
      std::vector<uint8_t> old_record = plaintext, old_tag(kAeadTagLen);
      REQUIRE((*check1)->seal(nonce, aad, old_record, old_tag).ok());
      (*first)->release_schedule();
      CHECK((*first)->open(nonce, aad, old_record, old_tag).error() == CryptoError::kAuthFailed);
    }
  });
}

TEST_CASE("key shares from one provider meet the other's") {
  for_each_pair([](const Provider& a, const Provider& b) {
    for (Group g : kAllGroups) {
      if (!a.supports(g) || !b.supports(g)) continue;
      INFO(name(g));
      auto sa = a.new_key_share(g);
      auto sb = b.new_key_share(g);
      REQUIRE(sa.ok());
      REQUIRE(sb.ok());
      CHECK((*sa)->group() == g);
      CHECK((*sa)->public_key().size() == share_len(g));
      CHECK((*sb)->public_key().size() == share_len(g));
      auto ka = (*sa)->agree((*sb)->public_key());
      auto kb = (*sb)->agree((*sa)->public_key());
      REQUIRE(ka.ok());
      REQUIRE(kb.ok());
      CHECK(ka->size() == secret_len(g));
      CHECK(ct_equal(*ka, *kb));
    }
  });
}

TEST_CASE("signed by one provider, verified by the other") {
  for_each_pair([](const Provider& a, const Provider& b) {
    for (SignatureScheme scheme : kAllSchemes) {
      const KeyType type = scheme_key_type(scheme);
      if (!a.supports_signing(type) || !b.supports_verify(scheme)) continue;
      INFO(name(scheme));
      const PrivateKeyMaterial* key = cached_signing_key(a, type);
      REQUIRE(key != nullptr);
      auto signer = a.new_signer(*key);
      REQUIRE_MESSAGE(signer.ok(), "new_signer on generate_key's output: " << describe(signer.error()));
      CHECK((*signer)->public_key().type == type);
      if (!(*signer)->supports(scheme)) continue;  // e.g. a key too small for a hash
      const auto message = random_bytes(a, 130);
      std::vector<uint8_t> signature;
      auto outcome = (*signer)->sign(scheme, message, signature);
      REQUIRE(outcome.ok());
      REQUIRE(*outcome == SignOutcome::kDone);
      CHECK(b.verify(scheme, (*signer)->public_key(), message, signature).ok());
      // The generated material's own public key is the signer's.
      CHECK(key->public_key.point == (*signer)->public_key().point);
      CHECK(key->public_key.rsa_n == (*signer)->public_key().rsa_n);
      // A scheme of another key type is refused by the verifier, never
      // accepted on the strength of the same modulus (rsae vs pss).
      for (SignatureScheme other : kAllSchemes) {
        if (scheme_key_type(other) == type || !b.supports_verify(other) ||
            scheme_hash(other) != scheme_hash(scheme)) {
          continue;
        }
        INFO("other=" << name(other));
        CHECK_FALSE(b.verify(other, (*signer)->public_key(), message, signature).ok());
      }
      auto altered = message;
      altered[7] ^= 0x20;
      CHECK_FALSE(b.verify(scheme, (*signer)->public_key(), altered, signature).ok());
    }
  });
}

TEST_CASE("an RSA signer refuses a scheme its modulus is too small for, and signs the others") {
  // RSA-PSS with SHA-512 and a 64-byte salt needs emLen >= 130 bytes (RFC
  // 8017 §9.1.1); a 1024-bit key has 128. BoGo's RSA-PSS-Large expects the
  // handshake to find no common scheme, not an internal error at signing.
  const Provider* generator = nullptr;
  for (const auto& put : providers_under_test())
    if (put.provider->supports_signing(KeyType::kRsa)) generator = put.provider.get();
  REQUIRE(generator != nullptr);
  auto key = generator->generate_key(KeyType::kRsa, 1024);
  REQUIRE(key.ok());
  for (const auto& put : providers_under_test()) {
    if (!put.provider->supports_signing(KeyType::kRsa)) continue;
    INFO(put.name);
    auto signer = put.provider->new_signer(*key);
    REQUIRE(signer.ok());
    const std::vector<uint8_t> message(40, 0x61);
    std::vector<uint8_t> signature;
    CHECK_FALSE((*signer)->supports(SignatureScheme::kRsaPssRsaeSha512));
    auto refused = (*signer)->sign(SignatureScheme::kRsaPssRsaeSha512, message, signature);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error() == CryptoError::kUnsupported);
    for (SignatureScheme fits : {SignatureScheme::kRsaPssRsaeSha384, SignatureScheme::kRsaPkcs1Sha512}) {
      INFO(name(fits));
      CHECK((*signer)->supports(fits));
      REQUIRE((*signer)->sign(fits, message, signature).ok());
      CHECK(put.provider->verify(fits, (*signer)->public_key(), message, signature).ok());
    }
  }
}

TEST_CASE("a private value gives the same key share in every provider") {
  for_each_pair([](const Provider& a, const Provider& b) {
    for (Group g : kAllGroups) {
      if (!a.supports(g) || !b.supports(g)) continue;
      INFO(name(g));
      // Draw scalars until a accepts one (a NIST scalar may exceed the order
      // with negligible probability; the loop makes that impossible to flake).
      // P-521's order is 521 bits in 66 bytes: the top byte keeps one bit.
      for (int attempt = 0; attempt < 4; ++attempt) {
        auto priv = random_bytes(a, secret_len(g));
        if (g == Group::kSecp521r1) priv[0] &= 0x01;
        auto sa = a.key_share_from_private(g, priv);
        if (!sa.ok()) continue;
        auto sb = b.key_share_from_private(g, priv);
        REQUIRE(sb.ok());
        CHECK(std::vector<uint8_t>((*sa)->public_key().begin(), (*sa)->public_key().end()) ==
              std::vector<uint8_t>((*sb)->public_key().begin(), (*sb)->public_key().end()));
        break;
      }
    }
  });
}

}  // namespace
}  // namespace sluice::testing

// The composite provider: each request goes to the first member that claims
// it, requests nobody claims answer kUnsupported, and default_provider()
// covers the union of what the linked providers offer.
#include <doctest/doctest.h>

#include <set>

#include "base/heap_counter.h"
#include "crypto/composite/composite_provider.h"
#include "crypto/ipsecmb/ipsecmb_provider.h"
#include "tests/crypto/providers_under_test.h"
#include "tests/crypto/test_util.h"

namespace sluice::crypto {
namespace {

// FakeProvider claims a configurable set of algorithms and records which
// calls reached it. Its operations do no cryptography: they fail with
// kInternal, which the composite must pass through unchanged.
class FakeProvider final : public Provider {
 public:
  std::set<HashAlg> hashes;
  std::set<AeadAlg> aeads;
  std::set<Group> groups;
  std::set<SignatureScheme> verifies;
  std::set<KeyType> signs;
  mutable int calls = 0;
  mutable int random_calls = 0;

  std::string_view name() const override { return "fake"; }
  bool supports(HashAlg h) const override { return hashes.count(h) > 0; }
  bool supports(AeadAlg a) const override { return aeads.count(a) > 0; }
  bool supports(Group g) const override { return groups.count(g) > 0; }
  bool supports_verify(SignatureScheme s) const override { return verifies.count(s) > 0; }
  bool supports_signing(KeyType k) const override { return signs.count(k) > 0; }
  CResult<std::unique_ptr<Hash>> new_hash(HashAlg) const override { return fail<std::unique_ptr<Hash>>(); }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg, Bytes) const override { return fail<std::unique_ptr<Mac>>(); }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg, Bytes) const override {
    return fail<std::unique_ptr<AeadKey>>();
  }
  CResult<std::unique_ptr<KeyShare>> new_key_share(Group) const override {
    return fail<std::unique_ptr<KeyShare>>();
  }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group, Bytes) const override {
    return fail<std::unique_ptr<KeyShare>>();
  }
  CStatus verify(SignatureScheme, const PublicKey&, Bytes, Bytes) const override {
    ++calls;
    return Err(CryptoError::kInternal);
  }
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial&) const override {
    return fail<std::unique_ptr<Signer>>();
  }
  CResult<PrivateKeyMaterial> generate_key(KeyType, unsigned) const override { return fail<PrivateKeyMaterial>(); }
  CStatus random(MutBytes) const override {
    ++random_calls;
    return Err(CryptoError::kInternal);
  }

 private:
  template <class T>
  CResult<T> fail() const {
    ++calls;
    return Err(CryptoError::kInternal);
  }
};

TEST_CASE("each request goes to the first member that claims it") {
  auto first = std::make_shared<FakeProvider>();
  auto second = std::make_shared<FakeProvider>();
  first->hashes = {HashAlg::kSha256};
  first->groups = {Group::kX25519};
  first->verifies = {SignatureScheme::kEd25519};
  first->signs = {KeyType::kEd25519};
  second->hashes = {HashAlg::kSha256, HashAlg::kSha384};
  second->aeads = {AeadAlg::kAes128Gcm};
  second->groups = {Group::kX25519, Group::kSecp256r1};
  second->verifies = {SignatureScheme::kEd25519, SignatureScheme::kRsaPssRsaeSha256};
  second->signs = {KeyType::kRsa};
  auto composite = make_composite_provider({first, nullptr, second});
  CHECK(composite->name() == "composite(fake+fake)");

  auto expect_routed = [&](auto&& call, FakeProvider& owner) {
    const int before_first = first->calls, before_second = second->calls;
    CHECK(call() == CryptoError::kInternal);  // the member's own error, passed through
    CHECK(first->calls - before_first == (&owner == first.get() ? 1 : 0));
    CHECK(second->calls - before_second == (&owner == second.get() ? 1 : 0));
  };
  const std::vector<uint8_t> bytes(32, 1);
  std::vector<uint8_t> out(64);
  expect_routed([&] { return composite->new_hash(HashAlg::kSha256).error(); }, *first);
  expect_routed([&] { return composite->new_hash(HashAlg::kSha384).error(); }, *second);
  expect_routed([&] { return composite->new_hmac(HashAlg::kSha384, bytes).error(); }, *second);
  expect_routed([&] { return composite->hkdf_extract(HashAlg::kSha384, bytes, bytes, out).error(); }, *second);
  expect_routed([&] { return composite->new_aead(AeadAlg::kAes128Gcm, bytes).error(); }, *second);
  expect_routed([&] { return composite->new_key_share(Group::kX25519).error(); }, *first);
  expect_routed([&] { return composite->key_share_from_private(Group::kSecp256r1, bytes).error(); }, *second);
  expect_routed([&] { return composite->verify(SignatureScheme::kEd25519, PublicKey{}, bytes, bytes).error(); },
                *first);
  expect_routed(
      [&] { return composite->verify(SignatureScheme::kRsaPssRsaeSha256, PublicKey{}, bytes, bytes).error(); },
      *second);
  PrivateKeyMaterial rsa;
  rsa.type = KeyType::kRsa;
  expect_routed([&] { return composite->new_signer(rsa).error(); }, *second);
  expect_routed([&] { return composite->generate_key(KeyType::kEd25519, 0).error(); }, *first);

  // Nobody claims these: kUnsupported, and no member is called.
  const int total = first->calls + second->calls;
  CHECK_FALSE(composite->supports(HashAlg::kSha512));
  CHECK(composite->new_hash(HashAlg::kSha512).error() == CryptoError::kUnsupported);
  CHECK(composite->new_aead(AeadAlg::kChaCha20Poly1305, bytes).error() == CryptoError::kUnsupported);
  CHECK(composite->new_key_share(Group::kSecp384r1).error() == CryptoError::kUnsupported);
  CHECK(composite->verify(SignatureScheme::kRsaPkcs1Sha256, PublicKey{}, bytes, bytes).error() ==
        CryptoError::kUnsupported);
  CHECK(composite->generate_key(KeyType::kEcdsaP384, 0).error() == CryptoError::kUnsupported);
  CHECK(first->calls + second->calls == total);

  // Randomness comes from the first member.
  CHECK(composite->random(out).error() == CryptoError::kInternal);
  CHECK(first->random_calls == 1);
  CHECK(second->random_calls == 0);
}

TEST_CASE("an empty composite supports nothing") {
  auto empty = make_composite_provider({});
  std::vector<uint8_t> out(8);
  CHECK_FALSE(empty->supports(HashAlg::kSha256));
  CHECK(empty->random(out).error() == CryptoError::kUnsupported);
  CHECK(empty->new_key_share(Group::kX25519).error() == CryptoError::kUnsupported);
}

TEST_CASE("default_provider covers the union of the linked providers and works") {
  auto p = default_provider();
  REQUIRE(p != nullptr);
  CHECK(p == default_provider());  // built once
  for (const auto& put : testing::providers_under_test()) {
    INFO(put.name);
    for (HashAlg h : testing::kAllHashes)
      if (put.provider->supports(h)) CHECK(p->supports(h));
    for (AeadAlg a : testing::kAllAeads)
      if (put.provider->supports(a)) CHECK(p->supports(a));
    for (Group g : testing::kAllGroups)
      if (put.provider->supports(g)) CHECK(p->supports(g));
    for (SignatureScheme s : testing::kAllSchemes)
      if (put.provider->supports_verify(s)) CHECK(p->supports_verify(s));
  }
  // A full X25519 exchange and an AEAD round trip through the composite.
  auto a = p->new_key_share(Group::kX25519), b = p->new_key_share(Group::kX25519);
  REQUIRE((a.ok() && b.ok()));
  auto ka = (*a)->agree((*b)->public_key()), kb = (*b)->agree((*a)->public_key());
  REQUIRE((ka.ok() && kb.ok()));
  CHECK(ct_equal(*ka, *kb));
  auto key = p->new_aead(AeadAlg::kChaCha20Poly1305, *ka);
  REQUIRE(key.ok());
  std::vector<uint8_t> msg(100, 0x5a), tag(16), nonce(12, 3);
  REQUIRE((*key)->seal(nonce, Bytes(), msg, tag).ok());
  REQUIRE((*key)->open(nonce, Bytes(), msg, tag).ok());
  CHECK(msg == std::vector<uint8_t>(100, 0x5a));
}

std::shared_ptr<const Provider> member(std::string_view name) {
  for (const auto& put : testing::providers_under_test())
    if (put.name == name) return put.provider;
  FAIL("no provider under test named " << name);
  return nullptr;
}

TEST_CASE("P-521 and RSA-PSS keys come from the member that has them") {
  // libsodium has neither, so a composite of it alone answers kUnsupported;
  // with BearSSL behind it, BearSSL's implementation is used.
  auto sodium_only = make_composite_provider({member("libsodium")});
  CHECK_FALSE(sodium_only->supports(Group::kSecp521r1));
  CHECK(sodium_only->new_key_share(Group::kSecp521r1).error() == CryptoError::kUnsupported);
  CHECK_FALSE(sodium_only->supports_verify(SignatureScheme::kRsaPssPssSha256));
  CHECK_FALSE(sodium_only->supports_verify(SignatureScheme::kEcdsaSecp521r1Sha512));
  CHECK(sodium_only->generate_key(KeyType::kRsaPss, 2048).error() == CryptoError::kUnsupported);
  CHECK(sodium_only->generate_key(KeyType::kEcdsaP521).error() == CryptoError::kUnsupported);

  auto both = make_composite_provider({member("libsodium"), member("bearssl")});
  auto a = both->new_key_share(Group::kSecp521r1), b = both->new_key_share(Group::kSecp521r1);
  REQUIRE((a.ok() && b.ok()));
  CHECK((*a)->public_key().size() == 133);
  auto ka = (*a)->agree((*b)->public_key()), kb = (*b)->agree((*a)->public_key());
  REQUIRE((ka.ok() && kb.ok()));
  CHECK(ka->size() == 66);
  CHECK(ct_equal(*ka, *kb));
  for (auto [type, scheme] : {std::pair{KeyType::kEcdsaP521, SignatureScheme::kEcdsaSecp521r1Sha512},
                              std::pair{KeyType::kRsaPss, SignatureScheme::kRsaPssPssSha384}}) {
    INFO(name(scheme));
    const PrivateKeyMaterial* key = testing::cached_signing_key(*member("bearssl"), type);
    REQUIRE(key != nullptr);
    auto signer = both->new_signer(*key);
    REQUIRE(signer.ok());
    std::vector<uint8_t> sig;
    const std::vector<uint8_t> msg(50, 0x33);
    REQUIRE((*signer)->sign(scheme, msg, sig).ok());
    CHECK(both->verify(scheme, (*signer)->public_key(), msg, sig).ok());
    CHECK(sodium_only->verify(scheme, (*signer)->public_key(), msg, sig).error() == CryptoError::kUnsupported);
  }
}

TEST_CASE("the composite's HMAC and TLS 1.2 PRF go to the hash's owner and make no heap call") {
  // Through Provider's generic hmac_parts they would make one (new_hmac).
  const auto provider = default_provider();
  const std::vector<uint8_t> key(32, 7), data(100, 1);
  const Bytes parts[] = {data, data};
  std::vector<uint8_t> mac(32), prf(104);
  REQUIRE(provider->hmac_parts(HashAlg::kSha256, key, parts, mac).ok());
  const uint64_t before = heap_stats().allocations;
  REQUIRE(provider->hmac_parts(HashAlg::kSha256, key, parts, mac).ok());
  REQUIRE(provider->tls12_prf(HashAlg::kSha256, key, parts, prf).ok());
  CHECK(heap_stats().allocations == before);
}

TEST_CASE("a subset provider lets through only its groups and key types") {
  auto libcrypto = member("libcrypto");
  auto subset = make_subset_provider(libcrypto, {.groups = {Group::kSecp256r1}, .key_types = {KeyType::kEcdsaP256}});
  CHECK(subset->name() == "libcrypto[public-key]");
  // Refused although libcrypto has them.
  CHECK_FALSE(subset->supports(HashAlg::kSha256));
  CHECK_FALSE(subset->supports(AeadAlg::kAes128Gcm));
  CHECK_FALSE(subset->supports(Group::kX25519));
  CHECK_FALSE(subset->supports_verify(SignatureScheme::kEd25519));
  CHECK_FALSE(subset->supports_signing(KeyType::kRsa));
  CHECK(subset->new_key_share(Group::kX25519).error() == CryptoError::kUnsupported);
  CHECK(subset->new_aead(AeadAlg::kAes128Gcm, std::vector<uint8_t>(16)).error() == CryptoError::kUnsupported);
  CHECK(subset->generate_key(KeyType::kEd25519).error() == CryptoError::kUnsupported);
  std::vector<uint8_t> out(8);
  CHECK(subset->random(out).error() == CryptoError::kUnsupported);

  // Let through, and working: a P-256 exchange and an ECDSA signature that
  // BearSSL verifies.
  CHECK(subset->supports(Group::kSecp256r1));
  auto a = subset->new_key_share(Group::kSecp256r1), b = member("bearssl")->new_key_share(Group::kSecp256r1);
  REQUIRE((a.ok() && b.ok()));
  auto ka = (*a)->agree((*b)->public_key()), kb = (*b)->agree((*a)->public_key());
  REQUIRE((ka.ok() && kb.ok()));
  CHECK(ct_equal(*ka, *kb));
  const PrivateKeyMaterial* key = testing::cached_signing_key(*member("bearssl"), KeyType::kEcdsaP256);
  REQUIRE(key != nullptr);
  auto signer = subset->new_signer(*key);
  REQUIRE(signer.ok());
  std::vector<uint8_t> sig;
  const std::vector<uint8_t> msg(50, 0x33);
  REQUIRE((*signer)->sign(SignatureScheme::kEcdsaSecp256r1Sha256, msg, sig).ok());
  CHECK(member("bearssl")->verify(SignatureScheme::kEcdsaSecp256r1Sha256, (*signer)->public_key(), msg, sig).ok());
  CHECK(subset->verify(SignatureScheme::kEd25519, (*signer)->public_key(), msg, sig).error() ==
        CryptoError::kUnsupported);
}

TEST_CASE("default_provider puts IPsec MB first where the CPU has AES-NI, PCLMULQDQ and AVX2") {
  const bool cpu_has = __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul") &&
                       __builtin_cpu_supports("avx2");
  CHECK((make_ipsecmb_provider() != nullptr) == cpu_has);
  const std::string_view name = default_provider()->name();
  INFO(name);
  if (cpu_has) {
    CHECK(name.starts_with("composite(ipsec-mb+"));
  } else {
    CHECK(name.find("ipsec-mb") == std::string_view::npos);
    MESSAGE("NOT RUN: the IPsec MB part of this test (this CPU lacks AES-NI, PCLMULQDQ or AVX2)");
  }
  // The NIST curves and RSA come from libcrypto (this test is not built
  // with --define=sluice_crypto=lean), ahead of BearSSL.
  const size_t libcrypto = name.find("+libcrypto[public-key]+"), bearssl = name.find("+bearssl)");
  CHECK(libcrypto != std::string_view::npos);
  CHECK(libcrypto < bearssl);
}

}  // namespace
}  // namespace sluice::crypto

// DangerDeterministicProvider: reproducible randomness, queued values first,
// queued and derived key shares, recorded signatures.
#include <doctest/doctest.h>

#include "base/hex.h"
#include "crypto/deterministic/deterministic_provider.h"
#include "crypto/sodium/sodium_provider.h"

namespace sluice::crypto {
namespace {

std::shared_ptr<const Provider> base() {
  static const std::shared_ptr<const Provider> p = make_sodium_provider();
  return p;
}

std::vector<uint8_t> hex(std::string_view s) {
  auto v = from_hex(s);
  REQUIRE(v);
  return *v;
}

std::vector<uint8_t> draw(const Provider& p, size_t n) {
  std::vector<uint8_t> out(n);
  REQUIRE(p.random(out).ok());
  return out;
}

const std::vector<uint8_t> kSeed = {'s', 'e', 'e', 'd'};

TEST_CASE("the stream is a function of the seed, SHA-256(seed || counter)") {
  auto a = make_danger_deterministic_provider(base(), kSeed);
  auto b = make_danger_deterministic_provider(base(), kSeed);
  auto c = make_danger_deterministic_provider(base(), std::vector<uint8_t>{'o', 't', 'h', 'e', 'r'});
  // Different call sizes must not change the stream: 7 + 50 bytes from `a`
  // equal 57 bytes from `b`.
  auto a1 = draw(*a, 7), a2 = draw(*a, 50);
  a1.insert(a1.end(), a2.begin(), a2.end());
  const auto b_all = draw(*b, 57);
  CHECK(a1 == b_all);
  CHECK(draw(*c, 57) != b_all);

  std::vector<uint8_t> block0_input = kSeed, block1_input = kSeed;
  block0_input.insert(block0_input.end(), {0, 0, 0, 0, 0, 0, 0, 0});
  block1_input.insert(block1_input.end(), {0, 0, 0, 0, 0, 0, 0, 1});
  std::vector<uint8_t> block0(32), block1(32);
  REQUIRE(base()->hash(HashAlg::kSha256, block0_input, block0).ok());
  REQUIRE(base()->hash(HashAlg::kSha256, block1_input, block1).ok());
  CHECK(std::vector<uint8_t>(b_all.begin(), b_all.begin() + 32) == block0);
  CHECK(std::vector<uint8_t>(b_all.begin() + 32, b_all.end()) == std::vector<uint8_t>(block1.begin(), block1.begin() + 25));
}

TEST_CASE("queued random bytes come first, then the stream resumes") {
  auto p = make_danger_deterministic_provider(base(), kSeed);
  auto reference = make_danger_deterministic_provider(base(), kSeed);
  p->queue_random(std::vector<uint8_t>{1, 2, 3});
  p->queue_random(std::vector<uint8_t>{4});
  const auto got = draw(*p, 6);
  const auto stream = draw(*reference, 2);
  CHECK(got == std::vector<uint8_t>{1, 2, 3, 4, stream[0], stream[1]});
}

TEST_CASE("key shares: queued private first, then reproducible derived ones") {
  auto p = make_danger_deterministic_provider(base(), kSeed);
  auto twin = make_danger_deterministic_provider(base(), kSeed);
  // RFC 7748 §6.1 Alice.
  p->queue_key_share(Group::kX25519, hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto queued = p->new_key_share(Group::kX25519);
  REQUIRE(queued.ok());
  CHECK(to_hex((*queued)->public_key()) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");

  auto derived = p->new_key_share(Group::kX25519);
  auto derived_twin = twin->new_key_share(Group::kX25519);
  REQUIRE((derived.ok() && derived_twin.ok()));
  CHECK(to_hex((*derived)->public_key()) == to_hex((*derived_twin)->public_key()));
  CHECK(to_hex((*derived)->public_key()) != to_hex((*queued)->public_key()));

  // A bad queued value is reported, not silently replaced.
  p->queue_key_share(Group::kX25519, std::vector<uint8_t>(5, 1));
  CHECK_FALSE(p->new_key_share(Group::kX25519).ok());
  CHECK(p->new_key_share(Group::kSecp256r1).error() == CryptoError::kUnsupported);  // base lacks it
}

TEST_CASE("signers answer recorded signatures for exact messages, else sign for real") {
  auto p = make_danger_deterministic_provider(base(), kSeed);
  auto key = p->generate_key(KeyType::kEd25519, 0);
  REQUIRE(key.ok());
  auto twin_key = make_danger_deterministic_provider(base(), kSeed)->generate_key(KeyType::kEd25519, 0);
  REQUIRE(twin_key.ok());
  CHECK(key->public_key.point == twin_key->public_key.point);  // generated from the stream

  auto signer = p->new_signer(*key);
  REQUIRE(signer.ok());
  const std::vector<uint8_t> traced = {'t', 'r', 'a', 'c', 'e'}, other = {'o', 't', 'h', 'e', 'r'};
  const std::vector<uint8_t> recorded(64, 0xab);
  p->record_signature(traced, recorded);  // after new_signer: still applies

  std::vector<uint8_t> sig;
  REQUIRE((*signer)->sign(SignatureScheme::kEd25519, traced, sig).ok());
  CHECK(sig == recorded);
  REQUIRE((*signer)->sign(SignatureScheme::kEd25519, other, sig).ok());
  CHECK(sig != recorded);
  CHECK(p->verify(SignatureScheme::kEd25519, (*signer)->public_key(), other, sig).ok());
  auto real = base()->new_signer(*key);
  REQUIRE(real.ok());
  std::vector<uint8_t> real_sig;
  REQUIRE((*real)->sign(SignatureScheme::kEd25519, other, real_sig).ok());
  CHECK(sig == real_sig);  // Ed25519 is deterministic: delegation is visible
  CHECK((*signer)->sign(SignatureScheme::kRsaPssRsaeSha256, traced, sig).error() == CryptoError::kUnsupported);
}

}  // namespace
}  // namespace sluice::crypto

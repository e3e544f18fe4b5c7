// HPKE base mode (crypto/hpke.h) on every provider: RFC 9180 Appendix A.1.1's
// known answer (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM), and
// round trips with every AEAD and KDF, sequence numbers and tampering.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto/hpke.h"
#include "tests/crypto/providers_under_test.h"

namespace sluice::crypto {
namespace {

std::vector<uint8_t> unhex(std::string_view s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

// RFC 9180 A.1.1.
const auto kSkE = unhex("52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736");
const auto kSkR = unhex("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8");
const auto kPkR = unhex("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d");
const auto kInfo = unhex("4f6465206f6e2061204772656369616e2055726e");
const auto kEnc = unhex("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
const auto kAad0 = unhex("436f756e742d30");
const auto kPlain = unhex("4265617574792069732074727574682c20747275746820626561757479");
const auto kCt0 = unhex("f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a");

TEST_CASE("HPKE: RFC 9180 A.1.1 on every provider that has X25519") {
  int ran = 0;
  for (const auto& [name, p] : testing::providers_under_test()) {
    if (!hpke_supported(*p, HpkeSuite{})) continue;
    CAPTURE(name);
    CHECK(*hpke_public_key(*p, kHpkeKemX25519Sha256, kSkR) == kPkR);
    auto sender = HpkeSetup::sender_with_ephemeral(*p, kHpkeKemX25519Sha256, HpkeSuite{}, kPkR, kInfo, kSkE);
    REQUIRE(sender.ok());
    CHECK(sender->enc == kEnc);
    std::vector<uint8_t> ct;
    REQUIRE(sender->context.seal(kAad0, kPlain, ct).ok());
    CHECK(ct == kCt0);
    auto recipient = HpkeSetup::recipient(*p, kHpkeKemX25519Sha256, HpkeSuite{}, kSkR, kEnc, kInfo);
    REQUIRE(recipient.ok());
    std::vector<uint8_t> pt;
    REQUIRE(recipient->open(kAad0, kCt0, pt).ok());
    CHECK(pt == kPlain);
    ++ran;
  }
  CHECK(ran >= 2);
}

TEST_CASE("HPKE: every suite round-trips in sequence; a wrong tag, AAD, info or key fails") {
  const HpkeSuite suites[] = {{kHpkeKdfSha256, kHpkeAeadAes128Gcm},
                              {kHpkeKdfSha256, kHpkeAeadAes256Gcm},
                              {kHpkeKdfSha256, kHpkeAeadChaCha20Poly1305},
                              {kHpkeKdfSha384, kHpkeAeadAes128Gcm},
                              {kHpkeKdfSha512, kHpkeAeadChaCha20Poly1305}};
  for (const auto& [name, p] : testing::providers_under_test()) {
    for (const HpkeSuite s : suites) {
      if (!hpke_supported(*p, s)) continue;
      CAPTURE(name);
      CAPTURE(s.kdf);
      CAPTURE(s.aead);
      auto sender = HpkeSetup::sender(*p, kHpkeKemX25519Sha256, s, kPkR, kInfo);
      REQUIRE(sender.ok());
      std::vector<uint8_t> c0, c1;
      REQUIRE(sender->context.seal(kAad0, kPlain, c0).ok());
      REQUIRE(sender->context.seal(kAad0, kPlain, c1).ok());
      CHECK(c0 != c1);  // each message has its own nonce
      auto recipient = HpkeSetup::recipient(*p, kHpkeKemX25519Sha256, s, kSkR, sender->enc, kInfo);
      REQUIRE(recipient.ok());
      std::vector<uint8_t> pt;
      // Out of order fails and does not advance the sequence.
      CHECK(recipient->open(kAad0, c1, pt).error() == CryptoError::kAuthFailed);
      CHECK(pt.empty());
      auto tampered = c0;
      tampered.back() ^= 1;
      CHECK(!recipient->open(kAad0, tampered, pt).ok());
      CHECK(!recipient->open(kInfo, c0, pt).ok());
      REQUIRE(recipient->open(kAad0, c0, pt).ok());
      CHECK(pt == kPlain);
      REQUIRE(recipient->open(kAad0, c1, pt).ok());
      CHECK(pt == kPlain);
      auto other_info = HpkeSetup::recipient(*p, kHpkeKemX25519Sha256, s, kSkR, sender->enc, kAad0);
      REQUIRE(other_info.ok());
      CHECK(!other_info->open(kAad0, c0, pt).ok());
      auto other_key = HpkeSetup::recipient(*p, kHpkeKemX25519Sha256, s, kSkE, sender->enc, kInfo);
      REQUIRE(other_key.ok());
      CHECK(!other_key->open(kAad0, c0, pt).ok());
    }
  }
}

TEST_CASE("HPKE: malformed inputs are errors, not crashes") {
  const Provider* any = nullptr;
  for (const auto& put : testing::providers_under_test()) {
    if (!any && hpke_supported(*put.provider, HpkeSuite{})) any = put.provider.get();
  }
  REQUIRE(any != nullptr);
  const Provider& p = *any;
  CHECK(HpkeSetup::sender(p, 0x0010, HpkeSuite{}, kPkR, kInfo).error() == CryptoError::kUnsupported);
  CHECK(HpkeSetup::sender(p, kHpkeKemX25519Sha256, HpkeSuite{0x1111, 1}, kPkR, kInfo).error() ==
        CryptoError::kUnsupported);
  CHECK(!HpkeSetup::sender(p, kHpkeKemX25519Sha256, HpkeSuite{}, Bytes(kPkR).first(31), kInfo).ok());
  CHECK(!HpkeSetup::recipient(p, kHpkeKemX25519Sha256, HpkeSuite{}, kSkR, Bytes(kEnc).first(16), kInfo).ok());
  // An all-zero public value has an all-zero X25519 result.
  const std::vector<uint8_t> zero(32);
  CHECK(!HpkeSetup::recipient(p, kHpkeKemX25519Sha256, HpkeSuite{}, kSkR, zero, kInfo).ok());
  auto recipient = HpkeSetup::recipient(p, kHpkeKemX25519Sha256, HpkeSuite{}, kSkR, kEnc, kInfo);
  REQUIRE(recipient.ok());
  std::vector<uint8_t> pt;
  CHECK(!recipient->open(kAad0, Bytes(kCt0).first(15), pt).ok());
}

}  // namespace
}  // namespace sluice::crypto

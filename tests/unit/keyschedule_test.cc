// The TLS 1.3 key schedule (core/keyschedule) refuses steps out of order
// (STYLE.md practice 14), and the transcript (core/transcript) buffers until
// its hash is known, then hashes what it buffered.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/keyschedule.h"
#include "core/transcript.h"
#include "crypto/sodium/sodium_provider.h"

namespace sluice {
namespace {

std::shared_ptr<const crypto::Provider> provider() {
  static std::shared_ptr<const crypto::Provider> p = crypto::make_sodium_provider();
  return p;
}

}  // namespace

TEST_CASE("key schedule: each step only after the one before it") {
  const auto& p = *provider();
  const std::vector<uint8_t> hash(32, 7), shared(32, 9);
  {
    KeySchedule ks(p, crypto::HashAlg::kSha256);
    CHECK(!ks.advance_with_shared_secret(shared, hash).ok());  // before start_early
    CHECK(!ks.advance_to_master(hash).ok());
    CHECK(!ks.resumption_master(hash).ok());
    CHECK(!ks.binder_key().ok());
  }
  KeySchedule ks(p, crypto::HashAlg::kSha256);
  REQUIRE(ks.start_early({}).ok());
  CHECK(!ks.start_early({}).ok());  // twice
  CHECK(ks.binder_key().ok());
  CHECK(!ks.advance_to_master(hash).ok());  // skipping the handshake secret
  auto hs = ks.advance_with_shared_secret(shared, hash);
  REQUIRE(hs);
  CHECK(hs->client.size() == 32);
  CHECK(!ks.binder_key().ok());  // the early secret is gone
  CHECK(!ks.client_early_traffic_secret(hash).ok());
  auto app = ks.advance_to_master(hash);
  REQUIRE(app);
  CHECK(app->client.size() == 32);
  CHECK(ks.exporter_master().size() == 32);
  CHECK(ks.resumption_master(hash).ok());
  CHECK(!ks.resumption_master(hash).ok());  // the schedule is done
}

TEST_CASE("HKDF-Expand-Label: several labels under one secret give what one at a time gives") {
  const auto& p = *provider();
  for (crypto::HashAlg h : {crypto::HashAlg::kSha256, crypto::HashAlg::kSha512}) {
    const size_t n = crypto::hash_len(h);
    const std::vector<uint8_t> secret(n, 0x42), context(n, 0x17);
    std::vector<uint8_t> a(16), b(12), c(n), d(2 * n + 3);
    const LabelOutput outputs[] = {{"key", {}, a}, {"iv", {}, b}, {"c hs traffic", context, c}, {"derived", context, d}};
    REQUIRE(hkdf_expand_labels(p, h, secret, outputs).ok());
    for (const LabelOutput& o : outputs) {
      INFO(o.label);
      std::vector<uint8_t> one(o.out.size());
      REQUIRE(hkdf_expand_label(p, h, secret, o.label, o.context, one).ok());
      CHECK(std::vector<uint8_t>(o.out.begin(), o.out.end()) == one);
    }
    // Distinct labels (and lengths, which HkdfLabel encodes) give distinct keys.
    CHECK(std::vector<uint8_t>(c.begin(), c.begin() + 12) != b);
    CHECK(!std::equal(a.begin(), a.end(), c.begin()));
  }
  std::vector<uint8_t> out(32);
  const std::vector<uint8_t> secret(32, 1);
  const LabelOutput too_many[] = {{"a", {}, out}, {"b", {}, out}, {"c", {}, out}, {"d", {}, out}, {"e", {}, out}};
  static_assert(std::size(too_many) > kMaxLabelsAtOnce);
  CHECK(!hkdf_expand_labels(p, crypto::HashAlg::kSha256, secret, too_many).ok());
  // A label longer than HkdfLabel allows (RFC 8446 §7.1: at most 255 bytes
  // with "tls13 ") is refused, not truncated.
  const std::string long_label(250, 'x');
  CHECK(!hkdf_expand_label(p, crypto::HashAlg::kSha256, secret, long_label, {}, out).ok());
}

TEST_CASE("traffic keys: the key and IV are HKDF-Expand-Label's \"key\" and \"iv\" (RFC 8446 §7.3)") {
  const auto& p = *provider();
  const std::vector<uint8_t> secret(32, 0x33);
  auto keys = derive_traffic_keys(p, crypto::HashAlg::kSha256, crypto::AeadAlg::kAes128Gcm, secret);
  REQUIRE(keys);
  std::vector<uint8_t> key(16), iv(12);
  REQUIRE(hkdf_expand_label(p, crypto::HashAlg::kSha256, secret, "key", {}, key).ok());
  REQUIRE(hkdf_expand_label(p, crypto::HashAlg::kSha256, secret, "iv", {}, iv).ok());
  CHECK(std::vector<uint8_t>(keys->key.span().begin(), keys->key.span().end()) == key);
  CHECK(std::vector<uint8_t>(keys->iv.span().begin(), keys->iv.span().end()) == iv);
}

TEST_CASE("transcript: buffered until the hash is chosen, the same digest either way") {
  const auto& p = *provider();
  const std::vector<uint8_t> m1 = {1, 0, 0, 1, 0x42}, m2 = {2, 0, 0, 2, 0x43, 0x44};
  Transcript late, early;
  late.add(m1);
  late.add(m2);
  REQUIRE(late.select_hash(p, crypto::HashAlg::kSha256).ok());
  REQUIRE(early.select_hash(p, crypto::HashAlg::kSha256).ok());
  early.add(m1);
  early.add(m2);
  std::vector<uint8_t> a(32), b(32), direct(32);
  late.current(a);
  early.current(b);
  std::vector<uint8_t> both = m1;
  both.insert(both.end(), m2.begin(), m2.end());
  REQUIRE(p.hash(crypto::HashAlg::kSha256, both, direct).ok());
  CHECK(a == b);
  CHECK(a == direct);
  // hash_with adds bytes without keeping them; copy forks the running hash.
  std::vector<uint8_t> with(32), after(32);
  REQUIRE(early.hash_with(p, crypto::HashAlg::kSha256, m1, with).ok());
  early.current(after);
  CHECK(after == a);
  CHECK(with != a);
  Transcript fork = early.copy();
  fork.add(m1);
  std::vector<uint8_t> forked(32);
  fork.current(forked);
  CHECK(forked == with);
}

TEST_CASE("transcript: after a HelloRetryRequest the first hello becomes message_hash (RFC 8446 §4.4.1)") {
  const auto& p = *provider();
  const std::vector<uint8_t> hello = {1, 0, 0, 2, 0xaa, 0xbb};
  Transcript t;
  t.add(hello);
  REQUIRE(t.select_hash(p, crypto::HashAlg::kSha256).ok());
  t.replace_with_message_hash();
  std::vector<uint8_t> got(32), inner(32), expect(32);
  t.current(got);
  REQUIRE(p.hash(crypto::HashAlg::kSha256, hello, inner).ok());
  std::vector<uint8_t> synthetic = {254, 0, 0, 32};
  synthetic.insert(synthetic.end(), inner.begin(), inner.end());
  REQUIRE(p.hash(crypto::HashAlg::kSha256, synthetic, expect).ok());
  CHECK(got == expect);
}

}  // namespace sluice

#include "core/keyschedule12.h"

#include <algorithm>
#include <array>

namespace sluice {

Result<void, Error> prf12(const crypto::Provider& p, crypto::HashAlg h, Bytes secret, std::string_view label,
                          Bytes seed_a, Bytes seed_b, MutBytes out) {
  // P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
  // with A(0) = seed and A(i) = HMAC(secret, A(i-1)); seed = label + seed_a + seed_b.
  const Bytes label_bytes(reinterpret_cast<const uint8_t*>(label.data()), label.size());
  const size_t n = crypto::hash_len(h);
  std::array<uint8_t, crypto::kMaxHashLen> a{}, block{};
  const std::array<Bytes, 3> seed = {label_bytes, seed_a, seed_b};
  SLUICE_TRY(p.hmac_parts(h, secret, seed, MutBytes(a.data(), n)));
  size_t done = 0;
  while (done < out.size()) {
    const std::array<Bytes, 4> parts = {Bytes(a.data(), n), label_bytes, seed_a, seed_b};
    SLUICE_TRY(p.hmac_parts(h, secret, parts, MutBytes(block.data(), n)));
    const size_t k = std::min(n, out.size() - done);
    std::copy_n(block.begin(), k, out.begin() + static_cast<ptrdiff_t>(done));
    done += k;
    const std::array<Bytes, 1> next = {Bytes(a.data(), n)};
    SLUICE_TRY(p.hmac_parts(h, secret, next, MutBytes(a.data(), n)));
  }
  wipe(std::span(block.data(), block.size()));
  wipe(std::span(a.data(), a.size()));
  return {};
}

TlsResult<SecretBytes> extended_master_secret(const crypto::Provider& p, crypto::HashAlg h, Bytes pre_master,
                                              Bytes session_hash) {
  SecretBytes master(48);
  SLUICE_TRY(prf12(p, h, pre_master, "extended master secret", session_hash, {}, master.span()));
  return master;
}

TlsResult<SecretBytes> legacy_master_secret(const crypto::Provider& p, crypto::HashAlg h, Bytes pre_master,
                                            Bytes client_random, Bytes server_random) {
  SecretBytes master(48);
  SLUICE_TRY(prf12(p, h, pre_master, "master secret", client_random, server_random, master.span()));
  return master;
}

TlsResult<Keys12> key_block12(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a, Bytes master,
                              Bytes client_random, Bytes server_random) {
  // RFC 5246 §6.3: key_block = PRF(master, "key expansion", server_random +
  // client_random); AEAD suites take no MAC keys.
  const size_t key_len = crypto::aead_key_len(a), iv_len = iv12_len(a);
  SecretBytes block(2 * key_len + 2 * iv_len);
  SLUICE_TRY(prf12(p, h, master, "key expansion", server_random, client_random, block.span()));
  Bytes b = block.span();
  Keys12 k{SecretBytes(b.subspan(0, key_len)), SecretBytes(b.subspan(key_len, key_len)),
           SecretBytes(b.subspan(2 * key_len, iv_len)), SecretBytes(b.subspan(2 * key_len + iv_len, iv_len))};
  return k;
}

TlsResult<std::array<uint8_t, kFinished12Len>> finished12(const crypto::Provider& p, crypto::HashAlg h, Bytes master,
                                                          bool from_client, Bytes transcript_hash) {
  std::array<uint8_t, kFinished12Len> out{};
  SLUICE_TRY(prf12(p, h, master, from_client ? "client finished" : "server finished", transcript_hash, {}, out));
  return out;
}

}  // namespace sluice

#include "core/keyschedule12.h"

#include <algorithm>
#include <array>

namespace sluice {

Result<void, Error> prf12(const crypto::Provider& p, crypto::HashAlg h, Bytes secret, std::string_view label,
                          Bytes seed_a, Bytes seed_b, MutBytes out) {
  const Bytes seed[] = {Bytes(reinterpret_cast<const uint8_t*>(label.data()), label.size()), seed_a, seed_b};
  SLUICE_TRY(p.tls12_prf(h, secret, seed, out));
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

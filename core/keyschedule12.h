// The TLS 1.2 key schedule: the PRF (RFC 5246 §5) with the suite's hash,
// the extended master secret (RFC 7627 §4), the key block (RFC 5246 §6.3)
// and Finished (§7.4.9).
#pragma once

#include <array>
#include <string_view>

#include "base/secret.h"
#include "core/bytes.h"
#include "core/error.h"
#include "crypto/provider.h"

namespace sluice {

// prf12 fills `out` with PRF(secret, label, seed_a + seed_b).
Result<void, Error> prf12(const crypto::Provider& p, crypto::HashAlg h, Bytes secret, std::string_view label,
                          Bytes seed_a, Bytes seed_b, MutBytes out);

// extended_master_secret: PRF(pre_master, "extended master secret",
// session_hash)[0..47], the session hash being the transcript through
// ClientKeyExchange.
TlsResult<SecretBytes> extended_master_secret(const crypto::Provider& p, crypto::HashAlg h, Bytes pre_master,
                                              Bytes session_hash);

// legacy_master_secret: RFC 5246 §8.1's PRF(pre_master, "master secret",
// client_random + server_random)[0..47], for a peer without RFC 7627 when
// Context::set_require_extended_master_secret(false) allows one.
TlsResult<SecretBytes> legacy_master_secret(const crypto::Provider& p, crypto::HashAlg h, Bytes pre_master,
                                            Bytes client_random, Bytes server_random);

// Keys12 are both directions' AEAD keys and IVs: GCM uses 4 bytes of
// implicit IV (the salt), ChaCha20-Poly1305 12 (RFC 7905 §2).
struct Keys12 {
  SecretBytes client_key, server_key;
  SecretBytes client_iv, server_iv;
};
TlsResult<Keys12> key_block12(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a, Bytes master,
                              Bytes client_random, Bytes server_random);

inline constexpr size_t kFinished12Len = 12;
// finished12: PRF(master, "client finished" / "server finished", hash)[0..11].
TlsResult<std::array<uint8_t, kFinished12Len>> finished12(const crypto::Provider& p, crypto::HashAlg h, Bytes master,
                                                          bool from_client, Bytes transcript_hash);

// iv12_len: implicit IV bytes for an AEAD under TLS 1.2.
constexpr size_t iv12_len(crypto::AeadAlg a) { return a == crypto::AeadAlg::kChaCha20Poly1305 ? 12 : 4; }

}  // namespace sluice

// HKDF-Expand (RFC 5869 §2.3) and TLS 1.2's P_hash (RFC 5246 §5) over an
// HMAC keyed once, for the providers whose keyed HMAC state can be copied:
// each HMAC then costs the compression calls of its own data, not the two
// more of keying HMAC.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "base/secret.h"
#include "crypto/provider.h"

namespace sluice::crypto {

// expand_with runs HKDF-Expand for each of `outputs`, computing every block
// T(i) = HMAC(PRK, T(i-1) || info || i) with `mac`, a callable
// bool(std::span<const Bytes> parts, MutBytes out) that writes hash_len(h)
// bytes of HMAC under the PRK over the concatenated parts and answers false
// on a library failure (then kInternal). An output over 255 * hash_len(h)
// bytes is kInvalidInput, checked before anything is computed.
template <class MacFn>
CStatus expand_with(MacFn&& mac, HashAlg h, std::span<const HkdfOutput> outputs) {
  const size_t n = hash_len(h);
  for (const HkdfOutput& o : outputs) {
    if (o.out.size() > 255 * n) return Err(CryptoError::kInvalidInput);
  }
  uint8_t t[kMaxHashLen];
  CStatus result;
  for (const HkdfOutput& o : outputs) {
    size_t t_len = 0;
    for (size_t done = 0, counter = 1; done < o.out.size() && result; ++counter) {
      const uint8_t c = static_cast<uint8_t>(counter);
      const Bytes parts[] = {Bytes(t, t_len), o.info, Bytes(&c, 1)};
      if (!mac(std::span<const Bytes>(parts), MutBytes(t, n))) {
        result = Err(CryptoError::kInternal);
        break;
      }
      t_len = n;
      const size_t take = std::min(n, o.out.size() - done);
      std::copy_n(t, take, o.out.begin() + static_cast<ptrdiff_t>(done));
      done += take;
    }
  }
  wipe(MutBytes(t, n));
  return result;
}

// p_hash_with fills `out` with P_hash(secret, seed) (RFC 5246 §5):
// HMAC(secret, A(i) || seed) for i = 1, 2, ..., A(0) = seed and A(i) =
// HMAC(secret, A(i-1)), with `mac` as in expand_with, keyed with the
// secret. More than Provider::kMaxPrfSeedParts seed parts is kInvalidInput.
template <class MacFn>
CStatus p_hash_with(MacFn&& mac, HashAlg h, std::span<const Bytes> seed, MutBytes out) {
  if (seed.size() > Provider::kMaxPrfSeedParts) return Err(CryptoError::kInvalidInput);
  const size_t n = hash_len(h);
  uint8_t a[kMaxHashLen], block[kMaxHashLen];
  Bytes parts[Provider::kMaxPrfSeedParts + 1];
  std::copy(seed.begin(), seed.end(), parts + 1);
  const std::span<const Bytes> seed_parts(parts + 1, seed.size()), block_parts(parts, seed.size() + 1);
  CStatus result;
  bool ok = mac(seed_parts, MutBytes(a, n));
  for (size_t done = 0; ok && done < out.size();) {
    parts[0] = Bytes(a, n);
    ok = mac(block_parts, MutBytes(block, n));
    const size_t take = std::min(n, out.size() - done);
    std::copy_n(block, take, out.begin() + static_cast<ptrdiff_t>(done));
    done += take;
    if (ok && done < out.size()) ok = mac(std::span<const Bytes>(parts, 1), MutBytes(a, n));
  }
  if (!ok) result = Err(CryptoError::kInternal);
  wipe(MutBytes(a, n));
  wipe(MutBytes(block, n));
  return result;
}

// expand_keyed is expand_with over copies of `keyed`, an HMAC already keyed
// with the PRK: KeyedMac is copyable, has update(Bytes) and finish(MutBytes)
// (hash_len bytes), and wipes itself when destroyed.
template <class KeyedMac>
CStatus expand_keyed(const KeyedMac& keyed, HashAlg h, std::span<const HkdfOutput> outputs) {
  return expand_with(
      [&keyed](std::span<const Bytes> parts, MutBytes out) {
        KeyedMac mac = keyed;
        for (Bytes p : parts) mac.update(p);
        mac.finish(out);
        return true;
      },
      h, outputs);
}

// p_hash_keyed is p_hash_with over copies of `keyed`, as expand_keyed.
template <class KeyedMac>
CStatus p_hash_keyed(const KeyedMac& keyed, HashAlg h, std::span<const Bytes> seed, MutBytes out) {
  return p_hash_with(
      [&keyed](std::span<const Bytes> parts, MutBytes mac_out) {
        KeyedMac mac = keyed;
        for (Bytes p : parts) mac.update(p);
        mac.finish(mac_out);
        return true;
      },
      h, seed, out);
}

}  // namespace sluice::crypto

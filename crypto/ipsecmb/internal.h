// Internal pieces of the IPsec MB provider.
#pragma once

#include <intel-ipsec-mb.h>

#include <memory>

#include "crypto/provider.h"

namespace sluice::crypto::ipsecmb {

// manager returns the process's one IMB_MGR, set up once for the best code
// path this CPU runs (init_mb_mgr_auto), or nullptr if the CPU is below
// AVX2 or the self-test failed. It is only read after set-up: the provider
// calls the library's direct AEAD functions through its table, and those
// take their whole state as arguments (key data and a per-call context on
// the caller's stack), so many threads may use it at once. The job queue,
// the part of a manager that is not thread-safe, is never touched.
const IMB_MGR* manager();

// new_aead: AES-128/256-GCM or ChaCha20-Poly1305 keyed with `key`.
CResult<std::unique_ptr<AeadKey>> new_aead(const IMB_MGR& mgr, AeadAlg alg, Bytes key);

}  // namespace sluice::crypto::ipsecmb

// DangerAcceptAnyCertificateVerifier: FOR FUZZING ONLY. Accepts every chain,
// so fuzzed server flights get past certificate checks. Its Bazel target is
// visible only inside fuzz/ (nothing else may ever link it).
#pragma once

#include "core/verifier.h"

namespace sluice::fuzz {

class DangerAcceptAnyCertificateVerifier final : public CertificateVerifier {
 public:
  // verify accepts any chain. The token's key is the first certificate's
  // when it parses (so the X.509 parser runs on fuzzed chains too) and a
  // fixed Ed25519 key otherwise.
  TlsResult<CertVerified> verify(const CertificateRequest& req) const override;
};

}  // namespace sluice::fuzz

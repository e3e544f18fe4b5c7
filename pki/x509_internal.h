// Internal to pki/: the pieces of the X.509 parser shared between files.
#pragma once

#include <string_view>

#include "core/error.h"
#include "pki/der.h"
#include "pki/x509.h"

namespace sluice::pki::internal {

// parse_extensions reads the contents of the [3] Extensions field into `cert`.
[[nodiscard]] TlsResult<void> parse_extensions(DerReader exts, Certificate& cert);

// parse_name checks a Name's structure and returns its commonName (the first
// one, for diagnostics) as a view into `name_value`, or an empty view.
[[nodiscard]] TlsResult<std::string_view> parse_name(Bytes name_value);

inline Error malformed(const char* detail) { return Error(Reason::kBadCertificate, detail); }
inline Error unsupported(const char* detail) {
  return Error(Reason::kUnsupportedCertificate, detail);
}

}  // namespace sluice::pki::internal

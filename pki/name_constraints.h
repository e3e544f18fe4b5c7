// Name constraints (RFC 5280 §4.2.1.10) for dNSName and iPAddress.
#pragma once

#include <string_view>

#include "core/error.h"
#include "pki/x509.h"

namespace sluice::pki {

// dns_in_subtree says whether `name` lies in the dNSName subtree
// `constraint`: "example.com" covers itself and every name below it,
// ".example.com" only the names below it, and "" covers everything.
// Comparison is case-insensitive. A wildcard name "*.x" is treated as the
// literal label "*" under x.
bool dns_in_subtree(std::string_view name, std::string_view constraint);

// ip_in_subnet says whether `address` (4 or 16 bytes) lies in `subnet`
// (an address of another length never does).
bool ip_in_subnet(std::span<const uint8_t> address, const IpSubnet& subnet);

// check_name_constraints checks the dNSName and iPAddress SANs of `cert`
// against `nc`. A violation is Reason::kBadCertificate; constraints of a
// form pki/ does not enforce (directoryName, ...) are kUnsupportedCertificate.
[[nodiscard]] TlsResult<void> check_name_constraints(const NameConstraints& nc,
                                                     const Certificate& cert);

}  // namespace sluice::pki

// Server identity checks (RFC 6125 as profiled by the CA/Browser Forum and
// webpki): DNS names against dNSName SANs with a whole-left-label wildcard
// only, IP literals against iPAddress SANs only, and never the subject CN.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "pki/x509.h"

namespace sluice::pki {

// parse_ip_literal parses a dotted-quad IPv4 address (4 bytes) or an RFC
// 4291 §2.2 IPv6 text address (16 bytes); nullopt when `s` is neither.
std::optional<std::vector<uint8_t>> parse_ip_literal(std::string_view s);

// is_dns_reference says whether `s` is a syntactically valid host name to
// look for: 1..253 characters, labels of 1..63 letters, digits, '-' or '_'
// (not starting or ending with '-'), no wildcard; one trailing dot allowed.
bool is_dns_reference(std::string_view s);

// dns_name_matches compares a presented dNSName with a reference name,
// case-insensitively. A presented wildcard must be the whole left-most label
// ("*.example.com") and then matches exactly one non-empty label; it is
// refused over fewer than two further labels ("*.com"). Partial wildcards
// ("f*o.example.com") never match.
bool dns_name_matches(std::string_view presented, std::string_view reference);

// verify_hostname checks `server_name` (a DNS name or an IP literal) against
// the certificate's subjectAltName. Failures are Reason::kCertificateNameMismatch
// (certificate_unknown), with a detail saying which rule failed.
[[nodiscard]] TlsResult<void> verify_hostname(const Certificate& cert, std::string_view server_name);

}  // namespace sluice::pki

#include "pki/name_constraints.h"

#include <algorithm>

namespace sluice::pki {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// ends_with_label says whether `name` ends with "." + suffix.
bool below(std::string_view name, std::string_view suffix) {
  return name.size() > suffix.size() + 1 && name[name.size() - suffix.size() - 1] == '.' &&
         iequal(name.substr(name.size() - suffix.size()), suffix);
}

// excluded_dns: a wildcard "*.x" stands for every "l.x", so it also
// collides with an excluded subtree "e.x" exactly one label below x.
bool excluded_dns(std::string_view name, std::string_view constraint) {
  if (dns_in_subtree(name, constraint)) return true;
  if (!name.starts_with("*.") || constraint.starts_with(".")) return false;
  std::string_view base = name.substr(2);
  size_t dot = constraint.find('.');
  return dot != std::string_view::npos && dot > 0 && iequal(constraint.substr(dot + 1), base);
}

Error violated(const char* d) { return Error(Reason::kBadCertificate, d); }

}  // namespace

bool dns_in_subtree(std::string_view name, std::string_view constraint) {
  if (constraint.empty()) return true;
  if (constraint.front() == '.') return below(name, constraint.substr(1));
  return iequal(name, constraint) || below(name, constraint);
}

bool ip_in_subnet(std::span<const uint8_t> address, const IpSubnet& subnet) {
  if (address.size() != subnet.address.size()) return false;
  for (size_t i = 0; i < address.size(); ++i)
    if ((address[i] & subnet.mask[i]) != (subnet.address[i] & subnet.mask[i])) return false;
  return true;
}

TlsResult<void> check_name_constraints(const NameConstraints& nc, const Certificate& cert) {
  if (nc.permitted.has_unsupported || nc.excluded.has_unsupported)
    return Err(Error(Reason::kUnsupportedCertificate,
                     "name constraints: directoryName or other unsupported form"));
  for (std::string_view name : cert.dns_names) {
    if (!nc.permitted.dns.empty() &&
        std::none_of(nc.permitted.dns.begin(), nc.permitted.dns.end(),
                     [&](std::string_view c) { return dns_in_subtree(name, c); }))
      return Err(violated("name constraints: dNSName outside the permitted subtrees"));
    for (std::string_view c : nc.excluded.dns)
      if (excluded_dns(name, c)) return Err(violated("name constraints: dNSName in an excluded subtree"));
  }
  for (Bytes ip : cert.ip_addresses) {
    if (!nc.permitted.ip.empty() &&
        std::none_of(nc.permitted.ip.begin(), nc.permitted.ip.end(),
                     [&](const IpSubnet& s) { return ip_in_subnet(ip, s); }))
      return Err(violated("name constraints: iPAddress outside the permitted subtrees"));
    for (const IpSubnet& s : nc.excluded.ip)
      if (ip_in_subnet(ip, s)) return Err(violated("name constraints: iPAddress in an excluded subtree"));
  }
  return {};
}

}  // namespace sluice::pki

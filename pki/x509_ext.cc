// X.509 v3 extensions (RFC 5280 §4.2): the ones pki/ enforces are decoded,
// unknown non-critical ones are skipped, unknown critical ones are flagged.
#include <algorithm>
#include <array>
#include <functional>

#include "pki/der.h"
#include "pki/oid.h"
#include "pki/x509.h"
#include "pki/x509_internal.h"

namespace sluice::pki::internal {
namespace {

// Real certificates carry around ten extensions; the duplicate check is
// quadratic, so the count is bounded (which also lets the OIDs seen so far
// live on the stack).
constexpr size_t kMaxExtensions = 64;

// GeneralName tags (RFC 5280 §4.2.1.6), IMPLICIT.
constexpr uint8_t kGnRfc822 = tag::context_primitive(1);
constexpr uint8_t kGnDns = tag::context_primitive(2);
constexpr uint8_t kGnDirectory = tag::context_constructed(4);
constexpr uint8_t kGnUri = tag::context_primitive(6);
constexpr uint8_t kGnIp = tag::context_primitive(7);

// ia5 accepts an IA5String value (7-bit ASCII) and views it as text.
TlsResult<std::string_view> ia5(Bytes v, const char* detail) {
  for (uint8_t c : v)
    if (c >= 0x80) return Err(malformed(detail));
  return as_text(v);
}

TlsResult<void> basic_constraints(DerReader r, Certificate& cert) {
  DerReader seq = SLUICE_TRY(r.sequence());
  SLUICE_TRY(r.finish("x509: basicConstraints trailing data"));
  cert.has_basic_constraints = true;
  if (seq.peek_tag(tag::kBoolean)) cert.is_ca = SLUICE_TRY(seq.boolean());
  if (seq.peek_tag(tag::kInteger)) {
    // No real path is 255 deep; a larger value behaves as unbounded anyway.
    cert.path_len = static_cast<uint32_t>(SLUICE_TRY(seq.small_uint(255)));
  }
  return seq.finish("x509: basicConstraints trailing data");
}

TlsResult<void> key_usage(DerReader r, Certificate& cert) {
  BitString bits = SLUICE_TRY(r.bit_string());
  SLUICE_TRY(r.finish("x509: keyUsage trailing data"));
  uint16_t mask = 0;
  // Nine named bits (digitalSignature .. decipherOnly).
  for (unsigned i = 0; i < 9; ++i)
    if (bits.bit(i)) mask = static_cast<uint16_t>(mask | 1u << i);
  cert.key_usage = mask;
  return {};
}

TlsResult<void> ext_key_usage(DerReader r, Certificate& cert) {
  DerReader seq = SLUICE_TRY(r.sequence());
  SLUICE_TRY(r.finish("x509: extKeyUsage trailing data"));
  if (seq.empty()) return Err(malformed("x509: empty extKeyUsage"));
  cert.has_eku = true;
  while (!seq.empty()) {
    Bytes purpose = SLUICE_TRY(seq.oid());
    if (oid::oid_is(purpose, oid::kServerAuth)) cert.eku_server_auth = true;
    if (oid::oid_is(purpose, oid::kClientAuth)) cert.eku_client_auth = true;
    if (oid::oid_is(purpose, oid::kAnyExtendedKeyUsage)) cert.eku_any = true;
  }
  return {};
}

TlsResult<void> subject_alt_name(DerReader r, Certificate& cert) {
  DerReader seq = SLUICE_TRY(r.sequence());
  SLUICE_TRY(r.finish("x509: subjectAltName trailing data"));
  if (seq.empty()) return Err(malformed("x509: empty subjectAltName"));
  cert.has_san = true;
  // A first pass counts the names so that each list is allocated once.
  size_t count = 0, num_dns = 0, num_ip = 0;
  for (DerReader scan = seq; !scan.empty();) {
    if (++count > kMaxSanEntries) return Err(malformed("x509: too many subjectAltName entries"));
    Tlv gn = SLUICE_TRY(scan.any());
    if (gn.tag == kGnDns) ++num_dns;
    if (gn.tag == kGnIp) ++num_ip;
  }
  cert.dns_names.reserve(num_dns);
  cert.ip_addresses.reserve(num_ip);
  while (!seq.empty()) {
    Tlv gn = SLUICE_TRY(seq.any());
    if (gn.tag == kGnDns) {
      cert.dns_names.push_back(SLUICE_TRY(ia5(gn.value, "x509: dNSName not IA5")));
    } else if (gn.tag == kGnIp) {
      if (gn.value.size() != 4 && gn.value.size() != 16)
        return Err(malformed("x509: iPAddress is not 4 or 16 bytes"));
      cert.ip_addresses.push_back(gn.value);
    }
  }
  return {};
}

// A nameConstraints iPAddress is address || mask; the mask must be a prefix.
TlsResult<IpSubnet> ip_subnet(Bytes v) {
  if (v.size() != 8 && v.size() != 32) return Err(malformed("x509: bad iPAddress constraint length"));
  ByteReader r(v);
  IpSubnet s;
  if (!r.bytes(v.size() / 2, s.address) || !r.bytes(v.size() / 2, s.mask))
    return Err(malformed("x509: internal"));
  bool ended = false;
  for (uint8_t m : s.mask) {
    for (int bit = 7; bit >= 0; --bit) {
      bool one = (m >> bit) & 1;
      if (one && ended) return Err(malformed("x509: iPAddress constraint mask not a prefix"));
      if (!one) ended = true;
    }
  }
  return s;
}

TlsResult<void> subtrees(DerReader list, GeneralSubtrees& out, size_t& count) {
  if (list.empty()) return Err(malformed("x509: empty GeneralSubtrees"));
  // A first pass counts the subtrees so that each list is allocated once.
  size_t num_dns = 0, num_ip = 0;
  for (DerReader scan = list; !scan.empty();) {
    if (++count > kMaxNameConstraints) return Err(malformed("x509: too many name constraints"));
    DerReader st = SLUICE_TRY(scan.sequence());
    Tlv base = SLUICE_TRY(st.any());
    if (base.tag == kGnDns) ++num_dns;
    if (base.tag == kGnIp) ++num_ip;
  }
  out.dns.reserve(num_dns);
  out.ip.reserve(num_ip);
  while (!list.empty()) {
    DerReader st = SLUICE_TRY(list.sequence());
    Tlv base = SLUICE_TRY(st.any());
    // RFC 5280 §4.2.1.10: minimum MUST be zero (so absent in DER) and
    // maximum MUST be absent.
    SLUICE_TRY(st.finish("x509: GeneralSubtree minimum/maximum present"));
    if (base.tag == kGnDns) {
      out.dns.push_back(SLUICE_TRY(ia5(base.value, "x509: dNSName constraint not IA5")));
    } else if (base.tag == kGnIp) {
      out.ip.push_back(SLUICE_TRY(ip_subnet(base.value)));
    } else if (base.tag == kGnRfc822 || base.tag == kGnUri) {
      // Constraints apply per name form; TLS names are never email or URI.
    } else {
      (void)kGnDirectory;  // directoryName, otherName, ...: not enforced here
      out.has_unsupported = true;
    }
  }
  return {};
}

TlsResult<void> name_constraints(DerReader r, Certificate& cert) {
  DerReader seq = SLUICE_TRY(r.sequence());
  SLUICE_TRY(r.finish("x509: nameConstraints trailing data"));
  NameConstraints nc;
  size_t count = 0;
  auto permitted = SLUICE_TRY(seq.optional(tag::context_constructed(0)));
  if (permitted) SLUICE_TRY(subtrees(DerReader(permitted->value), nc.permitted, count));
  auto excluded = SLUICE_TRY(seq.optional(tag::context_constructed(1)));
  if (excluded) SLUICE_TRY(subtrees(DerReader(excluded->value), nc.excluded, count));
  SLUICE_TRY(seq.finish("x509: nameConstraints trailing data"));
  if (!permitted && !excluded) return Err(malformed("x509: empty nameConstraints"));
  cert.name_constraints = std::move(nc);
  return {};
}

TlsResult<void> authority_key_id(DerReader r, Certificate& cert) {
  DerReader seq = SLUICE_TRY(r.sequence());
  SLUICE_TRY(r.finish("x509: authorityKeyIdentifier trailing data"));
  auto id = SLUICE_TRY(seq.optional(tag::context_primitive(0)));
  if (id) cert.authority_key_id = id->value;
  // authorityCertIssuer [1] and authorityCertSerialNumber [2] are not used.
  SLUICE_TRY(seq.optional(tag::context_constructed(1)));
  SLUICE_TRY(seq.optional(tag::context_primitive(2)));
  return seq.finish("x509: authorityKeyIdentifier trailing data");
}

TlsResult<void> subject_key_id(DerReader r, Certificate& cert) {
  Bytes id = SLUICE_TRY(r.octet_string());
  SLUICE_TRY(r.finish("x509: subjectKeyIdentifier trailing data"));
  cert.subject_key_id = id;
  return {};
}

using Handler = TlsResult<void> (*)(DerReader, Certificate&);
struct Known {
  std::span<const uint8_t> oid;
  Handler parse;
};
constexpr Known kKnown[] = {
    {oid::kBasicConstraints, basic_constraints}, {oid::kKeyUsage, key_usage},
    {oid::kExtKeyUsage, ext_key_usage},          {oid::kSubjectAltName, subject_alt_name},
    {oid::kNameConstraints, name_constraints},   {oid::kAuthorityKeyId, authority_key_id},
    {oid::kSubjectKeyId, subject_key_id},
};

}  // namespace

TlsResult<void> parse_extensions(DerReader exts, Certificate& cert) {
  if (exts.empty()) return Err(malformed("x509: empty extensions"));
  std::array<Bytes, kMaxExtensions> seen;
  size_t num_seen = 0;
  while (!exts.empty()) {
    if (num_seen >= seen.size()) return Err(malformed("x509: too many extensions"));
    DerReader ext = SLUICE_TRY(exts.sequence());
    Bytes id = SLUICE_TRY(ext.oid());
    bool critical = false;
    if (ext.peek_tag(tag::kBoolean)) critical = SLUICE_TRY(ext.boolean());
    Bytes value = SLUICE_TRY(ext.octet_string());
    SLUICE_TRY(ext.finish("x509: Extension trailing data"));
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance
    // of a particular extension.
    for (size_t i = 0; i < num_seen; ++i)
      if (std::ranges::equal(seen[i], id)) return Err(malformed("x509: duplicate extension"));
    seen[num_seen++] = id;
    const Known* known = nullptr;
    for (const Known& k : kKnown)
      if (oid::oid_is(id, k.oid)) known = &k;
    if (known) {
      SLUICE_TRY(known->parse(DerReader(value), cert));
    } else if (critical) {
      cert.unknown_critical_extension = true;
    }
  }
  return {};
}

}  // namespace sluice::pki::internal

// The DER reader and the X.509 parser (RFC 5280), plus what runs on a parsed
// certificate without a signature check: SubjectPublicKeyInfo, hostname
// matching and name constraints' inputs, and DER private keys. The first
// byte picks the entry point; the rest is DER.
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "pki/der.h"
#include "pki/hostname.h"
#include "pki/keys.h"
#include "pki/x509.h"

namespace {

using sluice::Bytes;

// walk reads every element, descending into constructed ones and decoding
// primitives by tag, the way the certificate parser uses the reader.
void walk(sluice::pki::DerReader r, int depth) {
  namespace tag = sluice::pki::tag;
  // Real certificates nest about ten levels; the bound keeps a hostile
  // input from making the fuzzer itself recurse without end.
  if (depth > 32) return;
  while (!r.empty()) {
    sluice::pki::DerReader probe = r;
    auto tlv = probe.any();
    if (!tlv) return;
    if (tlv->tag & 0x20) {
      auto inner = r.constructed(tlv->tag);
      if (!inner) return;
      walk(*inner, depth + 1);
      continue;
    }
    bool ok = true;
    switch (tlv->tag) {
      case tag::kInteger: ok = r.integer().ok(); break;
      case tag::kBitString: ok = r.bit_string().ok(); break;
      case tag::kOctetString: ok = r.octet_string().ok(); break;
      case tag::kBoolean: ok = r.boolean().ok(); break;
      case tag::kNull: ok = r.null().ok(); break;
      case tag::kOid: ok = r.oid().ok(); break;
      case tag::kUtcTime:
      case tag::kGeneralizedTime: ok = r.time().ok(); break;
      default: ok = r.any().ok(); break;
    }
    if (!ok) return;
  }
}

// views_inside_der says whether every view of `c` lies inside c.der: one
// into the caller's input instead would dangle once that input is gone.
bool views_inside_der(const sluice::pki::Certificate& c) {
  const auto base = reinterpret_cast<uintptr_t>(c.der.data());
  auto inside = [&](const void* p, size_t n) {
    const auto q = reinterpret_cast<uintptr_t>(p);
    return n == 0 || (q >= base && n <= c.der.size() && q - base <= c.der.size() - n);
  };
  auto bytes = [&](Bytes b) { return inside(b.data(), b.size()); };
  auto text = [&](std::string_view t) { return inside(t.data(), t.size()); };
  bool ok = bytes(c.tbs) && bytes(c.serial) && bytes(c.signature) && bytes(c.issuer) &&
            bytes(c.subject) && text(c.subject_cn) && bytes(c.spki) && bytes(c.authority_key_id) &&
            bytes(c.subject_key_id);
  for (std::string_view d : c.dns_names) ok = ok && text(d);
  for (Bytes ip : c.ip_addresses) ok = ok && bytes(ip);
  if (c.name_constraints) {
    for (const auto* t : {&c.name_constraints->permitted, &c.name_constraints->excluded}) {
      for (std::string_view d : t->dns) ok = ok && text(d);
      for (const auto& s : t->ip) ok = ok && bytes(s.address) && bytes(s.mask);
    }
  }
  return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Bytes der(data + 1, size - 1);
  namespace pki = sluice::pki;
  switch (data[0] % 4) {
    case 0: {
      auto cert = pki::parse_certificate(der);
      if (!cert) break;
      if (!views_inside_der(*cert)) __builtin_trap();
      if (cert->key_supported && !pki::parse_spki(cert->spki)) __builtin_trap();  // parsed once, must again
      for (std::string_view name : {"localhost", "example.com", "a.b.example.com", "127.0.0.1", "::1", "xn--bcher-kva.example"}) {
        (void)pki::verify_hostname(*cert, name);
      }
      for (const auto& dns : cert->dns_names) {
        (void)pki::dns_name_matches(dns, "www.example.com");
        (void)pki::is_dns_reference(dns);
      }
      break;
    }
    case 1: walk(pki::DerReader(der), 0); break;
    case 2: (void)pki::parse_private_key_der(der); break;
    case 3: (void)pki::parse_spki(der); break;
  }
  return 0;
}

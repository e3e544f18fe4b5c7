#include "core/wire/tls12.h"

#include "core/wire/extensions.h"
#include "core/wire/messages.h"

namespace sluice::wire {

namespace {
Error decode(const char* what) { return Error(Reason::kDecodeError, what); }
Result<void, Error> expect_end(const ByteReader& r, const char* what) {
  if (!r.empty()) return Err(Error(Reason::kTrailingData, what));
  return {};
}
// RFC 8422 §5.4: ECCurveType named_curve.
constexpr uint8_t kNamedCurve = 3;
}  // namespace

TlsResult<Certificate12> Certificate12::parse(Bytes body) {
  ByteReader r(body), list;
  if (!r.prefixed24(list)) return Err(decode("Certificate list"));
  Certificate12 c;
  while (!list.empty()) {
    ByteReader cert;
    if (!list.vec24(1, 0xffffff, cert)) return Err(decode("certificate entry"));
    c.certificates.emplace_back(cert.rest().begin(), cert.rest().end());
  }
  SLUICE_TRY(expect_end(r, "bytes after Certificate"));
  return c;
}

bool CertificateStatus::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kCertificateStatus);
    write_ocsp_status(w, ocsp_response);
  }
  return w.ok();
}

TlsResult<CertificateStatus> CertificateStatus::parse(Bytes body) {
  ByteReader r(body);
  const Bytes response = SLUICE_TRY(read_ocsp_status(r));
  if (!r.empty()) return Err(Error(Reason::kDecodeError, "CertificateStatus"));
  return CertificateStatus{response};
}

bool Certificate12View::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kCertificate);
    auto list = w.prefix24();
    for (const auto& cert : certificates) {
      auto c = w.prefix24();
      w.bytes(cert);
    }
  }
  return w.ok();
}

std::vector<uint8_t> ServerKeyExchangeEcdhe::params() const {
  std::vector<uint8_t> p;
  ByteWriter w(p);
  w.u8(kNamedCurve);
  w.u16(group);
  {
    auto k = w.prefix8();
    w.bytes(public_key);
  }
  return p;
}

bool ServerKeyExchangeEcdhe::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kServerKeyExchange);
    w.u8(kNamedCurve);
    w.u16(group);
    {
      auto k = w.prefix8();
      w.bytes(public_key);
    }
    w.u16(scheme);
    auto sig = w.prefix16();
    w.bytes(signature);
  }
  return w.ok();
}

TlsResult<ServerKeyExchangeEcdhe> ServerKeyExchangeEcdhe::parse(Bytes body) {
  ByteReader r(body), key, sig;
  uint8_t curve_type;
  ServerKeyExchangeEcdhe ske;
  if (!r.u8(curve_type) || !r.u16(ske.group) || !r.vec8(1, 255, key)) return Err(decode("ServerKeyExchange params"));
  // RFC 8422 §5.4: only named curves (explicit curves were deprecated).
  if (curve_type != kNamedCurve) return Err(Error(Reason::kIllegalParameter, "ServerKeyExchange without a named curve"));
  if (!r.u16(ske.scheme) || !r.vec16(1, 0xffff, sig)) return Err(decode("ServerKeyExchange signature"));
  ske.public_key = key.rest();
  ske.signature = sig.rest();
  SLUICE_TRY(expect_end(r, "bytes after ServerKeyExchange"));
  return ske;
}

bool ClientKeyExchangeEcdhe::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kClientKeyExchange);
    auto k = w.prefix8();
    w.bytes(public_key);
  }
  return w.ok();
}

TlsResult<ClientKeyExchangeEcdhe> ClientKeyExchangeEcdhe::parse(Bytes body) {
  ByteReader r(body), key;
  if (!r.vec8(1, 255, key)) return Err(decode("ClientKeyExchange"));
  SLUICE_TRY(expect_end(r, "bytes after ClientKeyExchange"));
  return ClientKeyExchangeEcdhe{key.rest()};
}

bool CertificateRequest12::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kCertificateRequest);
    {
      auto t = w.prefix8();
      w.bytes(certificate_types);
    }
    {
      auto s = w.prefix16();
      for (uint16_t v : signature_algorithms) w.u16(v);
    }
    auto cas = w.prefix16();
    for (const auto& n : certificate_authorities) {
      auto l = w.prefix16();
      w.bytes(n);
    }
  }
  return w.ok();
}

TlsResult<CertificateRequest12> CertificateRequest12::parse(Bytes body) {
  ByteReader r(body), types, cas;
  CertificateRequest12 cr;
  if (!r.vec8(1, 255, types)) return Err(decode("CertificateRequest types"));
  cr.certificate_types.assign(types.rest().begin(), types.rest().end());
  SLUICE_TRY(read_u16_list(r, 2, cr.signature_algorithms));
  if (!r.prefixed16(cas)) return Err(decode("CertificateRequest authorities"));
  while (!cas.empty()) {
    ByteReader name;
    if (!cas.vec16(1, 0xffff, name)) return Err(decode("distinguished name"));
    cr.certificate_authorities.emplace_back(name.rest().begin(), name.rest().end());
  }
  SLUICE_TRY(expect_end(r, "bytes after CertificateRequest"));
  return cr;
}

bool NewSessionTicket12::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kNewSessionTicket);
    w.u32(lifetime_hint);
    auto t = w.prefix16();
    w.bytes(ticket);
  }
  return w.ok();
}

TlsResult<NewSessionTicket12> NewSessionTicket12::parse(Bytes body) {
  ByteReader r(body), ticket;
  NewSessionTicket12 t;
  if (!r.u32(t.lifetime_hint) || !r.prefixed16(ticket)) return Err(decode("NewSessionTicket"));
  t.ticket.assign(ticket.rest().begin(), ticket.rest().end());
  SLUICE_TRY(expect_end(r, "bytes after NewSessionTicket"));
  return t;
}

bool EmptyMessage::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  { MessageWriter m(w, type); }
  return w.ok();
}

}  // namespace sluice::wire

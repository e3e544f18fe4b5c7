#include "core/wire/messages.h"

#include "core/wire/extensions.h"

namespace sluice::wire {

namespace {

Error decode(const char* what) { return Error(Reason::kDecodeError, what); }

Result<void, Error> expect_end(const ByteReader& r, const char* what) {
  if (!r.empty()) return Err(Error(Reason::kTrailingData, what));
  return {};
}

Bytes as_bytes(const std::string& s) { return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

}  // namespace

bool EncryptedExtensions::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kEncryptedExtensions);
    auto exts = w.prefix16();
    if (!supported_groups.empty()) {
      ExtensionWriter e(w, ExtensionType::kSupportedGroups);
      auto list = w.prefix16();
      for (uint16_t g : supported_groups) w.u16(g);
    }
    if (record_size_limit) {
      ExtensionWriter e(w, ExtensionType::kRecordSizeLimit);
      w.u16(*record_size_limit);
    }
    if (server_name_ack) ExtensionWriter e(w, ExtensionType::kServerName);
    if (!alpn.empty()) {
      ExtensionWriter e(w, ExtensionType::kAlpn);
      auto list = w.prefix16();
      auto name = w.prefix8();
      w.bytes(as_bytes(alpn));
    }
    if (early_data) ExtensionWriter e(w, ExtensionType::kEarlyData);
    if (ech_retry_configs) {
      ExtensionWriter e(w, ExtensionType::kEncryptedClientHello);
      w.bytes(*ech_retry_configs);
    }
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

TlsResult<EncryptedExtensions> EncryptedExtensions::parse(Bytes body) {
  ByteReader r(body);
  EncryptedExtensions ee;
  SLUICE_TRY(parse_extensions(r, [&](uint16_t type, ByteReader& b) -> Result<void, Error> {
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::kSupportedGroups:
        return read_u16_list(b, 2, ee.supported_groups);
      case ExtensionType::kRecordSizeLimit: {
        uint16_t v;
        if (!b.u16(v)) return Err(decode("record_size_limit"));
        if (v < 64) return Err(Error(Reason::kIllegalParameter, "record_size_limit below 64"));
        ee.record_size_limit = v;
        return {};
      }
      case ExtensionType::kServerName:
        ee.server_name_ack = true;  // RFC 6066 §3: the server's is empty
        return {};
      case ExtensionType::kAlpn: {
        // RFC 7301 §3.1: the server answers with exactly one protocol.
        ByteReader list, name;
        if (!b.vec16(2, 0xffff, list) || !list.vec8(1, 255, name) || !list.empty()) {
          return Err(decode("ALPN selection"));
        }
        ee.alpn.assign(name.rest().begin(), name.rest().end());
        return {};
      }
      case ExtensionType::kEarlyData:
        ee.early_data = true;
        return {};
      case ExtensionType::kEncryptedClientHello:
        ee.ech_retry_configs.emplace(b.rest().begin(), b.rest().end());
        (void)b.skip(b.remaining());
        return {};
      case ExtensionType::kKeyShare:
      case ExtensionType::kSupportedVersions:
      case ExtensionType::kPreSharedKey:
      case ExtensionType::kSignatureAlgorithms:
      case ExtensionType::kSignatureAlgorithmsCert:
      case ExtensionType::kCertificateAuthorities:
      case ExtensionType::kCookie:
      case ExtensionType::kPskKeyExchangeModes:
      case ExtensionType::kPostHandshakeAuth:
      case ExtensionType::kPadding:
      // TLS 1.2's, which a client offering both versions did send.
      case ExtensionType::kEcPointFormats:
      case ExtensionType::kExtendedMasterSecret:
      case ExtensionType::kSessionTicket:
      case ExtensionType::kRenegotiationInfo:
        // RFC 8446 §4.2: an extension we know, in a message it is not
        // specified for, is illegal_parameter.
        return Err(Error(Reason::kIllegalParameter, "extension not allowed in EncryptedExtensions"));
      default:
        return Err(Error(Reason::kUnsupportedExtension, "unsolicited EncryptedExtensions extension"));
    }
  }));
  SLUICE_TRY(expect_end(r, "bytes after EncryptedExtensions"));
  return ee;
}

bool Certificate::serialize(std::vector<uint8_t>& out) const {
  return CertificateView{request_context, certificates, ocsp_response, sct_list}.serialize(out);
}

bool CertificateView::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kCertificate);
    {
      auto ctx = w.prefix8();
      w.bytes(request_context);
    }
    auto list = w.prefix24();
    bool leaf = true;
    for (const auto& cert : certificates) {
      {
        auto c = w.prefix24();
        w.bytes(cert);
      }
      auto exts = w.prefix16();
      if (leaf && !ocsp_response.empty()) {
        ExtensionWriter e(w, ExtensionType::kStatusRequest);
        write_ocsp_status(w, ocsp_response);
      }
      if (leaf && !sct_list.empty()) {
        ExtensionWriter e(w, ExtensionType::kSignedCertificateTimestamp);
        w.bytes(sct_list);
      }
      leaf = false;
    }
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

TlsResult<Certificate> Certificate::parse(Bytes body) {
  ByteReader r(body), ctx, list;
  Certificate c;
  if (!r.vec8(0, 255, ctx) || !r.prefixed24(list)) return Err(decode("Certificate header"));
  c.request_context.assign(ctx.rest().begin(), ctx.rest().end());
  // Count the entries first so the list is allocated once.
  size_t entries = 0;
  for (ByteReader scan = list; !scan.empty(); ++entries) {
    ByteReader cert, exts;
    if (!scan.vec24(1, 0xffffff, cert) || !scan.prefixed16(exts)) return Err(decode("certificate entry"));
  }
  c.certificates.reserve(entries);
  while (!list.empty()) {
    ByteReader cert, exts;
    if (!list.vec24(1, 0xffffff, cert)) return Err(decode("certificate entry"));
    // RFC 8446 §4.4.2: an entry's extensions answer ones the hello sent
    // (status_request, signed_certificate_timestamp); whether they were
    // asked for is the reader's to check. Only the end entity's are kept.
    const bool leaf = c.certificates.empty();
    SLUICE_TRY(parse_extensions(list, [&](uint16_t type, ByteReader& body) -> Result<void, Error> {
      switch (static_cast<ExtensionType>(type)) {
        case ExtensionType::kStatusRequest: {
          const Bytes response = SLUICE_TRY(read_ocsp_status(body));
          if (leaf) c.ocsp_response.assign(response.begin(), response.end());
          return {};
        }
        case ExtensionType::kSignedCertificateTimestamp:
          SLUICE_TRY(check_sct_list(body.rest()));
          if (leaf) c.sct_list.assign(body.rest().begin(), body.rest().end());
          (void)body.skip(body.remaining());
          return {};
        default:
          return Err(Error(Reason::kUnsupportedExtension, "unsolicited CertificateEntry extension"));
      }
    }));
    c.certificates.emplace_back(cert.rest().begin(), cert.rest().end());
  }
  SLUICE_TRY(expect_end(r, "bytes after Certificate"));
  return c;
}

bool CertificateRequest::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kCertificateRequest);
    {
      auto ctx = w.prefix8();
      w.bytes(request_context);
    }
    auto exts = w.prefix16();
    {
      ExtensionWriter e(w, ExtensionType::kSignatureAlgorithms);
      auto list = w.prefix16();
      for (uint16_t s : signature_algorithms) w.u16(s);
    }
    if (!certificate_authorities.empty()) {
      ExtensionWriter e(w, ExtensionType::kCertificateAuthorities);
      auto list = w.prefix16();
      for (const auto& name : certificate_authorities) {
        auto n = w.prefix16();
        w.bytes(name);
      }
    }
    if (!compress_certificate.empty()) {
      ExtensionWriter e(w, ExtensionType::kCompressCertificate);
      write_compression_algorithms(w, compress_certificate);
    }
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

TlsResult<CertificateRequest> CertificateRequest::parse(Bytes body) {
  ByteReader r(body), ctx;
  CertificateRequest cr;
  if (!r.vec8(0, 255, ctx)) return Err(decode("CertificateRequest context"));
  cr.request_context.assign(ctx.rest().begin(), ctx.rest().end());
  SLUICE_TRY(parse_extensions(r, [&](uint16_t type, ByteReader& b) -> Result<void, Error> {
    if (static_cast<ExtensionType>(type) == ExtensionType::kSignatureAlgorithms) {
      return read_u16_list(b, 2, cr.signature_algorithms);
    }
    if (static_cast<ExtensionType>(type) == ExtensionType::kCertificateAuthorities) {
      ByteReader list;
      if (!b.vec16(3, 0xffff, list)) return Err(decode("certificate_authorities"));
      while (!list.empty()) {
        ByteReader name;
        if (!list.vec16(1, 0xffff, name)) return Err(decode("distinguished name"));
        cr.certificate_authorities.emplace_back(name.rest().begin(), name.rest().end());
      }
      return {};
    }
    if (static_cast<ExtensionType>(type) == ExtensionType::kCompressCertificate) {
      return read_compression_algorithms(b, cr.compress_certificate);
    }
    (void)b.skip(b.remaining());
    return {};
  }));
  SLUICE_TRY(expect_end(r, "bytes after CertificateRequest"));
  // RFC 8446 §4.3.2: signature_algorithms MUST be specified.
  if (cr.signature_algorithms.empty()) {
    return Err(Error(Reason::kMissingExtension, "CertificateRequest without signature_algorithms"));
  }
  return cr;
}

bool CompressedCertificate::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kCompressedCertificate);
    w.u16(algorithm);
    w.u24(uncompressed_length);
    auto body = w.prefix24();
    w.bytes(compressed);
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

TlsResult<CompressedCertificate> CompressedCertificate::parse(Bytes body) {
  ByteReader r(body), compressed;
  CompressedCertificate cc;
  if (!r.u16(cc.algorithm) || !r.u24(cc.uncompressed_length) || !r.vec24(1, 0xffffff, compressed)) {
    return Err(decode("CompressedCertificate"));
  }
  SLUICE_TRY(expect_end(r, "bytes after CompressedCertificate"));
  cc.compressed = compressed.rest();
  return cc;
}

bool CertificateVerify::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kCertificateVerify);
    w.u16(scheme);
    auto sig = w.prefix16();
    w.bytes(signature);
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

TlsResult<CertificateVerify> CertificateVerify::parse(Bytes body) {
  ByteReader r(body), sig;
  CertificateVerify cv;
  if (!r.u16(cv.scheme) || !r.vec16(1, 0xffff, sig)) return Err(decode("CertificateVerify"));
  cv.signature = sig.rest();
  SLUICE_TRY(expect_end(r, "bytes after CertificateVerify"));
  return cv;
}

bool Finished::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kFinished);
    w.bytes(verify_data);
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

TlsResult<Finished> Finished::parse(Bytes body, size_t hash_len) {
  // RFC 8446 §4.4.4: verify_data is exactly Hash.length bytes, and contents
  // that are not correct are decrypt_error; a wrong length is one way of
  // being wrong (RFC 5246 §7.4.9 alike).
  if (body.size() != hash_len) return Err(Error(Reason::kBadFinished, "Finished length"));
  Finished f;
  f.verify_data = body;
  return f;
}

bool NewSessionTicket::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kNewSessionTicket);
    w.u32(lifetime);
    w.u32(age_add);
    {
      auto n = w.prefix8();
      w.bytes(nonce);
    }
    {
      auto t = w.prefix16();
      w.bytes(ticket);
    }
    auto exts = w.prefix16();
    if (max_early_data) {
      ExtensionWriter e(w, ExtensionType::kEarlyData);
      w.u32(*max_early_data);
    }
    if (grease_extension) ExtensionWriter e(w, static_cast<ExtensionType>(grease_extension));
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

TlsResult<NewSessionTicket> NewSessionTicket::parse(Bytes body) {
  ByteReader r(body), nonce, ticket;
  NewSessionTicket t;
  if (!r.u32(t.lifetime) || !r.u32(t.age_add) || !r.vec8(0, 255, nonce) || !r.vec16(1, 0xffff, ticket)) {
    return Err(decode("NewSessionTicket"));
  }
  // RFC 8446 §4.6.1: lifetimes above seven days are illegal.
  if (t.lifetime > 604800) return Err(Error(Reason::kIllegalParameter, "ticket lifetime above 7 days"));
  t.nonce = nonce.rest();
  t.ticket.assign(ticket.rest().begin(), ticket.rest().end());
  SLUICE_TRY(parse_extensions(r, [&](uint16_t type, ByteReader& b) -> Result<void, Error> {
    if (static_cast<ExtensionType>(type) == ExtensionType::kEarlyData) {
      uint32_t v;
      if (!b.u32(v)) return Err(decode("early_data in ticket"));
      t.max_early_data = v;
      return {};
    }
    (void)b.skip(b.remaining());
    return {};
  }));
  SLUICE_TRY(expect_end(r, "bytes after NewSessionTicket"));
  return t;
}

bool KeyUpdate::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    MessageWriter m(w, HandshakeType::kKeyUpdate);
    w.u8(update_requested ? 1 : 0);
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

TlsResult<KeyUpdate> KeyUpdate::parse(Bytes body) {
  ByteReader r(body);
  uint8_t v;
  if (!r.u8(v)) return Err(decode("KeyUpdate"));
  SLUICE_TRY(expect_end(r, "bytes after KeyUpdate"));
  // RFC 8446 §4.6.3: any other value is illegal_parameter.
  if (v > 1) return Err(Error(Reason::kIllegalParameter, "KeyUpdate request value"));
  KeyUpdate k;
  k.update_requested = v == 1;
  return k;
}

}  // namespace sluice::wire

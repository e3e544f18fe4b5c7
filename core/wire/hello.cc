#include "core/wire/hello.h"

#include <algorithm>

#include "core/wire/extensions.h"

namespace sluice::wire {

const std::array<uint8_t, kRandomLen> kHelloRetryRandom = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
const std::array<uint8_t, 8> kDowngradeTls12 = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
const std::array<uint8_t, 8> kDowngradeTls11 = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};

namespace {

Error decode(const char* what) { return Error(Reason::kDecodeError, what); }

void write_u16_list(ByteWriter& w, const std::vector<uint16_t>& list) {
  auto len = w.prefix16();
  for (uint16_t v : list) w.u16(v);
}

Result<void, Error> parse_key_share_entry(ByteReader& r, KeyShareEntry& out) {
  ByteReader key;
  if (!r.u16(out.group) || !r.vec16(1, 0xffff, key)) return Err(decode("key share entry"));
  out.key_exchange = key.rest();
  return {};
}

void write_key_share_entry(ByteWriter& w, const KeyShareEntry& e) {
  w.u16(e.group);
  auto len = w.prefix16();
  w.bytes(e.key_exchange);
}

Result<void, Error> parse_server_name(ByteReader& body, std::string& out) {
  // RFC 6066 §3: a list of names; only host_name (0) is defined, and a
  // client may send at most one of each type.
  ByteReader list;
  if (!body.vec16(1, 0xffff, list)) return Err(decode("server_name list"));
  bool have_host = false;
  while (!list.empty()) {
    uint8_t type;
    ByteReader name;
    if (!list.u8(type) || !list.vec16(1, 0xffff, name)) return Err(decode("server_name entry"));
    if (type != 0) continue;
    if (have_host) return Err(Error(Reason::kIllegalParameter, "two host_name entries"));
    have_host = true;
    Bytes n = name.rest();
    if (std::find(n.begin(), n.end(), 0) != n.end()) {
      return Err(Error(Reason::kIllegalParameter, "NUL in server name"));
    }
    out.assign(n.begin(), n.end());
  }
  return {};
}

Result<void, Error> parse_alpn(ByteReader& body, std::vector<std::string>& out) {
  ByteReader list;
  if (!body.vec16(2, 0xffff, list)) return Err(decode("ALPN list"));
  while (!list.empty()) {
    ByteReader proto;
    if (!list.vec8(1, 255, proto)) return Err(decode("ALPN protocol name"));
    out.emplace_back(proto.rest().begin(), proto.rest().end());
  }
  return {};
}

}  // namespace

size_t OfferedPsks::binders_len() const {
  size_t n = 2;
  for (const auto& b : binders) n += 1 + b.size();
  return n;
}

bool ClientHello::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    w.u8(static_cast<uint8_t>(HandshakeType::kClientHello));
    auto msg = w.prefix24();
    w.u16(kTls12);  // legacy_version (RFC 8446 §4.1.2)
    w.bytes(random);
    {
      auto sid = w.prefix8();
      w.bytes(legacy_session_id.view());
    }
    write_u16_list(w, cipher_suites);
    w.u8(1);  // legacy_compression_methods: null only
    w.u8(0);
    auto exts = w.prefix16();
    // The order follows common browsers' (and the RFC 8448 traces').
    if (grease_extension_first) ExtensionWriter e(w, static_cast<ExtensionType>(grease_extension_first));
    if (has_server_name) {
      ExtensionWriter e(w, ExtensionType::kServerName);
      auto list = w.prefix16();
      w.u8(0);
      auto name = w.prefix16();
      w.bytes(Bytes(reinterpret_cast<const uint8_t*>(server_name.data()), server_name.size()));
    }
    if (extended_master_secret) ExtensionWriter e(w, ExtensionType::kExtendedMasterSecret);
    if (renegotiation_info) {
      ExtensionWriter e(w, ExtensionType::kRenegotiationInfo);
      auto len = w.prefix8();
      w.bytes(renegotiated_connection);
    }
    if (status_request) {
      ExtensionWriter e(w, ExtensionType::kStatusRequest);
      w.u8(1);   // ocsp
      w.u16(0);  // responder_id_list: the server knows its responders
      w.u16(0);  // request_extensions
    }
    if (signed_certificate_timestamp) ExtensionWriter e(w, ExtensionType::kSignedCertificateTimestamp);
    if (!supported_groups.empty()) {
      ExtensionWriter e(w, ExtensionType::kSupportedGroups);
      write_u16_list(w, supported_groups);
    }
    if (ec_point_formats) {
      ExtensionWriter e(w, ExtensionType::kEcPointFormats);
      w.u8(1);
      w.u8(0);  // uncompressed (RFC 8422 §5.1.2)
    }
    if (session_ticket) {
      ExtensionWriter e(w, ExtensionType::kSessionTicket);
      w.bytes(session_ticket_data);
    }
    if (!alpn.empty()) {
      ExtensionWriter e(w, ExtensionType::kAlpn);
      auto list = w.prefix16();
      for (const auto& p : alpn) {
        auto len = w.prefix8();
        w.bytes(Bytes(reinterpret_cast<const uint8_t*>(p.data()), p.size()));
      }
    }
    if (has_key_share) {
      ExtensionWriter e(w, ExtensionType::kKeyShare);
      auto list = w.prefix16();
      for (const auto& ks : key_shares) write_key_share_entry(w, ks);
    }
    if (early_data) ExtensionWriter e(w, ExtensionType::kEarlyData);
    if (!supported_versions.empty()) {
      ExtensionWriter e(w, ExtensionType::kSupportedVersions);
      auto list = w.prefix8();
      for (uint16_t v : supported_versions) w.u16(v);
    }
    if (!signature_algorithms.empty()) {
      ExtensionWriter e(w, ExtensionType::kSignatureAlgorithms);
      write_u16_list(w, signature_algorithms);
    }
    if (!cookie.empty()) {
      ExtensionWriter e(w, ExtensionType::kCookie);
      auto len = w.prefix16();
      w.bytes(cookie);
    }
    if (!psk_modes.empty()) {
      ExtensionWriter e(w, ExtensionType::kPskKeyExchangeModes);
      auto list = w.prefix8();
      w.bytes(psk_modes);
    }
    if (record_size_limit) {
      ExtensionWriter e(w, ExtensionType::kRecordSizeLimit);
      w.u16(*record_size_limit);
    }
    if (post_handshake_auth) ExtensionWriter e(w, ExtensionType::kPostHandshakeAuth);
    if (!compress_certificate.empty()) {
      ExtensionWriter e(w, ExtensionType::kCompressCertificate);
      write_compression_algorithms(w, compress_certificate);
    }
    if (grease_extension_last) {
      ExtensionWriter e(w, static_cast<ExtensionType>(grease_extension_last));
      w.u8(0);
    }
    if (padding_len) {
      ExtensionWriter e(w, ExtensionType::kPadding);
      w.zeros(padding_len);
    }
    if (ech) {
      ExtensionWriter e(w, ExtensionType::kEncryptedClientHello);
      w.u8(ech->inner ? 1 : 0);
      if (!ech->inner) {
        w.u16(ech->kdf);
        w.u16(ech->aead);
        w.u8(ech->config_id);
        {
          auto len = w.prefix16();
          w.bytes(ech->enc);
        }
        auto len = w.prefix16();
        w.bytes(ech->payload);
      }
    }
    if (psk) {
      // RFC 8446 §4.2.11: pre_shared_key is the last extension.
      ExtensionWriter e(w, ExtensionType::kPreSharedKey);
      {
        auto ids = w.prefix16();
        for (const auto& id : psk->identities) {
          {
            auto t = w.prefix16();
            w.bytes(id.identity);
          }
          w.u32(id.obfuscated_ticket_age);
        }
      }
      auto binders = w.prefix16();
      for (const auto& b : psk->binders) {
        auto len = w.prefix8();
        w.bytes(b);
      }
    }
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

size_t f5_padding_len(size_t hello_len) {
  // Some middleboxes hang on ClientHellos of 256 to 511 bytes; padding them
  // to 512 avoids that (RFC 7685 §1). The extension adds 4 bytes of header.
  if (hello_len < 256 || hello_len >= 512) return 0;
  return hello_len + 4 < 512 ? 512 - 4 - hello_len : 1;
}

TlsResult<ClientHello> ClientHello::parse(Bytes data) {
  ByteReader r(data);
  ClientHello ch;
  ByteReader sid, suites, compression;
  if (!r.u16(ch.legacy_version) || !r.copy(ch.random) || !r.vec8(0, 32, sid) ||
      !r.vec16(2, 0xfffe, suites) || suites.remaining() % 2 || !r.vec8(1, 255, compression)) {
    return Err(decode("ClientHello fixed fields"));
  }
  ch.legacy_session_id.assign(sid.rest());
  uint16_t s;
  while (suites.u16(s)) ch.cipher_suites.push_back(s);
  // RFC 8446 §4.1.2: TLS 1.3 requires exactly the null compression method.
  Bytes comp = compression.rest();
  bool has_null = std::find(comp.begin(), comp.end(), 0) != comp.end();
  if (!has_null) return Err(Error(Reason::kIllegalParameter, "no null compression method"));
  ch.only_null_compression = comp.size() == 1;
  if (r.empty()) return ch;  // a hello with no extensions (TLS 1.2 and older)
  SLUICE_TRY(parse_extensions(r, [&](uint16_t type, ByteReader& body) -> Result<void, Error> {
    // RFC 8446 §4.2.11: pre_shared_key must be the last extension.
    if (ch.psk) return Err(Error(Reason::kIllegalParameter, "extension after pre_shared_key"));
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::kServerName:
        // A list holding only names of unknown types names no host.
        SLUICE_TRY(parse_server_name(body, ch.server_name));
        ch.has_server_name = !ch.server_name.empty();
        return {};
      case ExtensionType::kSupportedGroups:
        return read_u16_list(body, 2, ch.supported_groups);
      case ExtensionType::kSignatureAlgorithms:
        return read_u16_list(body, 2, ch.signature_algorithms);
      case ExtensionType::kSignatureAlgorithmsCert:
        return read_u16_list(body, 2, ch.signature_algorithms_cert);
      case ExtensionType::kSupportedVersions: {
        ByteReader list;
        if (!body.vec8(2, 254, list) || list.remaining() % 2) return Err(decode("supported_versions"));
        uint16_t v;
        while (list.u16(v)) ch.supported_versions.push_back(v);
        return {};
      }
      case ExtensionType::kKeyShare: {
        ch.has_key_share = true;
        ByteReader list;
        if (!body.prefixed16(list)) return Err(decode("key_share list"));
        while (!list.empty()) {
          KeyShareEntry e;
          SLUICE_TRY(parse_key_share_entry(list, e));
          // RFC 8446 §4.2.8: at most one share per group.
          for (const auto& prev : ch.key_shares) {
            if (prev.group == e.group) return Err(Error(Reason::kIllegalParameter, "two key shares for one group"));
          }
          ch.key_shares.push_back(std::move(e));
        }
        return {};
      }
      case ExtensionType::kAlpn:
        return parse_alpn(body, ch.alpn);
      case ExtensionType::kRecordSizeLimit: {
        uint16_t limit;
        if (!body.u16(limit)) return Err(decode("record_size_limit"));
        // RFC 8449 §4: values below 64 are illegal.
        if (limit < 64) return Err(Error(Reason::kIllegalParameter, "record_size_limit below 64"));
        ch.record_size_limit = limit;
        return {};
      }
      case ExtensionType::kPskKeyExchangeModes: {
        ByteReader list;
        if (!body.vec8(1, 255, list)) return Err(decode("psk_key_exchange_modes"));
        ch.psk_modes.assign(list.rest().begin(), list.rest().end());
        return {};
      }
      case ExtensionType::kCookie: {
        ByteReader c;
        if (!body.vec16(1, 0xffff, c)) return Err(decode("cookie"));
        ch.cookie.assign(c.rest().begin(), c.rest().end());
        return {};
      }
      case ExtensionType::kEarlyData:
        ch.early_data = true;
        return {};
      case ExtensionType::kPostHandshakeAuth:
        ch.post_handshake_auth = true;
        return {};
      case ExtensionType::kPreSharedKey: {
        OfferedPsks psks;
        ByteReader ids, binders;
        if (!body.vec16(7, 0xffff, ids) || !body.vec16(33, 0xffff, binders)) return Err(decode("pre_shared_key"));
        while (!ids.empty()) {
          PskIdentity id;
          ByteReader ticket;
          if (!ids.vec16(1, 0xffff, ticket) || !ids.u32(id.obfuscated_ticket_age)) return Err(decode("PSK identity"));
          id.identity.assign(ticket.rest().begin(), ticket.rest().end());
          psks.identities.push_back(std::move(id));
        }
        while (!binders.empty()) {
          ByteReader b;
          if (!binders.vec8(32, 255, b)) return Err(decode("PSK binder"));
          psks.binders.emplace_back(b.rest().begin(), b.rest().end());
        }
        // RFC 8446 §4.2.11: one binder per identity.
        if (psks.binders.size() != psks.identities.size()) {
          return Err(Error(Reason::kIllegalParameter, "PSK binder count differs from identity count"));
        }
        ch.psk = std::move(psks);
        return {};
      }
      case ExtensionType::kEncryptedClientHello: {
        EchExtension ech;
        uint8_t type;
        if (!body.u8(type)) return Err(decode("encrypted_client_hello extension"));
        if (type == 1) {
          if (!body.empty()) return Err(decode("encrypted_client_hello extension of type inner is not empty"));
          ech.inner = true;
        } else if (type == 0) {
          ByteReader enc, payload;
          if (!body.u16(ech.kdf) || !body.u16(ech.aead) || !body.u8(ech.config_id) || !body.prefixed16(enc) ||
              !body.vec16(1, 0xffff, payload)) {
            return Err(decode("encrypted_client_hello extension"));
          }
          ech.enc.assign(enc.rest().begin(), enc.rest().end());
          ech.payload.assign(payload.rest().begin(), payload.rest().end());
          ech.payload_offset = static_cast<size_t>(payload.rest().data() - data.data());
        } else {
          return Err(decode("encrypted_client_hello extension type"));
        }
        ch.ech = std::move(ech);
        return {};
      }
      case ExtensionType::kRenegotiationInfo: {
        ByteReader ri;
        if (!body.prefixed8(ri)) return Err(decode("renegotiation_info"));
        ch.renegotiation_info = true;
        ch.renegotiated_connection.assign(ri.rest().begin(), ri.rest().end());
        return {};
      }
      case ExtensionType::kSessionTicket:
        ch.session_ticket = true;
        ch.session_ticket_data.assign(body.rest().begin(), body.rest().end());
        (void)body.skip(body.remaining());
        return {};
      case ExtensionType::kExtendedMasterSecret:
        ch.extended_master_secret = true;
        return {};
      case ExtensionType::kStatusRequest: {
        // RFC 6066 §8: a status type we do not know is ignored; the lists
        // must still parse.
        uint8_t type;
        ByteReader ids, exts;
        if (!body.u8(type)) return Err(decode("status_request"));
        if (type == 1 && (!body.prefixed16(ids) || !body.prefixed16(exts))) return Err(decode("status_request"));
        if (type != 1) (void)body.skip(body.remaining());
        ch.status_request = type == 1;
        return {};
      }
      case ExtensionType::kSignedCertificateTimestamp:
        ch.signed_certificate_timestamp = true;  // RFC 6962 §3.3.1: empty
        return {};
      case ExtensionType::kCompressCertificate:
        // Parsed whatever the version: a malformed list is refused even
        // where TLS 1.2 then ignores it (RFC 8879 §3).
        return read_compression_algorithms(body, ch.compress_certificate);
      case ExtensionType::kEcPointFormats: {
        // RFC 8422 §5.1.2: a list that does not hold "uncompressed" is
        // refused by the server; a malformed one is decode_error.
        ByteReader list;
        if (!body.vec8(1, 255, list)) return Err(decode("ec_point_formats"));
        Bytes f = list.rest();
        ch.ec_point_formats = true;
        ch.ec_point_uncompressed = std::find(f.begin(), f.end(), 0) != f.end();
        return {};
      }
      default:
        // Parsed for the record: which GREASE extensions came, first and last.
        if (is_grease(type)) {
          if (!ch.grease_extension_first) ch.grease_extension_first = type;
          else ch.grease_extension_last = type;
        }
        (void)body.skip(body.remaining());
        return {};
    }
  }));
  if (!r.empty()) return Err(Error(Reason::kTrailingData, "bytes after ClientHello extensions"));
  return ch;
}

std::optional<Bytes> split_client_hello(Bytes body, std::vector<RawExtension>& extensions) {
  ByteReader r(body), skip, block;
  uint16_t version;
  if (!r.u16(version) || !r.skip(kRandomLen) || !r.prefixed8(skip) || !r.prefixed16(skip) || !r.prefixed8(skip)) {
    return std::nullopt;
  }
  const Bytes fixed = body.first(body.size() - r.remaining());
  if (r.empty()) return fixed;  // a hello with no extensions
  if (!r.prefixed16(block)) return std::nullopt;
  while (!block.empty()) {
    const Bytes at = block.rest();
    uint16_t type;
    ByteReader ext_body;
    if (!block.u16(type) || !block.prefixed16(ext_body)) return std::nullopt;
    extensions.push_back({type, at.first(at.size() - block.remaining())});
  }
  return fixed;
}

std::vector<uint8_t> retry_invariant(Bytes body) {
  std::vector<RawExtension> exts;
  const std::optional<Bytes> fixed = split_client_hello(body, exts);
  if (!fixed) return {};
  std::erase_if(exts, [](const RawExtension& e) {
    switch (static_cast<ExtensionType>(e.type)) {
      case ExtensionType::kKeyShare:
      case ExtensionType::kEarlyData:
      case ExtensionType::kCookie:
      case ExtensionType::kPreSharedKey:
      case ExtensionType::kPadding:
      case ExtensionType::kEncryptedClientHello:  // a new encryption each time
        return true;
      default:
        return false;
    }
  });
  std::stable_sort(exts.begin(), exts.end(), [](const RawExtension& a, const RawExtension& b) { return a.type < b.type; });
  std::vector<uint8_t> out(fixed->begin(), fixed->end());
  for (const RawExtension& e : exts) out.insert(out.end(), e.whole.begin(), e.whole.end());
  return out;
}

bool ServerHello::is_hello_retry_request() const { return random == kHelloRetryRandom; }

bool ServerHello::serialize(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  {
    w.u8(static_cast<uint8_t>(HandshakeType::kServerHello));
    auto msg = w.prefix24();
    w.u16(kTls12);
    w.bytes(random);
    {
      auto sid = w.prefix8();
      w.bytes(legacy_session_id_echo.view());
    }
    w.u16(cipher_suite);
    w.u8(0);
    auto exts = w.prefix16();
    if (selected_psk) {
      ExtensionWriter e(w, ExtensionType::kPreSharedKey);
      w.u16(*selected_psk);
    }
    if (key_share) {
      ExtensionWriter e(w, ExtensionType::kKeyShare);
      write_key_share_entry(w, *key_share);
    } else if (hrr_selected_group) {
      ExtensionWriter e(w, ExtensionType::kKeyShare);
      w.u16(*hrr_selected_group);
    }
    if (!cookie.empty()) {
      ExtensionWriter e(w, ExtensionType::kCookie);
      auto len = w.prefix16();
      w.bytes(cookie);
    }
    if (selected_version) {
      ExtensionWriter e(w, ExtensionType::kSupportedVersions);
      w.u16(selected_version);
    }
    if (renegotiation_info) {
      ExtensionWriter e(w, ExtensionType::kRenegotiationInfo);
      auto len = w.prefix8();
      w.bytes(renegotiated_connection);
    }
    if (extended_master_secret) ExtensionWriter e(w, ExtensionType::kExtendedMasterSecret);
    if (ec_point_formats) {
      ExtensionWriter e(w, ExtensionType::kEcPointFormats);
      w.u8(1);
      w.u8(0);
    }
    if (server_name_ack) ExtensionWriter e(w, ExtensionType::kServerName);
    if (session_ticket) ExtensionWriter e(w, ExtensionType::kSessionTicket);
    if (status_request) ExtensionWriter e(w, ExtensionType::kStatusRequest);
    if (!sct_list.empty()) {
      ExtensionWriter e(w, ExtensionType::kSignedCertificateTimestamp);
      w.bytes(sct_list);
    }
    if (!alpn.empty()) {
      ExtensionWriter e(w, ExtensionType::kAlpn);
      auto list = w.prefix16();
      auto name = w.prefix8();
      w.bytes(Bytes(reinterpret_cast<const uint8_t*>(alpn.data()), alpn.size()));
    }
    if (record_size_limit) {
      ExtensionWriter e(w, ExtensionType::kRecordSizeLimit);
      w.u16(*record_size_limit);
    }
    if (ech_confirmation) {
      ExtensionWriter e(w, ExtensionType::kEncryptedClientHello);
      w.bytes(*ech_confirmation);
    }
  }
  // The length prefixes above are closed: an overflow shows now.
  return w.ok();
}

TlsResult<ServerHello> ServerHello::parse(Bytes data) {
  ByteReader r(data);
  ServerHello sh;
  ByteReader sid;
  uint8_t compression;
  if (!r.u16(sh.legacy_version) || !r.copy(sh.random) || !r.vec8(0, 32, sid) || !r.u16(sh.cipher_suite) ||
      !r.u8(compression)) {
    return Err(decode("ServerHello fixed fields"));
  }
  // A HelloRetryRequest is not a ServerHello to negotiate with: a wrong
  // field there is a malformed message (decode_error, as BoringSSL answers).
  if (compression != 0) {
    return Err(sh.is_hello_retry_request() ? decode("HelloRetryRequest compression method")
                                           : Error(Reason::kIllegalParameter, "ServerHello compression method"));
  }
  sh.legacy_session_id_echo.assign(sid.rest());
  if (r.empty()) return sh;  // TLS 1.2 and older may omit extensions
  const bool hrr = sh.is_hello_retry_request();
  SLUICE_TRY(parse_extensions(r, [&](uint16_t type, ByteReader& body) -> Result<void, Error> {
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::kSupportedVersions:
        if (!body.u16(sh.selected_version)) return Err(decode("supported_versions"));
        return {};
      case ExtensionType::kKeyShare:
        if (hrr) {
          uint16_t g;
          if (!body.u16(g)) return Err(decode("HRR key_share"));
          sh.hrr_selected_group = g;
          return {};
        } else {
          KeyShareEntry e;
          SLUICE_TRY(parse_key_share_entry(body, e));
          sh.key_share = std::move(e);
          return {};
        }
      case ExtensionType::kPreSharedKey: {
        uint16_t v;
        if (hrr) return Err(Error(Reason::kUnsupportedExtension, "pre_shared_key in a HelloRetryRequest"));
        if (!body.u16(v)) return Err(decode("pre_shared_key selection"));
        sh.selected_psk = v;
        return {};
      }
      case ExtensionType::kEncryptedClientHello: {
        // Only a HelloRetryRequest carries it (a ServerHello signals in its
        // random); the client decides whether it may.
        if (!hrr) return Err(Error(Reason::kUnsupportedExtension, "encrypted_client_hello in a ServerHello"));
        std::array<uint8_t, 8> c;
        sh.ech_confirmation_offset = static_cast<size_t>(body.rest().data() - data.data());
        if (!body.copy(c)) return Err(decode("HelloRetryRequest encrypted_client_hello"));
        sh.ech_confirmation = c;
        return {};
      }
      case ExtensionType::kCookie: {
        ByteReader c;
        if (!hrr) return Err(Error(Reason::kUnsupportedExtension, "cookie outside a HelloRetryRequest"));
        if (!body.vec16(1, 0xffff, c)) return Err(decode("cookie"));
        sh.cookie.assign(c.rest().begin(), c.rest().end());
        return {};
      }
      case ExtensionType::kExtendedMasterSecret:
        sh.extended_master_secret = true;
        return {};
      case ExtensionType::kSupportedGroups:
        sh.supported_groups = true;
        (void)body.skip(body.remaining());
        return {};
      case ExtensionType::kEcPointFormats: {
        ByteReader list;
        if (!body.vec8(1, 255, list)) return Err(decode("ec_point_formats"));
        Bytes f = list.rest();
        if (std::find(f.begin(), f.end(), 0) == f.end()) {
          return Err(Error(Reason::kIllegalParameter, "ec_point_formats without uncompressed"));
        }
        sh.ec_point_formats = true;
        return {};
      }
      case ExtensionType::kRenegotiationInfo: {
        ByteReader ri;
        if (!body.prefixed8(ri)) return Err(decode("renegotiation_info"));
        sh.renegotiation_info = true;
        sh.renegotiated_connection.assign(ri.rest().begin(), ri.rest().end());
        return {};
      }
      case ExtensionType::kSessionTicket:
        sh.session_ticket = true;
        return {};
      case ExtensionType::kServerName:
        sh.server_name_ack = true;
        return {};
      case ExtensionType::kStatusRequest:
        sh.status_request = true;  // empty (RFC 6066 §8)
        return {};
      case ExtensionType::kSignedCertificateTimestamp:
        SLUICE_TRY(check_sct_list(body.rest()));
        sh.sct_list.assign(body.rest().begin(), body.rest().end());
        (void)body.skip(body.remaining());
        return {};
      case ExtensionType::kAlpn: {
        ByteReader list, name;
        if (!body.vec16(2, 0xffff, list) || !list.vec8(1, 255, name) || !list.empty()) {
          return Err(decode("ALPN selection"));
        }
        sh.alpn.assign(name.rest().begin(), name.rest().end());
        return {};
      }
      case ExtensionType::kRecordSizeLimit: {
        uint16_t v;
        if (!body.u16(v)) return Err(decode("record_size_limit"));
        if (v < 64) return Err(Error(Reason::kIllegalParameter, "record_size_limit below 64"));
        sh.record_size_limit = v;
        return {};
      }
      default:
        // RFC 8446 §4.1.3/§4.2: a ServerHello may carry only extensions the
        // client offered; the ones above are all sluice offers.
        return Err(Error(Reason::kUnsupportedExtension, "unsolicited ServerHello extension"));
    }
  }));
  if (!r.empty()) return Err(Error(Reason::kTrailingData, "bytes after ServerHello extensions"));
  return sh;
}

}  // namespace sluice::wire

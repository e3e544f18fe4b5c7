#include "tools/sluice/trace.h"

#include <cstdio>
#include <string>

#include "core/error.h"
#include "core/wire/hello.h"
#include "core/wire/messages.h"
#include "core/wire/tls12.h"
#include "tools/sluice/report.h"

namespace sluice::tool {

namespace {

std::string handshake_name(uint8_t type) {
  switch (static_cast<wire::HandshakeType>(type)) {
    case wire::HandshakeType::kHelloRequest: return "HelloRequest";
    case wire::HandshakeType::kClientHello: return "ClientHello";
    case wire::HandshakeType::kServerHello: return "ServerHello";
    case wire::HandshakeType::kNewSessionTicket: return "NewSessionTicket";
    case wire::HandshakeType::kEndOfEarlyData: return "EndOfEarlyData";
    case wire::HandshakeType::kEncryptedExtensions: return "EncryptedExtensions";
    case wire::HandshakeType::kCertificate: return "Certificate";
    case wire::HandshakeType::kServerKeyExchange: return "ServerKeyExchange";
    case wire::HandshakeType::kCertificateRequest: return "CertificateRequest";
    case wire::HandshakeType::kServerHelloDone: return "ServerHelloDone";
    case wire::HandshakeType::kCertificateVerify: return "CertificateVerify";
    case wire::HandshakeType::kClientKeyExchange: return "ClientKeyExchange";
    case wire::HandshakeType::kFinished: return "Finished";
    case wire::HandshakeType::kCertificateStatus: return "CertificateStatus";
    case wire::HandshakeType::kKeyUpdate: return "KeyUpdate";
    case wire::HandshakeType::kCompressedCertificate: return "CompressedCertificate";
    case wire::HandshakeType::kMessageHash: return "MessageHash";
  }
  return "handshake type " + std::to_string(type);
}

std::string hex16(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

std::string version_name(uint16_t v) {
  switch (v) {
    case 0x0301: return "TLSv1.0";
    case 0x0302: return "TLSv1.1";
    case wire::kTls12: return "TLSv1.2";
    case wire::kTls13: return "TLSv1.3";
  }
  return hex16(v);
}

// Peers offer groups sluice lacks (x448, ffdhe2048): those show as numbers.
std::string group_name(uint16_t g) {
  const std::string_view n = crypto::name(static_cast<crypto::Group>(g));
  return n == "?" ? hex16(g) : std::string(n);
}

// RFC 8879 §7.3's registry.
std::string compression_name(uint16_t algorithm) {
  switch (algorithm) {
    case 1: return "zlib";
    case 2: return "brotli";
    case 3: return "zstd";
  }
  return hex16(algorithm);
}

template <typename T, typename Name>
std::string listed(const std::vector<T>& items, Name name) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + name(i);
  return s.empty() ? "(none)" : s;
}

std::vector<std::string> client_hello_fields(Bytes body) {
  auto ch = wire::ClientHello::parse(body);
  if (!ch) return {"(not decodable: " + std::string(ch.error().detail) + ")"};
  std::vector<uint16_t> key_share_groups;
  for (const auto& ks : ch->key_shares) key_share_groups.push_back(ks.group);
  // Without supported_versions the legacy version is the offer (TLS 1.2).
  const std::vector<uint16_t> versions =
      ch->supported_versions.empty() ? std::vector<uint16_t>{ch->legacy_version} : ch->supported_versions;
  std::vector<std::string> out = {
      "versions: " + listed(versions, version_name),
      "cipher suites: " + listed(ch->cipher_suites, cipher_suite_name),
      "groups: " + listed(ch->supported_groups, group_name),
      "key share groups: " + listed(key_share_groups, group_name),
      "ALPN: " + listed(ch->alpn, [](const std::string& p) { return p; }),
      "server name: " + (ch->server_name.empty() ? std::string("(none)") : ch->server_name),
      // 32 bytes in a TLS 1.3 hello: middlebox compatibility mode (or a
      // TLS 1.2 session being resumed by ID).
      "session id: " + std::to_string(ch->legacy_session_id.len) + " bytes",
  };
  if (!ch->cookie.empty()) out.push_back("cookie: " + std::to_string(ch->cookie.size()) + " bytes");
  if (ch->ech) {
    // An outer hello's payload is the inner hello sealed (or, GREASE ECH,
    // random bytes of the same shape); an inner hello carries the marker.
    const auto& e = *ch->ech;
    out.push_back(e.inner ? std::string("encrypted_client_hello (0xfe0d): inner")
                          : "encrypted_client_hello (0xfe0d): outer, config_id " + std::to_string(e.config_id) +
                                ", HPKE KDF " + hex16(e.kdf) + " AEAD " + hex16(e.aead) + ", enc " +
                                std::to_string(e.enc.size()) + " bytes, payload " + std::to_string(e.payload.size()) +
                                " bytes");
  }
  if (!ch->compress_certificate.empty())
    out.push_back("compress_certificate: " + listed(ch->compress_certificate, compression_name));
  // RFC 8701 values the client put among the real ones (its two GREASE
  // extensions are skipped by the parser, as by any server).
  std::vector<std::string> grease;
  auto note = [&grease](const char* where, const std::vector<uint16_t>& values) {
    for (uint16_t v : values) {
      if (wire::is_grease(v)) grease.push_back(std::string(where) + " " + hex16(v));
    }
  };
  note("suite", ch->cipher_suites);
  note("group", ch->supported_groups);
  note("key share", key_share_groups);
  note("version", ch->supported_versions);
  if (!grease.empty()) out.push_back("GREASE: " + listed(grease, [](const std::string& g) { return g; }));
  return out;
}

std::vector<std::string> encrypted_extensions_fields(Bytes body) {
  auto ee = wire::EncryptedExtensions::parse(body);
  if (!ee) return {"(not decodable: " + std::string(ee.error().detail) + ")"};
  std::vector<std::string> out;
  if (!ee->alpn.empty()) out.push_back("ALPN selected: " + ee->alpn);
  if (ee->server_name_ack) out.emplace_back("server_name acknowledged");
  if (ee->early_data) out.emplace_back("early_data accepted");
  if (ee->record_size_limit) out.push_back("record_size_limit: " + std::to_string(*ee->record_size_limit));
  // A server that could not decrypt our ECH offers these to retry with.
  if (ee->ech_retry_configs)
    out.push_back("encrypted_client_hello (0xfe0d): retry configs, " + std::to_string(ee->ech_retry_configs->size()) +
                  " bytes");
  return out;
}

std::vector<std::string> compressed_certificate_fields(Bytes body) {
  auto cc = wire::CompressedCertificate::parse(body);
  if (!cc) return {"(not decodable: " + std::string(cc.error().detail) + ")"};
  return {"algorithm: " + compression_name(cc->algorithm) + " (" + std::to_string(cc->algorithm) + ")",
          "uncompressed length: " + std::to_string(cc->uncompressed_length) + " bytes, compressed: " +
              std::to_string(cc->compressed.size()) + " bytes"};
}

std::vector<std::string> server_hello_fields(Bytes body) {
  auto sh = wire::ServerHello::parse(body);
  if (!sh) return {"(not decodable: " + std::string(sh.error().detail) + ")"};
  std::vector<std::string> out;
  if (sh->is_hello_retry_request()) out.emplace_back("HelloRetryRequest");
  out.push_back("version: " + version_name(sh->selected_version ? sh->selected_version : sh->legacy_version));
  out.push_back("cipher suite: " + cipher_suite_name(sh->cipher_suite));
  if (!sh->cookie.empty()) out.push_back("cookie: " + std::to_string(sh->cookie.size()) + " bytes");
  if (sh->hrr_selected_group) {
    out.push_back("group: " + group_name(*sh->hrr_selected_group));
  } else if (sh->key_share) {
    out.push_back("group: " + group_name(sh->key_share->group));
  } else {
    // TLS 1.2 names its group in ServerKeyExchange; a psk_ke resumption has none.
    out.emplace_back("group: (none in this message)");
  }
  return out;
}

std::vector<std::string> chain_lines(const std::vector<std::vector<uint8_t>>& chain) {
  if (chain.empty()) return {"no certificates"};
  std::vector<std::string> out;
  for (size_t i = 0; i < chain.size(); ++i) out.push_back("certificate " + std::to_string(i) + ": " + certificate_line(chain[i]));
  return out;
}

// certificate_fields reads the form of the negotiated version: TLS 1.3's
// has a request context and extensions per entry (staples ride on the end
// entity's), TLS 1.2's only the chain. Some bodies parse either way, so the
// form cannot be guessed from the bytes.
std::vector<std::string> certificate_fields(uint16_t version, Bytes body) {
  if (version == wire::kTls12) {
    auto c = wire::Certificate12::parse(body);
    if (!c) return {"(not decodable as TLS 1.2's: " + std::string(c.error().detail) + ")"};
    return chain_lines(c->certificates);
  }
  if (version != wire::kTls13) return {"(not decoded: no version negotiated yet)"};
  auto c = wire::Certificate::parse(body);
  if (!c) return {"(not decodable as TLS 1.3's: " + std::string(c.error().detail) + ")"};
  std::vector<std::string> out;
  // Non-empty only in answer to a post-handshake CertificateRequest.
  if (!c->request_context.empty()) out.push_back("request context: " + std::to_string(c->request_context.size()) + " bytes");
  for (auto& line : chain_lines(c->certificates)) out.push_back(std::move(line));
  if (!c->ocsp_response.empty()) out.push_back("OCSP response stapled: " + std::to_string(c->ocsp_response.size()) + " bytes");
  if (!c->sct_list.empty()) out.push_back("SCT list stapled: " + std::to_string(c->sct_list.size()) + " bytes");
  return out;
}

std::vector<std::string> certificate_status_fields(Bytes body) {
  auto cs = wire::CertificateStatus::parse(body);
  if (!cs) return {"(not decodable: " + std::string(cs.error().detail) + ")"};
  return {"OCSP response: " + std::to_string(cs->ocsp_response.size()) + " bytes"};
}

std::vector<std::string> server_key_exchange_fields(Bytes body) {
  auto ske = wire::ServerKeyExchangeEcdhe::parse(body);
  if (!ske) return {"(not decodable: " + std::string(ske.error().detail) + ")"};
  return {"group: " + group_name(ske->group)};
}

void print_message(TraceDetail detail, const MessageInfo& m) {
  const bool handshake = m.content_type == wire::ContentType::kHandshake;
  const char* dir = m.sent ? ">>>" : "<<<";
  if (handshake) {
    // ECH's inner hello never crosses the wire as itself: marked, so the
    // trace tells it from the outer hello that carries it.
    std::fprintf(stderr, "%s Handshake %s%s [length %zu]\n", dir, handshake_name(m.type).c_str(),
                 m.ech_inner ? " (ECH inner, sealed in the outer hello)" : "", m.length);
  } else {
    std::fprintf(stderr, "%s Alert %s (%u)\n", dir, std::string(name(static_cast<Alert>(m.type))).c_str(),
                 static_cast<unsigned>(m.type));
  }
  if (detail == TraceDetail::kFields) {
    for (const auto& line : describe_fields(m)) std::fprintf(stderr, "    %s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace

std::vector<std::string> describe_fields(const MessageInfo& m) {
  if (m.content_type == wire::ContentType::kAlert) {
    const char* level = m.alert_level == 1 ? "warning" : m.alert_level == 2 ? "fatal" : "unknown";
    return {"level: " + std::string(level) + " (" + std::to_string(m.alert_level) +
            "), description: " + std::string(name(static_cast<Alert>(m.type))) + " (" + std::to_string(m.type) + ")"};
  }
  switch (static_cast<wire::HandshakeType>(m.type)) {
    case wire::HandshakeType::kClientHello: return client_hello_fields(m.body);
    case wire::HandshakeType::kServerHello: return server_hello_fields(m.body);
    case wire::HandshakeType::kEncryptedExtensions: return encrypted_extensions_fields(m.body);
    case wire::HandshakeType::kCertificate: return certificate_fields(m.version, m.body);
    case wire::HandshakeType::kCertificateStatus: return certificate_status_fields(m.body);
    case wire::HandshakeType::kCompressedCertificate: return compressed_certificate_fields(m.body);
    case wire::HandshakeType::kServerKeyExchange: return server_key_exchange_fields(m.body);
    default: return {};
  }
}

void install_trace(Context& ctx, TraceDetail detail) {
  ctx.set_message_callback([detail](const MessageInfo& m) { print_message(detail, m); });
}

}  // namespace sluice::tool

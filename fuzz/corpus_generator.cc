// Writes the seed corpora of every fuzz target from the project's own
// handshakes: in-memory client/server conversations with the fuzzing
// provider (so recorded Finished values and record tags stay valid when the
// fuzzer mutates earlier bytes), and certificates and keys from pki/certgen.
//
//   bazel run //fuzz:corpus_generator -- "$PWD/fuzz/corpus"
//
// Outputs are deterministic except the certificates (fresh keys each run).
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <fstream>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/record_protection.h"
#include "core/wire/messages.h"
#include "core/wire/types.h"
#include "crypto/composite/composite_provider.h"
#include "fuzz/fuzz_env.h"
#include "pki/certgen.h"
#include "pki/keys.h"
#include "pki/pem.h"

namespace {

using namespace sluice;
using Buf = std::vector<uint8_t>;

std::string g_root;

void write_file(const std::string& target, const std::string& name, const Buf& bytes) {
  std::filesystem::create_directories(g_root + "/" + target);
  std::ofstream f(g_root + "/" + target + "/" + name, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

Buf cat(std::initializer_list<Buf> parts) {
  Buf out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Buf bytes_of(std::string_view s) { return Buf(s.begin(), s.end()); }

// move sends everything `from` has to `to`, keeping a copy in `log`.
bool move(Connection& from, Connection& to, Buf& log) {
  bool any = false;
  for (auto out = from.outbound(); !out.empty(); out = from.outbound()) {
    const size_t n = to.feed(out);
    if (n == 0) break;
    log.insert(log.end(), out.begin(), out.begin() + static_cast<ptrdiff_t>(n));
    from.outbound_consumed(n);
    any = true;
  }
  return any;
}

void read_all(Connection& c) {
  uint8_t buf[16384];
  for (int i = 0; i < 64 && c.read(buf).status == Status::kOk; ++i) {
  }
}

struct Recording {
  Buf c2s, s2c;
  bool handshake_ok = false;
};

// converse runs a handshake and a short application exchange with a
// KeyUpdate and both close_notify alerts, recording each direction.
Recording converse(std::shared_ptr<Context> cctx, std::shared_ptr<Context> sctx, std::string_view early = {}) {
  Connection c = Connection::client(cctx, "localhost");
  Connection s = Connection::server(sctx);
  Recording r;
  if (!early.empty()) (void)c.write_early(bytes_of(early));
  for (int i = 0; i < 32; ++i) {
    Progress pc = c.handshake(), ps = s.handshake();
    const bool moved = move(c, s, r.c2s) | move(s, c, r.s2c);
    if (pc.status == Status::kOk && ps.status == Status::kOk) {
      r.handshake_ok = true;
      break;
    }
    if (!moved && i > 2) break;
  }
  if (!r.handshake_ok) return r;
  (void)s.write(bytes_of("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"));
  (void)c.write(bytes_of("GET / HTTP/1.1\r\nhost: localhost\r\n\r\n"));
  move(c, s, r.c2s), move(s, c, r.s2c);
  read_all(c), read_all(s);
  (void)s.key_update(true);
  move(s, c, r.s2c);
  read_all(c);  // answers with its own KeyUpdate
  (void)c.write(bytes_of("after key update"));
  move(c, s, r.c2s);
  read_all(s);
  (void)c.shutdown();
  move(c, s, r.c2s);
  read_all(s);
  (void)s.shutdown();
  move(s, c, r.s2c);
  read_all(c);
  return r;
}

// Handshake messages carried by a recorded stream: plaintext handshake
// records, and protected records whose inner type is handshake (the fuzzing
// AEAD leaves plaintext in place and appends a 16-byte tag).
std::vector<Buf> handshake_messages(const Buf& stream) {
  Buf hs;
  ByteReader r(stream);
  uint8_t type;
  uint16_t version, len;
  Bytes body;
  while (r.u8(type) && r.u16(version) && r.u16(len) && r.bytes(len, body)) {
    if (type == 22) hs.insert(hs.end(), body.begin(), body.end());
    if (type == 23 && body.size() > 17) {
      size_t end = body.size() - 16;
      while (end > 0 && body[end - 1] == 0) --end;
      if (end > 0 && body[end - 1] == 22) hs.insert(hs.end(), body.begin(), body.begin() + static_cast<ptrdiff_t>(end - 1));
    }
  }
  std::vector<Buf> msgs;
  ByteReader m(hs);
  uint8_t t;
  ByteReader b;
  while (m.u8(t) && m.prefixed24(b)) {
    Buf msg = {t};
    msg.insert(msg.end(), b.rest().begin(), b.rest().end());
    msgs.push_back(msg);
  }
  return msgs;
}

// The handshake_message fuzzer's selector for a message type (and the
// Finished length), or -1.
int message_selector(uint8_t type, size_t body_len) {
  switch (type) {
    case 1: return 0;
    case 2: return 1;
    case 8: return 2;
    case 11: return 3;
    case 25: return 0x83;  // CompressedCertificate: Certificate's selector with bit 7
    case 13: return 4;
    case 15: return 5;
    case 20: return body_len == 48 ? 7 : 6;
    case 4: return 8;
    case 24: return 9;
  }
  return -1;
}

// extension_block returns the selector and block of the extensions
// fuzzer for a message with extensions.
std::optional<std::pair<uint8_t, Buf>> extension_block(const Buf& msg) {
  ByteReader r(Bytes(msg).subspan(1));
  ByteReader v;
  switch (msg[0]) {
    case 1:  // ClientHello: version, random, session id, suites, compression
      if (!r.skip(34) || !r.prefixed8(v) || !r.prefixed16(v) || !r.prefixed8(v)) return std::nullopt;
      return std::pair<uint8_t, Buf>{1, Buf(r.rest().begin(), r.rest().end())};
    case 2:
      if (!r.skip(34) || !r.prefixed8(v) || !r.skip(3)) return std::nullopt;
      return std::pair<uint8_t, Buf>{2, Buf(r.rest().begin(), r.rest().end())};
    case 8: return std::pair<uint8_t, Buf>{3, Buf(r.rest().begin(), r.rest().end())};
    case 4:  // NewSessionTicket: lifetime, age_add, nonce, ticket
      if (!r.skip(8) || !r.prefixed8(v) || !r.prefixed16(v)) return std::nullopt;
      return std::pair<uint8_t, Buf>{5, Buf(r.rest().begin(), r.rest().end())};
  }
  return std::nullopt;
}

void add_messages(const std::string& tag, const Recording& rec) {
  int i = 0;
  for (const Buf* stream : {&rec.c2s, &rec.s2c}) {
    for (const Buf& msg : handshake_messages(*stream)) {
      const int sel = message_selector(msg[0], msg.size() - 1);
      if (sel < 0) continue;
      Buf seed = {static_cast<uint8_t>(sel)};
      seed.insert(seed.end(), msg.begin() + 1, msg.end());
      write_file("handshake_message", tag + "-" + std::to_string(i++), seed);
      if (auto ext = extension_block(msg)) {
        write_file("extensions", tag + "-" + std::to_string(i++), cat({{ext->first}, ext->second}));
        if (msg[0] == 1) write_file("extensions", tag + "-walk-" + std::to_string(i++), cat({{0}, ext->second}));
      }
    }
  }
}

std::shared_ptr<Context> server_with_cert(std::shared_ptr<const crypto::Provider> p, const pki::GeneratedCert& cert,
                                          std::vector<Buf> chain) {
  auto ctx = fuzz::server_context(p, std::move(chain));
  auto signer = p->new_signer(cert.key);
  if (!signer) std::abort();
  ctx->set_certificate({ctx->certificate().chain, std::shared_ptr<crypto::Signer>(std::move(*signer))});
  return ctx;
}

pki::CertSpec leaf_spec() {
  pki::CertSpec spec;
  spec.common_name = "localhost";
  spec.dns_names = {"localhost", "*.example.com"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  spec.not_before = fuzz::kFuzzNow - 86400;
  spec.not_after = fuzz::kFuzzNow + 365 * 86400;
  return spec;
}

void client_corpus(const std::vector<std::pair<std::string, pki::GeneratedCert>>& certs,
                   const pki::GeneratedChain& chain) {
  // Server variations; the client is always the fuzzer's client.
  for (const auto& [name, cert] : certs) {
    auto p = fuzz::fresh_provider();
    auto rec = converse(fuzz::client_context(p), server_with_cert(p, cert, {cert.der}));
    write_file("client", "cert-" + name, rec.s2c);
    add_messages("cert-" + name, rec);
  }
  {
    auto p = fuzz::fresh_provider();
    auto sctx = server_with_cert(p, chain.leaf, chain.peer_chain());
    auto rec = converse(fuzz::client_context(p), sctx);
    write_file("client", "chain", rec.s2c);
  }
  for (uint8_t bits : {1, 2, 4}) {
    auto p = fuzz::fresh_provider();
    auto sctx = server_with_cert(p, certs[0].second, {certs[0].second.der});
    fuzz::apply_server_config(*sctx, bits);
    auto rec = converse(fuzz::client_context(p), sctx);
    write_file("client", "server-config-" + std::to_string(bits), rec.s2c);
  }
  {
    // A TLS 1.2 server from before RFC 7627.
    auto p = fuzz::fresh_provider();
    auto sctx = server_with_cert(p, certs[0].second, {certs[0].second.der});
    fuzz::apply_server_config(*sctx, 2);
    DangerTestHelloShape legacy;
    legacy.omit_extended_master_secret = true;
    sctx->set_danger_test_hello_shape(legacy);
    auto rec = converse(fuzz::client_context(p), sctx);
    write_file("client", "tls12-no-ems", rec.s2c);
  }
  // HelloRetryRequest, CertificateRequest (optional and required), 0-RTT
  // allowed in tickets, middlebox compatibility CCS.
  for (uint8_t bits : {0x08, 0x10, 0x20, 0x40, 0x80, 0xd8}) {
    auto p = fuzz::fresh_provider();
    auto sctx = server_with_cert(p, certs[0].second, {certs[0].second.der});
    fuzz::apply_server_config(*sctx, bits);
    auto rec = converse(fuzz::client_context(p), sctx);
    char name[32];
    std::snprintf(name, sizeof name, "server-config-%02x", bits);
    write_file("client", name, rec.s2c);
    add_messages(name, rec);
  }
  {
    auto p = fuzz::fresh_provider();
    auto sctx = server_with_cert(p, certs[0].second, {certs[0].second.der});
    sctx->set_cipher_suites({wire::CipherSuite::kChaCha20Poly1305Sha256});
    DangerTestHelloShape shape;
    shape.encrypted_extensions_groups = {0x001d, 0x0017};
    Buf ticket;
    const uint8_t nonce[1] = {0};
    if (!wire::NewSessionTicket{7200, 0x01020304, nonce, Buf(32, 0x71), 16384}.serialize(ticket)) std::abort();
    shape.server_post_handshake_messages = {ticket};
    sctx->set_danger_test_hello_shape(shape);
    auto rec = converse(fuzz::client_context(p), sctx);
    write_file("client", "chacha-ticket", rec.s2c);
    add_messages("chacha-ticket", rec);
  }
}

void server_corpus() {
  struct Variant {
    std::string name;
    std::function<void(Context&)> client;
    uint8_t server_bits;
  };
  std::vector<Variant> variants = {
      {"default", [](Context&) {}, 0},
      {"no-alpn-server", [](Context&) {}, 1},
      {"tls12-server", [](Context&) {}, 2},
      {"sha384-server", [](Context&) {}, 4},
      {"chacha", [](Context& c) { c.set_cipher_suites({wire::CipherSuite::kChaCha20Poly1305Sha256}); }, 0},
      {"p256", [](Context& c) { c.set_groups({crypto::Group::kSecp256r1, crypto::Group::kX25519}); }, 0},
      {"p384", [](Context& c) { c.set_groups({crypto::Group::kSecp384r1}); }, 0},
      {"no-alpn-client", [](Context& c) { c.set_alpn({}); }, 0},
      {"fallback-scsv", [](Context& c) { c.set_mode(kModeSendFallbackScsv); }, 0},
      {"tls12-client", [](Context& c) { c.set_max_version(wire::kTls12); }, 0},
      {"tls12-no-ems",
       [](Context& c) {
         DangerTestHelloShape legacy;
         legacy.omit_extended_master_secret = true;
         c.set_danger_test_hello_shape(legacy);
       },
       2},
      {"hrr", [](Context&) {}, 0x40},
      {"hrr-middlebox", [](Context& c) { c.set_middlebox_compat(true); }, 0xc0},
      {"client-cert-requested", [](Context&) {}, 0x10},
      {"client-cert-required", [](Context&) {}, 0x20},
      {"middlebox", [](Context& c) { c.set_middlebox_compat(true); }, 0x80},
      {"shape",
       [](Context& c) {
         DangerTestHelloShape shape;
         shape.advertised_groups = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100};
         shape.renegotiation_info = true;
         shape.session_ticket = true;
         shape.psk_dhe_ke = true;
         c.set_record_size_limit(1024);
         c.set_danger_test_hello_shape(shape);
       },
       0},
  };
  for (const auto& v : variants) {
    auto p = fuzz::fresh_provider();
    auto cctx = fuzz::client_context(p);
    v.client(*cctx);
    auto sctx = fuzz::server_context(p);
    fuzz::apply_server_config(*sctx, v.server_bits);
    auto rec = converse(cctx, sctx);
    write_file("server", v.name, cat({{v.server_bits}, rec.c2s}));
    add_messages("server-" + v.name, rec);
  }
  // Resumption: a full handshake stores the server's tickets in the client
  // context; the second connection offers one (with 0-RTT data when the
  // server allows it), and that connection is the seed.
  for (uint8_t bits : {0x00, 0x08}) {
    auto p = fuzz::fresh_provider();
    auto cctx = fuzz::client_context(p);
    cctx->set_enable_early_data(true);
    auto sctx = fuzz::server_context(p);
    fuzz::apply_server_config(*sctx, bits);
    (void)converse(cctx, sctx);
    auto rec = converse(cctx, sctx, bits ? "early data, 0-RTT" : "");
    const std::string name = bits ? "resume-early-data" : "resume";
    write_file("server", name, cat({{bits}, rec.c2s}));
    add_messages("server-" + name, rec);
  }
}

void record_corpus() {
  // Mode 1: what an established server sends, matching the fuzzer's setup.
  {
    auto p = fuzz::fresh_provider();
    auto cctx = fuzz::client_context(p);
    cctx->set_cipher_suites({wire::CipherSuite::kAes128GcmSha256});
    auto sctx = fuzz::server_context(p);
    Connection c = Connection::client(cctx, "localhost");
    Connection s = Connection::server(sctx);
    if (!fuzz::handshake(c, s)) std::abort();
    Buf log, ignored;
    (void)s.write(bytes_of("hello"));
    (void)s.write(Buf(3000, 'x'));
    (void)s.key_update(true);
    (void)s.write(bytes_of("after key update"));
    (void)s.shutdown();
    move(s, c, log);
    write_file("record", "established", cat({{0x80}, log}));
  }
  // Mode 0: records sealed by Protection for each choice.
  for (unsigned choice = 0; choice < 4; ++choice) {
    auto p = fuzz::fresh_provider();
    static const std::pair<crypto::HashAlg, crypto::AeadAlg> suites[] = {
        {crypto::HashAlg::kSha256, crypto::AeadAlg::kAes128Gcm},
        {crypto::HashAlg::kSha384, crypto::AeadAlg::kAes256Gcm},
        {crypto::HashAlg::kSha256, crypto::AeadAlg::kChaCha20Poly1305}};
    Protection rp;
    if (choice > 0) {
      const auto& [h, a] = suites[choice - 1];
      auto r = Protection::tls13(*p, h, a, Buf(crypto::hash_len(h), crypto::kDangerFuzzingMacByte));
      if (!r) std::abort();
      rp = std::move(*r);
    }
    Buf stream = {static_cast<uint8_t>(choice)};
    const std::pair<wire::ContentType, Buf> records[] = {
        {wire::ContentType::kHandshake, {20, 0, 0, 4, 1, 2, 3, 4}},
        {wire::ContentType::kApplicationData, bytes_of("application data")},
        {wire::ContentType::kAlert, {1, 0}},
        {wire::ContentType::kApplicationData, Buf(600, 0x61)}};
    for (const auto& [type, payload] : records) {
      Buf rec(5 + payload.size() + rp.overhead());
      std::copy(payload.begin(), payload.end(), rec.begin() + 5);
      auto n = rp.seal(type, rec, payload.size());
      if (!n) std::abort();
      rec.resize(*n);
      stream.insert(stream.end(), rec.begin(), rec.end());
    }
    write_file("record", "sealed-" + std::to_string(choice), stream);
  }
}

void pki_corpus(const std::vector<std::pair<std::string, pki::GeneratedCert>>& certs,
                const pki::GeneratedChain& chain) {
  std::string bundle = "# a bundle, with comments between blocks\n";
  for (const auto& [name, cert] : certs) {
    write_file("x509", "cert-" + name, cat({{0}, cert.der}));
    write_file("x509", "walk-" + name, cat({{1}, cert.der}));
    if (auto der = pki::encode_pkcs8(cert.key)) write_file("x509", "pkcs8-" + name, cat({{2}, *der}));
    if (auto pem = cert.key_pem()) write_file("pem", "key-" + name, bytes_of(*pem));
    write_file("pem", "cert-" + name, bytes_of(cert.cert_pem()));
    bundle += cert.cert_pem() + "\n";
  }
  write_file("pem", "bundle", bytes_of(bundle));
  for (const auto* c : {&chain.root, &chain.intermediate, &chain.leaf}) {
    static int i = 0;
    write_file("x509", "chain-" + std::to_string(i++), cat({{0}, c->der}));
  }
}

// API sequences: [client mode][server mode][limits] then (op, arg) pairs.
// Ops (fuzzer): 0 handshake, 1 transfer, 2 write, 3 moved write, 4 read,
// 5 zero-copy read, 6 zero-copy write, 7 shutdown, 8 key_update, 9 set_mode,
// 10 clear_mode, 11 eof, 12 zero-copy transfer; 0x80 = server side.
void api_corpus() {
  constexpr uint8_t S = 0x80;
  const Buf handshake = {0, 0, 1, 0, S | 0, 0, S | 1, 0, 0, 0, 1, 0, S | 0, 0, S | 1, 0, 0, 0};
  auto program = [&](std::string name, Buf header, Buf ops) {
    write_file("api_sequence", name, cat({header, handshake, ops}));
  };
  program("basic", {0, 0, 0},
          {2, 100, 1, 0, S | 4, 255, S | 2, 50, S | 1, 0, 4, 255, 7, 0, 1, 0, S | 4, 10, S | 7, 0, S | 1, 0, 4, 1});
  // Small limits: non-partial writes wait, are retried (moved, on a side
  // that allows it), and finish after draining.
  program("retry", {0x02, 0x00, 0x21},
          {2, 200, 2, 200, 1, 0, 3, 0, 1, 0, 2, 0, 1, 0, S | 4, 255, S | 2, 255, S | 3, 0, S | 1, 0, S | 2, 0, 4, 255});
  // Partial writes, zero-copy both ways, key updates without AUTO_RETRY.
  program("partial-zero-copy", {0x01, 0x09, 0x34},
          {2, 255, 2, 255, 12, 40, S | 5, 255, S | 6, 100, S | 1, 0, 5, 255, S | 8, 1, S | 1, 0, 4, 255, 1, 0,
           S | 4, 255, 6, 20, 1, 0, S | 5, 3, S | 5, 255});
  // AUTO_RETRY and RELEASE_BUFFERS with toggled modes and a half close.
  program("modes-half-close", {0x0c, 0x04, 0x55},
          {9, 0x01, 2, 30, 10, 0x01, 1, 0, S | 7, 0, S | 1, 0, 4, 255, 2, 10, 1, 0, S | 4, 255, 7, 0, 1, 0});
  program("eof", {0, 0, 0}, {2, 10, 1, 0, S | 11, 0, S | 4, 255});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: corpus_generator <fuzz/corpus directory>\n");
    return 2;
  }
  g_root = argv[1];
  // Real certificates of every key type, so the seeds carry what the X.509
  // parser meets in practice.
  auto real = crypto::default_provider();
  std::vector<std::pair<std::string, pki::GeneratedCert>> certs;
  for (auto [name, type] : {std::pair{"ed25519", crypto::KeyType::kEd25519},
                            {"p256", crypto::KeyType::kEcdsaP256},
                            {"p384", crypto::KeyType::kEcdsaP384},
                            {"rsa", crypto::KeyType::kRsa}}) {
    auto cert = pki::generate_self_signed(*real, type, leaf_spec());
    if (!cert) {
      std::fprintf(stderr, "certgen %s failed\n", name);
      return 1;
    }
    certs.emplace_back(name, std::move(*cert));
  }
  auto chain = pki::generate_chain(*real, crypto::KeyType::kEcdsaP256, leaf_spec());
  if (!chain) return 1;

  client_corpus(certs, *chain);
  server_corpus();
  record_corpus();
  pki_corpus(certs, *chain);
  api_corpus();
  std::printf("corpora written under %s\n", g_root.c_str());
  return 0;
}

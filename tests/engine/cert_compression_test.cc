// Certificate compression (RFC 8879) through the public API: a Certificate
// goes compressed in each role when the peer listed an algorithm we
// compress with, falls back to the plain message otherwise, and a hostile
// CompressedCertificate ends the handshake with its alert, a declared
// length above the limit before anything of that size is allocated. TLS
// 1.2 ignores it all (RFC 8879 §3).
#include <doctest/doctest.h>

#include <atomic>

#include "base/heap_counter.h"
#include "core/wire/extensions.h"
#include "core/wire/hello.h"
#include "core/wire/messages.h"
#include "pki/keys.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/mitm.h"

namespace sluice {
namespace {

using crypto::KeyType;

constexpr uint16_t kXor = 0xfe01;    // a stand-in algorithm: every byte XOR 0x5a
constexpr uint16_t kOther = 0xfe02;  // a second one, the same transform under another id

// Calls made to one test algorithm, across the connections that share it.
struct Calls {
  std::atomic<int> compress{0}, decompress{0};
};

std::vector<uint8_t> xor_bytes(std::span<const uint8_t> in) {
  std::vector<uint8_t> out(in.begin(), in.end());
  for (auto& b : out) b ^= 0x5a;
  return out;
}

// xor_algorithm compresses and decompresses (either may be left out).
CertificateCompression xor_algorithm(uint16_t id, std::shared_ptr<Calls> calls, bool compress = true,
                                     bool decompress = true) {
  CertificateCompression c;
  c.algorithm = id;
  if (compress) {
    c.compress = [calls](std::span<const uint8_t> in, std::vector<uint8_t>& out) {
      ++calls->compress;
      const auto x = xor_bytes(in);
      out.insert(out.end(), x.begin(), x.end());
      return true;
    };
  }
  if (decompress) {
    c.decompress = [calls](std::span<const uint8_t> in, std::span<uint8_t> out) -> std::optional<size_t> {
      ++calls->decompress;
      if (in.size() > out.size()) return std::nullopt;
      const auto x = xor_bytes(in);
      std::copy(x.begin(), x.end(), out.begin());
      return x.size();
    };
  }
  return c;
}

void add(Context& ctx, CertificateCompression c) { REQUIRE(ctx.add_certificate_compression(std::move(c)).ok()); }

// The handshake messages one side sent and received: type, and the
// algorithm of each CompressedCertificate.
struct Seen {
  std::vector<uint8_t> sent, received;
  std::vector<uint16_t> algorithms_received;
  bool sent_type(uint8_t t) const { return std::find(sent.begin(), sent.end(), t) != sent.end(); }
  bool received_type(uint8_t t) const { return std::find(received.begin(), received.end(), t) != received.end(); }
};

std::shared_ptr<Seen> watch(Context& ctx) {
  auto seen = std::make_shared<Seen>();
  ctx.set_message_callback([seen](const MessageInfo& m) {
    if (m.content_type != wire::ContentType::kHandshake) return;
    (m.sent ? seen->sent : seen->received).push_back(m.type);
    if (!m.sent && m.type == static_cast<uint8_t>(wire::HandshakeType::kCompressedCertificate) && m.body.size() >= 2) {
      seen->algorithms_received.push_back(static_cast<uint16_t>(m.body[0] << 8 | m.body[1]));
    }
  });
  return seen;
}

constexpr uint8_t kCertificate = static_cast<uint8_t>(wire::HandshakeType::kCertificate);
constexpr uint8_t kCompressed = static_cast<uint8_t>(wire::HandshakeType::kCompressedCertificate);

using test::signer_for;

// A client and a server on one certificate, each watched.
struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  std::shared_ptr<Seen> client_seen, server_seen;
  const test::TestCert& cert;

  explicit Pair(KeyType type = KeyType::kEcdsaP256)
      : cctx(test::client_context(test::sodium_first(), test::test_cert(type))),
        sctx(test::server_context(test::sodium_first(), test::test_cert(type))),
        client_seen(watch(*cctx)),
        server_seen(watch(*sctx)),
        cert(test::test_cert(type)) {}

  // require_client_certificate: the server asks for one, and the client
  // presents `client_cert`.
  void require_client_certificate(const test::TestCert& client_cert) {
    sctx->set_client_auth(ClientAuth::kRequire);
    sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(client_cert.der));
    cctx->set_certificate({{client_cert.der}, signer_for(*test::sodium_first(), client_cert)});
  }

  // run handshakes and returns whether both sides completed; the
  // connections are kept for their errors.
  bool run() {
    client.emplace(Connection::client(cctx, "localhost"));
    server.emplace(Connection::server(sctx));
    return test::handshake(*client, *server);
  }
  std::optional<Connection> client, server;
};

}  // namespace

TEST_CASE("the server's Certificate goes compressed to a client that listed the algorithm") {
  Pair p;
  auto calls = std::make_shared<Calls>();
  add(*p.cctx, xor_algorithm(kXor, calls));
  add(*p.sctx, xor_algorithm(kXor, calls));
  REQUIRE(p.run());
  CHECK(p.server_seen->sent_type(kCompressed));
  CHECK_FALSE(p.server_seen->sent_type(kCertificate));
  CHECK(p.client_seen->algorithms_received == std::vector<uint16_t>{kXor});
  // One compression, one decompression: the chain arrived as it was sent.
  CHECK(calls->compress == 1);
  CHECK(calls->decompress == 1);
  REQUIRE(p.client->negotiated().peer_chain.size() == 1);
  CHECK(p.client->negotiated().peer_chain.front() == p.cert.der);
  // The connection works afterwards (both transcripts agreed: Finished).
  REQUIRE(p.client->write(std::vector<uint8_t>{1, 2, 3}).status == Status::kOk);
  test::transfer(*p.client, *p.server);
  CHECK(test::read_available(*p.server) == std::vector<uint8_t>{1, 2, 3});
}

TEST_CASE("the client's Certificate goes compressed when the CertificateRequest listed the algorithm") {
  Pair p;
  const auto& client_cert = test::test_cert(KeyType::kEd25519);
  p.require_client_certificate(client_cert);
  auto calls = std::make_shared<Calls>();
  SUBCASE("both directions compressed") {
    add(*p.cctx, xor_algorithm(kXor, calls));
    add(*p.sctx, xor_algorithm(kXor, calls));
    REQUIRE(p.run());
    CHECK(p.client_seen->sent_type(kCompressed));
    CHECK(p.server_seen->algorithms_received == std::vector<uint16_t>{kXor});
    CHECK(calls->compress == 2);
    CHECK(calls->decompress == 2);
  }
  SUBCASE("only the server decompresses: only the client's goes compressed") {
    add(*p.cctx, xor_algorithm(kXor, calls, /*compress=*/true, /*decompress=*/false));
    add(*p.sctx, xor_algorithm(kXor, calls, /*compress=*/false, /*decompress=*/true));
    REQUIRE(p.run());
    CHECK(p.server_seen->sent_type(kCertificate));
    CHECK(p.client_seen->sent_type(kCompressed));
    CHECK(calls->compress == 1);
    CHECK(calls->decompress == 1);
  }
  REQUIRE(p.server->negotiated().peer_chain.size() == 1);
  CHECK(p.server->negotiated().peer_chain.front() == client_cert.der);
}

TEST_CASE("post-handshake authentication: the client's answer goes compressed") {
  Pair p;
  const auto& client_cert = test::test_cert(KeyType::kEd25519);
  p.require_client_certificate(client_cert);
  p.sctx->set_client_auth(ClientAuth::kNone);
  p.cctx->set_post_handshake_auth(true);
  auto calls = std::make_shared<Calls>();
  add(*p.cctx, xor_algorithm(kXor, calls));
  add(*p.sctx, xor_algorithm(kXor, calls));
  REQUIRE(p.run());
  CHECK(calls->compress == 1);  // the server's, in the handshake
  REQUIRE(p.server->request_client_certificate().status == Status::kOk);
  std::vector<uint8_t> buf(100);
  for (int i = 0; i < 4; ++i) {
    test::transfer(*p.server, *p.client);
    (void)p.client->read(buf);
    test::transfer(*p.client, *p.server);
    (void)p.server->read(buf);
  }
  INFO("server: ", test::describe(*p.server));
  CHECK(p.server->error().ok());
  CHECK(calls->compress == 2);
  CHECK(p.server_seen->algorithms_received == std::vector<uint16_t>{kXor});
  REQUIRE(p.server->negotiated().peer_chain.size() == 1);
  CHECK(p.server->negotiated().peer_chain.front() == client_cert.der);
}

TEST_CASE("the sender's preference picks the algorithm, not the order of the peer's list") {
  Pair p;
  auto calls = std::make_shared<Calls>();
  // The client lists kOther first, the server prefers kXor.
  add(*p.cctx, xor_algorithm(kOther, calls));
  add(*p.cctx, xor_algorithm(kXor, calls));
  add(*p.sctx, xor_algorithm(kXor, calls));
  add(*p.sctx, xor_algorithm(kOther, calls));
  REQUIRE(p.run());
  CHECK(p.client_seen->algorithms_received == std::vector<uint16_t>{kXor});
}

TEST_CASE("without an algorithm in common, or when the compressor declines, the plain Certificate goes") {
  Pair p;
  auto calls = std::make_shared<Calls>();
  SUBCASE("no algorithm in common") {
    add(*p.cctx, xor_algorithm(kOther, calls));
    add(*p.sctx, xor_algorithm(kXor, calls));
  }
  SUBCASE("the client can only compress: it lists nothing") {
    add(*p.cctx, xor_algorithm(kXor, calls, /*compress=*/true, /*decompress=*/false));
    add(*p.sctx, xor_algorithm(kXor, calls));
  }
  SUBCASE("the server's compressor declines") {
    add(*p.cctx, xor_algorithm(kXor, calls));
    CertificateCompression declining = xor_algorithm(kXor, calls);
    declining.compress = [calls](std::span<const uint8_t>, std::vector<uint8_t>&) {
      ++calls->compress;
      return false;
    };
    add(*p.sctx, std::move(declining));
  }
  REQUIRE(p.run());
  CHECK(p.server_seen->sent_type(kCertificate));
  CHECK_FALSE(p.server_seen->sent_type(kCompressed));
  CHECK(calls->decompress == 0);
  REQUIRE(p.client->negotiated().peer_chain.size() == 1);
  CHECK(p.client->negotiated().peer_chain.front() == p.cert.der);
}

TEST_CASE("TLS 1.2 ignores certificate compression (RFC 8879 §3)") {
  for (bool client_caps : {false, true}) {
    CAPTURE(client_caps);
    Pair p;
    auto calls = std::make_shared<Calls>();
    add(*p.cctx, xor_algorithm(kXor, calls));
    add(*p.sctx, xor_algorithm(kXor, calls));
    // A TLS 1.2 client sends no compress_certificate; a TLS 1.2 server
    // ignores the one a client offering both versions sends.
    (client_caps ? p.cctx : p.sctx)->set_max_version(wire::kTls12);
    REQUIRE(p.run());
    CHECK(p.client->negotiated().version == wire::kTls12);
    CHECK(p.server_seen->sent_type(kCertificate));
    CHECK_FALSE(p.server_seen->sent_type(kCompressed));
    CHECK(calls->compress == 0);
    CHECK(calls->decompress == 0);
  }
}

TEST_CASE("a decompressor that fails, or yields another length than declared, is bad_certificate") {
  Pair p;
  auto calls = std::make_shared<Calls>();
  add(*p.sctx, xor_algorithm(kXor, calls));
  CertificateCompression broken = xor_algorithm(kXor, calls);
  SUBCASE("it fails") {
    broken.decompress = [](std::span<const uint8_t>, std::span<uint8_t>) -> std::optional<size_t> {
      return std::nullopt;
    };
  }
  SUBCASE("it writes one byte less than the declared length") {
    auto real = broken.decompress;
    broken.decompress = [real](std::span<const uint8_t> in, std::span<uint8_t> out) -> std::optional<size_t> {
      auto n = real(in, out);
      return n ? std::optional<size_t>(*n - 1) : std::nullopt;
    };
  }
  add(*p.cctx, std::move(broken));
  REQUIRE_FALSE(p.run());
  check_error(p.client->error(), Alert::kBadCertificate, Reason::kBadCertificate);
  // The alert reaches the server.
  test::transfer(*p.client, *p.server);
  CHECK(p.server->handshake().status == Status::kError);
  CHECK(p.server->error().origin == Origin::kReceived);
  CHECK(p.server->error().alert == Alert::kBadCertificate);
}

TEST_CASE("a decompressed Certificate above the limit is bad_certificate, without calling the decompressor") {
  Pair p;
  auto calls = std::make_shared<Calls>();
  add(*p.cctx, xor_algorithm(kXor, calls));
  add(*p.sctx, xor_algorithm(kXor, calls));
  // An ECDSA P-256 certificate is a few hundred bytes.
  p.cctx->set_max_decompressed_certificate(100);
  REQUIRE_FALSE(p.run());
  check_error(p.client->error(), Alert::kBadCertificate, Reason::kBadCertificate);
  CHECK(calls->compress == 1);
  CHECK(calls->decompress == 0);
}

TEST_CASE("Context: registering algorithms, and the limit's range") {
  Context ctx(Role::kClient, test::sodium_first());
  auto calls = std::make_shared<Calls>();
  CHECK(ctx.policy().max_decompressed_certificate == kDefaultMaxDecompressedCertificate);
  REQUIRE(ctx.add_certificate_compression(xor_algorithm(kXor, calls)).ok());
  auto again = ctx.add_certificate_compression(xor_algorithm(kXor, calls));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().origin == Origin::kApi);
  CertificateCompression empty;
  empty.algorithm = kOther;
  REQUIRE_FALSE(ctx.add_certificate_compression(empty).ok());
  CHECK(ctx.hooks().certificate_compression.size() == 1);
  ctx.set_max_decompressed_certificate(size_t{1} << 30);
  CHECK(ctx.policy().max_decompressed_certificate == 256 * 1024);
  ctx.set_max_decompressed_certificate(1000);
  CHECK(ctx.policy().max_decompressed_certificate == 1000);
}

TEST_CASE("compress_certificate lists: malformed or repeating ones are decode_error") {
  auto parse = [](std::vector<uint8_t> body) {
    ByteReader r(body);
    std::vector<uint16_t> out;
    auto res = wire::read_compression_algorithms(r, out);
    return std::make_pair(res.ok() ? Reason::kNone : res.error().reason, out);
  };
  CHECK(parse({0x04, 0x00, 0x01, 0x00, 0x02}) == std::make_pair(Reason::kNone, std::vector<uint16_t>{1, 2}));
  CHECK(parse({0x04, 0x00, 0x01, 0x00, 0x01}).first == Reason::kDecodeError);  // twice
  CHECK(parse({0x00}).first == Reason::kDecodeError);                          // empty
  CHECK(parse({0x03, 0x00, 0x01, 0x00}).first == Reason::kDecodeError);        // odd
  CHECK(parse({0x02, 0x00, 0x01, 0x00}).first == Reason::kDecodeError);        // a byte after the list
  // In a ClientHello and a CertificateRequest, with the round trip.
  wire::ClientHello ch;
  ch.cipher_suites = {0x1301};
  ch.compress_certificate = {2, 1};
  std::vector<uint8_t> msg;
  REQUIRE(ch.serialize(msg));
  auto parsed = wire::ClientHello::parse(Bytes(msg).subspan(4));
  REQUIRE(parsed.ok());
  CHECK(parsed->compress_certificate == std::vector<uint16_t>{2, 1});
  wire::CertificateRequest cr;
  cr.signature_algorithms = {0x0807};
  cr.compress_certificate = {1};
  msg.clear();
  REQUIRE(cr.serialize(msg));
  auto parsed_cr = wire::CertificateRequest::parse(Bytes(msg).subspan(4));
  REQUIRE(parsed_cr.ok());
  CHECK(parsed_cr->compress_certificate == std::vector<uint16_t>{1});
}

// A man in the middle replaces the server's Certificate with a
// CompressedCertificate of its making.
namespace {

std::vector<uint8_t> compressed_message_body(uint16_t algorithm, uint32_t declared, std::span<const uint8_t> compressed) {
  std::vector<uint8_t> out;
  REQUIRE(wire::CompressedCertificate{algorithm, declared, compressed}.serialize(out));
  return std::vector<uint8_t>(out.begin() + 4, out.end());
}

// forged_flight runs the server's flight with its Certificate replaced by
// a CompressedCertificate of make(certificate body), and returns it as
// the client would receive it.
template <class Make>
std::vector<uint8_t> forged_flight(Mitm& m, Make make) {
  m.log_secrets();
  auto [sh, msgs] = m.server_flight();
  bool replaced = false;
  for (Msg& msg : msgs) {
    if (msg.type != kCertificate) continue;
    msg = {kCompressed, make(msg.body)};
    replaced = true;
  }
  REQUIRE(replaced);
  std::vector<uint8_t> bytes = sh;
  const auto sealed = m.seal_flight(join_messages(msgs));
  bytes.insert(bytes.end(), sealed.begin(), sealed.end());
  return bytes;
}

}  // namespace

TEST_CASE("a hostile CompressedCertificate ends the handshake with its alert") {
  Mitm m = Mitm::make();
  auto calls = std::make_shared<Calls>();
  SUBCASE("not asked for: unexpected_message") {
    Error e = m.client_result(forged_flight(m, [](const std::vector<uint8_t>& body) {
      return compressed_message_body(kXor, static_cast<uint32_t>(body.size()), xor_bytes(body));
    }));
    check_error(e, Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("an algorithm the client did not list: illegal_parameter") {
    add(*m.cctx, xor_algorithm(kXor, calls));
    Error e = m.client_result(forged_flight(m, [](const std::vector<uint8_t>& body) {
      return compressed_message_body(kOther, static_cast<uint32_t>(body.size()), xor_bytes(body));
    }));
    check_error(e, Alert::kIllegalParameter, Reason::kIllegalParameter);
    CHECK(calls->decompress == 0);
  }
  SUBCASE("a declared length longer than what decompresses: bad_certificate") {
    add(*m.cctx, xor_algorithm(kXor, calls));
    Error e = m.client_result(forged_flight(m, [](const std::vector<uint8_t>& body) {
      return compressed_message_body(kXor, static_cast<uint32_t>(body.size() + 1), xor_bytes(body));
    }));
    check_error(e, Alert::kBadCertificate, Reason::kBadCertificate);
    CHECK(calls->decompress == 1);
  }
  SUBCASE("a declared length shorter than what decompresses: bad_certificate") {
    add(*m.cctx, xor_algorithm(kXor, calls));
    Error e = m.client_result(forged_flight(m, [](const std::vector<uint8_t>& body) {
      return compressed_message_body(kXor, static_cast<uint32_t>(body.size() - 1), xor_bytes(body));
    }));
    check_error(e, Alert::kBadCertificate, Reason::kBadCertificate);
  }
  SUBCASE("the largest declared length (16 MiB): refused before anything of that size is allocated") {
    add(*m.cctx, xor_algorithm(kXor, calls));
    constexpr uint32_t kDeclared = 0xffffff;
    const auto bytes = forged_flight(m, [](const std::vector<uint8_t>& body) {
      return compressed_message_body(kXor, kDeclared, xor_bytes(body));
    });
    reset_largest_allocation();
    Error e = m.client_result(bytes);
    const uint64_t largest = heap_stats().largest_allocation;
    check_error(e, Alert::kBadCertificate, Reason::kBadCertificate);
    CHECK(calls->decompress == 0);
    // Record buffers (about 17 KB) are the largest blocks a handshake step
    // allocates; the declared length never is.
    CHECK(largest < kDefaultMaxDecompressedCertificate);
  }
}

}  // namespace sluice

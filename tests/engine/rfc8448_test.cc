// RFC 8448 §3 (simple 1-RTT handshake) replayed byte for byte: sluice's
// client and server, fed the trace's randoms, key shares and RSA-PSS
// signature through the deterministic provider, must emit exactly the
// trace's records. The values are read at test time from
// ../shared/vectors/rfc8448 (see its SOURCE.md); nothing is copied here.
#include <doctest/doctest.h>

#include <map>
#include <sstream>

#include "base/hex.h"
#include "core/connection.h"
#include "core/record_protection.h"
#include "crypto/deterministic/deterministic_provider.h"
#include "pki/keys.h"
#include "pki/pem.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/test_env.h"
#include "tests/support/vectors.h"

namespace sluice {
namespace {

using test::drain;
using test::feed_all;

using Trace = std::map<std::string, std::vector<uint8_t>>;

// load_trace reads one [Section] of transcripts.vec ("Key = hex" lines).
bool load_trace(const std::filesystem::path& file, const std::string& section, Trace& out) {
  std::string text;
  if (!testing::read_file_to_string(file, text)) return false;
  std::istringstream in(text);
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      current = line.substr(1, line.find(']') - 1);
      continue;
    }
    if (current != section) continue;
    auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    if (line.substr(0, eq) == "CurrentTimestamp") {
      // Milliseconds, in decimal: kept as 8 big-endian bytes.
      const uint64_t ms = std::stoull(line.substr(eq + 3));
      std::vector<uint8_t> v(8);
      for (int i = 0; i < 8; ++i) v[7 - i] = static_cast<uint8_t>(ms >> (8 * i));
      out["CurrentTimestamp"] = v;
      continue;
    }
    auto bytes = from_hex(line.substr(eq + 3));
    if (bytes) out[line.substr(0, eq)] = *bytes;
  }
  return !out.empty();
}

int64_t timestamp_ms(Trace& t) {
  int64_t ms = 0;
  for (uint8_t b : t["CurrentTimestamp"]) ms = ms << 8 | b;
  return ms;
}

std::vector<uint8_t> slice(const std::vector<uint8_t>& v, size_t from, size_t n) {
  return std::vector<uint8_t>(v.begin() + static_cast<ptrdiff_t>(from), v.begin() + static_cast<ptrdiff_t>(from + n));
}



std::vector<uint8_t> concat(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  std::vector<uint8_t> v = a;
  v.insert(v.end(), b.begin(), b.end());
  return v;
}

// The lists the RFC's peers advertise, including code points sluice does
// not implement (secp521r1, ffdhe, SHA-1 and SHA-224 schemes): advertised
// only, never selectable.
const std::vector<uint16_t> kTraceGroups = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104};
const std::vector<uint16_t> kTraceSchemes = {0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401,
                                             0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202};

// One RFC 8448 trace and how each side was configured to produce it.
struct Scenario {
  const char* section;
  std::vector<crypto::Group> client_groups = {crypto::Group::kX25519};
  std::vector<uint16_t> advertised_groups = kTraceGroups;  // empty: the real list
  bool session_ticket_ext = false;
  bool compat = false;                                      // client middlebox mode
  std::vector<crypto::Group> server_groups = {crypto::Group::kX25519, crypto::Group::kSecp256r1,
                                              crypto::Group::kSecp384r1};
  bool strict_groups = false;
  std::vector<uint16_t> ee_groups = kTraceGroups;
  bool hrr = false;
  bool ticket_and_app_data = false;  // §3: a NewSessionTicket and data both ways
  bool client_auth = false;          // §6: the server requires a client certificate
  bool resumed = false;              // §4: resumption with 0-RTT
  std::shared_ptr<InMemorySessionStore> store = std::make_shared<InMemorySessionStore>();
};

// TraceSigner answers the one signature the trace recorded for its key (the
// trace's keys sign with randomized or unknown private keys).
class TraceSigner final : public crypto::Signer {
 public:
  TraceSigner(crypto::KeyType type, std::vector<uint8_t> message, std::vector<uint8_t> signature)
      : type_(type), message_(std::move(message)), signature_(std::move(signature)) {
    key_.type = type;
  }
  crypto::KeyType key_type() const override { return type_; }
  const crypto::PublicKey& public_key() const override { return key_; }
  bool supports(crypto::SignatureScheme s) const override { return crypto::scheme_key_type(s) == type_; }
  crypto::CResult<crypto::SignOutcome> sign(crypto::SignatureScheme, crypto::Bytes message,
                                            std::vector<uint8_t>& out) override {
    if (!std::equal(message.begin(), message.end(), message_.begin(), message_.end())) {
      return Err(crypto::CryptoError::kInternal);
    }
    out = signature_;
    return crypto::SignOutcome::kDone;
  }

 private:
  crypto::KeyType type_;
  crypto::PublicKey key_;
  std::vector<uint8_t> message_, signature_;
};

// first_der trims a DER element to its own length (two of the trace's PEM
// files carry stray bytes after the certificate).
std::vector<uint8_t> first_der(const std::vector<uint8_t>& der) {
  REQUIRE(der.size() > 4);
  REQUIRE(der[1] == 0x82);
  return slice(der, 0, 4 + (static_cast<size_t>(der[2]) << 8 | der[3]));
}

struct Loaded {
  Trace t;
  std::vector<std::vector<uint8_t>> cert;
  std::vector<uint8_t> client_cert;
  std::string server_key_pem;
};

bool load(const Scenario& sc, Loaded& out) {
  testing::VectorsDir dir = testing::find_vectors("rfc8448");
  if (dir.state == testing::VectorsState::kAbsentRequired) FAIL("RFC 8448 vectors required but absent: ", dir.why_absent);
  if (dir.state != testing::VectorsState::kPresent) return false;  // find_vectors printed NOT RUN
  REQUIRE(load_trace(dir.dir / "transcripts.vec", sc.section, out.t));
  REQUIRE(testing::read_file_to_string(dir.dir / "server_key.pem", out.server_key_pem));
  // The certificate as the trace's Certificate message carries it (the PEM
  // file beside the trace has two stray bytes after the DER).
  // A resumed trace (§4) has none: the caller supplies the original one.
  if (out.t.count("Message_Server_Certificate")) {
    const auto& cert_msg = out.t["Message_Server_Certificate"];
    REQUIRE(cert_msg.size() > 11);
    const size_t cert_len = static_cast<size_t>(cert_msg[8]) << 16 | cert_msg[9] << 8 | cert_msg[10];
    out.cert = {slice(cert_msg, 11, cert_len)};
  }
  std::string client_pem;
  REQUIRE(testing::read_file_to_string(dir.dir / "client_certificate.pem", client_pem));
  auto client = pki::pem_certificates(client_pem);
  REQUIRE(client);
  out.client_cert = first_der(client->front());
  return true;
}

std::shared_ptr<crypto::DangerDeterministicProvider> deterministic() {
  const uint8_t seed[] = {8, 4, 4, 8};
  return std::make_shared<crypto::DangerDeterministicProvider>(test::sodium_first(), Bytes(seed));
}

// run_client replays the trace against sluice's client and returns the
// server application traffic secret it logged (for decrypting the ticket).
std::string run_client(const Scenario& sc, Loaded& v, const std::vector<uint8_t>* server_flight = nullptr) {
  Trace& t = v.t;
  auto prov = deterministic();
  const auto& pool = t["Client_RNG_Pool"];
  size_t at = 0;
  prov->queue_random(slice(pool, at, 32)), at += 32;
  if (sc.compat) prov->queue_random(slice(pool, at, 32)), at += 32;  // the session id
  prov->queue_key_share(sc.client_groups.front(), slice(pool, at, 32)), at += 32;
  if (sc.hrr) prov->queue_key_share(crypto::Group::kSecp256r1, slice(pool, at, 32)), at += 32;
  auto ctx = std::make_shared<Context>(Role::kClient, prov);
  ctx->set_min_version(wire::kTls13);  // the traces' hellos offer TLS 1.3 only
  ctx->set_cipher_suites({wire::CipherSuite::kAes128GcmSha256, wire::CipherSuite::kChaCha20Poly1305Sha256,
                          wire::CipherSuite::kAes256GcmSha384});
  ctx->set_groups(sc.client_groups);
  DangerTestHelloShape shape;
  shape.advertised_groups = sc.advertised_groups;
  shape.advertised_signature_schemes = kTraceSchemes;
  shape.renegotiation_info = true;
  shape.session_ticket = sc.session_ticket_ext;
  shape.psk_dhe_ke = true;
  ctx->set_record_size_limit(16385);
  ctx->set_danger_test_hello_shape(shape);
  ctx->set_middlebox_compat(sc.compat);
  ctx->set_verifier(std::make_shared<pki::PinnedVerifier>(v.cert.front()));
  ctx->set_session_store(sc.store);
  const int64_t now_ms = timestamp_ms(t);
  ctx->set_clock_ms([now_ms] { return now_ms; });
  ctx->set_enable_early_data(sc.resumed);
  if (sc.client_auth) {
    ctx->set_certificate({{v.client_cert}, std::make_shared<TraceSigner>(crypto::KeyType::kRsa, t["Client_MessageToSign"],
                                                                         t["Client_MessageSignature"])});
  }
  std::string server_app_secret_hex;
  ctx->set_key_log([&](std::string_view line) {
    if (line.rfind("SERVER_TRAFFIC_SECRET_0 ", 0) == 0) server_app_secret_hex = std::string(line.substr(line.rfind(' ') + 1));
  });
  Connection client = Connection::client(ctx, "server");
  if (sc.resumed) REQUIRE(client.write_early(t["Client_EarlyAppData"]).status == Status::kOk);

  CHECK(client.handshake().status == Status::kWantRead);
  const auto first_flight = sc.resumed ? concat(t["Record_ClientHello_1"], t["Record_Client_EarlyAppData"])
                                       : t["Record_ClientHello_1"];
  CHECK(to_hex(drain(client)) == to_hex(first_flight));
  if (sc.hrr) {
    feed_all(client, t["Record_HelloRetryRequest"]);
    INFO("client: ", test::describe(client));
    CHECK(client.handshake().status == Status::kWantRead);
    CHECK(to_hex(drain(client)) == to_hex(t["Record_ClientHello_2"]));
  }
  feed_all(client, server_flight ? *server_flight : concat(t["Record_ServerHello"], t["Record_ServerHandshakeMessages"]));
  Progress p = client.handshake();
  INFO("client: ", test::describe(client));
  REQUIRE(p.status == Status::kOk);
  CHECK(to_hex(drain(client)) == to_hex(t["Record_ClientFinished"]));
  if (sc.resumed) {
    CHECK(client.negotiated().resumed);
    CHECK(client.negotiated().early_data_accepted);
  } else {
    CHECK(client.negotiated().signature_scheme == (sc.client_auth ? crypto::SignatureScheme::kEcdsaSecp256r1Sha256
                                                                    : crypto::SignatureScheme::kRsaPssRsaeSha256));
  }
  std::vector<uint8_t> buf(100);
  if (sc.resumed) {
    CHECK(client.write(t["Client_AppData"]).status == Status::kOk);
    CHECK(to_hex(drain(client)) == to_hex(t["Record_Client_AppData"]));
    feed_all(client, t["Record_Server_AppData"]);
    p = client.read(buf);
    REQUIRE(p.status == Status::kOk);
    CHECK(to_hex(Bytes(buf).first(p.bytes)) == to_hex(t["Server_AppData"]));
  }
  if (sc.ticket_and_app_data) {
    // The NewSessionTicket is a record without application data.
    feed_all(client, t["Record_NewSessionTicket"]);
    CHECK(client.read(buf).status == Status::kWantRead);
    feed_all(client, t["Record_Server_AppData"]);
    p = client.read(buf);
    REQUIRE(p.status == Status::kOk);
    CHECK(to_hex(Bytes(buf).first(p.bytes)) == to_hex(t["Server_AppData"]));
    CHECK(client.write(t["Client_AppData"]).status == Status::kOk);
    CHECK(to_hex(drain(client)) == to_hex(t["Record_Client_AppData"]));
  }
  CHECK(client.shutdown().status == Status::kWantRead);
  CHECK(to_hex(drain(client)) == to_hex(t["Record_Client_CloseNotify"]));
  feed_all(client, t["Record_Server_CloseNotify"]);
  CHECK(client.shutdown().status == Status::kOk);
  return server_app_secret_hex;
}

// TraceTicketSealer opens the one ticket the trace's server issued, with the
// state the client derived from it (the format is that server's own).
class TraceTicketSealer final : public TicketSealer {
 public:
  TraceTicketSealer(std::vector<uint8_t> ticket, TicketState state) : ticket_(std::move(ticket)), state_(std::move(state)) {}
  TlsResult<std::vector<uint8_t>> seal(const crypto::Provider&, const TicketState&, int64_t) override {
    return Err(Error(Reason::kInternal, "the trace's server issues no tickets here"));
  }
  std::optional<TicketState> open(const crypto::Provider&, std::span<const uint8_t> ticket, int64_t) override {
    if (!std::equal(ticket.begin(), ticket.end(), ticket_.begin(), ticket_.end())) return std::nullopt;
    TicketState s;
    s.cipher_suite = state_.cipher_suite;
    s.psk = state_.psk.copy();
    s.age_add = state_.age_add;
    s.lifetime = state_.lifetime;
    s.issued_at = state_.issued_at;
    s.max_early_data = state_.max_early_data;
    s.alpn = state_.alpn;
    return s;
  }

 private:
  std::vector<uint8_t> ticket_;
  TicketState state_;
};

// run_server replays the trace against sluice's server; returns what the
// server sent in reply to the first flight.
std::vector<uint8_t> run_server(const Scenario& sc, Loaded& v, const std::vector<uint8_t>& ticket_message,
                                const Session* resumed_from = nullptr, int64_t issued_ms = 0) {
  Trace& t = v.t;
  auto prov = deterministic();
  const auto& pool = t["Server_RNG_Pool"];
  prov->queue_random(slice(pool, 0, 32));
  prov->queue_key_share(sc.hrr ? crypto::Group::kSecp256r1 : crypto::Group::kX25519, slice(pool, 32, 32));
  prov->record_signature(t["Server_MessageToSign"], t["Server_MessageSignature"]);
  auto ctx = std::make_shared<Context>(Role::kServer, prov);
  ctx->set_min_version(wire::kTls13);
  if (sc.client_auth) {
    // §6's server key is ECDSA P-256, which the trace does not include.
    ctx->set_certificate({v.cert, std::make_shared<TraceSigner>(crypto::KeyType::kEcdsaP256, t["Server_MessageToSign"],
                                                                 t["Server_MessageSignature"])});
    ctx->set_client_auth(ClientAuth::kRequire);
    ctx->set_verifier(std::make_shared<pki::PinnedVerifier>(v.client_cert));
  } else {
    auto key = pki::parse_private_key_pem(v.server_key_pem);
    REQUIRE(key);
    auto signer = prov->new_signer(*key);
    REQUIRE(signer);
    ctx->set_certificate({v.cert, std::shared_ptr<crypto::Signer>(std::move(*signer))});
  }
  ctx->set_groups(sc.server_groups);
  ctx->set_strict_group_preference(sc.strict_groups);
  ctx->set_ticket_count(0);  // the traced servers sent tickets only when told to
  const int64_t now_ms = timestamp_ms(t);
  ctx->set_clock_ms([now_ms] { return now_ms; });
  if (resumed_from) {
    TicketState st;
    st.cipher_suite = resumed_from->cipher_suite;
    st.psk = resumed_from->psk.copy();
    st.age_add = resumed_from->age_add;
    st.lifetime = resumed_from->lifetime;
    st.issued_at = issued_ms / 1000;
    st.max_early_data = resumed_from->max_early_data;
    ctx->set_ticket_sealer(std::make_shared<TraceTicketSealer>(resumed_from->ticket, std::move(st)));
    ctx->set_max_early_data(resumed_from->max_early_data);
  }
  DangerTestHelloShape shape;
  shape.encrypted_extensions_groups = sc.ee_groups;
  if (sc.client_auth) shape.certificate_request_schemes = kTraceSchemes;
  if (sc.hrr) {
    std::vector<uint8_t> cookie = t["HelloRetryRequest_Cookie"];
    ctx->set_hello_retry_cookie([cookie] { return cookie; });
  }
  if (!ticket_message.empty()) shape.server_post_handshake_messages = {ticket_message};
  ctx->set_danger_test_hello_shape(shape);
  std::string server_hs_secret;
  ctx->set_key_log([&](std::string_view line) {
    if (line.rfind("SERVER_HANDSHAKE_TRAFFIC_SECRET ", 0) == 0) server_hs_secret = std::string(line.substr(line.rfind(' ') + 1));
  });
  Connection server = Connection::server(ctx);

  std::vector<uint8_t> buf(100);
  feed_all(server, t["Record_ClientHello_1"]);
  Progress p{};
  if (sc.resumed) {
    // 0-RTT reaches read() before the handshake is done.
    feed_all(server, t["Record_Client_EarlyAppData"]);
    p = server.read(buf);
    INFO("server: ", test::describe(server));
    REQUIRE(p.status == Status::kOk);
    CHECK(to_hex(Bytes(buf).first(p.bytes)) == to_hex(t["Client_EarlyAppData"]));
    CHECK(!server.handshake_done());
  }
  p = server.handshake();
  INFO("server: ", test::describe(server));
  REQUIRE(p.status == Status::kWantRead);
  if (sc.hrr) {
    CHECK(to_hex(drain(server)) == to_hex(t["Record_HelloRetryRequest"]));
    feed_all(server, t["Record_ClientHello_2"]);
    REQUIRE(server.handshake().status == Status::kWantRead);
  }
  const auto flight = drain(server);
  if (sc.resumed) {
    // The trace's own server flight was regenerated without the SNI
    // acknowledgement the RFC's server sent (its client records follow the
    // RFC); check the ServerHello record and the RFC's server Finished.
    const auto& sh = t["Record_ServerHello"];
    REQUIRE(flight.size() > sh.size());
    CHECK(to_hex(Bytes(flight).first(sh.size())) == to_hex(sh));
    auto rp = Protection::tls13(*test::sodium_first(), crypto::HashAlg::kSha256, crypto::AeadAlg::kAes128Gcm,
                                      *from_hex(server_hs_secret));
    REQUIRE(rp);
    std::vector<uint8_t> rest(flight.begin() + static_cast<ptrdiff_t>(sh.size()), flight.end());
    auto opened = rp->open(rest);
    REQUIRE(opened);
    const auto& fin = t["Message_Server_Finished"];
    REQUIRE(opened->plaintext.size() > fin.size());
    CHECK(to_hex(Bytes(opened->plaintext).last(fin.size())) == to_hex(fin));
  } else {
    CHECK(to_hex(flight) == to_hex(concat(t["Record_ServerHello"], t["Record_ServerHandshakeMessages"])));
  }
  feed_all(server, t["Record_ClientFinished"]);
  REQUIRE(server.handshake().status == Status::kOk);
  if (sc.client_auth) CHECK(server.negotiated().peer_chain.front() == v.client_cert);
  if (sc.resumed) {
    CHECK(server.negotiated().resumed);
    CHECK(server.negotiated().early_data_accepted);
    feed_all(server, t["Record_Client_AppData"]);
    p = server.read(buf);
    REQUIRE(p.status == Status::kOk);
    CHECK(to_hex(Bytes(buf).first(p.bytes)) == to_hex(t["Client_AppData"]));
    CHECK(server.write(t["Server_AppData"]).status == Status::kOk);
    CHECK(to_hex(drain(server)) == to_hex(t["Record_Server_AppData"]));
  }
  if (sc.ticket_and_app_data) {
    CHECK(to_hex(drain(server)) == to_hex(t["Record_NewSessionTicket"]));
    feed_all(server, t["Record_Client_AppData"]);
    p = server.read(buf);
    REQUIRE(p.status == Status::kOk);
    CHECK(to_hex(Bytes(buf).first(p.bytes)) == to_hex(t["Client_AppData"]));
    CHECK(server.write(t["Server_AppData"]).status == Status::kOk);
    CHECK(to_hex(drain(server)) == to_hex(t["Record_Server_AppData"]));
  }
  feed_all(server, t["Record_Client_CloseNotify"]);
  CHECK(server.read(buf).status == Status::kZeroReturn);
  CHECK(server.shutdown().status == Status::kOk);
  CHECK(to_hex(drain(server)) == to_hex(t["Record_Server_CloseNotify"]));
  return flight;
}

// ticket_from_trace decrypts the trace's NewSessionTicket record with the
// secret the client logged: ticket contents come from the trace (the ticket
// format is the issuing implementation's own).
std::vector<uint8_t> ticket_from_trace(Trace& t, const std::string& secret_hex) {
  REQUIRE(!secret_hex.empty());
  auto secret = from_hex(secret_hex);
  auto rp = Protection::tls13(*test::sodium_first(), crypto::HashAlg::kSha256, crypto::AeadAlg::kAes128Gcm,
                                    *secret);
  REQUIRE(rp);
  std::vector<uint8_t> record = t["Record_NewSessionTicket"];
  auto opened = rp->open(record);
  REQUIRE(opened);
  return {opened->plaintext.begin(), opened->plaintext.end()};
}

void run(const Scenario& sc) {
  Loaded v;
  if (!load(sc, v)) return;
  const std::string secret = run_client(sc, v);
  std::vector<uint8_t> ticket;
  if (sc.ticket_and_app_data) ticket = ticket_from_trace(v.t, secret);
  run_server(sc, v, ticket);
}

}  // namespace

TEST_CASE("RFC 8448 §3 simple 1-RTT: client and server reproduce the trace byte for byte") {
  Scenario sc{"Simple_1RTT_Handshake"};
  sc.session_ticket_ext = true;
  sc.ticket_and_app_data = true;
  run(sc);
}

TEST_CASE("RFC 8448 §4 resumed 0-RTT: client and server reproduce the trace byte for byte") {
  // §3 first: its NewSessionTicket gives the session §4 resumes.
  Scenario first{"Simple_1RTT_Handshake"};
  first.session_ticket_ext = true;
  first.ticket_and_app_data = true;
  Loaded v3;
  if (!load(first, v3)) return;
  run_client(first, v3);
  auto session = first.store->take("server");
  REQUIRE(session);
  CHECK(to_hex(session->ticket) == to_hex(v3.t["SessionTicket"]));
  const Session saved = session->copy();
  first.store->put("server", std::move(*session));

  Scenario sc{"Resumed_0RTT_Handshake"};
  sc.resumed = true;
  sc.store = first.store;
  Loaded v;
  REQUIRE(load(sc, v));
  v.cert = v3.cert;
  // The server first: its reply is the RFC's own flight, which the client
  // then answers with the RFC's records.
  const auto flight = run_server(sc, v, {}, &saved, timestamp_ms(v3.t));
  run_client(sc, v, &flight);
}

TEST_CASE("RFC 8448 §5 HelloRetryRequest: client and server reproduce the trace byte for byte") {
  Scenario sc{"HelloRetryRequest_Handshake"};
  sc.client_groups = {crypto::Group::kX25519, crypto::Group::kSecp256r1, crypto::Group::kSecp384r1};
  sc.advertised_groups = {};
  sc.server_groups = {crypto::Group::kSecp256r1, crypto::Group::kSecp384r1, crypto::Group::kX25519};
  sc.strict_groups = true;
  sc.ee_groups = {0x0017, 0x0018, 0x001d};
  sc.hrr = true;
  run(sc);
}

TEST_CASE("RFC 8448 §6 client authentication: client and server reproduce the trace byte for byte") {
  Scenario sc{"Client_Authentication_Handshake"};
  sc.client_auth = true;
  run(sc);
}

TEST_CASE("RFC 8448 §7 middlebox compatibility: client and server reproduce the trace byte for byte") {
  Scenario sc{"Middlebox_Compatibility_Mode"};
  sc.compat = true;
  run(sc);
}

}  // namespace sluice

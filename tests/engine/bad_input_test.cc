// Hostile input: every malformed, oversized, truncated, out-of-order or
// unoffered thing ends in the alert RFC 8446 §6 prescribes and a clear
// error(), never a crash. Encrypted messages are rewritten by a small
// man-in-the-middle that reads the key log.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "base/hex.h"
#include "core/bytes.h"
#include "core/record_protection.h"
#include "core/wire/hello.h"
#include "core/wire/types.h"
#include "tests/engine/mitm.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using test::drain;
using test::feed_all;

using crypto::KeyType;
using wire::ContentType;
using wire::HandshakeType;



}  // namespace

TEST_CASE("wire: a server_name list without a host_name names no host") {
  // Found by fuzz/handshake_message (regression-sni-unknown-name-type): an
  // entry of unknown name_type (RFC 6066 §3) left has_server_name set with
  // an empty name, which serialize then wrote as an illegal empty HostName.
  wire::ClientHello ch;
  ch.cipher_suites = {0x1301};
  ch.supported_versions = {0x0304};
  ch.has_server_name = true;
  ch.server_name = "localhost";
  std::vector<uint8_t> msg;
  REQUIRE(ch.serialize(msg));
  const std::vector<uint8_t> entry = {0, 0, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'};
  auto at = std::search(msg.begin(), msg.end(), entry.begin(), entry.end());
  REQUIRE(at != msg.end());
  *at = 0x0a;  // name_type 10: not host_name
  auto parsed = wire::ClientHello::parse(Bytes(msg).subspan(4));
  REQUIRE(parsed.ok());
  CHECK_FALSE(parsed->has_server_name);
  CHECK(parsed->server_name.empty());
  std::vector<uint8_t> again;
  REQUIRE(parsed->serialize(again));
  auto reparsed = wire::ClientHello::parse(Bytes(again).subspan(4));
  REQUIRE(reparsed.ok());
  CHECK_FALSE(reparsed->has_server_name);
}

TEST_CASE("server: malformed and unexpected first flights") {
  auto fresh_server = [] {
    return Connection::server(test::server_context(test::sodium_first(), test::test_cert(KeyType::kEd25519)));
  };
  auto run = [&](const std::vector<uint8_t>& bytes, Alert alert, Reason reason) {
    Connection s = fresh_server();
    feed_all(s, bytes);
    CHECK(s.handshake().status == Status::kError);
    check_error(s.error(), alert, reason);
    CHECK(drain(s) == plain_alert(alert));
  };
  auto cctx = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
  Connection c = Connection::client(cctx, "localhost");
  const auto ch_record = client_hello_bytes(c);
  const std::vector<uint8_t> ch(ch_record.begin() + 5, ch_record.end());

  SUBCASE("unknown record type") { run(record(static_cast<ContentType>(99), {1, 2, 3}), Alert::kUnexpectedMessage, Reason::kBadRecordType); }
  SUBCASE("plaintext record over 2^14") {
    run(record(ContentType::kHandshake, std::vector<uint8_t>(16385, 0)), Alert::kRecordOverflow, Reason::kRecordOverflow);
  }
  SUBCASE("application data before the handshake") {
    run(record(ContentType::kApplicationData, {1, 2, 3}), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("a ServerHello instead of a ClientHello") {
    auto bad = ch;
    bad[0] = static_cast<uint8_t>(HandshakeType::kServerHello);
    run(record(ContentType::kHandshake, bad), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("Finished first") {
    run(record(ContentType::kHandshake, {20, 0, 0, 4, 1, 2, 3, 4}), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("ClientHello whose inner length runs past its end") {
    auto bad = ch;
    bad[4 + 2 + 32] = 40;  // legacy_session_id length 40, beyond the limit of 32
    run(record(ContentType::kHandshake, bad), Alert::kDecodeError, Reason::kDecodeError);
  }
  SUBCASE("ClientHello with its extensions truncated") {
    auto bad = ch;
    bad.resize(bad.size() - 3);
    const size_t n = bad.size() - 4;
    bad[1] = static_cast<uint8_t>(n >> 16), bad[2] = static_cast<uint8_t>(n >> 8), bad[3] = static_cast<uint8_t>(n);
    run(record(ContentType::kHandshake, bad), Alert::kDecodeError, Reason::kDecodeError);
  }
  SUBCASE("duplicate extension") {
    // Append a second supported_versions extension and fix up the lengths.
    auto bad = ch;
    const std::vector<uint8_t> dup = {0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04};
    bad.insert(bad.end(), dup.begin(), dup.end());
    const size_t n = bad.size() - 4;
    bad[1] = static_cast<uint8_t>(n >> 16), bad[2] = static_cast<uint8_t>(n >> 8), bad[3] = static_cast<uint8_t>(n);
    // The extensions block length sits after the fixed fields.
    const size_t sid = bad[4 + 34];
    const size_t suites_at = 4 + 35 + sid;
    const size_t suites = static_cast<size_t>(bad[suites_at]) << 8 | bad[suites_at + 1];
    const size_t comp_at = suites_at + 2 + suites;
    const size_t ext_at = comp_at + 1 + bad[comp_at];
    const size_t ext_len = (static_cast<size_t>(bad[ext_at]) << 8 | bad[ext_at + 1]) + dup.size();
    bad[ext_at] = static_cast<uint8_t>(ext_len >> 8), bad[ext_at + 1] = static_cast<uint8_t>(ext_len);
    run(record(ContentType::kHandshake, bad), Alert::kDecodeError, Reason::kDuplicateExtension);
  }
  SUBCASE("no cipher suite in common") {
    auto cctx2 = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
    auto sctx2 = test::server_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
    cctx2->set_cipher_suites({wire::CipherSuite::kChaCha20Poly1305Sha256});
    sctx2->set_cipher_suites({wire::CipherSuite::kAes128GcmSha256});
    Connection c2 = Connection::client(cctx2, "localhost");
    Connection s2 = Connection::server(sctx2);
    feed_all(s2, client_hello_bytes(c2));
    CHECK(s2.handshake().status == Status::kError);
    check_error(s2.error(), Alert::kHandshakeFailure, Reason::kNoSharedCipherSuite);
  }
  SUBCASE("no ALPN protocol in common") {
    auto cctx2 = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
    auto sctx2 = test::server_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
    cctx2->set_alpn({"h2"});
    sctx2->set_alpn({"http/1.1"});
    Connection c2 = Connection::client(cctx2, "localhost");
    Connection s2 = Connection::server(sctx2);
    feed_all(s2, client_hello_bytes(c2));
    CHECK(s2.handshake().status == Status::kError);
    check_error(s2.error(), Alert::kNoApplicationProtocol, Reason::kNoApplicationProtocol);
  }
  SUBCASE("transport closed inside a record") {
    Connection s = fresh_server();
    feed_all(s, std::vector<uint8_t>(ch_record.begin(), ch_record.begin() + 20));
    s.inbound_eof();
    CHECK(s.handshake().status == Status::kError);
    check_error(s.error(), Alert::kCloseNotify, Reason::kTruncated);
    CHECK(drain(s).empty());  // nothing is sent on a dead transport
  }
}

TEST_CASE("client: a ServerHello that chooses what was not offered") {
  auto run = [](auto mutate, Alert alert, Reason reason) {
    Mitm m = Mitm::make();
    m.log_secrets();
    auto [sh_record, flight] = m.server_flight();
    std::vector<uint8_t> sh(sh_record.begin() + 5, sh_record.end());
    mutate(sh);
    check_error(m.client_result(record(ContentType::kHandshake, sh)), alert, reason);
    CHECK(drain(m.client) == plain_alert(alert));
  };
  // ServerHello: type(1) len(3) version(2) random(32) sid_len(1)=0 suite(2) comp(1) ext_len(2) ...
  constexpr size_t kSuite = 4 + 2 + 32 + 1;
  SUBCASE("cipher suite not offered") {
    run([](std::vector<uint8_t>& sh) { sh[kSuite + 1] = 0x02; }, Alert::kIllegalParameter, Reason::kUnofferedSelection);
  }
  SUBCASE("unknown version in supported_versions") {
    run([](std::vector<uint8_t>& sh) { sh[sh.size() - 1] = 0x05; }, Alert::kIllegalParameter, Reason::kIllegalParameter);
  }
  SUBCASE("key share for another group") {
    run([](std::vector<uint8_t>& sh) { sh[kSuite + 2 + 1 + 2 + 4 + 1] = 0x17; }, Alert::kIllegalParameter,
        Reason::kUnofferedSelection);
  }
  SUBCASE("all-zero X25519 key share") {
    run([](std::vector<uint8_t>& sh) { std::fill(sh.begin() + kSuite + 2 + 1 + 2 + 8, sh.begin() + kSuite + 2 + 1 + 2 + 40, 0); },
        Alert::kIllegalParameter, Reason::kInvalidKeyShare);
  }
  SUBCASE("session id echo that was never sent") {
    run([](std::vector<uint8_t>& sh) {
          sh.insert(sh.begin() + kSuite, {0xaa, 0xbb});
          sh[kSuite - 1] = 2;
          const size_t n = sh.size() - 4;
          sh[2] = static_cast<uint8_t>(n >> 8), sh[3] = static_cast<uint8_t>(n);
        },
        Alert::kIllegalParameter, Reason::kIllegalParameter);
  }
  SUBCASE("TLS 1.2 ServerHello carrying the downgrade sentinel") {
    run([](std::vector<uint8_t>& sh) {
          const uint8_t sentinel[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
          std::copy(sentinel, sentinel + 8, sh.begin() + 4 + 2 + 24);
          sh.resize(kSuite + 3);  // no extensions: a TLS 1.2 hello
          const size_t n = sh.size() - 4;
          sh[2] = static_cast<uint8_t>(n >> 8), sh[3] = static_cast<uint8_t>(n);
        },
        Alert::kIllegalParameter, Reason::kDowngradeDetected);
  }
  SUBCASE("ServerHello length past its end") {
    run([](std::vector<uint8_t>& sh) { sh[kSuite + 3] += 5; }, Alert::kDecodeError, Reason::kDecodeError);
  }
  SUBCASE("unsolicited extension") {
    run([](std::vector<uint8_t>& sh) {
          const std::vector<uint8_t> unknown = {0x12, 0x34, 0x00, 0x00};
          sh.insert(sh.end(), unknown.begin(), unknown.end());
          sh[kSuite + 4] += 4;
          const size_t n = sh.size() - 4;
          sh[2] = static_cast<uint8_t>(n >> 8), sh[3] = static_cast<uint8_t>(n);
        },
        Alert::kUnsupportedExtension, Reason::kUnsupportedExtension);
  }
  SUBCASE("a TLS 1.2 extension in a TLS 1.3 ServerHello") {
    run([](std::vector<uint8_t>& sh) {
          const std::vector<uint8_t> ems = {0x00, 0x17, 0x00, 0x00};  // extended_master_secret
          sh.insert(sh.end(), ems.begin(), ems.end());
          sh[kSuite + 4] += 4;
          const size_t n = sh.size() - 4;
          sh[2] = static_cast<uint8_t>(n >> 8), sh[3] = static_cast<uint8_t>(n);
        },
        Alert::kUnsupportedExtension, Reason::kUnsupportedExtension);
  }
}

TEST_CASE("client: encrypted server messages out of order, malformed or forged") {
  auto run = [](auto mutate, Alert alert, Reason reason) {
    Mitm m = Mitm::make();
    m.log_secrets();
    auto [sh_record, flight] = m.server_flight();
    REQUIRE(flight.size() == 4);  // EE, Certificate, CertificateVerify, Finished
    mutate(flight);
    auto bytes = sh_record;
    auto enc = m.seal_flight(join_messages(flight));
    bytes.insert(bytes.end(), enc.begin(), enc.end());
    check_error(m.client_result(bytes), alert, reason);
  };
  SUBCASE("Finished before Certificate") {
    run([](std::vector<Msg>& f) { std::swap(f[1], f[3]); }, Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("CertificateVerify missing") {
    run([](std::vector<Msg>& f) { f.erase(f.begin() + 2); }, Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("EncryptedExtensions missing") {
    run([](std::vector<Msg>& f) { f.erase(f.begin()); }, Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("EncryptedExtensions with a bad extension length") {
    run([](std::vector<Msg>& f) { f[0].body[1] += 1; }, Alert::kDecodeError, Reason::kDecodeError);
  }
  SUBCASE("EncryptedExtensions with a key_share") {
    run([](std::vector<Msg>& f) {
          f[0].body = {0x00, 0x06, 0x00, 0x33, 0x00, 0x02, 0x00, 0x1d};
        },
        Alert::kIllegalParameter, Reason::kIllegalParameter);  // known, not for this message (RFC 8446 §4.2)
  }
  SUBCASE("EncryptedExtensions with TLS 1.2's extended_master_secret") {
    run([](std::vector<Msg>& f) { f[0].body = {0x00, 0x04, 0x00, 0x17, 0x00, 0x00}; }, Alert::kIllegalParameter,
        Reason::kIllegalParameter);
  }
  SUBCASE("EncryptedExtensions with an extension nobody asked for") {
    run([](std::vector<Msg>& f) { f[0].body = {0x00, 0x04, 0xfa, 0xfa, 0x00, 0x00}; }, Alert::kUnsupportedExtension,
        Reason::kUnsupportedExtension);
  }
  SUBCASE("a CertificateEntry with an extension the client did not request") {
    run([](std::vector<Msg>& f) {
          // The last entry's extensions (its final two bytes, empty) get one
          // unknown extension; the list length grows with it.
          auto& b = f[1].body;
          b[b.size() - 1] = 4;
          b.insert(b.end(), {0xfa, 0xfa, 0x00, 0x00});
          const uint32_t list = (uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3]) + 4;
          b[1] = static_cast<uint8_t>(list >> 16), b[2] = static_cast<uint8_t>(list >> 8), b[3] = static_cast<uint8_t>(list);
        },
        Alert::kUnsupportedExtension, Reason::kUnsupportedExtension);
  }
  SUBCASE("Certificate list length past its end") {
    run([](std::vector<Msg>& f) { f[1].body[3] += 1; }, Alert::kDecodeError, Reason::kDecodeError);
  }
  SUBCASE("empty Certificate") {
    run([](std::vector<Msg>& f) { f[1].body = {0, 0, 0, 0}; }, Alert::kDecodeError, Reason::kDecodeError);
  }
  SUBCASE("a certificate other than the pinned one") {
    run([](std::vector<Msg>& f) { f[1].body[f[1].body.size() - 10] ^= 1; }, Alert::kBadCertificate,
        Reason::kBadCertificate);
  }
  SUBCASE("CertificateVerify with a truncated signature vector") {
    run([](std::vector<Msg>& f) { f[2].body.pop_back(); }, Alert::kDecodeError, Reason::kDecodeError);
  }
  SUBCASE("CertificateVerify with a scheme that was not offered") {
    run([](std::vector<Msg>& f) { f[2].body[0] = 0x02, f[2].body[1] = 0x01; }, Alert::kIllegalParameter,
        Reason::kIllegalParameter);
  }
  SUBCASE("CertificateVerify with a forged signature") {
    run([](std::vector<Msg>& f) { f[2].body[10] ^= 0x40; }, Alert::kDecryptError, Reason::kBadSignature);
  }
  SUBCASE("Finished with wrong verify_data") {
    run([](std::vector<Msg>& f) { f[3].body[0] ^= 1; }, Alert::kDecryptError, Reason::kBadFinished);
  }
  SUBCASE("Finished of the wrong length") {
    run([](std::vector<Msg>& f) { f[3].body.pop_back(); }, Alert::kDecryptError, Reason::kBadFinished);
  }
  SUBCASE("a message type that does not exist") {
    run([](std::vector<Msg>& f) { f[0].type = 99; }, Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
}

TEST_CASE("record layer: bad tags, sizes, types, floods") {
  auto established = [] {
    Mitm m = Mitm::make();
    m.log_secrets();
    REQUIRE(test::handshake(m.client, m.server));
    return m;
  };
  auto expect_read_error = [](Connection& c, const std::vector<uint8_t>& bytes, Alert alert, Reason reason) {
    feed_all(c, bytes);
    std::vector<uint8_t> buf(100);
    Progress p{};
    for (int i = 0; i < 100; ++i) {
      p = c.read(buf);
      if (p.status != Status::kWantRead || !c.has_pending()) break;
    }
    CHECK(p.status == Status::kError);
    check_error(c.error(), alert, reason);
  };
  SUBCASE("tampered application data record") {
    Mitm m = established();
    REQUIRE(m.client.write(std::vector<uint8_t>(50, 7)).status == Status::kOk);
    auto rec = drain(m.client);
    rec[rec.size() - 3] ^= 1;
    expect_read_error(m.server, rec, Alert::kBadRecordMac, Reason::kBadRecordMac);
  }
  SUBCASE("truncated tag") {
    Mitm m = established();
    REQUIRE(m.client.write(std::vector<uint8_t>(50, 7)).status == Status::kOk);
    auto rec = drain(m.client);
    rec.resize(rec.size() - 4);
    rec[4] -= 4;
    expect_read_error(m.server, rec, Alert::kBadRecordMac, Reason::kBadRecordMac);
  }
  SUBCASE("ciphertext over 2^14 + 256") {
    Mitm m = established();
    expect_read_error(m.server, record(ContentType::kApplicationData, std::vector<uint8_t>(16385 + 256, 0)),
                      Alert::kRecordOverflow, Reason::kRecordOverflow);
  }
  SUBCASE("plaintext over 2^14 inside a valid record") {
    Mitm m = established();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    std::vector<uint8_t> rec(5 + 16385 + 17);
    auto n = rp.seal(ContentType::kApplicationData, rec, 16385);
    REQUIRE(n);
    expect_read_error(m.server, rec, Alert::kRecordOverflow, Reason::kRecordOverflow);
  }
  SUBCASE("unprotected record after the handshake") {
    Mitm m = established();
    expect_read_error(m.server, record(ContentType::kHandshake, {24, 0, 0, 1, 0}), Alert::kUnexpectedMessage,
                      Reason::kBadRecordType);
  }
  SUBCASE("change_cipher_spec after the handshake") {
    Mitm m = established();
    expect_read_error(m.server, record(ContentType::kChangeCipherSpec, {1}), Alert::kUnexpectedMessage,
                      Reason::kUnexpectedMessage);
  }
  SUBCASE("a flood of empty records") {
    Mitm m = established();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    std::vector<uint8_t> flood;
    for (int i = 0; i < 40; ++i) {
      std::vector<uint8_t> rec(5 + 17);
      auto n = rp.seal(ContentType::kApplicationData, rec, 0);
      REQUIRE(n);
      flood.insert(flood.end(), rec.begin(), rec.end());
    }
    expect_read_error(m.server, flood, Alert::kUnexpectedMessage, Reason::kTooManyEmptyRecords);
  }
  SUBCASE("a KeyUpdate with an illegal value") {
    Mitm m = established();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    std::vector<uint8_t> rec(5 + 5 + 17);
    const uint8_t ku[] = {24, 0, 0, 1, 7};
    std::copy(ku, ku + 5, rec.begin() + 5);
    auto n = rp.seal(ContentType::kHandshake, rec, 5);
    REQUIRE(n);
    expect_read_error(m.server, rec, Alert::kIllegalParameter, Reason::kIllegalParameter);
  }
  SUBCASE("a ClientHello after the handshake") {
    Mitm m = established();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    std::vector<uint8_t> rec(5 + 4 + 17);
    const uint8_t ch[] = {1, 0, 0, 0};
    std::copy(ch, ch + 4, rec.begin() + 5);
    auto n = rp.seal(ContentType::kHandshake, rec, 4);
    REQUIRE(n);
    expect_read_error(m.server, rec, Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("alert record of the wrong length") {
    Mitm m = established();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    std::vector<uint8_t> rec(5 + 3 + 17);
    auto n = rp.seal(ContentType::kAlert, rec, 3);
    REQUIRE(n);
    expect_read_error(m.server, rec, Alert::kDecodeError, Reason::kDecodeError);
  }
  SUBCASE("a fatal alert from the peer") {
    Mitm m = established();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    std::vector<uint8_t> rec(5 + 2 + 17);
    rec[5] = 2, rec[6] = static_cast<uint8_t>(Alert::kInternalError);
    auto n = rp.seal(ContentType::kAlert, rec, 2);
    REQUIRE(n);
    feed_all(m.server, rec);
    std::vector<uint8_t> buf(10);
    CHECK(m.server.read(buf).status == Status::kError);
    CHECK(m.server.error().origin == Origin::kReceived);
    CHECK(m.server.error().alert == Alert::kInternalError);
    CHECK(drain(m.server).empty());  // no alert is sent back
  }
  SUBCASE("transport closed without close_notify is truncation, not a clean close") {
    Mitm m = established();
    m.server.inbound_eof();
    std::vector<uint8_t> buf(10);
    CHECK(m.server.read(buf).status == Status::kError);
    check_error(m.server.error(), Alert::kCloseNotify, Reason::kTruncated);
  }
  SUBCASE("close_notify is a clean close; we may still write (half-close)") {
    Mitm m = established();
    REQUIRE(m.client.shutdown().status == Status::kWantRead);
    test::transfer(m.client, m.server);
    std::vector<uint8_t> buf(10);
    CHECK(m.server.read(buf).status == Status::kZeroReturn);
    CHECK(m.server.write(std::vector<uint8_t>(5, 1)).status == Status::kOk);
    test::transfer(m.server, m.client);
    CHECK(m.client.read(buf).status == Status::kOk);
  }
}

}  // namespace sluice

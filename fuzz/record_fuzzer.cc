// Record deframing and decryption (RFC 8446 §5), two ways, picked by the top
// bit of the first byte:
//   0: Protection alone. The low two bits pick null protection or a
//      suite; the rest is a stream of records, each opened in place until
//      one fails. Every opened record must seal and open again to the same
//      type and content (with the fuzzing provider's pass-through AEAD).
//   1: a client Connection that finished an in-memory handshake is fed the
//      rest as the server's application-phase records and read until it
//      stops, so the engine's own deframer, its limits, alerts and
//      post-handshake messages run without a handshake to get through.
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/record_protection.h"
#include "fuzz/fuzz_env.h"

namespace {

using namespace sluice;

struct Suite {
  crypto::HashAlg hash;
  crypto::AeadAlg aead;
};
constexpr Suite kSuites[] = {
    {crypto::HashAlg::kSha256, crypto::AeadAlg::kAes128Gcm},
    {crypto::HashAlg::kSha384, crypto::AeadAlg::kAes256Gcm},
    {crypto::HashAlg::kSha256, crypto::AeadAlg::kChaCha20Poly1305},
};

Protection protection(const crypto::Provider& p, unsigned choice) {
  if (choice == 0) return Protection();
  const Suite& s = kSuites[choice - 1];
  std::vector<uint8_t> secret(crypto::hash_len(s.hash), crypto::kDangerFuzzingMacByte);
  auto rp = Protection::tls13(p, s.hash, s.aead, secret);
  if (!rp) __builtin_trap();  // the fuzzing provider supports every suite
  return std::move(*rp);
}

void protection_only(unsigned choice, Bytes stream) {
  auto p = fuzz::fresh_provider();
  Protection opener = protection(*p, choice), sealer = protection(*p, choice),
                   checker = protection(*p, choice);
  ByteReader r(stream);
  while (!r.empty()) {
    uint8_t type;
    uint16_t version, len;
    Bytes body;
    if (!r.u8(type) || !r.u16(version) || !r.u16(len) || !r.bytes(len, body)) return;
    std::vector<uint8_t> record = {type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
                                   static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
    record.insert(record.end(), body.begin(), body.end());
    auto opened = opener.open(record);
    if (!opened) return;
    // The plaintext is a view into the record that was opened.
    if (opened->plaintext.data() < record.data() + wire::kRecordHeaderLen ||
        opened->plaintext.data() + opened->plaintext.size() > record.data() + record.size()) {
      __builtin_trap();
    }
    // Only what the caller would accept is sealed again (the content limit
    // is the caller's check, RFC 8446 §5.4).
    if (opened->plaintext.size() > wire::kMaxPlaintext || opened->type == wire::ContentType::kInvalid) return;
    const std::vector<uint8_t> plain(opened->plaintext.begin(), opened->plaintext.end());
    std::vector<uint8_t> resealed(wire::kRecordHeaderLen + plain.size() + sealer.overhead());
    std::copy(plain.begin(), plain.end(), resealed.begin() + wire::kRecordHeaderLen);
    auto n = sealer.seal(opened->type, resealed, plain.size());
    if (!n) __builtin_trap();
    resealed.resize(*n);
    auto again = checker.open(resealed);
    if (!again || again->type != opened->type ||
        !std::equal(again->plaintext.begin(), again->plaintext.end(), plain.begin(), plain.end())) {
      __builtin_trap();
    }
  }
}

void established_client(Bytes stream) {
  auto p = fuzz::fresh_provider();
  auto cctx = fuzz::client_context(p);
  auto sctx = fuzz::server_context(p);
  // One suite, so the records' keys and the stream's are the ones the
  // corpus generator used.
  cctx->set_cipher_suites({wire::CipherSuite::kAes128GcmSha256});
  Connection client = Connection::client(cctx, "localhost");
  Connection server = Connection::server(sctx);
  if (!fuzz::handshake(client, server)) __builtin_trap();  // deterministic: always completes
  fuzz::feed_stream(client, stream);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Bytes rest(data + 1, size - 1);
  if (data[0] & 0x80) {
    established_client(rest);
  } else {
    protection_only(data[0] % 4, rest);
  }
  return 0;
}

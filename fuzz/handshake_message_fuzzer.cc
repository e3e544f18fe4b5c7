// Every TLS 1.3 handshake message parser (RFC 8446 §4, RFC 8879 §4). The first byte picks
// the parser, the rest is the message body (without the 4-byte header).
// Whatever parses must serialize, and what is serialized must parse again to
// the same bytes: the parsers and writers agree on the format.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "base/hex.h"
#include "core/bytes.h"
#include "core/wire/hello.h"
#include "core/wire/messages.h"

namespace {

using sluice::Bytes;

// round_trip checks serialize(parse(serialize(m))) == serialize(m).
template <class M, class Parse>
void round_trip(const M& m, Parse parse) {
  std::vector<uint8_t> once;
  // A parsed message always fits its own encoding's length fields.
  if (!m.serialize(once) || once.size() < 4) __builtin_trap();
  auto again = parse(Bytes(once).subspan(4));
  std::vector<uint8_t> twice;
  if (again && !again->serialize(twice)) __builtin_trap();
  if (std::getenv("SLUICE_FUZZ_DEBUG")) {
    std::fprintf(stderr, "once:  %s\nagain: %s\ntwice: %s\n", sluice::to_hex(once).c_str(),
                 again ? "parsed" : again.error().detail, sluice::to_hex(twice).c_str());
  }
  // What we wrote must be something we read.
  if (!again) __builtin_trap();
  if (twice != once) __builtin_trap();
}

template <class M>
void check(Bytes body) {
  auto m = M::parse(body);
  if (m) round_trip(*m, [](Bytes b) { return M::parse(b); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Bytes body(data + 1, size - 1);
  using namespace sluice::wire;
  switch (data[0] % 10) {
    case 0: check<ClientHello>(body); break;
    case 1: check<ServerHello>(body); break;
    case 2: check<EncryptedExtensions>(body); break;
    case 3:
      // RFC 8879's CompressedCertificate, which stands in for a
      // Certificate, when bit 7 of the selector is set.
      if (data[0] & 0x80) check<CompressedCertificate>(body);
      else check<Certificate>(body);
      break;
    case 4: check<CertificateRequest>(body); break;
    case 5: check<CertificateVerify>(body); break;
    case 6:
    case 7: {
      // Finished: SHA-256 or SHA-384 suites.
      const size_t hash_len = data[0] % 10 == 6 ? 32 : 48;
      auto m = Finished::parse(body, hash_len);
      if (m) round_trip(*m, [hash_len](Bytes b) { return Finished::parse(b, hash_len); });
      break;
    }
    case 8: check<NewSessionTicket>(body); break;
    case 9: check<KeyUpdate>(body); break;
  }
  return 0;
}

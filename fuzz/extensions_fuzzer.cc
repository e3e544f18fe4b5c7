// The extension parsers (RFC 8446 §4.2): the generic walker with the list
// helper, and the extension blocks of ClientHello, ServerHello,
// EncryptedExtensions, CertificateRequest and NewSessionTicket, each behind
// fixed, valid message fields so every input reaches the extension code.
// The first byte picks the carrier; the rest is a u16-prefixed block.
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/wire/extensions.h"
#include "core/wire/hello.h"
#include "core/wire/messages.h"

namespace {

using sluice::Bytes;
using sluice::ByteReader;

std::vector<uint8_t> with_prefix(std::vector<uint8_t> prefix, Bytes block) {
  prefix.insert(prefix.end(), block.begin(), block.end());
  return prefix;
}

void walk(Bytes block) {
  ByteReader r(block);
  std::vector<uint16_t> list;
  auto res = sluice::wire::parse_extensions(r, [&](uint16_t type, ByteReader& body) -> sluice::Result<void, sluice::Error> {
    // List-shaped types go through the helper; the rest are skipped, as
    // unknown extensions are.
    if (type == 10 || type == 13 || type == 50) return sluice::wire::read_u16_list(body, 2, list);
    (void)body.skip(body.remaining());
    return {};
  });
  (void)res;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Bytes block(data + 1, size - 1);
  using namespace sluice::wire;
  std::vector<uint8_t> random(32, 0x11);
  switch (data[0] % 6) {
    case 0: walk(block); break;
    case 1: {
      // legacy_version, random, empty session id, one suite, null compression.
      std::vector<uint8_t> p = {0x03, 0x03};
      p.insert(p.end(), random.begin(), random.end());
      p.insert(p.end(), {0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00});
      (void)ClientHello::parse(with_prefix(p, block));
      break;
    }
    case 2: {
      std::vector<uint8_t> p = {0x03, 0x03};
      // A HelloRetryRequest when bit 6 of the selector is set: its
      // extensions are parsed by the same code with other rules.
      if (data[0] & 0x40) {
        p.insert(p.end(), kHelloRetryRandom.begin(), kHelloRetryRandom.end());
      } else {
        p.insert(p.end(), random.begin(), random.end());
      }
      p.insert(p.end(), {0x00, 0x13, 0x01, 0x00});
      (void)ServerHello::parse(with_prefix(p, block));
      break;
    }
    case 3: (void)EncryptedExtensions::parse(block); break;
    case 4: (void)CertificateRequest::parse(with_prefix({0x00}, block)); break;
    case 5: {
      // lifetime, age_add, empty nonce, a one-byte ticket.
      std::vector<uint8_t> p = {0, 0, 0x1c, 0x20, 1, 2, 3, 4, 0x00, 0x00, 0x01, 0x42};
      (void)NewSessionTicket::parse(with_prefix(p, block));
      break;
    }
  }
  return 0;
}

// Encrypted Client Hello's parsers: an ECHConfigList (what a client is
// given from DNS, and what a declining server sends back), and the
// rebuilding of a ClientHelloInner from its decrypted encoding against a
// ClientHelloOuter (what a server does after a successful decryption, so a
// peer controls it only through its own key; still bounded input).
// The first byte picks: 0 a config list; 1 an encoded inner hello against
// a fixed outer hello; 2 the rest split in two at its second byte.
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/wire/ech.h"
#include "core/wire/hello.h"

namespace {

using sluice::Bytes;

// A ClientHelloOuter body with the extensions an inner hello refers to.
std::vector<uint8_t> fixed_outer() {
  sluice::wire::ClientHello ch;
  ch.cipher_suites = {0x1301, 0x1302};
  ch.server_name = "public.example";
  ch.has_server_name = true;
  ch.supported_groups = {0x001d, 0x0017};
  ch.signature_algorithms = {0x0807, 0x0403};
  ch.supported_versions = {0x0304};
  ch.psk_modes = {1};
  ch.alpn = {"h2"};
  static const uint8_t key[32] = {9};
  ch.key_shares = {{0x001d, Bytes(key)}};
  ch.has_key_share = true;
  ch.ech = sluice::wire::EchExtension{.inner = false, .kdf = 1, .aead = 1, .config_id = 7,
                                      .enc = std::vector<uint8_t>(32, 1), .payload = std::vector<uint8_t>(48, 2)};
  std::vector<uint8_t> msg;
  (void)ch.serialize(msg);
  return std::vector<uint8_t>(msg.begin() + 4, msg.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Bytes in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto configs = sluice::wire::parse_ech_config_list(in);
      if (configs.ok()) {
        for (const auto& c : *configs) (void)sluice::wire::is_valid_ech_public_name(c.public_name);
      }
      break;
    }
    case 1: {
      static const std::vector<uint8_t> outer = fixed_outer();
      auto inner = sluice::wire::decode_client_hello_inner(in, outer);
      // A rebuilt hello is parsed as any hello is.
      if (inner.ok()) (void)sluice::wire::ClientHello::parse(*inner);
      break;
    }
    case 2: {
      if (in.empty()) break;
      const size_t split = std::min<size_t>(in[0], in.size() - 1);
      auto inner = sluice::wire::decode_client_hello_inner(in.subspan(1, split), in.subspan(1 + split));
      if (inner.ok()) (void)sluice::wire::ClientHello::parse(*inner);
      break;
    }
  }
  return 0;
}

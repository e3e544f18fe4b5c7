// The PEM loader (RFC 7468): block parsing, the certificate and private-key
// entry points, and base64. Decoded blocks must encode and decode back to
// themselves.
#include <cstdint>
#include <string_view>

#include "pki/keys.h"
#include "pki/pem.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace pki = sluice::pki;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto blocks = pki::parse_pem(text);
  if (blocks) {
    for (const auto& b : *blocks) {
      // The label came out of a BEGIN line we accepted, so writing it back
      // must give a block we accept with the same contents.
      auto again = pki::parse_pem(pki::pem_encode(b.label, b.der));
      if (!again || again->size() != 1 || (*again)[0].label != b.label || (*again)[0].der != b.der) __builtin_trap();
    }
  }
  (void)pki::pem_certificates(text);
  (void)pki::parse_private_key_pem(text);
  auto decoded = pki::base64_decode(text);
  if (decoded && pki::base64_encode(*decoded) != text) __builtin_trap();  // canonical only
  return 0;
}

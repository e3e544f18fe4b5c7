// Encrypted Client Hello wire formats (draft-ietf-tls-esni-18, the version
// deployed as 0xfe0d): ECHConfig lists, and the rebuilding of a
// ClientHelloInner from its encoded form and the ClientHelloOuter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"

namespace sluice::wire {

inline constexpr uint16_t kEchConfigVersion = 0xfe0d;
// ECHClientHelloType (§5).
inline constexpr uint8_t kEchOuter = 0, kEchInner = 1;
// The acceptance signal's length, in ServerHello.random or the
// HelloRetryRequest's extension (§7.2).
inline constexpr size_t kEchConfirmationLen = 8;

struct EchCipherSuite {
  uint16_t kdf = 0;
  uint16_t aead = 0;
  friend bool operator==(const EchCipherSuite&, const EchCipherSuite&) = default;
};

// One ECHConfig of version 0xfe0d (§4).
struct EchConfig {
  std::vector<uint8_t> raw;  // the whole ECHConfig, version and length included (HPKE's info ends with it)
  uint8_t config_id = 0;
  uint16_t kem_id = 0;
  std::vector<uint8_t> public_key;
  std::vector<EchCipherSuite> cipher_suites;
  uint8_t maximum_name_length = 0;
  std::string public_name;
  // An extension we do not know with the mandatory bit (0x8000) set: the
  // config must not be used (§4.2).
  bool has_unknown_mandatory_extension = false;
};

// parse_ech_config reads one ECHConfig from `r`. Configs of another
// version are skipped: `out` is then empty (nullopt) and `r` moves past it.
TlsResult<std::optional<EchConfig>> parse_ech_config(ByteReader& r);
// parse_ech_config_list reads an ECHConfigList (§4): the configs of our
// version, in order. decode_error if it does not parse.
TlsResult<std::vector<EchConfig>> parse_ech_config_list(Bytes list);

// decode_client_hello_inner rebuilds a ClientHelloInner's body (no
// handshake header) from the decrypted EncodedClientHelloInner (§5.1): the
// outer hello's legacy_session_id, each ech_outer_extensions expanded into
// the outer extensions it names (in their order, never ECH itself), and
// the zero padding dropped. `outer_body` is the ClientHelloOuter's body.
TlsResult<std::vector<uint8_t>> decode_client_hello_inner(Bytes encoded, Bytes outer_body);

// is_valid_public_name: a DNS name of LDH labels that does not end in a
// number (§6.1.7: a client skips configs whose public_name is an IPv4
// address or not a valid host name).
bool is_valid_ech_public_name(std::string_view name);

}  // namespace sluice::wire

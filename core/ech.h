// Encrypted Client Hello (draft-ietf-tls-esni-18): the computations the two
// handshakes share beyond the wire formats — HPKE's info and AAD, the
// client's choice of config, and the encoding of a ClientHelloInner.
#pragma once

#include <optional>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"
#include "core/wire/ech.h"
#include "core/wire/hello.h"
#include "crypto/hpke.h"

namespace sluice {

// ech_info is HPKE's info for `config`: "tls ech" || 0x00 || ECHConfig (§6.1).
std::vector<uint8_t> ech_info(const wire::EchConfig& config);

// ech_aad is the AAD of an ECH encryption: the ClientHelloOuter's body with
// the payload zeroed (§5.2).
std::vector<uint8_t> ech_aad(Bytes outer_body, const wire::EchExtension& ech);

// EchChoice is the config and HPKE suite a client offers ECH with.
struct EchChoice {
  wire::EchConfig config;
  wire::EchCipherSuite suite;
};
// choose_ech_config takes the first config of `list` a client can use
// (§6.1): our version and KEM, a suite the provider has, no unknown
// mandatory extension, and a public name that is a valid host name.
std::optional<EchChoice> choose_ech_config(const crypto::Provider& p, Bytes list);

// encode_client_hello_inner makes the EncodedClientHelloInner (§5.1) of
// `inner` (a whole ClientHello message), unpadded: an empty session id,
// and the extensions that `outer` (a whole ClientHelloOuter message)
// carries byte for byte replaced by one ech_outer_extensions where the
// first of them was (server_name never: its equality would be news). The
// server rebuilds those in one run there, which may reorder the hello: the
// transcript holds what decode_client_hello_inner gives back.
std::vector<uint8_t> encode_client_hello_inner(Bytes inner, Bytes outer);
// pad_client_hello_inner appends zeros that hide the name's length and
// round the whole to 32 bytes (§6.1.3).
void pad_client_hello_inner(std::vector<uint8_t>& encoded, size_t server_name_len, uint8_t maximum_name_length);

}  // namespace sluice

// Encrypted Client Hello files for the command line: `sluice ech_keygen`
// makes a key and its ECHConfig (draft-ietf-tls-esni-18 §4, version
// 0xfe0d, DHKEM(X25519, HKDF-SHA256)), written as binary files the way
// BoringSSL's `bssl generate-ech` writes them; s_server -ech_key/-ech_config
// and s_client -ech_config_list read those, or base64 text (how DNS HTTPS
// records, curl and OpenSSL's ECH tools show an ECHConfigList).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/provider.h"

namespace sluice::tool {

// make_ech_config is one ECHConfig for the X25519 `private_key`, offering
// HKDF-SHA256 with AES-128-GCM and with ChaCha20-Poly1305. Empty when
// `public_name` is not 1..255 bytes or the key is not an X25519 key.
std::vector<uint8_t> make_ech_config(const crypto::Provider& provider, uint8_t config_id,
                                     std::string_view public_name, std::span<const uint8_t> private_key,
                                     uint8_t maximum_name_length = 32);
// ech_config_list is the ECHConfigList of `configs` (a u16-prefixed
// concatenation).
std::vector<uint8_t> ech_config_list(std::span<const std::vector<uint8_t>> configs);

// read_ech_input reads what an ECH option names: the file `value`, binary
// or base64 text (whitespace ignored); with `inline_base64`, a value that
// names no file is taken as base64 itself. False with an error naming the
// option.
[[nodiscard]] bool read_ech_input(std::string_view option, const std::string& value, bool inline_base64,
                                  std::vector<uint8_t>& out, std::string& out_error);

// write_binary writes `data` to `path`; false with an error naming `option`.
[[nodiscard]] bool write_binary(std::string_view option, const std::string& path, std::span<const uint8_t> data,
                                std::string& out_error);

}  // namespace sluice::tool

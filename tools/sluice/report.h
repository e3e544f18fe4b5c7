// What a connection negotiated, in words: the report both subcommands print
// after each handshake and that s_server -www serves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/connection.h"
#include "tools/sluice/options.h"

namespace sluice::tool {

// What a client set out to do about Encrypted Client Hello.
enum class EchOffer : uint8_t {
  kNone,    // nothing
  kGrease,  // -ech_grease: a random encrypted_client_hello, no config
  kConfig,  // -ech_config_list: a real one, if the list had a usable config
};

// HandshakeFacts are what the report needs that Negotiated does not carry.
struct HandshakeFacts {
  Role role = Role::kClient;
  bool client_auth_asked = false;  // server: -verify/-Verify was given
  EchOffer ech_offer = EchOffer::kNone;  // client
};

// cipher_suite_name gives the RFC name ("TLS_AES_128_GCM_SHA256"), or the
// code point in hex for a suite sluice does not know.
std::string cipher_suite_name(uint16_t suite);
// certificate_line names one certificate by its subject CN and key, or says
// why it could not be decoded.
std::string certificate_line(const std::vector<uint8_t>& der);
// describe_negotiated is one "key: value" line per negotiated parameter,
// then the peer's chain (one line per certificate). `brief` keeps the
// version, suite, group and whether the session resumed.
std::string describe_negotiated(const Negotiated& n, const HandshakeFacts& facts, bool brief = false);

// describe_exported is openssl's "Keying material exporter" block for
// `request` from `conn` (or the reason it could not be exported).
std::string describe_exported(Connection& conn, const ExportRequest& request);

}  // namespace sluice::tool

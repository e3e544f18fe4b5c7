// -msg / -trace: the context's message callback prints one line per
// handshake message and alert in each direction (stderr), like openssl -msg.
// -trace adds the main fields of each, indented below its line: a
// ClientHello's versions, suites, groups, key share groups, ALPN and SNI; a
// ServerHello's version, suite and group; EncryptedExtensions' ALPN,
// acknowledgements, record_size_limit and ECH retry configs; a
// Certificate's subjects (read in
// the negotiated version's form) and staples; a CompressedCertificate's
// algorithm and lengths; a CertificateStatus's OCSP response; an alert's
// level and description. A ClientHello's encrypted_client_hello,
// compress_certificate and GREASE values show too.
#pragma once

#include <string>
#include <vector>

#include "core/context.h"

namespace sluice::tool {

enum class TraceDetail : uint8_t {
  kMessages,  // -msg: the one line
  kFields,    // -trace: the line and the fields
};

// install_trace makes the printer the message callback of `ctx`.
void install_trace(Context& ctx, TraceDetail detail);

// describe_fields is what -trace prints below a message's line, one entry a
// line (empty for messages whose fields it does not decode).
std::vector<std::string> describe_fields(const MessageInfo& m);

}  // namespace sluice::tool

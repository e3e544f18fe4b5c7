#include "tools/sluice/trace.h"

#include <cstdio>
#include <string>

#include "core/error.h"

namespace sluice::tool {

namespace {

std::string handshake_name(uint8_t type) {
  switch (static_cast<wire::HandshakeType>(type)) {
    case wire::HandshakeType::kHelloRequest: return "HelloRequest";
    case wire::HandshakeType::kClientHello: return "ClientHello";
    case wire::HandshakeType::kServerHello: return "ServerHello";
    case wire::HandshakeType::kNewSessionTicket: return "NewSessionTicket";
    case wire::HandshakeType::kEndOfEarlyData: return "EndOfEarlyData";
    case wire::HandshakeType::kEncryptedExtensions: return "EncryptedExtensions";
    case wire::HandshakeType::kCertificate: return "Certificate";
    case wire::HandshakeType::kServerKeyExchange: return "ServerKeyExchange";
    case wire::HandshakeType::kCertificateRequest: return "CertificateRequest";
    case wire::HandshakeType::kServerHelloDone: return "ServerHelloDone";
    case wire::HandshakeType::kCertificateVerify: return "CertificateVerify";
    case wire::HandshakeType::kClientKeyExchange: return "ClientKeyExchange";
    case wire::HandshakeType::kFinished: return "Finished";
    case wire::HandshakeType::kKeyUpdate: return "KeyUpdate";
    case wire::HandshakeType::kMessageHash: return "MessageHash";
  }
  return "handshake type " + std::to_string(type);
}

void print_message(const MessageInfo& m) {
  const bool handshake = m.content_type == wire::ContentType::kHandshake;
  const char* dir = m.sent ? ">>>" : "<<<";
  if (handshake) {
    std::fprintf(stderr, "%s Handshake %s [length %zu]\n", dir, handshake_name(m.type).c_str(), m.length);
  } else {
    std::fprintf(stderr, "%s Alert %s (%u)\n", dir, std::string(name(static_cast<Alert>(m.type))).c_str(),
                 static_cast<unsigned>(m.type));
  }
  std::fflush(stderr);
}

}  // namespace

void install_trace(Context& ctx) { ctx.set_message_callback(print_message); }

}  // namespace sluice::tool

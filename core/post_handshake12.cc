#include "core/post_handshake12.h"

namespace sluice {

using wire::HandshakeType;

TlsResult<Wait> PostHandshake12::process(const HandshakeMessage& m, bool, Negotiated&) {
  const bool renegotiation = (role_ == Role::kClient && m.type == HandshakeType::kHelloRequest) ||
                             (role_ == Role::kServer && m.type == HandshakeType::kClientHello);
  if (!renegotiation) return Err(Error(Reason::kUnexpectedMessage, "unexpected post-handshake message"));
  if (m.type == HandshakeType::kHelloRequest && !m.body.empty()) {
    return Err(Error(Reason::kDecodeError, "HelloRequest with a body"));
  }
  // RFC 5246 §7.4.1.1 / RFC 5746 §4.2: renegotiation may be declined with
  // a no_renegotiation warning. Repeated attempts end the connection.
  if (++refusals_ > kMaxRenegotiationRefusals) {
    return Err(Error(Reason::kRenegotiationRefused, "too many renegotiation attempts"));
  }
  SLUICE_TRY(io_.send_warning_alert(Alert::kNoRenegotiation));
  return Wait::kOk;
}

}  // namespace sluice

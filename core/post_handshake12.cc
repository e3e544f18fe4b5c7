#include "core/post_handshake12.h"

#include "core/keyschedule12.h"
#include "core/suites.h"
#include "core/wire/tls12.h"

namespace sluice {

using wire::HandshakeType;

Result<void, Error> PostHandshake12::export_keying_material(std::string_view label, std::optional<Bytes> context,
                                                             MutBytes out) const {
  // RFC 5705 §4: PRF(master, label, client_random + server_random
  // [+ context_length + context]).
  const auto suite = suite_info(keys_.negotiated.cipher_suite);
  if (!suite) return Err(Error(Reason::kInternal, "no suite for the exporter"));
  std::vector<uint8_t> seed(keys_.server_random.begin(), keys_.server_random.end());
  if (context) {
    if (context->size() > 0xffff) return Err(Error::api(Reason::kApiMisuse, "exporter context too long"));
    seed.push_back(static_cast<uint8_t>(context->size() >> 8));
    seed.push_back(static_cast<uint8_t>(context->size()));
    seed.insert(seed.end(), context->begin(), context->end());
  }
  return prf12(io_.provider(), suite->hash, keys_.master_secret, label, keys_.client_random, seed, out);
}

Result<void, Error> PostHandshake12::refuse() {
  // RFC 5246 §7.4.1.1 / RFC 5746 §4.2: renegotiation may be declined with
  // a no_renegotiation warning. Repeated attempts end the connection.
  if (++refusals_ > kMaxRenegotiationRefusals) {
    return Err(Error(Reason::kRenegotiationRefused, "too many renegotiation attempts"));
  }
  return io_.send_warning_alert(Alert::kNoRenegotiation);
}

Result<void, Error> PostHandshake12::request_renegotiation() {
  if (role_ == Role::kClient) {
    // RFC 5746 §3.5: the new ClientHello carries our last verify_data; the
    // machine checks the server's answer and its certificate as when the
    // server asked.
    hello_request_pending_ = false;
    io_.renegotiate(make_client12_renegotiation(io_, server_name_, state_), false);
    return {};
  }
  SLUICE_TRY(io_.queue(wire::EmptyMessage{HandshakeType::kHelloRequest}));
  SLUICE_TRY(io_.flush());
  requested_ = true;
  return {};
}

TlsResult<Wait> PostHandshake12::process(const HandshakeMessage& m, bool, Negotiated&) {
  if (role_ == Role::kClient && m.type == HandshakeType::kHelloRequest) {
    if (!m.body.empty()) return Err(Error(Reason::kDecodeError, "HelloRequest with a body"));
    const Renegotiation policy = io_.context().policy().renegotiation;
    if (policy == Renegotiation::kExplicit) {
      // The application answers (renegotiate()) or lets it be; more
      // requests meanwhile ask the same thing.
      hello_request_pending_ = true;
      return Wait::kOk;
    }
    const bool accept = policy == Renegotiation::kFreely || (policy == Renegotiation::kOnce && renegotiations_ == 0);
    if (!accept) {
      SLUICE_TRY(refuse());
      return Wait::kOk;
    }
    io_.renegotiate(make_client12_renegotiation(io_, server_name_, state_), false);
    return Wait::kOk;
  }
  if (role_ == Role::kServer && m.type == HandshakeType::kClientHello) {
    if (!requested_) {
      SLUICE_TRY(refuse());
      return Wait::kOk;
    }
    requested_ = false;
    io_.renegotiate(make_server12_renegotiation(io_, state_), true);
    return Wait::kOk;
  }
  return Err(Error(Reason::kUnexpectedMessage, role_ == Role::kClient ? "post-handshake message other than HelloRequest"
                                                                    : "post-handshake message other than ClientHello"));
}

}  // namespace sluice

#include "core/negotiated.h"

namespace sluice {

std::string_view name(EarlyDataReason r) {
  // BoringSSL's names, so logs read the same across stacks.
  switch (r) {
    case EarlyDataReason::kUnknown: return "unknown";
    case EarlyDataReason::kDisabled: return "disabled";
    case EarlyDataReason::kAccepted: return "accept";
    case EarlyDataReason::kProtocolVersion: return "protocol_version";
    case EarlyDataReason::kPeerDeclined: return "peer_declined";
    case EarlyDataReason::kNoSessionOffered: return "no_session_offered";
    case EarlyDataReason::kSessionNotResumed: return "session_not_resumed";
    case EarlyDataReason::kUnsupportedForSession: return "unsupported_for_session";
    case EarlyDataReason::kHelloRetryRequest: return "hello_retry_request";
    case EarlyDataReason::kAlpnMismatch: return "alpn_mismatch";
    case EarlyDataReason::kTicketAgeSkew: return "ticket_age_skew";
    case EarlyDataReason::kReplay: return "replay";
  }
  return "unknown";
}

}  // namespace sluice

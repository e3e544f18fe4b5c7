#include "adapters/blocking/stream_error.h"

namespace sluice::adapters {

std::string StreamError::describe() const {
  switch (kind) {
    case Kind::kTls: {
      std::string s = "tls: ";
      s += sluice::describe(tls.reason);
      s += tls.origin == Origin::kReceived ? " (alert received: " : " (alert: ";
      s += name(tls.alert);
      s += ")";
      if (tls.detail && *tls.detail) {
        s += ": ";
        s += tls.detail;
      }
      return s;
    }
    case Kind::kSystem: return "transport: " + sys.describe();
    case Kind::kStuck: return "adapter: the engine wants input but the transport cannot give more";
    case Kind::kTimeout: return std::string("timeout: the operation's time ran out waiting in ") + sys.call;
  }
  return "unknown";
}

}  // namespace sluice::adapters

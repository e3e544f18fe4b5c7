// StreamError: why a blocking stream operation failed: the engine's TLS
// error (with its alert), or the transport's system error.
#pragma once

#include <string>

#include "adapters/net/sys_error.h"
#include "core/error.h"

namespace sluice::adapters {

struct StreamError {
  enum class Kind : uint8_t {
    kTls,     // the engine failed; `tls` says why (and which alert went out)
    kSystem,  // the socket failed; `sys` says which call and errno
    kStuck,   // the engine asked for input it can no longer get (a bug)
    kTimeout, // BlockingStream::set_timeout's time ran out; `sys.call` names the wait
  };
  Kind kind = Kind::kTls;
  Error tls;
  net::SysError sys;

  std::string describe() const;
};

template <class T>
using StreamResult = Result<T, StreamError>;

}  // namespace sluice::adapters

// SysError: a failed system call, named, with its errno.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>

#include "base/result.h"

namespace sluice::net {

struct SysError {
  const char* call = "";  // the system call (or step) that failed
  int err = 0;            // errno, or 0 when the failure has no errno

  static SysError last(const char* call) { return SysError{call, errno}; }
  std::string describe() const {
    std::string s(call);
    if (err != 0) {
      s += ": ";
      s += std::strerror(err);
    }
    return s;
  }
};

template <class T>
using SysResult = Result<T, SysError>;

}  // namespace sluice::net

// MessageTrace: the context's message callback. It counts ClientHellos (the
// report's HelloRetryRequest line) and, with -msg/-trace, prints one line
// per handshake message and alert in each direction, like openssl -msg.
#pragma once

#include <atomic>
#include <memory>

#include "core/context.h"

namespace sluice::tool {

class MessageTrace {
 public:
  // install makes a trace the callback of `ctx`; `print` turns the lines on.
  static std::shared_ptr<MessageTrace> install(Context& ctx, bool print);
  // The callback is per context, so the count covers every connection since
  // the last reset: the tools reset before each handshake and serve one
  // handshake at a time.
  void reset() { client_hellos_ = 0; }
  int client_hellos() const { return client_hellos_; }

 private:
  void on_message(const MessageInfo& m);
  bool print_ = false;
  std::atomic<int> client_hellos_{0};
};

}  // namespace sluice::tool

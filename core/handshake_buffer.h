// Handshake message framing over records (RFC 8446 §5.1, §4): bytes from
// handshake records accumulate here until a whole message (4-byte header
// and body) is available. Messages may span records and records may hold
// several messages; the buffer is bounded.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/handshake.h"

namespace sluice {

// Largest handshake message we buffer: a generous certificate chain.
inline constexpr size_t kMaxHandshakeMessageLen = 256 * 1024;
// Handshake buffers start with room for a typical flight, so messages are
// written without reallocating.
inline constexpr size_t kHandshakeBufferReserve = 1024;

class HandshakeReader {
 public:
  // append takes a handshake record's plaintext.
  Result<void, Error> append(Bytes fragment);
  // next yields the next complete message (valid until done() or append()),
  // or nothing while it is incomplete.
  TlsResult<std::optional<HandshakeMessage>> next();
  // done drops the message next() handed out. During the handshake an
  // emptied buffer keeps its storage for the next flight (one allocation a
  // handshake, not one a flight); after release() it frees it at once, as
  // post-handshake messages are few and far between.
  void done();
  bool empty() const { return in_.empty(); }
  // handed_out: next() gave a message that done() has not dropped yet.
  bool handed_out() const { return msg_len_ != 0; }
  // first_sight: true the first time it is asked about the message handed
  // out, false after (and with none handed out). Machines may be handed the
  // same message again (a hand-off to the version's machine, a ClientHello
  // a renegotiation keeps); the trace shows it once.
  bool first_sight() { return msg_len_ != 0 && !std::exchange(sighted_, true); }
  // current is the type, body length and body of the message handed out.
  uint8_t current_type() const { return msg_len_ ? in_[0] : 0; }
  size_t current_len() const { return msg_len_ ? msg_len_ - wire::kHandshakeHeaderLen : 0; }
  Bytes current_body() const { return Bytes(in_).subspan(msg_len_ ? wire::kHandshakeHeaderLen : 0, current_len()); }
  // beyond_current: bytes are buffered past the message handed out.
  bool beyond_current() const { return in_.size() > msg_len_; }
  // release frees the storage once the handshake no longer needs it.
  void release() {
    handshake_over_ = true;
    if (in_.empty()) std::vector<uint8_t>().swap(in_);
  }

 private:
  std::vector<uint8_t> in_;
  size_t msg_len_ = 0;  // length of the message handed out, if any
  bool sighted_ = false;  // first_sight() was asked about it
  bool handshake_over_ = false;
};

}  // namespace sluice

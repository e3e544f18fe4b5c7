#include "core/handshake_buffer.h"

#include <algorithm>

namespace sluice {

Result<void, Error> HandshakeReader::append(Bytes fragment) {
  if (in_.size() + fragment.size() > kMaxHandshakeMessageLen + wire::kMaxPlaintext) {
    return Err(Error(Reason::kHandshakeMessageTooLarge));
  }
  // Sized for the whole record at once: a flight arriving in one record
  // then costs one allocation, not a reserve and a regrowth.
  if (const size_t need = in_.size() + fragment.size(); need > in_.capacity()) {
    in_.reserve(std::max({need, kHandshakeBufferReserve, 2 * in_.capacity()}));
  }
  in_.insert(in_.end(), fragment.begin(), fragment.end());
  return {};
}

TlsResult<std::optional<HandshakeMessage>> HandshakeReader::next() {
  ByteReader r(in_);
  uint8_t type;
  uint32_t len;
  if (!r.u8(type) || !r.u24(len)) return std::optional<HandshakeMessage>();
  if (len > kMaxHandshakeMessageLen) return Err(Error(Reason::kHandshakeMessageTooLarge));
  Bytes body;
  if (!r.bytes(len, body)) return std::optional<HandshakeMessage>();
  msg_len_ = wire::kHandshakeHeaderLen + len;
  return std::optional<HandshakeMessage>(
      HandshakeMessage{static_cast<wire::HandshakeType>(type), body, Bytes(in_).first(msg_len_)});
}

void HandshakeReader::done() {
  in_.erase(in_.begin(), in_.begin() + static_cast<ptrdiff_t>(msg_len_));
  msg_len_ = 0;
  sighted_ = false;
  if (in_.empty() && handshake_over_) in_.shrink_to_fit();
}

}  // namespace sluice

#include "tools/echo_server/echo_session.h"

#include <cstring>

namespace sluice::tools {

namespace {

bool looks_like_http(const uint8_t* p, size_t n) {
  if (n < 4) return false;
  return !std::memcmp(p, "GET ", 4) || !std::memcmp(p, "HEAD", 4) || !std::memcmp(p, "POST", 4);
}

constexpr const char kBody[] = "hello from sluice\n";

}  // namespace

adapters::Want EchoSession::on_data(size_t n) {
  if (first_read_) {
    first_read_ = false;
    http_ = looks_like_http(buf_.data(), n);
  }
  if (!http_) {
    out_data_ = buf_.data();
    out_len_ = n;
    out_off_ = 0;
    phase_ = Phase::kWrite;
    return adapters::Want::kAgain;
  }
  out_.append(reinterpret_cast<const char*>(buf_.data()), n);
  if (out_.find("\r\n\r\n") == std::string::npos) {
    if (out_.size() > kMaxRequestHead) return adapters::Want::kClose;
    return adapters::Want::kAgain;  // read the rest of the head
  }
  out_ = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(sizeof kBody - 1) +
         "\r\nConnection: close\r\n\r\n" + kBody;
  out_data_ = reinterpret_cast<const uint8_t*>(out_.data());
  out_len_ = out_.size();
  out_off_ = 0;
  phase_ = Phase::kWrite;
  return adapters::Want::kAgain;
}

adapters::Want EchoSession::step(Connection& c) {
  switch (phase_) {
    case Phase::kHandshake: {
      const Progress p = c.handshake();
      if (p.status != Status::kOk) return adapters::want_for(p);
      phase_ = Phase::kRead;
      return adapters::Want::kAgain;
    }
    case Phase::kRead: {
      if (buf_.empty()) buf_.resize(kReadChunk);
      const Progress p = c.read(buf_);
      if (p.status == Status::kOk) return on_data(p.bytes);
      if (p.status == Status::kZeroReturn) {
        phase_ = Phase::kShutdown;
        return adapters::Want::kAgain;
      }
      // kWantRead after a post-handshake record with more buffered: the
      // loop calls again at once (has_pending), else waits for the socket.
      return adapters::want_for(p);
    }
    case Phase::kWrite: {
      // A retry after kWantWrite passes the same span, as the engine asks.
      const Progress p = c.write(std::span(out_data_ + out_off_, out_len_ - out_off_));
      if (p.status != Status::kOk) return adapters::want_for(p);
      out_off_ += p.bytes;
      if (!http_) echoed_ += p.bytes;
      if (out_off_ < out_len_) return adapters::Want::kAgain;  // partial-write mode
      phase_ = http_ ? Phase::kShutdown : Phase::kRead;
      return adapters::Want::kAgain;
    }
    case Phase::kShutdown:
      // Queue close_notify and close once it is sent; a server does not
      // wait for the client's answer.
      (void)c.shutdown();
      return adapters::Want::kClose;
  }
  return adapters::Want::kClose;
}

}  // namespace sluice::tools

#include "core/transcript.h"

#include <array>

#include "core/wire/types.h"

namespace sluice {

void Transcript::add(Bytes message) {
  if (ctx_) ctx_->update(message);
  if (!ctx_ || keep_) pending_.insert(pending_.end(), message.begin(), message.end());
}

void Transcript::add(std::vector<uint8_t>&& message) {
  if (!ctx_ && pending_.empty()) {
    pending_ = std::move(message);
  } else {
    add(Bytes(message));
  }
}

Result<void, Error> Transcript::select_hash(const crypto::Provider& p, crypto::HashAlg h) {
  ctx_ = SLUICE_TRY(p.new_hash(h));
  ctx_->update(pending_);
  if (!keep_) {
    pending_.clear();
    pending_.shrink_to_fit();
  }
  return {};
}

size_t Transcript::hash_len() const { return ctx_ ? crypto::hash_len(ctx_->alg()) : 0; }

void Transcript::current(MutBytes out) const { ctx_->peek(out); }

Result<void, Error> Transcript::hash_with(const crypto::Provider& p, crypto::HashAlg h, Bytes extra,
                                          MutBytes out) const {
  std::unique_ptr<crypto::Hash> ctx;
  if (ctx_) {
    if (ctx_->alg() != h) return Err(Error(Reason::kInternal, "transcript hash differs from the PSK's"));
    ctx = ctx_->clone();
  } else {
    ctx = SLUICE_TRY(p.new_hash(h));
    ctx->update(pending_);
  }
  ctx->update(extra);
  ctx->finish(out);
  return {};
}

Transcript Transcript::copy() const {
  Transcript t;
  if (ctx_) t.ctx_ = ctx_->clone();
  t.pending_ = pending_;
  t.keep_ = keep_;
  return t;
}

void Transcript::replace_with_message_hash() {
  std::array<uint8_t, crypto::kMaxHashLen> h;
  const size_t n = hash_len();
  current(h);
  ctx_->reset();
  const uint8_t header[4] = {static_cast<uint8_t>(wire::HandshakeType::kMessageHash), 0, 0,
                             static_cast<uint8_t>(n)};
  ctx_->update(header);
  ctx_->update(Bytes(h.data(), n));
}

}  // namespace sluice

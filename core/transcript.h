// The running transcript hash (RFC 8446 §4.4.1). Messages are buffered until
// the hash function is known (the ClientHello comes before the suite).
#pragma once

#include <memory>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"
#include "crypto/provider.h"

namespace sluice {

class Transcript {
 public:
  void add(Bytes message);
  // add takes the buffer itself when it would only be copied into an empty
  // pending list (a client's first ClientHello, before the hash is known).
  void add(std::vector<uint8_t>&& message);
  // select_hash starts hashing with `h`, replaying what was buffered.
  Result<void, Error> select_hash(const crypto::Provider& p, crypto::HashAlg h);
  bool hash_selected() const { return ctx_ != nullptr; }
  // current writes Transcript-Hash(messages so far) without ending it.
  void current(MutBytes out) const;
  size_t hash_len() const;
  // hash_with writes Transcript-Hash(messages so far + extra) with `h`
  // without adding `extra` (PSK binders cover a truncated ClientHello).
  Result<void, Error> hash_with(const crypto::Provider& p, crypto::HashAlg h, Bytes extra, MutBytes out) const;
  // copy duplicates the running hash (post-handshake authentication hashes
  // each CertificateRequest onto the handshake's transcript).
  Transcript copy() const;
  // replace_with_message_hash turns the transcript so far into a
  // message_hash message (RFC 8446 §4.4.1, after a HelloRetryRequest).
  void replace_with_message_hash();
  // keep_messages: also keep every message's bytes (TLS 1.2's
  // CertificateVerify signs the messages themselves, not their hash);
  // messages() returns them, drop_messages() stops keeping them.
  void keep_messages() { keep_ = true; }
  Bytes messages() const { return pending_; }
  void drop_messages() {
    keep_ = false;
    if (ctx_) std::vector<uint8_t>().swap(pending_);
  }
  void clear() {
    ctx_.reset();
    pending_.clear();
    pending_.shrink_to_fit();
  }

 private:
  std::unique_ptr<crypto::Hash> ctx_;
  std::vector<uint8_t> pending_;  // before the hash is chosen, or while keep_
  bool keep_ = false;
};

}  // namespace sluice

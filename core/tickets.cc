#include "core/tickets.h"

#include "core/bytes.h"

namespace sluice {

namespace {
constexpr size_t kNameLen = 16;
// The keys live only in this process, so no ticket of an older format
// (version 2 had no flags) can reach open().
constexpr uint8_t kStateVersion = 3;
constexpr uint8_t kFlagExtendedMasterSecret = 0x01;
// name, nonce, version, suite, group, flags, PSK (≤ 64 + 1), age_add, lifetime,
// issued_at, max_early_data, ALPN (≤ 255 + 1), tag.
constexpr size_t kMaxTicketLen =
    kNameLen + crypto::kAeadNonceLen + 1 + 2 + 2 + 1 + 65 + 4 + 4 + 8 + 4 + 256 + crypto::kAeadTagLen;
}  // namespace

crypto::AeadAlg TicketKeys::aead_for(const crypto::Provider& p) {
  return p.supports(crypto::AeadAlg::kAes256Gcm) ? crypto::AeadAlg::kAes256Gcm : crypto::AeadAlg::kChaCha20Poly1305;
}

Result<void, Error> TicketKeys::rotate_if_due(const crypto::Provider& p, int64_t now) {
  if (current_ && now - current_->created < rotate_after_) return {};
  Key k;
  SLUICE_TRY(p.random(k.name));
  SecretBytes key(32);
  SLUICE_TRY(p.random(key.span()));
  k.aead = SLUICE_TRY(p.new_aead(aead_for(p), key));
  k.created = now;
  previous_ = std::move(current_);
  current_ = std::move(k);
  return {};
}

TlsResult<std::vector<uint8_t>> TicketKeys::seal(const crypto::Provider& p, const TicketState& st, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  SLUICE_TRY(rotate_if_due(p, now));
  std::vector<uint8_t> out;
  out.reserve(kMaxTicketLen);
  ByteWriter w(out);
  w.bytes(current_->name);
  MutBytes nonce = w.reserve(crypto::kAeadNonceLen);
  SLUICE_TRY(p.random(nonce));
  const size_t body_at = out.size();
  w.u8(kStateVersion);
  w.u16(st.cipher_suite);
  w.u16(st.group);
  w.u8(st.extended_master_secret ? kFlagExtendedMasterSecret : 0);
  {
    auto psk = w.prefix8();
    w.bytes(st.psk);
  }
  w.u32(st.age_add);
  w.u32(st.lifetime);
  w.u64(static_cast<uint64_t>(st.issued_at));
  w.u32(st.max_early_data);
  {
    auto alpn = w.prefix8();
    w.bytes(Bytes(reinterpret_cast<const uint8_t*>(st.alpn.data()), st.alpn.size()));
  }
  w.zeros(crypto::kAeadTagLen);
  if (!w.ok() || out.size() > kMaxTicketLen) return Err(Error(Reason::kInternal, "ticket too large"));
  MutBytes all(out);
  const size_t body_len = out.size() - body_at - crypto::kAeadTagLen;
  SLUICE_TRY(current_->aead->seal(all.subspan(kNameLen, crypto::kAeadNonceLen), all.first(kNameLen),
                        all.subspan(body_at, body_len), all.subspan(body_at + body_len)));
  return out;
}

std::optional<TicketState> TicketKeys::open(const crypto::Provider& p, std::span<const uint8_t> ticket,
                                            int64_t now) {
  // Every ticket this sealer makes fits kMaxTicketLen, so a longer one is
  // not ours; the copy it is opened in then lives on the stack.
  if (ticket.size() < kNameLen + crypto::kAeadNonceLen + crypto::kAeadTagLen + 1 || ticket.size() > kMaxTicketLen)
    return std::nullopt;
  std::array<uint8_t, kMaxTicketLen> storage;
  MutBytes all(storage.data(), ticket.size());
  std::copy(ticket.begin(), ticket.end(), all.begin());
  const size_t body_at = kNameLen + crypto::kAeadNonceLen;
  const size_t body_len = all.size() - body_at - crypto::kAeadTagLen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!rotate_if_due(p, now)) return std::nullopt;
    crypto::AeadKey* aead = nullptr;
    for (const auto* k : {&current_, &previous_}) {
      if (*k && std::equal((*k)->name.begin(), (*k)->name.end(), all.begin())) aead = (*k)->aead.get();
    }
    if (aead == nullptr || !aead->open(all.subspan(kNameLen, crypto::kAeadNonceLen), all.first(kNameLen),
                                       all.subspan(body_at, body_len), all.subspan(body_at + body_len))) {
      return std::nullopt;
    }
  }
  ByteReader r(all.subspan(body_at, body_len));
  TicketState st;
  uint8_t version, flags;
  ByteReader psk, alpn;
  uint64_t issued;
  if (!r.u8(version) || version != kStateVersion || !r.u16(st.cipher_suite) || !r.u16(st.group) || !r.u8(flags) ||
      (flags & ~kFlagExtendedMasterSecret) != 0 || !r.vec8(1, 64, psk) || !r.u32(st.age_add) ||
      !r.u32(st.lifetime) || !r.u64(issued) || !r.u32(st.max_early_data) || !r.prefixed8(alpn) || !r.empty()) {
    wipe(all);
    return std::nullopt;
  }
  st.extended_master_secret = (flags & kFlagExtendedMasterSecret) != 0;
  st.psk = SecretBytes(psk.rest());
  st.issued_at = static_cast<int64_t>(issued);
  st.alpn.assign(alpn.rest().begin(), alpn.rest().end());
  wipe(all);
  return st;
}

void SessionIdCache::put(std::span<const uint8_t> id, TicketState state) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.emplace_back(std::vector<uint8_t>(id.begin(), id.end()), std::move(state));
  if (entries_.size() > kMaxEntries) entries_.pop_front();
}

std::optional<TicketState> SessionIdCache::take(std::span<const uint8_t> id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (std::equal(it->first.begin(), it->first.end(), id.begin(), id.end())) {
      TicketState st = std::move(it->second);
      entries_.erase(it);
      return st;
    }
  }
  return std::nullopt;
}

}  // namespace sluice

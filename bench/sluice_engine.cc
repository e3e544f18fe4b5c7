// The sluice side of tls_bench: contexts, in-memory pumping with every call
// charged to its side (bench/side_heap.h), and the handshake, bulk, AEAD and
// memory measurements.
#include <cstdio>
#include <map>

#include "bench/side_heap.h"
#include "bench/tls_engine.h"
#include "core/connection.h"
#include "core/session.h"
#include "core/wire/types.h"
#include "pki/webpki_verifier.h"

namespace sluice::bench {
namespace {

using crypto::AeadAlg;
using crypto::KeyType;

wire::CipherSuite suite_for(AeadAlg a) {
  switch (a) {
    case AeadAlg::kAes128Gcm: return wire::CipherSuite::kAes128GcmSha256;
    case AeadAlg::kAes256Gcm: return wire::CipherSuite::kAes256GcmSha384;
    case AeadAlg::kChaCha20Poly1305: return wire::CipherSuite::kChaCha20Poly1305Sha256;
  }
  return wire::CipherSuite::kAes128GcmSha256;
}

wire::CipherSuite tls12_suite_for(AeadAlg a) {
  switch (a) {
    case AeadAlg::kAes128Gcm: return wire::CipherSuite::kEcdheEcdsaAes128GcmSha256;
    case AeadAlg::kAes256Gcm: return wire::CipherSuite::kEcdheEcdsaAes256GcmSha384;
    case AeadAlg::kChaCha20Poly1305: return wire::CipherSuite::kEcdheEcdsaChaCha20Poly1305Sha256;
  }
  return wire::CipherSuite::kEcdheEcdsaAes128GcmSha256;
}

// move_bytes carries everything `from` has to send into `to`, charging each
// call to the side that makes it. Returns the bytes moved.
size_t move_bytes(Connection& from, Side from_side, Connection& to, Side to_side) {
  size_t moved = 0;
  while (true) {
    std::span<const uint8_t> out;
    {
      SideScope scope(from_side);
      out = from.outbound();
    }
    if (out.empty()) break;
    size_t n;
    {
      SideScope scope(to_side);
      n = to.feed(out);
    }
    if (n == 0) break;
    SideScope scope(from_side);
    from.outbound_consumed(n);
    moved += n;
  }
  return moved;
}

bool pump_handshake(Connection& c, Connection& s) {
  // A TLS 1.3 handshake takes three flights; the bound only catches a stall.
  for (int i = 0; i < 16; ++i) {
    Progress pc, ps;
    {
      SideScope scope(Side::kClient);
      pc = c.handshake();
    }
    {
      SideScope scope(Side::kServer);
      ps = s.handshake();
    }
    if (pc.status == Status::kError || ps.status == Status::kError) return false;
    const size_t moved = move_bytes(c, Side::kClient, s, Side::kServer) + move_bytes(s, Side::kServer, c, Side::kClient);
    if (c.handshake_done() && s.handshake_done() && moved == 0) return true;
  }
  return false;
}

// drain reads everything `c` can deliver now into `scratch`; returns bytes.
// A read that took in a post-handshake message (a NewSessionTicket) ends
// with kWantRead while records are still buffered: it reads on, as an
// application without AUTO_RETRY must, so the connection is left idle.
size_t drain(Connection& c, Side side, std::vector<uint8_t>& scratch) {
  SideScope scope(side);
  size_t total = 0;
  while (true) {
    Progress r = c.read(scratch);
    if (r.status == Status::kWantRead && c.has_pending()) continue;
    if (r.status != Status::kOk) return total;
    total += r.bytes;
  }
}

// send_all writes `data` from `c` to `s` (retrying on kWantWrite after
// draining), then delivers it; false on an error.
bool send_all(Connection& c, Side c_side, Connection& s, Side s_side, std::span<const uint8_t> data,
              std::vector<uint8_t>& scratch) {
  for (int tries = 0; tries < 1 << 20; ++tries) {
    Progress w;
    {
      SideScope scope(c_side);
      w = c.write(data);
    }
    move_bytes(c, c_side, s, s_side);
    drain(s, s_side, scratch);
    if (w.status == Status::kOk) return true;
    if (w.status != Status::kWantWrite) return false;
  }
  return false;
}

// FixedSessionStore keeps the first session it is given and hands out a
// copy of it on every take() once resumption is switched on, so every
// resumed row resumes the same ticket; later sessions are stored (the client
// does that work in every row) but never handed out.
class FixedSessionStore final : public SessionStore {
 public:
  void put(std::string_view, Session s) override {
    if (!first_) {
      first_ = std::move(s);
    } else {
      latest_ = std::move(s);
    }
  }
  std::optional<Session> take(std::string_view) override {
    if (!resume_ || !first_) return std::nullopt;
    return first_->copy();
  }
  bool has_session() const { return first_.has_value(); }
  void set_resume(bool on) { resume_ = on; }

 private:
  std::optional<Session> first_;
  Session latest_;
  bool resume_ = false;
};

// read_tickets lets the client take in what arrived after the handshake
// (NewSessionTickets), as an application's first read() would.
void read_tickets(Connection& c) {
  SideScope scope(Side::kClient);
  uint8_t b[16];
  for (int i = 0; i < 8 && c.has_pending(); ++i) (void)c.read(b);
}

// handshake_once makes one connection pair and completes a handshake;
// returns whether the client resumed, or nullopt on failure.
std::optional<bool> handshake_once(const std::shared_ptr<Context>& cctx, const std::shared_ptr<Context>& sctx,
                                   bool tickets) {
  std::optional<Connection> c, s;
  {
    SideScope scope(Side::kClient);
    c.emplace(Connection::client(cctx, kHostName));
  }
  {
    SideScope scope(Side::kServer);
    s.emplace(Connection::server(sctx));
  }
  std::optional<bool> result;
  if (pump_handshake(*c, *s) && (c->negotiated().resumed || c->negotiated().peer_chain.size() == 2)) {
    if (tickets) read_tickets(*c);
    result = c->negotiated().resumed;
  }
  {
    SideScope scope(Side::kClient);
    c.reset();
  }
  SideScope scope(Side::kServer);
  s.reset();
  return result;
}

struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  std::optional<Connection> c, s;
  std::vector<uint8_t> scratch = std::vector<uint8_t>(64 * 1024);
};

class SluiceEngine final : public Engine {
 public:
  SluiceEngine(std::string name, std::shared_ptr<const crypto::Provider> p) : name_(std::move(name)), p_(std::move(p)) {}

  std::string name() const override { return name_; }

  Op handshake(const HandshakeConfig& config, std::string* why_not) override {
    auto cctx = client_ctx(config.cert, 0, AeadAlg::kAes128Gcm, !config.uncached_signatures);
    auto sctx = server_ctx(config.cert, 0);
    if (!cctx || !sctx) {
      *why_not = "setup failed";
      return nullptr;
    }
    if (config.tls12) {
      limit_to_tls12(*cctx, *sctx,
                     {wire::CipherSuite::kEcdheEcdsaAes128GcmSha256, wire::CipherSuite::kEcdheRsaAes128GcmSha256});
    }
    auto store = std::make_shared<FixedSessionStore>();
    cctx->set_session_store(store);
    sctx->set_ticket_count(config.tickets || config.resumed ? 2 : 0);
    if (config.resumed) {
      // A first, full handshake yields the ticket every later one resumes
      // (as the OpenSSL rows reuse one SSL_SESSION).
      auto first = handshake_once(cctx, sctx, true);
      if (!first || !store->has_session()) {
        *why_not = "no session";
        return nullptr;
      }
      if (!config.tickets) sctx->set_ticket_count(0);
    }
    // Full-handshake rows never resume: the store hands out nothing.
    store->set_resume(config.resumed);
    const bool tickets = config.tickets, resumed = config.resumed;
    return [cctx, sctx, tickets, resumed]() {
      auto r = handshake_once(cctx, sctx, tickets);
      return r && *r == resumed;
    };
  }

  Op bulk(AeadAlg suite, size_t write_size, size_t bytes_per_op, bool tls12, bool release_buffers) override {
    auto pair = connected(suite, release_buffers ? kModeReleaseBuffers : 0, tls12);
    if (!pair) return nullptr;
    auto src = std::make_shared<std::vector<uint8_t>>(write_size, 0x5a);
    return [pair, src, write_size, bytes_per_op]() {
      for (size_t sent = 0; sent < bytes_per_op; sent += write_size) {
        if (!send_all(*pair->c, Side::kClient, *pair->s, Side::kServer, *src, pair->scratch)) return false;
      }
      return true;
    };
  }

  Op raw_aead(AeadAlg suite) override {
    auto key = p_->new_aead(suite, std::vector<uint8_t>(crypto::aead_key_len(suite), 0x11));
    if (!key.ok()) return nullptr;
    std::shared_ptr<crypto::AeadKey> k(std::move(*key));
    auto buf = std::make_shared<std::vector<uint8_t>>(kRawAeadLen, 0x5a);
    auto nonce = std::make_shared<std::vector<uint8_t>>(crypto::kAeadNonceLen, 0);
    return [k, buf, nonce]() {
      static const uint8_t aad[5] = {0x17, 0x03, 0x03, 0x40, 0x11};  // a TLS 1.3 record header
      uint8_t tag[crypto::kAeadTagLen];
      ++(*nonce)[11];
      return k->seal(*nonce, aad, *buf, tag).ok() && k->open(*nonce, aad, *buf, tag).ok();
    };
  }

  std::optional<MemoryResult> handshake_heap(KeyType cert) override {
    auto warm_c = client_ctx(cert, kModeReleaseBuffers), warm_s = server_ctx(cert, kModeReleaseBuffers);
    if (!warm_c || !warm_s || !run_connection(warm_c, warm_s, nullptr)) return std::nullopt;
    auto cctx = client_ctx(cert, kModeReleaseBuffers), sctx = server_ctx(cert, kModeReleaseBuffers);
    MemoryResult r;
    if (!cctx || !sctx || !run_connection(cctx, sctx, &r)) return std::nullopt;
    return r;
  }

  std::optional<MemoryResult> memory(bool release_buffers) override {
    const long mode = release_buffers ? kModeReleaseBuffers : 0;
    MemoryResult r;
    {
      // A first connection on other contexts fills lazily built caches
      // (provider tables, static locals) that no later connection pays for.
      auto warm_c = client_ctx(KeyType::kEd25519, mode), warm_s = server_ctx(KeyType::kEd25519, mode);
      if (!warm_c || !warm_s || !run_connection(warm_c, warm_s, nullptr)) return std::nullopt;
      // Peak and heap calls: the first connection on fresh contexts, so its
      // record buffers are new allocations, not taken from a freelist.
      auto cctx = client_ctx(KeyType::kEd25519, mode);
      auto sctx = server_ctx(KeyType::kEd25519, mode);
      if (!cctx || !sctx || !run_connection(cctx, sctx, &r)) return std::nullopt;
      // Idle: a second connection on the same contexts. Buffers it released
      // sit in the context's freelist, which is the context's memory (and
      // was counted before this connection began), not the connection's.
      MemoryResult second;
      if (!run_connection(cctx, sctx, &second)) return std::nullopt;
      r.idle_client = second.idle_client;
      r.idle_server = second.idle_server;
    }
    // Steady state on a normal context (default freelist).
    auto pair = connected(AeadAlg::kAes128Gcm, mode);
    if (!pair) return std::nullopt;
    std::vector<uint8_t> record(16384, 0x5a);
    for (int i = 0; i < 8; ++i) send_all(*pair->c, Side::kClient, *pair->s, Side::kServer, record, pair->scratch);
    const uint64_t c0 = side_stats(Side::kClient).allocations, s0 = side_stats(Side::kServer).allocations;
    constexpr int kRecords = 256;
    for (int i = 0; i < kRecords; ++i) {
      if (!send_all(*pair->c, Side::kClient, *pair->s, Side::kServer, record, pair->scratch)) return std::nullopt;
    }
    r.allocs_per_write = static_cast<double>(side_stats(Side::kClient).allocations - c0) / kRecords;
    r.allocs_per_read = static_cast<double>(side_stats(Side::kServer).allocations - s0) / kRecords;
    return r;
  }

 private:
  std::shared_ptr<const CertificateVerifier> verifier(KeyType t, bool cache_signatures) {
    auto it = verifiers_.find({t, cache_signatures});
    if (it != verifiers_.end()) return it->second;
    std::vector<std::vector<uint8_t>> roots = {credentials(t).root};
    auto v = pki::WebPkiVerifier::from_certificates(p_, roots);
    if (!v) return nullptr;
    (*v)->set_signature_cache(cache_signatures);
    return verifiers_[{t, cache_signatures}] = std::shared_ptr<const CertificateVerifier>(std::move(*v));
  }

  std::shared_ptr<Context> client_ctx(KeyType t, long mode, AeadAlg suite = AeadAlg::kAes128Gcm,
                                      bool cache_signatures = true) {
    auto v = verifier(t, cache_signatures);
    if (!v) return nullptr;
    auto ctx = std::make_shared<Context>(Role::kClient, p_);
    ctx->set_verifier(std::move(v));
    // Bulk and memory rows make full handshakes only.
    ctx->set_session_store(std::make_shared<FixedSessionStore>());
    ctx->set_cipher_suites({suite_for(suite)});
    ctx->set_groups({crypto::Group::kX25519});
    ctx->set_mode(mode);
    return ctx;
  }

  std::shared_ptr<Context> server_ctx(KeyType t, long mode, AeadAlg suite = AeadAlg::kAes128Gcm) {
    const Credentials& cred = credentials(t);
    auto signer = p_->new_signer(cred.leaf_key);
    if (!signer.ok()) return nullptr;
    auto ctx = std::make_shared<Context>(Role::kServer, p_);
    ctx->set_certificate({cred.chain, std::shared_ptr<crypto::Signer>(std::move(*signer))});
    ctx->set_cipher_suites({suite_for(suite)});
    ctx->set_groups({crypto::Group::kX25519});
    ctx->set_mode(mode);
    return ctx;
  }

  // TLS 1.2 with the given suites. The client lists P-256 after X25519: a
  // TLS 1.2 ECDSA certificate must be on a curve the client offers (RFC 8422
  // §5.3), and OpenSSL's side of these rows lists the same two.
  static void limit_to_tls12(Context& client, Context& server, const std::vector<wire::CipherSuite>& suites) {
    client.set_max_version(wire::kTls12);
    client.set_groups({crypto::Group::kX25519, crypto::Group::kSecp256r1});
    client.set_cipher_suites(suites);
    server.set_cipher_suites(suites);
  }

  std::shared_ptr<Pair> connected(AeadAlg suite, long mode, bool tls12 = false) {
    auto pair = std::make_shared<Pair>();
    const KeyType cert = tls12 ? KeyType::kEcdsaP256 : KeyType::kEd25519;
    const wire::CipherSuite wanted = tls12 ? tls12_suite_for(suite) : suite_for(suite);
    pair->cctx = client_ctx(cert, mode, suite);
    pair->sctx = server_ctx(cert, mode, suite);
    if (!pair->cctx || !pair->sctx) return nullptr;
    if (tls12) limit_to_tls12(*pair->cctx, *pair->sctx, {wanted});
    {
      SideScope scope(Side::kClient);
      pair->c.emplace(Connection::client(pair->cctx, kHostName));
    }
    {
      SideScope scope(Side::kServer);
      pair->s.emplace(Connection::server(pair->sctx));
    }
    if (!pump_handshake(*pair->c, *pair->s)) return nullptr;
    if (pair->c->negotiated().cipher_suite != static_cast<uint16_t>(wanted)) return nullptr;
    return pair;
  }

  // run_connection makes one connection pair, handshakes, sends one small
  // message each way and, when `out` is given, records its memory figures.
  bool run_connection(const std::shared_ptr<Context>& cctx, const std::shared_ptr<Context>& sctx,
                      MemoryResult* out) {
    const SideStats c0 = side_stats(Side::kClient), s0 = side_stats(Side::kServer);
    reset_peak(Side::kClient);
    reset_peak(Side::kServer);
    std::optional<Connection> c, s;
    {
      SideScope scope(Side::kClient);
      c.emplace(Connection::client(cctx, kHostName));
    }
    {
      SideScope scope(Side::kServer);
      s.emplace(Connection::server(sctx));
    }
    if (!pump_handshake(*c, *s)) return false;
    const SideStats c1 = side_stats(Side::kClient), s1 = side_stats(Side::kServer);
    std::vector<uint8_t> msg(100, 0x42), scratch(4096);
    if (!send_all(*c, Side::kClient, *s, Side::kServer, msg, scratch) ||
        !send_all(*s, Side::kServer, *c, Side::kClient, msg, scratch)) {
      return false;
    }
    if (out) record_connection_memory(*out, c0, s0, c1, s1);
    const SideStats c_idle = side_stats(Side::kClient), s_idle = side_stats(Side::kServer);
    {
      SideScope scope(Side::kClient);
      c.reset();
    }
    {
      SideScope scope(Side::kServer);
      s.reset();
    }
    if (out) record_idle_memory(*out, c_idle, s_idle);
    return true;
  }

  std::string name_;
  std::shared_ptr<const crypto::Provider> p_;
  std::map<std::pair<KeyType, bool>, std::shared_ptr<const CertificateVerifier>> verifiers_;
};

}  // namespace

std::unique_ptr<Engine> make_sluice_engine(std::string name, std::shared_ptr<const crypto::Provider> provider) {
  return std::make_unique<SluiceEngine>(std::move(name), std::move(provider));
}

}  // namespace sluice::bench

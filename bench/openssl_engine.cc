// The OpenSSL side of tls_bench: libssl (TLS 1.3 only) over a BIO pair, the
// in-memory transport OpenSSL itself provides, with every SSL call charged
// to its side (bench/side_heap.h). The BIO pair's two ring buffers belong to
// the harness, not to either connection, and are made outside both sides.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <map>

#include "bench/side_heap.h"
#include "bench/tls_engine.h"

namespace sluice::bench {
namespace {

using crypto::AeadAlg;
using crypto::KeyType;

// Room in each direction of the BIO pair: a whole server flight, or four
// 16 KiB records.
constexpr size_t kPairBuffer = 72 * 1024;

const char* suite_name(AeadAlg a) {
  switch (a) {
    case AeadAlg::kAes128Gcm: return "TLS_AES_128_GCM_SHA256";
    case AeadAlg::kAes256Gcm: return "TLS_AES_256_GCM_SHA384";
    case AeadAlg::kChaCha20Poly1305: return "TLS_CHACHA20_POLY1305_SHA256";
  }
  return "TLS_AES_128_GCM_SHA256";
}

const char* tls12_suite_name(AeadAlg a) {
  switch (a) {
    case AeadAlg::kAes128Gcm: return "ECDHE-ECDSA-AES128-GCM-SHA256";
    case AeadAlg::kAes256Gcm: return "ECDHE-ECDSA-AES256-GCM-SHA384";
    case AeadAlg::kChaCha20Poly1305: return "ECDHE-ECDSA-CHACHA20-POLY1305";
  }
  return "ECDHE-ECDSA-AES128-GCM-SHA256";
}

std::shared_ptr<SSL_CTX> own(SSL_CTX* c) { return {c, SSL_CTX_free}; }

X509* parse_cert(const std::vector<uint8_t>& der) {
  const unsigned char* p = der.data();
  return d2i_X509(nullptr, &p, static_cast<long>(der.size()));
}

bool base_ctx(SSL_CTX* ctx, AeadAlg suite, long mode) {
  return SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1 &&
         SSL_CTX_set_ciphersuites(ctx, suite_name(suite)) == 1 && SSL_CTX_set1_groups_list(ctx, "X25519") == 1 &&
         (SSL_CTX_set_mode(ctx, mode), true);
}

std::shared_ptr<SSL_CTX> server_ctx(KeyType t, AeadAlg suite, long mode, bool tickets) {
  const Credentials& cred = credentials(t);
  auto ctx = own(SSL_CTX_new(TLS_server_method()));
  if (!ctx || !base_ctx(ctx.get(), suite, mode)) return nullptr;
  X509* leaf = parse_cert(cred.chain[0]);
  X509* intermediate = parse_cert(cred.chain[1]);
  BIO* kb = BIO_new_mem_buf(cred.leaf_key_pem.data(), static_cast<int>(cred.leaf_key_pem.size()));
  EVP_PKEY* key = kb ? PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(kb);
  const bool ok = leaf && intermediate && key && SSL_CTX_use_certificate(ctx.get(), leaf) == 1 &&
                  SSL_CTX_add1_chain_cert(ctx.get(), intermediate) == 1 &&
                  SSL_CTX_use_PrivateKey(ctx.get(), key) == 1 && SSL_CTX_check_private_key(ctx.get()) == 1;
  X509_free(leaf);
  X509_free(intermediate);
  EVP_PKEY_free(key);
  if (!ok) return nullptr;
  // The default server cache stays on: OpenSSL 3.0 refuses TLS 1.3 ticket
  // resumption with SSL_SESS_CACHE_OFF. Its tickets are stateless, so the
  // cache holds no per-connection state for the memory rows.
  SSL_CTX_set_num_tickets(ctx.get(), tickets ? 2 : 0);
  return ctx;
}

std::shared_ptr<SSL_CTX> client_ctx(KeyType t, AeadAlg suite, long mode) {
  auto ctx = own(SSL_CTX_new(TLS_client_method()));
  if (!ctx || !base_ctx(ctx.get(), suite, mode)) return nullptr;
  X509* root = parse_cert(credentials(t).root);
  const bool ok = root && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), root) == 1;
  X509_free(root);
  if (!ok) return nullptr;
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  return ctx;
}

// A connected client/server pair over one BIO pair.
struct Conn {
  SSL* c = nullptr;
  SSL* s = nullptr;
  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    {
      SideScope scope(Side::kClient);
      SSL_free(c);
    }
    SideScope scope(Side::kServer);
    SSL_free(s);
  }
};

// make_conn creates both SSL objects (each charged to its side) and joins
// them with a BIO pair (charged to neither).
bool make_conn(Conn& conn, SSL_CTX* cctx, SSL_CTX* sctx, SSL_SESSION* resume) {
  {
    SideScope scope(Side::kClient);
    conn.c = SSL_new(cctx);
    if (!conn.c || SSL_set_tlsext_host_name(conn.c, kHostName) != 1 || SSL_set1_host(conn.c, kHostName) != 1) {
      return false;
    }
    if (resume && SSL_set_session(conn.c, resume) != 1) return false;
    SSL_set_connect_state(conn.c);
  }
  {
    SideScope scope(Side::kServer);
    conn.s = SSL_new(sctx);
    if (!conn.s) return false;
    SSL_set_accept_state(conn.s);
  }
  BIO *cb = nullptr, *sb = nullptr;
  if (BIO_new_bio_pair(&cb, kPairBuffer, &sb, kPairBuffer) != 1) return false;
  SSL_set_bio(conn.c, cb, cb);
  SSL_set_bio(conn.s, sb, sb);
  return true;
}

bool would_block(SSL* ssl, int rc) {
  const int e = SSL_get_error(ssl, rc);
  return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

// read_tickets lets the client process what arrived after the handshake
// (NewSessionTickets), as an application's first SSL_read would.
void read_tickets(Conn& conn) {
  SideScope scope(Side::kClient);
  uint8_t b;
  (void)SSL_read(conn.c, &b, 1);
}

bool pump_handshake(Conn& conn) {
  for (int i = 0; i < 16; ++i) {
    int rc, rs;
    {
      SideScope scope(Side::kClient);
      rc = SSL_do_handshake(conn.c);
    }
    {
      SideScope scope(Side::kServer);
      rs = SSL_do_handshake(conn.s);
    }
    if ((rc != 1 && !would_block(conn.c, rc)) || (rs != 1 && !would_block(conn.s, rs))) {
      ERR_clear_error();
      return false;
    }
    if (rc == 1 && rs == 1) return SSL_get_verify_result(conn.c) == X509_V_OK;
  }
  return false;
}

size_t drain(SSL* ssl, Side side, std::vector<uint8_t>& scratch) {
  SideScope scope(side);
  size_t total = 0;
  while (true) {
    const int n = SSL_read(ssl, scratch.data(), static_cast<int>(scratch.size()));
    if (n <= 0) return total;
    total += static_cast<size_t>(n);
  }
}

bool send_all(SSL* from, Side from_side, SSL* to, Side to_side, const std::vector<uint8_t>& data,
              std::vector<uint8_t>& scratch) {
  for (int tries = 0; tries < 1 << 20; ++tries) {
    int w;
    {
      SideScope scope(from_side);
      w = SSL_write(from, data.data(), static_cast<int>(data.size()));
    }
    drain(to, to_side, scratch);
    if (w > 0) return true;
    if (!would_block(from, w)) return false;
  }
  return false;
}

struct Pair {
  std::shared_ptr<SSL_CTX> cctx, sctx;
  Conn conn;
  std::vector<uint8_t> scratch = std::vector<uint8_t>(64 * 1024);
};

class OpenSslEngine final : public Engine {
 public:
  std::string name() const override { return "openssl"; }

  Op handshake(const HandshakeConfig& config, std::string* why_not) override {
    auto cctx = client_ctx(config.cert, AeadAlg::kAes128Gcm, 0);
    auto sctx = server_ctx(config.cert, AeadAlg::kAes128Gcm, 0, config.tickets || config.resumed);
    if (!cctx || !sctx) {
      *why_not = "setup failed";
      return nullptr;
    }
    if (config.tls12) {
      for (SSL_CTX* c : {cctx.get(), sctx.get()}) {
        if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 || SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION) != 1 ||
            SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256") != 1 ||
            // TLS 1.2 ECDSA certificates must be on a curve the client lists
            // (RFC 8422 §5.1): X25519 for the exchange, P-256 for the key.
            SSL_CTX_set1_groups_list(c, "X25519:P-256") != 1) {
          *why_not = "TLS 1.2 setup failed";
          return nullptr;
        }
      }
    }
    std::shared_ptr<SSL_SESSION> session;
    if (config.resumed) {
      // A first, full handshake yields the ticket every later one resumes.
      Conn first;
      if (!make_conn(first, cctx.get(), sctx.get(), nullptr) || !pump_handshake(first)) return nullptr;
      read_tickets(first);
      // A copy: SSL_free of a connection that was not shut down marks its
      // own session not resumable.
      session.reset(SSL_SESSION_dup(SSL_get0_session(first.c)), SSL_SESSION_free);
      if (!session || !SSL_SESSION_is_resumable(session.get())) {
        *why_not = "no resumable session";
        return nullptr;
      }
    }
    const bool tickets = config.tickets, resumed = config.resumed;
    return [cctx, sctx, session, tickets, resumed]() {
      Conn conn;
      // OpenSSL's client marks a TLS 1.3 session used once it resumes it
      // (tickets are single use), so each handshake resumes a copy of the
      // saved one, as sluice's rows take a copy from their session store.
      std::shared_ptr<SSL_SESSION> copy;
      if (session) {
        SideScope scope(Side::kClient);
        copy.reset(SSL_SESSION_dup(session.get()), SSL_SESSION_free);
        if (!copy) return false;
      }
      if (!make_conn(conn, cctx.get(), sctx.get(), copy.get())) return false;
      if (!tickets) {
        SideScope scope(Side::kServer);
        SSL_set_num_tickets(conn.s, 0);
      }
      if (!pump_handshake(conn)) return false;
      if (tickets) read_tickets(conn);
      return !resumed || SSL_session_reused(conn.c) == 1;
    };
  }

  Op bulk(AeadAlg suite, size_t write_size, size_t bytes_per_op, bool tls12, bool release_buffers) override {
    auto pair = connected(suite, release_buffers ? SSL_MODE_RELEASE_BUFFERS : 0, tls12);
    if (!pair) return nullptr;
    auto src = std::make_shared<std::vector<uint8_t>>(write_size, 0x5a);
    return [pair, src, write_size, bytes_per_op]() {
      for (size_t sent = 0; sent < bytes_per_op; sent += write_size) {
        if (!send_all(pair->conn.c, Side::kClient, pair->conn.s, Side::kServer, *src, pair->scratch)) return false;
      }
      return true;
    };
  }

  Op raw_aead(AeadAlg suite) override { return openssl_aead_seal_open(suite, kRawAeadLen); }

  std::optional<MemoryResult> handshake_heap(KeyType cert) override {
    const long mode = SSL_MODE_RELEASE_BUFFERS;
    {
      auto warm_c = client_ctx(cert, AeadAlg::kAes128Gcm, mode);
      auto warm_s = server_ctx(cert, AeadAlg::kAes128Gcm, mode, true);
      if (!warm_c || !warm_s || !run_connection(warm_c.get(), warm_s.get(), nullptr)) return std::nullopt;
    }
    auto cctx = client_ctx(cert, AeadAlg::kAes128Gcm, mode);
    auto sctx = server_ctx(cert, AeadAlg::kAes128Gcm, mode, true);
    MemoryResult r;
    if (!cctx || !sctx || !run_connection(cctx.get(), sctx.get(), &r)) return std::nullopt;
    return r;
  }

  std::optional<MemoryResult> memory(bool release_buffers) override {
    const long mode = release_buffers ? SSL_MODE_RELEASE_BUFFERS : 0;
    // The same sequence as sluice's: warm process-wide caches on other
    // contexts, peak and heap calls from the first connection on fresh
    // contexts, idle memory from the second.
    MemoryResult r, second;
    {
      auto warm_c = client_ctx(KeyType::kEd25519, AeadAlg::kAes128Gcm, mode);
      auto warm_s = server_ctx(KeyType::kEd25519, AeadAlg::kAes128Gcm, mode, true);
      if (!warm_c || !warm_s || !run_connection(warm_c.get(), warm_s.get(), nullptr)) return std::nullopt;
    }
    auto cctx = client_ctx(KeyType::kEd25519, AeadAlg::kAes128Gcm, mode);
    auto sctx = server_ctx(KeyType::kEd25519, AeadAlg::kAes128Gcm, mode, true);
    if (!cctx || !sctx || !run_connection(cctx.get(), sctx.get(), &r) ||
        !run_connection(cctx.get(), sctx.get(), &second)) {
      return std::nullopt;
    }
    r.idle_client = second.idle_client;
    r.idle_server = second.idle_server;
    auto pair = connected(AeadAlg::kAes128Gcm, mode);
    if (!pair) return std::nullopt;
    std::vector<uint8_t> record(16384, 0x5a);
    for (int i = 0; i < 8; ++i) send_all(pair->conn.c, Side::kClient, pair->conn.s, Side::kServer, record, pair->scratch);
    const uint64_t c0 = side_stats(Side::kClient).allocations, s0 = side_stats(Side::kServer).allocations;
    constexpr int kRecords = 256;
    for (int i = 0; i < kRecords; ++i) {
      if (!send_all(pair->conn.c, Side::kClient, pair->conn.s, Side::kServer, record, pair->scratch)) {
        return std::nullopt;
      }
    }
    r.allocs_per_write = static_cast<double>(side_stats(Side::kClient).allocations - c0) / kRecords;
    r.allocs_per_read = static_cast<double>(side_stats(Side::kServer).allocations - s0) / kRecords;
    return r;
  }

 private:
  std::shared_ptr<Pair> connected(AeadAlg suite, long mode, bool tls12 = false) {
    auto pair = std::make_shared<Pair>();
    const KeyType cert = tls12 ? KeyType::kEcdsaP256 : KeyType::kEd25519;
    pair->cctx = client_ctx(cert, suite, mode);
    pair->sctx = server_ctx(cert, suite, mode, false);
    if (!pair->cctx || !pair->sctx) return nullptr;
    if (tls12) {
      for (SSL_CTX* c : {pair->cctx.get(), pair->sctx.get()}) {
        if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 || SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION) != 1 ||
            SSL_CTX_set_cipher_list(c, tls12_suite_name(suite)) != 1 || SSL_CTX_set1_groups_list(c, "X25519:P-256") != 1) {
          return nullptr;
        }
      }
    }
    if (!make_conn(pair->conn, pair->cctx.get(), pair->sctx.get(), nullptr) || !pump_handshake(pair->conn)) {
      return nullptr;
    }
    if (SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(pair->conn.c)) !=
        SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(pair->conn.s))) {
      return nullptr;
    }
    return pair;
  }

  bool run_connection(SSL_CTX* cctx, SSL_CTX* sctx, MemoryResult* out) {
    const SideStats c0 = side_stats(Side::kClient), s0 = side_stats(Side::kServer);
    reset_peak(Side::kClient);
    reset_peak(Side::kServer);
    std::vector<uint8_t> msg(100, 0x42), scratch(4096);
    SideStats c_idle, s_idle;
    {
      Conn conn;
      if (!make_conn(conn, cctx, sctx, nullptr) || !pump_handshake(conn)) return false;
      const SideStats c1 = side_stats(Side::kClient), s1 = side_stats(Side::kServer);
      // The client's first read also takes in the NewSessionTickets.
      if (!send_all(conn.c, Side::kClient, conn.s, Side::kServer, msg, scratch) ||
          !send_all(conn.s, Side::kServer, conn.c, Side::kClient, msg, scratch)) {
        return false;
      }
      if (out) record_connection_memory(*out, c0, s0, c1, s1);
      c_idle = side_stats(Side::kClient);
      s_idle = side_stats(Side::kServer);
    }
    if (out) record_idle_memory(*out, c_idle, s_idle);
    return true;
  }
};

}  // namespace

std::unique_ptr<Engine> make_openssl_engine() { return std::make_unique<OpenSslEngine>(); }

}  // namespace sluice::bench

// What tls_bench measures, behind one interface so each row can be run on
// every engine (sluice with a given provider, OpenSSL's libssl) the same
// way, interleaved, in one process.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/openssl_reference.h"  // Op
#include "bench/side_heap.h"
#include "crypto/provider.h"

namespace sluice::bench {

// The host name every server certificate is issued for and every client
// checks (chain and name are verified on every handshake).
inline constexpr const char* kHostName = "localhost";

// Credentials: root -> intermediate -> leaf for one key type, made once with
// pki/certgen. Both engines serve the same chain and trust the same root.
struct Credentials {
  crypto::KeyType type;
  std::vector<uint8_t> root;                // DER
  std::vector<std::vector<uint8_t>> chain;  // DER, leaf then intermediate
  crypto::PrivateKeyMaterial leaf_key;
  std::string leaf_key_pem;                 // PKCS#8, for OpenSSL
};
const Credentials& credentials(crypto::KeyType type);

struct HandshakeConfig {
  crypto::KeyType cert = crypto::KeyType::kEd25519;
  // The server sends NewSessionTickets (and the client processes them).
  bool tickets = false;
  // The client resumes a session (psk_dhe_ke) instead of a full handshake.
  bool resumed = false;
  // sluice's verifier checks every certificate signature every time (its
  // signature cache off), as OpenSSL does; no effect on OpenSSL.
  bool uncached_signatures = false;
  // TLS 1.2 (ECDHE with AES-128-GCM, the suite fitting the certificate)
  // instead of TLS 1.3.
  bool tls12 = false;
};

struct MemoryResult {
  // Heap held by an idle established connection after the handshake and
  // one 100-byte message each way: what destroying it frees (its record
  // buffers go to the context's freelist under RELEASE_BUFFERS, and are not
  // the connection's). tools/demo prints the same figure.
  int64_t idle_client = 0, idle_server = 0;
  // Highest heap during the handshake, above what was live before the
  // connection was created.
  int64_t peak_client = 0, peak_server = 0;
  // Heap calls made by each side during one full handshake.
  uint64_t handshake_allocs_client = 0, handshake_allocs_server = 0;
  // Heap calls per 16 KiB record in steady state: the writer per write, the
  // reader per read.
  double allocs_per_write = 0, allocs_per_read = 0;
};

// record_connection_memory fills the handshake figures of `out` from the
// side statistics taken before the connection was made (c0, s0) and right
// after its handshake (c1, s1).
inline void record_connection_memory(MemoryResult& out, const SideStats& c0, const SideStats& s0,
                                     const SideStats& c1, const SideStats& s1) {
  out.peak_client = c1.peak_bytes - c0.live_bytes;
  out.peak_server = s1.peak_bytes - s0.live_bytes;
  out.handshake_allocs_client = c1.allocations - c0.allocations;
  out.handshake_allocs_server = s1.allocations - s0.allocations;
}

// record_idle_memory sets the idle figures of `out` to what destroying the
// connections freed on each side, from the statistics taken while they
// were idle (c_idle, s_idle). Memory the connection left in its context or
// thread (freelists, session caches) is not counted either way.
inline void record_idle_memory(MemoryResult& out, const SideStats& c_idle, const SideStats& s_idle) {
  out.idle_client = c_idle.live_bytes - side_stats(Side::kClient).live_bytes;
  out.idle_server = s_idle.live_bytes - side_stats(Side::kServer).live_bytes;
}

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  // handshake returns an op that makes one complete handshake (both sides,
  // verified), or nullptr with *why_not set when the engine cannot.
  virtual Op handshake(const HandshakeConfig& config, std::string* why_not) = 0;
  // bulk returns an op that moves `bytes_per_op` bytes client to server in
  // writes of `write_size` over an established connection with `suite`:
  // TLS 1.3 with an Ed25519 certificate, or with `tls12` TLS 1.2 ECDHE with
  // an ECDSA P-256 one (the ECDHE_ECDSA suite with that AEAD). With
  // `release_buffers` both sides run RELEASE_BUFFERS: each write leaves the
  // connection idle, so it pays for whatever idle gives back.
  virtual Op bulk(crypto::AeadAlg suite, size_t write_size, size_t bytes_per_op, bool tls12 = false,
                  bool release_buffers = false) = 0;
  // raw_aead returns an op sealing and opening one 16 KiB message with the
  // AEAD implementation the engine's record layer uses.
  virtual Op raw_aead(crypto::AeadAlg suite) = 0;
  // memory measures one connection (Ed25519 certificate, AES-128-GCM).
  virtual std::optional<MemoryResult> memory(bool release_buffers) = 0;
  // handshake_heap measures the peak and the heap calls of one full
  // handshake with a `cert` certificate, RELEASE_BUFFERS, on fresh contexts
  // (after a warm-up connection); its idle and per-record figures are unset.
  virtual std::optional<MemoryResult> handshake_heap(crypto::KeyType cert) = 0;
};

std::unique_ptr<Engine> make_sluice_engine(std::string name, std::shared_ptr<const crypto::Provider> provider);
std::unique_ptr<Engine> make_openssl_engine();

// The size of the messages raw_aead times (one full TLS record).
inline constexpr size_t kRawAeadLen = 16384;

}  // namespace sluice::bench

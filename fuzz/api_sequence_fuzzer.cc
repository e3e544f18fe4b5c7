// API sequences: random interleavings of handshake / feed / read / write /
// drain / shutdown / key_update / mode changes between a client and a server,
// with random mode bits and outbound limits, checking the mode contract of
// DESIGN.md after every step:
//   - no application byte is lost, duplicated or reordered: what a side has
//     received is always a prefix of what its peer has written (acknowledged
//     bytes, then the pending write's buffer, whose prefix may already be
//     sealed), and after a final settle it is all of it;
//   - statuses fit the mode: a non-partial write reports all n bytes or
//     kWantWrite with 0; a partial one 0 < r <= n; a moved retry without
//     ACCEPT_MOVING_WRITE_BUFFER is an API error that leaves the connection
//     usable; nothing is written after our own close_notify; read's kOk
//     carries bytes; kZeroReturn only after the peer's close_notify;
//   - wants_write() is exactly "outbound() is not empty", wants_read() is
//     false while has_pending(), set_mode/clear_mode return the new mask;
//   - nothing grows without bound: outbound() stays within its limit plus a
//     fixed allowance, and a pending write completes once everything has
//     been drained.
// Input: [client mode][server mode][limits] then (opcode, argument) pairs.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "fuzz/fuzz_env.h"

namespace {

using namespace sluice;

// SLUICE_FUZZ_DEBUG=1 traces every step (to read a crash input).
bool debug() {
  static const bool on = std::getenv("SLUICE_FUZZ_DEBUG") != nullptr;
  return on;
}
#define TRACE(...)                                 \
  do {                                             \
    if (debug()) std::fprintf(stderr, __VA_ARGS__); \
  } while (0)

// Control flow that must not happen: a crash gives the fuzzer a reproducer.
#define INVARIANT(cond) \
  do {                  \
    if (!(cond)) __builtin_trap(); \
  } while (0)

constexpr long kModeBits[] = {kModeEnablePartialWrite, kModeAcceptMovingWriteBuffer, kModeAutoRetry,
                              kModeReleaseBuffers,     kModeAsync,                   kModeSendFallbackScsv};
long modes_of(uint8_t b) {
  long m = 0;
  for (size_t i = 0; i < std::size(kModeBits); ++i) {
    if (b >> i & 1) m |= kModeBits[i];
  }
  return m;
}

// Outbound limits from tiny (one small record) to several records.
constexpr size_t kLimits[] = {wire::kMaxRecordLen, 64, 100, 300, 1000, 4096, wire::kMaxRecordLen + 1, 40000};
// Beyond its limit outbound() may hold a handshake flight and the control
// records (alerts, KeyUpdates) the caller asked for; this bounds all of it.
constexpr size_t kOutboundAllowance = 256 * 1024;

// pattern is the byte at `offset` of a side's application stream; distinct
// neighbours make a lost, doubled or swapped chunk show.
uint8_t pattern(int side, size_t offset) {
  uint32_t x = static_cast<uint32_t>(offset) * 2654435761u;
  return static_cast<uint8_t>((x >> 13) ^ (x >> 24) ^ (side ? 0x5a : 0xa5));
}

struct Side {
  Side(int i, std::shared_ptr<Context> c, Connection conn_, size_t lim)
      : id(i), ctx(std::move(c)), conn(std::move(conn_)), limit(lim), mode(conn.mode()) {}
  int id;
  std::shared_ptr<Context> ctx;
  Connection conn;
  size_t limit;
  long mode;
  std::vector<uint8_t> sent;                     // acknowledged by write/write_commit
  std::unique_ptr<std::vector<uint8_t>> pending;  // the buffer a kWantWrite asked us to retry
  std::vector<uint8_t> received;
  bool dead = false;             // failed fatally
  bool closed = false;           // we called shutdown(): close_notify is (being) sent
  size_t sent_at_close = 0;
  bool recv_exact = true;        // received is still checkable (shutdown may discard)
  bool eof = false;
  bool peer_close_seen = false;

  std::vector<uint8_t> fresh(size_t len) const {
    std::vector<uint8_t> v(len);
    for (size_t i = 0; i < len; ++i) v[i] = pattern(id, sent.size() + i);
    return v;
  }
};

void check_state(Side& s) {
  Connection& c = s.conn;
  INVARIANT(c.wants_write() == !c.outbound().empty());
  if (c.has_pending()) INVARIANT(!c.wants_read());
  INVARIANT(c.outbound().size() <= s.limit + kOutboundAllowance);
  INVARIANT(c.mode() == s.mode);
}

void note_error(Side& s, const Progress& p) {
  if (p.status == Status::kError && s.conn.error().origin != Origin::kApi) s.dead = true;
}

// check_received: `r` has a prefix of what `w` wrote.
void check_received(const Side& r, const Side& w) {
  if (!r.recv_exact) return;
  const size_t n = r.received.size();
  const size_t acked = std::min(n, w.sent.size());
  INVARIANT(std::equal(r.received.begin(), r.received.begin() + acked, w.sent.begin()));
  if (n > w.sent.size()) {
    // Beyond the acknowledged bytes only the pending write's prefix, already
    // sealed by a non-partial write that is still being retried, may show.
    INVARIANT(w.pending != nullptr);
    INVARIANT(n - w.sent.size() <= w.pending->size());
    INVARIANT(std::equal(r.received.begin() + acked, r.received.end(), w.pending->begin()));
  }
}

// write runs one write() of `buf` (fresh or a retry) and applies the result.
void handle_write(Side& s, std::unique_ptr<std::vector<uint8_t>> buf, bool retry) {
  const long mode = s.mode;
  const size_t n = buf->size();
  Progress p = s.conn.write(*buf);
  TRACE("  side %d write(%zu%s) -> status %d bytes %zu (%s)\n", s.id, n, retry ? ", retry" : "",
        static_cast<int>(p.status), p.bytes, s.conn.error().detail);
  switch (p.status) {
    case Status::kOk:
      INVARIANT(!s.closed || p.bytes == 0);  // nothing after our close_notify
      if (mode & kModeEnablePartialWrite) {
        INVARIANT(p.bytes > 0 && p.bytes <= n);
      } else {
        INVARIANT(p.bytes == n);
      }
      s.sent.insert(s.sent.end(), buf->begin(), buf->begin() + static_cast<ptrdiff_t>(p.bytes));
      s.pending.reset();
      break;
    case Status::kWantWrite:
      INVARIANT(p.bytes == 0);
      s.pending = std::move(buf);
      break;
    case Status::kError:
      note_error(s, p);
      // Every retry here passes the same bytes (and the same address unless
      // the mode allows moving), so a bad-retry complaint is the engine's.
      INVARIANT(s.dead || s.conn.error().reason != Reason::kBadWriteRetry);
      // The engine still remembers the retry after an API error.
      if (retry) s.pending = std::move(buf);
      break;
    default:
      INVARIANT(p.bytes == 0);
      break;
  }
}

void op_write(Side& s, uint8_t arg) {
  if (s.pending) {
    // A retry passes the same buffer (DESIGN.md: "the caller must retry with
    // the same n bytes").
    auto buf = std::move(s.pending);
    handle_write(s, std::move(buf), true);
  } else {
    handle_write(s, std::make_unique<std::vector<uint8_t>>(s.fresh(size_t{arg} * 4 + 1)), false);
  }
}

void op_moved_write(Side& s, uint8_t arg) {
  if (!s.pending) return op_write(s, arg);
  auto copy = std::make_unique<std::vector<uint8_t>>(*s.pending);  // other address, same bytes
  if (!(s.mode & kModeAcceptMovingWriteBuffer)) {
    Progress p = s.conn.write(*copy);
    TRACE("  side %d moved write(%zu) -> status %d bytes %zu (%s)\n", s.id, copy->size(), static_cast<int>(p.status),
          p.bytes, s.conn.error().detail);
    // A bad write retry is an error return that leaves the connection
    // usable, unless the connection had already failed for its own reasons
    // (a read can return the last buffered bytes before reporting that the
    // transport ended): then that fatal error is what write() reports.
    if (!s.dead && !s.closed) {
      INVARIANT(p.status == Status::kError);
      INVARIANT(s.conn.error().origin != Origin::kApi || s.conn.error().reason == Reason::kBadWriteRetry);
    }
    note_error(s, p);
    return;
  }
  s.pending.reset();  // the engine may now hold on to the copy instead
  handle_write(s, std::move(copy), true);
}

bool op_read(Side& s, const Side& peer, size_t size) {
  std::vector<uint8_t> buf(size);
  const bool established = s.conn.handshake_done();
  Progress p = s.conn.read(buf);
  TRACE("  side %d read(%zu) -> status %d bytes %zu (%s)\n", s.id, size, static_cast<int>(p.status), p.bytes,
        s.conn.error().detail);
  switch (p.status) {
    case Status::kOk:
      INVARIANT(p.bytes > 0 && p.bytes <= size);
      s.received.insert(s.received.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(p.bytes));
      check_received(s, peer);
      return true;
    case Status::kZeroReturn:
      // Only the peer's close_notify ends the stream cleanly, and it comes
      // after every byte the peer wrote before closing.
      INVARIANT(peer.closed);
      if (s.recv_exact) INVARIANT(s.received.size() >= peer.sent_at_close);
      s.peer_close_seen = true;
      return false;
    case Status::kError: note_error(s, p); return false;
    case Status::kWantRead:
      // AUTO_RETRY: the engine keeps processing until it has application
      // data or truly needs input, so no complete record is left behind.
      if (established && (s.mode & kModeAutoRetry)) INVARIANT(!s.conn.has_pending());
      INVARIANT(p.bytes == 0);
      return false;
    default: INVARIANT(p.bytes == 0); return false;
  }
}

void op_zero_copy_read(Side& s, const Side& peer, uint8_t arg) {
  auto r = s.conn.readable();
  if (r.empty()) {
    // readable() hides why it is empty; a fatal error shows in error().
    if (!s.conn.error().ok() && s.conn.error().origin != Origin::kApi) s.dead = true;
    return;
  }
  const size_t k = arg == 255 ? r.size() : std::min<size_t>(r.size(), size_t{arg} + 1);
  s.received.insert(s.received.end(), r.begin(), r.begin() + static_cast<ptrdiff_t>(k));
  s.conn.read_consumed(k);
  check_received(s, peer);
}

void op_zero_copy_write(Side& s, uint8_t arg) {
  // Mixing write_commit into a pending write() retry would splice bytes into
  // the middle of that write: a caller error, not an engine one.
  if (s.pending) return;
  auto space = s.conn.write_space();
  if (space.empty()) return;
  INVARIANT(!s.closed && !s.dead);
  const size_t k = std::min(space.size(), size_t{arg} * 8 + 1);
  auto bytes = s.fresh(k);
  std::copy(bytes.begin(), bytes.end(), space.begin());
  Progress p = s.conn.write_commit(k);
  if (p.status == Status::kOk) {
    INVARIANT(p.bytes == k);
    s.sent.insert(s.sent.end(), bytes.begin(), bytes.end());
  } else {
    note_error(s, p);
  }
}

// op_held_write_space: the caller drains outbound() (to the peer) between
// write_space() and write_commit(); the lent span must stay where it is.
size_t op_transfer(Side& from, Side& to, size_t max);
void op_held_write_space(Side& s, Side& peer, uint8_t arg) {
  if (s.pending) return;
  auto space = s.conn.write_space();
  if (space.empty()) return;
  INVARIANT(!s.closed && !s.dead);
  const size_t k = std::min(space.size(), size_t{arg} * 8 + 1);
  auto bytes = s.fresh(k);
  std::copy(bytes.begin(), bytes.end(), space.begin());
  (void)op_transfer(s, peer, SIZE_MAX);
  INVARIANT(std::equal(bytes.begin(), bytes.end(), space.begin()));
  Progress p = s.conn.write_commit(k);
  if (p.status == Status::kOk) {
    INVARIANT(p.bytes == k);
    s.sent.insert(s.sent.end(), bytes.begin(), bytes.end());
  } else {
    note_error(s, p);
  }
}

// op_feed_while_readable: bytes arrive while a readable() span is held; the
// span must neither move nor change until read_consumed().
void op_feed_while_readable(Side& s, Side& peer, uint8_t arg) {
  auto r = s.conn.readable();
  if (r.empty()) {
    if (!s.conn.error().ok() && s.conn.error().origin != Origin::kApi) s.dead = true;
    return;
  }
  const std::vector<uint8_t> copy(r.begin(), r.end());
  (void)op_transfer(peer, s, arg == 0 ? SIZE_MAX : size_t{arg} * 64);
  INVARIANT(std::equal(copy.begin(), copy.end(), r.begin(), r.end()));
  s.received.insert(s.received.end(), copy.begin(), copy.end());
  s.conn.read_consumed(copy.size());
  check_received(s, peer);
}

void op_shutdown(Side& s) {
  // shutdown() discards application data that arrives after our close, so
  // from here on what we receive is no longer the whole stream.
  s.recv_exact = false;
  // A live connection seals close_notify first, even when looking for the
  // peer's close afterwards then fails (e.g. on a truncated transport), so
  // the peer may see a clean close whatever this call returns. During the
  // handshake shutdown() is refused (an API error) and nothing changes.
  if (!s.closed && !s.dead && s.conn.handshake_done()) {
    s.closed = true;
    s.sent_at_close = s.sent.size();
  }
  Progress p = s.conn.shutdown();
  TRACE("  side %d shutdown -> status %d (%s)\n", s.id, static_cast<int>(p.status), s.conn.error().detail);
  note_error(s, p);
}

size_t op_transfer(Side& from, Side& to, size_t max) {
  auto out = from.conn.outbound();
  const size_t offered = std::min(out.size(), max);
  const size_t n = to.conn.feed(out.first(offered));
  INVARIANT(n <= offered);
  from.conn.outbound_consumed(n);
  return n;
}

size_t op_transfer_zero_copy(Side& from, Side& to, size_t max) {
  auto out = from.conn.outbound();
  auto space = to.conn.inbound_space();
  const size_t n = std::min({out.size(), space.size(), max});
  std::copy(out.begin(), out.begin() + static_cast<ptrdiff_t>(n), space.begin());
  to.conn.inbound_commit(n);
  from.conn.outbound_consumed(n);
  return n;
}

// settle drives both sides until nothing moves, so every byte written can
// arrive.
void settle(Side& a, Side& b) {
  for (int round = 0; round < 256; ++round) {
    bool moved = false;
    for (Side* s : {&a, &b}) {
      if (s->dead) continue;
      if (!s->conn.handshake_done()) (void)s->conn.handshake();
      if (s->pending && !s->closed) {
        const size_t before = s->sent.size();
        op_write(*s, 0);
        moved |= s->sent.size() != before || !s->pending;
      }
    }
    while (size_t n = op_transfer(a, b, SIZE_MAX) + op_transfer(b, a, SIZE_MAX)) moved |= n > 0;
    for (auto [r, w] : {std::pair<Side*, Side*>{&a, &b}, {&b, &a}}) {
      // Without AUTO_RETRY a read that handled a control record says
      // kWantRead even with more records buffered; has_pending() tells the
      // caller to call again (DESIGN.md: wants_read() is false meanwhile).
      // Each call consumes a record, so a bounded loop must empty it.
      for (int k = 0; !r->dead && !r->peer_close_seen; ++k) {
        INVARIANT(k < 100000);
        if (op_read(*r, *w, 16384)) {
          moved = true;
        } else if (!r->conn.has_pending()) {
          break;
        }
      }
    }
    check_state(a);
    check_state(b);
    if (!moved) return;
  }
}

void check_complete(const Side& w, const Side& r) {
  if (w.dead || r.dead || w.closed || r.eof || !r.recv_exact) return;
  if (!w.conn.handshake_done() || !r.conn.handshake_done()) return;
  TRACE("complete %d->%d: sent %zu received %zu pending %zu\n", w.id, r.id, w.sent.size(), r.received.size(),
        w.pending ? w.pending->size() : 0);
  // With everything drained and read, a pending write must have finished
  // (otherwise a caller retrying it would spin for ever) and every byte
  // must have arrived.
  INVARIANT(!w.pending);
  INVARIANT(r.received == w.sent);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  auto provider = fuzz::fresh_provider();
  auto cctx = fuzz::client_context(provider);
  auto sctx = fuzz::server_context(provider);
  const size_t climit = kLimits[data[2] & 7], slimit = kLimits[(data[2] >> 4) & 7];
  cctx->set_mode(modes_of(data[0]));
  sctx->set_mode(modes_of(data[1]));
  cctx->set_outbound_limit(climit);
  sctx->set_outbound_limit(slimit);
  Side client(0, cctx, Connection::client(cctx, "localhost"), climit);
  Side server(1, sctx, Connection::server(sctx), slimit);
  INVARIANT(client.mode == cctx->mode() && server.mode == sctx->mode());

  for (size_t i = 3; i + 1 < size; i += 2) {
    const uint8_t opcode = data[i], arg = data[i + 1];
    Side& s = opcode & 0x80 ? server : client;
    Side& peer = opcode & 0x80 ? client : server;
    TRACE("op %d side %d arg %d\n", opcode & 0x0f, s.id, arg);
    switch (opcode & 0x0f) {
      case 0: {
        Progress p = s.conn.handshake();
        if (p.status == Status::kOk) INVARIANT(s.conn.handshake_done());
        note_error(s, p);
        break;
      }
      case 1: (void)op_transfer(s, peer, arg == 0 ? SIZE_MAX : size_t{arg} * 8); break;
      case 2: op_write(s, arg); break;
      case 3: op_moved_write(s, arg); break;
      case 4: (void)op_read(s, peer, size_t{arg} + 1); break;
      case 5: op_zero_copy_read(s, peer, arg); break;
      case 6: op_zero_copy_write(s, arg); break;
      case 7: op_shutdown(s); break;
      case 8: note_error(s, s.conn.key_update(arg & 1)); break;
      case 9: {
        const long bits = modes_of(arg);
        s.mode |= bits;
        INVARIANT(s.conn.set_mode(bits) == s.mode);
        break;
      }
      case 10: {
        const long bits = modes_of(arg);
        s.mode &= ~bits;
        INVARIANT(s.conn.clear_mode(bits) == s.mode);
        break;
      }
      case 11:
        // The transport ends: reads may now fail with truncation, and bytes
        // still in flight to this side can no longer be expected.
        s.conn.inbound_eof();
        s.eof = true;
        break;
      case 12: (void)op_transfer_zero_copy(s, peer, size_t{arg} * 8 + 1); break;
      case 13: op_held_write_space(s, peer, arg); break;
      case 14: op_feed_while_readable(s, peer, arg); break;
      default: break;
    }
    check_state(client);
    check_state(server);
  }
  TRACE("settle\n");
  settle(client, server);
  check_complete(client, server);
  check_complete(server, client);
  return 0;
}

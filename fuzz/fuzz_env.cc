#include "fuzz/fuzz_env.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crypto/composite/composite_provider.h"
#include "fuzz/danger_accept_any_verifier.h"

namespace sluice::fuzz {

std::shared_ptr<crypto::DangerFuzzingProvider> fresh_provider() {
  static const std::shared_ptr<const crypto::Provider> base = crypto::default_provider();
  return crypto::make_danger_fuzzing_provider(base);
}

std::shared_ptr<Context> client_context(std::shared_ptr<const crypto::Provider> p) {
  auto ctx = std::make_shared<Context>(Role::kClient, std::move(p));
  static const auto verifier = std::make_shared<DangerAcceptAnyCertificateVerifier>();
  ctx->set_verifier(verifier);
  ctx->set_alpn({"h2", "http/1.1"});
  ctx->set_clock([] { return kFuzzNow; });
  ctx->set_clock_ms([] { return kFuzzNow * 1000; });
  // A TLS 1.2 server without the extended master secret is taken, so both
  // master secrets and RFC 7627's resumption rules are in reach.
  ctx->set_require_extended_master_secret(false);
  // A certificate for servers that ask for one (the chain is only sent).
  crypto::PrivateKeyMaterial key;
  key.type = crypto::KeyType::kEd25519;
  auto signer = ctx->provider().new_signer(key);
  if (!signer) __builtin_trap();
  ctx->set_certificate({{{0x30, 0x03, 0x02, 0x01, 0x01}}, std::shared_ptr<crypto::Signer>(std::move(*signer))});
  return ctx;
}

std::shared_ptr<Context> server_context(std::shared_ptr<const crypto::Provider> p,
                                        std::vector<std::vector<uint8_t>> chain) {
  auto ctx = std::make_shared<Context>(Role::kServer, p);
  crypto::PrivateKeyMaterial key;
  key.type = crypto::KeyType::kEd25519;
  auto signer = p->new_signer(key);
  // The fuzzing provider always makes a signer; the guard is for a
  // misconfigured build, where failing loudly beats fuzzing nothing.
  if (!signer) __builtin_trap();
  if (chain.empty()) chain.push_back({0x30, 0x03, 0x02, 0x01, 0x00});  // only sent, never checked
  ctx->set_certificate({std::move(chain), std::shared_ptr<crypto::Signer>(std::move(*signer))});
  ctx->set_alpn({"http/1.1", "h2"});
  ctx->set_clock([] { return kFuzzNow; });
  ctx->set_clock_ms([] { return kFuzzNow * 1000; });
  // Ticket keys come from the provider's random stream when the first
  // ticket is sealed, i.e. at a point that depends on the conversation.
  // Sealing one ticket first with a provider of its own makes the keys the
  // same in every server, so a ticket recorded by the corpus generator opens
  // in the fuzzer (and, the AEAD being pass-through, its state is fuzzable).
  auto sealer = std::make_shared<TicketKeys>();
  (void)sealer->seal(*crypto::make_danger_fuzzing_provider(crypto::default_provider(), /*seed=*/0x7469636b),
                     TicketState{}, kFuzzNow);
  ctx->set_ticket_sealer(sealer);
  return ctx;
}

void apply_server_config(Context& ctx, uint8_t bits) {
  if (bits & 0x01) ctx.set_alpn({});
  if (bits & 0x02) {
    ctx.set_max_version(wire::kTls12);
    ctx.set_require_extended_master_secret(false);
  }
  if (bits & 0x04) ctx.set_cipher_suites({wire::CipherSuite::kAes256GcmSha384});
  if (bits & 0x08) ctx.set_max_early_data(16384);
  if (bits & 0x30) {
    static const auto verifier = std::make_shared<DangerAcceptAnyCertificateVerifier>();
    ctx.set_verifier(verifier);
    ctx.set_client_auth(bits & 0x20 ? ClientAuth::kRequire : ClientAuth::kRequest);
  }
  // Clients share an X25519 key first: P-256 only makes the server ask again.
  if (bits & 0x40) ctx.set_groups({crypto::Group::kSecp256r1});
  if (bits & 0x80) ctx.set_middlebox_compat(true);
}

void drain(Connection& c) {
  auto out = c.outbound();
  c.outbound_consumed(out.size());
}

size_t transfer(Connection& from, Connection& to, size_t max) {
  auto out = from.outbound();
  const size_t n = to.feed(out.first(std::min(out.size(), max)));
  from.outbound_consumed(n);
  return n;
}

bool handshake(Connection& client, Connection& server) {
  for (int i = 0; i < 64; ++i) {
    Progress c = client.handshake();
    Progress s = server.handshake();
    if (c.status == Status::kError || s.status == Status::kError) return false;
    size_t moved = 0;
    while (size_t n = transfer(client, server) + transfer(server, client)) moved += n;
    if (c.status == Status::kOk && s.status == Status::kOk) return true;
    if (moved == 0 && i > 2) return false;
  }
  return false;
}

void feed_stream(Connection& c, std::span<const uint8_t> input) {
  static const uint8_t kReply[] = "GET / HTTP/1.1\r\n\r\n";
  uint8_t buf[4096];
  size_t off = 0;
  bool wrote = false, eof = false;
  // Each round either takes input or ends; the bound is a safety net.
  for (int round = 0; round < 4096; ++round) {
    const size_t taken = c.feed(input.subspan(off));
    off += taken;
    Progress p = c.handshake_done() ? c.read(buf) : c.handshake();
    if (c.handshake_done() && !wrote) {
      // Answer once, so the write path and key updates run with the
      // negotiated keys and the peer's record size limit.
      wrote = true;
      (void)c.write(kReply);
      (void)c.key_update(true);
    }
    drain(c);
    if (p.status == Status::kError || p.status == Status::kZeroReturn) break;
    if (p.status == Status::kOk) continue;  // more may be buffered
    if (taken == 0 && off == input.size()) {
      if (eof) break;
      // Everything is in: the transport ends, which must be a truncation
      // error or a clean close, never a hang.
      c.inbound_eof();
      eof = true;
    } else if (taken == 0 && !c.has_pending()) {
      break;  // the engine takes no more input and has nothing to do
    }
  }
  (void)c.shutdown();
  drain(c);
  // SLUICE_FUZZ_DEBUG=1 says how far each input got (to check seeds).
  static const bool debug = std::getenv("SLUICE_FUZZ_DEBUG") != nullptr;
  if (debug) {
    std::fprintf(stderr, "feed_stream: %zu/%zu bytes taken, handshake %s%s%s, error: %s (%s)\n", off, input.size(),
                 c.handshake_done() ? "done" : "not done", c.negotiated().resumed ? ", resumed" : "",
                 c.negotiated().early_data_accepted ? ", 0-RTT" : "", std::string(describe(c.error().reason)).c_str(),
                 c.error().detail);
  }
}

}  // namespace sluice::fuzz

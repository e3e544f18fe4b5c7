// UringLoop: both ends in one ring over a socketpair and over TCP on
// 127.0.0.1: handshake, 1 MiB each way (zero-copy receives into the
// engine), close_notify both ways. When the sandbox refuses io_uring the
// test says so loudly and fails only if SLUICE_REQUIRE_IO_URING=1.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "adapters/io_uring/uring_loop.h"
#include "core/modes.h"
#include "tests/interop/bulk_peer.h"
#include "tests/interop/test_pki.h"
#include "tests/interop/transport_pair.h"

namespace sluice::interop {
namespace {

constexpr size_t kMiB = 1 << 20;

std::unique_ptr<adapters::UringLoop> make_loop_or_explain() {
  auto loop = adapters::UringLoop::create();
  if (loop) return std::move(*loop);
  const std::string why = loop.error().describe();
  std::fprintf(stderr,
               "\n*** io_uring is NOT available here (%s): the io_uring adapter was NOT tested. ***\n"
               "*** Set SLUICE_REQUIRE_IO_URING=1 to make this a failure. ***\n\n",
               why.c_str());
  const char* req = std::getenv("SLUICE_REQUIRE_IO_URING");
  if (req && std::strcmp(req, "1") == 0) FAIL("io_uring unavailable and SLUICE_REQUIRE_IO_URING=1: " << why);
  WARN_MESSAGE(false, "io_uring unavailable, adapter untested: " << why);
  return nullptr;
}

void run_pair(Transport t, long mode) {
  const std::string transport = name(t);
  CAPTURE(transport);
  CAPTURE(mode);
  auto loop = make_loop_or_explain();
  if (!loop) return;
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  auto [cfd, sfd] = connected_pair(t);
  REQUIRE(cfd.valid());
  auto cctx = client_context(leaf.ca_pem);
  auto sctx = server_context(leaf);
  cctx->set_mode(mode);
  sctx->set_mode(mode);
  const auto c_out = pattern(kMiB, 5), s_out = pattern(kMiB, 6);
  BulkPeer client(c_out, kMiB, /*send_first=*/true);
  BulkPeer server(s_out, kMiB, /*send_first=*/false);
  std::optional<adapters::CloseInfo> client_close;
  loop->set_on_close([&](adapters::ConnId id, const adapters::CloseInfo& info) {
    if (id == 0) client_close = info;
  });
  auto cid = loop->add(std::move(cfd), Connection::client(cctx, "localhost"), [&](Connection& c) { return client.step(c); });
  auto sid = loop->add(std::move(sfd), Connection::server(sctx), [&](Connection& c) { return server.step(c); });
  REQUIRE(cid);
  REQUIRE(sid);
  auto finished = loop->run(std::chrono::seconds(30));
  REQUIRE_MESSAGE(finished, (finished ? "" : finished.error().describe()));
  CHECK_MESSAGE(*finished, "the loop timed out");
  CHECK_MESSAGE(client.failure().empty(), client.failure());
  CHECK_MESSAGE(server.failure().empty(), server.failure());
  CHECK(client.done());
  CHECK(server.done());
  CHECK(server.received() == c_out);
  CHECK(client.received() == s_out);
  REQUIRE(client_close.has_value());
  CHECK(!client_close->transport.has_value());
  CHECK(client_close->reason == adapters::CloseReason::kClean);
  CHECK(loop->entries() == 0);
  CHECK(loop->counters().handshakes == 2);
  if (!(mode & kModeReleaseBuffers)) {
    CHECK(loop->zero_copy_receives() > 0);
  } else {
    CHECK(loop->zero_copy_receives() == 0);  // copies instead: see uring_loop.h
  }
}

TEST_CASE("UringLoop: 1 MiB each way over a socketpair") { run_pair(Transport::kSocketpair, 0); }
TEST_CASE("UringLoop: 1 MiB each way over TCP on 127.0.0.1") { run_pair(Transport::kTcp, 0); }
TEST_CASE("UringLoop: RELEASE_BUFFERS and partial writes over TCP") {
  run_pair(Transport::kTcp, kModeReleaseBuffers | kModeEnablePartialWrite);
}

}  // namespace
}  // namespace sluice::interop

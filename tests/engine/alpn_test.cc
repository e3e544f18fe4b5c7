// ALPN (RFC 7301) on the server: its preference list, or the application's
// selector (Context::set_alpn_selector), in both versions.
#include <doctest/doctest.h>

#include "tests/engine/test_env.h"

namespace sluice {
namespace {

struct Alpn {
  std::shared_ptr<Context> cctx, sctx;
  explicit Alpn(uint16_t version) {
    const auto& cert = test::test_cert(crypto::KeyType::kEcdsaP256);
    cctx = test::client_context(test::sodium_first(), cert);
    sctx = test::server_context(test::sodium_first(), cert);
    cctx->set_max_version(version);
    cctx->set_alpn({"http/1.1", "h2", "x"});
  }
  // run returns the server's ALPN choice, or its error.
  std::pair<bool, std::string> run(Error* server_error = nullptr) {
    Connection client = Connection::client(cctx, "localhost");
    Connection server = Connection::server(sctx);
    const bool ok = test::handshake(client, server);
    if (server_error) *server_error = server.error();
    if (ok) CHECK(client.negotiated().alpn == server.negotiated().alpn);
    return {ok, server.negotiated().alpn};
  }
};

}  // namespace

TEST_CASE("ALPN: the server's preference, or its selector's choice, decline or refusal") {
  for (uint16_t version : {uint16_t{0x0303}, uint16_t{0x0304}}) {
    CAPTURE(version);
    Alpn a(version);
    a.sctx->set_alpn({"h2", "http/1.1"});
    CHECK(a.run() == std::make_pair(true, std::string("h2")));

    a.sctx->set_alpn({"spdy/3"});
    Error e;
    CHECK(!a.run(&e).first);
    CHECK(e.alert == Alert::kNoApplicationProtocol);

    std::vector<std::string> seen;
    a.sctx->set_alpn_selector([&](std::span<const std::string> offered) -> TlsResult<std::optional<std::string>> {
      seen.assign(offered.begin(), offered.end());
      return std::optional<std::string>(offered.back());
    });
    CHECK(a.run() == std::make_pair(true, std::string("x")));  // the selector, not the list
    CHECK(seen == std::vector<std::string>{"http/1.1", "h2", "x"});

    a.sctx->set_alpn_selector([](std::span<const std::string>) -> TlsResult<std::optional<std::string>> {
      return std::optional<std::string>();
    });
    CHECK(a.run() == std::make_pair(true, std::string()));  // declined: no ALPN, no failure

    a.sctx->set_alpn_selector([](std::span<const std::string>) -> TlsResult<std::optional<std::string>> {
      return Err(Error(Reason::kNoApplicationProtocol, "none of those"));
    });
    CHECK(!a.run(&e).first);
    CHECK(e.alert == Alert::kNoApplicationProtocol);

    a.sctx->set_alpn_selector([](std::span<const std::string>) -> TlsResult<std::optional<std::string>> {
      return std::optional<std::string>("spdy/3");  // not offered
    });
    CHECK(!a.run(&e).first);
    CHECK(e.alert == Alert::kInternalError);
  }
}

}  // namespace sluice

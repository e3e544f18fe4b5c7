// sluice: a small command line around the engine, shaped like openssl's
// s_server / s_client so the same habits work.
#include <cstdio>
#include <string_view>
#include <vector>

#include "tools/sluice/tool.h"

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fprintf(stderr,
                 "usage: sluice s_server [-accept PORT] [-cert PEM -key PEM] [-alpn a,b] [-www] [-naccept N]\n"
                 "                       [-groups g1,g2] [-quiet]\n"
                 "       sluice s_client -connect 127.0.0.1:PORT [-servername NAME] [-CAfile PEM | -pin PEM]\n"
                 "                       [-alpn a,b] [-msg TEXT] [-groups g1,g2] [-expect N]\n"
                 "Only 127.0.0.1 is ever listened on or connected to. SSLKEYLOGFILE is honoured.\n");
    return 2;
  }
  const std::string_view cmd = args.front();
  std::span<const std::string_view> rest(args.data() + 1, args.size() - 1);
  if (cmd == "s_server") return sluice::tool::s_server(rest);
  if (cmd == "s_client") return sluice::tool::s_client(rest);
  std::fprintf(stderr, "sluice: unknown command '%.*s'\n", static_cast<int>(cmd.size()), cmd.data());
  return 2;
}

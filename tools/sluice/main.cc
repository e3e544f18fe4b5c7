// sluice: a small command line around the engine, shaped like openssl's
// s_server / s_client so the same habits work.
#include <cstdio>
#include <string_view>
#include <vector>

#include "tools/sluice/tool.h"

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args.front() == "-help" || args.front() == "--help" || args.front() == "help") {
    std::fprintf(args.empty() ? stderr : stdout,
                 "usage: sluice s_server [-accept PORT] [-cert PEM -key PEM]... [options]\n"
                 "       sluice s_client -connect HOST:PORT [options]\n"
                 "       sluice ech_keygen -public_name NAME -out_key FILE -out_list FILE [options]\n"
                 "`sluice COMMAND -help` lists every option of a command.\n"
                 "Only loopback (127.0.0.0/8, ::1) is ever listened on or connected to.\n");
    return args.empty() ? 2 : 0;
  }
  const std::string_view cmd = args.front();
  std::span<const std::string_view> rest(args.data() + 1, args.size() - 1);
  if (cmd == "s_server") return sluice::tool::s_server(rest);
  if (cmd == "s_client") return sluice::tool::s_client(rest);
  if (cmd == "ech_keygen") return sluice::tool::ech_keygen(rest);
  std::fprintf(stderr, "sluice: unknown command '%.*s' (s_server, s_client, ech_keygen)\n", static_cast<int>(cmd.size()), cmd.data());
  return 2;
}

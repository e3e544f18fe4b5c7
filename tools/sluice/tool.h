// Entry points of the `sluice` subcommands. Each returns a process exit code.
#pragma once

#include <span>
#include <string_view>

namespace sluice::tool {

int s_server(std::span<const std::string_view> args);
int s_client(std::span<const std::string_view> args);
int ech_keygen(std::span<const std::string_view> args);

}  // namespace sluice::tool

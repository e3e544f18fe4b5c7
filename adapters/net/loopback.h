// TCP on 127.0.0.1 only. sluice's tools and tests never bind or connect to
// another address: there is deliberately no parameter to choose one.
#pragma once

#include <cstdint>

#include "adapters/net/fd.h"
#include "adapters/net/sys_error.h"

namespace sluice::net {

// listen_loopback binds 127.0.0.1:`port` (0 picks a free port) and listens.
[[nodiscard]] SysResult<Fd> listen_loopback(uint16_t port, int backlog = 1024);
// local_port is the port a socket is bound to.
[[nodiscard]] SysResult<uint16_t> local_port(int fd);
// accept_one waits for one connection on `listener`.
[[nodiscard]] SysResult<Fd> accept_one(int listener);
// connect_loopback connects to 127.0.0.1:`port` (blocking).
[[nodiscard]] SysResult<Fd> connect_loopback(uint16_t port);
// set_nonblocking turns O_NONBLOCK on.
[[nodiscard]] SysResult<void> set_nonblocking(int fd);
// free_loopback_port asks the kernel for a port that is free right now, for
// peers that cannot report the port they bound themselves. Another process
// could take it before the peer binds; callers then see the peer fail.
[[nodiscard]] SysResult<uint16_t> free_loopback_port();

}  // namespace sluice::net

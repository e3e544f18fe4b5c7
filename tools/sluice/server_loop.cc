#include "tools/sluice/server_loop.h"

#include <cstdio>
#include <vector>

#include "adapters/epoll/epoll_loop.h"
#include "adapters/io_uring/uring_loop.h"
#include "tools/sluice/http.h"
#include "tools/sluice/report.h"

namespace sluice::tool {

namespace {

using adapters::Want;

// Connection: one client's echo (or -www) state between handler calls.
struct LoopConnection {
  adapters::ConnId id = 0;
  LoopSettings settings;
  bool reported = false;
  std::vector<uint8_t> buf = std::vector<uint8_t>(16384);
  std::string out;  // plaintext still to write (the echo, or the response)
  size_t out_offset = 0;
  std::string head;
  bool closing = false;

  HandshakeFacts facts() const { return {Role::kServer, settings.client_auth}; }

  Want step(Connection& c) {
    if (!c.handshake_done()) {
      const Progress p = c.handshake();
      if (p.status != Status::kOk) return adapters::want_for(p);
    }
    if (!reported) {
      reported = true;
      if (!settings.quiet) {
        std::fprintf(stderr, "sluice: HANDSHAKE done (connection %llu)\n%s", static_cast<unsigned long long>(id),
                     describe_negotiated(c.negotiated(), facts(), false).c_str());
        if (settings.exported) std::fputs(describe_exported(c, *settings.exported).c_str(), stderr);
      }
    }
    if (out_offset < out.size()) {
      const Progress p = c.write(std::span(reinterpret_cast<const uint8_t*>(out.data()) + out_offset,
                                           out.size() - out_offset));
      if (p.status != Status::kOk) return adapters::want_for(p);
      out_offset += p.bytes;
      return Want::kAgain;
    }
    out.clear();
    out_offset = 0;
    if (closing) {
      const Progress p = c.shutdown();
      if (p.status == Status::kWantWrite) return Want::kWrite;
      return Want::kClose;
    }
    const Progress p = c.read(buf);
    if (p.status == Status::kZeroReturn) {
      closing = true;
      return Want::kAgain;
    }
    if (p.status != Status::kOk) return adapters::want_for(p);
    if (!settings.www) {
      out.assign(reinterpret_cast<const char*>(buf.data()), p.bytes);
      return Want::kAgain;
    }
    head.append(reinterpret_cast<const char*>(buf.data()), p.bytes);
    if (request_complete(head)) {
      out = status_page(head, describe_negotiated(c.negotiated(), facts(), false));
      closing = true;
    } else if (head.size() > kMaxRequestHead) {
      closing = true;
    }
    return Want::kAgain;
  }
};

template <class Loop>
int run_loop(Loop& loop, net::Fd listener, std::shared_ptr<const Context> ctx, const LoopSettings& settings) {
  const long naccept = settings.naccept;
  long closed = 0;
  int failures = 0;
  adapters::ConnId next = 0;
  loop.set_on_close([&](adapters::ConnId id, const adapters::CloseInfo& info) {
    ++closed;
    const bool ok = info.reason == adapters::CloseReason::kClean || info.reason == adapters::CloseReason::kShutdown;
    if (!ok) ++failures;
    std::fprintf(stderr, "sluice: CLOSE connection %llu: %s%s%s\n", static_cast<unsigned long long>(id),
                 std::string(adapters::name(info.reason)).c_str(), info.tls.ok() ? "" : ": ",
                 info.tls.ok() ? "" : std::string(describe(info.tls.reason)).c_str());
    if (naccept >= 0 && closed >= naccept) loop.begin_shutdown(std::chrono::milliseconds(1000));
  });
  adapters::Service service;
  service.ctx = std::move(ctx);
  service.make_handler = [&](adapters::ConnId id) -> adapters::Handler {
    auto state = std::make_shared<LoopConnection>();
    state->id = id;
    state->settings = settings;
    ++next;
    return [state](Connection& c) { return state->step(c); };
  };
  if (auto l = loop.listen(std::move(listener), std::move(service)); !l) {
    std::fprintf(stderr, "sluice s_server: %s\n", l.error().describe().c_str());
    return 1;
  }
  while (true) {
    auto r = loop.run(std::chrono::milliseconds(1000));
    if (!r) {
      std::fprintf(stderr, "sluice s_server: %s\n", r.error().describe().c_str());
      return 1;
    }
    if (*r) break;
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int serve_on_loop(const std::string& kind, net::Fd listener, std::shared_ptr<const Context> ctx,
                  const LoopSettings& settings) {
  if (kind == "epoll") {
    auto loop = adapters::EpollLoop::create(adapters::EpollLoop::Trigger::kLevel);
    if (!loop) {
      std::fprintf(stderr, "sluice s_server: -loop epoll: %s\n", loop.error().describe().c_str());
      return 1;
    }
    return run_loop(**loop, std::move(listener), std::move(ctx), settings);
  }
  auto loop = adapters::UringLoop::create();
  if (!loop) {
    std::fprintf(stderr, "sluice s_server: -loop uring: %s\n", loop.error().describe().c_str());
    return 1;
  }
  return run_loop(**loop, std::move(listener), std::move(ctx), settings);
}

}  // namespace sluice::tool

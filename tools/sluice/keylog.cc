#include "tools/sluice/keylog.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace sluice::tool {

bool install_key_log(Context& ctx) {
  const char* path = std::getenv("SSLKEYLOGFILE");
  if (!path || !*path) return true;
  std::FILE* f = std::fopen(path, "a");
  if (!f) {
    std::fprintf(stderr, "sluice: cannot open SSLKEYLOGFILE %s\n", path);
    return false;
  }
  struct Sink {
    std::FILE* f;
    std::mutex mu;
    ~Sink() { std::fclose(f); }
  };
  auto sink = std::make_shared<Sink>();
  sink->f = f;
  ctx.set_key_log([sink](std::string_view line) {
    std::lock_guard<std::mutex> lock(sink->mu);
    std::fwrite(line.data(), 1, line.size(), sink->f);
    std::fputc('\n', sink->f);
    // Flushed per line: a tool killed mid-session still leaves usable keys.
    std::fflush(sink->f);
  });
  return true;
}

}  // namespace sluice::tool

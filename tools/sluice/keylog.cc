#include "tools/sluice/keylog.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace sluice::tool {

bool install_key_log(Context& ctx, std::string path) {
  if (path.empty()) {
    const char* env = std::getenv("SSLKEYLOGFILE");
    if (!env || !*env) return true;
    path = env;
  }
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) {
    std::fprintf(stderr, "sluice: cannot open the key log file %s\n", path.c_str());
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

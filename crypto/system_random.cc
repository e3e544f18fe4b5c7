#include "crypto/system_random.h"

#include <pthread.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <new>

namespace sluice::crypto {
namespace {

constexpr size_t kKeyLen = crypto_stream_chacha20_ietf_KEYBYTES;  // 32
constexpr size_t kPoolLen = 256;
constexpr uint64_t kReseedAfter = 64 * 1024;

// A child must not continue its parent's stream. Two watchers, either one
// enough: pthread_atfork's child handler (which _Fork() and a raw clone()
// skip), and a page the kernel zeroes in every child, however made
// (MADV_WIPEONFORK, Linux 4.14). A generator whose seed predates the
// current fork_generation reseeds. Where neither watcher could be set up,
// every request goes to the kernel.
std::atomic<uint64_t> fork_generation{1};
std::atomic<uint8_t>* wiped_in_child = nullptr;  // holds 1 until a fork
bool watching = false;
std::once_flag watch_forks;

void note_fork() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

void start_watching() {
  const bool handler = pthread_atfork(nullptr, nullptr, note_fork) == 0;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* p = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p != MAP_FAILED) {
    if (madvise(p, page, MADV_WIPEONFORK) == 0) {
      wiped_in_child = new (p) std::atomic<uint8_t>(1);
    } else {
      munmap(p, page);
    }
  }
  watching = handler || wiped_in_child != nullptr;
}

uint64_t current_fork_generation() {
  if (wiped_in_child != nullptr && wiped_in_child->load(std::memory_order_relaxed) == 0 &&
      wiped_in_child->exchange(1) == 0) {
    note_fork();
  }
  return fork_generation.load(std::memory_order_relaxed);
}

// Generator has no destructor on purpose: a thread_local with one is
// registered for thread exit on first use, which allocates. Left in a dead
// thread's memory, the key could only give output nobody will draw, and
// the bytes it handed out are gone from the pool.
class Generator {
 public:
  CStatus fill(MutBytes out) {
    if (seeded_generation_ != current_fork_generation() || since_seed_ >= kReseedAfter) {
      SLUICE_TRY(reseed());
    }
    for (size_t done = 0; done < out.size();) {
      if (available_ == 0) refill();
      uint8_t* from = pool_ + (kPoolLen - available_);
      const size_t take = std::min(available_, out.size() - done);
      std::memcpy(out.data() + done, from, take);
      sodium_memzero(from, take);
      available_ -= take;
      done += take;
    }
    since_seed_ += out.size();
    return {};
  }

 private:
  CStatus reseed() {
    SLUICE_TRY(kernel_random(MutBytes(key_, kKeyLen)));
    sodium_memzero(pool_, sizeof pool_);
    available_ = 0;
    since_seed_ = 0;
    seeded_generation_ = current_fork_generation();
    return {};
  }

  // refill runs ChaCha20 under the current key once: the first 32 bytes of
  // the stream become the next key, the rest the pool.
  void refill() {
    static const uint8_t kNonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {};
    uint8_t stream[kKeyLen + kPoolLen];
    crypto_stream_chacha20_ietf(stream, sizeof stream, kNonce, key_);
    std::memcpy(key_, stream, kKeyLen);
    std::memcpy(pool_, stream + kKeyLen, kPoolLen);
    sodium_memzero(stream, sizeof stream);
    available_ = kPoolLen;
  }

  uint8_t key_[kKeyLen] = {};
  uint8_t pool_[kPoolLen] = {};
  size_t available_ = 0;
  uint64_t since_seed_ = 0;
  uint64_t seeded_generation_ = 0;  // never a fork_generation value
};

thread_local Generator generator;

}  // namespace

CStatus kernel_random(MutBytes out) {
  size_t done = 0;
  for (int attempts = 0; done < out.size() && attempts < 1000; ++attempts) {
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Err(CryptoError::kRandomFailed);
    }
    done += static_cast<size_t>(n);
  }
  if (done != out.size()) return Err(CryptoError::kRandomFailed);
  return {};
}

CStatus system_random(MutBytes out) {
  std::call_once(watch_forks, start_watching);
  if (!watching) return kernel_random(out);
  return generator.fill(out);
}

}  // namespace sluice::crypto

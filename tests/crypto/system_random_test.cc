// system_random (crypto/system_random.h): output that does not repeat, across
// the pool's refills and reseeds, across threads, and across fork() and
// _Fork().
#include "crypto/system_random.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>
#include <thread>
#include <vector>

namespace sluice::crypto {
namespace {

using Block = std::array<uint8_t, 32>;

Block draw() {
  Block b{};
  REQUIRE(system_random(b).ok());
  return b;
}

TEST_CASE("every length fills, and 32-byte draws do not repeat across refills and reseeds") {
  for (size_t len : {0, 1, 31, 32, 255, 256, 257, 1000, 70000}) {
    std::vector<uint8_t> out(len, 0);
    REQUIRE(system_random(out).ok());
    if (len >= 32) CHECK(std::count(out.begin(), out.end(), 0) < static_cast<ptrdiff_t>(len / 16));
  }
  // 20,000 draws are 640 KB: ten reseeds and 2,500 refills.
  std::set<Block> seen;
  for (int i = 0; i < 20000; ++i) CHECK(seen.insert(draw()).second);
}

TEST_CASE("byte values are spread evenly") {
  std::vector<uint8_t> out(1 << 20);
  REQUIRE(system_random(out).ok());
  std::array<int, 256> count{};
  for (uint8_t b : out) ++count[b];
  // Expected 4,096 each, standard deviation 64: the bounds are 15 of them.
  for (int c : count) {
    CHECK(c > 3100);
    CHECK(c < 5100);
  }
}

TEST_CASE("threads draw different streams") {
  draw();
  Block a{}, b{};
  std::thread ta([&a] { a = draw(); });
  std::thread tb([&b] { b = draw(); });
  ta.join();
  tb.join();
  CHECK(a != b);
  CHECK(a != draw());
}

// check_child_differs makes a child with `spawn`, which draws 32 bytes and sends
// them back; the parent then draws its own 32. The parent's generator is
// seeded and has a pool before the child is made, so a child that missed
// the fork would hand out the very bytes the parent hands out next.
void check_child_differs(pid_t (*spawn)()) {
  draw();
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = spawn();
  REQUIRE(child >= 0);
  if (child == 0) {
    Block b{};
    const bool ok = system_random(b).ok();
    const ssize_t written = ok ? write(fds[1], b.data(), b.size()) : -1;
    _exit(written == static_cast<ssize_t>(b.size()) ? 0 : 1);
  }
  close(fds[1]);
  Block from_child{};
  size_t got = 0;
  while (got < from_child.size()) {
    const ssize_t n = read(fds[0], from_child.data() + got, from_child.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(got == from_child.size());
  CHECK(from_child != draw());
}

TEST_CASE("a child after fork() does not repeat its parent's stream") { check_child_differs(fork); }

// _Fork() runs no pthread_atfork handlers, as a raw clone() would not: the
// page the kernel wipes in the child is what notices it.
TEST_CASE("nor does a child made by _Fork(), which skips the atfork handlers") { check_child_differs(_Fork); }

}  // namespace
}  // namespace sluice::crypto

// RecordBuffer and BufferPool (core/buffers): offsets, compaction,
// growth keeping contents, the freelist's bound and best fit, wiping.
#include <doctest/doctest.h>

#include "core/buffers.h"

namespace sluice {

TEST_CASE("RecordBuffer: commit, consume, rewind and compact keep the held bytes") {
  BufferPool pool(4);
  RecordBuffer b;
  b.acquire(&pool, 16);
  REQUIRE(b.capacity() >= 16);
  auto tail = b.tail();
  for (int i = 0; i < 10; ++i) tail[i] = static_cast<uint8_t>(i);
  b.commit(10);
  b.consume(4);
  CHECK(b.held() == 6);
  CHECK(b.data()[0] == 4);
  b.rewind();  // not empty: nothing moves
  CHECK(b.begin() == 4);
  b.compact();
  CHECK(b.begin() == 0);
  CHECK(b.data()[0] == 4);
  CHECK(b.data()[5] == 9);
  b.grow(&pool, 1000);
  CHECK(b.capacity() >= 1000);
  CHECK(b.data()[5] == 9);
}

TEST_CASE("RecordBuffer: a buffer holding bytes is never released") {
  BufferPool pool(4);
  RecordBuffer b;
  b.acquire(&pool, 64);
  b.commit(1);
  b.release(&pool);
  CHECK(b.allocated());
  CHECK(pool.size() == 0);
  b.consume(1);
  b.release(&pool);
  CHECK(!b.allocated());
  CHECK(pool.size() == 1);
}

TEST_CASE("BufferPool: bounded, best fit, wiped, any length accepted") {
  BufferPool pool(3);
  for (size_t size : {100, 5000, 300, 700}) {
    std::vector<uint8_t> v(size, 0xab);
    pool.give(std::move(v));
  }
  CHECK(pool.size() == 3);  // the fourth was freed
  auto v = pool.take(200);
  CHECK(v.capacity() >= 200);
  CHECK(v.capacity() < 5000);  // the smallest that fits, not the largest
  v.resize(v.capacity());
  for (uint8_t x : v) REQUIRE(x == 0);  // wiped before reuse
  pool.set_max_len(SIZE_MAX);
  CHECK(pool.max_len() == SIZE_MAX);
  pool.set_max_len(0);
  CHECK(pool.size() == 0);
}

TEST_CASE("RecordBuffer without a pool allocates and frees directly") {
  RecordBuffer b;
  b.acquire(nullptr, 32);
  CHECK(b.allocated());
  b.grow(nullptr, 64);
  CHECK(b.capacity() >= 64);
  b.release(nullptr);
  CHECK(!b.allocated());
}

}  // namespace sluice

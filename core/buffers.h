// Record buffers and the context's freelist (RELEASE_BUFFERS).
//
// A RecordBuffer is a byte region with a read offset and an end offset:
// bytes in [begin, end) are held, bytes after end are free. Its storage comes
// from a BufferPool and goes back there when the connection releases it; the
// pool keeps at most max_len buffers and frees the rest.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace sluice {

class BufferPool {
 public:
  // The list's own storage is reserved up front (up to kReserveMax
  // entries), so returning a buffer rarely allocates on a connection's path.
  static constexpr size_t kReserveMax = 256;
  explicit BufferPool(size_t max_len = 32) : max_len_(max_len) { free_.reserve(std::min(max_len, kReserveMax)); }
  // take returns storage of at least `size` bytes (capacity; size() is 0).
  std::vector<uint8_t> take(size_t size);
  // give returns storage; beyond max_len it is freed.
  void give(std::vector<uint8_t> storage);
  void set_max_len(size_t n);
  size_t max_len() const;
  size_t size() const;

 private:
  mutable std::mutex mu_;
  size_t max_len_;
  std::vector<std::vector<uint8_t>> free_;
};

// RecordBuffer methods that allocate take the pool to use; nullptr means
// plain allocation (a connection without RELEASE_BUFFERS keeps the
// context's freelist out of it).
class RecordBuffer {
 public:
  bool allocated() const { return storage_.capacity() != 0; }
  // acquire makes sure storage of at least `size` bytes exists (taking it
  // from the pool, or growing what is held).
  void acquire(BufferPool* pool, size_t size);
  // release gives the storage back (wiped) when nothing is held.
  void release(BufferPool* pool);

  size_t capacity() const { return storage_.size(); }
  size_t begin() const { return begin_; }
  size_t end() const { return end_; }
  size_t held() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  size_t free_tail() const { return storage_.size() - end_; }

  std::span<uint8_t> all() { return storage_; }
  std::span<const uint8_t> all() const { return storage_; }
  std::span<uint8_t> data() { return std::span(storage_).subspan(begin_, held()); }
  std::span<uint8_t> tail() { return std::span(storage_).subspan(end_); }

  void commit(size_t n) { end_ += n; }
  // consume drops n held bytes from the front. Offsets do not move; call
  // rewind() when empty to reuse the whole buffer.
  void consume(size_t n) { begin_ += n; }
  void rewind() {
    if (empty()) begin_ = end_ = 0;
  }
  // clear drops everything held (for a connection being destroyed).
  void clear() { begin_ = end_ = 0; }
  // compact moves held bytes to the front so the free tail is largest.
  void compact();
  // grow enlarges storage (keeping contents) to at least `size` bytes,
  // trading the old storage for larger storage from the pool.
  void grow(BufferPool* pool, size_t size);
  // grow_keeping_old does the same but hands the old storage back unwiped,
  // for a caller that must keep it alive (bytes of it are lent out).
  std::vector<uint8_t> grow_keeping_old(BufferPool* pool, size_t size);

 private:
  std::vector<uint8_t> storage_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace sluice

#include "core/buffers.h"

#include <algorithm>

#include "base/secret.h"

namespace sluice {

std::vector<uint8_t> BufferPool::take(size_t size) {
  {
    // Best fit: a small request taking a large buffer would leave the next
    // large request to allocate, and the freelist would grow with each
    // connection instead of settling.
    std::lock_guard<std::mutex> lock(mu_);
    size_t best = free_.size();
    for (size_t i = 0; i < free_.size(); ++i) {
      const size_t cap = free_[i].capacity();
      if (cap >= size && (best == free_.size() || cap < free_[best].capacity())) best = i;
    }
    if (best != free_.size()) {
      std::vector<uint8_t> v = std::move(free_[best]);
      free_.erase(free_.begin() + static_cast<ptrdiff_t>(best));
      return v;
    }
  }
  std::vector<uint8_t> v;
  v.reserve(size);
  return v;
}

void BufferPool::give(std::vector<uint8_t> storage) {
  // Record buffers held plaintext: wipe before reuse by another connection.
  wipe(std::span(storage.data(), storage.size()));
  storage.clear();
  std::lock_guard<std::mutex> lock(mu_);
  if (free_.size() < max_len_) free_.push_back(std::move(storage));
  // Otherwise `storage` is freed as it goes out of scope.
}

void BufferPool::set_max_len(size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  max_len_ = n;
  if (free_.size() > n) free_.resize(n);
  free_.reserve(std::min(n, kReserveMax));
}

size_t BufferPool::max_len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_len_;
}

size_t BufferPool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return free_.size();
}

namespace {
std::vector<uint8_t> take_from(BufferPool* pool, size_t size) {
  if (pool) return pool->take(size);
  std::vector<uint8_t> v;
  v.reserve(size);
  return v;
}
void give_to(BufferPool* pool, std::vector<uint8_t> storage) {
  if (pool) return pool->give(std::move(storage));
  wipe(std::span(storage.data(), storage.size()));
}
}  // namespace

void RecordBuffer::acquire(BufferPool* pool, size_t size) {
  if (storage_.size() >= size) return;
  if (!allocated()) {
    storage_ = take_from(pool, size);
    storage_.resize(std::max(size, storage_.capacity()));
    begin_ = end_ = 0;
    return;
  }
  grow(pool, size);
}

void RecordBuffer::release(BufferPool* pool) {
  // A buffer that holds any byte (part of a record included) is never
  // released: that is how CVE-2024-4741 happened elsewhere.
  if (!allocated() || !empty()) return;
  storage_.resize(storage_.capacity());
  give_to(pool, std::move(storage_));
  // A moved-from vector may keep its memory; make sure this one holds none.
  std::vector<uint8_t>().swap(storage_);
  begin_ = end_ = 0;
}

void RecordBuffer::compact() {
  if (begin_ == 0) return;
  std::copy(storage_.begin() + static_cast<ptrdiff_t>(begin_), storage_.begin() + static_cast<ptrdiff_t>(end_),
            storage_.begin());
  end_ -= begin_;
  begin_ = 0;
}

void RecordBuffer::grow(BufferPool* pool, size_t size) {
  if (storage_.size() >= size) return;
  // Through the pool both ways, so a connection that once needed a full
  // record finds one there next time instead of allocating it.
  std::vector<uint8_t> bigger = take_from(pool, size);
  bigger.resize(std::max(size, bigger.capacity()));
  std::copy(storage_.begin(), storage_.begin() + static_cast<ptrdiff_t>(end_), bigger.begin());
  storage_.resize(storage_.capacity());
  give_to(pool, std::move(storage_));
  storage_ = std::move(bigger);
}

}  // namespace sluice

namespace sluice {

std::vector<uint8_t> RecordBuffer::grow_keeping_old(BufferPool* pool, size_t size) {
  if (storage_.size() >= size) return {};
  std::vector<uint8_t> bigger = take_from(pool, size);
  bigger.resize(std::max(size, bigger.capacity()));
  std::copy(storage_.begin(), storage_.begin() + static_cast<ptrdiff_t>(end_), bigger.begin());
  std::vector<uint8_t> old = std::move(storage_);
  storage_ = std::move(bigger);
  return old;
}

}  // namespace sluice

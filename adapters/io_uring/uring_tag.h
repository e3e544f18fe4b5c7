// io_uring user_data of UringLoop: an id shifted left by three, with the
// low bits naming the operation (receive, send, async poll, accept, cancel).
#pragma once

#include <cstdint>

namespace sluice::adapters::uring_tag {

inline uint64_t make(uint64_t id, uint64_t op) { return (id << 3) | op; }
inline uint64_t id(uint64_t tag) { return tag >> 3; }
inline uint64_t op(uint64_t tag) { return tag & 7; }

}  // namespace sluice::adapters::uring_tag

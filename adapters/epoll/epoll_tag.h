// epoll_event.data of EpollLoop: an id shifted left by two, with the low
// bits telling a connection's socket, its engine's async fd and a listener
// apart.
#pragma once

#include <cstdint>

namespace sluice::adapters::epoll_tag {

enum Kind : uint64_t { kSocket = 0, kAsync = 1, kListener = 2 };

inline uint64_t make(uint64_t id, Kind k) { return (id << 2) | k; }
inline uint64_t id(uint64_t tag) { return tag >> 2; }
inline Kind kind(uint64_t tag) { return static_cast<Kind>(tag & 3); }

}  // namespace sluice::adapters::epoll_tag

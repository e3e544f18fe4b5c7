// HandshakeReader: messages framed across and within records, and the
// storage it holds between flights and after the handshake.
#include "core/handshake_buffer.h"

#include <doctest/doctest.h>

#include <vector>

#include "base/heap_counter.h"

namespace sluice {
namespace {

// message is a handshake message of `type` with a `len`-byte body.
std::vector<uint8_t> message(uint8_t type, size_t len) {
  std::vector<uint8_t> m = {type, 0, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
  for (size_t i = 0; i < len; ++i) m.push_back(static_cast<uint8_t>(i));
  return m;
}

// take reads one whole message and drops it; returns its type (0: none).
uint8_t take(HandshakeReader& r) {
  auto m = r.next();
  REQUIRE(m.ok());
  if (!*m) return 0;
  const auto type = static_cast<uint8_t>((*m)->type);
  r.done();
  return type;
}

TEST_CASE("HandshakeReader: a message split over records, and two in one record") {
  HandshakeReader r;
  const auto first = message(2, 300);
  REQUIRE(r.append(Bytes(first).first(100)).ok());
  CHECK(take(r) == 0);
  REQUIRE(r.append(Bytes(first).subspan(100)).ok());
  CHECK(take(r) == 2);
  CHECK(r.empty());
  auto both = message(8, 10);
  const auto second = message(11, 20);
  both.insert(both.end(), second.begin(), second.end());
  REQUIRE(r.append(both).ok());
  CHECK(take(r) == 8);
  CHECK(take(r) == 11);
  CHECK(r.empty());
}

// take_quietly is take() without doctest's checks, which allocate: the
// heap counts below see the reader's calls only.
uint8_t take_quietly(HandshakeReader& r) {
  auto m = r.next();
  if (!m.ok() || !*m) return 0;
  const auto type = static_cast<uint8_t>((*m)->type);
  r.done();
  return type;
}

TEST_CASE("HandshakeReader: storage kept between flights, freed once the handshake is over") {
  const auto hello = message(2, 90), flight = message(8, 500), ticket = message(4, 200);
  HandshakeReader r;
  // Two flights (a ServerHello, then the encrypted flight): the storage the
  // first took serves the second.
  const HeapStats start = heap_stats();
  const bool appended = r.append(hello).ok();
  const uint8_t first = take_quietly(r);
  const bool appended_again = r.append(flight).ok();
  const uint8_t second = take_quietly(r);
  const HeapStats after_flights = heap_stats();
  // Handshake over: nothing held.
  r.release();
  const HeapStats released = heap_stats();
  // A post-handshake message (a NewSessionTicket) takes storage for as long
  // as it is buffered, no longer.
  const bool ticket_appended = r.append(ticket).ok();
  const HeapStats holding_ticket = heap_stats();
  const uint8_t third = take_quietly(r);
  const HeapStats after_ticket = heap_stats();

  CHECK((appended && appended_again && ticket_appended));
  CHECK(first == 2);
  CHECK(second == 8);
  CHECK(third == 4);
  CHECK(after_flights.allocations - start.allocations == 1);
  CHECK(released.live_bytes == start.live_bytes);
  CHECK(holding_ticket.live_bytes > start.live_bytes);
  CHECK(after_ticket.live_bytes == start.live_bytes);
}

}  // namespace
}  // namespace sluice

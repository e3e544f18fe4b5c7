#include "core/wire/extensions.h"

#include <algorithm>
#include <array>
#include <span>
#include <vector>

namespace sluice::wire {

Result<void, Error> parse_extensions(ByteReader& r, const ExtensionVisitor& visit) {
  ByteReader block;
  if (!r.prefixed16(block)) return Err(Error(Reason::kDecodeError, "extensions length"));
  // Duplicates are found by sorting the types seen: linear checks would let a
  // peer make us do quadratic work. Real hellos carry fewer than 30
  // extensions; kMaxExtensions bounds the work and keeps `seen` on the stack.
  static constexpr size_t kMaxExtensions = 128;
  std::array<uint16_t, kMaxExtensions> seen_storage;
  size_t count = 0;
  while (!block.empty()) {
    uint16_t type;
    ByteReader body;
    if (!block.u16(type) || !block.prefixed16(body)) {
      return Err(Error(Reason::kDecodeError, "extension header"));
    }
    if (count == kMaxExtensions) return Err(Error(Reason::kDecodeError, "too many extensions"));
    seen_storage[count++] = type;
    SLUICE_TRY(visit(type, body));
    if (!body.empty()) return Err(Error(Reason::kDecodeError, "extension body has trailing bytes"));
  }
  auto seen = std::span(seen_storage).first(count);
  std::sort(seen.begin(), seen.end());
  if (std::adjacent_find(seen.begin(), seen.end()) != seen.end()) {
    return Err(Error(Reason::kDuplicateExtension, "extension appears twice"));
  }
  return {};
}

Result<void, Error> read_u16_list(ByteReader& body, size_t min_bytes, std::vector<uint16_t>& out) {
  ByteReader list;
  if (!body.vec16(min_bytes, 0xfffe, list) || list.remaining() % 2) {
    return Err(Error(Reason::kDecodeError, "u16 list length"));
  }
  out.clear();
  out.reserve(list.remaining() / 2);
  uint16_t v;
  while (list.u16(v)) out.push_back(v);
  return {};
}

}  // namespace sluice::wire

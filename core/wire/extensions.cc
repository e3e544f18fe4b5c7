#include "core/wire/extensions.h"

#include <algorithm>
#include <array>
#include <span>
#include <vector>

namespace sluice::wire {

Result<void, Error> parse_extensions(ByteReader& r, const ExtensionVisitor& visit) {
  ByteReader block;
  if (!r.prefixed16(block)) return Err(Error(Reason::kDecodeError, "extensions length"));
  // RFC 8446 §4.2: any number of extensions may come (unknown ones are
  // ignored), as many as fit the block. The block is framed and checked for
  // duplicates before any extension is looked at, so a malformed block is
  // decode_error whatever it holds. Duplicates are found by sorting the
  // types seen, n log n: a linear check per extension would let a peer make
  // us do quadratic work. Real hellos carry fewer than 30, kept on the
  // stack; more spill to the heap.
  static constexpr size_t kOnStack = 64;
  std::array<uint16_t, kOnStack> stack_types;
  std::vector<uint16_t> heap_types;
  size_t count = 0;
  for (ByteReader scan = block; !scan.empty();) {
    uint16_t type;
    ByteReader body;
    if (!scan.u16(type) || !scan.prefixed16(body)) {
      return Err(Error(Reason::kDecodeError, "extension header"));
    }
    if (count == kOnStack) {
      heap_types.reserve(kOnStack + scan.remaining() / 4 + 1);
      heap_types.assign(stack_types.begin(), stack_types.end());
    }
    if (count < kOnStack) {
      stack_types[count] = type;
    } else {
      heap_types.push_back(type);
    }
    ++count;
  }
  std::span<uint16_t> seen = count <= kOnStack ? std::span(stack_types).first(count) : std::span(heap_types);
  std::sort(seen.begin(), seen.end());
  if (std::adjacent_find(seen.begin(), seen.end()) != seen.end()) {
    return Err(Error(Reason::kDuplicateExtension, "extension appears twice"));
  }
  while (!block.empty()) {
    uint16_t type;
    ByteReader body;
    (void)(block.u16(type) && block.prefixed16(body));  // framed above
    SLUICE_TRY(visit(type, body));
    if (!body.empty()) return Err(Error(Reason::kDecodeError, "extension body has trailing bytes"));
  }
  return {};
}

TlsResult<Bytes> read_ocsp_status(ByteReader& r) {
  uint8_t type;
  ByteReader response;
  if (!r.u8(type) || type != 1 || !r.vec24(1, 0xffffff, response)) {
    return Err(Error(Reason::kDecodeError, "CertificateStatus"));
  }
  return response.rest();
}

void write_ocsp_status(ByteWriter& w, Bytes response) {
  w.u8(1);  // ocsp
  auto prefixed = w.prefix24();
  w.bytes(response);
}

Result<void, Error> check_sct_list(Bytes body) {
  ByteReader r(body), list;
  if (!r.vec16(1, 0xffff, list) || !r.empty()) return Err(Error(Reason::kDecodeError, "SCT list"));
  while (!list.empty()) {
    ByteReader sct;
    if (!list.vec16(1, 0xffff, sct)) return Err(Error(Reason::kDecodeError, "SCT entry"));
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

Result<void, Error> read_compression_algorithms(ByteReader& body, std::vector<uint16_t>& out) {
  ByteReader list;
  if (!body.vec8(2, 254, list) || list.remaining() % 2 || !body.empty()) {
    return Err(Error(Reason::kDecodeError, "compress_certificate extension length"));
  }
  out.clear();
  out.reserve(list.remaining() / 2);
  uint16_t id;
  while (list.u16(id)) {
    // At most 127 entries: a linear search per entry stays cheap.
    if (std::find(out.begin(), out.end(), id) != out.end()) {
      return Err(Error(Reason::kDecodeError, "compress_certificate extension lists an algorithm twice"));
    }
    out.push_back(id);
  }
  return {};
}

void write_compression_algorithms(ByteWriter& w, std::span<const uint16_t> algorithms) {
  auto list = w.prefix8();
  for (uint16_t id : algorithms) w.u16(id);
}

}  // namespace sluice::wire

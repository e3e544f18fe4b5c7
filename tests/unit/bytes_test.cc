// ByteReader/ByteWriter (core/bytes) and the extension walker
// (core/wire/extensions): bounds, prefixes, sticky errors, duplicates.
#include <doctest/doctest.h>

#include <vector>

#include "core/bytes.h"
#include "core/wire/extensions.h"

namespace sluice {

TEST_CASE("ByteReader: reads within bounds, consumes nothing on a short read") {
  const std::vector<uint8_t> data = {0x01, 0x02, 0x03, 0x04, 0x05};
  ByteReader r(data);
  uint16_t v16;
  REQUIRE(r.u16(v16));
  CHECK(v16 == 0x0102);
  uint32_t v32;
  CHECK(!r.u32(v32));
  CHECK(r.remaining() == 3);  // the failed read took nothing
  uint32_t v24;
  REQUIRE(r.u24(v24));
  CHECK(v24 == 0x030405);
  CHECK(r.empty());
  uint8_t v8;
  CHECK(!r.u8(v8));
}

TEST_CASE("ByteReader: prefixed vectors respect their length and the RFC bounds") {
  const std::vector<uint8_t> data = {0x00, 0x03, 0xaa, 0xbb, 0xcc, 0xdd};
  {
    ByteReader r(data), child;
    REQUIRE(r.prefixed16(child));
    CHECK(child.remaining() == 3);
    CHECK(r.remaining() == 1);
  }
  {
    ByteReader r(data), child;
    CHECK(!r.vec16(4, 10, child));  // below the minimum
    CHECK(r.remaining() == data.size());
    CHECK(!r.vec16(0, 2, child));  // above the maximum
    CHECK(r.remaining() == data.size());
  }
  {
    const std::vector<uint8_t> overlong = {0x00, 0x09, 0xaa};
    ByteReader r(overlong), child;
    CHECK(!r.prefixed16(child));  // the length runs past the data
    CHECK(r.remaining() == overlong.size());
  }
}

TEST_CASE("ByteWriter: length prefixes are back-patched; overflow is sticky") {
  std::vector<uint8_t> out;
  {
    ByteWriter w(out);
    {
      auto p = w.prefix16();
      w.u8(7);
      w.u24(0x010203);
    }
    CHECK(w.ok());
  }
  CHECK(out == std::vector<uint8_t>{0x00, 0x04, 0x07, 0x01, 0x02, 0x03});
  std::vector<uint8_t> big;
  ByteWriter w(big);
  {
    auto p = w.prefix8();
    w.zeros(300);  // more than a u8 length can say
  }
  CHECK(!w.ok());
  w.u8(1);
  CHECK(!w.ok());  // sticky
  uint8_t fixed[3];
  ByteWriter f{MutBytes(fixed)};
  f.u16(1);
  CHECK(f.ok());
  f.u16(2);  // past the end of caller memory
  CHECK(!f.ok());
  ByteWriter t(big);
  t.u24(1u << 24);  // does not fit 24 bits
  CHECK(!t.ok());
}

TEST_CASE("extension walker: every extension once, bodies consumed, duplicates refused") {
  auto block = [](std::vector<std::pair<uint16_t, std::vector<uint8_t>>> exts) {
    std::vector<uint8_t> b;
    for (auto& [type, body] : exts) {
      b.insert(b.end(), {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type),
                         static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())});
      b.insert(b.end(), body.begin(), body.end());
    }
    std::vector<uint8_t> out = {static_cast<uint8_t>(b.size() >> 8), static_cast<uint8_t>(b.size())};
    out.insert(out.end(), b.begin(), b.end());
    return out;
  };
  auto skip_all = [](uint16_t, ByteReader& body) -> Result<void, Error> {
    (void)body.skip(body.remaining());
    return {};
  };
  {
    auto data = block({{1, {}}, {2, {9}}, {3, {}}});
    ByteReader r(data);
    std::vector<uint16_t> seen;
    auto res = wire::parse_extensions(r, [&](uint16_t t, ByteReader& b) -> Result<void, Error> {
      seen.push_back(t);
      (void)b.skip(b.remaining());
      return {};
    });
    CHECK(res.ok());
    CHECK(seen == std::vector<uint16_t>{1, 2, 3});
  }
  {
    auto data = block({{1, {}}, {2, {}}, {1, {}}});
    ByteReader r(data);
    auto res = wire::parse_extensions(r, skip_all);
    REQUIRE(!res.ok());
    CHECK(res.error().reason == Reason::kDuplicateExtension);
  }
  {
    // The block is checked before any extension is visited: a duplicate is
    // decode_error even where the visitor would refuse the first one.
    auto data = block({{0xffff, {}}, {0xffff, {}}});
    ByteReader r(data);
    int visits = 0;
    auto res = wire::parse_extensions(r, [&](uint16_t, ByteReader&) -> Result<void, Error> {
      ++visits;
      return Err(Error(Reason::kUnsupportedExtension, "unsolicited"));
    });
    REQUIRE(!res.ok());
    CHECK(res.error().reason == Reason::kDuplicateExtension);
    CHECK(visits == 0);
  }
  {
    // A duplicate far past the on-stack list is still found.
    std::vector<std::pair<uint16_t, std::vector<uint8_t>>> many;
    for (uint16_t i = 0; i < 300; ++i) many.push_back({static_cast<uint16_t>(1000 + i), {}});
    many.push_back({1000, {}});
    auto data = block(many);
    ByteReader r(data);
    auto res = wire::parse_extensions(r, skip_all);
    REQUIRE(!res.ok());
    CHECK(res.error().reason == Reason::kDuplicateExtension);
  }
  {
    auto data = block({{1, {5, 6}}});
    ByteReader r(data);
    auto res = wire::parse_extensions(r, [](uint16_t, ByteReader&) -> Result<void, Error> { return {}; });
    REQUIRE(!res.ok());
    CHECK(res.error().reason == Reason::kDecodeError);  // a body its parser left unread
  }
  {
    std::vector<uint8_t> data = {0x00, 0x05, 0x00, 0x01, 0x00};  // a truncated header
    ByteReader r(data);
    auto res = wire::parse_extensions(r, skip_all);
    REQUIRE(!res.ok());
    CHECK(res.error().reason == Reason::kDecodeError);
  }
}

}  // namespace sluice

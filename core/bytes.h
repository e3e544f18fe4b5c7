// Bounded reading and writing of wire bytes. Every parse and every encode in
// sluice goes through these two classes (STYLE.md practice 1): no pointer
// arithmetic, no length from the wire used without a bound check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sluice {

using Bytes = std::span<const uint8_t>;
using MutBytes = std::span<uint8_t>;

// ByteReader is a view that shrinks from the front as it is read. Every read
// returns false, and consumes nothing, when too few bytes remain.
class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(Bytes data) : data_(data) {}

  size_t remaining() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  // rest is what has not been read yet (it is not consumed).
  Bytes rest() const { return data_; }

  [[nodiscard]] bool u8(uint8_t& out);
  [[nodiscard]] bool u16(uint16_t& out);
  [[nodiscard]] bool u24(uint32_t& out);
  [[nodiscard]] bool u32(uint32_t& out);
  [[nodiscard]] bool u64(uint64_t& out);
  // bytes takes the next n bytes as a view.
  [[nodiscard]] bool bytes(size_t n, Bytes& out);
  // copy takes out.size() bytes into out.
  [[nodiscard]] bool copy(MutBytes out);
  [[nodiscard]] bool skip(size_t n);

  // prefixedN reads an N-byte big-endian length, then yields a child reader
  // over exactly that many bytes.
  [[nodiscard]] bool prefixed8(ByteReader& child);
  [[nodiscard]] bool prefixed16(ByteReader& child);
  [[nodiscard]] bool prefixed24(ByteReader& child);
  // vecN is prefixedN with the RFC's vector bounds <min..max> in the call.
  [[nodiscard]] bool vec8(size_t min, size_t max, ByteReader& child);
  [[nodiscard]] bool vec16(size_t min, size_t max, ByteReader& child);
  [[nodiscard]] bool vec24(size_t min, size_t max, ByteReader& child);

 private:
  [[nodiscard]] bool uint(size_t width, uint64_t& out);
  [[nodiscard]] bool prefixed(size_t width, size_t min, size_t max, ByteReader& child);
  Bytes data_;
};

// ByteWriter appends to a growable vector or fills caller memory. Errors are
// sticky (like BoringSSL's CBB): after an overflow every write is ignored and
// ok() is false, so a sequence of writes is checked once at the end.
class ByteWriter {
 public:
  // Appends to `out` (which keeps its existing contents).
  explicit ByteWriter(std::vector<uint8_t>& out) : vec_(&out), base_(out.size()) {}
  // Writes into `fixed`; writing past its end fails.
  explicit ByteWriter(MutBytes fixed) : fixed_(fixed) {}
  ByteWriter(const ByteWriter&) = delete;
  ByteWriter& operator=(const ByteWriter&) = delete;

  bool ok() const { return ok_; }
  // size is the number of bytes written through this writer.
  size_t size() const { return len_; }
  // written is the bytes written through this writer so far.
  MutBytes written();

  void u8(uint8_t v) { uint(1, v); }
  void u16(uint16_t v) { uint(2, v); }
  void u24(uint32_t v);
  void u32(uint32_t v) { uint(4, v); }
  void u64(uint64_t v) { uint(8, v); }
  void bytes(Bytes b);
  void zeros(size_t n);
  // reserve appends n bytes and returns them for the caller to fill; an empty
  // span (and !ok()) when they do not fit.
  MutBytes reserve(size_t n);

  // Prefix writes a placeholder length of `width` bytes and fills it in when
  // destroyed (or when close() is called); a body too long for the width makes
  // the writer fail.
  class [[nodiscard]] Prefix {
   public:
    Prefix(ByteWriter& w, size_t width);
    Prefix(const Prefix&) = delete;
    Prefix& operator=(const Prefix&) = delete;
    ~Prefix() { close(); }
    void close();

   private:
    ByteWriter* w_;
    size_t width_;
    size_t at_;
    bool open_ = true;
  };
  Prefix prefix8() { return Prefix(*this, 1); }
  Prefix prefix16() { return Prefix(*this, 2); }
  Prefix prefix24() { return Prefix(*this, 3); }

 private:
  void uint(size_t width, uint64_t v);
  uint8_t* at(size_t offset);  // offset from this writer's start
  std::vector<uint8_t>* vec_ = nullptr;
  size_t base_ = 0;  // where this writer started in *vec_
  MutBytes fixed_;
  size_t len_ = 0;
  bool ok_ = true;
};

}  // namespace sluice

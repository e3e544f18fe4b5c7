#include "core/bytes.h"

#include <algorithm>

namespace sluice {

bool ByteReader::uint(size_t width, uint64_t& out) {
  if (data_.size() < width) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = v << 8 | data_[i];
  data_ = data_.subspan(width);
  out = v;
  return true;
}

bool ByteReader::u8(uint8_t& out) {
  uint64_t v;
  if (!uint(1, v)) return false;
  out = static_cast<uint8_t>(v);
  return true;
}
bool ByteReader::u16(uint16_t& out) {
  uint64_t v;
  if (!uint(2, v)) return false;
  out = static_cast<uint16_t>(v);
  return true;
}
bool ByteReader::u24(uint32_t& out) {
  uint64_t v;
  if (!uint(3, v)) return false;
  out = static_cast<uint32_t>(v);
  return true;
}
bool ByteReader::u32(uint32_t& out) {
  uint64_t v;
  if (!uint(4, v)) return false;
  out = static_cast<uint32_t>(v);
  return true;
}
bool ByteReader::u64(uint64_t& out) { return uint(8, out); }

bool ByteReader::bytes(size_t n, Bytes& out) {
  if (data_.size() < n) return false;
  out = data_.first(n);
  data_ = data_.subspan(n);
  return true;
}

bool ByteReader::copy(MutBytes out) {
  Bytes b;
  if (!bytes(out.size(), b)) return false;
  std::copy(b.begin(), b.end(), out.begin());
  return true;
}

bool ByteReader::skip(size_t n) {
  Bytes b;
  return bytes(n, b);
}

bool ByteReader::prefixed(size_t width, size_t min, size_t max, ByteReader& child) {
  ByteReader saved = *this;
  uint64_t len;
  Bytes body;
  if (!uint(width, len) || len < min || len > max || !bytes(len, body)) {
    *this = saved;
    return false;
  }
  child = ByteReader(body);
  return true;
}

bool ByteReader::prefixed8(ByteReader& c) { return prefixed(1, 0, SIZE_MAX, c); }
bool ByteReader::prefixed16(ByteReader& c) { return prefixed(2, 0, SIZE_MAX, c); }
bool ByteReader::prefixed24(ByteReader& c) { return prefixed(3, 0, SIZE_MAX, c); }
bool ByteReader::vec8(size_t min, size_t max, ByteReader& c) { return prefixed(1, min, max, c); }
bool ByteReader::vec16(size_t min, size_t max, ByteReader& c) { return prefixed(2, min, max, c); }
bool ByteReader::vec24(size_t min, size_t max, ByteReader& c) { return prefixed(3, min, max, c); }

MutBytes ByteWriter::written() {
  if (len_ == 0) return {};
  return MutBytes(at(0), len_);
}

uint8_t* ByteWriter::at(size_t offset) {
  return vec_ ? vec_->data() + base_ + offset : fixed_.data() + offset;
}

MutBytes ByteWriter::reserve(size_t n) {
  if (!ok_) return {};
  if (vec_) {
    // Messages are written a few bytes at a time; growing from a useful
    // size keeps an encode to one or two heap calls instead of doubling
    // from one byte.
    constexpr size_t kFirstCapacity = 256;
    const size_t need = base_ + len_ + n;
    if (need > vec_->capacity()) vec_->reserve(std::max({need, 2 * vec_->capacity(), kFirstCapacity}));
    vec_->resize(need);
  } else if (fixed_.size() - len_ < n) {
    ok_ = false;
    return {};
  }
  size_t start = len_;
  len_ += n;
  if (n == 0) return {};
  return MutBytes(at(start), n);
}

void ByteWriter::uint(size_t width, uint64_t v) {
  MutBytes out = reserve(width);
  if (out.size() != width) return;
  for (size_t i = width; i-- > 0; v >>= 8) out[i] = static_cast<uint8_t>(v);
}

void ByteWriter::u24(uint32_t v) {
  if (v >> 24) {
    ok_ = false;
    return;
  }
  uint(3, v);
}

void ByteWriter::bytes(Bytes b) {
  MutBytes out = reserve(b.size());
  if (out.size() == b.size() && !b.empty()) std::copy(b.begin(), b.end(), out.begin());
}

void ByteWriter::zeros(size_t n) {
  MutBytes out = reserve(n);
  std::fill(out.begin(), out.end(), 0);
}

ByteWriter::Prefix::Prefix(ByteWriter& w, size_t width) : w_(&w), width_(width), at_(w.len_) {
  w.zeros(width);
}

void ByteWriter::Prefix::close() {
  if (!open_) return;
  open_ = false;
  if (!w_->ok_) return;
  size_t body = w_->len_ - at_ - width_;
  if (width_ < 8 && body >> (8 * width_)) {
    w_->ok_ = false;
    return;
  }
  uint8_t* p = w_->at(at_);
  for (size_t i = width_; i-- > 0; body >>= 8) p[i] = static_cast<uint8_t>(body);
}

}  // namespace sluice

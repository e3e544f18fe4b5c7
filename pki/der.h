// DER (X.690 distinguished encoding) reading and writing for pki/.
//
// DerReader walks a DER value through core/bytes ByteReader: every tag and
// length is bound-checked, lengths must be definite and minimal, and values
// are handed out as views into the input (nothing is copied). The writer side
// builds each child first and then wraps it with its tag and length, which is
// all certificate generation needs.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"

namespace sluice::pki {

// Universal and context tags used by X.509 (single-byte, low tag numbers).
namespace tag {
inline constexpr uint8_t kBoolean = 0x01;
inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kBitString = 0x03;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kNull = 0x05;
inline constexpr uint8_t kOid = 0x06;
inline constexpr uint8_t kUtf8String = 0x0c;
inline constexpr uint8_t kPrintableString = 0x13;
inline constexpr uint8_t kIa5String = 0x16;
inline constexpr uint8_t kUtcTime = 0x17;
inline constexpr uint8_t kGeneralizedTime = 0x18;
inline constexpr uint8_t kSequence = 0x30;
inline constexpr uint8_t kSet = 0x31;
// context_constructed(n) is [n] EXPLICIT (or IMPLICIT over a constructed type).
constexpr uint8_t context_constructed(unsigned n) { return static_cast<uint8_t>(0xa0 | n); }
// context_primitive(n) is [n] IMPLICIT over a primitive type.
constexpr uint8_t context_primitive(unsigned n) { return static_cast<uint8_t>(0x80 | n); }
}  // namespace tag

// Tlv is one decoded element: its tag, its contents and its full encoding
// (header included), all views into the input.
struct Tlv {
  uint8_t tag = 0;
  Bytes value;
  Bytes raw;
};

// BitString is a BIT STRING's bytes and the number of unused bits in the
// last byte (0..7; those bits are zero as DER requires).
struct BitString {
  Bytes bytes;
  uint8_t unused_bits = 0;
  // bit(i) is named bit i (bit 0 is the most significant bit of byte 0).
  bool bit(size_t i) const;
};

// DerReader reads a sequence of DER elements. Every method either consumes
// one element and succeeds, or fails with Reason::kBadCertificate and a
// static detail naming the rule broken (and then the reader is unspecified).
class DerReader {
 public:
  DerReader() = default;
  explicit DerReader(Bytes data) : r_(data) {}

  bool empty() const { return r_.empty(); }
  // peek_tag says whether the next element has tag `t` (false at the end).
  bool peek_tag(uint8_t t) const;

  // any reads the next element whatever its tag.
  [[nodiscard]] TlsResult<Tlv> any();
  // expect reads the next element, which must have tag `t`.
  [[nodiscard]] TlsResult<Tlv> expect(uint8_t t);
  // optional reads the next element when it has tag `t`; nullopt otherwise.
  [[nodiscard]] TlsResult<std::optional<Tlv>> optional(uint8_t t);
  // constructed reads an element with tag `t` and returns a reader over it.
  [[nodiscard]] TlsResult<DerReader> constructed(uint8_t t);
  [[nodiscard]] TlsResult<DerReader> sequence() { return constructed(tag::kSequence); }
  // optional_explicit reads [n] EXPLICIT when present.
  [[nodiscard]] TlsResult<std::optional<DerReader>> optional_explicit(unsigned n);

  // integer reads a minimally encoded INTEGER and returns its two's
  // complement bytes as encoded.
  [[nodiscard]] TlsResult<Bytes> integer();
  // unsigned_integer reads a non-negative INTEGER and returns its magnitude
  // without the sign byte (a single 0x00 for zero).
  [[nodiscard]] TlsResult<Bytes> unsigned_integer();
  // small_uint reads a non-negative INTEGER that fits `max`.
  [[nodiscard]] TlsResult<uint64_t> small_uint(uint64_t max);
  // oid reads an OBJECT IDENTIFIER and returns its content bytes (compare
  // against the oid:: constants bytewise).
  [[nodiscard]] TlsResult<Bytes> oid();
  [[nodiscard]] TlsResult<BitString> bit_string();
  // bit_string_bytes reads a BIT STRING that must have no unused bits (keys,
  // signatures).
  [[nodiscard]] TlsResult<Bytes> bit_string_bytes();
  [[nodiscard]] TlsResult<Bytes> octet_string();
  // boolean reads a BOOLEAN; DER allows only 0x00 and 0xff.
  [[nodiscard]] TlsResult<bool> boolean();
  [[nodiscard]] TlsResult<void> null();
  // time reads a UTCTime or GeneralizedTime (the RFC 5280 §4.1.2.5 forms:
  // UTC "Z", seconds present, no fraction) as seconds since the epoch.
  [[nodiscard]] TlsResult<int64_t> time();

  // finish fails unless every byte has been read.
  [[nodiscard]] TlsResult<void> finish(const char* detail = "der: trailing data") const;

 private:
  ByteReader r_;
};

// parse_time converts the contents of a UTCTime (tag kUtcTime) or
// GeneralizedTime into seconds since the epoch.
[[nodiscard]] TlsResult<int64_t> parse_time(uint8_t t, Bytes value);
// days_from_civil is the day number of a proleptic Gregorian date (1970-01-01 = 0).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

// ---- Writer -------------------------------------------------------------
// Each function returns a complete element; build children first, then wrap.

using Der = std::vector<uint8_t>;

// tlv wraps `value` with tag `t` and a minimal definite length.
Der tlv(uint8_t t, Bytes value);
// concat joins encoded elements (the body of a SEQUENCE or SET).
Der concat(std::initializer_list<Bytes> parts);
Der sequence(std::initializer_list<Bytes> children);
// integer_from_unsigned encodes a big-endian magnitude as a non-negative
// INTEGER (leading zeros dropped, a 0x00 sign byte added when needed).
Der integer_from_unsigned(Bytes magnitude);
Der small_integer(uint64_t v);
Der object_id(Bytes content);
Der bit_string(Bytes bytes, uint8_t unused_bits = 0);
Der octet_string(Bytes bytes);
Der boolean(bool v);
Der null();
Der utf8_string(std::string_view s);
Der ia5_string(std::string_view s);
// time encodes UTCTime for years 1950..2049 and GeneralizedTime otherwise
// (RFC 5280 §4.1.2.5).
Der time(int64_t seconds_since_epoch);
Der explicit_tag(unsigned n, Bytes inner);

// as_bytes views a std::string_view's characters as bytes.
Bytes as_bytes(std::string_view s);
// as_text views bytes as characters (no check, no copy).
std::string_view as_text(Bytes b);

}  // namespace sluice::pki

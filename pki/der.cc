#include "pki/der.h"

#include <string>

namespace sluice::pki {
namespace {

// A DER length takes at most 4 bytes here: no certificate or key comes near
// 4 GiB, and refusing longer forms keeps the arithmetic in 32 bits.
constexpr size_t kMaxLengthBytes = 4;

Error bad(const char* detail) { return Error(Reason::kBadCertificate, detail); }

}  // namespace

bool BitString::bit(size_t i) const {
  ByteReader r(bytes);
  if (!r.skip(i / 8)) return false;
  uint8_t b;
  if (!r.u8(b)) return false;
  return (b >> (7 - i % 8)) & 1;
}

bool DerReader::peek_tag(uint8_t t) const {
  ByteReader copy = r_;
  uint8_t got;
  return copy.u8(got) && got == t;
}

TlsResult<Tlv> DerReader::any() {
  ByteReader start = r_;
  Tlv out;
  uint8_t first;
  if (!r_.u8(out.tag)) return Err(bad("der: truncated tag"));
  // High tag numbers (0x1f) never occur in X.509 or the key formats.
  if ((out.tag & 0x1f) == 0x1f) return Err(bad("der: multi-byte tag"));
  if (!r_.u8(first)) return Err(bad("der: truncated length"));
  uint64_t len = first;
  if (first == 0x80) return Err(bad("der: indefinite length"));
  if (first > 0x80) {
    size_t n = first & 0x7f;
    if (n > kMaxLengthBytes) return Err(bad("der: length too long"));
    len = 0;
    for (size_t i = 0; i < n; ++i) {
      uint8_t b;
      if (!r_.u8(b)) return Err(bad("der: truncated length"));
      if (i == 0 && b == 0) return Err(bad("der: non-minimal length"));
      len = len << 8 | b;
    }
    if (len < 0x80) return Err(bad("der: non-minimal length"));
  }
  if (!r_.bytes(static_cast<size_t>(len), out.value)) return Err(bad("der: truncated value"));
  if (!start.bytes(start.remaining() - r_.remaining(), out.raw)) return Err(bad("der: internal"));
  return out;
}

TlsResult<Tlv> DerReader::expect(uint8_t t) {
  if (!peek_tag(t)) return Err(bad(r_.empty() ? "der: missing element" : "der: unexpected tag"));
  return any();
}

TlsResult<std::optional<Tlv>> DerReader::optional(uint8_t t) {
  if (!peek_tag(t)) return std::optional<Tlv>();
  Tlv v = SLUICE_TRY(any());
  return std::optional<Tlv>(v);
}

TlsResult<DerReader> DerReader::constructed(uint8_t t) {
  Tlv v = SLUICE_TRY(expect(t));
  return DerReader(v.value);
}

TlsResult<std::optional<DerReader>> DerReader::optional_explicit(unsigned n) {
  auto v = SLUICE_TRY(optional(tag::context_constructed(n)));
  if (!v) return std::optional<DerReader>();
  return std::optional<DerReader>(DerReader(v->value));
}

TlsResult<Bytes> DerReader::integer() {
  Tlv v = SLUICE_TRY(expect(tag::kInteger));
  ByteReader r(v.value);
  uint8_t b0, b1;
  if (!r.u8(b0)) return Err(bad("der: empty INTEGER"));
  if (r.u8(b1) && ((b0 == 0x00 && !(b1 & 0x80)) || (b0 == 0xff && (b1 & 0x80))))
    return Err(bad("der: non-minimal INTEGER"));
  return v.value;
}

TlsResult<Bytes> DerReader::unsigned_integer() {
  Bytes v = SLUICE_TRY(integer());
  ByteReader r(v);
  uint8_t b0;
  if (!r.u8(b0) || (b0 & 0x80)) return Err(bad("der: negative INTEGER"));
  if (b0 == 0 && !r.empty()) return r.rest();
  return v;
}

TlsResult<uint64_t> DerReader::small_uint(uint64_t max) {
  Bytes v = SLUICE_TRY(unsigned_integer());
  if (v.size() > 8) return Err(bad("der: INTEGER too large"));
  ByteReader r(v);
  uint64_t out = 0;
  uint8_t b;
  while (r.u8(b)) out = out << 8 | b;
  if (out > max) return Err(bad("der: INTEGER out of range"));
  return out;
}

TlsResult<Bytes> DerReader::oid() {
  Tlv v = SLUICE_TRY(expect(tag::kOid));
  ByteReader r(v.value);
  if (r.empty()) return Err(bad("der: empty OID"));
  bool at_start = true;
  uint8_t b = 0;
  while (r.u8(b)) {
    // A sub-identifier may not start with 0x80 (X.690 §8.19.2).
    if (at_start && b == 0x80) return Err(bad("der: non-minimal OID"));
    at_start = !(b & 0x80);
  }
  if (b & 0x80) return Err(bad("der: truncated OID"));
  return v.value;
}

TlsResult<BitString> DerReader::bit_string() {
  Tlv v = SLUICE_TRY(expect(tag::kBitString));
  ByteReader r(v.value);
  BitString out;
  if (!r.u8(out.unused_bits)) return Err(bad("der: empty BIT STRING"));
  if (out.unused_bits > 7) return Err(bad("der: BIT STRING unused bits > 7"));
  out.bytes = r.rest();
  if (out.bytes.empty() && out.unused_bits != 0) return Err(bad("der: BIT STRING unused bits"));
  if (!out.bytes.empty()) {
    uint8_t last;
    if (!r.skip(out.bytes.size() - 1) || !r.u8(last)) return Err(bad("der: internal"));
    if (last & ((1u << out.unused_bits) - 1)) return Err(bad("der: BIT STRING padding not zero"));
  }
  return out;
}

TlsResult<Bytes> DerReader::bit_string_bytes() {
  BitString b = SLUICE_TRY(bit_string());
  if (b.unused_bits != 0) return Err(bad("der: BIT STRING not byte aligned"));
  return b.bytes;
}

TlsResult<Bytes> DerReader::octet_string() {
  Tlv v = SLUICE_TRY(expect(tag::kOctetString));
  return v.value;
}

TlsResult<bool> DerReader::boolean() {
  Tlv v = SLUICE_TRY(expect(tag::kBoolean));
  ByteReader r(v.value);
  uint8_t b;
  if (!r.u8(b) || !r.empty()) return Err(bad("der: BOOLEAN length"));
  if (b != 0x00 && b != 0xff) return Err(bad("der: BOOLEAN not 0x00/0xff"));
  return b == 0xff;
}

TlsResult<void> DerReader::null() {
  Tlv v = SLUICE_TRY(expect(tag::kNull));
  if (!v.value.empty()) return Err(bad("der: NULL not empty"));
  return {};
}

TlsResult<int64_t> DerReader::time() {
  if (peek_tag(tag::kUtcTime) || peek_tag(tag::kGeneralizedTime)) {
    Tlv v = SLUICE_TRY(any());
    return parse_time(v.tag, v.value);
  }
  return Err(bad("der: expected a time"));
}

TlsResult<void> DerReader::finish(const char* detail) const {
  if (!r_.empty()) return Err(bad(detail));
  return {};
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  // Count from 0000-03-01 so the leap day ends each 400-year era's year.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

TlsResult<int64_t> parse_time(uint8_t t, Bytes value) {
  ByteReader r(value);
  size_t year_digits = t == tag::kUtcTime ? 2 : 4;
  if (value.size() != year_digits + 11) return Err(bad("der: time has wrong length"));
  auto digits = [&r](size_t n, unsigned& out) {
    out = 0;
    for (size_t i = 0; i < n; ++i) {
      uint8_t c;
      if (!r.u8(c) || c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    return true;
  };
  unsigned year, mon, day, hour, min, sec;
  if (!digits(year_digits, year) || !digits(2, mon) || !digits(2, day) || !digits(2, hour) ||
      !digits(2, min) || !digits(2, sec))
    return Err(bad("der: time has a non-digit"));
  uint8_t z;
  if (!r.u8(z) || z != 'Z') return Err(bad("der: time not in UTC (Z)"));
  // RFC 5280 §4.1.2.5.1: UTCTime years 50..99 are 19xx, 00..49 are 20xx.
  if (t == tag::kUtcTime) year += year >= 50 ? 1900 : 2000;
  static constexpr unsigned kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mon < 1 || mon > 12) return Err(bad("der: time month out of range"));
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  unsigned max_day = kDaysIn[mon - 1] + (mon == 2 && leap ? 1 : 0);
  if (day < 1 || day > max_day) return Err(bad("der: time day out of range"));
  if (hour > 23 || min > 59 || sec > 59) return Err(bad("der: time of day out of range"));
  return days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

// ---- Writer -------------------------------------------------------------

Der tlv(uint8_t t, Bytes value) {
  Der out;
  ByteWriter w(out);
  w.u8(t);
  size_t len = value.size();
  if (len < 0x80) {
    w.u8(static_cast<uint8_t>(len));
  } else {
    size_t n = 0;
    for (size_t l = len; l; l >>= 8) ++n;
    w.u8(static_cast<uint8_t>(0x80 | n));
    for (size_t i = n; i-- > 0;) w.u8(static_cast<uint8_t>(len >> (8 * i)));
  }
  w.bytes(value);
  return out;
}

Der concat(std::initializer_list<Bytes> parts) {
  Der out;
  ByteWriter w(out);
  for (Bytes p : parts) w.bytes(p);
  return out;
}

Der sequence(std::initializer_list<Bytes> children) {
  return tlv(tag::kSequence, concat(children));
}

Der integer_from_unsigned(Bytes magnitude) {
  ByteReader r(magnitude);
  uint8_t b;
  ByteReader before = r;
  while (r.u8(b) && b == 0) before = r;
  Bytes digits = before.rest();
  Der body;
  ByteWriter w(body);
  uint8_t first = 0;
  ByteReader peek(digits);
  if (digits.empty() || (peek.u8(first) && (first & 0x80))) w.u8(0);
  w.bytes(digits);
  return tlv(tag::kInteger, body);
}

Der small_integer(uint64_t v) {
  uint8_t be[8];
  for (size_t i = 0; i < 8; ++i) be[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  return integer_from_unsigned(be);
}

Der object_id(Bytes content) { return tlv(tag::kOid, content); }

Der bit_string(Bytes bytes, uint8_t unused_bits) {
  Der body{unused_bits};
  body.insert(body.end(), bytes.begin(), bytes.end());
  return tlv(tag::kBitString, body);
}

Der octet_string(Bytes bytes) { return tlv(tag::kOctetString, bytes); }
Der boolean(bool v) {
  uint8_t b = v ? 0xff : 0x00;
  return tlv(tag::kBoolean, Bytes(&b, 1));
}
Der null() { return tlv(tag::kNull, {}); }
Der utf8_string(std::string_view s) { return tlv(tag::kUtf8String, as_bytes(s)); }
Der ia5_string(std::string_view s) { return tlv(tag::kIa5String, as_bytes(s)); }

Der time(int64_t secs) {
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  // Inverse of days_from_civil.
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  bool utc = y >= 1950 && y <= 2049;
  std::string s;
  auto put = [&s](int64_t v, int width) {
    std::string digits = std::to_string(v);
    while (static_cast<int>(digits.size()) < width) digits.insert(digits.begin(), '0');
    s += digits;
  };
  if (utc) put(y % 100, 2); else put(y, 4);
  put(m, 2);
  put(d, 2);
  put(rem / 3600, 2);
  put(rem / 60 % 60, 2);
  put(rem % 60, 2);
  s += 'Z';
  return tlv(utc ? tag::kUtcTime : tag::kGeneralizedTime, as_bytes(s));
}

Der explicit_tag(unsigned n, Bytes inner) { return tlv(tag::context_constructed(n), inner); }

Bytes as_bytes(std::string_view s) {
  return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string_view as_text(Bytes b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace sluice::pki

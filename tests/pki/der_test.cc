#include <doctest/doctest.h>

#include <vector>

#include "pki/der.h"

namespace sluice::pki {
namespace {

using V = std::vector<uint8_t>;

TEST_CASE("der: short and long definite lengths") {
  V short_form = {0x04, 0x02, 0xaa, 0xbb};
  DerReader r(short_form);
  auto v = r.octet_string();
  REQUIRE(v.ok());
  CHECK(v->size() == 2);
  CHECK(r.empty());

  V long_form = {0x04, 0x81, 0x80};
  long_form.resize(3 + 0x80, 0x11);
  DerReader r2(long_form);
  auto v2 = r2.octet_string();
  REQUIRE(v2.ok());
  CHECK(v2->size() == 0x80);
}

TEST_CASE("der: rejects indefinite, non-minimal and oversized lengths") {
  struct Case {
    V bytes;
    const char* why;
  };
  const Case cases[] = {
      {{0x30, 0x80, 0x00, 0x00}, "der: indefinite length"},
      {{0x04, 0x81, 0x05, 1, 2, 3, 4, 5}, "der: non-minimal length"},   // fits short form
      {{0x04, 0x82, 0x00, 0x85}, "der: non-minimal length"},            // leading zero
      {{0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00}, "der: length too long"},
      {{0x04, 0x05, 1, 2}, "der: truncated value"},
      {{0x04, 0x82, 0x01}, "der: truncated length"},
      {{0x04}, "der: truncated length"},
      {{0x1f, 0x81, 0x01, 0x00}, "der: multi-byte tag"},
  };
  for (const Case& c : cases) {
    DerReader r(c.bytes);
    auto t = r.any();
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().reason == Reason::kBadCertificate);
    CHECK(std::string(t.error().detail) == c.why);
  }
}

TEST_CASE("der: wrong tag and missing element") {
  V b = {0x02, 0x01, 0x05};
  DerReader r(b);
  auto s = r.octet_string();
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.error().detail) == "der: unexpected tag");
  DerReader empty;
  auto m = empty.sequence();
  REQUIRE_FALSE(m.ok());
  CHECK(std::string(m.error().detail) == "der: missing element");
}

TEST_CASE("der: INTEGER minimality and sign") {
  V ok = {0x02, 0x02, 0x00, 0x80};
  DerReader r(ok);
  auto u = r.unsigned_integer();
  REQUIRE(u.ok());
  CHECK(V(u->begin(), u->end()) == V{0x80});

  for (V bad : {V{0x02, 0x02, 0x00, 0x7f}, V{0x02, 0x02, 0xff, 0x80}, V{0x02, 0x00}}) {
    DerReader rb(bad);
    CHECK_FALSE(rb.integer().ok());
  }
  V neg = {0x02, 0x01, 0x80};
  DerReader rn(neg);
  CHECK(rn.integer().ok());
  DerReader rn2(neg);
  CHECK_FALSE(rn2.unsigned_integer().ok());

  V big = {0x02, 0x02, 0x01, 0x00};
  DerReader rs(big);
  CHECK_FALSE(rs.small_uint(255).ok());
  DerReader rs2(big);
  auto v = rs2.small_uint(256);
  REQUIRE(v.ok());
  CHECK(*v == 256);
}

TEST_CASE("der: BOOLEAN accepts only 0x00 and 0xff") {
  for (uint8_t b : {0x00, 0xff}) {
    V e = {0x01, 0x01, b};
    DerReader r(e);
    auto v = r.boolean();
    REQUIRE(v.ok());
    CHECK(*v == (b == 0xff));
  }
  V bad = {0x01, 0x01, 0x01};
  DerReader r(bad);
  CHECK_FALSE(r.boolean().ok());
  V long_bool = {0x01, 0x02, 0xff, 0xff};
  DerReader r2(long_bool);
  CHECK_FALSE(r2.boolean().ok());
}

TEST_CASE("der: BIT STRING unused bits") {
  V ok = {0x03, 0x02, 0x05, 0xa0};  // 101 then 5 zero bits
  DerReader r(ok);
  auto bs = r.bit_string();
  REQUIRE(bs.ok());
  CHECK(bs->unused_bits == 5);
  CHECK(bs->bit(0));
  CHECK_FALSE(bs->bit(1));
  CHECK(bs->bit(2));
  CHECK_FALSE(bs->bit(40));  // beyond the end reads as clear

  DerReader r2(ok);
  CHECK_FALSE(r2.bit_string_bytes().ok());  // keys must be byte aligned

  for (V bad : {V{0x03, 0x02, 0x08, 0x00}, V{0x03, 0x02, 0x01, 0x01}, V{0x03, 0x01, 0x01},
                V{0x03, 0x00}}) {
    DerReader rb(bad);
    CHECK_FALSE(rb.bit_string().ok());
  }
}

TEST_CASE("der: OID and NULL") {
  V good = {0x06, 0x03, 0x55, 0x1d, 0x13};
  DerReader r(good);
  CHECK(r.oid().ok());
  for (V bad : {V{0x06, 0x00}, V{0x06, 0x02, 0x80, 0x01}, V{0x06, 0x02, 0x55, 0x81}}) {
    DerReader rb(bad);
    CHECK_FALSE(rb.oid().ok());
  }
  V null_ok = {0x05, 0x00}, null_bad = {0x05, 0x01, 0x00};
  DerReader rn(null_ok), rnb(null_bad);
  CHECK(rn.null().ok());
  CHECK_FALSE(rnb.null().ok());
}

TEST_CASE("der: times") {
  auto utc = [](const char* s) {
    V v(s, s + std::char_traits<char>::length(s));
    return parse_time(tag::kUtcTime, v);
  };
  auto gen = [](const char* s) {
    V v(s, s + std::char_traits<char>::length(s));
    return parse_time(tag::kGeneralizedTime, v);
  };
  CHECK(*utc("700101000000Z") == 0);
  CHECK(*utc("000229120000Z") == 951825600);   // 2000-02-29, a leap day
  CHECK(*utc("491231235959Z") == 2524607999);  // UTCTime 49 is 2049
  CHECK(*utc("500101000000Z") == -631152000);  // UTCTime 50 is 1950
  CHECK(*gen("20500101000000Z") == 2524608000);
  CHECK(*gen("99991231235959Z") == 253402300799);
  CHECK_FALSE(utc("010229000000Z").ok());   // 2001 is not a leap year
  CHECK_FALSE(gen("21000229000000Z").ok()); // 2100 is not a leap year
  CHECK_FALSE(utc("7001010000Z").ok());     // no seconds
  CHECK_FALSE(utc("700101000000+0100").ok());
  CHECK_FALSE(gen("20500101000000.5Z").ok());
  CHECK_FALSE(utc("701301000000Z").ok());
  CHECK_FALSE(utc("700101240000Z").ok());
  CHECK_FALSE(utc("70010100000aZ").ok());
}

TEST_CASE("der: optional and explicit elements") {
  Der inner = small_integer(2);
  Der seq = sequence({explicit_tag(0, inner), small_integer(7)});
  DerReader top(seq);
  auto body = top.sequence();
  REQUIRE(body.ok());
  auto v = body->optional_explicit(0);
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  CHECK(*(*v)->small_uint(10) == 2);
  auto absent = body->optional_explicit(3);
  REQUIRE(absent.ok());
  CHECK_FALSE(absent->has_value());
  CHECK(*body->small_uint(10) == 7);
  CHECK(body->finish().ok());
  DerReader again(seq);
  auto b2 = again.sequence();
  CHECK_FALSE(b2->finish().ok());
}

TEST_CASE("der: writer round trip") {
  V big(300, 0xab);
  Der enc = sequence({integer_from_unsigned(V{0x00, 0x00, 0x80}), octet_string(big), boolean(true),
                      time(951825600), time(2524608000), bit_string(V{0xf0}, 4)});
  CHECK(enc[1] == 0x82);  // long form for > 255 bytes
  DerReader top(enc);
  auto s = top.sequence();
  REQUIRE(s.ok());
  auto ui = s->unsigned_integer();
  REQUIRE(ui.ok());
  CHECK(V(ui->begin(), ui->end()) == V{0x80});
  CHECK(s->octet_string()->size() == 300);
  CHECK(*s->boolean());
  CHECK(s->peek_tag(tag::kUtcTime));
  CHECK(*s->time() == 951825600);
  CHECK(s->peek_tag(tag::kGeneralizedTime));
  CHECK(*s->time() == 2524608000);
  auto bs = s->bit_string();
  REQUIRE(bs.ok());
  CHECK(bs->unused_bits == 4);
  CHECK(s->finish().ok());
  CHECK(small_integer(0) == V{0x02, 0x01, 0x00});
  CHECK(small_integer(128) == V{0x02, 0x02, 0x00, 0x80});
}

TEST_CASE("der: every truncation of a nested value fails cleanly") {
  Der enc = sequence({small_integer(5), sequence({octet_string(V(200, 1)), null()})});
  for (size_t n = 0; n < enc.size(); ++n) {
    DerReader r(Bytes(enc).first(n));
    auto s = r.sequence();
    CHECK_FALSE(s.ok());
  }
}

}  // namespace
}  // namespace sluice::pki

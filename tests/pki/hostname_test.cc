#include <doctest/doctest.h>

#include "pki/hostname.h"
#include "pki/name_constraints.h"

namespace sluice::pki {
namespace {

using V = std::vector<uint8_t>;

TEST_CASE("hostname: exact and case-insensitive matches") {
  CHECK(dns_name_matches("example.com", "example.com"));
  CHECK(dns_name_matches("Example.COM", "example.com"));
  CHECK(dns_name_matches("example.com", "EXAMPLE.com."));  // absolute reference
  CHECK_FALSE(dns_name_matches("example.com.", "example.com"));  // presented may not end in '.'
  CHECK_FALSE(dns_name_matches("example.com", "example.co"));
  CHECK_FALSE(dns_name_matches("xample.com", "example.com"));
  CHECK_FALSE(dns_name_matches("", ""));
}

TEST_CASE("hostname: wildcards only as the whole left-most label") {
  CHECK(dns_name_matches("*.example.com", "a.example.com"));
  CHECK(dns_name_matches("*.EXAMPLE.com", "A.example.COM"));
  CHECK(dns_name_matches("*.example.com", "xn--bcher-kva.example.com"));
  CHECK_FALSE(dns_name_matches("*.example.com", "example.com"));
  CHECK_FALSE(dns_name_matches("*.example.com", "a.b.example.com"));
  CHECK_FALSE(dns_name_matches("*.example.com", ".example.com"));
  CHECK_FALSE(dns_name_matches("f*o.example.com", "foo.example.com"));
  CHECK_FALSE(dns_name_matches("*o.example.com", "foo.example.com"));
  CHECK_FALSE(dns_name_matches("f*.example.com", "foo.example.com"));
  CHECK_FALSE(dns_name_matches("a.*.example.com", "a.b.example.com"));
  CHECK_FALSE(dns_name_matches("*.*.example.com", "a.b.example.com"));
  CHECK_FALSE(dns_name_matches("*", "com"));
  CHECK_FALSE(dns_name_matches("*.com", "example.com"));  // public-suffix-like
  CHECK_FALSE(dns_name_matches("*.", "a."));
  CHECK_FALSE(dns_name_matches("*.example.com", "*.example.com"));  // the reference has no wildcard
}

TEST_CASE("hostname: reference name syntax") {
  CHECK(is_dns_reference("a-b.example_1.com"));
  CHECK(is_dns_reference("localhost"));
  CHECK_FALSE(is_dns_reference(""));
  CHECK_FALSE(is_dns_reference("."));
  CHECK_FALSE(is_dns_reference("a..b"));
  CHECK_FALSE(is_dns_reference("-a.com"));
  CHECK_FALSE(is_dns_reference("a-.com"));
  CHECK_FALSE(is_dns_reference("a b.com"));
  CHECK_FALSE(is_dns_reference(std::string(64, 'a') + ".com"));
  CHECK(is_dns_reference(std::string(63, 'a') + ".com"));
  CHECK_FALSE(is_dns_reference("1.2.3.4"));
}

TEST_CASE("hostname: IP literals") {
  CHECK(*parse_ip_literal("127.0.0.1") == V{127, 0, 0, 1});
  CHECK(*parse_ip_literal("255.255.255.255") == V{255, 255, 255, 255});
  CHECK_FALSE(parse_ip_literal("256.0.0.1"));
  CHECK_FALSE(parse_ip_literal("01.2.3.4"));  // octal-looking
  CHECK_FALSE(parse_ip_literal("1.2.3"));
  CHECK_FALSE(parse_ip_literal("1.2.3.4.5"));
  CHECK_FALSE(parse_ip_literal("1.2.3.4."));
  V loop(16, 0);
  loop[15] = 1;
  CHECK(*parse_ip_literal("::1") == loop);
  CHECK(*parse_ip_literal("0:0:0:0:0:0:0:1") == loop);
  CHECK(*parse_ip_literal("::") == V(16, 0));
  V mapped(16, 0);
  mapped[10] = mapped[11] = 0xff;
  mapped[12] = 192, mapped[13] = 0, mapped[14] = 2, mapped[15] = 1;
  CHECK(*parse_ip_literal("::ffff:192.0.2.1") == mapped);
  CHECK(parse_ip_literal("2001:DB8::8:800:200C:417A").has_value());
  CHECK_FALSE(parse_ip_literal("1::2::3"));
  CHECK_FALSE(parse_ip_literal("1:2:3:4:5:6:7:8:9"));
  CHECK_FALSE(parse_ip_literal("1:2:3:4:5:6:7"));
  CHECK_FALSE(parse_ip_literal("12345::"));
  CHECK_FALSE(parse_ip_literal("g::"));
  CHECK_FALSE(parse_ip_literal(":1:2:3:4:5:6:7"));
  CHECK_FALSE(parse_ip_literal("1:2:3:4:5:6:7:8::"));
}

TEST_CASE("hostname: verify_hostname never falls back to the CN") {
  Certificate c;
  c.subject_cn = "example.com";
  auto r = verify_hostname(c, "example.com");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().reason == Reason::kCertificateNameMismatch);
  c.has_san = true;
  c.dns_names = {"other.com", "127.0.0.1"};
  CHECK_FALSE(verify_hostname(c, "example.com").ok());
  CHECK_FALSE(verify_hostname(c, "127.0.0.1").ok());  // a dNSName never matches an IP
  const V loopback = {127, 0, 0, 1};  // Certificate fields are views: keep the bytes alive
  c.ip_addresses = {loopback};
  CHECK(verify_hostname(c, "127.0.0.1").ok());
  CHECK(verify_hostname(c, "OTHER.com").ok());
  CHECK_FALSE(verify_hostname(c, "bad name").ok());
}

TEST_CASE("name constraints: DNS subtrees") {
  CHECK(dns_in_subtree("example.com", "example.com"));
  CHECK(dns_in_subtree("a.b.Example.com", "example.COM"));
  CHECK_FALSE(dns_in_subtree("badexample.com", "example.com"));
  CHECK_FALSE(dns_in_subtree("example.com", ".example.com"));
  CHECK(dns_in_subtree("a.example.com", ".example.com"));
  CHECK(dns_in_subtree("anything", ""));

  NameConstraints nc;
  nc.excluded.dns = {"secret.example.com"};
  Certificate c;
  c.dns_names = {"*.example.com"};  // could be secret.example.com
  CHECK_FALSE(check_name_constraints(nc, c).ok());
  c.dns_names = {"*.other.example.com"};
  CHECK(check_name_constraints(nc, c).ok());
  nc.permitted.dns = {"example.com"};
  CHECK(check_name_constraints(nc, c).ok());
  c.dns_names = {"example.org"};
  CHECK_FALSE(check_name_constraints(nc, c).ok());
  nc.permitted.has_unsupported = true;
  c.dns_names = {"example.com"};
  auto r = check_name_constraints(nc, c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().reason == Reason::kUnsupportedCertificate);
}

TEST_CASE("name constraints: IP subnets") {
  // IpSubnet and Certificate fields are views: the bytes live here.
  const V ten_address = {10, 0, 0, 0}, ten_mask = {255, 0, 0, 0};
  const V in_ten = {10, 9, 9, 9}, v6_zero(16, 0);
  IpSubnet ten{ten_address, ten_mask};
  CHECK(ip_in_subnet(V{10, 1, 2, 3}, ten));
  CHECK_FALSE(ip_in_subnet(V{11, 1, 2, 3}, ten));
  CHECK_FALSE(ip_in_subnet(V(16, 0), ten));
  NameConstraints nc;
  nc.permitted.ip = {ten};
  Certificate c;
  c.ip_addresses = {in_ten};
  CHECK(check_name_constraints(nc, c).ok());
  c.ip_addresses.push_back(v6_zero);  // an IPv6 address is outside an IPv4-only permit
  CHECK_FALSE(check_name_constraints(nc, c).ok());
}

}  // namespace
}  // namespace sluice::pki

#include "pki/hostname.h"

#include <algorithm>
#include <array>

namespace sluice::pki {
namespace {

// RFC 1035 §2.3.4 size limits.
constexpr size_t kMaxDnsNameLen = 253;
constexpr size_t kMaxLabelLen = 63;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool valid_label(std::string_view l) {
  if (l.empty() || l.size() > kMaxLabelLen || l.front() == '-' || l.back() == '-') return false;
  return std::all_of(l.begin(), l.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

bool valid_labels(std::string_view s) {
  if (s.empty() || s.size() > kMaxDnsNameLen) return false;
  while (true) {
    size_t dot = s.find('.');
    if (!valid_label(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

// parse_ipv4 fills a fixed array: it runs on every reference name checked
// (is_dns_reference), where a heap call per check would add up.
std::optional<std::array<uint8_t, 4>> parse_ipv4(std::string_view s) {
  std::array<uint8_t, 4> out;
  size_t n = 0;
  while (true) {
    size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    // Leading zeros are refused: some resolvers read them as octal.
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part.front() == '0')) return std::nullopt;
    unsigned v = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 255 || n == out.size()) return std::nullopt;
    out[n++] = static_cast<uint8_t>(v);
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  if (n != out.size()) return std::nullopt;
  return out;
}

// parse_groups reads colon-separated hex groups (each 1..4 digits), with an
// optional dotted-quad tail standing for two groups.
bool parse_groups(std::string_view s, std::vector<uint16_t>& out, bool allow_v4_tail) {
  if (s.empty()) return true;
  while (true) {
    size_t colon = s.find(':');
    std::string_view g = s.substr(0, colon);
    if (colon == std::string_view::npos && allow_v4_tail && g.find('.') != std::string_view::npos) {
      auto v4 = parse_ipv4(g);
      if (!v4) return false;
      out.push_back(static_cast<uint16_t>((*v4)[0] << 8 | (*v4)[1]));
      out.push_back(static_cast<uint16_t>((*v4)[2] << 8 | (*v4)[3]));
      return true;
    }
    if (g.empty() || g.size() > 4) return false;
    unsigned v = 0;
    for (char c : g) {
      int d = c >= '0' && c <= '9' ? c - '0' : lower(c) >= 'a' && lower(c) <= 'f' ? lower(c) - 'a' + 10 : -1;
      if (d < 0) return false;
      v = v << 4 | static_cast<unsigned>(d);
    }
    out.push_back(static_cast<uint16_t>(v));
    if (out.size() > 8) return false;
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
  }
}

std::optional<std::vector<uint8_t>> parse_ipv6(std::string_view s) {
  std::vector<uint16_t> head, tail;
  size_t gap = s.find("::");
  if (gap == std::string_view::npos) {
    if (!parse_groups(s, head, true) || head.size() != 8) return std::nullopt;
  } else {
    if (s.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
    if (!parse_groups(s.substr(0, gap), head, false) || !parse_groups(s.substr(gap + 2), tail, true))
      return std::nullopt;
    if (head.size() + tail.size() > 7) return std::nullopt;
    head.resize(8 - tail.size(), 0);
    head.insert(head.end(), tail.begin(), tail.end());
  }
  std::vector<uint8_t> out;
  for (uint16_t g : head) {
    out.push_back(static_cast<uint8_t>(g >> 8));
    out.push_back(static_cast<uint8_t>(g));
  }
  return out;
}

Error mismatch(const char* detail) { return Error(Reason::kCertificateNameMismatch, detail); }

}  // namespace

std::optional<std::vector<uint8_t>> parse_ip_literal(std::string_view s) {
  if (s.find(':') != std::string_view::npos) return parse_ipv6(s);
  auto v4 = parse_ipv4(s);
  if (!v4) return std::nullopt;
  return std::vector<uint8_t>(v4->begin(), v4->end());
}

bool is_dns_reference(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return valid_labels(s) && !parse_ipv4(s);
}

bool dns_name_matches(std::string_view presented, std::string_view reference) {
  if (!reference.empty() && reference.back() == '.') reference.remove_suffix(1);
  if (!is_dns_reference(reference)) return false;
  if (!presented.starts_with("*.")) return valid_labels(presented) && iequal(presented, reference);
  // RFC 6125 §6.4.3 with the CA/B Forum restriction: the wildcard is the
  // whole left-most label and the rest has at least two labels.
  std::string_view base = presented.substr(2);
  if (!valid_labels(base) || base.find('.') == std::string_view::npos) return false;
  size_t dot = reference.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  return iequal(reference.substr(dot + 1), base);
}

TlsResult<void> verify_hostname(const Certificate& cert, std::string_view server_name) {
  if (!cert.has_san) return Err(mismatch("hostname: no subjectAltName (the subject CN is never used)"));
  if (auto ip = parse_ip_literal(server_name)) {
    for (Bytes a : cert.ip_addresses)
      if (std::ranges::equal(a, *ip)) return {};
    return Err(mismatch("hostname: no iPAddress SAN matches the IP address"));
  }
  if (!is_dns_reference(server_name))
    return Err(mismatch("hostname: server name is not a valid DNS name or IP address"));
  for (std::string_view name : cert.dns_names)
    if (dns_name_matches(name, server_name)) return {};
  return Err(mismatch("hostname: no dNSName SAN matches the server name"));
}

}  // namespace sluice::pki

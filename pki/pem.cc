#include "pki/pem.h"

#include <cstdio>
#include <memory>

namespace sluice::pki {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Error config(const char* detail) { return Error(Reason::kConfiguration, detail); }

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// label_of returns the label of a "-----BEGIN X-----" style line, or an
// empty view when the line does not have that shape.
std::string_view label_of(std::string_view line, std::string_view prefix) {
  if (!line.starts_with(prefix) || !line.ends_with(kDashes)) return {};
  if (line.size() < prefix.size() + kDashes.size()) return {};
  line.remove_prefix(prefix.size());
  line.remove_suffix(kDashes.size());
  return line;
}

}  // namespace

TlsResult<std::vector<uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return Err(config("pem: base64 length not a multiple of 4"));
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    std::string_view quad = text.substr(i, 4);
    bool last = i + 4 == text.size();
    size_t pad = 0;
    if (last && quad[3] == '=') pad = quad[2] == '=' ? 2 : 1;
    uint32_t acc = 0;
    for (size_t j = 0; j < 4; ++j) {
      int v = j >= 4 - pad ? 0 : b64_value(quad[j]);
      if (v < 0) return Err(config("pem: invalid base64 character"));
      acc = acc << 6 | static_cast<uint32_t>(v);
    }
    // Canonical encoding: the bits under the padding are zero.
    if ((pad == 1 && (acc & 0xff)) || (pad == 2 && (acc & 0xffff)))
      return Err(config("pem: non-canonical base64 padding"));
    out.push_back(static_cast<uint8_t>(acc >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>(acc >> 8));
    if (pad < 1) out.push_back(static_cast<uint8_t>(acc));
  }
  return out;
}

std::string base64_encode(Bytes data) {
  std::string out;
  ByteReader r(data);
  while (!r.empty()) {
    size_t n = std::min<size_t>(3, r.remaining());
    uint8_t b[3] = {0, 0, 0};
    if (!r.copy(std::span(b, n))) break;
    uint32_t acc = uint32_t{b[0]} << 16 | uint32_t{b[1]} << 8 | b[2];
    out += kAlphabet[acc >> 18 & 63];
    out += kAlphabet[acc >> 12 & 63];
    out += n > 1 ? kAlphabet[acc >> 6 & 63] : '=';
    out += n > 2 ? kAlphabet[acc & 63] : '=';
  }
  return out;
}

TlsResult<std::vector<PemBlock>> parse_pem(std::string_view text) {
  if (text.size() > kMaxPemInput) return Err(config("pem: input too large"));
  std::vector<PemBlock> blocks;
  bool inside = false;
  std::string label, body;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim_right(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!inside) {
      std::string_view l = label_of(line, kBegin);
      if (l.empty()) {
        if (line.starts_with(kBegin)) return Err(config("pem: malformed BEGIN line"));
        continue;
      }
      if (blocks.size() >= kMaxPemBlocks) return Err(config("pem: too many blocks"));
      inside = true;
      label.assign(l);
      body.clear();
      continue;
    }
    if (line.starts_with(kEnd)) {
      if (label_of(line, kEnd) != label) return Err(config("pem: END label does not match BEGIN"));
      PemBlock b;
      b.label = label;
      b.der = SLUICE_TRY(base64_decode(body));
      if (b.der.empty()) return Err(config("pem: empty block"));
      blocks.push_back(std::move(b));
      inside = false;
      continue;
    }
    if (line.starts_with(kBegin)) return Err(config("pem: BEGIN inside a block"));
    if (line.find(':') != std::string_view::npos)
      return Err(config("pem: headers (encrypted PEM) are not supported"));
    for (char c : line)
      if (b64_value(c) < 0 && c != '=') return Err(config("pem: invalid base64 character"));
    body.append(line);
  }
  if (inside) return Err(config("pem: block without END line"));
  return blocks;
}

TlsResult<std::vector<std::vector<uint8_t>>> pem_certificates(std::string_view text) {
  std::vector<PemBlock> blocks = SLUICE_TRY(parse_pem(text));
  std::vector<std::vector<uint8_t>> certs;
  for (PemBlock& b : blocks)
    if (b.label == "CERTIFICATE") certs.push_back(std::move(b.der));
  if (certs.empty()) return Err(config("pem: no CERTIFICATE block"));
  return certs;
}

std::string pem_encode(std::string_view label, Bytes der) {
  // RFC 7468 §2: generators wrap base64 lines at 64 characters.
  constexpr size_t kLineLen = 64;
  std::string b64 = base64_encode(der);
  std::string out = std::string(kBegin) + std::string(label) + std::string(kDashes) + "\n";
  for (size_t i = 0; i < b64.size(); i += kLineLen) out += b64.substr(i, kLineLen) + "\n";
  out += std::string(kEnd) + std::string(label) + std::string(kDashes) + "\n";
  return out;
}

TlsResult<std::string> read_text_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) return Err(config("pem: cannot open file"));
  std::string out;
  char buf[16384];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    if (out.size() + n > kMaxPemInput) return Err(config("pem: file too large"));
    out.append(buf, n);
  }
  if (std::ferror(f.get())) return Err(config("pem: read error"));
  return out;
}

}  // namespace sluice::pki

#include "tools/sluice/ech.h"

#include <fstream>
#include <sstream>

#include "core/wire/ech.h"
#include "crypto/hpke.h"
#include "pki/pem.h"

namespace sluice::tool {

namespace {

void put16(std::vector<uint8_t>& out, size_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

bool is_base64_text(std::string_view s) {
  bool any = false;
  for (char c : s) {
    const bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                     c == '/' || c == '=';
    if (b64) {
      any = true;
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      return false;
    }
  }
  return any;
}

bool decode_base64_text(std::string_view s, std::vector<uint8_t>& out) {
  std::string compact;
  for (char c : s) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') compact += c;
  }
  auto decoded = pki::base64_decode(compact);
  if (!decoded) return false;
  out = std::move(*decoded);
  return true;
}

}  // namespace

std::vector<uint8_t> make_ech_config(const crypto::Provider& provider, uint8_t config_id,
                                     std::string_view public_name, std::span<const uint8_t> private_key,
                                     uint8_t maximum_name_length) {
  if (public_name.empty() || public_name.size() > 255) return {};
  auto public_key = crypto::hpke_public_key(provider, crypto::kHpkeKemX25519Sha256, private_key);
  if (!public_key) return {};
  // HpkeKeyConfig, then the rest of ECHConfigContents (§4).
  std::vector<uint8_t> contents;
  contents.push_back(config_id);
  put16(contents, crypto::kHpkeKemX25519Sha256);
  put16(contents, public_key->size());
  contents.insert(contents.end(), public_key->begin(), public_key->end());
  constexpr uint16_t kSuites[][2] = {{crypto::kHpkeKdfSha256, crypto::kHpkeAeadAes128Gcm},
                                     {crypto::kHpkeKdfSha256, crypto::kHpkeAeadChaCha20Poly1305}};
  put16(contents, sizeof kSuites / sizeof kSuites[0] * 4);
  for (const auto& [kdf, aead] : kSuites) {
    put16(contents, kdf);
    put16(contents, aead);
  }
  contents.push_back(maximum_name_length);
  contents.push_back(static_cast<uint8_t>(public_name.size()));
  contents.insert(contents.end(), public_name.begin(), public_name.end());
  put16(contents, 0);  // no extensions
  std::vector<uint8_t> config;
  put16(config, wire::kEchConfigVersion);
  put16(config, contents.size());
  config.insert(config.end(), contents.begin(), contents.end());
  return config;
}

std::vector<uint8_t> ech_config_list(std::span<const std::vector<uint8_t>> configs) {
  size_t total = 0;
  for (const auto& c : configs) total += c.size();
  std::vector<uint8_t> list;
  put16(list, total);
  for (const auto& c : configs) list.insert(list.end(), c.begin(), c.end());
  return list;
}

bool read_ech_input(std::string_view option, const std::string& value, bool inline_base64, std::vector<uint8_t>& out,
                    std::string& out_error) {
  std::ifstream in(value, std::ios::binary);
  if (!in) {
    if (inline_base64 && is_base64_text(value) && decode_base64_text(value, out)) return true;
    out_error = "-" + std::string(option) + ": cannot read " + value +
                (inline_base64 ? " (and it is not base64 either)" : "");
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  if (data.empty()) {
    out_error = "-" + std::string(option) + ": " + value + " is empty";
    return false;
  }
  // A binary ECHConfig, list or X25519 key is all but never made only of
  // base64 characters; text that is must be base64.
  if (is_base64_text(data)) {
    if (decode_base64_text(data, out)) return true;
    out_error = "-" + std::string(option) + ": " + value + " looks like base64 but does not decode";
    return false;
  }
  out.assign(data.begin(), data.end());
  return true;
}

bool write_binary(std::string_view option, const std::string& path, std::span<const uint8_t> data,
                  std::string& out_error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    out_error = "-" + std::string(option) + ": cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace sluice::tool

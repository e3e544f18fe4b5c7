#include "core/ech.h"

#include <algorithm>
#include <string_view>

#include "core/wire/extensions.h"

namespace sluice {
namespace {

using wire::RawExtension;

// hello_extensions splits a whole ClientHello message of our own making
// into its fixed part (handshake header excluded) and its extensions.
Bytes hello_extensions(Bytes message, std::vector<RawExtension>& out) {
  return wire::split_client_hello(message.subspan(wire::kHandshakeHeaderLen), out).value_or(Bytes());
}

}  // namespace

std::vector<uint8_t> ech_info(const wire::EchConfig& config) {
  constexpr std::string_view kLabel = "tls ech";
  std::vector<uint8_t> info(kLabel.begin(), kLabel.end());
  info.push_back(0);
  info.insert(info.end(), config.raw.begin(), config.raw.end());
  return info;
}

std::vector<uint8_t> ech_aad(Bytes outer_body, const wire::EchExtension& ech) {
  std::vector<uint8_t> aad(outer_body.begin(), outer_body.end());
  std::fill_n(aad.begin() + static_cast<ptrdiff_t>(ech.payload_offset), ech.payload.size(), 0);
  return aad;
}

std::optional<EchChoice> choose_ech_config(const crypto::Provider& p, Bytes list) {
  auto configs = wire::parse_ech_config_list(list);
  if (!configs.ok()) return std::nullopt;
  for (wire::EchConfig& c : *configs) {
    if (c.kem_id != crypto::kHpkeKemX25519Sha256 || c.has_unknown_mandatory_extension ||
        !wire::is_valid_ech_public_name(c.public_name)) {
      continue;
    }
    for (const wire::EchCipherSuite s : c.cipher_suites) {
      if (crypto::hpke_supported(p, {s.kdf, s.aead})) return EchChoice{std::move(c), s};
    }
  }
  return std::nullopt;
}

std::vector<uint8_t> encode_client_hello_inner(Bytes inner, Bytes outer) {
  std::vector<RawExtension> inner_exts, outer_exts;
  const Bytes fixed = hello_extensions(inner, inner_exts);
  (void)hello_extensions(outer, outer_exts);
  auto in_outer = [&](const RawExtension& e) {
    if (e.type == static_cast<uint16_t>(wire::ExtensionType::kServerName)) return false;
    return std::any_of(outer_exts.begin(), outer_exts.end(), [&](const RawExtension& o) {
      return o.type == e.type && std::equal(o.whole.begin(), o.whole.end(), e.whole.begin(), e.whole.end());
    });
  };
  std::vector<uint8_t> out;
  out.reserve(inner.size() + 64);
  ByteWriter w(out);
  // The fixed part, with the session id empty.
  ByteReader r(fixed);
  Bytes version_random;
  ByteReader sid;
  (void)r.bytes(2 + wire::kRandomLen, version_random);
  (void)r.prefixed8(sid);
  w.bytes(version_random);
  w.u8(0);
  w.bytes(r.rest());
  {
    auto block = w.prefix16();
    bool compressed = false;
    for (const RawExtension& e : inner_exts) {
      if (!in_outer(e)) {
        w.bytes(e.whole);
        continue;
      }
      if (compressed) continue;
      // One ech_outer_extensions, where the first compressed extension
      // was, lists them all: both hellos come from one serializer, so the
      // order is the outer one's.
      compressed = true;
      wire::ExtensionWriter ext(w, wire::ExtensionType::kEchOuterExtensions);
      auto list = w.prefix8();
      for (const RawExtension& c : inner_exts) {
        if (in_outer(c)) w.u16(c.type);
      }
    }
  }
  return out;
}

void pad_client_hello_inner(std::vector<uint8_t>& encoded, size_t server_name_len, uint8_t maximum_name_length) {
  // The name to maximum_name_length (or its absence hidden as a name would
  // be), then the whole to a multiple of 32.
  size_t padding = server_name_len ? (maximum_name_length > server_name_len ? maximum_name_length - server_name_len : 0)
                                   : maximum_name_length + 9u;
  const size_t len = encoded.size() + padding;
  padding += 31 - ((len + 31) % 32);
  encoded.insert(encoded.end(), padding, 0);
}

}  // namespace sluice

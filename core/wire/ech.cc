#include "core/wire/ech.h"

#include <algorithm>

#include "core/wire/hello.h"
#include "core/wire/types.h"

namespace sluice::wire {
namespace {

Error decode(const char* what) { return Error(Reason::kDecodeError, what); }

}  // namespace

TlsResult<std::optional<EchConfig>> parse_ech_config(ByteReader& r) {
  const Bytes start = r.rest();
  uint16_t version;
  ByteReader contents;
  if (!r.u16(version) || !r.prefixed16(contents)) return Err(decode("ECHConfig"));
  if (version != kEchConfigVersion) return std::optional<EchConfig>();
  EchConfig c;
  c.raw.assign(start.begin(), start.begin() + static_cast<ptrdiff_t>(start.size() - r.remaining()));
  ByteReader key, suites, name, exts;
  if (!contents.u8(c.config_id) || !contents.u16(c.kem_id) || !contents.vec16(1, 0xffff, key) ||
      !contents.vec16(4, 0xfffc, suites) || suites.remaining() % 4 || !contents.u8(c.maximum_name_length) ||
      !contents.vec8(1, 255, name) || !contents.prefixed16(exts) || !contents.empty()) {
    return Err(decode("ECHConfig contents"));
  }
  c.public_key.assign(key.rest().begin(), key.rest().end());
  EchCipherSuite s;
  while (suites.u16(s.kdf) && suites.u16(s.aead)) c.cipher_suites.push_back(s);
  c.public_name.assign(name.rest().begin(), name.rest().end());
  while (!exts.empty()) {
    uint16_t type;
    ByteReader body;
    if (!exts.u16(type) || !exts.prefixed16(body)) return Err(decode("ECHConfig extension"));
    if (type & 0x8000) c.has_unknown_mandatory_extension = true;
  }
  return std::optional<EchConfig>(std::move(c));
}

TlsResult<std::vector<EchConfig>> parse_ech_config_list(Bytes list) {
  ByteReader r(list), configs;
  if (!r.vec16(4, 0xffff, configs) || !r.empty()) return Err(decode("ECHConfigList"));
  std::vector<EchConfig> out;
  while (!configs.empty()) {
    auto c = SLUICE_TRY(parse_ech_config(configs));
    if (c) out.push_back(std::move(*c));
  }
  return out;
}

TlsResult<std::vector<uint8_t>> decode_client_hello_inner(Bytes encoded, Bytes outer_body) {
  // The outer hello's session id and extensions.
  std::vector<RawExtension> available;
  const std::optional<Bytes> outer_fixed = split_client_hello(outer_body, available);
  ByteReader outer(outer_fixed.value_or(Bytes())), outer_sid;
  uint16_t version;
  if (!outer_fixed || !outer.u16(version) || !outer.skip(kRandomLen) || !outer.prefixed8(outer_sid)) {
    return Err(decode("ClientHelloOuter"));
  }

  ByteReader r(encoded), sid, suites, compression, exts;
  if (!r.u16(version) || !r.skip(kRandomLen) || !r.vec8(0, 32, sid) || !r.prefixed16(suites) ||
      !r.prefixed8(compression) || !r.prefixed16(exts)) {
    return Err(decode("EncodedClientHelloInner"));
  }
  // §5.1: the encoded hello's session id is empty; the outer one's is used.
  if (!sid.empty()) return Err(Error(Reason::kInvalidClientHelloInner, "EncodedClientHelloInner session id"));
  // §6.1.3: the padding is zeros. A server that took anything else would
  // let a client smuggle bytes past the AEAD's checks of the hello's shape.
  const Bytes padding = r.rest();
  if (std::any_of(padding.begin(), padding.end(), [](uint8_t b) { return b != 0; })) {
    Error e(Reason::kDecodeError, "EncodedClientHelloInner padding");
    e.alert = Alert::kIllegalParameter;
    return Err(e);
  }

  std::vector<uint8_t> out;
  out.reserve(encoded.size() + outer_body.size());
  ByteWriter w(out);
  const size_t fixed_len = 2 + kRandomLen;
  w.bytes(encoded.first(fixed_len));
  {
    auto p = w.prefix8();
    w.bytes(outer_sid.rest());
  }
  {
    auto p = w.prefix16();
    w.bytes(suites.rest());
  }
  {
    auto p = w.prefix8();
    w.bytes(compression.rest());
  }
  {
    auto block = w.prefix16();
    size_t next_outer = 0;  // references must follow the outer hello's order
    bool expanded = false;
    while (!exts.empty()) {
      const Bytes at = exts.rest();
      uint16_t type;
      ByteReader body;
      if (!exts.u16(type) || !exts.prefixed16(body)) return Err(decode("EncodedClientHelloInner extension"));
      if (type != static_cast<uint16_t>(ExtensionType::kEchOuterExtensions)) {
        w.bytes(at.first(at.size() - exts.remaining()));
        continue;
      }
      if (expanded) return Err(decode("two ech_outer_extensions"));
      expanded = true;
      ByteReader refs;
      if (!body.vec8(2, 254, refs) || refs.remaining() % 2 || !body.empty()) {
        return Err(decode("ech_outer_extensions"));
      }
      uint16_t ref;
      while (refs.u16(ref)) {
        if (ref == static_cast<uint16_t>(ExtensionType::kEncryptedClientHello)) {
          return Err(Error(Reason::kInvalidOuterExtension, "ech_outer_extensions names encrypted_client_hello"));
        }
        while (next_outer < available.size() && available[next_outer].type != ref) ++next_outer;
        // Missing, out of order or named twice: the outer hello has no
        // such extension from here on.
        if (next_outer == available.size()) {
          return Err(Error(Reason::kInvalidOuterExtension, "ech_outer_extensions names no outer extension in order"));
        }
        w.bytes(available[next_outer++].whole);
      }
    }
  }
  if (!w.ok()) return Err(decode("ClientHelloInner too long"));
  return out;
}

bool is_valid_ech_public_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  size_t label_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && name[i] != '.') {
      const char c = name[i];
      const bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ldh) return false;
      continue;
    }
    const size_t len = i - label_start;
    if (len == 0 || len > 63) return false;
    if (i < name.size()) label_start = i + 1;
  }
  // §6.1.7: a last label that is a number (decimal, or 0x hex) would make
  // the name an IPv4 address to some parsers.
  const std::string_view last = name.substr(label_start);
  auto all = [](std::string_view s, auto pred) { return !s.empty() && std::all_of(s.begin(), s.end(), pred); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  if (all(last, digit)) return false;
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') &&
      (last.size() == 2 || all(last.substr(2), hex))) {
    return false;
  }
  return true;
}

}  // namespace sluice::wire

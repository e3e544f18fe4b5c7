#include "tools/sluice/options.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "compression/zlib_certificate.h"
#include "core/modes.h"
#include "core/suites.h"

namespace sluice::tool {

namespace {

constexpr OptionSpec kCommon[] = {
    {"tls1_2", "", "TLS 1.2 only"},
    {"tls1_3", "", "TLS 1.3 only"},
    {"min_protocol", "VER", "lowest version: TLSv1.2 or TLSv1.3"},
    {"max_protocol", "VER", "highest version: TLSv1.2 or TLSv1.3"},
    {"ciphersuites", "LIST", "TLS 1.3 suites, e.g. TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"},
    {"cipher", "LIST", "TLS 1.2 suites, openssl or RFC names, e.g. ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"groups", "LIST", "key exchange groups: x25519, secp256r1 (P-256), secp384r1 (P-384), secp521r1 (P-521)"},
    {"sigalgs", "LIST", "signature schemes, e.g. ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256:ed25519"},
    {"alpn", "LIST", "ALPN protocols in preference order, e.g. h2,http/1.1"},
    {"mode", "LIST",
     "modes: partial_write, moving_buffer, auto_retry, release_buffers, fallback_scsv, async"},
    {"record_size_limit", "N", "send record_size_limit N (64..16385, RFC 8449)"},
    {"padding", "N", "pad protected records to a multiple of N bytes (TLS 1.3)"},
    {"max_send_frag", "N", "put at most N bytes (512..16384) of plaintext in a record"},
    {"allow_no_ems", "", "TLS 1.2: accept a peer without the extended master secret (RFC 7627), with RFC 5246's "
                         "master secret, open to the triple handshake (default: refused, handshake_failure)"},
    {"key_update_interval", "N", "TLS 1.3: send a KeyUpdate after every N records under one key (default: the AEAD's limit)"},
    {"cert_comp", "LIST", "certificate compression (RFC 8879, TLS 1.3): zlib; offered to the peer and used to send ours"},
    {"max_cert_decomp", "N", "the largest certificate accepted compressed, decompressed (default 65536, at most 262144)"},
    {"keymatexport", "LABEL", "after each handshake, export keying material for LABEL (RFC 5705 / RFC 8446 §7.5)"},
    {"keymatexportlen", "N", "export N bytes (1..8160; default 20)"},
    {"keylogfile", "FILE", "append NSS key log lines to FILE (SSLKEYLOGFILE is honoured too)"},
    {"msg", "", "one line per handshake message and alert, each direction (stderr)"},
    {"trace", "", "-msg with the main fields: hellos' versions, suites, groups, ALPN, SNI, session id, cookie, "
              "ECH, GREASE, compress_certificate; EncryptedExtensions; certificate subjects and staples, "
              "CompressedCertificate; alert levels"},
    {"quiet", "", "no report and no received data echoed to the terminal"},
    {"brief", "", "a short report: version, suite, group, resumption"},
    {"help", "", "this list"},
};

constexpr std::pair<std::string_view, long> kModeNames[] = {
    {"partial_write", kModeEnablePartialWrite}, {"moving_buffer", kModeAcceptMovingWriteBuffer},
    {"auto_retry", kModeAutoRetry},             {"release_buffers", kModeReleaseBuffers},
    {"fallback_scsv", kModeSendFallbackScsv},   {"async", kModeAsync},
};

constexpr crypto::SignatureScheme kSchemes[] = {
    crypto::SignatureScheme::kEcdsaSecp256r1Sha256, crypto::SignatureScheme::kEcdsaSecp384r1Sha384,
    crypto::SignatureScheme::kEcdsaSecp521r1Sha512, crypto::SignatureScheme::kEd25519,
    crypto::SignatureScheme::kRsaPssRsaeSha256,     crypto::SignatureScheme::kRsaPssRsaeSha384,
    crypto::SignatureScheme::kRsaPssRsaeSha512,     crypto::SignatureScheme::kRsaPssPssSha256,
    crypto::SignatureScheme::kRsaPssPssSha384,      crypto::SignatureScheme::kRsaPssPssSha512,
    crypto::SignatureScheme::kRsaPkcs1Sha256,       crypto::SignatureScheme::kRsaPkcs1Sha384,
    crypto::SignatureScheme::kRsaPkcs1Sha512,
};

std::string joined_names(std::span<const std::string> names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

const std::span<const OptionSpec> kCommonSpec(kCommon);

std::vector<OptionSpec> with_common(std::span<const OptionSpec> own) {
  std::vector<OptionSpec> s(own.begin(), own.end());
  s.insert(s.end(), kCommonSpec.begin(), kCommonSpec.end());
  return s;
}

std::optional<Options> Options::parse(std::span<const std::string_view> args, std::span<const OptionSpec> spec,
                                      std::string& out_error) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const OptionSpec* found = nullptr;
    if (a.size() > 1 && a[0] == '-') {
      std::string_view bare = a.substr(a[1] == '-' ? 2 : 1);  // --help works too
      for (const auto& s : spec) {
        if (s.name == bare) found = &s;
      }
    }
    if (!found) {
      out_error = "unknown option '" + std::string(a) + "' (-help lists them)";
      return std::nullopt;
    }
    std::string value;
    if (!found->arg.empty()) {
      if (i + 1 >= args.size()) {
        out_error = "option '" + std::string(a) + "' needs a value (" + std::string(found->arg) + ")";
        return std::nullopt;
      }
      value = std::string(args[++i]);
    }
    o.values_.emplace_back(std::string(found->name), std::move(value));
  }
  return o;
}

bool Options::has(std::string_view name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return true;
  }
  return false;
}

std::string Options::get(std::string_view name, std::string fallback) const {
  for (auto it = values_.rbegin(); it != values_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return fallback;
}

std::vector<std::string> Options::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : values_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

std::string usage(std::string_view command, std::string_view synopsis, std::span<const OptionSpec> spec) {
  std::string s = "usage: sluice " + std::string(command) + " " + std::string(synopsis) + "\n";
  for (const auto& o : spec) {
    std::string left = " -" + std::string(o.name);
    if (!o.arg.empty()) left += " " + std::string(o.arg);
    if (left.size() < 26) left.resize(26, ' ');
    s += left + " " + std::string(o.help) + "\n";
  }
  return s;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t sep = s.find_first_of(",:");
    const std::string_view item = s.substr(0, sep);
    if (!item.empty()) out.emplace_back(item);
    if (sep == std::string_view::npos) break;
    s.remove_prefix(sep + 1);
  }
  return out;
}

std::optional<uint64_t> parse_number(std::string_view s, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < min || v > max) return std::nullopt;
  return v;
}

std::optional<uint16_t> parse_port(std::string_view s) {
  auto v = parse_number(s, 1, 65535);
  if (!v) return std::nullopt;
  return static_cast<uint16_t>(*v);
}

bool read_option_file(std::string_view option, const std::string& path, std::string& out, std::string& out_error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out_error = "-" + std::string(option) + ": cannot read " + path;
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::optional<std::vector<crypto::Group>> parse_groups(std::string_view s, std::string& out_error) {
  std::vector<crypto::Group> out;
  for (const auto& g : split_list(s)) {
    if (g == "x25519" || g == "X25519") {
      out.push_back(crypto::Group::kX25519);
    } else if (g == "secp256r1" || g == "P-256" || g == "prime256v1") {
      out.push_back(crypto::Group::kSecp256r1);
    } else if (g == "secp384r1" || g == "P-384") {
      out.push_back(crypto::Group::kSecp384r1);
    } else if (g == "secp521r1" || g == "P-521") {
      out.push_back(crypto::Group::kSecp521r1);
    } else {
      out_error = "-groups: unknown group '" + g + "' (x25519, secp256r1, secp384r1, secp521r1)";
      return std::nullopt;
    }
  }
  if (out.empty()) {
    out_error = "-groups: empty list";
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<crypto::SignatureScheme>> parse_sigalgs(std::string_view s, std::string& out_error) {
  std::vector<crypto::SignatureScheme> out;
  for (const auto& item : split_list(s)) {
    bool found = false;
    for (auto scheme : kSchemes) {
      if (crypto::name(scheme) == item) {
        out.push_back(scheme);
        found = true;
      }
    }
    if (!found) {
      std::vector<std::string> known;
      for (auto scheme : kSchemes) known.emplace_back(crypto::name(scheme));
      out_error = "-sigalgs: unknown signature scheme '" + item + "' (" + joined_names(known) + ")";
      return std::nullopt;
    }
  }
  if (out.empty()) {
    out_error = "-sigalgs: empty list";
    return std::nullopt;
  }
  return out;
}

std::optional<long> parse_modes(std::string_view s, std::string& out_error) {
  long bits = 0;
  for (const auto& item : split_list(s)) {
    bool found = false;
    for (const auto& [name, bit] : kModeNames) {
      if (name == item) {
        bits |= bit;
        found = true;
      }
    }
    if (!found) {
      std::vector<std::string> known;
      for (const auto& [name, bit] : kModeNames) known.emplace_back(name);
      out_error = "-mode: unknown mode '" + item + "' (" + joined_names(known) + ")";
      return std::nullopt;
    }
  }
  return bits;
}

std::optional<uint16_t> parse_version(std::string_view option, std::string_view s, std::string& out_error) {
  if (s == "TLSv1.2" || s == "1.2" || s == "tls1_2") return wire::kTls12;
  if (s == "TLSv1.3" || s == "1.3" || s == "tls1_3") return wire::kTls13;
  out_error = "-" + std::string(option) + ": unknown version '" + std::string(s) + "' (TLSv1.2, TLSv1.3)";
  return std::nullopt;
}

std::string openssl_suite_name(uint16_t suite) {
  const auto info = suite_info(suite);
  if (!info) return "";
  std::string n = info->name;
  if (info->version == wire::kTls13) return n;
  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 -> ECDHE-RSA-AES128-GCM-SHA256;
  // the CHACHA20_POLY1305 suites drop their PRF hash in openssl's names.
  auto replace = [&n](std::string_view from, std::string_view to) {
    if (auto at = n.find(from); at != std::string::npos) n.replace(at, from.size(), to);
  };
  replace("TLS_", "");
  replace("_WITH_", "-");
  replace("AES_128", "AES128");
  replace("AES_256", "AES256");
  replace("POLY1305_SHA256", "POLY1305");
  for (char& c : n) {
    if (c == '_') c = '-';
  }
  return n;
}

std::optional<std::vector<wire::CipherSuite>> parse_suites(std::string_view option, std::string_view s,
                                                           uint16_t version, std::string& out_error) {
  std::vector<wire::CipherSuite> out;
  for (const auto& item : split_list(s)) {
    bool found = false;
    for (const auto& info : all_suites()) {
      if (info.version == version && (item == info.name || item == openssl_suite_name(info.id))) {
        out.push_back(static_cast<wire::CipherSuite>(info.id));
        found = true;
      }
    }
    if (!found) {
      std::vector<std::string> known;
      for (const auto& info : all_suites()) {
        if (info.version == version) known.push_back(openssl_suite_name(info.id));
      }
      out_error = "-" + std::string(option) + ": unknown " + (version == wire::kTls13 ? "TLS 1.3" : "TLS 1.2") +
                  " suite '" + item + "' (" + joined_names(known) + ")";
      return std::nullopt;
    }
  }
  if (out.empty()) {
    out_error = "-" + std::string(option) + ": empty list";
    return std::nullopt;
  }
  return out;
}

bool apply_common(const Options& opts, Context& ctx, std::string& out_error) {
  if (opts.has("tls1_2") && opts.has("tls1_3")) {
    out_error = "-tls1_2 and -tls1_3 together: use -min_protocol/-max_protocol for a range";
    return false;
  }
  if (opts.has("tls1_2")) {
    ctx.set_min_version(wire::kTls12);
    ctx.set_max_version(wire::kTls12);
  }
  if (opts.has("tls1_3")) {
    ctx.set_min_version(wire::kTls13);
    ctx.set_max_version(wire::kTls13);
  }
  for (const char* o : {"min_protocol", "max_protocol"}) {
    if (!opts.has(o)) continue;
    auto v = parse_version(o, opts.get(o), out_error);
    if (!v) return false;
    if (o[1] == 'i') {
      ctx.set_min_version(*v);
    } else {
      ctx.set_max_version(*v);
    }
  }
  if (ctx.policy().min_version > ctx.policy().max_version) {
    out_error = "-min_protocol is above -max_protocol";
    return false;
  }
  if (opts.has("ciphersuites") || opts.has("cipher")) {
    // As in openssl, -ciphersuites sets the TLS 1.3 list and -cipher the
    // TLS 1.2 one; the other keeps every suite sluice has.
    std::vector<wire::CipherSuite> suites;
    for (uint16_t version : {wire::kTls13, wire::kTls12}) {
      const char* option = version == wire::kTls13 ? "ciphersuites" : "cipher";
      if (opts.has(option)) {
        auto s = parse_suites(option, opts.get(option), version, out_error);
        if (!s) return false;
        suites.insert(suites.end(), s->begin(), s->end());
      } else {
        for (const auto& info : all_suites()) {
          if (info.version == version) suites.push_back(static_cast<wire::CipherSuite>(info.id));
        }
      }
    }
    ctx.set_cipher_suites(std::move(suites));
  }
  if (opts.has("groups")) {
    auto g = parse_groups(opts.get("groups"), out_error);
    if (!g) return false;
    ctx.set_groups(std::move(*g));
  }
  if (opts.has("sigalgs")) {
    auto s = parse_sigalgs(opts.get("sigalgs"), out_error);
    if (!s) return false;
    ctx.set_signature_schemes(std::move(*s));
  }
  if (opts.has("alpn")) {
    auto protocols = split_list(opts.get("alpn"));
    for (const auto& p : protocols) {
      if (p.size() > 255) {
        out_error = "-alpn: protocol '" + p.substr(0, 20) + "...' is longer than 255 bytes";
        return false;
      }
    }
    ctx.set_alpn(std::move(protocols));
  }
  if (opts.has("mode")) {
    auto bits = parse_modes(opts.get("mode"), out_error);
    if (!bits) return false;
    ctx.set_mode(*bits);
  }
  if (opts.has("record_size_limit")) {
    auto n = parse_number(opts.get("record_size_limit"), 64, 16385);
    if (!n) {
      out_error = "-record_size_limit: '" + opts.get("record_size_limit") + "' is not in 64..16385";
      return false;
    }
    ctx.set_record_size_limit(static_cast<uint16_t>(*n));
  }
  if (opts.has("max_send_frag")) {
    auto n = parse_number(opts.get("max_send_frag"), 512, 16384);
    if (!n) {
      out_error = "-max_send_frag: '" + opts.get("max_send_frag") + "' is not in 512..16384";
      return false;
    }
    ctx.set_max_send_fragment(*n);
  }
  if (opts.has("key_update_interval")) {
    auto n = parse_number(opts.get("key_update_interval"), 1, uint64_t{1} << 62);
    if (!n) {
      out_error = "-key_update_interval: '" + opts.get("key_update_interval") + "' is not a positive number of records";
      return false;
    }
    ctx.set_key_update_interval(*n);
  }
  for (const auto& algorithm : split_list(opts.get("cert_comp"))) {
    if (algorithm != "zlib") {
      out_error = "-cert_comp: unknown algorithm '" + algorithm + "' (zlib)";
      return false;
    }
    if (!ctx.add_certificate_compression(compression::zlib_certificate_compression())) {
      out_error = "-cert_comp: zlib named twice";
      return false;
    }
  }
  if (opts.has("max_cert_decomp")) {
    auto n = parse_number(opts.get("max_cert_decomp"), 1, 256 * 1024);
    if (!n) {
      out_error = "-max_cert_decomp: '" + opts.get("max_cert_decomp") + "' is not in 1..262144";
      return false;
    }
    ctx.set_max_decompressed_certificate(*n);
  }
  if (opts.has("allow_no_ems")) ctx.set_require_extended_master_secret(false);
  if (opts.has("padding")) {
    auto n = parse_number(opts.get("padding"), 1, 16384);
    if (!n) {
      out_error = "-padding: '" + opts.get("padding") + "' is not in 1..16384";
      return false;
    }
    ctx.set_record_padding(*n);
  }
  return true;
}

std::optional<ExportRequest> parse_export(const Options& opts, std::string& out_error) {
  if (!opts.has("keymatexport")) {
    if (opts.has("keymatexportlen")) out_error = "-keymatexportlen without -keymatexport LABEL";
    return std::nullopt;
  }
  ExportRequest e{opts.get("keymatexport"), 20};
  if (opts.has("keymatexportlen")) {
    // 255 hash lengths is HKDF-Expand's most with SHA-256 (TLS 1.3); the
    // TLS 1.2 PRF has no bound, but one range keeps the option simple.
    auto n = parse_number(opts.get("keymatexportlen"), 1, 8160);
    if (!n) {
      out_error = "-keymatexportlen: '" + opts.get("keymatexportlen") + "' is not in 1..8160";
      return std::nullopt;
    }
    e.length = *n;
  }
  return e;
}

}  // namespace sluice::tool

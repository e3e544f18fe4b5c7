// sluice ech_keygen: a fresh ECH key and the ECHConfig that publishes it,
// for s_server -ech_key/-ech_config and s_client -ech_config_list. The
// files are binary, as BoringSSL's `bssl generate-ech` writes them; the
// ECHConfigList is also printed in base64, as a DNS HTTPS record's "ech"
// parameter shows it.
#include <cstdio>
#include <string>
#include <vector>

#include "crypto/composite/composite_provider.h"
#include "pki/pem.h"
#include "tools/sluice/ech.h"
#include "tools/sluice/options.h"
#include "tools/sluice/tool.h"

namespace sluice::tool {

namespace {

constexpr OptionSpec kKeygenSpec[] = {
    {"public_name", "NAME", "the name the ClientHelloOuter carries (and whose certificate a declining server shows)"},
    {"config_id", "N", "the config's id, 0..255 (default 0); keys sharing one are tried in turn"},
    {"max_name_length", "N", "the longest inner server name to pad for, 0..255 (default 32)"},
    {"out_key", "FILE", "write the 32-byte X25519 private key (binary) for s_server -ech_key"},
    {"out_config", "FILE", "write the ECHConfig (binary) for s_server -ech_config"},
    {"out_list", "FILE", "write an ECHConfigList of it (binary) for s_client -ech_config_list"},
    {"help", "", "this list"},
};

constexpr std::string_view kSynopsis =
    "-public_name NAME -out_key FILE (-out_config FILE | -out_list FILE) [options]\n"
    "Makes an X25519 key and its ECHConfig (draft-ietf-tls-esni-18, version 0xfe0d, HKDF-SHA256 with\n"
    "AES-128-GCM or ChaCha20-Poly1305) and prints the ECHConfigList in base64 on stdout.";

void say(const char* fmt, const std::string& s) { std::fprintf(stderr, fmt, s.c_str()); }

}  // namespace

int ech_keygen(std::span<const std::string_view> args) {
  const std::span<const OptionSpec> spec(kKeygenSpec);
  std::string err;
  auto opts = Options::parse(args, spec, err);
  if (!opts) {
    say("sluice ech_keygen: %s\n", err);
    return 2;
  }
  if (opts->has("help")) {
    std::fputs(usage("ech_keygen", kSynopsis, spec).c_str(), stdout);
    return 0;
  }
  if (!opts->has("public_name") || !opts->has("out_key") || !(opts->has("out_config") || opts->has("out_list"))) {
    say("sluice ech_keygen: %s\n", "-public_name, -out_key and -out_config or -out_list are required (-help)");
    return 2;
  }
  const std::string public_name = opts->get("public_name");
  if (public_name.empty() || public_name.size() > 255) {
    say("sluice ech_keygen: -public_name: '%s' is not 1..255 bytes\n", public_name);
    return 2;
  }
  auto config_id = parse_number(opts->get("config_id", "0"), 0, 255);
  if (!config_id) {
    say("sluice ech_keygen: -config_id: '%s' is not in 0..255\n", opts->get("config_id"));
    return 2;
  }
  auto max_name = parse_number(opts->get("max_name_length", "32"), 0, 255);
  if (!max_name) {
    say("sluice ech_keygen: -max_name_length: '%s' is not in 0..255\n", opts->get("max_name_length"));
    return 2;
  }
  auto provider = crypto::default_provider();
  std::vector<uint8_t> private_key(32);
  if (!provider->random(private_key).ok()) {
    say("sluice ech_keygen: %s\n", "no random bytes from the provider");
    return 1;
  }
  const auto config = make_ech_config(*provider, static_cast<uint8_t>(*config_id), public_name, private_key,
                                      static_cast<uint8_t>(*max_name));
  if (config.empty()) {
    say("sluice ech_keygen: %s\n", "the provider has no X25519 for HPKE");
    return 1;
  }
  const std::vector<std::vector<uint8_t>> configs = {config};
  const auto list = ech_config_list(configs);
  if (!write_binary("out_key", opts->get("out_key"), private_key, err) ||
      (opts->has("out_config") && !write_binary("out_config", opts->get("out_config"), config, err)) ||
      (opts->has("out_list") && !write_binary("out_list", opts->get("out_list"), list, err))) {
    say("sluice ech_keygen: %s\n", err);
    return 1;
  }
  std::printf("%s\n", pki::base64_encode(list).c_str());
  return 0;
}

}  // namespace sluice::tool

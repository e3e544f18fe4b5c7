// Options: "-name value" and "-flag" arguments in the manner of openssl's
// tools, checked against the table a subcommand accepts. The table also
// holds each option's help line, so `-help` lists exactly what parses.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/context.h"
#include "crypto/algorithms.h"

namespace sluice::tool {

struct OptionSpec {
  std::string_view name;  // without the leading '-'
  std::string_view arg;   // the value's placeholder ("FILE"); empty: a flag
  std::string_view help;
};

class Options {
 public:
  // parse fills the options or returns a message naming the bad argument.
  // Options may repeat (-cert/-key pairs); get() returns the last value.
  [[nodiscard]] static std::optional<Options> parse(std::span<const std::string_view> args,
                                                    std::span<const OptionSpec> spec, std::string& out_error);
  bool has(std::string_view name) const;
  std::string get(std::string_view name, std::string fallback = "") const;
  // all is every value given for `name`, in order.
  std::vector<std::string> all(std::string_view name) const;
  // in_order is every (name, value) as given, for options that pair up.
  const std::vector<std::pair<std::string, std::string>>& in_order() const { return values_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// usage is the -help text: one line per option of `spec`.
std::string usage(std::string_view command, std::string_view synopsis, std::span<const OptionSpec> spec);

// split_list splits "a,b,c" (empty items dropped); ':' separates too, as in
// openssl's -groups and -ciphersuites.
std::vector<std::string> split_list(std::string_view s);
// parse_port accepts 1..65535.
[[nodiscard]] std::optional<uint16_t> parse_port(std::string_view s);
// parse_number accepts a decimal in [min, max].
[[nodiscard]] std::optional<uint64_t> parse_number(std::string_view s, uint64_t min, uint64_t max);

// read_option_file reads the file an option names, whole; false with an
// error naming the option when it cannot be read.
[[nodiscard]] bool read_option_file(std::string_view option, const std::string& path, std::string& out,
                                    std::string& out_error);

// The options both subcommands share: versions, suites, groups, signature
// schemes, ALPN, modes, record options, key log and tracing. Each parse_*
// returns nullopt with an error naming the option and the bad value.
[[nodiscard]] std::optional<std::vector<crypto::Group>> parse_groups(std::string_view s, std::string& out_error);
[[nodiscard]] std::optional<std::vector<crypto::SignatureScheme>> parse_sigalgs(std::string_view s,
                                                                                std::string& out_error);
[[nodiscard]] std::optional<long> parse_modes(std::string_view s, std::string& out_error);
[[nodiscard]] std::optional<uint16_t> parse_version(std::string_view option, std::string_view s,
                                                    std::string& out_error);
// parse_suites maps RFC names ("TLS_AES_128_GCM_SHA256") and openssl's
// TLS 1.2 names ("ECDHE-RSA-AES128-GCM-SHA256") of suites of `version`.
[[nodiscard]] std::optional<std::vector<wire::CipherSuite>> parse_suites(std::string_view option, std::string_view s,
                                                                         uint16_t version, std::string& out_error);
// openssl_suite_name is openssl's name for a TLS 1.2 suite, or the RFC name
// for a TLS 1.3 one.
std::string openssl_suite_name(uint16_t suite);

// kCommonSpec lists the shared options; apply_common configures `ctx` from
// them. False with a message naming the option on a bad value.
extern const std::span<const OptionSpec> kCommonSpec;
[[nodiscard]] bool apply_common(const Options& opts, Context& ctx, std::string& out_error);
// with_common is a command's own options followed by the shared ones.
std::vector<OptionSpec> with_common(std::span<const OptionSpec> own);

// ExportRequest is -keymatexport LABEL / -keymatexportlen N: keying
// material exported after each handshake (no context, as openssl's tools).
struct ExportRequest {
  std::string label;
  size_t length = 20;
};
// parse_export is the request, or nullopt when none was asked for; then a
// non-empty `out_error` names a bad value.
[[nodiscard]] std::optional<ExportRequest> parse_export(const Options& opts, std::string& out_error);

}  // namespace sluice::tool

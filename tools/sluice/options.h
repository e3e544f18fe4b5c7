// Options: "-name value" and "-flag" arguments in the manner of openssl's
// tools, checked against the list a subcommand accepts.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/algorithms.h"

namespace sluice::tool {

struct OptionSpec {
  std::string_view name;  // without the leading '-'
  bool takes_value;
};

class Options {
 public:
  // parse fills the options or returns a message naming the bad argument.
  [[nodiscard]] static std::optional<Options> parse(std::span<const std::string_view> args,
                                                    std::span<const OptionSpec> spec, std::string& out_error);
  bool has(std::string_view name) const { return values_.count(std::string(name)) != 0; }
  std::string get(std::string_view name, std::string fallback = "") const;

 private:
  std::map<std::string, std::string> values_;
};

// split_list splits "a,b,c" (empty items dropped).
std::vector<std::string> split_list(std::string_view s);
// parse_groups maps names (x25519, secp256r1/P-256, secp384r1/P-384).
[[nodiscard]] std::optional<std::vector<crypto::Group>> parse_groups(std::string_view s);
// parse_port accepts 1..65535.
[[nodiscard]] std::optional<uint16_t> parse_port(std::string_view s);

}  // namespace sluice::tool

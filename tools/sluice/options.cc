#include "tools/sluice/options.h"

#include <charconv>

namespace sluice::tool {

std::optional<Options> Options::parse(std::span<const std::string_view> args, std::span<const OptionSpec> spec,
                                      std::string& out_error) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const OptionSpec* found = nullptr;
    if (a.size() > 1 && a[0] == '-') {
      for (const auto& s : spec) {
        if (s.name == a.substr(1)) found = &s;
      }
    }
    if (!found) {
      out_error = "unknown option '" + std::string(a) + "'";
      return std::nullopt;
    }
    std::string value;
    if (found->takes_value) {
      if (i + 1 >= args.size()) {
        out_error = "option '" + std::string(a) + "' needs a value";
        return std::nullopt;
      }
      value = std::string(args[++i]);
    }
    o.values_[std::string(found->name)] = std::move(value);
  }
  return o;
}

std::string Options::get(std::string_view name, std::string fallback) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? fallback : it->second;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    const std::string_view item = s.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::vector<crypto::Group>> parse_groups(std::string_view s) {
  std::vector<crypto::Group> out;
  for (const auto& g : split_list(s)) {
    if (g == "x25519" || g == "X25519") {
      out.push_back(crypto::Group::kX25519);
    } else if (g == "secp256r1" || g == "P-256" || g == "prime256v1") {
      out.push_back(crypto::Group::kSecp256r1);
    } else if (g == "secp384r1" || g == "P-384") {
      out.push_back(crypto::Group::kSecp384r1);
    } else {
      return std::nullopt;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<uint16_t> parse_port(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

}  // namespace sluice::tool

#include "tests/bogo/cert_compression.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace sluice::bogo {

namespace {

// The runner's algorithm ids and the fixed bytes its algorithms add or
// remove (runner.go: expandingPrefix, shrinkingPrefix).
constexpr uint16_t kShrinking = 0xff01;
constexpr uint16_t kExpanding = 0xff02;
constexpr uint16_t kRandom = 0xff03;
constexpr std::array<uint8_t, 4> kExpandingPrefix = {1, 2, 3, 4};
// A Certificate body in the handshake starts with an empty request
// context and a list length below 2^16: two zero bytes to leave out.
constexpr std::array<uint8_t, 2> kShrinkingPrefix = {0, 0};

// with_prefix / without_prefix: the two halves of the runner's
// algorithms, which add a prefix on one side and take it off on the other.
bool with_prefix(std::span<const uint8_t> prefix, std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  out.insert(out.end(), prefix.begin(), prefix.end());
  out.insert(out.end(), in.begin(), in.end());
  return true;
}

std::optional<size_t> without_prefix(std::span<const uint8_t> prefix, std::span<const uint8_t> in,
                                     std::span<uint8_t> out) {
  if (in.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), in.begin())) return std::nullopt;
  const auto rest = in.subspan(prefix.size());
  if (rest.size() > out.size()) return std::nullopt;
  std::copy(rest.begin(), rest.end(), out.begin());
  return rest.size();
}

CertificateCompression expanding() {
  return {kExpanding,
          [](std::span<const uint8_t> in, std::vector<uint8_t>& out) { return with_prefix(kExpandingPrefix, in, out); },
          [](std::span<const uint8_t> in, std::span<uint8_t> out) { return without_prefix(kExpandingPrefix, in, out); }};
}

CertificateCompression shrinking() {
  return {kShrinking,
          [](std::span<const uint8_t> in, std::vector<uint8_t>& out) {
            // Declines what does not start with the two bytes it leaves out.
            if (in.size() < kShrinkingPrefix.size() ||
                !std::equal(kShrinkingPrefix.begin(), kShrinkingPrefix.end(), in.begin())) {
              return false;
            }
            out.insert(out.end(), in.begin() + kShrinkingPrefix.size(), in.end());
            return true;
          },
          [](std::span<const uint8_t> in, std::span<uint8_t> out) -> std::optional<size_t> {
            if (kShrinkingPrefix.size() + in.size() > out.size()) return std::nullopt;
            std::copy(kShrinkingPrefix.begin(), kShrinkingPrefix.end(), out.begin());
            std::copy(in.begin(), in.end(), out.begin() + kShrinkingPrefix.size());
            return kShrinkingPrefix.size() + in.size();
          }};
}

CertificateCompression random_prefix() {
  return {kRandom,
          [](std::span<const uint8_t> in, std::vector<uint8_t>& out) {
            std::random_device rd;
            const std::array<uint8_t, 1> byte = {static_cast<uint8_t>(rd())};
            return with_prefix(byte, in, out);
          },
          [](std::span<const uint8_t> in, std::span<uint8_t> out) -> std::optional<size_t> {
            if (in.empty()) return std::nullopt;
            return without_prefix(in.first(1), in, out);
          }};
}

}  // namespace

void install_cert_compression(const Config& c, Context& ctx) {
  for (auto make : {expanding, shrinking, random_prefix}) {
    CertificateCompression alg = make();
    if (!c.install_cert_compression_algs && c.install_one_cert_compression_alg != alg.algorithm) continue;
    if (!ctx.add_certificate_compression(std::move(alg)).ok()) {
      std::fprintf(stderr, "add_certificate_compression failed\n");
      std::exit(1);
    }
  }
}

}  // namespace sluice::bogo

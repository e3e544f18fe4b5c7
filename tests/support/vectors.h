// Locating the shared test vectors (@shared_vectors, i.e. ../shared/vectors
// beside the checkout) from inside a Bazel test.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace sluice::testing {

enum class VectorsState : uint8_t {
  kPresent,          // dir holds the vectors
  kAbsentSkip,       // absent and not required: report NOT RUN and pass
  kAbsentRequired,   // absent but SLUICE_REQUIRE_VECTORS=1: the test must fail
};

struct VectorsDir {
  VectorsState state = VectorsState::kAbsentSkip;
  std::filesystem::path dir;  // $TEST_SRCDIR/shared_vectors/<name>
  std::string why_absent;     // set unless kPresent
};

// find_vectors looks for $TEST_SRCDIR/shared_vectors/<name>/ ("wycheproof",
// "rfc8448"). The repository is empty, with a file ABSENT, when
// ../shared/vectors was missing at build time. When absent it prints a loud
// "NOT RUN: ../shared/vectors absent" line to stdout (so it shows in test
// logs) and returns kAbsentSkip, or kAbsentRequired if the environment sets
// SLUICE_REQUIRE_VECTORS=1.
VectorsDir find_vectors(std::string_view name);

// read_file_to_string reads a whole file; false if it cannot be read.
bool read_file_to_string(const std::filesystem::path& path, std::string& out);

}  // namespace sluice::testing

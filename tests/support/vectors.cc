#include "tests/support/vectors.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sluice::testing {

VectorsDir find_vectors(std::string_view name) {
  VectorsDir out;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  namespace fs = std::filesystem;
  const fs::path repo = fs::path(srcdir ? srcdir : ".") / "shared_vectors";
  out.dir = repo / std::string(name);
  std::error_code ec;
  if (!srcdir) {
    out.why_absent = "TEST_SRCDIR is not set (run under bazel test)";
  } else if (fs::exists(repo / "ABSENT", ec)) {
    out.why_absent = "@shared_vectors is empty (../shared/vectors was not found at build time)";
  } else if (!fs::is_directory(out.dir, ec)) {
    out.why_absent = out.dir.string() + " is missing";
  } else {
    out.state = VectorsState::kPresent;
    return out;
  }
  const char* require = std::getenv("SLUICE_REQUIRE_VECTORS");
  const bool required = require && std::string_view(require) == "1";
  out.state = required ? VectorsState::kAbsentRequired : VectorsState::kAbsentSkip;
  std::printf("\n**********************************************************************\n"
              "NOT RUN: ../shared/vectors absent (%.*s): %s%s\n"
              "**********************************************************************\n",
              static_cast<int>(name.size()), name.data(), out.why_absent.c_str(),
              required ? " -- FAILING because SLUICE_REQUIRE_VECTORS=1" : "");
  std::fflush(stdout);
  return out;
}

bool read_file_to_string(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  out = std::move(buf).str();
  return static_cast<bool>(in) || in.eof();
}

}  // namespace sluice::testing

// Helpers for pki tests: a scratch directory, running the openssl command
// line there, and file I/O. Nothing here reaches the network.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sluice::pki::testing {

// scratch is $TEST_TMPDIR (or /tmp) plus a per-test subdirectory.
inline std::string scratch(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(t ? t : "/tmp") + "/" + name;
  std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "'";
  if (std::system(cmd.c_str()) != 0) return "/tmp";
  return dir;
}

// sh runs `cmd` in `dir` with output discarded; returns the exit status.
inline int sh(const std::string& dir, const std::string& cmd) {
  std::string full = "cd '" + dir + "' && ( " + cmd + " ) >>log.txt 2>&1";
  int rc = std::system(full.c_str());
  return rc == -1 ? -1 : WEXITSTATUS(rc);
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::string s = read_file(path);
  return std::vector<uint8_t>(s.begin(), s.end());
}

inline void write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}

inline bool file_exists(const std::string& path) {
  std::ifstream f(path);
  return f.good();
}

}  // namespace sluice::pki::testing

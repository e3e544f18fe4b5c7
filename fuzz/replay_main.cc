// A main for fuzz targets built without libFuzzer: runs every file named on
// the command line (directories are walked, in sorted order so a failure is
// reproducible) through LLVMFuzzerTestOneInput. Used by the <name>_replay
// tests over the checked-in corpora, and to reproduce a crash with gcc.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> files_of(const std::string& path) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::recursive_directory_iterator(path, ec)) {
      if (e.is_regular_file(ec)) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
  } else if (fs::is_regular_file(path, ec)) {
    out.push_back(path);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    auto f = files_of(argv[i]);
    files.insert(files.end(), f.begin(), f.end());
  }
  // An empty corpus would make the replay test pass while testing nothing.
  if (files.empty()) {
    std::fprintf(stderr, "replay: no input files (empty corpus?)\n");
    return 1;
  }
  for (const auto& name : files) {
    std::ifstream in(name, std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A copy of exactly the file's size, as libFuzzer does, so ASan catches
    // reads past the end of the input.
    std::vector<uint8_t> exact(data);
    LLVMFuzzerTestOneInput(exact.data(), exact.size());
  }
  std::printf("replay: %zu inputs ran\n", files.size());
  return 0;
}

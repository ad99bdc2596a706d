// A main() for the fuzz targets without libFuzzer: runs LLVMFuzzerTestOneInput once on every file
// named on the command line, or on every file in a directory named there (not recursively), in
// name order. It is how the seed corpus and the crash regressions (tests/fuzz/regressions/) are
// replayed by ctest in every build, with any compiler. Exits 1 when a path cannot be read or no
// input was found; a bug in the code under test shows as a crash or an uncaught exception.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::cout << "replaying " << path.string() << " (" << bytes.size() << " bytes)" << std::endl;
  // A copy of exactly `size` bytes, as libFuzzer passes them (so reads past the end are caught).
  std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(input.empty() ? nullptr : input.data(), input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " FILE_OR_DIRECTORY...\n";
    return 2;
  }
  std::size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    std::vector<std::filesystem::path> files;
    if (!std::filesystem::exists(path)) {
      std::cout << "skipping " << path.string() << " (does not exist: no regressions yet)" << std::endl;
      continue;
    }
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path))
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.' &&
            entry.path().extension() != ".md")
          files.push_back(entry.path());
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const auto& file : files) {
      if (!run_file(file)) return 1;
      ++inputs;
    }
  }
  if (inputs == 0) {
    std::cerr << "no input files\n";
    return 1;
  }
  std::cout << inputs << " inputs replayed without a crash" << std::endl;
  return 0;
}

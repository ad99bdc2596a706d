// Fuzz target (byte level): RunFileReader on an arbitrary HDF5 file image. Most of what runs here
// is libhdf5's own parsing of the file format, which is not instrumented (the system library) and
// has known crashes on corrupt files (tests/fuzz/known-hdf5-crashes/README.md); this target is
// therefore not part of the CI run (`make fuzz FUZZ_LONG=1`, scripts/fuzz.sh --all). The CI target
// for the reader is fuzz_run_file, which builds valid but odd files through the HDF5 API.
#include <cstddef>
#include <cstdint>

#include "sahelsim/core/run_file_reader.hpp"

using sahelsim::core::RunFileError;
using sahelsim::core::RunFileReader;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const RunFileReader reader = RunFileReader::from_image(data, size, "fuzz.h5");
    for (const auto& variable : reader.info().variables) {
      try {
        (void)reader.read_series(variable.name, 1 << 16);
      } catch (const RunFileError&) {
      }
    }
  } catch (const RunFileError&) {
  }
  return 0;
}

// The data pack of data/sahel/, compiled into the library.
//
// At build time CMake (models/sahel/world/embed_files.cmake) turns every file the map needs into a
// byte array of a generated source file, so an installed sahelsim (the Python wheel included) needs
// no data directory. The text is the files' bytes exactly; embedded_file_sha256() gives the
// checksum recorded at build time (compare with data/sahel/README.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sahelsim::models::sahel {

/// The names of the embedded files ("towns.csv", "borders.geojson", ...), in build order.
std::vector<std::string> embedded_file_names();
bool has_embedded_file(std::string_view name);
/// The bytes of an embedded file; throws std::out_of_range for an unknown name.
std::string_view embedded_file(std::string_view name);
/// Its SHA-256 (lower-case hex), computed when the library was built.
std::string embedded_file_sha256(std::string_view name);

}  // namespace sahelsim::models::sahel

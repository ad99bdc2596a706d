// The bundled scenarios of scenarios/ (the .toml files and the data directories beside them),
// compiled into the library by models/sahel/world/embed_files.cmake, as the map's data pack is.
// Names are paths relative to scenarios/: "mali-2025.toml", "siege-classroom/towns.csv".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sahelsim::models::sahel {

std::vector<std::string> embedded_scenario_file_names();
bool has_embedded_scenario_file(std::string_view name);
/// Throws std::out_of_range for an unknown name.
std::string_view embedded_scenario_file(std::string_view name);
std::string embedded_scenario_file_sha256(std::string_view name);

}  // namespace sahelsim::models::sahel

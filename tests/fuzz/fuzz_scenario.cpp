// Fuzz target: scenario files (models/sahel/scenario) parsed from arbitrary bytes with their full
// validation, against the embedded data pack and the bundled scenario data directories (base
// "bundled:", so no file is read from disk). The contract: bad input throws ScenarioError (a
// core::DataError) and nothing else. A scenario that loads must also survive a round trip: its
// resolved TOML (scenario_to_toml) loads again and resolves to the same text, and its JSON form
// can be produced.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "models/sahel/scenario/scenario.hpp"

using sahelsim::core::DataError;
using namespace sahelsim::models::sahel;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string resolved;
  try {
    const Scenario scenario = load_scenario(text, "fuzz.toml", "bundled:");
    resolved = scenario_to_toml(scenario);
    (void)scenario_to_json(scenario);
  } catch (const DataError&) {
    return 0;
  }
  try {
    const Scenario again = load_scenario(resolved, "fuzz-resolved.toml", "bundled:");
    if (scenario_to_toml(again) != resolved) {
      std::fprintf(stderr, "the resolved scenario changes when loaded again:\n%s\n---\n%s\n", resolved.c_str(),
                   scenario_to_toml(again).c_str());
      __builtin_trap();
    }
  } catch (const DataError& error) {
    std::fprintf(stderr, "the resolved scenario does not load:\n%s\n---\n%s\n", resolved.c_str(), error.what());
    __builtin_trap();
  }
  return 0;
}

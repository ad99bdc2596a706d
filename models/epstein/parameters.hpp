// Parameters of Epstein's civil violence model (Model I, `epstein`) and its ethnic violence
// variant (Model II, `epstein-ethnic`): the single source of truth for names, units, defaults,
// ranges and descriptions, shared by C++, Python, the CLI and the run file's attributes.
#pragma once

#include <vector>

#include "sahelsim/core/parameters.hpp"

namespace sahelsim::models::epstein {

/// Model I. Defaults are the paper's run 2 (Table 2): vision 7, L = 0.82, J_max = 30, movement.
const std::vector<core::ParameterSpec>& civil_violence_parameters();
/// Model II. Defaults are the paper's run 7: vision 1.7, L = 0.8, J_max = 15, no cops.
const std::vector<core::ParameterSpec>& ethnic_violence_parameters();

/// Checks rules that involve several parameters (e.g. densities summing to at most 1); throws
/// core::ParameterError naming the parameters and values.
void check_consistency(const core::ParameterSet& parameters, bool ethnic);

}  // namespace sahelsim::models::epstein

// The Sahel model's parameters: names, units, defaults, ranges, one-line descriptions and sources,
// in one registry that the scenario files ([parameters]), Python, the command line and the run
// file's attributes share. The map's own settings (cell_km, seed) are not here: they belong to the
// scenario's [map] table and its seed.
//
// Only parameters whose meaning is already fixed by SAHEL-MODEL.md and facts.md are listed; the
// agents (issue 4) add theirs here.
#pragma once

#include <vector>

#include "sahelsim/core/parameters.hpp"

namespace sahelsim::models::sahel {

/// Every parameter of the Sahel model, in documentation order.
const std::vector<core::ParameterSpec>& sahel_parameters();

}  // namespace sahelsim::models::sahel

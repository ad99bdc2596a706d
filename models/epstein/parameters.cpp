#include "models/epstein/parameters.hpp"

#include <limits>

namespace sahelsim::models::epstein {
namespace {

using core::ParameterSpec;
constexpr double inf = std::numeric_limits<double>::infinity();

using core::spec::real;
using core::spec::integer;
using core::spec::boolean;
using core::spec::choice;

const char* const kPaper = "Epstein 2002, PNAS 99 suppl. 3, Table 2";
const char* const kNetLogo = "ambiguous in the paper; NetLogo Rebellion's choice (EPSTEIN.md)";

std::vector<ParameterSpec> common_parameters(double vision, double legitimacy, double jail,
                                             double cop_density) {
  return {
      integer("width", "cells", 40, 1, 65536, "lattice width", kPaper),
      integer("height", "cells", 40, 1, 65536, "lattice height", kPaper),
      choice("topology", "torus", {"torus", "bounded"}, "lattice edges wrap (torus) or stop (bounded)",
             kPaper),
      real("citizen_density", "1", 0.7, 0, 1, "initial fraction of cells holding a citizen", kPaper),
      real("cop_density", "1", cop_density, 0, 1, "initial fraction of cells holding a cop", kPaper),
      real("citizen_vision", "cells", vision, 0, 100, "radius within which citizens see", kPaper),
      real("cop_vision", "cells", vision, 0, 100, "radius within which cops see", kPaper),
      real("legitimacy", "1", legitimacy, 0, 1, "regime legitimacy L at the start (G = H (1 - L))", kPaper),
      real("max_jail_term", "steps", jail, 0, inf, "J_max: upper bound of jail terms (inf = for ever)",
           kPaper),
      real("threshold", "1", 0.1, 0, 1, "T: a citizen is active iff G - R P > T", kPaper),
      real("k", "1", 2.3, 0, 100, "arrest probability constant: P = 1 - exp(-k C/A)", kPaper),
      boolean("movement", true, "agents and cops move to a random empty site within vision each step",
              kPaper),
      choice("cop_movement", "with_movement", {"with_movement", "always"},
             "cops move only when movement is true (with_movement), or every step whatever movement says "
             "(always, as NetLogo Rebellion's cops)",
             "the paper's run 1 has no movement; NetLogo Rebellion's switch stops only the citizens"),
      choice("arrest_rule", "floor", {"as_written", "floor", "round"},
             "how C/A enters P: the real ratio, floor(C/A) or round(C/A) with halves to even (Mesa)", kNetLogo),
      choice("neighborhood", "disc", {"disc", "von_neumann", "moore"},
             "vision geometry: Euclidean disc, von Neumann diamond or Moore square", kNetLogo),
      choice("jail_draw", "int_below", {"continuous", "int_below", "int_inclusive"},
             "jail term: U(0, J_max), integer 0..J_max-1, or integer 0..J_max", kNetLogo),
      boolean("jailed_hold_cell", false,
              "jailed citizens keep their cell (true) or leave the lattice until released (false)",
              kNetLogo),
      choice("active_self_count", "twice", {"once", "twice"},
             "A = 1 + other actives in vision (once), or also + 1 for the agent itself when active "
             "(twice, NetLogo's vision includes the own cell)",
             kNetLogo),
      boolean("cop_moves_to_arrest", true, "an arresting cop moves onto the arrested citizen's cell (not with jailed_hold_cell: the cell stays the citizen's)",
              kNetLogo),
      choice("action_order", "move_then_decide", {"decide_then_move", "move_then_decide"},
             "within a step, agents decide (cops arrest) before or after they move", kNetLogo),
      choice("activation", "sequential", {"sequential", "synchronous"},
             "random sequential activation (the paper) or synchronous parallel update (oneTBB)",
             "the paper activates agents in random order; synchronous is sahelsim's parallel scheme"),
      choice("legitimacy_schedule", "constant", {"constant", "ramp", "jump"},
             "legitimacy stays, changes by legitimacy_ramp_per_step from legitimacy_change_step, or "
             "jumps to legitimacy_target at legitimacy_change_step",
             "Epstein 2002, runs 3 and 4 (salami tactics)"),
      real("legitimacy_target", "1", 0.2, 0, 1, "legitimacy reached by the ramp or the jump",
           "Epstein 2002, runs 3 (0.2) and 4 (0.7)"),
      integer("legitimacy_change_step", "steps", 0, 0, 1e12,
              "first step at which the legitimacy schedule applies", "Epstein 2002, run 4 (step 77)"),
      real("legitimacy_ramp_per_step", "1/step", 0.01, 0, 1,
           "size of each step of the legitimacy ramp", "Epstein 2002, run 3 (1 % per step)"),
      choice("cop_schedule", "constant", {"constant", "jump"},
             "cop density stays or changes to cop_density_target at cop_change_step",
             "Epstein 2002, run 5 (cop reduction)"),
      real("cop_density_target", "1", 0.04, 0, 1, "cop density after the change", "Epstein 2002, run 5"),
      integer("cop_change_step", "steps", 0, 0, 1e12, "step at which cop density changes",
              "Epstein 2002, run 5"),
  };
}

}  // namespace

const std::vector<ParameterSpec>& civil_violence_parameters() {
  static const std::vector<ParameterSpec> specs = common_parameters(7.0, 0.82, 30.0, 0.04);
  return specs;
}

const std::vector<ParameterSpec>& ethnic_violence_parameters() {
  static const std::vector<ParameterSpec> specs = [] {
    auto s = common_parameters(1.7, 0.8, 15.0, 0.0);
    s.push_back(real("clone_probability", "1/step", 0.05, 0, 1,
                     "chance per step that an agent clones onto an empty neighbouring site",
                     "Epstein 2002, Model II"));
    s.push_back(integer("max_age", "steps", 200, 0, 1e9, "agents die at an age drawn from U(0, max_age)",
                        "Epstein 2002, Model II"));
    s.push_back(real("group_a_share", "1", 0.5, 0, 1, "initial share of citizens in group A (else B)",
                     "assumed: equal groups, as the paper's figures"));
    return s;
  }();
  return specs;
}

void check_consistency(const core::ParameterSet& p, bool /*ethnic*/) {
  auto too_dense = [&](const char* cop_name, double cops) {
    const double citizens = p.real("citizen_density");
    if (citizens + cops > 1.0)
      throw core::ParameterError("citizen_density (" + core::to_string(citizens) + ") + " + cop_name +
                                 " (" + core::to_string(cops) + ") = " + core::to_string(citizens + cops) +
                                 " is not allowed: the densities must sum to at most 1");
  };
  too_dense("cop_density", p.real("cop_density"));
  if (p.choice("cop_schedule") != "constant") too_dense("cop_density_target", p.real("cop_density_target"));
}

}  // namespace sahelsim::models::epstein

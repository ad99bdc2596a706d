// A citizen's estimate of its arrest probability if it turns active: P = 1 - exp(-k * C/A), with C
// the cops and A the actives within vision (A counts the citizen itself, so A >= 1).
//
// The paper's C/A is ambiguous in published replications (EPSTEIN.md, ambiguity 1):
//   as_written  the real ratio C/A;
//   floor       floor(C/A), as NetLogo's Rebellion: P = 0 whenever actives outnumber cops;
//   round       round(C/A) with halves to even (Python's round()), as Mesa's example.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>

namespace sahelsim::agents::citizen {

enum class ArrestRule { as_written, floor, round };

inline ArrestRule parse_arrest_rule(const std::string& name) {
  if (name == "as_written") return ArrestRule::as_written;
  if (name == "floor") return ArrestRule::floor;
  if (name == "round") return ArrestRule::round;
  throw std::invalid_argument("arrest_rule = '" + name +
                              "' is not allowed: expected one of: as_written, floor, round");
}

/// Python's round(): to the nearest integer, halves to the even one (0.5 -> 0, 1.5 -> 2, 2.5 -> 2), as
/// Mesa's example computes round(cops / actives).
inline double round_half_to_even(double x) {
  const double nearest = std::round(x);  // halves away from zero
  if (std::fabs(x - std::trunc(x)) == 0.5 && std::fmod(nearest, 2.0) != 0.0) return nearest - std::copysign(1.0, x);
  return nearest;
}

inline double cop_to_active_ratio(int cops, int actives, ArrestRule rule) {
  const double ratio = static_cast<double>(cops) / static_cast<double>(actives);
  switch (rule) {
    case ArrestRule::as_written: return ratio;
    case ArrestRule::floor: return static_cast<double>(cops / actives);
    case ArrestRule::round: return round_half_to_even(ratio);
  }
  return ratio;
}

inline double estimated_arrest_probability(int cops, int actives, double k, ArrestRule rule) {
  return 1.0 - std::exp(-k * cop_to_active_ratio(cops, actives, rule));
}

}  // namespace sahelsim::agents::citizen

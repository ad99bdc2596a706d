// The Sahel model's local rules as pure functions of their inputs, one per mechanism of
// MECHANISMS.md (rule ids in brackets). The phases (phases.cpp) apply them to the agents; the unit
// tests (tests/cpp/models/test_sahel_rules.cpp) check each on its own.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace sahelsim::models::sahel::rules {

inline double clamp01(double x) { return std::min(1.0, std::max(0.0, x)); }

// ---- control [R-i1] ------------------------------------------------------------------------------

/// Control classes of the control raster and series (Kalyvas zones / Critical Threats categories).
enum class ControlClass : std::uint8_t {
  none = 0,             // no armed presence within reach
  state_control = 1,    // s >= 0.8 and no militant levy
  state_dominant = 2,   // 0.6 <= s < 0.8, or s >= 0.8 with a militant levy (attack zone)
  contested = 3,        // 0.4 <= s < 0.6, or both sides levy
  insurgent_support = 4,  // 0.2 <= s < 0.4
  insurgent_control = 5,  // s < 0.2
};
inline constexpr const char* control_flag_meanings =
    "none state_control state_dominant contested insurgent_support insurgent_control";

/// The class of a place with rolling state share `s` (state presence / all armed presence), whether
/// anyone is present, and who levied it recently.
inline ControlClass control_class(double s, bool anyone_present, bool militant_levy, bool state_levy) {
  if (!anyone_present) return ControlClass::none;
  if (militant_levy && state_levy && s >= 0.2 && s < 0.8) return ControlClass::contested;
  if (s >= 0.8) return militant_levy ? ControlClass::state_dominant : ControlClass::state_control;
  if (s >= 0.6) return ControlClass::state_dominant;
  if (s >= 0.4) return ControlClass::contested;
  if (s >= 0.2) return ControlClass::insurgent_support;
  return ControlClass::insurgent_control;
}

/// Presence weight of an armed group of `strength` at `distance_km` with influence radius `radius_km`:
/// strength × (1 − d/R) inside the radius, 0 outside.
inline double presence(double strength, double distance_km, double radius_km) {
  if (distance_km >= radius_km || radius_km <= 0) return 0.0;
  return strength * (1.0 - distance_km / radius_km);
}

// ---- taxation and punishment [R-a1, R-a3] -------------------------------------------------------

/// Chance that a village pays a militant levy: rises with the militants' local dominance (1 − s)
/// and the village's fear of them, falls with its trust in the state.
inline double compliance_probability(double state_share, double fear_of_militants, double legitimacy) {
  return clamp01((1.0 - state_share) * (0.5 + fear_of_militants) * (1.25 - 0.5 * legitimacy));
}

/// Share of punishments that are executions: `base` where militants dominate (s = 0), up to
/// 2 × base where the state dominates (s = 1): weaker groups punish more lethally [R-a3].
inline double execution_share(double base, double state_share) { return clamp01(base * (1.0 + state_share)); }

// ---- fuel prices and demand [R-e1, R-e2] --------------------------------------------------------

/// Shortage in [0, 1] from days of cover: 0 at or above the reference cover, 1 with an empty stock.
inline double fuel_shortage(double cover_days, double cover_reference_days) {
  if (cover_reference_days <= 0) return cover_days > 0 ? 0.0 : 1.0;
  return 1.0 - std::min(1.0, std::max(0.0, cover_days) / cover_reference_days);
}

/// The informal-market price: official × (1 + premium_max × shortage^shape) [R-e1].
inline double fuel_price(double official, double shortage, double premium_max, double shape) {
  return official * (1.0 + premium_max * std::pow(clamp01(shortage), shape));
}

/// Realised demand as a share of normal demand: price response (p/p0)^elasticity, times the
/// rationing factor cover / rationing_cover below the rationing threshold [R-e2].
inline double demand_factor(double price, double official, double elasticity, double cover_days,
                            double rationing_cover_days) {
  double f = std::pow(std::max(price, 1e-9) / official, elasticity);
  if (rationing_cover_days > 0 && cover_days < rationing_cover_days)
    f *= std::max(0.0, cover_days) / rationing_cover_days;
  return std::min(1.0, f);
}

// ---- electricity [R-f1, R-f2] --------------------------------------------------------------------

/// Hours of supply a day: 24 × min(1, (hydro + thermal) / demand) with energies in any one unit.
inline double electricity_hours(double hydro_energy, double thermal_energy, double demand_energy) {
  if (demand_energy <= 0) return 24.0;
  return 24.0 * std::min(1.0, (hydro_energy + thermal_energy) / demand_energy);
}

// ---- convoy ambushes [R-d2, R-d3] ----------------------------------------------------------------

struct AmbushOutcome {
  double escort_killed = 0.0;
  double attackers_killed = 0.0;
  bool escort_broke = false;
  double loss_fraction = 0.0;  // mean share of tankers burnt (before the cap per attacker)
};

/// Deitchman-style engagement in hourly steps (at most `hours`): aimed fire of the hidden attackers
/// at the escort (dE = −a·M), area fire of the escort at concealed attackers (dM = −b·E·cover_factor).
/// The escort breaks off below break_fraction of its start; the attackers withdraw below half.
/// The loss fraction is the one of R-d3 for the outcome (unescorted, broke, held).
inline AmbushOutcome ambush_engagement(double attackers, double escort, double a, double b, double cover_factor,
                                       double break_fraction, double loss_breaks, double loss_holds,
                                       double loss_unescorted, int hours = 6) {
  AmbushOutcome out;
  if (escort <= 0) {
    out.loss_fraction = loss_unescorted;
    return out;
  }
  double m = attackers, e = escort;
  for (int h = 0; h < hours; ++h) {
    const double de = std::min(e, a * m);
    const double dm = std::min(m, b * e * cover_factor);
    e -= de;
    m -= dm;
    if (e < break_fraction * escort) {
      out.escort_broke = true;
      break;
    }
    if (m < 0.5 * attackers) break;
  }
  out.escort_killed = escort - e;
  out.attackers_killed = attackers - m;
  out.loss_fraction = out.escort_broke ? loss_breaks : loss_holds;
  return out;
}

// ---- garrison assaults [R-h2] --------------------------------------------------------------------

/// P(overrun) = logistic(slope × ln(ratio / mid)) × (1 − air_factor if air support reaches).
inline double overrun_probability(double attackers, double defenders, double mid, double slope, bool air_support,
                                  double air_factor) {
  if (defenders <= 0) return 1.0;
  if (attackers <= 0) return 0.0;
  const double x = slope * std::log(attackers / defenders / mid);
  const double p = 1.0 / (1.0 + std::exp(-x));
  return p * (air_support ? (1.0 - air_factor) : 1.0);
}

// ---- legitimacy [R-c1, R-c3] ---------------------------------------------------------------------

/// Inputs of one village's daily legitimacy update.
struct LegitimacyInputs {
  double state_killed_nearby = 0.0;      // civilians killed by state or partner forces (village or radius)
  double insurgent_killed_nearby = 0.0;  // civilians killed by militants
  double protected_events = 0.0;         // attacks nearby the state repelled
  double failed_events = 0.0;            // attacks nearby with no state response
  double price_ratio = 1.0;              // local fuel price / official
  double power_shortfall = 0.0;          // 1 − hours / normal hours (towns on a grid), else 0
  double neighbour_mean = 0.0;           // mean legitimacy around the village
};
struct LegitimacyWeights {
  double abuse, protect, fail, price, power, insurgent_abuse, asym_gain, diffusion;
  double shock_half_life_days, baseline_days;
};

/// One day of R-c1 with R-c2's asymmetry and R-c3's relaxation: shocks move L, L relaxes toward
/// its slow baseline B with the shock half-life, and B follows L over baseline_days. Returns the
/// new (L, B).
inline void update_legitimacy(double& legitimacy, double& baseline, const LegitimacyInputs& in,
                              const LegitimacyWeights& w) {
  double l = legitimacy;
  l -= w.abuse * in.state_killed_nearby;
  l += w.asym_gain * w.insurgent_abuse * in.insurgent_killed_nearby;
  l += w.protect * in.protected_events - w.fail * in.failed_events;
  l -= w.price * std::max(0.0, in.price_ratio - 1.0);
  l -= w.power * clamp01(in.power_shortfall);
  l += w.diffusion * (in.neighbour_mean - l);
  l = clamp01(l);
  const double relax = 1.0 - std::exp(-std::log(2.0) / w.shock_half_life_days);
  l += relax * (baseline - l);
  baseline += (l - baseline) / w.baseline_days;
  legitimacy = clamp01(l);
  baseline = clamp01(baseline);
}

// ---- recruitment [R-b1, R-b4] --------------------------------------------------------------------

/// Epstein-style net grievance for joining: grievance − risk, with risk = fear × (1 − exp(−k × s)),
/// s the state's local share; only the part above the threshold counts.
inline double net_join_pressure(double grievance, double fear_of_state, double state_share, double k,
                                double threshold) {
  const double risk = fear_of_state * (1.0 - std::exp(-k * state_share));
  return std::max(0.0, grievance - risk - threshold);
}

/// Grievance = hardship × (1 − legitimacy) [R-b1].
inline double grievance(double hardship, double legitimacy) { return clamp01(hardship) * (1.0 - clamp01(legitimacy)); }

// ---- displacement [R-g1] -------------------------------------------------------------------------

inline double flee_probability(double base, double attack, double siege, bool lethal_event_nearby, bool besieged) {
  return clamp01(base + (lethal_event_nearby ? attack : 0.0) + (besieged ? siege : 0.0));
}

}  // namespace sahelsim::models::sahel::rules

// Epstein's Rule A: a citizen is active iff its grievance minus its net risk exceeds the threshold,
// G - R * P > T.
#pragma once

namespace sahelsim::agents::citizen {

inline bool decides_active(double grievance, double risk_aversion, double arrest_probability,
                           double threshold) {
  return grievance - risk_aversion * arrest_probability > threshold;
}

}  // namespace sahelsim::agents::citizen

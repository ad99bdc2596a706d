// Epstein (2002) Model I: a citizen's grievance is its hardship discounted by the regime's
// legitimacy, G = H (1 - L).
#pragma once

namespace sahelsim::agents::citizen {

inline double grievance(double hardship, double legitimacy) { return hardship * (1.0 - legitimacy); }

}  // namespace sahelsim::agents::citizen

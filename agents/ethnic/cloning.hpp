// Epstein (2002) Model II: each period an agent clones itself onto an empty neighbouring site
// (Moore neighbourhood of radius 1) with probability clone_probability; the offspring inherits its
// parent's group and hardship (hence grievance) and draws its own risk aversion and lifespan.
#pragma once

#include <boost/random/bernoulli_distribution.hpp>

namespace sahelsim::agents::ethnic {

template <class Stream>
bool wants_to_clone(Stream& stream, double clone_probability) {
  return boost::random::bernoulli_distribution<double>(clone_probability)(stream);
}

}  // namespace sahelsim::agents::ethnic

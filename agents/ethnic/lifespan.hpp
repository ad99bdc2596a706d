// Epstein (2002) Model II: each agent dies at an age drawn from U(0, max_age) (integer steps,
// 0 .. max_age inclusive) when it is born or created.
#pragma once

#include <cstdint>

#include <boost/random/uniform_int_distribution.hpp>

namespace sahelsim::agents::ethnic {

template <class Stream>
std::int32_t draw_death_age(Stream& stream, std::int32_t max_age) {
  return boost::random::uniform_int_distribution<std::int32_t>(0, max_age)(stream);
}

}  // namespace sahelsim::agents::ethnic

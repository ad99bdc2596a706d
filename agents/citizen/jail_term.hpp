// Length of a jail term drawn when a cop arrests a citizen (EPSTEIN.md, ambiguity 4):
//   continuous     U(0, J_max), the paper's wording;
//   int_below      an integer in 0 .. J_max - 1, as NetLogo's `random max-jail-term`;
//   int_inclusive  an integer in 0 .. J_max, as Mesa's example.
// An infinite J_max jails for ever (runs 3 to 5 of the paper). Above 2^53, where a double no longer
// holds every integer, the integer draws are floor(U(0, J_max)): as uniform as doubles can express.
#pragma once

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

namespace sahelsim::agents::citizen {

enum class JailDraw { continuous, int_below, int_inclusive };

inline JailDraw parse_jail_draw(const std::string& name) {
  if (name == "continuous") return JailDraw::continuous;
  if (name == "int_below") return JailDraw::int_below;
  if (name == "int_inclusive") return JailDraw::int_inclusive;
  throw std::invalid_argument("jail_draw = '" + name +
                              "' is not allowed: expected one of: continuous, int_below, int_inclusive");
}

/// Steps to serve; the citizen is released at the start of the first step after they are served.
template <class Stream>
double draw_jail_term(Stream& stream, double max_jail_term, JailDraw draw) {
  if (std::isinf(max_jail_term)) return std::numeric_limits<double>::infinity();
  constexpr double kLargestExactInteger = 9007199254740992.0;  // 2^53
  const double whole = std::floor(max_jail_term);
  if (draw != JailDraw::continuous && whole > kLargestExactInteger)
    return std::floor(boost::random::uniform_real_distribution<double>(0.0, whole)(stream));
  switch (draw) {
    case JailDraw::continuous:
      // U(0, 0) is 0 (Boost's distribution would loop for ever on equal bounds).
      if (max_jail_term <= 0.0) return 0.0;
      return boost::random::uniform_real_distribution<double>(0.0, max_jail_term)(stream);
    case JailDraw::int_below: {
      if (whole <= 0.0) return 0.0;
      const auto j = static_cast<long long>(whole);
      return static_cast<double>(boost::random::uniform_int_distribution<long long>(0, j - 1)(stream));
    }
    case JailDraw::int_inclusive: {
      const auto j = static_cast<long long>(whole);
      return static_cast<double>(boost::random::uniform_int_distribution<long long>(0, j)(stream));
    }
  }
  return 0.0;
}

}  // namespace sahelsim::agents::citizen

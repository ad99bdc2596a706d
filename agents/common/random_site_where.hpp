// Picks one site uniformly among the sites within vision that satisfy a predicate (reservoir
// sampling over the neighbourhood). Used where the candidates are rare or must be exact: a cop
// choosing which active citizen to arrest, an ethnic killer choosing a victim.
#pragma once

#include <cstdint>
#include <vector>

#include "sahelsim/core/lattice.hpp"

namespace sahelsim::agents {

/// Returns a cell with predicate(cell) true, uniformly among them, or -1 if there is none.
template <class Stream, class Predicate>
std::int64_t random_site_where(const core::Lattice& lattice, const std::vector<core::Offset>& offsets,
                               std::int64_t from, Stream& stream, const Predicate& predicate) {
  std::int64_t chosen = -1;
  std::uint64_t seen = 0;
  for (const core::Offset& o : offsets) {
    const std::int64_t cell = lattice.offset_cell(from, o.dx, o.dy);
    if (cell < 0 || !predicate(cell)) continue;
    ++seen;
    if (stream.below(seen) == 0) chosen = cell;
  }
  return chosen;
}

}  // namespace sahelsim::agents

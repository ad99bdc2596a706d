// Rule M: move to a random empty site within vision.
//
// Drawn by rejection: pick an offset of the neighbourhood uniformly and accept it if the site is
// empty. Conditioned on acceptance this is uniform over the empty sites, and it costs O(1/empty
// fraction) instead of O(vision^2). After `max_tries` rejections it enumerates the empty sites and
// picks one uniformly (the mixture is still uniform), so a crowded neighbourhood never loops long.
#pragma once

#include <cstdint>
#include <vector>

#include "sahelsim/core/lattice.hpp"

namespace sahelsim::agents {

/// `is_empty(cell)` tells whether a cell is free. Returns -1 when no site within vision is empty.
template <class Stream, class IsEmpty>
std::int64_t random_empty_site(const core::Lattice& lattice, const std::vector<core::Offset>& offsets,
                               std::int64_t from, Stream& stream, const IsEmpty& is_empty,
                               int max_tries = 32) {
  if (offsets.empty()) return -1;
  for (int attempt = 0; attempt < max_tries; ++attempt) {
    const core::Offset& o = offsets[stream.below(offsets.size())];
    const std::int64_t cell = lattice.offset_cell(from, o.dx, o.dy);
    if (cell >= 0 && cell != from && is_empty(cell)) return cell;
  }
  std::int64_t chosen = -1;
  std::uint64_t empty_seen = 0;
  for (const core::Offset& o : offsets) {  // reservoir sampling over the empty sites
    const std::int64_t cell = lattice.offset_cell(from, o.dx, o.dy);
    if (cell < 0 || cell == from || !is_empty(cell)) continue;
    ++empty_seen;
    if (stream.below(empty_seen) == 0) chosen = cell;
  }
  return chosen;
}

}  // namespace sahelsim::agents

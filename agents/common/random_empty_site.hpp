// Rule M: move to a random empty site within vision.
//
// Drawn by rejection: pick an offset of the neighbourhood uniformly and accept it if the site is
// empty. Conditioned on acceptance this is uniform over the empty sites, and it costs O(1/empty
// fraction) instead of O(vision^2). After `max_tries` rejections it enumerates the empty sites and
// picks one uniformly (the mixture is still uniform), so a crowded neighbourhood never loops long.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/common/random_site_where.hpp"
#include "sahelsim/core/lattice.hpp"

namespace sahelsim::agents {

/// `is_empty(cell)` tells whether a cell is free. Returns -1 when no site within vision is empty.
template <class Stream, class IsEmpty>
std::int64_t random_empty_site(const core::Lattice& lattice, const std::vector<core::Offset>& offsets,
                               std::int64_t from, Stream& stream, const IsEmpty& is_empty,
                               int max_tries = 32) {
  if (offsets.empty()) return -1;
  const int x = lattice.x_of(from), y = lattice.y_of(from);
  for (int attempt = 0; attempt < max_tries; ++attempt) {
    const core::Offset& o = offsets[stream.below(offsets.size())];
    const std::int64_t cell = lattice.offset_cell(x, y, o.dx, o.dy);
    if (cell >= 0 && cell != from && is_empty(cell)) return cell;
  }
  return random_site_where(lattice, offsets, from, stream,
                           [&](std::int64_t cell) { return cell != from && is_empty(cell); });
}

/// One mover of a batch for random_empty_sites.
struct EmptySiteRequest {
  std::int64_t from;                          // the mover's cell, at column x and row y
  int x, y;
  const std::vector<core::Offset>* offsets;   // its neighbourhood
  /// When every site of the neighbourhood lies on the lattice without wrapping (`inside`), site k
  /// is cell from + cell_steps[k], cell_steps[k] = dy * width + dx; else null.
  const std::int64_t* cell_steps;
};

/// random_empty_site for a batch of movers: target[i] and streams[i] end exactly
/// as random_empty_site(lattice, *requests[i].offsets, requests[i].from, streams[i], is_empty,
/// max_tries) leaves them. Instead of one mover's tries after another (each try waiting for the
/// previous one's random draw and cell, and a mispredicted branch at the hit), every mover still
/// looking takes its next try in turn, without branches; draws come from peek(), since a
/// counter-based stream's draws do not depend on each other. Streams need peek() and discard().
/// The rare draw that Lemire's method might reject (low bits < n, probability n / 2^64) sends its
/// mover back to random_empty_site, from its untouched stream.
template <class Stream, class IsEmpty>
void random_empty_sites(const core::Lattice& lattice, std::size_t count, const EmptySiteRequest* requests,
                        Stream* streams, std::int64_t* target, const IsEmpty& is_empty, int max_tries = 32) {
  constexpr std::size_t kMaxBatch = 64;
  if (count > kMaxBatch) {
    for (std::size_t first = 0; first < count; first += kMaxBatch) {
      const std::size_t n = count - first < kMaxBatch ? count - first : kMaxBatch;
      random_empty_sites(lattice, n, requests + first, streams + first, target + first, is_empty, max_tries);
    }
    return;
  }
  if (max_tries > 255) {  // try numbers are kept in bytes
    for (std::size_t i = 0; i < count; ++i)
      target[i] = random_empty_site(lattice, *requests[i].offsets, requests[i].from, streams[i], is_empty, max_tries);
    return;
  }
  std::uint8_t hit_at_try[kMaxBatch];   // 0: no hit (yet)
  std::uint8_t exact_path[kMaxBatch];   // 1: redo with random_empty_site
  std::uint8_t looking[kMaxBatch];      // indices of the movers still looking
  // The requests' fields, side by side for the tries' loop.
  const core::Offset* offsets[kMaxBatch];
  const std::int64_t* steps[kMaxBatch];
  std::uint64_t sizes[kMaxBatch];
  std::size_t n_looking = 0;
  for (std::size_t i = 0; i < count; ++i) {
    target[i] = -1;
    hit_at_try[i] = 0;
    exact_path[i] = 0;
    offsets[i] = requests[i].offsets->data();
    steps[i] = requests[i].cell_steps;
    sizes[i] = requests[i].offsets->size();
    if (sizes[i] == 0) continue;  // no site, no draw
    looking[n_looking++] = static_cast<std::uint8_t>(i);
  }
  for (int t = 1; t <= max_tries && n_looking > 0; ++t) {
    std::size_t still = 0;
    for (std::size_t k = 0; k < n_looking; ++k) {
      const std::size_t i = looking[k];
      const std::uint64_t n = sizes[i];
      const unsigned __int128 m = static_cast<unsigned __int128>(streams[i].peek(std::uint64_t(t))) * n;
      const bool maybe_rejected = static_cast<std::uint64_t>(m) < n;
      const std::size_t k_offset = static_cast<std::size_t>(m >> 64);
      const std::int64_t from = requests[i].from;
      const std::int64_t cell = steps[i] ? from + steps[i][k_offset]
                                         : lattice.offset_cell(requests[i].x, requests[i].y, offsets[i][k_offset].dx,
                                                               offsets[i][k_offset].dy);
      const bool hit = (cell >= 0) & (cell != from) & is_empty(cell >= 0 ? cell : from);
      // Masks rather than conditionals, so that the compiler cannot turn the unpredictable hit
      // into a branch.
      const std::uint64_t hit_mask = 0 - static_cast<std::uint64_t>(hit);
      target[i] = static_cast<std::int64_t>((static_cast<std::uint64_t>(cell) & hit_mask) | ~hit_mask);
      hit_at_try[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(t) & hit_mask);
      exact_path[i] = maybe_rejected;
      looking[still] = static_cast<std::uint8_t>(i);
      still += static_cast<std::size_t>(1 ^ (static_cast<unsigned>(hit) | static_cast<unsigned>(maybe_rejected)));
    }
    n_looking = still;
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (requests[i].offsets->empty()) continue;
    if (exact_path[i]) {
      target[i] = random_empty_site(lattice, *requests[i].offsets, requests[i].from, streams[i], is_empty, max_tries);
    } else if (hit_at_try[i] > 0) {
      streams[i].discard(hit_at_try[i]);
    } else {  // no hit in max_tries tries: enumerate, as random_empty_site does
      streams[i].discard(std::uint64_t(max_tries > 0 ? max_tries : 0));
      const std::int64_t from = requests[i].from;
      target[i] = random_site_where(lattice, *requests[i].offsets, from, streams[i],
                                    [&](std::int64_t cell) { return cell != from && is_empty(cell); });
    }
  }
}

}  // namespace sahelsim::agents

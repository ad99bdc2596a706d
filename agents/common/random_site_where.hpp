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
  const int x = lattice.x_of(from), y = lattice.y_of(from);
  std::int64_t chosen = -1;
  std::uint64_t seen = 0;
  for (const core::Offset& o : offsets) {
    const std::int64_t cell = lattice.offset_cell(x, y, o.dx, o.dy);
    if (cell < 0 || !predicate(cell)) continue;
    ++seen;
    if (stream.below(seen) == 0) chosen = cell;
  }
  return chosen;
}

/// The draws of reservoir sampling over `matches` matching sites: the 1-based rank, in visiting
/// order, of the match it keeps (0 when there is none). Takes `matches` draws, stream.below(seen)
/// for seen = 1, 2, ..., matches.
struct ReservoirRank {
  template <class Stream>
  std::uint64_t operator()(Stream& stream, std::uint64_t matches) const {
    std::uint64_t rank = 0;
    for (std::uint64_t seen = 1; seen <= matches; ++seen)
      if (stream.below(seen) == 0) rank = seen;
    return rank;
  }
};

/// The same pick, with the same draws from `stream`, when the matching sites can be counted row by
/// row: `matches_in_row(y, x, half)` is the number of matching cells at columns x - half .. x + half
/// of row y, wrapped or clipped by the topology (e.g. RowPrefixCounts::row_window). It counts the K
/// matches in O(rows), takes the K draws reservoir sampling takes, then tests the sites of the one
/// row that holds the chosen match, instead of testing every site of the neighbourhood.
///
/// Gives random_site_where's result for offsets = neighborhood_offsets(...) of these `rows`, when
/// core::neighborhood_fits(lattice, rows) (no site is reached twice) and the counts agree with
/// `predicate`.
///
/// `rank(stream, matches)` takes the draws; ReservoirRank takes them one by one, a caller may pass
/// a faster equivalent.
template <class Stream, class MatchesInRow, class Predicate, class Rank = ReservoirRank>
std::int64_t random_site_where_counted(const core::Lattice& lattice, const std::vector<core::RowSpan>& rows,
                                       std::int64_t from, Stream& stream, const MatchesInRow& matches_in_row,
                                       const Predicate& predicate, const Rank& rank_of = Rank{}) {
  const int x = lattice.x_of(from), y = lattice.y_of(from);
  const bool centre_matches = predicate(from);  // counted in row dy = 0, but not a site to pick
  auto in_row = [&](const core::RowSpan& row) -> std::uint64_t {
    const std::uint64_t n = static_cast<std::uint64_t>(matches_in_row(y + row.dy, x, row.half_width));
    return row.dy == 0 && centre_matches ? n - 1 : n;
  };
  constexpr std::size_t kKeptRows = 256;  // row counts kept for the second walk (vision < 128)
  std::uint64_t row_matches[kKeptRows];
  std::uint64_t matches = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::uint64_t n = in_row(rows[r]);
    if (r < kKeptRows) row_matches[r] = n;
    matches += n;
  }
  std::uint64_t rank = rank_of(stream, matches);  // 1-based rank, in offset order, of the match kept
  if (rank == 0) return -1;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const core::RowSpan& row = rows[r];
    const std::uint64_t here = r < kKeptRows ? row_matches[r] : in_row(row);
    if (rank > here) {
      rank -= here;
      continue;
    }
    for (int dx = -row.half_width; dx <= row.half_width; ++dx) {
      if (dx == 0 && row.dy == 0) continue;
      const std::int64_t cell = lattice.offset_cell(x, y, dx, row.dy);
      if (cell >= 0 && predicate(cell) && --rank == 0) return cell;
    }
    break;
  }
  return -1;  // only if the counts disagree with the predicate
}

}  // namespace sahelsim::agents

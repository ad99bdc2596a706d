// Tests of core/include/sahelsim/core/lattice.hpp: neighbourhood shapes, wrapping, and the per-row
// counting structures (prefix sums, Fenwick trees) checked against brute-force counting.
#include "sahelsim/core/lattice.hpp"

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "sahelsim/core/parallel.hpp"
#include "sahelsim/core/random_stream.hpp"

namespace {

using sahelsim::core::Lattice;
using sahelsim::core::Neighborhood;
using sahelsim::core::neighborhood_offsets;
using sahelsim::core::neighborhood_rows;
using sahelsim::core::Offset;
using sahelsim::core::ParallelExecutor;
using sahelsim::core::purpose_id;
using sahelsim::core::RandomStream;
using sahelsim::core::RowFenwickCounts;
using sahelsim::core::RowPrefixCounts;
using sahelsim::core::Topology;

// ---- neighbourhood shapes (EPSTEIN.md ambiguity 2) ----

TEST(NeighborhoodOffsets, DiscOfRadius7Has148SitesExcludingCentre) {
  EXPECT_EQ(neighborhood_offsets(Neighborhood::disc, 7.0).size(), 148u);
}

TEST(NeighborhoodOffsets, VonNeumannOfRadius7Has112SitesExcludingCentre) {
  EXPECT_EQ(neighborhood_offsets(Neighborhood::von_neumann, 7.0).size(), 112u);
}

TEST(NeighborhoodOffsets, MooreOfRadius7Has224SitesExcludingCentre) {
  EXPECT_EQ(neighborhood_offsets(Neighborhood::moore, 7.0).size(), 224u);
}

TEST(NeighborhoodOffsets, DiscOfRadius1Point7IsTheEightNeighbours) {
  const auto offsets = neighborhood_offsets(Neighborhood::disc, 1.7);
  ASSERT_EQ(offsets.size(), 8u);
  std::set<std::pair<int, int>> seen;
  for (const Offset& o : offsets) {
    EXPECT_LE(std::abs(o.dx), 1);
    EXPECT_LE(std::abs(o.dy), 1);
    seen.insert({o.dx, o.dy});
  }
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen.count({0, 0}), 0u);
}

TEST(NeighborhoodOffsets, DiscContainsExactlyTheSitesWithinEuclideanRadius) {
  const double radius = 7.0;
  std::set<std::pair<int, int>> expected;
  for (int dy = -7; dy <= 7; ++dy)
    for (int dx = -7; dx <= 7; ++dx)
      if ((dx || dy) && dx * dx + dy * dy <= 49) expected.insert({dx, dy});
  std::set<std::pair<int, int>> got;
  for (const Offset& o : neighborhood_offsets(Neighborhood::disc, radius)) got.insert({o.dx, o.dy});
  EXPECT_EQ(got, expected);
}

TEST(NeighborhoodOffsets, RadiusZeroHasNoOffsets) {
  EXPECT_TRUE(neighborhood_offsets(Neighborhood::disc, 0.0).empty());
  EXPECT_EQ(neighborhood_rows(Neighborhood::disc, 0.0).size(), 1u);  // the centre row
}

TEST(NeighborhoodRows, RejectsNegativeAndNonFiniteRadius) {
  EXPECT_THROW(neighborhood_rows(Neighborhood::disc, -1.0), std::invalid_argument);
  EXPECT_THROW(neighborhood_rows(Neighborhood::moore, std::numeric_limits<double>::infinity()),
               std::invalid_argument);
}

// ---- Lattice ----

TEST(Lattice, RejectsZeroWidth) {
  EXPECT_THROW(Lattice(0, 5, Topology::torus), std::invalid_argument);
  EXPECT_THROW(Lattice(0, 5, Topology::bounded), std::invalid_argument);
}

TEST(Lattice, RejectsZeroHeight) { EXPECT_THROW(Lattice(5, 0, Topology::torus), std::invalid_argument); }

TEST(Lattice, OffsetCellWrapsOnATorus) {
  const Lattice torus(10, 5, Topology::torus);
  const std::int64_t origin = torus.cell(0, 0);
  EXPECT_EQ(torus.offset_cell(origin, -1, -1), torus.cell(9, 4));
  EXPECT_EQ(torus.offset_cell(origin, 10, 5), origin);
  EXPECT_EQ(torus.offset_cell(torus.cell(9, 4), 1, 1), origin);
  EXPECT_EQ(torus.offset_cell(torus.cell(3, 2), -23, 7), torus.cell(0, 4));
}

TEST(Lattice, OffsetCellIsMinusOneOffABoundedLattice) {
  const Lattice bounded(10, 5, Topology::bounded);
  const std::int64_t origin = bounded.cell(0, 0);
  EXPECT_EQ(bounded.offset_cell(origin, -1, 0), -1);
  EXPECT_EQ(bounded.offset_cell(origin, 0, -1), -1);
  EXPECT_EQ(bounded.offset_cell(bounded.cell(9, 4), 1, 0), -1);
  EXPECT_EQ(bounded.offset_cell(bounded.cell(9, 4), 0, 1), -1);
  EXPECT_EQ(bounded.offset_cell(origin, 9, 4), bounded.cell(9, 4));
}

// ---- counting structures against brute force ----

struct CountCase {
  int width, height;
  Topology topology;
  Neighborhood shape;
  double radius;
};

std::string describe(const CountCase& c) {
  return std::to_string(c.width) + "x" + std::to_string(c.height) +
         (c.topology == Topology::torus ? " torus" : " bounded") + " shape " + std::to_string(int(c.shape)) +
         " radius " + std::to_string(c.radius);
}

// Brute force: the sum of counts over the *distinct* cells reached by the centre and every offset
// (on a torus smaller than the neighbourhood, several offsets reach the same cell).
std::int32_t brute_force_sum(const Lattice& lattice, const std::vector<Offset>& offsets, std::int64_t center,
                             const std::vector<std::int32_t>& counts) {
  std::set<std::int64_t> cells = {center};
  for (const Offset& o : offsets) {
    const std::int64_t c = lattice.offset_cell(center, o.dx, o.dy);
    if (c >= 0) cells.insert(c);
  }
  std::int32_t total = 0;
  for (std::int64_t c : cells) total += counts[std::size_t(c)];
  return total;
}

std::vector<std::int32_t> random_counts(const Lattice& lattice, std::uint64_t seed) {
  std::vector<std::int32_t> counts(std::size_t(lattice.cell_count()));
  RandomStream stream(seed, purpose_id("test.counts"), 0, 0);
  for (auto& c : counts) c = std::int32_t(stream.below(4));  // 0..3 items per cell
  return counts;
}

const std::vector<CountCase> kCases = {
    {40, 40, Topology::torus, Neighborhood::disc, 7.0},
    {40, 40, Topology::torus, Neighborhood::von_neumann, 7.0},
    {40, 40, Topology::torus, Neighborhood::moore, 7.0},
    {40, 40, Topology::bounded, Neighborhood::disc, 7.0},
    {40, 40, Topology::bounded, Neighborhood::moore, 7.0},
    {23, 17, Topology::torus, Neighborhood::disc, 1.7},
    {23, 17, Topology::bounded, Neighborhood::von_neumann, 2.5},
    // Lattices smaller than the neighbourhood: rows and columns wrap onto themselves.
    {5, 3, Topology::torus, Neighborhood::disc, 7.0},
    {5, 3, Topology::torus, Neighborhood::moore, 7.0},
    {5, 3, Topology::torus, Neighborhood::von_neumann, 7.0},
    {5, 3, Topology::bounded, Neighborhood::disc, 7.0},
    {15, 15, Topology::torus, Neighborhood::disc, 7.0},  // exactly as tall as the disc
    {14, 14, Topology::torus, Neighborhood::disc, 7.0},  // one row shorter than the disc
    {14, 20, Topology::torus, Neighborhood::moore, 7.0}, // narrower than the square only
    {1, 1, Topology::torus, Neighborhood::moore, 3.0},
    {1, 1, Topology::bounded, Neighborhood::moore, 3.0},
};

TEST(RowPrefixCounts, SumEqualsBruteForceCountOverTheNeighbourhood) {
  ParallelExecutor executor(2);
  std::uint64_t seed = 1;
  for (const CountCase& c : kCases) {
    const Lattice lattice(c.width, c.height, c.topology);
    const auto rows = neighborhood_rows(c.shape, c.radius);
    const auto offsets = neighborhood_offsets(c.shape, c.radius);
    const auto counts = random_counts(lattice, seed++);
    RowPrefixCounts prefix(lattice);
    prefix.rebuild(executor, [&](std::int64_t cell) { return counts[std::size_t(cell)]; });
    for (std::int64_t cell = 0; cell < lattice.cell_count(); ++cell)
      ASSERT_EQ(prefix.sum(cell, rows), brute_force_sum(lattice, offsets, cell, counts))
          << describe(c) << " at cell " << cell;
  }
}

TEST(RowFenwickCounts, SumEqualsBruteForceCountOverTheNeighbourhood) {
  std::uint64_t seed = 100;
  for (const CountCase& c : kCases) {
    const Lattice lattice(c.width, c.height, c.topology);
    const auto rows = neighborhood_rows(c.shape, c.radius);
    const auto offsets = neighborhood_offsets(c.shape, c.radius);
    const auto counts = random_counts(lattice, seed++);
    RowFenwickCounts fenwick(lattice);
    for (std::int64_t cell = 0; cell < lattice.cell_count(); ++cell) fenwick.add(cell, counts[std::size_t(cell)]);
    for (std::int64_t cell = 0; cell < lattice.cell_count(); ++cell)
      ASSERT_EQ(fenwick.sum(cell, rows), brute_force_sum(lattice, offsets, cell, counts))
          << describe(c) << " at cell " << cell;
  }
}

TEST(RowFenwickCounts, SumFollowsSingleCellUpdates) {
  const Lattice lattice(30, 20, Topology::torus);
  const auto rows = neighborhood_rows(Neighborhood::disc, 4.0);
  const auto offsets = neighborhood_offsets(Neighborhood::disc, 4.0);
  std::vector<std::int32_t> counts(std::size_t(lattice.cell_count()), 0);
  RowFenwickCounts fenwick(lattice);
  RandomStream stream(3, purpose_id("test.updates"), 0, 0);
  for (int update = 0; update < 2000; ++update) {
    const auto cell = std::int64_t(stream.below(std::uint64_t(lattice.cell_count())));
    const std::int32_t delta = counts[std::size_t(cell)] > 0 && stream.below(2) ? -1 : +1;
    counts[std::size_t(cell)] += delta;
    fenwick.add(cell, delta);
    const auto probe = std::int64_t(stream.below(std::uint64_t(lattice.cell_count())));
    ASSERT_EQ(fenwick.sum(probe, rows), brute_force_sum(lattice, offsets, probe, counts)) << "update " << update;
  }
  fenwick.clear();
  for (std::int64_t cell = 0; cell < lattice.cell_count(); ++cell) ASSERT_EQ(fenwick.sum(cell, rows), 0);
}

}  // namespace

namespace {

TEST(DistinctOffsets, ReachEachCellOfASmallTorusOnceAndNeverTheCentre) {
  const sahelsim::core::Lattice lattice(5, 3, sahelsim::core::Topology::torus);
  const auto offsets = sahelsim::core::distinct_offsets(
      lattice, sahelsim::core::neighborhood_offsets(sahelsim::core::Neighborhood::disc, 7.0));
  std::set<std::int64_t> cells;
  const std::int64_t centre = lattice.cell(2, 1);
  for (const auto& o : offsets) {
    const std::int64_t cell = lattice.offset_cell(centre, o.dx, o.dy);
    EXPECT_NE(cell, centre);
    EXPECT_TRUE(cells.insert(cell).second) << "cell reached twice";
  }
  EXPECT_EQ(cells.size(), 14u);  // every cell but the centre
}

TEST(DistinctOffsets, KeepEveryOffsetOnALargeTorusOrABoundedLattice) {
  const auto offsets = sahelsim::core::neighborhood_offsets(sahelsim::core::Neighborhood::disc, 7.0);
  EXPECT_EQ(sahelsim::core::distinct_offsets(sahelsim::core::Lattice(40, 40, sahelsim::core::Topology::torus), offsets).size(), 148u);
  EXPECT_EQ(sahelsim::core::distinct_offsets(sahelsim::core::Lattice(5, 5, sahelsim::core::Topology::bounded), offsets).size(), 148u);
}

}  // namespace

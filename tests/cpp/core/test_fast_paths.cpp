// Tests of the core fast paths the synchronous Epstein phases use (docs/PERFORMANCE.md): each must
// give exactly what the plain path gives, since results are bitwise reproducible.
//   random_stream.hpp  StreamFamily, RandomStream::peek / discard
//   lattice.hpp        Lattice::wrap_near, offset_cell from coordinates, neighborhood_fits,
//                      BasicRowPrefixCounts with packed counts, sum_inside, row_steps
//   parallel.hpp       for_row_bands_in_colours
//   claims.hpp         Claims::propose_unshared
#include <algorithm>
#include <cstdint>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>
#include <oneapi/tbb/global_control.h>

#include "sahelsim/core/claims.hpp"
#include "sahelsim/core/lattice.hpp"
#include "sahelsim/core/parallel.hpp"
#include "sahelsim/core/random_stream.hpp"

namespace {

using sahelsim::core::BasicRowPrefixCounts;
using sahelsim::core::Claims;
using sahelsim::core::Lattice;
using sahelsim::core::Neighborhood;
using sahelsim::core::neighborhood_fits;
using sahelsim::core::neighborhood_reach;
using sahelsim::core::neighborhood_rows;
using sahelsim::core::ParallelExecutor;
using sahelsim::core::purpose_id;
using sahelsim::core::RandomStream;
using sahelsim::core::RowPrefixCounts;
using sahelsim::core::StreamFamily;
using sahelsim::core::Topology;

// ---- random streams ----

TEST(StreamFamily, GivesTheSameStreamAsTheFullConstructor) {
  for (std::uint64_t seed : {0ULL, 1ULL, 42ULL, 0xffffffffffffffffULL}) {
    for (std::uint64_t step : {0ULL, 1ULL, 77ULL}) {
      const StreamFamily family(seed, purpose_id("agent.move"), step);
      for (std::uint64_t agent : {0ULL, 1ULL, 12345ULL, (1ULL << 31) - 1}) {
        RandomStream expected(seed, purpose_id("agent.move"), agent, step);
        RandomStream got = family.stream(agent);
        for (int i = 0; i < 5; ++i) ASSERT_EQ(got(), expected());
      }
    }
  }
}

TEST(RandomStream, PeekShowsTheComingDrawsWithoutTakingThem) {
  RandomStream stream(42, purpose_id("agent.move"), 7, 3);
  stream();
  RandomStream copy = stream;
  const std::uint64_t third = stream.peek(3), first = stream.peek(1);
  EXPECT_EQ(stream.draws(), 1u);
  EXPECT_EQ(copy(), first);
  copy();
  EXPECT_EQ(copy(), third);
}

TEST(RandomStream, DiscardSkipsDraws) {
  RandomStream a(1, purpose_id("x"), 2, 3), b(1, purpose_id("x"), 2, 3);
  for (int i = 0; i < 4; ++i) a();
  b.discard(4);
  EXPECT_EQ(a.draws(), b.draws());
  EXPECT_EQ(a(), b());
}

// ---- lattice ----

TEST(Lattice, WrapNearEqualsWrapForAnyValue) {
  for (int n : {1, 2, 5, 40}) {
    for (int v = -5 * n - 3; v <= 5 * n + 3; ++v) ASSERT_EQ(Lattice::wrap_near(v, n), Lattice::wrap(v, n)) << v;
  }
}

TEST(Lattice, OffsetCellFromCoordinatesEqualsOffsetCellFromTheCell) {
  for (Topology topology : {Topology::torus, Topology::bounded}) {
    const Lattice lattice(7, 5, topology);
    for (std::int64_t c = 0; c < lattice.cell_count(); ++c)
      for (int dy = -12; dy <= 12; ++dy)
        for (int dx = -16; dx <= 16; ++dx)
          ASSERT_EQ(lattice.offset_cell(lattice.x_of(c), lattice.y_of(c), dx, dy), lattice.offset_cell(c, dx, dy));
  }
}

TEST(NeighborhoodFits, OnlyWhenATorusIsAtLeastTwiceTheReachPlusOne) {
  const auto rows = neighborhood_rows(Neighborhood::disc, 7.0);
  EXPECT_EQ(neighborhood_reach(rows), 7);
  EXPECT_TRUE(neighborhood_fits(Lattice(15, 15, Topology::torus), rows));
  EXPECT_FALSE(neighborhood_fits(Lattice(14, 40, Topology::torus), rows));
  EXPECT_FALSE(neighborhood_fits(Lattice(40, 14, Topology::torus), rows));
  EXPECT_TRUE(neighborhood_fits(Lattice(3, 3, Topology::bounded), rows));
}

// Two counts packed in one uint64 give the same sums as two separate RowPrefixCounts.
TEST(BasicRowPrefixCounts, PackedCountsSumLikeSeparateCounts) {
  for (Topology topology : {Topology::torus, Topology::bounded}) {
    for (int side : {9, 40}) {
      const Lattice lattice(side, side + 3, topology);
      std::vector<int> a(lattice.cell_count()), b(lattice.cell_count());
      RandomStream fill(5, purpose_id("test.fill"), 0, 0);
      for (std::size_t c = 0; c < a.size(); ++c) {
        a[c] = fill.below(3) == 0;
        b[c] = fill.below(5) == 0;
      }
      ParallelExecutor executor(1);
      RowPrefixCounts count_a(lattice), count_b(lattice);
      BasicRowPrefixCounts<std::uint64_t> packed(lattice);
      count_a.rebuild(executor, [&](std::int64_t c) { return a[c]; });
      count_b.rebuild(executor, [&](std::int64_t c) { return b[c]; });
      packed.rebuild(executor, [&](std::int64_t c) { return std::uint64_t(a[c]) | std::uint64_t(b[c]) << 32; }, 3);
      const auto rows = neighborhood_rows(Neighborhood::disc, 3.5);
      const auto steps = packed.row_steps(rows);
      const int reach = neighborhood_reach(rows);
      for (std::int64_t c = 0; c < lattice.cell_count(); ++c) {
        const std::uint64_t sum = packed.sum(c, rows);
        ASSERT_EQ(std::int32_t(sum & 0xffffffffULL), count_a.sum(c, rows));
        ASSERT_EQ(std::int32_t(sum >> 32), count_b.sum(c, rows));
        const int x = lattice.x_of(c), y = lattice.y_of(c);
        if (x >= reach && x < lattice.width() - reach && y >= reach && y < lattice.height() - reach) {
          ASSERT_EQ(packed.sum_inside(x, y, rows), sum);
          ASSERT_EQ(packed.sum_inside(x, y, steps), sum);
        }
      }
    }
  }
}

// ---- parallel ----

TEST(ForRowBandsInColours, VisitsEveryRowOnceInBandsOfTheGivenHeight) {
  oneapi::tbb::global_control parallelism(oneapi::tbb::global_control::max_allowed_parallelism, 4);
  ParallelExecutor executor(4);
  for (bool torus : {true, false}) {
    for (std::size_t rows : {1u, 13u, 14u, 15u, 41u, 56u, 70u}) {
      const std::size_t band_rows = 14;  // for a reach of 7
      std::vector<int> visits(rows, 0);
      std::vector<std::pair<std::size_t, std::size_t>> bands;
      std::mutex mutex;
      sahelsim::core::for_row_bands_in_colours(executor, rows, band_rows, torus, [&](std::size_t y0, std::size_t y1) {
        std::lock_guard<std::mutex> lock(mutex);
        for (std::size_t y = y0; y < y1; ++y) ++visits[y];
        bands.emplace_back(y0, y1);
      });
      for (std::size_t y = 0; y < rows; ++y) ASSERT_EQ(visits[y], 1) << rows << " rows, row " << y;
      ASSERT_EQ(bands.size(), (rows + band_rows - 1) / band_rows);
      for (const auto& [y0, y1] : bands) {
        ASSERT_EQ(y0 % band_rows, 0u);
        ASSERT_EQ(y1, std::min(rows, y0 + band_rows));
      }
    }
  }
}

// ---- claims ----

TEST(Claims, ProposeUnsharedKeepsTheLowestPriorityLikePropose) {
  Claims shared(1), unshared(1);
  for (std::uint64_t p : {9ULL, 3ULL, 7ULL, 3ULL, 5ULL}) {
    shared.propose(0, p);
    unshared.propose_unshared(0, p);
  }
  EXPECT_EQ(unshared.winner(0), shared.winner(0));
  EXPECT_EQ(unshared.winner(0), 3u);
}

}  // namespace

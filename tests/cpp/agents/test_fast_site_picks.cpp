// Tests of the fast site picks in agents/common/ (docs/PERFORMANCE.md): random_empty_sites (a batch
// of Rule M moves) and random_site_where_counted (a pick among counted matches) must return the
// same cells and leave the same random streams as the plain random_empty_site / random_site_where.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "agents/common/random_empty_site.hpp"
#include "agents/common/random_site_where.hpp"
#include "sahelsim/core/lattice.hpp"
#include "sahelsim/core/parallel.hpp"
#include "sahelsim/core/random_stream.hpp"
#include "sahelsim/core/random_stream.hpp"

namespace {

using sahelsim::agents::EmptySiteRequest;
using sahelsim::agents::random_empty_site;
using sahelsim::agents::random_empty_sites;
using sahelsim::agents::random_site_where;
using sahelsim::agents::random_site_where_counted;
using sahelsim::core::distinct_offsets;
using sahelsim::core::Lattice;
using sahelsim::core::Neighborhood;
using sahelsim::core::neighborhood_fits;
using sahelsim::core::neighborhood_offsets;
using sahelsim::core::neighborhood_reach;
using sahelsim::core::neighborhood_rows;
using sahelsim::core::Offset;
using sahelsim::core::ParallelExecutor;
using sahelsim::core::purpose_id;
using sahelsim::core::RandomStream;
using sahelsim::core::RowPrefixCounts;
using sahelsim::core::Topology;

// A stream replaying a fixed list of raw draws (then zeros), with RandomStream's below(): it can
// produce the tiny draws that make Lemire's method reject, which a real stream almost never does.
class ScriptedStream {
 public:
  using result_type = std::uint64_t;
  explicit ScriptedStream(std::vector<std::uint64_t> draws) : draws_(std::move(draws)) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~0ULL; }
  result_type operator()() { return value(++counter_); }
  result_type peek(std::uint64_t ahead = 1) const { return value(counter_ + ahead); }
  void discard(std::uint64_t n) { counter_ += n; }
  std::uint64_t draws() const { return counter_; }
  std::uint64_t below(std::uint64_t n) { return sahelsim::core::uniform_below(*this, n); }

 private:
  result_type value(std::uint64_t i) const { return i <= draws_.size() ? draws_[i - 1] : 0; }
  std::vector<std::uint64_t> draws_;
  std::uint64_t counter_ = 0;
};

struct Board {
  Lattice lattice;
  std::vector<std::uint8_t> occupied;
  Board(int w, int h, Topology topology, double density, std::uint64_t seed) : lattice(w, h, topology) {
    RandomStream fill(seed, purpose_id("test.board"), 0, 0);
    occupied.resize(lattice.cell_count());
    for (auto& o : occupied) o = fill.uniform01() < density;
  }
};

// Checks random_empty_sites against random_empty_site for every occupied cell of a board.
template <class MakeStream>
void expect_batch_equals_scalar(const Board& board, const std::vector<Offset>& offsets, int max_tries,
                                bool with_steps, const MakeStream& make_stream) {
  const Lattice& lattice = board.lattice;
  auto empty = [&](std::int64_t c) { return board.occupied[c] == 0; };
  std::vector<std::int64_t> steps;
  for (const Offset& o : offsets) steps.push_back(std::int64_t(o.dy) * lattice.width() + o.dx);
  int reach = 0;
  for (const Offset& o : offsets) reach = std::max({reach, std::abs(o.dx), std::abs(o.dy)});
  std::vector<EmptySiteRequest> requests;
  std::vector<decltype(make_stream(0))> batch_streams, scalar_streams;
  for (std::int64_t c = 0; c < lattice.cell_count(); ++c) {
    if (!board.occupied[c]) continue;
    const int x = lattice.x_of(c), y = lattice.y_of(c);
    const bool inside = lattice.topology() == Topology::torus && x >= reach && x < lattice.width() - reach &&
                        y >= reach && y < lattice.height() - reach;
    requests.push_back({c, x, y, &offsets, with_steps && inside ? steps.data() : nullptr});
    batch_streams.push_back(make_stream(c));
    scalar_streams.push_back(make_stream(c));
  }
  std::vector<std::int64_t> targets(requests.size());
  random_empty_sites(lattice, requests.size(), requests.data(), batch_streams.data(), targets.data(), empty, max_tries);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::int64_t expected =
        random_empty_site(lattice, offsets, requests[i].from, scalar_streams[i], empty, max_tries);
    ASSERT_EQ(targets[i], expected) << "mover " << i;
    ASSERT_EQ(batch_streams[i].draws(), scalar_streams[i].draws()) << "mover " << i;
    ASSERT_EQ(batch_streams[i](), scalar_streams[i]()) << "mover " << i;
  }
}

TEST(RandomEmptySites, EqualsRandomEmptySiteMoverByMover) {
  for (Topology topology : {Topology::torus, Topology::bounded}) {
    for (double density : {0.3, 0.74, 0.97}) {
      const Board board(40, 37, topology, density, 11);
      const auto offsets = distinct_offsets(board.lattice, neighborhood_offsets(Neighborhood::disc, 7.0));
      for (bool with_steps : {false, true})
        expect_batch_equals_scalar(board, offsets, 32, with_steps, [](std::int64_t c) {
          return RandomStream(3, purpose_id("agent.move"), std::uint64_t(c), 9);
        });
    }
  }
}

TEST(RandomEmptySites, EqualsRandomEmptySiteOnASmallTorusAndWithFewTries) {
  const Board board(9, 11, Topology::torus, 0.8, 12);
  const auto offsets = distinct_offsets(board.lattice, neighborhood_offsets(Neighborhood::disc, 7.0));
  for (int max_tries : {0, 1, 2, 32})
    expect_batch_equals_scalar(board, offsets, max_tries, false, [](std::int64_t c) {
      return RandomStream(4, purpose_id("agent.move"), std::uint64_t(c), 1);
    });
}

TEST(RandomEmptySites, EqualsRandomEmptySiteWhenADrawMightBeRejected) {
  // Draws below n make Lemire's method compute its threshold (and reject the smallest): the batch
  // must hand such movers back to the exact path.
  const Board board(20, 20, Topology::torus, 0.7, 13);
  const auto offsets = neighborhood_offsets(Neighborhood::disc, 3.0);
  expect_batch_equals_scalar(board, offsets, 32, false, [](std::int64_t c) {
    std::vector<std::uint64_t> draws;
    for (std::uint64_t i = 0; i < 40; ++i)
      draws.push_back((c + i) % 3 == 0 ? (c + i) % 5 : 0x9e3779b97f4a7c15ULL * (c * 41 + i + 1));
    return ScriptedStream(draws);
  });
}

TEST(RandomSiteWhereCounted, EqualsRandomSiteWhere) {
  for (Topology topology : {Topology::torus, Topology::bounded}) {
    for (double density : {0.02, 0.2, 0.9}) {
      const Board board(33, 30, topology, density, 14);
      const auto rows = neighborhood_rows(Neighborhood::disc, 7.0);
      const auto offsets = neighborhood_offsets(Neighborhood::disc, 7.0);
      ASSERT_TRUE(neighborhood_fits(board.lattice, rows));
      ParallelExecutor executor(1);
      RowPrefixCounts counts(board.lattice);
      counts.rebuild(executor, [&](std::int64_t c) { return int(board.occupied[c]); });
      auto matches = [&](std::int64_t c) { return board.occupied[c] != 0; };
      auto in_row = [&](int y, int x, int half) { return counts.row_window(y, x, half); };
      for (std::int64_t c = 0; c < board.lattice.cell_count(); ++c) {
        RandomStream a(5, purpose_id("cop.arrest"), std::uint64_t(c), 2), b = a;
        const std::int64_t expected = random_site_where(board.lattice, offsets, c, a, matches);
        const std::int64_t got = random_site_where_counted(board.lattice, rows, c, b, in_row, matches);
        ASSERT_EQ(got, expected) << "centre " << c;
        ASSERT_EQ(a.draws(), b.draws()) << "centre " << c;
      }
    }
  }
}

}  // namespace

// Tests of the citizen rules in agents/citizen/ (grievance, arrest probability, Rule A, jail terms)
// and of Rule M's site choice in agents/common/random_empty_site.hpp.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "agents/citizen/activation_rule.hpp"
#include "agents/citizen/arrest_probability.hpp"
#include "agents/citizen/grievance.hpp"
#include "agents/citizen/jail_term.hpp"
#include "agents/common/random_empty_site.hpp"
#include "sahelsim/core/lattice.hpp"
#include "sahelsim/core/random_stream.hpp"

namespace {

namespace citizen = sahelsim::agents::citizen;
using citizen::ArrestRule;
using citizen::JailDraw;
using sahelsim::agents::random_empty_site;
using sahelsim::core::distinct_offsets;
using sahelsim::core::Lattice;
using sahelsim::core::Neighborhood;
using sahelsim::core::neighborhood_offsets;
using sahelsim::core::purpose_id;
using sahelsim::core::RandomStream;
using sahelsim::core::Topology;

constexpr double k = 2.3;

// ---- grievance ----

TEST(Grievance, IsHardshipTimesOneMinusLegitimacy) {
  EXPECT_DOUBLE_EQ(citizen::grievance(0.5, 0.8), 0.5 * 0.2);
  EXPECT_DOUBLE_EQ(citizen::grievance(0.9, 0.0), 0.9);
  EXPECT_EQ(citizen::grievance(0.9, 1.0), 0.0);
  EXPECT_EQ(citizen::grievance(0.0, 0.3), 0.0);
}

// ---- arrest probability (EPSTEIN.md ambiguity 1) ----

TEST(ArrestProbability, IsAbout0Point9ForOneCopAndOneActiveUnderEveryRule) {
  const double expected = 1.0 - std::exp(-2.3);  // 0.8997
  for (ArrestRule rule : {ArrestRule::as_written, ArrestRule::floor, ArrestRule::round}) {
    EXPECT_DOUBLE_EQ(citizen::estimated_arrest_probability(1, 1, k, rule), expected);
    EXPECT_NEAR(citizen::estimated_arrest_probability(1, 1, k, rule), 0.8997, 1e-4);
  }
}

TEST(ArrestProbability, FloorRuleIsZeroWhenActivesOutnumberCops) {
  EXPECT_EQ(citizen::estimated_arrest_probability(1, 2, k, ArrestRule::floor), 0.0);
  EXPECT_EQ(citizen::estimated_arrest_probability(2, 3, k, ArrestRule::floor), 0.0);
  EXPECT_DOUBLE_EQ(citizen::estimated_arrest_probability(3, 2, k, ArrestRule::floor), 1.0 - std::exp(-2.3));
}

TEST(ArrestProbability, RoundRuleRoundsHalvesToEvenAsPythonAndMesaDo) {
  // Mesa's example computes Python's round(C / A): halves go to the even integer, so one cop facing
  // two actives does not deter at all (round(0.5) = 0), and round(2.5) = 2.
  EXPECT_EQ(citizen::estimated_arrest_probability(1, 2, k, ArrestRule::round), 0.0);
  EXPECT_DOUBLE_EQ(citizen::estimated_arrest_probability(3, 2, k, ArrestRule::round), 1.0 - std::exp(-2.0 * 2.3));
  EXPECT_DOUBLE_EQ(citizen::estimated_arrest_probability(5, 2, k, ArrestRule::round), 1.0 - std::exp(-2.0 * 2.3));
  EXPECT_DOUBLE_EQ(citizen::estimated_arrest_probability(2, 3, k, ArrestRule::round), 1.0 - std::exp(-2.3));
  EXPECT_EQ(citizen::estimated_arrest_probability(1, 3, k, ArrestRule::round), 0.0);  // round(0.33) = 0
}

TEST(ArrestProbability, AsWrittenRuleUsesTheRealRatio) {
  EXPECT_DOUBLE_EQ(citizen::estimated_arrest_probability(1, 2, k, ArrestRule::as_written), 1.0 - std::exp(-1.15));
  EXPECT_NEAR(citizen::estimated_arrest_probability(1, 2, k, ArrestRule::as_written), 0.6834, 1e-4);
}

TEST(ArrestProbability, IsZeroWithoutCops) {
  for (ArrestRule rule : {ArrestRule::as_written, ArrestRule::floor, ArrestRule::round})
    EXPECT_EQ(citizen::estimated_arrest_probability(0, 5, k, rule), 0.0);
}

TEST(ArrestProbability, ParseRejectsUnknownRule) {
  EXPECT_EQ(citizen::parse_arrest_rule("round"), ArrestRule::round);
  EXPECT_THROW(citizen::parse_arrest_rule("ceil"), std::invalid_argument);
}

// ---- Rule A ----

TEST(DecidesActive, RequiresNetGrievanceStrictlyAboveThreshold) {
  // 0.75 - 0.5 * 0.5 = 0.5 exactly in binary floating point.
  EXPECT_FALSE(citizen::decides_active(0.75, 0.5, 0.5, 0.5));
  EXPECT_TRUE(citizen::decides_active(0.75, 0.5, 0.5, std::nextafter(0.5, 0.0)));
  EXPECT_FALSE(citizen::decides_active(0.1, 0.0, 0.9, 0.1));
  EXPECT_TRUE(citizen::decides_active(std::nextafter(0.1, 1.0), 0.0, 0.9, 0.1));
}

TEST(DecidesActive, RiskTimesArrestProbabilityDetersActivation) {
  EXPECT_TRUE(citizen::decides_active(0.5, 0.9, 0.0, 0.1));   // no risk: G - 0 = 0.5 > 0.1
  EXPECT_FALSE(citizen::decides_active(0.5, 0.9, 0.9, 0.1));  // 0.5 - 0.81 < 0.1
}

// ---- jail terms (EPSTEIN.md ambiguity 4) ----

TEST(JailTerm, ContinuousDrawIsWithinZeroAndMaximum) {
  double lowest = 1e9, highest = -1.0;
  for (std::uint64_t i = 0; i < 20000; ++i) {
    RandomStream stream(1, purpose_id("citizen.jail_term"), i, 0);
    const double term = citizen::draw_jail_term(stream, 30.0, JailDraw::continuous);
    ASSERT_GE(term, 0.0);
    ASSERT_LT(term, 30.0);
    lowest = std::min(lowest, term);
    highest = std::max(highest, term);
  }
  EXPECT_LT(lowest, 0.1);
  EXPECT_GT(highest, 29.9);
}

// The set of values drawn over many streams.
std::set<double> integer_terms(double max_jail_term, JailDraw draw) {
  std::set<double> seen;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    RandomStream stream(2, purpose_id("citizen.jail_term"), i, 0);
    seen.insert(citizen::draw_jail_term(stream, max_jail_term, draw));
  }
  return seen;
}

TEST(JailTerm, IntBelowDrawsEveryIntegerFromZeroToMaximumMinusOne) {
  EXPECT_EQ(integer_terms(5.0, JailDraw::int_below), (std::set<double>{0, 1, 2, 3, 4}));
}

TEST(JailTerm, IntInclusiveDrawsEveryIntegerFromZeroToMaximum) {
  EXPECT_EQ(integer_terms(5.0, JailDraw::int_inclusive), (std::set<double>{0, 1, 2, 3, 4, 5}));
}

TEST(JailTerm, IntBelowWithZeroMaximumIsZero) {
  EXPECT_EQ(integer_terms(0.0, JailDraw::int_below), (std::set<double>{0}));
}

TEST(JailTerm, ContinuousWithZeroMaximumIsZero) {
  // U(0, 0): Boost's uniform_real_distribution with equal bounds never returned (the run hung).
  EXPECT_EQ(integer_terms(0.0, JailDraw::continuous), (std::set<double>{0}));
}

TEST(JailTerm, HugeFiniteMaximumDrawsLongTermsWithinRangeUnderEveryDraw) {
  // Above 2^63 the integer draws once overflowed a long long: terms of 0, or negative ranges.
  for (const double max_jail_term : {1e16, 1e19, 1e300}) {
    for (JailDraw draw : {JailDraw::continuous, JailDraw::int_below, JailDraw::int_inclusive}) {
      int long_terms = 0;
      for (std::uint64_t i = 0; i < 1000; ++i) {
        RandomStream stream(4, purpose_id("citizen.jail_term"), i, 0);
        const double term = citizen::draw_jail_term(stream, max_jail_term, draw);
        ASSERT_TRUE(term >= 0.0 && term <= max_jail_term && std::isfinite(term))
            << term << " for J_max " << max_jail_term << ", draw " << int(draw);
        long_terms += term > max_jail_term * 1e-3;
      }
      EXPECT_GT(long_terms, 990) << "J_max " << max_jail_term << ", draw " << int(draw);
    }
  }
}

TEST(JailTerm, InfiniteMaximumJailsForEverUnderEveryDraw) {
  const double inf = std::numeric_limits<double>::infinity();
  for (JailDraw draw : {JailDraw::continuous, JailDraw::int_below, JailDraw::int_inclusive}) {
    RandomStream stream(3, purpose_id("citizen.jail_term"), 0, 0);
    const double term = citizen::draw_jail_term(stream, inf, draw);
    EXPECT_TRUE(std::isinf(term) && term > 0) << "draw " << int(draw);
  }
}

// ---- Rule M: random empty site ----

// A 30x30 torus where only the listed cells are empty.
struct Board {
  Lattice lattice{30, 30, Topology::torus};
  std::vector<std::uint8_t> empty = std::vector<std::uint8_t>(900, 0);
  bool is_empty(std::int64_t c) const { return empty[std::size_t(c)] != 0; }
};

// Pearson's chi-square of the number of picks of each of `cells` against equal shares.
double chi_square_over(const std::vector<std::int64_t>& cells, const std::vector<std::int64_t>& picks) {
  std::vector<double> counts(cells.size(), 0.0);
  for (std::int64_t p : picks)
    for (std::size_t i = 0; i < cells.size(); ++i)
      if (cells[i] == p) counts[i] += 1.0;
  const double expected = double(picks.size()) / double(cells.size());
  double chi2 = 0.0;
  for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
  return chi2;
}

// Picks from `from` with many independent streams; every pick must be one of the empty cells.
std::vector<std::int64_t> picks_from(const Board& board, const std::vector<sahelsim::core::Offset>& offsets,
                                     std::int64_t from, int streams, int max_tries) {
  std::vector<std::int64_t> picks;
  for (int s = 0; s < streams; ++s) {
    RandomStream stream(4, purpose_id("agent.move"), std::uint64_t(s), 0);
    picks.push_back(random_empty_site(board.lattice, offsets, from, stream,
                                      [&](std::int64_t c) { return board.is_empty(c); }, max_tries));
  }
  return picks;
}

TEST(RandomEmptySite, ReturnsOnlyEmptySitesWithinVision) {
  Board board;
  const auto offsets = neighborhood_offsets(Neighborhood::disc, 7.0);
  const std::int64_t from = board.lattice.cell(15, 15);
  RandomStream layout(5, purpose_id("test.layout"), 0, 0);
  for (auto& e : board.empty) e = layout.below(3) == 0;
  board.empty[std::size_t(from)] = 1;  // its own cell never counts, even if marked empty
  std::set<std::int64_t> in_vision;
  for (const auto& o : offsets) in_vision.insert(board.lattice.offset_cell(from, o.dx, o.dy));
  for (std::int64_t pick : picks_from(board, offsets, from, 5000, 32)) {
    ASSERT_GE(pick, 0);
    ASSERT_NE(pick, from);
    ASSERT_TRUE(board.is_empty(pick));
    ASSERT_EQ(in_vision.count(pick), 1u);
  }
}

TEST(RandomEmptySite, IsUniformOverTheEmptySites) {
  // Three empty sites among 148: the rejection phase often fails, so both the rejection draw and the
  // fallback enumeration contribute. 2 degrees of freedom: P(chi2 > 25) ~ 4e-6.
  Board board;
  const auto offsets = neighborhood_offsets(Neighborhood::disc, 7.0);
  const std::int64_t from = board.lattice.cell(10, 10);
  const std::vector<std::int64_t> empty_cells = {board.lattice.offset_cell(from, 7, 0),
                                                 board.lattice.offset_cell(from, -1, -1),
                                                 board.lattice.offset_cell(from, 3, -5)};
  for (std::int64_t c : empty_cells) board.empty[std::size_t(c)] = 1;
  board.empty[std::size_t(board.lattice.cell(25, 25))] = 1;  // out of vision: never picked
  const auto picks = picks_from(board, offsets, from, 30000, 32);
  for (std::int64_t p : picks) ASSERT_TRUE(p == empty_cells[0] || p == empty_cells[1] || p == empty_cells[2]);
  EXPECT_LT(chi_square_over(empty_cells, picks), 25.0);
}

TEST(RandomEmptySite, FallbackEnumerationAloneIsUniform) {
  Board board;
  const auto offsets = neighborhood_offsets(Neighborhood::moore, 2.0);
  const std::int64_t from = board.lattice.cell(0, 0);
  std::vector<std::int64_t> empty_cells;
  for (const auto& o : std::vector<sahelsim::core::Offset>{{-2, -2}, {-1, 2}, {0, 1}, {1, 0}, {2, -1}, {2, 2}})
    empty_cells.push_back(board.lattice.offset_cell(from, o.dx, o.dy));  // wraps across the corner
  for (std::int64_t c : empty_cells) board.empty[std::size_t(c)] = 1;
  const auto picks = picks_from(board, offsets, from, 30000, /*max_tries=*/0);
  EXPECT_LT(chi_square_over(empty_cells, picks), 35.0);  // 5 degrees of freedom: P ~ 2e-6
}

// KNOWN BUG, disabled until fixed: on a torus narrower or shorter than the neighbourhood (2r + 1
// cells), several offsets reach the same cell, and both the rejection draw and the fallback weight a
// cell by how many offsets reach it. Here (7, 0) and (-7, 0) are one cell on a 14-wide torus, so it
// is picked about 2/3 of the time instead of 1/2. Run with --gtest_also_run_disabled_tests.
TEST(RandomEmptySite, IsUniformOnATorusNarrowerThanTheVisionWithDistinctOffsets) {
  Board board;
  board.lattice = Lattice(14, 14, Topology::torus);
  board.empty.assign(14 * 14, 0);
  const auto offsets = distinct_offsets(board.lattice, neighborhood_offsets(Neighborhood::disc, 7.0));
  const std::int64_t from = board.lattice.cell(0, 0);
  const std::vector<std::int64_t> empty_cells = {board.lattice.offset_cell(from, 7, 0),
                                                 board.lattice.offset_cell(from, 1, 0)};
  for (std::int64_t c : empty_cells) board.empty[std::size_t(c)] = 1;
  const auto picks = picks_from(board, offsets, from, 30000, 32);
  EXPECT_LT(chi_square_over(empty_cells, picks), 25.0);  // 1 degree of freedom: P ~ 6e-7
}

TEST(RandomEmptySite, IsMinusOneWhenNoSiteIsEmpty) {
  Board board;
  const auto offsets = neighborhood_offsets(Neighborhood::disc, 7.0);
  const std::int64_t from = board.lattice.cell(3, 3);
  board.empty[std::size_t(from)] = 1;                          // only its own cell
  board.empty[std::size_t(board.lattice.cell(20, 20))] = 1;  // and a cell out of vision
  for (std::int64_t pick : picks_from(board, offsets, from, 200, 32)) ASSERT_EQ(pick, -1);
}

TEST(RandomEmptySite, NeverLeavesABoundedLattice) {
  const Lattice lattice(10, 10, Topology::bounded);
  const auto offsets = neighborhood_offsets(Neighborhood::disc, 3.0);
  const std::int64_t corner = lattice.cell(0, 0);
  for (std::uint64_t s = 0; s < 2000; ++s) {
    RandomStream stream(6, purpose_id("agent.move"), s, 0);
    const std::int64_t pick = random_empty_site(lattice, offsets, corner, stream, [](std::int64_t) { return true; });
    ASSERT_GE(pick, 0);
    ASSERT_LE(lattice.x_of(pick), 3);
    ASSERT_LE(lattice.y_of(pick), 3);
  }
}

}  // namespace

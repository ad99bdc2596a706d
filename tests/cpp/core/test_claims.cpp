// Tests of core/include/sahelsim/core/claims.hpp: propose-then-resolve conflict resolution, whose
// winner must not depend on the order of proposals or on the thread count.
#include "sahelsim/core/claims.hpp"

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sahelsim/core/random_stream.hpp"

namespace {

using sahelsim::core::Claims;
using sahelsim::core::purpose_id;
using sahelsim::core::RandomStream;

TEST(Claims, StartsWithNoClaims) {
  Claims claims(4);
  EXPECT_EQ(claims.size(), 4u);
  for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(claims.winner(t), Claims::none);
}

TEST(Claims, LowestPriorityWinsRegardlessOfProposalOrder) {
  std::vector<std::uint64_t> priorities = {Claims::priority(0x9000000000000000ULL, 1),
                                           Claims::priority(0x2000000000000000ULL, 2),
                                           Claims::priority(0x2000000000000000ULL, 3),
                                           Claims::priority(0x7000000000000000ULL, 4)};
  const std::uint64_t lowest = Claims::priority(0x2000000000000000ULL, 2);  // equal keys: lower id wins
  std::sort(priorities.begin(), priorities.end());
  do {
    Claims claims(1);
    for (std::uint64_t p : priorities) claims.propose(0, p);
    ASSERT_EQ(claims.winner(0), lowest);
    for (std::uint64_t p : priorities) ASSERT_EQ(claims.won(0, p), p == lowest);
  } while (std::next_permutation(priorities.begin(), priorities.end()));
}

TEST(Claims, PriorityKeepsTheHighRandomBitsAndTheProposerId) {
  EXPECT_EQ(Claims::priority(0x123456789abcdef0ULL, 7u), 0x1234567800000007ULL);
  // The random key decides first; the id only breaks ties.
  EXPECT_LT(Claims::priority(0x1000000000000000ULL, 999u), Claims::priority(0x2000000000000000ULL, 1u));
}

TEST(Claims, ConcurrentProposalsPickTheSameWinnerAsASerialMinimum) {
  constexpr std::size_t targets = 64;
  constexpr std::uint32_t proposers = 20000;
  constexpr int threads = 8;
  std::vector<std::size_t> target(proposers);
  std::vector<std::uint64_t> priority(proposers);
  for (std::uint32_t i = 0; i < proposers; ++i) {
    RandomStream stream(99, purpose_id("test.claims"), i, 0);
    target[i] = std::size_t(stream.below(targets));
    priority[i] = Claims::priority(stream(), i);
  }
  std::vector<std::uint64_t> expected(targets, Claims::none);
  for (std::uint32_t i = 0; i < proposers; ++i) expected[target[i]] = std::min(expected[target[i]], priority[i]);

  for (int repeat = 0; repeat < 20; ++repeat) {
    Claims claims(targets);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        // Interleaved and, for odd threads, reversed: every thread proposes in a different order.
        if (t % 2 == 0) {
          for (std::uint32_t i = std::uint32_t(t); i < proposers; i += threads) claims.propose(target[i], priority[i]);
        } else {
          const std::int64_t last = t + threads * ((std::int64_t(proposers) - 1 - t) / threads);
          for (std::int64_t i = last; i >= 0; i -= threads)
            claims.propose(target[std::size_t(i)], priority[std::size_t(i)]);
        }
      });
    for (auto& thread : pool) thread.join();
    for (std::size_t t = 0; t < targets; ++t) ASSERT_EQ(claims.winner(t), expected[t]) << "target " << t;
    std::size_t winners = 0;  // exactly one proposal wins each target
    for (std::uint32_t i = 0; i < proposers; ++i) winners += claims.won(target[i], priority[i]);
    ASSERT_EQ(winners, targets);
  }
}

TEST(Claims, ClearFreesATarget) {
  Claims claims(2);
  claims.propose(0, 5);
  claims.propose(1, 6);
  claims.clear(0);
  EXPECT_EQ(claims.winner(0), Claims::none);
  EXPECT_FALSE(claims.won(0, 5));
  EXPECT_EQ(claims.winner(1), 6u);  // other targets keep their claims
  claims.propose(0, 50);  // a higher priority than the cleared one now wins
  EXPECT_TRUE(claims.won(0, 50));
}

TEST(Claims, ClearAllFreesEveryTarget) {
  Claims claims(3);
  for (std::size_t t = 0; t < 3; ++t) claims.propose(t, t + 1);
  claims.clear_all();
  for (std::size_t t = 0; t < 3; ++t) EXPECT_EQ(claims.winner(t), Claims::none);
}

}  // namespace

// Tests of models/epstein/batched_draws.hpp: a round of the moves' tries (try_round) against its
// definition, written here again with 128-bit products, and its AVX-512 kernel against the portable
// loop on random batches of every length up to two batches (the kernel's masked last lanes).
#include "models/epstein/batched_draws.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sahelsim/core/random_stream.hpp"

namespace {

namespace epstein = sahelsim::models::epstein;
using sahelsim::core::RandomStream;

/// A round's inputs: movers with random keys, visions of random sizes, places in a random frame.
struct Round {
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> sites;
  std::vector<std::int32_t> at, base, steps;
  std::vector<std::uint8_t> frame;
  std::uint64_t counter = 0;
};

Round random_round(std::size_t movers, std::uint64_t counter, std::mt19937_64& random) {
  Round r;
  r.counter = counter;
  constexpr std::int32_t kFrame = 2000, kReach = 60;
  r.frame.resize(kFrame + 3);  // the kernel reads 4 bytes at a site
  for (int c = 0; c < kFrame; ++c) r.frame[c] = std::uint8_t(random() % 4 == 0);  // a quarter empty
  // Two visions side by side, as the model lays out citizens' and cops' offsets.
  const std::uint32_t sizes[2] = {std::uint32_t(1 + random() % 150), std::uint32_t(1 + random() % 40)};
  for (std::uint32_t s = 0; s < sizes[0] + sizes[1]; ++s) r.steps.push_back(std::int32_t(random() % (2 * kReach + 1)) - kReach);
  for (std::size_t i = 0; i < movers; ++i) {
    const int kind = int(random() % 2);
    r.keys.push_back(random());
    r.sites.push_back(sizes[kind]);
    r.base.push_back(kind == 0 ? 0 : std::int32_t(sizes[0]));
    r.at.push_back(kReach + std::int32_t(random() % (kFrame - 2 * kReach)));
  }
  return r;
}

struct Outcome {
  std::vector<std::uint8_t> result;
  std::vector<std::int32_t> pick;
  std::vector<std::uint64_t> next_draw;
};

Outcome run(const Round& r) {
  const std::size_t n = r.keys.size();
  Outcome o{std::vector<std::uint8_t>(n, 0xee), std::vector<std::int32_t>(n, -7), std::vector<std::uint64_t>(n, 7)};
  epstein::try_round(n, r.keys.data(), r.sites.data(), r.at.data(), r.base.data(), r.counter, r.steps.data(),
                     r.frame.data(), {o.result.data(), o.pick.data(), o.next_draw.data()});
  return o;
}

/// The definition: try t draws d = draw counter + t + 1 of the mover's stream and takes site
/// (d * sites) >> 64; the first try that lands on an empty cell is the hit; a draw whose low 64 bits
/// of d * sites are below sites (Lemire's method might reject it) at or before the hit sends the
/// mover to the exact path.
void expect_definition(const Round& r, const Outcome& o, std::size_t i) {
  const RandomStream stream = RandomStream::from_key(r.keys[i]);
  for (int t = 0; t < epstein::kTriesPerRound; ++t) {
    const std::uint64_t d = stream.peek(r.counter + std::uint64_t(t) + 1);
    const unsigned __int128 product = static_cast<unsigned __int128>(d) * r.sites[i];
    const auto k = static_cast<std::int32_t>(product >> 64);
    if (static_cast<std::uint64_t>(product) < r.sites[i]) {
      EXPECT_EQ(o.result[i], epstein::kExactPath) << "mover " << i << ", try " << t;
      return;
    }
    if (r.frame[std::size_t(r.at[i] + r.steps[std::size_t(r.base[i] + k)])] != 0) {
      EXPECT_EQ(o.result[i], t) << "mover " << i;
      EXPECT_EQ(o.pick[i], r.base[i] + k) << "mover " << i;
      EXPECT_EQ(o.next_draw[i], stream.peek(r.counter + std::uint64_t(t) + 2)) << "mover " << i;
      return;
    }
  }
  EXPECT_EQ(o.result[i], epstein::kNoHit) << "mover " << i;
}

class TryRound : public ::testing::TestWithParam<bool> {  // the parameter: vector kernel on or off
 protected:
  void SetUp() override {
    epstein::set_vector_kernels(GetParam());
    if (GetParam() && !epstein::vector_kernels_active()) GTEST_SKIP() << "this CPU has no AVX-512";
  }
  void TearDown() override { epstein::set_vector_kernels(true); }
};

TEST_P(TryRound, FollowsTheDefinitionForEveryMover) {
  std::mt19937_64 random(5);
  for (std::uint64_t counter : {0, 4, 28}) {
    const Round r = random_round(300, counter, random);
    const Outcome o = run(r);
    for (std::size_t i = 0; i < r.keys.size(); ++i) expect_definition(r, o, i);
  }
}

/// x such that mix64(x) == y (each of mix64's steps is a bijection of 64-bit words).
std::uint64_t inverse_mix64(std::uint64_t y) {
  auto undo_xorshift = [](std::uint64_t v, int shift) {
    std::uint64_t x = v;
    for (int i = 0; i < 64 / shift + 1; ++i) x = v ^ (x >> shift);
    return x;
  };
  auto inverse_odd = [](std::uint64_t c) {  // Newton's iteration modulo 2^64
    std::uint64_t x = c;
    for (int i = 0; i < 6; ++i) x *= 2 - c * x;
    return x;
  };
  std::uint64_t x = undo_xorshift(y, 31) * inverse_odd(0x94d049bb133111ebULL);
  x = undo_xorshift(x, 27) * inverse_odd(0xbf58476d1ce4e5b9ULL);
  return undo_xorshift(x, 30);
}

TEST_P(TryRound, ADrawLemireMightRejectAtOrBeforeTheHitSendsTheMoverToTheExactPath) {
  ASSERT_EQ(sahelsim::core::mix64(inverse_mix64(0x0123456789abcdefULL)), 0x0123456789abcdefULL);
  std::mt19937_64 random(9);
  Round r = random_round(48, 4, random);
  for (auto& f : r.frame) f = 0;
  for (std::size_t i = 0; i < r.keys.size(); ++i) {
    // Mover i's try i % 4 draws 0, which picks the vision's first site with a low product of 0,
    // below any size. That site is empty for every other mover: there the rejected draw is the hit.
    const std::uint64_t draw_counter = r.counter + i % epstein::kTriesPerRound + 1;
    r.keys[i] = inverse_mix64(0) - draw_counter * epstein::kGamma;
    ASSERT_EQ(RandomStream::from_key(r.keys[i]).peek(draw_counter), 0u);
    if (i % 2 == 0) r.frame[std::size_t(r.at[i] + r.steps[std::size_t(r.base[i])])] = 1;
  }
  const Outcome o = run(r);
  for (std::size_t i = 0; i < r.keys.size(); ++i) {
    expect_definition(r, o, i);
    // The first try of movers 0, 4, 8, ... is both rejected and a hit (others may hit before theirs).
    if (i % epstein::kTriesPerRound == 0) {
      EXPECT_EQ(o.result[i], epstein::kExactPath) << "mover " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, TryRound, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("VectorKernel") : std::string("PortableLoop");
                         });

TEST(TryRoundKernels, VectorKernelGivesThePortableOutcomeForBatchesOfAnyLength) {
  epstein::set_vector_kernels(true);
  if (!epstein::vector_kernels_active()) GTEST_SKIP() << "this CPU has no AVX-512";
  std::mt19937_64 random(11);
  for (std::size_t movers = 1; movers <= 2 * epstein::kMoveBatch; ++movers) {
    const Round r = random_round(movers, 4 * (movers % 8), random);
    epstein::set_vector_kernels(false);
    const Outcome portable = run(r);
    epstein::set_vector_kernels(true);
    const Outcome vector = run(r);
    for (std::size_t i = 0; i < movers; ++i) {
      ASSERT_EQ(vector.result[i], portable.result[i]) << movers << " movers, mover " << i;
      if (portable.result[i] < epstein::kTriesPerRound) {
        ASSERT_EQ(vector.pick[i], portable.pick[i]) << movers << " movers, mover " << i;
        ASSERT_EQ(vector.next_draw[i], portable.next_draw[i]) << movers << " movers, mover " << i;
      }
    }
  }
}

}  // namespace

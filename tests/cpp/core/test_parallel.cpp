// Tests of core/include/sahelsim/core/parallel.hpp: fixed-chunk loops, reductions and compaction
// whose results do not depend on the thread count (ENGINEERING.md §3).
#include "sahelsim/core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <oneapi/tbb/global_control.h>

#include "sahelsim/core/random_stream.hpp"

namespace {

using sahelsim::core::parallel_select;
using sahelsim::core::ParallelExecutor;
using sahelsim::core::purpose_id;
using sahelsim::core::RandomStream;

const std::vector<int> kThreadCounts = {1, 2, 3, 4, 8};

// Lets arenas of 8 threads really run 8 threads on a 2-core box; must outlive the executors.
oneapi::tbb::global_control allow_eight_threads() {
  return oneapi::tbb::global_control(oneapi::tbb::global_control::max_allowed_parallelism, 8);
}

std::uint64_t bits_of(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

TEST(ParallelExecutor, RejectsZeroThreads) {
  EXPECT_THROW(ParallelExecutor(0), std::invalid_argument);
  EXPECT_THROW(ParallelExecutor(-1), std::invalid_argument);
}

TEST(ParallelExecutor, ReportsItsThreadCount) { EXPECT_EQ(ParallelExecutor(3).threads(), 3); }

TEST(ParallelExecutor, ForChunksCoversEachIndexExactlyOnce) {
  auto control = allow_eight_threads();
  constexpr std::size_t n = 100003, chunk = 97;  // the last chunk is partial
  for (int threads : kThreadCounts) {
    ParallelExecutor executor(threads);
    std::vector<std::atomic<int>> visits(n);
    for (auto& v : visits) v.store(0);
    std::atomic<int> bad_chunks{0};
    executor.for_chunks(n, chunk, [&](std::size_t begin, std::size_t end, std::size_t c) {
      if (begin != c * chunk || end != std::min(n, begin + chunk)) ++bad_chunks;
      for (std::size_t i = begin; i < end; ++i) visits[i].fetch_add(1);
    });
    EXPECT_EQ(bad_chunks.load(), 0) << threads << " threads";
    std::size_t wrong = 0;
    for (const auto& v : visits) wrong += v.load() != 1;
    EXPECT_EQ(wrong, 0u) << threads << " threads";
  }
}

TEST(ParallelExecutor, ForChunksOfNothingCallsNothing) {
  ParallelExecutor executor(2);
  int calls = 0;
  executor.for_chunks(0, 16, [&](std::size_t, std::size_t, std::size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

// 10^6 doubles spread over twelve orders of magnitude, so the rounding of a sum depends on its order.
std::vector<double> wide_doubles() {
  std::vector<double> values(1000000);
  RandomStream stream(2024, purpose_id("test.sum"), 0, 0);
  for (auto& v : values) {
    double scale = 1e-6;
    for (auto k = stream.below(12); k > 0; --k) scale *= 10.0;
    v = (stream.uniform01() - 0.3) * scale;
  }
  return values;
}

TEST(ParallelExecutor, SumOfDoublesIsBitwiseIdenticalForAnyThreadCount) {
  auto control = allow_eight_threads();
  const std::vector<double> values = wide_doubles();
  constexpr std::size_t chunk = 4096;

  // The order the contract promises: per-chunk partial sums, combined in chunk order.
  double expected = 0.0;
  for (std::size_t begin = 0; begin < values.size(); begin += chunk) {
    double partial = 0.0;
    for (std::size_t i = begin; i < std::min(values.size(), begin + chunk); ++i) partial += values[i];
    expected += partial;
  }
  // Precondition: the data are order-sensitive, so equality below is not automatic.
  double left_to_right = 0.0;
  for (double v : values) left_to_right += v;
  ASSERT_NE(bits_of(left_to_right), bits_of(expected));

  for (int threads : kThreadCounts) {
    ParallelExecutor executor(threads);
    const double total = executor.sum<double>(values.size(), chunk, [&](std::size_t i) { return values[i]; });
    EXPECT_EQ(bits_of(total), bits_of(expected)) << threads << " threads: " << total << " vs " << expected;
  }
}

TEST(ParallelSelect, ReturnsAscendingIndicesIdenticalForAnyThreadCount) {
  auto control = allow_eight_threads();
  constexpr std::size_t n = 200000;
  std::vector<std::uint8_t> keep(n);
  RandomStream stream(7, purpose_id("test.select"), 0, 0);
  for (auto& k : keep) k = stream.below(3) == 0;
  std::vector<std::int64_t> expected;
  for (std::size_t i = 0; i < n; ++i)
    if (keep[i]) expected.push_back(std::int64_t(i));
  ASSERT_GT(expected.size(), n / 4);

  for (int threads : kThreadCounts) {
    ParallelExecutor executor(threads);
    const auto selected = parallel_select(executor, n, 1000, [&](std::size_t i) { return keep[i] != 0; });
    EXPECT_EQ(selected, expected) << threads << " threads";
  }
}

TEST(ParallelSelect, OfNothingIsEmpty) {
  ParallelExecutor executor(2);
  EXPECT_TRUE(parallel_select(executor, 0, 64, [](std::size_t) { return true; }).empty());
  EXPECT_TRUE(parallel_select(executor, 1000, 64, [](std::size_t) { return false; }).empty());
}

}  // namespace

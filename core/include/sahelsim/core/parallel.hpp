// Parallel loops whose results do not depend on the thread count (ENGINEERING.md §3).
//
// Work is split into fixed chunks of `chunk_size` items; the unit of determinism is the chunk id,
// never the thread. Loops use simple_partitioner over chunk ids inside the simulation's own
// task_arena, so the thread count is set per simulation and never changes other libraries.
// Reductions combine per-chunk partial results serially in chunk order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

// ThreadSanitizer builds (scripts/sanitize.sh): Debian's libtbb is not instrumented, so TSan cannot
// see the synchronisation by which TBB hands a loop's chunks to its workers and joins them. TBB's
// header code, compiled into our objects, is instrumented all the same: its tasks, their copies of
// the loop body's closure, its ranges and its wait state on the caller's stack would be reported as
// races whenever TSan can no longer restore the stack needed to match a suppression. So, at our one
// entry point, for_chunks:
//  - TBB's own work is not watched: a thread ignores memory accesses while it runs TBB's code (the
//    caller from the loop's start to its end, a worker from joining the arena to leaving it; see
//    TbbWorkerTsanIgnore in parallel.cpp) and watches only while it runs a chunk of ours;
//  - TBB's guarantee is stated instead: what the caller did before the loop happens before every
//    chunk, every chunk happens before what the caller does after. Chunks get no edge between them,
//    so races between chunks are still reported.
// No-ops in other builds.
#if defined(__SANITIZE_THREAD__)
#define SAHELSIM_TSAN_ANNOTATIONS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SAHELSIM_TSAN_ANNOTATIONS 1
#endif
#endif
#ifdef SAHELSIM_TSAN_ANNOTATIONS
extern "C" void __tsan_acquire(void* address);
extern "C" void __tsan_release(void* address);
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif

namespace sahelsim::core {

namespace detail {
#ifdef SAHELSIM_TSAN_ANNOTATIONS
inline void tsan_acquire(void* address) { __tsan_acquire(address); }
inline void tsan_release(void* address) { __tsan_release(address); }
inline void tsan_ignore_begin() { __tsan_ignore_thread_begin(); }
inline void tsan_ignore_end() { __tsan_ignore_thread_end(); }
#else
inline void tsan_acquire(void*) {}
inline void tsan_release(void*) {}
inline void tsan_ignore_begin() {}
inline void tsan_ignore_end() {}
#endif
/// While alive, this thread's memory accesses are not watched by TSan (TBB's part of a loop).
struct TsanIgnoreScope {
  TsanIgnoreScope() { tsan_ignore_begin(); }
  ~TsanIgnoreScope() { tsan_ignore_end(); }
  TsanIgnoreScope(const TsanIgnoreScope&) = delete;
  TsanIgnoreScope& operator=(const TsanIgnoreScope&) = delete;
};
/// While alive, this thread's memory accesses are watched again (a chunk of ours, inside TBB's part).
struct TsanWatchScope {
  TsanWatchScope() { tsan_ignore_end(); }
  ~TsanWatchScope() { tsan_ignore_begin(); }
  TsanWatchScope(const TsanWatchScope&) = delete;
  TsanWatchScope& operator=(const TsanWatchScope&) = delete;
};
}  // namespace detail

class TbbWorkerTsanIgnore;  // ThreadSanitizer builds only (parallel.cpp)

class ParallelExecutor {
 public:
  /// The most threads a simulation may use.
  static constexpr int max_threads = 1024;

  /// threads in [1, max_threads]; throws std::invalid_argument otherwise.
  explicit ParallelExecutor(int threads);
  ~ParallelExecutor();
  ParallelExecutor(const ParallelExecutor&) = delete;
  ParallelExecutor& operator=(const ParallelExecutor&) = delete;

  int threads() const { return threads_; }

  /// Calls body(begin, end, chunk_id) for each chunk of [0, n). Bodies of different chunks run
  /// concurrently and must only write state owned by their items or their chunk.
  template <class Body>
  void for_chunks(std::size_t n, std::size_t chunk_size, const Body& body) {
    if (n == 0) return;
    const std::size_t chunks = (n + chunk_size - 1) / chunk_size;
    if (threads_ == 1 || chunks == 1) {
      for (std::size_t c = 0; c < chunks; ++c) body(c * chunk_size, std::min(n, (c + 1) * chunk_size), c);
      return;
    }
    char fork_point = 0, join_point = 0;  // addresses for the TSan annotations (see the top of this file)
    detail::tsan_release(&fork_point);
    {
      detail::TsanIgnoreScope tbb_part;
      arena_->execute([&] {
        oneapi::tbb::parallel_for(
            oneapi::tbb::blocked_range<std::size_t>(0, chunks, 1),
            [&](const oneapi::tbb::blocked_range<std::size_t>& r) {
              // Read what TBB handed over (the range, this task's copy of the closure) while ignored.
              const std::size_t first = r.begin(), last = r.end();
              const Body& chunk_body = body;
              const std::size_t items = n, size = chunk_size;
              char* const fork = &fork_point;
              char* const join = &join_point;
              detail::TsanWatchScope ours;
              detail::tsan_acquire(fork);
              for (std::size_t c = first; c != last; ++c) chunk_body(c * size, std::min(items, (c + 1) * size), c);
              detail::tsan_release(join);
            },
            oneapi::tbb::simple_partitioner());
      });
    }
    detail::tsan_acquire(&join_point);
  }

  /// Calls body(i) for each i in [0, n) in parallel chunks.
  template <class Body>
  void for_each(std::size_t n, std::size_t chunk_size, const Body& body) {
    for_chunks(n, chunk_size, [&](std::size_t begin, std::size_t end, std::size_t) {
      for (std::size_t i = begin; i < end; ++i) body(i);
    });
  }

  /// Deterministic sum: per-chunk partial sums of value(i), combined in chunk order.
  template <class T, class Value>
  T sum(std::size_t n, std::size_t chunk_size, const Value& value) {
    if (n == 0) return T{};
    std::vector<T> partial((n + chunk_size - 1) / chunk_size, T{});
    for_chunks(n, chunk_size, [&](std::size_t begin, std::size_t end, std::size_t c) {
      T acc{};
      for (std::size_t i = begin; i < end; ++i) acc += value(i);
      partial[c] = acc;
    });
    T total{};
    for (const T& p : partial) total += p;
    return total;
  }

 private:
  int threads_;
  std::unique_ptr<oneapi::tbb::task_arena> arena_;
  std::unique_ptr<TbbWorkerTsanIgnore> tsan_observer_;
};

/// Runs body(y0, y1) over bands of `band_rows` lattice rows, [0, band_rows), [band_rows, 2 band_rows),
/// ..., in colours: all even bands in parallel, then all odd bands, then (on a torus with an odd
/// number of bands) the last band, which touches band 0 across the edge. If each band's body only
/// writes rows within `reach` of its own and band_rows >= 2 reach, bands running at the same time
/// never write the same row, so they need no atomic read-modify-writes.
///
/// On a torus whose height is not a multiple of band_rows, a last band less than 2 reach high runs
/// right after the band before it, as one task coloured as that band: otherwise the bands on either
/// side of it (band 0 and the one before it), which may run at the same time, could write the same
/// rows across the edge. `reach` defaults to the most band_rows allows.
template <class Body>
void for_row_bands_in_colours(ParallelExecutor& executor, std::size_t rows, std::size_t band_rows, bool torus,
                              const Body& body, std::size_t reach = 0) {
  if (rows == 0) return;
  if (reach == 0 || 2 * reach > band_rows) reach = band_rows / 2 + band_rows % 2;
  const std::size_t bands = (rows + band_rows - 1) / band_rows;
  auto run_band = [&](std::size_t band) { body(band * band_rows, std::min(rows, (band + 1) * band_rows)); };
  // Groups of bands that run as one task: every band alone, but a short last band with the one before.
  const bool short_last = torus && bands > 1 && rows - (bands - 1) * band_rows < 2 * reach;
  const std::size_t groups = short_last ? bands - 1 : bands;
  auto run_group = [&](std::size_t group) {
    run_band(group);
    if (short_last && group == groups - 1) run_band(bands - 1);
  };
  const bool last_alone = torus && groups > 1 && groups % 2 == 1;
  const std::size_t paired = last_alone ? groups - 1 : groups;  // groups coloured by parity
  for (std::size_t colour = 0; colour < 2; ++colour) {
    const std::size_t count = paired > colour ? (paired - colour + 1) / 2 : 0;
    executor.for_each(count, 1, [&](std::size_t k) { run_group(colour + 2 * k); });
  }
  if (last_alone) run_group(groups - 1);
}

/// Deterministic stable compaction: the indices i in [0, n) with keep(i) true, in increasing order,
/// computed in parallel (per-chunk counts, prefix sum in chunk order, scatter).
template <class Keep>
std::vector<std::int64_t> parallel_select(ParallelExecutor& executor, std::size_t n,
                                          std::size_t chunk_size, const Keep& keep) {
  const std::size_t chunks = n == 0 ? 0 : (n + chunk_size - 1) / chunk_size;
  std::vector<std::size_t> counts(chunks + 1, 0);
  executor.for_chunks(n, chunk_size, [&](std::size_t begin, std::size_t end, std::size_t c) {
    std::size_t k = 0;
    for (std::size_t i = begin; i < end; ++i) k += keep(i) ? 1 : 0;
    counts[c + 1] = k;
  });
  for (std::size_t c = 1; c <= chunks; ++c) counts[c] += counts[c - 1];
  std::vector<std::int64_t> selected(counts[chunks]);
  executor.for_chunks(n, chunk_size, [&](std::size_t begin, std::size_t end, std::size_t c) {
    std::size_t out = counts[c];
    for (std::size_t i = begin; i < end; ++i)
      if (keep(i)) selected[out++] = static_cast<std::int64_t>(i);
  });
  return selected;
}

}  // namespace sahelsim::core

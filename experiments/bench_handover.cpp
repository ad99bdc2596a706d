// Benchmark: what it costs to share a short step between two threads, as a function of how much work
// each of its phases holds. It answers one question of docs/PERFORMANCE.md: could a 40×40 Epstein
// step (about 42 µs in about ten loops) run almost twice as fast on two cores?
//
// A "step" here is `--phases` phases run one after the other; each phase is `--chunks` equal chunks
// of a fixed computation (a dependent chain of multiply-adds over a 12.5 KiB table, in L1), and the
// next phase starts only when every chunk of the last one is done, as in a model's step. The size of
// a phase is given as its serial time in µs (`--phase-us`); the chunk's loop count is calibrated to
// it on one thread first. Four ways to run the same steps are timed:
//
//   serial            one thread runs every chunk;
//   loop per phase    each phase is one ParallelExecutor::for_chunks on 2 threads (oneTBB's
//                     parallel_for, the way the models' phases run now);
//   region per step   each step is one oneTBB parallel region of two participants (task_arena of 2,
//                     parallel_for of 2 tasks) in which the phases are separated by spin barriers:
//                     the worker has to join the region every step;
//   spinning helper   a second thread stays alive across steps and spins between phases; each phase is
//                     published to it, both threads claim chunks from an atomic counter, and the
//                     publishing thread spins until every chunk is done (OpenMP's active wait).
//
// Each cell of the table is the best of `--repeats` blocks of `--steps` steps: µs per step and the
// speed-up over serial. The chunk results are summed into a checksum that every scheme must
// reproduce exactly (the same chunks, whoever runs them).
//
//   bench_handover                                  phases of 0.5, 1, 2, 4 and 8 µs, 10 per step
//   bench_handover --phase-us 4 --chunks 8 --repeats 9
//
// Results (the machine, the command and the table) are recorded in docs/PERFORMANCE.md.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

#include "bench_support.hpp"
#include "sahelsim/core/build_info.hpp"
#include "sahelsim/core/parallel.hpp"

namespace {

using namespace sahelsim::bench;  // Clock, seconds_since, parse_list, load_average (bench_support.hpp)

struct Options {
  std::vector<double> phase_us = {0.5, 1, 2, 4, 8};
  int phases = 10;
  int chunks = 2;
  int steps = 20000;
  int repeats = 5;
};

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr,
               "bench_handover: %s\n"
               "usage: bench_handover [--phase-us 0.5,1,2,4,8] [--phases N (10)] [--chunks N (2)]\n"
               "  [--steps N (20000)] [--repeats N (5)]\n",
               problem.c_str());
  std::exit(2);
}

// The work of one chunk: `loops` dependent multiply-adds over a table that stays in L1. Its result
// depends on the chunk's index only, so any thread may compute it.
const std::vector<double>& table() {
  static const std::vector<double> values = [] {
    std::vector<double> v(1600);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 1.0 + double(i % 7) * 1e-9;
    return v;
  }();
  return values;
}

double chunk_work(std::uint64_t chunk, std::int64_t loops) {
  const double* const v = table().data();
  double s = double(chunk % 13);
  std::size_t at = std::size_t(chunk * 97 % 1600);
  for (std::int64_t i = 0; i < loops; ++i) {
    s = s * 0.999999 + v[at];
    at = at + 1 == 1600 ? 0 : at + 1;
  }
  return s;
}

// A result slot per chunk, on its own cache line (the threads write their chunks' slots).
struct alignas(64) Slot {
  double value = 0;
};

// The checksum of a step: every chunk's result of every phase, in chunk order.
double checksum(const std::vector<Slot>& results) {
  double sum = 0;
  for (const Slot& s : results) sum += s.value;
  return sum;
}

struct Timing {
  double us_per_step = 0;
  double checksum = 0;
};

template <class RunBlock>
Timing best_of(const Options& o, RunBlock run_block) {
  Timing best{1e300, 0};
  for (int r = 0; r < o.repeats; ++r) {
    const auto start = Clock::now();
    const double sum = run_block();
    best.us_per_step = std::min(best.us_per_step, seconds_since(start) * 1e6 / o.steps);
    best.checksum = sum;
  }
  return best;
}

Timing run_serial(const Options& o, std::int64_t loops) {
  std::vector<Slot> results(std::size_t(o.phases * o.chunks));
  return best_of(o, [&] {
    double sum = 0;
    for (int s = 0; s < o.steps; ++s) {
      for (int p = 0; p < o.phases; ++p) {
        for (int c = 0; c < o.chunks; ++c) {
          const std::size_t chunk = std::size_t(p * o.chunks + c);
          results[chunk].value = chunk_work(chunk, loops);
        }
      }
      sum += checksum(results);
    }
    return sum;
  });
}

Timing run_loop_per_phase(const Options& o, std::int64_t loops) {
  sahelsim::core::ParallelExecutor executor(2);
  std::vector<Slot> results(std::size_t(o.phases * o.chunks));
  return best_of(o, [&] {
    double sum = 0;
    for (int s = 0; s < o.steps; ++s) {
      for (int p = 0; p < o.phases; ++p)
        executor.for_chunks(std::size_t(o.chunks), 1, [&](std::size_t c, std::size_t, std::size_t) {
          const std::size_t chunk = std::size_t(p * o.chunks) + c;
          results[chunk].value = chunk_work(chunk, loops);
        });
      sum += checksum(results);
    }
    return sum;
  });
}

// Chunks of one phase, claimed by whichever participant asks first.
struct alignas(64) PhaseCounters {
  std::atomic<int> claimed{0};
  std::atomic<int> done{0};
};

// Claims and runs chunks of phase `p` until none is left.
void run_chunks(PhaseCounters& counters, int p, const Options& o, std::int64_t loops, std::vector<Slot>& results) {
  for (int c = counters.claimed.fetch_add(1, std::memory_order_acq_rel); c < o.chunks;
       c = counters.claimed.fetch_add(1, std::memory_order_acq_rel)) {
    const std::size_t chunk = std::size_t(p * o.chunks + c);
    results[chunk].value = chunk_work(chunk, loops);
    counters.done.fetch_add(1, std::memory_order_acq_rel);
  }
}

void wait_until_done(const PhaseCounters& counters, int chunks) {
  while (counters.done.load(std::memory_order_acquire) < chunks) {
  }
}

Timing run_region_per_step(const Options& o, std::int64_t loops) {
  oneapi::tbb::task_arena arena(2);
  std::vector<Slot> results(std::size_t(o.phases * o.chunks));
  std::vector<PhaseCounters> counters(std::size_t(o.phases));
  return best_of(o, [&] {
    double sum = 0;
    for (int s = 0; s < o.steps; ++s) {
      for (auto& c : counters) c.claimed.store(0), c.done.store(0);
      std::atomic<int> arrived{0};  // participants past the last phase
      arena.execute([&] {
        oneapi::tbb::parallel_for(
            oneapi::tbb::blocked_range<int>(0, 2, 1),
            [&](const oneapi::tbb::blocked_range<int>&) {
              for (int p = 0; p < o.phases; ++p) {
                run_chunks(counters[std::size_t(p)], p, o, loops, results);
                wait_until_done(counters[std::size_t(p)], o.chunks);
              }
              arrived.fetch_add(1);
            },
            oneapi::tbb::simple_partitioner());
      });
      sum += checksum(results);
    }
    return sum;
  });
}

Timing run_spinning_helper(const Options& o, std::int64_t loops) {
  // Phases go round a ring of counters; the publisher resets an entry before publishing it, and a
  // phase four back is finished (the publisher waited for it), so no participant still uses it.
  constexpr int kRing = 4;
  std::vector<Slot> results(std::size_t(o.phases * o.chunks));
  std::vector<PhaseCounters> ring(kRing);
  struct alignas(64) Published {
    std::atomic<std::int64_t> phase{-1};
  } published;
  std::atomic<bool> stop{false};
  std::thread helper([&] {
    std::int64_t seen = -1;
    for (;;) {
      std::int64_t now;
      while ((now = published.phase.load(std::memory_order_acquire)) == seen)
        if (stop.load(std::memory_order_relaxed)) return;
      seen = now;
      run_chunks(ring[std::size_t(now % kRing)], int(now % o.phases), o, loops, results);
    }
  });
  std::int64_t phase_number = -1;
  const Timing timing = best_of(o, [&] {
    double sum = 0;
    for (int s = 0; s < o.steps; ++s) {
      for (int p = 0; p < o.phases; ++p) {
        ++phase_number;
        PhaseCounters& counters = ring[std::size_t(phase_number % kRing)];
        counters.claimed.store(0, std::memory_order_relaxed);
        counters.done.store(0, std::memory_order_relaxed);
        // The helper computes phase (phase_number % phases): keep it equal to p.
        published.phase.store(phase_number, std::memory_order_release);
        run_chunks(counters, p, o, loops, results);
        wait_until_done(counters, o.chunks);
      }
      sum += checksum(results);
    }
    return sum;
  });
  stop = true;
  helper.join();
  return timing;
}

// The loop count of a chunk whose phase takes `phase_us` on one thread.
std::int64_t calibrate(const Options& o, double phase_us) {
  const std::int64_t probe = 100000;
  double best = 1e300;
  for (int r = 0; r < 5; ++r) {
    const auto start = Clock::now();
    volatile double sink = chunk_work(1, probe);
    (void)sink;
    best = std::min(best, seconds_since(start));
  }
  const double per_loop_us = best * 1e6 / double(probe);
  return std::max<std::int64_t>(1, std::int64_t(phase_us / o.chunks / per_loop_us + 0.5));
}

Options parse(int argc, char** argv) {
  Options o;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) usage(a + " needs a value");
      return args[++i];
    };
    auto count = [&](int minimum) {
      const std::string text = value();
      const std::vector<int> one = parse_list<int>(text, usage);
      if (one.size() != 1 || one[0] < minimum) usage(a + " needs one whole number >= " + std::to_string(minimum) + ", not " + text);
      return one[0];
    };
    if (a == "--phase-us") {
      o.phase_us = parse_list<double>(value(), usage);
      for (const double us : o.phase_us)
        if (!(us > 0)) usage("--phase-us needs positive numbers");
    } else if (a == "--phases") o.phases = count(1);
    else if (a == "--chunks") o.chunks = count(1);
    else if (a == "--steps") o.steps = count(1);
    else if (a == "--repeats") o.repeats = count(1);
    else if (a == "--help" || a == "-h") usage("a benchmark of handing phases between two threads");
    else usage("unknown option " + a);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const auto build = sahelsim::core::build_info();
  std::printf("# sahelsim bench_handover\n\nsahelsim %s (%s), %s, %s; %d phases a step, %d chunks a phase, best of %d "
              "blocks of %d steps; load average %s\n\n",
              build.version.c_str(), build.git_commit.c_str(), build.compiler.c_str(), build.tbb_version.c_str(),
              o.phases, o.chunks, o.repeats, o.steps, load_average().c_str());
  std::printf("| phase (serial) | serial step | loop per phase | region per step | spinning helper |\n");
  std::printf("|---:|---:|---:|---:|---:|\n");
  bool sums_agree = true;
  for (const double phase_us : o.phase_us) {
    const std::int64_t loops = calibrate(o, phase_us);
    const Timing serial = run_serial(o, loops);
    const Timing loop = run_loop_per_phase(o, loops);
    const Timing region = run_region_per_step(o, loops);
    const Timing helper = run_spinning_helper(o, loops);
    sums_agree = sums_agree && loop.checksum == serial.checksum && region.checksum == serial.checksum &&
                 helper.checksum == serial.checksum;
    auto cell = [&](const Timing& t) {
      char text[64];
      std::snprintf(text, sizeof text, "%.2f µs (%.2f×)", t.us_per_step, serial.us_per_step / t.us_per_step);
      return std::string(text);
    };
    std::printf("| %.2f µs | %.2f µs | %s | %s | %s |\n", serial.us_per_step / o.phases, serial.us_per_step,
                cell(loop).c_str(), cell(region).c_str(), cell(helper).c_str());
  }
  std::printf("\nChunk results %s.\n", sums_agree ? "agree between the schemes" : "DIFFER between the schemes: a bug");
  return sums_agree ? 0 : 1;
}

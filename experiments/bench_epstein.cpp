// Benchmark: citizen-updates per second of Epstein's civil violence model (run 2 rules).
//
// For each lattice size, activation scheme and thread count, each repeat is a fresh child process
// (this binary with --child): it builds the model (setup, timed), takes a few warm-up steps, then
// times one block of `steps` steps. Citizen-updates/s = citizens x steps / stepping time; the table
// gives the median and the best block. A fresh process per repeat makes the peak resident memory
// (VmHWM) that case's own, and the thread counts take turns repeat by repeat, so that a busy spell
// of a shared machine hits both sides of a speed-up. Because the synchronous scheme is bitwise
// identical for any thread count, the 1- and 2-thread children compute exactly the same trajectory:
// the speed-up compares identical work, and the children's state hashes must match. Before each
// child the benchmark waits (at most --max-wait s) until a short compute loop runs --quiet-spin (1.8)
// times faster on 2 threads than on 1, i.e. a second core is free on a shared machine; the loop is
// timed again after the child, and the "spare core" column gives the smallest of a row's checks.
//
//   bench_epstein                      full table: 40x40 up to 10 million citizens, 1 and 2 threads
//   bench_epstein --quick              a short version (the `bench` build target)
//   bench_epstein --sides 40,1000 --threads 1,2 --steps 20 --repeats 5
//
// Results (the machine, the command and the tables) are recorded in docs/PERFORMANCE.md.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "models/registry.hpp"
#include "bench_support.hpp"
#include "sahelsim/core/build_info.hpp"

namespace {

using namespace sahelsim::bench;  // Clock, timing, medians, the free-core check (bench_support.hpp)
using sahelsim::core::Model;
using sahelsim::core::ParameterSet;

constexpr double kCitizenDensity = 0.7;  // run 2 (and the model's defaults): density 0.7, vision 7

struct Options {
  std::vector<int> sides;               // lattice side lengths (square lattices)
  std::vector<int> threads = {1, 2};
  std::vector<std::string> activations = {"synchronous", "sequential"};
  std::int64_t sequential_max_citizens = 120000;  // the serial reference only at small sizes
  std::int64_t steps = 0;               // 0: chosen per size from `work`
  double work = 1e8;                    // citizen-updates per timed block when steps = 0
  int warmup = 3;
  int repeats = 3;
  std::uint64_t seed = 1;
  double mesa_rate = 0.0;               // Mesa's agent-updates/s, for the ratio column (0: none)
  std::vector<std::string> extra_set;   // --set name=value, passed to every case
  double quiet_spin = 1.8;              // wait before each child until a 2-thread loop runs this much faster
  double max_wait = 600.0;              // seconds to wait for that per child, then run anyway (counted)
};

struct CaseResult {
  int side = 0, threads = 0;
  std::string activation;
  std::int64_t citizens = 0, cops = 0, steps = 0;
  std::vector<double> setup_seconds, block_seconds;  // one per repeat
  double peak_setup_mib = 0.0, peak_mib = 0.0;
  std::string hash;
  double spare = 0.0;  // smallest speed-up of the spare-core checks before and after its children
};

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr,
               "%s\nusage: bench_epstein [--quick] [--sides 40,1000,...] [--citizens 1000000,...]\n"
               "  [--threads 1,2] [--activation synchronous,sequential] [--sequential-max-citizens N]\n"
               "  [--steps N | --work UPDATES] [--warmup N] [--repeats N] [--seed S]\n"
               "  [--set name=value]... [--mesa-rate AGENT_UPDATES_PER_S]\n"
               "  [--quiet-spin X (1.8; 0: do not wait for a free second core)] [--max-wait SECONDS (600)]\n",
               problem.c_str());
  std::exit(2);
}

template <class T>
std::vector<T> parse_list(const std::string& text) {
  return sahelsim::bench::parse_list<T>(text, usage);
}

int side_for_citizens(double citizens) { return int(std::lround(std::sqrt(citizens / kCitizenDensity))); }

std::unique_ptr<Model> make_model(int side, const std::string& activation, const Options& o, int threads) {
  const std::string model = "epstein";  // a named string: GCC 14 warns of a reference bound through a temporary
  const auto& entry = sahelsim::models::find_model(model);
  ParameterSet p(entry.parameters);  // defaults are the paper's run 2
  p.set("width", std::int64_t(side));
  p.set("height", std::int64_t(side));
  p.set("citizen_density", kCitizenDensity);
  p.set("activation", activation);
  for (const auto& assignment : o.extra_set) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos) usage("--set needs name=value, got '" + assignment + "'");
    p.set_from_text(assignment.substr(0, eq), assignment.substr(eq + 1));
  }
  return entry.make(p, o.seed, threads);
}

// ---- child: one case in this process ----

int run_child(int side, const std::string& activation, int threads, std::int64_t steps, const Options& o) {
  std::vector<double> setup_seconds;
  std::unique_ptr<Model> model;
  for (int r = 0; r < o.repeats; ++r) {
    model.reset();
    const auto start = Clock::now();
    model = make_model(side, activation, o, threads);
    setup_seconds.push_back(seconds_since(start));
  }
  const double peak_setup = proc_status_mib("VmHWM");
  for (int s = 0; s < o.warmup; ++s) model->step();
  std::vector<double> block_seconds;
  for (int r = 0; r < o.repeats; ++r) {
    const auto start = Clock::now();
    for (std::int64_t s = 0; s < steps; ++s) model->step();
    block_seconds.push_back(seconds_since(start));
  }
  const auto tables = model->tables();
  std::printf("RESULT side=%d activation=%s threads=%d citizens=%zu cops=%zu steps=%lld peak_setup_mib=%.1f "
              "peak_mib=%.1f hash=%016llx setup=",
              side, activation.c_str(), threads, tables[0]->capacity(), tables[1]->capacity(), (long long)steps,
              peak_setup, proc_status_mib("VmHWM"), (unsigned long long)model->state_hash());
  for (std::size_t i = 0; i < setup_seconds.size(); ++i) std::printf("%s%.6f", i ? "," : "", setup_seconds[i]);
  std::printf(" blocks=");
  for (std::size_t i = 0; i < block_seconds.size(); ++i) std::printf("%s%.6f", i ? "," : "", block_seconds[i]);
  std::printf("\n");
  return 0;
}

// ---- parent: spawn one child per case, collect, print the tables ----

std::string common_args(const Options& o) {
  std::string args = " --warmup " + std::to_string(o.warmup) + " --repeats 1 --seed " + std::to_string(o.seed);
  for (const auto& s : o.extra_set) args += " --set '" + s + "'";
  return args;
}

CaseResult run_case(const std::string& exe, int side, const std::string& activation, int threads,
                    std::int64_t steps, const Options& o) {
  const std::string command = "'" + exe + "' --child " + std::to_string(side) + " " + activation + " " +
                              std::to_string(threads) + " " + std::to_string(steps) + common_args(o);
  const std::map<std::string, std::string> fields = run_child_for_result(command);
  CaseResult r;
  r.side = side;
  r.activation = activation;
  r.threads = threads;
  r.citizens = std::stoll(fields.at("citizens"));
  r.cops = std::stoll(fields.at("cops"));
  r.steps = std::stoll(fields.at("steps"));
  r.peak_setup_mib = std::stod(fields.at("peak_setup_mib"));
  r.peak_mib = std::stod(fields.at("peak_mib"));
  r.hash = fields.at("hash");
  r.setup_seconds = parse_list<double>(fields.at("setup"));
  r.block_seconds = parse_list<double>(fields.at("blocks"));
  return r;
}

std::string human(double x) {
  char text[32];
  if (x >= 1e9) std::snprintf(text, sizeof text, "%.2f G", x / 1e9);
  else if (x >= 1e6) std::snprintf(text, sizeof text, "%.2f M", x / 1e6);
  else if (x >= 1e3) std::snprintf(text, sizeof text, "%.1f k", x / 1e3);
  else std::snprintf(text, sizeof text, "%.0f", x);
  return text;
}

std::string seconds_text(double s) {
  char text[32];
  if (s < 1e-3) std::snprintf(text, sizeof text, "%.1f µs", s * 1e6);
  else if (s < 1.0) std::snprintf(text, sizeof text, "%.2f ms", s * 1e3);
  else std::snprintf(text, sizeof text, "%.2f s", s);
  return text;
}

int run_parent(const Options& o) {
  const std::string exe = self_path();
  const auto build = sahelsim::core::build_info();
  std::printf("# sahelsim bench_epstein\n\nsahelsim %s (%s), %s, oneTBB %s; seed %llu; each of %d repeats is a "
              "fresh process: setup, %d warm-up steps, then the timed steps\n\n",
              build.version.c_str(), build.git_commit.c_str(), build.compiler.c_str(), build.tbb_version.c_str(),
              (unsigned long long)o.seed, o.repeats, o.warmup);
  const int max_threads = *std::max_element(o.threads.begin(), o.threads.end());
  const double spin_before = max_threads > 1 ? spin_speedup(max_threads) : 1.0;
  const std::string load_before = load_average();
  std::fflush(stdout);

  std::vector<CaseResult> results;
  double waited_s = 0.0;
  int checks = 0, busy_checks = 0;  // spare-core checks before and after each child, and those below quiet_spin
  for (const std::string& activation : o.activations) {
    for (int side : o.sides) {
      const std::int64_t citizens = std::llround(kCitizenDensity * double(side) * side);
      if (activation == "sequential" && citizens > o.sequential_max_citizens) continue;
      const std::int64_t steps =
          o.steps > 0 ? o.steps : std::clamp<std::int64_t>(std::llround(o.work / double(citizens)), 5, 5000);
      // The serial reference does not use threads: run it once, with 1 thread.
      const std::vector<int> threads = activation == "sequential" ? std::vector<int>{1} : o.threads;
      // Each repeat is a fresh process, and the thread counts take turns, so that a busy spell of
      // a shared machine hits both sides of a speed-up alike.
      const std::size_t first = results.size();
      for (int repeat = 0; repeat < o.repeats; ++repeat) {
        for (std::size_t k = 0; k < threads.size(); ++k) {
          const double before = wait_for_quiet(o.quiet_spin, o.max_wait, waited_s);
          CaseResult one = run_case(exe, side, activation, threads[k], steps, o);
          const double after = spin_speedup(2, 40000000);
          one.spare = std::min(before, after);
          checks += 2;
          busy_checks += int(before < o.quiet_spin) + int(after < o.quiet_spin);
          if (repeat == 0) {
            results.push_back(one);
            continue;
          }
          CaseResult& r = results[first + k];
          r.setup_seconds.insert(r.setup_seconds.end(), one.setup_seconds.begin(), one.setup_seconds.end());
          r.block_seconds.insert(r.block_seconds.end(), one.block_seconds.begin(), one.block_seconds.end());
          r.peak_setup_mib = std::max(r.peak_setup_mib, one.peak_setup_mib);
          r.peak_mib = std::max(r.peak_mib, one.peak_mib);
          if (one.hash != r.hash) r.hash = "differs-between-repeats";
          r.spare = std::min(r.spare, one.spare);
        }
      }
      for (std::size_t k = first; k < results.size(); ++k)
        std::fprintf(stderr, "done %s %dx%d threads=%d: %.4f s/step\n", activation.c_str(), side, side,
                     results[k].threads, median(results[k].block_seconds) / double(results[k].steps));
    }
  }

  std::printf("| activation | lattice | citizens | threads | steps | setup (median) | step (median) | "
              "citizen-updates/s (median) | citizen-updates/s (best) | agent-updates/s (median) | "
              "speed-up vs 1 thread | peak RSS after setup | peak RSS | spare core |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  bool hashes_agree = true;
  for (const CaseResult& r : results) {
    const double block = median(r.block_seconds), best = minimum(r.block_seconds);
    const double step = block / double(r.steps);
    const double rate = double(r.citizens) * double(r.steps) / block;
    const double best_rate = double(r.citizens) * double(r.steps) / best;
    const double agent_rate = double(r.citizens + r.cops) * double(r.steps) / block;
    std::string speedup = "—";
    for (const CaseResult& one : results) {
      if (one.side == r.side && one.activation == r.activation && one.threads == 1 && r.threads != 1) {
        char text[32];
        std::snprintf(text, sizeof text, "%.2f", median(one.block_seconds) / block);
        speedup = text;
        if (one.hash != r.hash) hashes_agree = false;
      }
    }
    std::printf("| %s | %dx%d | %s | %d | %lld | %s | %s | %s | %s | %s | %s | %.0f MiB | %.0f MiB | %.2f |\n",
                r.activation.c_str(), r.side, r.side, human(double(r.citizens)).c_str(), r.threads,
                (long long)r.steps, seconds_text(median(r.setup_seconds)).c_str(), seconds_text(step).c_str(),
                human(rate).c_str(), human(best_rate).c_str(), human(agent_rate).c_str(), speedup.c_str(),
                r.peak_setup_mib, r.peak_mib, r.spare);
  }
  std::printf("\nState hashes of 1 and more threads %s.\n",
              hashes_agree ? "agree in every case (bitwise identical runs)" : "DIFFER: determinism is broken");
  if (max_threads > 1)
    print_spare_parallelism(spin_before, max_threads, load_before);
  std::printf("Spare-core checks (2-thread compute loop before and after each child, quiet at >= %.2fx): %d of %d "
              "below; %.0f s spent waiting for a free core (at most %.0f s per child).\n",
              o.quiet_spin, busy_checks, checks, waited_s, o.max_wait);

  if (o.mesa_rate > 0.0) {
    std::printf("\nMesa's Epstein example: %.0f agent-updates/s (measured by bench_mesa_epstein.py)\n\n", o.mesa_rate);
    std::printf("| activation | lattice | threads | agent-updates/s | ratio to Mesa |\n|---|---|---:|---:|---:|\n");
    for (const CaseResult& r : results) {
      if (r.side != 40) continue;
      const double agent_rate = double(r.citizens + r.cops) * double(r.steps) / median(r.block_seconds);
      std::printf("| %s | 40x40 | %d | %s | %.0f× |\n", r.activation.c_str(), r.threads, human(agent_rate).c_str(),
                  agent_rate / o.mesa_rate);
    }
  }
  return hashes_agree ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "--child") {
      if (args.size() < 5) usage("--child needs side activation threads steps");
      for (std::size_t i = 5; i + 1 < args.size(); i += 2) {
        if (args[i] == "--warmup") o.warmup = std::stoi(args[i + 1]);
        else if (args[i] == "--repeats") o.repeats = std::stoi(args[i + 1]);
        else if (args[i] == "--seed") o.seed = std::stoull(args[i + 1]);
        else if (args[i] == "--set") o.extra_set.push_back(args[i + 1]);
        else usage("unknown child option " + args[i]);
      }
      return run_child(std::stoi(args[1]), args[2], std::stoi(args[3]), std::stoll(args[4]), o);
    }
    bool sizes_given = false, max_wait_given = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= args.size()) usage(a + " needs a value");
        return args[++i];
      };
      if (a == "--quick") {
        o.sides = {40, 200, 1000};
        o.work = 1e7;
        o.warmup = 2;
        o.repeats = 3;
        if (!max_wait_given) o.max_wait = 30.0;
        sizes_given = true;
      } else if (a == "--sides") {
        o.sides = parse_list<int>(value());
        sizes_given = true;
      } else if (a == "--citizens") {
        for (double n : parse_list<double>(value())) o.sides.push_back(side_for_citizens(n));
        sizes_given = true;
      } else if (a == "--threads") o.threads = parse_list<int>(value());
      else if (a == "--activation") {
        o.activations.clear();
        std::stringstream in(value());
        std::string item;
        while (std::getline(in, item, ',')) o.activations.push_back(item);
      } else if (a == "--sequential-max-citizens") o.sequential_max_citizens = std::stoll(value());
      else if (a == "--steps") o.steps = std::stoll(value());
      else if (a == "--work") o.work = std::stod(value());
      else if (a == "--warmup") o.warmup = std::stoi(value());
      else if (a == "--repeats") o.repeats = std::stoi(value());
      else if (a == "--seed") o.seed = std::stoull(value());
      else if (a == "--set") o.extra_set.push_back(value());
      else if (a == "--mesa-rate") o.mesa_rate = std::stod(value());
      else if (a == "--quiet-spin") o.quiet_spin = std::stod(value());
      else if (a == "--max-wait") o.max_wait = std::stod(value()), max_wait_given = true;
      else if (a == "--help" || a == "-h") usage("Benchmark of Epstein's civil violence model (run 2 rules).");
      else usage("unknown option " + a);
    }
    // Default sizes: 40x40 (the paper), then roughly 10^4 .. 10^7 citizens; 3780x3780 holds 10.0 million.
    if (!sizes_given) o.sides = {40, 120, 378, 1195, 2070, 3780};
    if (o.repeats < 1 || o.warmup < 0) usage("--repeats must be >= 1 and --warmup >= 0");
    return run_parent(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_epstein: %s\n", e.what());
    return 1;
  }
}

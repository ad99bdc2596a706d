// Benchmark: the Sahel model on a scenario's map (default mali-2025: 184 days, all of Mali at 5 km
// cells), at several cell sizes and village counts, on 1 and 2 threads.
//
// Each case is one map (cell size, village factor) and one thread count. Each repeat of a case is a
// fresh child process (this binary with --child) that
//   1. builds the map (SahelMap::build with the scenario's data pack and seed),
//   2. builds a model on it and runs the scenario's days without a run file,
//   3. builds a second model on the same map and runs the same days with a run file in /tmp
//      (core::run_model: the series every day, the rasters every `snapshot_every` days, default the
//      scenario's output.snapshot_every_days, weekly for mali-2025), then deletes the file.
// Each phase is timed on its own: loading the scenario (TOML and its data pack), map build, model
// construction, the run without output and the run with output (file opened, written, closed).
// "Total" is load + map + construction + run with output, what a run from scratch costs in C++.
// The CPU time of each run (user + system, all threads) gives its CPU / wall ratio. The thread
// counts take turns repeat by repeat, so that a busy spell of the shared machine hits both sides
// of a speed-up; tables give medians over the repeats. Before each child the parent waits (up to
// --max-wait s) until a short compute loop runs --quiet-spin (1.8) times faster on 2 threads than
// on 1, i.e. a second core is free, and it repeats that check after the child: the "spare core"
// column is the smallest of those checks for the row. The model is bitwise identical for any
// thread count, so the state hashes of every run of a case (1 and 2 threads, with and without
// output) must agree.
//
// The village count is set through MapOptions::mean_village_population (default 1,000 people a
// synthetic village): village factor f uses 1,000 / f, so f = 2, 4, 8 give about 2x, 4x, 8x the
// villages for the same people. The towns are the same in every case.
//
//   bench_sahel                         the cases: 5 km x1, 2.5 km x1, 5 km x2, x4, x8; 3 repeats
//   bench_sahel --quick                 5 km and 2.5 km, village factors 1 and 2, 1 repeat, waits at most
//                                       30 s per child for a free core (the `bench` target)
//   bench_sahel --cells 5,2.5 --village-factors 1,2,4,8 --cross --threads 1,2 --repeats 3
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
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/sahel/sahel_model.hpp"
#include "models/sahel/scenario/scenario.hpp"
#include "models/sahel/world/sahel_map.hpp"
#include "bench_support.hpp"
#include "sahelsim/core/build_info.hpp"
#include "sahelsim/core/run.hpp"

namespace {

using namespace sahelsim::bench;  // Clock, timing, medians, the free-core check (bench_support.hpp)
namespace sahel = sahelsim::models::sahel;

struct Options {
  std::string scenario = "mali-2025";
  std::vector<double> cells = {5.0, 2.5};           // cell sizes in km
  std::vector<double> village_factors = {1, 2, 4, 8};  // x the default village count
  bool cross = false;             // every (cell, factor) pair; else the first cell with every factor
                                  // and every cell with the first factor
  std::vector<int> threads = {1, 2};
  int repeats = 3;
  std::int64_t days = 0;          // 0: the scenario's period
  std::int64_t snapshot_every = -1;  // -1: the scenario's output.snapshot_every_days (7 if it has none)
  int deflate = -1;               // -1: RunFileOptions' default level
  double quiet_spin = 1.8;        // before each child, wait until a 2-thread compute loop runs this much
                                  // faster than 1 thread (a second core is free); 0: do not wait
  double max_wait = 600.0;        // seconds to wait for that per child, then run anyway (flagged)
  std::string out_dir = "/tmp";
};

struct Case {
  double cell_km = 5.0, factor = 1.0;
};

struct CaseResult {
  Case c;
  int threads = 0;
  std::int64_t villages = 0, synthetic = 0, cells = 0, mali_cells = 0, days = 0, snapshot_every = 0;
  std::vector<double> load_s, map_s, construct_s, run_s, construct_out_s, run_out_s;  // one per repeat
  std::vector<double> run_cpu_s, run_out_cpu_s;  // CPU time (user + system) of the two runs
  std::vector<double> spin;                      // spare parallelism just before and just after each child
  double file_mib = 0.0, peak_mib = 0.0;
  std::string hash, hash_out;
};

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr,
               "%s\nusage: bench_sahel [--quick] [--scenario NAME|FILE] [--cells 5,2.5] [--village-factors 1,2,4,8]\n"
               "  [--cross] [--threads 1,2] [--repeats N] [--days N] [--snapshot-every N] [--deflate 0-9] [--out-dir DIR]\n"
               "  [--quiet-spin X (1.8; 0: do not wait for a free second core)] [--max-wait SECONDS (600)]\n",
               problem.c_str());
  std::exit(2);
}

template <class T>
std::vector<T> parse_list(const std::string& text) {
  return sahelsim::bench::parse_list<T>(text, usage);
}

// ---- the village count: MapOptions::mean_village_population, when this build has it ----

template <class T, class = void>
struct HasMeanVillagePopulation : std::false_type {};
template <class T>
struct HasMeanVillagePopulation<T, std::void_t<decltype(std::declval<T&>().mean_village_population)>>
    : std::true_type {};

/// Sets `options` for `factor` times the default number of synthetic villages.
template <class MapOptionsT>
void set_village_factor(MapOptionsT& options, double factor) {
  if (!(factor > 0.0)) throw std::invalid_argument("village factor must be > 0");
  if constexpr (HasMeanVillagePopulation<MapOptionsT>::value) {
    options.mean_village_population = MapOptionsT{}.mean_village_population / factor;
  } else if (factor != 1.0) {
    throw std::runtime_error("--village-factors other than 1 are not supported by this build: "
                             "MapOptions has no mean_village_population");
  }
}

std::string hex(std::uint64_t h) {
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

// ---- child: one repeat of one case in this process ----

int run_child(const Case& c, int threads, const Options& o) {
  auto start = Clock::now();
  sahel::Scenario scenario = sahel::load_scenario_by_name_or_path(o.scenario);  // with its data pack
  const double load_s = seconds_since(start);
  scenario.cell_km = c.cell_km;
  const std::int64_t days = o.days > 0 ? o.days : scenario.days();
  const std::int64_t snapshot_every =
      o.snapshot_every >= 0 ? o.snapshot_every : (scenario.snapshot_every_days > 0 ? scenario.snapshot_every_days : 7);

  sahel::MapOptions map_options;
  map_options.cell_km = c.cell_km;
  map_options.seed = scenario.seed;
  set_village_factor(map_options, c.factor);
  start = Clock::now();
  auto map = std::make_shared<const sahel::SahelMap>(sahel::SahelMap::build(*scenario.data, map_options));
  const double map_s = seconds_since(start);

  std::int64_t mali_cells = 0;
  for (const auto country : map->layers().country) mali_cells += country == map->mali_index();

  // Without output.
  start = Clock::now();
  auto model = std::make_unique<sahel::SahelModel>(scenario, map, threads);
  const double construct_s = seconds_since(start);
  sahelsim::core::RunOptions plain;
  plain.steps = days;
  double cpu = cpu_seconds();
  start = Clock::now();
  sahelsim::core::run_model(*model, plain);
  const double run_s = seconds_since(start);
  const double run_cpu_s = cpu_seconds() - cpu;
  const std::string hash = hex(model->state_hash());
  model.reset();

  // With output: a fresh model on the same map, the run file in out_dir.
  const std::string path = o.out_dir + "/bench_sahel-" + std::to_string(getpid()) + ".h5";
  start = Clock::now();
  model = std::make_unique<sahel::SahelModel>(scenario, map, threads);
  const double construct_out_s = seconds_since(start);
  sahelsim::core::RunOptions with_file;
  with_file.steps = days;
  with_file.output_path = path;
  with_file.snapshot_every = snapshot_every;
  if (o.deflate >= 0) with_file.file.deflate_level = o.deflate;
  cpu = cpu_seconds();
  start = Clock::now();
  sahelsim::core::run_model(*model, with_file);
  const double run_out_s = seconds_since(start);
  const double run_out_cpu_s = cpu_seconds() - cpu;
  const std::string hash_out = hex(model->state_hash());
  std::error_code error;
  const double file_mib = double(std::filesystem::file_size(path, error)) / (1024.0 * 1024.0);
  std::filesystem::remove(path, error);

  std::printf("RESULT villages=%zu synthetic=%zu cells=%lld mali_cells=%lld days=%lld snapshot_every=%lld "
              "load=%.6f map=%.6f construct=%.6f run=%.6f construct_out=%.6f run_out=%.6f run_cpu=%.6f run_out_cpu=%.6f "
              "file_mib=%.3f peak_mib=%.1f hash=%s hash_out=%s\n",
              map->villages().size(), map->villages().synthetic_count(), (long long)map->grid().cell_count(),
              (long long)mali_cells, (long long)days, (long long)snapshot_every, load_s, map_s, construct_s, run_s,
              construct_out_s, run_out_s, run_cpu_s, run_out_cpu_s, file_mib, proc_status_mib("VmHWM"), hash.c_str(),
              hash_out.c_str());
  return 0;
}

// ---- parent ----

std::string number_text(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
}

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

CaseResult run_case(const std::string& exe, const Case& c, int threads, const Options& o) {
  const std::string command = shell_quoted(exe) + " --child " + number_text(c.cell_km) + " " +
                              number_text(c.factor) + " " + std::to_string(threads) + " --scenario " +
                              shell_quoted(o.scenario) + " --days " + std::to_string(o.days) + " --snapshot-every " +
                              std::to_string(o.snapshot_every) + " --deflate " + std::to_string(o.deflate) + " --out-dir " + shell_quoted(o.out_dir) + " 2>&1";
  const std::map<std::string, std::string> f = run_child_for_result(command);
  CaseResult r;
  r.c = c;
  r.threads = threads;
  r.villages = std::stoll(f.at("villages"));
  r.synthetic = std::stoll(f.at("synthetic"));
  r.cells = std::stoll(f.at("cells"));
  r.mali_cells = std::stoll(f.at("mali_cells"));
  r.days = std::stoll(f.at("days"));
  r.snapshot_every = std::stoll(f.at("snapshot_every"));
  r.load_s = {std::stod(f.at("load"))};
  r.map_s = {std::stod(f.at("map"))};
  r.construct_s = {std::stod(f.at("construct"))};
  r.run_s = {std::stod(f.at("run"))};
  r.construct_out_s = {std::stod(f.at("construct_out"))};
  r.run_out_s = {std::stod(f.at("run_out"))};
  r.run_cpu_s = {std::stod(f.at("run_cpu"))};
  r.run_out_cpu_s = {std::stod(f.at("run_out_cpu"))};
  r.file_mib = std::stod(f.at("file_mib"));
  r.peak_mib = std::stod(f.at("peak_mib"));
  r.hash = f.at("hash");
  r.hash_out = f.at("hash_out");
  return r;
}

void merge(CaseResult& into, const CaseResult& one) {
  auto append = [](std::vector<double>& a, const std::vector<double>& b) { a.insert(a.end(), b.begin(), b.end()); };
  append(into.load_s, one.load_s);
  append(into.map_s, one.map_s);
  append(into.construct_s, one.construct_s);
  append(into.run_s, one.run_s);
  append(into.construct_out_s, one.construct_out_s);
  append(into.run_out_s, one.run_out_s);
  append(into.run_cpu_s, one.run_cpu_s);
  append(into.run_out_cpu_s, one.run_out_cpu_s);
  append(into.spin, one.spin);
  into.peak_mib = std::max(into.peak_mib, one.peak_mib);
  if (one.hash != into.hash) into.hash = "differs-between-repeats";
  if (one.hash_out != into.hash_out) into.hash_out = "differs-between-repeats";
}

std::string seconds_text(double s) {
  char text[32];
  if (s < 1.0) std::snprintf(text, sizeof text, "%.1f ms", s * 1e3);
  else std::snprintf(text, sizeof text, "%.2f s", s);
  return text;
}

std::string factor_text(double f) {
  char text[32];
  std::snprintf(text, sizeof text, "%g×", f);
  return text;
}

std::string case_text(const Case& c) {
  char text[48];
  std::snprintf(text, sizeof text, "%g km, %g× villages", c.cell_km, c.factor);
  return text;
}

double total_s(const CaseResult& r) {
  // Per repeat: what a run from scratch with output costs (scenario and data pack loaded, map built,
  // model built, run with its file); median over repeats.
  std::vector<double> totals;
  for (std::size_t i = 0; i < r.map_s.size(); ++i)
    totals.push_back(r.load_s[i] + r.map_s[i] + r.construct_out_s[i] + r.run_out_s[i]);
  return median(totals);
}

int run_parent(const Options& o) {
  const std::string exe = self_path();
  const auto build = sahelsim::core::build_info();
  std::vector<Case> cases;
  if (o.cross) {
    for (double cell : o.cells)
      for (double factor : o.village_factors) cases.push_back({cell, factor});
  } else {
    for (double factor : o.village_factors) cases.push_back({o.cells.front(), factor});
    for (std::size_t k = 1; k < o.cells.size(); ++k) cases.push_back({o.cells[k], o.village_factors.front()});
  }
  std::printf("# sahelsim bench_sahel\n\nsahelsim %s (%s), %s, oneTBB %s, %s; scenario %s; each of %d repeats is "
              "a fresh process: scenario load, map build, model, run without output, model, run with output (run file in "
              "%s)\n\n",
              build.version.c_str(), build.git_commit.c_str(), build.compiler.c_str(), build.tbb_version.c_str(),
              build.hdf5_version.c_str(), o.scenario.c_str(), o.repeats, o.out_dir.c_str());
  const int max_threads = *std::max_element(o.threads.begin(), o.threads.end());
  const double spin_before = max_threads > 1 ? spin_speedup(max_threads) : 1.0;
  const std::string load_before = load_average();
  std::fflush(stdout);

  std::vector<CaseResult> results;
  double waited_s = 0.0;
  int busy_children = 0;  // spin checks (before or after a child) below quiet_spin
  for (const Case& c : cases) {
    const std::size_t first = results.size();
    for (int repeat = 0; repeat < o.repeats; ++repeat) {
      for (std::size_t k = 0; k < o.threads.size(); ++k) {
        const double before = wait_for_quiet(o.quiet_spin, o.max_wait, waited_s);
        CaseResult one = run_case(exe, c, o.threads[k], o);
        one.spin = {before, spin_speedup(2, 40000000)};
        for (double x : one.spin) busy_children += x < o.quiet_spin ? 1 : 0;
        if (repeat == 0) results.push_back(one);
        else merge(results[first + k], one);
      }
    }
    for (std::size_t k = first; k < results.size(); ++k)
      std::fprintf(stderr, "done %s, threads=%d: run %.3f s, with output %.3f s\n", case_text(c).c_str(),
                   results[k].threads, median(results[k].run_s), median(results[k].run_out_s));
  }

  const CaseResult* base_any = results.empty() ? nullptr : &results.front();
  if (base_any)
    std::printf("%lld days; the run file has the series every day and %s, deflate level %d with shuffle. Total = "
                "scenario load + map build + model setup + run with output.\n\n",
                (long long)base_any->days,
                base_any->snapshot_every > 0
                    ? ("the rasters every " + std::to_string(base_any->snapshot_every) + " days").c_str()
                    : "no raster snapshots",
                o.deflate >= 0 ? o.deflate : sahelsim::core::RunFileOptions{}.deflate_level);
  std::printf("| cell | villages × | villages | grid cells | Malian cells | threads | scenario load | map build | model setup | "
              "run (no output) | days/s | run with output | days/s | output cost | total with output | "
              "speed-up (run) | speed-up (with output) | CPU / wall (run) | spare core | run file | peak RSS |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  bool hashes_agree = true;
  for (const CaseResult& r : results) {
    const double run = median(r.run_s), run_out = median(r.run_out_s);
    std::string speedup = "—", speedup_out = "—";
    for (const CaseResult& one : results) {
      if (one.c.cell_km == r.c.cell_km && one.c.factor == r.c.factor && one.threads == 1 && r.threads != 1) {
        char text[32];
        std::snprintf(text, sizeof text, "%.2f", median(one.run_s) / run);
        speedup = text;
        std::snprintf(text, sizeof text, "%.2f", median(one.run_out_s) / run_out);
        speedup_out = text;
      }
      if (one.c.cell_km == r.c.cell_km && one.c.factor == r.c.factor &&
          (one.hash != r.hash || one.hash_out != r.hash))
        hashes_agree = false;
    }
    std::vector<double> utilisation;
    for (std::size_t i = 0; i < r.run_s.size(); ++i) utilisation.push_back(r.run_cpu_s[i] / r.run_s[i]);
    const double spare = r.spin.empty() ? 0.0 : *std::min_element(r.spin.begin(), r.spin.end());
    std::printf("| %g km | %s | %lld | %lld | %lld | %d | %s | %s | %s | %s | %.0f | %s | %.0f | %+.0f %% | %s | %s | %s | "
                "%.2f | %.2f | %.1f MiB | %.0f MiB |\n",
                r.c.cell_km, factor_text(r.c.factor).c_str(), (long long)r.villages, (long long)r.cells,
                (long long)r.mali_cells, r.threads, seconds_text(median(r.load_s)).c_str(),
                seconds_text(median(r.map_s)).c_str(),
                seconds_text(median(r.construct_s)).c_str(), seconds_text(run).c_str(), double(r.days) / run,
                seconds_text(run_out).c_str(), double(r.days) / run_out, 100.0 * (run_out / run - 1.0),
                seconds_text(total_s(r)).c_str(), speedup.c_str(), speedup_out.c_str(), median(utilisation), spare,
                r.file_mib, r.peak_mib);
  }

  // Scaling against the first case (the first cell size, the first village factor), per thread count.
  bool linear = true;
  if (cases.size() > 1) {
    std::printf("\nScaling against %s (same thread count). Size = max(villages ratio, grid-cells ratio); a time "
                "ratio / size ratio <= 1 means the cost grew at most linearly.\n\n",
                case_text(cases.front()).c_str());
    std::printf("| case | threads | villages ratio | cells ratio | run ratio | run with output ratio | map build ratio | "
                "setup ratio | total ratio | run / size | run with output / size | total / size |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  }
  for (const CaseResult& r : results) {
    const CaseResult* base = nullptr;
    for (const CaseResult& b : results)
      if (b.c.cell_km == cases.front().cell_km && b.c.factor == cases.front().factor && b.threads == r.threads) base = &b;
    if (!base || base == &r) continue;
    const double v = double(r.villages) / double(base->villages), cl = double(r.cells) / double(base->cells);
    const double size = std::max(v, cl);
    const double run = median(r.run_s) / median(base->run_s), out = median(r.run_out_s) / median(base->run_out_s);
    const double total = total_s(r) / total_s(*base);
    if (run > size || out > size || total > size) linear = false;
    std::printf("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n",
                case_text(r.c).c_str(), r.threads, v, cl, run, out, median(r.map_s) / median(base->map_s),
                median(r.construct_s) / median(base->construct_s), total, run / size, out / size, total / size);
  }

  std::printf("\nState hashes after the run %s.\n",
              hashes_agree ? "agree for every thread count, with and without output, in every case"
                           : "DIFFER between thread counts, repeats or output: determinism is broken");
  if (cases.size() > 1)
    std::printf("Scaling: %s.\n", linear ? "every time ratio is at most the size ratio (at most linear)"
                                       : "some time ratio exceeds its size ratio (worse than linear)");
  if (max_threads > 1)
    print_spare_parallelism(spin_before, max_threads, load_before);
  std::printf("Spare core: the smallest speed-up on 2 threads of a short compute loop run just before and just after "
              "each repeat of the row (2.00 = a second core entirely free). Each repeat waited for %.2f or more "
              "(at most %.0f s); %.0f s waited in all; %d of %d checks were below it%s.\n",
              o.quiet_spin, o.max_wait, waited_s, busy_children, 2 * o.repeats * int(results.size()),
              busy_children ? ": the machine was busy during some repeats, compare those rows with care" : "");
  return hashes_agree ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    std::vector<std::string> args(argv + 1, argv + argc);
    const bool child = !args.empty() && args[0] == "--child";
    if (child && args.size() < 4) usage("--child needs cell_km village_factor threads");
    bool cells_given = false, factors_given = false, repeats_given = false, max_wait_given = false;
    for (std::size_t i = child ? 4 : 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= args.size()) usage(a + " needs a value");
        return args[++i];
      };
      if (a == "--quick") {
        if (!cells_given) o.cells = {5.0, 2.5};
        if (!factors_given) o.village_factors = {1, 2};
        if (!repeats_given) o.repeats = 1;
        if (!max_wait_given) o.max_wait = 30.0;
      } else if (a == "--scenario") o.scenario = value();
      else if (a == "--cells") o.cells = parse_list<double>(value()), cells_given = true;
      else if (a == "--village-factors") o.village_factors = parse_list<double>(value()), factors_given = true;
      else if (a == "--cross") o.cross = true;
      else if (a == "--threads") o.threads = parse_list<int>(value());
      else if (a == "--repeats") o.repeats = std::stoi(value()), repeats_given = true;
      else if (a == "--days") o.days = std::stoll(value());
      else if (a == "--snapshot-every") o.snapshot_every = std::stoll(value());
      else if (a == "--deflate") o.deflate = std::stoi(value());
      else if (a == "--quiet-spin") o.quiet_spin = std::stod(value());
      else if (a == "--max-wait") o.max_wait = std::stod(value()), max_wait_given = true;
      else if (a == "--out-dir") o.out_dir = value();
      else if (a == "--help" || a == "-h") usage("Benchmark of the Sahel model (map build, setup, run with and without output).");
      else usage("unknown option " + a);
    }
    if (o.repeats < 1) usage("--repeats must be >= 1");
    for (int t : o.threads)
      if (t < 1) usage("--threads must be >= 1");
    if (child) return run_child({std::stod(args[1]), std::stod(args[2])}, std::stoi(args[3]), o);
    // Check the village factors here, before any child runs.
    for (double factor : o.village_factors) {
      sahel::MapOptions probe;
      set_village_factor(probe, factor);
    }
    return run_parent(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sahel: %s\n", e.what());
    return 1;
  }
}

// What the benchmarks share: timing, the process's memory and CPU time, medians, list parsing, the
// check for a free second core on a shared machine, and running a case in a child process
// (bench_epstein.cpp, bench_sahel.cpp).
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sahelsim::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// A comma-separated list of numbers; `usage` (which does not return) is called with the problem
/// if an item does not parse or the list is empty.
template <class T>
std::vector<T> parse_list(const std::string& text, void (*usage)(const std::string&)) {
  std::vector<T> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::stringstream one(item);
    T value{};
    if (!(one >> value)) usage("cannot parse list item '" + item + "'");
    values.push_back(value);
  }
  if (values.empty()) usage("empty list '" + text + "'");
  return values;
}

/// Peak resident set ("VmHWM") or current resident set ("VmRSS") of this process, in MiB.
inline double proc_status_mib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(status, line))
    if (line.compare(0, key.size(), key) == 0) return std::stod(line.substr(key.size())) / 1024.0;
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // fallback: ru_maxrss is the peak, in KiB
}

/// CPU time (user + system) of this process, all threads, in seconds.
inline double cpu_seconds() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

inline double minimum(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()); }

// ---- the machine's spare parallelism: a shared, noisy machine may not give us two free cores ----

/// Speed-up of a pure compute loop on `threads` threads (each doing the work of one) over one
/// thread: about `threads` on an idle machine, less when other processes hold cores.
inline double spin_speedup(int threads, std::uint64_t iterations = 150000000) {
  auto spin = [iterations] {
    volatile std::uint64_t x = 1;
    for (std::uint64_t k = 0; k < iterations; ++k) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  };
  auto start = Clock::now();
  spin();
  const double one = seconds_since(start);
  start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(spin);
  for (auto& thread : pool) thread.join();
  return double(threads) * one / seconds_since(start);
}

/// Waits until a short compute loop runs at least `quiet_spin` times faster on 2 threads than on 1
/// (a second core is free), for at most `max_wait` seconds (quiet_spin 0: no wait); adds the time
/// waited to `waited_s` and returns the last speed-up measured.
inline double wait_for_quiet(double quiet_spin, double max_wait, double& waited_s) {
  const auto start = Clock::now();
  double speedup = spin_speedup(2, 40000000);
  while (quiet_spin > 0 && speedup < quiet_spin && seconds_since(start) < max_wait) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    speedup = spin_speedup(2, 40000000);
  }
  waited_s += seconds_since(start);
  return speedup;
}

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them.
inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

/// This executable's path (the parent process starts its children from it).
inline std::string self_path() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe");
  path[n] = '\0';
  return path;
}

/// Runs `command` (a case in a child process) and returns the `name=value` fields of the line that
/// follows "RESULT " in its output; throws with the command and its output if it cannot be started,
/// exits with an error, or prints no RESULT line.
inline std::map<std::string, std::string> run_child_for_result(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  if (pclose(pipe) != 0) throw std::runtime_error("case failed: " + command + "\n" + output);
  const auto at = output.find("RESULT ");
  if (at == std::string::npos) throw std::runtime_error("no result from: " + command + "\n" + output);
  std::map<std::string, std::string> fields;
  std::stringstream in(output.substr(at + 7));
  std::string token;
  while (in >> token) {
    const auto eq = token.find('=');
    if (eq != std::string::npos) fields[token.substr(0, eq)] = token.substr(eq + 1);
  }
  return fields;
}

/// The line saying how much faster a compute loop ran on `threads` threads than on 1 before the
/// cases (`speedup_before`, at load average `load_before`) and now.
inline void print_spare_parallelism(double speedup_before, int threads, const std::string& load_before) {
  std::printf("Spare parallelism of the machine: a compute loop ran %.2fx faster on %d threads than on 1 before "
              "the cases and %.2fx after (load average %s before, %s after).\n",
              speedup_before, threads, spin_speedup(threads), load_before.c_str(), load_average().c_str());
}

}  // namespace sahelsim::bench

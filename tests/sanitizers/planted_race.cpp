// ThreadSanitizer trees only (tests/CMakeLists.txt): proves that TSan still reports a data race
// inside for_chunks bodies, although TBB's own part of each loop is ignored (core/parallel.hpp).
//
//   planted_race race    two chunks, on two threads, write one shared variable: must be reported
//   planted_race clean   the same two chunks write only their own items: must not be reported
//
// Both chunks wait for each other at an atomic rendezvous first, so that they run on two threads
// at once (TSan only sees a race between threads). The rendezvous orders what came before it, not
// the writes after it, so those stay unordered.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "sahelsim/core/parallel.hpp"

int main(int argc, char** argv) {
  const bool plant = argc == 2 && std::strcmp(argv[1], "race") == 0;
  if (argc != 2 || (!plant && std::strcmp(argv[1], "clean") != 0)) {
    std::fprintf(stderr, "usage: planted_race race|clean\n");
    return 2;
  }
  sahelsim::core::ParallelExecutor executor(2);
  std::atomic<int> arrived{0};
  bool met = true;
  long shared_total = 0;
  long own_items[2] = {0, 0};
  executor.for_chunks(2, 1, [&](std::size_t begin, std::size_t, std::size_t) {
    arrived.fetch_add(1);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (arrived.load() < 2)
      if (std::chrono::steady_clock::now() > give_up) { met = false; return; }
      else std::this_thread::yield();
    if (plant) shared_total += long(begin) + 1;
    else own_items[begin] = long(begin) + 1;
  });
  if (!met) {
    std::fprintf(stderr, "planted_race: the two chunks never ran at the same time\n");
    return 3;
  }
  std::printf("planted_race %s: done (%ld %ld %ld)\n", argv[1], shared_total, own_items[0], own_items[1]);
  return 0;
}

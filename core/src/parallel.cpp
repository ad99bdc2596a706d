#include "sahelsim/core/parallel.hpp"

#include <stdexcept>
#include <string>

#ifdef SAHELSIM_TSAN_ANNOTATIONS
#include <atomic>
#include <chrono>
#include <thread>

#include <oneapi/tbb/task_scheduler_observer.h>
#endif

namespace sahelsim::core {

#ifdef SAHELSIM_TSAN_ANNOTATIONS
/// ThreadSanitizer builds: a TBB worker ignores memory accesses from joining the executor's arena
/// to leaving it, except while it runs a chunk of ours (for_chunks; see the top of parallel.hpp).
/// TSan fails a thread that ends while ignoring, and TBB keeps its workers after our arena is gone,
/// so the destructor waits until every worker has left the arena (idle workers leave within
/// milliseconds; after 60 s it gives up, and TSan's report of the thread says where).
class TbbWorkerTsanIgnore : public oneapi::tbb::task_scheduler_observer {
 public:
  explicit TbbWorkerTsanIgnore(oneapi::tbb::task_arena& arena) : task_scheduler_observer(arena) { observe(true); }
  ~TbbWorkerTsanIgnore() override {
    for (int waited_ms = 0; workers_inside_.load() > 0 && waited_ms < 60'000; ++waited_ms)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    observe(false);
  }
  void on_scheduler_entry(bool is_worker) override {
    if (!is_worker) return;
    detail::tsan_ignore_begin();
    workers_inside_.fetch_add(1);
  }
  void on_scheduler_exit(bool is_worker) override {
    if (!is_worker) return;
    workers_inside_.fetch_sub(1);
    detail::tsan_ignore_end();
  }

 private:
  std::atomic<int> workers_inside_{0};
};
#else
class TbbWorkerTsanIgnore {};
#endif

ParallelExecutor::ParallelExecutor(int threads) : threads_(threads) {
  if (threads < 1 || threads > max_threads)
    throw std::invalid_argument("threads = " + std::to_string(threads) +
                                " is not allowed: expected an integer in [1, " + std::to_string(max_threads) + "]");
  arena_ = std::make_unique<oneapi::tbb::task_arena>(threads);
#ifdef SAHELSIM_TSAN_ANNOTATIONS
  arena_->initialize();
  tsan_observer_ = std::make_unique<TbbWorkerTsanIgnore>(*arena_);
#endif
}

ParallelExecutor::~ParallelExecutor() = default;

}  // namespace sahelsim::core

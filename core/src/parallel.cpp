#include "sahelsim/core/parallel.hpp"

#include <stdexcept>
#include <string>

namespace sahelsim::core {

ParallelExecutor::ParallelExecutor(int threads) : threads_(threads) {
  if (threads < 1 || threads > 1024)
    throw std::invalid_argument("threads = " + std::to_string(threads) +
                                " is not allowed: expected an integer in [1, 1024]");
  arena_ = std::make_unique<oneapi::tbb::task_arena>(threads);
}

}  // namespace sahelsim::core

// Deterministic conflict resolution: propose, then resolve.
//
// When several agents want the same cell (or the same target agent) in one parallel phase, each
// writes a proposal with a priority; the lowest priority wins. Priorities pack a random key drawn
// from the proposer's own stream (high 32 bits) and the proposer's id (low 32 bits), so they are
// unique and ties cannot occur. Taking the minimum is commutative, so the winner is the same for any
// thread count and any order of proposals.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <vector>

namespace sahelsim::core {

class Claims {
 public:
  static constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();

  explicit Claims(std::size_t targets = 0) : best_(targets) { clear_all(); }

  void resize(std::size_t targets) {
    best_ = std::vector<std::atomic<std::uint64_t>>(targets);
    clear_all();
  }
  std::size_t size() const { return best_.size(); }

  static std::uint64_t priority(std::uint64_t random_bits, std::uint32_t proposer) {
    return (random_bits & 0xffffffff00000000ULL) | proposer;
  }

  /// Thread-safe: keeps the lowest priority proposed for `target`.
  void propose(std::size_t target, std::uint64_t priority) {
    auto& slot = best_[target];
    std::uint64_t current = slot.load(std::memory_order_relaxed);
    while (priority < current &&
           !slot.compare_exchange_weak(current, priority, std::memory_order_relaxed)) {
    }
  }

  /// The same without an atomic read-modify-write, for phases where no other thread proposes for
  /// `target` at the same time (e.g. rows processed in colours, see for_row_bands_in_colours).
  void propose_unshared(std::size_t target, std::uint64_t priority) {
    auto& slot = best_[target];
    const std::uint64_t current = slot.load(std::memory_order_relaxed);
    slot.store(priority < current ? priority : current, std::memory_order_relaxed);  // no branch to mispredict
  }

  /// Hints that `target` is about to be proposed for (a batch can fetch its targets together).
  void prefetch(std::size_t target) const {
#if defined(__GNUC__)
    __builtin_prefetch(&best_[target], 1);
#else
    (void)target;
#endif
  }

  /// After all proposals of the phase: did this priority win its target?
  bool won(std::size_t target, std::uint64_t priority) const {
    return best_[target].load(std::memory_order_relaxed) == priority;
  }
  std::uint64_t winner(std::size_t target) const {
    return best_[target].load(std::memory_order_relaxed);
  }

  /// The slots themselves, for sweeps that read and clear many targets in a row.
  std::atomic<std::uint64_t>* data() { return best_.data(); }
  const std::atomic<std::uint64_t>* data() const { return best_.data(); }

  /// Frees one target again (proposers clear their own targets after resolution).
  void clear(std::size_t target) { best_[target].store(none, std::memory_order_relaxed); }
  void clear_all() {
    for (auto& slot : best_) slot.store(none, std::memory_order_relaxed);
  }

 private:
  std::vector<std::atomic<std::uint64_t>> best_;
};

}  // namespace sahelsim::core

// A step is a named list of phases; each phase declares the state it reads and writes.
//
// The declarations are checked against the model's column tables when a phase is added (so a phase
// cannot claim to touch state that does not exist), printed by `describe()` for the docs, and let a
// reader see at a glance which phases may run their agents in parallel.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace sahelsim::core {

struct Phase {
  std::string name;
  std::vector<std::string> reads;   // "kind.column" or "kind.*" or a named model-level state
  std::vector<std::string> writes;
  std::function<void()> run;
};

class Schedule {
 public:
  /// `known_state` lists every name a phase may read or write.
  explicit Schedule(std::vector<std::string> known_state = {}) : known_(std::move(known_state)) {}

  /// Adds a phase; throws std::logic_error if it names unknown state or repeats a phase name.
  Schedule& add(Phase phase);
  /// Runs every phase in order.
  void run_step() const;

  const std::vector<Phase>& phases() const { return phases_; }
  std::vector<std::string> phase_names() const;
  /// One line per phase: "name: reads a, b; writes c".
  std::string describe() const;

 private:
  std::vector<std::string> known_;
  std::vector<Phase> phases_;
};

}  // namespace sahelsim::core

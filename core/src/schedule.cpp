#include "sahelsim/core/schedule.hpp"

#include <algorithm>
#include <stdexcept>

namespace sahelsim::core {

Schedule& Schedule::add(Phase phase) {
  for (const auto& existing : phases_)
    if (existing.name == phase.name) throw std::logic_error("phase '" + phase.name + "' added twice");
  if (!known_.empty()) {
    for (const auto* list : {&phase.reads, &phase.writes})
      for (const auto& state : *list)
        if (std::find(known_.begin(), known_.end(), state) == known_.end())
          throw std::logic_error("phase '" + phase.name + "' declares unknown state '" + state + "'");
  }
  phases_.push_back(std::move(phase));
  return *this;
}

void Schedule::run_step() const {
  for (const auto& phase : phases_) phase.run();
}

std::vector<std::string> Schedule::phase_names() const {
  std::vector<std::string> names;
  for (const auto& phase : phases_) names.push_back(phase.name);
  return names;
}

std::string Schedule::describe() const {
  auto join = [](const std::vector<std::string>& items) {
    std::string text;
    for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
    return text.empty() ? std::string("nothing") : text;
  };
  std::string text;
  for (const auto& phase : phases_)
    text += phase.name + ": reads " + join(phase.reads) + "; writes " + join(phase.writes) + "\n";
  return text;
}

}  // namespace sahelsim::core

// The runnable models by name: their parameter specs and a factory. The bindings, the command line
// and the benchmarks find models here, so a new model is registered in one place.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sahelsim/core/model.hpp"
#include "sahelsim/core/parameters.hpp"

namespace sahelsim::models {

/// The scenario that model "sahel" runs when none is named (`sahelsim run`, `make run`).
inline constexpr const char* default_sahel_scenario = "mali-2025";

struct ModelEntry {
  std::string name;
  std::string description;
  const std::vector<core::ParameterSpec>* parameters;
  std::unique_ptr<core::Model> (*make)(const core::ParameterSet&, std::uint64_t seed, int threads);
};

const std::vector<ModelEntry>& model_registry();

/// A model rebuilt from a checkpoint (core/checkpoint.hpp): the model, parameters and seed it names
/// (a Sahel model: its scenario), with `threads` threads, its state restored. Throws
/// core::CheckpointError for a checkpoint that is unreadable, corrupt or does not fit.
std::unique_ptr<core::Model> model_from_checkpoint(const std::string& path, int threads);
/// Throws core::ParameterError listing the known models when `name` is unknown.
const ModelEntry& find_model(const std::string& name);

}  // namespace sahelsim::models

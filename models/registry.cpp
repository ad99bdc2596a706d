#include "models/registry.hpp"

#include "models/epstein/epstein_model.hpp"
#include "models/epstein/parameters.hpp"
#include "models/sahel/parameters.hpp"
#include "models/sahel/sahel_model.hpp"
#include "models/sahel/scenario/scenario.hpp"

namespace sahelsim::models {

const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> entries = {
      // By name, the Sahel model runs its default scenario with the given parameters and seed; a
      // run of another scenario starts from the scenario itself (bindings: Simulation.from_scenario).
      {"sahel", "The Sahel insurgency and fuel blockade: villages, militants, military, markets and convoys "
                "on the map of Mali (default scenario " + std::string(default_sahel_scenario) + ")",
       &sahel::sahel_parameters(),
       [](const core::ParameterSet& p, std::uint64_t seed, int threads) -> std::unique_ptr<core::Model> {
         sahel::Scenario scenario = sahel::load_scenario_by_name_or_path(default_sahel_scenario);
         scenario.parameters = p;
         scenario.seed = seed;
         return std::make_unique<sahel::SahelModel>(scenario, threads);
       }},
      {"epstein", "Epstein (2002) civil violence, Model I: citizens, cops and a regime's legitimacy",
       &epstein::civil_violence_parameters(),
       [](const core::ParameterSet& p, std::uint64_t seed, int threads) -> std::unique_ptr<core::Model> {
         return std::make_unique<epstein::EpsteinModel>(epstein::Variant::civil_violence, p, seed, threads);
       }},
      {"epstein-ethnic", "Epstein (2002) ethnic violence, Model II: two groups, cloning, ageing, killing",
       &epstein::ethnic_violence_parameters(),
       [](const core::ParameterSet& p, std::uint64_t seed, int threads) -> std::unique_ptr<core::Model> {
         return std::make_unique<epstein::EpsteinModel>(epstein::Variant::ethnic_violence, p, seed, threads);
       }},
  };
  return entries;
}

const ModelEntry& find_model(const std::string& name) {
  std::string known;
  for (const auto& entry : model_registry()) {
    if (entry.name == name) return entry;
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw core::ParameterError("unknown model '" + name + "': expected one of: " + known);
}

std::unique_ptr<core::Model> model_from_checkpoint(const std::string& path, int threads) {
  const core::CheckpointInfo info = core::read_checkpoint_info(path);
  std::unique_ptr<core::Model> model;
  if (info.model == "sahel") {
    const sahel::Scenario scenario = sahel::scenario_from_checkpoint_identity(info.identity, path);
    model = std::make_unique<sahel::SahelModel>(scenario, threads);
  } else {
    const ModelEntry* entry = nullptr;
    for (const auto& candidate : model_registry())
      if (candidate.name == info.model) entry = &candidate;
    if (entry == nullptr)
      throw core::CheckpointError("checkpoint '" + path + "' is of model '" + info.model +
                                  "', which this sahelsim does not know");
    core::ParameterSet values(entry->parameters);
    try {
      for (const auto& [name, value] : info.parameters) values.set(name, value);
    } catch (const core::ParameterError& error) {
      throw core::CheckpointError("checkpoint '" + path + "' does not fit this sahelsim's model " + info.model +
                                  ": " + error.what());
    }
    model = entry->make(values, info.seed, threads);
  }
  core::load_checkpoint(*model, path);
  return model;
}

}  // namespace sahelsim::models

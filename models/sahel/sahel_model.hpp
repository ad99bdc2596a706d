// The Sahel model: villages, militant bands, military units and markets with their tanker convoys
// on the map of a scenario, one step a day (docs/ODD.md describes every rule).
//
//   Scenario scenario = load_scenario_by_name_or_path("mali-2025");
//   SahelModel model(scenario, /*threads=*/2);
//   for (int day = 0; day < scenario.days(); ++day) model.step();
//   const CalibrationSummary s = model.summary();
//
// Bitwise deterministic for any thread count: per-agent work runs in parallel with oneTBB and
// draws from counter-based streams keyed by (seed, purpose, agent, day); everything that moves
// resources between agents is resolved in agent-index order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "models/sahel/scenario/scenario.hpp"
#include "models/sahel/world/sahel_map.hpp"
#include "sahelsim/core/model.hpp"

namespace sahelsim::models::sahel {

/// The calibration indicators of SAHEL-MODEL.md, measured on a run so far. NaN when a quantity is
/// undefined (e.g. the fuel price ratio of a run without blockade).
struct CalibrationSummary {
  double fuel_price_ratio_bamako = 0.0;   // peak within 8 weeks of the blockade's start / pre-blockade
  double electricity_hours_bamako_min = 0.0;
  std::int64_t tankers_destroyed = 0;     // whole run
  std::int64_t tankers_destroyed_first_90_days = 0;  // from the blockade's start (0 without one)
  double max_convoy_loss_fraction = 0.0;  // over convoys of at least 20 tankers that were attacked
  std::int64_t max_attacks_one_day = 0;
  double max_attack_spread_km_one_day = 0.0;  // largest distance between two attacks that day
  double state_share_civilian_deaths = 0.0;   // army + partner, of civilians killed in targeted attacks
  bool capital_captured = false;
  double legitimacy_start = 0.0;  // population-weighted mean
  double legitimacy_end = 0.0;
  std::int64_t ambushes = 0;                // convoys attacked
  double ambush_share_in_2025_zones = 0.0;  // of ambushes, within 60 km of Kayes–Diéma–Kati or Sikasso–Bougouni–Kadiana
  double corridor_share_in_2025_zones = 0.0;  // of blockaded corridors' road in Mali, within those 60 km
  double insurgent_rural_share_near_corridors = 0.0;  // of rural Malian villages within 50 km of a corridor
  std::int64_t days = 0;
  std::int64_t blockade_start_day = -1;  // step of the first blockade event, -1 without one
};

/// A summary value: a number (NaN when undefined), a count or a yes/no.
using SummaryValue = std::variant<double, std::int64_t, bool>;
/// Every field of a summary as (key, value), in documentation order: the one list behind the JSON,
/// the run file's summary_* attributes and the Python dict.
std::vector<std::pair<std::string, SummaryValue>> summary_items(const CalibrationSummary& summary);
/// One JSON object with the keys of summary_items (the keys of `sahelsim run --summary-json`); NaN
/// is written as null.
std::string summary_to_json(const CalibrationSummary& summary);

/// The scenario of a Sahel checkpoint, rebuilt from its identity (SahelModel::checkpoint_identity):
/// the resolved TOML read as its source was. Throws core::CheckpointError if it cannot be.
Scenario scenario_from_checkpoint_identity(const std::string& identity, const std::string& checkpoint_path);

class SahelModel final : public core::Model {
 public:
  /// Builds the scenario's map and the agents. `threads` >= 1.
  SahelModel(const Scenario& scenario, int threads);
  /// With a map already built for this scenario (sweeps reuse one map).
  SahelModel(const Scenario& scenario, std::shared_ptr<const SahelMap> map, int threads);
  ~SahelModel() override;

  const Scenario& scenario() const;
  const SahelMap& map() const;
  /// The day the current state closes: step k >= 1 is the end of day start + k - 1 (step 0, the
  /// initial state, reports the start date). A scenario's whole period is scenario.days() steps.
  Date current_date() const;
  CalibrationSummary summary() const;

  // core::Model
  std::string model_name() const override { return "sahel"; }
  void step() override;
  std::int64_t current_step() const override;
  const core::ParameterSet& parameters() const override;
  std::uint64_t seed() const override;
  int threads() const override;
  const std::vector<core::SeriesSpec>& series_specs() const override;
  std::vector<double> series_values() const override;
  int raster_width() const override;
  int raster_height() const override;
  const std::vector<core::RasterSpec>& raster_specs() const override;
  std::vector<std::uint8_t> raster(const std::string& name) const override;
  std::vector<float> raster_real(const std::string& name) const override;
  std::pair<core::RasterAxis, core::RasterAxis> raster_axes() const override;
  std::vector<const core::ColumnTable*> tables() const override;
  std::uint64_t state_hash() const override;
  std::string describe_schedule() const override;
  void define_run_file(core::RunFileWriter& writer) const override;
  void record_run_file(core::RunFileWriter& writer) const override;
  std::vector<std::pair<std::string, double>> final_run_file_attributes() const override;
  void save_state(core::StateWriter& out) const override;
  void load_state(core::StateReader& in) override;
  /// The resolved scenario (TOML) with its source and map origin: a checkpoint fits only a model
  /// of the same scenario.
  std::string checkpoint_identity() const override;

  struct State;  // sahel_state.hpp

 private:
  std::unique_ptr<State> state_;
};

}  // namespace sahelsim::models::sahel

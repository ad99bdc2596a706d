// Checkpoints of the models: save at step k, load into a model built from the same parameters (or
// rebuild it from the checkpoint alone), and the restored model has the same state hash and steps on
// exactly as the uninterrupted one (state hash, every series value bitwise, rasters, the Sahel
// summary), for Epstein's Models I and II (both activation schemes) and the Sahel model
// (siege-classroom, and mali-2025 across the start of its blockade), with 1 and 2 threads.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "models/registry.hpp"
#include "models/sahel/sahel_model.hpp"
#include "models/sahel/scenario/scenario.hpp"
#include "sahelsim/core/checkpoint.hpp"

namespace {

using namespace sahelsim;
using core::Model;

std::unique_ptr<Model> make_registered(const std::string& name, const std::map<std::string, std::string>& settings,
                                       std::uint64_t seed, int threads) {
  const models::ModelEntry& entry = models::find_model(name);
  core::ParameterSet parameters(entry.parameters);
  for (const auto& [key, value] : settings) parameters.set_from_text(key, value);
  return entry.make(parameters, seed, threads);
}

/// Everything observable of a model's state, compared bitwise (NaN equals NaN).
struct Observed {
  std::uint64_t hash = 0;
  std::int64_t step = 0;
  std::vector<unsigned char> series;
  std::string summary;
  bool operator==(const Observed& o) const {
    return hash == o.hash && step == o.step && series == o.series && summary == o.summary;
  }
};

Observed observe(const Model& model) {
  Observed o;
  o.hash = model.state_hash();
  o.step = model.current_step();
  const std::vector<double> values = model.series_values();
  o.series.resize(values.size() * sizeof(double));
  std::memcpy(o.series.data(), values.data(), o.series.size());
  if (const auto* sahel = dynamic_cast<const models::sahel::SahelModel*>(&model))
    o.summary = models::sahel::summary_to_json(sahel->summary());
  return o;
}

std::vector<unsigned char> rasters(const Model& model) {
  std::vector<unsigned char> bytes;
  for (const auto& spec : model.raster_specs()) {
    if (spec.real) {
      const auto cells = model.raster_real(spec.name);
      const auto* p = reinterpret_cast<const unsigned char*>(cells.data());
      bytes.insert(bytes.end(), p, p + cells.size() * sizeof(float));
    } else {
      const auto cells = model.raster(spec.name);
      bytes.insert(bytes.end(), cells.begin(), cells.end());
    }
  }
  return bytes;
}

class ModelCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("sahelsim-model-checkpoint-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  /// Steps `reference` to `at`, checkpoints it, restores into `fresh()` (built with `threads`)
  /// and into a model rebuilt from the checkpoint alone, then steps all three `further` steps and
  /// compares them after every step.
  template <class Make>
  void check_round_trip(Make make, int reference_threads, int threads, std::int64_t at, std::int64_t further,
                        const std::string& label) {
    SCOPED_TRACE(label + ", checkpoint at step " + std::to_string(at) + ", threads " +
                 std::to_string(reference_threads) + " -> " + std::to_string(threads));
    std::unique_ptr<Model> reference = make(reference_threads);
    for (std::int64_t i = 0; i < at; ++i) reference->step();
    const std::string file = path(label + "-" + std::to_string(at) + ".ckpt");
    core::save_checkpoint(*reference, file);

    std::unique_ptr<Model> restored = make(threads);
    core::load_checkpoint(*restored, file);
    std::unique_ptr<Model> rebuilt = models::model_from_checkpoint(file, threads);
    ASSERT_EQ(restored->current_step(), at);
    EXPECT_TRUE(observe(*restored) == observe(*reference));
    EXPECT_TRUE(observe(*rebuilt) == observe(*reference));
    EXPECT_EQ(rasters(*restored), rasters(*reference));
    for (std::int64_t i = 1; i <= further; ++i) {
      reference->step();
      restored->step();
      rebuilt->step();
      const Observed expected = observe(*reference);
      ASSERT_TRUE(observe(*restored) == expected) << "differs " << i << " steps after the checkpoint";
      ASSERT_TRUE(observe(*rebuilt) == expected) << "rebuilt model differs " << i << " steps after the checkpoint";
    }
    EXPECT_EQ(rasters(*restored), rasters(*reference));
  }

  std::filesystem::path directory_;
};

// ---- Epstein ------------------------------------------------------------------------------------

TEST_F(ModelCheckpointTest, EpsteinSynchronousContinuesIdentically) {
  const std::map<std::string, std::string> settings = {
      {"width", "60"}, {"height", "60"}, {"legitimacy", "0.82"}, {"activation", "synchronous"}};
  auto make = [&](int threads) { return make_registered("epstein", settings, 3, threads); };
  for (const std::int64_t at : {0, 1, 17})
    for (const auto& [from, to] : {std::pair{1, 1}, std::pair{2, 2}, std::pair{1, 2}, std::pair{2, 1}})
      check_round_trip(make, from, to, at, 12, "epstein");
}

TEST_F(ModelCheckpointTest, EpsteinSequentialContinuesIdentically) {
  const std::map<std::string, std::string> settings = {
      {"width", "40"}, {"height", "40"}, {"activation", "sequential"}, {"legitimacy", "0.8"}};
  auto make = [&](int threads) { return make_registered("epstein", settings, 5, threads); };
  for (const std::int64_t at : {0, 9}) check_round_trip(make, 1, 2, at, 10, "epstein-sequential");
}

TEST_F(ModelCheckpointTest, EpsteinWithSchedulesContinuesIdenticallyAcrossTheirChanges) {
  // Legitimacy ramps and the cop count jumps after the checkpoint.
  const std::map<std::string, std::string> settings = {
      {"width", "50"},           {"height", "50"},           {"legitimacy_schedule", "ramp"}, {"activation", "synchronous"},
      {"legitimacy_target", "0.5"}, {"legitimacy_change_step", "6"}, {"legitimacy_ramp_per_step", "0.02"},
      {"cop_schedule", "jump"},  {"cop_density_target", "0.02"}, {"cop_change_step", "8"}};
  auto make = [&](int threads) { return make_registered("epstein", settings, 2, threads); };
  for (const std::int64_t at : {4, 8}) check_round_trip(make, 2, 1, at, 10, "epstein-schedules");
}

TEST_F(ModelCheckpointTest, EpsteinEthnicContinuesIdentically) {
  for (const std::string activation : {"synchronous", "sequential"}) {
    const std::map<std::string, std::string> settings = {{"width", "40"}, {"height", "40"}, {"activation", activation}};
    auto make = [&](int threads) { return make_registered("epstein-ethnic", settings, 4, threads); };
    for (const std::int64_t at : {0, 6, 25})
      for (const auto& [from, to] : {std::pair{1, 1}, std::pair{2, 2}, std::pair{1, 2}})
        check_round_trip(make, from, to, at, 10, "epstein-ethnic-" + activation);
  }
}

TEST_F(ModelCheckpointTest, EpsteinCheckpointDoesNotFitOtherParametersOrModelII) {
  auto model = make_registered("epstein", {{"width", "30"}, {"height", "30"}}, 1, 1);
  model->step();
  const std::string file = path("e.ckpt");
  core::save_checkpoint(*model, file);
  auto other = make_registered("epstein", {{"width", "30"}, {"height", "30"}, {"legitimacy", "0.7"}}, 1, 1);
  try {
    core::load_checkpoint(*other, file);
    FAIL() << "accepted other parameters";
  } catch (const core::CheckpointError& error) {
    EXPECT_NE(std::string(error.what()).find("parameter 'legitimacy'"), std::string::npos) << error.what();
  }
  auto ethnic = make_registered("epstein-ethnic", {{"width", "30"}, {"height", "30"}}, 1, 1);
  EXPECT_THROW(core::load_checkpoint(*ethnic, file), core::CheckpointError);
}

// ---- Sahel --------------------------------------------------------------------------------------

TEST_F(ModelCheckpointTest, SiegeClassroomContinuesIdentically) {
  const models::sahel::Scenario scenario = models::sahel::load_scenario_by_name_or_path("siege-classroom");
  const auto map = std::make_shared<const models::sahel::SahelMap>(models::sahel::build_scenario_map(scenario));
  auto make = [&](int threads) { return std::make_unique<models::sahel::SahelModel>(scenario, map, threads); };
  for (const std::int64_t at : {0, 1, 12})
    for (const auto& [from, to] : {std::pair{1, 1}, std::pair{2, 2}, std::pair{1, 2}})
      check_round_trip(make, from, to, at, 15, "siege-classroom");
}

TEST_F(ModelCheckpointTest, Mali2025ContinuesIdenticallyAcrossTheBlockadesStart) {
  // The blockade is declared on 2025-09-03, day 64: checkpoint just before, and a day after.
  const models::sahel::Scenario scenario = models::sahel::load_scenario_by_name_or_path("mali-2025");
  const auto map = std::make_shared<const models::sahel::SahelMap>(models::sahel::build_scenario_map(scenario));
  auto make = [&](int threads) { return std::make_unique<models::sahel::SahelModel>(scenario, map, threads); };
  check_round_trip(make, 2, 1, 62, 8, "mali-2025");
  check_round_trip(make, 2, 2, 65, 10, "mali-2025");
}

TEST_F(ModelCheckpointTest, SahelCheckpointDoesNotFitAnotherScenarioOrSeed) {
  const auto siege = models::sahel::load_scenario_by_name_or_path("siege-classroom");
  models::sahel::SahelModel model(siege, 1);
  model.step();
  const std::string file = path("s.ckpt");
  core::save_checkpoint(model, file);

  auto changed = siege;
  changed.forces.pop_back();  // same parameters and seed, another scenario
  models::sahel::SahelModel other(changed, 1);
  try {
    core::load_checkpoint(other, file);
    FAIL() << "accepted another scenario";
  } catch (const core::CheckpointError& error) {
    EXPECT_NE(std::string(error.what()).find("another scenario"), std::string::npos) << error.what();
  }
  auto reseeded = siege;
  reseeded.seed += 1;
  models::sahel::SahelModel other_seed(reseeded, 1);
  EXPECT_THROW(core::load_checkpoint(other_seed, file), core::CheckpointError);
  auto epstein = make_registered("epstein", {}, siege.seed, 1);
  EXPECT_THROW(core::load_checkpoint(*epstein, file), core::CheckpointError);
}

}  // namespace

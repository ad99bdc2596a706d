// run_model(): what the run file gets from a model beyond its step series (raster axes, real
// rasters, the model's own run-file content and final attributes), with a small fake model.
#include "sahelsim/core/run.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "hdf5_test_support.hpp"
#include "sahelsim/core/model.hpp"

namespace {

using namespace sahelsim::core;
using namespace sahelsim::test;

/// A 2 x 3 raster model with a uint8 "state" and, optionally, a float32 "heat" raster; counts how
/// often run_model() calls its run-file hooks.
class FakeModel : public Model {
 public:
  explicit FakeModel(bool with_real_raster = false, bool with_axes = false)
      : with_axes_(with_axes), parameters_(&no_parameters_) {
    rasters_.push_back({"state", "cell state", "empty full", false, ""});
    if (with_real_raster) rasters_.push_back({"heat", "heat of the cell", "", true, "K"});
  }

  std::string model_name() const override { return "fake"; }
  void step() override { ++step_; }
  std::int64_t current_step() const override { return step_; }
  const ParameterSet& parameters() const override { return parameters_; }
  std::uint64_t seed() const override { return 1; }
  int threads() const override { return 1; }
  const std::vector<SeriesSpec>& series_specs() const override { return series_; }
  std::vector<double> series_values() const override { return {double(step_)}; }
  int raster_width() const override { return 3; }
  int raster_height() const override { return 2; }
  const std::vector<RasterSpec>& raster_specs() const override { return rasters_; }
  std::vector<std::uint8_t> raster(const std::string&) const override {
    return std::vector<std::uint8_t>(6, static_cast<std::uint8_t>(step_));
  }
  std::vector<float> raster_real(const std::string& name) const override {
    if (name != "heat") return Model::raster_real(name);
    return std::vector<float>(6, 0.5f * static_cast<float>(step_));
  }
  std::pair<RasterAxis, RasterAxis> raster_axes() const override {
    if (!with_axes_) return Model::raster_axes();
    return {RasterAxis{"lat", "cell centre latitude", "degrees_north", {15.5, 14.5}},
            RasterAxis{"lon", "cell centre longitude", "degrees_east", {-4.0, -3.0, -2.0}}};
  }
  std::vector<const ColumnTable*> tables() const override { return {}; }
  std::uint64_t state_hash() const override { return 0; }
  std::string describe_schedule() const override { return "count"; }

  void define_run_file(RunFileWriter& writer) const override {
    ++defined;
    writer.add_string_coordinate("region", {"Kayes", "Mopti"}, "region name");
    writer.add_variable("region_step", DataType::int64, {"step", "region"}, "step per region");
  }
  void record_run_file(RunFileWriter& writer) const override {
    ++recorded;
    const std::int64_t values[2] = {step_, 10 * step_};
    writer.write_record("region_step", values);
  }
  std::vector<std::pair<std::string, double>> final_run_file_attributes() const override {
    return {{"final_step", double(step_)}};
  }

  mutable int defined = 0;
  mutable int recorded = 0;

 private:
  bool with_axes_;
  std::vector<ParameterSpec> no_parameters_;
  ParameterSet parameters_;
  std::vector<SeriesSpec> series_ = {{"count", "steps so far", "1", true}};
  std::vector<RasterSpec> rasters_;
  std::int64_t step_ = 0;
};

class RunModelTest : public RunFileDirectoryTest {
 protected:
  RunResult run(Model& model, std::int64_t steps, std::int64_t snapshot_every) {
    RunOptions options;
    options.steps = steps;
    options.output_path = path_;
    options.snapshot_every = snapshot_every;
    return run_model(model, options);
  }
};

TEST(ModelDefaults, RasterAxesAreLatticeRowAndColumnIndices) {
  FakeModel model;
  const auto [rows, columns] = model.Model::raster_axes();
  EXPECT_EQ(rows.name, "y");
  EXPECT_EQ(rows.long_name, "lattice row");
  EXPECT_EQ(rows.values, (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(columns.name, "x");
  EXPECT_EQ(columns.long_name, "lattice column");
  EXPECT_EQ(columns.values, (std::vector<double>{0.0, 1.0, 2.0}));
}

TEST(ModelDefaults, RasterRealThrowsNamingTheRaster) {
  FakeModel model;
  try {
    model.raster_real("state");
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("raster 'state'"), std::string::npos) << error.what();
  }
}

TEST_F(RunModelTest, RasterAxesAreDefinedWithoutSnapshots) {
  FakeModel model;
  run(model, 1, 0);
  Owned file = open_file(path_);
  EXPECT_EQ(read_all<double>(file, "y", H5T_NATIVE_DOUBLE), (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(read_all<double>(file, "x", H5T_NATIVE_DOUBLE), (std::vector<double>{0.0, 1.0, 2.0}));
  EXPECT_FALSE(H5Lexists(file, "snapshot", H5P_DEFAULT) > 0);
  EXPECT_FALSE(H5Lexists(file, "state", H5P_DEFAULT) > 0);
}

TEST_F(RunModelTest, SnapshotsLieOnTheModelsRasterAxes) {
  FakeModel model(false, /*with_axes=*/true);
  run(model, 2, 1);
  Owned file = open_file(path_);
  Owned lat = open_dataset(file, "lat");
  EXPECT_EQ(text_attribute(lat, "units"), "degrees_north");
  EXPECT_EQ(read_all<double>(file, "lon", H5T_NATIVE_DOUBLE), (std::vector<double>{-4.0, -3.0, -2.0}));
  Owned state = open_dataset(file, "state");
  EXPECT_EQ(shape_of(state), (std::vector<hsize_t>{3, 2, 3}));
  EXPECT_GT(H5DSis_attached(state, lat, 1), 0);
}

TEST_F(RunModelTest, RealRastersAreFloat32WithUnits) {
  FakeModel model(/*with_real_raster=*/true);
  run(model, 2, 2);
  Owned file = open_file(path_);
  Owned heat = open_dataset(file, "heat");
  Owned type(H5Dget_type(heat), H5Tclose);
  EXPECT_EQ(H5Tget_class(type), H5T_FLOAT);
  EXPECT_EQ(H5Tget_size(type), 4u);
  EXPECT_EQ(text_attribute(heat, "units"), "K");
  EXPECT_FALSE(has_attribute(heat, "flag_meanings"));
  const std::vector<float> values = read_all<float>(file, "heat", H5T_NATIVE_FLOAT);
  ASSERT_EQ(values.size(), 12u);  // snapshots at steps 0 and 2
  EXPECT_EQ(values[0], 0.0f);
  EXPECT_EQ(values[6], 1.0f);
  Owned state = open_dataset(file, "state");
  EXPECT_EQ(text_attribute(state, "flag_meanings"), "empty full");
}

TEST_F(RunModelTest, ModelRunFileContentIsDefinedOnceAndRecordedEveryStep) {
  FakeModel model;
  run(model, 3, 0);
  EXPECT_EQ(model.defined, 1);
  EXPECT_EQ(model.recorded, 4);  // steps 0 (initial state) to 3
  Owned file = open_file(path_);
  EXPECT_EQ(read_all<std::int64_t>(file, "region_step", H5T_NATIVE_INT64),
            (std::vector<std::int64_t>{0, 0, 1, 10, 2, 20, 3, 30}));
  EXPECT_EQ(read_strings(file, "region"), (std::vector<std::string>{"Kayes", "Mopti"}));
}

TEST_F(RunModelTest, FinalRunFileAttributesAreSetAtTheEnd) {
  FakeModel model;
  run(model, 3, 0);
  Owned file = open_file(path_);
  EXPECT_EQ(number_attribute<double>(file, "final_step", H5T_NATIVE_DOUBLE), 3.0);
  EXPECT_EQ(number_attribute<double>(file, "steps_completed", H5T_NATIVE_DOUBLE), 3.0);
  EXPECT_EQ(text_attribute(file, "run_status"), "complete");
}

TEST_F(RunModelTest, RasterAxesOfTheWrongLengthThrow) {
  class OneRowAxes : public FakeModel {
    std::pair<RasterAxis, RasterAxis> raster_axes() const override {
      return {RasterAxis{"y", "row", "", {0.0}}, RasterAxis{"x", "column", "", {0.0, 1.0, 2.0}}};
    }
  } model;
  try {
    run(model, 1, 0);
    ADD_FAILURE() << "expected std::logic_error";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("raster_axes() has 1 x 3 values for 2 x 3 rasters"), std::string::npos)
        << error.what();
  }
}

TEST_F(RunModelTest, AFailureWhileFinishingMarksTheFileIncompleteWithItsReason) {
  // Finishing the file can fail too (the last buffered records on a full disk); here the model's
  // final attributes fail. The file keeps every step, marked incomplete with the error as reason.
  class FailingAtTheEnd : public FakeModel {
    std::vector<std::pair<std::string, double>> final_run_file_attributes() const override {
      throw std::runtime_error("no final attributes today");
    }
  } model;
  EXPECT_THROW(run(model, 3, 0), std::runtime_error);
  Owned file = open_file(path_);
  EXPECT_EQ(text_attribute(file, "run_status"), "incomplete");
  EXPECT_EQ(text_attribute(file, "run_status_reason"), "run stopped after 3 steps: no final attributes today");
  EXPECT_EQ(read_all<std::int64_t>(file, "step", H5T_NATIVE_INT64), (std::vector<std::int64_t>{0, 1, 2, 3}));
}

}  // namespace

// RunFileReader (core/run_file_reader.hpp): reads back what RunFileWriter writes, and names the
// file and the problem for anything else.
#include "sahelsim/core/run_file_reader.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "hdf5_test_support.hpp"
#include "sahelsim/core/run_file.hpp"

namespace {

using sahelsim::core::DataType;
using sahelsim::core::read_run_file_info;
using sahelsim::core::read_run_file_info_from_image;
using sahelsim::core::RunFileAttribute;
using sahelsim::core::RunFileError;
using sahelsim::core::RunFileInfo;
using sahelsim::core::RunFileReader;
using sahelsim::core::RunFileWriter;
using sahelsim::test::RunFileDirectoryTest;

class RunFileReaderTest : public RunFileDirectoryTest {
 protected:
  /// A small run: model "toy", 3 steps of `active` (int64) and `mean` (float64), a 2x3 `state`
  /// snapshot variable over coordinates y and x, a `town` string coordinate and a `cell`
  /// dimension without coordinate values.
  void write_run(bool finish = true, int steps = 3) {
    RunFileWriter writer(path_);
    writer.set_attribute("", "model", "toy");
    writer.set_attribute("", "seed", std::int64_t{42});
    writer.set_attribute("", "legitimacy", 0.82);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_coordinate("y", {0.0, 1.0}, "row");
    writer.add_coordinate("x", {0.0, 1.0, 2.0}, "column");
    writer.add_string_coordinate("town", {"Bamako", "Gao"}, "town name");
    writer.add_dimension("cell", 6);
    writer.add_variable("active", DataType::int64, {"step"}, "active agents");
    writer.add_variable("mean", DataType::float64, {"step"}, "mean grievance");
    writer.add_variable("state", DataType::uint8, {"y", "x"}, "cell state");
    writer.add_variable("cell_population", DataType::float32, {"cell"}, "people");
    const std::uint8_t state[6] = {0, 1, 2, 3, 0, 1};
    writer.write_fixed("state", state);
    const float population[6] = {1, 2, 3, 4, 5, 6};
    writer.write_fixed("cell_population", population);
    writer.begin_appending();
    for (int step = 0; step < steps; ++step) {
      writer.append_record("step", step);
      const std::int64_t active = 10 * step;
      const double mean = 0.5 + step;
      writer.write_record("active", &active);
      writer.write_record("mean", &mean);
    }
    if (finish) writer.finish({{"ended", "normally"}}, {{"wall_seconds", 1.5}});
    else writer.abandon("stopped by the test");
  }

  /// Adds a plain 1-D float64 dataset of `length` values to the run file, written by HDF5 alone:
  /// no dimension scale attached (what the writer would never leave).
  static sahelsim::test::Owned add_bare_variable(hid_t file, const char* name, hsize_t length) {
    sahelsim::test::Owned space(H5Screate_simple(1, &length, nullptr), H5Sclose);
    return sahelsim::test::Owned(
        H5Dcreate2(file, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  }

  std::vector<char> file_bytes() const {
    std::ifstream in(path_, std::ios::binary);
    return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
};

/// The message of the RunFileError that `read` throws ("" if it throws none).
template <class F>
std::string error_of(F read) {
  try {
    read();
  } catch (const RunFileError& error) {
    return error.what();
  }
  return "";
}

TEST_F(RunFileReaderTest, ReadsModelStatusAndRootAttributesOfAFinishedRun) {
  write_run();
  const RunFileInfo info = read_run_file_info(path_);
  EXPECT_EQ(info.source, path_);
  EXPECT_EQ(info.model, "toy");
  EXPECT_EQ(info.run_status, "complete");
  EXPECT_TRUE(info.complete);
  EXPECT_TRUE(info.closed_by_writer);
  ASSERT_NE(info.attribute("seed"), nullptr);
  EXPECT_EQ(info.attribute("seed")->kind, RunFileAttribute::Kind::integer);
  EXPECT_EQ(info.attribute("seed")->integer, 42);
  EXPECT_EQ(info.attribute("legitimacy")->kind, RunFileAttribute::Kind::real);
  EXPECT_DOUBLE_EQ(info.attribute("legitimacy")->real, 0.82);
  EXPECT_EQ(info.attribute("ended")->text, "normally");
  EXPECT_DOUBLE_EQ(info.attribute("wall_seconds")->real, 1.5);
  EXPECT_EQ(info.attribute("nonexistent"), nullptr);
}

TEST_F(RunFileReaderTest, ListsDimensionsWithLengthsAndWhetherTheyHaveCoordinates) {
  write_run();
  const RunFileInfo info = read_run_file_info(path_);
  ASSERT_EQ(info.dimensions.size(), 5u);  // cell, step, town, x, y (by name)
  EXPECT_EQ(info.dimensions[0].name, "cell");
  const auto* step = info.dimension("step");
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(step->length, 3u);
  EXPECT_TRUE(step->unlimited);
  EXPECT_TRUE(step->has_coordinate);
  EXPECT_EQ(info.dimension("x")->length, 3u);
  EXPECT_FALSE(info.dimension("x")->unlimited);
  EXPECT_EQ(info.dimension("cell")->length, 6u);
  EXPECT_FALSE(info.dimension("cell")->has_coordinate);
}

TEST_F(RunFileReaderTest, ListsVariablesWithDimensionsShapesAndTypes) {
  write_run();
  const RunFileInfo info = read_run_file_info(path_);
  const auto* state = info.variable("state");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->dimensions, (std::vector<std::string>{"y", "x"}));
  EXPECT_EQ(state->shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(state->type, "uint8");
  EXPECT_FALSE(state->is_coordinate);
  EXPECT_EQ(info.variable("active")->type, "int64");
  EXPECT_EQ(info.variable("active")->shape, (std::vector<std::size_t>{3}));
  EXPECT_EQ(info.variable("mean")->type, "float64");
  EXPECT_EQ(info.variable("cell_population")->type, "float32");
  EXPECT_EQ(info.variable("cell_population")->dimensions, (std::vector<std::string>{"cell"}));
  EXPECT_TRUE(info.variable("step")->is_coordinate);
  EXPECT_EQ(info.variable("town")->type, "string");
  EXPECT_EQ(info.variable("cell"), nullptr);  // a dimension without coordinate values
}

TEST_F(RunFileReaderTest, ReadsOneDimensionalSeriesAsDoubles) {
  write_run();
  const RunFileReader reader(path_);
  EXPECT_EQ(reader.read_series("active"), (std::vector<double>{0, 10, 20}));
  EXPECT_EQ(reader.read_series("mean"), (std::vector<double>{0.5, 1.5, 2.5}));
  EXPECT_EQ(reader.read_series("step"), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(reader.read_series("x"), (std::vector<double>{0, 1, 2}));
}

TEST_F(RunFileReaderTest, SeriesErrorsNameTheFileAndTheVariable) {
  write_run();
  const RunFileReader reader(path_);
  const std::string file = "run file '" + path_ + "': ";
  EXPECT_EQ(error_of([&] { reader.read_series("nothing"); }), file + "no variable 'nothing'");
  EXPECT_EQ(error_of([&] { reader.read_series("state"); }), file + "variable 'state' has 2 axes; a series has 1");
  EXPECT_EQ(error_of([&] { reader.read_series("town"); }), file + "variable 'town' holds strings, not numbers");
  EXPECT_EQ(error_of([&] { reader.read_series("active", 2); }),
            file + "variable 'active' has 3 values, more than the 2 asked for at most");
}

TEST_F(RunFileReaderTest, AnAbandonedRunIsIncompleteWithItsReason) {
  write_run(/*finish=*/false);
  const RunFileInfo info = read_run_file_info(path_);
  EXPECT_FALSE(info.complete);
  EXPECT_EQ(info.run_status, "incomplete");
  EXPECT_EQ(info.run_status_reason, "stopped by the test");
  EXPECT_EQ(info.dimension("step")->length, 3u);
}

TEST_F(RunFileReaderTest, AKilledWriterLeavesAFileReadWithTheRecordsFlushedBeforeTheKill) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RunFileWriter writer(path_);
    writer.set_attribute("", "model", "toy");
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_variable("active", DataType::int64, {"step"}, "active agents");
    writer.begin_appending();
    for (std::int64_t step = 0; step < 5; ++step) {
      writer.append_record("step", step);
      writer.write_record("active", &step);
    }
    writer.flush();
    raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  const RunFileReader reader(path_);
  EXPECT_FALSE(reader.info().closed_by_writer);
  EXPECT_FALSE(reader.info().complete);
  EXPECT_EQ(reader.info().run_status, "incomplete");
  EXPECT_EQ(reader.read_series("active"), (std::vector<double>{0, 1, 2, 3, 4}));
}

TEST_F(RunFileReaderTest, AnImageInMemoryReadsLikeTheFile) {
  write_run();
  const std::vector<char> bytes = file_bytes();
  const RunFileReader reader = RunFileReader::from_image(bytes.data(), bytes.size(), "memory:run");
  EXPECT_EQ(reader.info().source, "memory:run");
  EXPECT_EQ(reader.info().model, "toy");
  EXPECT_EQ(reader.info().variables.size(), read_run_file_info(path_).variables.size());
  EXPECT_EQ(reader.read_series("active"), (std::vector<double>{0, 10, 20}));
}

TEST_F(RunFileReaderTest, FilesThatAreNotRunFilesThrowRunFileErrorNamingThem) {
  EXPECT_EQ(error_of([&] { read_run_file_info(path_); }).rfind("run file '" + path_ + "': cannot open: ", 0), 0u);
  { std::ofstream(path_) << "not HDF5 at all\n"; }
  EXPECT_EQ(error_of([&] { read_run_file_info(path_); }).rfind("run file '" + path_ + "': cannot open: ", 0), 0u);
  const char text[] = "not HDF5 either";
  EXPECT_NE(error_of([&] { read_run_file_info_from_image(text, sizeof text, "memory:text"); }).find("memory:text"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { read_run_file_info_from_image(nullptr, 0, "memory:empty"); }),
            "run file 'memory:empty': the file image is empty");
}

TEST_F(RunFileReaderTest, ARunStatusThatIsNotTextIsAnError) {
  write_run();
  {
    sahelsim::test::Owned file = sahelsim::test::open_file(path_, H5F_ACC_RDWR);
    ASSERT_GE(H5Adelete(file, "run_status"), 0);
    sahelsim::test::Owned space(H5Screate(H5S_SCALAR), H5Sclose);
    sahelsim::test::Owned attribute(
        H5Acreate2(file, "run_status", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const int one = 1;
    ASSERT_GE(H5Awrite(attribute, H5T_NATIVE_INT, &one), 0);
  }
  EXPECT_EQ(error_of([&] { read_run_file_info(path_); }),
            "run file '" + path_ + "': root attribute 'run_status' is not text");
}

TEST_F(RunFileReaderTest, AVariableAxisWithoutADimensionIsAnError) {
  write_run();
  {
    sahelsim::test::Owned file = sahelsim::test::open_file(path_, H5F_ACC_RDWR);
    sahelsim::test::Owned dataset = add_bare_variable(file, "loose", 4);
    ASSERT_GE(dataset.get(), 0);
  }
  EXPECT_EQ(error_of([&] { read_run_file_info(path_); }),
            "run file '" + path_ + "': axis 0 of variable 'loose' has no dimension (no dimension scale attached)");
}

TEST_F(RunFileReaderTest, AShapeThatDisagreesWithItsFixedDimensionIsAnError) {
  write_run();
  {
    sahelsim::test::Owned file = sahelsim::test::open_file(path_, H5F_ACC_RDWR);
    sahelsim::test::Owned dataset = add_bare_variable(file, "wrong", 4);
    sahelsim::test::Owned x(H5Dopen2(file, "x", H5P_DEFAULT), H5Dclose);
    ASSERT_GE(H5DSattach_scale(dataset, x, 0), 0);
  }
  EXPECT_EQ(error_of([&] { read_run_file_info(path_); }),
            "run file '" + path_ + "': axis 0 of variable 'wrong' has length 4 but dimension 'x' has length 3");
}

// Found by fuzz_run_file (tests/fuzz/regressions/run_file/odd-dimension-list-h5ds-segv-b511bef):
// H5DSiterate_scales crashed on a DIMENSION_LIST that is not a list of references.
TEST_F(RunFileReaderTest, ADimensionListThatIsNotAListOfReferencesIsAnErrorNotACrash) {
  write_run();
  {
    sahelsim::test::Owned file = sahelsim::test::open_file(path_, H5F_ACC_RDWR);
    sahelsim::test::Owned dataset = add_bare_variable(file, "odd", 2);
    sahelsim::test::Owned scalar(H5Screate(H5S_SCALAR), H5Sclose);
    sahelsim::test::Owned attribute(
        H5Acreate2(dataset, "DIMENSION_LIST", H5T_NATIVE_DOUBLE, scalar, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const double value = 1.0;
    ASSERT_GE(H5Awrite(attribute, H5T_NATIVE_DOUBLE, &value), 0);
  }
  EXPECT_EQ(error_of([&] { read_run_file_info(path_); }),
            "run file '" + path_ + "': variable 'odd' has a malformed DIMENSION_LIST attribute (not a list of "
            "references)");
}

}  // namespace

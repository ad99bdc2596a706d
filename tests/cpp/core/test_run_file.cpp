// RunFileWriter: netCDF-4 layout, record appending, run_status, SWMR and error handling.
// Files are read back with the plain HDF5 C API, as a netCDF reader would see them.
#include "sahelsim/core/run_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "hdf5_test_support.hpp"

namespace {

using sahelsim::core::DataType;
using sahelsim::core::RunFileError;
using sahelsim::core::RunFileOptions;
using sahelsim::core::RunFileWriter;

const std::string kNotAVariable = "This is a netCDF dimension but not a netCDF variable.";

using namespace sahelsim::test;  // Owned, open_file, read_all, ... (hdf5_test_support.hpp)

std::vector<hsize_t> chunk_of(hid_t dataset) {
  Owned dcpl(H5Dget_create_plist(dataset), H5Pclose);
  std::vector<hsize_t> chunk(shape_of(dataset).size());
  if (H5Pget_layout(dcpl) != H5D_CHUNKED) return {};
  H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
  return chunk;
}

void expect_error_mentioning(const std::function<void()>& action, const std::vector<std::string>& fragments) {
  try {
    action();
    ADD_FAILURE() << "expected RunFileError";
  } catch (const RunFileError& error) {
    const std::string message = error.what();
    for (const std::string& fragment : fragments)
      EXPECT_NE(message.find(fragment), std::string::npos) << "'" << message << "' lacks '" << fragment << "'";
  }
}

// ---- a reader in another process ----

/// Forks a child process that runs `read` each time request() is called and sends back its
/// answer. Fork it before the writer opens the file: the child must not inherit that open file,
/// or HDF5 in the child would reuse it instead of opening the file as a separate reader.
class ForkedReader {
 public:
  explicit ForkedReader(std::function<std::string()> read) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      close(to_child[1]);
      close(from_child[0]);
      char command = 0;
      while (::read(to_child[0], &command, 1) == 1) {
        std::string answer;
        try {
          answer = read();
        } catch (const std::exception& error) {
          answer = std::string("exception: ") + error.what();
        }
        send(from_child[1], answer);
      }
      _exit(0);
    }
    close(to_child[0]);
    close(from_child[1]);
    command_fd_ = to_child[1];
    answer_fd_ = from_child[0];
  }
  ForkedReader(const ForkedReader&) = delete;
  ForkedReader& operator=(const ForkedReader&) = delete;
  ~ForkedReader() {
    close(command_fd_);
    close(answer_fd_);
    waitpid(pid_, nullptr, 0);
  }

  std::string request() {
    if (write(command_fd_, "r", 1) != 1) return "<request failed>";
    std::uint32_t size = 0;
    if (!receive(&size, sizeof size)) return "<reader died>";
    std::string answer(size, '\0');
    if (size > 0 && !receive(answer.data(), size)) return "<reader died>";
    return answer;
  }

 private:
  static void send(int fd, const std::string& text) {
    const auto size = static_cast<std::uint32_t>(text.size());
    if (write(fd, &size, sizeof size) != sizeof size) _exit(1);
    if (size > 0 && write(fd, text.data(), size) != static_cast<ssize_t>(size)) _exit(1);
  }
  bool receive(void* buffer, std::size_t size) {
    auto* bytes = static_cast<char*>(buffer);
    while (size > 0) {
      const ssize_t n = ::read(answer_fd_, bytes, size);
      if (n <= 0) return false;
      bytes += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }

  pid_t pid_ = -1;
  int command_fd_ = -1;
  int answer_fd_ = -1;
};

std::string join(const std::vector<std::int64_t>& values) {
  std::string text;
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? "," : "") + std::to_string(values[i]);
  return text;
}

// ---- fixtures ----

using RunFileTest = RunFileDirectoryTest;
using RunFileStatusTest = RunFileTest;
using RunFileSwmrTest = RunFileTest;
using RunFileErrorTest = RunFileTest;

// ---- layout ----

TEST_F(RunFileTest, DimensionsAreScalesNumberedByNetcdf4Dimid) {
  {
    RunFileWriter writer(path_);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_dimension("agent", 5);
    writer.add_coordinate("x", {0.0, 1.0, 2.0}, "column");
    writer.add_variable("wealth", DataType::float64, {"step", "agent"}, "wealth");
    writer.finish();
  }
  Owned file = open_file(path_);
  const std::vector<std::pair<std::string, std::string>> scales = {
      {"step", "step"}, {"agent", kNotAVariable + "         5"}, {"x", "x"}};
  for (std::size_t id = 0; id < scales.size(); ++id) {
    Owned scale = open_dataset(file, scales[id].first);
    EXPECT_GT(H5DSis_scale(scale), 0) << scales[id].first;
    char name[128] = {};
    H5DSget_scale_name(scale, name, sizeof name);
    EXPECT_EQ(std::string(name), scales[id].second);
    Owned dimid(H5Aopen(scale, "_Netcdf4Dimid", H5P_DEFAULT), H5Aclose);
    Owned dimid_type(H5Aget_type(dimid), H5Tclose);
    Owned dimid_space(H5Aget_space(dimid), H5Sclose);
    EXPECT_GT(H5Tequal(dimid_type, H5T_NATIVE_INT), 0);
    EXPECT_EQ(H5Sget_simple_extent_type(dimid_space), H5S_SCALAR);
    EXPECT_EQ(number_attribute<int>(scale, "_Netcdf4Dimid", H5T_NATIVE_INT), static_cast<int>(id));
  }
  Owned wealth = open_dataset(file, "wealth");
  EXPECT_EQ(H5DSis_scale(wealth), 0);
}

TEST_F(RunFileTest, EveryAxisOfEveryVariableHasItsScaleAttached) {
  {
    RunFileWriter writer(path_);
    writer.add_unlimited_dimension("snapshot", "snapshot step");
    writer.add_coordinate("y", {0.0, 1.0}, "row");
    writer.add_coordinate("x", {0.0, 1.0, 2.0}, "column");
    writer.add_dimension("agent", 4);
    writer.add_variable("state", DataType::uint8, {"snapshot", "y", "x"}, "cell state");
    writer.add_variable("home", DataType::int32, {"agent"}, "home cell");
    writer.finish();
  }
  Owned file = open_file(path_);
  Owned state = open_dataset(file, "state");
  const char* state_axes[] = {"snapshot", "y", "x"};
  for (unsigned axis = 0; axis < 3; ++axis) {
    Owned scale = open_dataset(file, state_axes[axis]);
    EXPECT_EQ(H5DSget_num_scales(state, axis), 1) << axis;
    EXPECT_GT(H5DSis_attached(state, scale, axis), 0) << axis;
  }
  Owned home = open_dataset(file, "home");
  Owned agent = open_dataset(file, "agent");
  EXPECT_GT(H5DSis_attached(home, agent, 0), 0);
}

TEST_F(RunFileTest, UnlimitedDimensionHasInt64CoordinateWithoutTimeUnits) {
  {
    RunFileWriter writer(path_);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.finish();
  }
  Owned file = open_file(path_);
  Owned step = open_dataset(file, "step");
  EXPECT_EQ(shape_of(step, true), std::vector<hsize_t>{H5S_UNLIMITED});
  Owned type(H5Dget_type(step), H5Tclose);
  EXPECT_EQ(H5Tget_class(type), H5T_INTEGER);
  EXPECT_EQ(H5Tget_size(type), 8u);
  EXPECT_EQ(H5Tget_sign(type), H5T_SGN_2);
  EXPECT_EQ(text_attribute(step, "long_name"), "simulation step");
  EXPECT_FALSE(has_attribute(step, "units"));
}

TEST_F(RunFileTest, VariablesAreChunkedWithShuffleThenDeflate) {
  RunFileOptions options;
  options.deflate_level = 6;
  options.records_per_chunk = 16;
  {
    RunFileWriter writer(path_, options);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_dimension("agent", 10);
    writer.add_variable("wealth", DataType::float64, {"step", "agent"}, "wealth");
    writer.add_variable("home", DataType::int32, {"agent"}, "home cell");
    writer.finish();
  }
  Owned file = open_file(path_);
  for (const char* name : {"wealth", "home", "step"}) {
    Owned dataset = open_dataset(file, name);
    Owned dcpl(H5Dget_create_plist(dataset), H5Pclose);
    ASSERT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED) << name;
    ASSERT_EQ(H5Pget_nfilters(dcpl), 2) << name;
    unsigned flags = 0, level = 0;
    std::size_t n_values = 1;
    EXPECT_EQ(H5Pget_filter2(dcpl, 0, &flags, &n_values, &level, 0, nullptr, nullptr), H5Z_FILTER_SHUFFLE);
    n_values = 1;
    EXPECT_EQ(H5Pget_filter2(dcpl, 1, &flags, &n_values, &level, 0, nullptr, nullptr), H5Z_FILTER_DEFLATE);
    EXPECT_EQ(level, 6u) << name;
  }
  Owned wealth = open_dataset(file, "wealth");
  EXPECT_EQ(chunk_of(wealth), (std::vector<hsize_t>{16, 10}));
}

TEST_F(RunFileTest, LargeRasterChunksStayWithinOneMebibyte) {
  const std::size_t side = 4000;
  std::vector<std::uint8_t> raster(side * side);
  for (std::size_t i = 0; i < raster.size(); ++i) raster[i] = static_cast<std::uint8_t>((i / 7) % 4);
  {
    RunFileWriter writer(path_);
    writer.add_unlimited_dimension("snapshot", "snapshot step");
    writer.add_dimension("y", side);
    writer.add_dimension("x", side);
    writer.add_variable("state", DataType::uint8, {"snapshot", "y", "x"}, "cell state");
    writer.begin_appending();
    writer.append_record("snapshot", 0);
    writer.write_record("state", raster.data());
    writer.finish();
  }
  Owned file = open_file(path_);
  Owned state = open_dataset(file, "state");
  const std::vector<hsize_t> chunk = chunk_of(state);
  ASSERT_EQ(chunk.size(), 3u);
  EXPECT_EQ(chunk[0], 1u);
  EXPECT_LE(chunk[0] * chunk[1] * chunk[2], hsize_t{1} << 20);
  EXPECT_EQ(shape_of(state), (std::vector<hsize_t>{1, side, side}));
  EXPECT_EQ(read_all<std::uint8_t>(file, "state", H5T_NATIVE_UINT8), raster);
}

TEST_F(RunFileTest, LinkAndAttributeCreationOrderAreTracked) {
  {
    RunFileWriter writer(path_);
    writer.set_attribute("", "title", "order");
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_dimension("agent", 2);
    writer.add_variable("zeta", DataType::float64, {"step"}, "last alphabetically, first defined");
    writer.add_variable("alpha", DataType::float64, {"step"}, "first alphabetically");
    writer.finish();
  }
  Owned file = open_file(path_);
  Owned root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
  Owned gcpl(H5Gget_create_plist(root), H5Pclose);
  unsigned link_order = 0, attribute_order = 0;
  H5Pget_link_creation_order(gcpl, &link_order);
  H5Pget_attr_creation_order(gcpl, &attribute_order);
  EXPECT_EQ(link_order, unsigned{H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED});
  EXPECT_EQ(attribute_order, unsigned{H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED});

  std::vector<std::string> names;
  for (hsize_t i = 0; i < 4; ++i) {
    char name[64] = {};
    H5Lget_name_by_idx(file, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    names.emplace_back(name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"step", "agent", "zeta", "alpha"}));

  Owned zeta = open_dataset(file, "zeta");
  Owned dcpl(H5Dget_create_plist(zeta), H5Pclose);
  H5Pget_attr_creation_order(dcpl, &attribute_order);
  EXPECT_NE(attribute_order & H5P_CRT_ORDER_TRACKED, 0u);
}

TEST_F(RunFileTest, TextAttributesAreFixedLengthNulltermUtf8) {
  {
    RunFileWriter writer(path_);
    writer.set_attribute("", "title", "Sahel — test");
    writer.set_attribute("", "empty", "");
    writer.finish();
  }
  Owned file = open_file(path_);
  for (const auto& [name, value] : {std::pair<std::string, std::string>{"title", "Sahel — test"}, {"empty", ""}}) {
    Owned attribute(H5Aopen(file, name.c_str(), H5P_DEFAULT), H5Aclose);
    Owned type(H5Aget_type(attribute), H5Tclose);
    Owned space(H5Aget_space(attribute), H5Sclose);
    EXPECT_EQ(H5Tget_class(type), H5T_STRING) << name;
    EXPECT_EQ(H5Tis_variable_str(type), 0) << name;
    EXPECT_EQ(H5Tget_strpad(type), H5T_STR_NULLTERM) << name;
    EXPECT_EQ(H5Tget_cset(type), H5T_CSET_UTF8) << name;
    EXPECT_EQ(H5Tget_size(type), std::max<std::size_t>(value.size(), 1)) << name;
    EXPECT_EQ(H5Sget_simple_extent_type(space), H5S_SCALAR) << name;
    EXPECT_EQ(text_attribute(file, name), value);
  }
}

TEST_F(RunFileTest, NumericAttributesAreScalarsOfNativeType) {
  {
    RunFileWriter writer(path_);
    writer.set_attribute("", "legitimacy", 0.82);
    writer.set_attribute("", "seed", std::int64_t{-42});
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_variable("active", DataType::int64, {"step"}, "active agents");
    writer.set_attribute("active", "valid_min", std::int64_t{0});
    writer.finish();
  }
  Owned file = open_file(path_);
  EXPECT_EQ(number_attribute<double>(file, "legitimacy", H5T_NATIVE_DOUBLE), 0.82);
  EXPECT_EQ(number_attribute<std::int64_t>(file, "seed", H5T_NATIVE_INT64), -42);
  Owned active = open_dataset(file, "active");
  EXPECT_EQ(number_attribute<std::int64_t>(active, "valid_min", H5T_NATIVE_INT64), 0);
  for (const char* name : {"legitimacy", "seed"}) {
    Owned attribute(H5Aopen(file, name, H5P_DEFAULT), H5Aclose);
    Owned space(H5Aget_space(attribute), H5Sclose);
    Owned type(H5Aget_type(attribute), H5Tclose);
    EXPECT_EQ(H5Sget_simple_extent_type(space), H5S_SCALAR) << name;
    EXPECT_GT(H5Tequal(type, std::string(name) == "seed" ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE), 0) << name;
  }
}

TEST_F(RunFileTest, VariablesHaveNoFillValueAttribute) {
  {
    RunFileWriter writer(path_);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_variable("active", DataType::int64, {"step"}, "active agents");
    writer.add_variable("share", DataType::float32, {"step"}, "share of active agents");
    writer.finish();
  }
  Owned file = open_file(path_);
  for (const char* name : {"active", "share"}) {
    Owned dataset = open_dataset(file, name);
    EXPECT_FALSE(has_attribute(dataset, "_FillValue")) << name;
  }
}

// ---- records ----

TEST_F(RunFileTest, AppendedRecordsReadBackExactly) {
  RunFileOptions options;
  options.records_per_chunk = 8;  // 21 records: two full blocks and a partial one
  const std::size_t agents = 3, height = 4, width = 5, steps = 21;
  std::vector<std::int64_t> expected_steps, expected_active, expected_snapshots;
  std::vector<float> expected_wealth;
  std::vector<std::uint8_t> expected_state;
  {
    RunFileWriter writer(path_, options);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_unlimited_dimension("snapshot", "snapshot step");
    writer.add_dimension("agent", agents);
    writer.add_coordinate("y", {0, 1, 2, 3}, "row");
    writer.add_coordinate("x", {0, 1, 2, 3, 4}, "column");
    writer.add_variable("active", DataType::int64, {"step"}, "active agents");
    writer.add_variable("wealth", DataType::float32, {"step", "agent"}, "wealth");
    writer.add_variable("state", DataType::uint8, {"snapshot", "y", "x"}, "cell state");
    writer.begin_appending();
    for (std::size_t step = 0; step < steps; ++step) {
      const auto coordinate = static_cast<std::int64_t>(10 * step);
      const auto active = static_cast<std::int64_t>(step * step) - 7;
      std::vector<float> wealth(agents);
      for (std::size_t a = 0; a < agents; ++a) wealth[a] = 0.5f * float(step) + float(a) / 3.0f;
      writer.append_record("step", coordinate);
      writer.write_record("active", &active);
      writer.write_record("wealth", wealth.data());
      expected_steps.push_back(coordinate);
      expected_active.push_back(active);
      expected_wealth.insert(expected_wealth.end(), wealth.begin(), wealth.end());
      if (step % 3 == 0) {
        std::vector<std::uint8_t> state(height * width);
        for (std::size_t i = 0; i < state.size(); ++i) state[i] = static_cast<std::uint8_t>((i + step) % 256);
        writer.append_record("snapshot", coordinate);
        writer.write_record("state", state.data());
        expected_snapshots.push_back(coordinate);
        expected_state.insert(expected_state.end(), state.begin(), state.end());
      }
    }
    EXPECT_EQ(writer.records("step"), steps);
    EXPECT_EQ(writer.records("snapshot"), expected_snapshots.size());
    writer.finish();
  }
  Owned file = open_file(path_);
  EXPECT_EQ(read_all<std::int64_t>(file, "step", H5T_NATIVE_INT64), expected_steps);
  EXPECT_EQ(read_all<std::int64_t>(file, "active", H5T_NATIVE_INT64), expected_active);
  EXPECT_EQ(read_all<float>(file, "wealth", H5T_NATIVE_FLOAT), expected_wealth);
  EXPECT_EQ(read_all<std::int64_t>(file, "snapshot", H5T_NATIVE_INT64), expected_snapshots);
  EXPECT_EQ(read_all<std::uint8_t>(file, "state", H5T_NATIVE_UINT8), expected_state);
  Owned wealth = open_dataset(file, "wealth");
  EXPECT_EQ(shape_of(wealth), (std::vector<hsize_t>{steps, agents}));
}

TEST_F(RunFileTest, FixedVariablesAreWrittenWhole) {
  const std::vector<std::int32_t> home = {7, -1, 3, 12};
  {
    RunFileWriter writer(path_);
    writer.add_dimension("agent", home.size());
    writer.add_variable("home", DataType::int32, {"agent"}, "home cell");
    writer.write_fixed("home", home.data());
    writer.finish();
  }
  Owned file = open_file(path_);
  EXPECT_EQ(read_all<std::int32_t>(file, "home", H5T_NATIVE_INT32), home);
}

TEST_F(RunFileTest, Int16VariablesReadBackExactly) {
  const std::vector<std::int16_t> region = {-1, 0, 7, 32767};
  {
    RunFileWriter writer(path_);
    writer.add_dimension("cell", region.size());
    writer.add_variable("region", DataType::int16, {"cell"}, "region of the cell");
    writer.write_fixed("region", region.data());
    writer.finish();
  }
  Owned file = open_file(path_);
  Owned dataset = open_dataset(file, "region");
  Owned type(H5Dget_type(dataset), H5Tclose);
  EXPECT_EQ(H5Tget_size(type), 2u);
  EXPECT_EQ(H5Tget_sign(type), H5T_SGN_2);
  EXPECT_EQ(read_all<std::int16_t>(file, "region", H5T_NATIVE_INT16), region);
}

TEST_F(RunFileTest, DimensionLengthsCanBeQueried) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_dimension("agent", 5);
  writer.add_string_coordinate("region", {"Kayes", "Mopti"}, "region name");
  EXPECT_TRUE(writer.has_dimension("region"));
  EXPECT_FALSE(writer.has_dimension("lat"));
  EXPECT_EQ(writer.dimension_length("agent"), 5u);
  EXPECT_EQ(writer.dimension_length("region"), 2u);
  writer.begin_appending();
  writer.append_record("step", 0);
  EXPECT_EQ(writer.dimension_length("step"), 1u);
  expect_error_mentioning([&] { writer.dimension_length("lat"); }, {"unknown dimension 'lat'"});
}

// ---- strings ----

TEST_F(RunFileTest, StringCoordinateIsAVariableLengthUtf8Scale) {
  {
    RunFileWriter writer(path_);
    writer.add_string_coordinate("town", {"Bamako", "Ségou", "Gao"}, "town name");
    writer.finish();
  }
  Owned file = open_file(path_);
  Owned town = open_dataset(file, "town");
  Owned type(H5Dget_type(town), H5Tclose);
  EXPECT_EQ(H5Tget_class(type), H5T_STRING);
  EXPECT_GT(H5Tis_variable_str(type), 0);
  EXPECT_EQ(H5Tget_cset(type), H5T_CSET_UTF8);
  EXPECT_GT(H5DSis_scale(town), 0);
  char name[64] = {};
  H5DSget_scale_name(town, name, sizeof name);
  EXPECT_EQ(std::string(name), "town");
  EXPECT_EQ(number_attribute<int>(town, "_Netcdf4Dimid", H5T_NATIVE_INT), 0);
  EXPECT_EQ(text_attribute(town, "long_name"), "town name");
}

TEST_F(RunFileTest, StringCoordinateLabelsReadBackExactly) {
  const std::vector<std::string> labels = {"Bamako", "Ségou", "", "Tombouctou"};
  {
    RunFileWriter writer(path_);
    writer.add_string_coordinate("town", labels, "town name");
    writer.finish();
  }
  Owned file = open_file(path_);
  EXPECT_EQ(read_strings(file, "town"), labels);
}

TEST_F(RunFileTest, StringVariableIsAttachedToItsDimensionAndReadsBack) {
  const std::vector<std::string> roles = {"capital", "regional capital", "town"};
  {
    RunFileWriter writer(path_);
    writer.add_dimension("town", roles.size());
    writer.add_string_variable("town_role", "town", roles, "role of the town");
    writer.finish();
  }
  Owned file = open_file(path_);
  Owned role = open_dataset(file, "town_role");
  Owned town = open_dataset(file, "town");
  EXPECT_GT(H5DSis_attached(role, town, 0), 0);
  EXPECT_EQ(text_attribute(role, "long_name"), "role of the town");
  EXPECT_EQ(read_strings(file, "town_role"), roles);
}

TEST_F(RunFileTest, NumericVariablesCanUseAStringCoordinateDimension) {
  const std::vector<std::int64_t> population = {100, 200};
  {
    RunFileWriter writer(path_);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_string_coordinate("region", {"Kayes", "Mopti"}, "region name");
    writer.add_variable("region_population", DataType::int64, {"region"}, "people");
    writer.add_variable("region_attacks", DataType::int64, {"step", "region"}, "attacks");
    writer.write_fixed("region_population", population.data());
    writer.begin_appending();
    writer.append_record("step", 0);
    writer.write_record("region_attacks", population.data());
    writer.finish();
  }
  Owned file = open_file(path_);
  EXPECT_EQ(read_all<std::int64_t>(file, "region_population", H5T_NATIVE_INT64), population);
  EXPECT_EQ(read_all<std::int64_t>(file, "region_attacks", H5T_NATIVE_INT64), population);
  Owned attacks = open_dataset(file, "region_attacks");
  Owned region = open_dataset(file, "region");
  EXPECT_GT(H5DSis_attached(attacks, region, 1), 0);
}

TEST_F(RunFileTest, StringDataAreStoredWithoutFilters) {
  {
    RunFileWriter writer(path_);
    writer.add_string_coordinate("town", {"Bamako", "Gao"}, "town name");
    writer.add_string_variable("town_role", "town", {"capital", "regional capital"}, "role");
    writer.finish();
  }
  Owned file = open_file(path_);
  for (const char* name : {"town", "town_role"}) {
    Owned dataset = open_dataset(file, name);
    Owned dcpl(H5Dget_create_plist(dataset), H5Pclose);
    EXPECT_EQ(H5Pget_nfilters(dcpl), 0) << name;
  }
}

TEST_F(RunFileTest, VariablesNotWrittenInARecordHoldNanOrZero) {
  {
    RunFileWriter writer(path_);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_variable("active", DataType::int64, {"step"}, "active agents");
    writer.add_variable("share", DataType::float64, {"step"}, "share of active agents");
    writer.begin_appending();
    const std::int64_t active = 5;
    const double share = 0.25;
    writer.append_record("step", 0);
    writer.write_record("active", &active);
    writer.append_record("step", 1);
    writer.write_record("share", &share);
    writer.finish();
  }
  Owned file = open_file(path_);
  EXPECT_EQ(read_all<std::int64_t>(file, "active", H5T_NATIVE_INT64), (std::vector<std::int64_t>{5, 0}));
  const std::vector<double> share = read_all<double>(file, "share", H5T_NATIVE_DOUBLE);
  ASSERT_EQ(share.size(), 2u);
  EXPECT_TRUE(std::isnan(share[0]));
  EXPECT_EQ(share[1], 0.25);
}

TEST_F(RunFileTest, RecordWrittenAfterFlushStillLandsInItsRecord) {
  {
    RunFileWriter writer(path_);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_variable("quiet", DataType::int64, {"step"}, "quiet agents");
    writer.add_variable("active", DataType::int64, {"step"}, "active agents");
    writer.begin_appending();
    const std::int64_t quiet = 9, active = 4;
    writer.append_record("step", 0);
    writer.write_record("quiet", &quiet);
    writer.flush();  // publishes record 0 before "active" was written into it
    writer.write_record("active", &active);
    writer.finish();
  }
  Owned file = open_file(path_);
  EXPECT_EQ(read_all<std::int64_t>(file, "quiet", H5T_NATIVE_INT64), std::vector<std::int64_t>{9});
  EXPECT_EQ(read_all<std::int64_t>(file, "active", H5T_NATIVE_INT64), std::vector<std::int64_t>{4});
}

TEST_F(RunFileTest, FileFormatIsV110OnlyWithSwmr) {
  RunFileOptions without_swmr;
  without_swmr.swmr = false;
  const std::string plain_path = (directory_ / "plain.h5").string();
  for (const auto& [path, options] : {std::pair<std::string, RunFileOptions>{path_, RunFileOptions{}},
                                      std::pair<std::string, RunFileOptions>{plain_path, without_swmr}}) {
    RunFileWriter writer(path, options);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.add_variable("active", DataType::int64, {"step"}, "active agents");
    writer.begin_appending();
    const std::int64_t active = 3;
    writer.append_record("step", 0);
    writer.write_record("active", &active);
    writer.finish();
  }
  H5F_info2_t info{};
  {
    Owned file = open_file(path_);
    H5Fget_info2(file, &info);
    EXPECT_EQ(info.super.version, 3u);  // SWMR needs superblock v3 (HDF5 >= 1.10)
  }
  {
    Owned file = open_file(plain_path);
    H5Fget_info2(file, &info);
    EXPECT_LT(info.super.version, 3u);  // default bounds: readable by older HDF5 too
    EXPECT_EQ(read_all<std::int64_t>(file, "active", H5T_NATIVE_INT64), std::vector<std::int64_t>{3});
  }
}

// ---- run status ----

TEST_F(RunFileStatusTest, IncompleteWhileWriting) {
  const std::string path = path_;
  ForkedReader reader([path] {
    Owned file = open_file(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ);
    if (file.get() < 0) return std::string("<cannot open>");
    return text_attribute(file, "run_status") + "|" + text_attribute(file, "run_status_reason") + "|";
  });
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.begin_appending();
  writer.append_record("step", 0);
  writer.flush();
  EXPECT_EQ(reader.request(), "incomplete||");
  writer.finish();
}

TEST_F(RunFileStatusTest, CompleteAfterFinishWithFinalAttributes) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.begin_appending();
  writer.append_record("step", 0);
  writer.finish({{"finished_utc", "2026-01-01T00:00:00Z"}}, {{"wall_seconds", 1.5}});
  EXPECT_FALSE(writer.is_open());

  Owned file = open_file(path_);
  EXPECT_EQ(text_attribute(file, "run_status"), "complete");
  EXPECT_EQ(text_attribute(file, "run_status_reason"), "");
  EXPECT_EQ(text_attribute(file, "finished_utc"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(number_attribute<double>(file, "wall_seconds", H5T_NATIVE_DOUBLE), 1.5);
}

TEST_F(RunFileStatusTest, AbandonKeepsRecordsAndLeavesIncompleteWithReason) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_variable("active", DataType::int64, {"step"}, "active agents");
  writer.begin_appending();
  for (std::int64_t step = 0; step < 3; ++step) {
    writer.append_record("step", step);
    writer.write_record("active", &step);
  }
  writer.abandon("interrupted by user");
  EXPECT_FALSE(writer.is_open());

  Owned file = open_file(path_);
  EXPECT_EQ(text_attribute(file, "run_status"), "incomplete");
  EXPECT_EQ(text_attribute(file, "run_status_reason"), "interrupted by user");
  EXPECT_EQ(read_all<std::int64_t>(file, "active", H5T_NATIVE_INT64), (std::vector<std::int64_t>{0, 1, 2}));
}

TEST_F(RunFileStatusTest, AbandonDropsARecordCutShortAfterTheLastCommit) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_variable("active", DataType::int64, {"step"}, "active agents");
  writer.add_variable("jailed", DataType::int64, {"step"}, "jailed agents");
  writer.begin_appending();
  for (std::int64_t step = 0; step < 3; ++step) {
    writer.append_record("step", step);
    writer.write_record("active", &step);
    writer.write_record("jailed", &step);
    writer.commit_records();
  }
  const std::int64_t step = 3;  // an error after the first variable of this record
  writer.append_record("step", step);
  writer.write_record("active", &step);
  writer.abandon("stopped by an error");

  Owned file = open_file(path_);
  EXPECT_EQ(read_all<std::int64_t>(file, "step", H5T_NATIVE_INT64), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(read_all<std::int64_t>(file, "active", H5T_NATIVE_INT64), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(read_all<std::int64_t>(file, "jailed", H5T_NATIVE_INT64), (std::vector<std::int64_t>{0, 1, 2}));
}

TEST_F(RunFileStatusTest, AbandonDropsAnUncommittedRecordAlreadyFlushed) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_variable("active", DataType::int64, {"step"}, "active agents");
  writer.begin_appending();
  for (std::int64_t step = 0; step < 2; ++step) {
    writer.append_record("step", step);
    writer.write_record("active", &step);
    writer.commit_records();
  }
  writer.append_record("step", 2);
  writer.flush();  // the cut-short record reached the file
  writer.abandon("stopped by an error");

  Owned file = open_file(path_);
  EXPECT_EQ(read_all<std::int64_t>(file, "step", H5T_NATIVE_INT64), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(read_all<std::int64_t>(file, "active", H5T_NATIVE_INT64), (std::vector<std::int64_t>{0, 1}));
}

TEST_F(RunFileStatusTest, DestroyingAnUnfinishedWriterAbandonsIt) {
  {
    RunFileWriter writer(path_);
    writer.add_unlimited_dimension("step", "simulation step");
    writer.begin_appending();
    writer.append_record("step", 0);
  }
  Owned file = open_file(path_);
  EXPECT_EQ(text_attribute(file, "run_status"), "incomplete");
  EXPECT_EQ(text_attribute(file, "run_status_reason"), "writer destroyed before finish");
  EXPECT_EQ(read_all<std::int64_t>(file, "step", H5T_NATIVE_INT64), std::vector<std::int64_t>{0});
}

TEST_F(RunFileStatusTest, WriterIsClosedAfterFinish) {
  RunFileWriter writer(path_);
  EXPECT_TRUE(writer.is_open());
  writer.finish();
  EXPECT_FALSE(writer.is_open());
  expect_error_mentioning([&] { writer.finish(); }, {"closed", path_});
  writer.abandon("ignored: already closed");
  Owned file = open_file(path_);
  EXPECT_EQ(text_attribute(file, "run_status"), "complete");
}

// ---- SWMR ----

TEST_F(RunFileSwmrTest, ReaderInAnotherProcessSeesFlushedRecords) {
  const std::string path = path_;
  // The reader keeps the file and datasets open between requests and refreshes them, as a live
  // monitor would.
  hid_t reader_file = -1, step = -1, active = -1;
  ForkedReader reader([=]() mutable {
    if (reader_file < 0) {
      reader_file = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
      step = H5Dopen2(reader_file, "step", H5P_DEFAULT);
      active = H5Dopen2(reader_file, "active", H5P_DEFAULT);
      if (reader_file < 0 || step < 0 || active < 0) return std::string("<cannot open>");
    }
    H5Drefresh(step);
    H5Drefresh(active);
    std::vector<std::int64_t> steps(shape_of(step)[0]), actives(shape_of(active)[0]);
    if (!steps.empty()) H5Dread(step, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, steps.data());
    if (!actives.empty()) H5Dread(active, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, actives.data());
    return join(steps) + "|" + join(actives);
  });

  RunFileWriter writer(path_);  // records_per_chunk = 64: nothing is written without flush()
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_variable("active", DataType::int64, {"step"}, "active agents");
  writer.begin_appending();
  auto append = [&](std::int64_t step) {
    const std::int64_t active = 100 + step;
    writer.append_record("step", step);
    writer.write_record("active", &active);
  };
  for (std::int64_t s = 0; s < 3; ++s) append(s);
  writer.flush();
  EXPECT_EQ(reader.request(), "0,1,2|100,101,102");
  append(3);  // buffered, not yet flushed: invisible
  EXPECT_EQ(reader.request(), "0,1,2|100,101,102");
  append(4);
  writer.flush();
  EXPECT_EQ(reader.request(), "0,1,2,3,4|100,101,102,103,104");
  // The reader still has the file open: finishing must work all the same.
  writer.finish();
  EXPECT_EQ(reader.request(), "0,1,2,3,4|100,101,102,103,104");
  Owned file = open_file(path_);
  EXPECT_EQ(text_attribute(file, "run_status"), "complete");
}

TEST_F(RunFileSwmrTest, KilledWriterLeavesFlushedRecordsReadable) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The writer process dies without closing anything.
    try {
      RunFileWriter writer(path_);
      writer.add_unlimited_dimension("step", "simulation step");
      writer.add_variable("active", DataType::int64, {"step"}, "active agents");
      writer.begin_appending();
      for (std::int64_t step = 0; step < 3; ++step) {
        writer.append_record("step", step);
        writer.write_record("active", &step);
      }
      writer.flush();
      _exit(0);
    } catch (...) {
      _exit(1);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  Owned file = open_file(path_, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ);
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(text_attribute(file, "run_status"), "incomplete");
  EXPECT_EQ(read_all<std::int64_t>(file, "active", H5T_NATIVE_INT64), (std::vector<std::int64_t>{0, 1, 2}));
}

// ---- errors ----

TEST_F(RunFileErrorTest, UnwritablePathThrowsNamingThePath) {
  const std::string path = "/nonexistent-sahelsim-directory/run.h5";
  expect_error_mentioning([&] { RunFileWriter writer(path); }, {"cannot create run file", path});
}

TEST_F(RunFileErrorTest, EmptyPathThrows) {
  expect_error_mentioning([&] { RunFileWriter writer(""); }, {"cannot create run file", "empty"});
}

TEST_F(RunFileErrorTest, DirectoryAtThePathIsRefusedAndKept) {
  std::filesystem::create_directory(path_);
  expect_error_mentioning([&] { RunFileWriter writer(path_); }, {path_, "a directory", "regular file"});
  EXPECT_TRUE(std::filesystem::is_directory(path_));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".part"));
}

TEST_F(RunFileErrorTest, NamedPipeAtThePathIsRefusedAndKept) {
  // A device such as /dev/null is refused the same way (S_ISCHR); a pipe needs no privileges.
  ASSERT_EQ(mkfifo(path_.c_str(), 0600), 0);
  expect_error_mentioning([&] { RunFileWriter writer(path_); }, {path_, "a named pipe"});
  EXPECT_TRUE(std::filesystem::is_fifo(path_));
}

TEST_F(RunFileErrorTest, SymbolicLinkToADirectoryOrToNothingIsRefused) {
  const std::string link = (directory_ / "link.h5").string();
  std::filesystem::create_symlink(directory_, link);
  expect_error_mentioning([&] { RunFileWriter writer(link); }, {link, "symbolic link", "a directory"});
  std::filesystem::remove(link);
  std::filesystem::create_symlink(directory_ / "missing.h5", link);
  expect_error_mentioning([&] { RunFileWriter writer(link); }, {link, "symbolic link"});
}

TEST_F(RunFileTest, SymbolicLinkToAFileIsFollowedAndStays) {
  { std::ofstream(path_) << "old"; }
  const std::string link = (directory_ / "link.h5").string();
  std::filesystem::create_symlink(path_, link);
  {
    RunFileWriter writer(link);
    EXPECT_EQ(std::filesystem::path(writer.path()), std::filesystem::canonical(path_));
    writer.begin_appending();
    writer.finish();
  }
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  Owned file = open_file(link, H5F_ACC_RDONLY);
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(text_attribute(file, "run_status"), "complete");
}

TEST_F(RunFileErrorTest, FileSizeLimitStopsTheWritesCleanlyLikeAFullDisk) {
  // `ulimit -f` (RLIMIT_FSIZE): a write past it fails with EFBIG (Python ignores SIGXFSZ), and a
  // flush that HDF5 could not finish left a file that neither closed nor opened, then a crash at
  // exit. The writer now stops before the limit and the file stays readable, marked incomplete.
  int pipe_ends[2];
  ASSERT_EQ(pipe(pipe_ends), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_ends[0]);
    std::string message = "no error";
    signal(SIGXFSZ, SIG_IGN);
    const struct rlimit limit {8u << 20, 8u << 20};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(2);
    try {
      RunFileOptions options;
      options.records_per_chunk = 1;
      options.deflate_level = 0;
      RunFileWriter writer(path_, options);
      writer.add_unlimited_dimension("step", "simulation step");
      writer.add_dimension("cell", 65536);
      writer.add_variable("field", DataType::float64, {"step", "cell"}, "a field of cells");
      writer.begin_appending();
      const std::vector<double> field(65536, 1.0);  // 512 KiB a record
      try {
        for (std::int64_t step = 0; step < 100; ++step) {
          writer.append_record("step", step);
          writer.write_record("field", field.data());
          writer.flush();
        }
      } catch (const RunFileError& error) {
        message = error.what();
        writer.abandon(message);
      }
    } catch (const std::exception& error) {
      message = std::string("setup: ") + error.what();
    }
    if (write(pipe_ends[1], message.data(), message.size()) < 0) _exit(3);
    _exit(0);
  }
  close(pipe_ends[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) message.append(buffer, std::size_t(n));
  close(pipe_ends[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(message.find("ulimit -f"), std::string::npos) << message;
  Owned file = open_file(path_, H5F_ACC_RDONLY);
  ASSERT_GE(file.get(), 0);
  EXPECT_EQ(text_attribute(file, "run_status"), "incomplete");
  const auto steps = read_all<std::int64_t>(file, "step", H5T_NATIVE_INT64);
  EXPECT_GE(steps.size(), 5u);
  EXPECT_LE(steps.size(), 16u);
}

TEST_F(RunFileErrorTest, ASecondWriterOfTheSamePathIsRefusedWhileTheFirstIsOpen) {
  // Two runs given one -o: the second renamed its file over the first's, and the first then marked
  // the second's file complete with its own step count. Now the second is refused until the first ends.
  auto second_writer = [&] {
    RunFileWriter writer(path_);
    writer.begin_appending();
    writer.finish();
  };
  {
    RunFileWriter first(path_);
    first.add_unlimited_dimension("step", "simulation step");
    first.begin_appending();
    expect_error_mentioning(second_writer, {path_, "another run is writing it"});
    first.append_record("step", 0);
    first.finish();
  }
  EXPECT_FALSE(std::filesystem::exists(path_ + ".reserve"));
  second_writer();  // the path is free again
  {
    RunFileWriter abandoned(path_);
    abandoned.abandon("stopped");
    EXPECT_NO_THROW(second_writer());
  }
}

TEST_F(RunFileErrorTest, DefiningAfterBeginAppendingThrows) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_dimension("agent", 2);
  writer.add_variable("home", DataType::int32, {"agent"}, "home cell");
  writer.begin_appending();
  const std::vector<std::string> fragments = {"before begin_appending()", path_};
  expect_error_mentioning([&] { writer.add_dimension("other", 3); }, fragments);
  expect_error_mentioning([&] { writer.add_variable("v", DataType::int64, {"step"}, "v"); }, fragments);
  expect_error_mentioning([&] { writer.set_attribute("", "late", "value"); }, fragments);
  const std::int32_t home[2] = {1, 2};
  expect_error_mentioning([&] { writer.write_fixed("home", home); }, fragments);
  expect_error_mentioning([&] { writer.begin_appending(); }, fragments);
}

TEST_F(RunFileErrorTest, UnknownNamesThrow) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  expect_error_mentioning([&] { writer.add_variable("v", DataType::int64, {"time"}, "v"); },
                          {"unknown dimension 'time'", path_});
  expect_error_mentioning([&] { writer.set_attribute("nope", "units", "1"); }, {"unknown variable 'nope'"});
  writer.begin_appending();
  const std::int64_t value = 1;
  expect_error_mentioning([&] { writer.append_record("time", 0); }, {"unknown dimension 'time'"});
  writer.append_record("step", 0);
  expect_error_mentioning([&] { writer.write_record("nope", &value); }, {"unknown variable 'nope'"});
}

TEST_F(RunFileErrorTest, AppendRecordBeforeBeginAppendingThrows) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  expect_error_mentioning([&] { writer.append_record("step", 0); }, {"begin_appending() first"});
}

TEST_F(RunFileErrorTest, WriteRecordBeforeAppendRecordThrows) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_variable("active", DataType::int64, {"step"}, "active agents");
  writer.begin_appending();
  const std::int64_t value = 1;
  expect_error_mentioning([&] { writer.write_record("active", &value); }, {"append_record('step'"});
}

TEST_F(RunFileErrorTest, WritingAVariableTwiceInOneRecordThrows) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_variable("active", DataType::int64, {"step"}, "active agents");
  writer.begin_appending();
  const std::int64_t value = 1;
  writer.append_record("step", 0);
  writer.write_record("active", &value);
  expect_error_mentioning([&] { writer.write_record("active", &value); }, {"already written in record 0"});
  writer.append_record("step", 1);
  EXPECT_NO_THROW(writer.write_record("active", &value));
}

TEST_F(RunFileErrorTest, ReservedAttributeNamesAreRejected) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_variable("active", DataType::int64, {"step"}, "active agents");
  for (const char* name : {"_Netcdf4Dimid", "DIMENSION_LIST", "NAME", "CLASS", "_FillValue"})
    expect_error_mentioning([&] { writer.set_attribute("active", name, "x"); }, {"reserved"});
  expect_error_mentioning([&] { writer.set_attribute("", "run_status", "complete"); }, {"managed by the writer"});
  expect_error_mentioning([&] { writer.finish({{"run_status", "complete"}}); }, {"managed by the writer"});
  EXPECT_TRUE(writer.is_open());
}

TEST_F(RunFileErrorTest, VariableShapeRulesAreEnforced) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  writer.add_dimension("agent", 2);
  expect_error_mentioning([&] { writer.add_variable("v", DataType::int64, {"agent", "step"}, "v"); },
                          {"must be the first dimension"});
  expect_error_mentioning([&] { writer.add_variable("s", DataType::int64, {}, "s"); }, {"at least one dimension"});
  expect_error_mentioning([&] { writer.add_variable("agent", DataType::int64, {"step"}, "a"); }, {"already used"});
  expect_error_mentioning([&] { writer.add_dimension("empty", 0); }, {"at least 1"});
}

TEST_F(RunFileErrorTest, StringVariableOfTheWrongLengthThrowsNamingIt) {
  RunFileWriter writer(path_);
  writer.add_dimension("town", 3);
  expect_error_mentioning([&] { writer.add_string_variable("town_role", "town", {"a", "b"}, "role"); },
                          {"town_role", "2 values", "'town' of length 3", path_});
}

TEST_F(RunFileErrorTest, StringVariableOverAnUnlimitedDimensionThrows) {
  RunFileWriter writer(path_);
  writer.add_unlimited_dimension("step", "simulation step");
  expect_error_mentioning([&] { writer.add_string_variable("note", "step", {"a"}, "note"); },
                          {"'note'", "unlimited"});
}

TEST_F(RunFileErrorTest, StringCoordinateWithoutLabelsThrows) {
  RunFileWriter writer(path_);
  expect_error_mentioning([&] { writer.add_string_coordinate("region", {}, "region"); },
                          {"'region'", "at least one label"});
}

TEST_F(RunFileErrorTest, StringsWithNulCharactersAreRejected) {
  RunFileWriter writer(path_);
  expect_error_mentioning([&] { writer.add_string_coordinate("town", {"ok", std::string("a\0b", 3)}, "town"); },
                          {"'town'", "value 1", "NUL"});
}

TEST_F(RunFileErrorTest, StringDefinitionsAfterBeginAppendingThrow) {
  RunFileWriter writer(path_);
  writer.add_dimension("town", 1);
  writer.begin_appending();
  const std::vector<std::string> fragments = {"before begin_appending()", path_};
  expect_error_mentioning([&] { writer.add_string_coordinate("region", {"Kayes"}, "region"); }, fragments);
  expect_error_mentioning([&] { writer.add_string_variable("town_role", "town", {"capital"}, "role"); },
                          fragments);
}

TEST_F(RunFileErrorTest, WriteFixedOnAStringVariableThrows) {
  RunFileWriter writer(path_);
  writer.add_string_coordinate("town", {"Bamako"}, "town name");
  writer.add_string_variable("town_role", "town", {"capital"}, "role");
  const char* value = "x";
  expect_error_mentioning([&] { writer.write_fixed("town_role", &value); }, {"string variable"});
}

}  // namespace

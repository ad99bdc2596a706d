// Tests of models/sahel/world/map_output: the map written into a run file and read back with the
// plain HDF5 C API. One 20 km map (fast to build) is written once for every test.
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../core/hdf5_test_support.hpp"
#include "models/sahel/world/data_pack.hpp"
#include "models/sahel/world/map_output.hpp"
#include "models/sahel/world/sahel_map.hpp"
#include "sahelsim/core/run_file.hpp"

namespace {

namespace fs = std::filesystem;
using namespace sahelsim::models::sahel;
using namespace sahelsim::test;
using sahelsim::core::RunFileError;
using sahelsim::core::RunFileWriter;

const SahelMap& map_20km() {
  static const SahelMap map = SahelMap::build(DataPack::embedded(), {20.0, 0});
  return map;
}

void add_map_axes(const SahelMap& map, RunFileWriter& writer) {
  const auto [lat, lon] = map_raster_axes(map);
  writer.add_coordinate(lat.name, lat.values, lat.long_name, lat.units);
  writer.add_coordinate(lon.name, lon.values, lon.long_name, lon.units);
}

class SahelMapOutput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = fs::temp_directory_path() / ("sahelsim-map-output-" + std::to_string(getpid()));
    fs::create_directories(directory_);
    path_ = (directory_ / "map.h5").string();
    RunFileWriter writer(path_);
    add_map_axes(map_20km(), writer);
    write_map(map_20km(), writer);
    writer.begin_appending();
    writer.finish();
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }
  void SetUp() override { ASSERT_GE(file_.get(), 0) << "cannot open " << path_; }

  static fs::path directory_;
  static std::string path_;
  Owned file_ = open_file(path_);
};

fs::path SahelMapOutput::directory_;
std::string SahelMapOutput::path_;

TEST_F(SahelMapOutput, AxesAreCellCentreLatitudesNorthFirstAndLongitudes) {
  const auto& grid = map_20km().grid();
  const std::vector<double> lat = read_all<double>(file_, "lat", H5T_NATIVE_DOUBLE);
  ASSERT_EQ(lat.size(), static_cast<std::size_t>(grid.rows()));
  EXPECT_EQ(lat.front(), grid.centre_lat(0));
  EXPECT_GT(lat.front(), lat.back());
  EXPECT_EQ(read_all<double>(file_, "lon", H5T_NATIVE_DOUBLE), grid.longitudes());
  Owned lat_dataset = open_dataset(file_, "lat");
  EXPECT_EQ(text_attribute(lat_dataset, "units"), "degrees_north");
  EXPECT_EQ(text_attribute(lat_dataset, "standard_name"), "latitude");
}

TEST_F(SahelMapOutput, LayersLieOnTheLatLonAxes) {
  Owned population = open_dataset(file_, "population");
  EXPECT_EQ(shape_of(population), (std::vector<hsize_t>{hsize_t(map_20km().grid().rows()),
                                                        hsize_t(map_20km().grid().cols())}));
  Owned lat = open_dataset(file_, "lat");
  Owned lon = open_dataset(file_, "lon");
  EXPECT_GT(H5DSis_attached(population, lat, 0), 0);
  EXPECT_GT(H5DSis_attached(population, lon, 1), 0);
  EXPECT_EQ(text_attribute(population, "units"), "people");
}

TEST_F(SahelMapOutput, PopulationSumsToTheMapsPopulation) {
  double written = 0.0, expected = 0.0;
  for (const float people : read_all<float>(file_, "population", H5T_NATIVE_FLOAT)) written += people;
  for (const float people : map_20km().layers().population) expected += people;
  EXPECT_EQ(written, expected);
}

TEST_F(SahelMapOutput, CostLayersKeepImpassableCellsInfinite) {
  const std::vector<float> written = read_all<float>(file_, "cost_troops", H5T_NATIVE_FLOAT);
  const std::vector<float>& expected =
      map_20km().layers().cost_days_per_km[static_cast<std::size_t>(TravelMode::troops)];
  EXPECT_EQ(written, expected);
  Owned cost = open_dataset(file_, "cost_troops");
  EXPECT_EQ(text_attribute(cost, "units"), "days per km");
}

TEST_F(SahelMapOutput, IndexLayersNameTheDimensionTheyIndex) {
  EXPECT_EQ(read_all<std::int16_t>(file_, "cell_region", H5T_NATIVE_INT16), map_20km().layers().region);
  Owned cell_region = open_dataset(file_, "cell_region");
  EXPECT_EQ(text_attribute(cell_region, "index_into"), "region");
  Owned cell_country = open_dataset(file_, "cell_country");
  EXPECT_EQ(text_attribute(cell_country, "index_into"), "country");
}

TEST_F(SahelMapOutput, RegionAndCountryDimensionsHoldTheirNames) {
  EXPECT_EQ(read_strings(file_, "region"), map_20km().region_names());
  EXPECT_EQ(read_strings(file_, "country"), map_20km().country_names());
  Owned region = open_dataset(file_, "region");
  EXPECT_GT(H5DSis_scale(region), 0);
}

TEST_F(SahelMapOutput, CategoricalLayersListTheirCodesInFlagMeanings) {
  Owned road_surface = open_dataset(file_, "road_surface");
  EXPECT_EQ(text_attribute(road_surface, "flag_meanings"), "none seasonal track partly degraded paved");
  Owned water = open_dataset(file_, "water");
  EXPECT_EQ(text_attribute(water, "flag_meanings"), "none river wetland");
}

TEST_F(SahelMapOutput, TownsAreAStringCoordinateInTownsCsvOrder) {
  const std::vector<std::string> names = read_strings(file_, "town");
  ASSERT_EQ(names.size(), map_20km().towns().size());
  for (std::size_t t = 0; t < names.size(); ++t) EXPECT_EQ(names[t], map_20km().towns()[t].name);
  EXPECT_NE(std::find(names.begin(), names.end(), "Bamako"), names.end());
  EXPECT_EQ(read_strings(file_, "town_role").size(), names.size());
}

TEST_F(SahelMapOutput, TownCellsAreGridRowsAndColumnsOrMinusOne) {
  const auto& towns = map_20km().towns();
  const std::vector<std::int32_t> rows = read_all<std::int32_t>(file_, "town_cell_row", H5T_NATIVE_INT32);
  const std::vector<std::int32_t> cols = read_all<std::int32_t>(file_, "town_cell_col", H5T_NATIVE_INT32);
  ASSERT_EQ(rows.size(), towns.size());
  for (std::size_t t = 0; t < towns.size(); ++t) {
    if (towns[t].cell < 0) {
      EXPECT_EQ(rows[t], -1) << towns[t].name;
      EXPECT_EQ(cols[t], -1) << towns[t].name;
    } else {
      EXPECT_EQ(map_20km().grid().cell(rows[t], cols[t]), towns[t].cell) << towns[t].name;
    }
  }
}

TEST_F(SahelMapOutput, RoadLinksMatchTheRoadGraph) {
  const auto& links = map_20km().roads().links();
  const std::vector<double> km = read_all<double>(file_, "road_link_length_km", H5T_NATIVE_DOUBLE);
  ASSERT_EQ(km.size(), links.size());
  const std::vector<std::int32_t> from = read_all<std::int32_t>(file_, "road_link_from", H5T_NATIVE_INT32);
  for (std::size_t l = 0; l < links.size(); ++l) {
    EXPECT_EQ(km[l], links[l].length_km);
    EXPECT_EQ(from[l], links[l].from_town);
  }
}

TEST_F(SahelMapOutput, CorridorsNameTheirTownsByIndex) {
  const auto& corridors = map_20km().corridors();
  ASSERT_FALSE(corridors.empty());
  EXPECT_EQ(read_strings(file_, "corridor").front(), corridors.front().name);
  const std::vector<std::int32_t> destination =
      read_all<std::int32_t>(file_, "corridor_destination_town", H5T_NATIVE_INT32);
  EXPECT_EQ(read_strings(file_, "town").at(static_cast<std::size_t>(destination.front())),
            corridors.front().destination);
}

TEST_F(SahelMapOutput, RootAttributesDescribeTheMap) {
  EXPECT_EQ(number_attribute<double>(file_, "map_cell_km", H5T_NATIVE_DOUBLE), 20.0);
  EXPECT_EQ(number_attribute<std::int64_t>(file_, "map_seed", H5T_NATIVE_INT64), 0);
  EXPECT_EQ(number_attribute<std::int64_t>(file_, "map_villages", H5T_NATIVE_INT64),
            static_cast<std::int64_t>(map_20km().villages().synthetic_count()));
}

using SahelMapOutputErrors = RunFileDirectoryTest;

void expect_write_map_error(RunFileWriter& writer, const std::string& fragment) {
  try {
    write_map(map_20km(), writer);
    ADD_FAILURE() << "expected RunFileError";
  } catch (const RunFileError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST_F(SahelMapOutputErrors, WithoutLatLonCoordinatesThrowsNamingThem) {
  RunFileWriter writer(path_);
  expect_write_map_error(writer, "coordinate 'lat' is missing");
}

TEST_F(SahelMapOutputErrors, CoordinatesOfAnotherGridThrow) {
  RunFileWriter writer(path_);
  const auto [lat, lon] = map_raster_axes(map_20km());
  writer.add_coordinate("lat", {lat.values.front()}, lat.long_name, lat.units);
  writer.add_coordinate("lon", lon.values, lon.long_name, lon.units);
  expect_write_map_error(writer, "coordinate 'lat' has 1 values, the map grid " + std::to_string(lat.values.size()));
}

}  // namespace

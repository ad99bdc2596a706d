// Tests of core/include/sahelsim/core/geo/geo_grid.hpp (the lon/lat grid: shape, indexing, cell
// areas, limits) and of geodesy.hpp (great-circle distances), which the grid's areas share.
#include "sahelsim/core/geo/geo_grid.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "geo_test_support.hpp"

#include "sahelsim/core/geo/geodesy.hpp"

namespace {

using sahelsim::test::contains;
using sahelsim::test::error_of;

using sahelsim::core::DataError;
using sahelsim::core::geo::BoundingBox;
using sahelsim::core::geo::earth_mean_radius_km;
using sahelsim::core::geo::GeoGrid;
using sahelsim::core::geo::great_circle_km;
using sahelsim::core::geo::LonLat;

constexpr double degree = 3.14159265358979323846 / 180.0;

const BoundingBox mali_and_border_strip{-12.5, 10.0, 4.5, 25.2};

// ---- shape ----

TEST(GeoGrid, CellSizeInDegreesFollowsTheNominalFormula) {
  const GeoGrid grid(mali_and_border_strip, 5.0);
  EXPECT_DOUBLE_EQ(grid.reference_lat(), 17.6);
  EXPECT_DOUBLE_EQ(grid.dlat_deg(), 5.0 / 110.574);
  EXPECT_DOUBLE_EQ(grid.dlon_deg(), 5.0 / (111.320 * std::cos(17.6 * degree)));
}

TEST(GeoGrid, CoversTheBoxFromItsNorthWestCornerByLessThanOneExtraCell) {
  const GeoGrid grid(mali_and_border_strip, 5.0);
  const BoundingBox& extent = grid.extent();
  EXPECT_EQ(extent.west_lon, -12.5);
  EXPECT_EQ(extent.north_lat, 25.2);
  EXPECT_LE(extent.south_lat, 10.0);
  EXPECT_GT(extent.south_lat, 10.0 - grid.dlat_deg());
  EXPECT_GE(extent.east_lon, 4.5);
  EXPECT_LT(extent.east_lon, 4.5 + grid.dlon_deg());
  EXPECT_EQ(grid.cell_count(), static_cast<std::int64_t>(grid.rows()) * grid.cols());
}

TEST(GeoGrid, BoxOfWholeCellsGetsNoExtraCell) {
  const double cell_km = 10.0;
  const double dlat = cell_km / 110.574;
  const GeoGrid grid({0.0, 0.0, 0.05, 7 * dlat}, cell_km);  // reference latitude 3.5 dlat
  EXPECT_EQ(grid.rows(), 7);
}

TEST(GeoGrid, RowZeroIsNorthernmostAndColumnsRunEast) {
  const GeoGrid grid(mali_and_border_strip, 20.0);
  const std::vector<double> latitudes = grid.latitudes();
  const std::vector<double> longitudes = grid.longitudes();
  ASSERT_EQ(latitudes.size(), static_cast<std::size_t>(grid.rows()));
  ASSERT_EQ(longitudes.size(), static_cast<std::size_t>(grid.cols()));
  EXPECT_DOUBLE_EQ(latitudes[0], 25.2 - 0.5 * grid.dlat_deg());
  EXPECT_DOUBLE_EQ(longitudes[0], -12.5 + 0.5 * grid.dlon_deg());
  for (std::size_t r = 1; r < latitudes.size(); ++r) EXPECT_LT(latitudes[r], latitudes[r - 1]);
  for (std::size_t c = 1; c < longitudes.size(); ++c) EXPECT_GT(longitudes[c], longitudes[c - 1]);
}

// ---- indexing ----

TEST(GeoGrid, CellRowColumnAndCentreRoundTrip) {
  const GeoGrid grid(mali_and_border_strip, 20.0);
  for (std::int64_t cell = 0; cell < grid.cell_count(); ++cell) {
    const int row = grid.row_of(cell), col = grid.col_of(cell);
    ASSERT_EQ(grid.cell(row, col), cell);
    const LonLat centre = grid.centre(cell);
    ASSERT_EQ(centre.lat, grid.centre_lat(row));
    ASSERT_EQ(centre.lon, grid.centre_lon(col));
    ASSERT_EQ(grid.cell_at(centre.lon, centre.lat), cell);
  }
}

TEST(GeoGrid, CellAtFindsTheCellHoldingAPoint) {
  const GeoGrid grid(mali_and_border_strip, 5.0);
  const double bamako_lon = -8.0021, bamako_lat = 12.6429;
  const std::int64_t cell = grid.cell_at(bamako_lon, bamako_lat);
  ASSERT_GE(cell, 0);
  EXPECT_LE(std::abs(grid.centre(cell).lon - bamako_lon), 0.5 * grid.dlon_deg());
  EXPECT_LE(std::abs(grid.centre(cell).lat - bamako_lat), 0.5 * grid.dlat_deg());
}

TEST(GeoGrid, CellAtIsMinusOneOutsideTheGridAndForNan) {
  const GeoGrid grid(mali_and_border_strip, 5.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(grid.cell_at(-17.4, 14.7), -1);  // Dakar, west of the box
  EXPECT_EQ(grid.cell_at(-8.0, 25.3), -1);   // north of the box
  EXPECT_EQ(grid.cell_at(-8.0, grid.extent().south_lat - 1e-9), -1);
  EXPECT_EQ(grid.cell_at(nan, 12.0), -1);
  EXPECT_EQ(grid.cell_at(-8.0, nan), -1);
}

TEST(GeoGrid, GridEdgesBelongToTheBorderCells) {
  const GeoGrid grid(mali_and_border_strip, 5.0);
  const BoundingBox& extent = grid.extent();
  EXPECT_EQ(grid.cell_at(extent.west_lon, extent.north_lat), 0);
  EXPECT_EQ(grid.cell_at(extent.east_lon, extent.south_lat), grid.cell_count() - 1);
}

// ---- areas ----

TEST(GeoGrid, CellAreasSumToTheSphericalAreaOfTheExtent) {
  for (const double cell_km : {2.0, 5.0, 20.0}) {
    const GeoGrid grid(mali_and_border_strip, cell_km);
    double total_km2 = 0.0;
    for (int row = 0; row < grid.rows(); ++row) total_km2 += grid.cell_area_km2(row) * grid.cols();
    const BoundingBox& e = grid.extent();
    // Area of a lon/lat box on a sphere: R² Δλ (sin φn − sin φs).
    const double box_km2 = earth_mean_radius_km * earth_mean_radius_km * (e.east_lon - e.west_lon) * degree *
                           (std::sin(e.north_lat * degree) - std::sin(e.south_lat * degree));
    EXPECT_NEAR(total_km2 / box_km2, 1.0, 1e-6) << "cell_km " << cell_km;
  }
}

TEST(GeoGrid, CellAreaAtTheReferenceLatitudeIsAboutTheNominalSquare) {
  const GeoGrid grid(mali_and_border_strip, 5.0);
  const int middle_row = grid.row_at(grid.reference_lat());
  EXPECT_NEAR(grid.cell_area_km2(middle_row) / 25.0, 1.0, 0.01);
}

TEST(GeoGrid, CellAreaShrinksAwayFromTheEquatorAsCosLatitude) {
  const GeoGrid grid(mali_and_border_strip, 5.0);
  const int north = 0, south = grid.rows() - 1;
  EXPECT_LT(grid.cell_area_km2(north), grid.cell_area_km2(south));
  EXPECT_NEAR(grid.cell_area_km2(north) / grid.cell_area_km2(south),
              std::cos(grid.centre_lat(north) * degree) / std::cos(grid.centre_lat(south) * degree), 1e-6);
}

// ---- limits ----

TEST(GeoGrid, RejectsCellSizeOutsideTheRangeNamingTheValue) {
  EXPECT_EQ(error_of([] { GeoGrid(mali_and_border_strip, 0.4); }),
            "grid cell_km = 0.4 is not allowed: expected a real number in [0.5, 200]");
  EXPECT_TRUE(contains(error_of([] { GeoGrid(mali_and_border_strip, 250.0); }), "cell_km = 250"));
  EXPECT_TRUE(contains(error_of([] { GeoGrid(mali_and_border_strip, std::nan("")); }), "cell_km = nan"));
  EXPECT_NO_THROW(GeoGrid(mali_and_border_strip, 0.5));
  EXPECT_NO_THROW(GeoGrid(mali_and_border_strip, 200.0));
}

TEST(GeoGrid, RejectsMoreThanFiftyMillionCellsNamingTheCount) {
  const std::string message = error_of([] { GeoGrid({-100.0, -60.0, 100.0, 60.0}, 0.5); });
  EXPECT_TRUE(contains(message, "cells (cell_km = 0.5) is not allowed: at most 50000000 cells")) << message;
}

TEST(GeoGrid, RejectsAnEmptyOrInvalidBox) {
  EXPECT_TRUE(contains(error_of([] { GeoGrid({4.5, 10.0, -12.5, 25.0}, 5.0); }), "west_lon = 4.5 must be less"));
  EXPECT_TRUE(contains(error_of([] { GeoGrid({-12.5, 25.0, 4.5, 25.0}, 5.0); }), "south_lat = 25 must be less"));
  EXPECT_TRUE(contains(error_of([] { GeoGrid({-12.5, 10.0, 4.5, 95.0}, 5.0); }), "north_lat = 95"));
  EXPECT_TRUE(contains(error_of([] { GeoGrid({-200.0, 10.0, 4.5, 25.0}, 5.0); }), "west_lon = -200"));
  EXPECT_TRUE(contains(error_of([] { GeoGrid({179.9, 10.0, 180.0, 25.0}, 50.0); }), "antimeridian"));
}

// ---- great-circle distances (geodesy.hpp) ----

// The same distance from the chord between the points' unit vectors: an independent formula.
double chord_distance_km(const LonLat& a, const LonLat& b) {
  const auto unit = [](const LonLat& p, double out[3]) {
    out[0] = std::cos(p.lat * degree) * std::cos(p.lon * degree);
    out[1] = std::cos(p.lat * degree) * std::sin(p.lon * degree);
    out[2] = std::sin(p.lat * degree);
  };
  double u[3], v[3];
  unit(a, u);
  unit(b, v);
  const double chord = std::sqrt((u[0] - v[0]) * (u[0] - v[0]) + (u[1] - v[1]) * (u[1] - v[1]) +
                                 (u[2] - v[2]) * (u[2] - v[2]));
  return 2.0 * earth_mean_radius_km * std::asin(0.5 * chord);
}

TEST(GeoGreatCircle, BamakoToSegouIsAbout212KmAndMatchesTheChordFormula) {
  const LonLat bamako{-8.0021, 12.6429}, segou{-6.2157, 13.4317};
  const double km = great_circle_km(bamako, segou);
  EXPECT_NEAR(km, chord_distance_km(bamako, segou), 1e-6);
  EXPECT_GT(km, 212.0);
  EXPECT_LT(km, 213.0);
}

TEST(GeoGreatCircle, IsZeroForOnePointAndSymmetric) {
  const LonLat kayes{-11.4389, 14.4485}, gao{-0.0443, 16.2717};
  EXPECT_EQ(great_circle_km(kayes, kayes), 0.0);
  EXPECT_EQ(great_circle_km(kayes, gao), great_circle_km(gao, kayes));
  EXPECT_NEAR(great_circle_km(kayes, gao), chord_distance_km(kayes, gao), 1e-6);
}

TEST(GeoGreatCircle, QuarterMeridianAndAntipodesHaveTheirExactLengths) {
  const double pi = 3.14159265358979323846;
  EXPECT_NEAR(great_circle_km({0, 0}, {0, 90}), 0.5 * pi * earth_mean_radius_km, 1e-9);
  EXPECT_NEAR(great_circle_km({10, 20}, {-170, -20}), pi * earth_mean_radius_km, 1e-6);
}

}  // namespace

// Tests of core/include/sahelsim/core/geo/rasterize.hpp: polygon masks and labels checked against a
// per-cell point-in-polygon test, line bands against sampled distances, snapping against a full
// scan, and determinism.
#include "sahelsim/core/geo/rasterize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using sahelsim::core::DataError;
using sahelsim::core::geo::BoundingBox;
using sahelsim::core::geo::Feature;
using sahelsim::core::geo::GeoGrid;
using sahelsim::core::geo::great_circle_km;
using sahelsim::core::geo::label_polygons;
using sahelsim::core::geo::line_cells;
using sahelsim::core::geo::LineString;
using sahelsim::core::geo::LonLat;
using sahelsim::core::geo::nearest_cell_with_label;
using sahelsim::core::geo::Polygon;
using sahelsim::core::geo::polygon_mask;
using sahelsim::core::geo::Ring;

constexpr double pi = 3.14159265358979323846;

// A closed rectangular ring.
Ring box_ring(double west, double south, double east, double north) {
  return Ring{{{west, south}, {east, south}, {east, north}, {west, north}, {west, south}}};
}

// A closed star-shaped ring around (lon, lat) with `spikes` points, radii alternating.
Ring star_ring(double lon, double lat, double outer_deg, double inner_deg, int spikes) {
  Ring ring;
  for (int k = 0; k < 2 * spikes; ++k) {
    const double radius = k % 2 == 0 ? outer_deg : inner_deg;
    const double angle = pi * k / spikes;
    ring.points.push_back({lon + radius * std::cos(angle), lat + radius * std::sin(angle)});
  }
  ring.points.push_back(ring.points.front());
  return ring;
}

// Even-odd ray casting for one point over all rings of a polygon (the classic per-point test, for
// comparison with the scanline).
bool inside(const Polygon& polygon, const LonLat& point) {
  bool odd = false;
  for (const Ring& ring : polygon)
    for (std::size_t i = 0, j = ring.points.size() - 1; i < ring.points.size(); j = i++) {
      const LonLat& a = ring.points[i];
      const LonLat& b = ring.points[j];
      if ((a.lat > point.lat) != (b.lat > point.lat) &&
          point.lon < a.lon + (point.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat))
        odd = !odd;
    }
  return odd;
}

std::int64_t count(const std::vector<std::uint8_t>& mask) {
  return std::count(mask.begin(), mask.end(), 1);
}

const GeoGrid test_grid({-2.0, 10.0, 2.0, 14.0}, 10.0);

// ---- polygons ----

TEST(RasterizePolygonMask, SquareOnCellBoundariesCoversExactlyItsCells) {
  const GeoGrid& grid = test_grid;
  const BoundingBox& e = grid.extent();
  // Columns 3..8 and rows 5..8: a quarter cell inside the boundaries, so no centre is ambiguous.
  const double west = e.west_lon + 2.75 * grid.dlon_deg(), east = e.west_lon + 9.25 * grid.dlon_deg();
  const double north = e.north_lat - 4.75 * grid.dlat_deg(), south = e.north_lat - 9.25 * grid.dlat_deg();
  const std::vector<std::uint8_t> mask = polygon_mask(grid, {Polygon{box_ring(west, south, east, north)}});
  ASSERT_EQ(mask.size(), static_cast<std::size_t>(grid.cell_count()));
  EXPECT_EQ(count(mask), 6 * 4);
  EXPECT_EQ(mask[grid.cell(5, 3)], 1);
  EXPECT_EQ(mask[grid.cell(8, 8)], 1);
  EXPECT_EQ(mask[grid.cell(4, 3)], 0);
  EXPECT_EQ(mask[grid.cell(5, 9)], 0);
}

TEST(RasterizePolygonMask, MatchesThePointInPolygonTestOnEveryCell) {
  const GeoGrid& grid = test_grid;
  const Polygon star{star_ring(0.1, 12.05, 1.8, 0.7, 7), star_ring(0.1, 12.05, 0.3, 0.15, 5)};  // with a hole
  const std::vector<std::uint8_t> mask = polygon_mask(grid, {star});
  std::int64_t inside_count = 0;
  for (std::int64_t cell = 0; cell < grid.cell_count(); ++cell) {
    const bool expected = inside(star, grid.centre(cell));
    inside_count += expected;
    ASSERT_EQ(mask[cell], expected ? 1 : 0) << "cell " << cell;
  }
  EXPECT_GT(inside_count, 100);  // the test is not vacuous
}

TEST(RasterizePolygonMask, HoleLeavesItsCellsEmptyWhateverTheRingOrientation) {
  const GeoGrid& grid = test_grid;
  Ring hole = box_ring(-0.5, 11.5, 0.5, 12.5);
  const std::vector<std::uint8_t> with_hole =
      polygon_mask(grid, {Polygon{box_ring(-1.5, 10.5, 1.5, 13.5), hole}});
  std::reverse(hole.points.begin(), hole.points.end());
  const std::vector<std::uint8_t> reversed_hole =
      polygon_mask(grid, {Polygon{box_ring(-1.5, 10.5, 1.5, 13.5), hole}});
  const std::vector<std::uint8_t> outer_only = polygon_mask(grid, {Polygon{box_ring(-1.5, 10.5, 1.5, 13.5)}});
  const std::vector<std::uint8_t> hole_only = polygon_mask(grid, {Polygon{hole}});
  EXPECT_EQ(with_hole, reversed_hole);
  EXPECT_EQ(count(with_hole), count(outer_only) - count(hole_only));
  EXPECT_GT(count(hole_only), 0);
  EXPECT_EQ(with_hole[grid.cell_at(0.0, 12.0)], 0);
}

TEST(RasterizePolygonMask, SeveralPolygonsCombineAsAUnionNotAnExclusiveOr) {
  const GeoGrid& grid = test_grid;
  const Polygon a{box_ring(-1.5, 10.5, 0.5, 12.5)}, b{box_ring(-0.5, 11.5, 1.5, 13.5)};
  const std::vector<std::uint8_t> both = polygon_mask(grid, {a, b});
  const std::vector<std::uint8_t> only_a = polygon_mask(grid, {a}), only_b = polygon_mask(grid, {b});
  for (std::size_t cell = 0; cell < both.size(); ++cell)
    ASSERT_EQ(both[cell], only_a[cell] | only_b[cell]);
  EXPECT_EQ(both[grid.cell_at(0.0, 12.0)], 1);  // in the overlap
}

TEST(RasterizePolygonMask, PolygonsSharingAnEdgeThroughCellCentresNeverBothClaimACell) {
  const GeoGrid& grid = test_grid;
  // The shared edges run exactly through a column and a row of cell centres.
  const double x = grid.centre_lon(10), y = grid.centre_lat(12);
  const std::vector<Feature> quarters = {
      {{}, {Polygon{box_ring(-1.5, y, x, 13.5)}}, {}}, {{}, {Polygon{box_ring(x, y, 1.5, 13.5)}}, {}},
      {{}, {Polygon{box_ring(-1.5, 10.5, x, y)}}, {}}, {{}, {Polygon{box_ring(x, 10.5, 1.5, y)}}, {}}};
  std::vector<int> claims(grid.cell_count(), 0);
  for (const Feature& quarter : quarters) {
    const std::vector<std::uint8_t> mask = polygon_mask(grid, quarter.polygons);
    for (std::size_t cell = 0; cell < mask.size(); ++cell) claims[cell] += mask[cell];
  }
  const std::vector<std::uint8_t> whole = polygon_mask(grid, {Polygon{box_ring(-1.5, 10.5, 1.5, 13.5)}});
  for (std::size_t cell = 0; cell < whole.size(); ++cell) ASSERT_EQ(claims[cell], whole[cell]) << cell;
  EXPECT_EQ(claims[grid.cell(12, 10)], 1);
}

TEST(RasterizePolygonMask, RasterisingTwiceGivesIdenticalResults) {
  const GeoGrid grid({-12.5, 10.0, 4.5, 25.2}, 5.0);
  std::mt19937_64 random(20250701);
  Ring jagged;
  for (int k = 0; k < 400; ++k) {
    const double angle = 2 * pi * k / 400, radius = 3.0 + 4.0 * (random() >> 11) * 0x1.0p-53;
    jagged.points.push_back({-4.0 + radius * std::cos(angle), 17.5 + radius * std::sin(angle)});
  }
  jagged.points.push_back(jagged.points.front());
  const std::vector<Polygon> polygons{{jagged}};
  EXPECT_EQ(polygon_mask(grid, polygons), polygon_mask(grid, polygons));
  const std::vector<Feature> features{{{}, polygons, {}}};
  EXPECT_EQ(label_polygons(grid, features), label_polygons(grid, features));
}

TEST(RasterizePolygonMask, MaskedAreaBarelyDependsOnTheCellSize) {
  // A disc of about 300 km radius: its area should not change with the cell size beyond the
  // boundary cells' error (what keeps totals such as population sums cell-size independent).
  Ring disc;
  for (int k = 0; k < 720; ++k) {
    const double angle = 2 * pi * k / 720;
    disc.points.push_back({-4.0 + 2.8 * std::cos(angle), 15.0 + 2.7 * std::sin(angle)});
  }
  disc.points.push_back(disc.points.front());
  std::vector<double> areas;
  for (const double cell_km : {1.0, 2.0, 5.0, 10.0}) {
    const GeoGrid grid({-12.5, 10.0, 4.5, 25.2}, cell_km);  // the 1 km grid: 3 million cells
    const std::vector<std::uint8_t> mask = polygon_mask(grid, {Polygon{disc}});
    double area_km2 = 0.0;
    for (std::int64_t cell = 0; cell < grid.cell_count(); ++cell)
      if (mask[cell]) area_km2 += grid.cell_area_km2(grid.row_of(cell));
    areas.push_back(area_km2);
  }
  for (const double area : areas) EXPECT_NEAR(area / areas[0], 1.0, 0.01);
}

TEST(RasterizePolygonMask, RejectsNonFiniteCoordinates) {
  const Polygon broken{Ring{{{0, 11}, {1, 11}, {std::nan(""), 12}, {0, 11}}}};
  EXPECT_THROW(polygon_mask(test_grid, {broken}), DataError);
}

TEST(RasterizePolygonMask, PolygonOutsideTheGridCoversNothing) {
  EXPECT_EQ(count(polygon_mask(test_grid, {Polygon{box_ring(20, 20, 30, 30)}})), 0);
  EXPECT_EQ(count(polygon_mask(test_grid, {})), 0);
}

// ---- labels ----

TEST(RasterizeLabelPolygons, GivesTheFirstFeatureContainingEachCellAndMinusOneElsewhere) {
  const GeoGrid& grid = test_grid;
  const std::vector<Feature> features = {
      {{}, {Polygon{box_ring(-1.5, 10.5, 0.5, 12.5)}}, {}},
      {{}, {}, {LineString{{0, 0}, {1, 1}}}},  // lines only: labels nothing
      {{}, {Polygon{box_ring(-0.5, 11.5, 1.5, 13.5)}}, {}}};
  const std::vector<std::int32_t> labels = label_polygons(grid, features);
  EXPECT_EQ(labels[grid.cell_at(-1.0, 11.0)], 0);
  EXPECT_EQ(labels[grid.cell_at(0.0, 12.0)], 0);  // in both: the first wins
  EXPECT_EQ(labels[grid.cell_at(1.0, 13.0)], 2);
  EXPECT_EQ(labels[grid.cell_at(1.8, 10.2)], -1);
  EXPECT_EQ(std::count(labels.begin(), labels.end(), 1), 0);
}

// ---- lines ----

// Distance in km from a point to a lon/lat-straight segment, by sampling it densely.
double sampled_distance_km(const LonLat& point, const LonLat& a, const LonLat& b) {
  double best = std::numeric_limits<double>::infinity();
  for (int k = 0; k <= 4000; ++k) {
    const double t = k / 4000.0;
    best = std::min(best, great_circle_km(point, {a.lon + t * (b.lon - a.lon), a.lat + t * (b.lat - a.lat)}));
  }
  return best;
}

TEST(RasterizeLineCells, MarksCentresWithinHalfTheWidthOfTheLine) {
  const GeoGrid& grid = test_grid;
  const LonLat a{-1.3, 10.4}, b{1.1, 13.2};
  const double width_km = 35.0;
  const std::vector<std::uint8_t> mask = line_cells(grid, {LineString{a, b}}, width_km);
  int checked = 0;
  for (std::int64_t cell = 0; cell < grid.cell_count(); ++cell) {
    const double km = sampled_distance_km(grid.centre(cell), a, b);
    if (km < 0.99 * width_km / 2) {
      ASSERT_EQ(mask[cell], 1) << "cell " << cell << " at " << km << " km";
    } else if (km > 1.01 * width_km / 2) {
      ASSERT_EQ(mask[cell], 0) << "cell " << cell << " at " << km << " km";
    }
    checked += km < 0.99 * width_km / 2;
  }
  EXPECT_GT(checked, 50);
}

TEST(RasterizeLineCells, BandOneAndAHalfCellsWideCoversEveryCellTheLinePassesThrough) {
  const GeoGrid& grid = test_grid;
  const LineString river{{-1.9, 10.1}, {-0.3, 11.7}, {0.2, 11.9}, {1.9, 13.95}};
  const std::vector<std::uint8_t> mask = line_cells(grid, {river}, 1.5 * grid.cell_km());
  for (std::size_t i = 0; i + 1 < river.size(); ++i)
    for (int k = 0; k <= 1000; ++k) {
      const double t = k / 1000.0;
      const std::int64_t cell = grid.cell_at(river[i].lon + t * (river[i + 1].lon - river[i].lon),
                                             river[i].lat + t * (river[i + 1].lat - river[i].lat));
      ASSERT_GE(cell, 0);
      ASSERT_EQ(mask[cell], 1) << "segment " << i << " t " << t;
    }
}

TEST(RasterizeLineCells, SinglePointLineMarksTheCellsAroundIt) {
  const GeoGrid& grid = test_grid;
  const LonLat centre = grid.centre(grid.cell(7, 7));
  const std::vector<std::uint8_t> mask = line_cells(grid, {LineString{centre}}, 2.0);
  EXPECT_EQ(count(mask), 1);
  EXPECT_EQ(mask[grid.cell(7, 7)], 1);
}

TEST(RasterizeLineCells, IsIdenticalOnRepeat) {
  const LineString river{{-1.9, 10.1}, {-0.3, 11.7}, {0.2, 11.9}, {1.9, 13.95}};
  EXPECT_EQ(line_cells(test_grid, {river}, 12.0), line_cells(test_grid, {river}, 12.0));
}

TEST(RasterizeLineCells, RejectsAWidthThatIsNotPositiveNamingIt) {
  const LineString river{{-1.0, 11.0}, {1.0, 12.0}};
  for (const double width : {0.0, -5.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    try {
      line_cells(test_grid, {river}, width);
      FAIL() << "accepted width " << width;
    } catch (const DataError& error) {
      EXPECT_NE(std::string(error.what()).find("width_km"), std::string::npos) << error.what();
    }
  }
}

// ---- snapping ----

// The nearest labelled cell by a full scan, ties to the lowest index.
std::int64_t nearest_by_scan(const GeoGrid& grid, const std::vector<std::int32_t>& labels, std::int32_t label,
                             const LonLat& point) {
  std::int64_t best = -1;
  double best_km = std::numeric_limits<double>::infinity();
  for (std::int64_t cell = 0; cell < grid.cell_count(); ++cell) {
    if (labels[cell] != label) continue;
    const double km = great_circle_km(point, grid.centre(cell));
    if (km < best_km) best_km = km, best = cell;
  }
  return best;
}

TEST(RasterizeNearestCellWithLabel, AgreesWithAFullScanInsideAndOutsideTheGrid) {
  const GeoGrid& grid = test_grid;
  const std::vector<Feature> countries = {{{}, {Polygon{star_ring(0.3, 12.2, 1.5, 0.6, 5)}}, {}},
                                          {{}, {Polygon{box_ring(-2.0, 10.0, -1.2, 10.9)}}, {}}};
  const std::vector<std::int32_t> labels = label_polygons(grid, countries);
  std::mt19937_64 random(7);
  for (int trial = 0; trial < 300; ++trial) {
    const double lon = -3.0 + 6.0 * ((random() >> 11) * 0x1.0p-53);
    const double lat = 9.0 + 6.0 * ((random() >> 11) * 0x1.0p-53);
    for (const std::int32_t label : {0, 1})
      ASSERT_EQ(nearest_cell_with_label(grid, labels, label, lon, lat), nearest_by_scan(grid, labels, label, {lon, lat}))
          << "label " << label << " point " << lon << ", " << lat;
  }
}

TEST(RasterizeNearestCellWithLabel, CentreOfALabelledCellSnapsToThatCell) {
  const GeoGrid& grid = test_grid;
  const std::vector<std::int32_t> labels = label_polygons(grid, {{{}, {Polygon{box_ring(-1.5, 10.5, 1.5, 13.5)}}, {}}});
  const std::int64_t cell = grid.cell_at(0.01, 12.01);
  const LonLat centre = grid.centre(cell);
  EXPECT_EQ(nearest_cell_with_label(grid, labels, 0, centre.lon, centre.lat), cell);
}

TEST(RasterizeNearestCellWithLabel, IsMinusOneWhenNoCellHasTheLabel) {
  const std::vector<std::int32_t> labels(test_grid.cell_count(), -1);
  EXPECT_EQ(nearest_cell_with_label(test_grid, labels, 3, 0.0, 12.0), -1);
}

TEST(RasterizeNearestCellWithLabel, RejectsLabelsOfTheWrongSizeAndNonFinitePoints) {
  const std::vector<std::int32_t> labels(test_grid.cell_count(), 0);
  EXPECT_THROW(nearest_cell_with_label(test_grid, std::vector<std::int32_t>(3, 0), 0, 0.0, 12.0), std::invalid_argument);
  EXPECT_THROW(nearest_cell_with_label(test_grid, labels, 0, std::nan(""), 12.0), DataError);
}

}  // namespace

// A regular longitude/latitude grid over a bounding box, with a nominal cell size in km.
//
// Cells are equal-angle: dlat = cell_km / 110.574 degrees and dlon = cell_km / (111.320 cos φ0)
// degrees, where φ0 (the reference latitude) is the centre latitude of the requested bounding box.
// A cell is therefore about cell_km × cell_km near φ0 only: its east-west width is proportional to
// cos(latitude) (over Mali, 10°N to 25°N, widths vary by about ±5 % around the nominal size). Use
// cell_area_km2(row), the exact area of the cell on the sphere, wherever areas or densities matter.
//
// The grid starts at the box's north-west corner and has enough rows and columns to cover the box,
// so its extent() reaches up to one cell further south and east than the box asked for.
// Rows run from north to south (row 0 is the northernmost, as in images), columns from west to
// east; cell = row * cols + col, the same row-major order as core::Lattice(cols, rows, ...) with
// x = col, y = row. The grid may not cross the antimeridian or a pole.
#pragma once

#include <cstdint>
#include <vector>

#include "sahelsim/core/geo/data_error.hpp"
#include "sahelsim/core/geo/geodesy.hpp"

namespace sahelsim::core::geo {

/// A box in degrees; west < east, south < north.
struct BoundingBox {
  double west_lon = 0.0;
  double south_lat = 0.0;
  double east_lon = 0.0;
  double north_lat = 0.0;
};

class GeoGrid {
 public:
  static constexpr double km_per_degree_lat = 110.574;          // WGS84, mid-latitudes
  static constexpr double km_per_degree_lon_equator = 111.320;  // WGS84 equator
  static constexpr double min_cell_km = 0.5;
  static constexpr double max_cell_km = 200.0;
  static constexpr std::int64_t max_cells = 50'000'000;

  /// Throws DataError naming the value for a box that is not finite, not inside [-180, 180] x
  /// [-90, 90] or empty, for cell_km outside [min_cell_km, max_cell_km], and for more than
  /// max_cells cells.
  GeoGrid(const BoundingBox& bbox, double cell_km);

  double cell_km() const { return cell_km_; }
  double reference_lat() const { return reference_lat_; }
  double dlat_deg() const { return dlat_deg_; }
  double dlon_deg() const { return dlon_deg_; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  std::int64_t cell_count() const { return static_cast<std::int64_t>(rows_) * cols_; }
  /// The box that was asked for, and the box the cells actually cover.
  const BoundingBox& requested_bbox() const { return requested_; }
  const BoundingBox& extent() const { return extent_; }

  std::int64_t cell(int row, int col) const { return static_cast<std::int64_t>(row) * cols_ + col; }
  int row_of(std::int64_t cell) const { return static_cast<int>(cell / cols_); }
  int col_of(std::int64_t cell) const { return static_cast<int>(cell % cols_); }

  double centre_lat(int row) const { return extent_.north_lat - (row + 0.5) * dlat_deg_; }
  double centre_lon(int col) const { return extent_.west_lon + (col + 0.5) * dlon_deg_; }
  LonLat centre(std::int64_t cell) const {
    return {centre_lon(col_of(cell)), centre_lat(row_of(cell))};
  }

  /// The row (column) holding a latitude (longitude), or -1 outside the grid. Cell edges belong to
  /// the cell to their south (east), except on the grid's own south (east) edge.
  int row_at(double lat) const;
  int col_at(double lon) const;
  /// The cell holding a point, or -1 outside the grid (or for NaN).
  std::int64_t cell_at(double lon, double lat) const;

  /// Centre latitudes of the rows, north to south; centre longitudes of the columns, west to east.
  std::vector<double> latitudes() const;
  std::vector<double> longitudes() const;

  /// Area of a cell of `row` on the sphere of radius earth_mean_radius_km:
  /// R² · dlon · (sin φ_north − sin φ_south).
  double cell_area_km2(int row) const;

 private:
  BoundingBox requested_;
  BoundingBox extent_;
  double cell_km_;
  double reference_lat_;
  double dlat_deg_;
  double dlon_deg_;
  int rows_ = 0;
  int cols_ = 0;
};

}  // namespace sahelsim::core::geo

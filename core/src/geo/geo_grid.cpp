#include "sahelsim/core/geo/geo_grid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sahelsim::core::geo {
namespace {

void require_in(const char* name, double value, double minimum, double maximum) {
  if (!(value >= minimum && value <= maximum))
    throw DataError(std::string("grid ") + name + " = " + format_real(value) +
                    " is not allowed: expected a real number in [" + format_real(minimum) + ", " +
                    format_real(maximum) + "]");
}

// Cells needed to cover `span` degrees; a span that is a whole number of cells up to rounding
// error does not get an extra cell.
double cells_to_cover(double span_deg, double cell_deg) {
  return std::max(1.0, std::ceil(span_deg / cell_deg - 1e-9));
}

}  // namespace

GeoGrid::GeoGrid(const BoundingBox& bbox, double cell_km) : requested_(bbox), cell_km_(cell_km) {
  require_in("west_lon", bbox.west_lon, -180.0, 180.0);
  require_in("east_lon", bbox.east_lon, -180.0, 180.0);
  require_in("south_lat", bbox.south_lat, -90.0, 90.0);
  require_in("north_lat", bbox.north_lat, -90.0, 90.0);
  if (!(bbox.west_lon < bbox.east_lon))
    throw DataError("grid bounding box: west_lon = " + format_real(bbox.west_lon) +
                    " must be less than east_lon = " + format_real(bbox.east_lon) +
                    " (boxes across the antimeridian are not supported)");
  if (!(bbox.south_lat < bbox.north_lat))
    throw DataError("grid bounding box: south_lat = " + format_real(bbox.south_lat) +
                    " must be less than north_lat = " + format_real(bbox.north_lat));
  require_in("cell_km", cell_km, min_cell_km, max_cell_km);

  reference_lat_ = 0.5 * (bbox.south_lat + bbox.north_lat);
  dlat_deg_ = cell_km / km_per_degree_lat;
  dlon_deg_ = cell_km / (km_per_degree_lon_equator * std::cos(reference_lat_ * radians_per_degree));

  const double rows = cells_to_cover(bbox.north_lat - bbox.south_lat, dlat_deg_);
  const double cols = cells_to_cover(bbox.east_lon - bbox.west_lon, dlon_deg_);
  if (rows * cols > static_cast<double>(max_cells))
    throw DataError("grid of " + format_real(rows) + " rows x " + format_real(cols) +
                    " columns = " + format_real(rows * cols) + " cells (cell_km = " +
                    format_real(cell_km) + ") is not allowed: at most " + std::to_string(max_cells) +
                    " cells; choose a larger cell size or a smaller bounding box");
  rows_ = static_cast<int>(rows);
  cols_ = static_cast<int>(cols);

  extent_ = {bbox.west_lon, bbox.north_lat - rows_ * dlat_deg_, bbox.west_lon + cols_ * dlon_deg_,
             bbox.north_lat};
  if (extent_.south_lat < -90.0 || extent_.east_lon > 180.0)
    throw DataError("grid over [" + format_real(bbox.west_lon) + ", " + format_real(bbox.east_lon) +
                    "] x [" + format_real(bbox.south_lat) + ", " + format_real(bbox.north_lat) +
                    "] with cell_km = " + format_real(cell_km) +
                    " would reach past the south pole or the antimeridian; move the box away "
                    "from them");
}

int GeoGrid::row_at(double lat) const {
  if (!(lat >= extent_.south_lat && lat <= extent_.north_lat)) return -1;
  const double row = std::floor((extent_.north_lat - lat) / dlat_deg_);
  return static_cast<int>(std::min(row, static_cast<double>(rows_ - 1)));
}

int GeoGrid::col_at(double lon) const {
  if (!(lon >= extent_.west_lon && lon <= extent_.east_lon)) return -1;
  const double col = std::floor((lon - extent_.west_lon) / dlon_deg_);
  return static_cast<int>(std::min(col, static_cast<double>(cols_ - 1)));
}

std::int64_t GeoGrid::cell_at(double lon, double lat) const {
  const int row = row_at(lat);
  const int col = col_at(lon);
  return row < 0 || col < 0 ? -1 : cell(row, col);
}

std::vector<double> GeoGrid::latitudes() const {
  std::vector<double> values(rows_);
  for (int row = 0; row < rows_; ++row) values[row] = centre_lat(row);
  return values;
}

std::vector<double> GeoGrid::longitudes() const {
  std::vector<double> values(cols_);
  for (int col = 0; col < cols_; ++col) values[col] = centre_lon(col);
  return values;
}

double GeoGrid::cell_area_km2(int row) const {
  if (row < 0 || row >= rows_)
    throw std::out_of_range("GeoGrid::cell_area_km2: row " + std::to_string(row) +
                            " is outside [0, " + std::to_string(rows_ - 1) + "]");
  // sin φn − sin φs = 2 cos(φ_centre) sin(dlat / 2), which keeps precision for small cells.
  const double band = 2.0 * std::cos(centre_lat(row) * radians_per_degree) *
                      std::sin(0.5 * dlat_deg_ * radians_per_degree);
  return earth_mean_radius_km * earth_mean_radius_km * dlon_deg_ * radians_per_degree * band;
}

}  // namespace sahelsim::core::geo

#include "sahelsim/core/geo/rasterize.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sahelsim::core::geo {
namespace {

void require_finite(const LonLat& point, const char* what) {
  if (!std::isfinite(point.lon) || !std::isfinite(point.lat))
    throw DataError(std::string(what) + " has a point [" + format_real(point.lon) + ", " +
                    format_real(point.lat) + "]: expected finite longitude and latitude");
}

// The first index i in [0, count] for which `reached(i)` holds, for a predicate that is false up to
// some index and true from there on. `estimate` (from the grid's arithmetic) is only a starting
// point: the answer is exactly the predicate's, so every function here agrees on edge cases.
template <class Reached>
int first_reached(int count, double estimate, const Reached& reached) {
  if (std::isnan(estimate)) estimate = 0.0;
  int i = static_cast<int>(std::clamp(std::ceil(estimate), 0.0, static_cast<double>(count)));
  while (i > 0 && reached(i - 1)) --i;
  while (i < count && !reached(i)) ++i;
  return i;
}

// Rows are numbered southwards, so centre latitudes fall as rows rise.
int first_row_with_centre_at_or_below(const GeoGrid& grid, double lat) {
  return first_reached(grid.rows(), (grid.extent().north_lat - lat) / grid.dlat_deg() - 0.5,
                       [&](int row) { return grid.centre_lat(row) <= lat; });
}
int first_row_with_centre_below(const GeoGrid& grid, double lat) {
  return first_reached(grid.rows(), (grid.extent().north_lat - lat) / grid.dlat_deg() - 0.5,
                       [&](int row) { return grid.centre_lat(row) < lat; });
}
int first_col_with_centre_at_or_east_of(const GeoGrid& grid, double lon) {
  return first_reached(grid.cols(), (lon - grid.extent().west_lon) / grid.dlon_deg() - 0.5,
                       [&](int col) { return grid.centre_lon(col) >= lon; });
}
int first_col_with_centre_east_of(const GeoGrid& grid, double lon) {
  return first_reached(grid.cols(), (lon - grid.extent().west_lon) / grid.dlon_deg() - 0.5,
                       [&](int col) { return grid.centre_lon(col) > lon; });
}

// A non-horizontal polygon edge with its south end first, so that an edge shared by two polygons
// (traversed in opposite directions) gives bit-identical crossings in both.
struct Edge {
  LonLat south;
  LonLat north;
};

// Calls fill(row, col_begin, col_end) for each run of cells whose centres lie inside `polygon`
// (even-odd over its rings). `edges` and `crossings` are scratch space, reused across calls.
template <class Fill>
void for_each_inside_run(const GeoGrid& grid, const Polygon& polygon, std::vector<Edge>& edges,
                         std::vector<double>& crossings, const Fill& fill) {
  edges.clear();
  double lat_min = std::numeric_limits<double>::infinity();
  double lat_max = -lat_min;
  for (const Ring& ring : polygon) {
    const std::size_t n = ring.points.size();
    for (std::size_t i = 0; i < n; ++i) {
      const LonLat& a = ring.points[i];
      const LonLat& b = ring.points[(i + 1) % n];  // also closes rings not closed by their points
      require_finite(a, "a polygon");
      if (a.lat == b.lat) continue;  // a horizontal edge never crosses a scanline (half-open rule)
      edges.push_back(a.lat < b.lat ? Edge{a, b} : Edge{b, a});
      lat_min = std::min(lat_min, std::min(a.lat, b.lat));
      lat_max = std::max(lat_max, std::max(a.lat, b.lat));
    }
  }
  if (edges.empty()) return;

  const int row_end = first_row_with_centre_below(grid, lat_min);
  for (int row = first_row_with_centre_at_or_below(grid, lat_max); row < row_end; ++row) {
    const double y = grid.centre_lat(row);
    crossings.clear();
    for (const Edge& e : edges)
      if (e.south.lat <= y && y < e.north.lat)  // counts a vertex on the scanline exactly once
        crossings.push_back(e.south.lon + (y - e.south.lat) * (e.north.lon - e.south.lon) /
                                              (e.north.lat - e.south.lat));
    std::sort(crossings.begin(), crossings.end());
    // Centres in [crossings[2k], crossings[2k+1]) have an odd number of crossings to their east.
    for (std::size_t k = 0; k + 1 < crossings.size(); k += 2) {
      const int begin = first_col_with_centre_at_or_east_of(grid, crossings[k]);
      const int end = first_col_with_centre_at_or_east_of(grid, crossings[k + 1]);
      if (begin < end) fill(row, begin, end);
    }
  }
}

}  // namespace

std::vector<std::uint8_t> polygon_mask(const GeoGrid& grid, const std::vector<Polygon>& polygons) {
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(grid.cell_count()), 0);
  std::vector<Edge> edges;
  std::vector<double> crossings;
  for (const Polygon& polygon : polygons)
    for_each_inside_run(grid, polygon, edges, crossings, [&](int row, int begin, int end) {
      std::fill(mask.begin() + grid.cell(row, begin), mask.begin() + grid.cell(row, end), 1);
    });
  return mask;
}

std::vector<std::int32_t> label_polygons(const GeoGrid& grid,
                                         const std::vector<Feature>& features) {
  if (features.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw std::invalid_argument("label_polygons: too many features for 32-bit labels");
  std::vector<std::int32_t> labels(static_cast<std::size_t>(grid.cell_count()), -1);
  std::vector<Edge> edges;
  std::vector<double> crossings;
  for (std::size_t f = 0; f < features.size(); ++f)
    for (const Polygon& polygon : features[f].polygons)
      for_each_inside_run(grid, polygon, edges, crossings, [&](int row, int begin, int end) {
        for (std::int64_t cell = grid.cell(row, begin); cell < grid.cell(row, end); ++cell)
          if (labels[cell] < 0) labels[cell] = static_cast<std::int32_t>(f);  // first feature wins
      });
  return labels;
}

std::vector<std::uint8_t> line_cells(const GeoGrid& grid, const std::vector<LineString>& lines,
                                     double width_km) {
  if (!(std::isfinite(width_km) && width_km > 0.0))
    throw DataError("line width_km = " + format_real(width_km) +
                    " is not allowed: expected a finite real number > 0");
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(grid.cell_count()), 0);
  const double half_width_km = 0.5 * width_km;
  const double pad_lat = half_width_km / sphere_km_per_degree;

  const auto mark_segment = [&](const LonLat& a, const LonLat& b) {
    const double lat_low = std::min(a.lat, b.lat) - pad_lat;
    const double lat_high = std::max(a.lat, b.lat) + pad_lat;
    // East-west degrees are shortest where cos(latitude) is smallest, at the box's polar edge.
    const double max_abs_lat = std::min(90.0, std::max(std::abs(lat_low), std::abs(lat_high)));
    const double cos_min = std::cos(max_abs_lat * radians_per_degree);
    const double pad_lon =
        cos_min > 1e-9 ? half_width_km / (sphere_km_per_degree * cos_min) : 360.0;
    const int row_begin = first_row_with_centre_at_or_below(grid, lat_high);
    const int row_end = first_row_with_centre_below(grid, lat_low);
    const int col_begin =
        first_col_with_centre_at_or_east_of(grid, std::min(a.lon, b.lon) - pad_lon);
    const int col_end = first_col_with_centre_east_of(grid, std::max(a.lon, b.lon) + pad_lon);

    for (int row = row_begin; row < row_end; ++row) {
      // Kilometres east and north of the cell centre (equirectangular projection at its latitude).
      const double y = grid.centre_lat(row);
      const double km_per_degree_lon = sphere_km_per_degree * std::cos(y * radians_per_degree);
      const double ay = (a.lat - y) * sphere_km_per_degree;
      const double by = (b.lat - y) * sphere_km_per_degree;
      for (int col = col_begin; col < col_end; ++col) {
        const double x = grid.centre_lon(col);
        const double ax = (a.lon - x) * km_per_degree_lon;
        const double bx = (b.lon - x) * km_per_degree_lon;
        // Nearest point of the segment a→b to the origin (the cell centre).
        const double dx = bx - ax, dy = by - ay;
        const double length2 = dx * dx + dy * dy;
        const double t = length2 > 0.0 ? std::clamp(-(ax * dx + ay * dy) / length2, 0.0, 1.0) : 0.0;
        const double px = ax + t * dx, py = ay + t * dy;
        if (px * px + py * py <= half_width_km * half_width_km) mask[grid.cell(row, col)] = 1;
      }
    }
  };

  for (const LineString& line : lines) {
    for (const LonLat& point : line) require_finite(point, "a line");
    if (line.size() == 1) mark_segment(line[0], line[0]);
    for (std::size_t i = 0; i + 1 < line.size(); ++i) mark_segment(line[i], line[i + 1]);
  }
  return mask;
}

std::int64_t nearest_cell_with_label(const GeoGrid& grid, const std::vector<std::int32_t>& labels,
                                     std::int32_t label, double lon, double lat) {
  if (labels.size() != static_cast<std::size_t>(grid.cell_count()))
    throw std::invalid_argument("nearest_cell_with_label: " + std::to_string(labels.size()) +
                                " labels for a grid of " + std::to_string(grid.cell_count()) +
                                " cells");
  const LonLat point{lon, lat};
  if (!std::isfinite(lon) || !std::isfinite(lat) || std::abs(lat) > 90.0)
    throw DataError("point [" + format_real(lon) + ", " + format_real(lat) +
                    "] is not allowed: expected a finite longitude and a latitude in [-90, 90]");

  // The search starts from the grid cell nearest to the point (its own cell when inside).
  const BoundingBox& extent = grid.extent();
  const auto clamped_index = [](double index, int count) {
    return static_cast<int>(std::clamp(std::floor(index), 0.0, static_cast<double>(count - 1)));
  };
  const int row0 = clamped_index((extent.north_lat - lat) / grid.dlat_deg(), grid.rows());
  const int col0 = clamped_index((lon - extent.west_lon) / grid.dlon_deg(), grid.cols());

  // Lower bounds on the distance to any cell of ring k (k rows or k columns away from the start):
  // great-circle distance >= R |Δlat|, and >= 2R asin(cos φmax sin(|Δlon| / 2)) with φmax the
  // largest |latitude| of the point and the grid. Rings are counted from the start cell, so a
  // centre k rows away is at least (k - 1) rows' height from the point (one row of slack absorbs
  // rounding); likewise for columns.
  const double max_abs_lat =
      std::max({std::abs(lat), std::abs(extent.north_lat), std::abs(extent.south_lat)});
  const double cos_min = std::cos(max_abs_lat * radians_per_degree);
  const auto ring_lower_bound_km = [&](int k) {
    const double steps = std::max(0, k - 1);
    const double by_lat = earth_mean_radius_km * steps * grid.dlat_deg() * radians_per_degree;
    const double dlon = steps * grid.dlon_deg() * radians_per_degree;
    const double by_lon =
        dlon >= pi ? 0.0 : 2.0 * earth_mean_radius_km * std::asin(cos_min * std::sin(0.5 * dlon));
    return std::min(by_lat, by_lon);
  };

  std::int64_t best_cell = -1;
  double best_km = std::numeric_limits<double>::infinity();
  const auto consider = [&](int row, int col) {
    const std::int64_t cell = grid.cell(row, col);
    if (labels[cell] != label) return;
    const double km = great_circle_km(point, grid.centre(cell));
    if (km < best_km || (km == best_km && cell < best_cell)) {
      best_km = km;
      best_cell = cell;
    }
  };
  for (int k = 0;; ++k) {
    if (best_cell >= 0 && ring_lower_bound_km(k) > best_km) break;
    const int top = row0 - k, bottom = row0 + k, left = col0 - k, right = col0 + k;
    const bool past_the_grid = top < 0 && bottom >= grid.rows() && left < 0 && right >= grid.cols();
    if (past_the_grid) break;
    for (int row = std::max(top, 0); row <= std::min(bottom, grid.rows() - 1); ++row) {
      if (row == top || row == bottom) {
        for (int col = std::max(left, 0); col <= std::min(right, grid.cols() - 1); ++col)
          consider(row, col);
      } else {
        if (left >= 0) consider(row, left);
        if (right < grid.cols()) consider(row, right);
      }
    }
  }
  return best_cell;
}

}  // namespace sahelsim::core::geo

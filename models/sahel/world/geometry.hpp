// Point geometry for the map builder, on continuous longitude/latitude (not on grid cells): point
// in polygon, "within r km of a line", and the nearest of a fixed set of points.
#pragma once

#include <cstddef>
#include <vector>

#include "sahelsim/core/geo/geodesy.hpp"
#include "sahelsim/core/geo/geojson.hpp"

namespace sahelsim::models::sahel {

/// True when the point lies inside any of the polygons (even-odd rule over each polygon's rings, so
/// holes work whatever their orientation; a point exactly on an edge may go either way).
bool point_in_polygons(const std::vector<core::geo::Polygon>& polygons, const core::geo::LonLat& point);

/// Answers "is this point within radius_km of any of these lines?" quickly: segments are bucketed
/// on a 1° grid. Distances use a local equirectangular projection at the point (as line_cells does).
class LineProximity {
 public:
  LineProximity(const std::vector<core::geo::LineString>& lines, double radius_km);
  bool near(const core::geo::LonLat& point) const;

 private:
  struct Segment {
    core::geo::LonLat a, b;
  };
  int bucket_of(double lon, double lat) const;

  double radius_km_;
  std::vector<Segment> segments_;
  double west_ = 0, south_ = 0;
  int cols_ = 0, rows_ = 0;
  std::vector<std::vector<std::size_t>> buckets_;  // segment indices per 1° bucket
};

/// The nearest of a fixed list of points by great-circle distance (ties go to the lower index).
/// Compares squared chord lengths between unit vectors, which order points exactly as great-circle
/// distances do, at a fraction of the cost of haversines.
class NearestPoint {
 public:
  explicit NearestPoint(const std::vector<core::geo::LonLat>& points);
  /// The index of the nearest point; -1 when the list is empty.
  int nearest(const core::geo::LonLat& point) const;

 private:
  struct Unit {
    double x, y, z;
  };
  static Unit unit(const core::geo::LonLat& point);
  std::vector<Unit> points_;
};

}  // namespace sahelsim::models::sahel

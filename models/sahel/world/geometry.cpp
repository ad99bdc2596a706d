#include "models/sahel/world/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sahelsim::models::sahel {

using core::geo::LonLat;
using core::geo::radians_per_degree;
using core::geo::sphere_km_per_degree;

bool point_in_polygons(const std::vector<core::geo::Polygon>& polygons, const LonLat& point) {
  for (const auto& polygon : polygons) {
    bool inside = false;
    for (const auto& ring : polygon) {
      const auto& p = ring.points;
      for (std::size_t i = 0, j = p.size() - 1; i < p.size(); j = i++) {
        const bool crosses = (p[i].lat > point.lat) != (p[j].lat > point.lat);
        if (crosses) {
          const double lon_at = p[j].lon + (point.lat - p[j].lat) * (p[i].lon - p[j].lon) /
                                               (p[i].lat - p[j].lat);
          if (point.lon < lon_at) inside = !inside;
        }
      }
    }
    if (inside) return true;
  }
  return false;
}

LineProximity::LineProximity(const std::vector<core::geo::LineString>& lines, double radius_km)
    : radius_km_(radius_km) {
  double west = 180, east = -180, south = 90, north = -90;
  for (const auto& line : lines)
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      segments_.push_back({line[i], line[i + 1]});
      for (const LonLat& p : {line[i], line[i + 1]}) {
        west = std::min(west, p.lon);
        east = std::max(east, p.lon);
        south = std::min(south, p.lat);
        north = std::max(north, p.lat);
      }
    }
  if (segments_.empty()) return;
  // Pad by the radius (in degrees, generously: cos(lat) >= cos(60°) in the Sahel and beyond).
  const double pad_deg = radius_km / sphere_km_per_degree / 0.5 + 1e-9;
  west_ = std::floor(west - pad_deg);
  south_ = std::floor(south - pad_deg);
  cols_ = static_cast<int>(std::ceil(east + pad_deg) - west_) + 1;
  rows_ = static_cast<int>(std::ceil(north + pad_deg) - south_) + 1;
  buckets_.assign(static_cast<std::size_t>(cols_) * rows_, {});
  for (std::size_t s = 0; s < segments_.size(); ++s) {
    const auto& [a, b] = segments_[s];
    const int c0 = static_cast<int>(std::floor(std::min(a.lon, b.lon) - pad_deg - west_));
    const int c1 = static_cast<int>(std::floor(std::max(a.lon, b.lon) + pad_deg - west_));
    const int r0 = static_cast<int>(std::floor(std::min(a.lat, b.lat) - pad_deg - south_));
    const int r1 = static_cast<int>(std::floor(std::max(a.lat, b.lat) + pad_deg - south_));
    for (int r = std::max(r0, 0); r <= std::min(r1, rows_ - 1); ++r)
      for (int c = std::max(c0, 0); c <= std::min(c1, cols_ - 1); ++c)
        buckets_[static_cast<std::size_t>(r) * cols_ + c].push_back(s);
  }
}

int LineProximity::bucket_of(double lon, double lat) const {
  const int c = static_cast<int>(std::floor(lon - west_));
  const int r = static_cast<int>(std::floor(lat - south_));
  if (c < 0 || c >= cols_ || r < 0 || r >= rows_) return -1;
  return r * cols_ + c;
}

bool LineProximity::near(const LonLat& point) const {
  const int bucket = bucket_of(point.lon, point.lat);
  if (bucket < 0) return false;
  const double kx = sphere_km_per_degree * std::cos(point.lat * radians_per_degree);
  const double ky = sphere_km_per_degree;
  const double r2 = radius_km_ * radius_km_;
  for (const std::size_t s : buckets_[bucket]) {
    const auto& [a, b] = segments_[s];
    const double ax = (a.lon - point.lon) * kx, ay = (a.lat - point.lat) * ky;
    const double bx = (b.lon - point.lon) * kx, by = (b.lat - point.lat) * ky;
    const double dx = bx - ax, dy = by - ay;
    const double length2 = dx * dx + dy * dy;
    double t = length2 > 0 ? -(ax * dx + ay * dy) / length2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double x = ax + t * dx, y = ay + t * dy;
    if (x * x + y * y <= r2) return true;
  }
  return false;
}

NearestPoint::Unit NearestPoint::unit(const LonLat& point) {
  const double lat = point.lat * radians_per_degree, lon = point.lon * radians_per_degree;
  return {std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat)};
}

NearestPoint::NearestPoint(const std::vector<LonLat>& points) {
  points_.reserve(points.size());
  for (const LonLat& p : points) points_.push_back(unit(p));
}

int NearestPoint::nearest(const LonLat& point) const {
  const Unit q = unit(point);
  int best = -1;
  double best_chord2 = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const double dx = points_[i].x - q.x, dy = points_[i].y - q.y, dz = points_[i].z - q.z;
    const double chord2 = dx * dx + dy * dy + dz * dz;
    if (chord2 < best_chord2) {
      best_chord2 = chord2;
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace sahelsim::models::sahel

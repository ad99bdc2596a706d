// Points on the Earth and great-circle distances on a sphere.
//
// A sphere of the IUGG mean radius (6371.0088 km) is within about 0.5 % of the WGS84 ellipsoid for
// any distance, which is far below the uncertainty of road lengths and town positions.
#pragma once

#include <algorithm>
#include <cmath>

namespace sahelsim::core::geo {

/// A point in degrees (WGS84). Longitude first, as in GeoJSON: LonLat{-8.0021, 12.6429} is Bamako.
struct LonLat {
  double lon = 0.0;
  double lat = 0.0;
};

inline bool operator==(const LonLat& a, const LonLat& b) {
  return a.lon == b.lon && a.lat == b.lat;
}
inline bool operator!=(const LonLat& a, const LonLat& b) { return !(a == b); }

inline constexpr double earth_mean_radius_km = 6371.0088;
inline constexpr double pi = 3.14159265358979323846;
inline constexpr double radians_per_degree = pi / 180.0;
/// Length of one degree of latitude (and of longitude at the equator) on that sphere: 111.195 km.
inline constexpr double sphere_km_per_degree = earth_mean_radius_km * radians_per_degree;

/// Great-circle distance in km between two points (haversine formula, accurate at all distances up
/// to antipodal points).
inline double great_circle_km(const LonLat& a, const LonLat& b) {
  const double lat_a = a.lat * radians_per_degree;
  const double lat_b = b.lat * radians_per_degree;
  const double half_dlat = 0.5 * (lat_b - lat_a);
  const double half_dlon = 0.5 * (b.lon - a.lon) * radians_per_degree;
  const double h = std::sin(half_dlat) * std::sin(half_dlat) +
                   std::cos(lat_a) * std::cos(lat_b) * std::sin(half_dlon) * std::sin(half_dlon);
  return 2.0 * earth_mean_radius_km * std::asin(std::sqrt(std::clamp(h, 0.0, 1.0)));
}

}  // namespace sahelsim::core::geo

// Synthetic villages placed at continuous points, region by region (method in settlements.hpp).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "models/sahel/world/climate.hpp"
#include "models/sahel/world/geometry.hpp"
#include "models/sahel/world/settlements.hpp"
#include "sahelsim/core/random_stream.hpp"

namespace sahelsim::models::sahel {

using core::DataError;
using core::RandomStream;
using core::geo::LonLat;

namespace {

constexpr double river_km = 10.0;
constexpr double lattice_deg = 0.05;     // sampling step for the regions' boxes
constexpr double box_padding_deg = 0.1;  // ≥ the step, so a region's box covers all of it

double zone_suitability(ClimateZone zone) {
  switch (zone) {
    case ClimateZone::sudanian: return 1.0;
    case ClimateZone::sahelian: return 0.5;
    case ClimateZone::saharan: return 0.03;
    case ClimateZone::none: return 0.0;
  }
  return 0.0;
}
constexpr double river_factor = 3.0;
constexpr double wetland_factor = 2.0;
constexpr double max_suitability = 1.0 * river_factor * wetland_factor;

struct Box {
  double west = 1e9, south = 1e9, east = -1e9, north = -1e9;
  void add(const LonLat& p) {
    west = std::min(west, p.lon);
    east = std::max(east, p.lon);
    south = std::min(south, p.lat);
    north = std::max(north, p.lat);
  }
  bool empty() const { return west > east; }
};

// Integer sizes proportional to `raw`, summing to `total` exactly (largest remainders).
std::vector<std::int64_t> apportion(const std::vector<double>& raw, std::int64_t total) {
  const double sum = std::accumulate(raw.begin(), raw.end(), 0.0);
  std::vector<std::int64_t> sizes(raw.size());
  std::vector<double> fraction(raw.size());
  std::int64_t assigned = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const double exact = static_cast<double>(total) * raw[i] / sum;
    sizes[i] = static_cast<std::int64_t>(std::floor(exact));
    fraction[i] = exact - static_cast<double>(sizes[i]);
    assigned += sizes[i];
  }
  std::vector<std::size_t> order(raw.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return fraction[a] > fraction[b]; });
  // Floating-point rounding may leave `assigned` a little off either way; settle it exactly.
  for (std::size_t k = 0; assigned < total; k = (k + 1) % order.size(), ++assigned) ++sizes[order[k]];
  for (std::size_t k = order.size(); assigned > total; ++k) {
    const std::size_t i = order[order.size() - 1 - (k % order.size())];
    if (sizes[i] > 0) --sizes[i], --assigned;
  }
  // No empty village: take one person from the largest (only with extreme draws in tiny regions).
  for (std::size_t i = 0; i < sizes.size(); ++i)
    if (sizes[i] == 0) {
      const auto largest = std::max_element(sizes.begin(), sizes.end());
      if (*largest > 1) --*largest, ++sizes[i];
    }
  return sizes;
}

}  // namespace

Villages place_synthetic_villages(const DataPack& data, const std::vector<Town>& towns,
                                  const std::vector<std::string>& region_names,
                                  const std::vector<std::int64_t>& region_populations,
                                  const std::vector<core::geo::Polygon>& mali_polygons,
                                  std::uint64_t seed, double mean_population) {
  // Nearest Malian town → region.
  std::vector<LonLat> mali_points;
  std::vector<int> mali_region;
  for (const Town& town : towns)
    if (town.in_mali) {
      mali_points.push_back(town.position);
      mali_region.push_back(town.region);
    }
  const NearestPoint nearest_town(mali_points);
  const auto region_at = [&](const LonLat& p) { return mali_region[nearest_town.nearest(p)]; };

  // People left for villages, and regions whose district town holds everyone.
  std::vector<std::int64_t> rest(region_names.size());
  for (std::size_t r = 0; r < region_names.size(); ++r) rest[r] = region_populations[r];
  for (const Town& town : towns)
    if (town.in_mali) rest[town.region] -= town.population_2022;

  // Each region's box: where its nearest-town area meets Mali, sampled on a fixed lattice (never the
  // grid), plus its towns.
  Box mali_box;
  for (const auto& polygon : mali_polygons)
    for (const auto& ring : polygon)
      for (const LonLat& p : ring.points) mali_box.add(p);
  std::vector<Box> boxes(region_names.size());
  for (double lat = mali_box.south; lat <= mali_box.north; lat += lattice_deg)
    for (double lon = mali_box.west; lon <= mali_box.east; lon += lattice_deg) {
      const LonLat p{lon, lat};
      if (point_in_polygons(mali_polygons, p)) boxes[region_at(p)].add(p);
    }
  for (const Town& town : towns)
    if (town.in_mali) boxes[town.region].add(town.position);

  std::vector<core::geo::LineString> all_rivers, niger;
  for (std::size_t f = 0; f < data.rivers().features.size(); ++f) {
    const auto& lines = data.rivers().features[f].lines;
    all_rivers.insert(all_rivers.end(), lines.begin(), lines.end());
    const auto name = data.rivers().features[f].properties.find("name");
    if (name != data.rivers().features[f].properties.end() &&
        std::holds_alternative<std::string>(name->second) && std::get<std::string>(name->second) == "Niger")
      niger.insert(niger.end(), lines.begin(), lines.end());
  }
  const LineProximity near_river(all_rivers, river_km);
  const LineProximity near_niger(niger, niger_valley_km);
  std::vector<core::geo::Polygon> wetlands;
  for (std::size_t f = 0; f < data.terrain().features.size(); ++f)
    if (data.terrain().text_property(f, "kind") == "wetland")
      wetlands.insert(wetlands.end(), data.terrain().features[f].polygons.begin(),
                      data.terrain().features[f].polygons.end());

  constexpr std::uint64_t purpose = core::purpose_id("map.villages");
  Villages villages;
  for (std::size_t r = 0; r < region_names.size(); ++r) {
    if (rest[r] <= 0) continue;
    const auto count = static_cast<std::size_t>(
        std::max<std::int64_t>(1, std::llround(static_cast<double>(rest[r]) / mean_population)));
    const Box& box = boxes[r];
    const double west = box.west - box_padding_deg, south = box.south - box_padding_deg;
    const double width = box.east - box.west + 2 * box_padding_deg;
    const double height = box.north - box.south + 2 * box_padding_deg;
    const std::uint64_t max_candidates = 200'000 + 5'000 * static_cast<std::uint64_t>(count);
    std::vector<double> raw_size;
    std::uint64_t k = 0;
    while (raw_size.size() < count) {
      if (k >= max_candidates)
        throw DataError("regions.csv: region " + core::quoted_value(region_names[r]) + ": placed only " +
                        std::to_string(raw_size.size()) + " of its " + std::to_string(count) +
                        " synthetic villages after " + std::to_string(k) +
                        " candidate points (is the region's area, the land nearest its towns, inside "
                        "Mali's polygon in borders.geojson?)");
      RandomStream stream(seed, purpose, r, k++);
      const LonLat p{west + stream.uniform01() * width, south + stream.uniform01() * height};
      const double accept = stream.uniform01();
      if (!point_in_polygons(mali_polygons, p) || region_at(p) != static_cast<int>(r)) continue;
      double suitability = zone_suitability(climate_zone_at(p.lat, near_niger.near(p)));
      if (near_river.near(p)) suitability *= river_factor;
      if (point_in_polygons(wetlands, p)) suitability *= wetland_factor;
      if (accept >= suitability / max_suitability) continue;
      // Box–Muller: a standard normal from two uniforms (1 − u keeps the logarithm finite).
      const double u1 = 1.0 - stream.uniform01(), u2 = stream.uniform01();
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * core::geo::pi * u2);
      raw_size.push_back(std::exp(village_size_sigma * z));
      villages.lon.push_back(p.lon);
      villages.lat.push_back(p.lat);
      villages.region.push_back(static_cast<std::int16_t>(r));
      villages.town.push_back(-1);
    }
    const auto sizes = apportion(raw_size, rest[r]);
    villages.population.insert(villages.population.end(), sizes.begin(), sizes.end());
  }
  villages.cell.assign(villages.size(), -1);
  return villages;
}

}  // namespace sahelsim::models::sahel

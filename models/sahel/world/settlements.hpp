// Towns and synthetic villages: who lives where in 2022, before anything is put on the grid.
//
// Towns (towns.cpp). Every towns.csv row becomes a Town. Malian towns get a 2022 population:
//   * a town whose pop_scope starts with "district" (Bamako) is its whole region: the region's
//     regions.csv figure minus the region's other towns, and its region gets no synthetic villages;
//   * a 2009 census figure is scaled by the national growth 2009 → 2022, 22,395,485 / 14,528,662
//     (RGPH5 total / RGPH 2009 total = FabFlee's regional sum 14,583,118 minus Ménaka's 54,456,
//     which it counts twice; data/sahel/README.md);
//   * a figure of another year y by 3.3 % a year (facts.md §1), × 1.033^(2022 − y);
//   * a figure without a year (Natural Earth, GeoNames) is used as it is (× 1);
//   * a town without a figure gets 5,000 (ASSUMED: a commune seat or market village).
//
// Synthetic villages (villages.cpp). The rest of each region, regions.csv minus its towns, lives
// in synthetic villages at continuous lon/lat points (never grid cells, so totals do not depend on
// the cell size). Region r gets n_r = max(1, round(rest_r / 1,000)) villages (ASSUMED mean size,
// which gives ≈ 15,000 villages, inside facts.md §2's 12–19 thousand). Candidate k of region r
// draws from RandomStream(seed, purpose_id("map.villages"), r, k): a point uniform in lon/lat in
// the region's box, accepted when it is inside Mali, its nearest Malian town is in region r, and a
// further draw is below suitability / 6, where suitability = zone (Sudanian 1, Sahelian 0.5,
// Saharan 0.03) × 3 within 10 km of a river × 2 in wetland (all ASSUMED: rain-fed farming,
// irrigation and flood-recession farming, and pastoral camps in the desert). An accepted candidate
// draws its raw size exp(0.8 · z), z standard normal (lognormal, ASSUMED spread: a median village
// about 0.7 × the mean). Raw sizes are scaled to the region's rest and rounded down; the people
// left by rounding go one each to the villages with the largest fractions (ties: lower index), so
// the region's total is exact.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/sahel/world/data_pack.hpp"
#include "models/sahel/world/sahel_map.hpp"

namespace sahelsim::models::sahel {

inline constexpr double national_population_2022 = 22'395'485.0;  // RGPH5 (facts.md §1)
inline constexpr double national_population_2009 = 14'528'662.0;  // RGPH 2009 (see above)
inline constexpr double annual_growth = 0.033;                    // facts.md §1
inline constexpr std::int64_t assumed_town_population = 5'000;
inline constexpr double mean_village_population = 1'000.0;  // default of MapOptions::mean_village_population
inline constexpr double village_size_sigma = 0.8;

/// The towns of towns.csv with their country, region and 2022 population (cells not yet set).
/// `country_names` are the borders' features; `region_names` / `region_populations` regions.csv.
/// Throws DataError (towns.csv / regions.csv, line, field) for a Malian admin1 missing from
/// regions.csv, a region whose towns hold more people than its total, and the like.
std::vector<Town> read_towns(const DataPack& data, const std::vector<std::string>& country_names,
                             const std::vector<std::string>& region_names,
                             const std::vector<std::int64_t>& region_populations);

/// Synthetic villages, region by region (cells not set: lon, lat, population, region filled).
Villages place_synthetic_villages(const DataPack& data, const std::vector<Town>& towns,
                                  const std::vector<std::string>& region_names,
                                  const std::vector<std::int64_t>& region_populations,
                                  const std::vector<core::geo::Polygon>& mali_polygons,
                                  std::uint64_t seed, double mean_population = mean_village_population);

}  // namespace sahelsim::models::sahel

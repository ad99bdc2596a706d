// Climate zones of the map: latitude bands, with the Niger valley counted as Sahelian where it
// runs into the Saharan band.
//
// Mali's three natural zones are usually defined by rainfall: Saharan below the 200 mm isohyet,
// Sahelian between 200 and 600 mm, Sudanian above 600 mm. The pack has no rainfall map, so the
// zones are ASSUMED latitude bands that follow those isohyets across Mali (general geography, not
// in data/sahel/facts.md): Sudanian south of 13.5°N (Bamako ≈1,100 mm, Ségou just inside at
// 13.44°N), Saharan north of 17.0°N (Tombouctou, ≈200 mm at 16.8°N, and Gao stay Sahelian; Kidal,
// Tessalit and Taoudenni are Saharan). Cells within 10 km of the Niger north of 17.0°N (the top of
// the Niger bend near Bourem reaches 17.07°N) count as Sahelian: the river valley is cultivated and
// settled like the Sahel, not like the desert around it.
#pragma once

#include "models/sahel/world/travel.hpp"

namespace sahelsim::models::sahel {

inline constexpr double sudanian_north_lat = 13.5;  // Sudanian below this latitude
inline constexpr double saharan_south_lat = 17.0;   // Saharan at or above this latitude
inline constexpr double niger_valley_km = 10.0;     // Saharan within this distance of the Niger → Sahelian

inline ClimateZone climate_zone_at(double lat, bool near_niger) {
  if (lat < sudanian_north_lat) return ClimateZone::sudanian;
  if (lat < saharan_south_lat || near_niger) return ClimateZone::sahelian;
  return ClimateZone::saharan;
}

}  // namespace sahelsim::models::sahel

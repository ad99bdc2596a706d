// How fast trucks, motorcycles and troops move: on each road surface, off road in each climate
// zone, in wetland and across rivers. One table, used by the road router (travel time per link)
// and by the movement-cost layers (days per km per cell).
//
// Every speed is ASSUMED (no source in the data pack gives them); the reasons are in the table's
// comments and in docs/DATA.md ("Map: movement"). Speeds are average km/h while moving; a mode
// moves `hours_per_day` hours a day, so a day's reach on a paved road is speed × hours.
//
// Surfaces come from routes.csv `paved`. Paved-but-degraded (`yes (degraded)`, `yes (potholed)`)
// and `partly` (partly paved, partly track) are kept apart: a degraded tarmac road is still much
// faster than a road with long sections of sand. They must be, for the router to keep trucks on the
// documented RN1 Bamako–Kayes (614 km: 166 km paved, 273 degraded, 175 partly) rather than on the
// estimated Kita–Kayes link (527 km: 185 paved, 342 partly); with one speed for both surfaces the
// short cut wins whatever that speed is.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sahelsim::models::sahel {

/// Road surface, ordered from slowest to fastest for every mode (a cell crossed by several roads
/// keeps the highest code).
enum class Surface : std::uint8_t {
  none = 0,      // no road
  seasonal = 1,  // "no (seasonal)": flood-season track (Inner Niger Delta)
  track = 2,     // "no", "unknown" or empty: earth or sand track, or a surface nobody reported
  partly = 3,    // "partly": partly paved
  degraded = 4,  // "yes (degraded)", "yes (potholed)": paved, badly maintained
  paved = 5,     // "yes"
};
inline constexpr int surface_count = 6;

/// The surface of a routes.csv `paved` value (case and surrounding spaces ignored). Throws
/// std::invalid_argument whose message lists the accepted values (the caller turns it into a
/// DataError naming the file, line and value).
Surface parse_surface(std::string_view paved);
/// "paved", "degraded", "partly", "track", "seasonal", "none".
std::string surface_name(Surface surface);
/// The road_class layer's code: 0 none, 1 track/unpaved/unknown/seasonal, 2 partly paved or
/// degraded, 3 paved.
std::uint8_t road_class(Surface surface);

enum class TravelMode : std::uint8_t { truck = 0, motorcycle = 1, troops = 2 };
inline constexpr int travel_mode_count = 3;
inline constexpr std::array<TravelMode, 3> travel_modes = {TravelMode::truck, TravelMode::motorcycle,
                                                           TravelMode::troops};
std::string mode_name(TravelMode mode);
/// "truck", "motorcycle" or "troops"; throws std::invalid_argument listing them otherwise.
TravelMode parse_mode(std::string_view name);

/// Climate zones of the climate_zone layer.
enum class ClimateZone : std::uint8_t { none = 0, saharan = 1, sahelian = 2, sudanian = 3 };

struct SpeedTable {
  /// km/h on each surface, indexed by Surface (index 0, no road, is unused).
  std::array<double, surface_count> road_kmh;
  /// km/h off road, indexed by ClimateZone (index 0 unused).
  std::array<double, 4> off_road_kmh;
  double wetland_kmh;     // off road in seasonally flooded land
  double hours_per_day;   // hours on the move per day
};

/// The ASSUMED speeds of one mode (see travel.cpp for the table and its reasons).
const SpeedTable& speeds(TravelMode mode);

}  // namespace sahelsim::models::sahel

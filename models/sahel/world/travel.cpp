#include "models/sahel/world/travel.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace sahelsim::models::sahel {

// ASSUMED speeds (km/h while moving). Reasons:
// * truck: a loaded fuel tanker (≈ 45 t) in convoy. 50 km/h average on good tarmac with
//   checkpoints and weighbridges; 40 on degraded tarmac (potholes, broken edges); 22 on a road that
//   is partly sandy track; 18 on earth tracks; 10 on flood-season tracks. Off road a tanker barely
//   moves: 5 km/h in Sudanian fields and woodland, 6 on open Sahelian plains, 3 in Saharan sand;
//   2 in wetland. Convoys drive by day only: 10 h.
// * motorcycle: the insurgents' bands. Little slowed by bad surfaces (60 / 50 / 40 / 35 / 20 on the
//   five surfaces) and fast off road: 20 km/h in Sudanian woodland, 25 on Sahelian plains, 15 in
//   Saharan sand, 8 in wetland (pirogue crossings). 10 h a day.
// * troops: army columns of pickups and trucks with escort drills: 40 on tarmac (qrf speed
//   250 km/day, range 150–400, in MECHANISMS.md R-h3 ⇒ 8 h × 30–40 km/h), 30 degraded, 18 partly,
//   15 on tracks, 6 on flood-season tracks; off road 10 / 12 / 10, wetland 4. 8 h a day (halts
//   and security drills).
// The surfaces must stay ordered (seasonal < track < partly < degraded < paved) for every mode;
// tests check it.
namespace {

const SpeedTable truck_speeds{
    {0.0, 10.0, 18.0, 22.0, 40.0, 50.0},  // none, seasonal, track, partly, degraded, paved
    {0.0, 3.0, 6.0, 5.0},                 // none, Saharan, Sahelian, Sudanian
    2.0,
    10.0};
const SpeedTable motorcycle_speeds{
    {0.0, 20.0, 35.0, 40.0, 50.0, 60.0},
    {0.0, 15.0, 25.0, 20.0},
    8.0,
    10.0};
const SpeedTable troop_speeds{
    {0.0, 6.0, 15.0, 18.0, 30.0, 40.0},
    {0.0, 10.0, 12.0, 10.0},
    4.0,
    8.0};

std::string normalised(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  std::string out;
  for (std::size_t i = begin; i < end; ++i)
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  return out;
}

}  // namespace

Surface parse_surface(std::string_view paved) {
  const std::string value = normalised(paved);
  if (value == "yes") return Surface::paved;
  if (value == "yes (degraded)" || value == "yes (potholed)") return Surface::degraded;
  if (value == "partly") return Surface::partly;
  if (value == "no" || value == "unknown" || value.empty()) return Surface::track;
  if (value == "no (seasonal)") return Surface::seasonal;
  throw std::invalid_argument(
      "expected one of: yes, yes (degraded), yes (potholed), partly, no, no (seasonal), unknown");
}

std::string surface_name(Surface surface) {
  switch (surface) {
    case Surface::none: return "none";
    case Surface::seasonal: return "seasonal";
    case Surface::track: return "track";
    case Surface::partly: return "partly";
    case Surface::degraded: return "degraded";
    case Surface::paved: return "paved";
  }
  return "none";
}

std::uint8_t road_class(Surface surface) {
  switch (surface) {
    case Surface::none: return 0;
    case Surface::seasonal:
    case Surface::track: return 1;
    case Surface::partly:
    case Surface::degraded: return 2;
    case Surface::paved: return 3;
  }
  return 0;
}

std::string mode_name(TravelMode mode) {
  switch (mode) {
    case TravelMode::truck: return "truck";
    case TravelMode::motorcycle: return "motorcycle";
    case TravelMode::troops: return "troops";
  }
  return "truck";
}

TravelMode parse_mode(std::string_view name) {
  for (const TravelMode mode : travel_modes)
    if (name == mode_name(mode)) return mode;
  throw std::invalid_argument("mode '" + std::string(name) +
                              "' is not allowed: expected one of truck, motorcycle, troops");
}

const SpeedTable& speeds(TravelMode mode) {
  switch (mode) {
    case TravelMode::truck: return truck_speeds;
    case TravelMode::motorcycle: return motorcycle_speeds;
    case TravelMode::troops: return troop_speeds;
  }
  return truck_speeds;
}

}  // namespace sahelsim::models::sahel

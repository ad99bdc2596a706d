// The Sahel model's state: agent tables as typed columns (villages, bands, units, markets), the
// convoys on the roads, the insurgent command's and the state's few model-level decisions, the
// day's events and the running tallies behind the series and the calibration summary.
//
// Geometry: agents live at continuous planar positions in km (x = lon × km_per_deg_lon at 14° N,
// y = lat × km_per_deg_lat), an equirectangular projection whose distance error over Mali is a few
// per cent; the map's raster cells are used for terrain (refuge cover) and for output rasters.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/sahel/model/rules.hpp"
#include "models/sahel/sahel_model.hpp"
#include "sahelsim/core/columns.hpp"
#include "sahelsim/core/parallel.hpp"
#include "sahelsim/core/schedule.hpp"

namespace sahelsim::models::sahel {

inline constexpr double km_per_deg_lat = 110.6;
inline constexpr double km_per_deg_lon = 107.9;  // at 14° N, the middle of Mali's populated band
/// Target 9 counts an ambush "where they happened in 2025" within this distance of a 2025 site.
inline constexpr double kAmbushZoneKm = 50.0;
/// Garrisons this close to each other form one post: they defend, and fall, together.
inline constexpr double kPostKm = 10.0;

struct Point {
  double x = 0.0, y = 0.0;  // km
};
inline double distance_km(const Point& a, const Point& b) {
  const double dx = a.x - b.x, dy = a.y - b.y;
  return std::sqrt(dx * dx + dy * dy);  // not std::hypot: no overflow to guard against, and 5x faster
}
inline Point to_point(double lon, double lat) { return {lon * km_per_deg_lon, lat * km_per_deg_lat}; }

/// Who did it, to whom: the perpetrator and victim kinds of the deaths tallies and the event log.
enum class Actor : std::int8_t { militant = 0, army = 1, partner = 2, militia = 3, state = 4, traders = 5 };
inline constexpr int actor_count = 6;
inline constexpr const char* actor_flag_meanings = "militant army partner militia state traders";
enum class Victim : std::int8_t { civilian = 0, soldier = 1, militant = 2, driver = 3 };
inline constexpr int victim_count = 4;
inline constexpr const char* victim_names[victim_count] = {"civilians", "soldiers", "militants", "drivers"};

enum class EventType : std::int8_t {
  convoy_ambush = 0,     // escorted convoy attacked
  convoy_attack = 1,     // unescorted convoy stopped and burnt (checkpoint / road block)
  garrison_attack = 2,   // assault repelled
  garrison_overrun = 3,  // assault that took the post
  village_raid = 4,
  punishment = 5,        // militant punishment of a village that refused to pay
  kidnapping = 6,
  abuse_by_state = 7,    // reprisal or abuse by army, partner force or militia
  strike_on_band = 8,    // army strike on a band, on intelligence
  blockade_declared = 9,
  blockade_lifted = 10,
  fuel_sale_ban = 11,
  partner_replaces = 12,
  legitimacy_shock = 13,
  convoy_arrived = 14,   // escorted import convoy reaching its depot
};
inline constexpr const char* event_flag_meanings =
    "convoy_ambush convoy_attack garrison_attack garrison_overrun village_raid punishment kidnapping "
    "abuse_by_state strike_on_band blockade_declared blockade_lifted fuel_sale_ban partner_replaces "
    "legitimacy_shock convoy_arrived";
/// Militant attacks on the state and the supply lines, counted for "attacks in one day"
/// (calibration target 5: 1 July 2025, seven towns): convoys and garrisons, not village raids.
inline bool is_militant_attack(EventType k) {
  return k == EventType::convoy_ambush || k == EventType::convoy_attack || k == EventType::garrison_attack ||
         k == EventType::garrison_overrun;
}

struct Event {
  std::int32_t day = 0;
  EventType kind = EventType::convoy_ambush;
  Point where;
  double lon = 0.0, lat = 0.0;
  std::int16_t region = -1;
  Actor actor = Actor::militant;
  Actor target = Actor::state;  // the side attacked (state for garrisons, traders for convoys, ...)
  double civilians_killed = 0.0, soldiers_killed = 0.0, militants_killed = 0.0, drivers_killed = 0.0;
  std::int32_t tankers = 0;            // convoy size
  std::int32_t tankers_destroyed = 0;
  std::int32_t agent = -1;             // band, unit or convoy index
  std::int32_t town = -1;              // nearest town (index into the map's towns)
};

enum class UnitKind : std::uint8_t { army = 0, partner = 1, militia = 2 };
enum class UnitRole : std::uint8_t { garrison = 0, escort = 1 };
enum class BandDuty : std::uint8_t { none = 0, blockade = 1 };

/// A road route sampled every few km (planar), with the cover flag of each sample.
struct RoutePath {
  std::vector<Point> points;
  std::vector<double> km;       // cumulative, 0 at the start
  std::vector<std::uint8_t> cover;
  std::vector<std::uint8_t> in_mali;
  double length_km = 0.0;
  Point at(double km) const;
  std::size_t index_at(double km) const;
};

struct Convoy {
  std::int32_t route = 0;       // into State::routes
  std::int32_t corridor = -1;   // import convoys: corridor index; distribution: -1
  std::int32_t market = -1;     // destination market
  std::int32_t tankers = 0;     // tankers still rolling
  std::int32_t tankers_start = 0;
  std::int32_t tankers_destroyed = 0;
  std::int32_t escort_unit = -1;
  double km = 0.0;              // position along the route
  std::int32_t depart_day = 0;  // waits (for its escort) until this day
  bool attacked = false;
  bool done = false;
};

/// Buckets of agent indices on a square grid of `bucket_km` cells over planar km.
class BucketIndex {
 public:
  void build(const std::vector<Point>& points, const std::vector<std::uint8_t>* alive, double bucket_km);
  /// Checkpoints: the index as built (it may list agents that died since).
  void save(core::StateWriter& out) const;
  void load(core::StateReader& in);
  /// Calls f(i) for every indexed point within `radius` of p (in index order within each bucket,
  /// buckets in row-major order: deterministic).
  template <class F>
  void within(const Point& p, double radius, const std::vector<Point>& points, F&& f) const {
    if (cells_.empty()) return;
    const int c0 = std::max(0, int((p.x - radius - x0_) / size_)), c1 = std::min(cols_ - 1, int((p.x + radius - x0_) / size_));
    const int r0 = std::max(0, int((p.y - radius - y0_) / size_)), r1 = std::min(rows_ - 1, int((p.y + radius - y0_) / size_));
    for (int r = r0; r <= r1; ++r)
      for (int c = c0; c <= c1; ++c)
        for (std::int32_t k = start_[r * cols_ + c]; k < start_[r * cols_ + c + 1]; ++k) {
          const std::int32_t i = cells_[k];
          const double dx = points[i].x - p.x, dy = points[i].y - p.y;
          if (dx * dx + dy * dy <= radius * radius) f(i);
        }
  }

 private:
  double x0_ = 0, y0_ = 0, size_ = 1;
  int cols_ = 0, rows_ = 0;
  std::vector<std::int32_t> start_, cells_;
};

struct SahelModel::State {
  State(const Scenario& scenario, std::shared_ptr<const SahelMap> map, int threads);

  // ---- setup (setup.cpp) ----
  void build_villages();
  void build_markets();
  void build_forces();
  void build_routes();
  void build_convoy_view();
  void build_schedule();
  void initialise_legitimacy();

  // ---- phases (phases.cpp, in schedule order) ----
  void apply_scheduled_events();
  void insurgent_command();
  void measure_presence();
  void village_economy();
  void collect_levies();
  void bands_act();
  void import_and_dispatch();
  void move_convoys_and_ambush();
  void markets_trade();
  void military_act();
  void villages_respond();
  void close_day();

  // ---- helpers ----
  double p(const char* name) const { return params.real(name); }
  std::int64_t pi(const char* name) const { return params.integer(name); }
  void add_event(Event e);
  double kill_civilians_near(const Point& where, double killed, Actor perpetrator, std::int32_t village);
  void mark_attack_near(const Point& where, bool repelled);
  std::int32_t nearest_town(const Point& where) const;
  std::int32_t nearest_market(const Point& where) const;
  std::int32_t nearest_village(const Point& where, double radius) const;
  void reprisal(std::int32_t unit, const Point& where, int cause, double chance);  // cause: 0 assault, 1 ambush, 2 operation
  bool state_responds(const Point& where, double attackers) const;
  bool in_hot_zone(const Point& where) const;  // within kAmbushZoneKm of a 2025 ambush site (target 9)
  bool air_support_at(const Point& where) const;
  double band_cash_days(std::int32_t band) const;  // cash in days of upkeep
  void ambush(std::int32_t convoy, std::size_t sample, std::int32_t band);
  void garrison_assault(std::int32_t unit, std::int32_t band, double attackers);
  std::vector<std::int32_t> post_units(std::int32_t unit) const;  // garrisons defending with `unit`
  double post_troops(std::int32_t unit) const;
  std::int32_t market_of_town(std::int32_t town) const;
  /// Sends `tankers` waiting at a corridor's border toward its depot, escorted by `escort` (-1 none).
  void send_import_convoy(std::size_t corridor, std::int32_t tankers, std::int32_t escort, std::int32_t depart_day);

  // ---- inputs ----
  Scenario scenario;
  std::shared_ptr<const SahelMap> map;
  core::ParameterSet params;
  std::uint64_t seed;
  int thread_count;
  core::ParallelExecutor executor;
  core::Schedule schedule;

  // ---- agents ----
  core::ColumnTable villages{"village", 0};
  core::ColumnTable bands{"band", 0};
  core::ColumnTable units{"unit", 0};
  core::ColumnTable markets{"market", 0};
  std::vector<Convoy> convoys;
  /// The convoys on the road as columns (for views, maps and the demo), refreshed at the end of
  /// each day: the first kMaxConvoyView live convoys, `active` = 0 in the unused rows.
  static constexpr std::size_t kMaxConvoyView = 2048;
  core::ColumnTable convoy_view{"convoy", 0};
  struct ConvoyColumns {
    std::vector<std::uint8_t>*active, *escorted, *attacked;
    std::vector<double>*lon, *lat;
    std::vector<std::int32_t>*tankers, *tankers_destroyed, *corridor, *market;
  } cv{};
  void refresh_convoy_view();
  std::vector<RoutePath> routes;

  // Column handles (vectors inside the tables), filled by setup.
  struct VillageColumns {
    std::vector<double>*x, *y, *lon, *lat, *residents, *displaced_out, *displaced_in, *food_days, *cash, *cattle,
        *harvest_factor, *untaxed_harvest, *legitimacy, *legitimacy_baseline, *hardship, *grievance, *fear_state,
        *fear_militant, *state_presence, *militant_presence, *state_share, *income, *recruits_total, *state_killed,
        *insurgent_killed, *protected_events, *failed_events, *levy_cash_today, *recruits_today, *displaced_today,
        *legitimacy_initial, *abuse_exposure, *shortage_exposure;
    std::vector<std::int64_t>* population_2022;
    std::vector<std::int64_t>* cell;
    std::vector<std::int32_t>* region;
    std::vector<std::int32_t>*market, *town, *band, *last_militant_levy, *last_state_levy, *last_lethal_day, *punished_today;
    std::vector<std::uint8_t>*control, *near_corridor, *is_town;
  } v{};
  struct BandColumns {
    std::vector<double>*x, *y, *base_x, *base_y, *fighters, *cash, *fuel, *morale, *recruits_30d;
    std::vector<std::int32_t>* force;
    std::vector<std::uint8_t>*duty, *alive, *acted;
  } b{};
  struct UnitColumns {
    std::vector<double>*x, *y, *troops, *hold, *fuel, *discipline;
    std::vector<std::int32_t>* force;
    std::vector<std::int32_t>*town, *busy_until, *convoy;
    std::vector<std::uint8_t>*kind, *role, *alive, *attacked_today;
  } u{};
  struct MarketColumns {
    std::vector<double>*x, *y, *stock, *demand, *served, *price, *cover, *shortage, *electricity_hours,
        *shops_open, *consumed_today, *in_transit, *delivered_today;
    std::vector<std::int32_t>*town, *depot, *route_from_depot, *next_delivery;
    std::vector<std::uint8_t>*grid, *is_depot;
  } m{};
  std::vector<Point> village_points, band_points, unit_points, market_points;
  BucketIndex village_index, band_index, unit_index;

  // ---- map-derived ----
  std::vector<Point> town_points;
  std::vector<float> refuge_distance_km;  // per map cell
  std::int32_t capital_town = -1, capital_market = -1;
  std::int32_t escort_source = -1;  // the garrison escorts come from and are refilled by
  std::vector<Point> air_bases;
  std::vector<std::int32_t> corridor_route;        // per map corridor: index into routes (Malian part)
  std::vector<std::int32_t> corridor_depot;        // per corridor: destination market
  std::vector<double> corridor_share;              // per corridor
  std::vector<double> corridor_queue;              // tankers waiting at the border (fractional)
  std::vector<double> corridor_risk;               // drivers' perceived loss per trip
  std::vector<std::uint8_t> corridor_blockaded, corridor_ever_blockaded;
  std::vector<Point> ambush_sites_2025;            // target 9: where tanker convoys were attacked in 2025

  // ---- model-level state ----
  std::int64_t day = 0;  // steps done
  bool strike_day = false;
  bool presence_initialised = false;
  std::vector<std::int32_t> village_of_town;  // per map town: its settlement index, -1 off Mali
  bool rural_fuel_ban = false, national_fuel_ban = false;
  double power_hours = 19.0;         // interconnected grid
  double power_fuel_today = 0.0;
  double grid_demand_mwh = 0.0, hydro_mwh = 0.0, thermal_mwh_per_litre = 0.0;
  std::vector<Event> events_today;
  std::vector<std::string> force_names;
  std::vector<ForceKind> force_kinds;

  // ---- tallies ----
  std::array<std::array<double, victim_count>, actor_count> deaths_today{}, deaths_total{};
  double levies_militant_today = 0, levies_state_today = 0, recruits_today_total = 0;
  std::int64_t convoys_sent_today = 0, convoys_arrived_today = 0, convoys_attacked_today = 0;
  std::int64_t tankers_sent_today = 0, tankers_arrived_today = 0, tankers_destroyed_today = 0;
  std::int64_t tankers_destroyed_total = 0, tankers_destroyed_first_90 = 0;
  double max_convoy_loss_fraction = 0.0;
  std::int64_t max_attacks_one_day = 0;
  double max_attack_spread_km = 0.0;
  bool capital_captured = false;
  std::int64_t blockade_start_day = -1;
  double price_before_blockade = 0.0, peak_price_8_weeks = 0.0;
  double min_power_hours = 24.0;
  double legitimacy_start = 0.0;
  std::int64_t ambushes_total = 0, ambushes_in_zones = 0;
};

}  // namespace sahelsim::models::sahel

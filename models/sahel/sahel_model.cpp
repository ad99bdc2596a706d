// SahelModel: the core::Model face of the Sahel model (stepping, series, rasters, the run file and
// the calibration summary). The state and its phases are in models/sahel/model/.
#include "models/sahel/sahel_model.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <iterator>
#include <sstream>

#include "models/sahel/model/state.hpp"
#include "models/sahel/world/map_output.hpp"

namespace sahelsim::models::sahel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const char* const kActorNames[4] = {"militants", "army", "partner", "militia"};

std::vector<core::SeriesSpec> make_series_specs() {
  std::vector<core::SeriesSpec> s = {
      {"control_share_none", "share of people with no armed presence nearby", "1", false},
      {"control_share_state_control", "share of people in state-controlled places", "1", false},
      {"control_share_state_dominant", "share of people where the state dominates but militants strike or levy", "1", false},
      {"control_share_contested", "share of people in contested places", "1", false},
      {"control_share_insurgent_support", "share of people in insurgent support zones", "1", false},
      {"control_share_insurgent_control", "share of people under insurgent control", "1", false},
      {"fuel_price_bamako", "informal fuel price in the capital", "FCFA/L", false},
      {"fuel_price_mean", "population-weighted mean fuel price over markets", "FCFA/L", false},
      {"fuel_stock_bamako", "fuel in the capital's depots", "L", false},
      {"fuel_cover_bamako", "capital's stock in days of its retail demand", "days", false},
      {"fuel_in_transit", "fuel on the roads to the markets", "L", false},
      {"tankers_waiting", "tankers waiting at the borders", "tankers", false},
      {"electricity_hours_bamako", "hours of electricity on the interconnected grid", "h/day", false},
      {"shops_open_bamako", "share of shops open in the capital", "1", false},
      {"convoys_sent", "import convoys leaving the borders today", "convoys", true},
      {"convoys_arrived", "import convoys reaching their depot today", "convoys", true},
      {"convoys_attacked", "convoys attacked today", "convoys", true},
      {"tankers_sent", "tankers leaving the borders today", "tankers", true},
      {"tankers_arrived", "tankers reaching their depot today", "tankers", true},
      {"tankers_destroyed", "tankers destroyed today", "tankers", true},
      {"tankers_destroyed_total", "tankers destroyed since the start", "tankers", true},
      {"attacks", "militant attacks on convoys and garrisons today", "attacks", true},
      {"village_raids", "villages raided by militants today", "raids", true},
  };
  for (int victim = 0; victim < victim_count; ++victim)
    for (int actor = 0; actor < 4; ++actor)
      s.push_back({std::string("deaths_") + victim_names[victim] + "_by_" + kActorNames[actor],
                   std::string(victim_names[victim]) + " killed today by " + kActorNames[actor], "people", false});
  const std::vector<core::SeriesSpec> more = {
      {"levies_militant", "value militants levied today", "FCFA", false},
      {"levies_state", "value the state levied today", "FCFA", false},
      {"recruits", "men who joined militants today", "people", false},
      {"militant_fighters", "fighters in all bands", "fighters", false},
      {"militant_bands", "bands with fighters", "bands", true},
      {"state_troops", "troops in garrisons and escorts", "soldiers", false},
      {"garrisons_held", "garrisons still held", "garrisons", true},
      {"displaced", "people displaced from their village", "people", false},
      {"legitimacy_mean", "population-weighted mean legitimacy of the state", "1", false},
      {"blockaded_corridors", "corridors under blockade", "corridors", true},
  };
  s.insert(s.end(), more.begin(), more.end());
  return s;
}

const std::vector<core::SeriesSpec>& series_specs_static() {
  static const std::vector<core::SeriesSpec> specs = make_series_specs();
  return specs;
}

const std::vector<core::RasterSpec>& raster_specs_static() {
  static const std::vector<core::RasterSpec> specs = {
      {"control", "control class of the cell (from armed presence)", rules::control_flag_meanings, false, ""},
      {"legitimacy", "population-weighted mean legitimacy of the villages in the cell", "", true, "1"},
      {"militant_presence", "distance-weighted militant fighters within reach", "", true, "fighters"},
      {"fuel_price", "fuel price at the market of the cell's villages", "", true, "FCFA/L"},
  };
  return specs;
}

struct RegionalSpec {
  const char* name;
  const char* long_name;
  const char* units;
};
const RegionalSpec kRegional[] = {
    {"region_legitimacy", "population-weighted mean legitimacy", "1"},
    {"region_insurgent_share", "share of people in insurgent support or control zones", "1"},
    {"region_displaced", "people displaced from villages of the region", "people"},
    {"region_fuel_price", "population-weighted fuel price", "FCFA/L"},
    {"region_recruits_total", "men given to militants since the start", "people"},
};
const RegionalSpec kMarket[] = {
    {"market_fuel_price", "informal fuel price", "FCFA/L"},
    {"market_fuel_stock", "fuel in stock", "L"},
    {"market_fuel_cover", "stock in days of normal demand", "days"},
    {"market_electricity_hours", "hours of electricity (NaN without a grid)", "h/day"},
    {"market_shops_open", "share of shops open", "1"},
};

template <class T>
std::uint64_t hash_vector(const std::vector<T>& values, std::uint64_t h) {
  return core::hash_bytes(values.data(), values.size() * sizeof(T), h);
}

}  // namespace

std::vector<std::pair<std::string, SummaryValue>> summary_items(const CalibrationSummary& s) {
  return {{"fuel_price_ratio_bamako", s.fuel_price_ratio_bamako},
          {"electricity_hours_bamako_min", s.electricity_hours_bamako_min},
          {"tankers_destroyed", s.tankers_destroyed},
          {"tankers_destroyed_first_90_days", s.tankers_destroyed_first_90_days},
          {"max_convoy_loss_fraction", s.max_convoy_loss_fraction},
          {"max_attacks_one_day", s.max_attacks_one_day},
          {"max_attack_spread_km_one_day", s.max_attack_spread_km_one_day},
          {"state_share_civilian_deaths", s.state_share_civilian_deaths},
          {"capital_captured", s.capital_captured},
          {"legitimacy_start", s.legitimacy_start},
          {"legitimacy_end", s.legitimacy_end},
          {"ambushes", s.ambushes},
          {"ambush_share_in_2025_zones", s.ambush_share_in_2025_zones},
          {"corridor_share_in_2025_zones", s.corridor_share_in_2025_zones},
          {"insurgent_rural_share_near_corridors", s.insurgent_rural_share_near_corridors},
          {"days", s.days},
          {"blockade_start_day", s.blockade_start_day}};
}

std::string summary_to_json(const CalibrationSummary& s) {
  std::ostringstream out;
  out << "{";
  bool first = true;
  for (const auto& [key, value] : summary_items(s)) {
    out << (first ? "" : ", ") << "\"" << key << "\": ";
    first = false;
    if (const auto* b = std::get_if<bool>(&value)) {
      out << (*b ? "true" : "false");
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
      out << *i;
    } else {
      const double x = std::get<double>(value);
      if (!std::isfinite(x)) {
        out << "null";
      } else {
        char text[40];
        std::snprintf(text, sizeof text, "%.17g", x);
        out << text;
      }
    }
  }
  out << "}";
  return out.str();
}

SahelModel::SahelModel(const Scenario& scenario, int threads)
    : SahelModel(scenario, std::make_shared<const SahelMap>(build_scenario_map(scenario)), threads) {}

SahelModel::SahelModel(const Scenario& scenario, std::shared_ptr<const SahelMap> map, int threads) {
  if (threads < 1)
    throw core::ParameterError("threads = " + std::to_string(threads) + " is not allowed: expected an integer >= 1");
  if (!map) throw std::invalid_argument("SahelModel: no map");
  state_ = std::make_unique<State>(scenario, std::move(map), threads);
}

SahelModel::~SahelModel() = default;

const Scenario& SahelModel::scenario() const { return state_->scenario; }
const SahelMap& SahelModel::map() const { return *state_->map; }

Date SahelModel::current_date() const {
  // Step k >= 1 is the state at the end of day start + k - 1; step 0 the state at the start.
  return state_->scenario.start.plus_days(std::max<std::int64_t>(0, state_->day - 1));
}

void SahelModel::step() {
  State& s = *state_;
  // Reset the day's accumulators (the previous day's were recorded after its step).
  s.events_today.clear();
  for (auto& row : s.deaths_today) row.fill(0.0);
  s.levies_militant_today = s.levies_state_today = s.recruits_today_total = 0.0;
  s.convoys_sent_today = s.convoys_arrived_today = s.convoys_attacked_today = 0;
  s.tankers_sent_today = s.tankers_arrived_today = s.tankers_destroyed_today = 0;
  std::fill(s.v.state_killed->begin(), s.v.state_killed->end(), 0.0);
  std::fill(s.v.insurgent_killed->begin(), s.v.insurgent_killed->end(), 0.0);
  std::fill(s.v.protected_events->begin(), s.v.protected_events->end(), 0.0);
  std::fill(s.v.failed_events->begin(), s.v.failed_events->end(), 0.0);
  std::fill(s.u.attacked_today->begin(), s.u.attacked_today->end(), 0);
  std::fill(s.m.delivered_today->begin(), s.m.delivered_today->end(), 0.0);
  s.schedule.run_step();
}

std::int64_t SahelModel::current_step() const { return state_->day; }
const core::ParameterSet& SahelModel::parameters() const { return state_->params; }
std::uint64_t SahelModel::seed() const { return state_->seed; }
int SahelModel::threads() const { return state_->thread_count; }
const std::vector<core::SeriesSpec>& SahelModel::series_specs() const { return series_specs_static(); }

std::vector<double> SahelModel::series_values() const {
  const State& s = *state_;
  const auto& v = s.v;
  std::vector<double> out;
  std::array<double, 6> control{};
  double people = 0, legit = 0, price = 0, displaced = 0;
  for (std::size_t i = 0; i < v.x->size(); ++i) {
    const double r = (*v.residents)[i];
    control[(*v.control)[i]] += r;
    people += r;
    legit += r * (*v.legitimacy)[i];
    price += r * (*s.m.price)[(*v.market)[i]];
    displaced += (*v.displaced_out)[i];
  }
  for (double c : control) out.push_back(people > 0 ? c / people : 0.0);
  const std::int32_t cap = s.capital_market;
  double in_transit = 0, waiting = 0;
  for (double x : *s.m.in_transit) in_transit += x;
  for (double q : s.corridor_queue) waiting += std::floor(q);
  const double official = s.p("fuel_price_fcfa_per_litre");
  (void)official;
  out.push_back((*s.m.price)[cap]);
  out.push_back(people > 0 ? price / people : kNaN);
  out.push_back((*s.m.stock)[cap]);
  out.push_back((*s.m.cover)[cap]);
  out.push_back(in_transit);
  out.push_back(waiting);
  out.push_back(s.power_hours);
  out.push_back((*s.m.shops_open)[cap]);
  out.push_back(double(s.convoys_sent_today));
  out.push_back(double(s.convoys_arrived_today));
  out.push_back(double(s.convoys_attacked_today));
  out.push_back(double(s.tankers_sent_today));
  out.push_back(double(s.tankers_arrived_today));
  out.push_back(double(s.tankers_destroyed_today));
  out.push_back(double(s.tankers_destroyed_total));
  std::int64_t attacks = 0;
  for (const Event& e : s.events_today) attacks += is_militant_attack(e.kind) ? 1 : 0;
  out.push_back(double(attacks));
  std::int64_t raids = 0;
  for (const Event& e : s.events_today) raids += e.kind == EventType::village_raid ? 1 : 0;
  out.push_back(double(raids));
  for (int victim = 0; victim < victim_count; ++victim)
    for (int actor = 0; actor < 4; ++actor) out.push_back(s.deaths_today[actor][victim]);
  double fighters = 0, troops = 0;
  std::int64_t bands = 0, held = 0;
  for (std::size_t k = 0; k < s.b.x->size(); ++k)
    if ((*s.b.alive)[k]) fighters += (*s.b.fighters)[k], ++bands;
  for (std::size_t k = 0; k < s.u.troops->size(); ++k) {
    troops += (*s.u.troops)[k];
    if ((*s.u.role)[k] == std::uint8_t(UnitRole::garrison) && (*s.u.alive)[k]) ++held;
  }
  std::int64_t blockaded = 0;
  for (auto f : s.corridor_blockaded) blockaded += f;
  out.push_back(s.levies_militant_today);
  out.push_back(s.levies_state_today);
  out.push_back(s.recruits_today_total);
  out.push_back(fighters);
  out.push_back(double(bands));
  out.push_back(troops);
  out.push_back(double(held));
  out.push_back(displaced);
  out.push_back(people > 0 ? legit / people : kNaN);
  out.push_back(double(blockaded));
  return out;
}

int SahelModel::raster_width() const { return state_->map->grid().cols(); }
int SahelModel::raster_height() const { return state_->map->grid().rows(); }
const std::vector<core::RasterSpec>& SahelModel::raster_specs() const { return raster_specs_static(); }

std::vector<std::uint8_t> SahelModel::raster(const std::string& name) const {
  if (name != "control") {
    for (const auto& spec : raster_specs_static())
      if (spec.name == name) throw std::invalid_argument("raster '" + name + "' is real-valued: use raster_real");
    throw std::invalid_argument("unknown raster '" + name + "': expected one of control, legitimacy, militant_presence, fuel_price");
  }
  const State& s = *state_;
  const auto& grid = s.map->grid();
  const auto& country = s.map->layers().country;
  std::vector<std::uint8_t> out(std::size_t(grid.cell_count()), 0);
  const double band_r = s.p("band_influence_km"), patrol_r = s.p("patrol_km");
  const_cast<core::ParallelExecutor&>(s.executor).for_each(out.size(), 4096, [&](std::size_t c) {
    if (country[c] != s.map->mali_index()) return;
    const auto centre = grid.centre(std::int64_t(c));
    const Point at = to_point(centre.lon, centre.lat);
    double militant = 0, state = 0;
    s.band_index.within(at, band_r, s.band_points, [&](std::int32_t k) {
      militant += rules::presence((*s.b.fighters)[k], distance_km(s.band_points[k], at), band_r);
    });
    s.unit_index.within(at, patrol_r, s.unit_points, [&](std::int32_t k) {
      if ((*s.u.role)[k] == std::uint8_t(UnitRole::garrison))
        state += rules::presence((*s.u.troops)[k], distance_km(s.unit_points[k], at), patrol_r);
    });
    const bool anyone = militant + state > 0;
    out[c] = std::uint8_t(rules::control_class(anyone ? state / (state + militant) : 0.5, anyone, false, false));
  });
  return out;
}

std::vector<float> SahelModel::raster_real(const std::string& name) const {
  const State& s = *state_;
  const auto& grid = s.map->grid();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> out(std::size_t(grid.cell_count()), nan);
  if (name == "legitimacy" || name == "fuel_price") {
    std::vector<double> sum(out.size(), 0.0), weight(out.size(), 0.0);
    for (std::size_t i = 0; i < s.v.x->size(); ++i) {
      const std::int64_t c = (*s.v.cell)[i];
      const double r = std::max(1e-9, (*s.v.residents)[i]);
      sum[c] += r * (name == "legitimacy" ? (*s.v.legitimacy)[i] : (*s.m.price)[(*s.v.market)[i]]);
      weight[c] += r;
    }
    for (std::size_t c = 0; c < out.size(); ++c)
      if (weight[c] > 0) out[c] = float(sum[c] / weight[c]);
    return out;
  }
  if (name == "militant_presence") {
    const auto& country = s.map->layers().country;
    const double band_r = s.p("band_influence_km");
    const_cast<core::ParallelExecutor&>(s.executor).for_each(out.size(), 4096, [&](std::size_t c) {
      if (country[c] != s.map->mali_index()) return;
      const auto centre = grid.centre(std::int64_t(c));
      const Point at = to_point(centre.lon, centre.lat);
      double militant = 0;
      s.band_index.within(at, band_r, s.band_points, [&](std::int32_t k) {
        militant += rules::presence((*s.b.fighters)[k], distance_km(s.band_points[k], at), band_r);
      });
      out[c] = float(militant);
    });
    return out;
  }
  if (name == "control") throw std::invalid_argument("raster 'control' is categorical (uint8): use raster");
  throw std::invalid_argument("unknown raster '" + name + "': expected one of control, legitimacy, militant_presence, fuel_price");
}

std::pair<core::RasterAxis, core::RasterAxis> SahelModel::raster_axes() const { return map_raster_axes(*state_->map); }

std::vector<const core::ColumnTable*> SahelModel::tables() const {
  return {&state_->villages, &state_->bands, &state_->units, &state_->markets, &state_->convoy_view};
}

std::uint64_t SahelModel::state_hash() const {
  const State& s = *state_;
  std::uint64_t h = core::hash_tables(tables());
  for (const Convoy& c : s.convoys) {
    const std::int64_t ints[] = {c.route, c.corridor, c.market, c.tankers, c.tankers_start, c.tankers_destroyed,
                                 c.escort_unit, c.depart_day, c.attacked, c.done};
    h = core::hash_bytes(ints, sizeof ints, h);
    h = core::hash_bytes(&c.km, sizeof c.km, h);
  }
  h = hash_vector(s.corridor_queue, h);
  h = hash_vector(s.corridor_risk, h);
  h = hash_vector(s.corridor_blockaded, h);
  for (const auto& row : s.deaths_total) h = core::hash_bytes(row.data(), sizeof(double) * row.size(), h);
  const double scalars[] = {s.power_hours, double(s.tankers_destroyed_total), s.max_convoy_loss_fraction,
                            double(s.max_attacks_one_day), s.max_attack_spread_km, s.peak_price_8_weeks};
  h = core::hash_bytes(scalars, sizeof scalars, h);
  h = core::hash_bytes(&s.day, sizeof s.day, h);
  return h;
}

std::string SahelModel::describe_schedule() const { return state_->schedule.describe(); }

CalibrationSummary SahelModel::summary() const {
  const State& s = *state_;
  CalibrationSummary out;
  out.days = s.day;
  out.blockade_start_day = s.blockade_start_day;
  out.fuel_price_ratio_bamako =
      s.blockade_start_day >= 0 && s.price_before_blockade > 0 ? s.peak_price_8_weeks / s.price_before_blockade : kNaN;
  out.electricity_hours_bamako_min = s.min_power_hours;
  out.tankers_destroyed = s.tankers_destroyed_total;
  out.tankers_destroyed_first_90_days = s.tankers_destroyed_first_90;
  out.max_convoy_loss_fraction = s.max_convoy_loss_fraction;
  out.max_attacks_one_day = s.max_attacks_one_day;
  out.max_attack_spread_km_one_day = s.max_attack_spread_km;
  double state_civilians = 0, all_civilians = 0;
  for (int a = 0; a < 4; ++a) {
    const double c = s.deaths_total[a][int(Victim::civilian)];
    all_civilians += c;
    if (a == int(Actor::army) || a == int(Actor::partner)) state_civilians += c;
  }
  out.state_share_civilian_deaths = all_civilians > 0 ? state_civilians / all_civilians : kNaN;
  out.capital_captured = s.capital_captured;
  out.legitimacy_start = s.legitimacy_start;
  double people = 0, legit = 0, rural = 0, insurgent = 0;
  for (std::size_t i = 0; i < s.v.x->size(); ++i) {
    people += (*s.v.residents)[i];
    legit += (*s.v.residents)[i] * (*s.v.legitimacy)[i];
    if ((*s.v.near_corridor)[i] && !(*s.v.is_town)[i]) {
      rural += (*s.v.residents)[i];
      if ((*s.v.control)[i] >= std::uint8_t(rules::ControlClass::insurgent_support)) insurgent += (*s.v.residents)[i];
    }
  }
  out.legitimacy_end = people > 0 ? legit / people : kNaN;
  out.ambushes = s.ambushes_total;
  out.ambush_share_in_2025_zones = s.ambushes_total > 0 ? double(s.ambushes_in_zones) / double(s.ambushes_total) : kNaN;
  double road = 0, road_in_zones = 0;
  for (std::size_t c = 0; c < s.corridor_route.size(); ++c) {
    if (!s.corridor_ever_blockaded[c]) continue;
    const RoutePath& path = s.routes[s.corridor_route[c]];
    for (std::size_t k = 0; k + 1 < path.points.size(); ++k) {
      if (!path.in_mali[k]) continue;
      const double length = path.km[k + 1] - path.km[k];
      road += length;
      if (s.in_hot_zone(path.points[k])) road_in_zones += length;
    }
  }
  out.corridor_share_in_2025_zones = road > 0 ? road_in_zones / road : kNaN;
  out.insurgent_rural_share_near_corridors = rural > 0 ? insurgent / rural : kNaN;
  return out;
}

void SahelModel::define_run_file(core::RunFileWriter& writer) const {
  const State& s = *state_;
  writer.set_attribute("", "scenario", s.scenario.name);
  writer.set_attribute("", "scenario_description", s.scenario.description);
  writer.set_attribute("", "scenario_source", s.scenario.source);
  writer.set_attribute("", "scenario_toml", scenario_to_toml(s.scenario));
  writer.set_attribute("", "start_date", s.scenario.start.iso());
  writer.set_attribute("", "end_date", s.scenario.end.iso());
  writer.set_attribute("", "step_units",
                       "step k >= 1 is the state at the end of day start_date + k - 1; step 0 the initial state");
  write_map(*s.map, writer);  // defines the "region", "town", "corridor" ... dimensions
  std::vector<std::string> market_names;
  for (std::int32_t t : *s.m.town) market_names.push_back(s.map->towns()[t].name);
  writer.add_string_coordinate("market", market_names, "market town");
  for (const auto& r : kRegional) writer.add_variable(r.name, core::DataType::float64, {"step", "region"}, r.long_name, r.units);
  for (const auto& r : kMarket) writer.add_variable(r.name, core::DataType::float64, {"step", "market"}, r.long_name, r.units);
  writer.add_unlimited_dimension("event", "event number");
  using core::DataType;
  writer.add_variable("event_day", DataType::int32, {"event"}, "step of the event: it happened on start_date + event_day - 1");
  writer.add_variable("event_kind", DataType::int8, {"event"}, "kind of event");
  writer.set_attribute("event_kind", "flag_meanings", event_flag_meanings);
  writer.add_variable("event_lon", DataType::float64, {"event"}, "longitude", "degrees_east");
  writer.add_variable("event_lat", DataType::float64, {"event"}, "latitude", "degrees_north");
  writer.add_variable("event_region", DataType::int32, {"event"}, "region index (-1 outside Mali)");
  writer.set_attribute("event_region", "index_into", "region");
  writer.add_variable("event_town", DataType::int32, {"event"}, "nearest Malian town (index along town)");
  writer.set_attribute("event_town", "index_into", "town");
  writer.add_variable("event_actor", DataType::int8, {"event"}, "who acted");
  writer.set_attribute("event_actor", "flag_meanings", actor_flag_meanings);
  writer.add_variable("event_target", DataType::int8, {"event"}, "who was targeted");
  writer.set_attribute("event_target", "flag_meanings", actor_flag_meanings);
  writer.add_variable("event_civilians_killed", DataType::float64, {"event"}, "civilians killed", "people");
  writer.add_variable("event_soldiers_killed", DataType::float64, {"event"}, "soldiers killed", "people");
  writer.add_variable("event_militants_killed", DataType::float64, {"event"}, "militants killed", "people");
  writer.add_variable("event_drivers_killed", DataType::float64, {"event"}, "drivers killed", "people");
  writer.add_variable("event_tankers", DataType::int32, {"event"}, "tankers in the convoy", "tankers");
  writer.add_variable("event_tankers_destroyed", DataType::int32, {"event"}, "tankers destroyed", "tankers");
}

void SahelModel::record_run_file(core::RunFileWriter& writer) const {
  const State& s = *state_;
  const std::size_t regions = s.map->region_names().size();
  std::vector<double> legit(regions, 0), people(regions, 0), insurgent(regions, 0), displaced(regions, 0),
      price(regions, 0), recruits(regions, 0);
  for (std::size_t i = 0; i < s.v.x->size(); ++i) {
    const std::int16_t r = (*s.v.region)[i];
    if (r < 0 || std::size_t(r) >= regions) continue;
    const double n = (*s.v.residents)[i];
    people[r] += n;
    legit[r] += n * (*s.v.legitimacy)[i];
    price[r] += n * (*s.m.price)[(*s.v.market)[i]];
    if ((*s.v.control)[i] >= std::uint8_t(rules::ControlClass::insurgent_support)) insurgent[r] += n;
    displaced[r] += (*s.v.displaced_out)[i];
    recruits[r] += (*s.v.recruits_total)[i];
  }
  for (std::size_t r = 0; r < regions; ++r) {
    legit[r] = people[r] > 0 ? legit[r] / people[r] : kNaN;
    price[r] = people[r] > 0 ? price[r] / people[r] : kNaN;
    insurgent[r] = people[r] > 0 ? insurgent[r] / people[r] : kNaN;
  }
  writer.write_record("region_legitimacy", legit.data());
  writer.write_record("region_insurgent_share", insurgent.data());
  writer.write_record("region_displaced", displaced.data());
  writer.write_record("region_fuel_price", price.data());
  writer.write_record("region_recruits_total", recruits.data());
  writer.write_record("market_fuel_price", s.m.price->data());
  writer.write_record("market_fuel_stock", s.m.stock->data());
  writer.write_record("market_fuel_cover", s.m.cover->data());
  writer.write_record("market_electricity_hours", s.m.electricity_hours->data());
  writer.write_record("market_shops_open", s.m.shops_open->data());
  for (const Event& e : s.events_today) {
    writer.append_record("event", std::int64_t(writer.records("event")));
    const std::int32_t day = e.day, region = e.region, town = e.town, tankers = e.tankers, destroyed = e.tankers_destroyed;
    const std::int8_t kind = std::int8_t(e.kind), actor = std::int8_t(e.actor), target = std::int8_t(e.target);
    writer.write_record("event_day", &day);
    writer.write_record("event_kind", &kind);
    writer.write_record("event_lon", &e.lon);
    writer.write_record("event_lat", &e.lat);
    writer.write_record("event_region", &region);
    writer.write_record("event_town", &town);
    writer.write_record("event_actor", &actor);
    writer.write_record("event_target", &target);
    writer.write_record("event_civilians_killed", &e.civilians_killed);
    writer.write_record("event_soldiers_killed", &e.soldiers_killed);
    writer.write_record("event_militants_killed", &e.militants_killed);
    writer.write_record("event_drivers_killed", &e.drivers_killed);
    writer.write_record("event_tankers", &tankers);
    writer.write_record("event_tankers_destroyed", &destroyed);
  }
}

std::vector<std::pair<std::string, double>> SahelModel::final_run_file_attributes() const {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [key, value] : summary_items(summary()))
    out.emplace_back("summary_" + key, std::visit([](auto x) { return double(x); }, value));
  return out;
}

// ---- checkpoints ------------------------------------------------------------------------------------
//
// The state between days: the agent tables (villages, bands, units, markets, the convoy view), the
// convoys, the agents' positions and the bucket indexes as last built (phases read them before
// they rebuild them), the corridors, the model-level decisions, the day's events (the run file's
// event log and the series are recorded from them) and every tally. The map, the routes, the
// towns, the schedule and the scenario come from the scenario, which the checkpoint's identity
// pins down.

namespace {

constexpr const char* kIdentityHeader = "sahel checkpoint identity 1";

void save_event(core::StateWriter& out, const Event& e) {
  out.i64(e.day);
  out.i64(std::int64_t(e.kind));
  out.f64(e.where.x);
  out.f64(e.where.y);
  out.f64(e.lon);
  out.f64(e.lat);
  out.i64(e.region);
  out.i64(std::int64_t(e.actor));
  out.i64(std::int64_t(e.target));
  for (double x : {e.civilians_killed, e.soldiers_killed, e.militants_killed, e.drivers_killed}) out.f64(x);
  for (std::int32_t x : {e.tankers, e.tankers_destroyed, e.agent, e.town}) out.i64(x);
}

Event load_event(core::StateReader& in) {
  Event e;
  e.day = std::int32_t(in.i64());
  e.kind = EventType(in.i64());
  e.where.x = in.f64();
  e.where.y = in.f64();
  e.lon = in.f64();
  e.lat = in.f64();
  e.region = std::int16_t(in.i64());
  e.actor = Actor(in.i64());
  e.target = Actor(in.i64());
  e.civilians_killed = in.f64();
  e.soldiers_killed = in.f64();
  e.militants_killed = in.f64();
  e.drivers_killed = in.f64();
  e.tankers = std::int32_t(in.i64());
  e.tankers_destroyed = std::int32_t(in.i64());
  e.agent = std::int32_t(in.i64());
  e.town = std::int32_t(in.i64());
  return e;
}

void save_convoy(core::StateWriter& out, const Convoy& c) {
  for (std::int32_t x : {c.route, c.corridor, c.market, c.tankers, c.tankers_start, c.tankers_destroyed, c.escort_unit,
                         c.depart_day})
    out.i64(x);
  out.f64(c.km);
  out.boolean(c.attacked);
  out.boolean(c.done);
}

Convoy load_convoy(core::StateReader& in) {
  Convoy c;
  for (std::int32_t* x : {&c.route, &c.corridor, &c.market, &c.tankers, &c.tankers_start, &c.tankers_destroyed,
                          &c.escort_unit, &c.depart_day})
    *x = std::int32_t(in.i64());
  c.km = in.f64();
  c.attacked = in.boolean();
  c.done = in.boolean();
  return c;
}

}  // namespace

std::string SahelModel::checkpoint_identity() const {
  const Scenario& scenario = state_->scenario;
  return std::string(kIdentityHeader) + "\nsource: " + scenario.source + "\nmap_origin: " + scenario.map_origin +
         "\n--- scenario\n" + scenario_to_toml(scenario);
}

Scenario scenario_from_checkpoint_identity(const std::string& identity, const std::string& checkpoint_path) {
  const std::string what = "checkpoint '" + checkpoint_path + "': cannot rebuild its scenario: ";
  std::istringstream in(identity);
  std::string header, source, origin, separator;
  std::getline(in, header);
  std::getline(in, source);
  std::getline(in, origin);
  std::getline(in, separator);
  if (header != kIdentityHeader || source.rfind("source: ", 0) != 0 || origin.rfind("map_origin: ", 0) != 0 ||
      separator != "--- scenario")
    throw core::CheckpointError(what + "it does not describe a Sahel scenario");
  source = source.substr(8);
  origin = origin.substr(12);
  const std::string toml(std::istreambuf_iterator<char>(in), {});
  // Read as the original was: a bundled scenario's map directory from the bundle, a file's relative
  // map directory against the file's directory.
  std::string base;
  if (origin.rfind("bundled:", 0) == 0) base = "bundled:";
  else if (const auto slash = source.find_last_of('/'); slash != std::string::npos) base = source.substr(0, slash);
  try {
    return load_scenario(toml, source, base);
  } catch (const std::exception& error) {
    throw core::CheckpointError(what + error.what());
  }
}

void SahelModel::save_state(core::StateWriter& out) const {
  const State& s = *state_;
  out.section("sahel");
  out.i64(s.day);
  out.boolean(s.strike_day);
  out.boolean(s.presence_initialised);
  out.boolean(s.rural_fuel_ban);
  out.boolean(s.national_fuel_ban);
  for (double x : {s.power_hours, s.power_fuel_today, s.grid_demand_mwh, s.hydro_mwh, s.thermal_mwh_per_litre}) out.f64(x);
  for (std::int32_t x : {s.capital_town, s.capital_market, s.escort_source}) out.i64(x);
  out.section("sahel tables");
  for (const core::ColumnTable* table : {&s.villages, &s.bands, &s.units, &s.markets, &s.convoy_view}) out.table(*table);
  out.section("sahel convoys");
  out.u64(s.convoys.size());
  for (const Convoy& c : s.convoys) save_convoy(out, c);
  out.section("sahel positions");
  for (const auto* points : {&s.village_points, &s.band_points, &s.unit_points, &s.market_points}) out.vector(*points);
  s.village_index.save(out);
  s.band_index.save(out);
  s.unit_index.save(out);
  out.vector(s.village_of_town);
  out.section("sahel corridors");
  out.vector(s.corridor_share);
  out.vector(s.corridor_queue);
  out.vector(s.corridor_risk);
  out.vector(s.corridor_blockaded);
  out.vector(s.corridor_ever_blockaded);
  out.section("sahel events");
  out.u64(s.events_today.size());
  for (const Event& e : s.events_today) save_event(out, e);
  out.section("sahel tallies");
  out.raw(&s.deaths_today, sizeof s.deaths_today);
  out.raw(&s.deaths_total, sizeof s.deaths_total);
  for (double x : {s.levies_militant_today, s.levies_state_today, s.recruits_today_total, s.max_convoy_loss_fraction,
                   s.max_attack_spread_km, s.price_before_blockade, s.peak_price_8_weeks, s.min_power_hours,
                   s.legitimacy_start})
    out.f64(x);
  for (std::int64_t x : {s.convoys_sent_today, s.convoys_arrived_today, s.convoys_attacked_today, s.tankers_sent_today,
                         s.tankers_arrived_today, s.tankers_destroyed_today, s.tankers_destroyed_total,
                         s.tankers_destroyed_first_90, s.max_attacks_one_day, s.blockade_start_day, s.ambushes_total,
                         s.ambushes_in_zones})
    out.i64(x);
  out.boolean(s.capital_captured);
  out.section("sahel end");
}

void SahelModel::load_state(core::StateReader& in) {
  State& s = *state_;
  in.section("sahel");
  s.day = in.i64();
  s.strike_day = in.boolean();
  s.presence_initialised = in.boolean();
  s.rural_fuel_ban = in.boolean();
  s.national_fuel_ban = in.boolean();
  for (double* x : {&s.power_hours, &s.power_fuel_today, &s.grid_demand_mwh, &s.hydro_mwh, &s.thermal_mwh_per_litre})
    *x = in.f64();
  for (std::int32_t* x : {&s.capital_town, &s.capital_market, &s.escort_source}) *x = std::int32_t(in.i64());
  in.section("sahel tables");
  for (core::ColumnTable* table : {&s.villages, &s.bands, &s.units, &s.markets, &s.convoy_view}) in.table(*table);
  in.section("sahel convoys");
  const std::uint64_t convoys = in.u64();
  if (convoys > in.remaining()) in.fail("the convoy count " + std::to_string(convoys) + " is too large");
  s.convoys.clear();
  for (std::uint64_t i = 0; i < convoys; ++i) s.convoys.push_back(load_convoy(in));
  for (const Convoy& c : s.convoys)
    if (c.route < 0 || std::size_t(c.route) >= s.routes.size())
      in.fail("a convoy is on route " + std::to_string(c.route) + " of " + std::to_string(s.routes.size()));
  in.section("sahel positions");
  in.vector_of_size(s.village_points, "village positions");
  in.vector_of_size(s.band_points, "band positions");
  in.vector_of_size(s.unit_points, "unit positions");
  in.vector_of_size(s.market_points, "market positions");
  s.village_index.load(in);
  s.band_index.load(in);
  s.unit_index.load(in);
  in.vector_of_size(s.village_of_town, "village of each town");
  in.section("sahel corridors");
  in.vector_of_size(s.corridor_share, "corridor shares");
  in.vector_of_size(s.corridor_queue, "corridor queues");
  in.vector_of_size(s.corridor_risk, "corridor risks");
  in.vector_of_size(s.corridor_blockaded, "corridor blockades");
  in.vector_of_size(s.corridor_ever_blockaded, "corridor blockades so far");
  in.section("sahel events");
  const std::uint64_t events = in.u64();
  if (events > in.remaining()) in.fail("the event count " + std::to_string(events) + " is too large");
  s.events_today.clear();
  for (std::uint64_t i = 0; i < events; ++i) s.events_today.push_back(load_event(in));
  in.section("sahel tallies");
  in.raw(&s.deaths_today, sizeof s.deaths_today);
  in.raw(&s.deaths_total, sizeof s.deaths_total);
  for (double* x : {&s.levies_militant_today, &s.levies_state_today, &s.recruits_today_total, &s.max_convoy_loss_fraction,
                    &s.max_attack_spread_km, &s.price_before_blockade, &s.peak_price_8_weeks, &s.min_power_hours,
                    &s.legitimacy_start})
    *x = in.f64();
  for (std::int64_t* x : {&s.convoys_sent_today, &s.convoys_arrived_today, &s.convoys_attacked_today,
                          &s.tankers_sent_today, &s.tankers_arrived_today, &s.tankers_destroyed_today,
                          &s.tankers_destroyed_total, &s.tankers_destroyed_first_90, &s.max_attacks_one_day,
                          &s.blockade_start_day, &s.ambushes_total, &s.ambushes_in_zones})
    *x = in.i64();
  s.capital_captured = in.boolean();
  in.section("sahel end");
}

}  // namespace sahelsim::models::sahel

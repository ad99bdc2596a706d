// Building the Sahel model's agents from a scenario and its map (docs/ODD.md, "Initialisation").
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "models/sahel/model/state.hpp"
#include "sahelsim/core/random_stream.hpp"

namespace sahelsim::models::sahel {
namespace {

using core::purpose_id;
using core::RandomStream;

template <class T>
std::vector<T>* col(core::ColumnTable& table, const char* name, const char* unit, const char* description,
                    T initial = T{}) {
  return &table.add<T>(name, unit, description, initial).values();
}

}  // namespace

// ---- geometry helpers ------------------------------------------------------------------------------

Point RoutePath::at(double position) const {
  if (points.empty()) return {};
  if (position <= 0) return points.front();
  if (position >= length_km) return points.back();
  const std::size_t i = index_at(position);
  if (i + 1 >= points.size()) return points.back();
  const double t = (position - km[i]) / std::max(1e-9, km[i + 1] - km[i]);
  return {points[i].x + t * (points[i + 1].x - points[i].x), points[i].y + t * (points[i + 1].y - points[i].y)};
}

std::size_t RoutePath::index_at(double position) const {
  const auto it = std::upper_bound(km.begin(), km.end(), position);
  return it == km.begin() ? 0 : std::size_t(it - km.begin()) - 1;
}

void BucketIndex::build(const std::vector<Point>& points, const std::vector<std::uint8_t>* alive, double bucket_km) {
  size_ = std::max(1.0, bucket_km);
  double x1 = -1e300, y1 = -1e300;
  x0_ = 1e300;
  y0_ = 1e300;
  for (const auto& p : points) {
    x0_ = std::min(x0_, p.x);
    y0_ = std::min(y0_, p.y);
    x1 = std::max(x1, p.x);
    y1 = std::max(y1, p.y);
  }
  if (points.empty()) {
    cells_.clear();
    start_.assign(1, 0);
    cols_ = rows_ = 0;
    return;
  }
  cols_ = int((x1 - x0_) / size_) + 1;
  rows_ = int((y1 - y0_) / size_) + 1;
  start_.assign(std::size_t(cols_) * rows_ + 1, 0);
  auto bucket = [&](const Point& p) { return int((p.y - y0_) / size_) * cols_ + int((p.x - x0_) / size_); };
  for (std::size_t i = 0; i < points.size(); ++i)
    if (!alive || (*alive)[i]) ++start_[bucket(points[i]) + 1];
  for (std::size_t k = 1; k < start_.size(); ++k) start_[k] += start_[k - 1];
  cells_.assign(start_.back(), 0);
  std::vector<std::int32_t> fill(start_.begin(), start_.end() - 1);
  for (std::size_t i = 0; i < points.size(); ++i)
    if (!alive || (*alive)[i]) cells_[fill[bucket(points[i])]++] = std::int32_t(i);
}

void BucketIndex::save(core::StateWriter& out) const {
  out.f64(x0_);
  out.f64(y0_);
  out.f64(size_);
  out.i64(cols_);
  out.i64(rows_);
  out.vector(start_);
  out.vector(cells_);
}

void BucketIndex::load(core::StateReader& in) {
  x0_ = in.f64();
  y0_ = in.f64();
  size_ = in.f64();
  cols_ = int(in.i64());
  rows_ = int(in.i64());
  in.vector(start_);
  in.vector(cells_);
  if (cols_ < 0 || rows_ < 0 || (!start_.empty() && start_.size() != std::size_t(cols_) * std::size_t(rows_) + 1))
    in.fail("a bucket index has " + std::to_string(start_.size()) + " bucket starts for " + std::to_string(cols_) +
            " x " + std::to_string(rows_) + " buckets");
}

// ---- the state ------------------------------------------------------------------------------------

SahelModel::State::State(const Scenario& scenario_in, std::shared_ptr<const SahelMap> map_in, int threads)
    : scenario(scenario_in),
      map(std::move(map_in)),
      params(scenario_in.parameters),
      seed(scenario_in.seed),
      thread_count(threads),
      executor(threads) {
  for (const auto& [smallest, largest] : {std::pair<const char*, const char*>{"militant_band_min_fighters",
                                                                             "militant_band_max_fighters"},
                                          {"min_convoy_tankers", "max_convoy_tankers"}})
    if (params.integer(smallest) > params.integer(largest))
      throw core::ParameterError(std::string(smallest) + " = " + std::to_string(params.integer(smallest)) +
                                 " is not allowed: expected at most " + largest + " = " +
                                 std::to_string(params.integer(largest)));
  for (const auto& town : map->towns()) town_points.push_back(to_point(town.position.lon, town.position.lat));
  build_villages();
  build_markets();
  build_routes();
  build_forces();
  initialise_legitimacy();
  build_convoy_view();
  build_schedule();
}

void SahelModel::State::build_convoy_view() {
  convoy_view = core::ColumnTable("convoy", kMaxConvoyView);
  auto& t = convoy_view;
  cv.active = col<std::uint8_t>(t, "active", "1", "1 for a convoy on the road (or waiting for its escort)");
  cv.lon = col<double>(t, "lon", "degrees_east", "position");
  cv.lat = col<double>(t, "lat", "degrees_north", "position");
  cv.tankers = col<std::int32_t>(t, "tankers", "tankers", "tankers still rolling");
  cv.tankers_destroyed = col<std::int32_t>(t, "tankers_destroyed", "tankers", "tankers burnt so far");
  cv.escorted = col<std::uint8_t>(t, "escorted", "1", "1 with an army escort");
  cv.corridor = col<std::int32_t>(t, "corridor", "1", "import corridor index, -1 for a depot's delivery", -1);
  cv.market = col<std::int32_t>(t, "market", "1", "destination market", -1);
  cv.attacked = col<std::uint8_t>(t, "attacked", "1", "1 once ambushed");
  refresh_convoy_view();
}

void SahelModel::State::refresh_convoy_view() {
  std::size_t row = 0;
  for (const Convoy& c : convoys) {
    if (c.done || row == kMaxConvoyView) continue;
    const Point at = routes[c.route].at(c.km);
    (*cv.active)[row] = 1;
    (*cv.lon)[row] = at.x / km_per_deg_lon;
    (*cv.lat)[row] = at.y / km_per_deg_lat;
    (*cv.tankers)[row] = c.tankers;
    (*cv.tankers_destroyed)[row] = c.tankers_destroyed;
    (*cv.escorted)[row] = c.escort_unit >= 0 ? 1 : 0;
    (*cv.corridor)[row] = c.corridor;
    (*cv.market)[row] = c.market;
    (*cv.attacked)[row] = c.attacked ? 1 : 0;
    ++row;
  }
  for (; row < kMaxConvoyView; ++row) {
    (*cv.active)[row] = (*cv.escorted)[row] = (*cv.attacked)[row] = 0;
    (*cv.lon)[row] = (*cv.lat)[row] = 0.0;
    (*cv.tankers)[row] = (*cv.tankers_destroyed)[row] = 0;
    (*cv.corridor)[row] = (*cv.market)[row] = -1;
  }
}

void SahelModel::State::build_villages() {
  const Villages& settlements = map->villages();
  const std::size_t n = settlements.size();
  villages = core::ColumnTable("village", n);
  auto& t = villages;
  v.x = col<double>(t, "x", "km", "planar east coordinate");
  v.y = col<double>(t, "y", "km", "planar north coordinate");
  v.lon = col<double>(t, "lon", "degrees_east", "longitude");
  v.lat = col<double>(t, "lat", "degrees_north", "latitude");
  v.population_2022 = col<std::int64_t>(t, "population_2022", "people", "2022 population (map)");
  v.cell = col<std::int64_t>(t, "cell", "1", "map cell");
  v.region = col<std::int32_t>(t, "region", "1", "region index");
  v.market = col<std::int32_t>(t, "market", "1", "market the village trades at");
  v.town = col<std::int32_t>(t, "town", "1", "town index, -1 for a synthetic village");
  v.is_town = col<std::uint8_t>(t, "is_town", "1", "1 for a town of towns.csv");
  v.residents = col<double>(t, "residents", "people", "people living in the village now (displaced in included)");
  v.displaced_out = col<double>(t, "displaced_out", "people", "residents who fled and have not returned");
  v.displaced_in = col<double>(t, "displaced_in", "people", "displaced people hosted here");
  v.food_days = col<double>(t, "food_days", "days", "food stock per person");
  v.cash = col<double>(t, "cash", "FCFA", "cash per person");
  v.cattle = col<double>(t, "cattle", "head", "cattle of the village");
  v.harvest_factor = col<double>(t, "harvest_factor", "1", "harvest relative to a Sudanian village (climate zone)");
  v.untaxed_harvest = col<double>(t, "untaxed_harvest", "days", "food days per person harvested and not yet levied");
  v.income = col<double>(t, "income", "FCFA/day", "income per person today");
  v.legitimacy = col<double>(t, "legitimacy", "1", "perceived legitimacy of the state");
  v.legitimacy_baseline = col<double>(t, "legitimacy_baseline", "1", "slow baseline legitimacy relaxes to");
  v.hardship = col<double>(t, "hardship", "1", "economic hardship");
  v.grievance = col<double>(t, "grievance", "1", "hardship x (1 - legitimacy)");
  v.fear_state = col<double>(t, "fear_state", "1", "fear of state forces", 0.5);
  v.fear_militant = col<double>(t, "fear_militant", "1", "fear of militants", 0.5);
  v.state_presence = col<double>(t, "state_presence", "troops", "distance-weighted state troops within reach");
  v.militant_presence = col<double>(t, "militant_presence", "fighters", "distance-weighted fighters within reach");
  v.state_share = col<double>(t, "state_share", "1", "rolling state share of armed presence");
  v.control = col<std::uint8_t>(t, "control", "1", "control class (rules::ControlClass)");
  v.band = col<std::int32_t>(t, "band", "1", "dominant band within reach, -1 none", -1);
  v.last_militant_levy = col<std::int32_t>(t, "last_militant_levy", "day", "day of the last militant levy", -1000);
  v.last_state_levy = col<std::int32_t>(t, "last_state_levy", "day", "day of the last state levy", -1000);
  v.last_lethal_day = col<std::int32_t>(t, "last_lethal_day", "day", "day of the last lethal event nearby", -1000);
  v.punished_today = col<std::int32_t>(t, "punished_today", "1", "punishment drawn today (0 none, 1 confiscation, 2 abduction, 3 execution, 4 forced recruitment)");
  v.near_corridor = col<std::uint8_t>(t, "near_corridor", "1", "1 within 50 km of a corridor road in Mali");
  v.recruits_total = col<double>(t, "recruits_total", "people", "men the village has given to militants");
  v.state_killed = col<double>(t, "state_killed", "people", "today: civilians killed by state forces, weighted by distance");
  v.insurgent_killed = col<double>(t, "insurgent_killed", "people", "today: civilians killed by militants, weighted");
  v.protected_events = col<double>(t, "protected_events", "1", "today: attacks nearby the state repelled");
  v.failed_events = col<double>(t, "failed_events", "1", "today: attacks nearby without state response");
  v.levy_cash_today = col<double>(t, "levy_cash_today", "FCFA", "today: value levied by militants");
  v.recruits_today = col<double>(t, "recruits_today", "people", "today: men joining militants");
  v.displaced_today = col<double>(t, "displaced_today", "people", "today: people who fled");
  v.legitimacy_initial = col<double>(t, "legitimacy_initial", "1", "legitimacy at the start of the run");
  v.abuse_exposure = col<double>(t, "abuse_exposure", "people", "civilians killed by state forces in or near the village since the start (weighted)");
  v.shortage_exposure = col<double>(t, "shortage_exposure", "days", "sum over days of the village market's fuel shortage");

  const double harvest_by_zone[4] = {0.2, 0.2, 0.7, 1.0};  // none, Saharan, Sahelian, Sudanian (ASSUMED)
  const auto& zone = map->layers().climate_zone;
  village_points.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    (*v.x)[i] = settlements.lon[i] * km_per_deg_lon;
    (*v.y)[i] = settlements.lat[i] * km_per_deg_lat;
    village_points[i] = {(*v.x)[i], (*v.y)[i]};
    (*v.lon)[i] = settlements.lon[i];
    (*v.lat)[i] = settlements.lat[i];
    (*v.population_2022)[i] = settlements.population[i];
    (*v.residents)[i] = double(settlements.population[i]);
    (*v.cell)[i] = settlements.cell[i];
    (*v.region)[i] = settlements.region[i];
    (*v.town)[i] = settlements.town[i];
    (*v.is_town)[i] = settlements.town[i] >= 0 ? 1 : 0;
    (*v.food_days)[i] = p("initial_food_days");
    (*v.cash)[i] = 10.0 * p("daily_income_fcfa");
    (*v.cattle)[i] = p("cattle_per_person") * double(settlements.population[i]);
    (*v.harvest_factor)[i] = harvest_by_zone[std::min<int>(3, zone[settlements.cell[i]])];
  }
  village_index.build(village_points, nullptr, 25.0);
  village_of_town.assign(map->towns().size(), -1);
  for (std::size_t i = 0; i < n; ++i)
    if (settlements.town[i] >= 0) village_of_town[settlements.town[i]] = std::int32_t(i);
}

std::int32_t SahelModel::State::nearest_town(const Point& where) const {
  std::int32_t best = -1;
  double best_d = std::numeric_limits<double>::infinity();
  for (std::size_t t = 0; t < town_points.size(); ++t) {
    if (!map->towns()[t].in_mali) continue;
    const double d = distance_km(town_points[t], where);
    if (d < best_d) best_d = d, best = std::int32_t(t);
  }
  return best;
}

std::int32_t SahelModel::State::nearest_market(const Point& where) const {
  std::int32_t best = -1;
  double best_d = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < market_points.size(); ++k) {
    const double d = distance_km(market_points[k], where);
    if (d < best_d) best_d = d, best = std::int32_t(k);
  }
  return best;
}

std::int32_t SahelModel::State::market_of_town(std::int32_t town) const {
  for (std::size_t k = 0; k < m.town->size(); ++k)
    if ((*m.town)[k] == town) return std::int32_t(k);
  return -1;
}

void SahelModel::State::build_markets() {
  // Every Malian town is a market; depots are the corridors' destinations (Bamako, Gao).
  std::vector<std::int32_t> market_towns;
  for (std::size_t t = 0; t < map->towns().size(); ++t)
    if (map->towns()[t].in_mali && map->towns()[t].cell >= 0) market_towns.push_back(std::int32_t(t));
  const std::size_t n = market_towns.size();
  markets = core::ColumnTable("market", n);
  auto& t = markets;
  m.x = col<double>(t, "x", "km", "planar east coordinate");
  m.y = col<double>(t, "y", "km", "planar north coordinate");
  m.town = col<std::int32_t>(t, "town", "1", "town index");
  m.depot = col<std::int32_t>(t, "depot", "1", "market whose depot supplies this one");
  m.is_depot = col<std::uint8_t>(t, "is_depot", "1", "1 for an import depot (a corridor's destination)");
  m.route_from_depot = col<std::int32_t>(t, "route_from_depot", "1", "route index from the depot, -1 none", -1);
  m.next_delivery = col<std::int32_t>(t, "next_delivery", "day", "day of the next delivery from the depot");
  m.stock = col<double>(t, "stock", "L", "fuel in stock");
  m.demand = col<double>(t, "demand", "L/day", "normal fuel demand (retail; power plants apart)");
  m.served = col<double>(t, "served", "people", "people trading here");
  m.price = col<double>(t, "price", "FCFA/L", "informal-market fuel price");
  m.cover = col<double>(t, "cover", "days", "stock / normal demand");
  m.shortage = col<double>(t, "shortage", "1", "fuel shortage in [0, 1]");
  m.electricity_hours = col<double>(t, "electricity_hours", "h/day", "hours of electricity (NaN without a grid)",
                                    std::numeric_limits<double>::quiet_NaN());
  m.grid = col<std::uint8_t>(t, "grid", "1", "0 none, 1 interconnected grid, 2 isolated diesel grid");
  m.shops_open = col<double>(t, "shops_open", "1", "share of shops open", 1.0);
  m.consumed_today = col<double>(t, "consumed_today", "L", "fuel sold today");
  m.in_transit = col<double>(t, "in_transit", "L", "fuel on the road to this market");
  m.delivered_today = col<double>(t, "delivered_today", "L", "fuel delivered today");
  market_points.resize(n);
  const auto& towns = map->towns();
  // Towns on EDM's interconnected grid and isolated diesel grids (MECHANISMS §f; initial-conditions.md §1).
  const char* interconnected[] = {"Bamako", "Kati", "Koulikoro", "Ségou", "Markala", "Sikasso", "Koutiala",
                                  "Bougouni", "Kayes", "Kita", "Dioïla", "San", "Niono"};
  for (std::size_t k = 0; k < n; ++k) {
    const Town& town = towns[market_towns[k]];
    (*m.town)[k] = market_towns[k];
    market_points[k] = town_points[market_towns[k]];
    (*m.x)[k] = market_points[k].x;
    (*m.y)[k] = market_points[k].y;
    (*m.grid)[k] = 2;
    for (const char* name : interconnected)
      if (town.name == name) (*m.grid)[k] = 1;
  }
  // Villages trade at the nearest market.
  BucketIndex market_index;
  market_index.build(market_points, nullptr, 100.0);
  for (std::size_t i = 0; i < village_points.size(); ++i) {
    std::int32_t best = -1;
    double best_d = 1e300;
    for (double r = 100; best < 0; r *= 2)
      market_index.within(village_points[i], r, market_points, [&](std::int32_t k) {
        const double d = distance_km(village_points[i], market_points[k]);
        if (d < best_d) best_d = d, best = k;
      });
    (*v.market)[i] = best;
    (*m.served)[best] += (*v.residents)[i];
  }
  // Capital: the national capital of towns.csv (role), else the most populous Malian town.
  std::int64_t best_pop = -1;
  for (std::size_t k = 0; k < n; ++k) {
    const Town& town = towns[(*m.town)[k]];
    const bool capital = town.role.find("national capital") != std::string::npos;
    if (capital || (capital_market < 0 && town.population_2022 > best_pop)) {
      if (capital || town.population_2022 > best_pop) {
        best_pop = capital ? std::numeric_limits<std::int64_t>::max() : town.population_2022;
        capital_market = std::int32_t(k);
      }
    }
  }
  capital_town = (*m.town)[capital_market];
  // Demand shares by served population, the capital weighted.
  double weighted = 0.0;
  for (std::size_t k = 0; k < n; ++k)
    weighted += (*m.served)[k] * (std::int32_t(k) == capital_market ? p("bamako_demand_weight") : 1.0);
  for (std::size_t k = 0; k < n; ++k) {
    const double w = (*m.served)[k] * (std::int32_t(k) == capital_market ? p("bamako_demand_weight") : 1.0);
    (*m.demand)[k] = weighted > 0 ? p("national_fuel_demand_litres_per_day") * w / weighted : 0.0;
    (*m.price)[k] = p("fuel_price_fcfa_per_litre");
  }
  // Electricity of the interconnected grid (R-f1, R-f3): demand set so normal supply gives the
  // pre-blockade hours; thermal energy per litre from the plants' normal fuel need.
  const double thermal_normal_mwh = 1000.0;  // arbitrary energy unit: only ratios matter
  const double share = p("thermal_share");
  hydro_mwh = share < 1 ? thermal_normal_mwh * (1 - share) / std::max(share, 1e-9) : 0.0;
  grid_demand_mwh = (thermal_normal_mwh + hydro_mwh) * 24.0 / std::max(0.1, p("bamako_electricity_hours_per_day"));
  thermal_mwh_per_litre = p("power_fuel_need_litres_per_day") > 0 ? thermal_normal_mwh / p("power_fuel_need_litres_per_day") : 0.0;
  power_hours = rules::electricity_hours(hydro_mwh, thermal_normal_mwh, grid_demand_mwh);
  min_power_hours = power_hours;
  // Air bases (initial-conditions.md §3: Bamako Air Base 101, Sévaré, Gao).
  for (const char* name : {"Bamako", "Sévaré", "Gao"})
    for (std::size_t t2 = 0; t2 < towns.size(); ++t2)
      if (towns[t2].name == name && towns[t2].in_mali) air_bases.push_back(town_points[t2]);
}

void SahelModel::State::build_routes() {
  const auto& grid = map->grid();
  const auto& layers = map->layers();
  // Distance to refuge terrain per cell (two-pass chamfer transform, km).
  const int rows = grid.rows(), cols = grid.cols();
  refuge_distance_km.assign(std::size_t(rows) * cols, std::numeric_limits<float>::infinity());
  for (std::int64_t c = 0; c < grid.cell_count(); ++c)
    if (layers.refuge[c]) refuge_distance_km[c] = 0.0f;
  const float dy = float(grid.dlat_deg() * km_per_deg_lat);
  const float dx = float(grid.dlon_deg() * km_per_deg_lon);
  const float dd = std::sqrt(dx * dx + dy * dy);
  auto relax = [&](int r, int c, int r2, int c2, float w) {
    if (r2 < 0 || r2 >= rows || c2 < 0 || c2 >= cols) return;
    float& here = refuge_distance_km[std::size_t(r) * cols + c];
    here = std::min(here, refuge_distance_km[std::size_t(r2) * cols + c2] + w);
  };
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      relax(r, c, r - 1, c - 1, dd), relax(r, c, r - 1, c, dy), relax(r, c, r - 1, c + 1, dd), relax(r, c, r, c - 1, dx);
    }
  for (int r = rows - 1; r >= 0; --r)
    for (int c = cols - 1; c >= 0; --c) {
      relax(r, c, r + 1, c + 1, dd), relax(r, c, r + 1, c, dy), relax(r, c, r + 1, c - 1, dd), relax(r, c, r, c + 1, dx);
    }

  const double cover_km = p("ambush_cover_km");
  auto make_path = [&](const Route& route, std::size_t from_index) {
    RoutePath path;
    double km0 = route.cumulative_km[from_index];
    for (std::size_t i = from_index; i + 1 < route.towns.size(); ++i) {
      const Point a = town_points[route.towns[i]], b2 = town_points[route.towns[i + 1]];
      const double seg = route.cumulative_km[i + 1] - route.cumulative_km[i];
      const int steps = std::max(1, int(std::ceil(seg / 10.0)));
      for (int s = 0; s < steps; ++s) {
        const double t = double(s) / steps;
        path.points.push_back({a.x + t * (b2.x - a.x), a.y + t * (b2.y - a.y)});
        path.km.push_back(route.cumulative_km[i] - km0 + t * seg);
      }
    }
    path.points.push_back(town_points[route.towns.back()]);
    path.km.push_back(route.cumulative_km.back() - km0);
    path.length_km = path.km.back();
    for (const Point& pt : path.points) {
      const std::int64_t cell = grid.cell_at(pt.x / km_per_deg_lon, pt.y / km_per_deg_lat);
      const bool mali = cell >= 0 && layers.country[cell] == map->mali_index();
      path.in_mali.push_back(mali ? 1 : 0);
      path.cover.push_back(mali && refuge_distance_km[cell] <= cover_km ? 1 : 0);
    }
    return path;
  };

  // Import routes: from the border crossing to the corridor's destination.
  const auto& corridors = map->corridors();
  const auto& rn = map->roads();
  std::vector<bool> share_by_parameter;  // per corridor: its port has a corridor_share_* parameter
  for (const Corridor& c : corridors) {
    std::size_t from = 0;
    for (std::size_t i = 0; i < c.route.towns.size(); ++i)
      if (c.route.towns[i] == c.crossing_town) from = i;
    corridor_route.push_back(std::int32_t(routes.size()));
    routes.push_back(make_path(c.route, from));
    const std::int32_t depot = market_of_town(c.destination_town);
    corridor_depot.push_back(depot);
    if (depot >= 0) (*m.is_depot)[depot] = 1;
    // Corridor shares: parameters by port (Lomé and Tema split theirs; Niamey to its first corridor).
    // A depot's orders are split between its corridors in proportion to them.
    const std::string& port = c.port;
    double share = 0.0;
    bool by_parameter = true;
    if (port == "Abidjan" || port == "San-Pédro") share = p("corridor_share_abidjan");
    else if (port == "Dakar") share = p("corridor_share_dakar");
    else if (port == "Conakry") share = p("corridor_share_conakry");
    else if (port == "Nouakchott") share = p("corridor_share_nouakchott");
    else if (port == "Lomé" || port == "Tema") share = p("corridor_share_lome_tema") / 2.0;
    else if (port == "Niamey") share = c.destination == "Gao" ? p("corridor_share_niamey") : 0.0;
    else by_parameter = false;
    corridor_share.push_back(share);
    share_by_parameter.push_back(by_parameter);
  }
  // A depot none of whose corridors' ports has a share parameter (a user's or the classroom's map)
  // splits its imports equally between them. A depot whose parameters are all 0 imports nothing.
  for (std::size_t c = 0; c < corridors.size(); ++c) {
    if (corridor_depot[c] < 0) continue;
    bool any_parameter = false;
    for (std::size_t c2 = 0; c2 < corridors.size(); ++c2)
      if (corridor_depot[c2] == corridor_depot[c]) any_parameter = any_parameter || share_by_parameter[c2];
    if (!any_parameter) corridor_share[c] = 1.0;
  }
  corridor_queue.assign(corridors.size(), 0.0);
  corridor_risk.assign(corridors.size(), 0.0);
  corridor_blockaded.assign(corridors.size(), 0);
  corridor_ever_blockaded.assign(corridors.size(), 0);
  // A depot with no corridor share (e.g. a small map) still supplies itself.
  if (corridor_depot.empty() || std::none_of(corridor_depot.begin(), corridor_depot.end(), [](std::int32_t d) { return d >= 0; }))
    (*m.is_depot)[capital_market] = 1;

  // Distribution routes: every market from its nearest depot by road.
  for (std::size_t k = 0; k < m.town->size(); ++k) {
    std::int32_t best = capital_market;
    double best_km = 1e300;
    for (std::size_t d = 0; d < m.town->size(); ++d) {
      if (!(*m.is_depot)[d]) continue;
      const double km = d == k ? 0.0 : rn.route((*m.town)[d], (*m.town)[k], TravelMode::truck).length_km;
      const bool found = d == k || rn.route((*m.town)[d], (*m.town)[k], TravelMode::truck).found();
      if (found && km < best_km) best_km = km, best = std::int32_t(d);
    }
    (*m.depot)[k] = best;
    if (!(*m.is_depot)[k]) {
      const Route r = rn.route((*m.town)[best], (*m.town)[k], TravelMode::truck);
      if (r.found()) {
        (*m.route_from_depot)[k] = std::int32_t(routes.size());
        routes.push_back(make_path(r, 0));
      }
    }
    (*m.next_delivery)[k] = std::int32_t(k % std::max<std::int64_t>(1, pi("distribution_interval_days")));
  }
  // Villages near a corridor road in Mali (for target 7).
  for (std::int32_t ri : corridor_route) {
    for (std::size_t s = 0; s < routes[ri].points.size(); ++s) {
      if (!routes[ri].in_mali[s]) continue;
      village_index.within(routes[ri].points[s], 50.0, village_points, [&](std::int32_t i) { (*v.near_corridor)[i] = 1; });
    }
  }
  // The sites of the tanker-convoy attacks of Sep-Dec 2025 (target 9): every convoy_ambush and
  // convoy_attack row of events-2025.csv with coordinates, except the military resupply convoy
  // near Ténenkou (1 Aug). (lat, lon): Sikasso region / near Sikasso (6 Sep, 6 and 21 Oct),
  // Didiéni–Kolokani (13 Sep), Kaniéra–Lakamané (14 Sep), Néguéla–Soribougou (19 Sep, 28 Oct),
  // Kolondiéba (13 Oct), Kolondiéba–Kadiana (17 Oct), Fachoribougou (6 Nov), Bougouni–Bamako road
  // (6 and 25 Dec).
  const double sites[][2] = {{11.3119, -5.6692}, {13.8782, -8.0882}, {14.6290, -10.0674}, {12.8483, -8.4626},
                             {11.0884, -6.8949}, {10.7502, -6.5043}, {11.0601, -5.6145}, {11.4082, -7.4844}};
  for (const auto& site : sites) ambush_sites_2025.push_back(to_point(site[1], site[0]));
}

void SahelModel::State::build_forces() {
  const auto& forces = scenario.forces;
  const auto& grid = map->grid();
  const auto& layers = map->layers();
  const double min_f = double(pi("militant_band_min_fighters")), max_f = double(pi("militant_band_max_fighters"));
  // Refuge cells (planar points) for band bases.
  std::vector<Point> refuge_points;
  for (std::int64_t c = 0; c < grid.cell_count(); ++c)
    if (layers.refuge[c] && layers.country[c] == map->mali_index()) {
      const auto centre = grid.centre(c);
      refuge_points.push_back(to_point(centre.lon, centre.lat));
    }
  BucketIndex refuge_index;
  refuge_index.build(refuge_points, nullptr, 50.0);

  struct BandSeed { Point at, base; double fighters; std::int16_t force; };
  struct UnitSeed { Point at; double troops; std::int16_t force; UnitKind kind; UnitRole role; std::int32_t town; };
  std::vector<BandSeed> band_seeds;
  std::vector<UnitSeed> unit_seeds;
  for (std::size_t f = 0; f < forces.size(); ++f) {
    const ScenarioForce& force = forces[f];
    force_names.push_back(force.name);
    force_kinds.push_back(force.kind);
    const Point origin = to_point(force.position.lon, force.position.lat);
    if (force.kind == ForceKind::militant) {
      // Bands of sizes uniform in [min, max] until the strength is used; bases at refuge cells
      // within 150 km of the force's position (else around the position itself).
      std::vector<std::int32_t> nearby;
      refuge_index.within(origin, 150.0, refuge_points, [&](std::int32_t i) { nearby.push_back(i); });
      double left = double(force.strength);
      RandomStream stream(seed, purpose_id("setup.bands"), f, 0);
      while (left >= 1.0) {
        double size = min_f + (max_f - min_f) * stream.uniform01();
        size = std::min(left, std::round(size));
        left -= size;
        Point base = origin;
        if (!nearby.empty()) {
          base = refuge_points[nearby[stream.below(nearby.size())]];
        } else {
          const double angle = 2 * M_PI * stream.uniform01(), r = 50.0 * std::sqrt(stream.uniform01());
          base = {origin.x + r * std::cos(angle), origin.y + r * std::sin(angle)};
        }
        band_seeds.push_back({base, base, size, std::int16_t(f)});
      }
    } else {
      const UnitKind kind = force.kind == ForceKind::army ? UnitKind::army
                            : force.kind == ForceKind::partner ? UnitKind::partner : UnitKind::militia;
      std::int32_t town = -1;
      for (std::size_t t = 0; t < map->towns().size(); ++t)
        if (map->towns()[t].name == force.town) town = std::int32_t(t);
      unit_seeds.push_back({origin, double(force.strength), std::int16_t(f), kind, UnitRole::garrison, town});
    }
  }
  // Escort detachments come out of the army garrison nearest the capital.
  std::int32_t source = -1;
  double source_d = 1e300;
  for (std::size_t k = 0; k < unit_seeds.size(); ++k) {
    if (unit_seeds[k].kind != UnitKind::army) continue;
    const double d = distance_km(unit_seeds[k].at, town_points[capital_town]);
    if (d < source_d) source_d = d, source = std::int32_t(k);
  }
  const double escort_size = p("escort_troops_per_convoy");
  if (source >= 0) {
    for (std::int64_t e = 0; e < pi("escort_detachments"); ++e) {
      if (unit_seeds[source].troops < 2 * escort_size) break;
      unit_seeds[source].troops -= escort_size;
      unit_seeds.push_back({unit_seeds[source].at, escort_size, unit_seeds[source].force, UnitKind::army,
                            UnitRole::escort, unit_seeds[source].town});
    }
  }

  const std::size_t nb = band_seeds.size();
  bands = core::ColumnTable("band", nb);
  b.x = col<double>(bands, "x", "km", "planar east coordinate");
  b.y = col<double>(bands, "y", "km", "planar north coordinate");
  b.base_x = col<double>(bands, "base_x", "km", "refuge base, east");
  b.base_y = col<double>(bands, "base_y", "km", "refuge base, north");
  b.fighters = col<double>(bands, "fighters", "fighters", "fighters in the band");
  b.cash = col<double>(bands, "cash", "FCFA", "cash");
  b.fuel = col<double>(bands, "fuel", "L", "fuel");
  b.morale = col<double>(bands, "morale", "1", "morale", 0.7);
  b.recruits_30d = col<double>(bands, "recruits_30d", "fighters", "recruits over the last 30 days (decaying)");
  b.force = col<std::int32_t>(bands, "force", "1", "scenario force index");
  b.duty = col<std::uint8_t>(bands, "duty", "1", "0 none, 1 blockade duty");
  b.alive = col<std::uint8_t>(bands, "alive", "1", "1 while the band has fighters", 1);
  b.acted = col<std::uint8_t>(bands, "acted", "1", "1 once the band has attacked today");
  band_points.resize(nb);
  for (std::size_t k = 0; k < nb; ++k) {
    (*b.x)[k] = (*b.base_x)[k] = band_seeds[k].base.x;
    (*b.y)[k] = (*b.base_y)[k] = band_seeds[k].base.y;
    (*b.fighters)[k] = band_seeds[k].fighters;
    (*b.force)[k] = band_seeds[k].force;
    (*b.cash)[k] = 30.0 * band_seeds[k].fighters * p("band_cash_fcfa_per_fighter_day");
    (*b.fuel)[k] = 30.0 * band_seeds[k].fighters * p("band_fuel_litres_per_fighter_day");
    band_points[k] = band_seeds[k].base;
  }

  escort_source = source;
  const std::size_t nu = unit_seeds.size();
  units = core::ColumnTable("unit", nu);
  u.x = col<double>(units, "x", "km", "planar east coordinate");
  u.y = col<double>(units, "y", "km", "planar north coordinate");
  u.troops = col<double>(units, "troops", "soldiers", "troops");
  u.hold = col<double>(units, "hold", "soldiers", "troops that stay to hold the post");
  u.fuel = col<double>(units, "fuel", "L", "fuel");
  u.discipline = col<double>(units, "discipline", "1", "discipline (abuse chance ~ 1 - discipline)");
  u.force = col<std::int32_t>(units, "force", "1", "scenario force index");
  u.town = col<std::int32_t>(units, "town", "1", "town held, -1 none");
  u.busy_until = col<std::int32_t>(units, "busy_until", "day", "escort: busy until this day");
  u.convoy = col<std::int32_t>(units, "convoy", "1", "escort: convoy escorted, -1 none", -1);
  u.kind = col<std::uint8_t>(units, "kind", "1", "0 army, 1 partner, 2 militia");
  u.role = col<std::uint8_t>(units, "role", "1", "0 garrison, 1 escort");
  u.alive = col<std::uint8_t>(units, "alive", "1", "1 while the unit holds its post", 1);
  u.attacked_today = col<std::uint8_t>(units, "attacked_today", "1", "1 if attacked today");
  unit_points.resize(nu);
  for (std::size_t k = 0; k < nu; ++k) {
    const UnitSeed& s = unit_seeds[k];
    (*u.x)[k] = s.at.x;
    (*u.y)[k] = s.at.y;
    unit_points[k] = s.at;
    (*u.troops)[k] = s.troops;
    (*u.hold)[k] = s.role == UnitRole::garrison ? s.troops * p("garrison_hold_share") : 0.0;
    (*u.fuel)[k] = 30.0 * s.troops * p("troop_fuel_litres_per_soldier_day");
    (*u.force)[k] = s.force;
    (*u.town)[k] = s.town;
    (*u.kind)[k] = std::uint8_t(s.kind);
    (*u.role)[k] = std::uint8_t(s.role);
    (*u.discipline)[k] = s.kind == UnitKind::army ? p("army_discipline")
                         : s.kind == UnitKind::partner ? p("partner_discipline") : p("militia_discipline");
  }

  // Initial stocks: the capital's depots hold the security and commercial stocks of the whole
  // country; other depots and markets their own target.
  const double national_need = p("national_fuel_demand_litres_per_day") + p("power_fuel_need_litres_per_day");
  for (std::size_t k = 0; k < m.town->size(); ++k) {
    if (std::int32_t(k) == capital_market)
      (*m.stock)[k] = (p("security_stock_days") + p("depot_stock_days")) * national_need;
    else if ((*m.is_depot)[k])
      (*m.stock)[k] = p("import_stock_target_days") * (*m.demand)[k];
    else
      (*m.stock)[k] = p("market_stock_target_days") * (*m.demand)[k];
    (*m.cover)[k] = (*m.demand)[k] > 0 ? (*m.stock)[k] / (*m.demand)[k] : 0.0;
    if ((*m.grid)[k] == 1) (*m.electricity_hours)[k] = power_hours;
    else if ((*m.grid)[k] == 2) (*m.electricity_hours)[k] = p("bamako_electricity_hours_per_day");
  }
}

void SahelModel::State::initialise_legitimacy() {
  measure_presence();
  double weighted = 0.0, people = 0.0;
  for (std::size_t i = 0; i < village_points.size(); ++i) {
    const double s = (*v.state_share)[i];
    const double l = rules::clamp01(p("legitimacy_initial") - p("legitimacy_initial_insurgent_penalty") * (1.0 - s));
    (*v.legitimacy)[i] = l;
    (*v.legitimacy_baseline)[i] = l;
    (*v.legitimacy_initial)[i] = l;
    weighted += l * (*v.residents)[i];
    people += (*v.residents)[i];
  }
  legitimacy_start = people > 0 ? weighted / people : 0.0;
}

void SahelModel::State::build_schedule() {
  std::vector<std::string> known = {"calendar", "command", "convoys", "corridors", "events", "tallies", "power_grid"};
  for (const core::ColumnTable* table : {&villages, &bands, &units, &markets, &convoy_view}) {
    known.push_back(table->kind() + ".*");
    for (const auto& c : table->columns()) known.push_back(table->kind() + "." + c->name());
  }
  schedule = core::Schedule(known);
  auto add = [&](const char* name, std::vector<std::string> reads, std::vector<std::string> writes, void (State::*fn)()) {
    schedule.add({name, std::move(reads), std::move(writes), [this, fn] { (this->*fn)(); }});
  };
  // What each phase reads and writes, helpers included (kill_civilians_near writes the victims'
  // villages; reprisal writes the abused village; add_event writes the events and tallies).
  const std::vector<std::string> violence_on_villages = {
      "village.residents", "village.last_lethal_day", "village.state_killed", "village.insurgent_killed",
      "village.protected_events", "village.failed_events", "village.grievance", "village.fear_state"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  add("scheduled_events", {"calendar", "market.price"},
      {"corridors", "command", "village.legitimacy", "unit.force", "unit.kind", "unit.discipline", "events", "tallies"},
      &State::apply_scheduled_events);
  add("insurgent_command", {"calendar", "corridors", "band.x", "band.y", "band.alive"},
      {"band.duty", "band.acted", "command"}, &State::insurgent_command);
  add("presence_and_control", {"band.*", "unit.*", "village.last_militant_levy", "village.last_state_levy"},
      {"village.militant_presence", "village.state_presence", "village.state_share", "village.band", "village.control"},
      &State::measure_presence);
  add("village_economy", {"village.*", "market.price", "market.shortage", "market.shops_open", "calendar", "command"},
      {"village.food_days", "village.cash", "village.income", "village.hardship", "village.untaxed_harvest"},
      &State::village_economy);
  add("levies_and_punishment", {"village.*", "band.*", "unit.*"},
      with({"village.food_days", "village.cattle", "village.untaxed_harvest", "village.levy_cash_today",
            "village.last_militant_levy", "village.last_state_levy", "village.punished_today", "village.fear_militant",
            "village.recruits_total", "band.cash", "band.fighters", "events", "tallies"},
           violence_on_villages),
      &State::collect_levies);
  add("bands_act", {"band.*", "village.*", "unit.*", "market.*", "command"},
      with({"band.*", "village.cattle", "unit.troops", "unit.alive", "unit.fuel", "unit.attacked_today", "market.stock",
            "events", "tallies"},
           violence_on_villages),
      &State::bands_act);
  add("import_and_dispatch", {"corridors", "market.*", "unit.*", "calendar"},
      {"convoys", "corridors", "unit.busy_until", "unit.convoy", "unit.troops", "unit.fuel", "market.stock",
       "market.in_transit", "market.next_delivery", "tallies"},
      &State::import_and_dispatch);
  add("convoys_and_ambushes", {"convoys", "band.*", "unit.*", "village.*"},
      with({"convoys", "band.*", "unit.troops", "unit.x", "unit.y", "unit.fuel", "unit.convoy", "corridors",
            "market.stock", "market.in_transit", "market.delivered_today", "events", "tallies"},
           violence_on_villages),
      &State::move_convoys_and_ambush);
  add("markets_and_power", {"market.*", "command", "power_grid"},
      {"market.stock", "market.price", "market.cover", "market.shortage", "market.electricity_hours",
       "market.shops_open", "market.consumed_today", "power_grid"},
      &State::markets_trade);
  add("military_act", {"unit.*", "band.*", "village.*", "market.*"},
      with({"band.fighters", "band.morale", "unit.fuel", "market.stock", "events", "tallies"}, violence_on_villages),
      &State::military_act);
  add("villages_respond", {"village.*", "market.*", "power_grid", "band.*"},
      {"village.legitimacy", "village.legitimacy_baseline", "village.abuse_exposure", "village.shortage_exposure",
       "village.grievance", "village.fear_state", "village.fear_militant", "village.residents", "village.displaced_out",
       "village.displaced_in", "village.displaced_today", "village.recruits_today", "village.recruits_total",
       "band.fighters", "band.recruits_30d", "tallies"},
      &State::villages_respond);
  add("close_day", {"events", "tallies", "village.*", "market.*", "convoys"}, {"tallies", "calendar", "convoy.*"},
      &State::close_day);
}

}  // namespace sahelsim::models::sahel

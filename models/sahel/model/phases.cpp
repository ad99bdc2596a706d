// The Sahel model's daily phases, in schedule order (setup.cpp builds the schedule; docs/ODD.md,
// "Process overview and scheduling", describes each). Per-village work runs in parallel over
// village chunks and draws from streams keyed by (seed, purpose, village, day); every transfer
// between agents (levies to bands, recruits, convoys, attacks) is resolved in index order.
#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/random/poisson_distribution.hpp>

#include "models/sahel/model/state.hpp"
#include "sahelsim/core/random_stream.hpp"

namespace sahelsim::models::sahel {
namespace {

using core::purpose_id;
using core::RandomStream;
using core::StreamFamily;

constexpr std::size_t kChunk = 512;

double poisson(RandomStream& stream, double mean) {
  if (mean <= 0) return 0.0;
  boost::random::poisson_distribution<int, double> dist(mean);
  return double(dist(stream));
}

// Whether the date is the harvest's day of the year (1 = 1 January); a day beyond the year's length
// (366 in a year of 365 days) is its last day.
bool is_harvest_day(const Date& date, std::int64_t harvest_day_of_year) {
  return date.day_of_year() == std::min<std::int64_t>(harvest_day_of_year, date.days_in_year());
}

}  // namespace

void SahelModel::State::add_event(Event e) {
  e.day = std::int32_t(day + 1);
  e.lon = e.where.x / km_per_deg_lon;
  e.lat = e.where.y / km_per_deg_lat;
  e.town = nearest_town(e.where);
  const std::int64_t cell = map->grid().cell_at(e.lon, e.lat);
  e.region = cell >= 0 ? map->layers().region[cell] : -1;
  // Civilians and drivers are killed by whoever acted; soldiers by militants; militants by the
  // state side that acted or that they attacked (army for a generic "state" target).
  const bool state_actor = e.actor == Actor::army || e.actor == Actor::partner || e.actor == Actor::militia;
  const Actor militants_killer = state_actor ? e.actor
                                 : (e.target == Actor::partner || e.target == Actor::militia) ? e.target : Actor::army;
  deaths_today[int(Actor::militant)][int(Victim::soldier)] += e.soldiers_killed;
  deaths_today[int(militants_killer)][int(Victim::militant)] += e.militants_killed;
  deaths_today[int(e.actor)][int(Victim::driver)] += e.drivers_killed;
  deaths_today[int(e.actor)][int(Victim::civilian)] += e.civilians_killed;
  events_today.push_back(e);
}

std::int32_t SahelModel::State::nearest_village(const Point& where, double radius) const {
  std::int32_t best = -1;
  double best_d = 1e300;
  village_index.within(where, radius, village_points, [&](std::int32_t i) {
    const double d = distance_km(village_points[i], where);
    if (d < best_d) best_d = d, best = i;
  });
  return best;
}

// Kills up to `killed` residents of `village` (no more than it has) and returns how many died; the
// villages around hear of it (legitimacy, fear, flight).
double SahelModel::State::kill_civilians_near(const Point& where, double killed, Actor perpetrator, std::int32_t village) {
  if (village >= 0) killed = std::min(killed, (*v.residents)[village]);
  if (killed <= 0) return 0.0;
  const bool by_state = perpetrator == Actor::army || perpetrator == Actor::partner || perpetrator == Actor::militia;
  const double radius = p("abuse_radius_km"), flee_radius = p("flee_radius_km");
  village_index.within(where, std::max(radius, flee_radius), village_points, [&](std::int32_t i) {
    const double d = distance_km(village_points[i], where);
    const double weight = i == village ? 1.0 : (d <= radius ? 0.2 : 0.0);  // the victims' village, neighbours hear of it
    if (by_state) (*v.state_killed)[i] += weight * killed;
    else (*v.insurgent_killed)[i] += weight * killed;
    if (d <= flee_radius || i == village) (*v.last_lethal_day)[i] = std::int32_t(day + 1);
  });
  if (village >= 0) (*v.residents)[village] = std::max(0.0, (*v.residents)[village] - killed);
  return killed;
}

bool SahelModel::State::in_hot_zone(const Point& where) const {
  for (const Point& site : ambush_sites_2025)
    if (distance_km(site, where) <= kAmbushZoneKm) return true;
  return false;
}

bool SahelModel::State::state_responds(const Point& where, double attackers) const {
  // R-h3: a garrison with spare troops (at least half the attackers) and fuel within response_km.
  bool responds = false;
  const double reach = p("response_km");
  for (std::size_t k = 0; k < u.troops->size() && !responds; ++k) {
    if (!(*u.alive)[k] || (*u.role)[k] != std::uint8_t(UnitRole::garrison) || (*u.fuel)[k] <= 0) continue;
    responds = (*u.troops)[k] - (*u.hold)[k] >= 0.5 * attackers && distance_km(unit_points[k], where) <= reach;
  }
  return responds;
}

void SahelModel::State::mark_attack_near(const Point& where, bool repelled) {
  village_index.within(where, p("abuse_radius_km"), village_points, [&](std::int32_t i) {
    if (repelled) (*v.protected_events)[i] += 1.0;
    else (*v.failed_events)[i] += 1.0;
  });
}

bool SahelModel::State::air_support_at(const Point& where) const {
  // Air support needs fuel: none when the capital's depots are dry.
  if ((*m.shortage)[capital_market] >= 0.95) return false;
  for (const Point& base : air_bases)
    if (distance_km(base, where) <= p("air_support_km")) return true;
  return false;
}

double SahelModel::State::band_cash_days(std::int32_t k) const {
  const double f = std::max(1.0, (*b.fighters)[k]);
  return (*b.cash)[k] / std::max(1e-9, f * p("band_cash_fcfa_per_fighter_day"));
}

// ---- scheduled_events ----------------------------------------------------------------------------

void SahelModel::State::apply_scheduled_events() {
  const std::int64_t today = scenario.start.days_since_epoch() + day;  // the day step day + 1 simulates
  for (const ScenarioEvent& e : scenario.events) {
    if (e.date.days_since_epoch() != today) continue;
    Event ev;
    ev.actor = Actor::state;
    ev.where = town_points[capital_town];
    switch (e.kind) {
      case EventKind::blockade:
      case EventKind::lift_blockade: {
        const bool on = e.kind == EventKind::blockade;
        for (const auto& name : e.corridors)
          for (std::size_t c = 0; c < map->corridors().size(); ++c)
            if (map->corridors()[c].name == name) {
              corridor_blockaded[c] = on ? 1 : 0;
              if (on) corridor_ever_blockaded[c] = 1;
            }
        ev.kind = on ? EventType::blockade_declared : EventType::blockade_lifted;
        ev.actor = Actor::militant;
        ev.target = Actor::traders;
        if (on && blockade_start_day < 0) {
          blockade_start_day = day + 1;
          price_before_blockade = (*m.price)[capital_market];
        }
        break;
      }
      case EventKind::fuel_sale_ban:
        (e.scope == "national" ? national_fuel_ban : rural_fuel_ban) = true;
        if (e.scope == "national") rural_fuel_ban = true;
        ev.kind = EventType::fuel_sale_ban;
        break;
      case EventKind::partner_replaces: {
        // The new force takes over the old one's posts and troops (with its own discipline).
        std::int16_t old_force = -1, new_force = -1;
        for (std::size_t f = 0; f < force_names.size(); ++f) {
          if (force_names[f] == e.old_force) old_force = std::int16_t(f);
          if (force_names[f] == e.new_force) new_force = std::int16_t(f);
        }
        if (old_force >= 0 && new_force >= 0) {
          const ForceKind kind = force_kinds[new_force];
          const UnitKind uk = kind == ForceKind::army ? UnitKind::army : kind == ForceKind::partner ? UnitKind::partner : UnitKind::militia;
          for (std::size_t k = 0; k < u.troops->size(); ++k)
            if ((*u.force)[k] == old_force) {
              (*u.force)[k] = new_force;
              (*u.kind)[k] = std::uint8_t(uk);
              (*u.discipline)[k] = uk == UnitKind::army ? p("army_discipline")
                                   : uk == UnitKind::partner ? p("partner_discipline") : p("militia_discipline");
              ev.where = unit_points[k];
            }
        }
        ev.kind = EventType::partner_replaces;
        break;
      }
      case EventKind::legitimacy_shock:
        for (std::size_t i = 0; i < v.legitimacy->size(); ++i) {
          (*v.legitimacy)[i] = rules::clamp01((*v.legitimacy)[i] + e.delta);  // fades toward the baseline (R-c3)
        }
        ev.kind = EventType::legitimacy_shock;
        break;
    }
    add_event(ev);
  }
}

// ---- insurgent_command ---------------------------------------------------------------------------

void SahelModel::State::insurgent_command() {
  // Blockade duty: bands within blockade_duty_km of a blockaded corridor's road in Mali.
  const double duty_km = p("blockade_duty_km");
  for (std::size_t k = 0; k < b.x->size(); ++k) {
    (*b.duty)[k] = 0;
    (*b.acted)[k] = 0;
    if (!(*b.alive)[k]) continue;
    const Point at = band_points[k];
    for (std::size_t c = 0; c < corridor_route.size() && !(*b.duty)[k]; ++c) {
      if (!corridor_blockaded[c]) continue;
      const RoutePath& path = routes[corridor_route[c]];
      for (std::size_t s = 0; s < path.points.size(); ++s)
        if (path.in_mali[s] && distance_km(path.points[s], at) <= duty_km) {
          (*b.duty)[k] = 1;
          break;
        }
    }
  }
  // Days of simultaneous strikes: a Bernoulli draw with mean interval strike_interval_days.
  RandomStream stream(seed, purpose_id("command.strike"), 0, std::uint64_t(day + 1));
  strike_day = stream.uniform01() < 1.0 / double(std::max<std::int64_t>(1, pi("strike_interval_days")));
}

// ---- presence_and_control ------------------------------------------------------------------------

void SahelModel::State::measure_presence() {
  for (std::size_t k = 0; k < band_points.size(); ++k) band_points[k] = {(*b.x)[k], (*b.y)[k]};
  for (std::size_t k = 0; k < unit_points.size(); ++k) unit_points[k] = {(*u.x)[k], (*u.y)[k]};
  const double band_r = p("band_influence_km"), patrol_r = p("patrol_km");
  band_index.build(band_points, b.alive, band_r);
  unit_index.build(unit_points, u.alive, patrol_r);
  const double memory = p("control_memory_days");
  const bool first = !presence_initialised;
  presence_initialised = true;
  const std::int32_t today = std::int32_t(day + 1);
  const std::int64_t interval = pi("collection_interval_days");
  executor.for_each(village_points.size(), kChunk, [&](std::size_t i) {
    const Point at = village_points[i];
    double militant = 0.0, state = 0.0, nearest = 1e300;
    std::int32_t band = -1;
    band_index.within(at, band_r, band_points, [&](std::int32_t k) {
      const double d = distance_km(band_points[k], at);
      militant += rules::presence((*b.fighters)[k], d, band_r);
      if (d < nearest) nearest = d, band = k;
    });
    unit_index.within(at, patrol_r, unit_points, [&](std::int32_t k) {
      if ((*u.role)[k] != std::uint8_t(UnitRole::garrison)) return;
      state += rules::presence((*u.troops)[k], distance_km(unit_points[k], at), patrol_r);
    });
    (*v.militant_presence)[i] = militant;
    (*v.state_presence)[i] = state;
    (*v.band)[i] = band;
    const bool anyone = militant + state > 0;
    const double share_now = anyone ? state / (state + militant) : (*v.state_share)[i];
    if (first) (*v.state_share)[i] = anyone ? share_now : 0.5;
    else (*v.state_share)[i] += (share_now - (*v.state_share)[i]) / memory;
    const bool militant_levy = today - (*v.last_militant_levy)[i] <= interval;
    const bool state_levy = today - (*v.last_state_levy)[i] <= interval;
    (*v.control)[i] = std::uint8_t(rules::control_class((*v.state_share)[i], anyone || militant_levy, militant_levy, state_levy));
  });
}

// ---- village_economy -----------------------------------------------------------------------------

void SahelModel::State::village_economy() {
  // Step day + 1 simulates the date start + day (events, ODD §2).
  const bool harvest_today = is_harvest_day(scenario.start.plus_days(day), pi("harvest_day_of_year"));
  const double harvest = p("harvest_food_days"), income0 = p("daily_income_fcfa"), fuel_share = p("fuel_income_share");
  const double state_tax = p("state_tax_share"), official = p("fuel_price_fcfa_per_litre");
  const double food_day_price = 0.5 * income0;  // ASSUMED: half of a normal income buys a day of food
  const bool rural_ban = rural_fuel_ban;
  executor.for_each(village_points.size(), kChunk, [&](std::size_t i) {
    const std::int32_t mk = (*v.market)[i];
    const double shortage = (*m.shortage)[mk];
    const double price_ratio = (*m.price)[mk] / official;
    // Fuel access: the market's shortage; rural villages also lose small-scale sales under a ban.
    const double fuel_gap = std::max(shortage, (rural_ban && !(*v.is_town)[i]) ? 0.5 : 0.0);
    const double market_open = (*m.shops_open)[mk];
    double income = income0 * (1.0 - fuel_share * fuel_gap) * (0.5 + 0.5 * market_open);
    if ((*v.state_share)[i] >= 0.4) income *= 1.0 - state_tax;
    (*v.income)[i] = income;
    // Food: harvest once a year, one day eaten a day, the gap bought at the market when cash allows
    // (food prices pass fuel prices through, R-e4).
    double food = (*v.food_days)[i];
    if (harvest_today) {
      const double h = harvest * (*v.harvest_factor)[i];
      food += h;
      (*v.untaxed_harvest)[i] += h;
    }
    food -= 1.0;
    double cash = (*v.cash)[i] + income;
    const double food_price = food_day_price * (1.0 + 0.2 * std::max(0.0, price_ratio - 1.0));
    if (food < 30.0 && market_open > 0) {
      const double want = std::min(30.0 - food, 3.0);
      const double buy = std::min(want, std::max(0.0, cash) / food_price);
      food += buy;
      cash -= buy * food_price;
    }
    (*v.food_days)[i] = std::max(0.0, food);
    (*v.cash)[i] = cash;
    // Hardship (R-b1, R-b4): hunger, prices, lost income, displacement.
    const double food_stress = rules::clamp01(1.0 - (*v.food_days)[i] / 30.0);
    const double price_stress = rules::clamp01((price_ratio - 1.0) / 3.0);
    const double income_loss = rules::clamp01(1.0 - income / std::max(1e-9, income0));
    const double pop = std::max(1.0, double((*v.population_2022)[i]));
    const double displaced = rules::clamp01((*v.displaced_out)[i] / pop);
    (*v.hardship)[i] = rules::clamp01(0.35 * food_stress + 0.25 * price_stress + 0.25 * income_loss + 0.15 * displaced);
  });
}

// ---- levies_and_punishment -----------------------------------------------------------------------

void SahelModel::State::collect_levies() {
  const std::int64_t interval = pi("collection_interval_days");
  const std::int32_t today = std::int32_t(day + 1);
  const double max_share = p("militant_tax_max_state_share"), zakat_harvest = p("zakat_harvest_share");
  const double zakat_cattle = p("zakat_cattle_share"), cattle_price = p("cattle_price_fcfa");
  const double food_day_price = 0.5 * p("daily_income_fcfa");
  const double punish = p("punishment_probability"), execution = p("execution_share");
  const double state_tax = p("state_tax_share");
  const StreamFamily streams(seed, purpose_id("village.levy"), std::uint64_t(today));
  // Parallel: each village due today decides whether it pays (R-a1, R-a3).
  executor.for_each(village_points.size(), kChunk, [&](std::size_t i) {
    (*v.levy_cash_today)[i] = 0.0;
    (*v.punished_today)[i] = 0;
    if ((today + std::int64_t(i)) % interval != 0) return;
    const double s = (*v.state_share)[i];
    if ((*v.state_presence)[i] > 0 && s >= 0.4) (*v.last_state_levy)[i] = today;
    const std::int32_t band = (*v.band)[i];
    if (band < 0 || s >= max_share) return;
    RandomStream stream = streams.stream(i);
    const double pay = rules::compliance_probability(s, (*v.fear_militant)[i], (*v.legitimacy)[i]);
    const double residents = (*v.residents)[i];
    if (stream.uniform01() < pay) {
      const double food_levy = zakat_harvest * (*v.untaxed_harvest)[i];
      const double cattle_levy = zakat_cattle * (*v.cattle)[i] * double(interval) / 365.0;
      (*v.food_days)[i] = std::max(0.0, (*v.food_days)[i] - food_levy);
      (*v.untaxed_harvest)[i] = 0.0;
      (*v.cattle)[i] -= cattle_levy;
      (*v.levy_cash_today)[i] = food_levy * residents * food_day_price + cattle_levy * cattle_price;
      (*v.last_militant_levy)[i] = today;
    } else if (stream.uniform01() < punish) {
      const double lethal = rules::execution_share(execution, s);
      const double r = stream.uniform01();
      // confiscation, abduction, execution, forced recruitment (R-a3)
      (*v.punished_today)[i] = r < lethal ? 3 : r < lethal + (1 - lethal) / 3 ? 2 : r < lethal + 2 * (1 - lethal) / 3 ? 1 : 4;
      if ((*v.punished_today)[i] == 1) {
        const double taken = 0.1 * (*v.cattle)[i];
        (*v.cattle)[i] -= taken;
        (*v.levy_cash_today)[i] = taken * cattle_price;
      }
      (*v.fear_militant)[i] += 0.1 * (1.0 - (*v.fear_militant)[i]);
    }
  });
  // Sequential: levies to bands, punishments to the event log (village order).
  for (std::size_t i = 0; i < village_points.size(); ++i) {
    const std::int32_t band = (*v.band)[i];
    if ((*v.levy_cash_today)[i] > 0 && band >= 0) {
      (*b.cash)[band] += (*v.levy_cash_today)[i];
      levies_militant_today += (*v.levy_cash_today)[i];
    }
    if ((*v.last_state_levy)[i] == today)
      levies_state_today += state_tax * (*v.income)[i] * (*v.residents)[i] * double(interval);
    const int kind = (*v.punished_today)[i];
    if (kind == 0 || band < 0) continue;
    if (kind == 3) {
      RandomStream stream(seed, purpose_id("village.execution"), i, std::uint64_t(today));
      Event e;
      e.kind = EventType::punishment;
      e.actor = Actor::militant;
      e.target = Actor::state;
      e.where = village_points[i];
      e.agent = band;
      e.civilians_killed = kill_civilians_near(e.where, 1.0 + poisson(stream, 0.25), Actor::militant, std::int32_t(i));
      mark_attack_near(e.where, state_responds(e.where, (*b.fighters)[band]));
      add_event(e);
    } else if (kind == 2) {
      Event e;
      e.kind = EventType::kidnapping;
      e.actor = Actor::militant;
      e.where = village_points[i];
      e.agent = band;
      add_event(e);
    } else if (kind == 4) {
      const double men = std::min(p("forced_recruits_per_village"), (*v.residents)[i]);
      (*b.fighters)[band] += men;
      (*v.residents)[i] -= men;
      (*v.recruits_total)[i] += men;
      recruits_today_total += men;
    }
  }
}

// ---- bands_act -----------------------------------------------------------------------------------

std::vector<std::int32_t> SahelModel::State::post_units(std::int32_t unit) const {
  // Garrisons within kPostKm of each other (e.g. the army and the partner force in the same town)
  // defend, and fall, together.
  std::vector<std::int32_t> post;
  for (std::size_t k = 0; k < u.troops->size(); ++k)
    if ((*u.alive)[k] && (*u.role)[k] == std::uint8_t(UnitRole::garrison) &&
        distance_km(unit_points[k], unit_points[unit]) <= kPostKm)
      post.push_back(std::int32_t(k));
  return post;
}

double SahelModel::State::post_troops(std::int32_t unit) const {
  double troops = 0.0;
  for (std::int32_t k : post_units(unit)) troops += (*u.troops)[k];
  return troops;
}

void SahelModel::State::garrison_assault(std::int32_t unit, std::int32_t band, double attackers) {
  const std::int32_t today = std::int32_t(day + 1);
  RandomStream stream(seed, purpose_id("band.assault"), std::uint64_t(unit), std::uint64_t(today));
  const std::vector<std::int32_t> post = post_units(unit);
  double defenders = 0.0;
  for (std::int32_t k : post) defenders += std::max(0.0, (*u.troops)[k]);
  const Point where = unit_points[unit];
  const bool air = air_support_at(where);
  const double p_over = rules::overrun_probability(attackers, defenders, p("overrun_ratio_mid"), p("overrun_slope"), air,
                                                   p("air_support_factor"));
  const bool overrun = stream.uniform01() < p_over;
  Event e;
  e.kind = overrun ? EventType::garrison_overrun : EventType::garrison_attack;
  e.actor = Actor::militant;
  e.target = Actor(int((*u.kind)[unit]) + 1);
  e.where = where;
  e.agent = band;
  e.soldiers_killed = std::round(overrun ? 0.1 * defenders : std::min(defenders, 0.03 * attackers));
  e.militants_killed = std::round((overrun ? 0.03 : 0.05) * attackers * (air ? 1.5 : 1.0));
  for (std::int32_t k : post) {  // losses pro rata over the post's units
    const double share = defenders > 0 ? (*u.troops)[k] / defenders : 0.0;
    (*u.troops)[k] = std::max(0.0, (*u.troops)[k] - share * e.soldiers_killed);
    (*u.attacked_today)[k] = 1;
  }
  // Losses spread over the attacking bands in proportion to their fighters (band first).
  double left = e.militants_killed;
  const double share = (*b.fighters)[band] / std::max(1.0, attackers);
  (*b.fighters)[band] = std::max(0.0, (*b.fighters)[band] - left * share);
  left -= left * share;
  band_index.within(band_points[band], p("ambush_join_km"), band_points, [&](std::int32_t k) {
    if (k == band || !(*b.acted)[k] || left <= 0) return;
    const double take = std::min((*b.fighters)[k], left);
    (*b.fighters)[k] -= take;
    left -= take;
  });
  if (overrun) {
    // The post falls: survivors withdraw, the attackers take fuel, vehicles and cash (R-h2).
    (*b.cash)[band] += 5e6;
    (*b.morale)[band] = std::min(1.0, (*b.morale)[band] + 0.2);
    for (std::int32_t k : post) {
      (*b.fuel)[band] += (*u.fuel)[k];
      (*u.fuel)[k] = 0.0;
      (*u.alive)[k] = 0;
    }
    // Survivors withdraw to the nearest garrison still held (Boulkessi, Farabougou).
    std::int32_t refuge = -1;
    double refuge_d = 1e300;
    for (std::size_t k = 0; k < u.troops->size(); ++k)
      if ((*u.alive)[k] && (*u.role)[k] == std::uint8_t(UnitRole::garrison) && distance_km(unit_points[k], where) < refuge_d)
        refuge_d = distance_km(unit_points[k], where), refuge = std::int32_t(k);
    for (std::int32_t k : post) {
      if (refuge >= 0) (*u.troops)[refuge] += (*u.troops)[k];
      (*u.troops)[k] = 0.0;
      if ((*u.town)[k] == capital_town) capital_captured = true;
    }
    if (distance_km(where, town_points[capital_town]) < 30.0) capital_captured = true;
  } else {
    (*b.morale)[band] = std::max(0.0, (*b.morale)[band] - 0.1);
  }
  add_event(e);
  mark_attack_near(where, !overrun);
  reprisal(unit, where, 0, p("reprisal_probability") * (1.0 - (*u.discipline)[unit]));
}

void SahelModel::State::bands_act() {
  const std::int32_t today = std::int32_t(day + 1);
  const double reach = p("band_reach_km"), join_km = p("ambush_join_km");
  const double cash_rate = p("band_cash_fcfa_per_fighter_day"), fuel_rate = p("band_fuel_litres_per_fighter_day");
  const double attack_ratio = p("garrison_attack_ratio");
  const double garrison_attack_probability = p("garrison_attack_daily_probability");
  const double strike_ratio = 0.25 * attack_ratio;  // on strike days bands also hit stronger posts (1 Jul 2025)
  for (std::size_t k = 0; k < b.x->size(); ++k) {
    if (!(*b.alive)[k]) continue;
    RandomStream stream(seed, purpose_id("band.act"), k, std::uint64_t(today));
    const double fighters = (*b.fighters)[k];
    Point at = band_points[k];
    // Upkeep and desertion when broke.
    (*b.cash)[k] -= fighters * cash_rate;
    (*b.fuel)[k] = std::max(0.0, (*b.fuel)[k] - fighters * fuel_rate);
    if ((*b.cash)[k] < 0) {
      (*b.fighters)[k] *= 0.99;
      (*b.morale)[k] = std::max(0.0, (*b.morale)[k] - 0.01);
      (*b.cash)[k] = 0;
    }
    (*b.recruits_30d)[k] *= 29.0 / 30.0;
    // Buy fuel at the nearest market (smuggled, at its price) up to 10 days of need.
    const std::int32_t village = nearest_village(at, 25.0);  // for kidnappings on busy roads
    const std::int32_t mk = nearest_market(at);
    if (mk >= 0 && distance_km(market_points[mk], at) <= reach) {
      const double want = std::max(0.0, 10.0 * fighters * fuel_rate - (*b.fuel)[k]);
      const double afford = (*b.cash)[k] / std::max(1.0, (*m.price)[mk]);
      const double bought = std::min({want, afford, 0.01 * (*m.stock)[mk]});
      (*b.fuel)[k] += bought;
      (*b.cash)[k] -= bought * (*m.price)[mk];
      (*m.stock)[mk] -= bought;
    }
    const double mobility = (*b.fuel)[k] > fighters * fuel_rate ? 1.0 : 0.3;
    // Garrison assaults: the weakest post within reach that the band and its neighbours outnumber.
    const double ratio_needed = strike_day ? strike_ratio : attack_ratio;
    const bool try_assault = strike_day || stream.uniform01() < garrison_attack_probability * (*b.morale)[k];
    if (try_assault && !(*b.acted)[k]) {
      std::int32_t target = -1;
      double best_ratio = 0.0, best_attackers = 0.0;
      // Allies: bands within ambush_join_km of this one, free today, on the same duty.
      double attackers = 0.0;
      band_index.within(at, join_km, band_points, [&](std::int32_t j) {
        if (!(*b.acted)[j] && (*b.alive)[j] && (*b.duty)[j] == (*b.duty)[k]) attackers += (*b.fighters)[j];
      });
      unit_index.within(at, reach * mobility, unit_points, [&](std::int32_t unit) {
        if ((*u.role)[unit] != std::uint8_t(UnitRole::garrison) || !(*u.alive)[unit] || (*u.attacked_today)[unit]) return;
        const double ratio = attackers / std::max(1.0, post_troops(unit));
        if (ratio >= ratio_needed && ratio > best_ratio) best_ratio = ratio, target = unit, best_attackers = attackers;
      });
      if (target >= 0) {
        // The joining bands are committed for the day.
        band_index.within(at, join_km, band_points, [&](std::int32_t j) {
          if (!(*b.acted)[j] && (*b.alive)[j] && (*b.duty)[j] == (*b.duty)[k]) (*b.acted)[j] = 1;
        });
        garrison_assault(target, std::int32_t(k), best_attackers);
        continue;
      }
    }
    // Raids when supplies run low (R-a5): the richest herd within reach.
    if (band_cash_days(std::int32_t(k)) < p("raid_threshold_days") && !(*b.acted)[k]) {
      std::int32_t target = -1;
      double best = 0.0;
      village_index.within(at, reach * mobility, village_points, [&](std::int32_t i) {
        if ((*v.cattle)[i] > best) best = (*v.cattle)[i], target = i;
      });
      if (target >= 0) {
        const double taken = p("raid_cattle_fraction") * (*v.cattle)[target];
        (*v.cattle)[target] -= taken;
        (*b.cash)[k] += taken * p("cattle_price_fcfa");
        (*b.acted)[k] = 1;
        Event e;
        e.kind = EventType::village_raid;
        e.actor = Actor::militant;
        e.where = village_points[target];
        e.agent = std::int32_t(k);
        e.civilians_killed = kill_civilians_near(e.where, poisson(stream, p("raid_civilians_killed_mean")), Actor::militant,
                                                 target);
        add_event(e);
        mark_attack_near(e.where, state_responds(e.where, fighters));
        (*b.x)[k] = 0.5 * (at.x + village_points[target].x);
        (*b.y)[k] = 0.5 * (at.y + village_points[target].y);
        continue;
      }
    }
    // Kidnapping near busy roads.
    if (stream.uniform01() < p("kidnapping_daily_probability") && village >= 0 && (*v.near_corridor)[village]) {
      (*b.cash)[k] += 2e6;  // ASSUMED ransom
      Event e;
      e.kind = EventType::kidnapping;
      e.actor = Actor::militant;
      e.target = Actor::traders;
      e.where = at;
      e.agent = std::int32_t(k);
      add_event(e);
    }
    // Movement: blockade duty → the nearest covered stretch of a blockaded corridor; else back
    // toward the base and around it (evading stronger state forces nearby).
    Point goal{(*b.base_x)[k], (*b.base_y)[k]};
    if ((*b.duty)[k]) {
      double best = 1e300;
      for (std::size_t c = 0; c < corridor_route.size(); ++c) {
        if (!corridor_blockaded[c]) continue;
        const RoutePath& path = routes[corridor_route[c]];
        for (std::size_t s = 0; s < path.points.size(); ++s)
          if (path.cover[s]) {
            const double d = distance_km(path.points[s], at);
            if (d < best) best = d, goal = path.points[s];
          }
      }
    } else {
      const double angle = 2 * M_PI * stream.uniform01(), r = p("band_influence_km") * stream.uniform01();
      goal = {goal.x + r * std::cos(angle), goal.y + r * std::sin(angle)};
    }
    const double d = distance_km(goal, at);
    const double step = std::min(d, 0.5 * reach * mobility);
    if (d > 0) {
      (*b.x)[k] = at.x + (goal.x - at.x) * step / d;
      (*b.y)[k] = at.y + (goal.y - at.y) * step / d;
    }
  }
  for (std::size_t k = 0; k < b.x->size(); ++k) {
    band_points[k] = {(*b.x)[k], (*b.y)[k]};
    if ((*b.alive)[k] && (*b.fighters)[k] < 1.0) (*b.alive)[k] = 0;
  }
  band_index.build(band_points, b.alive, p("band_influence_km"));
}

// ---- import_and_dispatch -------------------------------------------------------------------------

void SahelModel::State::send_import_convoy(std::size_t corridor, std::int32_t tankers, std::int32_t escort,
                                           std::int32_t depart_day) {
  Convoy convoy;
  convoy.route = corridor_route[corridor];
  convoy.corridor = std::int32_t(corridor);
  convoy.market = corridor_depot[corridor];
  convoy.tankers = convoy.tankers_start = tankers;
  convoy.escort_unit = escort;
  convoy.depart_day = depart_day;
  corridor_queue[corridor] -= tankers;
  if (convoy.market >= 0) (*m.in_transit)[convoy.market] += tankers * p("tanker_capacity_litres");
  convoys.push_back(convoy);
  ++convoys_sent_today;
  tankers_sent_today += tankers;
}

void SahelModel::State::import_and_dispatch() {
  const std::int32_t today = std::int32_t(day + 1);
  const double capacity = p("tanker_capacity_litres");
  const double power_need = p("power_fuel_need_litres_per_day");
  // Importers order what their depot's markets burn plus a refill toward the target stock.
  std::vector<double> depot_need(m.town->size(), 0.0), depot_stock(m.town->size(), 0.0);
  for (std::size_t k = 0; k < m.town->size(); ++k) {
    const std::int32_t d = (*m.depot)[k];
    depot_need[d] += (*m.demand)[k];
    depot_stock[d] += (*m.stock)[k] + (*m.in_transit)[k];
  }
  depot_need[capital_market] += power_need;
  std::vector<double> share_sum(m.town->size(), 0.0);
  for (std::size_t c = 0; c < corridor_share.size(); ++c)
    if (corridor_depot[c] >= 0) share_sum[corridor_depot[c]] += corridor_share[c];
  double ordered_total = 0.0;
  std::vector<double> order(corridor_share.size(), 0.0);
  for (std::size_t c = 0; c < corridor_share.size(); ++c) {
    const std::int32_t d = corridor_depot[c];
    if (d < 0 || share_sum[d] <= 0) continue;
    double queued = 0.0;
    for (std::size_t c2 = 0; c2 < corridor_share.size(); ++c2)
      if (corridor_depot[c2] == d) queued += corridor_queue[c2] * capacity;
    const double refill = std::max(0.0, p("import_stock_target_days") * depot_need[d] - depot_stock[d] - queued) / 7.0;
    order[c] = (depot_need[d] + refill) * corridor_share[c] / share_sum[d] / capacity;
    ordered_total += order[c];
  }
  const double cap = double(pi("max_tankers_per_day"));
  for (std::size_t c = 0; c < order.size(); ++c) {
    if (ordered_total > cap) order[c] *= cap / ordered_total;
    corridor_queue[c] = std::min(corridor_queue[c] + order[c], 20.0 * double(pi("max_convoy_tankers")));
  }
  // Drivers leave unescorted when the corridor feels safe; otherwise they wait for an escort, which
  // the army sends (free detachments, longest queue first) when enough tankers wait.
  std::vector<std::size_t> waiting;
  for (std::size_t c = 0; c < corridor_queue.size(); ++c) {
    const double risk = corridor_risk[c] + (corridor_blockaded[c] ? p("blockade_declared_risk") : 0.0);
    const std::int32_t tankers = std::int32_t(std::floor(corridor_queue[c]));
    if (tankers < 1) continue;
    if (risk <= p("driver_risk_tolerance")) {
      send_import_convoy(c, tankers, -1, today);
    } else if (tankers >= pi("min_convoy_tankers")) {
      waiting.push_back(c);
    }
  }
  // Escorts back at base are brought up to strength from the capital's garrison (R-h1).
  for (std::size_t k = 0; k < u.troops->size(); ++k) {
    if ((*u.role)[k] != std::uint8_t(UnitRole::escort) || (*u.busy_until)[k] >= today || escort_source < 0) continue;
    const double missing = std::max(0.0, p("escort_troops_per_convoy") - (*u.troops)[k]);
    const double spare = std::max(0.0, (*u.troops)[escort_source] - (*u.hold)[escort_source]);
    const double moved = std::min(missing, spare);
    (*u.troops)[k] += moved;
    (*u.troops)[escort_source] -= moved;
  }
  std::stable_sort(waiting.begin(), waiting.end(), [&](std::size_t a, std::size_t c) { return corridor_queue[a] > corridor_queue[c]; });
  const double escort_fuel_per_day = p("escort_troops_per_convoy") * p("troop_fuel_litres_per_soldier_day");
  for (std::size_t c : waiting) {
    std::int32_t escort = -1;
    for (std::size_t k = 0; k < u.troops->size(); ++k)
      if ((*u.role)[k] == std::uint8_t(UnitRole::escort) && (*u.alive)[k] && (*u.busy_until)[k] < today &&
          (*u.troops)[k] >= 0.5 * p("escort_troops_per_convoy")) {
        escort = std::int32_t(k);
        break;
      }
    if (escort < 0) break;
    const RoutePath& path = routes[corridor_route[c]];
    const double days_one_way = std::ceil(path.length_km / p("escorted_convoy_km_per_day"));
    // The escort needs fuel for the round trip, drawn from the capital's depots.
    const double fuel_needed = 2 * days_one_way * escort_fuel_per_day;
    const double from_stock = std::min(fuel_needed, std::max(0.0, (*m.stock)[capital_market]));
    if (from_stock < 0.5 * fuel_needed && (*u.fuel)[escort] < fuel_needed) continue;
    (*m.stock)[capital_market] -= from_stock;
    (*u.fuel)[escort] += from_stock;
    const std::int32_t tankers = std::int32_t(std::min<double>(std::floor(corridor_queue[c]), double(pi("max_convoy_tankers"))));
    (*u.busy_until)[escort] = today + std::int32_t(2 * days_one_way + p("escort_turnaround_days"));
    (*u.convoy)[escort] = std::int32_t(convoys.size());
    // The escort drives out to the border first.
    send_import_convoy(c, tankers, escort, today + std::int32_t(days_one_way));
  }
  // Depots deliver to their markets every distribution interval (unescorted tanker trucks).
  const std::int64_t interval = pi("distribution_interval_days");
  for (std::size_t k = 0; k < m.town->size(); ++k) {
    if ((*m.is_depot)[k] || (*m.next_delivery)[k] > today || (*m.route_from_depot)[k] < 0) continue;
    (*m.next_delivery)[k] = today + std::int32_t(interval);
    const std::int32_t d = (*m.depot)[k];
    const double target = p("market_stock_target_days") * (*m.demand)[k];
    const double want = std::max(0.0, target + (*m.demand)[k] * double(interval) - (*m.stock)[k] - (*m.in_transit)[k]);
    // The depot keeps its own market's cover first: it ships only the stock above a day of its demand.
    const double spare = std::max(0.0, (*m.stock)[d] - 1.0 * ((*m.demand)[d] + (d == capital_market ? power_need : 0.0)));
    const double ship = std::min(want, spare * 0.25);
    const std::int32_t tankers = std::int32_t(std::floor(ship / capacity));
    if (tankers < 1) continue;
    (*m.stock)[d] -= tankers * capacity;
    (*m.in_transit)[k] += tankers * capacity;
    Convoy convoy;
    convoy.route = (*m.route_from_depot)[k];
    convoy.market = std::int32_t(k);
    convoy.tankers = convoy.tankers_start = tankers;
    convoy.depart_day = today;
    convoys.push_back(convoy);
  }
}

// ---- convoys_and_ambushes ------------------------------------------------------------------------

void SahelModel::State::ambush(std::int32_t ci, std::size_t sample, std::int32_t band) {
  Convoy& convoy = convoys[ci];
  const RoutePath& path = routes[convoy.route];
  const Point where = path.points[sample];
  const std::int32_t today = std::int32_t(day + 1);
  RandomStream stream(seed, purpose_id("convoy.ambush"), std::uint64_t(ci), std::uint64_t(today));
  // Nearby bands on blockade duty join (R-d1).
  double attackers = 0.0;
  std::vector<std::int32_t> joined;
  band_index.within(where, p("ambush_join_km"), band_points, [&](std::int32_t k) {
    if ((*b.alive)[k] && (*b.duty)[k] && !(*b.acted)[k]) joined.push_back(k), attackers += (*b.fighters)[k];
  });
  if (std::find(joined.begin(), joined.end(), band) == joined.end()) joined.push_back(band), attackers += (*b.fighters)[band];
  for (std::int32_t k : joined) (*b.acted)[k] = 1;
  const std::int32_t escort = convoy.escort_unit;
  const double escort_troops = escort >= 0 ? (*u.troops)[escort] : 0.0;
  const double cover_factor = path.cover[sample] ? 0.5 : 1.0;
  const rules::AmbushOutcome out = rules::ambush_engagement(
      attackers, escort_troops, p("ambush_fire_rate"), p("escort_fire_rate"), cover_factor, p("escort_break_fraction"),
      p("loss_fraction_escort_breaks"), p("loss_fraction_escort_holds"), p("loss_fraction_unescorted"));
  // R-d3: the mean fraction spread ±1/3, capped by what the attackers can burn; head and tail always.
  const double fraction = rules::clamp01(out.loss_fraction * (2.0 / 3.0 + (2.0 / 3.0) * stream.uniform01()));
  double burnt = std::round(fraction * convoy.tankers);
  burnt = std::min(burnt, std::floor(p("tankers_burnt_per_attacker") * attackers));
  burnt = std::min(double(convoy.tankers), std::max(burnt, std::min(2.0, double(convoy.tankers))));
  const std::int32_t destroyed = std::int32_t(burnt);
  convoy.tankers -= destroyed;
  convoy.tankers_destroyed += destroyed;
  convoy.attacked = true;
  const double capacity = p("tanker_capacity_litres");
  if (convoy.market >= 0) (*m.in_transit)[convoy.market] -= destroyed * capacity;
  // The attackers keep the fuel of a few tankers and lose their dead pro rata.
  for (std::int32_t k : joined) {
    const double share = (*b.fighters)[k] / std::max(1.0, attackers);
    (*b.fighters)[k] = std::max(0.0, (*b.fighters)[k] - share * out.attackers_killed);
    (*b.fuel)[k] += share * std::min(3.0, burnt) * capacity * 0.2;
    (*b.morale)[k] = std::min(1.0, (*b.morale)[k] + (destroyed > 0 ? 0.05 : -0.05));
  }
  if (escort >= 0) (*u.troops)[escort] = std::max(0.0, (*u.troops)[escort] - out.escort_killed);
  Event e;
  e.kind = escort >= 0 ? EventType::convoy_ambush : EventType::convoy_attack;
  e.actor = Actor::militant;
  e.target = escort >= 0 ? Actor::army : Actor::traders;
  e.where = where;
  e.agent = band;
  e.tankers = convoy.tankers + destroyed;
  e.tankers_destroyed = destroyed;
  e.soldiers_killed = std::round(out.escort_killed);
  e.militants_killed = std::round(out.attackers_killed);
  e.drivers_killed = poisson(stream, 0.05 * burnt);
  add_event(e);
  ++convoys_attacked_today;
  tankers_destroyed_today += destroyed;
  tankers_destroyed_total += destroyed;
  if (blockade_start_day >= 0 && today - blockade_start_day < 90) tankers_destroyed_first_90 += destroyed;
  if (escort >= 0 && e.tankers >= 20)  // target 4: large escorted convoys
    max_convoy_loss_fraction = std::max(max_convoy_loss_fraction, double(destroyed) / e.tankers);
  if (convoy.corridor >= 0) {
    const double loss = double(destroyed) / std::max(1, e.tankers);
    corridor_risk[convoy.corridor] = std::max(corridor_risk[convoy.corridor], loss);
  }
  ++ambushes_total;
  if (in_hot_zone(where)) ++ambushes_in_zones;
  if (escort >= 0) reprisal(escort, where, 1, p("reprisal_probability") * (1.0 - (*u.discipline)[escort]));
}

void SahelModel::State::move_convoys_and_ambush() {
  const std::int32_t today = std::int32_t(day + 1);
  const double capacity = p("tanker_capacity_litres");
  const double reach = p("band_reach_km");
  // Drivers forget losses (risk decays).
  for (double& r : corridor_risk) r *= std::exp(-1.0 / p("risk_memory_days"));
  for (std::size_t ci = 0; ci < convoys.size(); ++ci) {
    Convoy& convoy = convoys[ci];
    if (convoy.done || convoy.depart_day > today) continue;
    const RoutePath& path = routes[convoy.route];
    const double speed = convoy.escort_unit >= 0 ? p("escorted_convoy_km_per_day") : p("truck_km_per_day");
    const double from = convoy.km, to = std::min(path.length_km, convoy.km + speed);
    // Bands on blockade duty target the imports the blockade bans (events-2025.csv, 3 Sep 2025:
    // fuel from Senegal, Mauritania, Guinea and Côte d'Ivoire), not the depots' own distribution.
    const bool blockaded = convoy.corridor >= 0 && corridor_blockaded[convoy.corridor] != 0;
    if (blockaded && convoy.tankers > 0) {
      // The ambush site: of the stretches the convoy passes today (in Mali, with cover, or anywhere
      // for an unescorted convoy on a blockaded corridor), the one nearest to a band on blockade
      // duty that can reach it: bands lie in wait where they are (R-d1).
      RandomStream stream(seed, purpose_id("convoy.spotted"), ci, std::uint64_t(today));
      std::int32_t attacker = -1;
      std::size_t site = 0;
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t s = path.index_at(from); s < path.points.size() && path.km[s] <= to; ++s) {
        if (!path.in_mali[s]) continue;
        if (!path.cover[s] && convoy.escort_unit >= 0) continue;
        band_index.within(path.points[s], reach, band_points, [&](std::int32_t k) {
          if (!(*b.alive)[k] || !(*b.duty)[k] || (*b.acted)[k]) return;
          const double d = distance_km(band_points[k], path.points[s]);
          if (d < best) best = d, attacker = k, site = s;
        });
      }
      if (attacker >= 0) {
        const double escort = convoy.escort_unit >= 0 ? (*u.troops)[convoy.escort_unit] : 0.0;
        double nearby = 0.0;
        band_index.within(path.points[site], p("ambush_join_km"), band_points, [&](std::int32_t k) {
          if ((*b.alive)[k] && (*b.duty)[k] && !(*b.acted)[k]) nearby += (*b.fighters)[k];
        });
        nearby = std::max(nearby, (*b.fighters)[attacker]);
        const bool strong_enough = escort <= 0 || nearby >= p("ambush_min_ratio") * escort;
        if (strong_enough && stream.uniform01() < p("ambush_daily_probability")) ambush(std::int32_t(ci), site, attacker);
      }
    }
    convoy.km = to;
    if (convoy.escort_unit >= 0) {
      const Point at = path.at(convoy.km);
      (*u.x)[convoy.escort_unit] = at.x;
      (*u.y)[convoy.escort_unit] = at.y;
      (*u.fuel)[convoy.escort_unit] = std::max(0.0, (*u.fuel)[convoy.escort_unit] -
                                                        (*u.troops)[convoy.escort_unit] * p("troop_fuel_litres_per_soldier_day"));
    }
    if (convoy.km >= path.length_km || convoy.tankers == 0) {
      convoy.done = true;
      if (convoy.market >= 0) {
        const double litres = convoy.tankers * capacity;
        (*m.stock)[convoy.market] += litres;
        (*m.delivered_today)[convoy.market] += litres;
        (*m.in_transit)[convoy.market] = std::max(0.0, (*m.in_transit)[convoy.market] - litres);
      }
      if (convoy.corridor >= 0) {
        ++convoys_arrived_today;
        tankers_arrived_today += convoy.tankers;
        if (convoy.escort_unit >= 0 && convoy.tankers > 0) {
          Event e;
          e.kind = EventType::convoy_arrived;
          e.actor = Actor::army;
          e.target = Actor::traders;
          e.where = path.points.back();
          e.tankers = convoy.tankers;
          e.agent = std::int32_t(ci);
          add_event(e);
        }
      }
      if (convoy.escort_unit >= 0) {
        (*u.convoy)[convoy.escort_unit] = -1;
        const Point home = town_points[capital_town];
        (*u.x)[convoy.escort_unit] = home.x;
        (*u.y)[convoy.escort_unit] = home.y;
      }
    }
  }
  // Drop finished convoys from the front (indices of live convoys stay valid within a day).
  std::size_t first_live = 0;
  while (first_live < convoys.size() && convoys[first_live].done) ++first_live;
  if (first_live > 256) {
    convoys.erase(convoys.begin(), convoys.begin() + std::ptrdiff_t(first_live));
    for (std::size_t k = 0; k < u.convoy->size(); ++k)
      if ((*u.convoy)[k] >= 0) (*u.convoy)[k] -= std::int32_t(first_live);
  }
}

// ---- markets_and_power ---------------------------------------------------------------------------

void SahelModel::State::markets_trade() {
  const double official = p("fuel_price_fcfa_per_litre");
  const double premium = p("fuel_premium_max"), shape = p("fuel_premium_shape"), cover_ref = p("fuel_cover_reference_days");
  const double elasticity = p("fuel_demand_elasticity"), rationing = p("fuel_rationing_cover_days");
  const double normal_hours = p("bamako_electricity_hours_per_day");
  const double container_cut = national_fuel_ban ? 0.9 : 1.0;  // ASSUMED: container sales were a tenth of demand
  // Power plants first draw their priority share from the capital's depots (R-f4).
  const double need = p("power_fuel_need_litres_per_day");
  double& capital_stock = (*m.stock)[capital_market];
  const double retail_need = (*m.demand)[capital_market];
  // Plants ration like retail buyers below the rationing cover (R-e2), their priority raising the
  // share they keep: fuel = need × min(1, (1 + priority) × cover / rationing_cover), where cover is
  // the depots' stock in days of plants' and retail's need together.
  const double stock_now = std::max(0.0, capital_stock);
  const double cover_all = stock_now / std::max(1e-9, need + retail_need);
  double plant_fuel = need;
  if (rationing > 0 && cover_all < rationing)
    plant_fuel = need * std::min(1.0, (1.0 + p("power_fuel_priority")) * cover_all / rationing);
  plant_fuel = std::min(plant_fuel, stock_now);
  capital_stock -= plant_fuel;
  power_fuel_today = plant_fuel;
  power_hours = rules::electricity_hours(hydro_mwh, plant_fuel * thermal_mwh_per_litre, grid_demand_mwh);
  executor.for_each(m.town->size(), 16, [&](std::size_t k) {
    const double demand = (*m.demand)[k];
    double stock = std::max(0.0, (*m.stock)[k]);
    const double cover = demand > 0 ? stock / demand : 0.0;
    const double shortage = rules::fuel_shortage(cover, cover_ref);
    const double price = rules::fuel_price(official, shortage, premium, shape);
    const double sold = std::min(stock, demand * container_cut * rules::demand_factor(price, official, elasticity, cover, rationing));
    stock -= sold;
    (*m.stock)[k] = stock;
    (*m.consumed_today)[k] = sold;
    (*m.cover)[k] = demand > 0 ? stock / demand : 0.0;
    (*m.shortage)[k] = rules::fuel_shortage((*m.cover)[k], cover_ref);
    (*m.price)[k] = rules::fuel_price(official, (*m.shortage)[k], premium, shape);
    // Electricity: the interconnected grid's hours; isolated diesel grids run on local fuel (R-f2).
    if ((*m.grid)[k] == 1) (*m.electricity_hours)[k] = power_hours;
    else if ((*m.grid)[k] == 2) (*m.electricity_hours)[k] = normal_hours * (1.0 - (*m.shortage)[k]);
    const double hours = std::isnan((*m.electricity_hours)[k]) ? 24.0 : (*m.electricity_hours)[k];
    (*m.shops_open)[k] = rules::clamp01(1.0 - 0.5 * (*m.shortage)[k] - 0.3 * (1.0 - hours / 24.0));
  });
}

// ---- military_act --------------------------------------------------------------------------------

void SahelModel::State::reprisal(std::int32_t unit, const Point& where, int cause, double chance) {
  if (unit < 0 || !(*u.alive)[unit]) return;
  const std::int32_t today = std::int32_t(day + 1);
  RandomStream stream(seed, purpose_id("unit.reprisal"), std::uint64_t(unit) * 4 + std::uint64_t(cause), std::uint64_t(today));
  if (stream.uniform01() >= chance) return;
  // The most suspect village nearby: lowest state share (it pays or hosts the militants).
  std::int32_t target = -1;
  double lowest = 2.0;
  village_index.within(where, p("abuse_radius_km"), village_points, [&](std::int32_t i) {
    if ((*v.is_town)[i]) return;
    if ((*v.state_share)[i] < lowest) lowest = (*v.state_share)[i], target = i;
  });
  if (target < 0) return;
  Event e;
  e.kind = EventType::abuse_by_state;
  e.actor = Actor(int((*u.kind)[unit]) + 1);
  e.target = Actor::militant;
  e.where = village_points[target];
  e.agent = unit;
  e.civilians_killed = kill_civilians_near(e.where, poisson(stream, p("reprisal_victims_mean")), e.actor, target);
  if (e.civilians_killed <= 0) return;
  (*v.grievance)[target] += p("abuse_anger_jump") * (1.0 - (*v.grievance)[target]);
  (*v.fear_state)[target] += 0.1 * (1.0 - (*v.fear_state)[target]);
  add_event(e);
}

void SahelModel::State::military_act() {
  const std::int32_t today = std::int32_t(day + 1);
  const double shortage = (*m.shortage)[capital_market];
  // Garrisons burn fuel on patrols (refilled from their town's market); abuses during operations
  // where militants dominate (R-c4).
  for (std::size_t k = 0; k < u.troops->size(); ++k) {
    if (!(*u.alive)[k] || (*u.role)[k] != std::uint8_t(UnitRole::garrison)) continue;
    const double spare = std::max(0.0, (*u.troops)[k] - (*u.hold)[k]);
    const double burn = spare * p("troop_fuel_litres_per_soldier_day");
    (*u.fuel)[k] = std::max(0.0, (*u.fuel)[k] - burn);
    const std::int32_t mk = nearest_market(unit_points[k]);
    if (mk >= 0) {
      const double refill = std::min(std::max(0.0, 30.0 * burn - (*u.fuel)[k]), 0.05 * std::max(0.0, (*m.stock)[mk]));
      (*u.fuel)[k] += refill;
      (*m.stock)[mk] -= refill;
    }
    if (spare < 1 || (*u.fuel)[k] < burn) continue;
    // Operations: the most insurgent village within operation reach is searched; soldiers abuse
    // civilians there with a chance that grows with the militants' hold on it and indiscipline.
    std::int32_t suspect = -1;
    double lowest = 2.0;
    village_index.within(unit_points[k], p("operation_km"), village_points, [&](std::int32_t i) {
      if (!(*v.is_town)[i] && (*v.state_share)[i] < lowest) lowest = (*v.state_share)[i], suspect = i;
    });
    if (suspect < 0) continue;
    reprisal(std::int32_t(k), village_points[suspect], 2, p("operation_abuse_rate") * (1.0 - (*u.discipline)[k]) * (1.0 - lowest));
  }
  // Strikes on bands that loyal villages report (intelligence), weaker when fuel is short.
  const double informer_l = p("informer_legitimacy");
  for (std::size_t k = 0; k < b.x->size(); ++k) {
    if (!(*b.alive)[k]) continue;
    double loyal = 0.0, people = 0.0;
    village_index.within(band_points[k], p("band_influence_km"), village_points, [&](std::int32_t i) {
      people += (*v.residents)[i];
      if ((*v.legitimacy)[i] > informer_l && (*v.state_share)[i] > 0.5) loyal += (*v.residents)[i];
    });
    if (people <= 0) continue;
    RandomStream stream(seed, purpose_id("unit.strike"), k, std::uint64_t(today));
    const double chance = p("intel_strike_probability") * (loyal / people) * (1.0 - 0.8 * shortage);
    if (stream.uniform01() >= chance) continue;
    Event e;
    e.kind = EventType::strike_on_band;
    e.actor = Actor::army;
    e.target = Actor::militant;
    e.where = band_points[k];
    e.agent = std::int32_t(k);
    e.militants_killed = std::min((*b.fighters)[k], std::round(p("strike_kill_fraction") * (*b.fighters)[k]));
    (*b.fighters)[k] -= e.militants_killed;
    (*b.morale)[k] = std::max(0.0, (*b.morale)[k] - 0.1);
    // Strikes on gatherings sometimes kill civilians (R-a4 indiscriminate violence).
    const std::int32_t village = nearest_village(e.where, 10.0);
    if (village >= 0) {
      e.civilians_killed = kill_civilians_near(e.where, poisson(stream, 0.5), Actor::army, village);
    }
    add_event(e);
  }
}

// ---- villages_respond ----------------------------------------------------------------------------

void SahelModel::State::villages_respond() {
  const std::int32_t today = std::int32_t(day + 1);
  const double official = p("fuel_price_fcfa_per_litre"), normal_hours = p("bamako_electricity_hours_per_day");
  rules::LegitimacyWeights w{p("alpha_abuse"), p("alpha_protect"), p("alpha_fail"), p("alpha_price"), p("alpha_power"),
                             p("alpha_insurgent_abuse"), p("asym_gain_ratio"), p("legitimacy_diffusion"),
                             p("legitimacy_shock_half_life_days"), p("legitimacy_baseline_days")};
  const double join_rate = p("join_rate"), fighting_age = p("fighting_age_share");
  const double k_risk = p("arrest_risk_k"), threshold = p("join_threshold");
  const std::int32_t memory = std::int32_t(pi("flee_memory_days")), quiet = std::int32_t(pi("return_quiet_days"));
  const double flee_base = p("flee_base_probability"), flee_attack = p("flee_attack_probability");
  const double flee_siege = p("flee_siege_probability"), return_probability = p("return_probability");
  const double band_max = double(pi("militant_band_max_fighters")), growth = p("max_band_growth_per_30_days");
  // Neighbour means: legitimacy averaged over the villages of each 25 km bucket neighbourhood is
  // approximated by the market's served villages (computed before the parallel update).
  std::vector<double> market_l(m.town->size(), 0.0), market_pop(m.town->size(), 0.0);
  for (std::size_t i = 0; i < village_points.size(); ++i) {
    market_l[(*v.market)[i]] += (*v.legitimacy)[i] * (*v.residents)[i];
    market_pop[(*v.market)[i]] += (*v.residents)[i];
  }
  for (std::size_t k = 0; k < market_l.size(); ++k) market_l[k] = market_pop[k] > 0 ? market_l[k] / market_pop[k] : 0.0;
  executor.for_each(village_points.size(), kChunk, [&](std::size_t i) {
    const std::int32_t mk = (*v.market)[i];
    rules::LegitimacyInputs in;
    in.state_killed_nearby = (*v.state_killed)[i];
    in.insurgent_killed_nearby = (*v.insurgent_killed)[i];
    in.protected_events = (*v.protected_events)[i];
    in.failed_events = (*v.failed_events)[i];
    in.price_ratio = (*m.price)[mk] / official;
    const double hours = (*m.electricity_hours)[mk];
    in.power_shortfall = std::isnan(hours) || !(*v.is_town)[i] ? 0.0 : rules::clamp01(1.0 - hours / std::max(0.1, normal_hours));
    in.neighbour_mean = market_l[mk];
    rules::update_legitimacy((*v.legitimacy)[i], (*v.legitimacy_baseline)[i], in, w);
    (*v.abuse_exposure)[i] += in.state_killed_nearby;
    (*v.shortage_exposure)[i] += (*m.shortage)[mk];
    // Fear (Bennett steps) and its slow fading.
    (*v.fear_militant)[i] += 0.05 * std::min(5.0, in.insurgent_killed_nearby) * (1.0 - (*v.fear_militant)[i]);
    (*v.fear_state)[i] += 0.05 * std::min(5.0, in.state_killed_nearby) * (1.0 - (*v.fear_state)[i]);
    (*v.fear_militant)[i] += (0.5 - (*v.fear_militant)[i]) / 90.0;
    (*v.fear_state)[i] += (0.5 - (*v.fear_state)[i]) / 90.0;
    (*v.grievance)[i] = std::max(rules::grievance((*v.hardship)[i], (*v.legitimacy)[i]), 0.98 * (*v.grievance)[i]);
    // Recruitment (R-b1): only where a band is within reach to take the recruits.
    double recruits = 0.0;
    if ((*v.band)[i] >= 0) {
      const double pressure = rules::net_join_pressure((*v.grievance)[i], (*v.fear_state)[i], (*v.state_share)[i], k_risk, threshold);
      recruits = (*v.residents)[i] * fighting_age * join_rate * pressure;
    }
    (*v.recruits_today)[i] = recruits;
    // Displacement (R-g1) and return (R-g3), in expected numbers of people.
    const bool lethal = today - (*v.last_lethal_day)[i] <= memory;
    const bool besieged = !(*v.is_town)[i] && (*m.shortage)[mk] >= 0.9 && (*v.control)[i] >= 4;
    const double flee = rules::flee_probability(flee_base, flee_attack, flee_siege, lethal, besieged);
    const double own = std::max(0.0, (*v.residents)[i] - (*v.displaced_in)[i]);
    double fled = own * flee;
    if (!lethal && today - (*v.last_lethal_day)[i] > quiet)
      fled -= std::min((*v.displaced_out)[i], (*v.displaced_out)[i] * return_probability);
    (*v.displaced_today)[i] = fled;
  });
  // Sequential: recruits join their band (capped by its growth), displaced people move to the
  // market town (or come back from it).
  for (std::size_t i = 0; i < village_points.size(); ++i) {
    const double recruits = (*v.recruits_today)[i];
    const std::int32_t band = (*v.band)[i];
    if (recruits > 0 && band >= 0) {
      const double room = std::max(0.0, std::min(band_max - (*b.fighters)[band], growth * (*b.fighters)[band] - (*b.recruits_30d)[band]));
      const double joined = std::min(recruits, room);
      (*b.fighters)[band] += joined;
      (*b.recruits_30d)[band] += joined;
      (*v.residents)[i] -= joined;
      (*v.recruits_total)[i] += joined;
      recruits_today_total += joined;
    }
    // Flight and recruitment were both drawn from the morning's residents: no more flee than are left.
    const double fled = std::min((*v.displaced_today)[i], std::max(0.0, (*v.residents)[i] - (*v.displaced_in)[i]));
    (*v.displaced_today)[i] = fled;
    if (fled == 0.0) continue;
    const std::int32_t mk = (*v.market)[i];
    const std::int32_t host = std::int32_t((*m.town)[mk]);
    const std::int32_t host_village = village_of_town[host];
    if (host_village < 0 || host_village == std::int32_t(i)) continue;
    (*v.residents)[i] -= fled;
    (*v.displaced_out)[i] += fled;
    (*v.residents)[host_village] += fled;
    (*v.displaced_in)[host_village] += fled;
  }
}

// ---- close_day -----------------------------------------------------------------------------------

void SahelModel::State::close_day() {
  const std::int32_t today = std::int32_t(day + 1);
  // Attacks today and how far apart (target 5).
  std::vector<Point> attacks;
  for (const Event& e : events_today)
    if (is_militant_attack(e.kind)) attacks.push_back(e.where);
  max_attacks_one_day = std::max<std::int64_t>(max_attacks_one_day, std::int64_t(attacks.size()));
  if (attacks.size() >= 5) {
    double spread = 0.0;
    for (std::size_t a = 0; a < attacks.size(); ++a)
      for (std::size_t c = a + 1; c < attacks.size(); ++c) spread = std::max(spread, distance_km(attacks[a], attacks[c]));
    max_attack_spread_km = std::max(max_attack_spread_km, spread);
  }
  for (int a = 0; a < actor_count; ++a)
    for (int w = 0; w < victim_count; ++w) deaths_total[a][w] += deaths_today[a][w];
  min_power_hours = std::min(min_power_hours, power_hours);
  refresh_convoy_view();
  if (blockade_start_day >= 0 && today - blockade_start_day < 56)
    peak_price_8_weeks = std::max(peak_price_8_weeks, (*m.price)[capital_market]);
  ++day;
}

}  // namespace sahelsim::models::sahel

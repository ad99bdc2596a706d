#include "models/epstein/epstein_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include <boost/random/uniform_real_distribution.hpp>

#include "agents/citizen/activation_rule.hpp"
#include "agents/citizen/grievance.hpp"
#include "agents/common/random_empty_site.hpp"
#include "agents/common/random_site_where.hpp"
#include "agents/ethnic/cloning.hpp"
#include "agents/ethnic/lifespan.hpp"
#include "models/epstein/parameters.hpp"
#include "sahelsim/core/random_stream.hpp"

namespace sahelsim::models::epstein {
namespace {

using core::RandomStream;
using core::purpose_id;

// Stream purposes: each random decision has its own named stream, keyed by (seed, purpose, agent, step).
constexpr std::uint64_t kPlacement = purpose_id("setup.placement");
constexpr std::uint64_t kTraits = purpose_id("citizen.traits");
constexpr std::uint64_t kOrder = purpose_id("activation.order");
constexpr std::uint64_t kAct = purpose_id("agent.act");
constexpr std::uint64_t kMove = purpose_id("agent.move");
constexpr std::uint64_t kArrest = purpose_id("cop.arrest");
constexpr std::uint64_t kKill = purpose_id("citizen.kill");
constexpr std::uint64_t kJailTerm = purpose_id("citizen.jail_term");
constexpr std::uint64_t kRelease = purpose_id("citizen.release");
constexpr std::uint64_t kClone = purpose_id("citizen.clone");
constexpr std::uint64_t kBirth = purpose_id("citizen.birth");
constexpr std::uint64_t kCopSchedule = purpose_id("cop.schedule");

constexpr std::size_t kChunk = 4096;  // items per parallel chunk (the unit of determinism)
constexpr std::size_t kRowChunk = 8;  // lattice rows per parallel chunk

const std::vector<core::ParameterSpec>& specs_for(Variant variant) {
  return variant == Variant::civil_violence ? civil_violence_parameters() : ethnic_violence_parameters();
}

core::ParameterSet checked(Variant variant, const core::ParameterSet& given) {
  if (&given.specs() != &specs_for(variant))
    throw core::ParameterError("parameters were made for another model than epstein" +
                               std::string(variant == Variant::ethnic_violence ? "-ethnic" : ""));
  check_consistency(given, variant == Variant::ethnic_violence);
  const double cells = double(given.integer("width")) * double(given.integer("height"));
  if (cells > double(1 << 30))
    throw core::ParameterError("width x height = " + core::to_string(cells) +
                               " cells is not allowed: at most 2^30 = 1073741824 cells");
  return given;
}

std::int64_t density_count(double density, std::int64_t cells) {
  return static_cast<std::int64_t>(std::llround(density * double(cells)));
}

template <class T>
void shuffle_prefix(std::vector<T>& items, std::size_t count, RandomStream& stream) {
  // Partial Fisher-Yates: the first `count` items become a uniform random sample, in random order.
  for (std::size_t i = 0; i < count && i + 1 < items.size(); ++i) {
    const std::size_t j = i + stream.below(items.size() - i);
    std::swap(items[i], items[j]);
  }
}

struct Tally {
  std::int64_t quiet = 0, active = 0, jailed = 0, group_a = 0, group_b = 0;
  Tally& operator+=(const Tally& o) {
    quiet += o.quiet; active += o.active; jailed += o.jailed; group_a += o.group_a; group_b += o.group_b;
    return *this;
  }
};

}  // namespace

EpsteinModel::EpsteinModel(Variant variant, const core::ParameterSet& parameters, std::uint64_t seed,
                           int threads)
    : variant_(variant),
      parameters_(checked(variant, parameters)),
      seed_(seed),
      executor_(threads),
      lattice_(int(parameters_.integer("width")), int(parameters_.integer("height")),
               parameters_.choice("topology") == "torus" ? core::Topology::torus : core::Topology::bounded),
      citizens_("citizens", static_cast<std::size_t>(
                                variant == Variant::ethnic_violence
                                    ? lattice_.cell_count()
                                    : density_count(parameters_.real("citizen_density"), lattice_.cell_count()))),
      hardship_(citizens_.add<double>("hardship", "1", "H ~ U(0, 1), fixed per citizen")),
      risk_aversion_(citizens_.add<double>("risk_aversion", "1", "R ~ U(0, 1), fixed per citizen")),
      condition_(citizens_.add<std::uint8_t>("condition", "1", "0 quiet, 1 active, 2 jailed")),
      jail_remaining_(citizens_.add<double>("jail_remaining", "steps", "steps left to serve in jail")),
      citizen_cell_(citizens_.add<std::int64_t>("cell", "1", "cell index y * width + x; -1 off the lattice", -1)),
      last_cell_(citizens_.add<std::int64_t>("last_cell", "1", "cell where the citizen was arrested", -1)),
      alive_(citizens_.add<std::uint8_t>("alive", "1", "1 for a living citizen, 0 for an empty slot")),
      group_(citizens_.add<std::uint8_t>("group", "1", "ethnic group: 0 = A, 1 = B (Model II)")),
      age_(citizens_.add<std::int32_t>("age", "steps", "age (Model II)")),
      death_age_(citizens_.add<std::int32_t>("death_age", "steps", "age at which the citizen dies (Model II)")),
      cops_("cops", static_cast<std::size_t>(std::max(
                        density_count(parameters_.real("cop_density"), lattice_.cell_count()),
                        parameters_.choice("cop_schedule") == "jump"
                            ? density_count(parameters_.real("cop_density_target"), lattice_.cell_count())
                            : 0))),
      cop_cell_(cops_.add<std::int64_t>("cell", "1", "cell index y * width + x; -1 when not deployed", -1)),
      citizen_capacity_(static_cast<std::int64_t>(citizens_.capacity())),
      cop_base_(static_cast<std::int32_t>(citizens_.capacity())),
      occupancy_(static_cast<std::size_t>(lattice_.cell_count()), -1),
      cell_claims_(static_cast<std::size_t>(lattice_.cell_count())),
      citizen_claims_(citizens_.capacity()),
      active_counts_(lattice_),
      cop_counts_(lattice_),
      active_fenwick_(lattice_),
      cop_fenwick_(lattice_) {
  threshold_ = parameters_.real("threshold");
  k_ = parameters_.real("k");
  max_jail_term_ = parameters_.real("max_jail_term");
  movement_ = parameters_.boolean("movement");
  jailed_hold_cell_ = parameters_.boolean("jailed_hold_cell");
  cop_moves_to_arrest_ = parameters_.boolean("cop_moves_to_arrest");
  count_self_twice_ = parameters_.choice("active_self_count") == "twice";
  move_first_ = parameters_.choice("action_order") == "move_then_decide";
  sequential_ = parameters_.choice("activation") == "sequential";
  arrest_rule_ = agents::citizen::parse_arrest_rule(parameters_.choice("arrest_rule"));
  jail_draw_ = agents::citizen::parse_jail_draw(parameters_.choice("jail_draw"));
  legitimacy_ = parameters_.real("legitimacy");
  if (variant_ == Variant::ethnic_violence) {
    clone_probability_ = parameters_.real("clone_probability");
    max_age_ = static_cast<std::int32_t>(parameters_.integer("max_age"));
  }
  const auto shape = core::parse_neighborhood(parameters_.choice("neighborhood"));
  citizen_rows_ = core::neighborhood_rows(shape, parameters_.real("citizen_vision"));
  cop_rows_ = core::neighborhood_rows(shape, parameters_.real("cop_vision"));
  citizen_offsets_ = core::distinct_offsets(lattice_, core::neighborhood_offsets(shape, parameters_.real("citizen_vision")));
  cop_offsets_ = core::distinct_offsets(lattice_, core::neighborhood_offsets(shape, parameters_.real("cop_vision")));
  birth_offsets_ = core::distinct_offsets(lattice_, core::neighborhood_offsets(core::Neighborhood::moore, 1.0));

  // P depends only on the integer counts (C, A): tabulate it when the table is small.
  const int seen_max = int(citizen_offsets_.size()) + 3;
  if (seen_max <= 2048) {
    table_max_ = seen_max;
    probability_table_.resize(std::size_t(seen_max) * seen_max);
    for (int c = 0; c < seen_max; ++c)
      for (int a = 1; a < seen_max; ++a)
        probability_table_[std::size_t(c) * seen_max + a] =
            agents::citizen::estimated_arrest_probability(c, a, k_, arrest_rule_);
  }

  place_initial_agents();

  std::vector<std::string> state;
  for (const auto* table : {&citizens_, &cops_})
    for (const auto& column : table->columns()) state.push_back(table->kind() + "." + column->name());
  state.insert(state.end(), {"lattice.occupancy", "model.legitimacy", "model.cop_count"});
  schedule_ = core::Schedule(state);
  schedule_.add({"apply_schedules", {}, {"model.legitimacy", "model.cop_count", "cops.cell", "lattice.occupancy"},
                 [this] { apply_schedules(); }});
  schedule_.add({"release_from_jail",
                 {"citizens.condition", "citizens.jail_remaining", "citizens.last_cell", "lattice.occupancy"},
                 {"citizens.condition", "citizens.cell", "lattice.occupancy"},
                 [this] { release_from_jail(); }});
  const std::vector<std::string> decide_reads = {"citizens.hardship", "citizens.risk_aversion", "citizens.condition",
                                                 "citizens.cell", "cops.cell", "lattice.occupancy", "model.legitimacy"};
  if (sequential_) {
    std::vector<std::string> reads = decide_reads;
    reads.push_back("citizens.group");
    schedule_.add({"activate_in_random_order", reads,
                   {"citizens.condition", "citizens.cell", "citizens.last_cell", "citizens.jail_remaining",
                    "citizens.alive", "cops.cell", "lattice.occupancy"},
                   [this] { activate_in_random_order(); }});
  } else {
    core::Phase move{"move", {"citizens.cell", "citizens.condition", "cops.cell", "lattice.occupancy"},
                     {"citizens.cell", "cops.cell", "lattice.occupancy"}, [this] { move_synchronously(); }};
    core::Phase decide{"decide", decide_reads, {"citizens.condition"}, [this] { decide_synchronously(); }};
    core::Phase kill{"kill", {"citizens.condition", "citizens.group", "citizens.cell", "lattice.occupancy"},
                     {"citizens.alive", "citizens.cell", "lattice.occupancy"}, [this] { kill_synchronously(); }};
    core::Phase arrest{"arrest", {"citizens.condition", "cops.cell", "lattice.occupancy"},
                       {"citizens.condition", "citizens.jail_remaining", "citizens.cell", "citizens.last_cell",
                        "cops.cell", "lattice.occupancy"},
                       [this] { arrest_synchronously(); }};
    if (move_first_ && movement_) schedule_.add(move);
    schedule_.add(decide);
    if (variant_ == Variant::ethnic_violence) schedule_.add(kill);
    schedule_.add(arrest);
    if (!move_first_ && movement_) schedule_.add(move);
  }
  schedule_.add({"serve_jail_terms", {"citizens.condition", "citizens.jail_remaining"}, {"citizens.jail_remaining"},
                 [this] { serve_jail_terms(); }});
  if (variant_ == Variant::ethnic_violence) {
    schedule_.add({"age_and_die", {"citizens.age", "citizens.death_age", "citizens.cell"},
                   {"citizens.age", "citizens.alive", "citizens.cell", "lattice.occupancy"},
                   [this] { age_and_die(); }});
    schedule_.add({"clone", {"citizens.alive", "citizens.cell", "citizens.condition", "citizens.group",
                             "citizens.hardship", "lattice.occupancy"},
                   {"citizens.hardship", "citizens.risk_aversion", "citizens.condition", "citizens.cell",
                    "citizens.alive", "citizens.group", "citizens.age", "citizens.death_age", "lattice.occupancy"},
                   [this] { clone_synchronously(); }});
    schedule_.add({"detect_genocide", {"citizens.alive", "citizens.group"}, {}, [this] { detect_genocide(); }});
  }
}

std::string EpsteinModel::model_name() const {
  return variant_ == Variant::civil_violence ? "epstein" : "epstein-ethnic";
}

// ---------------------------------------------------------------------------------------------
// Set-up

void EpsteinModel::place_initial_agents() {
  const std::int64_t cells = lattice_.cell_count();
  const std::int64_t n_cops = density_count(parameters_.real("cop_density"), cells);
  const std::int64_t n_citizens = density_count(parameters_.real("citizen_density"), cells);
  std::vector<std::int64_t> order(static_cast<std::size_t>(cells));
  std::iota(order.begin(), order.end(), 0);
  RandomStream placement(seed_, kPlacement, 0, 0);
  shuffle_prefix(order, static_cast<std::size_t>(n_cops + n_citizens), placement);
  for (std::int64_t j = 0; j < n_cops; ++j) {
    cop_cell_[j] = order[j];
    occupancy_[order[j]] = cop_code(j);
  }
  const bool ethnic = variant_ == Variant::ethnic_violence;
  const double group_a_share = ethnic ? parameters_.real("group_a_share") : 1.0;
  executor_.for_each(static_cast<std::size_t>(n_citizens), kChunk, [&](std::size_t i) {
    RandomStream traits(seed_, kTraits, i, 0);
    hardship_[i] = traits.uniform01();
    risk_aversion_[i] = traits.uniform01();
    alive_[i] = 1;
    citizen_cell_[i] = order[n_cops + i];
    occupancy_[order[n_cops + i]] = static_cast<std::int32_t>(i);
    if (ethnic) {
      group_[i] = traits.uniform01() < group_a_share ? 0 : 1;
      death_age_[i] = agents::ethnic::draw_death_age(traits, max_age_);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Rules shared by both activation schemes

bool EpsteinModel::on_grid_citizen(std::int64_t i) const {
  return alive_[i] && citizen_cell_[i] >= 0 && condition_[i] != jailed;
}

double EpsteinModel::arrest_probability(int cops_seen, int others_active, bool self_active) const {
  const int actives = 1 + others_active + (count_self_twice_ && self_active ? 1 : 0);
  if (cops_seen < table_max_ && actives < table_max_)
    return probability_table_[std::size_t(cops_seen) * table_max_ + actives];
  return agents::citizen::estimated_arrest_probability(cops_seen, actives, k_, arrest_rule_);
}

void EpsteinModel::arrest(std::int64_t cop, std::int64_t citizen) {
  RandomStream term(seed_, kJailTerm, citizen, step_);
  condition_[citizen] = jailed;
  jail_remaining_[citizen] = agents::citizen::draw_jail_term(term, max_jail_term_, jail_draw_);
  const std::int64_t cell = citizen_cell_[citizen];
  last_cell_[citizen] = cell;
  if (sequential_) active_fenwick_.add(cell, -1);
  if (jailed_hold_cell_) return;
  occupancy_[cell] = -1;
  citizen_cell_[citizen] = -1;
  if (cop_moves_to_arrest_) {
    const std::int64_t from = cop_cell_[cop];
    occupancy_[from] = -1;
    occupancy_[cell] = cop_code(cop);
    cop_cell_[cop] = cell;
    if (sequential_) {
      cop_fenwick_.add(from, -1);
      cop_fenwick_.add(cell, +1);
    }
  }
}

void EpsteinModel::kill(std::int64_t victim) {
  const std::int64_t cell = citizen_cell_[victim];
  if (sequential_ && condition_[victim] == active) active_fenwick_.add(cell, -1);
  alive_[victim] = 0;
  condition_[victim] = quiet;
  occupancy_[cell] = -1;
  citizen_cell_[victim] = -1;
}

// ---------------------------------------------------------------------------------------------
// Phases

void EpsteinModel::apply_schedules() {
  const std::int64_t t = step_ + 1;  // the step being computed
  const double start = parameters_.real("legitimacy");
  const std::string& schedule = parameters_.choice("legitimacy_schedule");
  // Step 0 is the initial state and is never computed: a change at step 0 starts at step 1 (as the
  // cop schedule), else the ramp's first computed step would move it by two increments.
  const std::int64_t change = std::max<std::int64_t>(1, parameters_.integer("legitimacy_change_step"));
  const double target = parameters_.real("legitimacy_target");
  if (schedule == "jump") {
    legitimacy_ = t >= change ? target : start;
  } else if (schedule == "ramp") {
    // Computed from the step number, not accumulated, so it is exact and restartable.
    const double moved = t >= change ? double(t - change + 1) * parameters_.real("legitimacy_ramp_per_step") : 0.0;
    legitimacy_ = target < start ? std::max(target, start - moved) : std::min(target, start + moved);
  }
  if (parameters_.choice("cop_schedule") == "jump" && t == std::max<std::int64_t>(1, parameters_.integer("cop_change_step")))
    set_cop_count(density_count(parameters_.real("cop_density_target"), lattice_.cell_count()));
}

void EpsteinModel::set_cop_count(std::int64_t target) {
  std::vector<std::int64_t> deployed, idle;
  for (std::int64_t j = 0; j < std::int64_t(cops_.capacity()); ++j) (cop_cell_[j] >= 0 ? deployed : idle).push_back(j);
  RandomStream stream(seed_, kCopSchedule, 0, step_ + 1);
  if (target < std::int64_t(deployed.size())) {
    const std::size_t remove = deployed.size() - std::size_t(target);
    shuffle_prefix(deployed, remove, stream);
    for (std::size_t r = 0; r < remove; ++r) {
      occupancy_[cop_cell_[deployed[r]]] = -1;
      cop_cell_[deployed[r]] = -1;
    }
  } else if (target > std::int64_t(deployed.size())) {
    std::vector<std::int64_t> empty;
    for (std::int64_t c = 0; c < lattice_.cell_count(); ++c)
      if (occupancy_[c] == -1) empty.push_back(c);
    const std::size_t add = std::min({std::size_t(target) - deployed.size(), empty.size(), idle.size()});
    shuffle_prefix(empty, add, stream);
    for (std::size_t a = 0; a < add; ++a) {
      cop_cell_[idle[a]] = empty[a];
      occupancy_[empty[a]] = cop_code(idle[a]);
    }
  }
}

void EpsteinModel::release_from_jail() {
  const auto due = core::parallel_select(executor_, citizens_.capacity(), kChunk, [&](std::size_t i) {
    return alive_[i] && condition_[i] == jailed && jail_remaining_[i] <= 0.0;
  });
  if (jailed_hold_cell_) {
    executor_.for_each(due.size(), kChunk, [&](std::size_t n) { condition_[due[n]] = quiet; });
    return;
  }
  // Released citizens return to the cell of their arrest, or to a random empty site within vision;
  // two wanting one cell: propose, then resolve. A citizen with nowhere to go waits a step.
  std::vector<std::int64_t> target(due.size(), -1);
  std::vector<std::uint64_t> priority(due.size());
  auto empty = [&](std::int64_t c) { return occupancy_[c] == -1; };
  executor_.for_each(due.size(), kChunk, [&](std::size_t n) {
    const std::int64_t i = due[n];
    RandomStream stream(seed_, kRelease, i, step_);
    const std::int64_t home = last_cell_[i];
    target[n] = empty(home) ? home : agents::random_empty_site(lattice_, citizen_offsets_, home, stream, empty);
    priority[n] = core::Claims::priority(stream(), std::uint32_t(i));
    if (target[n] >= 0) cell_claims_.propose(target[n], priority[n]);
  });
  executor_.for_each(due.size(), kChunk, [&](std::size_t n) {
    if (target[n] < 0 || !cell_claims_.won(target[n], priority[n])) return;
    const std::int64_t i = due[n];
    occupancy_[target[n]] = static_cast<std::int32_t>(i);
    citizen_cell_[i] = target[n];
    condition_[i] = quiet;
  });
  executor_.for_each(due.size(), kChunk, [&](std::size_t n) {
    if (target[n] >= 0) cell_claims_.clear(target[n]);
  });
}

void EpsteinModel::rebuild_counts_sequential() {
  active_fenwick_.clear();
  cop_fenwick_.clear();
  for (std::int64_t i = 0; i < citizen_capacity_; ++i)
    if (on_grid_citizen(i) && condition_[i] == active) active_fenwick_.add(citizen_cell_[i], +1);
  for (std::int64_t j = 0; j < std::int64_t(cops_.capacity()); ++j)
    if (cop_cell_[j] >= 0) cop_fenwick_.add(cop_cell_[j], +1);
}

void EpsteinModel::activate_in_random_order() {
  rebuild_counts_sequential();
  // Every citizen on the lattice and every deployed cop acts once, in a fresh random order (as
  // NetLogo's `ask turtles` and the paper's random asynchronous activation).
  std::vector<std::int64_t> order;
  for (std::int64_t i = 0; i < citizen_capacity_; ++i)
    if (on_grid_citizen(i)) order.push_back(i);
  for (std::int64_t j = 0; j < std::int64_t(cops_.capacity()); ++j)
    if (cop_cell_[j] >= 0) order.push_back(cop_base_ + j);
  RandomStream shuffler(seed_, kOrder, 0, step_);
  shuffle_prefix(order, order.size(), shuffler);

  auto empty = [&](std::int64_t c) { return occupancy_[c] == -1; };
  const bool ethnic = variant_ == Variant::ethnic_violence;

  for (const std::int64_t code : order) {
    RandomStream stream(seed_, kAct, code, step_);
    if (code < cop_base_) {
      const std::int64_t i = code;
      if (!on_grid_citizen(i)) continue;  // arrested or killed earlier in this step
      auto move = [&] {
        if (!movement_) return;
        const std::int64_t from = citizen_cell_[i];
        const std::int64_t to = agents::random_empty_site(lattice_, citizen_offsets_, from, stream, empty);
        if (to < 0) return;
        occupancy_[from] = -1;
        occupancy_[to] = static_cast<std::int32_t>(i);
        citizen_cell_[i] = to;
        if (condition_[i] == active) {
          active_fenwick_.add(from, -1);
          active_fenwick_.add(to, +1);
        }
      };
      auto decide = [&] {
        const std::int64_t cell = citizen_cell_[i];
        const bool was_active = condition_[i] == active;
        const double g = agents::citizen::grievance(hardship_[i], legitimacy_);
        bool now_active = false;
        if (g > threshold_) {
          const int cops_seen = cop_fenwick_.sum(cell, citizen_rows_);
          const int others = active_fenwick_.sum(cell, citizen_rows_) - (was_active ? 1 : 0);
          now_active = agents::citizen::decides_active(g, risk_aversion_[i],
                                                       arrest_probability(cops_seen, others, was_active), threshold_);
        }
        if (now_active != was_active) active_fenwick_.add(cell, now_active ? +1 : -1);
        condition_[i] = now_active ? active : quiet;
        if (ethnic && now_active) {
          const std::int64_t victim_cell = agents::random_site_where(
              lattice_, citizen_offsets_, cell, stream, [&](std::int64_t c) {
                const std::int32_t o = occupancy_[c];
                return o >= 0 && !is_cop_code(o) && group_[o] != group_[i] && condition_[o] != jailed;
              });
          if (victim_cell >= 0) {
            kill(occupancy_[victim_cell]);
            ++killed_;
          }
        }
      };
      if (move_first_) { move(); decide(); } else { decide(); move(); }
    } else {
      const std::int64_t j = code - cop_base_;
      if (cop_cell_[j] < 0) continue;
      auto move = [&] {
        if (!movement_) return;
        const std::int64_t from = cop_cell_[j];
        const std::int64_t to = agents::random_empty_site(lattice_, cop_offsets_, from, stream, empty);
        if (to < 0) return;
        occupancy_[from] = -1;
        occupancy_[to] = cop_code(j);
        cop_cell_[j] = to;
        cop_fenwick_.add(from, -1);
        cop_fenwick_.add(to, +1);
      };
      auto enforce = [&] {
        const std::int64_t cell = cop_cell_[j];
        if (active_fenwick_.sum(cell, cop_rows_) == 0) return;
        const std::int64_t suspect_cell = agents::random_site_where(
            lattice_, cop_offsets_, cell, stream, [&](std::int64_t c) {
              const std::int32_t o = occupancy_[c];
              return o >= 0 && !is_cop_code(o) && condition_[o] == active;
            });
        if (suspect_cell < 0) return;
        arrest(j, occupancy_[suspect_cell]);
        ++arrests_;
      };
      if (move_first_) { move(); enforce(); } else { enforce(); move(); }
    }
  }
}

void EpsteinModel::move_synchronously() {
  // Propose: every citizen on the lattice and every deployed cop picks a random empty site within
  // its vision, as the lattice stood when the phase began. Resolve: each contested cell goes to the
  // lowest priority; losers stay put. Targets were empty and sources occupied, so no two winners
  // write the same occupancy entry.
  const std::int64_t total = citizen_capacity_ + std::int64_t(cops_.capacity());
  auto cell_of = [&](std::int64_t code) -> std::int64_t {
    if (code < cop_base_) return on_grid_citizen(code) ? citizen_cell_[code] : -1;
    return cop_cell_[code - cop_base_];
  };
  const auto movers = core::parallel_select(executor_, std::size_t(total), kChunk,
                                            [&](std::size_t code) { return cell_of(std::int64_t(code)) >= 0; });
  std::vector<std::int64_t> target(movers.size(), -1);
  std::vector<std::uint64_t> priority(movers.size());
  auto empty = [&](std::int64_t c) { return occupancy_[c] == -1; };
  executor_.for_each(movers.size(), kChunk, [&](std::size_t n) {
    const std::int64_t code = movers[n];
    RandomStream stream(seed_, kMove, code, step_);
    const auto& offsets = code < cop_base_ ? citizen_offsets_ : cop_offsets_;
    target[n] = agents::random_empty_site(lattice_, offsets, cell_of(code), stream, empty);
    priority[n] = core::Claims::priority(stream(), std::uint32_t(code));
    if (target[n] >= 0) cell_claims_.propose(target[n], priority[n]);
  });
  executor_.for_each(movers.size(), kChunk, [&](std::size_t n) {
    if (target[n] < 0 || !cell_claims_.won(target[n], priority[n])) return;
    const std::int64_t code = movers[n];
    occupancy_[cell_of(code)] = -1;
    occupancy_[target[n]] = static_cast<std::int32_t>(code);
    if (code < cop_base_) citizen_cell_[code] = target[n];
    else cop_cell_[code - cop_base_] = target[n];
  });
  executor_.for_each(movers.size(), kChunk, [&](std::size_t n) {
    if (target[n] >= 0) cell_claims_.clear(target[n]);
  });
}

void EpsteinModel::decide_synchronously() {
  // Every citizen decides from the same snapshot of actives and cops (per-row prefix sums, so a
  // neighbourhood count costs one lookup per row). Cells are visited in row-major order so that
  // consecutive citizens share cached rows.
  active_counts_.rebuild(executor_, [&](std::int64_t c) {
    const std::int32_t o = occupancy_[c];
    return o >= 0 && !is_cop_code(o) && condition_[o] == active;
  });
  cop_counts_.rebuild(executor_, [&](std::int64_t c) { return is_cop_code(occupancy_[c]) ? 1 : 0; });
  executor_.for_chunks(std::size_t(lattice_.height()), kRowChunk, [&](std::size_t y0, std::size_t y1, std::size_t) {
    const std::int64_t first = std::int64_t(y0) * lattice_.width(), last = std::int64_t(y1) * lattice_.width();
    for (std::int64_t cell = first; cell < last; ++cell) {
      const std::int32_t i = occupancy_[cell];
      if (i < 0 || is_cop_code(i) || condition_[i] == jailed) continue;
      const double g = agents::citizen::grievance(hardship_[i], legitimacy_);
      bool now_active = false;
      if (g > threshold_) {
        const int cops_seen = cop_counts_.sum(cell, citizen_rows_);
        const bool was_active = condition_[i] == active;
        const int others = active_counts_.sum(cell, citizen_rows_) - (was_active ? 1 : 0);
        now_active = agents::citizen::decides_active(g, risk_aversion_[i],
                                                     arrest_probability(cops_seen, others, was_active), threshold_);
      }
      condition_[i] = now_active ? active : quiet;
    }
  });
}

void EpsteinModel::arrest_synchronously() {
  // Each deployed cop picks one active citizen in its vision; two cops wanting one citizen:
  // propose, then resolve, and the losers choose again among those still free, round after round.
  active_counts_.rebuild(executor_, [&](std::int64_t c) {
    const std::int32_t o = occupancy_[c];
    return o >= 0 && !is_cop_code(o) && condition_[o] == active;
  });
  auto pending = core::parallel_select(executor_, cops_.capacity(), kChunk, [&](std::size_t j) {
    return cop_cell_[j] >= 0 && active_counts_.sum(cop_cell_[j], cop_rows_) > 0;
  });
  std::vector<std::int64_t> suspect(cops_.capacity(), -1);
  std::vector<std::uint64_t> priority(cops_.capacity());
  for (std::uint64_t round = 0; !pending.empty(); ++round) {
    executor_.for_each(pending.size(), kChunk, [&](std::size_t n) {
      const std::int64_t j = pending[n];
      RandomStream stream(seed_, kArrest + round, j, step_);
      const std::int64_t cell = agents::random_site_where(lattice_, cop_offsets_, cop_cell_[j], stream, [&](std::int64_t c) {
        const std::int32_t o = occupancy_[c];
        return o >= 0 && !is_cop_code(o) && condition_[o] == active;
      });
      suspect[j] = cell >= 0 ? occupancy_[cell] : -1;
      priority[j] = core::Claims::priority(stream(), std::uint32_t(j));
      if (suspect[j] >= 0) citizen_claims_.propose(suspect[j], priority[j]);
    });
    std::vector<std::uint8_t> won(pending.size(), 0);
    executor_.for_each(pending.size(), kChunk, [&](std::size_t n) {
      const std::int64_t j = pending[n];
      won[n] = suspect[j] >= 0 && citizen_claims_.won(suspect[j], priority[j]);
    });
    executor_.for_each(pending.size(), kChunk, [&](std::size_t n) {
      if (won[n]) arrest(pending[n], suspect[pending[n]]);
    });
    for (std::size_t n = 0; n < pending.size(); ++n) arrests_ += won[n];
    executor_.for_each(pending.size(), kChunk, [&](std::size_t n) {
      if (suspect[pending[n]] >= 0) citizen_claims_.clear(suspect[pending[n]]);
    });
    std::vector<std::int64_t> losers;
    for (std::size_t n = 0; n < pending.size(); ++n)
      if (suspect[pending[n]] >= 0 && !won[n]) losers.push_back(pending[n]);
    pending.swap(losers);
  }
}

void EpsteinModel::kill_synchronously() {
  // Model II: each active citizen kills one citizen of the other group within its vision; contested
  // victims are resolved like arrests.
  auto killers = core::parallel_select(executor_, citizens_.capacity(), kChunk,
                                       [&](std::size_t i) { return on_grid_citizen(i) && condition_[i] == active; });
  std::vector<std::int64_t> victim(citizens_.capacity(), -1);
  std::vector<std::uint64_t> priority(citizens_.capacity());
  for (std::uint64_t round = 0; !killers.empty(); ++round) {
    executor_.for_each(killers.size(), kChunk, [&](std::size_t n) {
      const std::int64_t i = killers[n];
      RandomStream stream(seed_, kKill + round, i, step_);
      const std::int64_t cell = agents::random_site_where(lattice_, citizen_offsets_, citizen_cell_[i], stream,
                                                          [&](std::int64_t c) {
        const std::int32_t o = occupancy_[c];
        return o >= 0 && !is_cop_code(o) && group_[o] != group_[i] && condition_[o] != jailed;
      });
      victim[i] = cell >= 0 ? occupancy_[cell] : -1;
      priority[i] = core::Claims::priority(stream(), std::uint32_t(i));
      if (victim[i] >= 0) citizen_claims_.propose(victim[i], priority[i]);
    });
    std::vector<std::uint8_t> won(killers.size(), 0);
    executor_.for_each(killers.size(), kChunk, [&](std::size_t n) {
      const std::int64_t i = killers[n];
      won[n] = victim[i] >= 0 && citizen_claims_.won(victim[i], priority[i]);
    });
    executor_.for_each(killers.size(), kChunk, [&](std::size_t n) {
      if (won[n]) kill(victim[killers[n]]);
    });
    for (std::size_t n = 0; n < killers.size(); ++n) killed_ += won[n];
    executor_.for_each(killers.size(), kChunk, [&](std::size_t n) {
      if (victim[killers[n]] >= 0) citizen_claims_.clear(victim[killers[n]]);
    });
    std::vector<std::int64_t> losers;
    for (std::size_t n = 0; n < killers.size(); ++n) {
      const std::int64_t i = killers[n];
      if (victim[i] >= 0 && !won[n] && alive_[i]) losers.push_back(i);
    }
    killers.swap(losers);
  }
}

void EpsteinModel::serve_jail_terms() {
  executor_.for_each(citizens_.capacity(), kChunk, [&](std::size_t i) {
    if (alive_[i] && condition_[i] == jailed && jail_remaining_[i] > 0.0)
      jail_remaining_[i] = std::max(0.0, jail_remaining_[i] - 1.0);
  });
}

void EpsteinModel::age_and_die() {
  deaths_ = executor_.sum<std::int64_t>(citizens_.capacity(), kChunk, [&](std::size_t i) -> std::int64_t {
    if (!alive_[i]) return 0;
    if (++age_[i] < death_age_[i]) return 0;
    alive_[i] = 0;
    condition_[i] = quiet;
    if (citizen_cell_[i] >= 0) occupancy_[citizen_cell_[i]] = -1;
    citizen_cell_[i] = -1;
    return 1;
  });
}

void EpsteinModel::clone_synchronously() {
  // Each citizen on the lattice clones with probability clone_probability onto an empty Moore
  // neighbour; contested cells: propose, then resolve. Offspring take the free slots in order of
  // their parents' indices, so slot assignment is deterministic too.
  std::vector<std::int64_t> target(citizens_.capacity(), -1);
  std::vector<std::uint64_t> priority(citizens_.capacity());
  auto empty = [&](std::int64_t c) { return occupancy_[c] == -1; };
  executor_.for_each(citizens_.capacity(), kChunk, [&](std::size_t i) {
    target[i] = -1;
    if (!on_grid_citizen(i)) return;
    RandomStream stream(seed_, kClone, i, step_);
    if (!agents::ethnic::wants_to_clone(stream, clone_probability_)) return;
    target[i] = agents::random_empty_site(lattice_, birth_offsets_, citizen_cell_[i], stream, empty);
    priority[i] = core::Claims::priority(stream(), std::uint32_t(i));
    if (target[i] >= 0) cell_claims_.propose(target[i], priority[i]);
  });
  const auto parents = core::parallel_select(executor_, citizens_.capacity(), kChunk, [&](std::size_t i) {
    return target[i] >= 0 && cell_claims_.won(target[i], priority[i]);
  });
  const auto free_slots = core::parallel_select(executor_, citizens_.capacity(), kChunk,
                                                [&](std::size_t i) { return !alive_[i]; });
  const std::size_t born = std::min(parents.size(), free_slots.size());
  executor_.for_each(born, kChunk, [&](std::size_t n) {
    const std::int64_t parent = parents[n], child = free_slots[n];
    RandomStream stream(seed_, kBirth, parent, step_);
    hardship_[child] = hardship_[parent];
    group_[child] = group_[parent];
    risk_aversion_[child] = stream.uniform01();
    death_age_[child] = agents::ethnic::draw_death_age(stream, max_age_);
    age_[child] = 0;
    condition_[child] = quiet;
    jail_remaining_[child] = 0.0;
    alive_[child] = 1;
    citizen_cell_[child] = target[parent];
    occupancy_[target[parent]] = static_cast<std::int32_t>(child);
  });
  births_ = std::int64_t(born);
  executor_.for_each(citizens_.capacity(), kChunk, [&](std::size_t i) {
    if (target[i] >= 0) cell_claims_.clear(target[i]);
  });
}

void EpsteinModel::detect_genocide() {
  if (genocide_step_ >= 0) return;
  const Counts c = counts();
  if (c.group_a == 0 || c.group_b == 0) {
    genocide_step_ = step_ + 1;
    surviving_group_ = c.group_a > 0 ? 0 : (c.group_b > 0 ? 1 : -1);
  }
}

void EpsteinModel::step() {
  arrests_ = killed_ = births_ = deaths_ = 0;
  schedule_.run_step();
  ++step_;
}

// ---------------------------------------------------------------------------------------------
// Observation

EpsteinModel::Counts EpsteinModel::counts() const {
  const Tally t = executor_.sum<Tally>(citizens_.capacity(), kChunk, [&](std::size_t i) {
    Tally one;
    if (!alive_[i]) return one;
    one.quiet = condition_[i] == quiet;
    one.active = condition_[i] == active;
    one.jailed = condition_[i] == jailed;
    one.group_a = group_[i] == 0;
    one.group_b = group_[i] == 1;
    return one;
  });
  Counts c;
  c.quiet = t.quiet;
  c.active = t.active;
  c.jailed = t.jailed;
  c.group_a = t.group_a;
  c.group_b = t.group_b;
  for (std::size_t j = 0; j < cops_.capacity(); ++j) c.cops += cop_cell_[j] >= 0;
  return c;
}

const std::vector<core::SeriesSpec>& EpsteinModel::series_specs() const {
  static const std::vector<core::SeriesSpec> civil = {
      {"quiet", "quiet citizens", "1", true},
      {"active", "active citizens", "1", true},
      {"jailed", "jailed citizens", "1", true},
      {"cops", "deployed cops", "1", true},
      {"arrests", "arrests during the step", "1", true},
      {"legitimacy", "regime legitimacy L", "1", false},
  };
  static const std::vector<core::SeriesSpec> ethnic = [] {
    auto s = civil;
    s.push_back({"group_a", "living citizens of group A", "1", true});
    s.push_back({"group_b", "living citizens of group B", "1", true});
    s.push_back({"killed", "citizens killed during the step", "1", true});
    s.push_back({"births", "citizens born during the step", "1", true});
    s.push_back({"deaths", "citizens who died of age during the step", "1", true});
    return s;
  }();
  return variant_ == Variant::civil_violence ? civil : ethnic;
}

std::vector<double> EpsteinModel::series_values() const {
  const Counts c = counts();
  std::vector<double> v = {double(c.quiet), double(c.active), double(c.jailed), double(c.cops),
                           double(arrests_), legitimacy_};
  if (variant_ == Variant::ethnic_violence)
    v.insert(v.end(), {double(c.group_a), double(c.group_b), double(killed_), double(births_), double(deaths_)});
  return v;
}

const std::vector<core::RasterSpec>& EpsteinModel::raster_specs() const {
  static const std::vector<core::RasterSpec> civil = {
      {"cell_state", "occupant of each cell", "empty quiet active jailed cop"}};
  static const std::vector<core::RasterSpec> ethnic = {
      {"cell_state", "occupant of each cell", "empty quiet active jailed cop"},
      {"cell_group", "ethnic group of the citizen in each cell", "none group_a group_b"}};
  return variant_ == Variant::civil_violence ? civil : ethnic;
}

std::vector<std::uint8_t> EpsteinModel::raster(const std::string& name) const {
  std::vector<std::uint8_t> cells(occupancy_.size(), 0);
  const bool group = name == "cell_group";
  if (!group && name != "cell_state") throw std::out_of_range("model " + model_name() + " has no raster '" + name + "'");
  executor_.for_each(cells.size(), kChunk, [&](std::size_t c) {
    const std::int32_t o = occupancy_[c];
    if (o < 0) return;
    if (group) {
      cells[c] = is_cop_code(o) ? 0 : std::uint8_t(1 + group_[o]);
    } else {
      cells[c] = is_cop_code(o) ? cell_cop
                                : condition_[o] == active ? cell_active : condition_[o] == jailed ? cell_jailed : cell_quiet;
    }
  });
  return cells;
}

std::uint64_t EpsteinModel::state_hash() const {
  std::uint64_t h = core::hash_tables(tables());
  h = core::hash_bytes(occupancy_.data(), occupancy_.size() * sizeof(std::int32_t), h);
  h = core::hash_bytes(&step_, sizeof step_, h);
  return core::hash_bytes(&legitimacy_, sizeof legitimacy_, h);
}

}  // namespace sahelsim::models::epstein

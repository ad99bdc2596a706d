#include "models/epstein/epstein_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include <boost/random/uniform_real_distribution.hpp>

#include "agents/citizen/activation_rule.hpp"
#include "agents/citizen/grievance.hpp"
#include "agents/common/random_empty_site.hpp"
#include "agents/common/random_site_where.hpp"
#include "agents/ethnic/cloning.hpp"
#include "agents/ethnic/lifespan.hpp"
#include "models/epstein/batched_draws.hpp"
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

constexpr std::size_t kChunk = 4096;        // items per parallel chunk (the unit of determinism)
constexpr std::size_t kCellsPerChunk = 4096;   // cells per parallel chunk of lattice rows

// Packed neighbour counts: actives in the low 32 bits, cops in the high 32 (unsigned arithmetic:
// "less" wraps around, and the counts themselves never go below zero).
constexpr std::uint64_t kOneActive = 1, kOneActiveLess = ~std::uint64_t(0);
constexpr std::uint64_t kOneCop = std::uint64_t(1) << 32, kOneCopLess = std::uint64_t(0) - kOneCop;

constexpr std::int64_t kLookahead = 32;        // cells ahead whose far-away data is prefetched

template <class T>
void prefetch_for_write(T* address) {
#if defined(__GNUC__)
  __builtin_prefetch(address, 1);
#else
  (void)address;
#endif
}

/// One step of jail for the citizens [0, n) of a chunk: a jailed living citizen with time left serves
/// one step (max(0, r - 1), as the plain loop), and due[i] = 1 when it then has nothing left to serve.
SAHELSIM_VECTOR_CLONES
void serve_one_step(const std::uint8_t* __restrict alive, const std::uint8_t* __restrict condition,
                    double* __restrict remaining, std::size_t n, std::uint8_t jailed_value, std::uint8_t* __restrict due) {
  for (std::size_t i = 0; i < n; ++i) {  // integer masks, so that it vectorises
    const double r = remaining[i];
    const std::int64_t held = std::int64_t(alive[i] != 0) & std::int64_t(condition[i] == jailed_value);
    const double less = r - 1.0;
    const double served = less > 0.0 ? less : 0.0;  // std::max(0.0, r - 1.0)
    const double now = (held & std::int64_t(r > 0.0)) ? served : r;
    remaining[i] = now;
    due[i] = std::uint8_t(held & std::int64_t(now <= 0.0));
  }
}

// A Lattice of one cell, for state a model does not use (Fenwick trees of synchronous runs,
// prefix sums of sequential ones) so that it takes no memory.
core::Lattice unused_lattice() { return core::Lattice(1, 1, core::Topology::torus); }

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
      cell_condition_(static_cast<std::size_t>(lattice_.cell_count()), quiet),
      cell_traits_(static_cast<std::size_t>(lattice_.cell_count()), CellTraits{0.0, 0.0}),
      cell_claims_(static_cast<std::size_t>(lattice_.cell_count())),
      neighbour_counts_(unused_lattice()),
      padded_counts_(unused_lattice(), 0),
      coordinates_(unused_lattice(), 0),
      neighbour_fenwick_(parameters_.choice("activation") == "sequential" ? lattice_ : unused_lattice()) {
  threshold_ = parameters_.real("threshold");
  k_ = parameters_.real("k");
  max_jail_term_ = parameters_.real("max_jail_term");
  movement_ = parameters_.boolean("movement");  // citizens move (and cops, see cops_move_)
  cops_move_ = movement_ || parameters_.choice("cop_movement") == "always";
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
  citizen_reach_ = core::neighborhood_reach(citizen_rows_);
  cop_reach_ = core::neighborhood_reach(cop_rows_);
  cop_rows_fit_ = core::neighborhood_fits(lattice_, cop_rows_);
  rows_per_chunk_ = std::max<std::size_t>(1, kCellsPerChunk / std::size_t(lattice_.width()));
  const int pad = std::max(citizen_reach_, cop_reach_);
  coordinates_ = core::CoordinateTables(lattice_, pad);
  if (!sequential_) {
    padded_ = core::neighborhood_fits(lattice_, citizen_rows_) && cop_rows_fit_;
    if (padded_) {
      padded_counts_ = PaddedCounts(lattice_, pad);
      citizen_padded_steps_ = padded_counts_.row_steps(citizen_rows_);
      cop_padded_steps_ = padded_counts_.row_steps(cop_rows_);
    } else {
      neighbour_counts_ = NeighbourCounts(lattice_);
      citizen_row_steps_ = neighbour_counts_.row_steps(citizen_rows_);
      cop_row_steps_ = neighbour_counts_.row_steps(cop_rows_);
    }
  }
  // The frame of empty cells for the moves, and the visions' offsets side by side (citizens', then cops').
  frame_pad_ = pad;
  frame_stride_ = std::int64_t(lattice_.width()) + 2 * pad;
  const std::int64_t frame_cells = frame_stride_ * (std::int64_t(lattice_.height()) + 2 * pad);
  // Frame indices are 32-bit (a lattice of 2^30 cells, the most allowed, fits unless it is very thin).
  use_frame_ = !sequential_ && cops_move_ && frame_cells < (std::int64_t(1) << 31) - 64 && !citizen_offsets_.empty() &&
               !cop_offsets_.empty();
  if (use_frame_) empty_frame_.assign(std::size_t(frame_cells) + 4, 0);  // + 3 bytes read by word gathers
  for (int kind = 0; kind < 2; ++kind) {
    kind_base_[kind] = std::int32_t(move_dx_.size());
    const auto& offsets = kind == 0 ? citizen_offsets_ : cop_offsets_;
    kind_sites_[kind] = std::uint32_t(offsets.size());
    for (const auto& o : offsets) {
      move_dx_.push_back(o.dx);
      move_dy_.push_back(o.dy);
      frame_steps_.push_back(std::int32_t(std::int64_t(o.dy) * frame_stride_ + o.dx));
    }
  }

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
    if (move_first_ && cops_move_) schedule_.add(move);
    schedule_.add(decide);
    if (variant_ == Variant::ethnic_violence) schedule_.add(kill);
    schedule_.add(arrest);
    if (!move_first_ && cops_move_) schedule_.add(move);
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
    mirror_citizen(order[n_cops + i], std::int64_t(i));
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

inline double EpsteinModel::arrest_probability(int cops_seen, int others_active, bool self_active) const {
  const int actives = 1 + others_active + (count_self_twice_ && self_active ? 1 : 0);
  if (cops_seen < table_max_ && actives < table_max_)
    return probability_table_[std::size_t(cops_seen) * table_max_ + actives];
  return agents::citizen::estimated_arrest_probability(cops_seen, actives, k_, arrest_rule_);
}

void EpsteinModel::arrest(std::int64_t cop, std::int64_t citizen, const core::StreamFamily* terms) {
  RandomStream term = terms ? terms->stream(std::uint64_t(citizen)) : RandomStream(seed_, kJailTerm, citizen, step_);
  condition_[citizen] = jailed;
  jail_remaining_[citizen] = agents::citizen::draw_jail_term(term, max_jail_term_, jail_draw_);
  const std::int64_t cell = citizen_cell_[citizen];
  last_cell_[citizen] = cell;
  if (sequential_) neighbour_fenwick_.add(cell, kOneActiveLess);
  if (jailed_hold_cell_) {
    cell_condition_[cell] = jailed;
    return;
  }
  occupancy_[cell] = -1;
  cell_condition_[cell] = quiet;  // empty, or the cop's
  citizen_cell_[citizen] = -1;
  if (cop_moves_to_arrest_) {
    const std::int64_t from = cop_cell_[cop];
    occupancy_[from] = -1;
    occupancy_[cell] = cop_code(cop);
    cop_cell_[cop] = cell;
    if (sequential_) {
      neighbour_fenwick_.add(from, kOneCopLess);
      neighbour_fenwick_.add(cell, kOneCop);
    }
  }
}

void EpsteinModel::kill(std::int64_t victim) {
  const std::int64_t cell = citizen_cell_[victim];
  if (sequential_ && condition_[victim] == active) neighbour_fenwick_.add(cell, kOneActiveLess);
  alive_[victim] = 0;
  condition_[victim] = quiet;
  occupancy_[cell] = -1;
  cell_condition_[cell] = quiet;
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
  // The citizens due for release: listed by the last serve_jail_terms (checked again here, since
  // Model II's deaths come after it), else found by a scan.
  if (due_listed_) {
    due_.clear();
    for (const auto& list : due_lists_)
      for (const std::int32_t i : list)
        if (alive_[i] && condition_[i] == jailed && jail_remaining_[i] <= 0.0) due_.push_back(i);
  } else {
    due_ = core::parallel_select(executor_, citizens_.capacity(), kChunk, [&](std::size_t i) {
      return alive_[i] && condition_[i] == jailed && jail_remaining_[i] <= 0.0;
    });
  }
  due_listed_ = false;
  const auto& due = due_;
  if (jailed_hold_cell_) {
    executor_.for_each(due.size(), kChunk, [&](std::size_t n) {
      condition_[due[n]] = quiet;
      if (citizen_cell_[due[n]] >= 0) cell_condition_[citizen_cell_[due[n]]] = quiet;
    });
    return;
  }
  // Released citizens return to the cell of their arrest, or to a random empty site within vision;
  // two wanting one cell: propose, then resolve. A citizen with nowhere to go waits a step.
  release_target_.resize(due.size());
  release_priority_.resize(due.size());
  auto& target = release_target_;
  auto& priority = release_priority_;
  auto empty = [&](std::int64_t c) { return occupancy_[c] == -1; };
  const core::StreamFamily streams(seed_, kRelease, step_);
  constexpr std::size_t kAhead = 16;  // homes are anywhere: fetch them early
  executor_.for_chunks(due.size(), kChunk, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t n = begin; n < std::min(end, begin + kAhead); ++n) __builtin_prefetch(&occupancy_[last_cell_[due[n]]]);
    for (std::size_t n = begin; n < end; ++n) {
      if (n + kAhead < end) __builtin_prefetch(&occupancy_[last_cell_[due[n + kAhead]]]);
      const std::int64_t i = due[n];
      RandomStream stream = streams.stream(std::uint64_t(i));
      const std::int64_t home = last_cell_[i];
      target[n] = empty(home) ? home : agents::random_empty_site(lattice_, citizen_offsets_, home, stream, empty);
      priority[n] = core::Claims::priority(stream(), std::uint32_t(i));
      if (target[n] >= 0) cell_claims_.propose(target[n], priority[n]);
    }
  });
  // Each claimed cell has one winner, who moves in and frees the claim (a loser's check sees either
  // the winner's priority or a free claim, never its own).
  executor_.for_each(due.size(), kChunk, [&](std::size_t n) {
    if (target[n] < 0 || !cell_claims_.won(target[n], priority[n])) return;
    const std::int64_t i = due[n];
    cell_claims_.clear(target[n]);
    occupancy_[target[n]] = static_cast<std::int32_t>(i);
    citizen_cell_[i] = target[n];
    condition_[i] = quiet;
    mirror_citizen(target[n], i);
  });
}

void EpsteinModel::rebuild_counts_sequential() {
  neighbour_fenwick_.clear();
  for (std::int64_t i = 0; i < citizen_capacity_; ++i)
    if (on_grid_citizen(i) && condition_[i] == active) neighbour_fenwick_.add(citizen_cell_[i], kOneActive);
  for (std::int64_t j = 0; j < std::int64_t(cops_.capacity()); ++j)
    if (cop_cell_[j] >= 0) neighbour_fenwick_.add(cop_cell_[j], kOneCop);
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
        move_mirror(from, to);
        citizen_cell_[i] = to;
        if (condition_[i] == active) {
          neighbour_fenwick_.add(from, kOneActiveLess);
          neighbour_fenwick_.add(to, kOneActive);
        }
      };
      auto decide = [&] {
        const std::int64_t cell = citizen_cell_[i];
        const bool was_active = condition_[i] == active;
        const double g = agents::citizen::grievance(hardship_[i], legitimacy_);
        bool now_active = false;
        if (g > threshold_) {
          const std::uint64_t seen = neighbour_fenwick_.sum(cell, citizen_rows_);
          const int cops_seen = int(seen >> 32);
          const int others = int(seen & 0xffffffffULL) - (was_active ? 1 : 0);
          now_active = agents::citizen::decides_active(g, risk_aversion_[i],
                                                       arrest_probability(cops_seen, others, was_active), threshold_);
        }
        if (now_active != was_active) neighbour_fenwick_.add(cell, now_active ? kOneActive : kOneActiveLess);
        condition_[i] = now_active ? active : quiet;
        cell_condition_[cell] = condition_[i];
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
        if (!cops_move_) return;
        const std::int64_t from = cop_cell_[j];
        const std::int64_t to = agents::random_empty_site(lattice_, cop_offsets_, from, stream, empty);
        if (to < 0) return;
        occupancy_[from] = -1;
        occupancy_[to] = cop_code(j);
        cop_cell_[j] = to;
        neighbour_fenwick_.add(from, kOneCopLess);
        neighbour_fenwick_.add(to, kOneCop);
      };
      auto enforce = [&] {
        const std::int64_t cell = cop_cell_[j];
        if ((neighbour_fenwick_.sum(cell, cop_rows_) & 0xffffffffULL) == 0) return;
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

void EpsteinModel::rebuild_neighbour_counts() {
  auto count = [&](std::int64_t c) -> std::uint64_t {
    return std::uint64_t(cell_condition_[c] == active) | (std::uint64_t(is_cop_code(occupancy_[c])) << 32);
  };
  if (padded_)
    padded_counts_.rebuild(executor_, count, rows_per_chunk_);
  else
    neighbour_counts_.rebuild(executor_, count, rows_per_chunk_);
}

inline std::uint64_t EpsteinModel::neighbour_counts(int x, int y, const std::vector<core::RowSpan>& rows,
                                                    const std::vector<NeighbourCounts::RowSteps>& steps,
                                                    const std::vector<PaddedCounts::RowSteps>& padded_steps,
                                                    int reach) const {
  if (padded_) return padded_counts_.sum(x, y, padded_steps.data(), padded_steps.size());
  if (x >= reach && x < lattice_.width() - reach && y >= reach && y < lattice_.height() - reach)
    return neighbour_counts_.sum_inside(x, y, steps);
  return neighbour_counts_.sum_at(x, y, rows);
}

inline std::uint32_t EpsteinModel::actives_in_row(int y, int x, int half) const {
  if (padded_) return std::uint32_t(padded_counts_.row_window(y, x, half) & 0xffffffffULL);
  const int w = lattice_.width(), h = lattice_.height();
  const std::uint64_t n = y >= 0 && y < h && x - half >= 0 && x + half < w ? neighbour_counts_.row_range(y, x - half, x + half)
                                                                         : neighbour_counts_.row_window(y, x, half);
  return std::uint32_t(n & 0xffffffffULL);
}

struct EpsteinModel::MoveBatch {
  static constexpr std::size_t capacity = kMoveBatch;
  std::size_t size = 0;
  // The movers, in the order they were gathered.
  std::uint32_t code[capacity];     // citizen index or cop code: the stream's agent and the claim's id
  std::int64_t from[capacity];      // its cell, at column x and row y
  std::int32_t x[capacity], y[capacity];
  std::int32_t at[capacity];        // its index in empty_frame_
  std::uint8_t kind[capacity];      // 0 citizen, 1 cop
  std::uint32_t sites[capacity];    // kind_sites_[kind]
  std::int32_t base[capacity];      // kind_base_[kind]
  // Results: the target (-1: none) and the draw after the last one the pick took (the priority's bits).
  std::uint64_t key[capacity];
  std::int64_t target[capacity];
  std::uint64_t next_draw[capacity];
  std::uint8_t fallback[capacity];  // 0, or the scalar path that finishes the pick (see propose_moves)
  // A round of tries: its output, and for the later rounds the movers still looking (look[j]).
  std::uint8_t result[capacity];
  std::int32_t pick[capacity];
  std::uint64_t round_draw[capacity];
  std::uint8_t look[capacity];
  std::uint64_t look_key[capacity];
  std::uint32_t look_sites[capacity];
  std::int32_t look_at[capacity], look_base[capacity];
};

void EpsteinModel::build_empty_frame() {
  // empty_frame_: 1 for an empty cell, 0 otherwise, with `pad` cells around the lattice: copies
  // across the edges of a torus, 0 (no site) off a bounded lattice.
  const int w = lattice_.width(), h = lattice_.height(), pad = frame_pad_;
  const std::int64_t stride = frame_stride_;
  const bool torus = lattice_.topology() == core::Topology::torus;
  std::uint8_t* const frame = empty_frame_.data();
  const std::int32_t* const occupancy = occupancy_.data();
  executor_.for_chunks(std::size_t(h), rows_per_chunk_, [&](std::size_t y0, std::size_t y1, std::size_t) {
    for (int y = int(y0); y < int(y1); ++y) {
      std::uint8_t* const row = frame + (std::int64_t(y) + pad) * stride + pad;
      const std::int32_t* const occupied = occupancy + std::int64_t(y) * w;
      for (int x = 0; x < w; ++x) row[x] = std::uint8_t(occupied[x] == -1);
      if (!torus) continue;
      for (int x = -pad; x < 0; ++x) row[x] = row[core::Lattice::wrap(x, w)];
      for (int x = w; x < w + pad; ++x) row[x] = row[core::Lattice::wrap(x, w)];
      // The padding rows that are copies of this one (several when the torus is shorter than pad).
      for (int r = y - h; r >= -pad; r -= h) std::copy(row - pad, row - pad + stride, row - pad + std::int64_t(r - y) * stride);
      for (int r = y + h; r < h + pad; r += h) std::copy(row - pad, row - pad + stride, row - pad + std::int64_t(r - y) * stride);
    }
  });
}

void EpsteinModel::propose_moves(MoveBatch& b, const core::StreamFamily& streams) {
  // Each mover's pick is random_empty_site(lattice, offsets, from, stream, empty) and its priority
  // the stream's next draw: up to 32 tries of a random site of the vision (one draw each, Lemire's
  // uniform_below), the first empty one taken; after 32 misses an enumeration. Here a round takes
  // kTriesPerRound tries of every mover still looking at once (try_round: the draws side by side,
  // the sites looked up in the frame of empty cells); a mover whose draw Lemire's method might
  // reject (probability < 2^-56 per draw) and a mover that misses 32 times finish on the scalar
  // path, from their untouched streams.
  enum : std::uint8_t { no_fallback = 0, exact_path = 1, enumerate = 2 };
  const std::size_t n = b.size;
  auto empty = [&](std::int64_t c) { return occupancy_[c] == -1; };
  if (!use_frame_) {  // no frame: one mover after another
    for (std::size_t i = 0; i < n; ++i) {
      RandomStream stream = streams.stream(b.code[i]);
      b.target[i] = agents::random_empty_site(lattice_, b.kind[i] ? cop_offsets_ : citizen_offsets_, b.from[i], stream,
                                              empty, kMaxMoveTries);
      if (b.target[i] >= 0)
        cell_claims_.propose_unshared(std::size_t(b.target[i]), core::Claims::priority(stream(), b.code[i]));
    }
    b.size = 0;
    return;
  }
  stream_keys(core::stream_key_prefix(seed_, kMove), core::stream_key_step_word(std::uint64_t(step_)), b.code, n,
              b.key);
  const std::int64_t* const row_bases = coordinates_.row_base();
  const std::int64_t* const columns = coordinates_.column();
  const std::int32_t* const dxs = move_dx_.data();
  const std::int32_t* const dys = move_dy_.data();
  // Round 1 for every mover (every vision has sites: see use_frame_), then the movers still looking.
  std::size_t n_look = 0;
  try_round(n, b.key, b.sites, b.at, b.base, 0, frame_steps_.data(), empty_frame_.data(),
            {b.result, b.pick, b.round_draw});
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned result = b.result[i];
    b.fallback[i] = no_fallback;
    if (result < unsigned(kTriesPerRound)) {
      const std::int32_t k = b.pick[i];
      b.target[i] = row_bases[b.y[i] + dys[k]] + columns[b.x[i] + dxs[k]];
      b.next_draw[i] = b.round_draw[i];
    } else {
      b.target[i] = -1;
      if (result == kExactPath)
        b.fallback[i] = exact_path;
      else
        b.look[n_look++] = static_cast<std::uint8_t>(i);
    }
  }
  for (std::uint64_t counter = kTriesPerRound; n_look > 0; counter += kTriesPerRound) {
    for (std::size_t j = 0; j < n_look; ++j) {
      const std::size_t i = b.look[j];
      b.look_key[j] = b.key[i];
      b.look_sites[j] = b.sites[i];
      b.look_at[j] = b.at[i];
      b.look_base[j] = b.base[i];
    }
    try_round(n_look, b.look_key, b.look_sites, b.look_at, b.look_base, counter, frame_steps_.data(),
              empty_frame_.data(), {b.result, b.pick, b.round_draw});
    std::size_t still = 0;
    for (std::size_t j = 0; j < n_look; ++j) {
      const std::size_t i = b.look[j];
      const unsigned result = b.result[j];
      if (result < unsigned(kTriesPerRound)) {
        const std::int32_t k = b.pick[j];
        b.target[i] = row_bases[b.y[i] + dys[k]] + columns[b.x[i] + dxs[k]];
        b.next_draw[i] = b.round_draw[j];
      } else if (result == kExactPath) {
        b.fallback[i] = exact_path;
      } else if (counter + kTriesPerRound >= std::uint64_t(kMaxMoveTries)) {
        b.fallback[i] = enumerate;
      } else {
        b.look[still++] = static_cast<std::uint8_t>(i);
      }
    }
    n_look = still;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (b.fallback[i] == no_fallback) continue;
    const auto& offsets = b.kind[i] ? cop_offsets_ : citizen_offsets_;
    RandomStream stream = streams.stream(b.code[i]);
    const std::int64_t from = b.from[i];
    if (b.fallback[i] == exact_path) {
      b.target[i] = agents::random_empty_site(lattice_, offsets, from, stream, empty, kMaxMoveTries);
    } else {  // 32 misses: enumerate the empty sites, as random_empty_site does
      stream.discard(kMaxMoveTries);
      b.target[i] = agents::random_site_where(lattice_, offsets, from, stream,
                                              [&](std::int64_t c) { return c != from && empty(c); });
    }
    b.next_draw[i] = stream();
  }
  for (std::size_t i = 0; i < n; ++i)
    if (b.target[i] >= 0) cell_claims_.prefetch(std::size_t(b.target[i]));
  for (std::size_t i = 0; i < n; ++i)
    if (b.target[i] >= 0) cell_claims_.propose_unshared(std::size_t(b.target[i]), core::Claims::priority(b.next_draw[i], b.code[i]));
  b.size = 0;
}

void EpsteinModel::move_synchronously() {
  // Propose: every citizen on the lattice (unless movement is off) and every deployed cop picks a
  // random empty site within its vision, as the lattice stood when the phase began, and claims it. Resolve: each claimed
  // cell goes to the lowest priority, whose low 32 bits are the winner's code; losers stay put.
  // Targets were empty and sources occupied, so no two winners write the same entry. Both passes
  // visit cells row by row, so a mover's vision and its target are rows still in cache; neither
  // the claims nor the moves depend on the order of the visits.
  const core::StreamFamily streams(seed_, kMove, step_);
  const std::size_t rows = std::size_t(lattice_.height());
  const int w = lattice_.width();
  // Proposals land at most `reach` rows away: bands of rows twice as high, run in colours, never
  // claim the same cell at the same time, so a plain compare-and-store keeps the minimum.
  const std::size_t band_rows =
      std::max(rows_per_chunk_, std::size_t(2 * std::max(citizen_reach_, cop_reach_)));
  if (use_frame_) build_empty_frame();
  const bool citizens_move = movement_;
  const std::int32_t cop_base = cop_base_;
  core::for_row_bands_in_colours(executor_, rows, band_rows, lattice_.topology() == core::Topology::torus,
                                 [&](std::size_t y0, std::size_t y1) {
    // Movers are gathered in batches whose draws are computed together (propose_moves).
    MoveBatch batch;
    constexpr int kSegment = 256;
    std::int32_t movers[kSegment];
    for (int y = int(y0); y < int(y1); ++y) {
      const std::int64_t row_first = std::int64_t(y) * w;
      const std::int32_t frame_row = std::int32_t((std::int64_t(y) + frame_pad_) * frame_stride_ + frame_pad_);
      for (int x0 = 0; x0 < w; x0 += kSegment) {
        const int x1 = std::min(w, x0 + kSegment);
        int n = 0;
        for (int x = x0; x < x1; ++x) {  // a cop, or a citizen when they move, and not jailed holding the cell
          const std::int32_t occupant = occupancy_[row_first + x];
          movers[n] = x;
          n += int(((occupant >= cop_base) | (citizens_move & (occupant >= 0))) & (cell_condition_[row_first + x] != jailed));
        }
        for (int k = 0; k < n; ++k) {
          const int x = movers[k];
          const std::int64_t cell = row_first + x;
          const std::int32_t occupant = occupancy_[cell];
          const std::size_t b = batch.size++;
          batch.code[b] = std::uint32_t(occupant);
          batch.from[b] = cell;
          batch.x[b] = x;
          batch.y[b] = y;
          batch.at[b] = frame_row + x;
          const int kind = is_cop_code(occupant) ? 1 : 0;
          batch.kind[b] = std::uint8_t(kind);
          batch.sites[b] = kind_sites_[kind];
          batch.base[b] = kind_base_[kind];
          if (batch.size == MoveBatch::capacity) propose_moves(batch, streams);
        }
      }
    }
    if (batch.size > 0) propose_moves(batch, streams);
  }, std::size_t(std::max(citizen_reach_, cop_reach_)));
  executor_.for_chunks(rows, rows_per_chunk_, [&](std::size_t y0, std::size_t y1, std::size_t) {
    // The claimed cells of a segment are listed without branches, then moved into: the winner's
    // cell column entry is far away, so the entries kLookahead claims ahead are fetched early.
    constexpr std::int64_t kSegment = 1024;
    std::int64_t claimed[kSegment];
    std::uint64_t winner[kSegment];
    std::int32_t* const occupancy = occupancy_.data();
    std::uint8_t* const condition = cell_condition_.data();
    CellTraits* const traits = cell_traits_.data();
    std::int64_t* const citizen_cell = citizen_cell_.data();
    std::int64_t* const cop_cell = cop_cell_.data();
    const std::int32_t cop_base = cop_base_;
    std::atomic<std::uint64_t>* const claims = cell_claims_.data();
    // Movers come from at most `reach` rows away: the cell mirrors of the rows that far ahead are
    // fetched before the moves reach them (the propose pass has since evicted them).
    const std::int64_t ahead = std::int64_t(std::max(citizen_reach_, cop_reach_) + 1) * w;
    const std::int64_t cells = lattice_.cell_count();
    for (std::int64_t first = std::int64_t(y0) * w, last = std::int64_t(y1) * w; first < last; first += kSegment) {
      const std::int64_t end = std::min(last, first + kSegment);
      const std::int64_t from_ahead = first + ahead, end_ahead = std::min(end + ahead, cells);
      for (std::int64_t c = from_ahead; c < end_ahead; c += 4) prefetch_for_write(cell_traits_.data() + c);
      for (std::int64_t c = from_ahead; c < end_ahead; c += 16) prefetch_for_write(occupancy_.data() + c);
      for (std::int64_t c = from_ahead; c < end_ahead; c += 64) prefetch_for_write(cell_condition_.data() + c);
      std::int64_t n = 0;
      for (std::int64_t cell = first; cell < end; ++cell) {
        const std::uint64_t claim = claims[cell].load(std::memory_order_relaxed);
        claimed[n] = cell;
        winner[n] = claim;
        n += std::int64_t(claim != core::Claims::none);
      }
      for (std::int64_t k = 0; k < std::min(n, kLookahead); ++k)
        prefetch_for_write(cell_column_of(std::int32_t(winner[k] & 0xffffffffULL)));
      for (std::int64_t k = 0; k < n; ++k) {
        if (k + kLookahead < n) prefetch_for_write(cell_column_of(std::int32_t(winner[k + kLookahead] & 0xffffffffULL)));
        const std::int64_t cell = claimed[k];
        claims[cell].store(core::Claims::none, std::memory_order_relaxed);
        const auto code = static_cast<std::int32_t>(winner[k] & 0xffffffffULL);
        std::int64_t* cell_column = code >= cop_base ? cop_cell + (code - cop_base) : citizen_cell + code;
        const std::int64_t from = *cell_column;
        occupancy[from] = -1;
        occupancy[cell] = code;
        condition[cell] = condition[from];
        condition[from] = quiet;
        traits[cell] = traits[from];
        *cell_column = cell;
      }
    }
  });
}

void EpsteinModel::decide_synchronously() {
  // Every citizen decides from the same snapshot of actives and cops (per-row prefix sums, so a
  // neighbourhood count costs one lookup per row). Cells are visited in row-major order so that
  // consecutive citizens share cached rows: first the citizens whose grievance exceeds the threshold
  // are listed without branches, then only they count their neighbours.
  rebuild_neighbour_counts();
  const int w = lattice_.width();
  const double keep = 1.0 - legitimacy_;  // grievance = hardship * (1 - L)
  const std::size_t chunks = (std::size_t(lattice_.height()) + rows_per_chunk_ - 1) / rows_per_chunk_;
  chunk_actives_.assign(chunks, 0);
  executor_.for_chunks(std::size_t(lattice_.height()), rows_per_chunk_, [&](std::size_t y0, std::size_t y1, std::size_t chunk) {
    constexpr int kSegment = 256;
    std::int32_t candidates[kSegment], calmed[kSegment];
    const std::int32_t* const occupancy = occupancy_.data();
    std::uint8_t* const cell_condition = cell_condition_.data();
    const CellTraits* const cell_traits = cell_traits_.data();
    std::uint8_t* const condition = condition_.data();
    const std::uint32_t cop_base = std::uint32_t(cop_base_);
    const double threshold = threshold_;
    std::int64_t actives = 0;
    for (int y = int(y0); y < int(y1); ++y) {
      const std::int64_t row_first = std::int64_t(y) * w;
      for (int x0 = 0; x0 < w; x0 += kSegment) {
        const int x1 = std::min(w, x0 + kSegment);
        int n = 0, n_calmed = 0;
        for (int x = x0; x < x1; ++x) {
          const std::int64_t cell = row_first + x;
          const std::uint8_t was = cell_condition[cell];
          // A citizen (not empty, not a cop) not in jail; aggrieved: G > T.
          const bool free_citizen = (std::uint32_t(occupancy[cell]) < cop_base) & (was != jailed);
          const bool aggrieved = cell_traits[cell].hardship * keep > threshold;
          candidates[n] = x;
          n += int(free_citizen & aggrieved);
          calmed[n_calmed] = x;  // G <= T: quiet whatever it sees
          n_calmed += int(free_citizen & !aggrieved & (was == active));
        }
        for (int k = 0; k < n_calmed; ++k) {
          const std::int64_t cell = row_first + calmed[k];
          condition[occupancy[cell]] = quiet;
          cell_condition[cell] = quiet;
        }
        for (int k = 0; k < n; ++k) {
          const int x = candidates[k];
          const std::int64_t cell = row_first + x;
          const std::int32_t i = occupancy[cell];
          const std::uint8_t was = cell_condition[cell];
          const CellTraits traits = cell_traits[cell];
          const double g = traits.hardship * keep;
          const std::uint64_t seen =
              neighbour_counts(x, y, citizen_rows_, citizen_row_steps_, citizen_padded_steps_, citizen_reach_);
          const int cops_seen = int(seen >> 32);
          const bool was_active = was == active;
          const int others = int(seen & 0xffffffffULL) - (was_active ? 1 : 0);
          const bool now_active = agents::citizen::decides_active(
              g, traits.risk_aversion, arrest_probability(cops_seen, others, was_active), threshold);
          const std::uint8_t now = now_active ? active : quiet;
          actives += now_active;
          if (now != was) {
            condition[i] = now;
            cell_condition[cell] = now;
          }
        }
      }
    }
    chunk_actives_[chunk] = actives;
  });
  std::int64_t actives = 0;
  for (const std::int64_t a : chunk_actives_) actives += a;
  no_actives_ = actives == 0;
}

std::int64_t EpsteinModel::pick_active_site(std::int64_t cell, int x, int y, RandomStream& stream) const {
  // agents::random_site_where(lattice_, cop_offsets_, cell, stream, is active): reservoir sampling
  // over the sites in offset order keeps the match of rank ReservoirRank(stream, matches). The
  // matches are listed first, without branches, then the draws are taken.
  constexpr std::size_t kMaxListed = 1024;
  const std::size_t sites = cop_offsets_.size();
  if (sites > kMaxListed)
    return agents::random_site_where(lattice_, cop_offsets_, cell, stream,
                                     [&](std::int64_t c) { return cell_condition_[c] == active; });
  std::int64_t matches[kMaxListed];
  std::size_t n = 0;
  const std::int64_t* const row_base = coordinates_.row_base() + y;
  const std::int64_t* const column = coordinates_.column() + x;
  const std::int32_t* const dx = move_dx_.data() + kind_base_[1];
  const std::int32_t* const dy = move_dy_.data() + kind_base_[1];
  const std::uint8_t* const condition = cell_condition_.data();
  for (std::size_t k = 0; k < sites; ++k) {
    const std::int64_t c = row_base[dy[k]] + column[dx[k]];
    matches[n] = c;
    n += std::size_t((c >= 0) & (condition[c >= 0 ? c : cell] == active));
  }
  const std::uint64_t rank = BatchedReservoirRank{}(stream, n);
  return rank == 0 ? -1 : matches[rank - 1];
}

void EpsteinModel::arrest_synchronously() {
  // Each deployed cop picks one active citizen in its vision; two cops wanting one citizen:
  // propose, then resolve, and the losers choose again among those still free, round after round.
  // Claims are keyed by the citizen's cell, a few rows from the cop. In the first round, the
  // actives counted per row pick the same citizen as testing every site of the vision would.
  // Without an active citizen (the decisions just counted them) no cop has anyone to pick.
  const bool nobody = no_actives_;
  no_actives_ = false;
  if (nobody) return;
  rebuild_neighbour_counts();
  const int w = lattice_.width(), h = lattice_.height();
  auto active_cell = [&](std::int64_t c) { return cell_condition_[c] == active; };
  auto in_row = [&](int y, int x, int half) { return actives_in_row(y, x, half); };
  // Suspects lie at most cop_reach rows from their cop: the cops of bands of rows twice as high,
  // run in colours, never claim the same cell at the same time (plain compare-and-store).
  const std::size_t rows = std::size_t(h);
  const std::size_t band_rows = std::max(rows_per_chunk_, std::size_t(2 * cop_reach_));
  const bool torus = lattice_.topology() == core::Topology::torus;
  const core::StreamFamily terms(seed_, kJailTerm, step_);
  // A cop's pick and proposal (cell -1: nobody to pick).
  auto propose = [&](const core::StreamFamily& streams, bool counted, const PendingCop& p, ArrestPick& pick) {
    RandomStream stream = streams.stream(std::uint64_t(p.cop));
    const std::int64_t cell =
        counted ? agents::random_site_where_counted(lattice_, cop_rows_, p.cell, stream, in_row, active_cell,
                                                    BatchedReservoirRank{})
                : pick_active_site(p.cell, int(p.cell % w), int(p.cell / w), stream);
    pick.cell = cell;
    pick.priority = core::Claims::priority(stream(), std::uint32_t(p.cop));
    if (cell < 0) return;
    pick.suspect = occupancy_[cell];
    cell_claims_.propose_unshared(std::size_t(cell), pick.priority);
  };

  // Round 0, in the same sweep as the search for cops with an active citizen in vision (their
  // vision's counts and cells are then in cache). Each band lists its cops in row-major order; the
  // lists are joined in band order, so pending_ is sorted by cell.
  const std::size_t bands = (rows + band_rows - 1) / band_rows;
  if (band_lists_.size() < bands) band_lists_.resize(bands);
  {
    const core::StreamFamily streams(seed_, kArrest, step_);
    const bool counted = cop_rows_fit_;
    core::for_row_bands_in_colours(executor_, rows, band_rows, torus, [&](std::size_t y0, std::size_t y1) {
      auto& list = band_lists_[y0 / band_rows];
      list.clear();
      constexpr int kSegment = 256;
      std::int32_t cops[kSegment];
      const std::int32_t cop_base = cop_base_;
      for (int y = int(y0); y < int(y1); ++y) {
        const std::int32_t* row = occupancy_.data() + std::int64_t(y) * w;
        for (int x0 = 0; x0 < w; x0 += kSegment) {
          const int x1 = std::min(w, x0 + kSegment);
          int n = 0;
          for (int x = x0; x < x1; ++x) {
            cops[n] = x;
            n += int(row[x] >= cop_base);
          }
          for (int k = 0; k < n; ++k) {
            const int x = cops[k];
            if ((neighbour_counts(x, y, cop_rows_, cop_row_steps_, cop_padded_steps_, cop_reach_) & 0xffffffffULL) == 0)
              continue;
            const PendingCop p{row[x] - cop_base, std::int64_t(y) * w + x};
            ArrestPick pick;
            propose(streams, counted, p, pick);
            list.push_back({p, pick});
          }
        }
      }
    }, std::size_t(cop_reach_));
  }
  std::size_t n_pending = 0;
  for (std::size_t b = 0; b < bands; ++b) n_pending += band_lists_[b].size();
  pending_.resize(n_pending);
  picks_.resize(n_pending);
  for (std::size_t b = 0, n = 0; b < bands; ++b)
    for (const auto& entry : band_lists_[b]) {
      pending_[n] = entry.cop;
      picks_[n++] = entry.pick;
    }

  for (std::uint64_t round = 0; !pending_.empty(); ++round) {
    const std::size_t n_pending = pending_.size();
    won_.resize(n_pending);
    picks_.resize(n_pending);
    if (round > 0) {
      const core::StreamFamily streams(seed_, kArrest + round, step_);
      core::for_row_bands_in_colours(executor_, rows, band_rows, torus, [&](std::size_t y0, std::size_t y1) {
        auto by_cell = [](const PendingCop& p, std::int64_t cell) { return p.cell < cell; };
        const auto first = std::lower_bound(pending_.begin(), pending_.end(), std::int64_t(y0) * w, by_cell);
        const auto last = std::lower_bound(first, pending_.end(), std::int64_t(y1) * w, by_cell);
        for (auto it = first; it != last; ++it) {
          const std::size_t n = std::size_t(it - pending_.begin());
          propose(streams, false, *it, picks_[n]);
        }
      }, std::size_t(cop_reach_));
    }
    // Each claimed suspect has one winner, who arrests and frees the claim (a loser's check sees
    // either the winner's priority or a free claim); only the winner touches its suspect's cell.
    executor_.for_chunks(n_pending, kChunk, [&](std::size_t begin, std::size_t end, std::size_t) {
      constexpr std::size_t kAhead = 8;  // suspects' column entries are anywhere: fetch them early
      for (std::size_t n = begin; n < end; ++n) {
        if (n + kAhead < end && picks_[n + kAhead].cell >= 0) {
          cell_claims_.prefetch(std::size_t(picks_[n + kAhead].cell));
          const std::int64_t c = picks_[n + kAhead].suspect;
          __builtin_prefetch(&condition_[c], 1);
          __builtin_prefetch(&jail_remaining_[c], 1);
          __builtin_prefetch(&citizen_cell_[c], 1);
          __builtin_prefetch(&last_cell_[c], 1);
        }
        const ArrestPick& pick = picks_[n];
        won_[n] = pick.cell >= 0 && cell_claims_.won(std::size_t(pick.cell), pick.priority);
        if (!won_[n]) continue;
        arrest(pending_[n].cop, pick.suspect, &terms);
        cell_claims_.clear(std::size_t(pick.cell));
      }
    });
    for (std::size_t n = 0; n < n_pending; ++n) arrests_ += won_[n];
    losers_.clear();
    for (std::size_t n = 0; n < n_pending; ++n)
      if (picks_[n].cell >= 0 && !won_[n]) losers_.push_back(pending_[n]);
    pending_.swap(losers_);
  }
}

void EpsteinModel::kill_synchronously() {
  // Model II: each active citizen kills one citizen of the other group within its vision; contested
  // victims are resolved like arrests.
  auto killers = core::parallel_select(executor_, citizens_.capacity(), kChunk,
                                       [&](std::size_t i) { return on_grid_citizen(i) && condition_[i] == active; });
  std::vector<std::int64_t> victim(citizens_.capacity(), -1), victim_cell(citizens_.capacity(), -1);
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
      victim_cell[i] = cell;
      priority[i] = core::Claims::priority(stream(), std::uint32_t(i));
      if (cell >= 0) cell_claims_.propose(cell, priority[i]);
    });
    std::vector<std::uint8_t> won(killers.size(), 0);
    executor_.for_each(killers.size(), kChunk, [&](std::size_t n) {
      const std::int64_t i = killers[n];
      won[n] = victim[i] >= 0 && cell_claims_.won(victim_cell[i], priority[i]);
    });
    executor_.for_each(killers.size(), kChunk, [&](std::size_t n) {
      if (won[n]) kill(victim[killers[n]]);
    });
    for (std::size_t n = 0; n < killers.size(); ++n) killed_ += won[n];
    executor_.for_each(killers.size(), kChunk, [&](std::size_t n) {
      if (victim[killers[n]] >= 0) cell_claims_.clear(victim_cell[killers[n]]);
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
  // Every jailed citizen serves one step; those with nothing left to serve are listed (per chunk,
  // in index order) for the next step's release. Without branches: a fifth of the citizens may be
  // jailed, in no particular order.
  const std::size_t n = citizens_.capacity();
  due_lists_.resize((n + kChunk - 1) / kChunk);
  const std::uint8_t* alive = alive_.data();
  const std::uint8_t* condition = condition_.data();
  double* remaining = jail_remaining_.data();
  executor_.for_chunks(n, kChunk, [&](std::size_t begin, std::size_t end, std::size_t chunk) {
    alignas(8) std::uint8_t due[kChunk + 8];
    serve_one_step(alive + begin, condition + begin, remaining + begin, end - begin, jailed, due);
    std::fill(due + (end - begin), due + ((end - begin + 7) / 8) * 8, std::uint8_t(0));
    auto& list = due_lists_[chunk];
    list.clear();
    for (std::size_t k = 0; k < end - begin; k += 8) {  // few are due: skip 8 flags at a time
      std::uint64_t flags;
      std::memcpy(&flags, due + k, 8);
      for (; flags != 0; flags &= flags - 1)
        list.push_back(std::int32_t(begin + k + std::size_t(__builtin_ctzll(flags) / 8)));
    }
  });
  due_listed_ = true;
}

void EpsteinModel::age_and_die() {
  deaths_ = executor_.sum<std::int64_t>(citizens_.capacity(), kChunk, [&](std::size_t i) -> std::int64_t {
    if (!alive_[i]) return 0;
    if (++age_[i] < death_age_[i]) return 0;
    alive_[i] = 0;
    condition_[i] = quiet;
    if (citizen_cell_[i] >= 0) {
      occupancy_[citizen_cell_[i]] = -1;
      cell_condition_[citizen_cell_[i]] = quiet;
    }
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
    mirror_citizen(target[parent], child);
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
#ifndef NDEBUG
  check_cell_mirror();
#endif
}

void EpsteinModel::check_cell_mirror() const {
  for (std::int64_t c = 0; c < lattice_.cell_count(); ++c) {
    const std::int32_t o = occupancy_[c];
    const bool citizen = o >= 0 && !is_cop_code(o);
    const std::uint8_t expected = citizen ? condition_[o] : std::uint8_t(quiet);
    if (cell_condition_[c] != expected ||
        (citizen && (cell_traits_[c].hardship != hardship_[o] || cell_traits_[c].risk_aversion != risk_aversion_[o])))
      throw std::logic_error("cell " + std::to_string(c) + ": the cell_* mirrors differ from the occupant's columns");
  }
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
      {"cell_state", "occupant of each cell", "empty quiet active jailed cop", false, ""}};
  static const std::vector<core::RasterSpec> ethnic = {
      {"cell_state", "occupant of each cell", "empty quiet active jailed cop", false, ""},
      {"cell_group", "ethnic group of the citizen in each cell", "none group_a group_b", false, ""}};
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

// ---------------------------------------------------------------------------------------------
// Checkpoints
//
// The state between steps: the agent tables, the lattice's occupancy and its per-cell mirrors of
// the occupants (kept exact, stale entries included), the step, legitimacy, the last step's
// tallies and Model II's genocide record. Everything else is rebuilt before it is read: neighbour
// counts, frames and claims by each phase, and the release list (due_lists_) is replaced by the
// scan that gives the same citizens in the same order.

void EpsteinModel::save_state(core::StateWriter& out) const {
  out.section("epstein");
  out.i64(step_);
  out.f64(legitimacy_);
  out.table(citizens_);
  out.table(cops_);
  out.vector(occupancy_);
  out.vector(cell_condition_);
  out.vector(cell_traits_);
  for (const std::int64_t tally : {arrests_, killed_, births_, deaths_, genocide_step_, std::int64_t(surviving_group_)})
    out.i64(tally);
}

void EpsteinModel::load_state(core::StateReader& in) {
  in.section("epstein");
  step_ = in.i64();
  legitimacy_ = in.f64();
  in.table(citizens_);
  in.table(cops_);
  in.vector_of_size(occupancy_, "the lattice's occupancy");
  in.vector_of_size(cell_condition_, "the lattice's conditions");
  in.vector_of_size(cell_traits_, "the lattice's traits");
  arrests_ = in.i64();
  killed_ = in.i64();
  births_ = in.i64();
  deaths_ = in.i64();
  genocide_step_ = in.i64();
  surviving_group_ = int(in.i64());
  due_listed_ = false;
  no_actives_ = false;
}

}  // namespace sahelsim::models::epstein

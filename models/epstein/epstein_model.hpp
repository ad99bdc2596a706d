// Epstein's civil violence model (Model I) and ethnic violence model (Model II) on sahelsim's core.
//
// A step is a named list of phases (see the constructor): schedules, release from jail, then either
// one phase that activates every agent in a random sequential order (the paper's reference scheme,
// serial) or the synchronous parallel phases move / decide / (kill) / arrest, whose conflicts are
// resolved by propose-then-resolve so results are bitwise identical for any thread count; then jail
// terms and (Model II) ageing and cloning.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agents/citizen/arrest_probability.hpp"
#include "agents/citizen/jail_term.hpp"
#include "sahelsim/core/claims.hpp"
#include "sahelsim/core/columns.hpp"
#include "sahelsim/core/lattice.hpp"
#include "sahelsim/core/model.hpp"
#include "sahelsim/core/parallel.hpp"
#include "sahelsim/core/parameters.hpp"
#include "sahelsim/core/random_stream.hpp"
#include "sahelsim/core/schedule.hpp"

namespace sahelsim::models::epstein {

enum class Variant { civil_violence, ethnic_violence };

/// Values of the citizens' `condition` column and of the `cell_state` raster.
enum CitizenCondition : std::uint8_t { quiet = 0, active = 1, jailed = 2 };
enum CellState : std::uint8_t { cell_empty = 0, cell_quiet = 1, cell_active = 2, cell_jailed = 3, cell_cop = 4 };

class EpsteinModel final : public core::Model {
 public:
  /// `parameters` must come from civil_violence_parameters() or ethnic_violence_parameters() for the
  /// variant. Throws core::ParameterError on inconsistent parameters.
  EpsteinModel(Variant variant, const core::ParameterSet& parameters, std::uint64_t seed, int threads);

  // core::Model
  std::string model_name() const override;
  void step() override;
  std::int64_t current_step() const override { return step_; }
  const core::ParameterSet& parameters() const override { return parameters_; }
  std::uint64_t seed() const override { return seed_; }
  int threads() const override { return executor_.threads(); }
  const std::vector<core::SeriesSpec>& series_specs() const override;
  std::vector<double> series_values() const override;
  int raster_width() const override { return lattice_.width(); }
  int raster_height() const override { return lattice_.height(); }
  const std::vector<core::RasterSpec>& raster_specs() const override;
  std::vector<std::uint8_t> raster(const std::string& name) const override;
  std::vector<const core::ColumnTable*> tables() const override { return {&citizens_, &cops_}; }
  std::uint64_t state_hash() const override;
  std::string describe_schedule() const override { return schedule_.describe(); }
  void save_state(core::StateWriter& out) const override;
  void load_state(core::StateReader& in) override;

  struct Counts {
    std::int64_t quiet = 0, active = 0, jailed = 0, cops = 0;
    std::int64_t group_a = 0, group_b = 0;  // living citizens by group (Model II)
  };
  Counts counts() const;
  double legitimacy() const { return legitimacy_; }
  /// Model II: step at which one group was wiped out (-1 while both live), and the survivor (0 = A, 1 = B).
  std::int64_t genocide_step() const { return genocide_step_; }
  int surviving_group() const { return surviving_group_; }
  const core::Lattice& lattice() const { return lattice_; }
  /// Occupant of each cell: -1 empty, citizen index, or cop_code(cop index).
  const std::vector<std::int32_t>& occupancy() const { return occupancy_; }
  const core::ColumnTable& citizens() const { return citizens_; }
  const core::ColumnTable& cops() const { return cops_; }

 private:
  // ---- phases ----
  void apply_schedules();
  void release_from_jail();
  void activate_in_random_order();  // sequential reference: every agent moves and acts in turn
  void move_synchronously();
  void decide_synchronously();
  void kill_synchronously();        // Model II
  void arrest_synchronously();
  void serve_jail_terms();
  void age_and_die();               // Model II
  void clone_synchronously();       // Model II
  void detect_genocide();           // Model II

  // ---- helpers ----
  void place_initial_agents();
  void set_cop_count(std::int64_t target);
  bool is_cop_code(std::int32_t occupant) const { return occupant >= cop_base_; }
  std::int32_t cop_code(std::int64_t cop) const { return static_cast<std::int32_t>(cop_base_ + cop); }
  /// The `cell` column entry of a citizen or cop code.
  std::int64_t* cell_column_of(std::int32_t code) {
    return is_cop_code(code) ? &cop_cell_[code - cop_base_] : &citizen_cell_[code];
  }
  bool on_grid_citizen(std::int64_t i) const;
  double arrest_probability(int cops_seen, int others_active, bool self_active) const;
  /// `terms`, if given, is StreamFamily(seed, "citizen.jail_term", step) (the same streams, cheaper).
  void arrest(std::int64_t cop, std::int64_t citizen, const core::StreamFamily* terms = nullptr);
  /// A cop at `cell` = (x, y) picks an active citizen's cell in its vision (-1: none), as
  /// agents::random_site_where over cop_offsets_ does, with the same draws.
  std::int64_t pick_active_site(std::int64_t cell, int x, int y, core::RandomStream& stream) const;
  void kill(std::int64_t victim);
  void rebuild_counts_sequential();
  using NeighbourCounts = core::BasicRowPrefixCounts<std::uint64_t>;
  using PaddedCounts = core::BasicPaddedRowPrefixCounts<std::uint64_t>;
  void rebuild_neighbour_counts();
  /// Actives and cops (packed: actives in the low 32 bits, cops in the high 32) around (x, y).
  std::uint64_t neighbour_counts(int x, int y, const std::vector<core::RowSpan>& rows,
                                 const std::vector<NeighbourCounts::RowSteps>& steps,
                                 const std::vector<PaddedCounts::RowSteps>& padded_steps, int reach) const;
  /// Actives in row y (any row within vision of the lattice), columns x - half .. x + half.
  std::uint32_t actives_in_row(int y, int x, int half) const;
  /// Proposes targets for a batch of movers (see move_synchronously).
  struct MoveBatch;
  void propose_moves(MoveBatch& batch, const core::StreamFamily& streams);
  void build_empty_frame();
  void check_cell_mirror() const;  // debug builds: the cell_* mirrors agree with the columns
  /// Copies a citizen's mirrored state into the cell it now occupies.
  void mirror_citizen(std::int64_t cell, std::int64_t citizen) {
    cell_condition_[cell] = condition_[citizen];
    cell_traits_[cell] = {hardship_[citizen], risk_aversion_[citizen]};
  }
  /// Moves the mirrored state of the citizen at `from` to `to` (and empties `from`).
  void move_mirror(std::int64_t from, std::int64_t to) {
    cell_condition_[to] = cell_condition_[from];
    cell_condition_[from] = quiet;
    cell_traits_[to] = cell_traits_[from];
  }

  Variant variant_;
  core::ParameterSet parameters_;
  std::uint64_t seed_;
  mutable core::ParallelExecutor executor_;
  core::Lattice lattice_;
  std::int64_t step_ = 0;
  double legitimacy_ = 0.0;

  // Resolved parameters (names resolved once, never in hot loops).
  double threshold_, k_, max_jail_term_, clone_probability_ = 0.0;
  std::int32_t max_age_ = 0;
  bool movement_, cops_move_, jailed_hold_cell_, cop_moves_to_arrest_, count_self_twice_, move_first_, sequential_;
  agents::citizen::ArrestRule arrest_rule_;
  agents::citizen::JailDraw jail_draw_;
  std::vector<core::RowSpan> citizen_rows_, cop_rows_;
  std::vector<core::Offset> citizen_offsets_, cop_offsets_, birth_offsets_;
  std::vector<double> probability_table_;  // P for (cops seen, actives seen), when cheap to tabulate
  int table_max_ = 0;

  // Agent state as typed columns.
  core::ColumnTable citizens_;
  core::Column<double>& hardship_;
  core::Column<double>& risk_aversion_;
  core::Column<std::uint8_t>& condition_;
  core::Column<double>& jail_remaining_;
  core::Column<std::int64_t>& citizen_cell_;  // -1 while off the lattice (jailed or dead)
  core::Column<std::int64_t>& last_cell_;     // where a jailed citizen was arrested
  core::Column<std::uint8_t>& alive_;
  core::Column<std::uint8_t>& group_;
  core::Column<std::int32_t>& age_;
  core::Column<std::int32_t>& death_age_;
  core::ColumnTable cops_;
  core::Column<std::int64_t>& cop_cell_;  // -1 when the cop is not deployed
  std::int64_t citizen_capacity_;
  std::int32_t cop_base_;

  std::vector<std::int32_t> occupancy_;
  // The condition of the citizen in each cell (quiet for empty and cop cells), kept equal to
  // condition_[occupancy_[cell]] by every phase: the synchronous phases visit cells in row-major
  // order and read this byte next to the cell instead of jumping to the citizen's column entry.
  std::vector<std::uint8_t> cell_condition_;
  // Likewise the hardship and risk aversion of the citizen in each cell (undefined elsewhere),
  // side by side: a move copies both, a decision reads both.
  struct CellTraits {
    double hardship, risk_aversion;
  };
  std::vector<CellTraits> cell_traits_;
  core::Claims cell_claims_;          // claimed cells, and arrested or killed citizens by their cell
  // Synchronous phases: per-row prefix sums of actives (low 32 bits) and cops (high 32 bits), with
  // rows padded across the edges (padded_counts_) when every vision fits in the lattice, else plain
  // (neighbour_counts_, for a torus smaller than a vision); the other one takes no memory.
  bool padded_ = false;
  NeighbourCounts neighbour_counts_;
  PaddedCounts padded_counts_;
  std::vector<NeighbourCounts::RowSteps> citizen_row_steps_, cop_row_steps_;
  std::vector<PaddedCounts::RowSteps> citizen_padded_steps_, cop_padded_steps_;
  // Coordinates wrapped or clipped for every vision (moves and site picks near the edges).
  core::CoordinateTables coordinates_;
  // The offsets of both visions side by side, citizens' (from kind_base_[0]) then cops' (from
  // kind_base_[1], kind_sites_[1] of them), and as steps in the moves' frame of empty cells: the
  // lattice with `frame_pad_` cells around it (wrapped copies on a torus), rebuilt by each move.
  std::vector<std::int32_t> move_dx_, move_dy_, frame_steps_;
  std::int32_t kind_base_[2] = {0, 0};
  std::uint32_t kind_sites_[2] = {0, 0};
  bool use_frame_ = false;
  std::vector<std::uint8_t> empty_frame_;
  std::int64_t frame_stride_ = 0;
  int frame_pad_ = 0;
  // The arrest phase is skipped when the decisions left no active citizen (no cop could pick one).
  bool no_actives_ = false;
  std::vector<std::int64_t> chunk_actives_;
  // Sequential activation: the same packed counts, updated cell by cell.
  core::BasicRowFenwickCounts<std::uint64_t> neighbour_fenwick_;
  std::size_t rows_per_chunk_ = 1;    // lattice rows per parallel chunk (~4k cells)
  int citizen_reach_ = 0, cop_reach_ = 0;
  bool cop_rows_fit_ = false;         // cop vision reaches no cell twice (counted arrest picks)
  // Scratch of the arrest phase, kept between steps: cops per band of rows, then the rounds.
  struct PendingCop {
    std::int64_t cop, cell;
  };
  struct ArrestPick {
    std::int64_t cell = -1;        // the suspect's cell, -1 for none
    std::uint64_t priority = 0;    // the claim's priority
    std::int32_t suspect = -1;     // the citizen in that cell
  };
  struct PendingPick {
    PendingCop cop;
    ArrestPick pick;
  };
  std::vector<std::vector<PendingPick>> band_lists_;
  std::vector<PendingCop> pending_, losers_;
  std::vector<ArrestPick> picks_;
  // Citizens due for release, listed per chunk by serve_jail_terms for the next step.
  std::vector<std::vector<std::int32_t>> due_lists_;
  bool due_listed_ = false;
  std::vector<std::int64_t> due_, release_target_;
  std::vector<std::uint64_t> release_priority_;
  std::vector<std::uint8_t> won_;

  // Per-step tallies for the series.
  std::int64_t arrests_ = 0, killed_ = 0, births_ = 0, deaths_ = 0;
  std::int64_t genocide_step_ = -1;
  int surviving_group_ = -1;

  core::Schedule schedule_;
};

}  // namespace sahelsim::models::epstein

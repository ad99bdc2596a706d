// Scenario files: what a Sahel run starts from (map, period, seed, parameters, forces, scheduled
// events, output), written in TOML and described in docs/SCENARIOS.md.
//
//   const Scenario s = load_scenario_file("my-run.toml");   // throws ScenarioError listing problems
//   const SahelMap map = build_scenario_map(s);
//
// Loading checks everything it can without building the map: unknown keys, types, ranges, dates
// within the period, town names (with did-you-mean suggestions) and corridor names against the
// scenario's data pack, positions inside the map. Every problem is collected, each as
//   FILE:LINE:COL: field 'events[2].corridors[0]' = 'Dakar' is not allowed: expected one of: ...
// check_scenario_file() also builds the map, so data that cannot make a map (a disconnected
// corridor, no towns) is reported too.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/sahel/world/data_pack.hpp"
#include "models/sahel/world/sahel_map.hpp"
#include "sahelsim/core/geo/data_error.hpp"
#include "sahelsim/core/parameters.hpp"

namespace sahelsim::models::sahel {

/// A scenario with problems; what() is every problem, one a line.
class ScenarioError : public core::DataError {
 public:
  explicit ScenarioError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

/// A calendar date (proleptic Gregorian).
struct Date {
  int year = 2025, month = 1, day = 1;
  /// Days since 1970-01-01.
  std::int64_t days_since_epoch() const;
  /// The date `days` after this one (before it if negative).
  Date plus_days(std::int64_t days) const;
  /// 1 for 1 January, up to days_in_year() for 31 December.
  int day_of_year() const;
  int days_in_year() const;  // 365 or 366
  std::string iso() const;  // "2025-07-01"
  friend bool operator<(const Date& a, const Date& b) { return a.days_since_epoch() < b.days_since_epoch(); }
};

enum class ForceKind { militant, army, partner, militia };
enum class EventKind { blockade, lift_blockade, partner_replaces, fuel_sale_ban, legitimacy_shock };
std::string kind_name(ForceKind kind);
std::string kind_name(EventKind kind);

struct ScenarioForce {
  ForceKind kind = ForceKind::militant;
  std::string name;
  std::int64_t strength = 0;  // fighters or troops
  std::string town;           // the town (towns.csv name) it starts at, empty for a lon/lat position
  core::geo::LonLat position; // the town's, or as given
};

struct ScenarioEvent {
  Date date;
  EventKind kind = EventKind::blockade;
  std::vector<std::string> corridors;  // blockade, lift_blockade: corridors.csv names
  std::string old_force, new_force;    // partner_replaces: force names
  std::string scope;                   // fuel_sale_ban: "rural" or "national"
  double delta = 0.0;                  // legitimacy_shock: added to legitimacy, in [-1, 1]
  std::string note;                    // optional free text (a source, a reason)
};

struct Scenario {
  static constexpr double max_years = 20.0;
  static constexpr std::int64_t max_strength = 1'000'000;

  std::string source;  // the file (or bundled name) it was read from
  std::string name, description;
  std::string map_data = "default";  // as written
  std::string map_origin;            // "embedded", "bundled:<dir>" or the resolved directory
  double cell_km = 5.0;
  Date start{2025, 7, 1}, end{2025, 12, 31};
  std::uint64_t seed = 0;
  core::ParameterSet parameters;
  std::vector<ScenarioForce> forces;
  std::vector<ScenarioEvent> events;  // sorted by date (stable)
  std::string output_path;            // empty: chosen by the runner
  std::int64_t snapshot_every_days = 0;  // 0: no snapshots
  std::shared_ptr<const DataPack> data;  // the map's data pack

  Scenario();
  /// Days in the period, both ends included.
  std::int64_t days() const { return end.days_since_epoch() - start.days_since_epoch() + 1; }
};

/// Parses and checks a scenario. `source_name` starts every message; a relative map directory is
/// resolved against `base_directory` (the scenario file's directory; "" = the working directory).
Scenario load_scenario(const std::string& text, const std::string& source_name,
                       const std::string& base_directory = "");
/// The same for a file (its directory is the base directory).
Scenario load_scenario_file(const std::string& path);
/// A bundled scenario by name ("mali-2025"), or else a file path.
Scenario load_scenario_by_name_or_path(const std::string& name_or_path);

/// The scenarios compiled into the library (scenarios/*.toml), by name.
std::vector<std::string> bundled_scenario_names();
bool is_bundled_scenario(const std::string& name);

/// The map of a scenario (its data pack, cell_km and seed).
SahelMap build_scenario_map(const Scenario& scenario);

/// Every problem of a scenario (name or path), the map built; empty when it is fine.
std::vector<std::string> check_scenario(const std::string& name_or_path);

/// The resolved scenario (every default filled in) as TOML or JSON text.
std::string scenario_to_toml(const Scenario& scenario);
std::string scenario_to_json(const Scenario& scenario);

}  // namespace sahelsim::models::sahel

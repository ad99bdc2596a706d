#include "models/sahel/scenario/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "models/sahel/parameters.hpp"
#include "models/sahel/scenario/embedded_scenarios.hpp"
#include "sahelsim/core/geo/road_graph.hpp"

namespace sahelsim::models::sahel {

using core::DataError;
using core::format_real;
using core::quoted_value;

namespace {

std::string joined(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

std::string read_text_file(const std::string& path) {
  if (std::filesystem::is_directory(path))
    throw ScenarioError({path + ": is a directory, not a scenario file (a .toml file, or a bundled scenario's name)"});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({path + ": cannot read the scenario file (no such file, or not readable)"});
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

const std::vector<std::string> force_kinds = {"militant", "army", "partner", "militia"};
const std::vector<std::string> event_kinds = {"blockade", "lift_blockade", "partner_replaces", "fuel_sale_ban",
                                              "legitimacy_shock"};
const std::vector<std::string> fuel_ban_scopes = {"rural", "national"};

/// The years a scenario's dates may have.
constexpr int kFirstYear = 1900, kLastYear = 2200;

// What the scenario is checked against: the data pack's towns, corridors and Mali's extent.
struct MapFacts {
  std::shared_ptr<const DataPack> data;
  core::geo::RoadGraph towns{"town"};
  std::map<int, core::geo::LonLat> town_positions;
  std::vector<std::string> corridors;
  bool has_extent = false;
  double west = 0, south = 0, east = 0, north = 0;

  explicit MapFacts(std::shared_ptr<const DataPack> pack) : data(std::move(pack)) {
    const auto& table = data->towns();
    const auto name = table.find_column("name"), alt = table.find_column("alt_names"),
               lon = table.find_column("lon"), lat = table.find_column("lat");
    if (name) {
      for (std::size_t row = 0; row < table.row_count(); ++row) {
        try {
          const int node = towns.add_node(table.text(row, *name));
          if (lon && lat) town_positions[node] = {table.real(row, *lon, -180, 180), table.real(row, *lat, -90, 90)};
          if (alt) {
            std::string text = table.text(row, *alt);
            std::size_t start = 0;
            while (start <= text.size()) {
              const std::size_t end = std::min(text.find(';', start), text.size());
              std::string alias = text.substr(start, end - start);
              const auto first = alias.find_first_not_of(' ');
              if (first != std::string::npos) {
                try {
                  towns.add_alias(alias.substr(first, alias.find_last_not_of(' ') - first + 1), node);
                } catch (const DataError&) {
                }
              }
              start = end + 1;
            }
          }
        } catch (const DataError&) {
          // A bad or repeated town: building the map reports it.
        }
      }
    }
    if (const auto column = data->corridors().find_column("corridor"))
      for (std::size_t row = 0; row < data->corridors().row_count(); ++row)
        corridors.push_back(data->corridors().text(row, *column));
    const auto& borders = data->borders();
    for (const auto& feature : borders.features) {
      const auto found = feature.properties.find("name");
      if (found == feature.properties.end()) continue;
      const auto* text = std::get_if<std::string>(&found->second);
      if (!text || *text != "Mali") continue;
      for (const auto& polygon : feature.polygons)
        for (const auto& ring : polygon)
          for (const auto& p : ring.points) {
            if (!has_extent) {
              west = east = p.lon;
              south = north = p.lat;
              has_extent = true;
            }
            west = std::min(west, p.lon), east = std::max(east, p.lon);
            south = std::min(south, p.lat), north = std::max(north, p.lat);
          }
    }
    if (has_extent) {
      west -= MapOptions::border_strip_deg, east += MapOptions::border_strip_deg;
      south -= MapOptions::border_strip_deg, north += MapOptions::border_strip_deg;
    }
  }
};

// Reads the TOML document into a Scenario, collecting every problem.
class Reader {
 public:
  Reader(std::string source, std::string base_directory)
      : source_(std::move(source)), base_(std::move(base_directory)) {}

  std::vector<std::string> problems;

  std::string where(const toml::source_region& region) const {
    if (!region.begin) return source_ + ":1:1";
    return source_ + ":" + std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
  }

  static std::string shown(const toml::node& node) {
    if (const auto* s = node.as_string()) return quoted_value(s->get());
    if (const auto* i = node.as_integer()) return std::to_string(i->get());
    if (const auto* f = node.as_floating_point()) return format_real(f->get());
    if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
    if (node.is_table()) return "a table";
    if (node.is_array()) return "an array";
    std::ostringstream text;
    if (const auto* d = node.as_date()) text << d->get();
    else if (const auto* t = node.as_time()) text << t->get();
    else if (const auto* dt = node.as_date_time()) text << dt->get();
    return text.str();
  }

  void not_allowed(const toml::node& node, const std::string& field, const std::string& expected) {
    problems.push_back(where(node.source()) + ": field '" + field + "' = " + shown(node) +
                       " is not allowed: expected " + expected);
  }
  void problem_at(const toml::node& node, const std::string& text) {
    problems.push_back(where(node.source()) + ": " + text);
  }
  void missing(const toml::node& parent, const std::string& field, const std::string& expected) {
    problems.push_back(where(parent.source()) + ": field '" + field + "' is missing: expected " + expected);
  }

  void check_keys(const toml::table& table, const std::string& prefix, const std::vector<std::string>& allowed) {
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      problems.push_back(where(key.source()) + ": unknown field '" + prefix + name +
                         "': allowed fields: " + joined(allowed));
    }
  }

  std::optional<std::string> text(const toml::table& table, const std::string& key, const std::string& field,
                                  bool required, const std::vector<std::string>& choices = {}) {
    const toml::node* node = table.get(key);
    const std::string expected = choices.empty() ? "a non-empty string" : "one of: " + joined(choices);
    if (!node) {
      if (required) missing(table, field, expected);
      return std::nullopt;
    }
    const auto* s = node->as_string();
    if (!s) return not_allowed(*node, field, expected), std::nullopt;
    const std::string& value = s->get();
    if (value.find_first_not_of(" \t") == std::string::npos) return not_allowed(*node, field, expected), std::nullopt;
    if (value.find('\0') != std::string::npos)
      return not_allowed(*node, field, expected + " without NUL characters"), std::nullopt;
    if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end())
      return not_allowed(*node, field, expected), std::nullopt;
    return value;
  }

  std::optional<std::int64_t> integer(const toml::table& table, const std::string& key, const std::string& field,
                                      bool required, std::int64_t lo, std::int64_t hi) {
    const toml::node* node = table.get(key);
    const std::string expected = "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (!node) {
      if (required) missing(table, field, expected);
      return std::nullopt;
    }
    const auto* i = node->as_integer();
    if (!i || i->get() < lo || i->get() > hi) return not_allowed(*node, field, expected), std::nullopt;
    return i->get();
  }

  std::optional<double> real(const toml::table& table, const std::string& key, const std::string& field,
                             bool required, double lo, double hi, const std::string& unit = "") {
    const toml::node* node = table.get(key);
    const std::string expected = "a number in [" + format_real(lo) + ", " + format_real(hi) + "]" +
                                 (unit.empty() ? "" : " (" + unit + ")");
    if (!node) {
      if (required) missing(table, field, expected);
      return std::nullopt;
    }
    double x;
    if (const auto* i = node->as_integer()) x = static_cast<double>(i->get());
    else if (const auto* f = node->as_floating_point()) x = f->get();
    else return not_allowed(*node, field, expected), std::nullopt;
    if (!std::isfinite(x) || x < lo || x > hi) return not_allowed(*node, field, expected), std::nullopt;
    return x;
  }

  std::optional<Date> date(const toml::table& table, const std::string& key, const std::string& field, bool required) {
    const toml::node* node = table.get(key);
    const std::string expected = "a TOML date such as 2025-07-01 (no quotes, no time)";
    if (!node) {
      if (required) missing(table, field, expected);
      return std::nullopt;
    }
    const auto* d = node->as_date();
    if (!d) return not_allowed(*node, field, expected), std::nullopt;
    const toml::date value = d->get();
    // The map and its facts are of the 2020s; the bound also keeps every date a run can reach (20
    // years after the start at most) within what Python's datetime and the run file's text hold.
    if (value.year < kFirstYear || value.year > kLastYear)
      return not_allowed(*node, field, "a date from " + std::to_string(kFirstYear) + "-01-01 to " +
                                           std::to_string(kLastYear) + "-12-31"),
             std::nullopt;
    return Date{value.year, value.month, value.day};
  }

  const toml::table* table(const toml::table& parent, const std::string& key, const std::string& field) {
    const toml::node* node = parent.get(key);
    if (!node) return nullptr;
    if (const auto* t = node->as_table()) return t;
    not_allowed(*node, field, "a table ([" + field + "])");
    return nullptr;
  }

  // [[key]]: an array of tables.
  std::vector<const toml::table*> tables(const toml::table& parent, const std::string& key) {
    std::vector<const toml::table*> result;
    const toml::node* node = parent.get(key);
    if (!node) return result;
    const auto* array = node->as_array();
    if (!array) return not_allowed(*node, key, "an array of tables ([[" + key + "]])"), result;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = *array->get(i);
      if (const auto* t = item.as_table()) result.push_back(t);
      else not_allowed(item, key + "[" + std::to_string(i) + "]", "a table ([[" + key + "]])");
    }
    return result;
  }

  Scenario read(const toml::table& root);

 private:
  void read_map(const toml::table& root, Scenario& s, const toml::node*& data_node);
  void read_parameters(const toml::table& root, Scenario& s);
  void read_forces(const toml::table& root, Scenario& s, const MapFacts* facts);
  void read_events(const toml::table& root, Scenario& s, const MapFacts* facts, bool period_ok);

  std::string source_, base_;
};

void Reader::read_map(const toml::table& root, Scenario& s, const toml::node*& data_node) {
  const toml::table* map = table(root, "map", "map");
  if (!map) return;
  check_keys(*map, "map.", {"data", "cell_km"});
  data_node = map->get("data");
  if (const auto data = text(*map, "data", "map.data", false)) s.map_data = *data;
  if (const auto cell_km = real(*map, "cell_km", "map.cell_km", false, MapOptions::min_cell_km,
                                MapOptions::max_cell_km, "km"))
    s.cell_km = *cell_km;
}

void Reader::read_parameters(const toml::table& root, Scenario& s) {
  const toml::table* parameters = table(root, "parameters", "parameters");
  if (!parameters) return;
  std::vector<std::string> names;
  for (const auto& spec : sahel_parameters()) names.push_back(spec.name);
  for (auto&& [key, node] : *parameters) {
    const std::string name(key.str());
    const std::string field = "parameters." + name;
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      problems.push_back(where(key.source()) + ": unknown parameter '" + name + "': known parameters: " +
                         joined(names));
      continue;
    }
    const auto& spec = s.parameters.spec(name);
    const std::string expected = spec.allowed() + (spec.unit == "1" ? "" : " (" + spec.unit + ")");
    core::ParameterValue value;
    if (const auto* i = node.as_integer()) value = i->get();
    else if (const auto* f = node.as_floating_point()) value = f->get();
    else if (const auto* b = node.as_boolean()) value = b->get();
    else if (const auto* t = node.as_string()) value = t->get();
    else {
      not_allowed(node, field, expected);
      continue;
    }
    if (const auto* f = std::get_if<double>(&value); f && !std::isfinite(*f)) {
      not_allowed(node, field, expected);
      continue;
    }
    try {
      s.parameters.set(name, value);
    } catch (const core::ParameterError&) {
      not_allowed(node, field, expected);
    }
  }
}

void Reader::read_forces(const toml::table& root, Scenario& s, const MapFacts* facts) {
  std::set<std::string> names;
  const auto items = tables(root, "forces");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const toml::table& t = *items[i];
    const std::string prefix = "forces[" + std::to_string(i) + "].";
    check_keys(t, prefix, {"kind", "name", "strength", "position"});
    ScenarioForce force;
    bool ok = true;
    if (const auto kind = text(t, "kind", prefix + "kind", true, force_kinds))
      force.kind = static_cast<ForceKind>(std::find(force_kinds.begin(), force_kinds.end(), *kind) - force_kinds.begin());
    else ok = false;
    if (const auto name = text(t, "name", prefix + "name", true)) {
      force.name = *name;
      if (!names.insert(*name).second) {
        not_allowed(*t.get("name"), prefix + "name", "a name no other force has (it is used twice)");
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const auto strength = integer(t, "strength", prefix + "strength", true, 1, Scenario::max_strength))
      force.strength = *strength;
    else ok = false;
    const toml::node* position = t.get("position");
    const std::string position_expected = "a town name or an inline table {lon = ..., lat = ...}";
    if (!position) {
      missing(t, prefix + "position", position_expected);
      ok = false;
    } else if (const auto* town = position->as_string()) {
      if (facts) {
        const int node = facts->towns.find_node(town->get());
        if (node < 0) {
          const auto similar = facts->towns.similar_names(town->get());
          not_allowed(*position, prefix + "position",
                      "a town of the map's towns.csv" +
                          (similar.empty() ? std::string() : "; did you mean: " + joined(similar) + "?"));
          ok = false;
        } else {
          force.town = facts->towns.node_name(node);
          const auto found = facts->town_positions.find(node);
          if (found != facts->town_positions.end()) force.position = found->second;
        }
      }
    } else if (const auto* lonlat = position->as_table()) {
      check_keys(*lonlat, prefix + "position.", {"lon", "lat"});
      double west = -180, east = 180, south = -90, north = 90;
      if (facts && facts->has_extent) west = facts->west, east = facts->east, south = facts->south, north = facts->north;
      const auto lon = real(*lonlat, "lon", prefix + "position.lon", true, west, east, "degrees east, inside the map");
      const auto lat = real(*lonlat, "lat", prefix + "position.lat", true, south, north, "degrees north, inside the map");
      if (lon && lat) force.position = {*lon, *lat};
      else ok = false;
    } else {
      not_allowed(*position, prefix + "position", position_expected);
      ok = false;
    }
    if (ok) s.forces.push_back(std::move(force));
  }
}

void Reader::read_events(const toml::table& root, Scenario& s, const MapFacts* facts, bool period_ok) {
  const auto items = tables(root, "events");
  std::set<std::string> force_names, militant_forces;
  for (const auto& force : s.forces) {
    force_names.insert(force.name);
    if (force.kind == ForceKind::militant) militant_forces.insert(force.name);
  }
  const std::map<std::string, std::vector<std::string>> kind_keys = {
      {"blockade", {"corridors"}},
      {"lift_blockade", {"corridors"}},
      {"partner_replaces", {"old", "new"}},
      {"fuel_sale_ban", {"scope"}},
      {"legitimacy_shock", {"delta"}}};
  for (std::size_t i = 0; i < items.size(); ++i) {
    const toml::table& t = *items[i];
    const std::string prefix = "events[" + std::to_string(i) + "].";
    ScenarioEvent event;
    bool ok = true;
    const auto kind = text(t, "kind", prefix + "kind", true, event_kinds);
    std::vector<std::string> allowed = {"date", "kind", "note"};
    if (kind) {
      event.kind = static_cast<EventKind>(std::find(event_kinds.begin(), event_kinds.end(), *kind) - event_kinds.begin());
      for (const auto& key : kind_keys.at(*kind)) allowed.push_back(key);
    } else {
      ok = false;
      for (const auto& [k, keys] : kind_keys)
        for (const auto& key : keys)
          if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) allowed.push_back(key);
    }
    check_keys(t, prefix, allowed);
    if (const auto note = t.get("note")) {
      if (const auto* n = note->as_string()) event.note = n->get();
      else not_allowed(*note, prefix + "note", "a string");
    }
    if (const auto date = this->date(t, "date", prefix + "date", true)) {
      event.date = *date;
      if (period_ok && (event.date < s.start || s.end < event.date)) {
        not_allowed(*t.get("date"), prefix + "date",
                    "a date within the period [" + s.start.iso() + ", " + s.end.iso() + "]");
        ok = false;
      }
    } else {
      ok = false;
    }
    if (!kind) continue;
    switch (event.kind) {
      case EventKind::blockade:
      case EventKind::lift_blockade: {
        const toml::node* node = t.get("corridors");
        const std::string expected = "a non-empty array of corridor names from the map's corridors.csv";
        if (!node) {
          missing(t, prefix + "corridors", expected);
          ok = false;
          break;
        }
        const auto* array = node->as_array();
        if (!array || array->empty()) {
          not_allowed(*node, prefix + "corridors", expected);
          ok = false;
          break;
        }
        for (std::size_t c = 0; c < array->size(); ++c) {
          const toml::node& item = *array->get(c);
          const std::string field = prefix + "corridors[" + std::to_string(c) + "]";
          const auto* name = item.as_string();
          if (!name) {
            not_allowed(item, field, "a corridor name (a string)");
            ok = false;
          } else if (facts && std::find(facts->corridors.begin(), facts->corridors.end(), name->get()) ==
                                  facts->corridors.end()) {
            not_allowed(item, field, "one of: " + joined(facts->corridors));
            ok = false;
          } else {
            event.corridors.push_back(name->get());
          }
        }
        break;
      }
      case EventKind::partner_replaces:
        for (const char* key : {"old", "new"}) {
          const auto name = text(t, key, prefix + key, true);
          if (!name) {
            ok = false;
          } else if (!force_names.count(*name)) {
            std::vector<std::string> known(force_names.begin(), force_names.end());
            not_allowed(*t.get(key), prefix + key,
                        "the name of a force in [[forces]]" + (known.empty() ? std::string(" (there is none)")
                                                                             : ": one of: " + joined(known)));
            ok = false;
          } else if (militant_forces.count(*name)) {
            // The new force takes over the old one's units (posts, troops): both are the state's side.
            not_allowed(*t.get(key), prefix + key,
                        "a force of kind army, partner or militia ('" + *name + "' is a militant force)");
            ok = false;
          } else {
            (std::string(key) == "old" ? event.old_force : event.new_force) = *name;
          }
        }
        if (ok && event.old_force == event.new_force) {
          not_allowed(*t.get("new"), prefix + "new", "a force other than events[" + std::to_string(i) + "].old");
          ok = false;
        }
        break;
      case EventKind::fuel_sale_ban:
        if (const auto scope = text(t, "scope", prefix + "scope", true, fuel_ban_scopes)) event.scope = *scope;
        else ok = false;
        break;
      case EventKind::legitimacy_shock:
        if (const auto delta = real(t, "delta", prefix + "delta", true, -1, 1)) event.delta = *delta;
        else ok = false;
        break;
    }
    if (ok) s.events.push_back(std::move(event));
  }
  std::stable_sort(s.events.begin(), s.events.end(),
                   [](const ScenarioEvent& a, const ScenarioEvent& b) { return a.date < b.date; });
}

}  // namespace


namespace {

std::shared_ptr<const DataPack> default_pack() {
  static const std::shared_ptr<const DataPack> pack = std::make_shared<const DataPack>(DataPack::embedded());
  return pack;
}

constexpr const char* bundled_prefix = "bundled:";

// The data directories bundled with the scenarios (siege-classroom/, ...): those holding towns.csv.
std::vector<std::string> bundled_data_directories() {
  std::vector<std::string> directories;
  for (const auto& name : embedded_scenario_file_names()) {
    const auto slash = name.find('/');
    if (slash != std::string::npos && name.substr(slash + 1) == "towns.csv") directories.push_back(name.substr(0, slash));
  }
  return directories;
}

// The data pack a scenario's [map] data names: the embedded default, a directory bundled with the
// scenarios ("bundled:NAME" from any file; a plain NAME in a bundled scenario), or a directory on disk
// (relative to the scenario file).
std::shared_ptr<const DataPack> resolve_pack(const std::string& data, const std::string& base, std::string& origin) {
  if (data == "default") {
    origin = "embedded";
    return default_pack();
  }
  const bool named_bundled = data.rfind(bundled_prefix, 0) == 0;
  if (named_bundled || base.rfind(bundled_prefix, 0) == 0) {
    const std::string directory = named_bundled ? data.substr(std::string(bundled_prefix).size()) : data;
    std::array<std::string, 7> texts, sources;
    for (std::size_t i = 0; i < DataPack::file_names.size(); ++i) {
      const std::string name = directory + "/" + std::string(DataPack::file_names[i]);
      if (!has_embedded_scenario_file(name))
        throw DataError("no bundled data directory '" + directory + "' with " + std::string(DataPack::file_names[i]) +
                        " (bundled: " + joined(bundled_data_directories()) + ")");
      texts[i] = std::string(embedded_scenario_file(name));
      sources[i] = name;
    }
    origin = bundled_prefix + directory;
    return std::make_shared<const DataPack>(DataPack::from_texts(origin, texts, sources));
  }
  std::filesystem::path path(data);
  if (path.is_relative() && !base.empty()) path = std::filesystem::path(base) / path;
  if (!std::filesystem::is_directory(path))
    throw DataError("no such directory: " + path.string() + " (a map data directory holds the seven files of data/sahel/)");
  origin = path.lexically_normal().string();
  return std::make_shared<const DataPack>(DataPack::from_directory(origin));
}

Scenario Reader::read(const toml::table& root) {
  Scenario s;
  s.source = source_;
  check_keys(root, "", {"name", "description", "map", "period", "seed", "parameters", "forces", "events", "output"});
  if (const auto name = text(root, "name", "name", true)) {
    // The name is also the default run file's, runs/NAME.h5: one file name, not a path.
    const bool control = std::any_of(name->begin(), name->end(), [](char c) { return (unsigned char)c < 0x20; });
    if (name->find_first_of("/\\") != std::string::npos || control || *name == "." || *name == "..")
      not_allowed(*root.get("name"), "name", "a file name: no '/' or '\\', no control characters, not '.' or '..' "
                                             "(the default run file is runs/NAME.h5)");
    else
      s.name = *name;
  }
  if (const toml::node* description = root.get("description")) {
    if (const auto* d = description->as_string()) s.description = d->get();
    else not_allowed(*description, "description", "a string");
  }

  const toml::node* data_node = nullptr;
  read_map(root, s, data_node);
  std::optional<MapFacts> facts;
  try {
    s.data = resolve_pack(s.map_data, base_, s.map_origin);
    facts.emplace(s.data);
  } catch (const DataError& error) {
    const std::string message = std::string("field 'map.data' = ") + quoted_value(s.map_data) +
                                " cannot be used: " + error.what();
    problems.push_back((data_node ? where(data_node->source()) : where(root.source())) + ": " + message);
  }

  bool period_ok = false;
  if (const toml::table* period = table(root, "period", "period")) {
    check_keys(*period, "period.", {"start", "end"});
    const auto start = date(*period, "start", "period.start", true);
    const auto end = date(*period, "end", "period.end", true);
    if (start) s.start = *start;
    if (end) s.end = *end;
    if (start && end) {
      if (s.end < s.start) {
        not_allowed(*period->get("end"), "period.end", "a date on or after period.start (" + s.start.iso() + ")");
      } else if (s.days() > static_cast<std::int64_t>(Scenario::max_years * 365.25)) {
        not_allowed(*period->get("end"), "period.end",
                    "at most " + format_real(Scenario::max_years) + " years after period.start (" + s.start.iso() + ")");
      } else {
        period_ok = true;
      }
    }
  } else if (!root.get("period")) {
    missing(root, "period", "a table [period] with start and end dates");
  }

  if (const auto seed = integer(root, "seed", "seed", false, 0, std::numeric_limits<std::int64_t>::max()))
    s.seed = static_cast<std::uint64_t>(*seed);
  read_parameters(root, s);
  read_forces(root, s, facts ? &*facts : nullptr);
  read_events(root, s, facts ? &*facts : nullptr, period_ok);

  if (const toml::table* output = table(root, "output", "output")) {
    check_keys(*output, "output.", {"path", "snapshot_every_days"});
    if (const auto path = text(*output, "path", "output.path", false)) s.output_path = *path;
    if (const auto every = integer(*output, "snapshot_every_days", "output.snapshot_every_days", false, 0, 36525))
      s.snapshot_every_days = *every;
  }
  return s;
}

std::string position_text(const toml::source_position& at) {
  return std::to_string(at.line) + ":" + std::to_string(at.column);
}

/// The most parts a dotted key or table name may have, far more than any scenario field needs. toml++
/// limits the nesting of arrays and inline tables (256) but not that of dotted keys, and a file of
/// tens of thousands of them overflows the stack while it is parsed or freed.
constexpr int kMaxKeyParts = 64;

/// Refuses, before the file is parsed, a dotted key or table name of more than kMaxKeyParts parts.
/// Outside strings and comments, a run of dots not interrupted by `=`, a bracket, a brace, a comma
/// or a line end can only belong to one key (a value holds at most one dot: 1.5, 07:32:00.25).
void check_key_depth(const std::string& text, const std::string& source_name) {
  enum class In { code, comment, basic, literal, multiline_basic, multiline_literal };
  In in = In::code;
  int dots = 0, line = 1, column = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
    }
    auto starts = [&](const char* token) { return text.compare(i, std::strlen(token), token) == 0; };
    switch (in) {
      case In::comment:
        if (c == '\n') in = In::code;
        continue;
      case In::basic:
        if (c == '\\') ++i, ++column;
        else if (c == '"' || c == '\n') in = In::code;
        continue;
      case In::literal:
        if (c == '\'' || c == '\n') in = In::code;
        continue;
      case In::multiline_basic:
        if (c == '\\') ++i, ++column;
        else if (starts("\"\"\"")) in = In::code, i += 2, column += 2;
        continue;
      case In::multiline_literal:
        if (starts("\'\'\'")) in = In::code, i += 2, column += 2;
        continue;
      case In::code:
        break;
    }
    if (c == '#') in = In::comment;
    else if (starts("\"\"\"")) in = In::multiline_basic, i += 2, column += 2;
    else if (starts("\'\'\'")) in = In::multiline_literal, i += 2, column += 2;
    else if (c == '"') in = In::basic;
    else if (c == '\'') in = In::literal;
    else if (c == '.' && ++dots >= kMaxKeyParts)
      throw ScenarioError({source_name + ":" + std::to_string(line) + ":" + std::to_string(column) +
                           ": a dotted key or table name has more than " + std::to_string(kMaxKeyParts) +
                           " parts, far more than any scenario field has (docs/SCENARIOS.md)"});
    if (std::strchr("=[]{},\n", c) != nullptr) dots = 0;
  }
}

}  // namespace

ScenarioError::ScenarioError(std::vector<std::string> problems)
    : core::DataError(joined(problems, "\n")), problems_(std::move(problems)) {}

std::int64_t Date::days_since_epoch() const {
  // Howard Hinnant's days_from_civil.
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date Date::plus_days(std::int64_t days) const {
  // Howard Hinnant's civil_from_days.
  const std::int64_t z = days_since_epoch() + days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = int(doy - (153 * mp + 2) / 5 + 1);
  const int m = int(mp < 10 ? mp + 3 : mp - 9);
  return Date{int(yoe + era * 400 + (m <= 2 ? 1 : 0)), m, d};
}

int Date::day_of_year() const {
  return int(days_since_epoch() - Date{year, 1, 1}.days_since_epoch()) + 1;
}

int Date::days_in_year() const {
  return int(Date{year + 1, 1, 1}.days_since_epoch() - Date{year, 1, 1}.days_since_epoch());
}

std::string Date::iso() const {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
  return text;
}

std::string kind_name(ForceKind kind) { return force_kinds.at(static_cast<std::size_t>(kind)); }
std::string kind_name(EventKind kind) { return event_kinds.at(static_cast<std::size_t>(kind)); }

Scenario::Scenario() : parameters(&sahel_parameters()) {}

Scenario load_scenario(const std::string& text, const std::string& source_name, const std::string& base_directory) {
  try {
    core::require_utf8(text, source_name);
  } catch (const DataError& error) {
    throw ScenarioError({error.what()});
  }
  check_key_depth(text, source_name);
  toml::table root;
  try {
    root = toml::parse(core::without_utf8_bom(text), source_name);
  } catch (const toml::parse_error& error) {
    throw ScenarioError({source_name + ":" + position_text(error.source().begin) + ": TOML syntax error: " +
                         std::string(error.description())});
  }
  Reader reader(source_name, base_directory);
  Scenario scenario = reader.read(root);
  if (!reader.problems.empty()) throw ScenarioError(reader.problems);
  return scenario;
}

Scenario load_scenario_file(const std::string& path) {
  const std::string text = read_text_file(path);
  const std::string base = std::filesystem::path(path).parent_path().string();
  return load_scenario(text, path, base);
}

std::vector<std::string> bundled_scenario_names() {
  std::vector<std::string> names;
  for (const auto& file : embedded_scenario_file_names()) {
    const std::string suffix = ".toml";
    if (file.find('/') == std::string::npos && file.size() > suffix.size() &&
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0)
      names.push_back(file.substr(0, file.size() - suffix.size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool is_bundled_scenario(const std::string& name) {
  const auto names = bundled_scenario_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

Scenario load_scenario_by_name_or_path(const std::string& name_or_path) {
  if (is_bundled_scenario(name_or_path))
    return load_scenario(std::string(embedded_scenario_file(name_or_path + ".toml")), name_or_path + ".toml",
                         bundled_prefix);
  if (!std::filesystem::exists(name_or_path) && name_or_path.find('/') == std::string::npos &&
      name_or_path.find(".toml") == std::string::npos)
    throw ScenarioError({"unknown scenario '" + name_or_path + "': expected a scenario file or one of the bundled "
                         "scenarios: " + joined(bundled_scenario_names())});
  return load_scenario_file(name_or_path);
}

SahelMap build_scenario_map(const Scenario& scenario) {
  MapOptions options;
  options.cell_km = scenario.cell_km;
  options.seed = scenario.seed;
  return SahelMap::build(*scenario.data, options);
}

std::vector<std::string> check_scenario(const std::string& name_or_path) {
  try {
    const Scenario scenario = load_scenario_by_name_or_path(name_or_path);
    try {
      build_scenario_map(scenario);
    } catch (const DataError& error) {
      return {scenario.source + ": the map cannot be built from " + scenario.map_origin + ": " + error.what()};
    }
  } catch (const ScenarioError& error) {
    return error.problems();
  } catch (const DataError& error) {
    return {error.what()};
  }
  return {};
}

namespace {

toml::table to_table(const Scenario& s) {
  const auto date = [](const Date& d) {
    return toml::date{static_cast<std::uint16_t>(d.year), static_cast<std::uint8_t>(d.month),
                      static_cast<std::uint8_t>(d.day)};
  };
  toml::table root;
  root.insert("name", s.name);
  root.insert("description", s.description);
  root.insert("seed", static_cast<std::int64_t>(s.seed));
  // A bundled data directory is written as "bundled:NAME", so that the text loads from any file.
  const bool bundled_data = s.map_origin.rfind(bundled_prefix, 0) == 0;
  root.insert("map", toml::table{{"data", bundled_data ? s.map_origin : s.map_data}, {"cell_km", s.cell_km}});
  root.insert("period", toml::table{{"start", date(s.start)}, {"end", date(s.end)}});
  toml::table parameters;
  for (const auto& [name, value] : s.parameters.values()) {
    const std::string& key = name;  // lambdas capture structured bindings only from C++20 (clang < 16)
    std::visit([&](const auto& v) { parameters.insert(key, v); }, value);
  }
  root.insert("parameters", std::move(parameters));
  toml::array forces;
  for (const auto& force : s.forces) {
    toml::table t{{"kind", kind_name(force.kind)}, {"name", force.name}, {"strength", force.strength}};
    if (!force.town.empty()) t.insert("position", force.town);
    else t.insert("position", toml::table{{"lon", force.position.lon}, {"lat", force.position.lat}});
    forces.push_back(std::move(t));
  }
  root.insert("forces", std::move(forces));
  toml::array events;
  for (const auto& event : s.events) {
    toml::table t{{"date", date(event.date)}, {"kind", kind_name(event.kind)}};
    switch (event.kind) {
      case EventKind::blockade:
      case EventKind::lift_blockade: {
        toml::array corridors;
        for (const auto& c : event.corridors) corridors.push_back(c);
        t.insert("corridors", std::move(corridors));
        break;
      }
      case EventKind::partner_replaces:
        t.insert("old", event.old_force);
        t.insert("new", event.new_force);
        break;
      case EventKind::fuel_sale_ban: t.insert("scope", event.scope); break;
      case EventKind::legitimacy_shock: t.insert("delta", event.delta); break;
    }
    if (!event.note.empty()) t.insert("note", event.note);
    events.push_back(std::move(t));
  }
  root.insert("events", std::move(events));
  toml::table output{{"snapshot_every_days", s.snapshot_every_days}};
  if (!s.output_path.empty()) output.insert("path", s.output_path);
  root.insert("output", std::move(output));
  return root;
}

}  // namespace

std::string scenario_to_toml(const Scenario& scenario) {
  std::ostringstream text;
  text << toml::toml_formatter{to_table(scenario)} << "\n";
  return text.str();
}

std::string scenario_to_json(const Scenario& scenario) {
  std::ostringstream text;
  text << toml::json_formatter{to_table(scenario)} << "\n";
  return text.str();
}

}  // namespace sahelsim::models::sahel

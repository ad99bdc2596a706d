// The road graph of the map and routing by travel mode (declared in sahel_map.hpp).
#include <cmath>
#include <set>
#include <stdexcept>
#include <tuple>

#include "models/sahel/world/sahel_map.hpp"

namespace sahelsim::models::sahel {

using core::DataError;
using core::geo::CsvTable;
using core::geo::RoadGraph;
using core::geo::RoadPath;

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// The town named in a routes.csv field, or a DataError naming the file, line and field with
// suggestions.
int town_in_field(const RoadGraph& graph, const CsvTable& table, std::size_t row,
                  std::size_t column) {
  const std::string& name = table.required_text(row, column);
  const int node = graph.find_node(name);
  if (node >= 0) return node;
  const auto similar = graph.similar_names(name);
  throw table.field_error(row, column,
                          "is not a town of towns.csv" +
                              (similar.empty() ? std::string() : "; did you mean: " + joined(similar) + "?"));
}

}  // namespace

RoadNetwork::RoadNetwork(const std::vector<Town>& towns, const CsvTable& routes,
                         const CsvTable& towns_table)
    : time_graphs_{RoadGraph("town"), RoadGraph("town"), RoadGraph("town")} {
  const std::size_t name_column = towns_table.column("name");
  const std::size_t alt_column = towns_table.column("alt_names");
  for (const Town& town : towns) {
    try {
      km_graph_.add_node(town.name);
      for (auto& graph : time_graphs_) graph.add_node(town.name);
    } catch (const DataError& error) {
      throw towns_table.field_error(town.row, name_column, std::string("is not allowed: ") + error.what());
    }
  }
  for (std::size_t t = 0; t < towns.size(); ++t)
    for (const std::string& alias : towns[t].alt_names) {
      if (alias == towns[t].name || km_graph_.find_node(alias) == static_cast<int>(t)) continue;
      try {
        km_graph_.add_alias(alias, static_cast<int>(t));
        for (auto& graph : time_graphs_) graph.add_alias(alias, static_cast<int>(t));
      } catch (const DataError& error) {
        throw towns_table.field_error(towns[t].row, alt_column, std::string("is not allowed: ") + error.what());
      }
    }

  const std::size_t from_column = routes.column("from_town");
  const std::size_t to_column = routes.column("to_town");
  const std::size_t length_column = routes.column("length_km");
  const std::size_t paved_column = routes.column("paved");
  const std::size_t road_column = routes.column("road");
  const std::size_t corridor_column = routes.column("corridor");
  const std::size_t basis_column = routes.column("length_basis");
  std::set<std::tuple<int, int, double, int>> seen;
  for (std::size_t row = 0; row < routes.row_count(); ++row) {
    RoadLink link;
    link.route_row = row;
    link.from_town = town_in_field(km_graph_, routes, row, from_column);
    link.to_town = town_in_field(km_graph_, routes, row, to_column);
    if (link.from_town == link.to_town)
      throw routes.row_error(row, "a road link must join two different towns, not " +
                                      core::quoted_value(towns[link.from_town].name) + " to itself");
    link.length_km = routes.real(row, length_column, 0.001, 20000.0);
    try {
      link.surface = parse_surface(routes.text(row, paved_column));
    } catch (const std::invalid_argument& error) {
      throw routes.field_error(row, paved_column, std::string("is not allowed: ") + error.what());
    }
    link.road = routes.text(row, road_column);
    link.corridor = routes.text(row, corridor_column);
    link.estimated = routes.text(row, basis_column).rfind("estimate", 0) == 0;
    // routes.csv lists Koutiala–Sikasso twice (152 km, paved, both times): keep the first.
    const auto key = std::make_tuple(std::min(link.from_town, link.to_town),
                                     std::max(link.from_town, link.to_town), link.length_km,
                                     static_cast<int>(link.surface));
    if (!seen.insert(key).second) {
      duplicate_rows_.push_back(row);
      continue;
    }
    km_graph_.add_edge(link.from_town, link.to_town, link.length_km, static_cast<std::int64_t>(links_.size()));
    for (const TravelMode mode : travel_modes) {
      const double hours = link.length_km / speeds(mode).road_kmh[static_cast<int>(link.surface)];
      time_graphs_[static_cast<int>(mode)].add_edge(link.from_town, link.to_town, hours,
                                                    static_cast<std::int64_t>(links_.size()));
    }
    links_.push_back(std::move(link));
  }
}

Route RoadNetwork::to_route(const RoadPath& path) const {
  Route route;
  if (!path.found()) return route;
  route.towns = path.nodes;
  route.cumulative_km.push_back(0.0);
  // Edge e is the same link in every graph (edges were added in the same order).
  for (const int edge : path.edges) {
    const int link = static_cast<int>(km_graph_.edge(edge).attribute);
    route.links.push_back(link);
    route.length_km += links_[link].length_km;
    route.cumulative_km.push_back(route.length_km);
  }
  return route;
}

Route RoadNetwork::route(int from, int to, TravelMode mode) const {
  const RoadPath path = time_graphs_[static_cast<int>(mode)].shortest_path(from, to);
  Route route = to_route(path);
  route.mode = mode;
  route.hours = path.found() ? path.length_km : 0.0;  // the time graphs' lengths are hours
  return route;
}

Route RoadNetwork::shortest(int from, int to) const {
  return to_route(km_graph_.shortest_path(from, to));
}

}  // namespace sahelsim::models::sahel

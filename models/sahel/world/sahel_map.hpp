// The Sahel map: a lon/lat raster over Mali and a border strip, its layers, the towns, the
// synthetic villages, the road network and the fuel corridors, built from a DataPack.
//
//   const auto map = SahelMap::build(DataPack::embedded(), {/*cell_km=*/5.0, /*seed=*/0});
//   map.layers().population[cell];            // people in a cell (float32)
//   map.route("Bamako", "Gao", TravelMode::truck).length_km;   // 1,189 km
//
// Grid: GeoGrid over Mali's bounding box (from borders.geojson) widened by border_strip_deg on
// every side; row 0 is the northernmost, cell = row * cols + col. Layers are typed vectors with one
// value per cell:
//   country       int8    index into country_names() (borders.geojson features), -1 none
//   region        int16   index into region_names() (regions.csv rows) for Malian cells, else -1:
//                         the admin1 of the nearest Malian town by great-circle distance from the
//                         cell centre (a Voronoi approximation of the admin1 boundaries, which the
//                         pack does not have)
//   climate_zone  uint8   1 Saharan, 2 Sahelian, 3 Sudanian (climate.hpp)
//   water         uint8   0 none, 1 river, 2 wetland
//   road_class    uint8   0 none, 1 track/unpaved/unknown, 2 partly paved or degraded, 3 paved
//   road_surface  uint8   Surface code of the best road in the cell (travel.hpp)
//   terrain       int16   index into terrain_features() (the last feature covering the cell), -1
//   refuge        uint8   1 where a terrain feature with refuge = true covers the cell
//   population    float32 people (2022) whose village or town lies in the cell; Mali only
//   cost_*        float32 days per km for truck, motorcycle and troops; +inf where impassable
// Every method is documented in docs/DATA.md ("Map").
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/sahel/world/data_pack.hpp"
#include "models/sahel/world/travel.hpp"
#include "sahelsim/core/geo/geo_grid.hpp"
#include "sahelsim/core/geo/road_graph.hpp"

namespace sahelsim::models::sahel {

struct MapOptions {
  static constexpr double min_cell_km = 2.0;
  static constexpr double max_cell_km = 20.0;
  static constexpr double border_strip_deg = 0.5;  // grid margin around Mali's bounding box

  static constexpr double min_mean_village_population = 50.0;
  static constexpr double max_mean_village_population = 100'000.0;

  double cell_km = 5.0;  // nominal cell size, in [min_cell_km, max_cell_km]
  std::uint64_t seed = 0;  // places the synthetic villages
  /// Mean size of a synthetic village (settlements.hpp): 1,000 gives about 15,000 villages; the
  /// benchmarks halve it to double the village count.
  double mean_village_population = 1'000.0;
};

/// One row of towns.csv, as placed on the map.
struct Town {
  std::size_t row = 0;  // data row in towns.csv (0-based)
  std::string name;
  std::vector<std::string> alt_names;
  std::string country;
  int country_index = -1;  // into SahelMap::country_names(); -1 when borders.geojson lacks it
  std::string admin1;
  int region = -1;  // into SahelMap::region_names(), Malian towns only
  core::geo::LonLat position;
  std::optional<double> source_population;  // as in towns.csv
  int pop_year = 0;                          // 0 when not given
  std::int64_t population_2022 = 0;          // Malian towns: the people the map puts there; else 0
  std::string population_basis;              // how population_2022 was obtained
  std::string role;
  bool in_mali = false;
  std::int64_t cell = -1;   // after snapping; -1 off the grid (Dakar, Abidjan, ...)
  double snapped_km = 0.0;  // from the town to its cell's centre when snapped, else 0
};

/// Settlements of Mali, column by column: the Malian towns first (towns.csv order), then the
/// synthetic villages region by region.
struct Villages {
  std::vector<double> lon, lat;
  std::vector<std::int64_t> population;  // 2022
  std::vector<std::int16_t> region;      // into SahelMap::region_names()
  std::vector<std::int64_t> cell;        // always a Malian cell
  std::vector<std::int32_t> town;        // into SahelMap::towns(), -1 for a synthetic village
  std::size_t size() const { return lon.size(); }
  std::size_t synthetic_count() const;
};

/// A road link of routes.csv (one edge of the road graph).
struct RoadLink {
  std::size_t route_row = 0;  // data row in routes.csv (0-based)
  int from_town = 0, to_town = 0;
  double length_km = 0.0;
  Surface surface = Surface::track;
  std::string road, corridor;
  bool estimated = false;  // length_basis "estimate: ..."
};

/// A path over the road network.
struct Route {
  TravelMode mode = TravelMode::truck;
  std::vector<int> towns;             // from ... to (indices into towns())
  std::vector<int> links;             // towns.size() - 1 indices into RoadNetwork::links()
  std::vector<double> cumulative_km;  // per town, 0 at the start
  double length_km = 0.0;
  double hours = 0.0;                 // travel time for `mode` (0 for a distance-only route)
  bool found() const { return !towns.empty(); }
};

/// The road graph: towns as nodes (towns.csv order, with alt_names as aliases), routes.csv links
/// as edges (the edge attribute is the routes.csv row). A row repeating an earlier link (same two
/// towns, same length, same surface) is skipped and listed in duplicate_rows().
class RoadNetwork {
 public:
  RoadNetwork(const std::vector<Town>& towns, const core::geo::CsvTable& routes,
              const core::geo::CsvTable& towns_table);

  const std::vector<RoadLink>& links() const { return links_; }
  const std::vector<std::size_t>& duplicate_rows() const { return duplicate_rows_; }
  /// The graph with lengths in km.
  const core::geo::RoadGraph& graph() const { return km_graph_; }
  /// The town of a name or alt name; throws DataError with suggestions ("unknown town 'Segu'; did
  /// you mean: Ségou?").
  int town(const std::string& name) const { return km_graph_.node(name); }

  /// The fastest route for `mode` (time = length / surface speed per link); an empty route when
  /// the towns are not connected.
  Route route(int from, int to, TravelMode mode) const;
  /// The shortest route in km over all links, whatever their surface.
  Route shortest(int from, int to) const;

 private:
  Route to_route(const core::geo::RoadPath& path) const;

  core::geo::RoadGraph km_graph_{"town"};
  std::array<core::geo::RoadGraph, travel_mode_count> time_graphs_;  // lengths in hours
  std::vector<RoadLink> links_;
  std::vector<std::size_t> duplicate_rows_;
};

/// A fuel corridor of corridors.csv with its truck route from the port through the border
/// crossing to the destination.
struct Corridor {
  std::size_t row = 0;
  std::string name, port, port_country, border_crossing, foreign_border_town, destination;
  int port_town = -1, crossing_town = -1, foreign_town = -1, destination_town = -1;
  Route route;
};

struct TerrainFeature {
  std::string id, name, kind;
  bool refuge = false;
};

struct MapLayers {
  std::vector<std::int8_t> country;
  std::vector<std::int16_t> region;
  std::vector<std::uint8_t> climate_zone;
  std::vector<std::uint8_t> water;
  std::vector<std::uint8_t> road_class;
  std::vector<std::uint8_t> road_surface;
  std::vector<std::int16_t> terrain;
  std::vector<std::uint8_t> refuge;
  std::vector<float> population;
  std::array<std::vector<float>, travel_mode_count> cost_days_per_km;  // by TravelMode
};

class SahelMap {
 public:
  /// Builds the map. Throws core::DataError for a cell_km outside [2, 20] (naming the value and
  /// the range) and for data that cannot make a map (naming the file and what is wrong).
  static SahelMap build(const DataPack& data, const MapOptions& options = {});

  const MapOptions& options() const { return options_; }
  const core::geo::GeoGrid& grid() const { return grid_; }
  const MapLayers& layers() const { return layers_; }
  const DataPack& data() const { return *data_; }

  const std::vector<std::string>& country_names() const { return country_names_; }
  int mali_index() const { return mali_; }
  const std::vector<std::string>& region_names() const { return region_names_; }
  const std::vector<std::int64_t>& region_populations() const { return region_populations_; }
  const std::vector<TerrainFeature>& terrain_features() const { return terrain_features_; }

  const std::vector<Town>& towns() const { return towns_; }
  const Villages& villages() const { return villages_; }
  const RoadNetwork& roads() const { return *roads_; }
  const std::vector<Corridor>& corridors() const { return corridors_; }

  /// route(from, to, mode) by town names (or alt names); throws DataError for an unknown town and
  /// when the towns are not connected.
  Route route(const std::string& from, const std::string& to,
              TravelMode mode = TravelMode::truck) const;
  /// The shortest road distance in km, whatever the surfaces (estimated short cuts included).
  double shortest_km(const std::string& from, const std::string& to) const;

  /// A 64-bit hash of every layer and of the villages, for determinism checks.
  std::uint64_t state_hash() const;

 private:
  SahelMap(const DataPack& data, const MapOptions& options, const core::geo::GeoGrid& grid);

  MapOptions options_;
  std::shared_ptr<const DataPack> data_;
  core::geo::GeoGrid grid_;
  MapLayers layers_;
  std::vector<std::string> country_names_;
  int mali_ = -1;
  std::vector<std::string> region_names_;
  std::vector<std::int64_t> region_populations_;
  std::vector<TerrainFeature> terrain_features_;
  std::vector<Town> towns_;
  Villages villages_;
  std::shared_ptr<const RoadNetwork> roads_;
  std::vector<Corridor> corridors_;
};

}  // namespace sahelsim::models::sahel

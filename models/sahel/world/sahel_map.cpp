// SahelMap::build: the grid, its layers, the towns and villages on it, and the corridors.
#include "models/sahel/world/sahel_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "models/sahel/world/climate.hpp"
#include "models/sahel/world/geometry.hpp"
#include "models/sahel/world/settlements.hpp"
#include "sahelsim/core/geo/geodesy.hpp"
#include "sahelsim/core/geo/rasterize.hpp"

namespace sahelsim::models::sahel {

using core::DataError;
using core::format_real;
using core::quoted_value;
using core::geo::BoundingBox;
using core::geo::GeoGrid;
using core::geo::LonLat;

namespace {

constexpr double max_snap_km = 25.0;  // how far outside its country a town may lie

void check_options(const MapOptions& options) {
  if (!(options.mean_village_population >= MapOptions::min_mean_village_population &&
        options.mean_village_population <= MapOptions::max_mean_village_population))
    throw DataError("mean_village_population = " + format_real(options.mean_village_population) +
                    " is not allowed: expected a number in [" + format_real(MapOptions::min_mean_village_population) +
                    ", " + format_real(MapOptions::max_mean_village_population) + "]");
  if (!(options.cell_km >= MapOptions::min_cell_km && options.cell_km <= MapOptions::max_cell_km))
    throw DataError("cell_km = " + format_real(options.cell_km) + " is not allowed: expected a number in [" +
                    format_real(MapOptions::min_cell_km) + ", " + format_real(MapOptions::max_cell_km) +
                    "] (km, the side of a grid cell)");
}

int find_mali(const core::geo::FeatureCollection& borders, std::vector<std::string>& names) {
  if (borders.features.size() > 127)
    throw DataError(borders.source_name + ": " + std::to_string(borders.features.size()) +
                    " countries: at most 127 are allowed (the country layer is int8)");
  int mali = -1;
  for (std::size_t f = 0; f < borders.features.size(); ++f) {
    names.push_back(borders.text_property(f, "name"));
    if (names.back() == "Mali") mali = static_cast<int>(f);
    if (borders.features[f].polygons.empty())
      throw DataError(borders.source_name + ": " + borders.describe_feature(f) + " has no polygon");
  }
  if (mali < 0) throw DataError(borders.source_name + ": no feature has name 'Mali': the map is built around Mali");
  return mali;
}

BoundingBox grid_box(const std::vector<core::geo::Polygon>& polygons) {
  BoundingBox box{180, 90, -180, -90};
  for (const auto& polygon : polygons)
    for (const auto& ring : polygon)
      for (const LonLat& p : ring.points) {
        box.west_lon = std::min(box.west_lon, p.lon);
        box.east_lon = std::max(box.east_lon, p.lon);
        box.south_lat = std::min(box.south_lat, p.lat);
        box.north_lat = std::max(box.north_lat, p.lat);
      }
  const double m = MapOptions::border_strip_deg;
  return {std::max(-180.0, box.west_lon - m), std::max(-90.0, box.south_lat - m),
          std::min(180.0, box.east_lon + m), std::min(90.0, box.north_lat + m)};
}

bool boolean_property(const core::geo::FeatureCollection& collection, std::size_t f, const std::string& name) {
  const auto& properties = collection.features[f].properties;
  const auto found = properties.find(name);
  if (found == properties.end() || std::holds_alternative<std::monostate>(found->second)) return false;
  if (const bool* value = std::get_if<bool>(&found->second)) return *value;
  throw DataError(collection.source_name + ": " + collection.describe_feature(f) + ": property '" + name +
                  "' is not allowed: expected true or false");
}

template <typename T>
void hash_bytes(std::uint64_t& h, const std::vector<T>& values) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
  for (std::size_t i = 0; i < values.size() * sizeof(T); ++i) {
    h ^= bytes[i];
    h *= 0x100000001b3ULL;
  }
}

}  // namespace

std::size_t Villages::synthetic_count() const {
  return static_cast<std::size_t>(std::count(town.begin(), town.end(), -1));
}

SahelMap::SahelMap(const DataPack& data, const MapOptions& options, const GeoGrid& grid)
    : options_(options), data_(std::make_shared<DataPack>(data)), grid_(grid) {}

SahelMap SahelMap::build(const DataPack& data, const MapOptions& options) {
  check_options(options);
  std::vector<std::string> country_names;
  const int mali = find_mali(data.borders(), country_names);
  const auto& mali_polygons = data.borders().features[mali].polygons;
  SahelMap map(data, options, GeoGrid(grid_box(mali_polygons), options.cell_km));
  map.country_names_ = std::move(country_names);
  map.mali_ = mali;
  const GeoGrid& grid = map.grid_;
  const auto cells = static_cast<std::size_t>(grid.cell_count());
  MapLayers& layers = map.layers_;

  // Regions.
  const auto& regions = data.regions();
  const std::size_t region_column = regions.column("region");
  const std::size_t population_column = regions.column("population_2022");
  if (regions.row_count() == 0 || regions.row_count() > 32767)
    throw DataError(regions.source_name() + ": " + std::to_string(regions.row_count()) +
                    " regions: expected 1 to 32767 rows");
  for (std::size_t r = 0; r < regions.row_count(); ++r) {
    const std::string& name = regions.required_text(r, region_column);
    if (std::find(map.region_names_.begin(), map.region_names_.end(), name) != map.region_names_.end())
      throw regions.field_error(r, region_column, "is not allowed: the region is listed twice");
    map.region_names_.push_back(name);
    map.region_populations_.push_back(regions.integer(r, population_column, 0, 1'000'000'000));
  }

  // Terrain features.
  const auto& terrain = data.terrain();
  if (terrain.features.size() > 32767)
    throw DataError(terrain.source_name + ": too many features (at most 32767)");
  for (std::size_t f = 0; f < terrain.features.size(); ++f)
    map.terrain_features_.push_back({terrain.text_property(f, "id"), terrain.text_property(f, "name"),
                                     terrain.text_property(f, "kind"), boolean_property(terrain, f, "refuge")});

  // Country.
  const auto country_labels = core::geo::label_polygons(grid, data.borders().features);
  layers.country.assign(country_labels.begin(), country_labels.end());

  // Towns and roads.
  map.towns_ = read_towns(data, map.country_names_, map.region_names_, map.region_populations_);
  map.roads_ = std::make_shared<const RoadNetwork>(map.towns_, data.routes(), data.towns());

  // Region: the admin1 of the nearest Malian town (a Voronoi approximation).
  {
    std::vector<LonLat> points;
    std::vector<int> region_of;
    for (const Town& town : map.towns_)
      if (town.in_mali) {
        points.push_back(town.position);
        region_of.push_back(town.region);
      }
    const NearestPoint nearest(points);
    layers.region.assign(cells, -1);
    for (std::size_t c = 0; c < cells; ++c)
      if (layers.country[c] == mali)
        layers.region[c] = static_cast<std::int16_t>(region_of[nearest.nearest(grid.centre(c))]);
  }

  // Climate zone, with the Niger valley Sahelian in the Saharan band.
  std::vector<core::geo::LineString> rivers, niger;
  for (const auto& feature : data.rivers().features) {
    rivers.insert(rivers.end(), feature.lines.begin(), feature.lines.end());
    const auto name = feature.properties.find("name");
    if (name != feature.properties.end() && std::holds_alternative<std::string>(name->second) &&
        std::get<std::string>(name->second) == "Niger")
      niger.insert(niger.end(), feature.lines.begin(), feature.lines.end());
  }
  {
    const double band_km = std::max(2.0 * niger_valley_km, 1.5 * options.cell_km);
    const auto valley = niger.empty() ? std::vector<std::uint8_t>(cells, 0)
                                      : core::geo::line_cells(grid, niger, band_km);
    layers.climate_zone.resize(cells);
    for (std::size_t c = 0; c < cells; ++c)
      layers.climate_zone[c] = static_cast<std::uint8_t>(
          climate_zone_at(grid.centre_lat(grid.row_of(static_cast<std::int64_t>(c))), valley[c] != 0));
  }

  // Water: rivers (a band 1.5 cells wide, so it is connected), then wetland where no river.
  {
    layers.water.assign(cells, 0);
    std::vector<core::geo::Polygon> wetlands;
    for (std::size_t f = 0; f < terrain.features.size(); ++f)
      if (map.terrain_features_[f].kind == "wetland")
        wetlands.insert(wetlands.end(), terrain.features[f].polygons.begin(), terrain.features[f].polygons.end());
    const auto wet = core::geo::polygon_mask(grid, wetlands);
    for (std::size_t c = 0; c < cells; ++c) layers.water[c] = wet[c] ? 2 : 0;
    if (!rivers.empty()) {
      const auto river = core::geo::line_cells(grid, rivers, 1.5 * options.cell_km);
      for (std::size_t c = 0; c < cells; ++c)
        if (river[c]) layers.water[c] = 1;
    }
  }

  // Terrain (the last feature covering a cell wins, as data/sahel/README.md asks) and refuge.
  {
    std::vector<core::geo::Feature> reversed(terrain.features.rbegin(), terrain.features.rend());
    const auto labels = core::geo::label_polygons(grid, reversed);
    const int n = static_cast<int>(terrain.features.size());
    layers.terrain.resize(cells);
    for (std::size_t c = 0; c < cells; ++c)
      layers.terrain[c] = static_cast<std::int16_t>(labels[c] < 0 ? -1 : n - 1 - labels[c]);
    std::vector<core::geo::Polygon> refuges;
    for (std::size_t f = 0; f < terrain.features.size(); ++f)
      if (map.terrain_features_[f].refuge)
        refuges.insert(refuges.end(), terrain.features[f].polygons.begin(), terrain.features[f].polygons.end());
    layers.refuge = core::geo::polygon_mask(grid, refuges);
  }

  // Roads: straight segments between their towns, a band 1.5 cells wide; a cell keeps its best
  // surface.
  {
    layers.road_surface.assign(cells, 0);
    for (int s = 1; s < surface_count; ++s) {
      std::vector<core::geo::LineString> segments;
      for (const RoadLink& link : map.roads_->links())
        if (static_cast<int>(link.surface) == s)
          segments.push_back({map.towns_[link.from_town].position, map.towns_[link.to_town].position});
      if (segments.empty()) continue;
      const auto band = core::geo::line_cells(grid, segments, 1.5 * options.cell_km);
      for (std::size_t c = 0; c < cells; ++c)
        if (band[c]) layers.road_surface[c] = static_cast<std::uint8_t>(s);  // s rises: the best wins
    }
    layers.road_class.resize(cells);
    for (std::size_t c = 0; c < cells; ++c)
      layers.road_class[c] = road_class(static_cast<Surface>(layers.road_surface[c]));
  }

  // Movement costs: days per km; the faster of road and off road; rivers only where a road
  // crosses them.
  for (const TravelMode mode : travel_modes) {
    const SpeedTable& table = speeds(mode);
    auto& cost = layers.cost_days_per_km[static_cast<int>(mode)];
    cost.resize(cells);
    for (std::size_t c = 0; c < cells; ++c) {
      double kmh = layers.road_surface[c] ? table.road_kmh[layers.road_surface[c]] : 0.0;
      if (layers.water[c] != 1) {
        const double off_road = layers.water[c] == 2 ? table.wetland_kmh : table.off_road_kmh[layers.climate_zone[c]];
        kmh = std::max(kmh, off_road);
      }
      cost[c] = kmh > 0 ? static_cast<float>(1.0 / (kmh * table.hours_per_day))
                        : std::numeric_limits<float>::infinity();
    }
  }

  // Towns on the grid, snapped to their own country. A town may lie up to max_snap_km outside its
  // country's polygon (the simplified borders put Gogui 2.5 km into Mauritania and Kidira 1 km into
  // Mali); farther out, its coordinates or the borders are wrong. The check is on the polygon, not
  // on the snapped cell, so it does not depend on the cell size: at 20 km cells the nearest Malian
  // cell centre to Gogui is 25 km away although Gogui is 2.5 km from the border.
  {
    const std::vector<std::int32_t> labels(layers.country.begin(), layers.country.end());
    const auto& towns_table = data.towns();
    for (Town& town : map.towns_) {
      town.cell = grid.cell_at(town.position.lon, town.position.lat);
      if (town.country_index < 0) continue;
      const bool wrong_side = town.cell >= 0 && layers.country[town.cell] != town.country_index;
      if (!wrong_side && !(town.in_mali && town.cell < 0)) continue;
      const auto& polygons = data.borders().features[town.country_index].polygons;
      if (!point_in_polygons(polygons, town.position)) {
        std::vector<core::geo::LineString> boundary;
        for (const auto& polygon : polygons)
          for (const auto& ring : polygon) boundary.push_back(ring.points);
        if (!LineProximity(boundary, max_snap_km).near(town.position))
          throw towns_table.row_error(
              town.row, "town " + quoted_value(town.name) + " lies more than " + format_real(max_snap_km) +
                            " km outside its country (" + town.country + ") in " +
                            data.borders().source_name +
                            ": check its lat/lon (a town is snapped to its own country only when the "
                            "simplified borders put it at most " + format_real(max_snap_km) +
                            " km on the wrong side)");
      }
      const std::int64_t snapped =
          core::geo::nearest_cell_with_label(grid, labels, town.country_index, town.position.lon, town.position.lat);
      if (snapped < 0)
        throw towns_table.row_error(town.row, "town " + quoted_value(town.name) + ": no cell of the grid lies in " +
                                                  town.country + " (" + data.borders().source_name + ")");
      town.cell = snapped;
      town.snapped_km = core::geo::great_circle_km(town.position, grid.centre(snapped));
    }
  }

  // Villages: the Malian towns, then the synthetic villages; every one in a Malian cell.
  {
    Villages& villages = map.villages_;
    for (std::size_t t = 0; t < map.towns_.size(); ++t) {
      const Town& town = map.towns_[t];
      if (!town.in_mali) continue;
      villages.lon.push_back(town.position.lon);
      villages.lat.push_back(town.position.lat);
      villages.population.push_back(town.population_2022);
      villages.region.push_back(static_cast<std::int16_t>(town.region));
      villages.cell.push_back(town.cell);
      villages.town.push_back(static_cast<std::int32_t>(t));
    }
    const Villages synthetic = place_synthetic_villages(data, map.towns_, map.region_names_,
                                                        map.region_populations_, mali_polygons, options.seed,
                                                        options.mean_village_population);
    const std::vector<std::int32_t> labels(layers.country.begin(), layers.country.end());
    for (std::size_t v = 0; v < synthetic.size(); ++v) {
      std::int64_t cell = grid.cell_at(synthetic.lon[v], synthetic.lat[v]);
      if (cell < 0 || layers.country[cell] != mali)
        cell = core::geo::nearest_cell_with_label(grid, labels, mali, synthetic.lon[v], synthetic.lat[v]);
      villages.lon.push_back(synthetic.lon[v]);
      villages.lat.push_back(synthetic.lat[v]);
      villages.population.push_back(synthetic.population[v]);
      villages.region.push_back(synthetic.region[v]);
      villages.cell.push_back(cell);
      villages.town.push_back(-1);
    }
    std::vector<double> people(cells, 0.0);
    for (std::size_t v = 0; v < villages.size(); ++v) people[villages.cell[v]] += static_cast<double>(villages.population[v]);
    layers.population.assign(people.begin(), people.end());
  }

  // Corridors: the truck route from the port to the crossing, then on to the destination.
  {
    const auto& table = data.corridors();
    const std::size_t name = table.column("corridor"), port = table.column("port"),
                      port_country = table.column("port_country"), crossing = table.column("border_crossing"),
                      foreign = table.column("foreign_border_town"), destination = table.column("destination");
    const auto town_of = [&](std::size_t row, std::size_t column) {
      const std::string& text = table.required_text(row, column);
      const int node = map.roads_->graph().find_node(text);
      if (node >= 0) return node;
      const auto similar = map.roads_->graph().similar_names(text);
      std::string hint;
      for (const auto& s : similar) hint += (hint.empty() ? "; did you mean: " : ", ") + s;
      throw table.field_error(row, column, "is not a town of towns.csv" + hint + (hint.empty() ? "" : "?"));
    };
    for (std::size_t row = 0; row < table.row_count(); ++row) {
      Corridor corridor;
      corridor.row = row;
      corridor.name = table.required_text(row, name);
      corridor.port = table.required_text(row, port);
      corridor.port_country = table.text(row, port_country);
      corridor.border_crossing = table.required_text(row, crossing);
      corridor.foreign_border_town = table.text(row, foreign);
      corridor.destination = table.required_text(row, destination);
      corridor.port_town = town_of(row, port);
      corridor.crossing_town = town_of(row, crossing);
      if (!corridor.foreign_border_town.empty()) corridor.foreign_town = town_of(row, foreign);
      corridor.destination_town = town_of(row, destination);
      const Route in = map.roads_->route(corridor.port_town, corridor.crossing_town, TravelMode::truck);
      const Route on = map.roads_->route(corridor.crossing_town, corridor.destination_town, TravelMode::truck);
      if (!in.found() || !on.found())
        throw table.row_error(row, "corridor " + quoted_value(corridor.name) + " is disconnected: no road from " +
                                       (in.found() ? corridor.border_crossing + " to " + corridor.destination
                                                   : corridor.port + " to " + corridor.border_crossing) +
                                       " in routes.csv");
      Route route = in;
      for (std::size_t i = 0; i < on.links.size(); ++i) {
        route.links.push_back(on.links[i]);
        route.towns.push_back(on.towns[i + 1]);
        route.cumulative_km.push_back(in.length_km + on.cumulative_km[i + 1]);
      }
      route.length_km = in.length_km + on.length_km;
      route.hours = in.hours + on.hours;
      corridor.route = std::move(route);
      map.corridors_.push_back(std::move(corridor));
    }
  }
  return map;
}

Route SahelMap::route(const std::string& from, const std::string& to, TravelMode mode) const {
  const int a = roads_->town(from), b = roads_->town(to);
  Route route = roads_->route(a, b, mode);
  if (!route.found())
    throw DataError("no road connects " + towns_[a].name + " and " + towns_[b].name + " in routes.csv");
  return route;
}

double SahelMap::shortest_km(const std::string& from, const std::string& to) const {
  const int a = roads_->town(from), b = roads_->town(to);
  const Route route = roads_->shortest(a, b);
  if (!route.found())
    throw DataError("no road connects " + towns_[a].name + " and " + towns_[b].name + " in routes.csv");
  return route.length_km;
}

std::uint64_t SahelMap::state_hash() const {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  hash_bytes(h, layers_.country);
  hash_bytes(h, layers_.region);
  hash_bytes(h, layers_.climate_zone);
  hash_bytes(h, layers_.water);
  hash_bytes(h, layers_.road_class);
  hash_bytes(h, layers_.road_surface);
  hash_bytes(h, layers_.terrain);
  hash_bytes(h, layers_.refuge);
  hash_bytes(h, layers_.population);
  for (const auto& cost : layers_.cost_days_per_km) hash_bytes(h, cost);
  hash_bytes(h, villages_.lon);
  hash_bytes(h, villages_.lat);
  hash_bytes(h, villages_.population);
  hash_bytes(h, villages_.region);
  hash_bytes(h, villages_.cell);
  return h;
}

}  // namespace sahelsim::models::sahel

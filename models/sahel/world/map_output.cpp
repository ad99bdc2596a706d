// write_map: the Sahel map as fixed variables of a run file (map_output.hpp).
#include "models/sahel/world/map_output.hpp"

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace sahelsim::models::sahel {

using core::DataType;
using core::RunFileError;
using core::RunFileWriter;

namespace {

const std::vector<std::string> kMapAxes = {"lat", "lon"};

/// The run-file type of a C++ value type (the two must match: write_fixed copies raw bytes).
template <class Value>
constexpr DataType data_type() {
  if constexpr (std::is_same_v<Value, std::int8_t>) return DataType::int8;
  else if constexpr (std::is_same_v<Value, std::uint8_t>) return DataType::uint8;
  else if constexpr (std::is_same_v<Value, std::int16_t>) return DataType::int16;
  else if constexpr (std::is_same_v<Value, std::int32_t>) return DataType::int32;
  else if constexpr (std::is_same_v<Value, std::int64_t>) return DataType::int64;
  else if constexpr (std::is_same_v<Value, float>) return DataType::float32;
  else {
    static_assert(std::is_same_v<Value, double>, "no run-file type for this value type");
    return DataType::float64;
  }
}

/// A fixed variable written at once from a vector of its values.
template <class Value>
void write_variable(RunFileWriter& writer, const std::string& name, const std::vector<std::string>& dims,
                    const std::vector<Value>& values, const std::string& long_name, const std::string& units = "") {
  writer.add_variable(name, data_type<Value>(), dims, long_name, units);
  writer.write_fixed(name, values.data());
}

/// A fixed variable of indices into the labels of dimension `index_into` (-1 for none).
template <class Value>
void write_index_variable(RunFileWriter& writer, const std::string& name, const std::vector<std::string>& dims,
                          const std::vector<Value>& values, const std::string& long_name,
                          const std::string& index_into) {
  write_variable(writer, name, dims, values, long_name);
  writer.set_attribute(name, "index_into", index_into);
}

/// A fixed uint8 variable of codes: code i is the i-th word of `flag_meanings`.
void write_categorical_variable(RunFileWriter& writer, const std::string& name, const std::vector<std::string>& dims,
                                const std::vector<std::uint8_t>& values, const std::string& long_name,
                                const std::string& flag_meanings) {
  write_variable(writer, name, dims, values, long_name);
  writer.set_attribute(name, "flag_meanings", flag_meanings);
}

/// One value per element of `items`, as `Value`.
template <class Value, class Item, class Get>
std::vector<Value> column(const std::vector<Item>& items, Get get) {
  std::vector<Value> values;
  values.reserve(items.size());
  for (const Item& item : items) values.push_back(static_cast<Value>(get(item)));
  return values;
}

/// "none seasonal track partly degraded paved": surface_name() of each Surface code, in order.
std::string surface_flag_meanings() {
  std::string words;
  for (int code = 0; code < surface_count; ++code)
    words += (code ? " " : "") + surface_name(static_cast<Surface>(code));
  return words;
}

void check_axes(const SahelMap& map, const RunFileWriter& writer) {
  const std::size_t lengths[] = {static_cast<std::size_t>(map.grid().rows()),
                                 static_cast<std::size_t>(map.grid().cols())};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::string& name = kMapAxes[axis];
    const std::string what = "cannot write the map in run file '" + writer.path() + "': ";
    if (!writer.has_dimension(name))
      throw RunFileError(what + "coordinate '" + name + "' is missing (add map_raster_axes() first)");
    if (writer.dimension_length(name) != lengths[axis])
      throw RunFileError(what + "coordinate '" + name + "' has " + std::to_string(writer.dimension_length(name)) +
                         " values, the map grid " + std::to_string(lengths[axis]));
  }
}

void write_layers(const SahelMap& map, RunFileWriter& writer) {
  const MapLayers& layers = map.layers();
  // Named cell_country / cell_region: the names country / region are the dimensions of labels.
  write_index_variable(writer, "cell_country", kMapAxes, layers.country,
                       "country of the cell (index into country, -1 none)", "country");
  write_index_variable(writer, "cell_region", kMapAxes, layers.region,
                       "region of a Malian cell: the admin1 of the nearest Malian town (index into region, "
                       "-1 outside Mali)",
                       "region");
  write_categorical_variable(writer, "climate_zone", kMapAxes, layers.climate_zone,
                             "climate zone (latitude bands; the Niger valley is Sahelian)",
                             "none Saharan Sahelian Sudanian");
  write_categorical_variable(writer, "water", kMapAxes, layers.water, "water in the cell", "none river wetland");
  write_categorical_variable(writer, "road_class", kMapAxes, layers.road_class, "class of the best road in the cell",
                             "none track partly_paved_or_degraded paved");
  write_categorical_variable(writer, "road_surface", kMapAxes, layers.road_surface,
                             "surface of the best road in the cell", surface_flag_meanings());
  write_index_variable(writer, "terrain", kMapAxes, layers.terrain,
                       "terrain feature covering the cell, the last one if several (index into "
                       "terrain_feature, -1 none)",
                       "terrain_feature");
  write_categorical_variable(writer, "refuge", kMapAxes, layers.refuge,
                             "refuge terrain (terrain.geojson refuge = true) covers the cell", "no yes");
  write_variable(writer, "population", kMapAxes, layers.population,
                 "people (2022) whose town or village lies in the cell; Mali only", "people");
  for (const TravelMode mode : travel_modes) {
    write_variable(writer, "cost_" + mode_name(mode), kMapAxes,
                   layers.cost_days_per_km[static_cast<std::size_t>(mode)],
                   "movement cost for " + mode_name(mode) + (mode == TravelMode::troops ? "" : "s") +
                       " (inf: impassable)",
                   "days per km");
  }
}

void write_terrain_features(const SahelMap& map, RunFileWriter& writer) {
  const auto& features = map.terrain_features();
  if (features.empty()) return;  // the terrain layer is then -1 everywhere
  writer.add_string_coordinate("terrain_feature",
                               column<std::string>(features, [](const TerrainFeature& f) { return f.name; }),
                               "terrain feature (terrain.geojson)");
  writer.add_string_variable("terrain_feature_id", "terrain_feature",
                             column<std::string>(features, [](const TerrainFeature& f) { return f.id; }),
                             "terrain feature id");
  writer.add_string_variable("terrain_feature_kind", "terrain_feature",
                             column<std::string>(features, [](const TerrainFeature& f) { return f.kind; }),
                             "kind of terrain feature");
  write_variable(writer, "terrain_feature_refuge", {"terrain_feature"},
                 column<std::int8_t>(features, [](const TerrainFeature& f) { return f.refuge; }),
                 "1 if the feature is refuge terrain");
}

void write_towns(const SahelMap& map, RunFileWriter& writer) {
  const std::vector<Town>& towns = map.towns();
  const core::geo::GeoGrid& grid = map.grid();
  const std::vector<std::string> town{"town"};
  writer.add_string_coordinate("town", column<std::string>(towns, [](const Town& t) { return t.name; }),
                               "town (towns.csv)");
  write_variable(writer, "town_lon", town,
                 column<double>(towns, [](const Town& t) { return t.position.lon; }), "town longitude",
                 "degrees_east");
  write_variable(writer, "town_lat", town,
                 column<double>(towns, [](const Town& t) { return t.position.lat; }), "town latitude",
                 "degrees_north");
  write_variable(writer, "town_population_2022", town,
                 column<std::int64_t>(towns, [](const Town& t) { return t.population_2022; }),
                 "people the map puts in the town (2022); 0 outside Mali", "people");
  write_index_variable(writer, "town_region", town,
                       column<std::int16_t>(towns, [](const Town& t) { return t.region; }),
                       "region of a Malian town (index into region, -1 outside Mali)", "region");
  write_variable(writer, "town_in_mali", town,
                 column<std::int8_t>(towns, [](const Town& t) { return t.in_mali; }), "1 if the town is in Mali");
  write_variable(writer, "town_cell_row", town,
                 column<std::int32_t>(towns, [&](const Town& t) { return t.cell < 0 ? -1 : grid.row_of(t.cell); }),
                 "grid row of the town's cell (-1 off the grid)");
  write_variable(writer, "town_cell_col", town,
                 column<std::int32_t>(towns, [&](const Town& t) { return t.cell < 0 ? -1 : grid.col_of(t.cell); }),
                 "grid column of the town's cell (-1 off the grid)");
  writer.add_string_variable("town_role", "town", column<std::string>(towns, [](const Town& t) { return t.role; }),
                             "role of the town (towns.csv)");
  writer.add_string_variable("town_country", "town",
                             column<std::string>(towns, [](const Town& t) { return t.country; }),
                             "country of the town (towns.csv)");
}

void write_road_links(const SahelMap& map, RunFileWriter& writer) {
  const std::vector<RoadLink>& links = map.roads().links();
  if (links.empty()) return;
  const std::vector<std::string> link{"road_link"};
  writer.add_dimension("road_link", links.size());
  write_index_variable(writer, "road_link_from", link,
                       column<std::int32_t>(links, [](const RoadLink& l) { return l.from_town; }),
                       "first town of the link (index into town)", "town");
  write_index_variable(writer, "road_link_to", link,
                       column<std::int32_t>(links, [](const RoadLink& l) { return l.to_town; }),
                       "second town of the link (index into town)", "town");
  write_variable(writer, "road_link_length_km", link,
                 column<double>(links, [](const RoadLink& l) { return l.length_km; }), "road length", "km");
  write_categorical_variable(writer, "road_link_surface", link,
                             column<std::uint8_t>(links, [](const RoadLink& l) { return l.surface; }),
                             "road surface", surface_flag_meanings());
  write_variable(writer, "road_link_estimated", link,
                 column<std::int8_t>(links, [](const RoadLink& l) { return l.estimated; }),
                 "1 if the length is an estimate (routes.csv length_basis)");
  writer.add_string_variable("road_link_road", "road_link",
                             column<std::string>(links, [](const RoadLink& l) { return l.road; }),
                             "road name (routes.csv)");
}

void write_corridors(const SahelMap& map, RunFileWriter& writer) {
  const std::vector<Corridor>& corridors = map.corridors();
  if (corridors.empty()) return;
  const std::vector<std::string> corridor{"corridor"};
  writer.add_string_coordinate("corridor",
                               column<std::string>(corridors, [](const Corridor& c) { return c.name; }),
                               "fuel corridor (corridors.csv)");
  write_index_variable(writer, "corridor_crossing_town", corridor,
                       column<std::int32_t>(corridors, [](const Corridor& c) { return c.crossing_town; }),
                       "border crossing into Mali (index into town)", "town");
  write_index_variable(writer, "corridor_destination_town", corridor,
                       column<std::int32_t>(corridors, [](const Corridor& c) { return c.destination_town; }),
                       "destination in Mali (index into town)", "town");
  write_variable(writer, "corridor_route_km", corridor,
                 column<double>(corridors, [](const Corridor& c) { return c.route.length_km; }),
                 "truck route from the port through the crossing to the destination", "km");
}

}  // namespace

std::pair<core::RasterAxis, core::RasterAxis> map_raster_axes(const SahelMap& map) {
  return {core::RasterAxis{"lat", "cell centre latitude", "degrees_north", map.grid().latitudes()},
          core::RasterAxis{"lon", "cell centre longitude", "degrees_east", map.grid().longitudes()}};
}

void write_map(const SahelMap& map, RunFileWriter& writer) {
  check_axes(map, writer);
  writer.set_attribute("lat", "standard_name", "latitude");
  writer.set_attribute("lon", "standard_name", "longitude");
  writer.add_string_coordinate("country", map.country_names(), "country (borders.geojson)");
  writer.add_string_coordinate("region", map.region_names(), "region of Mali (regions.csv)");
  write_terrain_features(map, writer);
  write_layers(map, writer);
  write_towns(map, writer);
  write_road_links(map, writer);
  write_corridors(map, writer);
  writer.set_attribute("", "map_cell_km", map.options().cell_km);
  writer.set_attribute("", "map_seed", static_cast<std::int64_t>(map.options().seed));
  writer.set_attribute("", "map_villages", static_cast<std::int64_t>(map.villages().synthetic_count()));
}

}  // namespace sahelsim::models::sahel

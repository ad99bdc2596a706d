// The Sahel map in a run file: its layers, towns, road graph and fuel corridors as fixed
// (definition-stage) netCDF variables, so that a run file alone is enough to map its results.
//
//   const auto [lat, lon] = map_raster_axes(map);           // what the model's raster_axes() returns
//   writer.add_coordinate(lat.name, lat.values, lat.long_name, lat.units);
//   writer.add_coordinate(lon.name, lon.values, lon.long_name, lon.units);
//   write_map(map, writer);                                  // before writer.begin_appending()
//
// What write_map() adds (categorical variables carry `flag_meanings`: space-separated words, code
// i is the i-th word; index variables carry `index_into`, the dimension whose labels they index,
// with -1 for none):
//   dimensions with string coordinates (labels):
//     country          borders.geojson country names (SahelMap::country_names())
//     region           Mali's admin1 regions (SahelMap::region_names())
//     terrain_feature  terrain.geojson feature names (SahelMap::terrain_features())
//     town             towns.csv names, in towns.csv order (SahelMap::towns())
//     corridor         corridors.csv names (SahelMap::corridors()), when there are corridors
//   a dimension without coordinate values:
//     road_link        the road graph's edges (RoadNetwork::links()), when there are links
//   map layers over (lat, lon), row 0 northernmost (sahel_map.hpp describes each; the country and
//   region layers are named cell_country and cell_region, as country and region name dimensions):
//     cell_country int8, cell_region int16, terrain int16 (index_into); climate_zone, water,
//     road_class, road_surface, refuge uint8 (flag_meanings); population float32 (people);
//     cost_truck, cost_motorcycle, cost_troops float32 (days per km, +inf impassable)
//   terrain_feature_id, terrain_feature_kind (string), terrain_feature_refuge (int8)
//   town_lon, town_lat (float64), town_population_2022 (int64), town_region (int16), town_in_mali
//     (int8), town_cell_row, town_cell_col (int32, -1 off the grid), town_role, town_country (string)
//   road_link_from, road_link_to (int32, into town), road_link_length_km (float64),
//     road_link_surface (uint8, flag_meanings = surface_name() in code order), road_link_estimated
//     (int8), road_link_road (string)
//   corridor_crossing_town, corridor_destination_town (int32, into town), corridor_route_km (float64)
//   root attributes map_cell_km, map_seed, map_villages (synthetic villages; towns not counted)
//
// The dimension names above are the map's: a model that writes series over regions (or countries)
// uses the `region` (`country`) dimension defined here and must not define it again.
#pragma once

#include <utility>

#include "models/sahel/world/sahel_map.hpp"
#include "sahelsim/core/model.hpp"
#include "sahelsim/core/run_file.hpp"

namespace sahelsim::models::sahel {

/// The map grid's axes as raster axes: "lat" (cell-centre latitudes, degrees_north, row 0 the
/// northernmost) and "lon" (cell-centre longitudes, degrees_east, west to east).
std::pair<core::RasterAxis, core::RasterAxis> map_raster_axes(const SahelMap& map);

/// Writes the map into a run file in its definition stage (see the top of this file).
/// Precondition: `writer` already has the coordinates "lat" and "lon" of map_raster_axes(map) (a
/// Sahel model's run file gets them from run_model(), through the model's raster_axes()), and none
/// of the names above. Throws core::RunFileError when lat / lon are missing or do not match the
/// grid's size, and for any name already used.
void write_map(const SahelMap& map, core::RunFileWriter& writer);

}  // namespace sahelsim::models::sahel

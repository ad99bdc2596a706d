// sahelsim._core: the Sahel map (models/sahel/world) seen from Python.
//
// build_map(cell_km, seed, data_dir) builds a SahelMap with the GIL released and returns a MapData.
// Layers are read-only NumPy views on the map's own buffers (rows × cols, row 0 north); their base
// object is the MapData, which they keep alive. Tables (towns, villages, road links, corridors)
// are returned as dicts of columns.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "models/sahel/world/embedded_data.hpp"
#include "models/sahel/world/sahel_map.hpp"
#include "models/sahel/world/travel.hpp"

namespace py = pybind11;
namespace sahel = sahelsim::models::sahel;

namespace {

using MapData = sahel::SahelMap;

template <typename T>
py::array layer_view(const py::object& owner, const std::vector<T>& values, const sahel::SahelMap& map) {
  const auto rows = static_cast<py::ssize_t>(map.grid().rows());
  const auto cols = static_cast<py::ssize_t>(map.grid().cols());
  py::array view(py::dtype::of<T>(), {rows, cols},
                 {static_cast<py::ssize_t>(cols * sizeof(T)), static_cast<py::ssize_t>(sizeof(T))},
                 values.data(), owner);
  py::detail::array_proxy(view.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return view;
}

template <typename T>
py::array_t<T> copy_array(const std::vector<T>& values) {
  py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

py::dict layer_views(const py::object& self) {
  const auto& map = self.cast<const MapData&>();
  const auto& l = map.layers();
  py::dict d;
  d["country"] = layer_view(self, l.country, map);
  d["region"] = layer_view(self, l.region, map);
  d["climate_zone"] = layer_view(self, l.climate_zone, map);
  d["water"] = layer_view(self, l.water, map);
  d["road_class"] = layer_view(self, l.road_class, map);
  d["road_surface"] = layer_view(self, l.road_surface, map);
  d["terrain"] = layer_view(self, l.terrain, map);
  d["refuge"] = layer_view(self, l.refuge, map);
  d["population"] = layer_view(self, l.population, map);
  for (const auto mode : sahel::travel_modes)
    d[py::str("cost_" + sahel::mode_name(mode))] = layer_view(self, l.cost_days_per_km[static_cast<int>(mode)], map);
  return d;
}

py::dict route_to_dict(const sahel::SahelMap& map, const sahel::Route& route, bool timed) {
  py::dict d;
  py::list towns;
  for (const int t : route.towns) towns.append(map.towns()[t].name);
  d["towns"] = towns;
  d["cumulative_km"] = route.cumulative_km;
  d["km"] = route.length_km;
  std::vector<std::size_t> rows;
  for (const int link : route.links) rows.push_back(map.roads().links()[link].route_row);
  d["route_rows"] = rows;
  d["mode"] = timed ? py::object(py::str(sahel::mode_name(route.mode))) : py::object(py::none());
  d["hours"] = timed ? py::object(py::float_(route.hours)) : py::object(py::none());
  return d;
}

py::dict towns_table(const MapData& map) {
  py::list name, alt_names, country, admin1, region, role, basis;
  std::vector<double> lat, lon, source_population, snapped_km;
  std::vector<std::int64_t> population, cell, row, col, pop_year, country_index;
  std::vector<bool> in_mali;
  for (const auto& town : map.towns()) {
    name.append(town.name);
    alt_names.append(town.alt_names);
    country.append(town.country);
    admin1.append(town.admin1);
    region.append(town.region);
    role.append(town.role);
    basis.append(town.population_basis);
    lat.push_back(town.position.lat);
    lon.push_back(town.position.lon);
    source_population.push_back(town.source_population.value_or(std::numeric_limits<double>::quiet_NaN()));
    pop_year.push_back(town.pop_year);
    population.push_back(town.population_2022);
    country_index.push_back(town.country_index);
    cell.push_back(town.cell);
    row.push_back(town.cell < 0 ? -1 : map.grid().row_of(town.cell));
    col.push_back(town.cell < 0 ? -1 : map.grid().col_of(town.cell));
    snapped_km.push_back(town.snapped_km);
    in_mali.push_back(town.in_mali);
  }
  py::dict d;
  d["name"] = name;
  d["alt_names"] = alt_names;
  d["country"] = country;
  d["country_index"] = copy_array(country_index);
  d["admin1"] = admin1;
  d["region"] = region;
  d["lat"] = copy_array(lat);
  d["lon"] = copy_array(lon);
  d["source_population"] = copy_array(source_population);
  d["pop_year"] = copy_array(pop_year);
  d["population_2022"] = copy_array(population);
  d["population_basis"] = basis;
  d["role"] = role;
  d["in_mali"] = in_mali;
  d["cell"] = copy_array(cell);
  d["row"] = copy_array(row);
  d["col"] = copy_array(col);
  d["snapped_km"] = copy_array(snapped_km);
  return d;
}

py::dict villages_table(const MapData& map) {
  const auto& v = map.villages();
  py::dict d;
  d["lon"] = copy_array(v.lon);
  d["lat"] = copy_array(v.lat);
  d["population"] = copy_array(v.population);
  d["region"] = copy_array(v.region);
  d["cell"] = copy_array(v.cell);
  d["town"] = copy_array(v.town);
  return d;
}

py::dict road_links_table(const MapData& map) {
  py::list from, to, surface, road, corridor;
  std::vector<std::int64_t> from_town, to_town, route_row, road_class;
  std::vector<double> length_km;
  std::vector<bool> estimated;
  for (const auto& link : map.roads().links()) {
    from.append(map.towns()[link.from_town].name);
    to.append(map.towns()[link.to_town].name);
    surface.append(sahel::surface_name(link.surface));
    road.append(link.road);
    corridor.append(link.corridor);
    from_town.push_back(link.from_town);
    to_town.push_back(link.to_town);
    route_row.push_back(static_cast<std::int64_t>(link.route_row));
    road_class.push_back(sahel::road_class(link.surface));
    length_km.push_back(link.length_km);
    estimated.push_back(link.estimated);
  }
  py::dict d;
  d["from"] = from;
  d["to"] = to;
  d["from_town"] = copy_array(from_town);
  d["to_town"] = copy_array(to_town);
  d["length_km"] = copy_array(length_km);
  d["surface"] = surface;
  d["road_class"] = copy_array(road_class);
  d["road"] = road;
  d["corridor"] = corridor;
  d["route_row"] = copy_array(route_row);
  d["estimated"] = estimated;
  return d;
}

py::list corridors_list(const MapData& map) {
  py::list out;
  for (const auto& c : map.corridors()) {
    py::dict d = route_to_dict(map, c.route, true);
    d["name"] = c.name;
    d["port"] = c.port;
    d["port_country"] = c.port_country;
    d["border_crossing"] = c.border_crossing;
    d["foreign_border_town"] = c.foreign_border_town;
    d["destination"] = c.destination;
    out.append(d);
  }
  return out;
}

py::array_t<double> ring_array(const std::vector<sahelsim::core::geo::LonLat>& points) {
  py::array_t<double> out({static_cast<py::ssize_t>(points.size()), static_cast<py::ssize_t>(2)});
  auto a = out.mutable_unchecked<2>();
  for (std::size_t i = 0; i < points.size(); ++i) {
    a(i, 0) = points[i].lon;
    a(i, 1) = points[i].lat;
  }
  return out;
}

py::list polygon_rings(const sahelsim::core::geo::Feature& feature) {
  py::list rings;
  for (const auto& polygon : feature.polygons)
    for (const auto& ring : polygon) rings.append(ring_array(ring.points));
  return rings;
}

py::dict geometry(const MapData& map) {
  const auto& data = map.data();
  py::list borders, rivers, terrain;
  for (std::size_t f = 0; f < data.borders().features.size(); ++f) {
    py::dict d;
    d["name"] = map.country_names()[f];
    d["rings"] = polygon_rings(data.borders().features[f]);
    borders.append(d);
  }
  for (std::size_t f = 0; f < data.rivers().features.size(); ++f) {
    py::dict d;
    const auto& props = data.rivers().features[f].properties;
    const auto name = props.find("name");
    d["name"] = name != props.end() && std::holds_alternative<std::string>(name->second)
                    ? std::get<std::string>(name->second) : std::string();
    py::list lines;
    for (const auto& line : data.rivers().features[f].lines) lines.append(ring_array(line));
    d["lines"] = lines;
    rivers.append(d);
  }
  for (std::size_t f = 0; f < data.terrain().features.size(); ++f) {
    const auto& feature = map.terrain_features()[f];
    py::dict d;
    d["id"] = feature.id;
    d["name"] = feature.name;
    d["kind"] = feature.kind;
    d["refuge"] = feature.refuge;
    d["rings"] = polygon_rings(data.terrain().features[f]);
    terrain.append(d);
  }
  py::dict d;
  d["borders"] = borders;
  d["rivers"] = rivers;
  d["terrain"] = terrain;
  return d;
}

py::dict speed_tables() {
  py::dict out;
  for (const auto mode : sahel::travel_modes) {
    const auto& table = sahel::speeds(mode);
    py::dict road, off_road;
    for (int s = 1; s < sahel::surface_count; ++s)
      road[py::str(sahel::surface_name(static_cast<sahel::Surface>(s)))] = table.road_kmh[s];
    off_road["saharan"] = table.off_road_kmh[1];
    off_road["sahelian"] = table.off_road_kmh[2];
    off_road["sudanian"] = table.off_road_kmh[3];
    off_road["wetland"] = table.wetland_kmh;
    py::dict d;
    d["road_kmh"] = road;
    d["off_road_kmh"] = off_road;
    d["hours_per_day"] = table.hours_per_day;
    out[py::str(sahel::mode_name(mode))] = d;
  }
  return out;
}

}  // namespace

void bind_sahel_map(py::module_& m) {
  m.def("build_map", [](double cell_km, std::uint64_t seed, const std::string& data_dir) {
    std::shared_ptr<MapData> map;
    {
      py::gil_scoped_release release;
      const auto data = sahel::DataPack::load(data_dir);
      map = std::make_shared<MapData>(MapData::build(data, {cell_km, seed}));
    }
    return map;
  }, py::arg("cell_km") = 5.0, py::arg("seed") = 0, py::arg("data_dir") = "",
     "Builds the Sahel map (ValueError for a cell_km outside [2, 20] or bad data files).");
  m.def("map_speed_tables", &speed_tables, "The ASSUMED speeds (km/h) by mode, surface and terrain.");
  m.def("embedded_data_files", [] {
    py::dict d;
    for (const auto& name : sahel::embedded_file_names()) d[py::str(name)] = sahel::embedded_file_sha256(name);
    return d;
  }, "The data files compiled into the module, with their SHA-256.");

  py::class_<MapData, std::shared_ptr<MapData>>(m, "MapData")
      .def_property_readonly("cell_km", [](const MapData& map) { return map.options().cell_km; })
      .def_property_readonly("seed", [](const MapData& map) { return map.options().seed; })
      .def_property_readonly("data_origin", [](const MapData& map) { return map.data().origin(); })
      .def_property_readonly("shape", [](const MapData& map) { return py::make_tuple(map.grid().rows(), map.grid().cols()); })
      .def_property_readonly("latitudes", [](const MapData& map) { return copy_array(map.grid().latitudes()); })
      .def_property_readonly("longitudes", [](const MapData& map) { return copy_array(map.grid().longitudes()); })
      .def_property_readonly("extent", [](const MapData& map) {
        const auto& e = map.grid().extent();
        return py::make_tuple(e.west_lon, e.south_lat, e.east_lon, e.north_lat);
      })
      .def("cell_area_km2", [](const MapData& map) {
        std::vector<double> areas;
        for (int r = 0; r < map.grid().rows(); ++r) areas.push_back(map.grid().cell_area_km2(r));
        return copy_array(areas);
      }, "Area of a cell of each row (km²).")
      .def("layers", &layer_views, "Read-only NumPy views of the layers (rows × cols, row 0 north).")
      .def_property_readonly("country_names", &MapData::country_names)
      .def_property_readonly("mali_index", &MapData::mali_index)
      .def_property_readonly("region_names", &MapData::region_names)
      .def_property_readonly("region_populations", &MapData::region_populations)
      .def("towns", &towns_table)
      .def("villages", &villages_table)
      .def("road_links", &road_links_table)
      .def_property_readonly("duplicate_route_rows", [](const MapData& map) { return map.roads().duplicate_rows(); })
      .def("corridors", &corridors_list)
      .def("geometry", &geometry, "Borders, rivers and terrain polygons (lon, lat arrays).")
      .def("route", [](const MapData& map, const std::string& from, const std::string& to, const std::string& mode) {
        return route_to_dict(map, map.route(from, to, sahel::parse_mode(mode)), true);
      }, py::arg("from_town"), py::arg("to_town"), py::arg("mode") = "truck",
         "The fastest road route for a mode: towns, cumulative_km, km, hours, route_rows.")
      .def("shortest_route", [](const MapData& map, const std::string& from, const std::string& to) {
        const auto& roads = map.roads();
        const int a = roads.town(from), b = roads.town(to);
        const auto route = roads.shortest(a, b);
        if (!route.found())
          throw sahelsim::core::DataError("no road connects " + map.towns()[a].name + " and " + map.towns()[b].name);
        return route_to_dict(map, route, false);
      }, py::arg("from_town"), py::arg("to_town"), "The shortest road route in km, whatever the surfaces.")
      .def("shortest_km", &MapData::shortest_km, py::arg("from_town"), py::arg("to_town"))
      .def("town_suggestions", [](const MapData& map, const std::string& name) {
        return map.roads().graph().similar_names(name);
      }, py::arg("name"))
      .def("state_hash", &MapData::state_hash);
}

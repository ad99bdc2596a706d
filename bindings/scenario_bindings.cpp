// sahelsim._core: Sahel scenario files (models/sahel/scenario) seen from Python.
//
// A scenario is passed by bundled name or file path; the resolved scenario comes back as JSON and
// TOML text (the Python side turns the JSON into dicts). A scenario with problems raises ValueError
// whose message lists every problem, one a line.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "models/registry.hpp"
#include "models/sahel/parameters.hpp"
#include "models/sahel/scenario/scenario.hpp"

namespace py = pybind11;
namespace sahel = sahelsim::models::sahel;

void bind_sahel_scenario(py::module_& m) {
  m.def("bundled_scenarios", &sahel::bundled_scenario_names, "Names of the scenarios compiled into sahelsim.");
  m.def("default_scenario", [] { return std::string(sahelsim::models::default_sahel_scenario); },
        "The scenario a bare `sahelsim run` runs.");
  m.def("scenario_max_days", [] { return static_cast<std::int64_t>(sahel::Scenario::max_years * 366); },
        "The most days a Sahel run may have (Scenario::max_years years of 366 days).");
  m.def("load_scenario", [](const std::string& name_or_path) {
    py::dict d;
    std::string json, toml, origin, source;
    {
      py::gil_scoped_release release;
      const sahel::Scenario s = sahel::load_scenario_by_name_or_path(name_or_path);
      json = sahel::scenario_to_json(s);
      toml = sahel::scenario_to_toml(s);
      origin = s.map_origin;
      source = s.source;
    }
    d["json"] = json;
    d["toml"] = toml;
    d["map_origin"] = origin;
    d["source"] = source;
    return d;
  }, py::arg("name_or_path"), "The resolved scenario (ValueError listing every problem).");
  m.def("check_scenario", [](const std::string& name_or_path) {
    py::gil_scoped_release release;
    return sahel::check_scenario(name_or_path);
  }, py::arg("name_or_path"), "Every problem of a scenario, its map built; empty when it is fine.");
  m.def("build_scenario_map", [](const std::string& name_or_path) {
    std::shared_ptr<sahel::SahelMap> map;
    {
      py::gil_scoped_release release;
      const sahel::Scenario s = sahel::load_scenario_by_name_or_path(name_or_path);
      map = std::make_shared<sahel::SahelMap>(sahel::build_scenario_map(s));
    }
    return map;
  }, py::arg("name_or_path"), "The map of a scenario (its data pack, cell_km and seed).");
  m.def("sahel_parameter_specs", [] {
    py::list specs;
    for (const auto& spec : sahel::sahel_parameters()) {
      py::dict d;
      d["name"] = spec.name;
      d["kind"] = sahelsim::core::kind_name(spec.kind);
      d["unit"] = spec.unit;
      d["default"] = sahelsim::core::to_string(spec.default_value);
      d["allowed"] = spec.allowed();
      d["description"] = spec.description;
      d["source"] = spec.source;
      specs.append(d);
    }
    return specs;
  }, "The Sahel model's parameters (models/sahel/parameters.cpp).");
}

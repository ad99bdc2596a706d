// sahelsim._core: the C++ engine seen from Python.
//
// Long calls (step, run) release the GIL; TBB workers never touch Python objects. Between steps the
// calling thread briefly takes the GIL back to honour Ctrl-C (PyErr_CheckSignals) and to report
// progress. State columns are returned as read-only NumPy views on the engine's own buffers (no
// copies); their base object is the Simulation, which they keep alive.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <stdexcept>

#include "models/registry.hpp"
#include "sahelsim/core/build_info.hpp"
#include "sahelsim/core/run.hpp"
#include "sahelsim/core/run_file.hpp"

namespace py = pybind11;
using namespace sahelsim;

namespace {

py::object to_python(const core::ParameterValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return py::bool_(*b);
  if (const auto* i = std::get_if<std::int64_t>(&value)) return py::int_(*i);
  if (const auto* d = std::get_if<double>(&value)) return py::float_(*d);
  return py::str(std::get<std::string>(value));
}

py::dict spec_to_dict(const core::ParameterSpec& spec) {
  py::dict d;
  d["name"] = spec.name;
  d["kind"] = core::kind_name(spec.kind);
  d["unit"] = spec.unit;
  d["default"] = to_python(spec.default_value);
  if (spec.kind == core::ParameterKind::real || spec.kind == core::ParameterKind::integer) {
    d["minimum"] = spec.minimum;
    d["maximum"] = spec.maximum;
  }
  d["choices"] = spec.choices;
  d["description"] = spec.description;
  d["source"] = spec.source;
  d["allowed"] = spec.allowed();
  return d;
}

/// Sets one parameter from a Python value: bool, int, float or str (text is parsed as on the CLI).
void set_from_python(core::ParameterSet& set, const std::string& name, const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return set.set(name, value.cast<bool>());
  if (py::isinstance<py::int_>(value)) {
    // Python ints are unbounded; out of int64 range is bad input, not an overflow.
    try {
      return set.set(name, value.cast<std::int64_t>());
    } catch (const py::cast_error&) {
      throw core::ParameterError("parameter '" + name + "' = " + py::str(value).cast<std::string>() +
                                 " is not allowed: expected " + set.spec(name).allowed());
    }
  }
  if (py::isinstance<py::float_>(value)) return set.set(name, value.cast<double>());
  if (py::isinstance<py::str>(value)) return set.set_from_text(name, value.cast<std::string>());
  // numpy scalars and other numbers
  if (py::hasattr(value, "__float__") && !py::isinstance<py::str>(value)) {
    const std::string kind = core::kind_name(set.spec(name).kind);
    if (kind == "integer" && py::hasattr(value, "__index__"))
      return set.set(name, py::reinterpret_borrow<py::object>(value).attr("__index__")().cast<std::int64_t>());
    if (kind == "real") return set.set(name, py::reinterpret_borrow<py::object>(value).attr("__float__")().cast<double>());
  }
  throw core::ParameterError("parameter '" + name + "' = " + py::repr(value).cast<std::string>() +
                             " (of type " + py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>() +
                             ") is not allowed: expected " + set.spec(name).allowed());
}

py::dtype dtype_of(core::ColumnType type) {
  switch (type) {
    case core::ColumnType::int8: return py::dtype::of<std::int8_t>();
    case core::ColumnType::uint8: return py::dtype::of<std::uint8_t>();
    case core::ColumnType::int32: return py::dtype::of<std::int32_t>();
    case core::ColumnType::int64: return py::dtype::of<std::int64_t>();
    case core::ColumnType::float32: return py::dtype::of<float>();
    case core::ColumnType::float64: return py::dtype::of<double>();
  }
  throw std::logic_error("unknown column type");
}

/// A simulation owned by Python: one model instance plus a guard against use from two Python
/// threads at once while the GIL is released.
class Simulation {
 public:
  Simulation(const std::string& model, const py::dict& parameters, std::uint64_t seed, int threads)
      : entry_(models::find_model(model)), parameters_(entry_.parameters) {
    for (const auto& item : parameters) set_from_python(parameters_, py::str(item.first), item.second);
    model_ = entry_.make(parameters_, seed, threads);
  }

  core::Model& model() { return *model_; }
  const core::Model& model() const { return *model_; }

  void step(std::int64_t n) { run(n, "", 0, py::none(), 1); }

  py::dict run(std::int64_t steps, const std::string& output, std::int64_t snapshot_every,
               const py::object& progress, std::int64_t poll_every) {
    if (steps < 0) throw std::invalid_argument("steps = " + std::to_string(steps) + " is not allowed: expected an integer >= 0");
    if (snapshot_every < 0)
      throw std::invalid_argument("snapshot_every = " + std::to_string(snapshot_every) +
                                  " is not allowed: expected an integer >= 0 (0 = no snapshots)");
    if (poll_every < 1) throw std::invalid_argument("poll_every must be >= 1");
    Busy busy(busy_);
    core::RunOptions options;
    options.steps = steps;
    options.output_path = output;
    options.snapshot_every = snapshot_every;
    options.poll_every = poll_every;
    std::int64_t done = 0;
    options.progress = [&done](std::int64_t n) { done = n; };
    options.poll = [&] {
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!progress.is_none()) progress(done);
    };
    core::RunResult result;
    {
      py::gil_scoped_release release;
      result = core::run_model(*model_, options);
    }
    py::dict d;
    d["steps_run"] = result.steps_run;
    d["wall_seconds"] = result.wall_seconds;
    d["output"] = result.output_path.empty() ? py::object(py::none()) : py::object(py::str(result.output_path));
    return d;
  }

  py::dict parameters() const {
    py::dict d;
    for (const auto& [name, value] : model_->parameters().values()) d[py::str(name)] = to_python(value);
    return d;
  }

  py::dict series() const {
    py::dict d;
    const auto values = model_->series_values();
    const auto& specs = model_->series_specs();
    for (std::size_t i = 0; i < specs.size(); ++i) {
      if (specs[i].integer) d[py::str(specs[i].name)] = py::int_(static_cast<std::int64_t>(values[i]));
      else d[py::str(specs[i].name)] = py::float_(values[i]);
    }
    return d;
  }

  py::array raster(const std::string& name) const {
    const auto cells = model_->raster(name);
    py::array_t<std::uint8_t> out({model_->raster_height(), model_->raster_width()});
    std::copy(cells.begin(), cells.end(), out.mutable_data());
    return out;
  }

  bool busy() const { return busy_.load(); }

 private:
  struct Busy {
    explicit Busy(std::atomic<bool>& flag) : flag_(flag) {
      if (flag_.exchange(true))
        throw std::runtime_error("this Simulation is already running in another thread");
    }
    ~Busy() { flag_.store(false); }
    std::atomic<bool>& flag_;
  };

  const models::ModelEntry& entry_;
  core::ParameterSet parameters_;
  std::unique_ptr<core::Model> model_;
  std::atomic<bool> busy_{false};
};

py::dict column_views(py::object self) {
  Simulation& sim = self.cast<Simulation&>();
  py::dict tables;
  for (const core::ColumnTable* table : sim.model().tables()) {
    py::dict columns;
    for (const auto& column : table->columns()) {
      py::array view(dtype_of(column->type()), {static_cast<py::ssize_t>(column->size())},
                     {static_cast<py::ssize_t>(column->element_size())}, column->raw(), self);
      py::detail::array_proxy(view.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
      columns[py::str(column->name())] = view;
    }
    tables[py::str(table->kind())] = columns;
  }
  return tables;
}

}  // namespace

void bind_sahel_map(py::module_& m);       // map_bindings.cpp
void bind_sahel_scenario(py::module_& m);  // scenario_bindings.cpp

PYBIND11_MODULE(_core, m) {
  m.doc() = "sahelsim's C++ engine (oneTBB, HDF5); use the `sahelsim` package rather than this module.";

  py::register_exception<core::RunFileError>(m, "RunFileError", PyExc_OSError);

  m.def("model_names", [] {
    std::vector<std::string> names;
    for (const auto& entry : models::model_registry()) names.push_back(entry.name);
    return names;
  }, "Names of the runnable models.");
  m.def("model_description", [](const std::string& name) { return models::find_model(name).description; });
  m.def("parameter_specs", [](const std::string& name) {
    py::list specs;
    for (const auto& spec : *models::find_model(name).parameters) specs.append(spec_to_dict(spec));
    return specs;
  }, py::arg("model"), "The parameter registry of a model: name, kind, unit, default, range, description, source.");
  m.def("build_info", [] {
    const auto info = core::build_info();
    py::dict d;
    d["version"] = info.version;
    d["git_commit"] = info.git_commit;
    d["compiler"] = info.compiler;
    d["tbb_version"] = info.tbb_version;
    d["hdf5_version"] = info.hdf5_version;
    d["boost_version"] = info.boost_version;
    return d;
  });

  py::class_<Simulation>(m, "Simulation")
      .def(py::init<const std::string&, const py::dict&, std::uint64_t, int>(), py::arg("model"),
           py::arg("parameters"), py::arg("seed"), py::arg("threads"))
      .def("step", &Simulation::step, py::arg("n") = 1)
      .def("run", &Simulation::run, py::arg("steps"), py::arg("output") = "", py::arg("snapshot_every") = 0,
           py::arg("progress") = py::none(), py::arg("poll_every") = 1)
      .def_property_readonly("model_name", [](const Simulation& s) { return s.model().model_name(); })
      .def_property_readonly("current_step", [](const Simulation& s) { return s.model().current_step(); })
      .def_property_readonly("seed", [](const Simulation& s) { return s.model().seed(); })
      .def_property_readonly("threads", [](const Simulation& s) { return s.model().threads(); })
      .def_property_readonly("parameters", &Simulation::parameters)
      .def_property_readonly("busy", &Simulation::busy)
      .def("series", &Simulation::series)
      .def("series_names", [](const Simulation& s) {
        std::vector<std::string> names;
        for (const auto& spec : s.model().series_specs()) names.push_back(spec.name);
        return names;
      })
      .def("raster_names", [](const Simulation& s) {
        std::vector<std::string> names;
        for (const auto& spec : s.model().raster_specs()) names.push_back(spec.name);
        return names;
      })
      .def("raster", &Simulation::raster, py::arg("name"))
      .def("columns", &column_views)
      .def("state_hash", [](const Simulation& s) { return s.model().state_hash(); })
      .def("describe_schedule", [](const Simulation& s) { return s.model().describe_schedule(); });

  bind_sahel_map(m);
  bind_sahel_scenario(m);
}

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
#include <optional>
#include <stdexcept>

#include "models/registry.hpp"
#include "models/sahel/sahel_model.hpp"
#include "models/sahel/scenario/scenario.hpp"
#include "sahelsim/core/build_info.hpp"
#include "sahelsim/core/checkpoint.hpp"
#include "sahelsim/core/parallel.hpp"
#include "sahelsim/core/run.hpp"
#include "sahelsim/core/run_file.hpp"

namespace py = pybind11;
using namespace sahelsim;
namespace sahel = sahelsim::models::sahel;

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

py::dict summary_to_python(const sahel::CalibrationSummary& s) {
  // The keys and order of summary_to_json (and of `sahelsim run --summary-json`).
  py::dict d;
  for (const auto& [key, value] : sahel::summary_items(s))
    std::visit([&, &key = key](auto x) { d[py::str(key)] = x; }, value);
  return d;
}

py::dict checkpoint_info_to_python(const core::CheckpointInfo& info) {
  py::dict d;
  d["path"] = info.path;
  d["format_version"] = info.format_version;
  d["model"] = info.model;
  d["sahelsim_version"] = info.sahelsim_version;
  d["sahelsim_git_commit"] = info.sahelsim_git_commit;
  d["seed"] = info.seed;
  d["step"] = info.step;
  d["threads"] = info.threads;
  py::dict parameters;
  for (const auto& [name, value] : info.parameters) parameters[py::str(name)] = to_python(value);
  d["parameters"] = parameters;
  d["identity"] = info.identity;
  if (info.run) {
    py::dict run;
    run["output"] = info.run->output_path;
    run["created_utc"] = info.run->created_utc;
    run["run_id"] = info.run->run_id;
    run["steps"] = info.run->steps;
    run["first_step"] = info.run->first_step;
    run["snapshot_every"] = info.run->snapshot_every;
    run["checkpoint_every"] = info.run->checkpoint_every;
    py::dict records;
    for (const auto& [name, count] : info.run->records) records[py::str(name)] = count;
    run["records"] = records;
    d["run"] = run;
  } else {
    d["run"] = py::none();
  }
  return d;
}

void check_threads(int threads) {
  if (threads < 1)
    throw std::invalid_argument("threads = " + std::to_string(threads) + " is not allowed: expected an integer >= 1");
}

/// A simulation owned by Python: one model instance plus a guard against use from two Python
/// threads at once while the GIL is released. A Sahel simulation (from a scenario, or model "sahel"
/// by name) also answers for its scenario, date and calibration summary.
class Simulation {
 public:
  /// A registered model by name, with parameter values and a seed.
  Simulation(const std::string& model, const py::dict& parameters, std::uint64_t seed, int threads) {
    const models::ModelEntry& entry = models::find_model(model);
    core::ParameterSet values(entry.parameters);
    for (const auto& item : parameters) set_from_python(values, py::str(item.first), item.second);
    check_threads(threads);
    {
      py::gil_scoped_release release;  // the Sahel model builds its map
      model_ = entry.make(values, seed, threads);
    }
    sahel_ = dynamic_cast<sahel::SahelModel*>(model_.get());
  }

  /// A Sahel run of a scenario (bundled name or file path): its parameters overridden by
  /// `parameters`, its seed by `seed`. A bad scenario raises ValueError listing every problem; a bad
  /// override names the parameter, the value and what is allowed.
  static std::unique_ptr<Simulation> from_scenario(const std::string& name_or_path, const py::dict& parameters,
                                                   std::optional<std::int64_t> seed, int threads) {
    check_threads(threads);
    if (seed && *seed < 0)
      throw std::invalid_argument("seed = " + std::to_string(*seed) +
                                  " is not allowed: expected an integer in [0, 2^63 - 1]");
    std::optional<sahel::Scenario> scenario;
    {
      py::gil_scoped_release release;
      scenario = sahel::load_scenario_by_name_or_path(name_or_path);
    }
    for (const auto& item : parameters) set_from_python(scenario->parameters, py::str(item.first), item.second);
    if (seed) scenario->seed = static_cast<std::uint64_t>(*seed);
    std::unique_ptr<Simulation> sim(new Simulation());
    {
      py::gil_scoped_release release;
      auto model = std::make_unique<sahel::SahelModel>(*scenario, threads);
      sim->sahel_ = model.get();
      sim->model_ = std::move(model);
    }
    return sim;
  }

  core::Model& model() { return *model_; }
  const core::Model& model() const { return *model_; }
  /// The Sahel model, or nullptr for another model.
  const sahel::SahelModel* sahel_model() const { return sahel_; }
  const sahel::SahelModel& sahel_or_throw(const char* what) const {
    if (sahel_ == nullptr)
      throw py::type_error(std::string(what) + " is only defined for a Sahel simulation (a scenario), not for model '" +
                           model_->model_name() + "'");
    return *sahel_;
  }

  void step(std::int64_t n) { run(n, "", 0, py::none(), 1, 0, "", false, ""); }

  /// A model rebuilt from a checkpoint (its model, parameters, seed, scenario) with its state.
  static std::unique_ptr<Simulation> from_checkpoint(const std::string& path, int threads) {
    check_threads(threads);
    std::unique_ptr<Simulation> sim(new Simulation());
    {
      py::gil_scoped_release release;
      sim->model_ = models::model_from_checkpoint(path, threads);
    }
    sim->sahel_ = dynamic_cast<sahel::SahelModel*>(sim->model_.get());
    return sim;
  }

  void save_checkpoint(const std::string& path) {
    Busy busy(busy_);
    py::gil_scoped_release release;
    core::save_checkpoint(*model_, path);
  }

  py::dict load_checkpoint(const std::string& path) {
    Busy busy(busy_);
    core::CheckpointInfo info;
    {
      py::gil_scoped_release release;
      info = core::load_checkpoint(*model_, path);
    }
    return checkpoint_info_to_python(info);
  }

  py::dict run(std::int64_t steps, const std::string& output, std::int64_t snapshot_every,
               const py::object& progress, std::int64_t poll_every, std::int64_t checkpoint_every,
               const std::string& checkpoint_path, bool keep_checkpoint, const std::string& resume_checkpoint) {
    if (steps < 0) throw std::invalid_argument("steps = " + std::to_string(steps) + " is not allowed: expected an integer >= 0");
    if (snapshot_every < 0)
      throw std::invalid_argument("snapshot_every = " + std::to_string(snapshot_every) +
                                  " is not allowed: expected an integer >= 0 (0 = no snapshots)");
    if (poll_every < 1) throw std::invalid_argument("poll_every must be >= 1");
    if (checkpoint_every < 0)
      throw std::invalid_argument("checkpoint_every = " + std::to_string(checkpoint_every) +
                                  " is not allowed: expected an integer >= 0 (0 = no checkpoints)");
    Busy busy(busy_);
    core::RunOptions options;
    options.steps = steps;
    options.output_path = output;
    options.snapshot_every = snapshot_every;
    options.poll_every = poll_every;
    options.checkpoint_every = checkpoint_every;
    options.checkpoint_path = checkpoint_path;
    options.keep_checkpoint = keep_checkpoint;
    options.resume_checkpoint = resume_checkpoint;
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
    d["checkpoint"] = options.checkpoint_every > 0 || !resume_checkpoint.empty()
                          ? py::object(py::str(options.checkpoint_path.empty()
                                                   ? (resume_checkpoint.empty()
                                                          ? core::default_checkpoint_path(options.output_path)
                                                          : resume_checkpoint)
                                                   : options.checkpoint_path))
                          : py::object(py::none());
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

  /// A copy of one raster: uint8 cells, or float32 for a real raster (RasterSpec::real).
  py::array raster(const std::string& name) const {
    bool real = false;
    for (const auto& spec : model_->raster_specs())
      if (spec.name == name) real = spec.real;
    if (real) {
      const auto cells = model_->raster_real(name);
      py::array_t<float> out({model_->raster_height(), model_->raster_width()});
      std::copy(cells.begin(), cells.end(), out.mutable_data());
      return out;
    }
    const auto cells = model_->raster(name);
    py::array_t<std::uint8_t> out({model_->raster_height(), model_->raster_width()});
    std::copy(cells.begin(), cells.end(), out.mutable_data());
    return out;
  }

  bool busy() const { return busy_.load(); }

 private:
  Simulation() = default;

  struct Busy {
    explicit Busy(std::atomic<bool>& flag) : flag_(flag) {
      if (flag_.exchange(true))
        throw std::runtime_error("this Simulation is already running in another thread");
    }
    ~Busy() { flag_.store(false); }
    std::atomic<bool>& flag_;
  };

  std::unique_ptr<core::Model> model_;
  const sahel::SahelModel* sahel_ = nullptr;  // model_ when it is a Sahel model
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
  py::register_exception<core::CheckpointError>(m, "CheckpointError", PyExc_ValueError);
  m.def("checkpoint_info", [](const std::string& path) { return checkpoint_info_to_python(core::read_checkpoint_info(path)); },
        py::arg("path"), "What a checkpoint file says about itself (model, step, seed, parameters, its run).");
  m.def("default_checkpoint_path", &core::default_checkpoint_path, py::arg("output"));
  m.attr("MAX_THREADS") = core::ParallelExecutor::max_threads;

  m.def("model_names", [] {
    std::vector<std::string> names;
    for (const auto& entry : models::model_registry()) names.push_back(entry.name);
    return names;
  }, "Names of the runnable models.");
  m.def("model_description", [](const std::string& name) { return models::find_model(name).description; });
  m.def("sahel_summary_keys", [] {
    std::vector<std::string> keys;
    for (const auto& item : sahel::summary_items(sahel::CalibrationSummary{})) keys.push_back(item.first);
    return keys;
  }, "The keys of a Sahel model's summary(), in order (docs/ODD.md, \"Calibration summary\").");
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
      .def_static("from_scenario", &Simulation::from_scenario, py::arg("name_or_path"),
                  py::arg("parameters") = py::dict(), py::arg("seed") = py::none(), py::arg("threads") = 1,
                  "A Sahel simulation of a scenario (bundled name or file path), with parameter and seed "
                  "overrides; ValueError lists every problem of a bad scenario or names a bad override.")
      .def_static("from_checkpoint", &Simulation::from_checkpoint, py::arg("path"), py::arg("threads") = 1,
                  "The model a checkpoint was saved from (model, parameters, seed, scenario), restored to its "
                  "step; CheckpointError (a ValueError) for a bad or unusable checkpoint.")
      .def("step", &Simulation::step, py::arg("n") = 1)
      .def("run", &Simulation::run, py::arg("steps"), py::arg("output") = "", py::arg("snapshot_every") = 0,
           py::arg("progress") = py::none(), py::arg("poll_every") = 1, py::arg("checkpoint_every") = 0,
           py::arg("checkpoint_path") = "", py::arg("keep_checkpoint") = false, py::arg("resume_checkpoint") = "")
      .def("save_checkpoint", &Simulation::save_checkpoint, py::arg("path"))
      .def("load_checkpoint", &Simulation::load_checkpoint, py::arg("path"))
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
      .def("describe_schedule", [](const Simulation& s) { return s.model().describe_schedule(); })
      // ---- Sahel simulations only (None, or TypeError for methods, otherwise) ----
      .def_property_readonly("is_sahel", [](const Simulation& s) { return s.sahel_model() != nullptr; })
      .def_property_readonly("scenario_name", [](const Simulation& s) -> std::optional<std::string> {
        if (!s.sahel_model()) return std::nullopt;
        return s.sahel_model()->scenario().name;
      })
      .def_property_readonly("scenario_source", [](const Simulation& s) -> std::optional<std::string> {
        if (!s.sahel_model()) return std::nullopt;
        return s.sahel_model()->scenario().source;
      })
      .def_property_readonly("days", [](const Simulation& s) -> std::optional<std::int64_t> {
        if (!s.sahel_model()) return std::nullopt;
        return s.sahel_model()->scenario().days();
      }, "Days in the scenario's period, both ends included.")
      .def_property_readonly("start_date", [](const Simulation& s) -> std::optional<std::string> {
        if (!s.sahel_model()) return std::nullopt;
        return s.sahel_model()->scenario().start.iso();
      })
      .def_property_readonly("end_date", [](const Simulation& s) -> std::optional<std::string> {
        if (!s.sahel_model()) return std::nullopt;
        return s.sahel_model()->scenario().end.iso();
      })
      .def_property_readonly("current_date", [](const Simulation& s) -> std::optional<std::string> {
        if (!s.sahel_model()) return std::nullopt;
        return s.sahel_model()->current_date().iso();
      }, "The date of the current state, ISO 8601 (scenario start + current_step).")
      .def_property_readonly("output_path", [](const Simulation& s) -> std::optional<std::string> {
        if (!s.sahel_model() || s.sahel_model()->scenario().output_path.empty()) return std::nullopt;
        return s.sahel_model()->scenario().output_path;
      }, "The scenario's output.path, None when it has none.")
      .def_property_readonly("snapshot_every_days", [](const Simulation& s) -> std::optional<std::int64_t> {
        if (!s.sahel_model()) return std::nullopt;
        return s.sahel_model()->scenario().snapshot_every_days;
      })
      .def("summary", [](const Simulation& s) { return summary_to_python(s.sahel_or_throw("summary()").summary()); },
           "The calibration indicators so far, as a dict with the keys of summary_json().")
      .def("summary_json", [](const Simulation& s) {
        return sahel::summary_to_json(s.sahel_or_throw("summary_json()").summary());
      }, "The calibration indicators so far as one JSON object (sahelsim run --summary-json).");

  bind_sahel_map(m);
  bind_sahel_scenario(m);
}

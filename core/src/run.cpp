#include "sahelsim/core/run.hpp"

#include <chrono>
#include <ctime>
#include <memory>

#include "sahelsim/core/build_info.hpp"

namespace sahelsim::core {
namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

class RunFileRecorder {
 public:
  RunFileRecorder(const Model& model, const RunOptions& options)
      : model_(model), writer_(options.output_path, options.file), snapshot_every_(options.snapshot_every) {
    const BuildInfo build = build_info();
    writer_.set_attribute("", "title", "sahelsim run of model " + model.model_name());
    writer_.set_attribute("", "Conventions", "CF-1.8");
    writer_.set_attribute("", "model", model.model_name());
    writer_.set_attribute("", "seed", static_cast<std::int64_t>(model.seed()));
    writer_.set_attribute("", "threads", static_cast<std::int64_t>(model.threads()));
    writer_.set_attribute("", "steps_requested", options.steps);
    writer_.set_attribute("", "snapshot_every", options.snapshot_every);
    writer_.set_attribute("", "sahelsim_version", build.version);
    writer_.set_attribute("", "sahelsim_git_commit", build.git_commit);
    writer_.set_attribute("", "compiler", build.compiler);
    writer_.set_attribute("", "tbb_version", build.tbb_version);
    writer_.set_attribute("", "hdf5_version", build.hdf5_version);
    writer_.set_attribute("", "boost_version", build.boost_version);
    writer_.set_attribute("", "created_utc", utc_now());
    writer_.set_attribute("", "schedule", model.describe_schedule());
    for (const auto& spec : model.parameters().specs()) {
      const ParameterValue& value = model.parameters().value(spec.name);
      if (const auto* d = std::get_if<double>(&value)) writer_.set_attribute("", spec.name, *d);
      else if (const auto* i = std::get_if<std::int64_t>(&value)) writer_.set_attribute("", spec.name, *i);
      else writer_.set_attribute("", spec.name, to_string(value));  // booleans and choices as text
    }

    writer_.add_unlimited_dimension("step", "simulation step (0 = initial state)");
    for (const auto& series : model.series_specs())
      writer_.add_variable(series.name, series.integer ? DataType::int64 : DataType::float64, {"step"},
                           series.long_name, series.units);
    if (snapshot_every_ > 0 && !model.raster_specs().empty()) {
      writer_.add_unlimited_dimension("snapshot", "step of each snapshot");
      std::vector<double> ys(model.raster_height()), xs(model.raster_width());
      for (std::size_t i = 0; i < ys.size(); ++i) ys[i] = double(i);
      for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = double(i);
      writer_.add_coordinate("y", ys, "lattice row");
      writer_.add_coordinate("x", xs, "lattice column");
      for (const auto& raster : model.raster_specs()) {
        writer_.add_variable(raster.name, DataType::uint8, {"snapshot", "y", "x"}, raster.long_name);
        if (!raster.flag_meanings.empty()) writer_.set_attribute(raster.name, "flag_meanings", raster.flag_meanings);
      }
    }
    writer_.begin_appending();
  }

  void record() {
    const std::int64_t step = model_.current_step();
    writer_.append_record("step", step);
    const std::vector<double> values = model_.series_values();
    const auto& specs = model_.series_specs();
    for (std::size_t i = 0; i < specs.size(); ++i) {
      if (specs[i].integer) {
        const auto v = static_cast<std::int64_t>(values[i]);
        writer_.write_record(specs[i].name, &v);
      } else {
        writer_.write_record(specs[i].name, &values[i]);
      }
    }
    if (snapshot_every_ > 0 && step % snapshot_every_ == 0 && !model_.raster_specs().empty()) {
      writer_.append_record("snapshot", step);
      for (const auto& raster : model_.raster_specs()) {
        const std::vector<std::uint8_t> cells = model_.raster(raster.name);
        writer_.write_record(raster.name, cells.data());
      }
    }
  }

  RunFileWriter& writer() { return writer_; }

 private:
  const Model& model_;
  RunFileWriter writer_;
  std::int64_t snapshot_every_;
};

}  // namespace

RunResult run_model(Model& model, const RunOptions& options) {
  if (options.steps < 0) throw std::invalid_argument("steps = " + std::to_string(options.steps) +
                                                     " is not allowed: expected an integer >= 0");
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<RunFileRecorder> recorder;
  if (!options.output_path.empty()) recorder = std::make_unique<RunFileRecorder>(model, options);
  RunResult result;
  result.output_path = options.output_path;
  try {
    if (recorder) recorder->record();
    for (std::int64_t i = 0; i < options.steps; ++i) {
      if (options.poll && options.poll_every > 0 && i % options.poll_every == 0) options.poll();
      model.step();
      if (recorder) recorder->record();
      result.steps_run = i + 1;
      if (options.progress) options.progress(result.steps_run);
    }
    if (options.poll) options.poll();
  } catch (const std::exception& error) {
    if (recorder) recorder->writer().abandon(std::string("run stopped after ") +
                                             std::to_string(result.steps_run) + " steps: " + error.what());
    throw;
  } catch (...) {
    if (recorder) recorder->writer().abandon("run interrupted after " + std::to_string(result.steps_run) + " steps");
    throw;
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (recorder)
    recorder->writer().finish({{"finished_utc", utc_now()}},
                              {{"wall_seconds", result.wall_seconds},
                               {"steps_completed", double(result.steps_run)}});
  return result;
}

std::uint64_t hash_bytes(const void* data, std::size_t size, std::uint64_t hash) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t hash_tables(const std::vector<const ColumnTable*>& tables, std::uint64_t hash) {
  for (const ColumnTable* table : tables)
    for (const auto& column : table->columns())
      hash = hash_bytes(column->raw(), column->size() * column->element_size(), hash);
  return hash;
}

}  // namespace sahelsim::core

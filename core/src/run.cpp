#include "sahelsim/core/run.hpp"

#include <chrono>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <utility>

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
    if (!model.raster_specs().empty()) {
      // The raster axes are defined even without snapshots: a model's define_run_file() may put
      // static layers (its map) on them.
      if (snapshot_every_ > 0) writer_.add_unlimited_dimension("snapshot", "step of each snapshot");
      const auto [rows, columns] = model.raster_axes();
      if (rows.values.size() != std::size_t(model.raster_height()) ||
          columns.values.size() != std::size_t(model.raster_width()))
        throw std::logic_error("model " + model.model_name() + ": raster_axes() has " +
                               std::to_string(rows.values.size()) + " x " + std::to_string(columns.values.size()) +
                               " values for " + std::to_string(model.raster_height()) + " x " +
                               std::to_string(model.raster_width()) + " rasters");
      writer_.add_coordinate(rows.name, rows.values, rows.long_name, rows.units);
      writer_.add_coordinate(columns.name, columns.values, columns.long_name, columns.units);
      if (snapshot_every_ > 0) {
        for (const auto& raster : model.raster_specs()) {
          writer_.add_variable(raster.name, raster.real ? DataType::float32 : DataType::uint8,
                               {"snapshot", rows.name, columns.name}, raster.long_name,
                               raster.real ? raster.units : "");
          if (!raster.real && !raster.flag_meanings.empty())
            writer_.set_attribute(raster.name, "flag_meanings", raster.flag_meanings);
        }
      }
    }
    model.define_run_file(writer_);
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
        if (raster.real) write_raster(raster.name, model_.raster_real(raster.name));
        else write_raster(raster.name, model_.raster(raster.name));
      }
    }
    model_.record_run_file(writer_);
  }

  RunFileWriter& writer() { return writer_; }

 private:
  /// write_record reads a whole raster from the pointer: check the model returned one.
  template <class Cell>
  void write_raster(const std::string& name, const std::vector<Cell>& cells) {
    const std::size_t expected = std::size_t(model_.raster_height()) * std::size_t(model_.raster_width());
    if (cells.size() != expected)
      throw std::logic_error("model " + model_.model_name() + ": raster '" + name + "' has " +
                             std::to_string(cells.size()) + " cells, expected " + std::to_string(expected));
    writer_.write_record(name, cells.data());
  }

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
  if (recorder) {
    std::vector<std::pair<std::string, double>> numbers = {{"wall_seconds", result.wall_seconds},
                                                           {"steps_completed", double(result.steps_run)}};
    for (auto& attribute : model.final_run_file_attributes()) numbers.push_back(std::move(attribute));
    recorder->writer().finish({{"finished_utc", utc_now()}}, numbers);
  }
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

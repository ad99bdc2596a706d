#include "sahelsim/core/run.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
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

// 128 random bits as 32 hex digits: tells a run file (and its checkpoints) from every other run's,
// also from one started in the same second with the same settings (created_utc has whole seconds).
std::string new_run_id() {
  std::random_device entropy;
  std::string id;
  static const char digits[] = "0123456789abcdef";
  for (int word = 0; word < 4; ++word) {
    std::uint32_t bits = entropy();
    for (int k = 0; k < 8; ++k, bits >>= 4) id += digits[bits & 0xF];
  }
  return id;
}

class RunFileRecorder {
 public:
  /// A new run file; or, with `resume`, the run file of a checkpoint rebuilt up to its step.
  RunFileRecorder(const Model& model, const RunOptions& options, const CheckpointInfo* resume = nullptr)
      : model_(model),
        writer_(options.output_path, resume ? resume->run->file : options.file),
        snapshot_every_(options.snapshot_every),
        created_utc_(resume ? resume->run->created_utc : utc_now()),
        run_id_(resume ? resume->run->run_id : new_run_id()) {
    try {
      define(options, resume);
    } catch (...) {
      // Nothing is published: a failed resume leaves the run file it was to continue as it was.
      if (resume) writer_.discard();
      throw;
    }
    writer_.begin_appending();
  }

  void define(const RunOptions& options, const CheckpointInfo* resume) {
    const Model& model = model_;
    const BuildInfo build = build_info();
    writer_.set_attribute("", "title", "sahelsim run of model " + model.model_name());
    writer_.set_attribute("", "Conventions", "CF-1.8");
    writer_.set_attribute("", "model", model.model_name());
    writer_.set_attribute("", "seed", static_cast<std::int64_t>(model.seed()));
    writer_.set_attribute("", "threads", static_cast<std::int64_t>(model.threads()));
    writer_.set_attribute("", "steps_requested", resume ? resume->run->steps : options.steps);
    writer_.set_attribute("", "snapshot_every", options.snapshot_every);
    writer_.set_attribute("", "sahelsim_version", build.version);
    writer_.set_attribute("", "sahelsim_git_commit", build.git_commit);
    writer_.set_attribute("", "compiler", build.compiler);
    writer_.set_attribute("", "tbb_version", build.tbb_version);
    writer_.set_attribute("", "hdf5_version", build.hdf5_version);
    writer_.set_attribute("", "boost_version", build.boost_version);
    writer_.set_attribute("", "created_utc", created_utc_);
    writer_.set_attribute("", "run_id", run_id_);
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
    if (resume) {
      // The file must be the one this run wrote: its model, seed, creation time, steps requested,
      // snapshot interval, parameters and, last (the first difference is the one reported), its run
      // id, which tells apart two runs alike in all of these (started in the same second).
      std::vector<std::pair<std::string, std::string>> identity = {
          {"model", model.model_name()},
          {"seed", std::to_string(static_cast<std::int64_t>(model.seed()))},
          {"created_utc", resume->run->created_utc},
          {"steps_requested", std::to_string(resume->run->steps)},
          {"snapshot_every", std::to_string(resume->run->snapshot_every)}};
      for (const auto& spec : model.parameters().specs()) {
        const ParameterValue& value = model.parameters().value(spec.name);
        if (const auto* d = std::get_if<double>(&value)) {
          char digits[40];
          std::snprintf(digits, sizeof digits, "%.17g", *d);
          identity.emplace_back(spec.name, digits);
        } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
          identity.emplace_back(spec.name, std::to_string(*i));
        } else {
          identity.emplace_back(spec.name, to_string(value));
        }
      }
      identity.emplace_back("run_id", resume->run->run_id);
      try {
        writer_.copy_records_from(options.output_path, resume->run->records, identity);
      } catch (const std::invalid_argument& error) {
        throw CheckpointError("cannot resume from checkpoint '" + resume->path + "': " + error.what());
      }
    }
  }

  const std::string& created_utc() const { return created_utc_; }
  const std::string& run_id() const { return run_id_; }

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
    writer_.commit_records();  // a record cut short by an error is dropped by abandon()
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
  std::string created_utc_;
  std::string run_id_;
};

/// fsync of a file by path (any descriptor flushes the file's data); a failure costs durability
/// only, so it is ignored.
void sync_to_disk(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

/// The checkpoint `options.resume_checkpoint`, checked against the model it is to continue.
CheckpointInfo resume_info(const Model& model, const RunOptions& options) {
  CheckpointInfo info = read_checkpoint_info(options.resume_checkpoint);
  const std::string what = "cannot resume from checkpoint '" + info.path + "': ";
  if (!info.run)
    throw CheckpointError(what + "it was not written by a run with a run file (nothing to continue); load it "
                          "into a model and run that instead");
  if (info.model != model.model_name() || model.current_step() != info.step || model.state_hash() != info.state_hash)
    throw CheckpointError(what + "the model (" + model.model_name() + " at step " +
                          std::to_string(model.current_step()) + ") was not restored from it (" + info.model +
                          " at step " + std::to_string(info.step) + "): load the checkpoint into the model first");
  if (info.step < info.run->first_step || info.step > info.run->first_step + info.run->steps)
    throw CheckpointError(what + "its step " + std::to_string(info.step) + " lies outside its run (steps " +
                          std::to_string(info.run->first_step) + " to " +
                          std::to_string(info.run->first_step + info.run->steps) + ")");
  return info;
}

}  // namespace

RunResult run_model(Model& model, const RunOptions& given) {
  RunOptions options = given;
  std::optional<CheckpointInfo> resume;
  if (!options.resume_checkpoint.empty()) {
    resume = resume_info(model, options);
    const CheckpointRun& run = *resume->run;
    options.steps = run.first_step + run.steps - resume->step;
    options.snapshot_every = run.snapshot_every;
    options.file = run.file;
    if (options.output_path.empty()) options.output_path = run.output_path;
    if (options.checkpoint_every == 0) options.checkpoint_every = run.checkpoint_every;
    if (options.checkpoint_path.empty()) options.checkpoint_path = options.resume_checkpoint;
  }
  if (options.steps < 0) throw std::invalid_argument("steps = " + std::to_string(options.steps) +
                                                     " is not allowed: expected an integer >= 0");
  if (options.checkpoint_every < 0)
    throw std::invalid_argument("checkpoint_every = " + std::to_string(options.checkpoint_every) +
                                " is not allowed: expected an integer >= 0 (0 = no checkpoints)");
  if (options.checkpoint_every > 0 && options.checkpoint_path.empty()) {
    if (options.output_path.empty())
      throw std::invalid_argument("checkpoint_every needs a run file (output) or a checkpoint path");
    options.checkpoint_path = default_checkpoint_path(options.output_path);
  }
  const auto start = std::chrono::steady_clock::now();
  // The first step of the run, and the steps done before this call (a resumed run's).
  const std::int64_t first_step = resume ? resume->run->first_step : model.current_step();
  const std::int64_t done_before = model.current_step() - first_step;
  const std::int64_t last_step = model.current_step() + options.steps;
  // A checkpoint left by an earlier run of this file would not match the file being rebuilt.
  if (!resume && options.checkpoint_every > 0) std::remove(options.checkpoint_path.c_str());
  std::unique_ptr<RunFileRecorder> recorder;
  if (!options.output_path.empty())
    recorder = std::make_unique<RunFileRecorder>(model, options, resume ? &*resume : nullptr);
  RunResult result;
  result.output_path = options.output_path;

  auto checkpoint = [&] {
    CheckpointRun run;
    if (recorder) {
      recorder->writer().flush();  // the file holds every record the checkpoint counts...
      sync_to_disk(options.output_path);  // ...also after a power failure
      run.output_path = options.output_path;
      run.created_utc = recorder->created_utc();
      run.run_id = recorder->run_id();
      run.steps = done_before + options.steps;
      run.first_step = first_step;
      run.snapshot_every = options.snapshot_every;
      run.checkpoint_every = options.checkpoint_every;
      run.file = options.file;
      for (const std::string& dimension : recorder->writer().unlimited_dimensions())
        run.records.emplace_back(dimension, recorder->writer().records(dimension));
    }
    save_checkpoint(model, options.checkpoint_path, recorder ? &run : nullptr);
  };

  try {
    if (recorder && !resume) recorder->record();
    for (std::int64_t i = 0; i < options.steps; ++i) {
      if (options.poll && options.poll_every > 0 && i % options.poll_every == 0) options.poll();
      model.step();
      if (recorder) recorder->record();
      result.steps_run = i + 1;
      const std::int64_t step = model.current_step();
      if (options.checkpoint_every > 0 && step % options.checkpoint_every == 0 && step < last_step) checkpoint();
      if (options.progress) options.progress(result.steps_run);
    }
    if (options.poll) options.poll();
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Inside the try: finishing writes the last buffered records, which can fail (a full disk); the
    // file is then marked incomplete with that reason, as for a failure during the steps.
    if (recorder) {
      std::vector<std::pair<std::string, double>> numbers = {{"wall_seconds", result.wall_seconds},
                                                             {"steps_completed", double(done_before + result.steps_run)}};
      for (auto& attribute : model.final_run_file_attributes()) numbers.push_back(std::move(attribute));
      recorder->writer().finish({{"finished_utc", utc_now()}}, numbers);
    }
  } catch (const std::exception& error) {
    if (recorder) recorder->writer().abandon(std::string("run stopped after ") +
                                             std::to_string(done_before + result.steps_run) + " steps: " + error.what());
    throw;
  } catch (...) {
    if (recorder) recorder->writer().abandon("run interrupted after " +
                                             std::to_string(done_before + result.steps_run) + " steps");
    throw;
  }
  if (options.checkpoint_every > 0 && !options.keep_checkpoint) std::remove(options.checkpoint_path.c_str());
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

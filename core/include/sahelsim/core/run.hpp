// Runs a model for a number of steps, writing its run file.
//
// The run file holds every parameter, the seed, the thread count, the build (version, git commit,
// dependency versions), the per-step series along `step` (the initial state is step 0), the raster
// axes (Model::raster_axes(), when the model has rasters) and, every `snapshot_every` steps, the
// model's rasters along `snapshot` (uint8, or float32 for RasterSpec::real). The model adds its own
// content through Model::define_run_file() / record_run_file() and its end-of-run root attributes
// through final_run_file_attributes() (model.hpp). If the run fails or is interrupted
// (the poll callback throws), the file is closed with run_status = "incomplete" and the exception
// propagates.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sahelsim/core/model.hpp"
#include "sahelsim/core/run_file.hpp"

namespace sahelsim::core {

struct RunOptions {
  std::int64_t steps = 0;
  std::string output_path;          // "" = no file
  std::int64_t snapshot_every = 0;  // 0 = no snapshots
  RunFileOptions file;
  /// Called on the calling thread every `poll_every` steps; throw from it to interrupt the run.
  std::function<void()> poll;
  std::int64_t poll_every = 1;
  /// Called after each step with the number of steps done in this run.
  std::function<void(std::int64_t)> progress;
};

struct RunResult {
  std::int64_t steps_run = 0;
  double wall_seconds = 0.0;
  std::string output_path;
};

RunResult run_model(Model& model, const RunOptions& options);

}  // namespace sahelsim::core

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
//
// Checkpoints (checkpoint.hpp): with checkpoint_every = N the model's state is saved every N steps
// (at steps N, 2N, ... before the last), right after the run file's records up to that step have
// been flushed and synced to disk, so the checkpoint and the file agree. The checkpoint is removed when the run
// completes (unless keep_checkpoint) and kept when it fails or is interrupted. A run is continued
// with resume_checkpoint: the model is first restored from the checkpoint (load_checkpoint), then
// run_model rebuilds the run file (as PATH.part, renamed over PATH once the checkpoint's records
// are copied, so the old file stays whole until then), cuts every record dimension back to the
// checkpoint's step, and continues to the step the original run was asked for. The finished file
// equals the uninterrupted run's, apart from created_utc (kept from the original run),
// finished_utc, wall_seconds and the threads attribute when another thread count is used.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sahelsim/core/checkpoint.hpp"
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

  /// Save a checkpoint every this many steps (0 = never) to checkpoint_path ("" = output_path +
  /// ".ckpt"). Needs an output_path or a checkpoint_path.
  std::int64_t checkpoint_every = 0;
  std::string checkpoint_path;
  bool keep_checkpoint = false;  // keep the checkpoint when the run completes
  /// Continue the run of this checkpoint (see above). The model must have been restored from it;
  /// steps, snapshot_every and file come from the checkpoint (these options are ignored);
  /// output_path "" = the checkpoint's run file; checkpoint_every 0 = the checkpoint's;
  /// checkpoint_path "" = this checkpoint. Mismatches throw CheckpointError.
  std::string resume_checkpoint;
};

struct RunResult {
  std::int64_t steps_run = 0;  // in this call (a resumed run: after the checkpoint)
  double wall_seconds = 0.0;
  std::string output_path;
};

RunResult run_model(Model& model, const RunOptions& options);

}  // namespace sahelsim::core

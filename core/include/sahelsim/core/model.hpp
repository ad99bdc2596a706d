// What the engine needs from a runnable model: stepping, its parameters, the per-step series and
// the rasters it can snapshot. Models (in models/) implement it; the runner (run.hpp), the
// bindings and the benchmarks drive any model through it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sahelsim/core/checkpoint.hpp"
#include "sahelsim/core/columns.hpp"
#include "sahelsim/core/parameters.hpp"
#include "sahelsim/core/run_file.hpp"

namespace sahelsim::core {

struct SeriesSpec {
  std::string name;
  std::string long_name;
  std::string units;
  bool integer = true;  // written as int64, else float64
};

struct RasterSpec {
  std::string name;
  std::string long_name;
  std::string flag_meanings;  // "empty quiet active ..." for categorical rasters, else ""
  bool real = false;          // float32 values from raster_real(), else uint8 from raster()
  std::string units;          // for real rasters
};

/// One axis of the rasters: its dimension name and coordinate values (row axis first).
struct RasterAxis {
  std::string name;       // "y" / "x" by default; "lat" / "lon" for a geographic grid
  std::string long_name;
  std::string units;      // "" or e.g. "degrees_north"
  std::vector<double> values;
};

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string model_name() const = 0;
  virtual void step() = 0;
  /// Steps done so far (0 before the first step).
  virtual std::int64_t current_step() const = 0;
  virtual const ParameterSet& parameters() const = 0;
  virtual std::uint64_t seed() const = 0;
  virtual int threads() const = 0;

  virtual const std::vector<SeriesSpec>& series_specs() const = 0;
  /// The current value of every series, in series_specs() order.
  virtual std::vector<double> series_values() const = 0;

  virtual int raster_width() const = 0;
  virtual int raster_height() const = 0;
  virtual const std::vector<RasterSpec>& raster_specs() const = 0;
  /// Row-major raster_height x raster_width values of one raster.
  virtual std::vector<std::uint8_t> raster(const std::string& name) const = 0;
  /// The same for a raster with RasterSpec::real (float32); throws std::invalid_argument otherwise.
  virtual std::vector<float> raster_real(const std::string& name) const;
  /// Row and column axes of the rasters. Default: "y" and "x", lattice row / column indices.
  virtual std::pair<RasterAxis, RasterAxis> raster_axes() const;

  /// Agent state tables, for views and tests.
  virtual std::vector<const ColumnTable*> tables() const = 0;
  /// A hash of the whole model state (determinism tests).
  virtual std::uint64_t state_hash() const = 0;
  /// The step's phases with what they read and write.
  virtual std::string describe_schedule() const = 0;

  // ---- optional run-file content beyond the step series and the uint8 rasters ----
  // run_model() calls define_run_file() once in the writer's definition stage (after the step
  // series and raster variables are defined, before begin_appending), and record_run_file() after
  // each record of the step series (step 0 included). A model uses them for static data (its map
  // layers, the road graph), series over other dimensions (regions, markets) and event logs.
  virtual void define_run_file(RunFileWriter& /*writer*/) const {}
  virtual void record_run_file(RunFileWriter& /*writer*/) const {}
  /// Root attributes set by finish() (e.g. end-of-run summary indicators).
  virtual std::vector<std::pair<std::string, double>> final_run_file_attributes() const { return {}; }

  // ---- checkpoints (checkpoint.hpp) ----
  // save_state() writes everything the next step depends on (agent tables, model scalars, queues,
  // logs, the step), so that load_state() into a model built from the same parameters (and
  // scenario) continues bitwise identically; state that every step rebuilds before reading it
  // (scratch buffers, indexes) may be left out. Random streams hold no state between steps.
  // Defaults: no checkpoints (std::logic_error).
  virtual void save_state(StateWriter& out) const;
  virtual void load_state(StateReader& in);
  /// What else than the model name, parameters and seed the state depends on, as text compared
  /// when restoring (the Sahel model: its resolved scenario). Default "".
  virtual std::string checkpoint_identity() const { return ""; }
};

/// FNV-1a over raw bytes, continued from `hash` (state hashes).
std::uint64_t hash_bytes(const void* data, std::size_t size, std::uint64_t hash = 0xcbf29ce484222325ULL);
std::uint64_t hash_tables(const std::vector<const ColumnTable*>& tables,
                          std::uint64_t hash = 0xcbf29ce484222325ULL);

}  // namespace sahelsim::core

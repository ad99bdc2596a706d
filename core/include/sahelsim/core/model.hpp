// What the engine needs from a runnable model: stepping, its parameters, the per-step series and
// the rasters it can snapshot. Models (in models/) implement it; the runner (run.hpp), the
// bindings and the benchmarks drive any model through it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sahelsim/core/columns.hpp"
#include "sahelsim/core/parameters.hpp"

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

  /// Agent state tables, for views and tests.
  virtual std::vector<const ColumnTable*> tables() const = 0;
  /// A hash of the whole model state (determinism tests).
  virtual std::uint64_t state_hash() const = 0;
  /// The step's phases with what they read and write.
  virtual std::string describe_schedule() const = 0;
};

/// FNV-1a over raw bytes, continued from `hash` (state hashes).
std::uint64_t hash_bytes(const void* data, std::size_t size, std::uint64_t hash = 0xcbf29ce484222325ULL);
std::uint64_t hash_tables(const std::vector<const ColumnTable*>& tables,
                          std::uint64_t hash = 0xcbf29ce484222325ULL);

}  // namespace sahelsim::core

// Run files: one netCDF-4-compatible HDF5 file per run (ENGINEERING.md §1).
//
// Dimensions are HDF5 dimension scales with _Netcdf4Dimid, every variable has a scale attached on
// every axis, link and attribute creation order are tracked, text attributes are fixed-length
// NULLTERM strings, and data are chunked with shuffle + deflate only. Records are appended along
// unlimited dimensions (e.g. `step`, `snapshot`), each of which has an int64 coordinate variable of
// the same name. After begin_appending() the file is in SWMR mode: other processes can read it while
// it grows, and a run killed mid-way leaves a readable file holding every record flushed so far.
//
// The root attribute `run_status` is "incomplete" from creation; only finish() rewrites it to
// "complete" (after the SWMR session has been closed), so a file that was interrupted never looks
// complete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sahelsim::core {

/// I/O failure (unwritable path, full disk, misuse of the writer). Names the file.
class RunFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class DataType { int8, uint8, int32, int64, float32, float64 };

struct RunFileOptions {
  int deflate_level = 4;          // 1..9; shuffle is always on with deflate
  std::size_t records_per_chunk = 64;  // chunk length along the unlimited dimension
  bool swmr = true;               // reading while writing (HDF5 SWMR, file format v1.10)
};

class RunFileWriter {
 public:
  /// Creates (truncates) `path`. Throws RunFileError naming the path if it cannot be created.
  RunFileWriter(const std::string& path, RunFileOptions options = {});
  ~RunFileWriter();  // closes without marking complete
  RunFileWriter(const RunFileWriter&) = delete;
  RunFileWriter& operator=(const RunFileWriter&) = delete;

  // ---- definition stage (before begin_appending) ----
  /// A fixed-length dimension without coordinate values (netCDF "dimension but not a variable").
  void add_dimension(const std::string& name, std::size_t length);
  /// A fixed-length dimension with a coordinate variable of the same name.
  void add_coordinate(const std::string& name, const std::vector<double>& values,
                      const std::string& long_name, const std::string& units = "");
  /// An unlimited dimension with an int64 coordinate variable of the same name.
  void add_unlimited_dimension(const std::string& name, const std::string& long_name);
  /// A variable over named dimensions (already defined). If the first dimension is unlimited, the
  /// variable grows by append_record; otherwise it is written once by write_fixed.
  void add_variable(const std::string& name, DataType type, const std::vector<std::string>& dims,
                    const std::string& long_name, const std::string& units = "");

  /// Attributes on the root group (variable = "") or on a variable. Scalars only.
  void set_attribute(const std::string& variable, const std::string& name, const std::string& value);
  void set_attribute(const std::string& variable, const std::string& name, double value);
  void set_attribute(const std::string& variable, const std::string& name, std::int64_t value);

  /// Writes a fixed-shape variable completely (definition stage only). `data` holds the product of
  /// its dimension lengths, in C order, of the variable's type.
  void write_fixed(const std::string& variable, const void* data);

  // ---- append stage ----
  /// Ends the definition stage and switches to SWMR writing.
  void begin_appending();
  /// Starts a new record along `dimension` with coordinate `coordinate`; then write each variable
  /// over that dimension with write_record. Records are buffered and flushed every records_per_chunk.
  void append_record(const std::string& dimension, std::int64_t coordinate);
  /// Writes the current record of `variable` (one slab: the product of its non-record dims).
  void write_record(const std::string& variable, const void* data);
  /// Publishes everything buffered so far to readers (and to disk).
  void flush();
  /// Number of records appended along `dimension`.
  std::size_t records(const std::string& dimension) const;

  /// Flushes, closes the SWMR session, reopens the file and sets run_status = "complete" plus the
  /// given root attributes (e.g. wall time). After finish() the writer is closed.
  void finish(const std::vector<std::pair<std::string, std::string>>& final_text_attributes = {},
              const std::vector<std::pair<std::string, double>>& final_number_attributes = {});
  /// Flushes and closes, leaving run_status = "incomplete" (with `reason` in run_status_reason
  /// when possible). Used on errors and interruption.
  void abandon(const std::string& reason);

  const std::string& path() const;
  bool is_open() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sahelsim::core

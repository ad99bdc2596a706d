// Run files: one netCDF-4-compatible HDF5 file per run (ENGINEERING.md §1).
//
// Dimensions are HDF5 dimension scales with _Netcdf4Dimid, every variable has a scale attached on
// every axis, link and attribute creation order are tracked, text attributes are fixed-length
// NULLTERM strings, and data are chunked with shuffle + deflate only. Records are appended along
// unlimited dimensions (e.g. `step`, `snapshot`), each of which has an int64 coordinate variable of
// the same name. After begin_appending() the file is in SWMR mode: other processes can read it while
// it grows, and a run killed mid-way leaves a readable file holding every record flushed so far.
//
// The file is created as PATH.part and renamed to PATH when its header is complete
// (begin_appending; or finish/abandon without appending): a process killed while defining the file
// leaves PATH.part, never a file at PATH that HDF5 cannot open.
//
// The root attribute `run_status` is "incomplete" from creation; only finish() rewrites it to
// "complete" (after the SWMR session has been closed), so a file that was interrupted never looks
// complete. A writer process that died without closing leaves the file flagged as open for SWMR
// writing: readers then open it with SWMR read (h5py/h5netcdf `swmr=True`), or run `h5clear -s`
// on it first for ncdump and plain opens.
//
// Records are buffered in memory and written as one hyperslab per variable every
// records_per_chunk records (fewer when a record is large: a dimension buffers at most ~64 MiB),
// and on flush(), finish() and abandon(). Chunks hold records_per_chunk records (fewer for large
// records) × the other dimensions, halving the largest other dimensions until a chunk is ~1 MiB.
//
// Text data (labels of a dimension, a name per town) are netCDF `string` variables: variable-length
// UTF-8 strings, written whole in the definition stage and stored without compression.
//
// Unwritten cells read as the fill value: NaN for float32/float64, 0 for integer types. No
// `_FillValue` attribute is written (on integers it would make xarray mask them into floats).
//
// Threads: HDF5 is not thread-safe. Use a writer from one thread at a time, and do not call HDF5
// from other threads while it works.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sahelsim::core {

/// I/O failure (unwritable path, full disk, misuse of the writer). Names the file.
class RunFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class DataType { int8, uint8, int16, int32, int64, float32, float64 };

struct RunFileOptions {
  int deflate_level = 4;          // 0..9 (0 = stored); shuffle is always on with deflate
  std::size_t records_per_chunk = 64;  // chunk length and write interval along unlimited dims (>= 1)
  bool swmr = true;               // reading while writing (HDF5 SWMR, file format v1.10); without
                                  // it the file keeps the default (oldest readable) format
};

class RunFileWriter {
 public:
  /// Creates (truncates) `path`. Throws RunFileError naming the path if it cannot be created, or
  /// if something other than a regular file is there (a directory, a device such as /dev/null, a
  /// named pipe); a symbolic link is followed, and path() is then the file it points to.
  RunFileWriter(const std::string& path, RunFileOptions options = {});
  ~RunFileWriter();  // if still open: abandon("writer destroyed before finish"); never throws
  RunFileWriter(const RunFileWriter&) = delete;
  RunFileWriter& operator=(const RunFileWriter&) = delete;

  // ---- definition stage (before begin_appending) ----
  // Dimensions and variables share one namespace. Every call here throws RunFileError after
  // begin_appending() (SWMR allows no new objects or attributes).

  /// A fixed-length dimension (length >= 1) without coordinate values (netCDF "dimension but not
  /// a variable").
  void add_dimension(const std::string& name, std::size_t length);
  /// A fixed-length dimension with a float64 coordinate variable of the same name.
  void add_coordinate(const std::string& name, const std::vector<double>& values,
                      const std::string& long_name, const std::string& units = "");
  /// A fixed-length dimension of labels.size() (>= 1) with a string coordinate variable of the
  /// same name holding the labels (netCDF `string`, NC_STRING: HDF5 variable-length UTF-8 strings,
  /// which xarray reads as str). Labels cannot contain NUL characters.
  void add_string_coordinate(const std::string& name, const std::vector<std::string>& labels,
                             const std::string& long_name);
  /// A fixed 1-D string variable (netCDF `string`) over an existing fixed dimension, written at once:
  /// values.size() must equal the dimension's length. String data are stored contiguously, without
  /// compression (HDF5 allows no filters on variable-length data).
  void add_string_variable(const std::string& name, const std::string& dimension,
                           const std::vector<std::string>& values, const std::string& long_name);
  /// An unlimited dimension with an int64 coordinate variable of the same name (no `units`, so
  /// xarray never decodes it as time).
  void add_unlimited_dimension(const std::string& name, const std::string& long_name);
  /// A variable over named dimensions (already defined, at least one). If the first dimension is
  /// unlimited, the variable grows by append_record; otherwise it is written once by write_fixed.
  /// An unlimited dimension may only be the first one.
  void add_variable(const std::string& name, DataType type, const std::vector<std::string>& dims,
                    const std::string& long_name, const std::string& units = "");

  /// Attributes on the root group (variable = "") or on a variable or coordinate. Scalars only:
  /// text is a fixed-length UTF-8 string, numbers are native double / int64. Setting a name again
  /// replaces the value. Names that netCDF reserves (NAME, CLASS, DIMENSION_LIST, _Netcdf4Dimid,
  /// _FillValue, ...) and the root's run_status / run_status_reason are rejected.
  void set_attribute(const std::string& variable, const std::string& name, const std::string& value);
  void set_attribute(const std::string& variable, const std::string& name, double value);
  void set_attribute(const std::string& variable, const std::string& name, std::int64_t value);

  /// Writes a fixed-shape variable completely (definition stage only). `data` holds the product of
  /// its dimension lengths, in C order, of the variable's type. Not for string variables (their
  /// values are given to add_string_variable / add_string_coordinate).
  void write_fixed(const std::string& variable, const void* data);

  /// Resuming a run (checkpoint.hpp): copies the first `records` records of each unlimited
  /// dimension named in `records` (its coordinate and every variable along it) from the run file
  /// `source`, so that appending continues after them. Definition stage, after every variable is
  /// defined; every unlimited dimension of this file must be named. `source` must hold at least
  /// that many records of the same variables and shapes, and have the root attributes
  /// `source_attributes` (text as is; integers as std::to_string, reals as "%.17g"); it may be
  /// complete, incomplete or left open by a killed writer. Throws
  /// RunFileError if `source` cannot be read, std::invalid_argument if it does not match.
  void copy_records_from(const std::string& source,
                         const std::vector<std::pair<std::string, std::uint64_t>>& records,
                         const std::vector<std::pair<std::string, std::string>>& source_attributes = {});
  /// The unlimited dimensions, in definition order.
  std::vector<std::string> unlimited_dimensions() const;

  // ---- append stage ----
  /// Ends the definition stage and switches to SWMR writing (when options.swmr).
  void begin_appending();
  /// Starts a new record along `dimension` with coordinate `coordinate`; then write each variable
  /// over that dimension with write_record. Records are buffered and flushed every records_per_chunk.
  void append_record(const std::string& dimension, std::int64_t coordinate);
  /// Writes the current record of `variable` (one slab: the product of its non-record dims), at
  /// most once per record (a second write throws). A variable not written in a record keeps the
  /// fill value there (NaN / 0).
  void write_record(const std::string& variable, const void* data);
  /// Publishes everything buffered so far to readers (and to disk).
  void flush();
  /// Marks every record appended so far, along every unlimited dimension, as whole. Once it has
  /// been called, abandon() keeps only whole records: a record cut short by an error (some of its
  /// variables not written yet) is dropped instead of being kept with fill values.
  void commit_records();
  /// Number of records appended along unlimited `dimension` (buffered ones included).
  std::size_t records(const std::string& dimension) const;
  /// Whether a dimension of that name is defined, and its length (records() for an unlimited
  /// one; throws RunFileError for an unknown name). Any stage.
  bool has_dimension(const std::string& dimension) const;
  std::size_t dimension_length(const std::string& dimension) const;

  /// Flushes, closes the SWMR session, reopens the file and sets run_status = "complete" plus the
  /// given root attributes (e.g. wall time). After finish() the writer is closed (also when it
  /// throws after closing; the file then stays "incomplete"). Live SWMR readers in other processes
  /// do not block it; the same file open elsewhere in this process does.
  void finish(const std::vector<std::pair<std::string, std::string>>& final_text_attributes = {},
              const std::vector<std::pair<std::string, double>>& final_number_attributes = {});
  /// Flushes and closes, leaving run_status = "incomplete" (with `reason` in run_status_reason
  /// when possible). Used on errors and interruption. Never throws (problems go to stderr); does
  /// nothing if the writer is already closed.
  void abandon(const std::string& reason);

  /// Definition stage only: closes and deletes the file being built (PATH.part), leaving whatever
  /// is at PATH untouched (a failed resume keeps the run file it was to continue). Never throws.
  void discard();

  const std::string& path() const;
  bool is_open() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sahelsim::core

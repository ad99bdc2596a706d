// Reading run files back in C++: what a run file holds (model, status, root attributes, dimensions,
// variables) and its 1-D series, read-only, with the plain HDF5 C API.
//
//   const RunFileReader run("runs/mali-2025.h5");
//   if (!run.info().complete) ...;                        // run_status != "complete"
//   run.info().dimension("step")->length;                 // records written
//   const std::vector<double> active = run.read_series("active");
//
// The layout is the one RunFileWriter produces (run_file.hpp): netCDF-4 conventions, dimensions as
// HDF5 dimension scales (a scale whose NAME starts "This is a netCDF dimension but not a netCDF
// variable." is a dimension without coordinate values), every variable with a scale attached on
// every axis, root attribute `run_status` ("complete" / "incomplete") and `run_status_reason`.
//
// The reader trusts nothing in the file: every inconsistency (a missing or mistyped `run_status`,
// a variable axis without a dimension scale, a shape that disagrees with its dimension, an
// unsupported type, ...) throws RunFileError whose message starts "run file 'LABEL': " (the path,
// or the label given for an in-memory image) and says what is wrong. Nothing else is thrown
// (except std::bad_alloc).
//
// A file whose writer was killed is still flagged "open for writing" by HDF5 (SWMR); opened from a
// path, the reader then reopens it as an SWMR reader and sets info().closed_by_writer = false. An
// in-memory image of such a file cannot be opened (HDF5's in-memory driver has no SWMR mode).
//
// Threads: HDF5 is not thread-safe; use the reader from one thread at a time, and not while a
// RunFileWriter in the same process works.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sahelsim/core/run_file.hpp"  // RunFileError

namespace sahelsim::core {

/// A scalar attribute: text (fixed- or variable-length string), integer, or real number. Anything
/// else (arrays, compound types, ...) is `other`, with a description instead of a value.
struct RunFileAttribute {
  enum class Kind { text, integer, real, other };
  std::string name;
  Kind kind = Kind::other;
  std::string text;          // kind == text (bytes as stored, up to the first NUL)
  std::int64_t integer = 0;  // kind == integer (unsigned values above INT64_MAX read as INT64_MAX)
  double real = 0.0;         // kind == real
  std::string description;   // kind == other: e.g. "float64 array of 3 values"
};

/// A dimension (an HDF5 dimension scale in the root group).
struct RunFileDimension {
  std::string name;
  std::size_t length = 0;       // current length (records written, for an unlimited dimension)
  bool unlimited = false;
  bool has_coordinate = false;  // false for a netCDF "dimension but not a variable"
};

/// A variable (a dataset in the root group; coordinate variables included).
struct RunFileVariable {
  std::string name;
  std::vector<std::string> dimensions;  // one per axis
  std::vector<std::size_t> shape;       // current extent, one per axis
  /// "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32",
  /// "float64" or "string".
  std::string type;
  bool is_coordinate = false;  // the coordinate variable of the dimension of the same name
};

struct RunFileInfo {
  std::string source;       // the path, or the label of an in-memory image
  std::string model;        // root attribute `model`; empty when the file has none
  std::string run_status;   // "complete", "incomplete", or another value as written
  std::string run_status_reason;
  bool complete = false;    // run_status == "complete"
  bool closed_by_writer = true;  // false: the writer was killed (the file is still SWMR-flagged)
  std::vector<RunFileAttribute> attributes;  // root attributes by name, netCDF bookkeeping excluded
  std::vector<RunFileDimension> dimensions;  // by name
  std::vector<RunFileVariable> variables;    // by name

  /// nullptr when there is none of that name.
  const RunFileAttribute* attribute(const std::string& name) const;
  const RunFileDimension* dimension(const std::string& name) const;
  const RunFileVariable* variable(const std::string& name) const;
};

class RunFileReader {
 public:
  /// The default cap on the values read_series() returns (a daily run of 20 years has ~7,300).
  static constexpr std::size_t default_max_values = std::size_t{1} << 24;

  /// Opens `path` read-only and reads its description. Throws RunFileError naming the path.
  explicit RunFileReader(const std::string& path);
  /// The same for an HDF5 file image in memory (copied; `data` may be freed after the call).
  /// `label` names the image in messages.
  static RunFileReader from_image(const void* data, std::size_t size, const std::string& label);

  ~RunFileReader();
  RunFileReader(RunFileReader&&) noexcept;
  RunFileReader& operator=(RunFileReader&&) noexcept;
  RunFileReader(const RunFileReader&) = delete;
  RunFileReader& operator=(const RunFileReader&) = delete;

  const RunFileInfo& info() const;

  /// A 1-D numeric variable (a step series, a coordinate) converted to double, all of its current
  /// extent. Throws RunFileError for an unknown, string or multi-dimensional variable, for more
  /// than `max_values` values, or when HDF5 cannot read the data.
  std::vector<double> read_series(const std::string& variable,
                                  std::size_t max_values = default_max_values) const;

 private:
  struct Impl;
  explicit RunFileReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// RunFileReader(path).info().
RunFileInfo read_run_file_info(const std::string& path);
/// RunFileReader::from_image(data, size, label).info().
RunFileInfo read_run_file_info_from_image(const void* data, std::size_t size, const std::string& label);

}  // namespace sahelsim::core

// Private helpers of the run-file writer and reader (run_file.cpp, run_file_reader.cpp): an owning
// HDF5 identifier, a scope without HDF5's automatic error printing, and the innermost message of
// HDF5's error stack. Not installed; not part of the public headers.
#pragma once

#include <hdf5.h>

#include <string>
#include <utility>

namespace sahelsim::core::hdf5 {

constexpr hid_t kNoId = -1;

/// netCDF-C and h5netcdf mark a dimension that has no coordinate variable with this NAME, followed
/// by the dimension length formatted "%10d".
constexpr const char* kNotAVariable = "This is a netCDF dimension but not a netCDF variable.";

/// Owns one HDF5 identifier and closes it with the matching H5?close function.
class Hid {
 public:
  using Closer = herr_t (*)(hid_t);
  Hid() = default;
  Hid(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Hid(Hid&& other) noexcept : id_(std::exchange(other.id_, kNoId)), closer_(other.closer_) {}
  Hid& operator=(Hid&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, kNoId);
      closer_ = other.closer_;
    }
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  ~Hid() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Closes now; returns the close status (negative on failure).
  herr_t reset() {
    herr_t status = 0;
    if (id_ >= 0 && closer_ != nullptr) status = closer_(id_);
    id_ = kNoId;
    return status;
  }

 private:
  hid_t id_ = kNoId;
  Closer closer_ = nullptr;
};

/// Turns off HDF5's automatic error-stack printing for the current scope (and restores whatever
/// was set before), so failures surface only as our own exceptions.
class SilenceHdf5Errors {
 public:
  SilenceHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &previous_function_, &previous_data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~SilenceHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, previous_function_, previous_data_); }
  SilenceHdf5Errors(const SilenceHdf5Errors&) = delete;
  SilenceHdf5Errors& operator=(const SilenceHdf5Errors&) = delete;

 private:
  H5E_auto2_t previous_function_ = nullptr;
  void* previous_data_ = nullptr;
};

/// The most specific message on the current HDF5 error stack (walking upward starts with the
/// function that detected the error, e.g. "unable to open file: name = '...', errno = 2, ...").
inline std::string innermost_hdf5_error() {
  std::string message;
  auto keep_innermost = [](unsigned n, const H5E_error2_t* error, void* out) -> herr_t {
    if (n == 0 && error != nullptr) {
      const char* text = (error->desc != nullptr && error->desc[0] != '\0') ? error->desc : error->func_name;
      *static_cast<std::string*>(out) = text != nullptr ? text : "";
    }
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &message);
  return message.empty() ? "unknown HDF5 error" : message;
}

}  // namespace sahelsim::core::hdf5

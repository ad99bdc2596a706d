// Shared helpers of the tests that read run files back with the plain HDF5 C API, as a netCDF
// reader would see them (tests/cpp/core/test_run_file.cpp, tests/cpp/models/).
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace sahelsim::test {

/// Owns an HDF5 identifier.
class Owned {
 public:
  Owned(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

inline Owned open_file(const std::string& path, unsigned flags = H5F_ACC_RDONLY) {
  return Owned(H5Fopen(path.c_str(), flags, H5P_DEFAULT), H5Fclose);
}
inline Owned open_dataset(hid_t file, const std::string& name) {
  return Owned(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
}

inline bool has_attribute(hid_t object, const std::string& name) { return H5Aexists(object, name.c_str()) > 0; }

inline std::string text_attribute(hid_t object, const std::string& name) {
  Owned attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (attribute.get() < 0) return "<missing attribute " + name + ">";
  Owned type(H5Aget_type(attribute), H5Tclose);
  std::vector<char> text(H5Tget_size(type) + 1, '\0');
  H5Aread(attribute, type, text.data());
  return std::string(text.data());
}

template <class T>
T number_attribute(hid_t object, const std::string& name, hid_t memory_type) {
  Owned attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  T value{};
  H5Aread(attribute, memory_type, &value);
  return value;
}

inline std::vector<hsize_t> shape_of(hid_t dataset, bool maximum = false) {
  Owned space(H5Dget_space(dataset), H5Sclose);
  std::vector<hsize_t> shape(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space))), max_shape(shape.size());
  H5Sget_simple_extent_dims(space, shape.data(), max_shape.data());
  return maximum ? max_shape : shape;
}

template <class T>
std::vector<T> read_all(hid_t file, const std::string& name, hid_t memory_type) {
  Owned dataset = open_dataset(file, name);
  const std::vector<hsize_t> shape = shape_of(dataset);
  std::size_t n = 1;
  for (hsize_t d : shape) n *= d;
  std::vector<T> values(n);
  if (n > 0) H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  return values;
}

/// Every value of a 1-D variable-length string dataset, read as UTF-8 strings.
inline std::vector<std::string> read_strings(hid_t file, const std::string& name) {
  Owned dataset = open_dataset(file, name);
  Owned space(H5Dget_space(dataset), H5Sclose);
  Owned type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  std::vector<char*> pointers(shape_of(dataset).at(0), nullptr);
  if (pointers.empty() || H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0) return {};
  std::vector<std::string> values(pointers.begin(), pointers.end());
#if H5_VERSION_GE(1, 12, 0)
  H5Treclaim(type, space, H5P_DEFAULT, pointers.data());
#else
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
#endif
  return values;
}

/// A fixture with a fresh temporary directory per test (removed afterwards) and path_, the run
/// file's path in it.
class RunFileDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    directory_ = std::filesystem::temp_directory_path() /
                 ("sahelsim-run-file-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(directory_);
    path_ = (directory_ / "run.h5").string();
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  std::filesystem::path directory_;
  std::string path_;
};

}  // namespace sahelsim::test

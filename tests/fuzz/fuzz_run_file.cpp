// Fuzz target (structure-aware): RunFileReader on run files that are valid HDF5 but odd or
// inconsistent as run files. The input is decoded into a sequence of HDF5 API calls that build a
// file in memory (core driver): root and variable attributes of any type and shape (run_status
// as a number, NAME as an array, ...), dimension scales of length 0 or 2^40, unlimited or not,
// variables whose axes have no scale, the wrong scale, or a shape that disagrees with it, scalar
// and null dataspaces, string / compound / opaque data, groups, soft and external links, scales
// unlinked after being attached, truncated series. Its image is then read with
// RunFileReader::from_image, every variable with read_series. The contract: RunFileError (or
// nothing) and never a crash. Unlike fuzz_run_file_image, HDF5 only ever parses files that it
// wrote itself, so a crash here is ours (or an HDF5 bug on valid files).
//
// Decoding never fails: a byte that is missing reads as 0, an HDF5 call that fails is skipped.
#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "sahelsim/core/run_file_reader.hpp"

using sahelsim::core::RunFileError;
using sahelsim::core::RunFileReader;

namespace {

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t u8() { return position_ < size_ ? data_[position_++] : 0; }
  std::uint64_t u64(int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | u8();
    return value;
  }
  bool flag() { return (u8() & 1) != 0; }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : u8() % n; }
  std::string text(std::size_t max_length) {
    const std::size_t wanted = below(max_length + 1);  // first: it consumes a byte (sanitizer finding)
    const std::size_t length = std::min<std::size_t>(wanted, size_ - std::min(position_, size_));
    std::string value(reinterpret_cast<const char*>(data_ + position_), length);
    position_ += length;
    return value;
  }
  bool done() const { return position_ >= size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t position_ = 0;
};

constexpr const char* kNotAVariable = "This is a netCDF dimension but not a netCDF variable.";

const char* const kNames[] = {"run_status", "run_status_reason", "model", "title", "step", "snapshot", "x", "y",
                              "active", "quiet", "NAME", "CLASS", "DIMENSION_LIST", "REFERENCE_LIST",
                              "_Netcdf4Dimid", "town", "seed", "units"};

std::string pick_name(Bytes& in) {
  const std::size_t choice = in.below(std::size(kNames) + 2);
  if (choice < std::size(kNames)) return kNames[choice];
  return in.text(12);  // anything: empty, "/", ".", NUL bytes, non-UTF-8
}

/// A numeric HDF5 type (never closed: predefined) or a new derived type (closed by the caller).
hid_t pick_number_type(Bytes& in) {
  static const hid_t* const types[] = {&H5T_NATIVE_INT8_g,  &H5T_NATIVE_UINT8_g,  &H5T_NATIVE_INT16_g,
                                       &H5T_NATIVE_UINT16_g, &H5T_NATIVE_INT32_g, &H5T_NATIVE_UINT32_g,
                                       &H5T_NATIVE_INT64_g, &H5T_NATIVE_UINT64_g, &H5T_NATIVE_FLOAT_g,
                                       &H5T_NATIVE_DOUBLE_g, &H5T_STD_I64BE_g,    &H5T_IEEE_F64BE_g};
  H5open();
  return *types[in.below(std::size(types))];
}

/// A new type of any class (string, compound, opaque, enum, odd-sized integer); close it.
hid_t make_odd_type(Bytes& in) {
  switch (in.below(6)) {
    case 0: {
      const hid_t t = H5Tcopy(H5T_C_S1);
      if (in.flag()) H5Tset_size(t, H5T_VARIABLE);
      else H5Tset_size(t, 1 + in.below(40));
      H5Tset_strpad(t, static_cast<H5T_str_t>(in.below(3)));
      H5Tset_cset(t, in.flag() ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
      return t;
    }
    case 1: {
      const hid_t t = H5Tcreate(H5T_COMPOUND, 16);
      H5Tinsert(t, "a", 0, H5T_NATIVE_DOUBLE);
      H5Tinsert(t, "b", 8, H5T_NATIVE_INT64);
      return t;
    }
    case 2: {
      const hid_t t = H5Tcreate(H5T_OPAQUE, 1 + in.below(16));
      H5Tset_tag(t, "fuzz");
      return t;
    }
    case 3: {
      const hid_t t = H5Tenum_create(H5T_NATIVE_INT);
      int zero = 0, one = 1;
      H5Tenum_insert(t, "no", &zero);
      H5Tenum_insert(t, "yes", &one);
      return t;
    }
    case 4: {  // a 3-byte integer, a 16-byte float: classes the reader knows, sizes it does not
      const hid_t t = H5Tcopy(in.flag() ? H5T_NATIVE_INT32 : H5T_NATIVE_LDOUBLE);
      if (H5Tget_class(t) == H5T_INTEGER) {
        H5Tset_precision(t, 24);
        H5Tset_size(t, 3);
      }
      return t;
    }
    default:
      return H5Tvlen_create(H5T_NATIVE_INT);
  }
}

/// A dataspace: scalar, null, or simple of rank 1..3 with small extents.
hid_t make_space(Bytes& in) {
  switch (in.below(4)) {
    case 0: return H5Screate(H5S_SCALAR);
    case 1: return H5Screate(H5S_NULL);
    default: {
      const int rank = 1 + static_cast<int>(in.below(3));
      hsize_t dims[3];
      for (int i = 0; i < rank; ++i) dims[i] = in.below(5);
      return H5Screate_simple(rank, dims, nullptr);
    }
  }
}

void write_attribute(Bytes& in, hid_t target, const std::string& name) {
  if (H5Aexists(target, name.c_str()) > 0) H5Adelete(target, name.c_str());
  const std::size_t shape = in.below(4);
  const hid_t space = shape == 0 ? make_space(in) : H5Screate(H5S_SCALAR);
  const bool odd = in.below(4) == 0;
  const bool text = !odd && in.flag();
  hid_t type = -1;
  bool close_type = true;
  if (odd) {
    type = make_odd_type(in);
  } else if (text) {
    type = H5Tcopy(H5T_C_S1);
    const std::string value = in.text(48);
    const bool variable = in.flag();
    H5Tset_size(type, variable ? H5T_VARIABLE : std::max<std::size_t>(value.size(), 1));
    H5Tset_strpad(type, static_cast<H5T_str_t>(in.below(3)));
    H5Tset_cset(type, in.flag() ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
    const hid_t attribute = H5Acreate2(target, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attribute >= 0 && H5Sget_simple_extent_npoints(space) == 1) {
      if (variable) {
        const char* pointer = value.c_str();
        H5Awrite(attribute, type, &pointer);
      } else {
        std::string padded = value;
        padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
        H5Awrite(attribute, type, padded.data());
      }
    }
    if (attribute >= 0) H5Aclose(attribute);
    H5Tclose(type);
    H5Sclose(space);
    return;
  } else {
    type = pick_number_type(in);
    close_type = false;
  }
  const hid_t attribute = H5Acreate2(target, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attribute >= 0) {
    const hssize_t points = H5Sget_simple_extent_npoints(space);
    const std::size_t bytes = H5Tget_size(type) * static_cast<std::size_t>(std::max<hssize_t>(points, 0));
    if (H5Tis_variable_str(type) <= 0 && H5Tget_class(type) != H5T_VLEN && bytes <= 4096) {
      std::vector<std::uint8_t> value(bytes);
      for (auto& b : value) b = in.u8();
      H5Awrite(attribute, type, value.data());
    }
    H5Aclose(attribute);
  }
  if (close_type) H5Tclose(type);
  H5Sclose(space);
}

struct Built {
  hid_t file = -1;
  std::vector<std::string> datasets;  // names created (some may have been unlinked since)
  std::vector<std::string> scales;
  // Datasets whose dimension-scale bookkeeping (DIMENSION_LIST, REFERENCE_LIST, CLASS, NAME) was
  // overwritten with odd values. The reader must cope with them; the H5DS functions that build the
  // file must not be given them (libhdf5_hl 1.10.8 crashes in H5DSdetach_scale and friends).
  std::set<std::string> tainted;
};

bool is_scale_bookkeeping(const std::string& name) {
  return name == "DIMENSION_LIST" || name == "REFERENCE_LIST" || name == "CLASS" || name == "NAME";
}

/// write_attribute on a dataset, remembering when it overwrote dimension-scale bookkeeping.
void write_dataset_attribute(Bytes& in, Built& built, hid_t dataset, const std::string& dataset_name);

hid_t open_pick(Bytes& in, const Built& built, const std::vector<std::string>& names) {
  if (names.empty()) return -1;
  return H5Dopen2(built.file, names[in.below(names.size())].c_str(), H5P_DEFAULT);
}

/// Whether `name` can be linked into the root group. HDF5 1.10.8 leaks the new object's header when
/// linking it fails (bad or taken name), which LeakSanitizer reports, so such names are skipped.
bool creatable(hid_t file, const std::string& name) {
  return !name.empty() && name != "." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos && H5Lexists(file, name.c_str(), H5P_DEFAULT) == 0;
}

void write_dataset_attribute(Bytes& in, Built& built, hid_t dataset, const std::string& dataset_name) {
  const std::string name = pick_name(in);
  if (is_scale_bookkeeping(name)) built.tainted.insert(dataset_name);
  write_attribute(in, dataset, name);
}

const hsize_t kLengths[] = {0, 1, 2, 3, 5, 8, 64, 1000, hsize_t{1} << 20, hsize_t{1} << 40};

/// A dataset of `type` (numeric or odd) with rank 0..3, chunked + unlimited along axis 0 or not.
hid_t create_dataset(Bytes& in, Built& built, const std::string& name, int rank, const hsize_t* dims,
                     bool unlimited, hid_t type) {
  if (!creatable(built.file, name)) return -1;
  hid_t space;
  if (rank == 0) {
    space = H5Screate(in.below(8) == 0 ? H5S_NULL : H5S_SCALAR);
  } else {
    hsize_t max_dims[3] = {0, 0, 0};
    for (int i = 0; i < rank; ++i) max_dims[i] = (i == 0 && unlimited) ? H5S_UNLIMITED : dims[i];
    space = H5Screate_simple(rank, dims, max_dims);
  }
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hsize_t points = 1;
  for (int i = 0; i < rank; ++i) points = dims[i] > 0 && points > (hsize_t{1} << 50) / dims[i] ? hsize_t{1} << 50 : points * dims[i];
  if (rank > 0 && (unlimited || points > 4096)) {
    hsize_t chunk[3];
    for (int i = 0; i < rank; ++i) chunk[i] = std::max<hsize_t>(1, std::min<hsize_t>(dims[i], 16));
    H5Pset_chunk(dcpl, rank, chunk);
    if (in.flag() && H5Tis_variable_str(type) <= 0) H5Pset_deflate(dcpl, 1);
  }
  H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  const hid_t dataset = H5Dcreate2(built.file, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Pclose(dcpl);
  H5Sclose(space);
  if (dataset >= 0) built.datasets.push_back(name);
  return dataset;
}

/// Writes fuzz bytes into the first (at most 256) values of a numeric dataset.
void write_some(Bytes& in, hid_t dataset) {
  const hid_t type = H5Dget_type(dataset);
  const hid_t file_space = H5Dget_space(dataset);
  const int rank = H5Sget_simple_extent_ndims(file_space);
  const H5T_class_t type_class = H5Tget_class(type);
  if ((type_class == H5T_INTEGER || type_class == H5T_FLOAT) && rank >= 0) {
    hsize_t dims[H5S_MAX_RANK], start[H5S_MAX_RANK] = {}, count[H5S_MAX_RANK];
    H5Sget_simple_extent_dims(file_space, dims, nullptr);
    hsize_t points = 1;
    bool huge = false;
    for (int i = 0; i < rank; ++i) {
      count[i] = std::min<hsize_t>(dims[i], i == 0 ? 256 : 4);
      points *= count[i];
      huge = huge || dims[i] > (hsize_t{1} << 20);
    }
    // libhdf5 1.10.8 itself crashes writing a chunk of a dataset with a 2^40 extent in a core-driver
    // file (H5D__chunk_lookup -> H5F__accum_read); such datasets stay unwritten (fill values).
    if (points > 0 && !huge) {
      std::vector<double> values(points);
      for (auto& v : values) {
        const std::uint64_t bits = in.u64(in.flag() ? 8 : 1);
        if (bits < 256) v = static_cast<double>(bits) - 100;
        else std::memcpy(&v, &bits, sizeof v);  // NaN, infinities, huge
      }
      const hid_t memory_space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, count, nullptr);
      if (rank > 0) H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
      H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory_space, file_space, H5P_DEFAULT, values.data());
      H5Sclose(memory_space);
    }
  } else if (type_class == H5T_STRING && H5Tis_variable_str(type) > 0 && rank == 1) {
    hsize_t length = 0;
    H5Sget_simple_extent_dims(file_space, &length, nullptr);
    if (length <= 64) {
      std::vector<std::string> texts(length);
      std::vector<const char*> pointers(length);
      for (hsize_t i = 0; i < length; ++i) {
        texts[i] = in.text(16);
        pointers[i] = in.flag() ? nullptr : texts[i].c_str();
      }
      H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data());
    }
  }
  H5Sclose(file_space);
  H5Tclose(type);
}

void make_dimension(Bytes& in, Built& built) {
  const std::string name = pick_name(in);
  const bool unlimited = in.flag();
  const hsize_t length = kLengths[in.below(std::size(kLengths))];
  hid_t type;
  bool close_type = false;
  switch (in.below(4)) {
    case 0: type = H5T_NATIVE_INT64; break;
    case 1: type = H5T_NATIVE_DOUBLE; break;
    case 2: type = H5T_NATIVE_FLOAT; break;
    default:
      type = make_odd_type(in);
      close_type = true;
  }
  const int rank = in.below(6) == 0 ? static_cast<int>(in.below(3)) : 1;  // now and then not 1-D
  const hsize_t dims[3] = {length, 2, 2};
  const hid_t scale = create_dataset(in, built, name, rank, dims, unlimited, type);
  if (close_type) H5Tclose(type);
  if (scale < 0) return;
  const std::size_t label = in.below(4);
  const std::string scale_name =
      label == 0 ? std::string(kNotAVariable) + "         3" : label == 1 ? name : in.text(20);
  if (H5DSset_scale(scale, scale_name.c_str()) >= 0) built.scales.push_back(name);
  if (in.flag()) write_attribute(in, scale, "_Netcdf4Dimid");
  if (in.flag()) write_some(in, scale);
  H5Dclose(scale);
}

void make_variable(Bytes& in, Built& built) {
  const std::string name = pick_name(in);
  const int rank = static_cast<int>(in.below(4));
  hsize_t dims[3] = {0, 0, 0};
  std::vector<std::string> axis_scales(static_cast<std::size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    if (!built.scales.empty() && in.below(4) != 0) {
      axis_scales[i] = built.scales[in.below(built.scales.size())];
      const hid_t scale = H5Dopen2(built.file, axis_scales[i].c_str(), H5P_DEFAULT);
      if (scale >= 0) {
        const hid_t space = H5Dget_space(scale);
        hsize_t extent[H5S_MAX_RANK] = {};
        if (H5Sget_simple_extent_ndims(space) >= 1) H5Sget_simple_extent_dims(space, extent, nullptr);
        dims[i] = extent[0];
        H5Sclose(space);
        H5Dclose(scale);
      }
      if (in.below(5) == 0) dims[i] = kLengths[in.below(std::size(kLengths))];  // disagrees
    } else {
      dims[i] = kLengths[in.below(6)];
    }
  }
  const bool odd = in.below(5) == 0;
  const hid_t type = odd ? make_odd_type(in) : pick_number_type(in);
  const hid_t dataset = create_dataset(in, built, name, rank, dims, in.flag(), type);
  if (odd) H5Tclose(type);
  if (dataset < 0) return;
  for (int i = 0; i < rank; ++i) {
    if (axis_scales[i].empty() || built.tainted.count(axis_scales[i]) != 0) continue;
    const hid_t scale = H5Dopen2(built.file, axis_scales[i].c_str(), H5P_DEFAULT);
    const unsigned axis = in.below(8) == 0 ? static_cast<unsigned>(in.below(3)) : static_cast<unsigned>(i);
    if (scale >= 0) {
      H5DSattach_scale(dataset, scale, axis);
      H5Dclose(scale);
    }
  }
  if (in.flag()) write_some(in, dataset);
  if (in.flag()) write_dataset_attribute(in, built, dataset, name);
  H5Dclose(dataset);
}

void apply(Bytes& in, Built& built) {
  switch (in.below(14)) {
    case 0:
    case 1:
      write_attribute(in, built.file, pick_name(in));
      break;
    case 2:
    case 3:
      make_dimension(in, built);
      break;
    case 4:
    case 5:
      make_variable(in, built);
      break;
    case 6: {  // more data into something
      const hid_t dataset = open_pick(in, built, built.datasets);
      if (dataset >= 0) {
        write_some(in, dataset);
        H5Dclose(dataset);
      }
      break;
    }
    case 7: {  // grow or shrink along the first axis (truncated series, records past the coordinate)
      const hid_t dataset = open_pick(in, built, built.datasets);
      if (dataset >= 0) {
        const hid_t space = H5Dget_space(dataset);
        hsize_t dims[H5S_MAX_RANK];
        const int rank = H5Sget_simple_extent_ndims(space);
        // Never from or to a huge extent: libhdf5 then visits every possible chunk (2^36 of
        // them for 2^40 values), which never ends.
        if (rank >= 1 && H5Sget_simple_extent_dims(space, dims, nullptr) >= 0 && dims[0] <= 1000) {
          dims[0] = kLengths[in.below(8)];  // 0 .. 1000
          H5Dset_extent(dataset, dims);
        }
        H5Sclose(space);
        H5Dclose(dataset);
      }
      break;
    }
    case 8: {  // a group where a variable could be
      const std::string name = pick_name(in);
      if (!creatable(built.file, name)) break;
      if (const hid_t group = H5Gcreate2(built.file, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
          group >= 0) {
        if (in.flag()) write_attribute(in, group, "CLASS");
        H5Gclose(group);
      }
      break;
    }
    case 9: {  // links that are not hard links: dangling soft, external to a file that does not exist
      const bool soft = in.flag(), to_step = in.flag();
      const std::string name = pick_name(in);
      if (!creatable(built.file, name)) break;
      if (soft) H5Lcreate_soft(to_step ? "/step" : "/nowhere", built.file, name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
      else H5Lcreate_external("/nonexistent/fuzz-target.h5", "/step", built.file, name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
      break;
    }
    case 10:  // remove something: a root attribute, or an object (perhaps a scale still attached)
      if (in.flag()) {
        const std::string name = pick_name(in);
        if (H5Aexists(built.file, name.c_str()) > 0) H5Adelete(built.file, name.c_str());
      } else if (!built.datasets.empty()) {
        H5Ldelete(built.file, built.datasets[in.below(built.datasets.size())].c_str(), H5P_DEFAULT);
      }
      break;
    case 11: {  // detach a scale, or make an existing variable a scale
      const std::size_t d = in.below(built.datasets.size()), k = in.below(built.scales.size());
      if (built.datasets.empty() || built.scales.empty() || built.tainted.count(built.datasets[d]) != 0 ||
          built.tainted.count(built.scales[k]) != 0)
        break;
      const hid_t dataset = H5Dopen2(built.file, built.datasets[d].c_str(), H5P_DEFAULT);
      const hid_t scale = H5Dopen2(built.file, built.scales[k].c_str(), H5P_DEFAULT);
      if (dataset >= 0 && scale >= 0) {
        if (in.flag()) H5DSdetach_scale(dataset, scale, static_cast<unsigned>(in.below(3)));
        else H5DSset_scale(dataset, in.flag() ? kNotAVariable : "");
      }
      if (dataset >= 0) H5Dclose(dataset);
      if (scale >= 0) H5Dclose(scale);
      break;
    }
    case 12: {  // an attribute on a dataset, e.g. NAME or DIMENSION_LIST replaced by odd values
      if (built.datasets.empty()) break;
      const std::string name = built.datasets[in.below(built.datasets.size())];
      const hid_t dataset = H5Dopen2(built.file, name.c_str(), H5P_DEFAULT);
      if (dataset >= 0) {
        write_dataset_attribute(in, built, dataset, name);
        H5Dclose(dataset);
      }
      break;
    }
    default: {  // a string variable over a scale
      const std::string name = pick_name(in);
      const hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, H5T_VARIABLE);
      H5Tset_cset(type, H5T_CSET_UTF8);
      const hsize_t length = in.below(5);
      const hid_t dataset = create_dataset(in, built, name, 1, &length, false, type);
      if (dataset >= 0) {
        write_some(in, dataset);
        const std::size_t k = in.below(built.scales.size());
        const hid_t scale = built.scales.empty() || built.tainted.count(built.scales[k]) != 0
                                ? -1
                                : H5Dopen2(built.file, built.scales[k].c_str(), H5P_DEFAULT);
        if (scale >= 0) {
          H5DSattach_scale(dataset, scale, 0);
          H5Dclose(scale);
        }
        H5Dclose(dataset);
      }
      H5Tclose(type);
    }
  }
}

/// A small well-formed run file to start from (when the first byte is odd), so that most inputs
/// reach the variable and series code instead of failing on the root attributes.
void write_template(Built& built) {
  Bytes none(nullptr, 0);
  const auto text_attribute = [&](hid_t target, const char* name, const char* value) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, std::max<std::size_t>(std::strlen(value), 1));
    H5Tset_cset(type, H5T_CSET_UTF8);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attribute = H5Acreate2(target, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, type, value);
    H5Aclose(attribute);
    H5Sclose(space);
    H5Tclose(type);
  };
  text_attribute(built.file, "run_status", "complete");
  text_attribute(built.file, "run_status_reason", "");
  text_attribute(built.file, "model", "fuzz");
  const hsize_t steps = 3;
  const hid_t step = create_dataset(none, built, "step", 1, &steps, true, H5T_NATIVE_INT64);
  H5DSset_scale(step, "step");
  built.scales.push_back("step");
  const std::int64_t step_values[3] = {0, 1, 2};
  H5Dwrite(step, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, step_values);
  const hid_t active = create_dataset(none, built, "active", 1, &steps, true, H5T_NATIVE_INT64);
  H5DSattach_scale(active, step, 0);
  H5Dwrite(active, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, step_values);
  H5Dclose(active);
  H5Dclose(step);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // the build steps fail often, quietly
  Bytes in(data, size);
  const std::uint8_t setup = in.u8();
  const hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  if (setup & 2) {
    H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  }
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  // Closing the file closes whatever the steps left open: with HDF5's default (weak) degree, one
  // identifier left open keeps the file open, and every later input would fail to create it.
  H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
  H5Pset_fapl_core(fapl, 64 * 1024, /*backing_store=*/0);
  if (setup & 4) H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_LATEST);
  Built built;
  built.file = H5Fcreate("fuzz-built.h5", H5F_ACC_TRUNC, fcpl, fapl);
  H5Pclose(fcpl);
  H5Pclose(fapl);
  if (built.file < 0) {
    std::fprintf(stderr, "fuzz_run_file: cannot create the in-memory file (one left open by the last input?)\n");
    __builtin_trap();  // a harness bug: every later input would test nothing
  }
  if (setup & 1) write_template(built);
  for (int op = 0; op < 32 && !in.done(); ++op) apply(in, built);

  std::vector<std::uint8_t> image;
  if (H5Fflush(built.file, H5F_SCOPE_GLOBAL) >= 0) {
    const ssize_t bytes = H5Fget_file_image(built.file, nullptr, 0);
    if (bytes > 0 && bytes < (ssize_t{64} << 20)) {
      image.resize(static_cast<std::size_t>(bytes));
      if (H5Fget_file_image(built.file, image.data(), image.size()) != bytes) image.clear();
    }
  }
  H5Fclose(built.file);
  if (image.empty()) return 0;
  // For triage: FUZZ_RUN_FILE_DUMP=out.h5 fuzz_run_file_replay INPUT writes the file built from
  // INPUT, to look at with h5dump.
  if (const char* dump = std::getenv("FUZZ_RUN_FILE_DUMP")) {
    if (std::FILE* out = std::fopen(dump, "wb")) {
      std::fwrite(image.data(), 1, image.size(), out);
      std::fclose(out);
    }
  }

  try {
    const RunFileReader reader = RunFileReader::from_image(image.data(), image.size(), "fuzz-built.h5");
    for (const auto& variable : reader.info().variables) {
      try {
        (void)reader.read_series(variable.name, 1 << 16);
      } catch (const RunFileError&) {
      }
    }
  } catch (const RunFileError&) {
  }
  return 0;
}

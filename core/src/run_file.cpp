// RunFileWriter: netCDF-4-compatible HDF5 run files (ENGINEERING.md §1).
//
// Only the HDF5 C API and the high-level dimension-scale API (H5DS) are used. Every call that has
// a versioned name uses it explicitly (H5Dcreate2, H5Acreate2, H5Eset_auto2, ...), so the file
// compiles unchanged against HDF5 1.10, 1.14 and 2.0 whatever API-compatibility macros are set.
#include "sahelsim/core/run_file.hpp"

#include "hdf5_support.hpp"
#include "replaced_file.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <thread>
#include <utility>

namespace sahelsim::core {
namespace {

using hdf5::Hid;
using hdf5::innermost_hdf5_error;
using hdf5::kNoId;
using hdf5::kNotAVariable;
using hdf5::SilenceHdf5Errors;

// H5Pset_file_locking appeared in HDF5 1.10.7 and 1.12.1.
#if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7) || H5_VERSION_GE(1, 12, 1)
#define SAHELSIM_HAVE_H5P_SET_FILE_LOCKING 1
#else
#define SAHELSIM_HAVE_H5P_SET_FILE_LOCKING 0
#endif

// Chunks are kept at or below the default raw-data chunk cache (1 MiB per dataset), so reading a
// chunk never bypasses the cache (ENGINEERING.md §1.2).
constexpr std::size_t kTargetChunkBytes = std::size_t{1} << 20;

// Upper bound on the records buffered in memory for one unlimited dimension: large per-record
// slabs (rasters) are written every few records instead of every records_per_chunk records.
constexpr std::size_t kMaxBufferedBytesPerDimension = std::size_t{64} << 20;

// Disk space held in a file next to the run file while it is written (PATH.reserve). When the disk
// fills up, the writer deletes it first, so that closing the run file and marking it incomplete
// have room: a failed H5Fclose in HDF5 1.10 leaves a dangling file ID on which the library's exit
// handler crashes the process.
constexpr off_t kSpaceReserveBytes = off_t{2} << 20;
// Free space required beyond the data about to be written (its uncompressed size) for HDF5's
// metadata. Writes stop with a clear error before the disk is full: HDF5 1.10 cannot close a file
// whose flush failed half-way ("slist already enabled?"), and crashes at exit on it.
constexpr unsigned long long kMetadataMarginBytes = 1ull << 20;

constexpr const char* kStatusAttribute = "run_status";
constexpr const char* kStatusReasonAttribute = "run_status_reason";

// How long the writer waits, when it reopens the closed file to mark it complete, for live readers
// to close it (see edit_closed_file), and how often it tries.
constexpr int kReaderWaitMs = 10000;
constexpr int kReaderPollMs = 20;

// Attributes that netCDF readers hide or interpret, plus the ones this writer manages itself.
bool is_reserved_attribute(const std::string& name) {
  static const char* const reserved[] = {"REFERENCE_LIST", "CLASS",          "DIMENSION_LIST",
                                         "NAME",           "_Netcdf4Dimid",  "_Netcdf4Coordinates",
                                         "_nc3_strict",    "_NCProperties",  "_FillValue"};
  return std::any_of(std::begin(reserved), std::end(reserved),
                     [&](const char* r) { return name == r; });
}

// ---- small HDF5 helpers ----

hid_t native_type(DataType type) {
  switch (type) {
    case DataType::int8: return H5T_NATIVE_INT8;
    case DataType::uint8: return H5T_NATIVE_UINT8;
    case DataType::int16: return H5T_NATIVE_INT16;
    case DataType::int32: return H5T_NATIVE_INT32;
    case DataType::int64: return H5T_NATIVE_INT64;
    case DataType::float32: return H5T_NATIVE_FLOAT;
    case DataType::float64: return H5T_NATIVE_DOUBLE;
  }
  return H5T_NATIVE_UINT8;
}

std::size_t element_size(DataType type) {
  switch (type) {
    case DataType::int8:
    case DataType::uint8: return 1;
    case DataType::int16: return 2;
    case DataType::int32:
    case DataType::float32: return 4;
    case DataType::int64:
    case DataType::float64: return 8;
  }
  return 1;
}

/// Bytes of one element of the value that unwritten cells hold: NaN for floats, 0 for integers.
std::vector<unsigned char> fill_element(DataType type) {
  std::vector<unsigned char> bytes(element_size(type), 0);
  if (type == DataType::float32) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(bytes.data(), &nan, sizeof nan);
  } else if (type == DataType::float64) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::memcpy(bytes.data(), &nan, sizeof nan);
  }
  return bytes;
}

std::size_t product(const std::vector<hsize_t>& shape) {
  std::size_t n = 1;
  for (hsize_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

/// Halves the largest entries of `chunk` until `leading_factor` × chunk × element bytes fits the
/// target chunk size.
void cap_chunk(std::vector<hsize_t>& chunk, std::size_t leading_factor, std::size_t element_bytes) {
  while (leading_factor * product(chunk) * element_bytes > kTargetChunkBytes) {
    auto largest = std::max_element(chunk.begin(), chunk.end());
    if (largest == chunk.end() || *largest <= 1) break;
    *largest = (*largest + 1) / 2;
  }
}

std::string format_dimension_scale_name(std::size_t length) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%10llu", static_cast<unsigned long long>(length));
  return std::string(kNotAVariable) + digits;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

}  // namespace

// ---------------------------------------------------------------------------------------------

struct RunFileWriter::Impl {
  enum class Stage { defining, appending, closed };

  struct Dimension {
    std::string name;
    int id = 0;  // zero-based, in creation order (_Netcdf4Dimid)
    bool unlimited = false;
    hsize_t length = 0;  // fixed dimensions only
    Hid scale;           // the dimension-scale dataset (the coordinate variable, if any)

    // Unlimited dimensions only.
    std::vector<std::size_t> variables;        // indices into Impl::variables
    std::vector<std::int64_t> buffered_coordinates;  // records appended but not yet written
    std::size_t records_in_file = 0;           // records written to the file
    std::size_t records_per_write = 1;         // set by begin_appending()

    std::size_t records_appended() const { return records_in_file + buffered_coordinates.size(); }
    std::size_t records_committed = 0;  // see RunFileWriter::commit_records()
  };

  struct Variable {
    std::string name;
    DataType type = DataType::float64;
    std::vector<std::size_t> dimensions;  // indices into Impl::dimensions
    Hid dataset;
    bool along_records = false;           // first dimension is unlimited
    bool text = false;                    // a string variable, written when it was added
    std::vector<hsize_t> slab_shape;      // shape of one record (or of the whole fixed variable)
    std::size_t slab_bytes = 0;
    std::vector<unsigned char> fill;      // one element of the fill value
    std::vector<unsigned char> buffered;  // records [records_in_file, records_appended) of its dim
    std::int64_t last_record_written = -1;
  };

  std::string path;
  bool published = false;  // renamed from path + ".part" to path
  bool reserve_held = false;  // path + ".reserve" holds the reserved space (create_space_reserve)
  int reserve_fd = -1;        // open on path + ".reserve" with an exclusive flock, until the writer closes
  bool records_write_failed = false;  // an HDF5 write of records failed (e.g. the disk filled up)
  bool records_committed_by_caller = false;  // commit_records() was called
  RunFileOptions options;
  Stage stage = Stage::defining;
  Hid file;
  std::vector<Dimension> dimensions;
  std::vector<Variable> variables;
  std::map<std::string, std::size_t> dimension_index;
  std::map<std::string, std::size_t> variable_index;

  // ---- error reporting ----

  std::string in_file() const { return " in run file " + quoted(path); }

  [[noreturn]] void fail_hdf5(const std::string& what) const {
    throw RunFileError("cannot " + what + in_file() + ": " + innermost_hdf5_error());
  }
  [[noreturn]] void fail(const std::string& what, const std::string& why) const {
    throw RunFileError("cannot " + what + in_file() + ": " + why);
  }
  void check(herr_t status, const std::string& what) const {
    if (status < 0) fail_hdf5(what);
  }
  Hid check_id(hid_t id, Hid::Closer closer, const std::string& what) const {
    if (id < 0) fail_hdf5(what);
    return Hid(id, closer);
  }

  // ---- lookups and stage checks ----

  void require_defining(const std::string& what) const {
    if (stage == Stage::closed) fail(what, "the writer is closed");
    if (stage != Stage::defining) fail(what, "definitions must come before begin_appending()");
  }
  void require_appending(const std::string& what) const {
    if (stage == Stage::closed) fail(what, "the writer is closed");
    if (stage != Stage::appending) fail(what, "call begin_appending() first");
  }
  void require_new_name(const std::string& name, const std::string& what) const {
    if (name.empty()) fail(what, "the name is empty");
    if (name.find('/') != std::string::npos) fail(what, "names cannot contain '/'");
    if (dimension_index.count(name) || variable_index.count(name))
      fail(what, "the name " + quoted(name) + " is already used by a dimension or variable");
  }
  Dimension& dimension(const std::string& name, const std::string& what) {
    auto it = dimension_index.find(name);
    if (it == dimension_index.end()) fail(what, "unknown dimension " + quoted(name));
    return dimensions[it->second];
  }
  const Dimension& dimension(const std::string& name, const std::string& what) const {
    return const_cast<Impl*>(this)->dimension(name, what);
  }
  Variable& variable(const std::string& name, const std::string& what) {
    auto it = variable_index.find(name);
    if (it == variable_index.end()) fail(what, "unknown variable " + quoted(name));
    return variables[it->second];
  }
  /// The object that carries attributes of `name`: the root group for "", else a dataset
  /// (variable or coordinate / dimension scale).
  hid_t attribute_target(const std::string& name, const std::string& what) {
    if (name.empty()) return file.get();
    if (auto it = variable_index.find(name); it != variable_index.end()) return variables[it->second].dataset.get();
    if (auto it = dimension_index.find(name); it != dimension_index.end()) return dimensions[it->second].scale.get();
    fail(what, "unknown variable " + quoted(name));
  }

  // ---- attributes ----

  void delete_attribute_if_present(hid_t target, const std::string& name, const std::string& what) {
    const htri_t exists = H5Aexists(target, name.c_str());
    check(exists, what);
    if (exists > 0) check(H5Adelete(target, name.c_str()), what);
  }

  /// Fixed-length, NULLTERM, UTF-8 scalar string (size >= 1), like netCDF-C's text attributes.
  void write_text_attribute(hid_t target, const std::string& name, const std::string& value,
                            const std::string& what) {
    delete_attribute_if_present(target, name, what);
    Hid type = check_id(H5Tcopy(H5T_C_S1), H5Tclose, what);
    check(H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1)), what);
    check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), what);
    check(H5Tset_cset(type.get(), H5T_CSET_UTF8), what);
    Hid space = check_id(H5Screate(H5S_SCALAR), H5Sclose, what);
    Hid attribute = check_id(H5Acreate2(target, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                             H5Aclose, what);
    // c_str() is NUL-terminated, so an empty value writes the single byte '\0'.
    check(H5Awrite(attribute.get(), type.get(), value.c_str()), what);
  }

  void write_number_attribute(hid_t target, const std::string& name, hid_t type, const void* value,
                              const std::string& what) {
    delete_attribute_if_present(target, name, what);
    Hid space = check_id(H5Screate(H5S_SCALAR), H5Sclose, what);
    Hid attribute =
        check_id(H5Acreate2(target, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
    check(H5Awrite(attribute.get(), type, value), what);
  }

  void check_attribute_name(const std::string& variable_name, const std::string& name, const std::string& what) {
    if (name.empty()) fail(what, "the attribute name is empty");
    if (is_reserved_attribute(name)) fail(what, quoted(name) + " is reserved for netCDF / HDF5 bookkeeping");
    if (variable_name.empty() && (name == kStatusAttribute || name == kStatusReasonAttribute))
      fail(what, quoted(name) + " is managed by the writer (finish() / abandon())");
  }

  // ---- creation ----

  /// Dataset creation plist with attribute creation order tracked and indexed (netCDF-4 rule),
  /// without modification times, so that two identical runs give identical files.
  Hid dataset_creation_plist(const std::string& what) {
    Hid dcpl = check_id(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
    check(H5Pset_attr_creation_order(dcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), what);
    check(H5Pset_obj_track_times(dcpl.get(), 0), what);
    return dcpl;
  }

  void set_chunked_compressed(hid_t dcpl, const std::vector<hsize_t>& chunk, const std::string& what) {
    check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), what);
    check(H5Pset_shuffle(dcpl), what);
    check(H5Pset_deflate(dcpl, static_cast<unsigned>(options.deflate_level)), what);
  }

  /// A 1-D dataset of variable-length UTF-8 strings (netCDF NC_STRING) over `length` values,
  /// contiguous (HDF5 allows no filters on variable-length data), written with `values`.
  Hid create_string_dataset(const std::string& name, const std::vector<std::string>& values,
                            const std::string& what) {
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i].find('\0') != std::string::npos)
        fail(what, "value " + std::to_string(i) + " contains a NUL character");
    Hid type = check_id(H5Tcopy(H5T_C_S1), H5Tclose, what);
    check(H5Tset_size(type.get(), H5T_VARIABLE), what);
    check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), what);
    check(H5Tset_cset(type.get(), H5T_CSET_UTF8), what);
    const hsize_t shape[1] = {values.size()};
    Hid space = check_id(H5Screate_simple(1, shape, nullptr), H5Sclose, what);
    Hid dcpl = dataset_creation_plist(what);
    Hid dataset = check_id(
        H5Dcreate2(file.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
        H5Dclose, what);
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const std::string& value : values) pointers.push_back(value.c_str());
    check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), what);
    return dataset;
  }

  /// Turns a freshly created dataset into the scale of the next dimension and registers it.
  void register_dimension(const std::string& name, bool unlimited, hsize_t length, Hid scale,
                          const std::string& scale_name, const std::string& what) {
    Dimension dim;
    dim.name = name;
    dim.id = static_cast<int>(dimensions.size());
    dim.unlimited = unlimited;
    dim.length = length;
    dim.scale = std::move(scale);
    check(H5DSset_scale(dim.scale.get(), scale_name.c_str()), what);
    write_number_attribute(dim.scale.get(), "_Netcdf4Dimid", H5T_NATIVE_INT, &dim.id, what);
    dimension_index[name] = dimensions.size();
    dimensions.push_back(std::move(dim));
  }

  void create_file() {
    const std::string what = "create run file";
    // Link and attribute creation order tracked + indexed on the root group (netCDF-4 rule).
    Hid fcpl = check_id(H5Pcreate(H5P_FILE_CREATE), H5Pclose, what);
    check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), what);
    check(H5Pset_attr_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), what);
    Hid fapl = file_access_plist(what);
    if (options.swmr) {
      // SWMR needs the v1.10 file format. Without SWMR the default (earliest) bounds are kept, so
      // files written by newer HDF5 versions stay readable by HDF5 1.10 and netCDF-C.
      check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_LATEST), what);
    }
    // The file is built under a temporary name and renamed to `path` once its header is complete
    // (begin_appending, or abandon): a run killed while defining its variables leaves no file at
    // `path` that HDF5 cannot open, only `path`.part.
    const std::string creating = path + ".part";
    create_space_reserve();
    const hid_t id = H5Fcreate(creating.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
    if (id < 0) throw RunFileError("cannot create run file " + quoted(path) + ": " + innermost_hdf5_error());
    file = Hid(id, H5Fclose);
    write_text_attribute(file.get(), kStatusAttribute, "incomplete", "write run_status");
    write_text_attribute(file.get(), kStatusReasonAttribute, "", "write run_status_reason");
  }

  std::string reserve_path() const { return path + ".reserve"; }

  /// Sets aside kSpaceReserveBytes on the run file's file system (see kSpaceReserveBytes). A disk
  /// that cannot hold it is reported now, before the run starts. The reserve file also stands for
  /// the run: its exclusive flock, held until the writer closes (drop_run_lock), refuses a second
  /// writer of the same path, which would rename its file over this one and have this run mark the
  /// other's file complete. A killed run's lock goes with its process; its file is reused.
  void create_space_reserve() {
    const std::string reserve = reserve_path();
    const int fd = ::open(reserve.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
      throw RunFileError("cannot create run file " + quoted(path) + ": cannot create " + quoted(reserve) + ": " +
                         std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      throw RunFileError("cannot create run file " + quoted(path) + ": another run is writing it (it holds " +
                         quoted(reserve) + "); wait for it to end, or give this run another file");
    }
    reserve_fd = fd;
    reserve_held = true;
    int error = ::ftruncate(fd, 0) == 0 ? ::posix_fallocate(fd, 0, kSpaceReserveBytes) : errno;
    if (error == EOPNOTSUPP || error == EINVAL) {  // file systems without fallocate: write zeros
      const std::vector<char> zeros(1 << 16, 0);
      error = 0;
      for (off_t written = 0; written < kSpaceReserveBytes && error == 0;) {
        const ssize_t n = ::write(fd, zeros.data(), zeros.size());
        if (n < 0) error = errno;
        else written += n;
      }
    }
    if (error != 0) {
      drop_run_lock();
      throw RunFileError("cannot create run file " + quoted(path) + ": cannot set aside " +
                         std::to_string(kSpaceReserveBytes >> 20) + " MiB next to it (" + std::strerror(error) +
                         "); free some space on its file system");
    }
  }

  /// Frees the reserved space; the (empty) reserve file and its lock stay until drop_run_lock.
  void release_space_reserve() {
    if (!reserve_held) return;
    if (::ftruncate(reserve_fd, 0) != 0) ::unlink(reserve_path().c_str());  // the space is freed either way
    reserve_held = false;
  }

  /// Removes the reserve file and lets go of its lock: the path is free for another run.
  void drop_run_lock() {
    if (reserve_fd < 0) return;
    ::unlink(reserve_path().c_str());
    ::close(reserve_fd);
    reserve_fd = -1;
    reserve_held = false;
  }

  ~Impl() { drop_run_lock(); }

  /// Renames the file from its temporary name to `path` (once).
  void publish() {
    if (published) return;
    if (std::rename((path + ".part").c_str(), path.c_str()) != 0)
      throw RunFileError("cannot create run file " + quoted(path) + ": renaming " + quoted(path + ".part") +
                         " failed: " + std::strerror(errno));
    published = true;
  }

  /// Closing the file closes every object still open in it (also matches h5py's setting, so the
  /// file can be shared with h5py inside one process).
  Hid file_access_plist(const std::string& what) {
    Hid fapl = check_id(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, what);
    check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), what);
    return fapl;
  }

  // ---- appending ----

  /// Writes rows [first_row, first_row + rows) of a variable over an unlimited dimension from
  /// `data` (rows × slab), extending the dataset to `extent_rows` first.
  void write_rows(hid_t dataset, hid_t type, const std::vector<hsize_t>& slab_shape, hsize_t first_row,
                  hsize_t rows, hsize_t extent_rows, const void* data, const std::string& what) {
    std::vector<hsize_t> extent{extent_rows};
    extent.insert(extent.end(), slab_shape.begin(), slab_shape.end());
    check(H5Dset_extent(dataset, extent.data()), what);
    std::vector<hsize_t> start(extent.size(), 0), count{rows};
    start[0] = first_row;
    count.insert(count.end(), slab_shape.begin(), slab_shape.end());
    Hid file_space = check_id(H5Dget_space(dataset), H5Sclose, what);
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), what);
    Hid memory_space = check_id(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose, what);
    check(H5Dwrite(dataset, type, memory_space.get(), file_space.get(), H5P_DEFAULT, data), what);
  }

  /// Writes every buffered record of `dim` (coordinate and variables) as one hyperslab each; in
  /// SWMR mode also publishes them to readers with H5Dflush.
  void write_buffered_records(Dimension& dim) {
    const std::size_t rows = dim.buffered_coordinates.size();
    if (rows == 0) return;
    unsigned long long bytes = rows * sizeof(std::int64_t);
    for (std::size_t index : dim.variables) bytes += rows * variables[index].slab_bytes;
    require_free_space(bytes, "write records of " + quoted(dim.name));
    try {
      write_buffered_records_unguarded(dim);
    } catch (const RunFileError&) {
      records_write_failed = true;
      throw;
    }
  }

  /// Throws if the run file's file system has less free space than `bytes` plus a margin for
  /// HDF5's metadata (see kMetadataMarginBytes), or if the file would outgrow the process's file size
  /// limit (`ulimit -f`, RLIMIT_FSIZE: the write would fail with EFBIG, as on a full disk).
  void require_free_space(unsigned long long bytes, const std::string& what) {
    const std::string probe = published ? path : path + ".part";
    struct rlimit limit {};
    struct stat file {};
    if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && ::stat(probe.c_str(), &file) == 0) {
      const unsigned long long size = static_cast<unsigned long long>(file.st_size);
      if (size + bytes + kMetadataMarginBytes > static_cast<unsigned long long>(limit.rlim_cur))
        fail(what, std::string(std::strerror(EFBIG)) + ": the file has " + std::to_string(size >> 10) + " KiB, " +
                       std::to_string((bytes + kMetadataMarginBytes) >> 10) +
                       " KiB more are needed (the records uncompressed, plus 1 MiB for metadata), and this "
                       "process may write files of at most " + std::to_string(limit.rlim_cur >> 10) +
                       " KiB (ulimit -f)");
    }
    struct statvfs fs {};
    if (::statvfs(probe.c_str(), &fs) != 0) return;  // cannot tell: let the write report it
    const unsigned long long available = static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize;
    if (available >= bytes + kMetadataMarginBytes) return;
    fail(what, std::string(std::strerror(ENOSPC)) + ": " + std::to_string(available >> 10) +
                   " KiB free on its file system, " + std::to_string((bytes + kMetadataMarginBytes) >> 10) +
                   " KiB needed (the records uncompressed, plus 1 MiB for metadata)");
  }

  void write_buffered_records_unguarded(Dimension& dim) {
    const std::size_t rows = dim.buffered_coordinates.size();
    if (rows == 0) return;
    const hsize_t first = dim.records_in_file;
    const hsize_t extent = first + rows;
    write_rows(dim.scale.get(), H5T_NATIVE_INT64, {}, first, rows, extent, dim.buffered_coordinates.data(),
               "write records of " + quoted(dim.name));
    for (std::size_t index : dim.variables) {
      Variable& var = variables[index];
      write_rows(var.dataset.get(), native_type(var.type), var.slab_shape, first, rows, extent, var.buffered.data(),
                 "write records of variable " + quoted(var.name));
    }
    dim.records_in_file = extent;
    dim.buffered_coordinates.clear();
    for (std::size_t index : dim.variables) variables[index].buffered.clear();
    if (options.swmr) {
      check(H5Dflush(dim.scale.get()), "flush " + quoted(dim.name));
      for (std::size_t index : dim.variables)
        check(H5Dflush(variables[index].dataset.get()), "flush " + quoted(variables[index].name));
    }
  }

  void write_all_buffered_records() {
    for (Dimension& dim : dimensions)
      if (dim.unlimited) write_buffered_records(dim);
  }

  /// Forgets the buffered records after the last commit_records(); records already in the file
  /// beyond it are cut by cut_to_written_records (records_in_file is lowered here).
  void drop_uncommitted_records() {
    for (Dimension& dim : dimensions) {
      if (!dim.unlimited || dim.records_appended() <= dim.records_committed) continue;
      if (dim.records_committed >= dim.records_in_file) {
        const std::size_t keep = dim.records_committed - dim.records_in_file;
        dim.buffered_coordinates.resize(keep);
        for (std::size_t index : dim.variables) variables[index].buffered.resize(keep * variables[index].slab_bytes);
      } else {
        dim.buffered_coordinates.clear();
        for (std::size_t index : dim.variables) variables[index].buffered.clear();
        dim.records_in_file = dim.records_committed;
      }
    }
  }

  /// Cuts every dataset along an unlimited dimension back to the records written completely: a
  /// write that failed part-way (full disk) may have extended some of them already.
  void cut_to_written_records(hid_t root) {
    auto cut = [&](const std::string& name, std::size_t records) {
      Hid dataset = check_id(H5Dopen2(root, name.c_str(), H5P_DEFAULT), H5Dclose, "open " + quoted(name));
      Hid space = check_id(H5Dget_space(dataset.get()), H5Sclose, "open " + quoted(name));
      std::vector<hsize_t> extent(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
      H5Sget_simple_extent_dims(space.get(), extent.data(), nullptr);
      if (extent.empty() || extent[0] <= records) return;
      extent[0] = records;
      check(H5Dset_extent(dataset.get(), extent.data()), "cut " + quoted(name) + " to the records written");
    };
    for (const Dimension& dim : dimensions) {
      if (!dim.unlimited) continue;
      cut(dim.name, dim.records_in_file);
      for (std::size_t index : dim.variables) cut(variables[index].name, dim.records_in_file);
    }
  }

  /// Closes every dataset and the file; the writer is closed afterwards even if closing failed.
  void close_everything(const std::string& what) {
    stage = Stage::closed;
    bool failed = false;
    for (Variable& var : variables) failed |= var.dataset.reset() < 0;
    for (Dimension& dim : dimensions) failed |= dim.scale.reset() < 0;
    failed |= file.reset() < 0;
    if (failed) fail_hdf5(what);
  }

  /// Reopens the closed file read-write without SWMR (attributes cannot be created under SWMR),
  /// applies `edit` to the root group, and closes it again.
  template <class Edit>
  void edit_closed_file(const std::string& what, Edit edit) {
    Hid fapl = file_access_plist(what);
    hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get());
    // A live SWMR reader in another process holds a shared lock while the file is open in it:
    // sahelsim.open_run(live=True) for the moment of one read. Editing the file under a reader
    // can corrupt the metadata the reader has cached (with HDF5 1.10 its process crashed with a
    // double free when it closed the file), so wait up to kReaderWaitMs for the readers to close.
    for (int waited = 0; id < 0 && waited < kReaderWaitMs; waited += kReaderPollMs) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kReaderPollMs));
      id = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get());
    }
#if SAHELSIM_HAVE_H5P_SET_FILE_LOCKING
    if (id < 0) {
      // A reader that keeps the file open (h5py or xarray on the file itself) would make the run
      // unfinishable. This writer has just closed the file and is its only writer, so it bypasses
      // the lock for these few attribute updates; such a reader may see the root attributes change
      // under it (docs/RELIABILITY.md: read a live file with open_run(live=True)).
      check(H5Pset_file_locking(fapl.get(), 0, 1), what);
      id = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get());
    }
#endif
    if (id < 0)
      fail(what, "the file could not be reopened to update its status "
                 "(is it still open elsewhere in this process?): " + innermost_hdf5_error());
    Hid reopened(id, H5Fclose);
    edit(reopened.get());
    if (reopened.reset() < 0) fail_hdf5(what);
  }
};

// ---------------------------------------------------------------------------------------------

RunFileWriter::RunFileWriter(const std::string& path, RunFileOptions options) : impl_(std::make_unique<Impl>()) {
  SilenceHdf5Errors quiet;
  impl_->path = replaced_file_target(path, "create run file");
  impl_->options = options;
  if (options.deflate_level < 0 || options.deflate_level > 9)
    throw RunFileError("cannot create run file " + quoted(path) + ": deflate_level must be in 0..9, got " +
                       std::to_string(options.deflate_level));
  if (options.records_per_chunk == 0)
    throw RunFileError("cannot create run file " + quoted(path) + ": records_per_chunk must be at least 1");
  impl_->create_file();
}

RunFileWriter::~RunFileWriter() {
  if (impl_ && impl_->stage != Impl::Stage::closed) abandon("writer destroyed before finish");
}

void RunFileWriter::add_dimension(const std::string& name, std::size_t length) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "add dimension " + quoted(name);
  im.require_defining(what);
  im.require_new_name(name, what);
  if (length == 0) im.fail(what, "the length must be at least 1");
  // Like h5netcdf: a float32 dataset of the dimension's length that is never written, so it takes
  // no space in the file.
  Hid dcpl = im.dataset_creation_plist(what);
  const hsize_t shape[1] = {length};
  Hid space = im.check_id(H5Screate_simple(1, shape, nullptr), H5Sclose, what);
  Hid scale = im.check_id(H5Dcreate2(im.file.get(), name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT,
                                     dcpl.get(), H5P_DEFAULT),
                          H5Dclose, what);
  im.register_dimension(name, false, length, std::move(scale), format_dimension_scale_name(length), what);
}

void RunFileWriter::add_coordinate(const std::string& name, const std::vector<double>& values,
                                   const std::string& long_name, const std::string& units) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "add coordinate " + quoted(name);
  im.require_defining(what);
  im.require_new_name(name, what);
  if (values.empty()) im.fail(what, "a coordinate needs at least one value");
  std::vector<hsize_t> shape{values.size()};
  std::vector<hsize_t> chunk = shape;
  cap_chunk(chunk, 1, sizeof(double));
  Hid dcpl = im.dataset_creation_plist(what);
  im.set_chunked_compressed(dcpl.get(), chunk, what);
  Hid space = im.check_id(H5Screate_simple(1, shape.data(), nullptr), H5Sclose, what);
  Hid scale = im.check_id(H5Dcreate2(im.file.get(), name.c_str(), H5T_NATIVE_DOUBLE, space.get(), H5P_DEFAULT,
                                     dcpl.get(), H5P_DEFAULT),
                          H5Dclose, what);
  im.check(H5Dwrite(scale.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), what);
  im.write_text_attribute(scale.get(), "long_name", long_name, what);
  if (!units.empty()) im.write_text_attribute(scale.get(), "units", units, what);
  // A coordinate variable is its own dimension scale, with NAME = its own name.
  im.register_dimension(name, false, values.size(), std::move(scale), name, what);
}

void RunFileWriter::add_string_coordinate(const std::string& name, const std::vector<std::string>& labels,
                                          const std::string& long_name) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "add string coordinate " + quoted(name);
  im.require_defining(what);
  im.require_new_name(name, what);
  if (labels.empty()) im.fail(what, "a coordinate needs at least one label");
  Hid scale = im.create_string_dataset(name, labels, what);
  im.write_text_attribute(scale.get(), "long_name", long_name, what);
  // A coordinate variable is its own dimension scale, with NAME = its own name.
  im.register_dimension(name, false, labels.size(), std::move(scale), name, what);
}

void RunFileWriter::add_string_variable(const std::string& name, const std::string& dimension,
                                        const std::vector<std::string>& values, const std::string& long_name) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "add string variable " + quoted(name);
  im.require_defining(what);
  im.require_new_name(name, what);
  const Impl::Dimension& dim = im.dimension(dimension, what);
  if (dim.unlimited) im.fail(what, "dimension " + quoted(dimension) + " is unlimited; string variables are fixed");
  if (values.size() != dim.length)
    im.fail(what, std::to_string(values.size()) + " values for dimension " + quoted(dimension) + " of length " +
                      std::to_string(dim.length));
  Impl::Variable var;
  var.name = name;
  var.text = true;
  var.dimensions.push_back(static_cast<std::size_t>(dim.id));
  var.dataset = im.create_string_dataset(name, values, what);
  im.check(H5DSattach_scale(var.dataset.get(), dim.scale.get(), 0),
           what + " (attach dimension " + quoted(dim.name) + ")");
  im.write_text_attribute(var.dataset.get(), "long_name", long_name, what);
  im.variable_index[name] = im.variables.size();
  im.variables.push_back(std::move(var));
}

void RunFileWriter::add_unlimited_dimension(const std::string& name, const std::string& long_name) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "add unlimited dimension " + quoted(name);
  im.require_defining(what);
  im.require_new_name(name, what);
  const hsize_t shape[1] = {0};
  const hsize_t max_shape[1] = {H5S_UNLIMITED};
  Hid dcpl = im.dataset_creation_plist(what);
  im.set_chunked_compressed(dcpl.get(), {im.options.records_per_chunk}, what);
  Hid space = im.check_id(H5Screate_simple(1, shape, max_shape), H5Sclose, what);
  Hid scale = im.check_id(H5Dcreate2(im.file.get(), name.c_str(), H5T_NATIVE_INT64, space.get(), H5P_DEFAULT,
                                     dcpl.get(), H5P_DEFAULT),
                          H5Dclose, what);
  // Deliberately no `units` attribute: units containing "since" would make xarray decode datetimes.
  im.write_text_attribute(scale.get(), "long_name", long_name, what);
  im.register_dimension(name, true, 0, std::move(scale), name, what);
}

void RunFileWriter::add_variable(const std::string& name, DataType type, const std::vector<std::string>& dims,
                                 const std::string& long_name, const std::string& units) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "add variable " + quoted(name);
  im.require_defining(what);
  im.require_new_name(name, what);
  if (dims.empty()) im.fail(what, "a variable needs at least one dimension (use an attribute for scalars)");

  Impl::Variable var;
  var.name = name;
  var.type = type;
  var.fill = fill_element(type);
  std::vector<hsize_t> shape, max_shape;
  for (std::size_t axis = 0; axis < dims.size(); ++axis) {
    const Impl::Dimension& dim = im.dimension(dims[axis], what);
    if (dim.unlimited && axis != 0)
      im.fail(what, "unlimited dimension " + quoted(dim.name) + " must be the first dimension");
    var.dimensions.push_back(static_cast<std::size_t>(dim.id));
    shape.push_back(dim.unlimited ? 0 : dim.length);
    max_shape.push_back(dim.unlimited ? H5S_UNLIMITED : dim.length);
  }
  var.along_records = im.dimensions[var.dimensions[0]].unlimited;
  var.slab_shape.assign(shape.begin() + (var.along_records ? 1 : 0), shape.end());
  var.slab_bytes = product(var.slab_shape) * element_size(type);

  // Chunk: records_per_chunk records (fewer if a record is large) × the full other dimensions,
  // halving the largest other dimensions until the chunk fits ~1 MiB.
  std::vector<hsize_t> chunk = var.slab_shape;
  std::size_t records_per_chunk = 1;
  if (var.along_records) {
    records_per_chunk = std::clamp<std::size_t>(kTargetChunkBytes / std::max<std::size_t>(var.slab_bytes, 1), 1,
                                                im.options.records_per_chunk);
  }
  cap_chunk(chunk, records_per_chunk, element_size(type));
  if (var.along_records) chunk.insert(chunk.begin(), records_per_chunk);

  Hid dcpl = im.dataset_creation_plist(what);
  im.set_chunked_compressed(dcpl.get(), chunk, what);
  // Cells never written read as the fill value (NaN / 0). No _FillValue attribute is written:
  // on integers it would make xarray mask them into floats (ENGINEERING.md §1.2).
  im.check(H5Pset_fill_value(dcpl.get(), native_type(type), var.fill.data()), what);
  Hid space = im.check_id(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), max_shape.data()),
                          H5Sclose, what);
  var.dataset = im.check_id(H5Dcreate2(im.file.get(), name.c_str(), native_type(type), space.get(), H5P_DEFAULT,
                                       dcpl.get(), H5P_DEFAULT),
                            H5Dclose, what);
  for (std::size_t axis = 0; axis < var.dimensions.size(); ++axis) {
    const Impl::Dimension& dim = im.dimensions[var.dimensions[axis]];
    im.check(H5DSattach_scale(var.dataset.get(), dim.scale.get(), static_cast<unsigned>(axis)),
             what + " (attach dimension " + quoted(dim.name) + ")");
  }
  im.write_text_attribute(var.dataset.get(), "long_name", long_name, what);
  if (!units.empty()) im.write_text_attribute(var.dataset.get(), "units", units, what);

  const std::size_t index = im.variables.size();
  if (var.along_records) im.dimensions[var.dimensions[0]].variables.push_back(index);
  im.variable_index[name] = index;
  im.variables.push_back(std::move(var));
}

void RunFileWriter::set_attribute(const std::string& variable, const std::string& name, const std::string& value) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "set attribute " + quoted(name) + (variable.empty() ? "" : " of " + quoted(variable));
  im.require_defining(what);
  im.check_attribute_name(variable, name, what);
  im.write_text_attribute(im.attribute_target(variable, what), name, value, what);
}

void RunFileWriter::set_attribute(const std::string& variable, const std::string& name, double value) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "set attribute " + quoted(name) + (variable.empty() ? "" : " of " + quoted(variable));
  im.require_defining(what);
  im.check_attribute_name(variable, name, what);
  im.write_number_attribute(im.attribute_target(variable, what), name, H5T_NATIVE_DOUBLE, &value, what);
}

void RunFileWriter::set_attribute(const std::string& variable, const std::string& name, std::int64_t value) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "set attribute " + quoted(name) + (variable.empty() ? "" : " of " + quoted(variable));
  im.require_defining(what);
  im.check_attribute_name(variable, name, what);
  im.write_number_attribute(im.attribute_target(variable, what), name, H5T_NATIVE_INT64, &value, what);
}

void RunFileWriter::write_fixed(const std::string& variable, const void* data) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "write variable " + quoted(variable);
  im.require_defining(what);
  Impl::Variable& var = im.variable(variable, what);
  if (var.along_records) im.fail(what, "it grows along an unlimited dimension: use write_record()");
  if (var.text) im.fail(what, "it is a string variable, written by add_string_variable()");
  if (data == nullptr) im.fail(what, "data is null");
  im.check(H5Dwrite(var.dataset.get(), native_type(var.type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data), what);
}

void RunFileWriter::begin_appending() {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "begin appending";
  im.require_defining(what);
  for (Impl::Dimension& dim : im.dimensions) {
    if (!dim.unlimited) continue;
    std::size_t record_bytes = sizeof(std::int64_t);
    for (std::size_t index : dim.variables) record_bytes += im.variables[index].slab_bytes;
    dim.records_per_write =
        std::clamp<std::size_t>(kMaxBufferedBytesPerDimension / record_bytes, 1, im.options.records_per_chunk);
    dim.buffered_coordinates.reserve(dim.records_per_write);
    for (std::size_t index : dim.variables)
      im.variables[index].buffered.reserve(dim.records_per_write * im.variables[index].slab_bytes);
  }
  // From here on no object or attribute may be created (SWMR protocol); every dimension scale is
  // already attached, and run_status is rewritten only after the SWMR session is closed.
  try {
    im.require_free_space(0, "write the header");
    if (im.options.swmr) im.check(H5Fstart_swmr_write(im.file.get()), "start SWMR writing");
    else im.check(H5Fflush(im.file.get(), H5F_SCOPE_GLOBAL), "flush the header");
  } catch (const RunFileError& error) {
    abandon(std::string("the header could not be written: ") + error.what());
    throw;
  }
  im.publish();
  im.stage = Impl::Stage::appending;
}

void RunFileWriter::append_record(const std::string& dimension, std::int64_t coordinate) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "append a record along " + quoted(dimension);
  im.require_appending(what);
  Impl::Dimension& dim = im.dimension(dimension, what);
  if (!dim.unlimited) im.fail(what, "the dimension is not unlimited");
  if (dim.buffered_coordinates.size() >= dim.records_per_write) im.write_buffered_records(dim);
  dim.buffered_coordinates.push_back(coordinate);
  // Pre-fill the new record of every variable, so variables not written in it hold NaN / 0.
  for (std::size_t index : dim.variables) {
    Impl::Variable& var = im.variables[index];
    const std::size_t begin = var.buffered.size();
    var.buffered.resize(begin + var.slab_bytes);
    const std::size_t element_bytes = var.fill.size();
    const bool zero_fill = std::all_of(var.fill.begin(), var.fill.end(), [](unsigned char b) { return b == 0; });
    if (!zero_fill)  // resize() already zeroed the bytes
      for (std::size_t offset = begin; offset < var.buffered.size(); offset += element_bytes)
        std::memcpy(var.buffered.data() + offset, var.fill.data(), element_bytes);
  }
}

void RunFileWriter::write_record(const std::string& variable, const void* data) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "write a record of " + quoted(variable);
  im.require_appending(what);
  Impl::Variable& var = im.variable(variable, what);
  if (!var.along_records) im.fail(what, "it has no unlimited dimension (fixed variables use write_fixed())");
  if (data == nullptr) im.fail(what, "data is null");
  Impl::Dimension& dim = im.dimensions[var.dimensions[0]];
  if (dim.records_appended() == 0) im.fail(what, "call append_record(" + quoted(dim.name) + ", ...) first");
  const std::size_t record = dim.records_appended() - 1;
  if (var.last_record_written == static_cast<std::int64_t>(record))
    im.fail(what, "it was already written in record " + std::to_string(record) + " of " + quoted(dim.name));
  if (record < dim.records_in_file) {
    // flush() already wrote this record (with the fill value for this variable): overwrite it.
    im.require_free_space(var.slab_bytes, what);
    try {
      im.write_rows(var.dataset.get(), native_type(var.type), var.slab_shape, record, 1, dim.records_in_file, data,
                    what);
    } catch (const RunFileError&) {
      im.records_write_failed = true;
      throw;
    }
  } else {
    std::memcpy(var.buffered.data() + (record - dim.records_in_file) * var.slab_bytes, data, var.slab_bytes);
  }
  var.last_record_written = static_cast<std::int64_t>(record);
}

void RunFileWriter::commit_records() {
  Impl& im = *impl_;
  im.records_committed_by_caller = true;
  for (Impl::Dimension& dim : im.dimensions)
    if (dim.unlimited) dim.records_committed = dim.records_appended();
}

void RunFileWriter::flush() {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  if (im.stage == Impl::Stage::closed) im.fail("flush", "the writer is closed");
  if (im.stage == Impl::Stage::appending) im.write_all_buffered_records();
  if (H5Fflush(im.file.get(), H5F_SCOPE_LOCAL) < 0) {
    im.records_write_failed = true;
    im.fail_hdf5("flush");
  }
}

std::size_t RunFileWriter::records(const std::string& dimension) const {
  const Impl& im = *impl_;
  const std::string what = "count records along " + quoted(dimension);
  const Impl::Dimension& dim = im.dimension(dimension, what);
  if (!dim.unlimited) im.fail(what, "the dimension is not unlimited");
  return dim.records_appended();
}

bool RunFileWriter::has_dimension(const std::string& dimension) const {
  return impl_->dimension_index.count(dimension) > 0;
}

std::size_t RunFileWriter::dimension_length(const std::string& dimension) const {
  const Impl& im = *impl_;
  const Impl::Dimension& dim = im.dimension(dimension, "get the length of " + quoted(dimension));
  return dim.unlimited ? dim.records_appended() : static_cast<std::size_t>(dim.length);
}

void RunFileWriter::finish(const std::vector<std::pair<std::string, std::string>>& final_text_attributes,
                           const std::vector<std::pair<std::string, double>>& final_number_attributes) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "finish";
  if (im.stage == Impl::Stage::closed) im.fail(what, "the writer is already closed");
  for (const auto& attribute : final_text_attributes) im.check_attribute_name("", attribute.first, what);
  for (const auto& attribute : final_number_attributes) im.check_attribute_name("", attribute.first, what);

  if (im.stage == Impl::Stage::appending) im.write_all_buffered_records();
  im.release_space_reserve();  // room for the file's last metadata and the final attributes
  struct DropLock {
    Impl& im;
    ~DropLock() { im.drop_run_lock(); }
  } drop_lock_at_the_end{im};
  im.close_everything("close the file");
  im.publish();
  im.edit_closed_file("mark the run complete", [&](hid_t root) {
    for (const auto& [name, value] : final_text_attributes)
      im.write_text_attribute(root, name, value, "set final attribute " + quoted(name));
    for (const auto& [name, value] : final_number_attributes)
      im.write_number_attribute(root, name, H5T_NATIVE_DOUBLE, &value, "set final attribute " + quoted(name));
    // Last, so that a failure above leaves the file marked incomplete. Both status attributes are
    // re-created, so they end up together after the final attributes.
    im.write_text_attribute(root, kStatusAttribute, "complete", "set run_status");
    im.write_text_attribute(root, kStatusReasonAttribute, "", "set run_status_reason");
  });
}

void RunFileWriter::abandon(const std::string& reason) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  if (im.stage == Impl::Stage::closed) return;
  // Each part is attempted even if an earlier one failed: keep as much as possible, never throw.
  auto attempt = [&](const char* step, auto&& action) {
    try {
      action();
    } catch (const std::exception& error) {
      std::cerr << "sahelsim: while abandoning run file " << quoted(im.path) << " (" << step
                << "): " << error.what() << '\n';
    } catch (...) {
      std::cerr << "sahelsim: while abandoning run file " << quoted(im.path) << " (" << step
                << "): unknown error\n";
    }
  };
  // The reserve makes room for the last records and for closing (a full disk). After a failed
  // HDF5 write the records still buffered are dropped rather than risk a second failure; records
  // refused for lack of space (require_free_space) leave the other dimensions' records writable.
  im.release_space_reserve();
  if (im.stage == Impl::Stage::appending && im.records_committed_by_caller) im.drop_uncommitted_records();
  if (im.stage == Impl::Stage::appending && !im.records_write_failed)
    for (Impl::Dimension& dim : im.dimensions)
      if (dim.unlimited)
        attempt(("writing the buffered records of " + quoted(dim.name)).c_str(),
                [&] { im.write_buffered_records(dim); });
  attempt("closing", [&] { im.close_everything("close the file"); });
  attempt("renaming", [&] { im.publish(); });
  attempt("recording the reason", [&] {
    im.edit_closed_file("record why the run is incomplete", [&](hid_t root) {
      if (im.records_write_failed || im.records_committed_by_caller) im.cut_to_written_records(root);
      im.write_text_attribute(root, kStatusAttribute, "incomplete", "set run_status");
      im.write_text_attribute(root, kStatusReasonAttribute, reason, "set run_status_reason");
    });
  });
  im.drop_run_lock();
}

const std::string& RunFileWriter::path() const { return impl_->path; }

bool RunFileWriter::is_open() const { return impl_->stage != Impl::Stage::closed; }

void RunFileWriter::discard() {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  if (im.stage != Impl::Stage::defining || im.published) return;
  try {
    im.close_everything("close the file");
  } catch (...) {
  }
  im.stage = Impl::Stage::closed;
  std::remove((im.path + ".part").c_str());
  im.drop_run_lock();
}

std::vector<std::string> RunFileWriter::unlimited_dimensions() const {
  std::vector<std::string> names;
  for (const Impl::Dimension& dim : impl_->dimensions)
    if (dim.unlimited) names.push_back(dim.name);
  return names;
}

void RunFileWriter::copy_records_from(const std::string& source,
                                      const std::vector<std::pair<std::string, std::uint64_t>>& records,
                                      const std::vector<std::pair<std::string, std::string>>& source_attributes) {
  SilenceHdf5Errors quiet;
  Impl& im = *impl_;
  const std::string what = "copy the records of " + quoted(source);
  im.require_defining(what);
  auto mismatch = [&](const std::string& why) {
    throw std::invalid_argument("run file " + quoted(source) + " cannot be continued: " + why);
  };
  for (const Impl::Dimension& dim : im.dimensions) {
    if (!dim.unlimited) continue;
    bool named = false;
    for (const auto& entry : records) named = named || entry.first == dim.name;
    if (!named) mismatch("no record count is given for its dimension " + quoted(dim.name));
  }

  // A file left open by a killed SWMR writer opens only as an SWMR reader; a closed one either way.
  Hid fapl = im.file_access_plist(what);
  hid_t id = H5Fopen(source.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (id < 0) id = H5Fopen(source.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get());
  if (id < 0) throw RunFileError("cannot open run file " + quoted(source) + ": " + innermost_hdf5_error());
  Hid from(id, H5Fclose);

  for (const auto& [name, expected] : source_attributes) {
    const htri_t exists = H5Aexists(from.get(), name.c_str());
    if (exists <= 0) mismatch("it has no attribute " + quoted(name));
    Hid attribute = im.check_id(H5Aopen(from.get(), name.c_str(), H5P_DEFAULT), H5Aclose, what);
    Hid type = im.check_id(H5Aget_type(attribute.get()), H5Tclose, what);
    std::string value;
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class == H5T_INTEGER) {
      std::int64_t number = 0;
      im.check(H5Aread(attribute.get(), H5T_NATIVE_INT64, &number), what);
      value = std::to_string(number);
    } else if (type_class == H5T_FLOAT) {
      double number = 0;
      im.check(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &number), what);
      char digits[40];
      std::snprintf(digits, sizeof digits, "%.17g", number);
      value = digits;
    } else {
      if (type_class != H5T_STRING || H5Tis_variable_str(type.get()) > 0)
        mismatch("its attribute " + quoted(name) + " is not fixed-length text");
      const std::size_t size = H5Tget_size(type.get());
      std::vector<char> text(size + 1, '\0');
      im.check(H5Aread(attribute.get(), type.get(), text.data()), what);
      value = text.data();
    }
    if (value != expected)
      mismatch("its attribute " + quoted(name) + " is " + quoted(value) + ", expected " + quoted(expected) +
               " (is it the run file of this checkpoint?)");
  }

  // Copies rows [0, rows) of one dataset, a block of rows at a time.
  auto copy = [&](const std::string& name, hid_t target, hid_t type, std::size_t element_bytes,
                  const std::vector<hsize_t>& slab, std::uint64_t rows) {
    if (H5Lexists(from.get(), name.c_str(), H5P_DEFAULT) <= 0) mismatch("it has no variable " + quoted(name));
    Hid dataset = im.check_id(H5Dopen2(from.get(), name.c_str(), H5P_DEFAULT), H5Dclose, what);
    Hid space = im.check_id(H5Dget_space(dataset.get()), H5Sclose, what);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank != int(slab.size()) + 1) mismatch("its variable " + quoted(name) + " has another shape");
    std::vector<hsize_t> extent(std::size_t(rank), 0);
    H5Sget_simple_extent_dims(space.get(), extent.data(), nullptr);
    if (!std::equal(slab.begin(), slab.end(), extent.begin() + 1))
      mismatch("its variable " + quoted(name) + " has another shape");
    if (extent[0] < rows)
      mismatch("its variable " + quoted(name) + " holds " + std::to_string(extent[0]) + " records, the checkpoint needs " +
               std::to_string(rows) + " (were records lost after the checkpoint was written?)");
    const std::size_t row_bytes = std::max<std::size_t>(1, product(slab) * element_bytes);
    const std::uint64_t block = std::max<std::uint64_t>(1, (std::size_t{16} << 20) / row_bytes);
    std::vector<unsigned char> buffer;
    for (std::uint64_t first = 0; first < rows; first += block) {
      const std::uint64_t count = std::min(block, rows - first);
      buffer.resize(std::size_t(count) * row_bytes);
      std::vector<hsize_t> start(std::size_t(rank), 0), counts{count};
      start[0] = first;
      counts.insert(counts.end(), slab.begin(), slab.end());
      Hid file_space = im.check_id(H5Dget_space(dataset.get()), H5Sclose, what);
      im.check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, counts.data(), nullptr),
               what);
      Hid memory_space = im.check_id(H5Screate_simple(rank, counts.data(), nullptr), H5Sclose, what);
      im.check(H5Dread(dataset.get(), type, memory_space.get(), file_space.get(), H5P_DEFAULT, buffer.data()),
               what + " (variable " + quoted(name) + ")");
      im.write_rows(target, type, slab, first, count, first + count, buffer.data(), what);
    }
  };

  for (const auto& [name, rows] : records) {
    Impl::Dimension& dim = im.dimension(name, what);
    if (!dim.unlimited) mismatch("dimension " + quoted(name) + " is not unlimited");
    copy(dim.name, dim.scale.get(), H5T_NATIVE_INT64, sizeof(std::int64_t), {}, rows);
    for (std::size_t index : dim.variables) {
      Impl::Variable& var = im.variables[index];
      copy(var.name, var.dataset.get(), native_type(var.type), element_size(var.type), var.slab_shape, rows);
    }
    dim.records_in_file = std::size_t(rows);
    dim.records_committed = std::size_t(rows);  // whole records (see commit_records)
  }
  if (from.reset() < 0) im.fail_hdf5("close " + quoted(source));
}

}  // namespace sahelsim::core

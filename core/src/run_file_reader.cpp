// RunFileReader: reads run files (the layout of run_file.cpp) back, trusting nothing in them.
//
// Only unversioned HDF5 calls or explicitly versioned ones are used (H5Aiterate2, H5Dopen2, ...),
// as in run_file.cpp, so the file compiles against HDF5 1.10, 1.14 and 2.0. Links other than hard
// links (soft, external) are skipped, so a file never makes the reader open another file.
#include "sahelsim/core/run_file_reader.hpp"

#include "hdf5_support.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <utility>

namespace sahelsim::core {
namespace {

using hdf5::Hid;
using hdf5::innermost_hdf5_error;
using hdf5::kNoId;
using hdf5::kNotAVariable;
using hdf5::SilenceHdf5Errors;

// Text attributes longer than this are described, not read (a run file's longest, the schedule,
// is a few kB; a corrupt size must not make the reader allocate gigabytes).
constexpr std::size_t kMaxTextBytes = std::size_t{16} << 20;

/// Attributes that netCDF and the dimension-scale API manage; not listed in RunFileInfo.
bool is_bookkeeping_attribute(const std::string& name) {
  static const char* const names[] = {"REFERENCE_LIST", "CLASS",       "DIMENSION_LIST",
                                      "NAME",           "_Netcdf4Dimid", "_Netcdf4Coordinates",
                                      "_nc3_strict",    "_NCProperties"};
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return name == n; });
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < 200; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) {
      static const char hex[] = "0123456789ABCDEF";
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 15];
    } else {
      out += text[i];
    }
  }
  if (text.size() > 200) out += "...";
  return out + "'";
}

herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

std::string class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_TIME: return "time";
    case H5T_STRING: return "string";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_COMPOUND: return "compound";
    case H5T_REFERENCE: return "reference";
    case H5T_ENUM: return "enum";
    case H5T_VLEN: return "variable-length sequence";
    case H5T_ARRAY: return "array";
    default: return "unknown";
  }
}

class Reading {
 public:
  explicit Reading(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw RunFileError("run file " + quoted(source_) + ": " + problem);
  }
  [[noreturn]] void fail_hdf5(const std::string& problem) const {
    fail(problem + ": " + innermost_hdf5_error());
  }
  Hid checked(hid_t id, Hid::Closer closer, const std::string& problem) const {
    if (id < 0) fail_hdf5(problem);
    return Hid(id, closer);
  }

  /// The value of one attribute of `object`.
  RunFileAttribute attribute(hid_t object, const std::string& name, const std::string& owner) const {
    const std::string problem = "cannot read attribute " + quoted(name) + " of " + owner;
    RunFileAttribute result;
    result.name = name;
    Hid attr = checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, problem);
    Hid type = checked(H5Aget_type(attr.get()), H5Tclose, problem);
    Hid space = checked(H5Aget_space(attr.get()), H5Sclose, problem);
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class == H5T_NO_CLASS) fail_hdf5(problem);
    const H5S_class_t space_class = H5Sget_simple_extent_type(space.get());
    const hssize_t points = H5Sget_simple_extent_npoints(space.get());
    if (space_class == H5S_NO_CLASS || points < 0) fail_hdf5(problem);
    if (space_class == H5S_NULL || points != 1) {
      result.description = class_name(type_class) + (space_class == H5S_NULL
                                                         ? std::string(" attribute without a value")
                                                         : " array of " + std::to_string(points) + " values");
      return result;
    }
    switch (type_class) {
      case H5T_STRING: {
        const htri_t variable = H5Tis_variable_str(type.get());
        if (variable < 0) fail_hdf5(problem);
        if (variable > 0) {
          Hid memory = checked(H5Tcopy(H5T_C_S1), H5Tclose, problem);
          const H5T_cset_t cset = H5Tget_cset(type.get());
          if (cset == H5T_CSET_ERROR || H5Tset_size(memory.get(), H5T_VARIABLE) < 0 ||
              H5Tset_cset(memory.get(), cset) < 0)
            fail_hdf5(problem);
          char* value = nullptr;
          if (H5Aread(attr.get(), memory.get(), &value) < 0) fail_hdf5(problem);
          result.text = value != nullptr ? value : "";
          if (value != nullptr) H5free_memory(value);
        } else {
          const std::size_t size = H5Tget_size(type.get());
          if (size == 0) fail_hdf5(problem);
          if (size > kMaxTextBytes) {
            result.description = "text of " + std::to_string(size) + " bytes";
            return result;
          }
          std::string buffer(size, '\0');
          if (H5Aread(attr.get(), type.get(), buffer.data()) < 0) fail_hdf5(problem);
          buffer.resize(std::strlen(buffer.c_str()));  // up to the first NUL
          result.text = std::move(buffer);
        }
        result.kind = RunFileAttribute::Kind::text;
        return result;
      }
      case H5T_INTEGER:
        if (H5Aread(attr.get(), H5T_NATIVE_INT64, &result.integer) < 0) fail_hdf5(problem);
        result.kind = RunFileAttribute::Kind::integer;
        return result;
      case H5T_FLOAT:
        if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &result.real) < 0) fail_hdf5(problem);
        result.kind = RunFileAttribute::Kind::real;
        return result;
      default:
        result.description = class_name(type_class) + " value";
        return result;
    }
  }

  std::vector<std::string> attribute_names(hid_t object, const std::string& owner) const {
    std::vector<std::string> names;
    hsize_t index = 0;
    if (H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute_name, &names) < 0)
      fail_hdf5("cannot list the attributes of " + owner);
    return names;
  }

  /// The root group's hard links to datasets, by name.
  std::vector<std::string> dataset_names(hid_t root) const {
    H5G_info_t group;
    if (H5Gget_info(root, &group) < 0) fail_hdf5("cannot read the root group");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < group.nlinks; ++i) {
      const std::string problem = "cannot read link " + std::to_string(i) + " of the root group";
      const ssize_t length = H5Lget_name_by_idx(root, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (length < 0) fail_hdf5(problem);
      std::string name(static_cast<std::size_t>(length) + 1, '\0');
      if (H5Lget_name_by_idx(root, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT) < 0)
        fail_hdf5(problem);
      name.resize(static_cast<std::size_t>(length));
      if (name.empty() || name.find('\0') != std::string::npos) fail(problem + ": the name is empty or holds NUL");
      H5L_info_t link;
      if (H5Lget_info(root, name.c_str(), &link, H5P_DEFAULT) < 0) fail_hdf5(problem);
      if (link.type != H5L_TYPE_HARD) continue;
      Hid object = checked(H5Oopen(root, name.c_str(), H5P_DEFAULT), H5Oclose, "cannot open " + quoted(name));
      if (H5Iget_type(object.get()) == H5I_DATASET) names.push_back(name);
    }
    return names;
  }

  /// Rank and current extent; throws for a null dataspace.
  std::vector<std::size_t> shape(hid_t dataset, const std::string& name, bool* unlimited_first = nullptr) const {
    const std::string problem = "cannot read the shape of " + quoted(name);
    Hid space = checked(H5Dget_space(dataset), H5Sclose, problem);
    const H5S_class_t space_class = H5Sget_simple_extent_type(space.get());
    if (space_class == H5S_NO_CLASS) fail_hdf5(problem);
    if (space_class == H5S_NULL) fail("variable " + quoted(name) + " has no dataspace (HDF5 null dataspace)");
    if (space_class == H5S_SCALAR) return {};
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > H5S_MAX_RANK) fail_hdf5(problem);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), max_dims(static_cast<std::size_t>(rank));
    if (H5Sget_simple_extent_dims(space.get(), dims.data(), max_dims.data()) < 0) fail_hdf5(problem);
    if (unlimited_first != nullptr) *unlimited_first = rank >= 1 && max_dims[0] == H5S_UNLIMITED;
    std::vector<std::size_t> result;
    for (const hsize_t d : dims) {
      if (d > std::numeric_limits<std::size_t>::max()) fail(problem + ": an extent does not fit in memory");
      result.push_back(static_cast<std::size_t>(d));
    }
    return result;
  }

  std::string type_name(hid_t dataset, const std::string& name) const {
    const std::string problem = "cannot read the type of " + quoted(name);
    Hid type = checked(H5Dget_type(dataset), H5Tclose, problem);
    const H5T_class_t type_class = H5Tget_class(type.get());
    const std::size_t size = H5Tget_size(type.get());
    if (type_class == H5T_NO_CLASS || size == 0) fail_hdf5(problem);
    if (type_class == H5T_STRING) return "string";
    if (type_class == H5T_FLOAT && (size == 4 || size == 8)) return size == 4 ? "float32" : "float64";
    if (type_class == H5T_INTEGER && (size == 1 || size == 2 || size == 4 || size == 8)) {
      const H5T_sign_t sign = H5Tget_sign(type.get());
      if (sign == H5T_SGN_ERROR) fail_hdf5(problem);
      return std::string(sign == H5T_SGN_NONE ? "uint" : "int") + std::to_string(size * 8);
    }
    fail("variable " + quoted(name) + " has an unsupported type: " + class_name(type_class) + " of " +
         std::to_string(size) + " bytes");
  }

  /// Whether a dataset is a dimension scale: attribute CLASS = "DIMENSION_SCALE" (checked here,
  /// not with H5DSis_scale, which trusts the attribute's type and termination).
  bool is_scale(hid_t dataset, const std::string& name) const {
    const htri_t exists = H5Aexists(dataset, "CLASS");
    if (exists < 0) fail_hdf5("cannot read the attributes of " + quoted(name));
    if (exists == 0) return false;
    const RunFileAttribute label = attribute(dataset, "CLASS", "variable " + quoted(name));
    return label.kind == RunFileAttribute::Kind::text && label.text == "DIMENSION_SCALE";
  }

  /// The object reference of each dimension scale, to match DIMENSION_LIST entries against.
  /// References are compared, never dereferenced: a reference to an unlinked or foreign object is
  /// an error, not something libhdf5 is asked to open (1.10 crashes on some).
  using ScaleReferences = std::vector<std::pair<hobj_ref_t, std::string>>;

  /// The dimension (scale name) of every axis of a variable of `rank` axes, from its
  /// DIMENSION_LIST attribute (decoded here, not with H5DSiterate_scales, which trusts it).
  std::vector<std::string> dimension_list(hid_t dataset, const std::string& name, std::size_t rank,
                                          const ScaleReferences& scales) const {
    const auto where = [&](std::size_t axis) {
      return "axis " + std::to_string(axis) + " of variable " + quoted(name);
    };
    const htri_t exists = H5Aexists(dataset, "DIMENSION_LIST");
    if (exists < 0) fail_hdf5("cannot read the attributes of " + quoted(name));
    if (exists == 0) fail(where(0) + " has no dimension (no dimension scale attached)");
    const std::string problem = "variable " + quoted(name) + " has a malformed DIMENSION_LIST attribute";
    Hid attr = checked(H5Aopen(dataset, "DIMENSION_LIST", H5P_DEFAULT), H5Aclose, problem);
    Hid type = checked(H5Aget_type(attr.get()), H5Tclose, problem);
    Hid space = checked(H5Aget_space(attr.get()), H5Sclose, problem);
    if (H5Tget_class(type.get()) != H5T_VLEN) fail(problem + " (not a list of references)");
    Hid base = checked(H5Tget_super(type.get()), H5Tclose, problem);
    if (H5Tequal(base.get(), H5T_STD_REF_OBJ) <= 0) fail(problem + " (not a list of object references)");
    if (H5Sget_simple_extent_type(space.get()) != H5S_SIMPLE || H5Sget_simple_extent_ndims(space.get()) != 1 ||
        H5Sget_simple_extent_npoints(space.get()) != static_cast<hssize_t>(rank))
      fail(problem + " (not one entry per axis)");
    Hid memory = checked(H5Tvlen_create(H5T_STD_REF_OBJ), H5Tclose, problem);
    std::vector<hvl_t> lists(rank, hvl_t{0, nullptr});
    if (H5Aread(attr.get(), memory.get(), lists.data()) < 0) fail_hdf5(problem);
    std::vector<std::string> result;
    std::string error;
    for (std::size_t axis = 0; axis < rank && error.empty(); ++axis) {
      if (lists[axis].len == 0 || lists[axis].p == nullptr) {
        error = where(axis) + " has no dimension (no dimension scale attached)";
        break;
      }
      const hobj_ref_t reference = static_cast<const hobj_ref_t*>(lists[axis].p)[0];
      const auto it = std::find_if(scales.begin(), scales.end(), [&](const auto& s) { return s.first == reference; });
      if (it == scales.end())
        error = where(axis) + " refers to a dimension scale that is not in the root group";
      else
        result.push_back(it->second);
    }
    H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, lists.data());
    if (!error.empty()) fail(error);
    return result;
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

template <typename T>
const T* find_named(const std::vector<T>& items, const std::string& name) {
  const auto it = std::lower_bound(items.begin(), items.end(), name,
                                   [](const T& item, const std::string& key) { return item.name < key; });
  return it != items.end() && it->name == name ? &*it : nullptr;
}

}  // namespace

const RunFileAttribute* RunFileInfo::attribute(const std::string& name) const { return find_named(attributes, name); }
const RunFileDimension* RunFileInfo::dimension(const std::string& name) const { return find_named(dimensions, name); }
const RunFileVariable* RunFileInfo::variable(const std::string& name) const { return find_named(variables, name); }

struct RunFileReader::Impl {
  Hid file;
  RunFileInfo info;

  /// Fills `info` from the open file.
  void describe() {
    const Reading reading(info.source);
    Hid root = reading.checked(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose, "cannot open the root group");

    for (const std::string& name : reading.attribute_names(root.get(), "the root group")) {
      if (is_bookkeeping_attribute(name)) continue;
      info.attributes.push_back(reading.attribute(root.get(), name, "the root group"));
    }
    std::sort(info.attributes.begin(), info.attributes.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    const auto root_text = [&](const char* name) -> std::string {
      const RunFileAttribute* a = info.attribute(name);
      if (a == nullptr) return "";
      if (a->kind != RunFileAttribute::Kind::text)
        reading.fail("root attribute " + quoted(name) + " is not text");
      return a->text;
    };
    info.model = root_text("model");
    info.run_status = root_text("run_status");
    info.run_status_reason = root_text("run_status_reason");
    info.complete = info.run_status == "complete";

    // Dimension scales first: variables name them.
    struct Dataset {
      std::string name;
      Hid id;
      bool scale = false;
    };
    std::vector<Dataset> datasets;
    for (const std::string& name : reading.dataset_names(root.get())) {
      Dataset d;
      d.name = name;
      d.id = reading.checked(H5Dopen2(root.get(), name.c_str(), H5P_DEFAULT), H5Dclose, "cannot open " + quoted(name));
      d.scale = reading.is_scale(d.id.get(), name);
      datasets.push_back(std::move(d));
    }
    Reading::ScaleReferences scale_references;
    for (const Dataset& d : datasets) {
      if (!d.scale) continue;
      hobj_ref_t reference;
      if (H5Rcreate(&reference, root.get(), d.name.c_str(), H5R_OBJECT, -1) < 0)
        reading.fail_hdf5("cannot make a reference to " + quoted(d.name));
      scale_references.emplace_back(reference, d.name);
    }
    for (const Dataset& d : datasets) {
      if (!d.scale) continue;
      RunFileDimension dim;
      dim.name = d.name;
      bool unlimited = false;
      const std::vector<std::size_t> extent = reading.shape(d.id.get(), d.name, &unlimited);
      if (extent.size() != 1)
        reading.fail("dimension " + quoted(d.name) + " has " + std::to_string(extent.size()) + " axes, expected 1");
      dim.length = extent[0];
      dim.unlimited = unlimited;
      dim.has_coordinate = true;
      if (H5Aexists(d.id.get(), "NAME") > 0) {
        const RunFileAttribute label = reading.attribute(d.id.get(), "NAME", "dimension " + quoted(d.name));
        dim.has_coordinate = !(label.kind == RunFileAttribute::Kind::text &&
                               label.text.rfind(kNotAVariable, 0) == 0);
      }
      info.dimensions.push_back(std::move(dim));
    }  // datasets are in name order, so dimensions are too

    for (const Dataset& d : datasets) {
      RunFileVariable var;
      var.name = d.name;
      if (d.scale) {
        const RunFileDimension* dim = info.dimension(d.name);
        if (!dim->has_coordinate) continue;
        var.is_coordinate = true;
        var.dimensions = {d.name};
        var.shape = {dim->length};
      } else {
        var.shape = reading.shape(d.id.get(), d.name);
        const std::vector<std::string> names =
            var.shape.empty() ? std::vector<std::string>{}
                              : reading.dimension_list(d.id.get(), d.name, var.shape.size(), scale_references);
        for (std::size_t axis = 0; axis < var.shape.size(); ++axis) {
          const RunFileDimension* dim = info.dimension(names[axis]);
          if (!dim->unlimited && dim->length != var.shape[axis])
            reading.fail("axis " + std::to_string(axis) + " of variable " + quoted(d.name) + " has length " +
                         std::to_string(var.shape[axis]) + " but dimension " + quoted(dim->name) + " has length " +
                         std::to_string(dim->length));
          var.dimensions.push_back(dim->name);
        }
      }
      var.type = reading.type_name(d.id.get(), d.name);
      info.variables.push_back(std::move(var));
    }
  }
};

RunFileReader::RunFileReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunFileReader::~RunFileReader() = default;
RunFileReader::RunFileReader(RunFileReader&&) noexcept = default;
RunFileReader& RunFileReader::operator=(RunFileReader&&) noexcept = default;

RunFileReader::RunFileReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  const SilenceHdf5Errors silence;
  const Reading reading(path);
  impl_->info.source = path;
  Hid fapl = reading.checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot open");
  // As the writer and h5py: closing the file closes whatever is still open in it.
  if (H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0) reading.fail_hdf5("cannot open");
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (id < 0) {
    const std::string first_error = innermost_hdf5_error();
    // A writer killed in SWMR mode leaves the file flagged open for writing; SWMR readers may
    // still read it (every record flushed before the kill).
    id = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get());
    if (id < 0) reading.fail("cannot open: " + first_error);
    impl_->info.closed_by_writer = false;
  }
  impl_->file = Hid(id, H5Fclose);
  impl_->describe();
}

RunFileReader RunFileReader::from_image(const void* data, std::size_t size, const std::string& label) {
  const SilenceHdf5Errors silence;
  const Reading reading(label);
  // An empty image would make the in-memory driver read the file named `label` from disk.
  if (data == nullptr || size == 0) reading.fail("the file image is empty");
  auto impl = std::make_unique<Impl>();
  impl->info.source = label;
  Hid fapl = reading.checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot open");
  if (H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0 ||
      H5Pset_fapl_core(fapl.get(), 64 * 1024, /*backing_store=*/0) < 0 ||
      H5Pset_file_image(fapl.get(), const_cast<void*>(data), size) < 0)  // copies the image
    reading.fail_hdf5("cannot open the file image");
  impl->file = reading.checked(H5Fopen(label.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose, "cannot open");
  impl->describe();
  return RunFileReader(std::move(impl));
}

const RunFileInfo& RunFileReader::info() const { return impl_->info; }

std::vector<double> RunFileReader::read_series(const std::string& variable, std::size_t max_values) const {
  const SilenceHdf5Errors silence;
  const Reading reading(impl_->info.source);
  const RunFileVariable* var = impl_->info.variable(variable);
  if (var == nullptr) reading.fail("no variable " + quoted(variable));
  if (var->shape.size() != 1)
    reading.fail("variable " + quoted(variable) + " has " + std::to_string(var->shape.size()) +
                 " axes; a series has 1");
  if (var->type == "string") reading.fail("variable " + quoted(variable) + " holds strings, not numbers");
  const std::size_t length = var->shape[0];
  if (length > max_values)
    reading.fail("variable " + quoted(variable) + " has " + std::to_string(length) + " values, more than the " +
                 std::to_string(max_values) + " asked for at most");
  const std::string problem = "cannot read variable " + quoted(variable);
  Hid dataset = reading.checked(H5Dopen2(impl_->file.get(), variable.c_str(), H5P_DEFAULT), H5Dclose, problem);
  std::vector<double> values(length);
  if (length == 0) return values;
  // The extent described by info(), even if a live writer has grown the dataset since.
  const hsize_t start[1] = {0}, count[1] = {length};
  Hid file_space = reading.checked(H5Dget_space(dataset.get()), H5Sclose, problem);
  Hid memory_space = reading.checked(H5Screate_simple(1, count, nullptr), H5Sclose, problem);
  if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
      H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(), H5P_DEFAULT, values.data()) < 0)
    reading.fail_hdf5(problem);
  return values;
}

RunFileInfo read_run_file_info(const std::string& path) { return RunFileReader(path).info(); }

RunFileInfo read_run_file_info_from_image(const void* data, std::size_t size, const std::string& label) {
  return RunFileReader::from_image(data, size, label).info();
}

}  // namespace sahelsim::core

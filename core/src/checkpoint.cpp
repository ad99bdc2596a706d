// Checkpoint files (checkpoint.hpp): the envelope, the header and the atomic write.
#include "sahelsim/core/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "sahelsim/core/build_info.hpp"
#include "sahelsim/core/model.hpp"
#include "replaced_file.hpp"

namespace sahelsim::core {
namespace {

constexpr char kMagic[8] = {'S', 'A', 'H', 'E', 'L', 'C', 'K', 'P'};
constexpr std::uint32_t kByteOrderMark = 0x01020304;
constexpr std::size_t kEnvelopeHead = 8 + 4 + 4 + 8;  // magic, version, byte order, payload size
constexpr std::size_t kEnvelopeTail = 8;              // payload hash

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::string describe(const ParameterValue& value) {
  if (const auto* d = std::get_if<double>(&value)) {
    // The shortest of 15 to 17 digits that reads back as the same number (0.8, not 0.80000000000000004).
    char digits[40];
    for (int precision = 15; precision <= 17; ++precision) {
      std::snprintf(digits, sizeof digits, "%.*g", precision, *d);
      if (std::strtod(digits, nullptr) == *d) break;
    }
    return digits;
  }
  return to_string(value);
}

bool same_value(const ParameterValue& a, const ParameterValue& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    return std::memcmp(x, &y, sizeof y) == 0;  // bitwise: NaN equals NaN, 0.0 differs from -0.0
  }
  return a == b;
}

void write_value(StateWriter& out, const ParameterValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) {
    out.u8(0);
    out.boolean(*b);
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    out.u8(1);
    out.i64(*i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    out.u8(2);
    out.f64(*d);
  } else {
    out.u8(3);
    out.string(std::get<std::string>(value));
  }
}

ParameterValue read_value(StateReader& in) {
  switch (in.u8()) {
    case 0: return in.boolean();
    case 1: return in.i64();
    case 2: return in.f64();
    case 3: return in.string();
    default: in.fail("a parameter value has an unknown type");
  }
}

/// The first line where two texts differ, for messages.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string line_a, line_b;
  for (int line = 1;; ++line) {
    const bool more_a = bool(std::getline(x, line_a)), more_b = bool(std::getline(y, line_b));
    if (!more_a && !more_b) return "";
    if (!more_a) line_a = "(end)";
    if (!more_b) line_b = "(end)";
    if (line_a != line_b)
      return "line " + std::to_string(line) + ": " + quoted(line_a) + " in the checkpoint, " + quoted(line_b) +
             " in the model";
  }
}

/// The whole file, or CheckpointError.
std::vector<unsigned char> read_file(const std::string& path) {
  struct stat entry {};
  if (::stat(path.c_str(), &entry) == 0 && !S_ISREG(entry.st_mode))
    throw CheckpointError("cannot read checkpoint " + quoted(path) + ": it is " + kind_of_entry(entry.st_mode));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError("cannot read checkpoint " + quoted(path) + ": " + std::strerror(errno));
  std::vector<unsigned char> bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception& error) {
    throw CheckpointError("cannot read checkpoint " + quoted(path) + ": " + error.what());
  }
  if (in.bad()) throw CheckpointError("cannot read checkpoint " + quoted(path) + ": read error");
  return bytes;
}

/// Checks the envelope; returns the payload's offset and size.
std::pair<std::size_t, std::size_t> check_envelope(const std::vector<unsigned char>& bytes, const std::string& path) {
  const std::string what = "checkpoint " + quoted(path);
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw CheckpointError(what + " is not a sahelsim checkpoint (no SAHELCKP signature at its start" +
                          std::string(bytes.empty() ? "; the file is empty" : "") + ")");
  if (bytes.size() < kEnvelopeHead)
    throw CheckpointError(what + " is truncated: " + std::to_string(bytes.size()) + " bytes, not even its header");
  std::uint32_t version = 0, order = 0;
  std::uint64_t payload = 0;
  std::memcpy(&version, bytes.data() + 8, 4);
  std::memcpy(&order, bytes.data() + 12, 4);
  std::memcpy(&payload, bytes.data() + 16, 8);
  if (order != kByteOrderMark)
    throw CheckpointError(what + " was written on a machine of another byte order, or is corrupt");
  if (version != kCheckpointFormatVersion)
    throw CheckpointError(what + " has checkpoint format version " + std::to_string(version) +
                          "; this sahelsim reads version " + std::to_string(kCheckpointFormatVersion));
  const std::uint64_t expected = std::uint64_t(kEnvelopeHead) + payload + kEnvelopeTail;
  if (payload > bytes.size() || bytes.size() < expected)
    throw CheckpointError(what + " is truncated: " + std::to_string(bytes.size()) + " bytes, its header says " +
                          std::to_string(expected));
  if (bytes.size() > expected)
    throw CheckpointError(what + " is corrupt: " + std::to_string(bytes.size() - expected) +
                          " bytes after its end");
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + kEnvelopeHead + payload, 8);
  if (hash_bytes(bytes.data() + kEnvelopeHead, std::size_t(payload)) != stored)
    throw CheckpointError(what + " is corrupt: its checksum does not match its contents");
  return {kEnvelopeHead, std::size_t(payload)};
}

CheckpointInfo read_header(StateReader& in, const std::string& path) {
  CheckpointInfo info;
  info.path = path;
  info.format_version = kCheckpointFormatVersion;
  in.section("header");
  info.model = in.string();
  info.sahelsim_version = in.string();
  info.sahelsim_git_commit = in.string();
  info.seed = in.u64();
  info.step = in.i64();
  info.threads = in.i64();
  const std::uint64_t parameters = in.u64();
  for (std::uint64_t i = 0; i < parameters; ++i) {
    std::string name = in.string();
    info.parameters.emplace_back(std::move(name), read_value(in));
  }
  info.identity = in.string();
  info.state_hash = in.u64();
  if (in.boolean()) {
    CheckpointRun run;
    run.output_path = in.string();
    run.created_utc = in.string();
    run.run_id = in.string();
    run.steps = in.i64();
    run.first_step = in.i64();
    run.snapshot_every = in.i64();
    run.checkpoint_every = in.i64();
    run.file.deflate_level = int(in.i64());
    run.file.records_per_chunk = std::size_t(in.u64());
    run.file.swmr = in.boolean();
    const std::uint64_t dimensions = in.u64();
    for (std::uint64_t i = 0; i < dimensions; ++i) {
      std::string name = in.string();
      run.records.emplace_back(std::move(name), in.u64());
    }
    info.run = std::move(run);
  }
  in.section("state");
  return info;
}

/// Every way the checkpoint's header differs from `model` (empty: it matches).
std::vector<std::string> mismatches(const CheckpointInfo& info, const Model& model) {
  std::vector<std::string> problems;
  if (info.model != model.model_name()) {
    problems.push_back("it is of model " + quoted(info.model) + ", not " + quoted(model.model_name()));
    return problems;  // the rest cannot be compared
  }
  const std::string version = build_info().version;
  if (info.sahelsim_version != version)
    problems.push_back("it was written by sahelsim " + info.sahelsim_version + ", this is sahelsim " + version +
                       " (results may differ between versions)");
  if (info.seed != model.seed())
    problems.push_back("seed " + std::to_string(info.seed) + " in the checkpoint, " + std::to_string(model.seed()) +
                       " in the model");
  const auto& values = model.parameters().values();
  std::size_t known = 0;
  for (const auto& [name, value] : info.parameters) {
    auto it = values.find(name);
    if (it == values.end()) {
      problems.push_back("parameter " + quoted(name) + " of the checkpoint is not a parameter of the model");
      continue;
    }
    ++known;
    if (!same_value(value, it->second))
      problems.push_back("parameter " + quoted(name) + " = " + describe(value) + " in the checkpoint, " +
                         describe(it->second) + " in the model");
  }
  if (known != values.size())
    for (const auto& [name, value] : values) {
      bool found = false;
      for (const auto& entry : info.parameters) found = found || entry.first == name;
      if (!found) problems.push_back("parameter " + quoted(name) + " of the model is not in the checkpoint");
    }
  const std::string identity = model.checkpoint_identity();
  if (info.identity != identity)
    problems.push_back("the model was built differently (e.g. another scenario): " +
                       first_difference(info.identity, identity));
  return problems;
}

void write_all(int fd, const unsigned char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw RunFileError("cannot write checkpoint " + quoted(path) + ": " + std::strerror(errno));
    }
    data += n;
    size -= std::size_t(n);
  }
}

}  // namespace

// ---- StateWriter / StateReader ------------------------------------------------------------------

void StateWriter::raw(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  bytes_.insert(bytes_.end(), bytes, bytes + size);
}

void StateWriter::string(const std::string& value) {
  u64(value.size());
  raw(value.data(), value.size());
}

void StateWriter::section(const std::string& name) { string("section:" + name); }

void StateWriter::table(const ColumnTable& table) {
  section("table " + table.kind());
  u64(table.capacity());
  u64(table.columns().size());
  for (const auto& column : table.columns()) {
    string(column->name());
    u8(static_cast<std::uint8_t>(column->type()));
    u64(column->size());
    raw(column->raw(), column->size() * column->element_size());
  }
}

StateReader::StateReader(const unsigned char* data, std::size_t size, std::string source)
    : data_(data), size_(size), source_(std::move(source)) {}

void StateReader::fail(const std::string& what) const {
  throw CheckpointError("checkpoint " + quoted(source_) + " does not fit this model: " + what);
}

void StateReader::raw(void* data, std::size_t size) {
  if (size > size_ - offset_)
    fail("it ends early (" + std::to_string(size) + " bytes wanted at offset " + std::to_string(offset_) + ", " +
         std::to_string(size_ - offset_) + " left)");
  if (size > 0) std::memcpy(data, data_ + offset_, size);
  offset_ += size;
}

bool StateReader::boolean() {
  const std::uint8_t v = u8();
  if (v > 1) fail("a yes/no value holds " + std::to_string(v));
  return v == 1;
}

std::uint64_t StateReader::count(std::size_t element_size) {
  const std::uint64_t n = u64();
  if (element_size > 0 && n > (size_ - offset_) / element_size)
    fail("a length of " + std::to_string(n) + " is more than the " + std::to_string(size_ - offset_) +
         " bytes left");
  return n;
}

std::string StateReader::string() {
  const std::uint64_t n = count(1);
  std::string value(static_cast<std::size_t>(n), '\0');
  raw(value.data(), value.size());
  return value;
}

void StateReader::section(const std::string& name) {
  const std::size_t at = offset_;
  const std::string expected = "section:" + name;
  std::string found;
  try {
    found = string();
  } catch (const CheckpointError&) {
    found = "";
  }
  if (found != expected)
    fail("section " + quoted(name) + " expected at offset " + std::to_string(at) + ", found " +
         (found.rfind("section:", 0) == 0 ? "section " + quoted(found.substr(8)) : std::string("other data")));
}

void StateReader::table(ColumnTable& table) {
  section("table " + table.kind());
  const std::uint64_t capacity = u64();
  if (capacity != table.capacity())
    fail("table " + quoted(table.kind()) + " holds " + std::to_string(capacity) + " rows in the checkpoint, " +
         std::to_string(table.capacity()) + " in the model");
  const std::uint64_t columns = u64();
  if (columns != table.columns().size())
    fail("table " + quoted(table.kind()) + " has " + std::to_string(columns) + " columns in the checkpoint, " +
         std::to_string(table.columns().size()) + " in the model");
  for (const auto& column : table.columns()) {
    const std::string name = string();
    if (name != column->name())
      fail("table " + quoted(table.kind()) + ": column " + quoted(name) + " in the checkpoint where the model has " +
           quoted(column->name()));
    const std::uint8_t type = u8();
    if (type != static_cast<std::uint8_t>(column->type()))
      fail("column " + quoted(table.kind() + "." + name) + " has another type in the checkpoint");
    const std::uint64_t size = u64();
    if (size != column->size())
      fail("column " + quoted(table.kind() + "." + name) + " has " + std::to_string(size) +
           " values in the checkpoint, " + std::to_string(column->size()) + " in the model");
    raw(column->mutable_raw(), column->size() * column->element_size());
  }
}

void StateReader::finish() {
  if (offset_ != size_) fail(std::to_string(size_ - offset_) + " bytes are left after the model's state");
}

// ---- files --------------------------------------------------------------------------------------

std::string default_checkpoint_path(const std::string& output_path) { return output_path + ".ckpt"; }

void save_checkpoint(const Model& model, const std::string& path, const CheckpointRun* run) {
  const BuildInfo build = build_info();
  StateWriter payload;
  payload.section("header");
  payload.string(model.model_name());
  payload.string(build.version);
  payload.string(build.git_commit);
  payload.u64(model.seed());
  payload.i64(model.current_step());
  payload.i64(model.threads());
  const auto& values = model.parameters().values();
  payload.u64(values.size());
  for (const auto& [name, value] : values) {
    payload.string(name);
    write_value(payload, value);
  }
  payload.string(model.checkpoint_identity());
  payload.u64(model.state_hash());
  payload.boolean(run != nullptr);
  if (run) {
    payload.string(run->output_path);
    payload.string(run->created_utc);
    payload.string(run->run_id);
    payload.i64(run->steps);
    payload.i64(run->first_step);
    payload.i64(run->snapshot_every);
    payload.i64(run->checkpoint_every);
    payload.i64(run->file.deflate_level);
    payload.u64(run->file.records_per_chunk);
    payload.boolean(run->file.swmr);
    payload.u64(run->records.size());
    for (const auto& [name, records] : run->records) {
      payload.string(name);
      payload.u64(records);
    }
  }
  payload.section("state");
  model.save_state(payload);

  const auto& body = payload.bytes();
  std::vector<unsigned char> head(kEnvelopeHead);
  const std::uint32_t version = kCheckpointFormatVersion, order = kByteOrderMark;
  const std::uint64_t size = body.size(), hash = hash_bytes(body.data(), body.size());
  std::memcpy(head.data(), kMagic, 8);
  std::memcpy(head.data() + 8, &version, 4);
  std::memcpy(head.data() + 12, &order, 4);
  std::memcpy(head.data() + 16, &size, 8);

  // Atomic replacement: a kill at any moment leaves the previous checkpoint or the new one, whole.
  const std::string target = replaced_file_target(path, "write checkpoint");
  const std::string temporary = target + ".tmp";
  const int fd = ::open(temporary.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) throw RunFileError("cannot write checkpoint " + quoted(path) + ": " + std::strerror(errno));
  try {
    write_all(fd, head.data(), head.size(), path);
    write_all(fd, body.data(), body.size(), path);
    write_all(fd, reinterpret_cast<const unsigned char*>(&hash), sizeof hash, path);
    if (::fsync(fd) != 0) throw RunFileError("cannot write checkpoint " + quoted(path) + ": " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    throw RunFileError("cannot write checkpoint " + quoted(path) + ": " + std::strerror(error));
  }
  if (std::rename(temporary.c_str(), target.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    throw RunFileError("cannot write checkpoint " + quoted(path) + ": renaming " + quoted(temporary) +
                       " failed: " + std::strerror(error));
  }
  // The rename itself reaches the disk with the directory.
  const std::size_t slash = target.find_last_of('/');
  const std::string directory = slash == std::string::npos ? "." : (slash == 0 ? "/" : target.substr(0, slash));
  const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
  const std::vector<unsigned char> bytes = read_file(path);
  const auto [offset, size] = check_envelope(bytes, path);
  StateReader in(bytes.data() + offset, size, path);
  return read_header(in, path);
}

CheckpointInfo load_checkpoint(Model& model, const std::string& path) {
  const std::vector<unsigned char> bytes = read_file(path);
  const auto [offset, size] = check_envelope(bytes, path);
  StateReader in(bytes.data() + offset, size, path);
  CheckpointInfo info = read_header(in, path);
  const std::vector<std::string> problems = mismatches(info, model);
  if (!problems.empty()) {
    std::string message = "checkpoint " + quoted(path) + " does not fit this model: ";
    for (std::size_t i = 0; i < problems.size() && i < 8; ++i) message += (i ? "; " : "") + problems[i];
    if (problems.size() > 8) message += "; and " + std::to_string(problems.size() - 8) + " more";
    throw CheckpointError(message);
  }
  model.load_state(in);
  in.finish();
  if (model.current_step() != info.step)
    in.fail("the restored model is at step " + std::to_string(model.current_step()) + ", the checkpoint at " +
            std::to_string(info.step));
  if (model.state_hash() != info.state_hash)
    in.fail("the restored state's hash differs from the saved one (the model's save_state and load_state disagree)");
  return info;
}

}  // namespace sahelsim::core

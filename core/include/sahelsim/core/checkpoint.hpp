// Checkpoints: a model's complete dynamic state in one small versioned binary file, from which a
// model built from the same parameters (and scenario) continues bitwise identically.
//
//   save_checkpoint(model, "run.h5.ckpt");            // written atomically: .tmp, fsync, rename
//   auto other = make_the_same_model();                // same model, parameters, seed, scenario
//   load_checkpoint(*other, "run.h5.ckpt");            // throws CheckpointError on any mismatch
//
// Random streams are keyed by (seed, purpose, agent, step) and hold no state between steps, so a
// checkpoint holds no generator state: the agent tables, the model's scalars, queues and logs, and
// the step. Each model writes its own state with Model::save_state() / load_state() through a
// StateWriter / StateReader (named sections, typed vectors, whole column tables checked by name,
// type and size on reading).
//
// File layout (little-endian machines only; the byte order is checked):
//   8 bytes  magic "SAHELCKP"
//   u32      format version (kCheckpointFormatVersion)
//   u32      byte-order mark 0x01020304
//   u64      payload size in bytes
//   payload  header (model name, sahelsim version and commit, seed, step, threads, parameters,
//            the model's identity text, its state hash, the run it belongs to, if any), then the
//            model's state
//   u64      FNV-1a hash of the payload
// Reading checks all of it, and restoring checks the header against the model, before any state is
// touched: a wrong, corrupt or truncated file, another model, other parameters, another seed or
// scenario, another format or sahelsim version all raise CheckpointError naming the file and what
// differs. After restoring, the model's state_hash() must equal the one saved.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sahelsim/core/columns.hpp"
#include "sahelsim/core/parameters.hpp"
#include "sahelsim/core/run_file.hpp"

namespace sahelsim::core {

class Model;

inline constexpr std::uint32_t kCheckpointFormatVersion = 2;  // 2: CheckpointRun::run_id

/// A checkpoint that cannot be used: unreadable, corrupt, truncated, of another format or sahelsim
/// version, or made by another model, parameters, seed or scenario. Bad input: derives from
/// std::invalid_argument (Python: ValueError, the CLI: exit code 2). Names the file.
class CheckpointError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Serialises state: fixed-size little-endian values, length-prefixed strings and vectors, named
/// section markers (checked on reading, so a model's save and load cannot drift apart silently).
class StateWriter {
 public:
  void section(const std::string& name);
  void u8(std::uint8_t value) { raw(&value, 1); }
  void u32(std::uint32_t value) { raw(&value, sizeof value); }
  void u64(std::uint64_t value) { raw(&value, sizeof value); }
  void i64(std::int64_t value) { raw(&value, sizeof value); }
  void f64(double value) { raw(&value, sizeof value); }
  void boolean(bool value) { u8(value ? 1 : 0); }
  void string(const std::string& value);
  template <class T>
  void vector(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>, "vector<T> needs trivially copyable T; write fields one by one");
    u64(values.size());
    raw(values.data(), values.size() * sizeof(T));
  }
  /// Every column of a table: kind, capacity, then each column's name, type and values.
  void table(const ColumnTable& table);
  void raw(const void* data, std::size_t size);

  const std::vector<unsigned char>& bytes() const { return bytes_; }

 private:
  std::vector<unsigned char> bytes_;
};

class StateReader {
 public:
  /// Reads `size` bytes at `data` (not owned); `source` names the file in messages.
  StateReader(const unsigned char* data, std::size_t size, std::string source);

  /// Expects the marker StateWriter::section(name) wrote.
  void section(const std::string& name);
  std::uint8_t u8() { return scalar<std::uint8_t>(); }
  std::uint32_t u32() { return scalar<std::uint32_t>(); }
  std::uint64_t u64() { return scalar<std::uint64_t>(); }
  std::int64_t i64() { return scalar<std::int64_t>(); }
  double f64() { return scalar<double>(); }
  bool boolean();
  std::string string();
  /// A vector of any length (resized to it).
  template <class T>
  void vector(std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>, "vector<T> needs trivially copyable T");
    const std::uint64_t n = count(sizeof(T));
    values.resize(static_cast<std::size_t>(n));
    raw(values.data(), values.size() * sizeof(T));
  }
  /// A vector whose length must equal values.size() already (state sized by the model's set-up).
  template <class T>
  void vector_of_size(std::vector<T>& values, const std::string& what) {
    static_assert(std::is_trivially_copyable_v<T>, "vector<T> needs trivially copyable T");
    const std::uint64_t n = count(sizeof(T));
    if (n != values.size())
      fail(what + " has " + std::to_string(n) + " entries in the checkpoint, " + std::to_string(values.size()) +
           " in the model");
    raw(values.data(), values.size() * sizeof(T));
  }
  /// Fills every column of `table`; its kind, capacity and columns (name, type) must match.
  void table(ColumnTable& table);
  void raw(void* data, std::size_t size);

  /// Throws unless every byte was read.
  void finish();
  std::size_t remaining() const { return size_ - offset_; }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  template <class T>
  T scalar() {
    T value;
    raw(&value, sizeof value);
    return value;
  }
  /// A length prefix, checked against the bytes left for elements of `element_size`.
  std::uint64_t count(std::size_t element_size);

  const unsigned char* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
  std::string source_;
};

/// The run file a checkpoint written by run_model() belongs to, and how to continue it.
struct CheckpointRun {
  std::string output_path;        // the run file as the run named it
  std::string created_utc;        // its created_utc attribute (checked when resuming)
  std::string run_id;             // its run_id attribute: 32 random hex digits (checked when resuming)
  std::int64_t steps = 0;         // steps the run was asked for (its steps_requested)
  std::int64_t first_step = 0;    // the model's step when the run started
  std::int64_t snapshot_every = 0;
  std::int64_t checkpoint_every = 0;
  RunFileOptions file;
  /// Records along each unlimited dimension of the run file when the checkpoint was written (all
  /// flushed to the file before the checkpoint was).
  std::vector<std::pair<std::string, std::uint64_t>> records;
};

/// What a checkpoint file says about itself (its header).
struct CheckpointInfo {
  std::string path;
  std::uint32_t format_version = 0;
  std::string model;
  std::string sahelsim_version, sahelsim_git_commit;
  std::uint64_t seed = 0;
  std::int64_t step = 0;
  std::int64_t threads = 0;  // of the model that wrote it (results do not depend on it)
  std::vector<std::pair<std::string, ParameterValue>> parameters;
  std::string identity;      // Model::checkpoint_identity() (the Sahel model: its resolved scenario)
  std::uint64_t state_hash = 0;
  std::optional<CheckpointRun> run;
};

/// Writes `model`'s state to `path` atomically (path.tmp, fsync, rename, fsync of the directory).
/// Throws RunFileError naming the path if it cannot be written.
void save_checkpoint(const Model& model, const std::string& path, const CheckpointRun* run = nullptr);

/// Reads and checks a checkpoint's envelope and header (not the model state).
CheckpointInfo read_checkpoint_info(const std::string& path);

/// Restores `model` (built from the same model, parameters, seed and identity) from `path`. Every
/// check comes before the state is touched; if load_state() itself fails on a checkpoint that
/// passed them, the model is left half restored (build a new one). Returns the header.
CheckpointInfo load_checkpoint(Model& model, const std::string& path);

/// The path run_model() writes checkpoints to when RunOptions::checkpoint_path is empty.
std::string default_checkpoint_path(const std::string& output_path);

}  // namespace sahelsim::core

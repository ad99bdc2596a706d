// Checkpoints (checkpoint.hpp) and resumed runs (run.hpp), with a small toy model: the file
// format and its checks (corrupt, truncated, other format, other model, parameters, seed or
// identity), the atomic write, and run_model's checkpoints and resume against an uninterrupted run.
#include "sahelsim/core/checkpoint.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "hdf5_test_support.hpp"
#include "sahelsim/core/model.hpp"
#include "sahelsim/core/random_stream.hpp"
#include "sahelsim/core/run.hpp"

namespace {

using namespace sahelsim::core;
using namespace sahelsim::test;

const std::vector<ParameterSpec>& toy_parameters() {
  static const std::vector<ParameterSpec> specs = {
      spec::real("rate", "1", 0.5, 0.0, 1.0, "share of wealth kept each step", "test"),
      spec::choice("mode", "calm", {"calm", "wild"}, "how much income varies", "test")};
  return specs;
}

/// Eight agents whose wealth and age change every step (from counter-based streams), a per-step
/// series and a ragged event log along its own unlimited dimension (step % 3 events per step).
class ToyModel : public Model {
 public:
  explicit ToyModel(double rate = 0.5, std::uint64_t seed = 7, std::string identity = "toy world A",
                    std::string name = "toy")
      : name_(std::move(name)), identity_(std::move(identity)), seed_(seed), parameters_(&toy_parameters()),
        agents_("agents", 8), wealth_(agents_.add<double>("wealth", "FCFA", "wealth", 1.0)),
        age_(agents_.add<std::int32_t>("age", "steps", "age")) {
    parameters_.set("rate", rate);
  }

  std::string model_name() const override { return name_; }
  void step() override {
    ++step_;
    const double rate = parameters_.real("rate");
    for (std::size_t i = 0; i < agents_.capacity(); ++i) {
      RandomStream stream(seed_, purpose_id("toy.income"), i, std::uint64_t(step_));
      wealth_[i] = wealth_[i] * rate + stream.uniform01();
      age_[i] += 1;
    }
    events_ = step_ % 3;
  }
  std::int64_t current_step() const override { return step_; }
  const ParameterSet& parameters() const override { return parameters_; }
  std::uint64_t seed() const override { return seed_; }
  int threads() const override { return 1; }
  const std::vector<SeriesSpec>& series_specs() const override { return series_; }
  std::vector<double> series_values() const override {
    double total = 0;
    for (double w : wealth_.values()) total += w;
    return {total, double(events_)};
  }
  int raster_width() const override { return 2; }
  int raster_height() const override { return 1; }
  const std::vector<RasterSpec>& raster_specs() const override { return rasters_; }
  std::vector<std::uint8_t> raster(const std::string&) const override {
    return {std::uint8_t(step_), std::uint8_t(age_[0])};
  }
  std::vector<const ColumnTable*> tables() const override { return {&agents_}; }
  std::uint64_t state_hash() const override {
    std::uint64_t h = hash_tables(tables());
    h = hash_bytes(&step_, sizeof step_, h);
    return hash_bytes(&events_, sizeof events_, h);
  }
  std::string describe_schedule() const override { return "earn, age"; }
  void define_run_file(RunFileWriter& writer) const override {
    writer.add_unlimited_dimension("event", "event number");
    writer.add_variable("event_step", DataType::int64, {"event"}, "step of the event");
  }
  void record_run_file(RunFileWriter& writer) const override {
    for (std::int64_t k = 0; k < events_; ++k) {
      writer.append_record("event", std::int64_t(writer.records("event")));
      writer.write_record("event_step", &step_);
    }
  }

  void save_state(StateWriter& out) const override {
    out.section("toy");
    out.i64(step_);
    out.table(agents_);
    out.i64(events_);
  }
  void load_state(StateReader& in) override {
    in.section("toy");
    step_ = in.i64();
    in.table(agents_);
    events_ = in.i64();
  }
  std::string checkpoint_identity() const override { return identity_; }

  ParameterSet& mutable_parameters() { return parameters_; }

 private:
  std::string name_, identity_;
  std::uint64_t seed_;
  ParameterSet parameters_;
  ColumnTable agents_;
  Column<double>& wealth_;
  Column<std::int32_t>& age_;
  std::int64_t step_ = 0, events_ = 0;
  std::vector<SeriesSpec> series_ = {{"total_wealth", "total wealth", "FCFA", false},
                                     {"events", "events this step", "1", true}};
  std::vector<RasterSpec> rasters_ = {{"state", "step and age", "", false, ""}};
};

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

/// The CheckpointError's message (fails the test if none is thrown).
template <class F>
std::string checkpoint_error(F&& f) {
  try {
    f();
  } catch (const CheckpointError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no CheckpointError";
  return "";
}

class CheckpointTest : public RunFileDirectoryTest {
 protected:
  std::string checkpoint() const { return (directory_ / "toy.ckpt").string(); }
};

// ---- the file ---------------------------------------------------------------------------------

TEST_F(CheckpointTest, SaveThenLoadRestoresTheStateAndContinuesIdentically) {
  for (const std::int64_t at : {0, 1, 5}) {
    ToyModel original;
    for (std::int64_t i = 0; i < at; ++i) original.step();
    save_checkpoint(original, checkpoint());
    ToyModel restored;
    const CheckpointInfo info = load_checkpoint(restored, checkpoint());
    EXPECT_EQ(info.step, at);
    EXPECT_EQ(info.model, "toy");
    EXPECT_FALSE(info.run.has_value());
    EXPECT_EQ(restored.current_step(), at);
    EXPECT_EQ(restored.state_hash(), original.state_hash());
    for (int i = 0; i < 4; ++i) {
      original.step();
      restored.step();
      EXPECT_EQ(restored.state_hash(), original.state_hash()) << "checkpoint at " << at << ", step " << i;
    }
  }
}

TEST_F(CheckpointTest, TheWriteIsAtomicAndReplacesAnOlderCheckpoint) {
  ToyModel model;
  save_checkpoint(model, checkpoint());
  model.step();
  model.step();
  save_checkpoint(model, checkpoint());
  EXPECT_FALSE(std::filesystem::exists(checkpoint() + ".tmp"));
  EXPECT_EQ(read_checkpoint_info(checkpoint()).step, 2);
}

TEST_F(CheckpointTest, HeaderNamesModelVersionSeedParametersAndIdentity) {
  ToyModel model(0.25, 11);
  model.step();
  save_checkpoint(model, checkpoint());
  const CheckpointInfo info = read_checkpoint_info(checkpoint());
  EXPECT_EQ(info.format_version, kCheckpointFormatVersion);
  EXPECT_EQ(info.seed, 11u);
  EXPECT_EQ(info.step, 1);
  EXPECT_EQ(info.identity, "toy world A");
  EXPECT_EQ(info.state_hash, model.state_hash());
  ASSERT_EQ(info.parameters.size(), 2u);
  EXPECT_EQ(info.parameters[1].first, "rate");
  EXPECT_EQ(std::get<double>(info.parameters[1].second), 0.25);
}

TEST_F(CheckpointTest, AnotherModelParameterSeedOrIdentityIsRefusedNamingTheDifference) {
  ToyModel original(0.5, 7);
  original.step();
  save_checkpoint(original, checkpoint());

  ToyModel other_model(0.5, 7, "toy world A", "other");
  std::string message = checkpoint_error([&] { load_checkpoint(other_model, checkpoint()); });
  EXPECT_NE(message.find(checkpoint()), std::string::npos) << message;
  EXPECT_NE(message.find("of model 'toy', not 'other'"), std::string::npos) << message;

  ToyModel other_rate(0.75, 7);
  message = checkpoint_error([&] { load_checkpoint(other_rate, checkpoint()); });
  EXPECT_NE(message.find("parameter 'rate' = 0.5 in the checkpoint, 0.75 in the model"), std::string::npos) << message;

  ToyModel other_choice(0.5, 7);
  other_choice.mutable_parameters().set("mode", std::string("wild"));
  message = checkpoint_error([&] { load_checkpoint(other_choice, checkpoint()); });
  EXPECT_NE(message.find("parameter 'mode' = calm in the checkpoint, wild in the model"), std::string::npos) << message;

  ToyModel other_seed(0.5, 8);
  message = checkpoint_error([&] { load_checkpoint(other_seed, checkpoint()); });
  EXPECT_NE(message.find("seed 7 in the checkpoint, 8 in the model"), std::string::npos) << message;

  ToyModel other_identity(0.5, 7, "toy world B");
  message = checkpoint_error([&] { load_checkpoint(other_identity, checkpoint()); });
  EXPECT_NE(message.find("'toy world A' in the checkpoint, 'toy world B' in the model"), std::string::npos) << message;
  // Nothing was restored into the refused models.
  EXPECT_EQ(other_identity.current_step(), 0);
  EXPECT_EQ(other_rate.current_step(), 0);
}

TEST_F(CheckpointTest, CorruptTruncatedEmptyForeignAndMissingFilesAreRefused) {
  ToyModel model;
  model.step();
  save_checkpoint(model, checkpoint());
  const std::vector<unsigned char> good = read_bytes(checkpoint());
  ASSERT_GT(good.size(), 100u);
  ToyModel target;
  auto refused = [&](const std::vector<unsigned char>& bytes) {
    write_bytes(checkpoint(), bytes);
    const std::string message = checkpoint_error([&] { load_checkpoint(target, checkpoint()); });
    EXPECT_NE(message.find(checkpoint()), std::string::npos) << message;
    EXPECT_EQ(target.current_step(), 0) << message;
    const std::string again = checkpoint_error([&] { read_checkpoint_info(checkpoint()); });
    EXPECT_FALSE(again.empty());
    return message;
  };

  std::vector<unsigned char> flipped = good;
  flipped[good.size() / 2] ^= 0x40;  // a bit of the state
  EXPECT_NE(refused(flipped).find("checksum"), std::string::npos);

  std::vector<unsigned char> truncated(good.begin(), good.end() - 20);
  EXPECT_NE(refused(truncated).find("truncated"), std::string::npos);
  EXPECT_NE(refused({good.begin(), good.begin() + 12}).find("truncated"), std::string::npos);

  std::vector<unsigned char> longer = good;
  longer.push_back(0);
  EXPECT_NE(refused(longer).find("after its end"), std::string::npos);

  EXPECT_NE(refused({}).find("not a sahelsim checkpoint"), std::string::npos);
  const std::string text = "<html>not a checkpoint</html>";
  EXPECT_NE(refused({text.begin(), text.end()}).find("not a sahelsim checkpoint"), std::string::npos);

  std::vector<unsigned char> other_version = good;
  other_version[8] = 99;  // the format version's low byte
  EXPECT_NE(refused(other_version).find("format version 99"), std::string::npos);

  const std::string missing = (directory_ / "missing.ckpt").string();
  const std::string message = checkpoint_error([&] { load_checkpoint(target, missing); });
  EXPECT_NE(message.find("cannot read checkpoint '" + missing + "'"), std::string::npos) << message;
}

TEST_F(CheckpointTest, AnotherSahelsimVersionIsRefused) {
  ToyModel model;
  save_checkpoint(model, checkpoint());
  std::vector<unsigned char> bytes = read_bytes(checkpoint());
  // The payload starts after 24 bytes: the string "section:header", the model name, then the
  // version. Change the version's last character and give the file a matching checksum.
  const std::size_t payload = 24, section = 8 + 14, name = 8 + 3;
  std::uint64_t version_length = 0;
  std::memcpy(&version_length, bytes.data() + payload + section + name, 8);
  ASSERT_GT(version_length, 0u);
  unsigned char& last = bytes[payload + section + name + 8 + version_length - 1];
  last = last == '9' ? '8' : '9';
  const std::size_t payload_size = bytes.size() - payload - 8;
  const std::uint64_t hash = hash_bytes(bytes.data() + payload, payload_size);
  std::memcpy(bytes.data() + bytes.size() - 8, &hash, 8);
  write_bytes(checkpoint(), bytes);
  EXPECT_NO_THROW(read_checkpoint_info(checkpoint()));
  ToyModel target;
  const std::string message = checkpoint_error([&] { load_checkpoint(target, checkpoint()); });
  EXPECT_NE(message.find("it was written by sahelsim "), std::string::npos) << message;
  EXPECT_NE(message.find(", this is sahelsim "), std::string::npos) << message;
}

TEST_F(CheckpointTest, ATableOfAnotherSizeIsRefused) {
  // A model whose save and load disagree is caught by the section markers and table checks.
  class Shorter : public ToyModel {
   public:
    void load_state(StateReader& in) override {
      in.section("toy");
      in.i64();
      ColumnTable smaller("agents", 4);
      smaller.add<double>("wealth", "FCFA", "wealth");
      smaller.add<std::int32_t>("age", "steps", "age");
      in.table(smaller);
    }
  };
  ToyModel model;
  save_checkpoint(model, checkpoint());
  Shorter target;
  const std::string message = checkpoint_error([&] { load_checkpoint(target, checkpoint()); });
  EXPECT_NE(message.find("table 'agents' holds 8 rows in the checkpoint, 4 in the model"), std::string::npos)
      << message;
}

TEST_F(CheckpointTest, AnUnwritablePathThrowsRunFileErrorNamingIt) {
  ToyModel model;
  const std::string path = (directory_ / "no-such-directory" / "x.ckpt").string();
  try {
    save_checkpoint(model, path);
    FAIL() << "no error";
  } catch (const RunFileError& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
}

TEST_F(CheckpointTest, ADirectoryIsRefusedAsACheckpointToReadOrToWrite) {
  ToyModel model;
  const std::string directory = (directory_ / "a-directory").string();
  std::filesystem::create_directory(directory);
  const std::string message = checkpoint_error([&] { read_checkpoint_info(directory); });
  EXPECT_NE(message.find("cannot read checkpoint '" + directory + "': it is a directory"), std::string::npos)
      << message;
  try {
    save_checkpoint(model, directory);
    FAIL() << "no error";
  } catch (const RunFileError& error) {
    EXPECT_NE(std::string(error.what()).find("it exists and is a directory"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(std::filesystem::is_directory(directory));
}

// ---- runs -------------------------------------------------------------------------------------

struct FileContents {
  std::vector<std::int64_t> step, event, event_step;
  std::vector<std::uint8_t> state;
  std::vector<double> total;
  std::string status, created;
  double steps_completed = 0;
  std::int64_t steps_requested = 0;
  bool operator==(const FileContents& o) const {
    return step == o.step && event == o.event && event_step == o.event_step && total == o.total && state == o.state &&
           status == o.status && steps_completed == o.steps_completed && steps_requested == o.steps_requested;
  }
};

FileContents contents(const std::string& path) {
  FileContents c;
  Owned file = open_file(path);
  EXPECT_GE(file.get(), 0) << path;
  c.step = read_all<std::int64_t>(file.get(), "step", H5T_NATIVE_INT64);
  c.event = read_all<std::int64_t>(file.get(), "event", H5T_NATIVE_INT64);
  c.event_step = read_all<std::int64_t>(file.get(), "event_step", H5T_NATIVE_INT64);
  c.total = read_all<double>(file.get(), "total_wealth", H5T_NATIVE_DOUBLE);
  c.state = read_all<std::uint8_t>(file.get(), "state", H5T_NATIVE_UINT8);
  c.status = text_attribute(file.get(), "run_status");
  c.created = text_attribute(file.get(), "created_utc");
  c.steps_requested = number_attribute<std::int64_t>(file.get(), "steps_requested", H5T_NATIVE_INT64);
  if (has_attribute(file.get(), "steps_completed"))
    c.steps_completed = number_attribute<double>(file.get(), "steps_completed", H5T_NATIVE_DOUBLE);
  return c;
}

class ResumeTest : public CheckpointTest {
 protected:
  RunOptions options(const std::string& output) const {
    RunOptions o;
    o.steps = 20;
    o.output_path = output;
    o.snapshot_every = 3;
    o.checkpoint_every = 5;
    o.file.records_per_chunk = 4;
    return o;
  }
  std::string reference() {
    const std::string path = (directory_ / "reference.h5").string();
    ToyModel model;
    RunOptions o = options(path);
    o.checkpoint_every = 0;
    run_model(model, o);
    return path;
  }
  /// The CheckpointError of resuming from path_'s checkpoint into run file `output` (empty: none).
  std::string refused_resume(const std::string& output) {
    ToyModel model;
    load_checkpoint(model, default_checkpoint_path(path_));
    RunOptions o;
    o.output_path = output;
    o.resume_checkpoint = default_checkpoint_path(path_);
    return checkpoint_error([&] { run_model(model, o); });
  }
  /// A run interrupted (poll throws) after `steps` steps: its file incomplete, its checkpoint kept.
  void interrupted_run(std::int64_t steps) {
    ToyModel model;
    RunOptions o = options(path_);
    std::int64_t polls = 0;
    o.poll = [&] {
      if (polls++ == steps) throw std::runtime_error("stop");
    };
    EXPECT_THROW(run_model(model, o), std::runtime_error);
  }
  RunResult resume(int threads_unused = 1) {
    (void)threads_unused;
    ToyModel model;
    load_checkpoint(model, default_checkpoint_path(path_));
    RunOptions o;
    o.output_path = path_;
    o.resume_checkpoint = default_checkpoint_path(path_);
    return run_model(model, o);
  }
};

TEST_F(ResumeTest, CheckpointsAreWrittenEveryNStepsAfterTheRecordsAreFlushed) {
  interrupted_run(13);  // checkpoints at steps 5 and 10
  const CheckpointInfo info = read_checkpoint_info(default_checkpoint_path(path_));
  EXPECT_EQ(info.step, 10);
  ASSERT_TRUE(info.run.has_value());
  EXPECT_EQ(info.run->steps, 20);
  EXPECT_EQ(info.run->snapshot_every, 3);
  EXPECT_EQ(info.run->checkpoint_every, 5);
  const FileContents file = contents(path_);
  EXPECT_EQ(info.run->created_utc, file.created);
  std::vector<std::pair<std::string, std::uint64_t>> expected = {{"step", 11}, {"snapshot", 4}, {"event", 10}};
  EXPECT_EQ(info.run->records, expected);  // steps 0..10; snapshots 0, 3, 6, 9; 0+1+2+0+1+2+0+1+2+0+1 events
}

TEST_F(ResumeTest, AResumedRunGivesTheUninterruptedRunsFile) {
  const FileContents expected = contents(reference());
  for (const std::int64_t stop : {5, 7, 13, 19}) {
    interrupted_run(stop);
    const FileContents cut = contents(path_);
    EXPECT_EQ(cut.status, "incomplete");
    const RunResult result = resume();
    EXPECT_EQ(result.steps_run, 20 - (stop / 5) * 5) << "stopped after " << stop;
    const FileContents resumed = contents(path_);
    EXPECT_EQ(resumed.status, "complete");
    EXPECT_EQ(resumed.created, cut.created);
    EXPECT_TRUE(resumed == expected) << "stopped after " << stop;
    EXPECT_FALSE(std::filesystem::exists(default_checkpoint_path(path_))) << "a complete run removes its checkpoint";
    EXPECT_FALSE(std::filesystem::exists(path_ + ".part"));
  }
}

TEST_F(ResumeTest, AResumedRunCanBeInterruptedAndResumedAgain) {
  const FileContents expected = contents(reference());
  interrupted_run(7);  // checkpoint at 5
  {
    ToyModel model;
    load_checkpoint(model, default_checkpoint_path(path_));
    RunOptions o;
    o.output_path = path_;
    o.resume_checkpoint = default_checkpoint_path(path_);
    std::int64_t polls = 0;
    o.poll = [&] {
      if (polls++ == 9) throw std::runtime_error("stop again");  // at step 14: checkpoint at 10
    };
    EXPECT_THROW(run_model(model, o), std::runtime_error);
  }
  EXPECT_EQ(read_checkpoint_info(default_checkpoint_path(path_)).step, 10);
  resume();
  EXPECT_TRUE(contents(path_) == expected);
}

TEST_F(ResumeTest, ACompleteRunFileIsCutBackToTheCheckpointAndRedone) {
  const FileContents expected = contents(reference());
  {
    ToyModel model;
    RunOptions o = options(path_);
    o.keep_checkpoint = true;
    run_model(model, o);
  }
  EXPECT_EQ(read_checkpoint_info(default_checkpoint_path(path_)).step, 15);
  EXPECT_EQ(contents(path_).status, "complete");
  const RunResult result = resume();
  EXPECT_EQ(result.steps_run, 5);
  EXPECT_TRUE(contents(path_) == expected);
}

TEST_F(ResumeTest, AModelNotRestoredFromTheCheckpointIsRefused) {
  interrupted_run(12);
  ToyModel fresh;  // at step 0, not restored
  RunOptions o;
  o.output_path = path_;
  o.resume_checkpoint = default_checkpoint_path(path_);
  const std::string message = checkpoint_error([&] { run_model(fresh, o); });
  EXPECT_NE(message.find("was not restored from it"), std::string::npos) << message;
}

// Fills the fixed-length text attribute `name` of the file's root with `fill` (same length).
void overwrite_text_attribute(const std::string& path, const char* name, char fill) {
  Owned file = open_file(path, H5F_ACC_RDWR);
  Owned attribute(H5Aopen(file.get(), name, H5P_DEFAULT), H5Aclose);
  Owned type(H5Aget_type(attribute.get()), H5Tclose);
  std::vector<char> text(H5Tget_size(type.get()), fill);
  H5Awrite(attribute.get(), type.get(), text.data());
}

TEST_F(ResumeTest, TheRunFileOfAnotherRunIsRefusedAndLeftUntouched) {
  interrupted_run(12);
  const std::string other = (directory_ / "other.h5").string();
  {
    ToyModel model;
    RunOptions o = options(other);
    o.checkpoint_every = 0;
    run_model(model, o);
  }
  overwrite_text_attribute(other, "created_utc", 'x');  // make it differ for sure
  const auto before = read_bytes(other);
  const std::string message = refused_resume(other);
  EXPECT_NE(message.find("created_utc"), std::string::npos) << message;
  EXPECT_NE(message.find(other), std::string::npos) << message;
  EXPECT_EQ(read_bytes(other), before);
  EXPECT_FALSE(std::filesystem::exists(other + ".part"));
}

TEST_F(ResumeTest, ARunFileOfTheSameSecondButOtherStepsIsRefused) {
  // created_utc has whole seconds: two runs started in one second share it. Their steps requested
  // or snapshot intervals tell them apart (a run of 200 steps was cut to another's 100).
  interrupted_run(12);
  for (const char* attribute : {"steps_requested", "snapshot_every"}) {
    const std::string copy = (directory_ / (std::string("copy-") + attribute + ".h5")).string();
    std::filesystem::copy_file(path_, copy);
    {
      Owned file = open_file(copy, H5F_ACC_RDWR);
      Owned handle(H5Aopen(file.get(), attribute, H5P_DEFAULT), H5Aclose);
      const std::int64_t other = 1234567;
      H5Awrite(handle.get(), H5T_NATIVE_INT64, &other);
    }
    const auto before = read_bytes(copy);
    const std::string message = refused_resume(copy);
    EXPECT_NE(message.find(attribute), std::string::npos) << message;
    EXPECT_EQ(read_bytes(copy), before) << attribute;
  }
}

TEST_F(ResumeTest, AnotherRunsFileThatDiffersOnlyInItsRunIdIsRefused) {
  // Two runs with the same settings started in the same second differ only in their random run id:
  // a copy of this run's file with another id stands for the other run's.
  interrupted_run(12);
  const std::string copy = (directory_ / "same-second.h5").string();
  std::filesystem::copy_file(path_, copy);
  overwrite_text_attribute(copy, "run_id", '0');
  const auto before = read_bytes(copy);
  const std::string message = refused_resume(copy);
  EXPECT_NE(message.find("run_id"), std::string::npos) << message;
  EXPECT_EQ(read_bytes(copy), before);
}

TEST_F(ResumeTest, ARunFileWithFewerRecordsThanTheCheckpointIsRefused) {
  interrupted_run(12);  // checkpoint at 10
  // The checkpoint of another (longer) run of the same file: replace the file by a shorter run's.
  const std::string checkpoint_copy = checkpoint();
  std::filesystem::copy_file(default_checkpoint_path(path_), checkpoint_copy);
  interrupted_run(6);  // file holds steps 0..6 (flushed), its checkpoint is at 5
  ToyModel model;
  load_checkpoint(model, checkpoint_copy);
  RunOptions o;
  o.output_path = path_;
  o.resume_checkpoint = checkpoint_copy;
  const std::string message = checkpoint_error([&] { run_model(model, o); });
  EXPECT_FALSE(message.empty());
}

}  // namespace

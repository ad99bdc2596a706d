// Tests of core/include/sahelsim/core/schedule.hpp: a step as a named, ordered list of phases that
// declare what they read and write.
#include "sahelsim/core/schedule.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using sahelsim::core::Phase;
using sahelsim::core::Schedule;

const std::vector<std::string> kState = {"citizens.cell", "citizens.condition", "cops.cell", "lattice.occupancy"};

TEST(Schedule, RunsPhasesInTheOrderAdded) {
  std::vector<std::string> ran;
  Schedule schedule(kState);
  schedule.add({"move", {"citizens.cell"}, {"citizens.cell"}, [&] { ran.push_back("move"); }});
  schedule.add({"decide", {"citizens.cell"}, {"citizens.condition"}, [&] { ran.push_back("decide"); }});
  schedule.add({"arrest", {"citizens.condition"}, {"cops.cell"}, [&] { ran.push_back("arrest"); }});
  schedule.run_step();
  schedule.run_step();
  EXPECT_EQ(ran, (std::vector<std::string>{"move", "decide", "arrest", "move", "decide", "arrest"}));
  EXPECT_EQ(schedule.phase_names(), (std::vector<std::string>{"move", "decide", "arrest"}));
}

TEST(Schedule, RejectsAPhaseReadingUnknownState) {
  Schedule schedule(kState);
  EXPECT_THROW(schedule.add({"move", {"citizens.velocity"}, {}, [] {}}), std::logic_error);
  EXPECT_TRUE(schedule.phases().empty());
}

TEST(Schedule, RejectsAPhaseWritingUnknownState) {
  Schedule schedule(kState);
  try {
    schedule.add({"move", {"citizens.cell"}, {"citizens.velocity"}, [] {}});
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("citizens.velocity"), std::string::npos) << error.what();
  }
}

TEST(Schedule, RejectsADuplicatePhaseName) {
  Schedule schedule(kState);
  schedule.add({"move", {}, {"citizens.cell"}, [] {}});
  EXPECT_THROW(schedule.add({"move", {}, {"cops.cell"}, [] {}}), std::logic_error);
  EXPECT_EQ(schedule.phases().size(), 1u);
}

TEST(Schedule, DescribeListsEachPhaseWithItsReadsAndWrites) {
  Schedule schedule(kState);
  schedule.add({"move", {"citizens.cell", "lattice.occupancy"}, {"citizens.cell"}, [] {}});
  schedule.add({"tally", {"citizens.condition"}, {}, [] {}});
  EXPECT_EQ(schedule.describe(),
            "move: reads citizens.cell, lattice.occupancy; writes citizens.cell\n"
            "tally: reads citizens.condition; writes nothing\n");
}

}  // namespace

// Tests of core/include/sahelsim/core/parameters.hpp: the parameter registry's defaults, validation
// and error messages, on a small set of specs shaped like a model's.
#include "sahelsim/core/parameters.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

using sahelsim::core::ParameterError;
using sahelsim::core::ParameterKind;
using sahelsim::core::ParameterSet;
using sahelsim::core::ParameterSpec;

const std::vector<ParameterSpec>& test_specs() {
  static const std::vector<ParameterSpec> specs = {
      {"legitimacy", ParameterKind::real, "1", 0.82, 0.0, 1.0, {}, "regime legitimacy", "test"},
      {"max_jail_term", ParameterKind::real, "steps", 30.0, 0.0, std::numeric_limits<double>::infinity(), {},
       "J_max", "test"},
      {"width", ParameterKind::integer, "cells", std::int64_t{40}, 1.0, 65536.0, {}, "lattice width", "test"},
      {"movement", ParameterKind::boolean, "1", true, 0.0, 0.0, {}, "agents move", "test"},
      {"neighborhood", ParameterKind::choice, "1", std::string("disc"), 0.0, 0.0,
       {"disc", "von_neumann", "moore"}, "vision geometry", "test"},
  };
  return specs;
}

// The message of the ParameterError thrown by `action` ("" if nothing was thrown).
template <class Action>
std::string error_of(const Action& action) {
  try {
    action();
  } catch (const ParameterError& error) {
    return error.what();
  }
  return "";
}

TEST(ParameterSet, StartsWithEveryDefault) {
  const ParameterSet p(&test_specs());
  EXPECT_EQ(p.values().size(), test_specs().size());
  EXPECT_EQ(p.real("legitimacy"), 0.82);
  EXPECT_EQ(p.real("max_jail_term"), 30.0);
  EXPECT_EQ(p.integer("width"), 40);
  EXPECT_TRUE(p.boolean("movement"));
  EXPECT_EQ(p.choice("neighborhood"), "disc");
}

TEST(ParameterSet, SetStoresAValueInRange) {
  ParameterSet p(&test_specs());
  p.set("legitimacy", 0.5);
  p.set("legitimacy", 1.0);  // bounds are inclusive
  EXPECT_EQ(p.real("legitimacy"), 1.0);
}

TEST(ParameterSet, SetRejectsOutOfRangeNamingParameterValueAndRange) {
  ParameterSet p(&test_specs());
  const std::string message = error_of([&] { p.set("legitimacy", 1.5); });
  ASSERT_FALSE(message.empty());
  EXPECT_NE(message.find("legitimacy"), std::string::npos) << message;
  EXPECT_NE(message.find("1.5"), std::string::npos) << message;
  EXPECT_NE(message.find("[0, 1]"), std::string::npos) << message;
  EXPECT_EQ(p.real("legitimacy"), 0.82);  // unchanged
}

TEST(ParameterSet, SetRejectsIntegerOutOfRangeNamingTheRange) {
  ParameterSet p(&test_specs());
  const std::string message = error_of([&] { p.set("width", std::int64_t{0}); });
  EXPECT_NE(message.find("width"), std::string::npos) << message;
  EXPECT_NE(message.find("[1, 65536]"), std::string::npos) << message;
}

TEST(ParameterSet, SetRejectsAValueOfTheWrongKind) {
  ParameterSet p(&test_specs());
  EXPECT_THROW(p.set("movement", 1.0), ParameterError);
  EXPECT_THROW(p.set("legitimacy", std::string("high")), ParameterError);
  EXPECT_THROW(p.set("neighborhood", true), ParameterError);
}

TEST(ParameterSet, ErrorIsAnInvalidArgument) {
  ParameterSet p(&test_specs());
  EXPECT_THROW(p.set("legitimacy", -0.1), std::invalid_argument);
}

TEST(ParameterSet, UnknownNameListsTheKnownNames) {
  ParameterSet p(&test_specs());
  const std::string message = error_of([&] { p.set("legitimcy", 0.5); });
  ASSERT_FALSE(message.empty());
  EXPECT_NE(message.find("legitimcy"), std::string::npos) << message;
  for (const auto& spec : test_specs()) EXPECT_NE(message.find(spec.name), std::string::npos) << message;
  EXPECT_THROW(p.real("nonsense"), ParameterError);
}

TEST(ParameterSet, SetFromTextParsesInfinity) {
  ParameterSet p(&test_specs());
  p.set_from_text("max_jail_term", "inf");
  EXPECT_TRUE(std::isinf(p.real("max_jail_term")));
  EXPECT_GT(p.real("max_jail_term"), 0.0);
}

TEST(ParameterSet, SetFromTextRejectsInfinityOutsideTheRange) {
  ParameterSet p(&test_specs());
  EXPECT_THROW(p.set_from_text("legitimacy", "inf"), ParameterError);
  EXPECT_THROW(p.set_from_text("legitimacy", "nan"), ParameterError);
}

TEST(ParameterSet, SetFromTextRejectsNumbersBeyondTheirTypeShowingTheText) {
  // strtoll and strtod saturate: 2^64 + 1 read as 2^63 - 1, and 1e999 as infinity.
  ParameterSet p(&test_specs());
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"width", "18446744073709551617"}, {"width", "-18446744073709551617"}, {"max_jail_term", "1e999"}}) {
    try {
      p.set_from_text(name, text);
      ADD_FAILURE() << name << " = " << text << " was accepted";
    } catch (const ParameterError& error) {
      EXPECT_NE(std::string(error.what()).find("'" + text + "'"), std::string::npos) << error.what();
    }
  }
}

TEST(ParameterSet, SetFromTextParsesBooleans) {
  ParameterSet p(&test_specs());
  p.set_from_text("movement", "false");
  EXPECT_FALSE(p.boolean("movement"));
  p.set_from_text("movement", "true");
  EXPECT_TRUE(p.boolean("movement"));
  p.set_from_text("movement", "0");
  EXPECT_FALSE(p.boolean("movement"));
  p.set_from_text("movement", "yes");
  EXPECT_TRUE(p.boolean("movement"));
  EXPECT_THROW(p.set_from_text("movement", "maybe"), ParameterError);
}

TEST(ParameterSet, SetFromTextParsesChoicesAndRejectsOthersListingTheChoices) {
  ParameterSet p(&test_specs());
  p.set_from_text("neighborhood", "moore");
  EXPECT_EQ(p.choice("neighborhood"), "moore");
  const std::string message = error_of([&] { p.set_from_text("neighborhood", "hexagonal"); });
  EXPECT_NE(message.find("hexagonal"), std::string::npos) << message;
  EXPECT_NE(message.find("disc, von_neumann, moore"), std::string::npos) << message;
}

TEST(ParameterSet, SetFromTextParsesNumbers) {
  ParameterSet p(&test_specs());
  p.set_from_text("legitimacy", "0.25");
  EXPECT_EQ(p.real("legitimacy"), 0.25);
  p.set_from_text("width", "60");
  EXPECT_EQ(p.integer("width"), 60);
}

TEST(ParameterSet, SetFromTextRejectsTrailingGarbage) {
  ParameterSet p(&test_specs());
  const std::string message = error_of([&] { p.set_from_text("legitimacy", "0.5x"); });
  ASSERT_FALSE(message.empty());
  EXPECT_NE(message.find("0.5x"), std::string::npos) << message;
  EXPECT_THROW(p.set_from_text("legitimacy", ""), ParameterError);
  EXPECT_EQ(p.real("legitimacy"), 0.82);
}

TEST(ParameterSet, IntegerKindRejectsAFraction) {
  ParameterSet p(&test_specs());
  EXPECT_THROW(p.set("width", 1.5), ParameterError);
  EXPECT_THROW(p.set_from_text("width", "1.5"), ParameterError);
  EXPECT_EQ(p.integer("width"), 40);
}

TEST(ParameterSet, IntegerKindAcceptsAWholeDouble) {
  ParameterSet p(&test_specs());
  p.set("width", 3.0);
  EXPECT_EQ(p.integer("width"), 3);
}

TEST(ParameterSpec, AllowedDescribesTheRangeOrChoices) {
  EXPECT_EQ(test_specs()[0].allowed(), "a real number in [0, 1]");
  EXPECT_EQ(test_specs()[1].allowed(), "a real number in [0, inf]");
  EXPECT_EQ(test_specs()[4].allowed(), "one of: disc, von_neumann, moore");
}

}  // namespace

// Scenario files (models/sahel/scenario): loading, defaults, and one message per kind of problem.
#include <gtest/gtest.h>

#include <string>

#include "models/sahel/parameters.hpp"
#include "models/sahel/scenario/scenario.hpp"

namespace sahel = sahelsim::models::sahel;

namespace {

const char* const minimal = R"(
name = "t"
[period]
start = 2025-07-01
end = 2025-07-31
)";

// The problems of a scenario text (none when it loads).
std::vector<std::string> problems_of(const std::string& text) {
  try {
    sahel::load_scenario(text, "test.toml");
  } catch (const sahel::ScenarioError& error) {
    return error.problems();
  }
  return {};
}

std::string all(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& p : problems) text += p + "\n";
  return text;
}

}  // namespace

TEST(SahelDate, PlusDaysCrossesMonthsYearsAndLeapDays) {
  const sahel::Date start{2025, 7, 1};
  EXPECT_EQ(start.plus_days(0).iso(), "2025-07-01");
  EXPECT_EQ(start.plus_days(30).iso(), "2025-07-31");
  EXPECT_EQ(start.plus_days(64).iso(), "2025-09-03");
  EXPECT_EQ(start.plus_days(183).iso(), "2025-12-31");
  EXPECT_EQ(start.plus_days(184).iso(), "2026-01-01");
  EXPECT_EQ((sahel::Date{2024, 2, 28}).plus_days(1).iso(), "2024-02-29");
  EXPECT_EQ((sahel::Date{2024, 3, 1}).plus_days(-1).iso(), "2024-02-29");
  EXPECT_EQ((sahel::Date{2025, 3, 1}).plus_days(-1).iso(), "2025-02-28");
  EXPECT_EQ(start.plus_days(12345).days_since_epoch() - start.days_since_epoch(), 12345);
}

TEST(SahelDate, DayOfYearCountsFromTheFirstOfJanuaryInLeapYearsToo) {
  EXPECT_EQ((sahel::Date{2025, 1, 1}).day_of_year(), 1);
  EXPECT_EQ((sahel::Date{2025, 10, 17}).day_of_year(), 290);
  EXPECT_EQ((sahel::Date{2044, 10, 16}).day_of_year(), 290);
  EXPECT_EQ((sahel::Date{2025, 12, 31}).day_of_year(), 365);
  EXPECT_EQ((sahel::Date{2028, 12, 31}).day_of_year(), 366);
  EXPECT_EQ((sahel::Date{2025, 6, 1}).days_in_year(), 365);
  EXPECT_EQ((sahel::Date{2028, 6, 1}).days_in_year(), 366);
  EXPECT_EQ((sahel::Date{2100, 6, 1}).days_in_year(), 365);
  EXPECT_EQ((sahel::Date{2000, 6, 1}).days_in_year(), 366);
}

TEST(SahelScenario, MinimalScenarioGetsEveryDefault) {
  const sahel::Scenario s = sahel::load_scenario(minimal, "test.toml");
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.map_data, "default");
  EXPECT_EQ(s.map_origin, "embedded");
  EXPECT_DOUBLE_EQ(s.cell_km, 5.0);
  EXPECT_EQ(s.days(), 31);
  EXPECT_EQ(s.seed, 0u);
  EXPECT_DOUBLE_EQ(s.parameters.real("tanker_capacity_litres"), 46000.0);
  EXPECT_TRUE(s.forces.empty());
  EXPECT_TRUE(s.events.empty());
}

TEST(SahelScenario, BundledScenariosAreListedAndLoad) {
  const auto names = sahel::bundled_scenario_names();
  ASSERT_EQ(names, (std::vector<std::string>{"mali-2025", "mali-2025-no-blockade", "siege-classroom"}));
  for (const auto& name : names) EXPECT_NO_THROW(sahel::load_scenario_by_name_or_path(name)) << name;
}

TEST(SahelScenario, Mali2025BlockadesFourCorridorsOnThirdSeptember) {
  const auto s = sahel::load_scenario_by_name_or_path("mali-2025");
  EXPECT_EQ(s.start.iso(), "2025-07-01");
  EXPECT_EQ(s.end.iso(), "2025-12-31");
  EXPECT_EQ(s.days(), 184);
  int blockades = 0;
  for (const auto& e : s.events) {
    if (e.kind != sahel::EventKind::blockade) continue;
    ++blockades;
    EXPECT_EQ(e.date.iso(), "2025-09-03");
    EXPECT_EQ(e.corridors.size(), 4u);
  }
  EXPECT_EQ(blockades, 1);
  const auto counterfactual = sahel::load_scenario_by_name_or_path("mali-2025-no-blockade");
  for (const auto& e : counterfactual.events) EXPECT_NE(e.kind, sahel::EventKind::blockade);
  EXPECT_EQ(counterfactual.forces.size(), s.forces.size());
}

TEST(SahelScenario, SiegeClassroomBuildsItsSyntheticMap) {
  const auto s = sahel::load_scenario_by_name_or_path("siege-classroom");
  EXPECT_EQ(s.map_origin, "bundled:siege-classroom");
  const auto map = sahel::build_scenario_map(s);
  EXPECT_EQ(map.corridors().size(), 2u);
  EXPECT_GT(map.villages().size(), 7u);
  EXPECT_NEAR(map.route("Citadel", "Westgate").length_km, 150.0, 1e-9);
  EXPECT_TRUE(sahel::check_scenario("siege-classroom").empty());
}

TEST(SahelScenario, ForcePositionIsResolvedToTheTown) {
  const auto s = sahel::load_scenario(std::string(minimal) + R"(
[[forces]]
kind = "army"
name = "g"
strength = 10
position = "Gao"
)", "test.toml");
  ASSERT_EQ(s.forces.size(), 1u);
  EXPECT_EQ(s.forces[0].town, "Gao");
  EXPECT_NEAR(s.forces[0].position.lat, 16.2685, 1e-9);
}

TEST(SahelScenario, SyntaxErrorGivesFileLineAndColumn) {
  const auto p = problems_of("name = \"t\"\n[period\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].rfind("test.toml:2:", 0), 0u) << p[0];
  EXPECT_NE(p[0].find("TOML syntax error"), std::string::npos);
}

TEST(SahelScenario, DeeplyDottedKeysAndTableNamesAreRefusedBeforeParsing) {
  // 50,000 parts overflowed the stack in toml++ (a crash, not an error).
  std::string dots;
  for (int i = 0; i < 50000; ++i) dots += i ? ".a" : "a";
  for (const std::string& text : {"name = \"t\"\n[" + dots + "]\n", "name = \"t\"\n" + dots + " = 1\n",
                                  "name = \"t\"\nx = { " + dots + " = 1 }\n"}) {
    const auto p = problems_of(text);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].rfind("test.toml:2:", 0), 0u) << p[0];
    EXPECT_NE(p[0].find("more than 64 parts"), std::string::npos) << p[0];
  }
}

TEST(SahelScenario, DotsInStringsCommentsAndValuesAreNotKeyParts) {
  const std::string many(200, '.');
  const auto p = problems_of("name = \"t" + many + "\"  # " + many + "\ndescription = '''" + many + "\n" + many +
                             "'''\nseed = 1\n");
  for (const auto& problem : p) EXPECT_EQ(problem.find("parts"), std::string::npos) << problem;
}

TEST(SahelScenario, NonUtf8GivesFileLineAndColumn) {
  const auto p = problems_of("name = \"t\"\ndescription = \"caf\xE9\"\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].rfind("test.toml:2:", 0), 0u) << p[0];
  EXPECT_NE(p[0].find("UTF-8"), std::string::npos);
}

TEST(SahelScenario, UnknownKeyListsTheAllowedOnes) {
  const auto p = problems_of("colour = 1\n" + std::string(minimal) + "colour = 2\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NE(p[0].find("test.toml:1:1: unknown field 'colour': allowed fields: name, description"), std::string::npos)
      << p[0];
  EXPECT_NE(p[1].find("test.toml:7:1: unknown field 'period.colour': allowed fields: start, end"), std::string::npos)
      << p[1];
}

TEST(SahelScenario, EveryProblemIsReportedNotOnlyTheFirst) {
  const auto p = problems_of(R"(
name = ""
[map]
cell_km = 50
[period]
start = 2025-07-01
end = 2025-06-01
[[forces]]
kind = "rebels"
name = "x"
strength = -5
position = "Segu"
)");
  const std::string text = all(p);
  EXPECT_EQ(p.size(), 6u) << text;
  EXPECT_NE(text.find("test.toml:2:8: field 'name' = '' is not allowed"), std::string::npos) << text;
  EXPECT_NE(text.find("field 'map.cell_km' = 50 is not allowed: expected a number in [2, 20] (km)"),
            std::string::npos) << text;
  EXPECT_NE(text.find("field 'period.end' = 2025-06-01 is not allowed: expected a date on or after"), std::string::npos)
      << text;
  EXPECT_NE(text.find("field 'forces[0].kind' = 'rebels' is not allowed: expected one of: militant, army, partner, "
                      "militia"), std::string::npos) << text;
  EXPECT_NE(text.find("field 'forces[0].strength' = -5"), std::string::npos) << text;
  EXPECT_NE(text.find("did you mean: Ségou?"), std::string::npos) << text;
}

TEST(SahelScenario, UnknownCorridorListsTheCorridors) {
  const auto p = problems_of(std::string(minimal) + R"(
[[events]]
date = 2025-07-10
kind = "blockade"
corridors = ["Dakar"]
)");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("field 'events[0].corridors[0]' = 'Dakar' is not allowed: expected one of: Dakar–Bamako "
                      "(Diboli)"), std::string::npos) << p[0];
}

TEST(SahelScenario, EventOutsideThePeriodIsRejected) {
  const auto p = problems_of(std::string(minimal) + R"(
[[events]]
date = 2025-08-10
kind = "legitimacy_shock"
delta = 0.5
)");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("expected a date within the period [2025-07-01, 2025-07-31]"), std::string::npos) << p[0];
}

TEST(SahelScenario, ParametersAreCheckedAgainstTheRegistry) {
  const auto p = problems_of(std::string(minimal) + "[parameters]\nzakat_harvest_share = 1.5\nwarp = 2\n"
                                                    "max_tankers_per_day = nan\n");
  const std::string text = all(p);
  EXPECT_EQ(p.size(), 3u) << text;
  EXPECT_NE(text.find("field 'parameters.zakat_harvest_share' = 1.5 is not allowed: expected a real number in [0, 1]"),
            std::string::npos) << text;
  EXPECT_NE(text.find("unknown parameter 'warp'"), std::string::npos) << text;
  EXPECT_NE(text.find("field 'parameters.max_tankers_per_day' = nan"), std::string::npos) << text;
}

TEST(SahelScenario, ResolvedScenarioReadsBackTheSame) {
  const auto s = sahel::load_scenario_by_name_or_path("mali-2025");
  const auto again = sahel::load_scenario(sahel::scenario_to_toml(s), "again.toml");
  EXPECT_EQ(sahel::scenario_to_toml(again), sahel::scenario_to_toml(s));
  EXPECT_NE(sahel::scenario_to_json(s).find("\"name\""), std::string::npos);
}

TEST(SahelScenario, ABundledScenarioWithBundledDataReadsBackFromAnyFile) {
  // The text `sahelsim scenario show siege-classroom` prints names its data "bundled:siege-classroom", so
  // it loads again as a file in any directory (a plain "siege-classroom" was looked for beside the file).
  const auto s = sahel::load_scenario_by_name_or_path("siege-classroom");
  const std::string text = sahel::scenario_to_toml(s);
  EXPECT_NE(text.find("data = 'bundled:siege-classroom'"), std::string::npos) << text;
  const auto again = sahel::load_scenario(text, "/nonexistent/dir/copy.toml", "/nonexistent/dir");
  EXPECT_EQ(again.map_origin, "bundled:siege-classroom");
  EXPECT_EQ(sahel::scenario_to_toml(again), text);
}

TEST(SahelScenario, AnUnknownBundledDataDirectoryListsTheBundledOnes) {
  const auto message = all(problems_of(std::string(minimal) + "[map]\ndata = \"bundled:nope\"\n"));
  EXPECT_NE(message.find("field 'map.data' = 'bundled:nope' cannot be used: no bundled data directory 'nope'"),
            std::string::npos) << message;
  EXPECT_NE(message.find("(bundled: siege-classroom)"), std::string::npos) << message;
}

TEST(SahelParameters, EveryParameterHasUnitDescriptionAndSource) {
  for (const auto& spec : sahel::sahel_parameters()) {
    EXPECT_FALSE(spec.unit.empty()) << spec.name;
    EXPECT_FALSE(spec.description.empty()) << spec.name;
    EXPECT_FALSE(spec.source.empty()) << spec.name;
  }
}

// Tests of the Sahel model's local rules (models/sahel/model/rules.hpp), one behaviour per test and
// rule ids of MECHANISMS.md in the comments. The rules are pure functions: the tests use their own
// numbers, and where a relation must also hold for the model's defaults they read the defaults from
// the parameter registry (never a copied default value).
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "models/sahel/model/rules.hpp"
#include "models/sahel/parameters.hpp"
#include "sahelsim/core/parameters.hpp"

namespace {

namespace rules = sahelsim::models::sahel::rules;
using rules::ControlClass;

double default_real(const std::string& name) {
  static const sahelsim::core::ParameterSet defaults(&sahelsim::models::sahel::sahel_parameters());
  return defaults.real(name);
}

// ---- control [R-i1] ------------------------------------------------------------------------------

TEST(SahelRulesControl, NobodyPresentIsNoneWhateverTheShare) {
  EXPECT_EQ(rules::control_class(0.0, false, false, false), ControlClass::none);
  EXPECT_EQ(rules::control_class(1.0, false, false, false), ControlClass::none);
}

TEST(SahelRulesControl, ClassesFollowTheStateShareThresholds) {
  EXPECT_EQ(rules::control_class(0.95, true, false, false), ControlClass::state_control);
  EXPECT_EQ(rules::control_class(0.80, true, false, false), ControlClass::state_control);
  EXPECT_EQ(rules::control_class(0.79, true, false, false), ControlClass::state_dominant);
  EXPECT_EQ(rules::control_class(0.60, true, false, false), ControlClass::state_dominant);
  EXPECT_EQ(rules::control_class(0.59, true, false, false), ControlClass::contested);
  EXPECT_EQ(rules::control_class(0.40, true, false, false), ControlClass::contested);
  EXPECT_EQ(rules::control_class(0.39, true, false, false), ControlClass::insurgent_support);
  EXPECT_EQ(rules::control_class(0.20, true, false, false), ControlClass::insurgent_support);
  EXPECT_EQ(rules::control_class(0.19, true, false, false), ControlClass::insurgent_control);
  EXPECT_EQ(rules::control_class(0.0, true, false, false), ControlClass::insurgent_control);
}

TEST(SahelRulesControl, MilitantLevyInAStateControlledPlaceMakesItOnlyStateDominant) {
  EXPECT_EQ(rules::control_class(0.9, true, true, false), ControlClass::state_dominant);
}

TEST(SahelRulesControl, DoubleTaxationIsContested) {
  // Both sides levy: contested, whatever the share between the insurgent-control and state-control bands.
  for (double s : {0.2, 0.3, 0.5, 0.7, 0.79})
    EXPECT_EQ(rules::control_class(s, true, true, true), ControlClass::contested) << "s = " << s;
}

TEST(SahelRulesControl, PresenceFallsLinearlyToZeroAtTheRadius) {
  EXPECT_DOUBLE_EQ(rules::presence(100, 0, 40), 100.0);
  EXPECT_DOUBLE_EQ(rules::presence(100, 20, 40), 50.0);
  EXPECT_DOUBLE_EQ(rules::presence(100, 40, 40), 0.0);
  EXPECT_DOUBLE_EQ(rules::presence(100, 60, 40), 0.0);
}

// ---- taxation and punishment [R-a1, R-a3] -------------------------------------------------------

TEST(SahelRulesTaxation, ComplianceRisesWithMilitantDominance) {
  double previous = -1.0;
  for (double s = 1.0; s >= 0.0; s -= 0.1) {
    const double p = rules::compliance_probability(s, 0.2, 0.6);
    EXPECT_GE(p, previous) << "state share " << s;
    previous = p;
  }
  EXPECT_DOUBLE_EQ(rules::compliance_probability(1.0, 0.5, 0.5), 0.0);  // no militant presence, no payment
  EXPECT_GT(rules::compliance_probability(0.2, 0.2, 0.6), rules::compliance_probability(0.5, 0.2, 0.6));
}

TEST(SahelRulesTaxation, ComplianceRisesWithFear) {
  EXPECT_GT(rules::compliance_probability(0.5, 0.6, 0.6), rules::compliance_probability(0.5, 0.1, 0.6));
}

TEST(SahelRulesTaxation, ComplianceFallsWithLegitimacy) {
  EXPECT_LT(rules::compliance_probability(0.5, 0.3, 0.9), rules::compliance_probability(0.5, 0.3, 0.1));
}

TEST(SahelRulesTaxation, ComplianceIsAProbability) {
  for (double s : {0.0, 0.5, 1.0})
    for (double fear : {0.0, 0.5, 1.0})
      for (double l : {0.0, 0.5, 1.0}) {
        const double p = rules::compliance_probability(s, fear, l);
        EXPECT_GE(p, 0.0);
        EXPECT_LE(p, 1.0);
      }
}

TEST(SahelRulesTaxation, ExecutionShareIsHigherWhereTheStateDominates) {
  const double base = 0.1;
  EXPECT_GT(rules::execution_share(base, 0.9), rules::execution_share(base, 0.1));
  EXPECT_DOUBLE_EQ(rules::execution_share(base, 0.0), base);
  EXPECT_DOUBLE_EQ(rules::execution_share(base, 1.0), 2 * base);
  EXPECT_LE(rules::execution_share(0.8, 1.0), 1.0);
}

// ---- fuel prices and demand [R-e1, R-e2] --------------------------------------------------------

TEST(SahelRulesFuel, NoShortageAtOrAboveTheReferenceCover) {
  EXPECT_DOUBLE_EQ(rules::fuel_shortage(7.0, 7.0), 0.0);
  EXPECT_DOUBLE_EQ(rules::fuel_shortage(30.0, 7.0), 0.0);
}

TEST(SahelRulesFuel, FullShortageWithAnEmptyStock) {
  EXPECT_DOUBLE_EQ(rules::fuel_shortage(0.0, 7.0), 1.0);
  EXPECT_DOUBLE_EQ(rules::fuel_shortage(-2.0, 7.0), 1.0);  // an overdrawn stock is still just empty
}

TEST(SahelRulesFuel, ShortageGrowsAsCoverFalls) {
  EXPECT_GT(rules::fuel_shortage(2.0, 7.0), rules::fuel_shortage(5.0, 7.0));
  EXPECT_NEAR(rules::fuel_shortage(3.5, 7.0), 0.5, 1e-12);
}

TEST(SahelRulesFuel, PriceIsOfficialWithoutShortage) {
  EXPECT_DOUBLE_EQ(rules::fuel_price(775.0, 0.0, 3.0, 1.5), 775.0);
}

TEST(SahelRulesFuel, PriceNeverExceedsTheMaximumPremium) {
  const double official = 775.0, premium = 3.0;
  for (double shortage : {0.0, 0.1, 0.5, 0.9, 1.0, 2.0}) {
    const double price = rules::fuel_price(official, shortage, premium, 1.5);
    EXPECT_GE(price, official);
    EXPECT_LE(price, (1.0 + premium) * official * (1 + 1e-12)) << "shortage " << shortage;
  }
  EXPECT_DOUBLE_EQ(rules::fuel_price(official, 1.0, premium, 1.5), (1.0 + premium) * official);
}

TEST(SahelRulesFuel, PriceRisesWithShortage) {
  EXPECT_GT(rules::fuel_price(775.0, 0.6, 3.0, 1.5), rules::fuel_price(775.0, 0.3, 3.0, 1.5));
}

TEST(SahelRulesFuel, DemandIsNormalAtTheOfficialPriceWithAmpleStock) {
  EXPECT_DOUBLE_EQ(rules::demand_factor(775.0, 775.0, -0.2, 30.0, 3.0), 1.0);
}

TEST(SahelRulesFuel, DemandFallsWithPrice) {
  const double at_double = rules::demand_factor(2 * 775.0, 775.0, -0.2, 30.0, 3.0);
  const double at_triple = rules::demand_factor(3 * 775.0, 775.0, -0.2, 30.0, 3.0);
  EXPECT_LT(at_double, 1.0);
  EXPECT_LT(at_triple, at_double);
  EXPECT_NEAR(at_double, std::pow(2.0, -0.2), 1e-12);
}

TEST(SahelRulesFuel, RationingCutsDemandInProportionToCover) {
  const double normal = rules::demand_factor(775.0, 775.0, -0.2, 10.0, 3.0);
  const double rationed = rules::demand_factor(775.0, 775.0, -0.2, 1.5, 3.0);
  EXPECT_DOUBLE_EQ(normal, 1.0);
  EXPECT_NEAR(rationed, 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(rules::demand_factor(775.0, 775.0, -0.2, 0.0, 3.0), 0.0);
}

// ---- electricity [R-f1, R-f2] --------------------------------------------------------------------

TEST(SahelRulesElectricity, FullDayWhenSupplyCoversDemand) {
  EXPECT_DOUBLE_EQ(rules::electricity_hours(300, 700, 1000), 24.0);
  EXPECT_DOUBLE_EQ(rules::electricity_hours(600, 700, 1000), 24.0);
  EXPECT_DOUBLE_EQ(rules::electricity_hours(0, 0, 0), 24.0);  // no demand to meet
}

TEST(SahelRulesElectricity, HoursProportionalToSupplyWhenShort) {
  EXPECT_DOUBLE_EQ(rules::electricity_hours(200, 300, 1000), 12.0);
  EXPECT_DOUBLE_EQ(rules::electricity_hours(250, 0, 1000), 6.0);
  EXPECT_DOUBLE_EQ(rules::electricity_hours(0, 0, 1000), 0.0);
}

// ---- convoy ambushes [R-d2, R-d3] ----------------------------------------------------------------

struct AmbushParameters {
  double a, b, cover, break_fraction, loss_breaks, loss_holds, loss_unescorted;
};
const AmbushParameters kAmbush{0.05, 0.02, 0.5, 0.8, 0.45, 0.05, 0.9};

rules::AmbushOutcome engage(double attackers, double escort, const AmbushParameters& p = kAmbush) {
  return rules::ambush_engagement(attackers, escort, p.a, p.b, p.cover, p.break_fraction, p.loss_breaks, p.loss_holds,
                                  p.loss_unescorted);
}

TEST(SahelRulesAmbush, EscortedConvoyLosesASmallerFractionThanAnUnescortedOne) {
  // MUST-SHOW (issue): the same attackers against the same convoy, with and without an escort.
  for (double attackers : {10.0, 50.0, 100.0, 300.0}) {
    const auto unescorted = engage(attackers, 0.0);
    const auto escorted = engage(attackers, 120.0);
    EXPECT_DOUBLE_EQ(unescorted.loss_fraction, kAmbush.loss_unescorted);
    EXPECT_LT(escorted.loss_fraction, unescorted.loss_fraction) << attackers << " attackers";
  }
}

TEST(SahelRulesAmbush, EscortLowersLossesWithTheDefaultParameters) {
  // The same relation for the model's own parameters, whether the escort holds or breaks.
  const AmbushParameters defaults{default_real("ambush_fire_rate"), default_real("escort_fire_rate"), 0.5,
                                  default_real("escort_break_fraction"), default_real("loss_fraction_escort_breaks"),
                                  default_real("loss_fraction_escort_holds"), default_real("loss_fraction_unescorted")};
  const double escort = default_real("escort_troops_per_convoy");
  for (double attackers : {5.0, 20.0, 60.0, 150.0, 400.0, 1000.0}) {
    const auto unescorted = engage(attackers, 0.0, defaults);
    const auto escorted = engage(attackers, escort, defaults);
    EXPECT_LT(escorted.loss_fraction, unescorted.loss_fraction) << attackers << " attackers, escort " << escort;
  }
}

TEST(SahelRulesAmbush, UnescortedConvoyFightsNoBattle) {
  const auto out = engage(100.0, 0.0);
  EXPECT_FALSE(out.escort_broke);
  EXPECT_DOUBLE_EQ(out.escort_killed, 0.0);
  EXPECT_DOUBLE_EQ(out.attackers_killed, 0.0);
}

TEST(SahelRulesAmbush, LargeAmbushBreaksASmallEscort) {
  const auto out = engage(200.0, 20.0);
  EXPECT_TRUE(out.escort_broke);
  EXPECT_DOUBLE_EQ(out.loss_fraction, kAmbush.loss_breaks);
  EXPECT_GT(out.escort_killed, (1.0 - kAmbush.break_fraction) * 20.0);
}

TEST(SahelRulesAmbush, StrongEscortHoldsAgainstASmallBand) {
  const auto out = engage(10.0, 200.0);
  EXPECT_FALSE(out.escort_broke);
  EXPECT_DOUBLE_EQ(out.loss_fraction, kAmbush.loss_holds);
  EXPECT_GE(out.attackers_killed, 5.0);  // the band withdraws once it has lost half
  EXPECT_LT(out.escort_killed, (1.0 - kAmbush.break_fraction) * 200.0);
}

TEST(SahelRulesAmbush, CasualtiesNeverExceedTheForcesEngaged) {
  for (double attackers : {1.0, 30.0, 1000.0})
    for (double escort : {1.0, 50.0, 2000.0}) {
      const auto out = engage(attackers, escort);
      EXPECT_GE(out.escort_killed, 0.0);
      EXPECT_LE(out.escort_killed, escort + 1e-9);
      EXPECT_GE(out.attackers_killed, 0.0);
      EXPECT_LE(out.attackers_killed, attackers + 1e-9);
    }
}

TEST(SahelRulesAmbush, CoverProtectsTheAttackers) {
  // Area fire at concealed attackers (Deitchman): cover halves the escort's effect.
  AmbushParameters open = kAmbush, covered = kAmbush;
  open.cover = 1.0;
  covered.cover = 0.5;
  EXPECT_LT(engage(60.0, 120.0, covered).attackers_killed, engage(60.0, 120.0, open).attackers_killed);
}

// ---- garrison assaults [R-h2] --------------------------------------------------------------------

TEST(SahelRulesOverrun, EvenOddsAtTheMidpointRatioWithoutAir) {
  EXPECT_NEAR(rules::overrun_probability(120, 100, 1.2, 3.0, false, 0.6), 0.5, 1e-12);
  EXPECT_NEAR(rules::overrun_probability(300, 100, 3.0, 0.5, false, 0.6), 0.5, 1e-12);
}

TEST(SahelRulesOverrun, IncreasesWithTheForceRatio) {
  double previous = 0.0;
  for (double attackers : {20.0, 50.0, 100.0, 150.0, 300.0, 1000.0}) {
    const double p = rules::overrun_probability(attackers, 100, 1.2, 3.0, false, 0.6);
    EXPECT_GT(p, previous) << attackers << " attackers";
    EXPECT_LE(p, 1.0);
    previous = p;
  }
}

TEST(SahelRulesOverrun, AirSupportLowersIt) {
  const double without = rules::overrun_probability(150, 100, 1.2, 3.0, false, 0.6);
  const double with = rules::overrun_probability(150, 100, 1.2, 3.0, true, 0.6);
  EXPECT_LT(with, without);
  EXPECT_NEAR(with, without * (1.0 - 0.6), 1e-12);
}

TEST(SahelRulesOverrun, EmptyPostFallsAndNoAttackersTakeNothing) {
  EXPECT_DOUBLE_EQ(rules::overrun_probability(10, 0, 1.2, 3.0, false, 0.6), 1.0);
  EXPECT_DOUBLE_EQ(rules::overrun_probability(0, 100, 1.2, 3.0, false, 0.6), 0.0);
}

// ---- legitimacy [R-c1, R-c2, R-c3] ---------------------------------------------------------------

// Weights with every input active and a shock half-life so long that relaxation is negligible over a
// day, so one day's update shows the input's own effect.
rules::LegitimacyWeights slow_weights() {
  rules::LegitimacyWeights w{};
  w.abuse = 0.05;
  w.protect = 0.02;
  w.fail = 0.03;
  w.price = 0.002;
  w.power = 0.002;
  w.insurgent_abuse = 0.05;
  w.asym_gain = 0.25;
  w.diffusion = 0.0;
  w.shock_half_life_days = 1e9;
  w.baseline_days = 1e9;
  return w;
}

// One day from L = B = 0.5 with neighbours at the same level (no pull) and `in` otherwise.
double one_day(rules::LegitimacyInputs in, const rules::LegitimacyWeights& w = slow_weights()) {
  double l = 0.5, baseline = 0.5;
  in.neighbour_mean = 0.5;
  rules::update_legitimacy(l, baseline, in, w);
  return l;
}

TEST(SahelRulesLegitimacy, QuietDayLeavesItUnchanged) {
  EXPECT_NEAR(one_day({}), 0.5, 1e-12);
}

TEST(SahelRulesLegitimacy, StateAbuseLowersIt) {
  rules::LegitimacyInputs in;
  in.state_killed_nearby = 2.0;
  EXPECT_LT(one_day(in), 0.5);
  EXPECT_NEAR(0.5 - one_day(in), 2.0 * slow_weights().abuse, 1e-6);
}

TEST(SahelRulesLegitimacy, ProtectionRaisesIt) {
  rules::LegitimacyInputs in;
  in.protected_events = 1.0;
  EXPECT_GT(one_day(in), 0.5);
}

TEST(SahelRulesLegitimacy, FailureToRespondLowersIt) {
  rules::LegitimacyInputs in;
  in.failed_events = 1.0;
  EXPECT_LT(one_day(in), 0.5);
}

TEST(SahelRulesLegitimacy, HighFuelPricesAndPowerCutsLowerIt) {
  rules::LegitimacyInputs price, power;
  price.price_ratio = 3.0;
  power.power_shortfall = 0.5;
  EXPECT_LT(one_day(price), 0.5);
  EXPECT_LT(one_day(power), 0.5);
  rules::LegitimacyInputs cheap;
  cheap.price_ratio = 0.8;  // a price below the official one is no reward
  EXPECT_NEAR(one_day(cheap), 0.5, 1e-12);
}

TEST(SahelRulesLegitimacy, InsurgentAbuseRaisesItOnlyByTheAsymmetricGain) {
  // R-c2: the militants lose insurgent_abuse × killed of support; the state gains asym_gain of that.
  const auto w = slow_weights();
  rules::LegitimacyInputs in;
  in.insurgent_killed_nearby = 2.0;
  const double gain = one_day(in) - 0.5;
  const double militant_loss = w.insurgent_abuse * 2.0;
  EXPECT_GT(gain, 0.0);
  EXPECT_LT(gain, militant_loss);
  EXPECT_NEAR(gain, w.asym_gain * militant_loss, 1e-6);
}

TEST(SahelRulesLegitimacy, InsurgentAbuseGainsLessThanEqualStateAbuseCosts) {
  rules::LegitimacyInputs state, insurgent;
  state.state_killed_nearby = 3.0;
  insurgent.insurgent_killed_nearby = 3.0;
  EXPECT_LT(one_day(insurgent) - 0.5, 0.5 - one_day(state));
}

TEST(SahelRulesLegitimacy, ShockHalvesInItsHalfLife) {
  // R-c3: with a baseline that barely moves, the deviation after half_life quiet days is half.
  auto w = slow_weights();
  w.shock_half_life_days = 28.0;
  w.baseline_days = 1e9;
  double l = 0.3, baseline = 0.5;  // a shock of -0.2
  for (int day = 0; day < 28; ++day) {
    rules::LegitimacyInputs quiet;
    quiet.neighbour_mean = l;
    rules::update_legitimacy(l, baseline, quiet, w);
  }
  EXPECT_NEAR(baseline - l, 0.1, 1e-3);
}

TEST(SahelRulesLegitimacy, ShockRoughlyHalvesInItsHalfLifeWithTheDefaultBaseline) {
  // With the default baseline time the baseline follows a little: the deviation from the old
  // baseline still roughly halves (between a third and two thirds remain) and keeps shrinking.
  auto w = slow_weights();
  w.shock_half_life_days = default_real("legitimacy_shock_half_life_days");
  w.baseline_days = default_real("legitimacy_baseline_days");
  const double baseline0 = 0.5;
  double l = 0.3, baseline = baseline0;
  const int half_life = int(std::lround(w.shock_half_life_days));
  for (int day = 0; day < half_life; ++day) {
    rules::LegitimacyInputs quiet;
    quiet.neighbour_mean = l;
    rules::update_legitimacy(l, baseline, quiet, w);
  }
  const double remaining = (baseline0 - l) / 0.2;
  EXPECT_GT(remaining, 1.0 / 3.0);
  EXPECT_LT(remaining, 2.0 / 3.0);
  EXPECT_GT(baseline - l, 0.0);
  EXPECT_LT(baseline - l, baseline0 - l);
}

TEST(SahelRulesLegitimacy, NeighboursPullItTowardTheirMean) {
  auto w = slow_weights();
  w.diffusion = 0.01;
  for (double neighbours : {0.9, 0.1}) {
    double l = 0.5, baseline = 0.5;
    rules::LegitimacyInputs in;
    in.neighbour_mean = neighbours;
    rules::update_legitimacy(l, baseline, in, w);
    if (neighbours > 0.5) EXPECT_GT(l, 0.5);
    else EXPECT_LT(l, 0.5);
    EXPECT_NEAR(l - 0.5, w.diffusion * (neighbours - 0.5), 1e-6);
  }
}

TEST(SahelRulesLegitimacy, StaysWithinZeroAndOne) {
  auto w = slow_weights();
  rules::LegitimacyInputs massacre, rescue;
  massacre.state_killed_nearby = 100.0;
  rescue.protected_events = 100.0;
  for (const auto& in : {massacre, rescue}) {
    double l = 0.5, baseline = 0.5;
    rules::update_legitimacy(l, baseline, in, w);
    EXPECT_GE(l, 0.0);
    EXPECT_LE(l, 1.0);
    EXPECT_GE(baseline, 0.0);
    EXPECT_LE(baseline, 1.0);
  }
}

// ---- recruitment [R-b1, R-b4] --------------------------------------------------------------------

TEST(SahelRulesRecruitment, NoPressureBelowTheThreshold) {
  EXPECT_DOUBLE_EQ(rules::net_join_pressure(0.05, 0.0, 0.0, 2.3, 0.1), 0.0);
  EXPECT_DOUBLE_EQ(rules::net_join_pressure(0.1, 0.0, 0.0, 2.3, 0.1), 0.0);
  // Risk from state presence can push a grievance above the threshold back below it.
  EXPECT_GT(rules::net_join_pressure(0.3, 0.5, 0.0, 2.3, 0.1), 0.0);
  EXPECT_DOUBLE_EQ(rules::net_join_pressure(0.3, 0.5, 1.0, 2.3, 0.1), 0.0);
}

TEST(SahelRulesRecruitment, PressureFallsWithStateShare) {
  double previous = 1e9;
  for (double s = 0.0; s <= 1.0; s += 0.1) {
    const double p = rules::net_join_pressure(0.6, 0.4, s, 2.3, 0.1);
    EXPECT_LT(p, previous) << "state share " << s;
    previous = p;
  }
}

TEST(SahelRulesRecruitment, PressureIsTheGrievanceAboveThresholdWithoutStatePresence) {
  EXPECT_NEAR(rules::net_join_pressure(0.6, 0.4, 0.0, 2.3, 0.1), 0.5, 1e-12);
}

TEST(SahelRulesRecruitment, GrievanceIsHardshipTimesDistrust) {
  EXPECT_DOUBLE_EQ(rules::grievance(0.8, 0.25), 0.6);
  EXPECT_DOUBLE_EQ(rules::grievance(0.8, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(rules::grievance(0.0, 0.0), 0.0);
  EXPECT_GT(rules::grievance(0.8, 0.2), rules::grievance(0.8, 0.6));
}

// ---- displacement [R-g1] -------------------------------------------------------------------------

TEST(SahelRulesDisplacement, FleeProbabilityAddsTheTermsThatApply) {
  EXPECT_DOUBLE_EQ(rules::flee_probability(0.001, 0.01, 0.002, false, false), 0.001);
  EXPECT_DOUBLE_EQ(rules::flee_probability(0.001, 0.01, 0.002, true, false), 0.011);
  EXPECT_DOUBLE_EQ(rules::flee_probability(0.001, 0.01, 0.002, false, true), 0.003);
  EXPECT_DOUBLE_EQ(rules::flee_probability(0.001, 0.01, 0.002, true, true), 0.013);
}

TEST(SahelRulesDisplacement, FleeProbabilityIsCappedAtOne) {
  EXPECT_DOUBLE_EQ(rules::flee_probability(0.5, 0.4, 0.3, true, true), 1.0);
}

}  // namespace

// Tests of the Epstein model with models/epstein/batched_draws.hpp's vector kernel (set_vector_kernels):
// on a CPU with AVX-512 the moves' tries run in vector lanes; every step must leave exactly the state
// the portable code leaves, whatever the rules, the lattice and the thread count. Skipped (and
// saying so) on a CPU without AVX-512, where only the portable code exists.
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "models/epstein/batched_draws.hpp"
#include "models/registry.hpp"

namespace {

using sahelsim::core::ParameterSet;
using sahelsim::models::find_model;
namespace epstein = sahelsim::models::epstein;

using Settings = std::map<std::string, std::string>;

struct KernelCase {
  std::string label;
  std::string model;
  Settings settings;
};
void PrintTo(const KernelCase& c, std::ostream* out) { *out << c.label; }
std::string case_name(const ::testing::TestParamInfo<KernelCase>& info) { return info.param.label; }

/// The state hash before the first and after each of `steps` synchronous steps.
using Trace = std::vector<std::uint64_t>;

Trace trace(const KernelCase& c, bool vector_kernels, int threads, int steps) {
  epstein::set_vector_kernels(vector_kernels);
  const auto& entry = find_model(c.model);
  ParameterSet parameters(entry.parameters);
  for (const auto& [key, value] : c.settings) parameters.set_from_text(key, value);
  parameters.set_from_text("activation", "synchronous");
  const std::unique_ptr<sahelsim::core::Model> model = entry.make(parameters, 23, threads);
  Trace hashes = {model->state_hash()};
  for (int step = 0; step < steps; ++step) {
    model->step();
    hashes.push_back(model->state_hash());
  }
  epstein::set_vector_kernels(true);
  return hashes;
}

class EpsteinVectorKernels : public ::testing::TestWithParam<KernelCase> {
 protected:
  void SetUp() override {
    epstein::set_vector_kernels(true);
    if (!epstein::vector_kernels_active()) GTEST_SKIP() << "this CPU has no AVX-512: only the portable code runs";
  }
};

TEST_P(EpsteinVectorKernels, LeaveTheSameStateAsThePortableCodeAfterEveryStep) {
  const int steps = 40;
  const Trace portable = trace(GetParam(), false, 1, steps);
  for (int threads : {1, 3}) {
    const Trace vector = trace(GetParam(), true, threads, steps);
    ASSERT_EQ(vector.size(), portable.size());
    for (std::size_t step = 0; step < portable.size(); ++step)
      ASSERT_EQ(vector[step], portable[step])
          << "vector kernels on " << threads << " threads differ from the portable code at step " << step;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, EpsteinVectorKernels,
    ::testing::Values(
        KernelCase{"Run2On40x40", "epstein", {}},
        KernelCase{"ManyActivesOnAThinTorus37x23", "epstein",
                   {{"width", "37"}, {"height", "23"}, {"legitimacy", "0.6"}}},
        KernelCase{"Bounded45x31", "epstein", {{"width", "45"}, {"height", "31"}, {"topology", "bounded"}, {"legitimacy", "0.7"}}},
        KernelCase{"FloorRuleSelfOnceVonNeumann", "epstein",
                   {{"arrest_rule", "floor"}, {"active_self_count", "once"}, {"neighborhood", "von_neumann"},
                    {"legitimacy", "0.7"}}},
        KernelCase{"RoundRuleMooreVision3", "epstein",
                   {{"arrest_rule", "round"}, {"neighborhood", "moore"}, {"citizen_vision", "3"}, {"cop_vision", "5"},
                    {"legitimacy", "0.7"}}},
        KernelCase{"DenseWithLegitimacyJump", "epstein",
                   {{"citizen_density", "0.9"}, {"cop_density", "0.05"}, {"legitimacy_schedule", "jump"},
                    {"legitimacy_change_step", "10"}, {"legitimacy_target", "0.5"}}},
        KernelCase{"HoldCellDecideFirstOn120x100", "epstein",
                   {{"width", "120"}, {"height", "100"}, {"jailed_hold_cell", "true"}, {"action_order", "decide_then_move"},
                    {"legitimacy", "0.75"}}},
        KernelCase{"TorusSmallerThanTheVision9x11", "epstein", {{"width", "9"}, {"height", "11"}, {"legitimacy", "0.7"}}},
        KernelCase{"EthnicWithCops", "epstein-ethnic", {{"cop_density", "0.04"}}}),
    case_name);

}  // namespace

#include "models/sahel/parameters.hpp"

namespace sahelsim::models::sahel {
namespace {

using core::ParameterSpec;

using core::spec::real;
using core::spec::integer;

const char* const kModel = "SAHEL-MODEL.md (Agents)";

std::vector<ParameterSpec> make_parameters() {
  return {
      real("tanker_capacity_litres", "L", 46000, 1000, 100000, "fuel carried by one tanker truck",
           "SAHEL-MODEL.md (Markets: about 46,000 litres a tanker)"),
      integer("max_tankers_per_day", "tankers/day", 200, 0, 10000,
              "tankers that can enter Mali in one day before the blockade, all corridors together",
              "SAHEL-MODEL.md (Markets: up to about 200 tankers a day)"),
      real("fuel_price_fcfa_per_litre", "FCFA/L", 775, 1, 100000,
           "official pump price of petrol at the start of the run",
           "facts.md §3.4 (official pump prices about 775 FCFA/L petrol, 725 diesel)"),
      real("security_stock_days", "days", 3, 0, 365,
           "national fuel security stock at the start, in days of normal consumption",
           "initial-conditions.md §1 (security stock about 3 days; depots under a week)"),
      real("bamako_electricity_hours_per_day", "h/day", 19, 0, 24,
           "hours of electricity a day in Bamako before the blockade",
           "SAHEL-MODEL.md calibration target 2 (about 19 h/day, EDM via AFP)"),
      real("zakat_harvest_share", "1", 0.1, 0, 1,
           "share of a village's harvest that militants levy as zakat",
           "SAHEL-MODEL.md (Militants: a tenth of a harvest)"),
      real("zakat_cattle_share", "1", 0.02, 0, 1,
           "share of a village's cattle that militants levy as zakat",
           "SAHEL-MODEL.md (Militants: one head of cattle in fifty)"),
      integer("militant_band_min_fighters", "fighters", 10, 1, 10000,
              "smallest band of militant fighters", kModel),
      integer("militant_band_max_fighters", "fighters", 200, 1, 10000,
              "largest band of militant fighters", kModel),
  };
}

}  // namespace

const std::vector<ParameterSpec>& sahel_parameters() {
  static const std::vector<ParameterSpec> specs = make_parameters();
  return specs;
}

}  // namespace sahelsim::models::sahel

// Towns of towns.csv with their 2022 populations (method in settlements.hpp).
#include <algorithm>
#include <cmath>
#include <map>

#include "models/sahel/world/settlements.hpp"

namespace sahelsim::models::sahel {

using core::DataError;
using core::format_real;
using core::quoted_value;

namespace {

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    std::string name = text.substr(start, end - start);
    const auto first = name.find_first_not_of(' ');
    const auto last = name.find_last_not_of(' ');
    if (first != std::string::npos) names.push_back(name.substr(first, last - first + 1));
    start = end + 1;
  }
  return names;
}

}  // namespace

std::vector<Town> read_towns(const DataPack& data, const std::vector<std::string>& country_names,
                             const std::vector<std::string>& region_names,
                             const std::vector<std::int64_t>& region_populations) {
  const auto& table = data.towns();
  const std::size_t name = table.column("name"), alt = table.column("alt_names"),
                    country = table.column("country"), admin1 = table.column("admin1"),
                    lat = table.column("lat"), lon = table.column("lon"),
                    population = table.column("population"), year = table.column("pop_year"),
                    scope = table.column("pop_scope"), role = table.column("role");
  if (table.row_count() == 0) throw DataError(table.source_name() + ": no towns: the map needs at least one Malian town");

  std::vector<Town> towns;
  for (std::size_t row = 0; row < table.row_count(); ++row) {
    Town town;
    town.row = row;
    town.name = table.required_text(row, name);
    town.alt_names = split_names(table.text(row, alt));
    town.country = table.required_text(row, country);
    for (std::size_t c = 0; c < country_names.size(); ++c)
      if (country_names[c] == town.country) town.country_index = static_cast<int>(c);
    town.in_mali = town.country == "Mali";
    town.admin1 = table.text(row, admin1);
    town.position = {table.real(row, lon, -180, 180), table.real(row, lat, -90, 90)};
    town.source_population = table.optional_real(row, population, 0, 1e9);
    town.pop_year = static_cast<int>(table.optional_integer(row, year, 1800, 2100).value_or(0));
    town.role = table.text(row, role);
    if (town.in_mali) {
      for (std::size_t r = 0; r < region_names.size(); ++r)
        if (region_names[r] == town.admin1) town.region = static_cast<int>(r);
      if (town.region < 0)
        throw table.field_error(row, admin1, "is not a region of regions.csv (every Malian town's "
                                             "admin1 must be a regions.csv `region`)");
    }
    towns.push_back(std::move(town));
  }
  if (std::none_of(towns.begin(), towns.end(), [](const Town& t) { return t.in_mali; }))
    throw DataError(table.source_name() + ": no town has country 'Mali': the map needs Malian towns");

  // 2022 populations, districts last (a district takes what its region's other towns leave).
  std::vector<std::int64_t> in_towns(region_names.size(), 0);
  std::vector<int> district_of_region(region_names.size(), -1);
  for (Town& town : towns) {
    if (!town.in_mali) continue;
    const std::size_t row = town.row;
    if (table.text(row, scope).rfind("district", 0) == 0) {
      if (district_of_region[town.region] >= 0)
        throw table.field_error(row, scope, "is not allowed: region " + quoted_value(town.admin1) +
                                                " already has a district town (" +
                                                towns[district_of_region[town.region]].name + ")");
      district_of_region[town.region] = static_cast<int>(&town - towns.data());
      continue;
    }
    if (!town.source_population) {
      town.population_2022 = assumed_town_population;
      town.population_basis = "ASSUMED 5,000 (no figure in towns.csv)";
    } else if (town.pop_year == 2009) {
      town.population_2022 = std::llround(*town.source_population * national_population_2022 /
                                          national_population_2009);
      town.population_basis = "2009 figure x national growth 2009-2022 (22,395,485 / 14,528,662)";
    } else if (town.pop_year > 0) {
      town.population_2022 = std::llround(*town.source_population *
                                          std::pow(1.0 + annual_growth, 2022 - town.pop_year));
      town.population_basis = std::to_string(town.pop_year) + " figure x 1.033 per year to 2022";
    } else {
      town.population_2022 = std::llround(*town.source_population);
      town.population_basis = "figure without a year, used as is";
    }
    in_towns[town.region] += town.population_2022;
  }
  for (std::size_t r = 0; r < region_names.size(); ++r) {
    const int district = district_of_region[r];
    if (in_towns[r] > region_populations[r] ||
        (district >= 0 && in_towns[r] >= region_populations[r]))
      throw DataError(table.source_name() + ": the towns of region " + quoted_value(region_names[r]) +
                      " hold " + std::to_string(in_towns[r]) + " people in 2022" +
                      (district >= 0 ? " besides its district town " + towns[district].name : std::string()) +
                      ", more than its " + std::to_string(region_populations[r]) + " in regions.csv");
    if (district >= 0) {
      towns[district].population_2022 = region_populations[r] - in_towns[r];
      towns[district].population_basis = "district: the region's regions.csv figure minus its other towns";
    }
  }
  return towns;
}

}  // namespace sahelsim::models::sahel

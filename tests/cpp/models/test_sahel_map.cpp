// Tests of models/sahel/world: the embedded data pack, the map's layers, towns, villages, roads,
// corridors and movement costs. The documented road distances are the checks (Bamako–Kayes
// 614 km, Ségou 235, Mopti 635, Gao 1,192, Sikasso 364, within 3 %).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "models/sahel/world/climate.hpp"
#include "models/sahel/world/data_pack.hpp"
#include "models/sahel/world/embedded_data.hpp"
#include "models/sahel/world/sahel_map.hpp"
#include "models/sahel/world/travel.hpp"

namespace {

namespace fs = std::filesystem;
using sahelsim::core::DataError;
using namespace sahelsim::models::sahel;

const SahelMap& map_5km() {
  static const SahelMap map = SahelMap::build(DataPack::embedded(), {5.0, 0});
  return map;
}

int town_index(const SahelMap& map, const std::string& name) {
  for (std::size_t t = 0; t < map.towns().size(); ++t)
    if (map.towns()[t].name == name) return static_cast<int>(t);
  return -1;
}

double population_sum(const SahelMap& map) {
  double total = 0.0;
  for (const float people : map.layers().population) total += people;
  return total;
}

// Writes the embedded pack to a fresh directory, with `edit` applied to one file's text.
fs::path pack_directory(const std::string& name, const std::string& file = "",
                        std::string (*edit)(std::string) = nullptr) {
  const fs::path dir = fs::temp_directory_path() / ("sahelsim-test-pack-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& file_name : DataPack::file_names) {
    std::string text(embedded_file(file_name));
    if (edit && file_name == file) text = edit(text);
    std::ofstream(dir / std::string(file_name), std::ios::binary) << text;
  }
  return dir;
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string thrown_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& error) {
    return error.what();
  }
  return "";
}

TEST(SahelEmbeddedData, HoldsEveryFileOfThePackVerbatim) {
  for (const auto& name : DataPack::file_names) {
    ASSERT_TRUE(has_embedded_file(name)) << name;
    EXPECT_GT(embedded_file(name).size(), 1000u) << name;
  }
  // The verbatim copies keep the checksums listed in data/sahel/README.md.
  EXPECT_EQ(embedded_file_sha256("towns.csv"), "923cb04f6334a1335ac0a18acebc0ced0d9c65b08115a0b7d7180f0689ef33cd");
  EXPECT_EQ(embedded_file_sha256("routes.csv"), "1ec18d98fb83953e395f168eace0a3d077f561ebada6e4fd22d2b02f814fb55f");
  EXPECT_EQ(embedded_file_sha256("borders.geojson"), "53a3e51af90de263820abec8a89e3d58e130a54fdfce35dc1e7dc0ee07059ca8");
  EXPECT_THROW(embedded_file("facts.md"), std::out_of_range);
}

TEST(SahelDataPack, UserDirectoryWithTheSameFilesBuildsTheSameMap) {
  const fs::path dir = pack_directory("copy");
  const SahelMap from_directory = SahelMap::build(DataPack::from_directory(dir.string()), {5.0, 0});
  EXPECT_EQ(from_directory.state_hash(), map_5km().state_hash());
  fs::remove_all(dir);
}

TEST(SahelDataPack, MissingFileIsAnErrorNamingIt) {
  const fs::path dir = pack_directory("missing");
  fs::remove(dir / "terrain.geojson");
  const std::string message = thrown_message([&] { DataPack::from_directory(dir.string()); });
  EXPECT_NE(message.find((dir / "terrain.geojson").string()), std::string::npos) << message;
  fs::remove_all(dir);
}

TEST(SahelDataPack, MalformedFileIsAnErrorNamingFileAndLine) {
  const fs::path dir = pack_directory("bad-lat", "towns.csv", [](std::string text) {
    return replace_once(text, "12.6429,-8.0021", "95.2,-8.0021");  // Bamako's latitude
  });
  const std::string message = thrown_message([&] { SahelMap::build(DataPack::from_directory(dir.string())); });
  EXPECT_NE(message.find("towns.csv:2: column 'lat' = '95.2'"), std::string::npos) << message;
  fs::remove_all(dir);
}

TEST(SahelMapOptions, CellSizeOutsideTwoToTwentyKmIsRejectedNamingValueAndRange) {
  for (const double bad : {1.9, 20.5, 0.0, -5.0, std::nan("")}) {
    const std::string message = thrown_message([&] { SahelMap::build(DataPack::embedded(), {bad, 0}); });
    EXPECT_NE(message.find("cell_km = "), std::string::npos) << bad;
    EXPECT_NE(message.find("[2, 20]"), std::string::npos) << message;
  }
}

TEST(SahelMapGrid, CoversMaliWithABorderStripAndRowZeroNorth) {
  const auto& grid = map_5km().grid();
  EXPECT_LE(grid.extent().west_lon, -12.28 - 0.49);
  EXPECT_GE(grid.extent().east_lon, 4.23 + 0.49);
  EXPECT_LE(grid.extent().south_lat, 10.14 - 0.49);
  EXPECT_GE(grid.extent().north_lat, 25.0 + 0.49);
  EXPECT_GT(grid.centre_lat(0), grid.centre_lat(grid.rows() - 1));
  EXPECT_EQ(map_5km().layers().population.size(), static_cast<std::size_t>(grid.cell_count()));
}

TEST(SahelMapTowns, EveryMalianTownLandsInAMaliCell) {
  for (const double cell_km : {2.0, 5.0, 10.0, 20.0}) {
    const SahelMap map = SahelMap::build(DataPack::embedded(), {cell_km, 0});
    for (const Town& town : map.towns()) {
      if (!town.in_mali) continue;
      ASSERT_GE(town.cell, 0) << town.name << " at " << cell_km << " km";
      EXPECT_EQ(map.layers().country[town.cell], map.mali_index()) << town.name << " at " << cell_km << " km";
    }
  }
}

TEST(SahelMapTowns, ForeignTownsOnTheGridLandInTheirOwnCountry) {
  for (const double cell_km : {2.0, 5.0, 10.0, 20.0}) {
    const SahelMap map = SahelMap::build(DataPack::embedded(), {cell_km, 0});
    for (const Town& town : map.towns()) {
      if (town.in_mali || town.cell < 0) continue;
      ASSERT_GE(town.country_index, 0) << town.name;
      EXPECT_EQ(map.layers().country[town.cell], town.country_index) << town.name << " at " << cell_km << " km";
    }
  }
}

TEST(SahelMapTowns, BorderTownsOnTheWrongSideAreSnappedAndOffMapPortsHaveNoCell) {
  const auto& map = map_5km();
  const Town& gogui = map.towns()[town_index(map, "Gogui")];  // 2.5 km inside Mauritania's outline
  EXPECT_GT(gogui.snapped_km, 0.0);
  EXPECT_LE(gogui.snapped_km, 25.0);
  for (const char* port : {"Dakar", "Abidjan", "Conakry", "Lomé", "Tema", "Nouakchott"})
    EXPECT_EQ(map.towns()[town_index(map, port)].cell, -1) << port;
  for (const Town& town : map.towns()) EXPECT_LE(town.snapped_km, 25.0) << town.name;
}

TEST(SahelMapTowns, TownFarOutsideItsCountryIsRefused) {
  const fs::path dir = pack_directory("far-town", "towns.csv", [](std::string text) {
    return replace_once(text, "15.6835,-9.3285", "16.2835,-9.3285");  // Gogui 60 km into Mauritania
  });
  const std::string message = thrown_message([&] { SahelMap::build(DataPack::from_directory(dir.string())); });
  EXPECT_NE(message.find("Gogui"), std::string::npos) << message;
  EXPECT_NE(message.find("more than 25 km outside its country"), std::string::npos) << message;
  fs::remove_all(dir);
}

TEST(SahelMapLayers, RegionCoversExactlyTheMalianCells) {
  const auto& map = map_5km();
  const auto& layers = map.layers();
  std::vector<int> cells_per_region(map.region_names().size(), 0);
  for (std::size_t c = 0; c < layers.region.size(); ++c) {
    const bool mali = layers.country[c] == map.mali_index();
    EXPECT_EQ(layers.region[c] >= 0, mali);
    if (mali) ++cells_per_region[layers.region[c]];
  }
  for (std::size_t r = 0; r < cells_per_region.size(); ++r) EXPECT_GT(cells_per_region[r], 0) << map.region_names()[r];
  const Town& bamako = map.towns()[town_index(map, "Bamako")];
  EXPECT_EQ(map.region_names()[layers.region[bamako.cell]], "Bamako District");
}

TEST(SahelMapLayers, ClimateZonesFollowLatitudeWithTheNigerValleySahelian) {
  const auto& map = map_5km();
  const auto zone_at = [&](const std::string& town) {
    return static_cast<ClimateZone>(map.layers().climate_zone[map.towns()[town_index(map, town)].cell]);
  };
  EXPECT_EQ(zone_at("Bamako"), ClimateZone::sudanian);
  EXPECT_EQ(zone_at("Sikasso"), ClimateZone::sudanian);
  EXPECT_EQ(zone_at("Mopti"), ClimateZone::sahelian);
  EXPECT_EQ(zone_at("Tombouctou"), ClimateZone::sahelian);
  EXPECT_EQ(zone_at("Kidal"), ClimateZone::saharan);
  EXPECT_EQ(zone_at("Taoudenni"), ClimateZone::saharan);
  // The top of the Niger bend (17.07°N) lies north of the Saharan limit but stays Sahelian.
  const auto& grid = map.grid();
  const std::int64_t bend = grid.cell_at(-0.75, 17.05);
  ASSERT_GE(bend, 0);
  EXPECT_GE(grid.centre(bend).lat, saharan_south_lat);
  EXPECT_EQ(static_cast<ClimateZone>(map.layers().climate_zone[bend]), ClimateZone::sahelian);
  EXPECT_EQ(static_cast<ClimateZone>(map.layers().climate_zone[grid.cell_at(-0.75, 17.5)]), ClimateZone::saharan);
}

TEST(SahelMapLayers, RiversWetlandTerrainAndRefuge) {
  const auto& map = map_5km();
  const auto& layers = map.layers();
  const auto& grid = map.grid();
  EXPECT_EQ(layers.water[grid.cell_at(-6.2723, 13.4604)], 1);  // the Niger at Ségou
  const std::int64_t delta = grid.cell_at(-4.5, 15.0);         // inside the Inner Niger Delta
  EXPECT_GE(layers.water[delta], 1);
  int wetland = 0;
  for (const auto w : layers.water) wetland += w == 2;
  EXPECT_GT(wetland, 1000);  // the Delta is ~41,000 km², ~1,600 cells of 25 km²
  const auto terrain_id_at = [&](double lon, double lat) {
    const int t = layers.terrain[grid.cell_at(lon, lat)];
    return t < 0 ? std::string() : map.terrain_features()[t].id;
  };
  EXPECT_EQ(terrain_id_at(1.6, 19.3), "adrar-des-ifoghas");
  EXPECT_EQ(terrain_id_at(-8.0, 20.0), "");
  for (std::size_t c = 0; c < layers.refuge.size(); ++c)
    EXPECT_EQ(layers.refuge[c] != 0, layers.terrain[c] >= 0 && map.terrain_features()[layers.terrain[c]].refuge);
}

TEST(SahelMapLayers, RoadClassFromTheLinksSurface) {
  const auto& map = map_5km();
  const auto& grid = map.grid();
  const auto class_at = [&](double lon, double lat) { return map.layers().road_class[grid.cell_at(lon, lat)]; };
  EXPECT_EQ(class_at(-7.14, 13.04), 3);   // Bamako–Ségou (RN6, paved), midway
  EXPECT_EQ(class_at(-2.20, 15.07), 2);   // at Boni on the degraded RN16
  EXPECT_EQ(class_at(-3.5, 19.7), 1);     // Tombouctou–Taoudenni desert track
  EXPECT_EQ(class_at(-8.0, 20.0), 0);     // empty desert
  EXPECT_EQ(map.roads().duplicate_rows().size(), 1u);  // Koutiala–Sikasso listed twice
}

TEST(SahelMapLayers, SameSeedGivesIdenticalLayersAndAnotherSeedOtherVillages) {
  const SahelMap again = SahelMap::build(DataPack::embedded(), {5.0, 0});
  EXPECT_EQ(again.state_hash(), map_5km().state_hash());
  EXPECT_EQ(again.layers().population, map_5km().layers().population);
  const SahelMap other = SahelMap::build(DataPack::embedded(), {5.0, 1});
  EXPECT_NE(other.state_hash(), map_5km().state_hash());
  EXPECT_EQ(population_sum(other), 22'395'485.0);
}

TEST(SahelMapPopulation, TotalIsTheCensusForEveryCellSize) {
  for (const double cell_km : {2.0, 5.0, 10.0, 20.0}) {
    const SahelMap map = SahelMap::build(DataPack::embedded(), {cell_km, 0});
    EXPECT_EQ(population_sum(map), 22'395'485.0) << cell_km << " km";
    // The villages are placed off the grid, so they are the same whatever the cell size.
    EXPECT_EQ(map.villages().lon, map_5km().villages().lon);
    EXPECT_EQ(map.villages().population, map_5km().villages().population);
  }
}

TEST(SahelMapPopulation, RegionalTotalsMatchRegionsCsvExactly) {
  const auto& map = map_5km();
  std::vector<std::int64_t> totals(map.region_names().size(), 0);
  const auto& villages = map.villages();
  for (std::size_t v = 0; v < villages.size(); ++v) totals[villages.region[v]] += villages.population[v];
  EXPECT_EQ(totals, map.region_populations());
  std::int64_t national = 0;
  for (const auto t : totals) national += t;
  EXPECT_EQ(national, 22'395'485);
  EXPECT_EQ(map.towns()[town_index(map, "Bamako")].population_2022, 4'227'569);
}

TEST(SahelMapPopulation, VillageCountIsTwelveToNineteenThousandAllInMali) {
  const auto& map = map_5km();
  const auto& villages = map.villages();
  EXPECT_GE(villages.size(), 12'000u);
  EXPECT_LE(villages.size(), 19'000u);
  for (std::size_t v = 0; v < villages.size(); ++v) {
    ASSERT_GE(villages.cell[v], 0);
    EXPECT_EQ(map.layers().country[villages.cell[v]], map.mali_index());
    EXPECT_GT(villages.population[v], 0);
  }
}

struct DocumentedRoute {
  const char* to;
  double km;
};

TEST(SahelMapRoutes, TruckRoutesMatchDocumentedDistancesWithinThreePercent) {
  const auto& map = map_5km();
  for (const auto& [to, km] : {DocumentedRoute{"Kayes", 614}, {"Ségou", 235}, {"Mopti", 635},
                               {"Gao", 1192}, {"Sikasso", 364}}) {
    const Route route = map.route("Bamako", to, TravelMode::truck);
    EXPECT_NEAR(route.length_km, km, 0.03 * km) << "Bamako–" << to;
    EXPECT_EQ(route.cumulative_km.back(), route.length_km);
  }
}

TEST(SahelMapRoutes, TrucksKeepToTheMainRoadWhereMinimumKmTakesEstimatedShortCuts) {
  const auto& map = map_5km();
  EXPECT_EQ(map.shortest_km("Bamako", "Kayes"), 527.0);  // via the estimated Kita–Kayes link
  EXPECT_EQ(map.shortest_km("Bamako", "Mopti"), 604.0);  // via the seasonal Diafarabé track
  const Route kayes = map.route("Bamako", "Kayes", TravelMode::truck);
  EXPECT_NE(std::find(kayes.towns.begin(), kayes.towns.end(), town_index(map, "Diéma")), kayes.towns.end());
  const Route mopti = map.route("Bamako", "Mopti", TravelMode::truck);
  EXPECT_NE(std::find(mopti.towns.begin(), mopti.towns.end(), town_index(map, "San")), mopti.towns.end());
}

TEST(SahelMapRoutes, UnknownTownIsAnErrorWithSuggestions) {
  const std::string message = thrown_message([] { map_5km().route("Bamako", "Segu"); });
  EXPECT_NE(message.find("unknown town 'Segu'; did you mean: Ségou?"), std::string::npos) << message;
  EXPECT_EQ(map_5km().route("Timbuktu", "Bamako").towns.front(), town_index(map_5km(), "Tombouctou"));  // alt name
}

TEST(SahelMapRoutes, ModesParseAndSurfacesAreOrderedBySpeedForEveryMode) {
  EXPECT_EQ(parse_mode("motorcycle"), TravelMode::motorcycle);
  EXPECT_THROW(parse_mode("bicycle"), std::invalid_argument);
  for (const TravelMode mode : travel_modes) {
    const SpeedTable& table = speeds(mode);
    for (int s = 2; s < surface_count; ++s) EXPECT_GT(table.road_kmh[s], table.road_kmh[s - 1]) << mode_name(mode);
    EXPECT_GT(table.hours_per_day, 0.0);
  }
}

TEST(SahelMapCorridors, EveryCorridorRunsFromItsPortThroughItsCrossingToItsDestination) {
  const auto& map = map_5km();
  ASSERT_EQ(map.corridors().size(), 8u);
  for (const Corridor& corridor : map.corridors()) {
    const auto& towns = corridor.route.towns;
    ASSERT_TRUE(corridor.route.found()) << corridor.name;
    EXPECT_EQ(towns.front(), corridor.port_town) << corridor.name;
    EXPECT_EQ(towns.back(), corridor.destination_town) << corridor.name;
    EXPECT_NE(std::find(towns.begin(), towns.end(), corridor.crossing_town), towns.end()) << corridor.name;
    EXPECT_TRUE(map.towns()[corridor.crossing_town].in_mali) << corridor.name;
  }
  EXPECT_EQ(map.corridors()[0].name, "Dakar–Bamako (Diboli)");
  EXPECT_EQ(map.corridors()[0].route.length_km, 1405.0);  // RN1 via Diéma, corridors.csv corridor_route_km
}

TEST(SahelMapCorridors, DisconnectedCorridorIsAnError) {
  // Without its two links Labbezanga, the Niamey corridors' crossing, is cut off.
  const fs::path dir = pack_directory("no-labbezanga", "routes.csv", [](std::string text) {
    for (const std::string link : {"\nAnsongo,Labbezanga,", "\nLabbezanga,Ayorou,"}) {
      const auto at = text.find(link);
      text.erase(at, text.find('\n', at + 1) - at);
    }
    return text;
  });
  const std::string message = thrown_message([&] { SahelMap::build(DataPack::from_directory(dir.string())); });
  EXPECT_NE(message.find("corridors.csv:8: corridor 'Niamey–Gao (Labbezanga)' is disconnected: no road from "
                         "Niamey to Labbezanga"), std::string::npos) << message;
  fs::remove_all(dir);
}

TEST(SahelMapMovement, RiversAreImpassableOffRoadAndRoadsAreFastest) {
  const auto& map = map_5km();
  const auto& layers = map.layers();
  for (const TravelMode mode : travel_modes) {
    const auto& cost = layers.cost_days_per_km[static_cast<int>(mode)];
    for (std::size_t c = 0; c < cost.size(); ++c) {
      if (layers.water[c] == 1 && layers.road_surface[c] == 0) ASSERT_TRUE(std::isinf(cost[c])) << c;
      else ASSERT_TRUE(std::isfinite(cost[c]) && cost[c] > 0) << c;
    }
    // A paved road cell beats the same climate zone off road.
    const std::int64_t road = map.grid().cell_at(-7.14, 13.04), bush = map.grid().cell_at(-7.14, 13.3);
    ASSERT_EQ(layers.road_class[bush], 0);
    EXPECT_LT(cost[road], cost[bush]) << mode_name(mode);
  }
  // Motorcycles cross the desert faster than trucks.
  const std::int64_t desert = map.grid().cell_at(-8.0, 20.0);
  EXPECT_LT(layers.cost_days_per_km[1][desert], layers.cost_days_per_km[0][desert]);
}

}  // namespace

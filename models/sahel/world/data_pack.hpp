// The files a Sahel map is built from, read and parsed once: the embedded default (data/sahel/ as
// compiled into the library) or a user directory holding files of the same names and schemas.
//
//   towns.csv, routes.csv, regions.csv, corridors.csv   (CsvTable)
//   borders.geojson, rivers.geojson, terrain.geojson     (FeatureCollection)
//
// Every parse error is a core::DataError whose message starts with the file: its name for the
// embedded pack ("towns.csv:12: ..."), its path for a user directory ("/my/pack/towns.csv:12: ...").
// A user directory must hold all seven files; a missing or unreadable one is a DataError naming it.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "sahelsim/core/geo/csv.hpp"
#include "sahelsim/core/geo/geojson.hpp"

namespace sahelsim::models::sahel {

class DataPack {
 public:
  /// The seven file names, as in data/sahel/.
  static constexpr std::array<std::string_view, 7> file_names = {
      "towns.csv",       "routes.csv",      "regions.csv",    "corridors.csv",
      "borders.geojson", "rivers.geojson",  "terrain.geojson"};

  /// The pack compiled into the library.
  static DataPack embedded();
  /// The pack in `directory` (throws DataError naming the file that is missing or malformed).
  static DataPack from_directory(const std::string& directory);
  /// A pack from texts already read: the seven files' texts and the names their messages use,
  /// in file_names order (bundled scenario maps use this).
  static DataPack from_texts(const std::string& origin, const std::array<std::string, 7>& texts,
                             const std::array<std::string, 7>& source_names);
  /// embedded() for an empty `directory`, else from_directory(directory).
  static DataPack load(const std::string& directory);

  /// "embedded" or the directory.
  const std::string& origin() const { return origin_; }

  const core::geo::CsvTable& towns() const { return towns_; }
  const core::geo::CsvTable& routes() const { return routes_; }
  const core::geo::CsvTable& regions() const { return regions_; }
  const core::geo::CsvTable& corridors() const { return corridors_; }
  const core::geo::FeatureCollection& borders() const { return borders_; }
  const core::geo::FeatureCollection& rivers() const { return rivers_; }
  const core::geo::FeatureCollection& terrain() const { return terrain_; }

 private:
  struct Texts;
  DataPack(std::string origin, const Texts& texts);

  std::string origin_;
  core::geo::CsvTable towns_, routes_, regions_, corridors_;
  core::geo::FeatureCollection borders_, rivers_, terrain_;
};

}  // namespace sahelsim::models::sahel

#include "models/sahel/world/data_pack.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "models/sahel/world/embedded_data.hpp"

namespace sahelsim::models::sahel {

using core::DataError;
using core::geo::CsvTable;
using core::geo::parse_geojson;

// The texts of the seven files and the names their messages use.
struct DataPack::Texts {
  std::array<std::string, 7> text;
  std::array<std::string, 7> source;
};

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw DataError(path + ": cannot read the file (" +
                    (error ? std::string(std::strerror(error)) : std::string("cannot open")) +
                    "); a map data directory must hold towns.csv, routes.csv, regions.csv, "
                    "corridors.csv, borders.geojson, rivers.geojson and terrain.geojson");
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw DataError(path + ": cannot read the file (I/O error)");
  return bytes.str();
}

}  // namespace

DataPack::DataPack(std::string origin, const Texts& texts)
    : origin_(std::move(origin)),
      towns_(texts.text[0], texts.source[0]),
      routes_(texts.text[1], texts.source[1]),
      regions_(texts.text[2], texts.source[2]),
      corridors_(texts.text[3], texts.source[3]),
      borders_(parse_geojson(texts.text[4], texts.source[4])),
      rivers_(parse_geojson(texts.text[5], texts.source[5])),
      terrain_(parse_geojson(texts.text[6], texts.source[6])) {}

DataPack DataPack::embedded() {
  Texts texts;
  for (std::size_t i = 0; i < file_names.size(); ++i) {
    texts.text[i] = std::string(embedded_file(file_names[i]));
    texts.source[i] = std::string(file_names[i]);
  }
  return DataPack("embedded", texts);
}

DataPack DataPack::from_directory(const std::string& directory) {
  Texts texts;
  std::string prefix = directory;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  for (std::size_t i = 0; i < file_names.size(); ++i) {
    texts.source[i] = prefix + std::string(file_names[i]);
    texts.text[i] = read_file(texts.source[i]);
  }
  return DataPack(directory, texts);
}

DataPack DataPack::from_texts(const std::string& origin, const std::array<std::string, 7>& texts,
                              const std::array<std::string, 7>& source_names) {
  Texts all;
  all.text = texts;
  all.source = source_names;
  return DataPack(origin, all);
}

DataPack DataPack::load(const std::string& directory) {
  return directory.empty() ? embedded() : from_directory(directory);
}

}  // namespace sahelsim::models::sahel

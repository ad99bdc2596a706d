// Fuzz target: GeoJSON FeatureCollections (core/geo/geojson.hpp) read from arbitrary bytes, then
// every feature's properties read. The contract: bad input throws core::DataError and nothing else.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sahelsim/core/geo/geojson.hpp"

using sahelsim::core::DataError;
using sahelsim::core::geo::FeatureCollection;
using sahelsim::core::geo::parse_geojson;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const FeatureCollection collection = parse_geojson(text, "fuzz.geojson");
    for (std::size_t f = 0; f < collection.features.size() && f < 64; ++f) {
      (void)collection.describe_feature(f);
      const auto& feature = collection.features[f];
      // What the parser promises: closed rings of >= 4 points, lines of >= 2, positions in range.
      for (const auto& polygon : feature.polygons)
        for (const auto& ring : polygon) {
          if (ring.points.size() < 4) __builtin_trap();
          if (ring.points.front().lon != ring.points.back().lon ||
              ring.points.front().lat != ring.points.back().lat)
            __builtin_trap();
          for (const auto& p : ring.points)
            if (!(std::abs(p.lon) <= 180 && std::abs(p.lat) <= 90)) __builtin_trap();
        }
      for (const auto& line : feature.lines) {
        if (line.size() < 2) __builtin_trap();
        for (const auto& p : line)
          if (!(std::abs(p.lon) <= 180 && std::abs(p.lat) <= 90)) __builtin_trap();
      }
      for (const auto& [name, value] : feature.properties) {
        try { (void)collection.text_property(f, name); } catch (const DataError&) {}
        try { (void)collection.number_property(f, name, -1e6, 1e6); } catch (const DataError&) {}
      }
      try { (void)collection.text_property(f, "name"); } catch (const DataError&) {}
    }
  } catch (const DataError&) {
  }
  return 0;
}

// GeoJSON FeatureCollections (RFC 7946) read into plain structs.
//
// Supported geometries: Polygon, MultiPolygon, LineString, MultiLineString, and null geometry (a
// feature without shapes). Properties are strings, numbers, booleans or null. Everything is checked
// on reading, and bad input throws DataError naming the source, the feature and the JSON path:
//   borders.geojson: features[3] ('Mali'): geometry.coordinates[0][12][0] = 190 is not allowed:
//   expected a longitude in [-180, 180]
// Malformed JSON gives "source:line:column: invalid JSON: ...". Positions: longitude and latitude
// finite, in [-180, 180] and [-90, 90] (an altitude is ignored); rings closed (last point equal to
// the first) with at least 4 points; lines with at least 2 points. Ring orientation is not checked:
// rasterising uses the even-odd rule, for which it does not matter.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sahelsim/core/geo/data_error.hpp"
#include "sahelsim/core/geo/geodesy.hpp"

namespace sahelsim::core::geo {

/// A closed ring: points.front() == points.back().
struct Ring {
  std::vector<LonLat> points;
};
/// The first ring is the outer boundary, any others are holes.
using Polygon = std::vector<Ring>;
using LineString = std::vector<LonLat>;

/// null (std::monostate), boolean, number or string.
using PropertyValue = std::variant<std::monostate, bool, double, std::string>;

struct Feature {
  std::map<std::string, PropertyValue> properties;
  std::vector<Polygon> polygons;  // from Polygon (one) or MultiPolygon (several)
  std::vector<LineString> lines;  // from LineString (one) or MultiLineString (several)
};

struct FeatureCollection {
  std::string source_name;
  std::vector<Feature> features;

  /// A string property; throws DataError when it is missing or not a string.
  const std::string& text_property(std::size_t feature, const std::string& name) const;
  /// A number property in [minimum, maximum]; throws DataError otherwise.
  double number_property(std::size_t feature, const std::string& name, double minimum,
                         double maximum) const;
  /// "features[3] ('Mali')": how messages name a feature (with its "name" property if it has one).
  std::string describe_feature(std::size_t feature) const;
};

/// Parses a FeatureCollection; `source_name` (usually the file name) starts every error message.
FeatureCollection parse_geojson(std::string_view text, std::string source_name);

}  // namespace sahelsim::core::geo

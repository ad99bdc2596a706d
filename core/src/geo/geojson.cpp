#include "sahelsim/core/geo/geojson.hpp"

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

namespace sahelsim::core::geo {
namespace {

using Json = nlohmann::json;

std::string json_type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

// The value as shown in a message: numbers and short strings as written, containers by type.
std::string shown(const Json& value) {
  if (value.is_number()) return format_real(value.get<double>());
  if (value.is_string()) return quoted_value(value.get_ref<const std::string&>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return json_type_name(value);
}

std::string index_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

// Reads one feature's geometry, naming the feature in every error.
class GeometryReader {
 public:
  GeometryReader(const std::string& source_name, const std::string& feature_label)
      : where_(source_name + ": " + feature_label + (feature_label.empty() ? "" : ": ")) {}

  /// "source: features[3] ('Mali'): <path> <problem>".
  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw DataError(where_ + path + (path.empty() ? "" : " ") + problem);
  }

  const Json& array_member(const Json& object, const char* key, const std::string& path) const {
    const auto found = object.find(key);
    if (found == object.end()) fail(path, "has no member '" + std::string(key) + "'");
    if (!found->is_array())
      fail(path + "." + key, "is " + json_type_name(*found) + ": expected an array");
    return *found;
  }

  void read(const Json& geometry, Feature& feature) const {
    const std::string path = "geometry";
    if (geometry.is_null()) return;  // RFC 7946 allows a feature without a location
    if (!geometry.is_object())
      fail(path, "is " + json_type_name(geometry) + ": expected an object");
    const auto type = geometry.find("type");
    if (type == geometry.end() || !type->is_string())
      fail(path, "has no string member 'type'");
    const std::string& kind = type->get_ref<const std::string&>();
    const std::string coordinates_path = path + ".coordinates";
    if (kind != "Polygon" && kind != "MultiPolygon" && kind != "LineString" &&
        kind != "MultiLineString")
      fail(path + ".type", "= " + quoted_value(kind) +
                               " is not supported: expected Polygon, MultiPolygon, LineString or "
                               "MultiLineString");
    const Json& coordinates = array_member(geometry, "coordinates", path);
    if (coordinates.empty()) return;  // RFC 7946: an empty geometry MAY be read as null
    if (kind == "Polygon") {
      feature.polygons.push_back(polygon(coordinates, coordinates_path));
    } else if (kind == "MultiPolygon") {
      for (std::size_t i = 0; i < coordinates.size(); ++i)
        feature.polygons.push_back(polygon(coordinates[i], index_path(coordinates_path, i)));
    } else if (kind == "LineString") {
      feature.lines.push_back(line(coordinates, coordinates_path));
    } else {
      for (std::size_t i = 0; i < coordinates.size(); ++i)
        feature.lines.push_back(line(coordinates[i], index_path(coordinates_path, i)));
    }
  }

 private:
  LonLat position(const Json& value, const std::string& path) const {
    if (!value.is_array() || value.size() < 2)
      fail(path, "is " + shown(value) + ": expected a position [longitude, latitude]");
    const Json& lon = value[0];
    const Json& lat = value[1];
    const std::string lon_path = index_path(path, 0), lat_path = index_path(path, 1);
    // !(|x| <= limit) also rejects NaN and infinities.
    if (!lon.is_number() || !(std::abs(lon.get<double>()) <= 180.0))
      fail(lon_path, "= " + shown(lon) + " is not allowed: expected a longitude in [-180, 180]");
    if (!lat.is_number() || !(std::abs(lat.get<double>()) <= 90.0))
      fail(lat_path, "= " + shown(lat) + " is not allowed: expected a latitude in [-90, 90]");
    return {lon.get<double>(), lat.get<double>()};
  }

  std::vector<LonLat> positions(const Json& value, const std::string& path) const {
    if (!value.is_array()) fail(path, "is " + shown(value) + ": expected an array of positions");
    std::vector<LonLat> points;
    points.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i)
      points.push_back(position(value[i], index_path(path, i)));
    return points;
  }

  LineString line(const Json& value, const std::string& path) const {
    LineString points = positions(value, path);
    if (points.size() < 2)
      fail(path, "has " + std::to_string(points.size()) + " position(s): a line needs at least 2");
    return points;
  }

  Polygon polygon(const Json& value, const std::string& path) const {
    if (!value.is_array() || value.empty())
      fail(path, "is " + shown(value) + ": expected a non-empty array of rings");
    Polygon rings;
    for (std::size_t r = 0; r < value.size(); ++r) {
      const std::string ring_path = index_path(path, r);
      Ring ring{positions(value[r], ring_path)};
      if (ring.points.size() < 4)
        fail(ring_path, "has " + std::to_string(ring.points.size()) +
                            " position(s): a ring needs at least 4 (the last repeating the first)");
      if (ring.points.front() != ring.points.back())
        fail(ring_path, "is not closed: its last position [" + format_real(ring.points.back().lon) +
                            ", " + format_real(ring.points.back().lat) +
                            "] must repeat its first [" + format_real(ring.points.front().lon) +
                            ", " + format_real(ring.points.front().lat) + "]");
      rings.push_back(std::move(ring));
    }
    return rings;
  }

  std::string where_;
};

// "features[3] ('Mali')": with the feature's "name" property when it has one.
std::string feature_label(std::size_t index,
                          const std::map<std::string, PropertyValue>& properties) {
  std::string label = "features[" + std::to_string(index) + "]";
  const auto title = properties.find("name");
  if (title != properties.end() && std::holds_alternative<std::string>(title->second))
    label += " (" + quoted_value(std::get<std::string>(title->second)) + ")";
  return label;
}

Feature read_feature(const std::string& source_name, std::size_t index, const Json& value) {
  Feature feature;
  {
    // Until the properties are read, errors name the feature by its index only.
    const GeometryReader unnamed(source_name, feature_label(index, feature.properties));
    if (!value.is_object())
      unnamed.fail("", "is " + json_type_name(value) + ": expected a Feature object");
    const auto type = value.find("type");
    if (type == value.end() || *type != "Feature")
      unnamed.fail("type", "= " + (type == value.end() ? std::string("(missing)") : shown(*type)) +
                               " is not allowed: expected \"Feature\"");
    const auto properties = value.find("properties");
    if (properties != value.end() && !properties->is_null()) {
      if (!properties->is_object())
        unnamed.fail("properties",
                     "is " + json_type_name(*properties) + ": expected an object or null");
      for (const auto& [key, property] : properties->items()) {
        PropertyValue stored;
        if (property.is_string()) stored = property.get<std::string>();
        else if (property.is_boolean()) stored = property.get<bool>();
        else if (property.is_number()) stored = property.get<double>();
        else if (!property.is_null())
          unnamed.fail("properties." + key, "is " + json_type_name(property) +
                                                ": expected a string, a number, a boolean or null");
        feature.properties.emplace(key, std::move(stored));
      }
    }
  }

  const GeometryReader reader(source_name, feature_label(index, feature.properties));
  const auto geometry = value.find("geometry");
  if (geometry == value.end()) reader.fail("", "has no member 'geometry' (it may be null)");
  reader.read(*geometry, feature);
  return feature;
}

// Finds where and why a text is not JSON, by a second, event-only pass over it: nlohmann's DOM
// parser reports some errors (a number too large for a double) without a position.
class JsonErrorLocator final : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }

  // `position` counts the characters read so far: the error is at the last of them.
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const Json::exception& error) override {
    error_offset = position > 0 ? position - 1 : 0;
    problem = without_nlohmann_prefix(error.what());
    return false;
  }

  std::size_t error_offset = 0;
  std::string problem = "unreadable";

 private:
  // "[json.exception.parse_error.101] parse error at line 1, column 5: <what>" → "<what>": our own
  // position replaces nlohmann's, which counts bytes rather than characters.
  static std::string without_nlohmann_prefix(std::string message) {
    if (message.rfind("[json.exception.", 0) == 0) {
      const std::size_t end = message.find("] ");
      if (end != std::string::npos) message.erase(0, end + 2);
    }
    if (message.rfind("parse error", 0) == 0) {
      const std::size_t colon = message.find(": ");
      if (colon != std::string::npos) message.erase(0, colon + 2);
    }
    return message;
  }
};

}  // namespace

FeatureCollection parse_geojson(std::string_view text, std::string source_name) {
  text = without_utf8_bom(text);
  require_utf8(text, source_name);

  Json document;
  try {
    document = Json::parse(text.begin(), text.end());
  } catch (const Json::exception&) {
    JsonErrorLocator locator;
    Json::sax_parse(text.begin(), text.end(), &locator);
    const TextPosition at = text_position(text, locator.error_offset);
    throw DataError(source_name + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                    ": invalid JSON: " + locator.problem);
  }

  if (!document.is_object())
    throw DataError(source_name + ": the document is " + json_type_name(document) +
                    ": expected a GeoJSON FeatureCollection object");
  const auto type = document.find("type");
  if (type == document.end() || *type != "FeatureCollection")
    throw DataError(source_name + ": type = " +
                    (type == document.end() ? std::string("(missing)") : shown(*type)) +
                    " is not allowed: expected \"FeatureCollection\"");
  const auto features = document.find("features");
  if (features == document.end() || !features->is_array())
    throw DataError(source_name + ": a FeatureCollection needs an array member 'features'");

  FeatureCollection collection;
  collection.source_name = std::move(source_name);
  collection.features.reserve(features->size());
  for (std::size_t i = 0; i < features->size(); ++i)
    collection.features.push_back(read_feature(collection.source_name, i, (*features)[i]));
  return collection;
}

std::string FeatureCollection::describe_feature(std::size_t feature) const {
  return feature_label(feature, features.at(feature).properties);
}

const std::string& FeatureCollection::text_property(std::size_t feature,
                                                    const std::string& name) const {
  const auto& properties = features.at(feature).properties;
  const auto found = properties.find(name);
  if (found == properties.end() || !std::holds_alternative<std::string>(found->second))
    throw DataError(source_name + ": " + describe_feature(feature) + ": property '" + name + "' " +
                    (found == properties.end() ? "is missing" : "is not a string") +
                    ": expected a string");
  return std::get<std::string>(found->second);
}

double FeatureCollection::number_property(std::size_t feature, const std::string& name,
                                          double minimum, double maximum) const {
  const auto& properties = features.at(feature).properties;
  const auto found = properties.find(name);
  const std::string allowed =
      "expected a number in [" + format_real(minimum) + ", " + format_real(maximum) + "]";
  const std::string where =
      source_name + ": " + describe_feature(feature) + ": property '" + name + "'";
  if (found == properties.end()) throw DataError(where + " is missing: " + allowed);
  if (!std::holds_alternative<double>(found->second))
    throw DataError(where + " is not a number: " + allowed);
  const double value = std::get<double>(found->second);
  if (!(value >= minimum && value <= maximum))
    throw DataError(where + " = " + format_real(value) + " is not allowed: " + allowed);
  return value;
}

}  // namespace sahelsim::core::geo

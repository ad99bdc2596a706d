// Tests of core/include/sahelsim/core/geo/geojson.hpp: reading FeatureCollections into plain structs
// and the errors for malformed JSON and invalid geometry.
#include "sahelsim/core/geo/geojson.hpp"

#include <random>
#include <string>
#include <string_view>
#include <variant>

#include <gtest/gtest.h>

#include "geo_test_support.hpp"

namespace {

using sahelsim::test::contains;
using sahelsim::test::error_of;

using sahelsim::core::DataError;
using sahelsim::core::geo::FeatureCollection;
using sahelsim::core::geo::LonLat;
using sahelsim::core::geo::parse_geojson;

// A FeatureCollection holding one feature with the given properties and geometry (JSON text).
std::string collection_of(const std::string& properties, const std::string& geometry) {
  return R"({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": )" +
         properties + R"(, "geometry": )" + geometry + "}]}";
}

const std::string unit_square = "[[0,0],[1,0],[1,1],[0,1],[0,0]]";

TEST(GeoJson, ReadsAPolygonFeatureWithItsProperties) {
  const FeatureCollection collection = parse_geojson(
      collection_of(R"({"name": "Mali", "iso_a3": "MLI", "vertices": 179, "parts": 1.5, "kept": true, "note": null})",
                    R"({"type": "Polygon", "coordinates": [)" + unit_square + "]}"),
      "borders.geojson");
  ASSERT_EQ(collection.features.size(), 1u);
  const auto& feature = collection.features[0];
  EXPECT_EQ(std::get<std::string>(feature.properties.at("name")), "Mali");
  EXPECT_EQ(std::get<double>(feature.properties.at("vertices")), 179.0);
  EXPECT_EQ(std::get<bool>(feature.properties.at("kept")), true);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(feature.properties.at("note")));
  ASSERT_EQ(feature.polygons.size(), 1u);
  ASSERT_EQ(feature.polygons[0].size(), 1u);
  ASSERT_EQ(feature.polygons[0][0].points.size(), 5u);
  EXPECT_EQ(feature.polygons[0][0].points[1], (LonLat{1, 0}));
  EXPECT_TRUE(feature.lines.empty());
  EXPECT_EQ(collection.text_property(0, "iso_a3"), "MLI");
  EXPECT_EQ(collection.number_property(0, "vertices", 0, 1000), 179.0);
}

TEST(GeoJson, PolygonWithAHoleKeepsBothRings) {
  const FeatureCollection collection = parse_geojson(
      collection_of("{}", R"({"type": "Polygon", "coordinates": [[[0,0],[4,0],[4,4],[0,4],[0,0]],
                                                              [[1,1],[1,2],[2,2],[2,1],[1,1]]]})"),
      "t.geojson");
  ASSERT_EQ(collection.features[0].polygons.size(), 1u);
  ASSERT_EQ(collection.features[0].polygons[0].size(), 2u);
  EXPECT_EQ(collection.features[0].polygons[0][1].points[2], (LonLat{2, 2}));
}

TEST(GeoJson, MultiPolygonGivesOnePolygonPerPart) {
  const FeatureCollection collection = parse_geojson(
      collection_of("{}", R"({"type": "MultiPolygon", "coordinates": [[)" + unit_square + "], [[[5,5],[6,5],[6,6],[5,5]]]]}"),
      "t.geojson");
  ASSERT_EQ(collection.features[0].polygons.size(), 2u);
  EXPECT_EQ(collection.features[0].polygons[1][0].points.size(), 4u);
}

TEST(GeoJson, LineStringAndMultiLineStringGiveLines) {
  const FeatureCollection collection = parse_geojson(
      R"({"type": "FeatureCollection", "features": [
           {"type": "Feature", "properties": {"name": "Bani"}, "geometry": {"type": "LineString", "coordinates": [[-5,13],[-4,14]]}},
           {"type": "Feature", "properties": {"name": "Niger"}, "geometry": {"type": "MultiLineString",
            "coordinates": [[[-8,12],[-7,13],[-6,13.5]], [[-4,15],[-3,16]]]}}]})",
      "rivers.geojson");
  ASSERT_EQ(collection.features.size(), 2u);
  ASSERT_EQ(collection.features[0].lines.size(), 1u);
  ASSERT_EQ(collection.features[1].lines.size(), 2u);
  EXPECT_EQ(collection.features[1].lines[0][2], (LonLat{-6, 13.5}));
  EXPECT_TRUE(collection.features[1].polygons.empty());
}

TEST(GeoJson, NullGeometryAndEmptyCoordinatesGiveAFeatureWithoutShapes) {
  const FeatureCollection collection = parse_geojson(
      R"({"type": "FeatureCollection", "features": [
           {"type": "Feature", "properties": null, "geometry": null},
           {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": []}}]})",
      "t.geojson");
  ASSERT_EQ(collection.features.size(), 2u);
  EXPECT_TRUE(collection.features[0].polygons.empty());
  EXPECT_TRUE(collection.features[1].polygons.empty());
}

TEST(GeoJson, AltitudeIsIgnoredAndABomIsSkipped) {
  const FeatureCollection collection = parse_geojson(
      "\xEF\xBB\xBF" + collection_of("{}", R"({"type": "LineString", "coordinates": [[1,2,300],[3,4,310]]})"),
      "t.geojson");
  EXPECT_EQ(collection.features[0].lines[0][1], (LonLat{3, 4}));
}

// ---- malformed JSON ----

TEST(GeoJson, MalformedJsonGivesLineAndColumn) {
  const std::string text = "{\"type\": \"FeatureCollection\",\n \"features\": [\n  {\"type\": @}]}";
  const std::string message = error_of([&] { parse_geojson(text, "borders.geojson"); });
  EXPECT_TRUE(contains(message, "borders.geojson:3:12: invalid JSON")) << message;
}

TEST(GeoJson, MalformedJsonColumnCountsCharactersNotBytes) {
  const std::string text = "{\"n\u00e9\u00e9\": ]}";  // "néé": ] — the ']' is character 9, byte 11
  const std::string message = error_of([&] { parse_geojson(text, "t.geojson"); });
  EXPECT_TRUE(contains(message, "t.geojson:1:9: invalid JSON")) << message;
}

TEST(GeoJson, TruncatedJsonPointsAtTheEnd) {
  const std::string message = error_of([] { parse_geojson("{\"type\": \"FeatureCollection\",\n\"features\": [", "t.geojson"); });
  EXPECT_TRUE(contains(message, "t.geojson:2:")) << message;
  EXPECT_TRUE(contains(message, "invalid JSON")) << message;
}

TEST(GeoJson, EmptyTextIsMalformed) {
  EXPECT_TRUE(contains(error_of([] { parse_geojson("", "t.geojson"); }), "t.geojson:1:1: invalid JSON"));
}

TEST(GeoJson, InvalidUtf8IsRejectedWithItsPosition) {
  const std::string message = error_of([] { parse_geojson("{\"name\": \"S\xE9gou\"}", "t.geojson"); });
  EXPECT_TRUE(contains(message, "t.geojson:1:12: invalid UTF-8 byte 0xE9")) << message;
}

// ---- invalid documents and geometry ----

TEST(GeoJson, RejectsADocumentThatIsNotAFeatureCollection) {
  EXPECT_TRUE(contains(error_of([] { parse_geojson("[1, 2]", "t.geojson"); }), "t.geojson: the document is an array"));
  EXPECT_TRUE(contains(error_of([] { parse_geojson(R"({"type": "Feature"})", "t.geojson"); }),
                       "type = 'Feature' is not allowed: expected \"FeatureCollection\""));
  EXPECT_TRUE(contains(error_of([] { parse_geojson(R"({"type": "FeatureCollection"})", "t.geojson"); }),
                       "array member 'features'"));
}

TEST(GeoJson, UnclosedRingNamesFeatureRingAndBothEnds) {
  const std::string message = error_of([] {
    parse_geojson(collection_of(R"({"name": "Box"})",
                                R"({"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1]]]})"),
                  "zones.geojson");
  });
  EXPECT_TRUE(contains(message, "zones.geojson: features[0] ('Box'): geometry.coordinates[0] is not closed"))
      << message;
  EXPECT_TRUE(contains(message, "[0, 1]")) << message;
}

TEST(GeoJson, RingWithFewerThanFourPositionsIsRejected) {
  const std::string message = error_of([] {
    parse_geojson(collection_of("{}", R"({"type": "Polygon", "coordinates": [[[0,0],[1,0],[0,0]]]})"), "t.geojson");
  });
  EXPECT_TRUE(contains(message, "geometry.coordinates[0] has 3 position(s)")) << message;
}

TEST(GeoJson, LongitudeOutOfRangeNamesThePathAndTheValue) {
  const std::string message = error_of([] {
    parse_geojson(R"({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": null},
        {"type": "Feature", "properties": {"name": "Mali"}, "geometry": {"type": "MultiPolygon",
         "coordinates": [[[[0,0],[1,0],[190,1],[0,0]]]]}}]})",
                  "borders.geojson");
  });
  EXPECT_EQ(message,
            "borders.geojson: features[1] ('Mali'): geometry.coordinates[0][0][2][0] = 190 is not allowed: "
            "expected a longitude in [-180, 180]");
}

TEST(GeoJson, LatitudeThatIsNotANumberIsRejected) {
  const std::string message = error_of([] {
    parse_geojson(collection_of("{}", R"({"type": "LineString", "coordinates": [[0,"12"],[1,1]]})"), "t.geojson");
  });
  EXPECT_TRUE(contains(message, "geometry.coordinates[0][1] = '12' is not allowed: expected a latitude")) << message;
}

TEST(GeoJson, NumberTooLargeForADoubleIsMalformedWithItsPosition) {
  const std::string message = error_of([] {
    parse_geojson("{\"features\": [\n  [1e400, 0]]}", "t.geojson");
  });
  EXPECT_TRUE(contains(message, "t.geojson:2:")) << message;
  EXPECT_TRUE(contains(message, "number overflow parsing '1e400'")) << message;
}

TEST(GeoJson, LargeFiniteCoordinateIsRejectedAsOutOfRange) {
  const std::string message = error_of([] {
    parse_geojson(collection_of("{}", R"({"type": "LineString", "coordinates": [[1e300,0],[1,1]]})"), "t.geojson");
  });
  EXPECT_TRUE(contains(message, "geometry.coordinates[0][0] = 1e+300 is not allowed")) << message;
}

TEST(GeoJson, PositionWithOneNumberIsRejected) {
  const std::string message = error_of([] {
    parse_geojson(collection_of("{}", R"({"type": "LineString", "coordinates": [[0],[1,1]]})"), "t.geojson");
  });
  EXPECT_TRUE(contains(message, "expected a position [longitude, latitude]")) << message;
}

TEST(GeoJson, LineWithOnePositionIsRejected) {
  EXPECT_THROW(parse_geojson(collection_of("{}", R"({"type": "LineString", "coordinates": [[0,0]]})"), "t.geojson"),
               DataError);
}

TEST(GeoJson, UnsupportedGeometryTypeIsRejected) {
  const std::string message = error_of([] {
    parse_geojson(collection_of("{}", R"({"type": "Point", "coordinates": [0,0]})"), "t.geojson");
  });
  EXPECT_TRUE(contains(message, "geometry.type = 'Point' is not supported")) << message;
}

TEST(GeoJson, NestedPropertyIsRejectedNamingIt) {
  const std::string message = error_of([] {
    parse_geojson(collection_of(R"({"tags": [1, 2]})", "null"), "t.geojson");
  });
  EXPECT_TRUE(contains(message, "features[0]: properties.tags is an array")) << message;
}

TEST(GeoJson, MissingGeometryMemberIsRejected) {
  EXPECT_THROW(parse_geojson(R"({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]})",
                             "t.geojson"),
               DataError);
}

TEST(GeoJson, RandomlyDamagedTextEitherReadsOrThrowsDataError) {
  const std::string valid = R"({"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {"name": "Ségou", "rank": 3, "ok": true},
       "geometry": {"type": "MultiPolygon", "coordinates": [[[[0,0],[4,0],[4,4],[0,4],[0,0]],
                                                           [[1,1],[1,2],[2,2],[2,1],[1,1]]]]}},
      {"type": "Feature", "properties": null,
       "geometry": {"type": "MultiLineString", "coordinates": [[[-8,12],[-7,13.5]], [[1,2,3],[4,5,6]]]}}]})";
  ASSERT_EQ(parse_geojson(valid, "valid.geojson").features.size(), 2u);
  std::mt19937_64 random(5);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string text = valid;
    for (int edit = 0; edit < 3 && !text.empty(); ++edit) {
      const std::size_t at = random() % text.size();
      const char byte = static_cast<char>(random() % 256);
      switch (random() % 3) {
        case 0: text[at] = byte; break;
        case 1: text.erase(at, 1 + random() % 8); break;
        default: text.insert(at, 1, byte);
      }
    }
    try {
      parse_geojson(text, "damaged.geojson");
    } catch (const DataError&) {
      // expected for most damage; anything else (or a crash) fails the test
    }
  }
}

TEST(GeoJson, PropertyAccessorsNameTheFeatureAndTheProperty) {
  const FeatureCollection collection =
      parse_geojson(collection_of(R"({"name": "Niger", "rank": 3})", "null"), "rivers.geojson");
  EXPECT_EQ(error_of([&] { collection.text_property(0, "rank"); }),
            "rivers.geojson: features[0] ('Niger'): property 'rank' is not a string: expected a string");
  EXPECT_EQ(error_of([&] { collection.number_property(0, "rank", 0, 2); }),
            "rivers.geojson: features[0] ('Niger'): property 'rank' = 3 is not allowed: expected a number in "
            "[0, 2]");
  EXPECT_TRUE(contains(error_of([&] { collection.number_property(0, "width", 0, 2); }), "'width' is missing"));
}

}  // namespace

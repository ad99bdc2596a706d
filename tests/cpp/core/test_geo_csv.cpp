// Tests of core/include/sahelsim/core/geo/csv.hpp (and the message helpers of data_error.hpp): RFC
// 4180 parsing, line numbers, UTF-8 checks and the typed accessors' error messages.
#include "sahelsim/core/geo/csv.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "geo_test_support.hpp"

#include "sahelsim/core/geo/data_error.hpp"

namespace {

using sahelsim::test::contains;
using sahelsim::test::error_of;

using sahelsim::core::DataError;
using sahelsim::core::first_invalid_utf8;
using sahelsim::core::format_real;
using sahelsim::core::quoted_value;
using sahelsim::core::text_position;
using sahelsim::core::geo::CsvTable;

// ---- parsing ----

TEST(CsvTable, ReadsHeaderAndRowsWithTheirLineNumbers) {
  const CsvTable table("name,lat,lon\nBamako,12.6429,-8.0021\nKayes,14.4485,-11.4389\n", "towns.csv");
  ASSERT_EQ(table.header(), (std::vector<std::string>{"name", "lat", "lon"}));
  ASSERT_EQ(table.row_count(), 2u);
  EXPECT_EQ(table.text(1, 0), "Kayes");
  EXPECT_EQ(table.row(0).line, 2);
  EXPECT_EQ(table.row(1).line, 3);
}

TEST(CsvTable, QuotedFieldsHoldCommasDoubledQuotesAndLineBreaks) {
  const CsvTable table("name,notes\n\"Nioro, du Sahel\",\"said \"\"hi\"\"\nthen left\"\n", "t.csv");
  ASSERT_EQ(table.row_count(), 1u);
  EXPECT_EQ(table.text(0, 0), "Nioro, du Sahel");
  EXPECT_EQ(table.text(0, 1), "said \"hi\"\nthen left");
}

TEST(CsvTable, RowAfterAMultiLineFieldKeepsItsOwnLineNumber) {
  const CsvTable table("a,b\n1,\"x\ny\nz\"\n2,w\n", "t.csv");
  ASSERT_EQ(table.row_count(), 2u);
  EXPECT_EQ(table.row(0).line, 2);
  EXPECT_EQ(table.row(1).line, 5);
}

TEST(CsvTable, CrlfFileReadsLikeLfFileAndLineBreaksInQuotesBecomeLf) {
  const CsvTable crlf("a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n", "crlf.csv");
  const CsvTable lf("a,b\n1,\"x\ny\"\n2,z\n", "lf.csv");
  ASSERT_EQ(crlf.row_count(), lf.row_count());
  for (std::size_t r = 0; r < lf.row_count(); ++r) {
    EXPECT_EQ(crlf.row(r).fields, lf.row(r).fields);
    EXPECT_EQ(crlf.row(r).line, lf.row(r).line);
  }
  EXPECT_EQ(crlf.text(0, 1), "x\ny");
}

TEST(CsvTable, LoneCarriageReturnEndsALine) {
  const CsvTable table("a,b\r1,2\r3,4", "mac.csv");
  ASSERT_EQ(table.row_count(), 2u);
  EXPECT_EQ(table.text(1, 1), "4");
  EXPECT_EQ(table.row(1).line, 3);
}

TEST(CsvTable, SkipsAUtf8ByteOrderMark) {
  const CsvTable table("\xEF\xBB\xBFname,lat\nS\xC3\xA9gou,13.4\n", "bom.csv");
  EXPECT_EQ(table.header()[0], "name");
  EXPECT_EQ(table.column("name"), 0u);
  EXPECT_EQ(table.text(0, 0), "S\xC3\xA9gou");
}

TEST(CsvTable, LastRowWithoutALineBreakIsRead) {
  const CsvTable table("a,b\n1,2", "t.csv");
  ASSERT_EQ(table.row_count(), 1u);
  EXPECT_EQ(table.text(0, 1), "2");
}

TEST(CsvTable, EmptyLinesAreSkippedButCounted) {
  const CsvTable table("a,b\n\n1,2\r\n\r\n3,4\n\n", "t.csv");
  ASSERT_EQ(table.row_count(), 2u);
  EXPECT_EQ(table.row(0).line, 3);
  EXPECT_EQ(table.row(1).line, 5);
}

TEST(CsvTable, EmptyFieldsAndATrailingCommaAreFields) {
  const CsvTable table("a,b,c\n,,\n1,\"\",\n", "t.csv");
  ASSERT_EQ(table.row_count(), 2u);
  EXPECT_EQ(table.text(0, 2), "");
  EXPECT_EQ(table.text(1, 1), "");
}

// ---- rejected text ----

TEST(CsvTable, RejectsInvalidUtf8NamingLineColumnAndByte) {
  const std::string message = error_of([] { CsvTable("name,x\nS\xC3\xA9gou,caf\xE9\n", "towns.csv"); });
  EXPECT_TRUE(contains(message, "towns.csv:2:10:")) << message;  // columns count characters
  EXPECT_TRUE(contains(message, "0xE9")) << message;
  EXPECT_TRUE(contains(message, "UTF-8")) << message;
}

TEST(CsvTable, RejectsARaggedRowNamingLineAndCounts) {
  const std::string message = error_of([] { CsvTable("a,b,c\n1,2,3\n4,5\n", "routes.csv"); });
  EXPECT_TRUE(contains(message, "routes.csv:3:")) << message;
  EXPECT_TRUE(contains(message, "2 fields")) << message;
  EXPECT_TRUE(contains(message, "3 columns")) << message;
}

TEST(CsvTable, RejectsARowWithAnExtraField) {
  EXPECT_THROW(CsvTable("a,b\n1,2,3\n", "t.csv"), DataError);
}

TEST(CsvTable, RejectsAnUnclosedQuoteNamingWhereItOpened) {
  const std::string message = error_of([] { CsvTable("a,b\n1,2\n3,\"open\n4,5\n", "t.csv"); });
  EXPECT_TRUE(contains(message, "t.csv:3:3:")) << message;
  EXPECT_TRUE(contains(message, "never closed")) << message;
}

TEST(CsvTable, RejectsTextAfterAClosingQuote) {
  const std::string message = error_of([] { CsvTable("a,b\n\"x\"y,2\n", "t.csv"); });
  EXPECT_TRUE(contains(message, "t.csv:2:4:")) << message;
  EXPECT_TRUE(contains(message, "'y'")) << message;
}

TEST(CsvTable, RejectsAQuoteInsideAnUnquotedField) {
  const std::string message = error_of([] { CsvTable("a,b\n5\" screen,2\n", "t.csv"); });
  EXPECT_TRUE(contains(message, "t.csv:2:2:")) << message;
}

TEST(CsvTable, RejectsAnEmptyText) {
  EXPECT_TRUE(contains(error_of([] { CsvTable("", "empty.csv"); }), "empty.csv: the file is empty"));
  EXPECT_TRUE(contains(error_of([] { CsvTable("\xEF\xBB\xBF\r\n\n", "blank.csv"); }), "blank.csv"));
}

TEST(CsvTable, RejectsADuplicateColumnName) {
  const std::string message = error_of([] { CsvTable("name,lat,name\n", "t.csv"); });
  EXPECT_TRUE(contains(message, "'name' appears twice")) << message;
}

TEST(CsvTable, RejectsAnUnnamedColumn) {
  const std::string message = error_of([] { CsvTable("name,,lon\n", "t.csv"); });
  EXPECT_TRUE(contains(message, "t.csv:1: column 2")) << message;
}

// ---- columns and typed fields ----

TEST(CsvTable, UnknownColumnErrorListsTheColumns) {
  const CsvTable table("name,lat,lon\n", "towns.csv");
  const std::string message = error_of([&] { table.column("latitude"); });
  EXPECT_TRUE(contains(message, "towns.csv: no column 'latitude'")) << message;
  EXPECT_TRUE(contains(message, "name, lat, lon")) << message;
  EXPECT_FALSE(table.find_column("latitude").has_value());
  EXPECT_EQ(table.find_column("lon"), 2u);
}

TEST(CsvTable, RealAcceptsNumbersInRangeWithSpacesSignsAndExponents) {
  const CsvTable table("x\n 12.5 \n+3\n-1e2\n90\n", "t.csv");
  const std::size_t x = table.column("x");
  EXPECT_EQ(table.real(0, x, -90, 90), 12.5);
  EXPECT_EQ(table.real(1, x, -90, 90), 3.0);
  EXPECT_EQ(table.real(2, x, -100, 90), -100.0);
  EXPECT_EQ(table.real(3, x, -90, 90), 90.0);  // bounds are inclusive
}

TEST(CsvTable, RealOutOfRangeNamesSourceLineColumnValueAndRange) {
  const CsvTable table("name,lat\nBamako,12.6\nNowhere,95.2\n", "towns.csv");
  const std::string message = error_of([&] { table.real(1, table.column("lat"), -90, 90); });
  EXPECT_EQ(message,
            "towns.csv:3: column 'lat' = '95.2' is not allowed: expected a real number in [-90, 90]");
}

TEST(CsvTable, RealRejectsTextNanInfinityAndOverflow) {
  const CsvTable table("x\nabc\nnan\ninf\n1e999\n12km\n0x10\n", "t.csv");
  for (std::size_t r = 0; r < table.row_count(); ++r)
    EXPECT_TRUE(contains(error_of([&] { table.real(r, 0, -1e308, 1e308); }), "is not allowed"))
        << table.text(r, 0);
}

TEST(CsvTable, RealRejectsAnEmptyFieldSayingWhatIsExpected) {
  const CsvTable table("name,lat\nBamako,\n", "towns.csv");
  const std::string message = error_of([&] { table.real(0, 1, -90, 90); });
  EXPECT_EQ(message, "towns.csv:2: column 'lat' is empty: expected a real number in [-90, 90]");
}

TEST(CsvTable, OptionalRealIsEmptyForAnEmptyFieldAndCheckedOtherwise) {
  const CsvTable table("population\n\n  \n1200\n-5\n", "t.csv");
  EXPECT_FALSE(table.optional_real(0, 0, 0, 1e9).has_value());  // only spaces count as empty too
  EXPECT_EQ(table.optional_real(1, 0, 0, 1e9), 1200.0);
  EXPECT_THROW(table.optional_real(2, 0, 0, 1e9), DataError);
}

TEST(CsvTable, IntegerRejectsFractionsExponentsAndOverflowNamingTheRange) {
  const CsvTable table("year\n2009\n2009.0\n2e3\n99999999999999999999\n", "t.csv");
  EXPECT_EQ(table.integer(0, 0, 1900, 2100), 2009);
  for (std::size_t r = 1; r < table.row_count(); ++r) {
    const std::string message = error_of([&] { table.integer(r, 0, 1900, 2100); });
    EXPECT_TRUE(contains(message, "expected an integer in [1900, 2100]")) << message;
  }
}

TEST(CsvTable, IntegerOutOfRangeNamesTheValue) {
  const CsvTable table("year\n1850\n", "t.csv");
  EXPECT_EQ(error_of([&] { table.integer(0, 0, 1900, 2100); }),
            "t.csv:2: column 'year' = '1850' is not allowed: expected an integer in [1900, 2100]");
  EXPECT_FALSE(CsvTable("name,year\nKayes,\n", "t.csv").optional_integer(0, 1, 0, 1).has_value());
}

TEST(CsvTable, RequiredTextRejectsAnEmptyField) {
  const CsvTable table("name,x\n  ,1\n", "t.csv");
  EXPECT_TRUE(contains(error_of([&] { table.required_text(0, 0); }), "t.csv:2: column 'name' is empty"));
}

TEST(CsvTable, FieldErrorFormatsTheCallersOwnChecks) {
  const CsvTable table("from_town,to_town\nBamako,Segu\n", "routes.csv");
  EXPECT_EQ(table.field_error(0, 1, "is not a known town").what(),
            std::string("routes.csv:2: column 'to_town' = 'Segu' is not a known town"));
  EXPECT_EQ(table.row_error(0, "a road from a town to itself").what(),
            std::string("routes.csv:2: a road from a town to itself"));
}

TEST(CsvTable, RandomlyDamagedTextEitherReadsOrThrowsDataError) {
  const std::string valid =
      "name,alt_names,lat,lon,population\r\nBamako,,12.6429,-8.0021,1809106\r\n"
      "S\xC3\xA9gou,Segou,13.4404,-6.2723,130690\r\n\"Nioro du Sahel\",\"Nioro, \"\"N\"\"\",15.2276,-9.5903,\r\n";
  std::mt19937_64 random(11);
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
      const CsvTable table(text, "damaged.csv");
      for (std::size_t r = 0; r < table.row_count(); ++r)
        for (std::size_t c = 0; c < table.header().size(); ++c) table.optional_real(r, c, -1e9, 1e9);
    } catch (const DataError&) {
      // expected for most damage; anything else (or a crash) fails the test
    }
  }
}

// ---- message helpers (data_error.hpp) ----

TEST(GeoDataErrorHelpers, DataErrorIsAnInvalidArgument) {
  const DataError error("x");
  const std::invalid_argument& base = error;  // what Python's ValueError translation catches
  EXPECT_STREQ(base.what(), "x");
}

TEST(GeoDataErrorHelpers, FirstInvalidUtf8AcceptsValidAndFindsEachKindOfInvalidSequence) {
  EXPECT_EQ(first_invalid_utf8("S\xC3\xA9gou \xE2\x82\xAC \xF0\x9D\x84\x9E"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("ab\x80"), 2u);              // continuation without a lead byte
  EXPECT_EQ(first_invalid_utf8("a\xC0\xAF"), 1u);           // overlong '/'
  EXPECT_EQ(first_invalid_utf8("\xE0\x80\xAF"), 0u);        // overlong 3-byte form
  EXPECT_EQ(first_invalid_utf8("\xED\xA0\x80"), 0u);        // UTF-16 surrogate
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);    // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("ok\xE2\x82"), 2u);          // truncated at the end
  EXPECT_EQ(first_invalid_utf8("\xC3("), 0u);               // lead byte without continuation
  EXPECT_EQ(first_invalid_utf8("\xFF"), 0u);
}

TEST(GeoDataErrorHelpers, TextPositionCountsLinesForEveryLineEndAndColumnsInCharacters) {
  const std::string_view text = "ab\r\nS\xC3\xA9gou\rx\ny";
  EXPECT_EQ(text_position(text, 0).line, 1);
  EXPECT_EQ(text_position(text, 4).line, 2);    // 'S' after CRLF
  EXPECT_EQ(text_position(text, 7).column, 3);  // 'g' after the two-byte 'é'
  EXPECT_EQ(text_position(text, 11).line, 3);   // 'x' after a lone CR
  EXPECT_EQ(text_position(text, 13).line, 4);
  EXPECT_EQ(text_position(text, 13).column, 1);
}

TEST(GeoDataErrorHelpers, FormatRealIsShortestRoundTrip) {
  EXPECT_EQ(format_real(0.1), "0.1");
  EXPECT_EQ(format_real(-90.0), "-90");
  EXPECT_EQ(format_real(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(std::stod(format_real(1.0 / 3.0)), 1.0 / 3.0);
}

TEST(GeoDataErrorHelpers, QuotedValueEscapesControlCharactersAndCutsLongValues) {
  EXPECT_EQ(quoted_value("a\nb"), "'a\\x0Ab'");
  const std::string shown = quoted_value(std::string(1000000, 'x'));
  EXPECT_LT(shown.size(), 100u);
  EXPECT_TRUE(contains(shown, "..."));
}

}  // namespace

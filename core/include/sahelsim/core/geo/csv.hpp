// A CSV table read from text (RFC 4180), with typed accessors whose errors say where and why.
//
// The first record is the header (non-empty, unique column names). Fields may be quoted: a quoted
// field may hold commas, line breaks and doubled quotes (""). Lines end with CRLF, LF or a lone CR;
// a line break inside a quoted field reads as "\n" whatever the file used. A UTF-8 byte order mark
// is skipped, and the whole text must be UTF-8. Empty lines are skipped. Every record must have as
// many fields as the header. Violations throw DataError naming the source, the line and the
// problem.
//
// Resolve column names to indices once with column(), then read fields with the typed accessors:
//   const CsvTable towns(text, "towns.csv");
//   const std::size_t lat = towns.column("lat");
//   for (std::size_t r = 0; r < towns.row_count(); ++r) double y = towns.real(r, lat, -90, 90);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sahelsim/core/geo/data_error.hpp"

namespace sahelsim::core::geo {

struct CsvRow {
  std::int64_t line = 0;  // 1-based line where the record starts (the header is line 1)
  std::vector<std::string> fields;
};

class CsvTable {
 public:
  /// Parses `text`; `source_name` (usually the file name) starts every error message.
  CsvTable(std::string_view text, std::string source_name);

  const std::string& source_name() const { return source_name_; }
  const std::vector<std::string>& header() const { return header_; }
  std::size_t row_count() const { return rows_.size(); }
  /// Data rows (the header excluded), 0-based.
  const CsvRow& row(std::size_t row) const { return rows_.at(row); }
  const std::vector<CsvRow>& rows() const { return rows_; }

  /// The index of a column; throws DataError listing the available columns.
  std::size_t column(std::string_view name) const;
  std::optional<std::size_t> find_column(std::string_view name) const;

  /// The field as written (possibly empty).
  const std::string& text(std::size_t row, std::size_t column) const;
  /// The field, which must not be empty or only spaces.
  const std::string& required_text(std::size_t row, std::size_t column) const;
  /// A finite real number in [minimum, maximum]; spaces around it are ignored.
  double real(std::size_t row, std::size_t column, double minimum, double maximum) const;
  /// nullopt for an empty field, else as real().
  std::optional<double> optional_real(std::size_t row, std::size_t column, double minimum,
                                      double maximum) const;
  /// A decimal integer in [minimum, maximum] ("12", "-3"; not "12.0" or "1e3").
  std::int64_t integer(std::size_t row, std::size_t column, std::int64_t minimum,
                       std::int64_t maximum) const;
  std::optional<std::int64_t> optional_integer(std::size_t row, std::size_t column,
                                               std::int64_t minimum, std::int64_t maximum) const;

  /// An error about one field, for checks the caller makes itself (unknown town, ...):
  /// "source:line: column 'name' = 'value' <problem>".
  DataError field_error(std::size_t row, std::size_t column, const std::string& problem) const;
  /// An error about a whole row: "source:line: <problem>".
  DataError row_error(std::size_t row, const std::string& problem) const;

 private:
  const std::string& field(std::size_t row, std::size_t column) const;

  std::string source_name_;
  std::vector<std::string> header_;
  std::vector<CsvRow> rows_;
};

}  // namespace sahelsim::core::geo

#include "sahelsim/core/geo/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>

namespace sahelsim::core::geo {
namespace {

// Splits RFC 4180 text into records. Positions in error messages refer to `text` (BOM removed).
class CsvTokenizer {
 public:
  CsvTokenizer(std::string_view text, const std::string& source_name)
      : text_(text), source_name_(source_name) {}

  std::vector<CsvRow> records() {
    std::vector<CsvRow> records;
    while (position_ < text_.size()) {
      if (at_line_end()) {  // an empty line holds no record
        skip_line_end();
        continue;
      }
      CsvRow record;
      record.line = line_;
      for (;;) {
        record.fields.push_back(next_field());
        if (position_ < text_.size() && text_[position_] == ',') {
          ++position_;
          continue;
        }
        if (position_ < text_.size()) skip_line_end();  // next_field stops only at ',' or line end
        break;
      }
      records.push_back(std::move(record));
    }
    return records;
  }

 private:
  bool at_line_end() const { return text_[position_] == '\n' || text_[position_] == '\r'; }

  void skip_line_end() {
    if (text_[position_] == '\r' && position_ + 1 < text_.size() && text_[position_ + 1] == '\n')
      ++position_;
    ++position_;
    ++line_;
  }

  std::string next_field() {
    if (position_ < text_.size() && text_[position_] == '"') return quoted_field();
    const std::size_t begin = position_;
    while (position_ < text_.size() && text_[position_] != ',' && !at_line_end()) {
      if (text_[position_] == '"')
        fail(position_,
             "a double quote inside an unquoted field: quote the whole field and double the quote "
             "(\"like \"\"this\"\"\")");
      ++position_;
    }
    return std::string(text_.substr(begin, position_ - begin));
  }

  std::string quoted_field() {
    const std::size_t opening_quote = position_++;
    std::string field;
    for (;;) {
      if (position_ >= text_.size())
        fail(opening_quote, "a quoted field is never closed (the closing double quote is missing)");
      const char c = text_[position_];
      if (c == '"') {
        if (position_ + 1 < text_.size() && text_[position_ + 1] == '"') {
          field += '"';
          position_ += 2;
          continue;
        }
        ++position_;
        break;
      }
      if (c == '\r' || c == '\n') {
        skip_line_end();
        field += '\n';
        continue;
      }
      field += c;
      ++position_;
    }
    if (position_ < text_.size() && text_[position_] != ',' && !at_line_end())
      fail(position_, "unexpected " + quoted_value(text_.substr(position_, 1)) +
                          " after the closing quote of a quoted field (expected a comma or the end "
                          "of the line)");
    return field;
  }

  [[noreturn]] void fail(std::size_t offset, const std::string& problem) const {
    const TextPosition at = text_position(text_, offset);
    throw DataError(source_name_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                    ": " + problem);
  }

  std::string_view text_;
  const std::string& source_name_;
  std::size_t position_ = 0;
  std::int64_t line_ = 1;
};

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
  return text;
}

std::string_view trim_spaces(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// from_chars does not accept a leading '+', which people do write.
std::string_view without_plus_sign(std::string_view text) {
  return text.size() > 1 && text.front() == '+' && text[1] != '-' ? text.substr(1) : text;
}

std::string real_range(double minimum, double maximum) {
  return "a real number in [" + format_real(minimum) + ", " + format_real(maximum) + "]";
}

std::string integer_range(std::int64_t minimum, std::int64_t maximum) {
  return "an integer in [" + std::to_string(minimum) + ", " + std::to_string(maximum) + "]";
}

}  // namespace

CsvTable::CsvTable(std::string_view text, std::string source_name)
    : source_name_(std::move(source_name)) {
  text = without_utf8_bom(text);
  require_utf8(text, source_name_);
  std::vector<CsvRow> records = CsvTokenizer(text, source_name_).records();
  if (records.empty())
    throw DataError(source_name_ + ": the file is empty: expected a header row naming the columns");

  header_ = std::move(records.front().fields);
  for (std::size_t c = 0; c < header_.size(); ++c) {
    if (trim_spaces(header_[c]).empty())
      throw DataError(source_name_ + ":1: column " + std::to_string(c + 1) +
                      " of the header has no name");
    for (std::size_t earlier = 0; earlier < c; ++earlier)
      if (header_[earlier] == header_[c])
        throw DataError(source_name_ + ":1: column name " + quoted_value(header_[c]) +
                        " appears twice in the header (columns " + std::to_string(earlier + 1) +
                        " and " + std::to_string(c + 1) + ")");
  }

  rows_.assign(std::make_move_iterator(records.begin() + 1),
               std::make_move_iterator(records.end()));
  for (const CsvRow& row : rows_)
    if (row.fields.size() != header_.size())
      throw DataError(source_name_ + ":" + std::to_string(row.line) + ": " +
                      std::to_string(row.fields.size()) + " fields, but the header has " +
                      std::to_string(header_.size()) +
                      " columns (a missing or extra comma, or a field with a comma that is not "
                      "quoted?)");
}

std::optional<std::size_t> CsvTable::find_column(std::string_view name) const {
  const auto found = std::find(header_.begin(), header_.end(), name);
  if (found == header_.end()) return std::nullopt;
  return static_cast<std::size_t>(found - header_.begin());
}

std::size_t CsvTable::column(std::string_view name) const {
  if (const auto index = find_column(name)) return *index;
  throw DataError(source_name_ + ": no column " + quoted_value(name) + "; the columns are: " +
                  join(header_));
}

const std::string& CsvTable::field(std::size_t row, std::size_t column) const {
  const std::vector<std::string>& fields = rows_.at(row).fields;
  if (column >= fields.size())
    throw std::out_of_range(source_name_ + ": column index " + std::to_string(column) +
                            " is out of range (" + std::to_string(fields.size()) + " columns)");
  return fields[column];
}

DataError CsvTable::field_error(std::size_t row, std::size_t column,
                                const std::string& problem) const {
  const std::string& value = field(row, column);
  return DataError(source_name_ + ":" + std::to_string(rows_[row].line) + ": column '" +
                   header_[column] + "' = " + quoted_value(value) + " " + problem);
}

DataError CsvTable::row_error(std::size_t row, const std::string& problem) const {
  return DataError(source_name_ + ":" + std::to_string(rows_.at(row).line) + ": " + problem);
}

const std::string& CsvTable::text(std::size_t row, std::size_t column) const {
  return field(row, column);
}

const std::string& CsvTable::required_text(std::size_t row, std::size_t column) const {
  const std::string& value = field(row, column);
  if (trim_spaces(value).empty())
    throw row_error(row, "column '" + header_[column] + "' is empty: expected a non-empty text");
  return value;
}

std::optional<double> CsvTable::optional_real(std::size_t row, std::size_t column, double minimum,
                                              double maximum) const {
  const std::string_view value = trim_spaces(field(row, column));
  if (value.empty()) return std::nullopt;
  const std::string_view digits = without_plus_sign(value);
  double number = 0.0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  const bool parsed = error == std::errc() && end == digits.data() + digits.size();
  if (!parsed || !std::isfinite(number) || number < minimum || number > maximum)
    throw field_error(row, column, "is not allowed: expected " + real_range(minimum, maximum));
  return number;
}

double CsvTable::real(std::size_t row, std::size_t column, double minimum, double maximum) const {
  if (const auto number = optional_real(row, column, minimum, maximum)) return *number;
  throw row_error(row, "column '" + header_[column] + "' is empty: expected " +
                           real_range(minimum, maximum));
}

std::optional<std::int64_t> CsvTable::optional_integer(std::size_t row, std::size_t column,
                                                       std::int64_t minimum,
                                                       std::int64_t maximum) const {
  const std::string_view value = trim_spaces(field(row, column));
  if (value.empty()) return std::nullopt;
  const std::string_view digits = without_plus_sign(value);
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  const bool parsed = error == std::errc() && end == digits.data() + digits.size();
  if (!parsed || number < minimum || number > maximum)
    throw field_error(row, column, "is not allowed: expected " + integer_range(minimum, maximum));
  return number;
}

std::int64_t CsvTable::integer(std::size_t row, std::size_t column, std::int64_t minimum,
                               std::int64_t maximum) const {
  if (const auto number = optional_integer(row, column, minimum, maximum)) return *number;
  throw row_error(row, "column '" + header_[column] + "' is empty: expected " +
                           integer_range(minimum, maximum));
}

}  // namespace sahelsim::core::geo

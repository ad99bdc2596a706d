// Fuzz target: CSV tables (core/geo/csv.hpp) read from arbitrary bytes, then every field read
// through every typed accessor. The contract: bad input throws core::DataError and nothing else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sahelsim/core/geo/csv.hpp"

using sahelsim::core::DataError;
using sahelsim::core::geo::CsvTable;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const CsvTable table(text, "fuzz.csv");
    for (const std::string& name : table.header()) {
      if (table.column(name) >= table.header().size()) __builtin_trap();
    }
    try {
      (void)table.column("no such column");
    } catch (const DataError&) {
    }
    const std::size_t columns = table.header().size();
    for (std::size_t row = 0; row < table.row_count() && row < 64; ++row) {
      if (table.row(row).fields.size() != columns) __builtin_trap();
      (void)table.row_error(row, "checked").what();
      for (std::size_t column = 0; column < columns && column < 16; ++column) {
        (void)table.text(row, column);
        (void)table.field_error(row, column, "checked").what();
        try { (void)table.required_text(row, column); } catch (const DataError&) {}
        try { (void)table.real(row, column, -90, 90); } catch (const DataError&) {}
        try { (void)table.optional_real(row, column, -1e300, 1e300); } catch (const DataError&) {}
        try { (void)table.integer(row, column, -1000, 1000); } catch (const DataError&) {}
        try {
          (void)table.optional_integer(row, column, INT64_MIN, INT64_MAX);
        } catch (const DataError&) {
        }
      }
    }
  } catch (const DataError&) {
  }
  return 0;
}

// Bad input data (CSV tables, GeoJSON, scenario files) and the few helpers that every reader uses
// to say where and what the problem is.
//
// A DataError message names the source (a file name), the place in it (line, or line:column, or a
// JSON path such as features[3].geometry.coordinates[0][12]), the field, the value and what is
// allowed, e.g.
//   towns.csv:12: column 'lat' = '95.2' is not allowed: expected a real number in [-90, 90]
// It derives from std::invalid_argument, so Python sees ValueError (as with ParameterError).
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace sahelsim::core {

class DataError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// The shortest text that reads back as exactly `x` ("0.1", "-90", "1e+300", "inf", "nan").
inline std::string format_real(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, result.ptr);
}

/// A value as shown in a message: in single quotes, control characters escaped, and cut after 80
/// bytes (a whole megabyte-long field must not end up in a message).
inline std::string quoted_value(std::string_view value) {
  constexpr std::size_t shown_bytes = 80;
  std::string text = "'";
  for (std::size_t i = 0; i < value.size() && i < shown_bytes; ++i) {
    const auto byte = static_cast<unsigned char>(value[i]);
    if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      text += escaped;
    } else {
      text += value[i];
    }
  }
  if (value.size() > shown_bytes) text += "...";
  return text + "'";
}

/// 1-based line and column of a byte offset in a text. Lines end at LF, CRLF or a lone CR; the
/// column counts characters (UTF-8 code points), as editors show them, not bytes.
struct TextPosition {
  std::int64_t line = 1;
  std::int64_t column = 1;
};

inline TextPosition text_position(std::string_view text, std::size_t offset) {
  TextPosition position;
  if (offset > text.size()) offset = text.size();
  for (std::size_t i = 0; i < offset; ++i) {
    const char c = text[i];
    const bool line_end = c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'));
    if (line_end) {
      ++position.line;
      position.column = 1;
    } else if (c != '\r' && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++position.column;  // a UTF-8 continuation byte belongs to the previous character
    }
  }
  return position;
}

/// The offset of the first byte that is not part of well-formed UTF-8 (no overlong forms, no
/// surrogates, nothing above U+10FFFF), or std::string_view::npos when the whole text is valid.
inline std::size_t first_invalid_utf8(std::string_view text) {
  const auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = byte_at(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    unsigned char second_min = 0x80, second_max = 0xBF;  // narrower after some lead bytes
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) second_min = 0xA0;  // overlong
      if (lead == 0xED) second_max = 0x9F;  // UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) second_min = 0x90;  // overlong
      if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
    } else {
      return i;  // a continuation byte without a lead, an overlong C0/C1, or F5..FF
    }
    if (i + length > text.size()) return i;
    if (byte_at(i + 1) < second_min || byte_at(i + 1) > second_max) return i;
    for (std::size_t k = 2; k < length; ++k)
      if ((byte_at(i + k) & 0xC0) != 0x80) return i;
    i += length;
  }
  return std::string_view::npos;
}

/// Throws DataError "source:line:column: invalid UTF-8 byte 0xE9 ..." unless `text` is UTF-8.
inline void require_utf8(std::string_view text, const std::string& source_name) {
  const std::size_t bad = first_invalid_utf8(text);
  if (bad == std::string_view::npos) return;
  const TextPosition at = text_position(text, bad);
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
  throw DataError(source_name + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                  ": invalid UTF-8 byte " + byte +
                  ": the file must be encoded as UTF-8 (re-save it as UTF-8, e.g. not Latin-1 or "
                  "Windows-1252)");
}

/// `text` without a leading UTF-8 byte order mark (EF BB BF).
inline std::string_view without_utf8_bom(std::string_view text) {
  return text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
}

}  // namespace sahelsim::core

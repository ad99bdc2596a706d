// Shared helpers of the core/geo tests.
#pragma once

#include <string>
#include <string_view>

#include "sahelsim/core/geo/data_error.hpp"

namespace sahelsim::test {

/// The message of the DataError thrown by `action` ("" if nothing was thrown).
template <class Action>
std::string error_of(const Action& action) {
  try {
    action();
  } catch (const core::DataError& error) {
    return error.what();
  }
  return "";
}

inline bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace sahelsim::test

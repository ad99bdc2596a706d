// The parameter registry: one source of truth for every model parameter.
//
// A model declares its parameters once as ParameterSpecs (name, kind, unit, default, range or choices,
// one-line description, source). The C++ model reads resolved values from a ParameterSet; the Python
// bindings, the command line (--set name=value) and the run file's attributes all use these specs, so a
// name, a default or a range never exists in two places.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace sahelsim::core {

/// Bad input: derives from std::invalid_argument, so Python sees ValueError.
class ParameterError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class ParameterKind { real, integer, boolean, choice };

using ParameterValue = std::variant<bool, std::int64_t, double, std::string>;

struct ParameterSpec {
  std::string name;
  ParameterKind kind = ParameterKind::real;
  std::string unit;         // "1" for dimensionless, "steps", "cells", ...
  ParameterValue default_value;
  double minimum = 0.0;     // inclusive; for real and integer kinds
  double maximum = 0.0;     // inclusive; may be +inf for real kinds
  std::vector<std::string> choices;  // for the choice kind
  std::string description;  // one line
  std::string source;       // where the default comes from

  /// "a real number in [0, 1]", "one of: disc, von_neumann, moore", ...
  std::string allowed() const;
};

/// Factories that keep models' registries short: one line per parameter.
namespace spec {
inline ParameterSpec real(const char* name, const char* unit, double value, double lo, double hi,
                          const char* description, const char* source) {
  return {name, ParameterKind::real, unit, value, lo, hi, {}, description, source};
}
inline ParameterSpec integer(const char* name, const char* unit, std::int64_t value, double lo, double hi,
                             const char* description, const char* source) {
  return {name, ParameterKind::integer, unit, value, lo, hi, {}, description, source};
}
inline ParameterSpec boolean(const char* name, bool value, const char* description, const char* source) {
  return {name, ParameterKind::boolean, "1", value, 0, 0, {}, description, source};
}
inline ParameterSpec choice(const char* name, const char* value, std::vector<std::string> choices,
                            const char* description, const char* source) {
  return {name, ParameterKind::choice, "1", std::string(value), 0, 0, std::move(choices), description, source};
}
}  // namespace spec

std::string to_string(const ParameterValue& value);
std::string kind_name(ParameterKind kind);

/// Resolved parameter values of one model, validated against its specs.
class ParameterSet {
 public:
  explicit ParameterSet(const std::vector<ParameterSpec>* specs);

  /// Sets one parameter; throws ParameterError naming the parameter, the value and what is allowed.
  void set(const std::string& name, const ParameterValue& value);
  /// Parses text as given on a command line or in a file ("0.82", "true", "disc", "inf").
  void set_from_text(const std::string& name, const std::string& text);

  double real(const std::string& name) const;
  std::int64_t integer(const std::string& name) const;
  bool boolean(const std::string& name) const;
  const std::string& choice(const std::string& name) const;
  const ParameterValue& value(const std::string& name) const;

  const std::vector<ParameterSpec>& specs() const { return *specs_; }
  const ParameterSpec& spec(const std::string& name) const;
  const std::map<std::string, ParameterValue>& values() const { return values_; }

 private:
  const std::vector<ParameterSpec>* specs_;
  std::map<std::string, ParameterValue> values_;
};

}  // namespace sahelsim::core
